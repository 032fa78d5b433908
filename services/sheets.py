"""What every uploaded or downloaded list shares (the decision's list of recipients, the tờ
trình's list of candidates): the workbook's "Danh sách" sheet with bold Vietnamese headers and
drop-down choices, a guide sheet, and the reader that finds the header row among the first ten
rows and the columns by their heading in any order.

The checks of a file as such (an XLSX workbook by its content, its size, no ZIP bomb) are
``services.imports.check_upload``; each list's module knows its columns and what a row means.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from domain.errors import ValidationFailed
from domain.text import fold, nfc

MAX_ROWS = 5000
SHEET = "Danh sách"
CATALOG_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"
HEADER_ROWS_SEARCHED = 10
Columns = tuple[tuple[str, str, int], ...]  # (field, header, width), after column A (STT)
UNREADABLE = "không đọc được bảng tính Excel; hãy dùng tệp mẫu"


# -- writing ------------------------------------------------------------------------------------


def list_workbook(columns: Columns, *, stt_width: int = 6) -> tuple[Workbook, Any]:
    """A workbook whose first sheet (``SHEET``) has "STT" and ``columns``' headers in bold, the
    widths given, the header row frozen."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["STT", *(header for _, header, _ in columns)])
    sheet.column_dimensions["A"].width = stt_width
    for index, (_, _, width) in enumerate(columns, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "B2"
    return book, sheet


def column_letters(columns: Columns) -> dict[str, str]:
    return {name: get_column_letter(i) for i, (name, _, _) in enumerate(columns, start=2)}


def add_choices(sheet: Any, letter: str, source: str, *, last_row: int = MAX_ROWS + 1) -> None:
    """A drop-down list on column ``letter`` (rows 2..``last_row``): ``source`` is a quoted list
    ('"Nữ,Nam"') or a range of another sheet."""
    rule = DataValidation(type="list", formula1=source, allow_blank=True)
    rule.error = "Chọn một giá trị trong danh sách."
    rule.errorTitle = "Giá trị không hợp lệ"
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{last_row}")


def catalog_sheet(book: Workbook, headers: list[str], rows: Iterable[list[Any]],
                  widths: list[int]) -> Any:
    listing = book.create_sheet(CATALOG_SHEET)
    listing.append(headers)
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for row in rows:
        listing.append(row)
    for index, width in enumerate(widths, start=1):
        listing.column_dimensions[get_column_letter(index)].width = width
    return listing


def guide_sheet(book: Workbook, title: str, lines: Iterable[str]) -> None:
    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    for text in (title, *lines):
        guide.append([text])
        guide.cell(row=guide.max_row, column=1).alignment = Alignment(wrap_text=True)
    guide["A1"].font = Font(bold=True)


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------------


def heading_reader(columns: Columns, aliases: Mapping[str, str]
                   ) -> Callable[[Any], str | None]:
    """The field a header cell names: its header (diacritics, case, a trailing ":" or "*"
    ignored) or one of the other ``aliases`` people write (folded)."""
    headers = {fold(header): name for name, header, _ in columns}

    def heading(value: Any) -> str | None:
        if value is None:
            return None
        text = fold(str(value)).strip().rstrip(":*").strip()
        return headers.get(text) or aliases.get(text)

    return heading


def cell_text(value: Any) -> str:
    """A cell as text: "" for an empty one, 1980.0 as "1980", a date as dd/mm/yyyy, NFC."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(data: bytes, heading: Callable[[Any], str | None], *, split_hint: str,
               no_header: str, skip: Callable[[tuple[Any, ...]], bool] | None = None
               ) -> list[tuple[int, dict[str, Any]]]:
    """The rows of an uploaded list (already checked as a file) as (row number in Excel,
    {field: value}): the sheet ``SHEET`` (or the first); the header row is the first of the
    first ten with a "name" column and at least three known ones; blank rows and those
    ``skip`` names are left out. Refused: an unreadable workbook, no header row (``no_header``
    says which columns), no row, more than ``MAX_ROWS`` (``split_hint`` says how to split)."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise ValidationFailed(reason=UNREADABLE) from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        return _rows(sheet.iter_rows(values_only=True), heading, split_hint, no_header, skip)
    except ValidationFailed:
        raise
    except Exception:  # a damaged part found only while reading the rows
        raise ValidationFailed(reason=UNREADABLE) from None
    finally:
        book.close()


def _rows(rows: Iterable[Any], heading: Callable[[Any], str | None], split_hint: str,
          no_header: str, skip: Callable[[tuple[Any, ...]], bool] | None
          ) -> list[tuple[int, dict[str, Any]]]:
    found: list[tuple[int, dict[str, Any]]] = []
    columns: dict[int, str] | None = None
    for number, values in enumerate(rows, start=1):
        values = values or ()
        if columns is None:
            guess = {i: name for i, value in enumerate(values) if (name := heading(value))}
            if "name" in guess.values() and len(guess) >= 3:
                columns = guess
            elif number >= HEADER_ROWS_SEARCHED:
                break
            continue
        if skip is not None and skip(values):
            continue
        cells = {name: values[i] for i, name in columns.items() if i < len(values)}
        if all(blank(value) for value in cells.values()):
            continue
        if len(found) >= MAX_ROWS:
            raise ValidationFailed(reason=f"danh sách có quá nhiều hàng (tối đa {MAX_ROWS}); "
                                          f"hãy chia thành {split_hint}")
        found.append((number, cells))
    if columns is None:
        raise ValidationFailed(reason=no_header)
    if not found:
        raise ValidationFailed(reason="danh sách trong tệp không có hàng nào")
    return found
