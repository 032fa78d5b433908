"""A tờ trình with an uploaded list in Chromium, on both stores, as the ward's nominator
(xuandinh.denghi): a 30-row XLSX with two wrong rows is uploaded, both errors are shown with
their row numbers and nothing is recorded; the two rows are fixed in the page; the review; the
tờ trình is filed after the confirmation, its 30 nominations under review. Each page: no
console error (but the expected 422), no outside request, no 5xx, no serious or critical axe
violation; at 390 px nothing scrolls sideways. Screens are saved."""

from __future__ import annotations

from openpyxl import Workbook

from tests.browser.conftest import Browsing

NOMINATOR = "xuandinh.denghi"




def thirty_rows(path) -> None:
    """The template's layout, built here: 30 people, rows 8 and 22 of the sheet wrong."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(["STT", "Đối tượng", "Họ tên / tên tập thể", "Giới tính", "Năm sinh",
                  "Chức vụ", "Đơn vị", "Hình thức khen thưởng", "Thành tích",
                  "Thời gian thành tích"])
    for n in range(1, 31):
        sheet.append([n, "cá nhân", f"Phạm Thị Thử {n:02d}", "Nữ",
                      "19x0" if n == 7 else 1960 + n, "Hội viên", None,
                      "Danh hiệu Không Có" if n == 21 else "Giấy khen của Hội Liên hiệp Phụ nữ",
                      f"Tích cực trong phong trào thi đua năm 2024 (người {n})", "2024"])
    book.save(path)




def file_a_list(b: Browsing, tmp_path) -> None:
    b.goto("/submissions")
    b.checked("list")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("link", name="Lập tờ trình").click()
    b.checked("new")
    b.page.fill("#number", "07/TTr-HPN")
    b.page.fill("#title", "Đề nghị khen thưởng phong trào thi đua 2024")
    path = tmp_path / "danh-sach-30.xlsx"
    thirty_rows(path)
    b.page.set_input_files("#upload", str(path))
    b.press("button", "Tải lên và kiểm tra")
    main = b.page.inner_text("main")
    assert "Vui lòng sửa 2 lỗi" in main, main[:2000]
    assert "Dòng 7 (hàng 8 của tệp): Năm sinh «19x0» không hợp lệ" in main
    assert "Dòng 21 (hàng 22 của tệp): Hình thức khen thưởng «Danh hiệu Không Có»" in main
    assert "Danh sách đề nghị (30 dòng)" in main
    b.checked("errors", status=422)

    b.page.fill("#c-7-birth_year", "1967")
    b.page.select_option("#c-21-award_kind", "giay_khen_hoi")
    b.press("button", "Kiểm tra và xem lại")
    main = b.page.inner_text("main")
    assert "Kiểm tra trước khi nộp tờ trình" in main, main[:2000]
    assert "30 dòng: 30 cá nhân" in main
    b.checked("review")
    b.page.check("#confirm")
    b.press("button", "Nộp tờ trình (30 đề nghị)")
    main = b.page.inner_text("main")
    assert "Đã nộp tờ trình với 30 đề nghị khen thưởng." in main, main[:2000]
    assert "30 đang xét duyệt" in main and "Phạm Thị Thử 07" in main
    b.checked("filed")
    b.goto("/submissions")
    assert "07/TTr-HPN" in b.page.inner_text("main")


def test_a_thirty_row_list_with_two_wrong_rows_fixed_and_filed(desktop: Browsing, demo_users,
                                                                tmp_path):
    desktop.sign_in(NOMINATOR, demo_users[NOMINATOR])
    file_a_list(desktop, tmp_path)


def test_the_same_on_a_phone(phone: Browsing, demo_users, tmp_path):
    phone.sign_in(NOMINATOR, demo_users[NOMINATOR])
    file_a_list(phone, tmp_path)
