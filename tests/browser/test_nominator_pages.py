"""The nominator's pages in Chromium, on both stores, with the demo's ward (phường Xuân Đỉnh):
xuandinh.denghi drafts a nomination from her home page (her unit already chosen), edits it,
submits it; the ward council's chair (xuandinh.hoidong) returns it with a reason; the nominator
sees the reason, revises and resubmits. On a phone: the home page, the list, the form, the
nomination, its edit form and the withdrawal's confirmation. Each page: no console error, no
outside request, no 5xx, axe-core finds no serious or critical violation; at 390×844 the page
does not scroll sideways. Screens are saved."""

from __future__ import annotations

from tests.browser.conftest import Browsing

NOMINATOR = "xuandinh.denghi"
CHAIR = "xuandinh.hoidong"
REASON = "Bổ sung bản nhận xét của chi hội và số hội viên mới đã vận động"






def draft(b: Browsing, name: str, shots: str = "") -> str:
    """From the home page, through the form: the new nomination's path."""
    b.goto("/")
    if shots:
        b.checked(f"{shots}home")
    b.press("link", "Lập đề nghị khen thưởng")
    assert b.page.locator("#proposing_unit_id option:checked").inner_text() \
        == "Hội LHPN phường Xuân Đỉnh"  # her unit, already chosen
    b.page.select_option("#award_kind", "giay_khen_hoi")
    assert "Hội LHPN tỉnh/huyện quyết định" in \
        b.page.locator("#award_kind option:checked").inner_text()
    b.page.fill("#period", "Năm 2025")
    b.page.fill("#recipient_name", name)
    b.page.select_option("#gender", "female")
    b.page.fill("#birth_year", "1982")
    b.page.fill("#position", "Chi hội trưởng")
    b.page.fill("#achievement", "Vận động 40 hội viên mới trong năm 2025")
    if shots:
        b.checked(f"{shots}new")
    b.press("button", "Lưu bản nháp")
    assert "Bản nháp" in b.page.inner_text("main")
    return b.page.url.split(b.server.url, 1)[1].split("?")[0]


def test_draft_edit_submit_return_revise_resubmit(desktop: Browsing, demo_users):
    b = desktop
    b.sign_in(NOMINATOR, demo_users[NOMINATOR])
    path = draft(b, "Lê Thị Thanh Hương", shots="")
    b.checked("draft")

    b.press("link", "Sửa đề nghị")
    assert b.page.input_value("#recipient_name") == "Lê Thị Thanh Hương"  # prefilled
    b.page.fill("#position", "Chi hội trưởng chi hội 5")
    b.checked("edit")
    b.press("button", "Lưu thay đổi")
    main = b.page.inner_text("main")
    assert "Đã lưu các thay đổi" in main and "Chi hội trưởng chi hội 5" in main
    b.press("button", "Trình Hội đồng")
    assert "Đang xét duyệt" in b.page.inner_text("main")

    b.sign_in(CHAIR, demo_users[CHAIR])
    b.goto(path)
    b.page.select_option("#outcome", "returned")
    b.page.fill("#close-reason", REASON)
    b.press("button", "Kết luận")
    assert "Trả lại để hoàn thiện" in b.page.inner_text("main")

    b.sign_in(NOMINATOR, demo_users[NOMINATOR])
    b.goto(path)
    box = b.page.locator(".returned-reason")
    assert REASON in box.inner_text()
    b.checked("returned")
    b.press("link", "Sửa theo ý kiến của Hội đồng")
    assert REASON in b.page.inner_text("main")  # the reason again where she revises
    b.page.fill("#achievement", "Vận động 40 hội viên mới trong năm 2025; có nhận xét của "
                                "chi hội kèm theo")
    b.checked("revise")
    b.press("button", "Lưu thay đổi")
    b.press("button", "Trình lại Hội đồng")
    main = b.page.inner_text("main")
    assert "Đang xét duyệt" in main and "vòng 2" in main
    assert REASON in main  # the council's reason stays in the file's history
    b.checked("resubmitted")


def test_the_nominator_pages_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(NOMINATOR, demo_users[NOMINATOR])
    path = draft(b, "Trần Thị Minh Châu", shots="phone-")
    b.checked("phone-draft")
    for suffix, name in (("/edit", "phone-edit"), ("/withdraw", "phone-withdraw")):
        b.goto(path + suffix)
        b.checked(name)
    b.page.fill("#reason", "Trùng với đề nghị của chi hội")
    b.press("button", "Rút đề nghị")
    assert "Đã rút đề nghị" in b.page.inner_text("main")
    b.checked("phone-withdrawn")
    b.goto("/nominations")
    b.checked("phone-list")
    b.sign_in(CHAIR, demo_users[CHAIR])
    b.goto("/")
    main = b.page.inner_text("main")
    assert "Lập đề nghị" not in main and "Hồ sơ chờ Hội đồng" in main
    b.checked("phone-chair-home")
