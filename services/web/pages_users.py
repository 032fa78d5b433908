"""Administration in the browser: the landing page and the users of the admin's subtree.

* ``/admin``: what an administrator manages (users, units, money schedules), for users holding
  an admin grant (the 403 page otherwise);
* ``/users``: the users she may read (homed or granted in her subtree, as ``GET /api/users``),
  searched by username or full name (without diacritics) and by unit, with home unit, roles and
  status (active, locked, must change her password);
* ``/users/new``: create one — home unit among the units of her subtree, full name, a temporary
  password (typed, or generated and shown once), a first role;
* ``/users/{username}``: her record; give a role (chair of the council for a reviewer), take one
  back (``…/grants/remove``: a confirmation first), move her to another home unit, set a
  temporary password (``…/password-reset``: she must change it at her next sign-in; her sessions
  end), her tokens and sign-in sessions with who issued them and when, revoke one
  (``…/tokens/{id}/revoke``: a confirmation first), lock the account (``…/deactivate``: a
  confirmation with the reason) and unlock it; the record's history;
* ``/password``: she changes her own password (current one, new one twice); after a sign-in with
  a temporary password, the same page asks for the new one only and then opens her session
  (``services.web.password_change``).

Every action is the service's (``services.users``), with the API's permissions: a page offers
only what the signed-in user may do there, and a refused action comes back on its form with the
Vietnamese message and what was typed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import BadCredentials, DomainError, ValidationFailed
from domain.text import nfc
from domain.users import (
    MIN_PASSWORD,
    ROLE_LABELS,
    ROLES,
    NotOnYourself,
    User,
    WrongPassword,
    normalise_username,
)
from projections.queries import Page
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.http.sessions import client_address, sessions_of
from services.store import Saved
from services.users import (
    STATUS_LABELS,
    generated_password,
    status_of,
    user_directory,
)
from services.web import csrf, password_change
from services.web.deps import SessionDep, SignedInDep
from services.web.forms import parse_id, safe_next, whole
from services.web.routing import page_router
from services.web.templating import local_time, no_store, page_message, render

router = page_router()
FORM = dict[str, Any]
PAGE_SIZE = 50

# After an action, the record's page says what happened (``?done=…``: fixed words only).
DONE = {
    "grant": "Đã giao vai trò.",
    "ungrant": "Đã thu hồi vai trò.",
    "home": "Đã đổi đơn vị của người dùng.",
    "token": "Đã thu hồi. Mã hoặc phiên đó không còn dùng được.",
    "session": "Đã kết thúc phiên đăng nhập: trang tiếp theo người dùng mở sẽ đưa về trang "
               "đăng nhập.",
    "deactivated": "Đã khóa tài khoản. Mọi phiên đăng nhập và mã truy cập của người dùng đã bị "
                   "thu hồi.",
    "reactivated": "Đã mở lại tài khoản. Người dùng đăng nhập lại bằng mật khẩu của mình.",
}
EVENT_WORDS = {
    "User.Created": "Tạo người dùng",
    "User.GrantAdded": "Giao vai trò",
    "User.GrantRemoved": "Thu hồi vai trò",
    "User.PasswordChanged": "Đổi mật khẩu",
    "User.PasswordReset": "Đặt mật khẩu tạm thời (phải đổi khi đăng nhập)",
    "User.PasswordWithdrawn": "Rút mật khẩu",
    "User.TokenIssued": "Cấp mã truy cập / mở phiên đăng nhập",
    "User.TokenRevoked": "Thu hồi mã truy cập / kết thúc phiên",
    "User.HomeUnitSet": "Đặt đơn vị",
    "User.Deactivated": "Khóa tài khoản",
    "User.Reactivated": "Mở lại tài khoản",
}
STEP_EXPIRED = ("Bước đổi mật khẩu đã hết hạn hoặc không còn hợp lệ. Vui lòng đăng nhập lại "
                "bằng mật khẩu đang dùng.")
HISTORY_SHOWN = 30
REVOKED_SHOWN = 20
KIND_LABELS = {"session": "Phiên đăng nhập", "api": "Mã truy cập API"}


# -- small helpers -----------------------------------------------------------------------------


def _form(raw: Any) -> FORM:
    return {key: nfc(str(raw.get(key))) for key in raw}


def who(username: str | None) -> str:
    """Who did it, as the page says it: the system (CLI, demo, automatic steps) in words."""
    if username in (None, ""):
        return "—"
    return "Hệ thống" if username == "system" else username



def _safe_next(target: str | None) -> str:
    """After the password change: a path of this site, never the password page itself."""
    target = safe_next(target)
    return "/" if target.startswith("/password") else target


def admin_units(rt: Runtime, actor: Actor) -> list[dict[str, Any]]:
    """Units active today in the subtrees she administers, by name (every one: no cap)."""
    roots = {str(u) for u in actor.units_for("admin")}
    if not roots and not actor.is_system:
        return []
    inside = rt.queries.subtree_ids(roots)
    units = rt.queries.units_on(rt.app.today(), page=Page.everything(100_000))["items"]
    return [u for u in units if actor.is_system or u["id"] in inside]


def _unit_names(rt: Runtime, ids: set[str]) -> dict[str, str]:
    return rt.queries.unit_names({i for i in ids if i})


def _done(rt: Runtime, saved: Saved | None, where: str) -> RedirectResponse:
    if saved is not None:
        rt.after(saved)
    return RedirectResponse(where, status_code=303)


def _user_path(user: User | str) -> str:
    name = user if isinstance(user, str) else user.username
    return f"/users/{quote(name)}"


# -- /admin ----------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rt.app.users.require_any_admin(actor)
    names = _unit_names(rt, {str(u) for u in actor.units_for("admin")})
    return render(request, "admin.html", {"admin_of": sorted(names.values())}, actor=actor)


# -- /users: the directory -------------------------------------------------------------------


def _roles_text(grant: dict[str, Any], names: dict[str, str]) -> str:
    label = ROLE_LABELS.get(grant["role"], grant["role"])
    if grant.get("chair"):
        label = "Chủ tịch Hội đồng TĐKT"
    return f"{label} — {names.get(str(grant['unit_id']), 'đơn vị không còn')}"


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, rt: RuntimeDep, actor: SignedInDep, q: str | None = None,
               unit_id: str | None = None, offset: str | None = None):
    rt.app.users.require_any_admin(actor)
    rt.ensure_position(rt.app.max_position())
    q = nfc(q or "").strip()[:100]
    units = admin_units(rt, actor)
    chosen = unit_id or ""
    error = None
    result: dict[str, Any] = {"items": [], "total": 0, "limit": PAGE_SIZE, "offset": 0}
    try:
        page = Page(limit=PAGE_SIZE, offset=whole(offset, 0, 10**7) or 0)
        result = user_directory(rt, actor, q=q or None,
                                unit_id=parse_id(chosen) if chosen else None, page=page)
    except DomainError as refused:
        error = refused
    ids = set()
    for row in result["items"]:
        ids.add(row.get("home_unit_id") or "")
        ids.update(str(g["unit_id"]) for g in row["grants"])
    names = _unit_names(rt, ids)
    rows = [{
        "username": row["username"], "full_name": row["full_name"],
        "home": names.get(row.get("home_unit_id") or "", "—"),
        "roles": [_roles_text(g, names) for g in row["grants"]],
        "status": row["status"], "status_label": STATUS_LABELS[row["status"]],
    } for row in result["items"]]
    base = {"q": q, "unit_id": chosen}
    pages = {
        "previous": (f"/users?{urlencode({**base, 'offset': max(result['offset'] - PAGE_SIZE, 0)})}"
                     if result["offset"] else None),
        "next": (f"/users?{urlencode({**base, 'offset': result['offset'] + PAGE_SIZE})}"
                 if result["total"] > result["offset"] + len(rows) else None),
    }
    return render(request, "users.html", {
        "rows": rows, "result": result, "q": q, "unit_id": chosen, "units": units,
        "error": error, "pages": pages}, status_for(error) if error else 200, actor)


# -- /users/new ------------------------------------------------------------------------------


def _new_form(request: Request, rt: Runtime, actor: Actor, form: FORM,
              errors: dict[str, str] | None = None, error: DomainError | None = None
              ) -> HTMLResponse:
    status = 422 if errors else (status_for(error) if error else 200)
    return render(request, "user_new.html", {
        "units": admin_units(rt, actor), "form": form, "errors": errors or {}, "error": error,
        "roles": [(r, ROLE_LABELS[r]) for r in ROLES], "min_password": MIN_PASSWORD},
        status, actor)


@router.get("/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rt.app.users.require_any_admin(actor)
    return _new_form(request, rt, actor, {"password_mode": "generate"})


def _password_choice(form: FORM, errors: dict[str, str]) -> str | None:
    """The temporary password typed, or None (one is generated)."""
    if form.get("password_mode") != "set":
        return None
    password = form.get("password") or ""
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Mật khẩu tạm thời cần ít nhất {MIN_PASSWORD} ký tự."
    return password


@router.post("/users/new", response_class=HTMLResponse)
async def create_user(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rt.app.users.require_any_admin(actor)
    form = _form(await request.form())
    form.pop("csrf_token", None)
    errors: dict[str, str] = {}
    try:
        form["username"] = normalise_username(form.get("username", ""))
    except ValidationFailed as refused:
        errors["username"] = page_message(refused).removeprefix("Dữ liệu không hợp lệ: ")
    if not (form.get("full_name") or "").strip():
        errors["full_name"] = "Cần họ và tên."
    if not form.get("home_unit_id"):
        errors["home_unit_id"] = "Cần chọn đơn vị của người dùng."
    password = _password_choice(form, errors)
    grants = []
    if form.get("role"):
        if not form.get("grant_unit_id"):
            errors["grant_unit_id"] = "Cần chọn đơn vị của vai trò."
        else:
            grants.append({"role": form["role"], "unit_id": form["grant_unit_id"],
                           "chair": form.get("chair") == "1"})
    if errors:
        return _new_form(request, rt, actor, form, errors)
    password = password or generated_password()
    try:
        home = parse_id(form["home_unit_id"])
        for g in grants:
            g["unit_id"] = parse_id(g["unit_id"])
        saved = rt.app.users.create_user(
            actor, username=form["username"], full_name=form["full_name"], password=password,
            grants=grants, home_unit_id=home, must_change_password=True)
    except DomainError as refused:
        return _new_form(request, rt, actor, form, error=refused)
    rt.after(saved)
    user = rt.app.users.user(form["username"])
    return no_store(render(request, "user_created.html", {
        "u": user, "password": password if form.get("password_mode") != "set" else None,
        "home": _unit_names(rt, {str(user.home_unit_id)}).get(str(user.home_unit_id), "")},
        actor=actor))


# -- /users/{username}: the record -------------------------------------------------------------


def _readable(rt: Runtime, actor: Actor, username: str) -> User:
    return rt.app.users.readable(actor, nfc(username))


def _covers(rt: Runtime, actor: Actor, unit_id: Any) -> bool:
    return rt.app.authz.covers(actor, unit_id, "admin")


def _history(rt: Runtime, user: User, names: dict[str, str]
             ) -> tuple[list[dict[str, Any]], int]:
    """Her record's latest events, newest first, and how many there are in all."""
    out = []
    events = rt.app.history(user.id)
    for event in events[-HISTORY_SHOWN:][::-1]:
        name = type(event).__qualname__
        detail = ""
        if name in ("User.GrantAdded", "User.GrantRemoved"):
            detail = _roles_text({"role": event.role, "unit_id": event.unit_id,
                                  "chair": getattr(event, "chair", False)}, names)
        elif name == "User.HomeUnitSet":
            detail = names.get(str(event.home_unit_id), "")
        elif name == "User.TokenIssued":
            detail = event.label or "không nhãn"
        elif name in ("User.Deactivated", "User.PasswordWithdrawn"):
            detail = f"Lý do: {event.reason}"
        elif name == "User.Created":
            detail = event.full_name
        out.append({"when": local_time(event.timestamp),
                    "what": EVENT_WORDS.get(name, name), "by": who(getattr(event, "actor", "")),
                    "detail": detail})
    return out, len(events)


def _record(request: Request, rt: Runtime, actor: Actor, username: str, *,
            form: FORM | None = None, error: DomainError | None = None, where: str = "",
            done: str | None = None) -> HTMLResponse:
    user = _readable(rt, actor, username)
    users = rt.app.users
    ids = {str(g["unit_id"]) for g in user.grants} | {str(user.home_unit_id or "")}
    names = _unit_names(rt, ids)
    covers_all = users.admin_over_all(actor, user)
    is_self = actor.username == user.username
    home_covered = (_covers(rt, actor, user.home_unit_id) if user.home_unit_id
                    else covers_all)
    units = admin_units(rt, actor) if (covers_all or home_covered) else []
    grants = [{
        "role": g["role"], "unit_id": str(g["unit_id"]), "text": _roles_text(g, names),
        "may_withdraw": _covers(rt, actor, g["unit_id"]),
    } for g in user.grants]
    rt.app.users.last_seen.attach(rt.db)
    tokens = rt.app.users.tokens(user)
    current = sessions_of(request.app).state(request).session
    current_id = current.token_id if current is not None else None
    for t in tokens:
        t.update(kind_label=KIND_LABELS[t["kind"]], issued_text=local_time(t["issued_at"]),
                 revoked_text=local_time(t["revoked_at"]), current=t["id"] == current_id,
                 expires_text=local_time(t["expires_at"]),
                 last_used_text=local_time(t["last_used_at"]),
                 issued_by=who(t["issued_by"]), revoked_by=who(t["revoked_by"]))
    live = [t for t in tokens if not t["revoked"] and not t["expired"]]
    revoked = [t for t in tokens if t["revoked"] or t["expired"]]
    history, events = _history(rt, user, names)
    deactivation = dict(user.deactivation or {})
    if deactivation:
        deactivation.update(when=local_time(deactivation.get("at")),
                            by=who(deactivation.get("by")))
    context = {
        "u": user, "status": status_of(user), "status_label": STATUS_LABELS[status_of(user)],
        "home": names.get(str(user.home_unit_id or ""), "—"), "grants": grants,
        "live": live, "revoked": revoked[:REVOKED_SHOWN], "revoked_total": len(revoked),
        "history": history, "events": events, "is_self": is_self,
        "may_grant": home_covered and bool(units), "may_move": covers_all and bool(units),
        "may_manage": users.may_manage(actor, user),
        "may_tokens": is_self or covers_all, "units": units,
        "roles": [(r, ROLE_LABELS[r]) for r in ROLES], "deactivation": deactivation,
        "form": form or {}, "error": error, "where": where,
        "done": DONE.get(done or ""), "path": _user_path(user),
        "password_by": who(user.password_set_by).replace("Hệ thống", "hệ thống"),
    }
    return render(request, "user.html", context, status_for(error) if error else 200, actor)


@router.get("/users/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep,
              done: str | None = None):
    return _record(request, rt, actor, username, done=done)


# -- roles ---------------------------------------------------------------------------------------


def _grant_args(form: FORM) -> dict[str, Any]:
    role = form.get("role") or ""
    if not role:
        raise ValidationFailed(reason="cần chọn vai trò")
    if not form.get("unit_id"):
        raise ValidationFailed(reason="cần chọn đơn vị của vai trò")
    return {"role": role, "unit_id": parse_id(form["unit_id"]), "chair": form.get("chair") == "1"}


@router.post("/users/{username}/grants", response_class=HTMLResponse)
async def add_grant(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    """Give a role. When it would withdraw credentials that admins out of the new unit's reach
    gave her (the service's rule), say so first and ask again."""
    user = _readable(rt, actor, username)
    form = _form(await request.form())
    try:
        args = _grant_args(form)
        check = rt.app.users.grant_role(actor, username=user.username, dry_run=True, **args)
        withdrawn = (check.extra or {}).get("withdrawn", [])
        if withdrawn and form.get("confirmed") != "1":
            names = _unit_names(rt, {str(args["unit_id"])})
            return render(request, "user_grant_check.html", {
                "u": user, "path": _user_path(user), "form": form, "withdrawn": withdrawn,
                "grant_text": _roles_text(args, names)}, actor=actor)
        saved = rt.app.users.grant_role(actor, username=user.username, **args)
    except DomainError as refused:
        return _record(request, rt, actor, username, form=form, error=refused, where="grant")
    return _done(rt, saved, f"{_user_path(user)}?done=grant#vai-tro")


def _grant_held(rt: Runtime, actor: Actor, username: str, role: str, unit_id: str
                ) -> tuple[User, dict[str, Any]]:
    user = _readable(rt, actor, username)
    unit = parse_id(unit_id or "")
    found = next((g for g in user.grants if g["role"] == role and g["unit_id"] == unit), None)
    if found is None:
        raise ValidationFailed(reason="người dùng không giữ vai trò này (có thể đã được thu hồi)")
    return user, found


@router.get("/users/{username}/grants/remove", response_class=HTMLResponse)
def remove_grant_check(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep,
                       role: str = "", unit_id: str = ""):
    user, grant = _grant_held(rt, actor, username, role, unit_id)
    rt.app.authz.require(actor, "admin", grant["unit_id"])
    names = _unit_names(rt, {str(grant["unit_id"])})
    return render(request, "user_grant_remove.html", {
        "u": user, "path": _user_path(user), "grant": grant, "unit_id": str(grant["unit_id"]),
        "grant_text": _roles_text(grant, names), "is_self": user.username == actor.username,
        "last": len(user.grants) == 1}, actor=actor)


@router.post("/users/{username}/grants/remove")
async def remove_grant(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    try:
        user, grant = _grant_held(rt, actor, username, form.get("role", ""),
                                  form.get("unit_id", ""))
        saved = rt.app.users.revoke_role(actor, username=user.username, role=grant["role"],
                                         unit_id=grant["unit_id"])
    except DomainError as refused:
        return _record(request, rt, actor, username, error=refused, where="grant")
    return _done(rt, saved, f"{_user_path(user)}?done=ungrant#vai-tro")


@router.post("/users/{username}/home-unit")
async def set_home_unit(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    user = _readable(rt, actor, username)
    form = _form(await request.form())
    try:
        if not form.get("home_unit_id"):
            raise ValidationFailed(reason="cần chọn đơn vị")
        saved = rt.app.users.set_home_unit(actor, username=user.username,
                                           unit_id=parse_id(form["home_unit_id"]))
    except DomainError as refused:
        return _record(request, rt, actor, username, form=form, error=refused, where="home")
    return _done(rt, saved, f"{_user_path(user)}?done=home")


# -- temporary password ------------------------------------------------------------------------


def _reset_form(request: Request, rt: Runtime, actor: Actor, user: User, form: FORM,
                errors: dict[str, str] | None = None, error: DomainError | None = None
                ) -> HTMLResponse:
    status = 422 if errors else (status_for(error) if error else 200)
    return render(request, "user_password_reset.html", {
        "u": user, "path": _user_path(user), "form": form, "errors": errors or {},
        "error": error, "sessions": len(user.live_sessions()), "min_password": MIN_PASSWORD},
        status, actor)


def _manageable(rt: Runtime, actor: Actor, username: str, what: str) -> User:
    """Her record, for an admin over her home unit and every unit of her grants, not herself
    (else the refusal page)."""
    user = _readable(rt, actor, username)
    rt.app.users.require_credential_admin(actor, user)
    if user.username == actor.username:
        raise NotOnYourself(what=what)
    return user


@router.get("/users/{username}/password-reset", response_class=HTMLResponse)
def password_reset_form(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    user = _manageable(rt, actor, username, "đặt lại mật khẩu")
    return _reset_form(request, rt, actor, user, {"password_mode": "generate"})


@router.post("/users/{username}/password-reset", response_class=HTMLResponse)
async def password_reset(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    user = _readable(rt, actor, username)
    form = _form(await request.form())
    errors: dict[str, str] = {}
    password = _password_choice(form, errors)
    if errors:
        return _reset_form(request, rt, actor, user, form, errors)
    try:
        saved, temporary = rt.app.users.reset_password(actor, username=user.username,
                                                       password=password)
    except DomainError as refused:
        return _reset_form(request, rt, actor, user, form, error=refused)
    rt.after(saved)
    ended = len((saved.extra or {}).get("sessions_ended", []))
    return no_store(render(request, "user_password_reset_done.html", {
        "u": user, "path": _user_path(user), "ended": ended,
        "password": temporary if password is None else None}, actor=actor))


# -- tokens and sessions -----------------------------------------------------------------------


def _token(rt: Runtime, actor: Actor, username: str, token_id: str
           ) -> tuple[User, dict[str, Any]]:
    user = _readable(rt, actor, username)
    found = next((t for t in rt.app.users.tokens(user) if t["id"] == token_id), None)
    if found is None:
        rt.app.users.require_credential_admin(actor, user)
        raise ValidationFailed(reason="không có mã truy cập hay phiên này")
    found.update(kind_label=KIND_LABELS[found["kind"]], issued_text=local_time(found["issued_at"]),
                 expires_text=local_time(found["expires_at"]),
                 last_used_text=local_time(found["last_used_at"]),
                 issued_by=who(found["issued_by"]))
    return user, found


@router.get("/users/{username}/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token_check(request: Request, username: str, token_id: str, rt: RuntimeDep,
                       actor: SignedInDep):
    user, token = _token(rt, actor, username, token_id)
    rt.app.users.require_credential_admin(actor, user)
    current = sessions_of(request.app).state(request).session
    return render(request, "user_token_revoke.html", {
        "u": user, "path": _user_path(user), "t": token,
        "current": current is not None and current.token_id == token["id"]
        and user.username == actor.username}, actor=actor)


@router.post("/users/{username}/tokens/{token_id}/revoke")
async def revoke_token(request: Request, username: str, token_id: str, rt: RuntimeDep,
                       actor: SignedInDep):
    try:
        user, token = _token(rt, actor, username, token_id)
        saved = rt.app.users.revoke_token(actor, username=user.username, token_id=token["id"])
    except DomainError as refused:
        return _record(request, rt, actor, username, error=refused, where="tokens")
    word = "session" if token["kind"] == "session" else "token"
    return _done(rt, saved, f"{_user_path(user)}?done={word}#ma-truy-cap")


# -- lock, unlock --------------------------------------------------------------------------------


def _deactivate_form(request: Request, rt: Runtime, actor: Actor, user: User, form: FORM,
                     error: DomainError | None = None) -> HTMLResponse:
    return render(request, "user_deactivate.html", {
        "u": user, "path": _user_path(user), "form": form, "error": error,
        "live": len(user.live_tokens()), "sessions": len(user.live_sessions())},
        status_for(error) if error else 200, actor)


@router.get("/users/{username}/deactivate", response_class=HTMLResponse)
def deactivate_form(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    user = _manageable(rt, actor, username, "khóa tài khoản")
    return _deactivate_form(request, rt, actor, user, {})


@router.post("/users/{username}/deactivate", response_class=HTMLResponse)
async def deactivate(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    user = _readable(rt, actor, username)
    form = _form(await request.form())
    try:
        saved = rt.app.users.deactivate(actor, username=user.username,
                                        reason=form.get("reason", ""))
    except DomainError as refused:
        return _deactivate_form(request, rt, actor, user, form, refused)
    return _done(rt, saved, f"{_user_path(user)}?done=deactivated")


@router.post("/users/{username}/reactivate", response_class=HTMLResponse)
async def reactivate(request: Request, username: str, rt: RuntimeDep, actor: SignedInDep):
    try:
        user = _readable(rt, actor, username)
        saved = rt.app.users.reactivate(actor, username=user.username)
    except DomainError as refused:
        return _record(request, rt, actor, username, error=refused, where="status")
    return _done(rt, saved, f"{_user_path(user)}?done=reactivated")


# -- /password: her own ------------------------------------------------------------------------


def _password_page(request: Request, actor: Actor | None, mode: str, next_path: str,
                   errors: dict[str, str] | None = None, error: DomainError | None = None,
                   done: bool = False, username: str = "", ended: int = 0) -> HTMLResponse:
    status = 422 if errors else (status_for(error) if error else 200)
    response = render(request, "user_password.html", {
        "mode": mode, "next": next_path, "errors": errors or {}, "error": error, "done": done,
        "ended": ended,
        "username": username, "min_password": MIN_PASSWORD}, status, actor)
    return no_store(response)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, actor: SessionDep, next: str = "/", done: str = "",
                  ended: str = ""):
    """Her own password; or, after a sign-in with a temporary password, the new one only. After
    a change, how many of her other sessions and tokens ended with it."""
    if actor is not None:
        return _password_page(request, actor, "own", _safe_next(next), done=done == "1",
                              ended=int(ended) if ended.isdigit() and len(ended) < 7 else 0)
    pending = password_change.pending(request)
    if pending is None:
        return RedirectResponse("/login?next=/password", status_code=303)
    return _password_page(request, None, "forced", _safe_next(next), username=pending.username)


def _new_password_errors(form: FORM) -> dict[str, str]:
    errors: dict[str, str] = {}
    new = form.get("new_password") or ""
    if len(new) < MIN_PASSWORD:
        errors["new_password"] = f"Mật khẩu mới cần ít nhất {MIN_PASSWORD} ký tự."
    elif new != (form.get("new_password_again") or ""):
        errors["new_password_again"] = "Hai lần nhập mật khẩu mới không giống nhau."
    return errors


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, rt: RuntimeDep, actor: SessionDep):
    raw = await request.form()
    form = {key: str(raw.get(key) or "") for key in raw}  # passwords as typed: not normalised
    next_path = _safe_next(form.get("next"))
    sessions = sessions_of(request.app)
    address = client_address(request)
    if actor is not None:
        errors = _new_password_errors(form)
        if not form.get("old_password"):
            errors = {"old_password": "Cần mật khẩu hiện tại.", **errors}
        if errors:
            return _password_page(request, actor, "own", next_path, errors)
        try:
            sessions.throttle.check(actor.username, address)
            current = sessions.state(request).token
            _, saved = await run_in_threadpool(
                rt.app.users.change_own_password, username=actor.username,
                old_password=form["old_password"], new_password=form["new_password"],
                keep_token=current)
        except WrongPassword:
            sessions.throttle.failed(actor.username, address)
            return _password_page(request, actor, "own", next_path,
                                  {"old_password": "Mật khẩu hiện tại không đúng."})
        except ValidationFailed as refused:
            return _password_page(request, actor, "own", next_path,
                                  {"new_password": _reason(refused)})
        except DomainError as refused:
            return _password_page(request, actor, "own", next_path, error=refused)
        rt.after(saved)
        ended = len((saved.extra or {}).get("tokens_revoked", []))
        return RedirectResponse(f"/password?done=1&ended={ended}&next={quote(next_path)}",
                                status_code=303)

    pending = password_change.pending(request)
    if pending is None:
        return RedirectResponse("/login?next=/password", status_code=303)
    errors = _new_password_errors(form)
    if errors:
        return _password_page(request, None, "forced", next_path, errors,
                              username=pending.username)
    try:
        _, token = await run_in_threadpool(
            rt.app.users.complete_password_change, username=pending.username,
            version=pending.version, new_password=form["new_password"])
    except ValidationFailed as refused:
        return _password_page(request, None, "forced", next_path,
                              {"new_password": _reason(refused)}, username=pending.username)
    except DomainError as refused:
        # the step is no longer valid (her record changed, the account was locked): sign in
        # again, with the password in force now
        stale = isinstance(refused, BadCredentials)
        response = render(request, "login.html", {
            "next": next_path, "error": None if stale else refused,
            "notice": STEP_EXPIRED if stale else "", "username": pending.username},
            401)
        password_change.end(request, response)
        return response
    rt.ensure_position(rt.app.max_position())
    response = RedirectResponse(next_path, status_code=303)
    password_change.end(request, response)
    sessions.start(request, response, token)
    csrf.renew(request, response)
    return response


def _reason(error: DomainError) -> str:
    text = page_message(error).removeprefix("Dữ liệu không hợp lệ: ")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
