"""The office's dashboard in Chromium, on both stores, as Hà Nội's awards office
(hanoi.vanphong) over the demo: from the home page to the dashboard, one chart's bar followed to
the registry, whose total is the bar's figure; the figures' table opened; the year refused when
it is not one. Each page: no console error, no outside request, no 5xx, axe-core finds no serious
or critical violation; at 390×844 the page does not scroll sideways. Screens are saved."""

from __future__ import annotations

import re

from domain.money import format_dong
from tests.browser.conftest import Browsing, axe, horizontal_overflow

OFFICE = "hanoi.vanphong"


def checked(b: Browsing, name: str) -> None:
    """The page as it is: clean, accessible, photographed."""
    b.assert_clean()
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    if b.viewport["width"] < 500:
        assert horizontal_overflow(b.page) == 0, name
    b.shoot(name)


def biggest_bar(b: Browsing, chart: str) -> tuple[object, int, int | None]:
    """The bar of the chart with the most awards: its link, its count and its money."""
    bars = b.page.locator(f"#chart-{chart} a.bar-link")
    best = None
    for i in range(bars.count()):
        bar = bars.nth(i)
        lines = int(bar.get_attribute("data-lines"))
        amount = bar.get_attribute("data-amount")
        figures = (lines, int(amount) if amount else None)
        if best is None or (figures[0], figures[1] or 0) > (best[1], best[2] or 0):
            best = (bar, *figures)
    assert best is not None and best[1] > 0, f"no bar with awards in {chart}"
    return best


def follow_to_the_registry(b: Browsing, chart: str, name: str) -> None:
    bar, lines, amount = biggest_bar(b, chart)
    label = bar.locator("title").text_content()
    with b.page.expect_navigation(wait_until="load"):
        bar.click()
    assert "/registry?" in b.page.url
    main = b.page.inner_text("main")
    assert f"Danh sách ({lines} dòng)" in main, (label, main[:2000])
    total = b.page.locator("#totals tr").last.inner_text()
    assert total.startswith("Tổng cộng") and format_dong(amount) in total, (label, total)
    assert format_dong(amount) in label  # the bar said the same
    assert "Đang lọc theo" in main and "Hội LHPN" in main
    checked(b, name)


def test_office_follows_a_chart_to_the_registry(desktop: Browsing, demo_users):
    b = desktop
    b.sign_in(OFFICE, demo_users[OFFICE])
    b.goto("/")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("link", name=re.compile("^Tổng quan — ")).click()
    assert b.page.url.split("?")[0].endswith("/dashboard")
    main = b.page.inner_text("main")
    assert "Hồ sơ đang chờ" in main and "Biểu đồ" in main
    checked(b, "dashboard")

    follow_to_the_registry(b, "by-year", "registry-by-year")

    b.goto("/dashboard?year=2024")
    for details in b.page.locator("figure.chart details").all():
        details.locator("summary").click()
    checked(b, "dashboard-2024-tables")
    follow_to_the_registry(b, "by-kind", "registry-by-kind")

    b.goto("/dashboard?year=abc")
    assert "không hợp lệ" in b.page.inner_text("main")
    b.watch.reset()  # the 422 answer is the point here
    violations = axe(b.page)
    assert not violations, violations
    b.shoot("dashboard-bad-year")


def test_the_dashboard_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(OFFICE, demo_users[OFFICE])
    b.goto("/dashboard?year=2024")
    checked(b, "dashboard")
    for details in b.page.locator("figure.chart details").all():
        details.locator("summary").click()
    checked(b, "dashboard-tables")
    follow_to_the_registry(b, "by-recipient", "registry")
    b.goto("/")
    checked(b, "home")
