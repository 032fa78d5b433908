"""The org tree administered in Chromium, on both stores, as the root administrator (demo user
``admin``) works: a reorganisation of three units in one step — a new ward under Hà Nội, a ward
renamed, a ward merged into another — through its form (a refused row first: its error on its
row), its review ("Điều sẽ xảy ra") and its confirmation; then the changes of that date and the
tree the day before and on the day, showing the change. On a phone (390×844): the tree, a unit,
the reorganisation form, and one operation (a branch moved) from its form to its done message.
Each page: no console error, no outside request, no 5xx, axe-core finds no serious or critical
violation; at 390 px the page does not scroll sideways. Screens are saved."""

from __future__ import annotations

from tests.browser.conftest import Browsing, axe, horizontal_overflow

ADMIN = "admin"
ON = "01/01/2026"
NEW = "Hội LHPN phường Tây Hồ"
RENAMED = "Hội LHPN phường Cổ Nhuế"


def checked(b: Browsing, name: str, status: int | None = None) -> None:
    """The page as it is: clean (but for the refusal it was expected to answer with),
    accessible, photographed."""
    if status is None:
        b.assert_clean()
    else:  # the browser reports the page's error status itself: that one is expected
        problems = [p for p in b.watch.reset() if f"status of {status}" not in p]
        assert not problems, "\n".join(problems)
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    if b.viewport["width"] < 500:
        assert horizontal_overflow(b.page) == 0, name
    b.shoot(name)


def press(b: Browsing, name: str, role: str = "button") -> None:
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role(role, name=name, exact=True).click()


def test_admin_reorganises_three_units_in_one_step(desktop: Browsing, demo_users):
    b = desktop
    demo = b.server.demo
    hanoi, wards = str(demo["hanoi"]), {k: str(v) for k, v in demo["wards"].items()}
    b.sign_in(ADMIN, demo_users[ADMIN])
    b.goto("/units")
    main = b.page.inner_text("main")
    assert "Cây tổ chức ngày" in main and "Hội LHPN phường Cổ Nhuế 2" in main
    checked(b, "tree")

    press(b, "Sắp xếp lại tổ chức (nhiều thao tác một lần)", "link")
    assert b.page.locator("select[name=op_5]").count() == 1
    b.page.fill("#effective_on", ON)
    b.page.fill("#reason", "Nghị quyết của Ban Thường vụ về sắp xếp cơ sở Hội (minh họa)")
    # a row the service refuses first: Hà Nội still has its wards
    b.page.select_option("#op_1", "dissolve")
    b.page.select_option("#unit_1", hanoi)
    press(b, "Xem lại trước khi ghi")
    main = b.page.inner_text("main")
    assert "Chưa ghi được" in main and "Dòng 1" in main and "còn đơn vị trực thuộc" in main
    checked(b, "reorganise-row-error", status=422)

    # the three operations
    b.page.select_option("#op_1", "create")
    b.page.select_option("#unit_1", "")
    b.page.select_option("#to_1", hanoi)
    b.page.fill("#name_1", NEW)
    b.page.select_option("#level_1", "commune")
    b.page.fill("#code_1", "TH")
    b.page.select_option("#op_2", "rename")
    b.page.select_option("#unit_2", wards["Cổ Nhuế 2"])
    b.page.fill("#name_2", RENAMED)
    b.page.select_option("#op_3", "merge")
    b.page.select_option("#unit_3", wards["Phú Diễn"])
    b.page.select_option("#to_3", "$row1")  # into the ward created on row 1
    b.page.fill("#reason_3", "Sáp nhập vào phường mới thành lập")
    checked(b, "reorganise-form")
    press(b, "Xem lại trước khi ghi")
    main = b.page.inner_text("main")
    assert "Điều sẽ xảy ra" in main and ON in main
    assert f"Thành lập «{NEW}»" in main
    assert f"Đổi tên «Hội LHPN phường Cổ Nhuế 2» thành «{RENAMED}»" in main
    assert f"Sáp nhập «Hội LHPN phường Phú Diễn» vào «{NEW}»" in main
    checked(b, "reorganise-check")

    press(b, "Ghi 3 thao tác")
    main = b.page.inner_text("main")
    assert "Đã ghi việc sắp xếp lại tổ chức: 3 thao tác, hiệu lực từ ngày 01/01/2026." in main
    assert "3 thay đổi có hiệu lực từ 01/01/2026 đến 01/01/2026" in main
    assert "1 thành lập, 1 đổi tên, 1 sáp nhập." in main
    checked(b, "reorganise-done")

    # the tree before and after: the two dates
    b.goto("/units?on=31/12/2025")
    before = b.page.inner_text("main")
    assert "Cây tổ chức ngày 31/12/2025" in before
    assert "Hội LHPN phường Cổ Nhuế 2" in before and "Hội LHPN phường Phú Diễn" in before
    assert NEW not in before
    checked(b, "tree-before")
    b.goto("/units?on=01/01/2026")
    after = b.page.inner_text("main")
    assert "Cây tổ chức ngày 01/01/2026" in after and NEW in after and RENAMED in after
    assert "Hội LHPN phường Cổ Nhuế 2" not in after and "Hội LHPN phường Phú Diễn" not in after
    checked(b, "tree-after")

    # the renamed ward: its periods and its history, with who and why
    press(b, RENAMED, "link")
    main = b.page.inner_text("main")
    assert "Các giai đoạn" in main and "Hội LHPN phường Cổ Nhuế 2" in main
    assert "Quản trị hệ thống" in main and "Nghị quyết của Ban Thường vụ" in main
    checked(b, "unit")


def test_units_on_a_phone(phone: Browsing, demo_users):
    b = phone
    demo = b.server.demo
    branch, dong_ngac = str(demo["branch"]), str(demo["wards"]["Đông Ngạc"])
    b.sign_in(ADMIN, demo_users[ADMIN])
    b.goto("/units")
    checked(b, "tree")
    b.goto("/units?from=01/07/2025&to=01/07/2025")
    assert "Sáp nhập" in b.page.inner_text("main")
    checked(b, "changes")
    b.goto("/units/reorganise")
    checked(b, "reorganise-form")

    # one operation: the branch of Xuân Đỉnh moves to Đông Ngạc
    b.goto(f"/units/{branch}")
    checked(b, "unit")
    press(b, "Chuyển đơn vị sang trực thuộc đơn vị khác", "link")
    b.page.select_option("#to", dong_ngac)
    b.page.fill("#effective_on", "01/02/2026")
    b.page.fill("#reason", "Điều chỉnh địa bàn tổ dân phố (minh họa)")
    checked(b, "move-form")
    press(b, "Xem lại trước khi ghi")
    assert "Điều sẽ xảy ra" in b.page.inner_text("main")
    checked(b, "move-check")
    press(b, "Ghi chuyển trực thuộc")
    main = b.page.inner_text("main")
    assert "Đã ghi chuyển trực thuộc, hiệu lực từ ngày 01/02/2026." in main
    assert "Hội LHPN phường Đông Ngạc" in main
    checked(b, "move-done")
