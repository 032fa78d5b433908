"""Past decisions imported from a spreadsheet: the years of award lists an awards office keeps in
Excel (or CSV), several decisions in one file, each recorded as a decision of its issuer.

**The file** (``template()``; its guide sheet says the same in Vietnamese). Every sheet but the
guide and the catalogue holds a list whose header row has the columns of a decision's list
(``services.imports.COLUMNS``: name, kind, gender, birth year, position, CCCD, unit, award kind,
period, achievement, amount mode, amount) and the decision's own columns (``DECISION_COLUMNS``:
number, date, the issuer's kind, level and name, signer and title). A row's decision comes from
its own decision columns; a blank one is taken from the sheet's *header block* — label / value
rows above the header row ("Số quyết định" | "35/QĐ-UBND"; also "Trích yếu", "Căn cứ"). So one
template serves both ways an office keeps its lists:

* one decision per sheet: the header block filled in, the decision columns left blank;
* one list of many decisions: the decision columns filled in on every row (a row whose decision
  columns are all blank continues the decision of the row above).

Rows are grouped into decisions by issuer name, number and year (as the number's uniqueness
reads them); the rows of one decision agree on its date, issuer and signer. A CSV file (UTF-8,
with or without BOM, comma or semicolon) is one sheet. Limits as the other lists: at most
``MAX_ROWS`` rows in the file, ``MAX_UPLOAD_BYTES``; an XLSX checked by content
(``services.imports.check_upload``).

**Checks (the dry run).** A row's mistakes (``services.imports.parse_line``, then its unit) belong
to its decision; a mistake in a decision column or in the header block (a date that is no date, a
row without a number) belongs to every decision of its sheet: a row whose decision is unknown
must not leave a decision recorded without it. Each decision is then built as the office's form
builds one and checked by ``Decisions.preview`` (permission, authority, units, money, the awards
already held); a number already recorded for that issuer that year is reported (``exists``) and
not recorded again; two decisions of the file that would give one achievement twice are refused.

**Recording**: all or nothing per decision — each valid one through ``Decisions.issue_decision``
(one transaction each, as an outside decision recorded by the office's unit, or, when the issuer
is a Union unit within it, as that unit's decision); the others are listed with their reasons.

**People.** A line whose recipient key (``domain.recipients.Recipient.key``: the citizen ID, or
the folded name and birth year) is already in the registry is that person: her history shows
every award. An individual not matched whose name is in the registry is shown with those
namesakes (name, birth year, unit of the latest award) for the office to check; the office may
correct the file (add the CCCD or the birth year) and import again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from openpyxl import load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from domain.catalog import BODIES, BODY_LABELS, RECIPIENT_LABELS, catalog
from domain.dates import EARLIEST, LATEST
from domain.errors import DecisionNumberTaken, DomainError, ValidationFailed
from domain.guards import Claim, decision_number_claim, line_claims, number_key
from domain.pricing import AMOUNT_MODE_LABELS, AMOUNT_MODES
from domain.recipients import Recipient
from domain.text import fold, nfc, nfc_multiline
from projections.queries import Page
from services import imports, sheets
from services import representations as rep
from services.app import Runtime
from services.authz import Actor
from services.decision_rows import UnitFinder, raw_line
from services.decisions import DecisionDraft, LinesRefused
from services.sheets import cell_text

MAX_UPLOAD_BYTES = imports.MAX_UPLOAD_BYTES
MAX_ROWS = imports.MAX_ROWS
MAX_DECISIONS = 500
HEADER_ROWS = 20  # rows searched for the header row (the header block sits above it)
MAX_CANDIDATES = 10  # namesakes shown per row
CSV_SHEET = "Tệp CSV"
TEMPLATE_NAME = "mau-nhap-quyet-dinh-cu.xlsx"
XLSX_MEDIA = imports.XLSX_MEDIA

DECISION_COLUMNS = (
    ("number", "Số quyết định", 16),
    ("decided_on", "Ngày quyết định", 14),
    ("issuer_body", "Loại cơ quan ban hành", 20),
    ("issuer_level", "Cấp cơ quan ban hành", 18),
    ("issuer_name", "Cơ quan ban hành", 30),
    ("signer_name", "Người ký", 22),
    ("signer_title", "Chức vụ người ký", 24),
)
COLUMNS = (*DECISION_COLUMNS, *imports.COLUMNS)
DECISION_FIELDS = tuple(name for name, _, _ in DECISION_COLUMNS)
BLOCK_FIELDS = (*DECISION_FIELDS, "subject", "legal_basis")
BLOCK_LABELS = {**{name: header for name, header, _ in DECISION_COLUMNS},
                "subject": "Trích yếu", "legal_basis": "Căn cứ"}
# the decision's fields that its rows must agree on (the number, issuer and year group them)
AGREED = ("decided_on", "issuer_body", "issuer_level", "signer_name", "signer_title")
_DECISION_ALIASES = {
    "so qd": "number", "so quyet dinh": "number", "so hieu quyet dinh": "number",
    "ngay qd": "decided_on", "ngay ky": "decided_on", "ngay ban hanh": "decided_on",
    "ngay quyet dinh": "decided_on",
    "loai co quan": "issuer_body", "loai co quan ban hanh": "issuer_body",
    "cap": "issuer_level", "cap co quan": "issuer_level", "cap ban hanh": "issuer_level",
    "co quan ban hanh": "issuer_name", "ten co quan ban hanh": "issuer_name",
    "noi ban hanh": "issuer_name", "nguoi ky": "signer_name", "ho ten nguoi ky": "signer_name",
    "chuc vu nguoi ky": "signer_title",
}
_BLOCK_ALIASES = {**_DECISION_ALIASES, "so": "number", "ngay": "decided_on", "ve viec": "subject",
                  **{fold(label): name for name, label in BLOCK_LABELS.items()}}
_heading = sheets.heading_reader(COLUMNS, {**imports.LINE_ALIASES, **_DECISION_ALIASES})
_blank = sheets.blank
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LINE_WORD = re.compile(r"\b([Dd])òng (\d+)")
_LINE_PREFIX = re.compile(r"^\s*[Dd]òng \d+\s*[:—–-]\s*")

# statuses of a decision of the file
READY, INVALID, EXISTS, RECORDED, REFUSED = "ready", "invalid", "exists", "recorded", "refused"
STATUS_LABELS = {
    READY: "Sẽ ghi nhận",
    INVALID: "Có lỗi — không ghi",
    EXISTS: "Đã có trong hệ thống — không ghi lại",
    RECORDED: "Đã ghi nhận",
    REFUSED: "Không ghi được",
}


def _bodies() -> dict[str, str]:
    named = {fold(label): code for code, label in BODY_LABELS.items()}
    extra = {"hoi lien hiep phu nu": "union", "hoi lhpn": "union", "hoi phu nu": "union",
             "hoi": "union", "nha nuoc": "government", "co quan nha nuoc": "government",
             "chinh quyen": "government"}
    return {**{k: v for k, v in extra.items() if v in BODIES}, **named,
            **{code: code for code in BODIES}}


def _levels() -> dict[str, str]:
    """Each level by its code, its name, each part of its name ("tỉnh", "thành phố") and what
    its name says in brackets ("cơ sở")."""
    out: dict[str, str] = {}
    for level in catalog().levels.values():
        name = fold(level.name)
        inside = re.findall(r"\(([^)]*)\)", name)
        bare = re.sub(r"\([^)]*\)", "", name).strip()
        for key in (*re.split(r"\s*,\s*", bare), *inside, bare, name):
            out.setdefault(key.strip(), level.code)
        out[level.code] = level.code
    return out


# -- what a file holds ------------------------------------------------------------------------


@dataclass
class Problem:
    """Something wrong, in Vietnamese: where (a sheet and its row number as Excel shows it; no
    row: the sheet or the file) and what."""

    sheet: str
    row: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "message": self.message}


@dataclass
class FileDecision:
    """One decision of the file as read: its fields (text; the date ISO, the issuer's kind and
    level as codes), its rows (the form's line fields with ``sheet`` and ``row``) and the
    mistakes read in them."""

    sheet: str
    row: int
    fields: dict[str, str]
    lines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


@dataclass
class ReadFile:
    """A readable file: its decisions and the mistakes of sheets that hold none."""

    name: str
    kind: str  # xlsx | csv
    decisions: list[FileDecision] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the pages carry it from the dry run to the confirmation)."""
        return {"name": self.name, "kind": self.kind, "rows": self.rows,
                "problems": [p.as_dict() for p in self.problems],
                "decisions": [{"sheet": d.sheet, "row": d.row, "fields": d.fields,
                               "lines": d.lines, "sheets": d.sheets,
                               "problems": [p.as_dict() for p in d.problems]}
                              for d in self.decisions]}

    @classmethod
    def from_dict(cls, raw: Any) -> ReadFile:
        """What ``as_dict`` made, read defensively (a carried form may have been altered):
        known keys, text values."""
        raw = raw if isinstance(raw, dict) else {}
        read = cls(name=_str(raw.get("name"))[:200],
                   kind="csv" if raw.get("kind") == "csv" else "xlsx",
                   rows=_int(raw.get("rows")) or 0,
                   problems=[_problem(p) for p in _list(raw.get("problems"))])
        for item in _list(raw.get("decisions"))[:MAX_DECISIONS]:
            item = item if isinstance(item, dict) else {}
            fields = item.get("fields") if isinstance(item.get("fields"), dict) else {}
            if not _str(fields.get("number")):
                continue
            read.decisions.append(FileDecision(
                sheet=_str(item.get("sheet")), row=_int(item.get("row")) or 0,
                fields={name: _str(fields.get(name), name == "legal_basis")
                        for name in BLOCK_FIELDS if fields.get(name)},
                lines=[_line(line) for line in _list(item.get("lines"))[:MAX_ROWS]],
                sheets=[_str(s) for s in _list(item.get("sheets"))],
                problems=[_problem(p) for p in _list(item.get("problems"))]))
        return read


def _str(value: Any, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    return nfc_multiline(value) if multiline else nfc(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _problem(raw: Any) -> Problem:
    raw = raw if isinstance(raw, dict) else {}
    return Problem(_str(raw.get("sheet")), _int(raw.get("row")), _str(raw.get("message")))


def _line(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    line: dict[str, Any] = {name: _str(raw.get(name), name == "achievement")
                            for name in imports.LINE_FIELDS}
    line["sheet"] = _str(raw.get("sheet"))
    line["row"] = _int(raw.get("row"))
    return line


# -- the template -----------------------------------------------------------------------------


def template() -> bytes:
    """The workbook offices fill in: a sheet «Quyết định 1» with the header block and the list
    (the decision's columns first), drop-down lists, the catalogue and the guide."""
    book, sheet = sheets.list_workbook(COLUMNS)
    sheet.title = "Quyết định 1"
    letters = sheets.column_letters(COLUMNS)
    sheet.column_dimensions[letters["citizen_id"]].number_format = "@"
    sheet.column_dimensions[letters["number"]].number_format = "@"
    block = len(BLOCK_FIELDS)
    sheet.insert_rows(1, block + 1)  # the header block above the list's header row
    for index, name in enumerate(BLOCK_FIELDS, start=1):
        sheet.cell(row=index, column=1, value=BLOCK_LABELS[name])
        sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=2)
    header_row = block + 2
    sheet.freeze_panes = f"B{header_row + 1}"
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for index in range(1, block + 1):
        sheet.cell(row=index, column=1).font = Font(bold=True)
    kinds = list(catalog().kinds.values())
    levels = list(catalog().levels.values())
    bodies = [BODY_LABELS[code] for code in BODIES]
    recipients = list(RECIPIENT_LABELS.values())
    modes = [AMOUNT_MODE_LABELS[mode] for mode in AMOUNT_MODES]
    longest = max(len(kinds), len(levels), len(bodies), len(recipients), len(modes))
    sheets.catalog_sheet(
        book, ["Hình thức khen thưởng", "Mã", "Đối tượng", "Cách ghi số tiền",
               "Loại cơ quan ban hành", "Cấp cơ quan ban hành"],
        ([kinds[i].title if i < len(kinds) else None, kinds[i].code if i < len(kinds) else None,
          recipients[i] if i < len(recipients) else None, modes[i] if i < len(modes) else None,
          bodies[i] if i < len(bodies) else None, levels[i].name if i < len(levels) else None]
         for i in range(longest)), [60, 30, 14, 30, 24, 30])
    quoted = f"'{sheets.CATALOG_SHEET}'"
    first, last = header_row + 1, header_row + MAX_ROWS
    choices = {
        "kind": f"{quoted}!$C$2:$C${len(recipients) + 1}",
        "gender": '"Nữ,Nam"',
        "award_kind": f"{quoted}!$A$2:$A${len(kinds) + 1}",
        "mode": f"{quoted}!$D$2:$D${len(modes) + 1}",
        "issuer_body": f"{quoted}!$E$2:$E${len(bodies) + 1}",
        "issuer_level": f"{quoted}!$F$2:$F${len(levels) + 1}",
    }
    for name, source in choices.items():
        rule = DataValidation(type="list", formula1=source, allow_blank=True)
        rule.error, rule.errorTitle = "Chọn một giá trị trong danh sách.", "Giá trị không hợp lệ"
        sheet.add_data_validation(rule)
        rule.add(f"{letters[name]}{first}:{letters[name]}{last}")
        if name in ("issuer_body", "issuer_level"):  # the header block's value cell
            row = BLOCK_FIELDS.index(name) + 1
            rule.add(f"C{row}")
    sheet.cell(row=first, column=1, value="Ví dụ")
    example = {"name": "Nguyễn Thị Lan", "kind": "cá nhân", "gender": "Nữ", "birth_year": 1980,
               "position": "Chi hội trưởng", "unit": "Hội LHPN phường Xuân Đỉnh",
               "award_kind": kinds[0].title if kinds else "", "period": "2019",
               "achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2019",
               "mode": AMOUNT_MODE_LABELS.get("decided", ""), "amount": 300000}
    for name, value in example.items():
        sheet[f"{letters[name]}{first}"] = value
    sheets.guide_sheet(book, "Nhập các quyết định khen thưởng đã có (nhiều quyết định một tệp)",
                       GUIDE)
    return sheets.workbook_bytes(book)


GUIDE = (
    "Tệp này dùng để đưa vào hệ thống các quyết định khen thưởng đã ban hành trước đây (của Hội "
    "hoặc của cơ quan ngoài Hội): nhiều quyết định trong một tệp, mỗi hàng là một người, tập "
    "thể hoặc hộ gia đình được khen.",
    "Cách 1 — mỗi quyết định một trang: điền khối thông tin ở đầu trang (Số quyết định, Ngày "
    "quyết định, Loại / Cấp / Tên cơ quan ban hành, Người ký, Chức vụ người ký, Trích yếu, Căn "
    "cứ; giá trị ghi ở ô ngay bên phải nhãn), để trống các cột quyết định của danh sách. Sao chép "
    "trang cho quyết định khác; tên trang tùy ý (ví dụ «2019», «QĐ 35»).",
    "Cách 2 — một danh sách nhiều quyết định: để trống khối thông tin, ghi ở mỗi hàng Số quyết "
    "định, Ngày quyết định, Loại / Cấp / Tên cơ quan ban hành (và Người ký). Hàng để trống mọi "
    "cột quyết định thuộc quyết định của hàng ngay trên. Có thể kết hợp: ô quyết định để trống "
    "lấy giá trị ở khối thông tin của trang.",
    "Các hàng cùng Cơ quan ban hành, Số quyết định và năm là một quyết định; các hàng đó phải "
    "cùng ngày, cùng loại, cấp cơ quan và người ký.",
    "Loại cơ quan ban hành: " + ", ".join(BODY_LABELS[code] for code in BODIES) + ". Cơ quan là "
    "một đơn vị Hội trong hệ thống (thuộc đơn vị ghi nhận) thì chỉ cần ghi đúng tên đơn vị; "
    "cơ quan ngoài hệ thống cần cả loại và cấp.",
    "Ngày: dd/mm/yyyy (ví dụ 09/01/2019) hoặc ô ngày của Excel.",
    "Các cột của danh sách như tệp mẫu danh sách kèm quyết định: Đối tượng (cá nhân, tập thể, "
    "hộ gia đình; để trống là cá nhân), Đơn vị (tên đơn vị như trong hệ thống), Hình thức khen "
    "thưởng (chọn trong trang «Danh mục» hoặc ghi mã), Thời gian thành tích, Thành tích, Cách "
    "ghi số tiền, Số tiền (số nguyên đồng). Số CCCD 12 chữ số, ghi dạng văn bản.",
    "Người đã có trong sổ khen thưởng được nhận ra theo số CCCD, hoặc họ tên và năm sinh. Người "
    "trùng tên nhưng khác năm sinh / CCCD được liệt kê khi kiểm tra để văn phòng đối chiếu: nếu là "
    "cùng một người, hãy sửa tệp (thêm CCCD, năm sinh đúng) rồi tải lại.",
    "Khi tải lên, hệ thống kiểm tra trước mọi hàng (báo lỗi theo trang và số hàng) và cho biết "
    "mỗi quyết định sẽ ghi những gì; chỉ ghi sau khi xác nhận. Mỗi quyết định được ghi trọn vẹn "
    "hoặc không ghi: quyết định có hàng lỗi không được ghi; lỗi ở cột quyết định hay khối thông "
    "tin chặn mọi quyết định của trang đó. Quyết định có số đã ghi của cùng cơ quan trong năm "
    "không được ghi lại (tải lại cùng tệp không tạo bản trùng).",
    "Hàng có STT là «Ví dụ» được bỏ qua. Trang «Hướng dẫn» và «Danh mục» không được đọc.",
    f"Tối đa {MAX_ROWS} hàng, tệp không quá {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Cũng nhận "
    "tệp CSV (UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy) với cùng các cột.",
)


# -- reading a file ---------------------------------------------------------------------------


def read_file(data: bytes, name: str = "") -> ReadFile:
    """A file's decisions and mistakes; a file that is not a readable list is refused
    (``ValidationFailed``, 422)."""
    name = nfc(name)[:200]
    if not data:
        raise ValidationFailed(reason="tệp tải lên trống")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            reason=f"tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)")
    if data.startswith(b"PK\x03\x04"):
        imports.check_upload(data)
        return _Reader(ReadFile(name=name, kind="xlsx")).xlsx(data)
    return _Reader(ReadFile(name=name, kind="csv")).csv(data)


class _Reader:
    def __init__(self, read: ReadFile) -> None:
        self.read = read
        self.groups: dict[tuple[str, str, str], FileDecision] = {}
        self.sheet_problems: list[Problem] = []
        self.headers = 0

    # the two formats

    def xlsx(self, data: bytes) -> ReadFile:
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise ValidationFailed(reason=sheets.UNREADABLE) from None
        try:
            for sheet in book.worksheets:
                if sheet.title in (sheets.GUIDE_SHEET, sheets.CATALOG_SHEET):
                    continue
                self.sheet(nfc(sheet.title), sheet.iter_rows(values_only=True))
        except ValidationFailed:
            raise
        except Exception:  # a damaged part found only while reading the rows
            raise ValidationFailed(reason=sheets.UNREADABLE) from None
        finally:
            book.close()
        return self.finish()

    def csv(self, data: bytes) -> ReadFile:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(reason="tệp không phải bảng tính Excel (.xlsx) hay tệp CSV "
                                          "mã UTF-8; hãy dùng tệp mẫu") from None
        if "\x00" in text:
            raise ValidationFailed(reason="tệp không phải bảng tính Excel (.xlsx) hay tệp CSV")
        best: tuple[int, str] | None = None
        try:
            for delimiter in (",", ";"):
                rows = _csv_rows(text, delimiter)
                for _, values in zip(range(HEADER_ROWS), rows, strict=False):
                    found = [f for f in map(_heading, values) if f]
                    if "name" in found and len(found) >= 3:
                        if best is None or len(found) > best[0]:
                            best = (len(found), delimiter)
                        break
            if best is None:
                raise ValidationFailed(reason=_NO_HEADER)
            self.sheet(CSV_SHEET, _csv_rows(text, best[1]))
        except csv.Error:
            raise ValidationFailed(reason="tệp CSV không đọc được (dấu ngoặc kép không khớp "
                                          "hoặc ô quá dài)") from None
        return self.finish()

    # one sheet

    def sheet(self, name: str, rows: Iterable[Any]) -> None:
        block: dict[str, str] = {}
        columns: dict[int, str] | None = None
        stt: int | None = None
        previous: dict[str, str] | None = None
        content = False
        for number, values in enumerate(rows, start=1):
            values = tuple(values or ())
            if columns is None:
                guess = {i: f for i, value in enumerate(values) if (f := _heading(value))}
                if "name" in guess.values() and len(guess) >= 3:
                    columns = guess
                    stt = next((i for i, value in enumerate(values)
                                if isinstance(value, str) and fold(value) == "stt"), None)
                    self.headers += 1
                elif number >= HEADER_ROWS:
                    break
                else:
                    content = content or any(not _blank(v) for v in values)
                    self.block_row(name, number, values, block)
                continue
            previous = self.row(name, number, values, columns, stt, block, previous)
        if columns is None and content:
            self.read.problems.append(Problem(name, None, f"Trang «{name}»: {_NO_HEADER}."))

    def block_row(self, sheet: str, number: int, values: tuple[Any, ...],
                  block: dict[str, str]) -> None:
        """A label / value row of the header block ("Số quyết định" | "35/QĐ-UBND", or
        "Số quyết định: 35/QĐ-UBND" in one cell); other rows (a title) are left alone."""
        cells = [value for value in values if not _blank(value)]
        if not cells or not isinstance(cells[0], str):
            return
        label, value = cells[0], cells[1] if len(cells) > 1 else None
        if value is None and ":" in label:
            label, _, rest = label.partition(":")
            value = rest.strip() or None
        name = _BLOCK_ALIASES.get(fold(label).strip().rstrip(":*").strip())
        if name is None or value is None:
            return
        parsed, problem = _decision_value(name, value)
        if problem:
            self.sheet_problems.append(Problem(sheet, number, _sentence(problem)))
        else:
            block[name] = parsed

    def row(self, sheet: str, number: int, values: tuple[Any, ...], columns: dict[int, str],
            stt: int | None, block: dict[str, str], previous: dict[str, str] | None
            ) -> dict[str, str] | None:
        """One row of the list into its decision; the decision's fields it had (for the row
        below), or ``previous`` when it had none."""
        cells = {f: values[i] for i, f in columns.items() if i < len(values)}
        if all(_blank(value) for value in cells.values()):
            return previous
        if stt is not None and stt < len(values) and isinstance(values[stt], str) \
                and fold(values[stt]) == "vi du":
            return previous
        self.read.rows += 1
        if self.read.rows > MAX_ROWS:
            raise ValidationFailed(reason=f"tệp có quá nhiều hàng (tối đa {MAX_ROWS}); hãy "
                                          "chia thành nhiều tệp")
        own: dict[str, str] = {}
        wrong = False
        for name in DECISION_FIELDS:
            if _blank(cells.get(name)):
                continue
            parsed, problem = _decision_value(name, cells[name])
            if problem:
                self.sheet_problems.append(Problem(sheet, number, _sentence(problem)))
                wrong = True
            else:
                own[name] = parsed
        if wrong:
            return previous
        if own:
            fields = {**block, **own}
        elif block.get("number"):
            fields = dict(block)
        elif previous is not None:
            fields = previous
        else:
            fields = {}
        if not fields.get("number"):
            self.sheet_problems.append(Problem(sheet, number, "Thiếu số quyết định (ghi ở cột "
                                               "«Số quyết định» hoặc ở đầu trang)."))
            return previous
        line, problems = imports.parse_line(cells)
        line["sheet"], line["row"] = sheet, number
        key = (fold(fields.get("issuer_name", "")), number_key(fields["number"]),
               fields.get("decided_on", "")[:4])
        decision = self.groups.get(key)
        if decision is None:
            if len(self.groups) >= MAX_DECISIONS:
                raise ValidationFailed(reason=f"tệp có quá nhiều quyết định (tối đa "
                                              f"{MAX_DECISIONS}); hãy chia thành nhiều tệp")
            decision = self.groups[key] = FileDecision(sheet=sheet, row=number,
                                                       fields=dict(fields))
        else:
            for name in (*AGREED, "subject", "legal_basis"):
                mine, theirs = fields.get(name, ""), decision.fields.get(name, "")
                if mine and theirs and fold(mine) != fold(theirs) and name in AGREED:
                    problems.append(f"{BLOCK_LABELS[name].lower()} «{_shown(name, mine)}» khác "
                                    f"với hàng {decision.row} (trang «{decision.sheet}») của "
                                    f"cùng quyết định («{_shown(name, theirs)}»)")
                elif mine and not theirs:
                    decision.fields[name] = mine
        if sheet not in decision.sheets:
            decision.sheets.append(sheet)
        decision.lines.append(line)
        decision.problems.extend(Problem(sheet, number, _sentence(p)) for p in problems)
        return fields

    def finish(self) -> ReadFile:
        if not self.headers:
            raise ValidationFailed(reason=_NO_HEADER)
        self.read.decisions = list(self.groups.values())
        for problem in self.sheet_problems:  # a decision column's mistake: its whole sheet
            held = [d for d in self.read.decisions if problem.sheet in d.sheets]
            for decision in held:
                decision.problems.append(problem)
            if not held:
                self.read.problems.append(problem)
        if not self.read.decisions and not self.read.problems:
            raise ValidationFailed(reason="danh sách trong tệp không có hàng nào")
        for decision in self.read.decisions:
            decision.problems.sort(key=lambda p: (p.sheet != decision.sheet, p.row or 0))
        return self.read


_NO_HEADER = ("không tìm thấy hàng tiêu đề của danh sách (cần các cột «Họ tên / tên tập thể», "
              "«Đơn vị», «Hình thức khen thưởng»…); hãy dùng tệp mẫu")


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[Any, ...]]:
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield tuple(cell if cell.strip() else None for cell in row)



def _shown(name: str, value: str) -> str:
    """A field's value as people wrote it (a date dd/mm/yyyy, a code by its label)."""
    if name == "decided_on" and _ISO.match(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if name == "issuer_body":
        return BODY_LABELS.get(value, value)
    if name == "issuer_level" and value in catalog().levels:
        return catalog().levels[value].name
    return value


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if EARLIEST <= value <= LATEST else None
    text = cell_text(value).strip()
    dmy_, iso = _DMY.match(text), _ISO.match(text)
    if dmy_:
        parts = (dmy_[3], dmy_[2], dmy_[1])
    elif iso:
        parts = (iso[1], iso[2], iso[3])
    else:
        return None
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def _decision_value(name: str, value: Any) -> tuple[str, str | None]:
    """A decision field as text (the date ISO, kind and level as codes), or what is wrong."""
    label = BLOCK_LABELS[name]
    text = cell_text(value)
    if name == "decided_on":
        day = _day(value)
        if day is None:
            return "", f"{label} «{text[:40]}» không phải ngày có thật (dd/mm/yyyy)"
        return day.isoformat(), None
    if name == "issuer_body":
        code = _bodies().get(fold(text))
        if code is None:
            choices = ", ".join(BODY_LABELS[c] for c in BODIES)
            return "", f"{label} «{text[:60]}» không rõ (ghi một trong: {choices})"
        return code, None
    if name == "issuer_level":
        folded = re.sub(r"^cap\s+", "", fold(text))
        code = _levels().get(folded)
        if code is None:
            return "", f"{label} «{text[:60]}» không có trong danh mục cấp"
        return code, None
    if name == "legal_basis":
        return nfc_multiline(str(value)), None
    if name == "number" and len(text) > 60:
        return "", f"số quyết định «{text[:60]}…» quá dài"
    if len(text) > 300:
        return "", f"{label.lower()} quá dài (tối đa 300 ký tự)"
    return text, None


# -- checking and recording -------------------------------------------------------------------


@dataclass
class Outcome:
    """What becomes of one decision of the file."""

    source: FileDecision
    status: str = READY
    problems: list[Problem] = field(default_factory=list)
    issuer: dict[str, Any] | None = None  # as the decision would record it
    in_system: bool = False  # the issuer is a Union unit of the system
    draft: DecisionDraft | None = None
    totals: dict[str, Any] | None = None
    keys: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (line, key)
    matched: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    existing: dict[str, Any] | None = None  # the decision recorded before with this number
    decision_id: str | None = None
    claims: dict[UUID, dict[str, Any]] = field(default_factory=dict)  # claim id → its line

    def as_dict(self) -> dict[str, Any]:
        source = self.source
        fields = source.fields
        return {
            "sheet": source.sheet, "row": source.row, "sheets": source.sheets,
            "number": fields.get("number", ""), "decided_on": fields.get("decided_on") or None,
            "issuer": self.issuer or {
                "body": fields.get("issuer_body") or None,
                "level": fields.get("issuer_level") or None,
                "name": fields.get("issuer_name", ""), "unit_id": None},
            "issuer_in_system": self.in_system,
            "signer": {"name": fields.get("signer_name", ""),
                       "title": fields.get("signer_title", "")},
            "subject": fields.get("subject", ""),
            "status": self.status, "status_label": STATUS_LABELS[self.status],
            "rows": len(source.lines),
            "totals": self.totals,
            "errors": [p.as_dict() for p in self.problems],
            "matched": self.matched, "candidates": self.candidates,
            "existing": self.existing, "decision_id": self.decision_id,
        }


@dataclass
class Report:
    """The dry run (or the import) of a file: each decision's outcome, the file's other
    mistakes."""

    file: ReadFile
    unit_id: UUID
    unit_name: str
    outcomes: list[Outcome] = field(default_factory=list)
    recorded: bool = False  # an import (not a dry run)
    position: int | None = None

    def count(self, status: str) -> int:
        return sum(1 for out in self.outcomes if out.status == status)

    @property
    def errors(self) -> int:
        return len(self.file.problems) + sum(len(out.problems) for out in self.outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file.name, "format": self.file.kind, "rows": self.file.rows,
            "unit_id": str(self.unit_id), "unit_name": self.unit_name,
            "dry_run": not self.recorded,
            "summary": {"decisions": len(self.outcomes), "errors": self.errors,
                        **{status: self.count(status) for status in STATUS_LABELS}},
            "errors": [p.as_dict() for p in self.file.problems],
            "decisions": [out.as_dict() for out in self.outcomes],
            "position": self.position,
        }


class PastImports:
    """The dry run and the import of a file of past decisions, for the awards office of a unit
    (the approver over it, as recording an outside decision asks)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._namesakes: dict[str, list[dict[str, Any]]] = {}
        self._finders: dict[tuple[str, tuple[date, ...]], UnitFinder] = {}

    def finder(self, root: str, days: list[date]) -> UnitFinder:
        """Units under ``root`` by name on those days (cached for the file)."""
        key = (root, tuple(dict.fromkeys(days)))
        if key not in self._finders:
            self._finders[key] = UnitFinder(self.rt, root, list(key[1]))
        return self._finders[key]

    def office_unit(self, actor: Actor, unit_id: Any) -> UUID:
        """The recording unit, when the actor is its awards office (403 otherwise; an unknown
        unit is a 422)."""
        unit = self.rt.app.tree.referenced_unit(unit_id, "đơn vị ghi nhận")
        self.rt.app.authz.require(actor, "approver", unit.id)
        return unit.id

    def dry_run(self, actor: Actor, read: ReadFile, unit_id: Any) -> Report:
        """Every decision of the file checked as recording it would, nothing recorded."""
        unit = self.office_unit(actor, unit_id)
        rt = self.rt
        rt.ensure_position(rt.app.max_position())
        report = Report(file=read, unit_id=unit,
                        unit_name=rt.queries.unit_names({str(unit)}).get(str(unit), ""))
        for source in read.decisions:
            report.outcomes.append(self._check(actor, source, unit))
        self._within_file(report.outcomes)
        self._people(report.outcomes)
        return report

    def run(self, actor: Actor, read: ReadFile, unit_id: Any) -> Report:
        """Check again, then record each valid decision, all or nothing per decision."""
        report = self.dry_run(actor, read, unit_id)
        report.recorded = True
        last = None
        for out in report.outcomes:
            if out.status != READY or out.draft is None:
                continue
            try:
                saved = self.rt.app.decisions.issue_decision(actor, out.draft)
            except DecisionNumberTaken:  # recorded meanwhile
                out.status = EXISTS
                continue
            except DomainError as error:
                out.status = REFUSED
                out.problems.append(Problem(out.source.sheet, out.source.row,
                                            _sentence(_said(error))))
                continue
            out.status, out.decision_id, last = RECORDED, str(saved.id), saved
        if last is not None:
            self.rt.after(last)
            report.position = last.position
        return report

    # -- one decision ----------------------------------------------------------------------

    def _check(self, actor: Actor, source: FileDecision, unit: UUID) -> Outcome:
        out = Outcome(source=source, problems=list(source.problems))
        fields = source.fields
        here = (source.sheet, source.row)
        today = self.rt.app.today()

        def problem(message: str, where: tuple[str, int | None] = here) -> None:
            out.problems.append(Problem(where[0], where[1], _sentence(message)))

        decided_on = _iso_day(fields.get("decided_on", ""))
        if decided_on is None:
            problem("Thiếu ngày quyết định")
        day = decided_on or today
        issuer_raw, scope = self._issuer(fields, unit, day, problem)
        issuer = None
        if issuer_raw is not None and decided_on is not None:
            try:
                issuer = self.rt.app.tree.issuer_for(issuer_raw, decided_on, active=True)
            except DomainError as error:
                problem(_said(error))
        if issuer is not None and decided_on is not None:
            out.issuer, out.in_system = issuer.as_dict(), issuer.unit_id is not None
            claim = self.rt.app.load_or_none(
                Claim, decision_number_claim(issuer.key, decided_on.year, fields["number"]).id)
            if claim is not None and claim.is_held:
                holder = claim.holder or {}
                out.status = EXISTS
                out.existing = {"id": holder.get("decision_id"), "number": holder.get("number"),
                                "decided_on": holder.get("decided_on")}
                out.problems = []
                return out
        finder = self.finder(str(scope), [day, today])
        raw_lines: list[dict[str, Any]] = []
        used: list[dict[str, Any]] = []  # the file's line of each decision line
        bad_rows = {(p.sheet, p.row) for p in out.problems}
        for line in source.lines:
            where = (line["sheet"], line["row"])
            if where in bad_rows:
                continue
            try:
                raw = raw_line(line, finder)
                key = Recipient.build(dict(raw["recipient"])).key
            except ValidationFailed as error:
                problem(_said(error), where)
                continue
            raw_lines.append(raw)
            used.append(line)
            out.keys.append((line, key))
        if issuer is None or decided_on is None or not raw_lines:
            out.status = INVALID
            return out
        out.draft = DecisionDraft(
            number=fields["number"], decided_on=decided_on, issuer=issuer_raw,
            lines=tuple(raw_lines), recorded_by_unit_id=unit,
            signer={"name": fields.get("signer_name", ""),
                    "title": fields.get("signer_title", "")},
            subject=fields.get("subject", ""), legal_basis=fields.get("legal_basis", ""))
        try:
            decision = self.rt.app.decisions.preview(actor, out.draft, every_line=True)
        except LinesRefused as refused:
            for item in refused.problems:
                self._refusal(item.error, item.line_no, used, problem)
        except DecisionNumberTaken:
            out.status, out.problems = EXISTS, []
            return out
        except DomainError as error:
            self._refusal(error, error.details.get("line_no"), used, problem)
        else:
            out.totals = rep.decision_totals(decision.lines)
            for line, file_line in zip(decision.lines, used, strict=True):
                for claim in line_claims(line, issuer.key, decided_on):
                    out.claims[claim.id] = {**file_line, "award_kind": line.award_kind}
            number = decision_number_claim(issuer.key, decided_on.year, fields["number"])
            out.claims[number.id] = {"number": True, "sheet": source.sheet, "row": source.row}
        if out.problems:
            out.status = INVALID
        return out

    def _issuer(self, fields: dict[str, str], unit: UUID, day: date, problem: Any
                ) -> tuple[dict[str, Any] | None, UUID]:
        """The issuer as a decision names it, and the unit whose subtree its recipients are
        in: a Union unit within the office's unit (found by its name on the decision's date
        or today), or a body outside the system recorded by the office's unit."""
        name, body = fields.get("issuer_name", ""), fields.get("issuer_body", "")
        level = fields.get("issuer_level", "")
        if not name:
            problem("Thiếu tên cơ quan ban hành")
            return None, unit
        if body in ("", "union"):
            found = self.finder(str(unit), [day, self.rt.app.today()]).ids.get(fold(name), set())
            if len(found) == 1:
                unit_id = next(iter(found))
                return {"unit_id": unit_id}, UUID(unit_id)
        if not body:
            problem(f"Cần loại cơ quan ban hành của «{name}» ("
                    + ", ".join(BODY_LABELS[c] for c in BODIES)
                    + "): đó không phải tên một đơn vị Hội thuộc đơn vị ghi nhận")
            return None, unit
        if not level:
            problem(f"Cần cấp của cơ quan ban hành «{name}»")
            return None, unit
        return {"body": body, "level": level, "name": name}, unit

    @staticmethod
    def _refusal(error: DomainError, line_no: Any, used: list[dict[str, Any]],
                 problem: Any) -> None:
        """A refusal of the preview at the row it is about ("dòng 3" → the file's row)."""
        message = _said(error)
        if isinstance(line_no, int) and 1 <= line_no <= len(used):
            line = used[line_no - 1]

            def row_of(found: re.Match[str]) -> str:
                n = int(found[2])
                if not 1 <= n <= len(used):
                    return found[0]
                return f"{'H' if found[1] == 'D' else 'h'}àng {used[n - 1]['row']}"

            message = _LINE_WORD.sub(row_of, _LINE_PREFIX.sub("", message))
            problem(message, (line["sheet"], line["row"]))
        else:
            problem(message)

    # -- across the file -------------------------------------------------------------------

    @staticmethod
    def _within_file(outcomes: list[Outcome]) -> None:
        """Two decisions of the file that would take one number, or give one achievement (or
        a once-in-a-lifetime award) twice: the later one is refused, at its row."""
        taken: dict[UUID, tuple[Outcome, dict[str, Any]]] = {}
        for out in outcomes:
            if out.status != READY:
                continue
            clashes = [(claim, line) for claim, line in out.claims.items() if claim in taken]
            for claim, line in clashes:
                other, theirs = taken[claim]
                number = other.source.fields.get("number", "")
                if line.get("number"):
                    message = (f"Số quyết định «{number}» đã dùng cho quyết định ở hàng "
                               f"{other.source.row} (trang «{other.source.sheet}») của tệp này "
                               "cùng năm, cùng cơ quan")
                else:
                    message = (f"«{line.get('name') or line.get('unit')}» đã được khen "
                               f"«{catalog().kind(line['award_kind']).title}» cho thành tích "
                               f"này ở quyết định số {number} (hàng {theirs.get('row')}, trang "
                               f"«{theirs.get('sheet')}») của tệp này")
                out.problems.append(Problem(line["sheet"], line["row"], _sentence(message)))
            if clashes:
                out.status = INVALID
                continue
            for claim, line in out.claims.items():
                taken[claim] = (out, line)

    def _people(self, outcomes: list[Outcome]) -> None:
        """Lines of people already in the registry (the same key), and namesakes of the
        others (individuals) for the office to check."""
        keys = {key for out in outcomes for _, key in out.keys}
        public = self.rt.registry.public_ids(keys)
        self._names_known({fold(line["name"]) for out in outcomes for line, key in out.keys
                           if key not in public and line["name"]})
        for out in outcomes:
            seen: set[tuple[str, int | None]] = set()
            for line, key in out.keys:
                where = {"sheet": line["sheet"], "row": line["row"],
                         "name": line["name"] or line["unit"]}
                if (line["sheet"], line["row"]) in seen:
                    continue
                seen.add((line["sheet"], line["row"]))
                if key in public:
                    out.matched.append({**where, "key": public[key]})
                    continue
                if (line["kind"] or "individual") != "individual" or not line["name"]:
                    continue
                found = self._namesakes_of(line["name"])
                if found:
                    out.candidates.append({
                        **where, "birth_year": int(line["birth_year"])
                        if line["birth_year"].isdigit() else None,
                        "candidates": found[:MAX_CANDIDATES],
                        "more": max(len(found) - MAX_CANDIDATES, 0)})

    def _names_known(self, folded: set[str]) -> None:
        """Which names the registry holds at all, in a few queries (the name index holds each
        name whole among its tails): the others have no namesake to look for."""
        names = sorted(n for n in folded if n not in self._namesakes)
        found: set[str] = set()
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            marks = ",".join("?" * len(chunk))
            with self.rt.db.read() as cur:
                rows = cur.execute("SELECT DISTINCT tail FROM recipient_names"
                                   f" WHERE tail IN ({marks})", chunk).fetchall()
            found.update(row["tail"] for row in rows)
        for name in names:
            if name not in found:
                self._namesakes[name] = []

    def _namesakes_of(self, name: str) -> list[dict[str, Any]]:
        folded = fold(name)
        if folded not in self._namesakes:
            items = self.rt.registry.recipients(name, Page(limit=200))["items"]
            self._namesakes[folded] = [
                {"key": item["key"], "name": item["name"], "birth_year": item["birth_year"],
                 "unit": (item["unit_path"] or [{}])[-1].get("name", ""),
                 "awards": item["awards"]}
                for item in items
                if item["kind"] == "individual" and fold(item["name"]) == folded]
        return self._namesakes[folded]

    # units by name, cached for the file



def _iso_day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def _said(error: DomainError) -> str:
    """A refusal in its own words (a validation's reason without "Dữ liệu không hợp lệ:")."""
    reason = error.details.get("reason") if isinstance(error, ValidationFailed) else None
    return str(reason) if reason else error.message


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}."
