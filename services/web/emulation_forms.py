"""What the emulation pages share (``pages_emulation``, ``pages_movements``): reading what people
type (a result, a number with a decimal comma or dot, a yes/no, "không có trường hợp xảy ra"),
each result's history from the log (who, when, old → new, why), and one result log on a page —
a cluster member's report or a movement participant's registration — with its report form, the
confirmation and the correction (form → check → record), served by the same handlers.

The report form is sent as ``multipart/form-data``: besides the value (or, where only the verdict
is known, the verdict: ``outcome``) and the evidence in words, it carries new evidence files
(``files``) and the files of the current result to keep (``keep``; one left unticked is not on
the new version, it stays in the history). New files are stored first
(``services.emulation.evidence``), so that a form refused for another reason comes back with
them listed, ticked, not to be chosen again.

Who may act is the service's rule (``services.emulation.common``); the pages only ask it first
(``may``) to offer an action, and ``require`` it before reading a form: whoever may not act gets
the 403 page and nothing is read or recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from domain import attachments as att
from domain.emulation.indicators import (
    OUTCOMES,
    PERCENT,
    RESULT_STATUS_LABELS,
    WHEN_CASES,
    YES_NO,
    Evaluation,
    Indicator,
    Result,
    evaluate,
    result_text,
)
from domain.errors import DomainError, NotFound, RoleRequired
from domain.text import nfc, nfc_multiline, vietnamese_sort_key
from services.app import Runtime
from services.authz import Actor
from services.emulation.common import OFFICE, ROLE_TEXT, may, require
from services.emulation.evidence import Evidence, Place, Upload, file_view
from services.http.errors import status_for
from services.store import Saved
from services.web.forms import day_typed, unit_choices
from services.web.templating import local_time, page_message, render

FORM = dict[str, Any]
LISTS = ("members", "participants", "keep")  # fields sent once per checked box
FILES = "files"  # the file inputs of a form (``multipart/form-data``)
RESULT_EVENTS = {"ResultReported": "báo cáo", "ResultConfirmed": "xác nhận",
                 "ResultCorrected": "điều chỉnh"}
DONE = {"reported": "Đã ghi kết quả chỉ tiêu {code}.",
        "confirmed": "Đã xác nhận kết quả chỉ tiêu {code}.",
        "corrected": "Đã điều chỉnh kết quả chỉ tiêu {code}; giá trị trước vẫn giữ trong lịch "
                     "sử.",
        "scored": "Đã ghi điểm mục {code}.", "agreed": "Đã ghi điểm thống nhất mục {code}.",
        "targets": "Đã ghi chỉ tiêu đăng ký của đơn vị."}


# -- what people type ---------------------------------------------------------------------------


async def posted(request: Request) -> FORM:
    """A posted form: text NFC (multi-line text keeps its lines); a checkbox list as a list;
    the files chosen (``files``: uploads with a name, an empty file input left out)."""
    raw = await request.form()
    out: FORM = {}
    for key in raw:
        if key == FILES:
            out[key] = [v for v in raw.getlist(key)
                        if isinstance(v, UploadFile) and (v.filename or v.size)]
        elif key in LISTS:
            out[key] = [nfc(str(v)) for v in raw.getlist(key)][:500]
        else:
            value = raw.get(key)
            out[key] = nfc_multiline(value if isinstance(value, str) else "")
    return out


def checked(value: Any) -> bool:
    return str(value or "") in ("1", "on", "true", "yes")


def sentence(error: Any) -> str:
    """A refusal as a sentence on a page (its first letter capital, no raw id)."""
    text = page_message(error)
    return text[:1].upper() + text[1:]


def page_id(value: str, what: str) -> UUID:
    """An id in a page's path; one that is no id names nothing: 404."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(what=what) from None


def page_year(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
        raise NotFound(what=f"năm «{text[:10]}»")
    return int(text)


def refused(error: DomainError, errors: dict[str, str], where: str = "_") -> int:
    """A refusal on a form: the person's (401, 403) goes to the error page; the rest is said
    at ``where`` and the form comes back with the status the API gives."""
    status = status_for(error)
    if status in (401, 403):
        raise error
    errors[where] = sentence(error)
    return status


def recorded(rt: Runtime, saved: Saved, where: str) -> RedirectResponse:
    rt.after(saved)
    return RedirectResponse(where, status_code=303)


def office(rt: Runtime, actor: Actor, units: Iterable[UUID | None],
           roles: tuple[str, ...] = OFFICE) -> bool:
    """Whether the service would let ``actor`` act as one of ``roles`` over one of ``units``."""
    return may(rt.app.authz, actor, units, roles)


def office_anywhere(actor: Actor, roles: tuple[str, ...] = OFFICE) -> bool:
    """Whether ``actor`` holds one of ``roles`` over some unit (to offer what creates)."""
    return actor.is_system or any(actor.units_for(role) for role in roles)


def require_role_anywhere(actor: Actor, roles: tuple[str, ...] = OFFICE) -> None:
    if not office_anywhere(actor, roles):
        raise RoleRequired(role=ROLE_TEXT[roles])


def units_where(rt: Runtime, actor: Actor, roles: tuple[str, ...] = OFFICE
                ) -> list[dict[str, Any]]:
    """Active units today in the subtrees where the actor holds one of ``roles``, by name."""
    seen: dict[str, dict[str, Any]] = {}
    for role in roles:
        for unit in unit_choices(rt, actor, role):
            seen.setdefault(unit["id"], unit)
    return sorted(seen.values(), key=lambda u: vietnamese_sort_key(u["name"]))


def unit_names(rt: Runtime, ids: Iterable[Any]) -> dict[str, str]:
    return rt.queries.unit_names({str(i) for i in ids if i})


def day_on(form: FORM, errors: dict[str, str], what: str) -> date | None:
    """The date of a confirmation page (``on``; blank: today, the service's default)."""
    try:
        return day_typed(form.get("on"), what)
    except DomainError as error:
        refused(error, errors, "on")
        return None


# -- a result as typed --------------------------------------------------------------------------


def result_form(indicator: Indicator, current: dict[str, Any] | None = None) -> FORM:
    """A result form prefilled with the current result (``present.results`` item): its value or
    its stated verdict, its evidence, its files kept."""
    if not current or not current.get("status"):
        return {"value": "", "no_cases": "", "outcome": "", "evidence": "", "keep": [],
                "files_shown": "1"}
    value = current.get("value")
    shown = ""
    if value is not None:
        # the exact value, its decimal mark a comma ("12,5"); never the grouped form shown on
        # the page ("13.747"), which would come back as a decimal
        shown = value if indicator.measure == YES_NO else str(value).replace(".", ",")
    return {"value": shown, "no_cases": "1" if current.get("cases_occurred") is False else "",
            "outcome": current.get("outcome") or "", "evidence": current.get("evidence") or "",
            "keep": [f["ref"] for f in current.get("files") or []], "files_shown": "1"}


def outcomes_of(indicator: Indicator) -> list[tuple[str, str]]:
    """The verdicts a result may state without a figure ("vượt" not for yes/no)."""
    return [(o, Evaluation.LABELS[o]) for o in OUTCOMES
            if not (o == "exceeded" and indicator.measure == YES_NO)]


_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")


def typed_number(value: Any) -> str:
    """A number as offices type it, for the domain to read (it checks places and ranges):
    spaces left out; dots group thousands and a comma marks decimals, the Vietnamese way
    ("13.747" is thirteen thousand, "1.234,5"); a lone dot or comma is a decimal mark ("12.5",
    "957,5"). Blank: ""."""
    text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
    if _GROUPED.match(text):
        text = text.replace(".", "").replace(",", ".")
    return text


def read_result(form: FORM, indicator: Indicator) -> tuple[dict[str, Any], dict[str, str]]:
    """The result typed for ``indicator``: the service's arguments (value, cases_occurred,
    outcome, evidence; ``attachments``: the refs of the files kept and added, only when the
    form showed them) and the errors by field id (``value-<code>``, ``outcome-<code>``).
    Numbers as offices type them: "3", "12,5", "12.5", "80%"; the domain checks the rest
    (places, ranges). A verdict chosen (``outcome``) stands for a result without a figure."""
    code = indicator.code
    errors: dict[str, str] = {}
    text = str(form.get("value") or "").strip()
    no_cases = indicator.applies == WHEN_CASES and checked(form.get("no_cases"))
    outcome = str(form.get("outcome") or "").strip()
    choices = outcomes_of(indicator)
    # a yes/no indicator offers the verdicts among its own choices (one group: Có, Không, đạt…)
    where = f"value-{code}" if indicator.measure == YES_NO else f"outcome-{code}"
    if indicator.measure == YES_NO and text in dict(choices):
        outcome, text = text, ""
    out: dict[str, Any] = {"evidence": str(form.get("evidence") or "")}
    if form.get("files_shown"):
        out["attachments"] = [str(r) for r in form.get("keep") or []]
    if indicator.applies == WHEN_CASES:
        out["cases_occurred"] = not no_cases
    if outcome and outcome not in dict(choices):
        errors[where] = (f"Chỉ tiêu {code}: chọn kết quả trong danh sách "
                         f"({', '.join(label for _, label in choices)})")
        outcome = ""
    if no_cases:
        if text:
            errors[f"value-{code}"] = ("Đã chọn «Không có trường hợp xảy ra»: để trống số liệu, "
                                       "hoặc bỏ chọn ô đó")
        if outcome:
            errors[where] = ("Đã chọn «Không có trường hợp xảy ra»: không nêu kết quả, hoặc "
                             "bỏ chọn ô đó")
        out["value"] = None
    elif outcome:
        if text:
            errors[f"value-{code}"] = (f"Đã chọn chỉ nêu kết quả «{Evaluation.LABELS[outcome]}»: "
                                       "để trống số liệu, hoặc chọn «Có số liệu»")
        out["value"], out["outcome"] = None, outcome
    elif indicator.measure == YES_NO:
        if text not in ("yes", "no"):
            errors[f"value-{code}"] = f"Chỉ tiêu {code}: chọn «Có» hoặc «Không»"
        out["value"] = text or None
    else:
        number = typed_number(text.removesuffix("%") if indicator.measure == PERCENT else text)
        if not number:
            what = "tỷ lệ (%)" if indicator.measure == PERCENT else "số liệu"
            hint = (", hoặc chọn «Không có trường hợp xảy ra»"
                    if indicator.applies == WHEN_CASES else "")
            errors[f"value-{code}"] = f"Chỉ tiêu {code}: cần ghi {what}, ví dụ 3 hoặc 12,5{hint}"
        out["value"] = number or None
    return out, errors


def typed_text(indicator: Indicator, given: dict[str, Any]) -> str:
    """What a typed result will show (the check page of a correction)."""
    result = Result(value=_canonical(indicator, given.get("value")),
                    cases_occurred=given.get("cases_occurred"), outcome=given.get("outcome"),
                    evidence=str(given.get("evidence") or ""))
    return result_text(indicator, result)


def _canonical(indicator: Indicator, value: Any) -> str | None:
    if value is None or indicator.measure == YES_NO:
        return value
    return str(value).replace(",", ".")


# -- history from the log -----------------------------------------------------------------------


def histories(events: Iterable[Any], indicator_for: Callable[[str], Indicator]
              ) -> dict[str, list[dict[str, Any]]]:
    """Each indicator's results as recorded, oldest first: when (local time), who, what
    (báo cáo, xác nhận, điều chỉnh), the value before → after, its evaluation, the evidence,
    its files (``files``: name, type, size, ``ref``) and the reason of a correction."""
    out: dict[str, list[dict[str, Any]]] = {}
    last: dict[str, Result] = {}
    for event in events:
        kind = type(event).__name__
        if kind not in RESULT_EVENTS:
            continue
        code = event.indicator_code
        try:
            item = indicator_for(code)
        except DomainError:  # an indicator no longer there: its history is not shown
            continue
        before = last.get(code)
        entry = {"at": local_time(event.timestamp), "by": event.actor, "kind": kind,
                 "label": RESULT_EVENTS[kind], "reason": getattr(event, "reason", ""),
                 "old": result_text(item, before) if before else "—"}
        if kind == "ResultConfirmed":
            entry.update(new=entry["old"], evaluation=evaluate(item, before), evidence="",
                         files=[])
        else:
            now = Result.from_dict(event.result)
            entry.update(new=result_text(item, now), evaluation=evaluate(item, now),
                         evidence=now.evidence, files=[file_view(f) for f in now.files])
            last[code] = now
        entry["evaluation_label"] = Evaluation.LABELS[entry["evaluation"]]
        out.setdefault(code, []).append(entry)
    return out


# -- one result log on a page -------------------------------------------------------------------


@dataclass
class ResultLogPage:
    """A cluster member's report or a movement participant's registration, as its page shows
    it and its forms change it. ``report``, ``confirm`` and ``correct`` run the service's
    command (they raise its refusals)."""

    heading: str
    crumbs: list[tuple[str, str]]  # (href, label) above the heading
    base: str  # the page's path; results under ``{base}/results/{code}``
    unit_id: UUID
    unit_name: str
    indicators: dict[str, Indicator]  # code → the indicator as it applies to the unit
    results: list[dict[str, Any]]  # ``present.results``
    history: dict[str, list[dict[str, Any]]]
    reporter_units: list[UUID | None]  # whose office reports (the unit)
    lead_units: list[UUID | None]  # whose office confirms and corrects
    lead_label: str  # "cụm trưởng", "đơn vị phát động"
    accepting: bool  # the covenant open, the movement active, the unit registered…
    closed_note: str  # why it is not accepting (shown when not)
    report: Callable[[str, dict[str, Any]], Saved]
    confirm: Callable[[str], Saved]
    correct: Callable[[str, str, dict[str, Any]], Saved]
    template: str = "emulation_report.html"
    extra: dict[str, Any] = field(default_factory=dict)  # scores, targets… for the template
    place: Callable[[], Place] | None = None  # where its evidence files belong

    def indicator(self, code: str) -> Indicator:
        if code not in self.indicators:
            raise NotFound(what=f"chỉ tiêu «{code[:16]}»")
        return self.indicators[code]

    def current(self, code: str) -> dict[str, Any]:
        return next(r for r in self.results if r["indicator_code"] == code)


def show(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage, *,
         errors: dict[str, str] | None = None, forms: dict[str, FORM] | None = None,
         status: int = 200, notice: str | None = None) -> HTMLResponse:
    """The page of a result log: each indicator with its result, status and history; the
    report form for the unit's office, «Xác nhận» and «Điều chỉnh» for the lead's."""
    reporter = office(rt, actor, log.reporter_units)
    lead = office(rt, actor, log.lead_units)
    evidence = Evidence(rt)
    forms = dict(forms or {})
    rows = []
    for item in log.results:
        code = item["indicator_code"]
        indicator = log.indicators[code]
        locked = item["status"] in ("confirmed", "corrected")
        form = forms.get(code) or result_form(indicator, item)
        rows.append({**item, "code": code, "indicator": indicator,
                     "history": log.history.get(code, []), "form": form,
                     "file_choices": file_choices(evidence, log, item, form),
                     "outcomes": outcomes_of(indicator),
                     "may_report": reporter and log.accepting and not locked,
                     "may_confirm": lead and log.accepting and item["status"] == "reported",
                     "may_correct": lead and log.accepting and bool(item["status"])})
    return render(request, log.template, {
        "log": log, "rows": rows, "errors": errors or {}, "notice": notice,
        "reporter": reporter, "lead": lead, "status_labels": RESULT_STATUS_LABELS,
        "evidence_accept": att.ACCEPT, "evidence_max_mb": evidence.max_mb,
        **log.extra}, status, actor)


def file_choices(evidence: Evidence, log: ResultLogPage, item: dict[str, Any], form: FORM
                 ) -> list[dict[str, Any]]:
    """The files the report form lists with a «keep» box: the current result's, then those
    uploaded with a form that came back refused (ticked as they were sent)."""
    keep = [str(r) for r in form.get("keep") or []]
    current = {f["ref"]: f for f in item.get("files") or []}
    added = [r for r in keep if r not in current]
    more = evidence.pending(log.place(), added) if added and log.place is not None else []
    return [{**f, "checked": f["ref"] in keep} for f in [*current.values(), *more]]


def notice_of(done_: str, code: str) -> str | None:
    template = DONE.get(done_[:20])
    return template.format(code=code[:16]) if template else None


async def post_report(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage,
                      code: str) -> Any:
    """The report form (multipart): new files stored first (a file refused: nothing recorded,
    the form back with the refusal beside the file input), then the result with the files
    kept and added."""
    require(rt.app.authz, actor, log.reporter_units)
    indicator = log.indicator(code)
    form = await posted(request)
    uploads = form.pop(FILES, [])
    evidence = Evidence(rt)
    if uploads and log.place is not None:
        failed: dict[str, str] = {}
        try:
            stored = await run_in_threadpool(
                evidence.upload, actor, log.place(),
                [Upload(f.filename or "", f.file) for f in uploads])
        except DomainError as error:
            status = refused(error, failed, f"files-{indicator.code}")
            return show(request, rt, actor, log, errors=failed, forms={indicator.code: form},
                        status=status)
        form["keep"] = [*form.get("keep", []), *(s["ref"] for s in stored)]
    given, errors = read_result(form, indicator)
    if not errors:
        try:
            if given.get("attachments") is not None and log.place is not None:
                given["attachments"] = evidence.files(actor, log.place(), given["attachments"])
            else:
                given.pop("attachments", None)
            return recorded(rt, log.report(indicator.code, given),
                        f"{log.base}?done=reported&code={indicator.code}#chi-tieu-{indicator.code}")
        except DomainError as error:  # a value refused: at its field; anything else on top
            where = f"value-{indicator.code}" if type(error).__name__ == "ResultInvalid" else "_"
            status = refused(error, errors, where)
            return show(request, rt, actor, log, errors=errors, forms={indicator.code: form},
                        status=status)
    return show(request, rt, actor, log, errors=errors, forms={indicator.code: form},
                status=422)


def confirm_page(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage, code: str,
                 error: str | None = None, status: int = 200) -> HTMLResponse:
    require(rt.app.authz, actor, log.lead_units)
    indicator = log.indicator(code)
    return render(request, "emulation_result_confirm.html", {
        "log": log, "indicator": indicator, "current": log.current(indicator.code),
        "history": log.history.get(indicator.code, []), "error": error}, status, actor)


async def post_confirm(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage,
                       code: str) -> Any:
    require(rt.app.authz, actor, log.lead_units)
    indicator = log.indicator(code)
    try:
        saved = log.confirm(indicator.code)
    except DomainError as error:
        errors: dict[str, str] = {}
        status = refused(error, errors)
        return confirm_page(request, rt, actor, log, code, errors["_"], status)
    return recorded(rt, saved, f"{log.base}?done=confirmed&code={indicator.code}"
                           f"#chi-tieu-{indicator.code}")


def correct_page(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage, code: str,
                 form: FORM | None = None, errors: dict[str, str] | None = None,
                 status: int = 200, check: dict[str, Any] | None = None) -> HTMLResponse:
    """The correction's form (``check`` None) or its check page (what changes, old → new)."""
    require(rt.app.authz, actor, log.lead_units)
    indicator = log.indicator(code)
    current = log.current(indicator.code)
    if form is None:
        form = {**result_form(indicator, current), "reason": ""}
    return render(request, "emulation_result_correct.html", {
        "log": log, "indicator": indicator, "current": current, "form": form,
        "errors": errors or {}, "check": check, "outcomes": outcomes_of(indicator),
        "history": log.history.get(indicator.code, [])}, status, actor)


def _read_correction(form: FORM, indicator: Indicator) -> tuple[dict[str, Any], dict[str, str]]:
    """A correction keeps the result's evidence files (the lead corrects the figure)."""
    given, errors = read_result(form, indicator)
    given.pop("attachments", None)
    reason = str(form.get("reason") or "").strip()
    if not reason:
        errors["reason"] = "Cần ghi lý do điều chỉnh, ví dụ «Hai HTX chưa có quyết định thành lập»"
    elif len(reason) > 1000:
        errors["reason"] = "Lý do dài quá 1.000 ký tự"
    return given, errors


async def post_correct(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage,
                       code: str, *, record: bool) -> Any:
    """``record`` False: the check page (nothing recorded); True: the correction."""
    require(rt.app.authz, actor, log.lead_units)
    indicator = log.indicator(code)
    form = await posted(request)
    if form.get("edit"):
        return correct_page(request, rt, actor, log, code, form)
    given, errors = _read_correction(form, indicator)
    current = log.current(indicator.code)
    if not errors and typed_text(indicator, given) == current["text"] and (
            given.get("evidence") or "") == (current.get("evidence") or ""):
        errors["_"] = (f"Kết quả và minh chứng giống kết quả hiện nay ({current['text']}): "
                       "không có gì để điều chỉnh.")
    if errors:
        return correct_page(request, rt, actor, log, code, form, errors, 422)
    if not record:
        return correct_page(request, rt, actor, log, code, form, check={
            "old": current["text"], "new": typed_text(indicator, given),
            "reason": form.get("reason", "")})
    try:
        saved = log.correct(indicator.code, str(form.get("reason")), given)
    except DomainError as error:
        where = {"ReasonRequired": "reason", "ResultInvalid": f"value-{indicator.code}"}.get(
            type(error).__name__, "_")
        status = refused(error, errors, where)
        return correct_page(request, rt, actor, log, code, form, errors, status)
    return recorded(rt, saved, f"{log.base}?done=corrected&code={indicator.code}"
                           f"#chi-tieu-{indicator.code}")
