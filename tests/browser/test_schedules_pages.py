"""The money schedules in Chromium, on both stores, over the demo (today: the real date): the root
admin reads the schedules (sources, "chưa được xác minh", history), records a new base salary
from 01/01/2027 — a first try with an empty form shows the errors, then the review, then the
confirmation — and the calculator uses it for a Bằng khen decided on 15/01/2027; the withdrawal's
confirmation page and the issuers' rates are looked at too. Each page: no console error (but the
browser's own note of an expected 422), no outside request, no 5xx, axe-core finds no serious
or critical violation; at 390×844 no page scrolls sideways. Screens are saved."""

from __future__ import annotations

from tests.browser.conftest import Browsing, axe, horizontal_overflow

ADMIN = "admin"  # the root unit's admin: the one the service lets change the legal schedule
DISTRICT = "btl.vanphong"  # a district's awards office (the district dissolved in 2025)
PROVINCE = "hanoi.vanphong"  # a province's awards office and admin: its own rates


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


def test_the_root_admin_records_a_base_salary_and_the_calculator_uses_it(desktop: Browsing,
                                                                         demo_users):
    b = desktop
    b.sign_in(ADMIN, demo_users[ADMIN])
    b.goto("/schedules")
    main = b.page.inner_text("main")
    assert "2.530.000 đ" in main and "Nghị định 161/2026/NĐ-CP" in main
    assert "chưa được xác minh" in main and "Lịch sử thay đổi" in main
    checked(b, "schedules")

    click(b, "link", "Ghi mức lương cơ sở mới")
    checked(b, "base-salary-form")
    click(b, "button", "Tiếp tục")  # nothing typed: the errors, summarised and by each field
    main = b.page.inner_text("main")
    assert "Chưa ghi được, vui lòng sửa:" in main and "Cần nhập mức lương cơ sở" in main
    checked(b, "base-salary-errors", expected_status=422)

    b.page.fill("#amount", "2.700.000")
    b.page.fill("#effective_from", "01/01/2027")
    b.page.fill("#legal_basis", "Nghị định 999/2026/NĐ-CP (thử nghiệm)")
    b.page.fill("#note", "Dự thảo đăng trên cổng thông tin Chính phủ, chưa có bản ký")
    click(b, "button", "Tiếp tục")
    main = b.page.inner_text("main")
    assert "Kiểm tra trước khi ghi mức lương cơ sở" in main
    assert "thay cho 2.530.000 đ" in main and "4.050.000 đ" in main
    checked(b, "base-salary-check")

    click(b, "button", "Ghi mức lương cơ sở 2.700.000 đ từ 01/01/2027")
    main = b.page.inner_text("main")
    assert "Đã ghi mức lương cơ sở 2.700.000 đ từ ngày 01/01/2027." in main
    assert "Nghị định 999/2026/NĐ-CP (thử nghiệm)" in main
    checked(b, "base-salary-recorded")

    click(b, "link", "Tính thử tiền thưởng cho một quyết định ngày 01/01/2027")
    assert b.page.input_value("#on") == "01/01/2027"
    b.page.select_option("#award_kind", "bang_khen_tw_hoi")
    b.page.select_option("#recipient_kind", "individual")
    b.page.fill("#on", "15/01/2027")
    b.page.select_option("#issuer_unit_id", str(b.server.demo["root"]))
    click(b, "button", "Tính")
    quote = b.page.inner_text("#quote")
    assert "4.050.000 đ" in quote and "1,5 × 2.700.000 đ" in quote, quote
    assert "mức lương cơ sở 2.700.000 đ từ 01/01/2027" in quote
    checked(b, "calculator")

    b.goto("/schedules")
    click(b, "link", "Rút mức từ 01/01/2027")
    assert "Rút mức lương cơ sở từ ngày 01/01/2027?" in b.page.inner_text("main")
    checked(b, "withdraw")  # looked at, not confirmed

    b.goto("/schedules/internal-rates")
    checked(b, "internal-rates")
    b.goto("/schedules/differences")
    checked(b, "differences")


def test_an_office_records_its_own_rate(desktop: Browsing, demo_users):
    b = desktop
    b.sign_in(DISTRICT, demo_users[DISTRICT])  # her district, dissolved in 2025: its rates stay
    b.goto("/schedules/internal-rates")
    main = b.page.inner_text("main")
    assert "Hội LHPN quận Bắc Từ Liêm" in main and "500.000 đ" in main
    assert "không còn hoạt động từ ngày 01/07/2025" in main
    checked(b, "rates-district")

    b.sign_in(PROVINCE, demo_users[PROVINCE])
    b.goto("/schedules/internal-rates")
    assert "Hội LHPN thành phố Hà Nội" in b.page.inner_text("main")
    checked(b, "rates")
    b.page.select_option("#award_kind", "bang_khen_hoi_tinh")
    b.page.select_option("#recipient_kind", "individual")
    b.page.fill("#effective_from", "01/01/2027")
    b.page.fill("#amount", "1.000.000")
    b.page.fill("#note", "Quy chế khen thưởng 2027 (ví dụ)")
    click(b, "button", "Tiếp tục")
    main = b.page.inner_text("main")
    assert "Kiểm tra trước khi ghi mức thưởng" in main and "Một triệu đồng" in main
    checked(b, "rate-check")
    click(b, "button", "Ghi mức thưởng 1.000.000 đ")
    main = b.page.inner_text("main")
    assert ("Đã ghi mức thưởng 1.000.000 đ: Bằng khen của Ban Thường vụ Hội Liên hiệp Phụ nữ "
            "tỉnh, thành phố, cá nhân, từ ngày 01/01/2027.") in main
    assert "hanoi.vanphong" in main  # the history: who
    checked(b, "rate-recorded")


def test_the_schedule_pages_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(ADMIN, demo_users[ADMIN])
    for path, name in (("/schedules", "schedules"), ("/schedules/base-salary/new", "form"),
                       ("/schedules/base-salary/withdraw?effective_from=2026-07-01",
                        "withdraw"),
                       ("/calculator", "calculator"), ("/schedules/internal-rates", "rates")):
        b.goto(path)
        checked(b, name)
    b.goto("/schedules")
    b.page.locator("details.period > summary").last.click()  # the oldest decree's table
    assert horizontal_overflow(b.page) == 0
    checked(b, "schedules-open")
