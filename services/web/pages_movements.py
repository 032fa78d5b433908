"""Movements (phong trào thi đua) in the pages (issue 19); the list is on ``/emulation``
(``pages_emulation``), what they share with the clusters in ``emulation_forms``.

* ``/emulation/movements/new``: an office launches a movement for its unit — title, a year or
  two dates, indicators (a few rows; blank ones are left out), the participating units, whether
  they may set their own targets;
* ``/emulation/movements/{id}``: participants × indicators with each cell's evaluation and each
  column's count; a participant's office registers (its own targets, a pledge); the launching
  unit's office closes the movement (``…/close``, a confirmation first);
* ``/emulation/movements/{id}/units/{unit_id}``: a participant's results — the same page and
  handlers as a cluster member's report: its office reports, the launcher's confirms or
  corrects; own targets (``…/targets``) where the movement allows; evidence files sent with the
  report form and downloaded by the movement's readers (``…/evidence/{ref}``).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from domain.emulation.indicators import APPLIES, MEASURE_LABELS, MEASURES, PERCENT, YES_NO
from domain.emulation.movement import ACTIVE, Movement
from domain.errors import DomainError, NotFound
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.common import OFFICE, require
from services.emulation.evidence import Evidence
from services.http.deps import RuntimeDep
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    FORM,
    ResultLogPage,
    checked,
    confirm_page,
    correct_page,
    day_on,
    histories,
    notice_of,
    office,
    page_id,
    post_confirm,
    post_correct,
    post_report,
    posted,
    recorded,
    refused,
    require_role_anywhere,
    show,
    units_where,
)
from services.web.forms import day_typed, dmy
from services.web.pages_attachments import UploadPageRoute
from services.web.routing import page_router
from services.web.templating import render

router = page_router()
uploads = APIRouter(route_class=UploadPageRoute, include_in_schema=False)  # multipart forms
MOVEMENT = "/emulation/movements/{movement_id}"
PARTICIPANT = MOVEMENT + "/units/{unit_id}"
INDICATOR_ROWS = 5


# -- launching a movement -----------------------------------------------------------------------


def _launch_page(request: Request, rt: Runtime, actor: Actor, form: FORM,
                 errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    form.setdefault("participants", [])
    return render(request, "emulation_movement_new.html", {
        "form": form, "errors": errors or {}, "units": units_where(rt, actor, OFFICE),
        "rows": range(1, INDICATOR_ROWS + 1), "measures": [(m, MEASURE_LABELS[m])
                                                          for m in MEASURES]},
        status, actor)


@router.get("/emulation/movements/new", response_class=HTMLResponse)
def launch_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_role_anywhere(actor, OFFICE)
    units = units_where(rt, actor, OFFICE)
    return _launch_page(request, rt, actor, {
        "unit_id": units[0]["id"] if len(units) == 1 else "", "year": str(rt.app.today().year),
        "ind-1-code": "1", "ind-1-measure": "number"})


MAX_INDICATOR_ROWS = 100  # the API's bound on a movement's indicators
_ROW_TEXT = re.compile(r"^ind-(\d{1,3})-text$")


def indicator_rows(form: FORM) -> int:
    """How many indicator rows the form was drawn with (at least ``INDICATOR_ROWS``)."""
    numbers = [int(m.group(1)) for key in form if (m := _ROW_TEXT.match(str(key)))]
    return min(max([INDICATOR_ROWS, *numbers]), MAX_INDICATOR_ROWS)


def indicators_typed(form: FORM, errors: dict[str, str]) -> list[dict[str, Any]]:
    """The indicator rows with a text; blank rows are left out."""
    out = []
    for i in range(1, indicator_rows(form) + 1):
        text = str(form.get(f"ind-{i}-text") or "").strip()
        if not text:
            continue
        measure = form.get(f"ind-{i}-measure") or "number"
        if measure not in MEASURES:
            measure = "number"
        target = str(form.get(f"ind-{i}-target") or "").strip().replace(" ", "")
        if measure == PERCENT:
            target = target.removesuffix("%")
        if measure == YES_NO:
            target = target or "yes"
        elif not target:
            errors[f"ind-{i}-target"] = f"Dòng {i}: cần mức chỉ tiêu, ví dụ 10 hoặc 80"
        out.append({"code": str(form.get(f"ind-{i}-code") or "").strip() or str(i),
                    "text": text, "measure": measure, "target": target or None,
                    "unit": str(form.get(f"ind-{i}-unit") or "").strip(),
                    "applies": APPLIES[1] if checked(form.get(f"ind-{i}-when_cases"))
                    else APPLIES[0],
                    "summable": measure == "number" and checked(form.get(f"ind-{i}-summable"))})
    if not out:
        errors["ind-1-text"] = "Cần ít nhất một chỉ tiêu: ghi nội dung ở dòng 1"
    return out


@router.post("/emulation/movements/new")
async def launch(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_role_anywhere(actor, OFFICE)
    form = await posted(request)
    form.setdefault("participants", [])
    errors: dict[str, str] = {}
    if not form.get("unit_id"):
        errors["unit_id"] = "Chọn đơn vị phát động"
    if len(str(form.get("title") or "").strip()) < 2:
        errors["title"] = "Cần ghi tên phong trào"
    year = starts = ends = None
    year_text = str(form.get("year") or "").strip()
    if year_text:
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            errors["year"] = "Năm gồm 4 chữ số, ví dụ 2025; hoặc để trống và ghi hai ngày"
        else:
            year = int(year_text)
    else:
        for key, what in (("starts_on", "ngày bắt đầu"), ("ends_on", "ngày kết thúc")):
            try:
                value = day_typed(form.get(key), what)
            except DomainError as error:
                refused(error, errors, key)
                continue
            if value is None:
                errors[key] = f"Cần {what} (dd/mm/yyyy), hoặc ghi năm"
            elif key == "starts_on":
                starts = value
            else:
                ends = value
    indicators = indicators_typed(form, errors)
    if errors:
        return _launch_page(request, rt, actor, form, errors, 422)
    try:
        saved = rt.app.emulation.movements.launch(
            actor, unit_id=form["unit_id"], title=form["title"].strip(),
            indicators=indicators, participant_ids=form["participants"],
            own_targets_allowed=checked(form.get("own_targets")), year=year,
            starts_on=starts, ends_on=ends)
    except DomainError as error:
        status = refused(error, errors)
        return _launch_page(request, rt, actor, form, errors, status)
    return recorded(rt, saved, f"/emulation/movements/{saved.id}?done=launched")


# -- a movement ---------------------------------------------------------------------------------


MOVEMENT_DONE = {"launched": "Đã phát động phong trào. Các đơn vị tham gia đăng ký rồi báo cáo "
                             "kết quả.",
                 "registered": "Đã ghi đăng ký tham gia của đơn vị.",
                 "closed": "Phong trào đã kết thúc: không nhận đăng ký, báo cáo mới."}


def _movement_context(rt: Runtime, actor: Actor, movement_id: str) -> dict[str, Any]:
    movements = rt.app.emulation.movements
    movement, grid, registrations, names = movements.board(
        actor, page_id(movement_id, "phong trào thi đua"))
    board = present.movement_board(movement, grid, registrations, names)
    launcher = rt.queries.unit_names({str(movement.unit_id)}).get(str(movement.unit_id), "—")
    shown = present.movement(movement, names, lambda u: launcher,
                             [r.unit_id for r in registrations])
    registered = {str(r.unit_id) for r in registrations}
    active = movement.status == ACTIVE
    joinable = [p for p in shown["participants"] if p["unit_id"] not in registered
                and office(rt, actor, [UUID(p["unit_id"])])] if active else []
    counts = {c["code"]: c["count"] for c in board["indicators"]}
    return {"movement": movement, "m": shown, "b": board, "counts": counts,
            "launcher": launcher, "joinable": joinable,
            "may_close": active and office(rt, actor, [movement.unit_id]),
            "base": f"/emulation/movements/{movement.id}"}


def _movement_page(request: Request, rt: Runtime, actor: Actor, movement_id: str, *,
                   errors: dict[str, str] | None = None, form: FORM | None = None,
                   status: int = 200, notice: str | None = None) -> HTMLResponse:
    context = _movement_context(rt, actor, movement_id)
    return render(request, "emulation_movement.html", {
        **context, "errors": errors or {}, "form": form or {}, "notice": notice},
        status, actor)


def targets_of(movement: Movement) -> set[str]:
    """The indicators a participant may set its own target for (numbers, percentages)."""
    return {i.code for i in movement.indicators if i.measure != YES_NO}


@router.get(MOVEMENT, response_class=HTMLResponse)
def movement_page(request: Request, rt: RuntimeDep, actor: SignedInDep, movement_id: str,
                  done: str = ""):
    return _movement_page(request, rt, actor, movement_id,
                          notice=MOVEMENT_DONE.get(done[:20]))


def _targets_typed(movement: Movement, form: FORM) -> dict[str, str]:
    """Own targets typed (blank: the movement's)."""
    out = {}
    for item in movement.indicators:
        if item.measure == YES_NO:
            continue
        typed = str(form.get(f"target-{item.code}") or "").strip().replace(" ", "")
        if typed:
            out[item.code] = typed.removesuffix("%")
    return out


@router.post(MOVEMENT + "/register")
async def register(request: Request, rt: RuntimeDep, actor: SignedInDep, movement_id: str):
    movements = rt.app.emulation.movements
    movement = movements.readable(actor, page_id(movement_id, "phong trào thi đua"))
    form = await posted(request)
    unit_text = str(form.get("unit_id") or "")
    try:
        unit = UUID(unit_text)
    except ValueError:
        unit = None
    if unit is None or not movement.is_participant(unit):
        if any(office(rt, actor, [u]) for u in movement.participant_ids):
            return _movement_page(request, rt, actor, movement_id, form=form, status=422,
                                  errors={"unit_id": "Chọn đơn vị đăng ký tham gia"})
        raise NotFound(what="đơn vị tham gia phong trào")
    require(rt.app.authz, actor, [unit])
    targets = _targets_typed(movement, form) if movement.own_targets_allowed else None
    errors: dict[str, str] = {}
    try:
        saved = movements.register(actor, movement.id, unit_id=unit, targets=targets or None,
                                   pledge=str(form.get("pledge") or ""))
    except DomainError as error:  # an own target refused: at its field
        code = error.details.get("indicator_code") if type(error).__name__ == \
            "OwnTargetInvalid" else None
        status = refused(error, errors, f"target-{code}" if code in targets_of(movement)
                         else "_")
        return _movement_page(request, rt, actor, movement_id, errors=errors, form=form,
                              status=status)
    return recorded(rt, saved, f"/emulation/movements/{movement.id}?done=registered")


@router.get(MOVEMENT + "/close", response_class=HTMLResponse)
def close_movement_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        movement_id: str):
    context = _movement_context(rt, actor, movement_id)
    require(rt.app.authz, actor, [context["movement"].unit_id])
    return render(request, "emulation_movement_close.html", {
        **context, "form": {"on": dmy(rt.app.today())}, "errors": {},
        "today_text": dmy(rt.app.today())}, actor=actor)


@router.post(MOVEMENT + "/close")
async def close_movement(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         movement_id: str):
    context = _movement_context(rt, actor, movement_id)
    movement = context["movement"]
    require(rt.app.authz, actor, [movement.unit_id])
    form = await posted(request)
    errors: dict[str, str] = {}
    on = day_on(form, errors, "ngày kết thúc")
    if not errors:
        try:
            saved = rt.app.emulation.movements.close(actor, movement.id, on)
            return recorded(rt, saved, f"/emulation/movements/{movement.id}?done=closed")
        except DomainError as error:
            status = refused(error, errors)
    else:
        status = 422
    return render(request, "emulation_movement_close.html", {
        **context, "form": form, "errors": errors, "today_text": dmy(rt.app.today())},
        status, actor)


# -- a participant's results (the same page as a cluster member's report) ----------------------


def _participant_log(rt: Runtime, actor: Actor, movement_id: str, unit_text: str
                     ) -> ResultLogPage:
    movements = rt.app.emulation.movements
    movement = movements.readable(actor, page_id(movement_id, "phong trào thi đua"))
    unit_id = page_id(unit_text, "đơn vị tham gia")
    if not movement.is_participant(unit_id):
        raise NotFound(what="đơn vị này trong phong trào")
    registration = movements.registration(movement, unit_id)
    name = movements.names(movement)[unit_id]
    shown = present.movement_registration(registration, movement, name)
    launcher = rt.queries.unit_names({str(movement.unit_id)}).get(str(movement.unit_id), "—")
    base = f"/emulation/movements/{movement.id}"
    active = movement.status == ACTIVE
    indicators = {i.code: registration.indicator_for(movement, i.code)
                  for i in movement.indicators}
    targets = None
    if movement.own_targets_allowed:
        targets = {"items": [{"code": i.code, "text": i.text, "movement": i.target_text,
                              "own": shown["targets"].get(i.code, {}).get("target_text"),
                              "typed": shown["targets"].get(i.code, {}).get("target", ""),
                              "reported": i.code in registration.results}
                             for i in movement.indicators if i.measure != YES_NO],
                   "may_set": active and office(rt, actor, [unit_id])}
    return ResultLogPage(
        heading=f"Kết quả của {name}",
        crumbs=[("/emulation", "Thi đua"), (base, movement.title)],
        base=f"{base}/units/{unit_id}", unit_id=unit_id, unit_name=name,
        indicators=indicators, results=shown["results"],
        history=histories(rt.app.history(registration.id),
                          lambda code: registration.indicator_for(movement, code)),
        reporter_units=[unit_id], lead_units=[movement.unit_id],
        lead_label="đơn vị phát động", accepting=active,
        closed_note=f"Phong trào đã kết thúc ngày {dmy(movement.closed_on)}: không báo cáo, "
                    "xác nhận hay điều chỉnh được nữa.",
        report=lambda code, given: movements.report(actor, movement.id, unit_id, code,
                                                    **given),
        confirm=lambda code: movements.confirm(actor, movement.id, unit_id, code),
        correct=lambda code, reason, given: movements.correct(
            actor, movement.id, unit_id, code, reason=reason, **given),
        place=lambda: Evidence(rt).in_movement(actor, movement.id, unit_id),
        extra={"facts": [("Phong trào", movement.title), ("Đơn vị phát động", launcher),
                         ("Thời gian", movement.period_text),
                         ("Trạng thái", movement.status_label),
                         ("Nội dung đăng ký", shown["pledge"] or "—")],
               "targets": targets, "movement": movement})


@router.get(PARTICIPANT, response_class=HTMLResponse)
def participant_page(request: Request, rt: RuntimeDep, actor: SignedInDep, movement_id: str,
                     unit_id: str, done: str = "", code: str = ""):
    log = _participant_log(rt, actor, movement_id, unit_id)
    return show(request, rt, actor, log, notice=notice_of(done, code))


@uploads.post(PARTICIPANT + "/results/{code}")
async def report_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        movement_id: str, unit_id: str, code: str):
    return await post_report(request, rt, actor,
                             _participant_log(rt, actor, movement_id, unit_id), code)


@router.get(PARTICIPANT + "/evidence/{ref}")
def participant_evidence(rt: RuntimeDep, actor: SignedInDep, movement_id: str, unit_id: str,
                         ref: str):
    """An evidence file of one of the participant's results (any version), for its readers."""
    evidence = Evidence(rt)
    place = evidence.in_movement(actor, page_id(movement_id, "phong trào thi đua"),
                                 page_id(unit_id, "đơn vị tham gia"))
    return evidence.download(actor, place, ref)


@router.get(PARTICIPANT + "/results/{code}/confirm", response_class=HTMLResponse)
def confirm_result_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        movement_id: str, unit_id: str, code: str):
    return confirm_page(request, rt, actor, _participant_log(rt, actor, movement_id, unit_id),
                        code)


@router.post(PARTICIPANT + "/results/{code}/confirm")
async def confirm_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         movement_id: str, unit_id: str, code: str):
    return await post_confirm(request, rt, actor,
                              _participant_log(rt, actor, movement_id, unit_id), code)


@router.get(PARTICIPANT + "/results/{code}/correct", response_class=HTMLResponse)
def correct_result_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        movement_id: str, unit_id: str, code: str):
    return correct_page(request, rt, actor, _participant_log(rt, actor, movement_id, unit_id),
                        code)


@router.post(PARTICIPANT + "/results/{code}/correct/check", response_class=HTMLResponse)
async def correct_result_check(request: Request, rt: RuntimeDep, actor: SignedInDep,
                               movement_id: str, unit_id: str, code: str):
    return await post_correct(request, rt, actor,
                              _participant_log(rt, actor, movement_id, unit_id), code,
                              record=False)


@router.post(PARTICIPANT + "/results/{code}/correct")
async def correct_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         movement_id: str, unit_id: str, code: str):
    return await post_correct(request, rt, actor,
                              _participant_log(rt, actor, movement_id, unit_id), code,
                              record=True)


@router.post(PARTICIPANT + "/targets")
async def set_targets(request: Request, rt: RuntimeDep, actor: SignedInDep, movement_id: str,
                      unit_id: str):
    log = _participant_log(rt, actor, movement_id, unit_id)
    require(rt.app.authz, actor, log.reporter_units)
    movement: Movement = log.extra["movement"]
    form = await posted(request)
    errors: dict[str, str] = {}
    try:
        saved = rt.app.emulation.movements.set_targets(actor, movement.id, log.unit_id,
                                                       _targets_typed(movement, form))
    except DomainError as error:
        status = refused(error, errors, "targets")
        log.extra["target_form"] = form
        return show(request, rt, actor, log, errors=errors, status=status)
    return recorded(rt, saved, f"{log.base}?done=targets#chi-tieu-rieng")


router.include_router(uploads)

__all__ = ["router"]
