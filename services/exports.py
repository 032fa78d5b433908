"""Exports for offices: XLSX (openpyxl) and CSV (UTF-8 with BOM, so Excel reads Vietnamese).

A sheet has Vietnamese headers, amounts as numbers formatted `#,##0 "đ"`, a totals row, and the
total in words beneath it. The same data gives the same bytes: workbook properties and the zip
entries' timestamps are fixed, so an export made after rebuilding the views from zero is
byte-identical to one made before.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.money import dong_in_words, format_dong
from services.presentation.totals import (
    COUNTED_KINDS,
    TOTAL_LABEL,
    counts_text,
    not_stated_text,
    recipients_of,
)

MONEY_FORMAT = '#,##0 "đ"'
_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass
class Column:
    header: str
    width: int = 18
    money: bool = False


@dataclass
class Table:
    """One sheet: a title, columns, rows, and which column holds money (for the totals row)."""

    title: str
    columns: list[Column]
    rows: list[Sequence[Any]]
    subtitle: str = ""
    total_amount: int | None = None
    total_label: str = TOTAL_LABEL
    notes: list[str] = field(default_factory=list)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    if table.total_amount is not None or table.notes:
        money_at = next((i for i, c in enumerate(table.columns) if c.money), None)
        total = [""] * len(table.columns)
        total[0] = table.total_label
        if money_at is not None:
            total[money_at] = "" if table.total_amount is None else table.total_amount
        writer.writerow(total)
        if table.total_amount is not None:
            writer.writerow([f"Bằng chữ: {dong_in_words(table.total_amount)}"])
        for note in table.notes:
            writer.writerow([note])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31] or "Sheet1"
    wb.properties.creator = "TĐKT"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    width = len(table.columns)
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([table.subtitle] if table.subtitle else [])
    ws.append([c.header for c in table.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table.rows:
        ws.append(list(row))
    first_data, last_data = header_row + 1, ws.max_row
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.money:
            for r in range(first_data, last_data + 1):
                ws[f"{letter}{r}"].number_format = MONEY_FORMAT
    money_at = next((i for i, c in enumerate(table.columns, start=1) if c.money), None)
    if table.rows or table.total_amount is not None:
        total_row = [table.total_label] + [None] * (width - 1)
        if money_at is not None:
            total_row[money_at - 1] = table.total_amount
        ws.append(total_row)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        if money_at is not None:
            ws.cell(row=ws.max_row, column=money_at).number_format = MONEY_FORMAT
        if table.total_amount is not None:
            ws.append([f"Bằng chữ: {dong_in_words(table.total_amount)}"])
            ws.cell(row=ws.max_row, column=1).font = Font(italic=True)
    for note in table.notes:
        ws.append([note])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    raw = io.BytesIO()
    wb.save(raw)
    return _stable_zip(raw.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps (zipfile stamps entries with the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps "modified" with the time of saving, whatever was set before
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            target.writestr(fixed, data)
    return out.getvalue()


# -- the tables offices ask for -----------------------------------------------------------------

REGISTRY_COLUMNS = [
    Column("STT", 6), Column("Họ tên / tập thể", 32), Column("Đối tượng", 10),
    Column("Đơn vị", 40), Column("Hình thức khen thưởng", 40), Column("Thành tích năm", 12),
    Column("Số quyết định", 16), Column("Ngày quyết định", 14), Column("Cơ quan ban hành", 32),
    Column("Số tiền (đồng)", 16, money=True), Column("Căn cứ số tiền", 22),
    Column("Tình trạng", 14),
]


def registry_table(title: str, lines: list[dict[str, Any]], totals: dict[str, Any],
                   subtitle: str = "") -> Table:
    rows = []
    for index, line in enumerate(lines, start=1):
        status = line["status_label"]
        if line["revoked_on"]:
            status += f" từ {line['revoked_on']}"
        rows.append([
            index, line["recipient"]["name"], line["recipient"]["kind_label"],
            line["unit_path_text"], line["award_title"], line["period"],
            line["decision"]["number"], line["decision"]["decided_on"],
            line["decision"]["issuer_name"], line["amount"], line["amount_source_label"], status,
        ])
    total = totals["total"]
    notes = [total["summary"]]
    if total["lines_without_amount"]:
        notes.append(f"{not_stated_text(total['lines_without_amount'])}, không tính vào "
                     "tổng tiền.")
    return Table(title=title, subtitle=subtitle, columns=REGISTRY_COLUMNS, rows=rows,
                 total_amount=total["amount"], notes=notes)


# each recipient kind counted once however many awards it received ("Tập thể": distinct
# collectives), the awards beside them ("Số khen thưởng": award lines), and the counts in words
# ("1 tập thể nhận 2 hình thức khen thưởng, 30 cá nhân")
TOTALS_COLUMNS = [
    Column("Nhóm", 48), Column("Tập thể", 10), Column("Cá nhân", 10), Column("Hộ gia đình", 12),
    Column("Số khen thưởng", 12), Column("Số tiền (đồng)", 18, money=True),
    Column("Dòng không ghi số tiền", 14), Column("Diễn giải", 48),
]


def totals_row(label: str, total: dict[str, Any]) -> list[Any]:
    """One row of a totals sheet (``TOTALS_COLUMNS``)."""
    return [label, *(recipients_of(total, kind) for kind in COUNTED_KINDS), total["lines"],
            total["amount"], total["lines_without_amount"], counts_text(total)]


def totals_table(title: str, totals: dict[str, Any], subtitle: str = "",
                 notes: list[str] | None = None) -> Table:
    rows = [totals_row(g["label"], g) for g in totals["groups"]]
    total = totals["total"]
    return Table(title=title, subtitle=subtitle, columns=TOTALS_COLUMNS, rows=rows,
                 total_amount=total["amount"], notes=[total["summary"], *(notes or [])])


def ceremony_notes(reconciliation: dict[str, Any]) -> list[str]:
    """The announced total beside the computed one, for the foot of a ceremony's sheet; then
    each announced figure (money, counts) with its comparison and source
    (``services.presentation.announcements``). An approximate or "at least" total is said as
    announced ("khoảng 100.000.000 đ"), and its difference is not called unexplained when the
    qualifier allows it."""
    notes = []
    figures = reconciliation.get("figures") or []
    money = next((f for f in figures if f["what"] == "amount"), None)
    if reconciliation.get("announced") is not None:
        said = money["announced_text"] if money else format_dong(reconciliation["announced"])
        notes.append(f"Tổng số tiền công bố: {said}")
        computed = format_dong(reconciliation["computed"], "không quyết định nào ghi số tiền")
        notes.append(f"Tổng tính từ các quyết định: {computed}")
        difference = reconciliation.get("difference")
        if difference and (money is None or not money["agrees"]):
            notes.append(f"Chênh lệch chưa giải thích: {format_dong(difference)}")
    notes.extend(f"Đối chiếu {f['label'].lower()}: {f['sentence']}"
                 + (f" Nguồn: {f['source']}." if f.get("source") else "") for f in figures)
    if reconciliation.get("lines_without_amount"):
        notes.append(not_stated_text(reconciliation["lines_without_amount"]))
    return notes
