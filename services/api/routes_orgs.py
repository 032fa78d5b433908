"""Org units, the tree through time, and users."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from domain.errors import OutsideScope, RoleRequired, UnknownUser, ValidationFailed
from domain.users import ROLE_LABELS
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
from services.api.schemas import (
    Day,
    DissolveIn,
    GrantIn,
    HomeUnitIn,
    MergeIn,
    MoveIn,
    PasswordIn,
    RenameIn,
    ReorganisationIn,
    TokenIn,
    UnitCreateIn,
    UserCreateIn,
)

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
    saved = rt.app.orgs.create_unit(
        actor,
        name=body.name,
        level=body.level,
        parent_id=body.parent_id,
        code=body.code,
        established_on=body.established_on,
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
    saved = rt.app.orgs.reorganise(
        actor,
        on=body.effective_on,
        operations=[{"op": "merge", "unit_ids": body.unit_ids, "target_id": body.target_id}],
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
    rt.app.tree.org_unit(unit_id)
    return _single(rt, actor, unit_id, body.effective_on, {"op": "rename", "name": body.name})


@router.post("/org-units/{unit_id}/move", summary="Chuyển đơn vị sang trực thuộc đơn vị khác")
def move_unit(unit_id: UUID, body: MoveIn, rt: RuntimeDep, actor: ActorDep):
    rt.app.tree.org_unit(unit_id)
    return _single(
        rt, actor, unit_id, body.effective_on, {"op": "move", "parent_id": body.parent_id}
    )


@router.post("/org-units/{unit_id}/dissolve", summary="Giải thể đơn vị")
def dissolve_unit(unit_id: UUID, body: DissolveIn, rt: RuntimeDep, actor: ActorDep):
    rt.app.tree.org_unit(unit_id)
    return _single(rt, actor, unit_id, body.effective_on, {"op": "dissolve", "reason": body.reason})


# -- users -------------------------------------------------------------------------------------


def _require_any_admin(actor) -> None:
    if not actor.is_system and not actor.units_for("admin"):
        raise RoleRequired(role=ROLE_LABELS["admin"])


@router.get("/me", summary="Người dùng hiện tại")
def me(rt: RuntimeDep, actor: ActorDep):
    return rep.user(rt.app.users.user(actor.username))


@router.get("/users", summary="Danh sách người dùng (quản trị)")
def list_users(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
):
    _require_any_admin(actor)
    # an admin sees the users of her subtree: homed there or holding a grant there
    visible = (
        None
        if actor.is_system
        else rt.queries.subtree_ids({str(u) for u in actor.units_for("admin")})
    )
    return listing(rt.queries.users(q=q, page=page, within=visible), fresh)


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
    if username != actor.username:
        _require_any_admin(actor)
    try:
        user = rt.app.users.user(username)
    except ValidationFailed:  # an impossible username is simply unknown here
        raise UnknownUser(username=username) from None
    if not rt.app.users.may_see_user(actor, user):
        raise OutsideScope(unit_id=str(user.home_unit_id or ""))
    return rep.user(user)


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


@router.post("/users/{username}/tokens", status_code=201, summary="Cấp mã truy cập API")
def add_token(username: str, body: TokenIn, rt: RuntimeDep, actor: ActorDep):
    saved, token = rt.app.users.issue_token(actor, username=username, label=body.label)
    return command_result(rt, saved, {"username": username, "token": token}, status=201)


@router.delete("/users/{username}/tokens/{token_id}", summary="Thu hồi mã truy cập")
def drop_token(username: str, token_id: str, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.revoke_token(actor, username=username, token_id=token_id)
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))


@router.post("/users/{username}/password", summary="Đặt mật khẩu")
def set_password(username: str, body: PasswordIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.users.set_password(actor, username=username, password=body.password)
    return command_result(rt, saved, rep.user(rt.app.users.user(username)))
