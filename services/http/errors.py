"""The HTTP status of each kind of refusal (``DomainError.kind``), for the API's JSON answers
and the pages' error page alike."""

from __future__ import annotations

from domain.errors import DomainError

STATUS_BY_KIND = {
    "invalid": 422,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "unauthenticated": 401,
    "throttled": 429,  # too many failed sign-ins: ``Retry-After`` (``retry_headers``)
}


def retry_headers(error: DomainError) -> dict[str, str]:
    """``Retry-After`` for a refusal that says when to try again (``details.retry_after``)."""
    seconds = error.details.get("retry_after")
    return {"Retry-After": str(int(seconds))} if isinstance(seconds, int) else {}


def status_for(error: DomainError) -> int:
    return STATUS_BY_KIND.get(error.kind, 422)
