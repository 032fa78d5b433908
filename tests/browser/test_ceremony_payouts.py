"""The ceremony and its payouts in Chromium, on both stores, as the district's awards office
(btl.vanphong) works at the demo's conference of 9/1/2024: the reconciliation (73.640.000 đ
announced, 68.640.000 đ computed), payments chosen in the list → the summary → recorded, a
correction → its summary → recorded, the removal's confirmation, and a new ceremony's form.
Each page: no console error, no outside request, no 5xx, axe-core finds no serious or critical
violation; at 390×844 the page does not scroll sideways. Screens are saved."""

from __future__ import annotations

from tests.browser.conftest import Browsing, axe, horizontal_overflow

OFFICE = "btl.vanphong"


def checked(b: Browsing, name: str) -> None:
    """The page as it is: clean, accessible, photographed."""
    b.assert_clean()
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    if b.viewport["width"] < 500:
        assert horizontal_overflow(b.page) == 0, name
    b.shoot(name)


def test_office_records_payments_and_a_correction(desktop: Browsing, demo_users):
    b = desktop
    cid = b.server.demo["ceremonies"]["btl_2024"]
    b.sign_in(OFFICE, demo_users[OFFICE])
    b.goto(f"/ceremonies/{cid}")
    main = b.page.inner_text("main")
    assert "73.640.000 đ" in main and "68.640.000 đ" in main and "5.000.000 đ" in main
    checked(b, "ceremony")

    b.goto(f"/ceremonies/{cid}/payments")
    checked(b, "payments")
    boxes = b.page.locator("input[name=line]")
    assert boxes.count() > 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Xem lại trước khi ghi").click()
    assert "Sẽ ghi 2 lần chi trả" in b.page.inner_text("main")
    checked(b, "payments-check")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Ghi 2 lần chi trả").click()
    assert "Đã ghi 2 lần chi trả." in b.page.inner_text("main")
    checked(b, "payments-recorded")

    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("link", name="Điều chỉnh").first.click()
    b.page.fill("#note", "Chị Lan, Phó Chủ tịch, ký nhận thay")
    b.page.fill("#reason", "Người nhận chưa đến dự, người khác ký thay")
    checked(b, "correction")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Xem lại trước khi điều chỉnh").click()
    assert "Người nhận chưa đến dự" in b.page.inner_text("main")
    checked(b, "correction-check")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Ghi điều chỉnh").click()
    assert "Đã điều chỉnh lần chi trả số 1." in b.page.inner_text("main")

    b.goto(f"/ceremonies/{cid}")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("link", name="Bỏ khỏi buổi trao").first.click()
    assert "Điều sẽ xảy ra" in b.page.inner_text("main")
    checked(b, "remove-check")

    b.goto("/ceremonies/new")
    checked(b, "new")
    b.goto(f"/ceremonies/{cid}/edit")
    checked(b, "edit")


def test_the_ceremony_and_its_payouts_on_a_phone(phone: Browsing, demo_users):
    b = phone
    cid = b.server.demo["ceremonies"]["btl_2024"]
    b.sign_in(OFFICE, demo_users[OFFICE])
    for path, name in ((f"/ceremonies/{cid}", "ceremony"),
                       (f"/ceremonies/{cid}/payments", "payments"), ("/ceremonies", "list")):
        b.goto(path)
        checked(b, name)
