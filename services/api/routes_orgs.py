"""Org units, the tree through time, and users."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import Field

from domain.errors import (
    BadCredentials,
    RoleRequired,
)
from domain.users import ROLE_LABELS, WrongPassword
from services import representations as rep
from services.api.deps import (
    ActorDep,
    FreshDep,
    PageDep,
    RuntimeDep,
    as_of,
    command_result,
    listing,
)
from services.api.openapi import error_answer
from services.api.schemas import (
    Day,
    DeactivateIn,
    DissolveIn,
    GrantIn,
    HomeUnitIn,
    MergeIn,
    MoveIn,
    PasswordChangeIn,
    PasswordIn,
    PasswordResetIn,
    RenameIn,
    ReorganisationIn,
    TokenIn,
    UnitCreateIn,
    UserCreateIn,
)
from services.http.deps import bearer_token
from services.http.sessions import client_address, sessions_of
from services.users import user_directory, user_status

router = APIRouter(prefix="/api", tags=["Đơn vị và người dùng"])


# -- org units ---------------------------------------------------------------------------------


@router.get("/org-units", summary="Danh sách đơn vị tại một ngày")
def list_units(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    as_of_date: Annotated[Day | None, Query(alias="as_of")] = None,
    parent_id: UUID | None = None,
    level: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    include_ended: bool = False,
):
    on = as_of(rt, as_of_date)
    result = rt.queries.units_on(
        on,
        parent_id=str(parent_id) if parent_id else None,
        level=level,
        q=q,
        include_ended=include_ended,
        page=page,
    )
    return listing({**result, "as_of": on.isoformat()}, fresh)


@router.get("/org-units/tree", summary="Cây tổ chức tại một ngày")
def tree(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    as_of_date: Annotated[Day | None, Query(alias="as_of")] = None,
):
    on = as_of(rt, as_of_date)
    return {"as_of": on.isoformat(), "tree": rt.queries.tree_on(on), "fresh": fresh}


@router.post("/org-units", status_code=201, summary="Thành lập đơn vị")
def create_unit(body: UnitCreateIn, rt: RuntimeDep, actor: ActorDep):
    """Thành lập một đơn vị trực thuộc `parent_id` từ ngày `established_on`. `reason` (không bắt
    buộc): lý do, ví dụ số quyết định thành lập — ghi vào sự kiện `OrgUnit.Created` và hiện ở
    lịch sử của đơn vị (`GET /api/org-units/{unit_id}/history`)."""
    saved = rt.app.orgs.create_unit(
        actor,
        name=body.name,
        level=body.level,
        parent_id=body.parent_id,
        code=body.code,
        established_on=body.established_on,
        reason=body.reason,
    )
    unit = rt.app.tree.org_unit(saved.id)
    return command_result(
        rt,
        saved,
        rep.unit(unit, body.established_on),
        status=201,
        location=f"/api/org-units/{saved.id}",
    )


@router.post("/org-units/reorganisations", summary="Sắp xếp lại tổ chức (nhiều thao tác, một lần)")
def reorganise(body: ReorganisationIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.orgs.reorganise(
        actor,
        on=body.effective_on,
        operations=[op.model_dump(exclude_none=True) for op in body.operations],
    )
    return command_result(rt, saved, {"id": str(saved.id)})


@router.post("/org-units/merge", summary="Sáp nhập đơn vị")
def merge_units(body: MergeIn, rt: RuntimeDep, actor: ActorDep):
    """Sáp nhập các đơn vị `unit_ids` vào `target_id` từ ngày `effective_on` (đơn vị trực thuộc
    của chúng chuyển sang đơn vị nhận). `reason` (không bắt buộc): lý do — ghi vào sự kiện
    `OrgUnit.MergedInto` của từng đơn vị bị sáp nhập (và `OrgUnit.Moved` của đơn vị trực thuộc
    chúng), hiện ở lịch sử của đơn vị."""
    saved = rt.app.orgs.reorganise(
        actor,
        on=body.effective_on,
        operations=[{"op": "merge", "unit_ids": body.unit_ids, "target_id": body.target_id,
                     "reason": body.reason}],
    )
    return command_result(
        rt, saved, rep.unit(rt.app.tree.org_unit(body.target_id), body.effective_on)
    )


@router.get("/org-units/{unit_id}", summary="Một đơn vị tại một ngày, với các giai đoạn")
def get_unit(
    unit_id: UUID,
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    as_of_date: Annotated[Day | None, Query(alias="as_of")] = None,
):
    unit = rt.app.tree.org_unit(unit_id)
    on = as_of(rt, as_of_date)
    out = rep.unit(unit, on)
    out["path"] = rt.app.tree.unit_path_on(unit_id, on)
    out["versions"] = rt.queries.unit_versions(str(unit_id))
    return out


@router.get("/org-units/{unit_id}/history", summary="Nhật ký thay đổi của đơn vị")
def unit_history(unit_id: UUID, rt: RuntimeDep, actor: ActorDep):
    rt.app.tree.org_unit(unit_id)
    return {"id": str(unit_id), "events": rep.history(rt.app.history(unit_id))}


def _single(rt, actor, unit_id: UUID, on: date, op: dict):
    saved = rt.app.orgs.reorganise(actor, on=on, operations=[{**op, "unit_id": unit_id}])
    return command_result(rt, saved, rep.unit(rt.app.tree.org_unit(unit_id), on))


@router.post("/org-units/{unit_id}/rename", summary="Đổi tên đơn vị")
def rename_unit(unit_id: UUID, body: RenameIn, rt: RuntimeDep, actor: ActorDep):
    """Tên mới `name` từ ngày `effective_on`. `reason` (không bắt buộc): lý do — ghi vào sự kiện
    `OrgUnit.Renamed` và hiện ở lịch sử của đơn vị."""
    rt.app.tree.org_unit(unit_id)
    return _single(rt, actor, unit_id, body.effective_on,
                   {"op": "rename", "name": body.name, "reason": body.reason})


@router.post("/org-units/{unit_id}/move", summary="Chuyển đơn vị sang trực thuộc đơn vị khác")
def move_unit(unit_id: UUID, body: MoveIn, rt: RuntimeDep, actor: ActorDep):
    """Trực thuộc `parent_id` từ ngày `effective_on`. `reason` (không bắt buộc): lý do — ghi vào
    sự kiện `OrgUnit.Moved` và hiện ở lịch sử của đơn vị."""
    rt.app.tree.org_unit(unit_id)
    return _single(rt, actor, unit_id, body.effective_on,
                   {"op": "move", "parent_id": body.parent_id, "reason": body.reason})


@router.post("/org-units/{unit_id}/dissolve", summary="Giải thể đơn vị")
def dissolve_unit(unit_id: UUID, body: DissolveIn, rt: RuntimeDep, actor: ActorDep):
    """Giải thể từ ngày `effective_on` (đơn vị không còn đơn vị trực thuộc). `reason` (không bắt
    buộc): lý do — ghi vào sự kiện `OrgUnit.Dissolved` và hiện ở lịch sử của đơn vị."""
    rt.app.tree.org_unit(unit_id)
    return _single(rt, actor, unit_id, body.effective_on, {"op": "dissolve", "reason": body.reason})


# -- users -------------------------------------------------------------------------------------


def _require_any_admin(actor) -> None:
    if not actor.is_system and not actor.units_for("admin"):
        raise RoleRequired(role=ROLE_LABELS["admin"])


@router.get("/me", summary="Người dùng hiện tại")
def me(rt: RuntimeDep, actor: ActorDep):
    return rep.user(rt.app.users.user(actor.username))


def _user_out(user) -> dict:
    return {**rep.user(user), **user_status(user)}


@router.get("/users", summary="Danh sách người dùng (quản trị)")
def list_users(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=100,
                                   description="Tên đăng nhập hoặc họ tên (không dấu)")] = None,
    unit_id: Annotated[UUID | None, Query(
        description="Chỉ người dùng thuộc hoặc có vai trò trong đơn vị này (và cấp dưới)")] = None,
):
    """Those homed or granted in the admin's subtree, each with `status` (`active`,
    `deactivated`, `must_change_password`)."""
    _require_any_admin(actor)
    return listing(user_directory(rt, actor, q=q, unit_id=unit_id, page=page), fresh)


@router.post("/users", status_code=201, summary="Tạo người dùng")
def create_user(body: UserCreateIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.create_user(
        actor,
        username=body.username,
        full_name=body.full_name,
        password=body.password,
        grants=[g.model_dump() for g in body.grants],
        home_unit_id=body.home_unit_id,
    )
    user = rt.app.users.user(body.username)
    return command_result(
        rt, saved, rep.user(user), status=201, location=f"/api/users/{user.username}"
    )


@router.get("/users/{username}", summary="Một người dùng")
def get_user(username: str, rt: RuntimeDep, actor: ActorDep):
    """With `status` (`active`, `deactivated`, `must_change_password`) and, when locked, who
    locked her, when and why (`deactivation`)."""
    return _user_out(rt.app.users.readable(actor, username))


@router.put("/users/{username}/home-unit", summary="Đổi đơn vị của người dùng")
def set_home_unit(username: str, body: HomeUnitIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.set_home_unit(actor, username=username, unit_id=body.unit_id)
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))


@router.post("/users/{username}/grants", summary="Giao vai trò tại một đơn vị")
def add_grant(username: str, body: GrantIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.grant_role(
        actor, username=username, role=body.role, unit_id=body.unit_id, chair=body.chair
    )
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))


@router.delete("/users/{username}/grants", summary="Thu hồi vai trò")
def remove_grant(username: str, role: str, unit_id: UUID, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.revoke_role(actor, username=username, role=role, unit_id=unit_id)
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))


class TokenCreateIn(TokenIn):
    days: Annotated[int | None, Field(
        ge=1, le=3650, description="Số ngày hiệu lực (mặc định và tối đa: `TDKT_TOKEN_DAYS`, "
        "90 ngày)")] = None


@router.post("/users/{username}/tokens", status_code=201, summary="Cấp mã truy cập API")
def add_token(username: str, body: TokenCreateIn, rt: RuntimeDep, actor: ActorDep):
    """The token is answered once (only its hash is kept) with its `id` and `expires_at`: it
    expires after `days` (default and longest `TDKT_TOKEN_DAYS`, 90; more: 422), then answers
    401 `auth.token_expired`."""
    saved, token = rt.app.users.issue_token(actor, username=username, label=body.label,
                                            days=body.days)
    user = rt.app.users.user(username)
    token_id = token.split("_", 3)[2]
    issued = next(t for t in rt.app.users.tokens(user) if t["id"] == token_id)
    return command_result(rt, saved, {"username": user.username, "token": token,
                                      "id": token_id, "expires_at": issued["expires_at"]},
                          status=201)


@router.delete("/users/{username}/tokens/{token_id}", summary="Thu hồi mã truy cập")
def drop_token(username: str, token_id: str, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.revoke_token(actor, username=username, token_id=token_id)
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))


@router.post("/users/{username}/password", summary="Đặt mật khẩu")
def set_password(username: str, body: PasswordIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.set_password(actor, username=username, password=body.password)
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))


@router.get("/users/{username}/tokens", summary="Mã truy cập và phiên đăng nhập của người dùng")
def list_tokens(username: str, rt: RuntimeDep, actor: ActorDep):
    """Newest first. `kind`: `session` (issued by a sign-in: the pages' session, or
    `POST /api/auth/token`) or `api` (issued for a program); when and by whom each was issued
    and revoked; `expires_at` (and `expired` once past) and `last_used_at` (to the hour, null
    when not used since it is kept). Secrets are never shown again. Revoke one with
    `DELETE /api/users/{username}/tokens/{token_id}`."""
    user = rt.app.users.readable(actor, username)
    rt.app.users.last_seen.attach(rt.db)
    return {"username": user.username, "items": rt.app.users.tokens(user)}


@router.post("/users/{username}/password-reset",
             summary="Đặt lại mật khẩu tạm thời (người dùng phải đổi khi đăng nhập)")
def reset_password(username: str, body: PasswordResetIn, rt: RuntimeDep, actor: ActorDep):
    """By an admin over her home unit and every unit of her grants, never on oneself
    (`user.not_on_yourself`, 403). The password (given, or generated and answered once in
    `password`) is temporary: `POST /api/auth/token` refuses it (401
    `auth.password_change_required`) until she changes it (`POST /api/auth/password`, or the
    page `/password` after signing in). Her sign-in sessions end (`sessions_ended`); tokens issued
    for programs stay. One event `User.PasswordReset`."""
    saved, password = rt.app.users.reset_password(actor, username=username,
                                                  password=body.password)
    out = _user_out(rt.app.users.user(username))
    if body.password is None:
        out["password"] = password
    return command_result(rt, saved, out)


@router.post("/users/{username}/deactivate", summary="Khóa tài khoản người dùng")
def deactivate_user(username: str, body: DeactivateIn, rt: RuntimeDep, actor: ActorDep):
    """She can no longer sign in (`auth.account_deactivated`), and every token of hers —
    sessions included — is revoked in the same step (`tokens_revoked`); reactivating her does
    not bring them back. By an admin over her home unit and every unit of her grants, never
    on oneself. Event `User.Deactivated` (with the reason)."""
    saved = rt.app.users.deactivate(actor, username=username, reason=body.reason)
    return command_result(rt, saved, _user_out(rt.app.users.user(username)))


@router.post("/users/{username}/reactivate", summary="Mở lại tài khoản người dùng")
def reactivate_user(username: str, rt: RuntimeDep, actor: ActorDep):
    """She may sign in again with her password (her old tokens stay revoked). Event
    `User.Reactivated`."""
    saved = rt.app.users.reactivate(actor, username=username)
    return command_result(rt, saved, _user_out(rt.app.users.user(username)))


@router.post("/auth/password", summary="Đổi mật khẩu của mình (kể cả mật khẩu tạm thời)",
             responses={429: error_answer(429)})
def change_password(body: PasswordChangeIn, rt: RuntimeDep, request: Request):
    """No token needed: the current password proves who she is — the way out for a user whose
    password is a temporary one (`POST /api/auth/token` answers 401
    `auth.password_change_required`). A wrong current password or an unknown user: 422
    `user.wrong_password`, counted with the failed sign-ins (429 `auth.throttled` after too many);
    a locked account: 409 `user.deactivated`. The new password must differ from the current one.
    Every other sign-in session and token of hers ends in the same step (`tokens_revoked`): only
    the token this request carries (`Authorization`, or the pages' session), when it is hers,
    stays. Then sign in with `POST /api/auth/token`."""
    sessions = sessions_of(request.app)
    address = client_address(request)
    sessions.throttle.check(body.username, address)
    try:
        user, saved = rt.app.users.change_own_password(
            username=body.username, old_password=body.old_password,
            new_password=body.new_password, keep_token=bearer_token(request))
    except (WrongPassword, BadCredentials):
        sessions.throttle.failed(body.username, address)
        raise
    sessions.throttle.succeeded(body.username)
    return command_result(rt, saved, {"username": user.username, "changed": True})
