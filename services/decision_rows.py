"""A decision's list as offices write it — a line of the form or a row of a spreadsheet, its
fields as text (``services.imports.LINE_FIELDS``) — turned into the decision command's line:
units found by name under the recording unit (``UnitFinder``), the recipient, the award, the
amount. The office's compose form (``services.web.compose``) and the import of past decisions
(``services.past_imports``) read lines the same way here."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.errors import ValidationFailed
from domain.money import parse_dong
from domain.recipients import refuse_sealed
from domain.text import fold
from projections.queries import Page
from services.app import Runtime


class UnitFinder:
    """Units under ``root`` found by name (or code), as typed in a line or a spreadsheet: names
    of the decision's date and of today, without regard to diacritics or case."""

    def __init__(self, rt: Runtime, root: str, days: list[date]) -> None:
        inside = rt.queries.subtree_ids({root})
        self.ids: dict[str, set[str]] = {}
        self.names: dict[str, str] = {}
        for day in dict.fromkeys(days):
            for unit in rt.queries.units_on(day, page=Page.everything(100_000))["items"]:
                if unit["id"] not in inside:
                    continue
                self.names.setdefault(unit["id"], unit["name"])
                for key in (unit["name"], unit.get("code") or ""):
                    if key:
                        self.ids.setdefault(fold(key), set()).add(unit["id"])

    def find(self, text: str) -> str:
        matches = self.ids.get(fold(text), set())
        if len(matches) == 1:
            return next(iter(matches))
        if not matches:
            raise ValidationFailed(
                reason=f"không tìm thấy đơn vị «{text}» trong phạm vi của quyết định")
        raise ValidationFailed(
            reason=f"có {len(matches)} đơn vị cùng tên «{text}»; hãy ghi mã đơn vị")

    def choices(self) -> list[str]:
        return sorted(set(self.names.values()), key=fold)


def recipient_of(line: dict[str, Any], finder: UnitFinder | None) -> dict[str, Any]:
    recipient: dict[str, Any] = {"kind": line["kind"] or "individual", "name": line["name"]}
    if line["gender"]:
        recipient["gender"] = line["gender"]
    if line["birth_year"]:
        year = line["birth_year"]
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            raise ValidationFailed(reason="năm sinh phải gồm 4 chữ số")
        recipient["birth_year"] = int(year)
    for name in ("position", "citizen_id"):
        if line[name]:
            recipient[name] = line[name]
    if line["unit"]:
        if finder is None:
            raise ValidationFailed(reason="chưa chọn được đơn vị của quyết định")
        unit_id = finder.find(line["unit"])
        itself = recipient["kind"] == "collective" and (
            not line["name"] or fold(line["name"]) == fold(line["unit"]))
        recipient["org_unit_id" if itself else "unit_id"] = unit_id
        if itself:
            recipient["name"] = ""
    return refuse_sealed(recipient)


def raw_line(line: dict[str, Any], finder: UnitFinder | None) -> dict[str, Any]:
    raw: dict[str, Any] = {"recipient": recipient_of(line, finder)}
    for name in ("award_kind", "period", "achievement"):
        if line[name]:
            raw[name] = line[name]
    if line.get("award_as_stated"):  # the form as the source states it (outside decisions)
        raw["award_as_stated"] = line["award_as_stated"]
    if line["mode"]:
        raw["amount_mode"] = line["mode"]
    amount = parse_dong(line["amount"])
    if amount is not None:
        raw["amount"] = amount
    return raw
