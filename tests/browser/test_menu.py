"""The header's menu in Chromium, on both stores, without any script: on a phone (390×844) one
row with a «Menu» button that opens the links below the header (by touch or by keyboard, the
focus visible); on the office laptop (1366×768) the links inline and no button. And a long list
on a phone: the registry, one page of 50 lines, with its pager. axe-core finds no serious or
critical violation; nothing scrolls sideways. Screens are saved."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import DESKTOP, Browsing, axe, horizontal_overflow

USER = "admin"  # the longest menu (Tổng quan, Quản trị too)
FOCUS = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return {tag: e.tagName.toLowerCase(), text: (e.textContent || '').trim(),
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def test_the_menu_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(USER, demo_users[USER])
    summary = b.page.locator("header details.menu > summary")
    nav = b.page.get_by_role("navigation", name="Menu chính")
    assert summary.is_visible() and not nav.is_visible()
    header = b.page.locator("header").bounding_box()
    assert header["height"] < 130, header  # one or two rows, not four
    assert horizontal_overflow(b.page) == 0
    b.shoot("closed")

    summary.click()
    assert nav.is_visible()
    registry = nav.get_by_role("link", name="Sổ khen thưởng")
    assert registry.is_visible()
    box = registry.bounding_box()
    assert box["height"] >= 44 and box["y"] >= header["y"] + header["height"] - 1  # below it
    assert nav.get_by_role("link", name="Quản trị").is_visible()
    assert not axe(b.page), axe(b.page)
    assert horizontal_overflow(b.page) == 0
    b.shoot("open")
    summary.click()
    assert not nav.is_visible()

    # by keyboard, from a fresh page: Tab to the button (its focus visible), Enter opens, Tab
    # walks the links
    b.goto("/")
    b.page.keyboard.press("Tab")
    focus = b.page.evaluate(FOCUS)
    assert focus["tag"] == "summary" and focus["outline"], focus
    b.page.keyboard.press("Enter")
    assert nav.is_visible()
    b.page.keyboard.press("Tab")
    focus = b.page.evaluate(FOCUS)
    assert focus == {"tag": "a", "text": "Trang chính", "outline": True}, focus
    with b.page.expect_navigation(wait_until="load"):
        registry.click()
    assert urlsplit(b.page.url).path == "/registry"
    assert not nav.is_visible()  # a new page: the menu closed again
    b.assert_clean()


def test_the_menu_on_the_office_laptop(desktop: Browsing, demo_users):
    b = desktop
    b.sign_in(USER, demo_users[USER])
    assert not b.page.locator("header details.menu > summary").is_visible()
    nav = b.page.get_by_role("navigation", name="Menu chính")
    assert nav.is_visible()
    for name in ("Trang chính", "Sổ khen thưởng", "Tổng quan", "Quản trị", "API"):
        assert nav.get_by_role("link", name=name).is_visible(), name
    b.page.keyboard.press("Tab")  # the first link, not a hidden button
    focus = b.page.evaluate(FOCUS)
    assert focus == {"tag": "a", "text": "Trang chính", "outline": True}, focus
    b.page.get_by_role("button", name="Đăng xuất").is_visible()
    assert not axe(b.page), axe(b.page)
    b.shoot("menu")
    b.assert_clean()


def test_the_registry_pages_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(USER, demo_users[USER])
    b.goto("/registry")
    pager = b.page.get_by_role("navigation", name="Các trang của sổ khen thưởng")
    rows = b.page.locator("#lines tbody tr")
    assert rows.count() <= 50
    if pager.count():  # the demo's registry is longer than a page
        assert "Trang 1 /" in pager.inner_text()
        with b.page.expect_navigation(wait_until="load"):
            pager.get_by_role("link", name="Trang sau ›").click()
        assert "page=2" in b.page.url
        assert "Trang 2 /" in pager.inner_text()
    assert horizontal_overflow(b.page) == 0
    assert not axe(b.page), axe(b.page)
    b.shoot("registry")
    b.page.set_viewport_size(DESKTOP)
    b.assert_clean()
