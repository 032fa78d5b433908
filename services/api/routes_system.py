"""Health, login, the levels of the catalog, projection status (the award kinds:
``routes_catalogue``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from domain.catalog import catalog
from domain.errors import BadCredentials
from services.api.deps import ActorDep, RuntimeDep
from services.api.schemas import LoginIn
from services.http.sessions import client_address, sessions_of

router = APIRouter(prefix="/api", tags=["Hệ thống"])


@router.get("/health", summary="Tình trạng dịch vụ")
def health(rt: RuntimeDep):
    return {
        "status": "ok",
        "store": rt.settings.store,
        "projections": rt.settings.projections,
        "position": rt.app.max_position(),
    }


@router.get("/projections", summary="Độ trễ của các bảng đọc (projection)")
def projections(rt: RuntimeDep, actor: ActorDep):
    return {"mode": rt.settings.projections, "views": rt.runner.lag()}


@router.post("/auth/token", summary="Đăng nhập bằng mật khẩu, nhận mã truy cập")
def login(body: LoginIn, rt: RuntimeDep, request: Request):
    """Also sets the pages' session cookie (a browser calling the API). Throttled as the sign-in
    page: after too many failures for the account or from the address, 429 `auth.throttled`
    with `Retry-After`, whatever the password. The token is a sign-in's: it expires with the
    session (`TDKT_SESSION_MAX_HOURS`, 8 h; listed with its `expires_at` in
    `GET /api/users/{username}/tokens`), then answers 401
    `auth.token_expired` — a program asks for its own token (`POST /api/users/{u}/tokens`).
    An unknown user costs the same password check as a known one. Too many checks at once in
    the server: 429 `auth.busy` with `Retry-After` (not counted as a failure)."""
    rt.app.users.last_seen.attach(rt.db)
    sessions = sessions_of(request.app)
    address = client_address(request)
    sessions.throttle.check(body.username, address)
    try:
        actor, token = rt.app.users.login(username=body.username, password=body.password)
    except BadCredentials:
        sessions.throttle.failed(body.username, address)
        raise
    sessions.throttle.succeeded(body.username)
    response = JSONResponse({"token": token, "username": actor.username, "token_type": "bearer"})
    sessions.start(request, response, token)
    return response


@router.get("/catalog/levels", summary="Các cấp của cây tổ chức")
def levels(actor: ActorDep):
    return {
        "items": [
            {
                "code": lvl.code,
                "name": lvl.name,
                "depth": lvl.depth,
                "valid_until": lvl.valid_until.isoformat() if lvl.valid_until else None,
            }
            for lvl in catalog().levels.values()
        ]
    }
