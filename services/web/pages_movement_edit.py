"""Changing a movement (phong trào thi đua) after its launch, from the pages (issue 19); the
movement's page and the launch form are ``pages_movements``.

* ``/emulation/movements/{id}/indicators``: the launching unit's office changes the indicators
  — the same rows as the launch form, read by the same code (``pages_movements``), prefilled
  with the movement's; a blank row is left out, so clearing a row's text removes it — then a
  check page shows what changes (added, changed with the old → new target, removed) and the
  change is recorded with the version the form was read at: a form read before someone else's
  change is refused with a clear message and nothing recorded. The domain locks the indicators
  once a result is reported, and everything once the movement is closed: the page says so
  instead of offering the form.
* ``/emulation/movements/{id}/participants``: the same office adds participating units, chosen
  among the units of the launching unit's subtree (what the service accepts) not yet taking
  part; a check page first, until the movement is closed.
* ``movement_changes`` (a template global, as ``may_print_certificates``): what the movement's
  page offers the signed-in user — the two actions or why they are not open — its history
  (launch, indicator changes, participants added, first result, closing: who, when in local
  time) and the notice after a change. It serves every rendering of ``emulation_movement.html``.

Who may act is the service's rule (the launching unit's office, ``services.emulation.common``);
each route ``require``s it before reading a form, so whoever may not act gets the 403 page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import pass_context

from domain.emulation.errors import IndicatorsLocked
from domain.emulation.indicators import (
    APPLIES_LABELS,
    AT_LEAST,
    MEASURE_LABELS,
    MEASURES,
    WHEN_CASES,
    YES,
    YES_NO,
    Indicator,
    indicators_from,
)
from domain.emulation.movement import ACTIVE, MAX_PARTICIPANTS, Movement
from domain.errors import DomainError, StaleVersion
from domain.text import vietnamese_sort_key
from projections.queries import Page
from services.app import Runtime
from services.authz import Actor
from services.emulation.common import require
from services.http.deps import RuntimeDep
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    FORM,
    office,
    page_id,
    posted,
    recorded,
    refused,
    sentence,
)
from services.web.forms import dmy
from services.web.pages_movements import (
    INDICATOR_ROWS,
    MAX_INDICATOR_ROWS,
    MOVEMENT,
    indicators_typed,
)
from services.web.routing import page_router
from services.web.templating import local_time, render, templates

router = page_router()
INDICATORS = MOVEMENT + "/indicators"
PARTICIPANTS = MOVEMENT + "/participants"

STALE = ("Trong lúc bạn sửa, phong trào đã được thay đổi (chỉ tiêu, đơn vị tham gia hoặc báo "
         "cáo kết quả). Chưa ghi gì. Chỉ tiêu hiện nay ở bên dưới; những gì bạn đã gõ vẫn giữ: "
         "xem lại rồi bấm «Tiếp tục».")
DONE = {"indicators": "Đã ghi chỉ tiêu mới của phong trào; lịch sử ở cuối trang.",
        "participants": "Đã thêm đơn vị tham gia: các đơn vị này đăng ký rồi báo cáo kết quả."}


# -- what the domain allows ---------------------------------------------------------------------


def indicators_refusal(movement: Movement) -> str | None:
    """Why the indicators cannot change now (None: they can)."""
    if movement.status != ACTIVE:
        return (f"Phong trào đã kết thúc ngày {dmy(movement.closed_on)}: không sửa chỉ tiêu "
                "được nữa.")
    if movement.results_started:
        return sentence(IndicatorsLocked(where=f"phong trào «{movement.title}»"))
    return None


def participants_refusal(movement: Movement) -> str | None:
    if movement.status != ACTIVE:
        return (f"Phong trào đã kết thúc ngày {dmy(movement.closed_on)}: không thêm đơn vị "
                "tham gia được nữa.")
    return None


def addable_units(rt: Runtime, movement: Movement) -> list[dict[str, Any]]:
    """Units the service accepts as new participants: active today in the launching unit's
    subtree, not yet taking part; by name in Vietnamese order."""
    inside = rt.queries.subtree_ids({str(movement.unit_id)})
    taken = {str(u) for u in movement.participant_ids}
    units = rt.queries.units_on(rt.app.today(), page=Page.everything(MAX_PARTICIPANTS))["items"]
    found = [{"id": u["id"], "name": u["name"]} for u in units
             if u["id"] in inside and u["id"] not in taken]
    return sorted(found, key=lambda u: vietnamese_sort_key(u["name"]))


# -- what changes -------------------------------------------------------------------------------


def _yes_no(flag: bool) -> str:
    return "có" if flag else "không"


FIELDS = (  # what the check page and the history say changed besides the target
    ("text", "Nội dung", lambda i: i.text),
    ("measure", "Cách đo", lambda i: MEASURE_LABELS[i.measure]),
    ("applies", "Áp dụng cho", lambda i: APPLIES_LABELS[i.applies]),
    ("summable", "Cộng số liệu các đơn vị", lambda i: _yes_no(i.summable)),
    ("note", "Cách tính", lambda i: i.note or "—"),
)


def indicator_changes(old: Sequence[Indicator], new: Sequence[Indicator]
                      ) -> dict[str, Any]:
    """Added, changed (target old → new, and each other field that changed) and removed
    indicators, by code; ``reordered`` when only their order differs."""
    before = {i.code: i for i in old}
    after = {i.code: i for i in new}
    added = [{"code": i.code, "text": i.text, "target": i.target_text}
             for i in new if i.code not in before]
    removed = [{"code": i.code, "text": i.text, "target": i.target_text}
               for i in old if i.code not in after]
    changed = []
    for item in new:
        was = before.get(item.code)
        if was is None or was.as_dict() == item.as_dict():
            continue
        fields = [{"label": label, "old": shown(was), "new": shown(item)}
                  for _, label, shown in FIELDS if shown(was) != shown(item)]
        changed.append({"code": item.code, "text": item.text, "old": was.target_text,
                        "new": item.target_text, "target_changed":
                            was.target_text != item.target_text, "fields": fields})
    kept = [i.code for i in new if i.code in before and before[i.code].as_dict() == i.as_dict()]
    same_items = not (added or removed or changed)
    return {"added": added, "changed": changed, "removed": removed, "kept": kept,
            "reordered": same_items and [i.code for i in old] != [i.code for i in new],
            "any": not same_items or [i.code for i in old] != [i.code for i in new]}


def changes_text(changes: dict[str, Any]) -> str:
    """One line for the history: "thêm chỉ tiêu 3; sửa chỉ tiêu 1 (mức ≥ 10 → ≥ 12); …"."""
    parts = [f"thêm chỉ tiêu {a['code']} ({a['target']})" for a in changes["added"]]
    for c in changes["changed"]:
        what = [f"mức {c['old']} → {c['new']}"] if c["target_changed"] else []
        what += [f["label"].lower() for f in c["fields"]]
        parts.append(f"sửa chỉ tiêu {c['code']} ({'; '.join(what)})")
    parts += [f"bỏ chỉ tiêu {r['code']}" for r in changes["removed"]]
    if changes["reordered"]:
        parts.append("đổi thứ tự chỉ tiêu")
    text = "; ".join(parts) or "không đổi"
    return text[:1].upper() + text[1:]


# -- the movement's history ---------------------------------------------------------------------


def movement_history(rt: Runtime, movement: Movement) -> list[dict[str, str]]:
    """Every recorded change of the movement, oldest first: when (local time), who, what."""
    names = {str(u): n for u, n in rt.app.emulation.movements.names(movement).items()}
    indicators: tuple[Indicator, ...] = ()
    out = []
    for event in rt.app.history(movement.id):
        kind = type(event).__name__
        if kind == "Created":
            indicators = indicators_from(event.indicators)
            what = "Phát động phong trào"
            detail = (f"{len(indicators)} chỉ tiêu, {len(event.participant_ids)} đơn vị tham gia"
                      f"; thời gian {movement.period_text}")
        elif kind == "IndicatorsSet":
            now = indicators_from(event.indicators)
            what, detail = "Sửa chỉ tiêu", changes_text(indicator_changes(indicators, now))
            indicators = now
        elif kind == "ParticipantsAdded":
            what = "Thêm đơn vị tham gia"
            detail = ", ".join(names.get(str(u), "một đơn vị") for u in event.unit_ids)
        elif kind == "ResultsStarted":
            what = "Báo cáo kết quả đầu tiên"
            detail = (f"{names.get(str(event.unit_id), 'Một đơn vị')}, chỉ tiêu "
                      f"{event.indicator_code}: từ đây chỉ tiêu không sửa được nữa")
        elif kind == "Closed":
            what, detail = "Kết thúc phong trào", f"Ngày kết thúc {dmy(event.on)}"
        else:
            continue
        out.append({"at": local_time(event.timestamp), "by": event.actor, "what": what,
                    "detail": detail})
    return out


@pass_context
def movement_changes(context: Any, movement: Movement) -> dict[str, Any]:
    """For ``emulation_movement.html``: the history; the two changes the signed-in user may
    make, or why they are not open (told to the launching unit's office only); the notice
    after a change (``?done=``)."""
    request = context["request"]
    rt: Runtime = request.app.state.runtime
    actor = context.get("actor")
    launcher_office = actor is not None and office(rt, actor, [movement.unit_id])
    out: dict[str, Any] = {"history": movement_history(rt, movement), "office": launcher_office,
                           "notice": DONE.get(request.query_params.get("done", "")[:20])}
    if launcher_office:
        out["indicators_why"] = indicators_refusal(movement)
        why = participants_refusal(movement)
        if why is None and not addable_units(rt, movement):
            why = "Mọi đơn vị thuộc đơn vị phát động đã tham gia phong trào."
        out["participants_why"] = why
    return out


templates.env.globals["movement_changes"] = movement_changes


# -- the pages ----------------------------------------------------------------------------------


def _launched(rt: Runtime, actor: Actor, movement_id: str) -> Movement:
    """The movement, for its launching unit's office only (else the 403 page)."""
    movement = rt.app.emulation.movements.movement(page_id(movement_id, "phong trào thi đua"))
    require(rt.app.authz, actor, [movement.unit_id])
    return movement


def _context(rt: Runtime, movement: Movement) -> dict[str, Any]:
    launcher = rt.queries.unit_names({str(movement.unit_id)}).get(str(movement.unit_id), "—")
    return {"movement": movement, "launcher": launcher,
            "base": f"/emulation/movements/{movement.id}"}


def _indicator_form(movement: Movement) -> FORM:
    """The launch form's rows, prefilled with the movement's indicators."""
    form: FORM = {"expected_version": str(movement.version)}
    for row, item in enumerate(movement.indicators, 1):
        p = f"ind-{row}-"
        form.update({p + "code": item.code, p + "text": item.text, p + "measure": item.measure,
                     p + "unit": "" if item.unit == "%" else item.unit})
        if item.measure == YES_NO:
            form[p + "target"] = "" if item.target == YES else item.target
        else:
            form[p + "target"] = item.target.replace(".", ",")
        if item.applies == WHEN_CASES:
            form[p + "when_cases"] = "1"
        if item.summable:
            form[p + "summable"] = "1"
    return form


def _with_kept(typed: Iterable[dict[str, Any]], movement: Movement) -> list[dict[str, Any]]:
    """The rows as typed, each keeping what the form does not show of the indicator with its
    code (the direction «tối đa», the note on how it is read, the points): the form changes
    only what it shows."""
    before = {i.code: i for i in movement.indicators}
    out = []
    for item in typed:
        was = before.get(item["code"])
        if was is not None:
            item = {**item, "note": was.note, "max_points": was.max_points}
            if was.direction != AT_LEAST and item["measure"] != YES_NO:
                item["direction"] = was.direction
        out.append(item)
    return out


def _version(form: FORM) -> int | None:
    text = str(form.get("expected_version") or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _indicators_page(request: Request, rt: Runtime, actor: Actor, movement: Movement, *,
                     form: FORM | None = None, errors: dict[str, str] | None = None,
                     check: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    why = indicators_refusal(movement)
    return render(request, "emulation_movement_edit_indicators.html", {
        **_context(rt, movement), "form": form or _indicator_form(movement),
        "errors": errors or {}, "check": check, "why": why,
        "current": [{"code": i.code, "text": i.text, "target": i.target_text,
                     "direction": i.direction, "note": i.note} for i in movement.indicators],
        "kept_of": {i.code: i for i in movement.indicators},
        "rows": range(1, min(max(INDICATOR_ROWS, len(movement.indicators) + 2),
                             MAX_INDICATOR_ROWS) + 1),
        "measures": [(m, MEASURE_LABELS[m]) for m in MEASURES]},
        409 if why and status == 200 and request.method == "POST" else status, actor)


def _read_indicators(movement: Movement, form: FORM, errors: dict[str, str]
                     ) -> tuple[Indicator, ...]:
    typed = _with_kept(indicators_typed(form, errors), movement)
    if errors:
        return ()
    try:
        return indicators_from(typed)
    except DomainError as error:  # a code repeated, a target the measure does not take…
        refused(error, errors)
        return ()


def _stale(request: Request, rt: Runtime, actor: Actor, movement: Movement, form: FORM
           ) -> HTMLResponse:
    """Someone changed the movement since the form was read: nothing recorded; what was typed
    comes back, read against the movement as it is now."""
    return _indicators_page(request, rt, actor, movement, status=409, errors={"_": STALE},
                            form={**form, "expected_version": str(movement.version)})


@router.get(INDICATORS, response_class=HTMLResponse)
def indicators_form(request: Request, rt: RuntimeDep, actor: SignedInDep, movement_id: str):
    movement = _launched(rt, actor, movement_id)
    return _indicators_page(request, rt, actor, movement)


@router.post(INDICATORS + "/check", response_class=HTMLResponse)
async def indicators_check(request: Request, rt: RuntimeDep, actor: SignedInDep,
                           movement_id: str):
    """The check page: what changes; nothing recorded."""
    movement = _launched(rt, actor, movement_id)
    form = await posted(request)
    if indicators_refusal(movement):
        return _indicators_page(request, rt, actor, movement, form=form)
    if _version(form) != movement.version:
        return _stale(request, rt, actor, movement, form)
    errors: dict[str, str] = {}
    new = _read_indicators(movement, form, errors)
    if not errors:
        changes = indicator_changes(movement.indicators, new)
        if changes["any"]:
            return _indicators_page(request, rt, actor, movement, form=form, check=changes)
        errors["_"] = "Chỉ tiêu như đã gõ giống chỉ tiêu hiện nay: không có gì để ghi."
    return _indicators_page(request, rt, actor, movement, form=form, errors=errors, status=422)


@router.post(INDICATORS)
async def indicators_record(request: Request, rt: RuntimeDep, actor: SignedInDep,
                            movement_id: str):
    movement = _launched(rt, actor, movement_id)
    form = await posted(request)
    if form.get("edit"):
        return _indicators_page(request, rt, actor, movement, form=form)
    if indicators_refusal(movement):
        return _indicators_page(request, rt, actor, movement, form=form)
    errors: dict[str, str] = {}
    new = _read_indicators(movement, form, errors)
    if errors:
        return _indicators_page(request, rt, actor, movement, form=form, errors=errors,
                                status=422)
    try:
        saved = rt.app.emulation.movements.set_indicators(  # no version read: stale
            actor, movement.id, [i.as_dict() for i in new], _version(form) or -1)
    except StaleVersion:
        return _stale(request, rt, actor, rt.app.emulation.movements.movement(movement.id),
                      form)
    except DomainError as error:
        status = refused(error, errors)
        return _indicators_page(request, rt, actor,
                                rt.app.emulation.movements.movement(movement.id), form=form,
                                errors=errors, status=status)
    return recorded(rt, saved, f"/emulation/movements/{movement.id}?done=indicators#lich-su")


# -- adding participants ------------------------------------------------------------------------


def _participants_page(request: Request, rt: Runtime, actor: Actor, movement: Movement, *,
                       form: FORM | None = None, errors: dict[str, str] | None = None,
                       check: list[dict[str, Any]] | None = None, status: int = 200
                       ) -> HTMLResponse:
    why = participants_refusal(movement)
    names = rt.app.emulation.movements.names(movement)
    return render(request, "emulation_movement_edit_participants.html", {
        **_context(rt, movement), "form": form or {"participants": []},
        "errors": errors or {}, "check": check, "why": why,
        "units": [] if why else addable_units(rt, movement),
        "taking_part": sorted(names.values(), key=vietnamese_sort_key)},
        409 if why and status == 200 and request.method == "POST" else status, actor)


def _chosen(rt: Runtime, movement: Movement, form: FORM, errors: dict[str, str]
            ) -> list[dict[str, Any]]:
    """The units ticked, each one the service accepts (else an error at the list)."""
    offered = {u["id"]: u for u in addable_units(rt, movement)}
    ticked = [str(u) for u in form.get("participants") or []]
    if not ticked:
        errors["participants"] = "Chọn ít nhất một đơn vị để thêm"
    elif any(u not in offered for u in ticked):
        errors["participants"] = ("Có đơn vị không còn trong danh sách (đã tham gia hoặc không "
                                  "thuộc đơn vị phát động): chọn lại")
    return [] if errors else [offered[u] for u in dict.fromkeys(ticked)]


@router.get(PARTICIPANTS, response_class=HTMLResponse)
def participants_form(request: Request, rt: RuntimeDep, actor: SignedInDep, movement_id: str):
    movement = _launched(rt, actor, movement_id)
    return _participants_page(request, rt, actor, movement)


@router.post(PARTICIPANTS + "/check", response_class=HTMLResponse)
async def participants_check(request: Request, rt: RuntimeDep, actor: SignedInDep,
                             movement_id: str):
    movement = _launched(rt, actor, movement_id)
    form = await posted(request)
    form.setdefault("participants", [])
    if participants_refusal(movement):
        return _participants_page(request, rt, actor, movement, form=form)
    errors: dict[str, str] = {}
    chosen = _chosen(rt, movement, form, errors)
    if errors:
        return _participants_page(request, rt, actor, movement, form=form, errors=errors,
                                  status=422)
    return _participants_page(request, rt, actor, movement, form=form, check=chosen)


@router.post(PARTICIPANTS)
async def participants_record(request: Request, rt: RuntimeDep, actor: SignedInDep,
                              movement_id: str):
    movement = _launched(rt, actor, movement_id)
    form = await posted(request)
    form.setdefault("participants", [])
    if form.get("edit") or participants_refusal(movement):
        return _participants_page(request, rt, actor, movement, form=form)
    errors: dict[str, str] = {}
    chosen = _chosen(rt, movement, form, errors)
    if errors:
        return _participants_page(request, rt, actor, movement, form=form, errors=errors,
                                  status=422)
    try:
        saved = rt.app.emulation.movements.add_participants(
            actor, movement.id, [UUID(u["id"]) for u in chosen])
    except DomainError as error:
        status = refused(error, errors, "participants")
        return _participants_page(request, rt, actor,
                                  rt.app.emulation.movements.movement(movement.id), form=form,
                                  errors=errors, status=status)
    return recorded(rt, saved, f"/emulation/movements/{movement.id}?done=participants#lich-su")


__all__ = ["indicator_changes", "movement_changes", "router"]
