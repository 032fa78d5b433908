"""The awards office's decision form between its steps (compose → preview → issue): what it
holds, read from the form, carried from one step to the next, and turned into the command
(``services.decisions.DecisionDraft``) with every problem tied to the field or line it is about.

The form's *state* is a plain dict (``blank_state``): the decision's fields as typed, the
chosen nominations (each with its amount mode and amount), the lines typed in the form and the
lines of an uploaded list (``services.imports``), each line as the form's text fields. Between
steps it travels in one hidden field, compressed (``encode`` / ``decode``): the preview changes
nothing on the server, and issuing builds and checks everything again from it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DomainError, ValidationFailed
from domain.pricing import AMOUNT_MODES
from domain.text import nfc, nfc_multiline
from services.app import Runtime
from services.decision_rows import UnitFinder, raw_line
from services.decisions import DecisionDraft, LinesRefused
from services.imports import LINE_FIELDS
from services.web.forms import day_needed, money_typed
from services.web.templating import page_message

DECISION_FIELDS = ("number", "decided_on", "signer_name", "signer_title", "legal_basis",
                   "subject", "achievement", "award_kind", "period", "amount_mode",
                   "issuer_body", "issuer_level", "issuer_name")
MULTILINE = ("legal_basis", "achievement")
# a typed line also carries the form as the source states it (outside decisions only)
COMPOSE_LINE_FIELDS = (*LINE_FIELDS, "award_as_stated")
DEFAULT_NUMBER_SUFFIX = "/QĐ-HPN"
MAX_STATE_BYTES = 32 * 1024 * 1024  # what a carried form may unpack to
_LINE_KEY = re.compile(r"^l-(\d{1,4})-([a-z_]+)$")
NOT_A_DAY = "ngày phải là ngày có thật, dạng dd/mm/yyyy"
_LINE_PREFIX = re.compile(r"\b[Dd]òng \d+\s*[:—–-]\s*")
# a refusal of the decision as a whole → the field it is about (by code, then by its words)
_FIELD_OF_CODE = {"decision.number_taken": "number", "decision.no_lines": "lines"}
_FIELD_OF_WORDS = (("ngày quyết định", "decided_on"), ("số quyết định", "number"),
                   ("cơ quan ban hành", "issuer_name"), ("cấp đơn vị", "issuer_level"))


def blank_state(outside: bool, unit_id: str) -> dict[str, Any]:
    state: dict[str, Any] = {"outside": outside, "unit_id": unit_id,
                             **{name: "" for name in DECISION_FIELDS},
                             "nominations": [], "lines": [], "imported": None}
    state["issuer_body"] = "government" if outside else ""
    return state


def _text(value: Any, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    return nfc_multiline(value) if multiline else nfc(value)


def _line(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    line: dict[str, Any] = {name: _text(raw.get(name), name == "achievement")
                            for name in COMPOSE_LINE_FIELDS}
    row = raw.get("row")
    line["row"] = row if isinstance(row, int) and not isinstance(row, bool) else None
    return line


def normalise(raw: Any) -> dict[str, Any]:
    """A state from anything (a decoded field may have been altered): known keys, text values."""
    raw = raw if isinstance(raw, dict) else {}
    state = blank_state(raw.get("outside") is True, _text(raw.get("unit_id")))
    for name in DECISION_FIELDS:
        state[name] = _text(raw.get(name), name in MULTILINE)
    state["nominations"] = [
        {"id": _text(n.get("id")), "mode": _text(n.get("mode")), "amount": _text(n.get("amount"))}
        for n in raw.get("nominations") or [] if isinstance(n, dict) and n.get("id")]
    state["lines"] = [_line(line) for line in raw.get("lines") or []]
    imported = raw.get("imported")
    if isinstance(imported, dict) and isinstance(imported.get("rows"), list):
        state["imported"] = {"file": _text(imported.get("file")),
                             "rows": [_line(row) for row in imported["rows"]]}
    return state


def encode(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(data, 6)).decode("ascii")


def decode(text: Any) -> Any:
    """What ``encode`` made; anything else is a form that cannot be read (422)."""
    unreadable = ValidationFailed(reason="biểu mẫu không đọc được; hãy lập lại quyết định")
    if not isinstance(text, str) or not text:
        raise unreadable
    try:
        packed = base64.urlsafe_b64decode(text.encode("ascii"))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_STATE_BYTES)
        if inflater.unconsumed_tail:
            raise unreadable
        return json.loads(data.decode())
    except (ValueError, UnicodeError, binascii.Error, zlib.error):
        raise unreadable from None


def is_blank_line(line: dict[str, Any]) -> bool:
    """A typed line nobody filled in (its selects keep their defaults)."""
    return not any(line.get(name) for name in
                   ("name", "unit", "birth_year", "position", "citizen_id", "amount", "period",
                    "achievement"))


def state_from_form(form: Any) -> dict[str, Any]:
    """The state as the compose form sends it (its typed lines renumbered from 1, blank ones
    left out; the uploaded list kept unless the office dropped it)."""
    raw: dict[str, Any] = {"outside": form.get("outside") == "1", "unit_id": form.get("unit_id")}
    for name in DECISION_FIELDS:
        raw[name] = form.get(name)
    raw["nominations"] = [
        {"id": nid, "mode": form.get(f"mode-{nid}"), "amount": form.get(f"amount-{nid}")}
        for nid in dict.fromkeys(v for v in form.getlist("nomination_id") if isinstance(v, str))]
    typed: dict[int, dict[str, Any]] = {}
    for key in form:
        found = _LINE_KEY.match(key)
        if found and found.group(2) in COMPOSE_LINE_FIELDS:
            typed.setdefault(int(found.group(1)), {})[found.group(2)] = form.get(key)
    raw["lines"] = [line for _, line in sorted(typed.items())]
    if form.get("imported") and form.get("drop_imported") != "1":
        raw["imported"] = decode(form.get("imported"))
    state = normalise(raw)
    state["lines"] = [line for line in state["lines"] if not is_blank_line(line)]
    return state


# -- values people type --------------------------------------------------------------------------


def decision_day(text: str) -> date:
    """The decision's date, or a revocation's, as typed (``forms.day_typed``): needed; a text
    that is no real date is said as this form has always said it."""
    return day_needed(text, missing=NOT_A_DAY, refusal=NOT_A_DAY)


def suggest_number(rows: list[dict[str, Any]], suffix: str = DEFAULT_NUMBER_SUFFIX) -> str:
    """The next free number of an issuer this year: one more than the highest used (revoked
    decisions keep theirs), with the suffix of its latest decision ("16/QĐ-HPN")."""
    highest, latest_suffix = 0, None
    for row in rows:  # the latest first
        found = re.match(r"^\s*(\d+)\s*(\S.*)?$", str(row.get("number") or ""))
        if not found:
            continue
        highest = max(highest, int(found.group(1)))
        if latest_suffix is None and found.group(2):
            latest_suffix = found.group(2).strip()
    return f"{highest + 1}{latest_suffix or suffix}"


# -- the command, and where each problem belongs -------------------------------------------------


@dataclass
class Problem:
    """Something to fix, said in Vietnamese: ``field`` is the id of the form field it is about
    (the summary links to it), ``where`` names the line ("Dòng 3 — nhập thêm 1")."""

    message: str
    field: str | None = None
    where: str = ""


@dataclass
class Built:
    draft: DecisionDraft | None
    sources: list[dict[str, Any]] = field(default_factory=list)  # per decision line
    problems: list[Problem] = field(default_factory=list)


def build_draft(rt: Runtime, state: dict[str, Any], names: dict[str, str]) -> Built:
    """The command from the state, or every problem of the form (``names``: the chosen
    nominations' recipients, to say which line is which)."""
    built = Built(draft=None)
    problems = built.problems
    try:
        decided_on = decision_day(state["decided_on"])
    except ValidationFailed as error:
        problems.append(Problem(f"Ngày quyết định: {error.details['reason']}.", "decided_on"))
        decided_on = rt.app.today()
    try:
        unit_id = str(UUID(state["unit_id"]))
    except ValueError:
        problems.append(Problem("Chưa chọn đơn vị.", "unit_id"))
        unit_id = ""
    finder = UnitFinder(rt, unit_id, [decided_on, rt.app.today()]) if unit_id else None
    lines: list[dict[str, Any]] = []
    for chosen in state["nominations"]:
        where = f"Dòng {len(lines) + 1} — đề nghị: {names.get(chosen['id'], '')}".rstrip(": ")
        built.sources.append({"where": where, "field": f"nom-{chosen['id']}",
                              "nomination": True})
        raw: dict[str, Any] = {"nomination_id": chosen["id"]}
        if chosen["mode"]:
            raw["amount_mode"] = chosen["mode"]
        try:
            amount = money_typed(chosen["amount"])
        except ValidationFailed as error:
            problems.append(Problem(f"{sentence(error.details['reason'])}",
                                    f"amount-{chosen['id']}", where))
            amount = None
        if amount is not None:
            raw["amount"] = amount
        lines.append(raw)
    groups = [(state["lines"], "nhập thêm", "l-{n}-name"),
              ((state["imported"] or {}).get("rows") or [], "hàng {row} của tệp", "imported")]
    for group, label, field_id in groups:
        for n, line in enumerate(group, start=1):
            where = f"Dòng {len(lines) + 1} — " + (
                label.format(row=line["row"]) if line["row"] else f"{label} {n}")
            built.sources.append({"where": where, "field": field_id.format(n=n),
                                  "nomination": False})
            try:
                lines.append(raw_line(line, finder))
            except ValidationFailed as error:
                problems.append(Problem(f"{sentence(error.details['reason'])}",
                                        field_id.format(n=n), where))
                lines.append({})
    if not lines:
        problems.append(Problem("Quyết định cần ít nhất một người / tập thể: chọn đề nghị, "
                                "nhập dòng hoặc tải danh sách lên.", "lines"))
    if state["amount_mode"] and state["amount_mode"] not in AMOUNT_MODES:
        problems.append(Problem("Cách ghi số tiền mặc định không hợp lệ.", "amount_mode"))
    if problems:
        return built
    issuer: dict[str, Any] = (
        {"body": state["issuer_body"], "level": state["issuer_level"],
         "name": state["issuer_name"]} if state["outside"] else {"unit_id": unit_id})
    built.draft = DecisionDraft(
        number=state["number"], decided_on=decided_on, issuer=issuer, lines=tuple(lines),
        recorded_by_unit_id=UUID(unit_id) if state["outside"] else None,
        signer={"name": state["signer_name"], "title": state["signer_title"]},
        subject=state["subject"], legal_basis=state["legal_basis"],
        achievement=state["achievement"], award_kind=state["award_kind"] or None,
        period=state["period"] or None, amount_mode=state["amount_mode"] or None,
    )
    return built


def refusal_problems(error: DomainError, sources: list[dict[str, Any]]) -> list[Problem]:
    """A refusal of the preview or of issuing, as problems: each refused line at its line."""
    found = error.problems if isinstance(error, LinesRefused) else [error]
    out = []
    for item in found:
        err = getattr(item, "error", item)
        line_no = getattr(item, "line_no", None) or err.details.get("line_no")
        message = page_message(err)
        if isinstance(line_no, int) and 1 <= line_no <= len(sources):
            source = sources[line_no - 1]
            text = _LINE_PREFIX.sub("", message)
            out.append(Problem(text[:1].upper() + text[1:], source["field"], source["where"]))
            continue
        field_id = _FIELD_OF_CODE.get(err.code)
        if field_id is None:
            field_id = next((f for words, f in _FIELD_OF_WORDS if words in message.lower()),
                            None)
        out.append(Problem(message, field_id))
    return out


def sentence(text: str) -> str:
    """A reason as a sentence: its first letter capital (the others kept), a full stop."""
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}."


def parse_count(value: Any) -> int:
    """A small count a form carries (how many blank lines it showed)."""
    text = value.strip() if isinstance(value, str) else ""
    return min(int(text), 100) if text.isascii() and text.isdigit() and len(text) < 4 else 0
