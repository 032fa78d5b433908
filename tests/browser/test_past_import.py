"""Past decisions imported from one file in Chromium, on both stores, as Hà Nội's awards office
(hanoi.vanphong): from the decisions page to the import page; a workbook of three decisions
(2019, 2022, 2024; one sheet each, the 2022 one with a bad row) is uploaded; the dry run names
the mistake by sheet and row and what each decision would record, nothing recorded; after the
confirmation the two good decisions are recorded and the result links to them. Each page: no
console error, no outside request, no 5xx, no serious or critical axe violation. Screens are
saved."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from services import past_imports
from tests.browser.conftest import Browsing

OFFICE = "hanoi.vanphong"
UBND = "UBND thành phố Hà Nội"
FIELDS = [name for name, _, _ in past_imports.COLUMNS]
BLOCK_ROWS = {name: i for i, name in enumerate(past_imports.BLOCK_FIELDS, start=1)}


def three_decisions(path) -> None:
    """The template, one sheet per decision; numbers of their own on each store's run."""
    tag = datetime.now().strftime("%H%M%S%f")
    book = load_workbook(io.BytesIO(past_imports.template()))
    model = book["Quyết định 1"]
    outside = {"issuer_body": "cơ quan nhà nước", "issuer_level": "tỉnh", "issuer_name": UBND,
               "signer_name": "Nguyễn Văn Minh", "signer_title": "Chủ tịch"}
    sheets = {
        "2019": ({**outside, "number": f"19{tag}/QĐ-UBND", "decided_on": "20/12/2019"},
                 [("Lương Thị Thảo", 1976, "Hội LHPN phường Xuân Đỉnh", 2_000_000),
                  ("Kiều Thị Vân", 1981, "Hội LHPN phường Tây Tựu", 2_000_000)]),
        "2022": ({**outside, "number": f"22{tag}/QĐ-UBND", "decided_on": "10/01/2022"},
                 [("Mạc Thị Liên", "1x80", "Hội LHPN phường Xuân Đỉnh", 2_000_000)]),
        "2024": ({"number": f"24{tag}/QĐ-HPN", "decided_on": "08/01/2024",
                  "issuer_name": "Hội LHPN thành phố Hà Nội"},
                 [("Lương Thị Thảo", 1976, "Hội LHPN phường Xuân Đỉnh", 500_000)]),
    }
    award = {"2019": "bang_khen_ubnd_tinh", "2022": "bang_khen_ubnd_tinh",
             "2024": "bang_khen_hoi_tinh"}
    for title, (block, rows) in sheets.items():
        sheet = book.copy_worksheet(model)
        sheet.title = title
        for name, value in block.items():
            sheet.cell(row=BLOCK_ROWS[name], column=3, value=value)
        for n, (name, year, unit, amount) in enumerate(rows, start=1):
            row = {"name": name, "kind": "cá nhân", "gender": "Nữ", "birth_year": year,
                   "unit": unit, "award_kind": award[title], "period": str(int(title) - 1),
                   "achievement": "Thành tích xuất sắc trong công tác Hội", "amount": amount}
            sheet.append([n, *(row.get(f) for f in FIELDS)])
    del book["Quyết định 1"]
    book.save(path)


def test_three_past_decisions_uploaded_checked_and_recorded(desktop: Browsing, demo_users,
                                                            tmp_path):
    b = desktop
    b.sign_in(OFFICE, demo_users[OFFICE])
    b.goto("/decisions")
    b.press("link", "Nhập quyết định đã có từ Excel")
    assert "Nhập quyết định khen thưởng đã có" in b.main_text()
    b.checked("form")

    path = tmp_path / "quyet-dinh-cu.xlsx"
    three_decisions(path)
    b.page.set_input_files("#upload", str(path))
    b.press("button", "Tải lên và kiểm tra")
    main = b.main_text()
    assert "Đây là bản kiểm tra: chưa có gì được ghi." in main, main[:2000]
    assert "3: 2 sẽ được ghi, 1 có lỗi" in main
    assert "2022 13 Năm sinh «1x80» không hợp lệ (4 chữ số)." in main
    assert "Sẽ ghi 2 dòng: 2 cá nhân Tổng tiền 4.000.000 đ" in main
    assert "đơn vị Hội trong hệ thống" in main  # the 2024 decision: Hà Nội's own
    b.checked("check")

    b.page.check("#confirm")
    b.press("button", "Ghi nhận 2 quyết định")
    main = b.main_text()
    assert "Đã ghi nhận 2 quyết định" in main, main[:2000]
    assert "1 quyết định không được ghi" in main
    b.checked("done")
    b.follow(b.page.get_by_role("link", name="Quyết định số 19", exact=False).first)
    assert "Lương Thị Thảo" in b.main_text() and UBND.upper() in b.main_text().upper()
