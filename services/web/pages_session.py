"""Sign in, sign out, and the home page with the signed-in user's work queues. Sessions
themselves (the signed cookie, expiry, throttling) are ``services.http.sessions``."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import BadCredentials, DomainError
from domain.nomination import DRAFT, RECOMMENDED, RETURNED, UNDER_REVIEW
from domain.users import PasswordChangeRequired
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import retry_headers, status_for
from services.http.sessions import client_address, sessions_of
from services.web import csrf, password_change
from services.web.deps import SignedInDep, revoke_session_token
from services.web.forms import safe_next
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


SESSION_EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", expired: str = ""):
    return render(request, "login.html", {
        "next": safe_next(next),
        "notice": SESSION_EXPIRED if expired else ""})


@router.post("/login")
async def login(request: Request, rt: RuntimeDep):
    """Sign in, throttled per account and per address (``services.http.throttle``): a refusal
    for too many failures is the form again, 429, saying when to retry."""
    form = await request.form()
    target = safe_next(str(form.get("next") or "/"))
    username = str(form.get("username") or "")
    sessions = sessions_of(request.app)
    address = client_address(request)
    try:
        sessions.throttle.check(username, address)
        _, token = await run_in_threadpool(
            rt.app.users.login, username=username, password=str(form.get("password") or ""))
    except PasswordChangeRequired as needed:  # a temporary password: she sets her own first
        sessions.throttle.succeeded(username)
        assert needed.proof is not None
        response = RedirectResponse(f"/password?next={quote(target)}", status_code=303)
        sessions.end(request, response)  # whoever was signed in here before is not any more
        password_change.start(request, response, *needed.proof)
        csrf.renew(request, response)
        return response
    except DomainError as error:
        if isinstance(error, BadCredentials):
            sessions.throttle.failed(username, address)
        context = {"next": target, "error": error, "username": username[:100]}
        response = render(request, "login.html", context, status_for(error))
        response.headers.update(retry_headers(error))
        return response
    sessions.throttle.succeeded(username)
    response = RedirectResponse(target, status_code=303)
    sessions.start(request, response, token)
    csrf.renew(request, response)
    return response


@router.post("/logout")
def logout(request: Request, rt: RuntimeDep):
    """Ends the session server-side: its token is revoked, so the old cookie, even replayed,
    no longer signs in."""
    sessions = sessions_of(request.app)
    session = sessions.state(request).session
    if session is not None:
        revoke_session_token(rt, session.token)
    response = RedirectResponse("/login", status_code=303)
    sessions.end(request, response)
    return response


# (role → [(status, filter field, label)]): one queue per grant and status it works on.
QUEUE_KINDS = {
    "reviewer": [(UNDER_REVIEW, "review_unit_id", "Chờ Hội đồng {unit} xét")],
    "approver": [(RECOMMENDED, "review_unit_id", "Chờ quyết định tại {unit}")],
    "nominator": [(DRAFT, "proposing_unit_id", "Bản nháp của {unit}"),
                  (RETURNED, "proposing_unit_id", "Bị trả lại — {unit}")],
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rt.ensure_position(rt.app.max_position())
    queues = []
    for grant in actor.grants:
        unit_id = str(grant.unit_id)
        unit = rt.queries.unit_names({unit_id}).get(unit_id, "")
        for status, field, label in QUEUE_KINDS.get(grant.role, []):
            found = rt.queries.nominations(status=status, **{field: unit_id})
            href = (f"/decisions/queue?unit_id={unit_id}" if grant.role == "approver"
                    else f"/nominations?status={status}&{field}={unit_id}")
            queues.append({"label": label.format(unit=unit), "count": found["total"],
                           "href": href})
    grants = [
        {"role": g.role, "unit": rt.queries.unit_names({str(g.unit_id)}).get(str(g.unit_id), ""),
         "chair": g.chair}
        for g in actor.grants
    ]
    return render(request, "home.html", {"queues": queues, "grants": grants,
                                         "tasks": tasks(rt, actor),
                                         "links": shortcuts(rt, actor)}, actor=actor)


def tasks(rt: Runtime, actor: Actor) -> list[dict[str, object]]:
    """What each of her roles does most, first: a nominator drafts nominations and tờ trình, a
    council member reviews her council's files, the awards office decides; only what her grants
    allow (administration and dashboards: ``shortcuts``)."""
    out: list[dict[str, object]] = []

    def units(role: str) -> list[str]:
        seen: list[str] = []
        for g in actor.grants:
            if g.role == role and str(g.unit_id) not in seen:
                seen.append(str(g.unit_id))
        return seen

    names = rt.queries.unit_names({str(g.unit_id) for g in actor.grants})
    proposing = units("nominator")
    if proposing:
        links = [{"label": "Lập đề nghị khen thưởng", "href": "/nominations/new"},
                 {"label": "Lập tờ trình", "href": "/submissions/new"}]
        links += [{"label": f"Đề nghị của {names.get(u, '')}", "secondary": True,
                   "href": f"/nominations?{urlencode({'proposing_unit_id': u})}"}
                  for u in proposing]
        out.append({"title": "Đề nghị khen thưởng", "links": links})
    councils = units("reviewer")
    if councils:
        links = [{"label": f"Hồ sơ chờ Hội đồng {names.get(u, '')} xét",
                  "href": "/council?" + urlencode({"unit_id": u})} for u in councils]
        links += [{"label": f"Mọi đề nghị đang xét tại {names.get(u, '')}", "secondary": True,
                   "href": "/nominations?" + urlencode({"status": UNDER_REVIEW,
                                                         "review_unit_id": u})}
                  for u in councils]
        out.append({"title": "Hội đồng Thi đua – Khen thưởng", "links": links})
    if units("approver"):
        out.append({"title": "Văn phòng / Ban Thi đua – Khen thưởng", "links": [
            {"label": "Đề nghị chờ quyết định", "href": "/decisions/queue"},
            {"label": "Lập quyết định", "href": "/decisions/new"},
            {"label": "Ghi nhận quyết định ngoài Hội", "href": "/decisions/outside",
             "secondary": True}]})
    return out


def shortcuts(rt: Runtime, actor: Actor) -> list[dict[str, str]]:
    """The office's and the administrators' way in: each unit's dashboard, administration."""
    offices: list[str] = []
    for grant in actor.grants:
        if grant.role in ("approver", "admin") and str(grant.unit_id) not in offices:
            offices.append(str(grant.unit_id))
    names = rt.queries.unit_names(set(offices))
    links = [{"label": f"Tổng quan — {names.get(u, '')}",
              "href": f"/dashboard?{urlencode({'unit_id': u})}", "kind": "dashboard"}
             for u in offices]
    if actor.units_for("admin"):
        links.append({"label": "Quản trị: đơn vị, người dùng", "href": "/admin",
                      "kind": "admin"})
    return links
