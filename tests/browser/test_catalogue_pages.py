"""The award catalogue in Chromium, on both stores, over the demo (today: the real date): the root
admin adds a "Biểu dương" kind from the pages — a first try with an empty form shows the errors,
then the review of the definition in words, then the kind's card — finds it in the list, changes
its title from tomorrow (the review shows old → new) and reads the history. Each page: no
console error (but the browser's own note of an expected 422), no outside request, no 5xx,
axe-core finds no serious or critical violation; at 390×844 nothing scrolls sideways, the form
(the deciders' grid too) included. Screens are saved."""

from __future__ import annotations

from tests.browser.conftest import Browsing, axe, horizontal_overflow

ADMIN = "admin"  # the root unit's admin: the one the service lets change the catalogue
CODE = "bieu_duong_hoi_xa_thu"
TITLE = "Biểu dương của Ban Thường vụ Hội LHPN xã"
NEW_TITLE = "Biểu dương của Ban Thường vụ Hội LHPN xã, phường, đặc khu"


def checked(b: Browsing, name: str, expected_status: int | None = None) -> None:
    """The page as it is: clean (an expected 4xx aside), accessible, photographed."""
    if expected_status is None:
        b.assert_clean()
    else:
        problems = b.watch.reset()  # the browser reports the 4xx answer itself: expected
        assert all(f"status of {expected_status}" in p for p in problems), problems
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    if b.viewport["width"] < 500:
        assert horizontal_overflow(b.page) == 0, name
    b.shoot(name)


def click(b: Browsing, role: str, name: str) -> None:
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role(role, name=name).first.click()


def fill_new_kind(b: Browsing) -> None:
    b.page.fill("#code", CODE)
    b.page.fill("#title", TITLE)
    b.page.fill("#short_title", "Biểu dương Hội LHPN xã")
    b.page.select_option("#category", "bieu_duong")
    b.page.check("#recipients-individual")
    b.page.check("#recipients-household")
    b.page.check("#decider-union-commune")  # the Union's bodies are open on the form
    b.page.select_option("#frequency", "unlimited")
    b.page.check("#money-none")
    b.page.fill("#source", "Quy chế thi đua, khen thưởng của Hội (thử nghiệm)")
    b.page.fill("#effective_from", "01/01/2026")
    b.page.fill("#reason", "Nghị quyết Đoàn Chủ tịch (thử nghiệm)")


def test_the_root_admin_adds_a_kind_and_changes_its_title(desktop: Browsing, demo_users):
    b = desktop
    b.sign_in(ADMIN, demo_users[ADMIN])
    click(b, "link", "Danh mục")  # the menu
    main = b.main_text()
    assert "Danh mục khen thưởng" in main and "Bằng khen của Thủ tướng Chính phủ" in main
    checked(b, "list")

    click(b, "link", "Thêm hình thức")
    checked(b, "new")
    click(b, "button", "Tiếp tục")  # nothing typed: the errors, summarised and by each field
    main = b.main_text()
    assert "Chưa ghi được, vui lòng sửa:" in main and "Cần ghi mã hình thức" in main
    assert "Cần chọn ít nhất một đối tượng" in main
    checked(b, "new-errors", expected_status=422)
    b.page.get_by_role("link", name="Cần chọn ít nhất một đối tượng").first.click()
    assert b.page.evaluate("() => document.activeElement.id") == "recipients-individual"

    fill_new_kind(b)
    click(b, "button", "Tiếp tục")
    main = b.main_text()
    assert "Kiểm tra trước khi thêm hình thức" in main
    assert "Cá nhân, hộ gia đình" in main and "Hội LHPN: xã, phường, đặc khu (cơ sở)" in main
    assert "Không kèm tiền thưởng" in main
    checked(b, "new-check")
    click(b, "button", "Sửa lại")  # back to the form, as typed
    assert b.page.input_value("#title") == TITLE and b.page.is_checked("#decider-union-commune")
    click(b, "button", "Tiếp tục")
    click(b, "button", "Thêm «Biểu dương Hội LHPN xã» vào danh mục")
    main = b.main_text()
    assert f"Đã thêm «{TITLE}» vào danh mục, có hiệu lực từ ngày 01/01/2026." in main
    assert "Thêm vào danh mục" in main
    checked(b, "added")

    b.goto("/catalog?category=bieu_duong")
    assert TITLE in b.main_text()
    checked(b, "list-filtered")
    click(b, "link", TITLE)
    click(b, "link", "Sửa (từ một ngày)")
    assert b.page.input_value("#title") == TITLE
    tomorrow = b.page.input_value("#effective_from")
    assert tomorrow, "the change form proposes tomorrow"
    checked(b, "change")
    b.page.fill("#title", NEW_TITLE)
    b.page.fill("#reason", "Đổi tên theo đơn vị hành chính mới (thử nghiệm)")
    click(b, "button", "Tiếp tục")
    main = b.main_text()
    assert "Kiểm tra trước khi sửa hình thức" in main
    assert f"Tên đầy đủ {TITLE} {NEW_TITLE}" in main, main
    checked(b, "change-check")
    click(b, "button", f"Ghi thay đổi từ ngày {tomorrow}")
    main = b.main_text()
    assert f"Đã ghi thay đổi, có hiệu lực từ ngày {tomorrow}." in main
    assert f"{tomorrow} sắp áp dụng Sửa Tên đầy đủ: {TITLE} → {NEW_TITLE}" in main, main
    assert "Đổi tên theo đơn vị hành chính mới (thử nghiệm)" in main and ADMIN in main
    checked(b, "changed")

    b.goto(f"/catalog/{CODE}/retire")  # looked at, not confirmed
    assert f"Bãi bỏ «{TITLE}»?" in b.main_text()
    checked(b, "retire")


def test_the_catalogue_pages_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(ADMIN, demo_users[ADMIN])
    for path, name in (("/catalog", "list"), ("/catalog?retired=1&on=01/01/2020", "list-2020"),
                       ("/catalog/bang_khen_co_quan_khac", "kind"),
                       ("/catalog/new", "new"),
                       ("/catalog/bang_khen_tw_hoi/change", "change"),
                       ("/catalog/bang_khen_tw_hoi/retire", "retire")):
        b.goto(path)
        checked(b, name)
    b.goto("/catalog/new")
    for summary in b.page.locator("details.body-levels > summary").all():
        summary.click()  # every kind of body open: the whole grid of levels
    assert horizontal_overflow(b.page) == 0
    checked(b, "new-all-bodies")
    click(b, "button", "Tiếp tục")
    checked(b, "new-errors", expected_status=422)
