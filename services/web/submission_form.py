"""The tờ trình form between its steps (compose → review → file): what it holds, read from the
form, carried from one step to the next, and turned into the candidates of
``Nominations.file_submission`` with every problem tied to its row.

The *state* is a plain dict: the tờ trình's fields as typed and its rows (each the form's text
fields, ``CANDIDATE_FIELDS``, with ``row``: the Excel row it came from, or None when typed).
Every row travels in one hidden field, compressed (``services.web.compose.encode``); the rows
the page shows as inputs are laid over it when the form comes back (``c-<n>-<field>``, ``n``
counted from 1). Nothing is recorded before the last step, which builds and checks everything
again from the carried state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.errors import DomainError, ValidationFailed
from domain.nomination import Nomination
from domain.recipients import GENDERS
from domain.text import fold, nfc, nfc_multiline
from services.app import Runtime
from services.decision_rows import UnitFinder
from services.nomination_imports import CANDIDATE_FIELDS, MAX_ROWS
from services.web import compose
from services.web.forms import day_needed, whole
from services.web.templating import page_message

HEAD_FIELDS = ("unit_id", "number", "title", "submitted_on")
ROW_KEY = re.compile(r"^c-(\d{1,5})-([a-z_]+)$")
NOT_A_DAY = "ngày của tờ trình phải là ngày có thật, dạng dd/mm/yyyy"


def blank_state(unit_id: str) -> dict[str, Any]:
    return {"unit_id": unit_id, "number": "", "title": "", "submitted_on": "", "file": "",
            "rows": []}


def blank_row() -> dict[str, Any]:
    return {**dict.fromkeys(CANDIDATE_FIELDS, ""), "kind": "individual", "row": None}


def _text(value: Any, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    return (nfc_multiline(value) if multiline else nfc(value))[:10_001]


def clean_row(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    row = {name: _text(raw.get(name), name == "achievement") for name in CANDIDATE_FIELDS}
    number = raw.get("row")
    row["row"] = number if isinstance(number, int) and not isinstance(number, bool) else None
    return row


def normalise(raw: Any) -> dict[str, Any]:
    """A state from anything (a carried field may have been altered): known keys, text."""
    raw = raw if isinstance(raw, dict) else {}
    state = blank_state(_text(raw.get("unit_id")))
    for name in (*HEAD_FIELDS, "file"):
        state[name] = _text(raw.get(name))
    rows = raw.get("rows") if isinstance(raw.get("rows"), list) else []
    state["rows"] = [clean_row(row) for row in rows[:MAX_ROWS + 100]]
    return state


def encode_rows(rows: list[dict[str, Any]]) -> str:
    return compose.encode(rows)


def decode(text: Any) -> Any:
    try:
        return compose.decode(text)
    except ValidationFailed:
        raise ValidationFailed(
            reason="biểu mẫu không đọc được; hãy lập lại tờ trình") from None


def is_blank(row: dict[str, Any]) -> bool:
    """A row nobody filled in (its selects keep their defaults)."""
    return not any(row.get(name) for name in
                   ("name", "birth_year", "position", "unit", "award_kind", "achievement",
                    "period"))


def state_from_form(form: Any) -> dict[str, Any]:
    """The state as the form sends it: the carried rows with the shown ones laid over them,
    then the new rows filled in (blank ones left out)."""
    raw: dict[str, Any] = {name: form.get(name) for name in (*HEAD_FIELDS, "file")}
    carried = decode(form.get("rows")) if form.get("rows") else []
    raw["rows"] = carried if isinstance(carried, list) else []
    state = normalise(raw)
    rows = state["rows"]
    typed: dict[int, dict[str, Any]] = {}
    for key in form:
        found = ROW_KEY.match(key)
        if found and found.group(2) in CANDIDATE_FIELDS:
            value = form.get(key)
            typed.setdefault(int(found.group(1)), {})[found.group(2)] = (
                _text(value, found.group(2) == "achievement"))
    added = []
    for n, fields in sorted(typed.items()):
        if 1 <= n <= len(rows):
            rows[n - 1].update(fields)
        elif n > len(rows):
            row = blank_row() | fields
            if not is_blank(row):
                added.append(row)
    state["rows"] = [*rows, *added]
    return state


def row_label(n: int, row: dict[str, Any]) -> str:
    """How a row is named to people: its place in the list, and its Excel row if uploaded."""
    return f"Dòng {n}" + (f" (hàng {row['row']} của tệp)" if row.get("row") else "")


# -- checking -----------------------------------------------------------------------------------


@dataclass
class Problem:
    """Something to fix, in Vietnamese: ``field`` is the id the summary links to; ``row`` is
    the row's place in the list (1…) when the problem is a row's."""

    message: str
    field: str | None = None
    row: int | None = None
    where: str = ""


@dataclass
class Built:
    unit_id: UUID | None = None
    submitted_on: Any = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _row_candidate(row: dict[str, Any], unit_id: UUID,
                   finder: UnitFinder) -> tuple[dict[str, Any], list[str]]:
    """The candidate of one row (as ``file_submission`` takes it), and what is wrong with it."""
    problems: list[str] = []
    kind = row["kind"] or "individual"
    if kind not in RECIPIENT_LABELS:
        problems.append(f"Đối tượng «{kind[:60]}» không rõ (cá nhân, tập thể hoặc hộ gia đình)")
    recipient: dict[str, Any] = {"kind": kind, "name": row["name"]}
    if len(row["name"]) > 300:
        problems.append("Tên quá dài (tối đa 300 ký tự)")
    if row["gender"]:
        if row["gender"] not in GENDERS:
            problems.append(f"Giới tính «{row['gender'][:40]}» không rõ (nữ hoặc nam)")
        recipient["gender"] = row["gender"]
    if row["birth_year"]:
        year = whole(row["birth_year"], 1900, 2100)
        if year is None or len(row["birth_year"].strip()) != 4:
            problems.append(f"Năm sinh «{row['birth_year'][:40]}» không hợp lệ "
                            "(4 chữ số, ví dụ 1980)")
        recipient["birth_year"] = year
    if kind != "individual" and (row["gender"] or row["birth_year"]):
        problems.append("Giới tính và năm sinh chỉ ghi cho cá nhân")
    if row["position"]:
        if len(row["position"]) > 300:
            problems.append("Chức vụ quá dài (tối đa 300 ký tự)")
        recipient["position"] = row["position"]
    unit = str(unit_id)
    if row["unit"]:
        try:
            unit = finder.find(row["unit"])
        except ValidationFailed as error:
            problems.append(compose.sentence(error.details["reason"]).rstrip("."))
    itself = kind == "collective" and bool(row["unit"]) and (
        not row["name"] or fold(row["name"]) == fold(row["unit"]))
    if itself:
        recipient["org_unit_id"] = unit
        recipient["name"] = ""
    else:
        recipient["unit_id"] = unit
        if not row["name"]:
            problems.append("Thiếu họ tên / tên tập thể" if kind != "collective" else
                            "Thiếu tên tập thể (tập thể là một đơn vị: ghi tên đơn vị)")
    award = row["award_kind"]
    if not award:
        problems.append("Chưa chọn hình thức khen thưởng")
    elif award not in catalog().kinds:
        problems.append(f"Hình thức khen thưởng «{award[:80]}» không có trong danh mục")
    if not row["achievement"].strip():
        problems.append("Cần mô tả thành tích")
    if not row["period"].strip():
        problems.append("Cần ghi thời gian thành tích (ví dụ 2024)")
    candidate = {"recipient": recipient, "award_kind": award,
                 "achievement": row["achievement"], "period": row["period"]}
    if not problems:  # the rest as the tờ trình will check it, on a nomination never saved
        try:
            Nomination.draft(nomination_id=uuid4(), proposing_unit_id=unit_id,
                             data=candidate, actor="")
        except DomainError as error:
            problems.append(compose.sentence(page_message(error)).rstrip("."))
    return candidate, problems


def build(rt: Runtime, state: dict[str, Any]) -> Built:
    """The candidates of the tờ trình, or every problem of the form."""
    built = Built()
    problems = built.problems
    try:
        built.submitted_on = day_needed(state["submitted_on"], missing=NOT_A_DAY,
                                        refusal=NOT_A_DAY)
    except ValidationFailed as error:
        problems.append(Problem(f"Ngày tờ trình: {error.details['reason']}.", "submitted_on"))
    try:
        built.unit_id = UUID(state["unit_id"])
    except ValueError:
        problems.append(Problem("Chưa chọn đơn vị đề nghị.", "unit_id"))
    if len(state["number"]) > 60:
        problems.append(Problem("Số tờ trình quá dài (tối đa 60 ký tự).", "number"))
    if len(state["title"]) > 300:
        problems.append(Problem("Trích yếu quá dài (tối đa 300 ký tự).", "title"))
    rows = state["rows"]
    if not rows:
        problems.append(Problem("Tờ trình cần ít nhất một người / tập thể: nhập dòng hoặc "
                                "tải danh sách Excel lên.", "rows"))
    if len(rows) > MAX_ROWS:
        problems.append(Problem(f"Tờ trình có {len(rows)} dòng; tối đa {MAX_ROWS}.", "rows"))
    if built.unit_id is None or not rows:
        return built
    finder = UnitFinder(rt, str(built.unit_id), [rt.app.today()])
    for n, row in enumerate(rows[:MAX_ROWS], start=1):
        candidate, found = _row_candidate(row, built.unit_id, finder)
        built.candidates.append(candidate)
        problems.extend(Problem(f"{message}.", f"c-{n}", n, row_label(n, row))
                        for message in found)
    return built


def refusal_problem(error: DomainError, rows: list[dict[str, Any]]) -> Problem:
    """A refusal of the filing as a problem: at its row when it names a candidate."""
    n = error.details.get("candidate")
    message = page_message(error)
    if isinstance(n, int) and 1 <= n <= len(rows):
        text = re.sub(r"^[Ứứ]ng viên \d+\s*:\s*", "", message)
        return Problem(compose.sentence(text), f"c-{n}", n, row_label(n, rows[n - 1]))
    return Problem(compose.sentence(message))
