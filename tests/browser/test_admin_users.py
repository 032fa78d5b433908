"""User administration in Chromium, on both stores, over the demo: Hà Nội's administrator
(hanoi.vanphong) creates a user of a Hà Nội ward with a generated temporary password and gives
her a role; the user, in another browser, signs in, must set her own password first, then
works; the administrator sees her session (when, by whom) and ends it — the user's next page is
the sign-in form. The central administrator creates Thái Nguyên's administrator through the
pages, who then sees none of Hà Nội's users. Each page: no console error, no outside request,
no 5xx, axe-core finds no serious or critical violation; at 390×844 no sideways scroll.
Screens are saved."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.browser.conftest import DESKTOP, Browsing, _browsing, axe, horizontal_overflow

HANOI_ADMIN = "hanoi.vanphong"
ROOT_ADMIN = "admin"


def checked(b: Browsing, name: str) -> None:
    """The page as it is: clean, accessible, photographed."""
    b.assert_clean()
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    if b.viewport["width"] < 500:
        assert horizontal_overflow(b.page) == 0, name
    b.shoot(name)


def refused_as_expected(b: Browsing, status: int) -> None:
    """A refusal shown on its page: Chromium logs the answer's status as a console error; that
    one is expected, nothing else is."""
    problems = b.watch.reset()
    assert problems and all(f"status of {status}" in p for p in problems), problems


def path_of(b: Browsing) -> str:
    return urlsplit(b.page.url).path


def submit(b: Browsing, button: str) -> None:
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name=button, exact=True).click()


def choose(b: Browsing, select: str, text: str) -> None:
    """The option of ``select`` whose label contains ``text``."""
    labels = b.page.locator(f"{select} option").all_inner_texts()
    [label] = [x for x in labels if text in x][:1]
    b.page.select_option(select, label=label)


def create_user(b: Browsing, username: str, full_name: str, unit: str, role: str) -> str:
    """Through /users/new with a generated password: the temporary password shown once."""
    b.goto("/users/new")
    b.page.fill("#username", username)
    b.page.fill("#full_name", full_name)
    choose(b, "#home_unit_id", unit)
    b.page.check("#password_mode_generate")
    choose(b, "#role", role)
    choose(b, "#grant_unit_id", unit)
    submit(b, "Tạo người dùng")
    assert f"Đã tạo người dùng {full_name}" in b.page.inner_text("main")
    return b.page.inner_text(".password-once code").strip()


def first_sign_in(b: Browsing, username: str, temporary: str, new: str) -> None:
    """A temporary password: the sign-in leads to /password, nothing else opens until the new
    password is set; then the home page."""
    b.goto("/login")
    b.page.fill("#username", username)
    b.page.fill("#password", temporary)
    with b.page.expect_navigation(wait_until="load"):
        b.page.click("form[action='/login'] button[type=submit]")
    assert path_of(b) == "/password", b.page.inner_text("main")
    assert "mật khẩu tạm thời" in b.page.inner_text("main")
    checked(b, "password-forced")
    b.goto("/nominations")
    assert path_of(b) == "/login"  # no session until the password is changed
    b.goto("/password")
    b.page.fill("#new_password", new)
    b.page.fill("#new_password_again", new + "x")
    submit(b, "Đặt mật khẩu và tiếp tục")
    assert "không giống nhau" in b.page.inner_text("main")
    refused_as_expected(b, 422)
    checked(b, "password-forced-error")
    b.page.fill("#new_password", new)
    b.page.fill("#new_password_again", new)
    submit(b, "Đặt mật khẩu và tiếp tục")
    assert path_of(b) == "/", b.page.inner_text("main")


def test_admin_creates_a_user_who_sets_her_password_and_whose_session_is_ended(
        desktop: Browsing, browser, live_server, request, demo_users):
    b = desktop
    b.sign_in(HANOI_ADMIN, demo_users[HANOI_ADMIN])
    b.goto("/admin")
    for link in ("Người dùng", "Đơn vị", "Biểu mức tiền thưởng"):
        assert b.page.get_by_role("link", name=link, exact=True).count() == 1
    checked(b, "admin")
    b.goto("/users")
    assert "xuandinh.denghi" in b.page.inner_text("main")
    assert "tw.vanphong" not in b.page.inner_text("main")
    checked(b, "users")
    b.goto("/users/new")
    checked(b, "new")
    b.page.get_by_role("button", name="Tạo người dùng").click()  # nothing filled: stopped
    assert b.page.evaluate("() => document.querySelector('#username').validity.valueMissing")
    assert path_of(b) == "/users/new"

    temporary = create_user(b, "xuandinh.lan", "Nguyễn Thị Lan", "Xuân Đỉnh", "Người đề nghị")
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", temporary)
    checked(b, "created")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("link", name="Xem người dùng, giao thêm vai trò").click()
    choose(b, "#role", "Thành viên Hội đồng")
    choose(b, "#grant_unit", "Xuân Đỉnh")
    submit(b, "Giao vai trò")
    main = b.page.inner_text("main")
    assert "Đã giao vai trò." in main and "Thành viên Hội đồng TĐKT — Hội LHPN phường Xuân Đỉnh" \
        in main
    assert "Phải đổi mật khẩu" in main
    checked(b, "user")

    context, her = _browsing(browser, live_server, request, DESKTOP)
    try:
        first_sign_in(her, "xuandinh.lan", temporary, "mat-khau-cua-lan-1")
        assert "Nguyễn Thị Lan" in her.page.inner_text("header")
        her.goto("/nominations")
        assert path_of(her) == "/nominations"
        her.assert_clean()

        b.goto("/users/xuandinh.lan")
        sessions = b.page.locator("#ma-truy-cap tbody tr", has_text="Phiên đăng nhập")
        assert sessions.count() == 1
        row = sessions.first.inner_text()
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", row) and "xuandinh.lan" in row
        assert "Đang hoạt động" in b.page.inner_text("main")
        with b.page.expect_navigation(wait_until="load"):
            sessions.first.get_by_role("link").click()
        assert "Điều sẽ xảy ra" in b.page.inner_text("main")
        checked(b, "session-revoke")
        submit(b, "Kết thúc phiên")
        assert "Đã kết thúc phiên đăng nhập" in b.page.inner_text("main")
        checked(b, "session-ended")

        her.goto("/nominations")
        assert path_of(her) == "/login"  # her session was ended on the server
        her.sign_in("xuandinh.lan", "mat-khau-cua-lan-1")  # her own password still works
        her.assert_clean()
    finally:
        context.close()

    b.goto("/users/xuandinh.lan/password-reset")
    checked(b, "password-reset")
    b.goto("/users/xuandinh.lan/deactivate")
    checked(b, "deactivate")
    b.goto("/password")
    checked(b, "password-own")


def test_another_provinces_admin_sees_none_of_ha_nois_users(desktop: Browsing, browser,
                                                             live_server, request, demo_users):
    b = desktop
    b.sign_in(ROOT_ADMIN, demo_users[ROOT_ADMIN])
    b.goto("/users")
    assert "hanoi.vanphong" in b.page.inner_text("main")  # the centre sees every user
    temporary = create_user(b, "thainguyen.quantri", "Quản trị Hội LHPN tỉnh Thái Nguyên",
                            "Thái Nguyên", "Quản trị")

    context, other = _browsing(browser, live_server, request, DESKTOP)
    try:
        first_sign_in(other, "thainguyen.quantri", temporary, "mat-khau-thai-nguyen-1")
        other.goto("/users")
        listed = other.page.inner_text("main")
        assert "thainguyen.quantri" in listed
        for name in ("hanoi.", "xuandinh.", "btl.", "tw.", "admin\t"):
            assert name not in listed, name
        other.page.fill("#q", "hanoi")
        submit(other, "Tìm")
        assert "0 người dùng" in other.page.inner_text("main")
        other.goto("/users/hanoi.vanphong")
        assert "ngoài phạm vi quản lý" in other.page.inner_text("main")
        refused_as_expected(other, 403)
    finally:
        context.close()


def test_the_pages_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(HANOI_ADMIN, demo_users[HANOI_ADMIN])
    for path, name in (("/admin", "admin"), ("/users", "users"), ("/users/new", "new"),
                       ("/users/xuandinh.denghi", "user"), ("/password", "password")):
        b.goto(path)
        checked(b, f"phone-{name}")
