"""Title registrations (đăng ký danh hiệu thi đua) in the pages (issue 19); the list is on
``/emulation`` (``pages_emulation``).

* ``/emulation/registrations/new``: a unit's nominator or office opens its registration of a
  year (the one already open is shown as it is);
* ``/emulation/registrations/{id}``: the entries with their findings (warnings and refusals
  with their source, «chưa được xác minh» where the rule is not verified; at the end of the
  year, the prerequisites checked again against today's history), personal data as the read
  policy allows (``services.read_policy.Privacy``, as the API); add an entry (a refused one
  comes back with the findings and asks for a reason to register anyway), withdraw one
  (``…/entries/{n}/withdraw``), close the registration (``…/close``), «Lập đề nghị»
  (``…/nominate``: draft nominations, once) — each irreversible act behind a confirmation page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.emulation.registration import CLOSED as REGISTRATION_CLOSED
from domain.emulation.registration import OPEN as REGISTRATION_OPEN
from domain.emulation.registration import TITLE_GROUP, TitleRegistration
from domain.errors import DomainError, NotFound
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.common import KEEPERS, require
from services.http.deps import RuntimeDep
from services.read_policy import Privacy
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    FORM,
    day_on,
    office,
    page_id,
    posted,
    recorded,
    refused,
    require_role_anywhere,
    units_where,
)
from services.web.forms import dmy
from services.web.routing import page_router
from services.web.templating import render

router = page_router()
REGISTRATION = "/emulation/registrations/{registration_id}"
GENDERS = {"female": "Nữ", "male": "Nam"}


def _titles(rt: Runtime) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(code, kind.title, kind.recipients) for code, kind in catalog().kinds_on(
        rt.app.today()).items() if kind.group == TITLE_GROUP]


@router.get("/emulation/registrations/new", response_class=HTMLResponse)
def new_registration_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_role_anywhere(actor, KEEPERS)
    units = units_where(rt, actor, KEEPERS)
    return render(request, "emulation_registration_new.html", {
        "form": {"unit_id": units[0]["id"] if len(units) == 1 else "",
                 "year": str(rt.app.today().year)},
        "errors": {}, "units": units}, actor=actor)


@router.post("/emulation/registrations/new")
async def open_registration(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_role_anywhere(actor, KEEPERS)
    form = await posted(request)
    errors: dict[str, str] = {}
    if not form.get("unit_id"):
        errors["unit_id"] = "Chọn đơn vị đăng ký"
    year_text = str(form.get("year") or "").strip()
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        errors["year"] = "Năm gồm 4 chữ số, ví dụ 2025"
    if not errors:
        try:
            saved = rt.app.emulation.registrations.open(actor, unit_id=form["unit_id"],
                                                        year=int(year_text))
            return recorded(rt, saved, f"/emulation/registrations/{saved.id}")
        except DomainError as error:
            status = refused(error, errors)
    else:
        status = 422
    return render(request, "emulation_registration_new.html", {
        "form": form, "errors": errors, "units": units_where(rt, actor, KEEPERS)}, status, actor)


REGISTRATION_DONE = {"added": "Đã thêm dòng đăng ký {n}.", "withdrawn": "Đã rút dòng {n}.",
                     "closed": "Đã khóa bản đăng ký.",
                     "nominated": "Đã lập {n} đề nghị khen thưởng (bản nháp) từ bản đăng ký."}


def _registration_context(rt: Runtime, actor: Actor, registration_id: str
                          ) -> dict[str, Any]:
    registrations = rt.app.emulation.registrations
    found = registrations.readable(actor, page_id(registration_id, "bản đăng ký thi đua"))
    name = rt.queries.unit_names({str(found.unit_id)}).get(str(found.unit_id), "—")
    shown = Privacy(rt, actor).scrub(present.title_registration(found, name))
    keeper = office(rt, actor, [found.unit_id], KEEPERS)
    for entry in shown["entries"]:
        entry["kind_label"] = RECIPIENT_LABELS.get(entry["recipient"]["kind"], "")
        entry["now"] = []
        if (found.status == REGISTRATION_CLOSED and not entry["withdrawn"]
                and not entry.get("nomination_id")):
            entry["now"] = registrations.findings(found, entry["entry_no"])
    return {"found": found, "r": shown, "keeper": keeper,
            "open": found.status == REGISTRATION_OPEN,
            "waiting": [e for e in shown["entries"] if not e["withdrawn"]
                        and not e.get("nomination_id")],
            "base": f"/emulation/registrations/{found.id}"}


def _registration_page(request: Request, rt: Runtime, actor: Actor, registration_id: str, *,
                       form: FORM | None = None, errors: dict[str, str] | None = None,
                       findings: list[dict[str, Any]] | None = None, status: int = 200,
                       notice: str | None = None) -> HTMLResponse:
    context = _registration_context(rt, actor, registration_id)
    return render(request, "emulation_registration.html", {
        **context, "form": form or {"kind": "individual"}, "errors": errors or {},
        "findings": findings or [], "titles": _titles(rt), "genders": GENDERS,
        "recipient_kinds": [(k, RECIPIENT_LABELS[k]) for k in ("individual", "collective",
                                                                "household")],
        "notice": notice}, status, actor)


@router.get(REGISTRATION, response_class=HTMLResponse)
def registration_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                      registration_id: str, done: str = "", n: str = ""):
    notice = REGISTRATION_DONE.get(done[:20], "").format(n=n[:6]) or None
    return _registration_page(request, rt, actor, registration_id, notice=notice)


def _kept(rt: Runtime, actor: Actor, registration_id: str) -> TitleRegistration:
    found = rt.app.emulation.registrations.readable(
        actor, page_id(registration_id, "bản đăng ký thi đua"))
    require(rt.app.authz, actor, [found.unit_id], KEEPERS)
    return found


@router.post(REGISTRATION + "/entries")
async def add_entry(request: Request, rt: RuntimeDep, actor: SignedInDep,
                    registration_id: str):
    found = _kept(rt, actor, registration_id)
    form = await posted(request)
    errors: dict[str, str] = {}
    kind = form.get("kind")
    if kind not in ("individual", "collective", "household"):
        errors["kind-individual"] = "Chọn cá nhân, tập thể hoặc hộ gia đình"
    if len(str(form.get("name") or "").strip()) < 2:
        errors["name"] = "Cần họ tên hoặc tên tập thể"
    if not form.get("award_kind"):
        errors["award_kind"] = "Chọn danh hiệu đăng ký"
    birth_year = str(form.get("birth_year") or "").strip()
    if birth_year and not (birth_year.isascii() and birth_year.isdigit()
                           and len(birth_year) == 4):
        errors["birth_year"] = "Năm sinh gồm 4 chữ số, ví dụ 1982"
    if errors:
        return _registration_page(request, rt, actor, registration_id, form=form,
                                  errors=errors, status=422)
    recipient: dict[str, Any] = {"kind": kind, "name": form["name"].strip()}
    if kind == "individual":
        if birth_year:
            recipient["birth_year"] = int(birth_year)
        if form.get("gender") in GENDERS:
            recipient["gender"] = form["gender"]
    if str(form.get("position") or "").strip():
        recipient["position"] = form["position"].strip()
    try:
        saved = rt.app.emulation.registrations.add_entry(
            actor, found.id, recipient=recipient, award_kind=form["award_kind"],
            override_reason=str(form.get("override_reason") or ""))
    except DomainError as error:
        status = refused(error, errors)
        findings = list(error.details.get("findings") or [])
        if findings:
            errors["override_reason"] = ("Chưa thấy đủ điều kiện trong hệ thống: nếu hồ sơ có "
                                         "thành tích chưa ghi, hãy ghi lý do để vẫn đăng ký")
        return _registration_page(request, rt, actor, registration_id, form=form,
                                  errors=errors, findings=findings, status=status)
    entry = (saved.extra or {}).get("entry_no", "")
    return recorded(rt, saved, f"/emulation/registrations/{found.id}?done=added&n={entry}")


ACTIONS = ("close", "nominate")


def _action_page(request: Request, rt: Runtime, actor: Actor, registration_id: str,
                 action: str, form: FORM, errors: dict[str, str] | None = None,
                 status: int = 200, entry: dict[str, Any] | None = None) -> HTMLResponse:
    context = _registration_context(rt, actor, registration_id)
    return render(request, "emulation_registration_action.html", {
        **context, "action": action, "form": form, "errors": errors or {}, "entry": entry,
        "today_text": dmy(rt.app.today())}, status, actor)


def _entry(context: dict[str, Any], entry_no: str) -> dict[str, Any]:
    for entry in context["r"]["entries"]:
        if str(entry["entry_no"]) == entry_no and not entry["withdrawn"]:
            return entry
    raise NotFound(what=f"dòng đăng ký số {entry_no[:6]}")


@router.get(REGISTRATION + "/entries/{entry_no}/withdraw", response_class=HTMLResponse)
def withdraw_page(request: Request, rt: RuntimeDep, actor: SignedInDep, registration_id: str,
                  entry_no: str):
    _kept(rt, actor, registration_id)
    context = _registration_context(rt, actor, registration_id)
    return _action_page(request, rt, actor, registration_id, "withdraw", {"reason": ""},
                        entry=_entry(context, entry_no))


@router.post(REGISTRATION + "/entries/{entry_no}/withdraw")
async def withdraw(request: Request, rt: RuntimeDep, actor: SignedInDep, registration_id: str,
                   entry_no: str):
    found = _kept(rt, actor, registration_id)
    entry = _entry(_registration_context(rt, actor, registration_id), entry_no)
    form = await posted(request)
    errors: dict[str, str] = {}
    if not str(form.get("reason") or "").strip():
        errors["reason"] = "Cần ghi lý do rút đăng ký"
    else:
        try:
            saved = rt.app.emulation.registrations.withdraw(
                actor, found.id, entry["entry_no"], form["reason"])
            query = urlencode({"done": "withdrawn", "n": entry["entry_no"]})
            return recorded(rt, saved, f"/emulation/registrations/{found.id}?{query}")
        except DomainError as error:
            refused(error, errors, "reason")
    return _action_page(request, rt, actor, registration_id, "withdraw", form, errors, 422,
                        entry)


@router.get(REGISTRATION + "/{action}", response_class=HTMLResponse)
def registration_action_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                             registration_id: str, action: str):
    if action not in ACTIONS:
        raise NotFound(what="trang này")
    _kept(rt, actor, registration_id)
    return _action_page(request, rt, actor, registration_id, action,
                        {"on": dmy(rt.app.today())})


@router.post(REGISTRATION + "/{action}")
async def registration_action(request: Request, rt: RuntimeDep, actor: SignedInDep,
                              registration_id: str, action: str):
    if action not in ACTIONS:
        raise NotFound(what="trang này")
    found = _kept(rt, actor, registration_id)
    form = await posted(request)
    errors: dict[str, str] = {}
    registrations = rt.app.emulation.registrations
    status = 422
    if action == "close":
        on = day_on(form, errors, "ngày khóa")
        if not errors:
            try:
                saved = registrations.close(actor, found.id, on)
                return recorded(rt, saved, f"/emulation/registrations/{found.id}?done=closed")
            except DomainError as error:
                status = refused(error, errors)
    else:
        try:
            saved = registrations.nominate(actor, found.id)
            created = len((saved.extra or {}).get("created") or [])
            query = urlencode({"done": "nominated", "n": created})
            return recorded(rt, saved, f"/emulation/registrations/{found.id}?{query}")
        except DomainError as error:
            status = refused(error, errors)
    return _action_page(request, rt, actor, registration_id, action, form, errors, status)


__all__ = ["router"]
