"""Dependencies shared by the API and the pages: the runtime and the caller's token.

A token comes as ``Authorization: Bearer …`` (programs) or in the HTTP-only session cookie that
``/login`` sets (people, and the API called from their browser). What a missing or bad token
means differs: the API answers 401 (``services.api.deps.current_actor``), a page redirects to
the sign-in form (``services.web.deps.signed_in``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.app import Runtime

TOKEN_COOKIE = "tdkt_token"


# Dependencies that do no I/O are ``async def``: FastAPI runs plain ``def`` dependencies in its
# thread pool, and each hop costs more than the work (profile in bench/RESULTS.md).


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(TOKEN_COOKIE)
