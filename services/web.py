"""Server-rendered pages (Jinja2) for people: sign in, work queues, nominations with their
actions, decisions, ceremonies with the reconciliation of totals, the org tree on any date.

Pages call the same application as the API; a refusal is shown on the page with its Vietnamese
message and the right status code. The session is the API token in an HTTP-only cookie.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.certificates import CertificateBook, book_id
from domain.dates import parse_day
from domain.errors import DomainError, Unauthenticated, ValidationFailed
from domain.money import format_dong
from domain.nomination import AWARD_TYPES, STATUS_LABELS, VOTE_LABELS
from domain.text import nfc
from projections.queries import Page
from projections.registry import RegistryFilter
from services import representations as rep
from services.api.deps import TOKEN_COOKIE, bearer_token
from services.api.errors import STATUS_BY_KIND
from services.app import Runtime
from services.authz import Actor
from services.money_report import OFFICE_ROLES, schedule_differences
from services.privacy import Privacy

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES / "pages"))
templates.env.filters["dong"] = format_dong
# ISO date text → dd/mm/yyyy, as offices write it
templates.env.filters["ngay"] = lambda iso: f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""
templates.env.globals["STATUS_LABELS"] = STATUS_LABELS
templates.env.globals["VOTE_LABELS"] = VOTE_LABELS
templates.env.globals["RECIPIENT_LABELS"] = RECIPIENT_LABELS

router = APIRouter(include_in_schema=False)

_RAW_ID = re.compile(r"\s*«?\b[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\b»?", re.IGNORECASE)


def page_message(error: Any) -> str:
    """What a page says of a refusal: its Vietnamese message, without raw ids ("Không tìm thấy
    đề nghị khen thưởng 3f2a…" → "Không tìm thấy đề nghị khen thưởng."); the machine code and
    the ids stay in the JSON API."""
    return _RAW_ID.sub("", str(getattr(error, "message", error))).strip()


templates.env.filters["page_message"] = page_message


def _rt(request: Request) -> Runtime:
    return request.app.state.runtime


def _actor(request: Request) -> Actor | None:
    token = bearer_token(request)
    if not token:
        return None
    try:
        return _rt(request).app.authenticate(token)
    except Unauthenticated:
        return None


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200,
            actor: Actor | None = None) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"actor": actor, "today": _rt(request).app.today(), **context},
        status_code=status,
    )


def _login_redirect(request: Request) -> RedirectResponse:
    target = quote(str(request.url.path))
    return RedirectResponse(f"/login?next={target}", status_code=303)


def _error_page(request: Request, actor: Actor | None, error: DomainError) -> HTMLResponse:
    return _render(request, "error.html", {"error": error},
                   STATUS_BY_KIND.get(error.kind, 422), actor)


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise ValidationFailed(reason=f"mã «{value}» không hợp lệ") from None


def _date(value: str | None) -> date | None:
    return parse_day(value) if value else None


def _whole(text: str | None, low: int, high: int) -> int | None:
    """A whole number typed in a form, or None: ASCII digits only ("²".isdigit() is true, but
    int("²") fails), within [low, high]."""
    text = (text or "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if low <= value <= high else None


def _year(text: str | None) -> int | None:
    return _whole(text, 1900, 2200)


def _unit_choices(rt: Runtime, actor: Actor, role: str) -> list[dict[str, Any]]:
    """Active units today in the subtrees where the actor holds ``role``."""
    roots = {str(u) for u in actor.units_for(role)}
    if not roots:
        return []
    inside = rt.queries.subtree_ids(roots)
    units = rt.queries.units_on(rt.app.today(), page=Page(limit=500))["items"]
    return [u for u in units if u["id"] in inside]


# -- session ----------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return _render(request, "login.html", {"next": next if next.startswith("/") else "/"})


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    target = str(form.get("next") or "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    try:
        _, token = _rt(request).app.login(
            username=str(form.get("username") or ""), password=str(form.get("password") or "")
        )
    except DomainError as error:
        return _render(request, "login.html", {"next": target, "error": error}, 401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout():
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


# -- pages ------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    queues = []
    # (role, status, filter field, label) — one queue per grant and status it works on.
    queue_kinds = {
        "reviewer": [("under_review", "review_unit_id", "Chờ Hội đồng {unit} xét")],
        "approver": [("recommended", "review_unit_id", "Chờ quyết định tại {unit}")],
        "nominator": [("draft", "proposing_unit_id", "Bản nháp của {unit}"),
                      ("returned", "proposing_unit_id", "Bị trả lại — {unit}")],
    }
    for grant in actor.grants:
        unit_id = str(grant.unit_id)
        unit = rt.queries.unit_names({unit_id}).get(unit_id, "")
        for status, field, label in queue_kinds.get(grant.role, []):
            found = rt.queries.nominations(status=status, **{field: unit_id})
            queues.append({"label": label.format(unit=unit), "count": found["total"],
                           "href": f"/nominations?status={status}&{field}={unit_id}"})
    grants = [
        {"role": g.role, "unit": rt.queries.unit_names({str(g.unit_id)}).get(str(g.unit_id), ""),
         "chair": g.chair}
        for g in actor.grants
    ]
    return _render(request, "home.html", {"queues": queues, "grants": grants}, actor=actor)


@router.get("/nominations", response_class=HTMLResponse)
def nominations_page(request: Request, status: str | None = None, q: str | None = None,
                     review_unit_id: str | None = None, proposing_unit_id: str | None = None,
                     offset: int = 0):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    from services.api.routes_workflow import _scope

    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    result = rt.queries.nominations(
        status=status or None, q=q or None, review_unit_id=review_unit_id or None,
        proposing_unit_id=proposing_unit_id or None, unit_ids=_scope(rt, actor),
        page=Page(limit=50, offset=max(offset, 0)),
    )
    names = rt.queries.unit_names({r["proposing_unit_id"] for r in result["items"]}
                                  | {r["review_unit_id"] for r in result["items"]
                                     if r["review_unit_id"]})
    return _render(request, "nominations.html",
                   {"result": result, "names": names, "status": status or "", "q": q or "",
                    "statuses": STATUS_LABELS}, actor=actor)


@router.get("/nominations/new", response_class=HTMLResponse)
def new_nomination_form(request: Request):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    return _render(request, "nomination_new.html", {
        "units": _unit_choices(rt, actor, "nominator"),
        "kinds": list(catalog().kinds.values()),
        "award_types": AWARD_TYPES,
        "form": {},
    }, actor=actor)


@router.post("/nominations/new")
async def create_nomination(request: Request):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    form = {k: nfc(str(v)) for k, v in (await request.form()).items()}
    try:
        recipient: dict[str, Any] = {"kind": form.get("recipient_kind") or "individual",
                                     "name": form.get("recipient_name") or ""}
        if form.get("recipient_unit_id"):
            key = "org_unit_id" if form.get("recipient_is_unit") else "unit_id"
            recipient[key] = form["recipient_unit_id"]
        for field in ("gender", "position", "citizen_id"):
            if form.get(field):
                recipient[field] = form[field]
        if form.get("birth_year"):
            birth_year = _whole(form["birth_year"], 1900, 2100)
            if birth_year is None:
                raise ValidationFailed(reason="năm sinh phải là số từ 1900 đến 2100")
            recipient["birth_year"] = birth_year
        saved = rt.app.draft_nomination(
            actor, proposing_unit_id=_uuid(form.get("proposing_unit_id", "")),
            data={"recipient": recipient, "award_kind": form.get("award_kind", ""),
                  "award_type": form.get("award_type") or None,
                  "achievement": form.get("achievement", ""), "period": form.get("period", "")},
        )
    except DomainError as error:
        return _render(request, "nomination_new.html", {
            "units": _unit_choices(rt, actor, "nominator"),
            "kinds": list(catalog().kinds.values()), "award_types": AWARD_TYPES,
            "form": form, "error": error,
        }, STATUS_BY_KIND.get(error.kind, 422), actor)
    rt.after(saved)
    return RedirectResponse(f"/nominations/{saved.id}", status_code=303)


@router.get("/nominations/{nomination_id}", response_class=HTMLResponse)
def nomination_page(request: Request, nomination_id: str):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    return _nomination_view(request, actor, nomination_id)


def _nomination_view(request: Request, actor: Actor, nomination_id: str,
                     error: DomainError | None = None) -> HTMLResponse:
    rt = _rt(request)
    from services.api.routes_workflow import _readable

    try:
        nomination = _readable(rt, actor, _uuid(nomination_id))
    except DomainError as exc:
        return _error_page(request, actor, exc)
    view = rep.nomination(nomination)
    ids = {view["proposing_unit_id"], view["review_unit_id"]} - {None}
    names = {i: rt.app.unit_state(UUID(i)).name for i in ids}
    review_unit = nomination.review_unit_id
    context = {
        "n": view,
        "names": names,
        "history": rep.history(rt.app.history(nomination.id)),
        "can_nominate": rt.app.authz.covers(actor, nomination.proposing_unit_id, "nominator"),
        "on_council": review_unit is not None and any(
            g.role == "reviewer" and g.unit_id == review_unit for g in actor.grants),
        "is_chair": review_unit is not None and any(
            g.role == "reviewer" and g.chair and g.unit_id == review_unit for g in actor.grants),
        "error": error,
    }
    status = STATUS_BY_KIND.get(error.kind, 422) if error else 200
    return _render(request, "nomination.html", context, status, actor=actor)


@router.post("/nominations/{nomination_id}/{action}")
async def nomination_action(request: Request, nomination_id: str, action: str):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    form = {k: nfc(str(v)) for k, v in (await request.form()).items()}
    try:
        nid = _uuid(nomination_id)
        version = _whole(form.get("version"), 0, 10**9)
        if action == "submit":
            saved = rt.app.submit_nomination(actor, nid, version)
        elif action == "withdraw":
            saved = rt.app.withdraw_nomination(actor, nid, form.get("reason", ""), version)
        elif action == "vote":
            score = form.get("score", "")
            saved = rt.app.cast_vote(actor, nid, vote=form.get("vote", ""),
                                     comment=form.get("comment", ""),
                                     score=_whole(score, 0, 1000))
        elif action == "recuse":
            saved = rt.app.recuse(actor, nid, reason=form.get("reason", ""))
        elif action == "close":
            saved = rt.app.close_review(actor, nid, outcome=form.get("outcome", ""),
                                        reason=form.get("reason", ""), expected_version=version)
        else:
            return _error_page(request, actor, ValidationFailed(reason="thao tác không hợp lệ"))
    except DomainError as error:
        return _nomination_view(request, actor, nomination_id, error)
    rt.after(saved)
    return RedirectResponse(f"/nominations/{nomination_id}", status_code=303)


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, year: str | None = None, q: str | None = None,
                   offset: int = 0):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    year_value = _year(year)
    result = rt.queries.decisions(year=year_value, q=q or None,
                                  page=Page(limit=50, offset=max(offset, 0)))
    return _render(request, "decisions.html", {"result": result, "year": year or "",
                                               "q": q or ""}, actor=actor)


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision_page(request: Request, decision_id: str):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    try:
        decision = rt.app.decision(_uuid(decision_id))
    except DomainError as error:
        return _error_page(request, actor, error)
    shown = Privacy(rt, actor).scrub(
        rep.decision(decision),
        units=[decision.issuer.get("unit_id"), decision.recorded_by_unit_id])
    return _render(request, "decision.html", {"d": shown}, actor=actor)


@router.get("/ceremonies", response_class=HTMLResponse)
def ceremonies_page(request: Request):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    result = rt.queries.ceremonies(page=Page(limit=100))
    return _render(request, "ceremonies.html", {"result": result}, actor=actor)


@router.get("/ceremonies/{ceremony_id}", response_class=HTMLResponse)
def ceremony_page(request: Request, ceremony_id: str):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    try:
        ceremony = rt.app.ceremony(_uuid(ceremony_id))
    except DomainError as error:
        return _error_page(request, actor, error)
    decisions = [rt.app.decision(d) for d in ceremony.decision_ids]
    host = rt.app.unit_state(ceremony.host_unit_id, ceremony.held_on).name
    return _render(request, "ceremony.html",
                   {"c": rep.ceremony(ceremony, decisions), "host": host}, actor=actor)


@router.get("/org", response_class=HTMLResponse)
def org_page(request: Request, as_of: str | None = None):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    try:
        on = _date(as_of) or rt.app.today()
    except DomainError as error:
        return _error_page(request, actor, error)
    rt.ensure_position(rt.app.max_position())
    return _render(request, "org.html", {"tree": rt.queries.tree_on(on), "on": on},
                   actor=actor)


REGISTRY_GROUPINGS = [
    ("issuer", "Cơ quan ban hành"), ("year", "Năm"), ("award_kind", "Hình thức khen thưởng"),
    ("decision", "Quyết định"), ("ceremony", "Buổi trao thưởng"), ("funding", "Nguồn chi"),
    ("amount_source", "Căn cứ số tiền"),
]


@router.get("/registry", response_class=HTMLResponse)
def registry_page(request: Request, q: str = "", year: str = "", as_of: str = "",
                  group_by: str = "issuer", offset: int = 0):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    form = {"q": q, "year": year, "as_of": as_of, "group_by": group_by}
    error, totals, lines = None, None, None
    try:
        day = _date(as_of)
        year_value = _year(year)
        if year.strip() and year_value is None:
            raise ValidationFailed(reason="năm không hợp lệ")
        f = RegistryFilter(q=nfc(q) or None, year=year_value, as_of=day)
        chosen = group_by if group_by in dict(REGISTRY_GROUPINGS) else "issuer"
        totals = rt.registry.totals(f, chosen)
        lines = rt.registry.lines(f, Page(limit=100, offset=max(offset, 0)))
    except DomainError as err:
        error = err
    query = "&".join(f"{k}={quote(v)}" for k, v in (("q", q), ("year", year), ("as_of", as_of))
                     if v)
    return _render(request, "registry.html",
                   {"form": form, "totals": totals, "lines": lines, "error": error,
                    "groupings": REGISTRY_GROUPINGS, "query": query},
                   422 if error else 200, actor)


@router.get("/calculator", response_class=HTMLResponse)
def calculator_page(request: Request, award_kind: str = "", recipient_kind: str = "individual",
                    on: str = "", issuer_unit_id: str = "", issuer_level: str = ""):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    today = rt.app.today()
    form = {"award_kind": award_kind, "recipient_kind": recipient_kind,
            "on": on or today.isoformat(), "issuer_unit_id": issuer_unit_id,
            "issuer_level": issuer_level}
    answer, error = None, None
    if award_kind:
        try:
            day = _date(on) or today
            if issuer_unit_id:
                issuer = {"unit_id": str(_uuid(issuer_unit_id))}
            else:
                issuer = {"body": "government", "level": issuer_level,
                          "name": f"Cơ quan nhà nước cấp {issuer_level}"}
            found, resolved = rt.app.calculate(award_kind=award_kind,
                                               recipient_kind=recipient_kind,
                                               issuer=issuer, on=day)
            answer = rep.quote(found, resolved, day, award_kind, recipient_kind)
        except DomainError as err:
            error = err
    units = [{"id": u["id"], "name": u["name"]}
             for u in rt.queries.units_on(today)["items"]]
    context = {
        "form": form, "quote": answer, "error": error, "units": units,
        "kinds": list(catalog().kinds.values()),
        "recipient_kinds": list(RECIPIENT_LABELS.items()),
        "levels": [(lvl.code, lvl.name) for lvl in catalog().levels.values()],
        "schedules": rep.schedules(rt.app.money_schedules()),
        "office": any(actor.units_for(role) for role in OFFICE_ROLES),
    }
    return _render(request, "calculator.html", context, 422 if error else 200, actor)


@router.get("/schedules/differences", response_class=HTMLResponse)
def schedule_differences_page(request: Request, year: str = "", offset: int = 0):
    """The awards office's list of computed lines that the schedules known now compute
    otherwise (e.g. decided before a new base salary was recorded): to correct by a new
    decision; nothing here changes a recorded amount."""
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    rt.ensure_position(rt.app.max_position())
    year_value = _year(year)
    try:
        report = schedule_differences(rt, actor, year=year_value, limit=100,
                                      offset=max(offset, 0))
    except DomainError as error:
        return _error_page(request, actor, error)
    return _render(request, "schedule_differences.html",
                   {"report": report, "year": year_value or ""}, actor=actor)


@router.get("/verify/{token}", response_class=HTMLResponse)
def verify_page(request: Request, token: str):
    """Public: anyone holding a certificate can check it (no login)."""
    rt = _rt(request)
    found = rt.app.verification(token[:64])
    return _render(request, "verify.html", {"found": found}, 200 if found else 404,
                   _actor(request))


@router.get("/certificates/preview", response_class=HTMLResponse)
def certificate_preview(request: Request, decision_id: str, line_no: int = 1):
    actor = _actor(request)
    if actor is None:
        return _login_redirect(request)
    rt = _rt(request)
    try:
        decision = rt.app.decision(_uuid(decision_id))
        line = decision.line(line_no)
    except DomainError as error:
        return _error_page(request, actor, error)
    entry = None
    book = rt.app.load_or_none(CertificateBook, book_id(decision.issuer_obj.key,
                                                        decision.decided_on.year))
    if book is not None:
        entry = book.entry(decision.id, line_no)
    context = rt.app.certificate_context(decision, line, entry,
                                         verify_base=rt.settings.link_base(str(request.base_url)))
    return _render(request, "certificate.html", {"c": context}, actor=actor)


def not_found_page(request: Request) -> Response:
    return _render(request, "error.html", {"error": None}, 404, _actor(request))
