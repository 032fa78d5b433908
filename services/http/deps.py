"""Dependencies shared by the API and the pages: the runtime and the caller's token.

A token comes as ``Authorization: Bearer …`` (programs) or inside the signed, expiring session
cookie that ``/login`` sets (people, and the API called from their browser;
``services.http.sessions``). What a missing or bad token means differs: the API answers 401
(``services.api.deps.current_actor``), a page redirects to the sign-in form
(``services.web.deps.signed_in``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.app import Runtime
from services.http.sessions import TOKEN_COOKIE, sessions_of

__all__ = ["TOKEN_COOKIE", "RuntimeDep", "bearer_token", "runtime"]


# Dependencies that do no I/O are ``async def``: FastAPI runs plain ``def`` dependencies in its
# thread pool, and each hop costs more than the work (profile in bench/RESULTS.md).


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def bearer_token(request: Request) -> str | None:
    """The ``Authorization`` header's token, else the token of a live session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return sessions_of(request.app).state(request).token
