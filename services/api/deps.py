"""FastAPI dependencies of the API: the authenticated actor (401 without one), read-your-writes,
paging. The runtime and the token are the pages' too: they live in ``services.http.deps``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import Unauthenticated
from projections.queries import Page
from services.api.schemas import MAX_POSITION
from services.app import Runtime
from services.authz import Actor
from services.http.deps import TOKEN_COOKIE as TOKEN_COOKIE  # the pages' cookie, re-exported
from services.http.deps import RuntimeDep, bearer_token
from services.store import Saved

# The runtime and the token are shared with the pages (``services.http.deps``). Dependencies that
# do no I/O are ``async def``: FastAPI runs plain ``def`` dependencies in its thread pool, and
# for a dependency that only reads request state that hop costs more than the work itself.


def current_actor(request: Request, rt: RuntimeDep) -> Actor:
    token = bearer_token(request)
    if not token:
        raise Unauthenticated()
    rt.app.catalogue.refresh()
    return rt.app.users.authenticate(token)


ActorDep = Annotated[Actor, Depends(current_actor)]


async def min_position(
    rt: RuntimeDep,
    min_position: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="Chờ tới vị trí nhật ký này")
    ] = None,
    x_tdkt_min_position: Annotated[int | None, Header(ge=0, le=MAX_POSITION)] = None,
) -> bool:
    """Wait until the read models have reached the caller's last write."""
    wanted = max(min_position or 0, x_tdkt_min_position or 0)
    if not wanted:
        return True
    return await run_in_threadpool(rt.ensure_position, wanted)


FreshDep = Annotated[bool, Depends(min_position)]


async def paging(
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(paging)]


def as_of(rt: Runtime, value: date | None) -> date:
    return value or rt.app.today()


def command_result(
    rt: Runtime,
    saved: Saved,
    body: dict[str, Any],
    *,
    status: int = 200,
    location: str | None = None,
) -> JSONResponse:
    """Project (inline mode), then answer with the resource and the log position."""
    rt.after(saved)
    payload = {**body, "position": saved.position}
    if saved.extra:
        payload.update(saved.extra)
    headers = {"X-TDKT-Position": str(saved.position)}
    if location:
        headers["Location"] = location
    return JSONResponse(payload, status_code=status, headers=headers)


def listing(result: dict[str, Any], fresh: bool) -> dict[str, Any]:
    return {**result, "fresh": fresh}
