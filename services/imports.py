"""Lists read from spreadsheets: the list of a decision's recipients as an XLSX file (the
template offices fill in, and the reader of what they upload).

An upload is checked by its content, not its name: it must be an XLSX workbook (a ZIP holding
``xl/workbook.xml``), no larger than ``MAX_UPLOAD_BYTES``, whose parts unpack to no more than
``MAX_UNPACKED_BYTES`` (a small file that unpacks to gigabytes is refused before it is opened),
with at most ``MAX_ROWS`` rows of recipients. A file that cannot be read at all is a
``ValidationFailed``; a readable file answers its rows *and* every row's problems with the row
number people see in Excel (``ImportedList``): the caller records nothing while there is one.

Rows come out as the decision form's own fields, as text (``LINE_FIELDS``): what a person would
have typed in the form — codes for the recipient kind, gender, award kind and amount mode; the
unit as its name (the caller finds the unit); digits for the birth year and the amount.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.errors import ValidationFailed
from domain.pricing import AMOUNT_MODE_LABELS, AMOUNT_MODES
from domain.text import fold, nfc_multiline
from services import sheets
from services.sheets import cell_text

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_ROWS = sheets.MAX_ROWS
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (field, header, width): the template's columns, in order; STT (column A) is not read.
COLUMNS = (
    ("name", "Họ tên / tên tập thể", 30),
    ("kind", "Đối tượng", 14),
    ("gender", "Giới tính", 10),
    ("birth_year", "Năm sinh", 10),
    ("position", "Chức vụ", 24),
    ("citizen_id", "Số CCCD", 16),
    ("unit", "Đơn vị", 30),
    ("award_kind", "Hình thức khen thưởng", 34),
    ("period", "Thời gian thành tích", 16),
    ("achievement", "Thành tích", 40),
    ("mode", "Cách ghi số tiền", 26),
    ("amount", "Số tiền (đồng)", 16),
)
LINE_FIELDS = tuple(name for name, _, _ in COLUMNS)
# other headings people write for the same column (folded)
_ALIASES = {
    "ho ten": "name", "ho va ten": "name", "ten": "name", "ten tap the": "name",
    "doi tuong": "kind", "loai doi tuong": "kind", "gioi tinh": "gender",
    "nam sinh": "birth_year", "chuc vu": "position", "cccd": "citizen_id",
    "so cccd": "citizen_id", "so cccd/cmnd": "citizen_id", "don vi": "unit",
    "hinh thuc": "award_kind", "hinh thuc khen thuong": "award_kind",
    "danh hieu": "award_kind", "thoi gian": "period", "nam": "period",
    "thoi gian thanh tich": "period", "thanh tich": "achievement",
    "cach ghi so tien": "mode", "so tien": "amount", "so tien (dong)": "amount",
    "tien thuong": "amount",
}
_KINDS = {fold(label): code for code, label in RECIPIENT_LABELS.items()} | {
    code: code for code in RECIPIENT_LABELS} | {"ho": "household", "ho gd": "household"}
_GENDERS = {"nu": "female", "nam": "male", "female": "female", "male": "male"}
_MODES = {fold(label): code for code, label in AMOUNT_MODE_LABELS.items()} | {
    code: code for code in AMOUNT_MODES} | {
    "tinh": "computed", "tinh theo quy dinh": "computed", "theo quy dinh": "computed",
    "theo quyet dinh": "decided", "quyet dinh ghi": "decided",
    "khong ghi": "not_stated", "khong ghi so tien": "not_stated"}
_MONEY_TEXT = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})*$|^\d+$")


@dataclass
class ImportedList:
    """What a readable file holds: its rows (the form's fields, as text, with ``row``: the row
    number in the sheet) and each row's problems as (row number, message)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


# -- the template -------------------------------------------------------------------------------


def kind_label(code: str) -> str:
    """An award kind as the template lists it (its full title)."""
    return catalog().kind(code).title


def decision_template() -> bytes:
    """The XLSX list offices fill in: Vietnamese headers, drop-down lists for the fixed
    choices, the catalog of award kinds and a short guide on their own sheets."""
    book, sheet = sheets.list_workbook(COLUMNS)
    letters = sheets.column_letters(COLUMNS)
    # as text: Excel would drop a CCCD's leading zeros
    sheet.column_dimensions[letters["citizen_id"]].number_format = "@"

    kinds = list(catalog().kinds.values())
    recipient_labels = [label for label in RECIPIENT_LABELS.values()]
    mode_labels = [AMOUNT_MODE_LABELS[mode] for mode in AMOUNT_MODES]
    sheets.catalog_sheet(
        book, ["Hình thức khen thưởng", "Mã", "Đối tượng", "Cách ghi số tiền"],
        ([kind.title, kind.code,
          recipient_labels[index] if index < len(recipient_labels) else None,
          mode_labels[index] if index < len(mode_labels) else None]
         for index, kind in enumerate(kinds)), [60, 30, 14, 30])
    quoted = f"'{sheets.CATALOG_SHEET}'"
    sheets.add_choices(sheet, letters["kind"], f"{quoted}!$C$2:$C${len(recipient_labels) + 1}")
    sheets.add_choices(sheet, letters["gender"], '"Nữ,Nam"')
    sheets.add_choices(sheet, letters["award_kind"], f"{quoted}!$A$2:$A${len(kinds) + 1}")
    sheets.add_choices(sheet, letters["mode"], f"{quoted}!$D$2:$D${len(mode_labels) + 1}")
    sheets.guide_sheet(book, "Danh sách kèm theo quyết định khen thưởng — cách điền", (
        "Mỗi hàng của trang «Danh sách» là một người, tập thể hoặc hộ gia đình được khen thưởng. "
        "Hàng trống được bỏ qua; không đổi tên các cột.",
        "Đối tượng: cá nhân, tập thể hoặc hộ gia đình (để trống là cá nhân).",
        "Tập thể là chính một đơn vị của Hội: để trống cột «Họ tên / tên tập thể» (hoặc ghi đúng "
        "tên đơn vị) và ghi tên đơn vị ở cột «Đơn vị».",
        "Đơn vị: tên đơn vị như trong hệ thống (ví dụ «Hội LHPN phường Xuân Đỉnh»).",
        "Hình thức khen thưởng: chọn trong danh sách (trang «Danh mục»), hoặc ghi mã; để trống "
        "là hình thức mặc định của quyết định.",
        "Cách ghi số tiền: «Tính theo quy định» (hệ thống tính và giải thích), «Theo số tiền "
        "quyết định ghi» (ghi số tiền ở cột cuối), «Quyết định không ghi số tiền». Để trống: có "
        "số tiền là theo quyết định, không có là theo mặc định của quyết định.",
        "Số tiền: số nguyên, đơn vị đồng (ví dụ 1500000 hoặc 1.500.000).",
        "Số CCCD: 12 chữ số (nếu có), ghi dạng văn bản để giữ số 0 ở đầu.",
        "Ví dụ: Nguyễn Thị Lan | cá nhân | Nữ | 1980 | Chi hội trưởng | | Hội LHPN phường Xuân "
        "Đỉnh | Giấy khen của Hội Liên hiệp Phụ nữ | 2024 | | Theo số tiền quyết định ghi | "
        "300000",
        f"Tối đa {MAX_ROWS} hàng, tệp không quá {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    ))
    return sheets.workbook_bytes(book)


# -- reading an upload --------------------------------------------------------------------------


def check_upload(data: bytes) -> None:
    """Refuse what is not a small XLSX workbook, by its content."""
    if not data:
        raise ValidationFailed(reason="tệp tải lên trống")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            reason=f"tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)")
    not_xlsx = ValidationFailed(
        reason="tệp tải lên không phải bảng tính Excel (.xlsx); hãy dùng tệp mẫu")
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            unpacked = sum(part.file_size for part in parts)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_xlsx from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise not_xlsx
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationFailed(reason="tệp giải nén quá lớn; hãy chia danh sách thành nhiều tệp")


def read_decision_lines(data: bytes) -> ImportedList:
    """The rows of an uploaded list (``decision_template``'s layout, read by
    ``services.sheets.read_table``) with every row's problems."""
    check_upload(data)
    found = ImportedList()
    for number, cells in sheets.read_table(
            data, _heading, split_hint="nhiều quyết định hoặc nhiều tệp",
            no_header="không tìm thấy hàng tiêu đề (cần các cột «Họ tên / tên tập thể», «Đối "
                      "tượng», «Đơn vị»…); hãy dùng tệp mẫu"):
        row, problems = _row(cells)
        row["row"] = number
        found.rows.append(row)
        found.errors.extend((number, problem) for problem in problems)
    return found


_heading = sheets.heading_reader(COLUMNS, _ALIASES)
_blank = sheets.blank
LINE_ALIASES = _ALIASES  # other headings of these columns, for lists that hold them too


def parse_line(cells: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One row of a decision's list (cells by the fields of ``COLUMNS``; others are ignored) as
    the form's text fields, with what is wrong with it: the reader of a list above, and of the
    lists of past decisions (``services.past_imports``)."""
    return _row(cells)



def _row(cells: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One row as the form's fields, with what is wrong with it."""
    problems: list[str] = []
    row: dict[str, Any] = {name: "" for name in LINE_FIELDS}
    row["name"] = cell_text(cells.get("name"))
    row["position"] = cell_text(cells.get("position"))
    row["unit"] = cell_text(cells.get("unit"))
    row["period"] = cell_text(cells.get("period"))
    row["achievement"] = nfc_multiline(str(cells.get("achievement") or ""))

    kind = fold(cell_text(cells.get("kind")))
    row["kind"] = _KINDS.get(kind, "") if kind else "individual"
    if kind and not row["kind"]:
        problems.append(f"đối tượng «{cell_text(cells.get('kind'))}» không rõ (cá nhân, tập thể "
                        "hoặc hộ gia đình)")
    gender = fold(cell_text(cells.get("gender")))
    row["gender"] = _GENDERS.get(gender, "") if gender else ""
    if gender and not row["gender"]:
        problems.append(f"giới tính «{cell_text(cells.get('gender'))}» không rõ (nữ hoặc nam)")

    birth = cells.get("birth_year")
    if isinstance(birth, (datetime, date)):
        row["birth_year"] = str(birth.year)
    elif not _blank(birth):
        text = cell_text(birth)
        if text.isascii() and text.isdigit() and len(text) == 4:
            row["birth_year"] = text
        else:
            problems.append(f"năm sinh «{text}» không hợp lệ (4 chữ số)")

    citizen = cells.get("citizen_id")
    if isinstance(citizen, (int, float)) and not isinstance(citizen, bool):
        digits = str(int(citizen))  # a number cell lost its leading zeros: put them back
        row["citizen_id"] = digits.zfill(9 if len(digits) <= 9 else 12)
    else:
        row["citizen_id"] = cell_text(citizen)

    award = cell_text(cells.get("award_kind"))
    if award:
        # a form the catalogue does not know is kept as the source states it: an outside
        # decision records it as such (awaiting mapping); a Union unit's own decision refuses
        # it with the row's number (``award_kind.as_stated_internal``)
        code = _award_code(award)
        row["award_kind"] = code or ""
        if code is None:
            row["award_as_stated"] = award

    mode = fold(cell_text(cells.get("mode")))
    if mode:
        row["mode"] = _MODES.get(mode, "")
        if not row["mode"]:
            problems.append(f"cách ghi số tiền «{cell_text(cells.get('mode'))}» không rõ")

    amount = cells.get("amount")
    if not _blank(amount):
        value = _amount(amount)
        if value is None:
            problems.append(
                f"số tiền «{cell_text(amount)}» không hợp lệ (số nguyên đồng, không âm)")
        else:
            row["amount"] = str(value)
    if not row["name"] and not (row["kind"] == "collective" and row["unit"]):
        problems.append("thiếu họ tên / tên tập thể")
    return row, problems


def _award_code(text: str) -> str | None:
    kinds = catalog().kinds
    if text in kinds:
        return text
    folded = fold(text)
    for kind in kinds.values():
        if folded in (fold(kind.title), fold(kind.short_title), kind.code):
            return kind.code
    return None


def _amount(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value).strip().removesuffix("đ").removesuffix("đồng").strip()
    if not _MONEY_TEXT.match(text):
        return None
    return int(re.sub(r"[.,\s]", "", text))
