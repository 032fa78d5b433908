"""A tờ trình's list of candidates as an XLSX file: the template nominators fill in, and the
reader of what they upload (issue 16).

The upload is checked as the decision lists are (``services.imports.check_upload``: an XLSX
workbook by its content, at most ``MAX_UPLOAD_BYTES``, not a ZIP bomb). A file that cannot be
read at all is a ``ValidationFailed``; a readable one gives its rows, each as the tờ trình
form's own text fields (``CANDIDATE_FIELDS``) with ``row``, its row number in Excel. Values the
reader recognises become the form's codes (recipient kind, gender, award kind); anything else
is kept as it was written, so that the form shows it beside its error and the person fixes it
there: every check of a row is made once, by the form (``services.web.submission_form``), for
typed and uploaded rows alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.styles import Font

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.text import fold, nfc_multiline
from services import sheets
from services.imports import MAX_UPLOAD_BYTES, XLSX_MEDIA, check_upload

__all__ = ["CANDIDATE_FIELDS", "MAX_ROWS", "MAX_UPLOAD_BYTES", "XLSX_MEDIA", "CandidateList",
           "read_candidates", "submission_template"]

MAX_ROWS = sheets.MAX_ROWS
EXAMPLE_MARK = "Ví dụ"  # column A of the example row: the reader skips it

# (field, header, width): the template's columns in order; STT (column A) is not read.
COLUMNS = (
    ("kind", "Đối tượng", 14),
    ("name", "Họ tên / tên tập thể", 30),
    ("gender", "Giới tính", 10),
    ("birth_year", "Năm sinh", 10),
    ("position", "Chức vụ", 24),
    ("unit", "Đơn vị", 30),
    ("award_kind", "Hình thức khen thưởng", 40),
    ("achievement", "Thành tích", 50),
    ("period", "Thời gian thành tích", 16),
)
CANDIDATE_FIELDS = tuple(name for name, _, _ in COLUMNS)
_ALIASES = {
    "ho ten": "name", "ho va ten": "name", "ten": "name", "ten tap the": "name",
    "doi tuong": "kind", "loai doi tuong": "kind", "gioi tinh": "gender",
    "nam sinh": "birth_year", "chuc vu": "position", "don vi": "unit",
    "hinh thuc": "award_kind", "hinh thuc khen thuong": "award_kind",
    "danh hieu": "award_kind", "thoi gian": "period", "thoi gian thanh tich": "period",
    "nam": "period", "thanh tich": "achievement",
}
_KINDS = {fold(label): code for code, label in RECIPIENT_LABELS.items()} | {
    code: code for code in RECIPIENT_LABELS} | {"ho": "household", "ho gd": "household"}
_GENDERS = {"nu": "female", "nam": "male", "female": "female", "male": "male"}
EXAMPLE = ("cá nhân", "Nguyễn Thị Lan", "Nữ", 1980, "Chi hội trưởng",
           "Hội LHPN phường Xuân Đỉnh", "Giấy khen của Hội Liên hiệp Phụ nữ",
           "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2024", "2024")


@dataclass
class CandidateList:
    """The rows of a readable file: the form's fields as text, and ``row`` (Excel's number)."""

    rows: list[dict[str, Any]] = field(default_factory=list)


# -- the template -------------------------------------------------------------------------------


def submission_template() -> bytes:
    """The XLSX list nominators fill in: Vietnamese headers, drop-down lists for the recipient
    kind, gender and award kind, an example row (skipped when read), the catalog and a short
    guide on their own sheets."""
    book, sheet = sheets.list_workbook(COLUMNS, stt_width=7)
    sheet.append([EXAMPLE_MARK, *EXAMPLE])
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="666666")

    kinds = list(catalog().kinds.values())
    sheets.catalog_sheet(
        book, ["Hình thức khen thưởng", "Mã", "Dành cho"],
        ([kind.title, kind.code, ", ".join(RECIPIENT_LABELS[k] for k in kind.recipients)]
         for kind in kinds), [70, 32, 34])
    letters = sheets.column_letters(COLUMNS)
    last = sheets.MAX_ROWS + 2  # the example row, then the rows
    sheets.add_choices(sheet, letters["kind"], '"' + ",".join(RECIPIENT_LABELS.values()) + '"',
                       last_row=last)
    sheets.add_choices(sheet, letters["gender"], '"Nữ,Nam"', last_row=last)
    sheets.add_choices(sheet, letters["award_kind"],
                       f"'{sheets.CATALOG_SHEET}'!$A$2:$A${len(kinds) + 1}", last_row=last)
    sheets.guide_sheet(book, "Danh sách kèm theo tờ trình đề nghị khen thưởng — cách điền", (
        "Mỗi hàng của trang «Danh sách» là một người, tập thể hoặc hộ gia đình được đề nghị. "
        "Hàng «Ví dụ» và hàng trống được bỏ qua; không đổi tên các cột.",
        "Đối tượng: cá nhân, tập thể hoặc hộ gia đình (để trống là cá nhân).",
        "Giới tính và năm sinh (4 chữ số) chỉ ghi cho cá nhân.",
        "Đơn vị: tên đơn vị trong hệ thống, thuộc đơn vị đề nghị (để trống là chính đơn vị "
        "đề nghị). Tập thể là chính một đơn vị của Hội: để trống cột «Họ tên / tên tập thể» "
        "và ghi tên đơn vị ở cột «Đơn vị».",
        "Hình thức khen thưởng: chọn trong danh sách (trang «Danh mục»), hoặc ghi mã.",
        "Thành tích và thời gian thành tích (ví dụ 2024, hoặc 2021 - 2025) là bắt buộc.",
        f"Tối đa {MAX_ROWS} hàng, tệp không quá {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    ))
    return sheets.workbook_bytes(book)


# -- reading an upload --------------------------------------------------------------------------

_heading = sheets.heading_reader(COLUMNS, _ALIASES)


def _example(values: tuple[Any, ...]) -> bool:
    return bool(values) and fold(str(values[0] or "")).strip() == fold(EXAMPLE_MARK)


def read_candidates(data: bytes) -> CandidateList:
    """The rows of an uploaded list (``services.sheets.read_table``), each as the form's
    fields."""
    check_upload(data)
    found = CandidateList()
    for number, cells in sheets.read_table(
            data, _heading, split_hint="nhiều tờ trình", skip=_example,
            no_header="không tìm thấy hàng tiêu đề (cần các cột «Đối tượng», «Họ tên / tên tập "
                      "thể», «Hình thức khen thưởng»…); hãy dùng tệp mẫu"):
        row = _row(cells)
        row["row"] = number
        found.rows.append(row)
    return found


def _text(value: Any) -> str:
    return sheets.cell_text(value)[:2000]


def _row(cells: dict[str, Any]) -> dict[str, Any]:
    """One row as the form's fields: codes where the value is recognised, else as written."""
    row: dict[str, Any] = {name: _text(cells.get(name)) for name in CANDIDATE_FIELDS}
    row["achievement"] = nfc_multiline(_text(cells.get("achievement")))[:10_001]
    kind = fold(row["kind"])
    row["kind"] = _KINDS.get(kind, row["kind"]) if kind else "individual"
    gender = fold(row["gender"])
    row["gender"] = _GENDERS.get(gender, row["gender"]) if gender else ""
    birth = cells.get("birth_year")
    if isinstance(birth, (datetime, date)):
        row["birth_year"] = str(birth.year)
    if row["award_kind"]:
        row["award_kind"] = award_code(row["award_kind"]) or row["award_kind"]
    return row


def award_code(text: str) -> str | None:
    """An award kind as people write it (its title, short title or code), or None."""
    kinds = catalog().kinds
    if text in kinds:
        return text
    folded = fold(text)
    for kind in kinds.values():
        if folded in (fold(kind.title), fold(kind.short_title), kind.code):
            return kind.code
    return None
