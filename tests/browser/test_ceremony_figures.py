"""Announced figures and an outside host in Chromium, on both stores, as the district's awards
office (btl.vanphong) records them at the demo's conference of 9/1/2024 (57 tập thể, 109 cá
nhân, 68.640.000 đ computed): counts with their qualifiers, an approximate total, the sentences
of the reconciliation, and the conference named as hosted by UBND quận Bắc Từ Liêm. Each page:
no console error, no outside request, no 5xx, no serious or critical axe violation; at 390×844
nothing scrolls sideways. Screens are saved."""

from __future__ import annotations

from tests.browser.conftest import Browsing

OFFICE = "btl.vanphong"
SOURCE = "Báo Phụ nữ Thủ đô (minh họa)"


def test_office_records_counts_and_an_approximate_total(desktop: Browsing, demo_users):
    b = desktop
    cid = b.server.demo["ceremonies"]["btl_2024"]
    b.sign_in(OFFICE, demo_users[OFFICE])
    b.goto(f"/ceremonies/{cid}")
    b.page.get_by_label("Tổng công bố (đồng)").fill("70.000.000")
    b.page.get_by_label("Mức công bố tổng tiền").select_option("about")
    b.page.get_by_label("Số tập thể công bố").fill("60")
    b.page.get_by_label("Nguồn của số tập thể").fill(SOURCE)
    b.page.get_by_label("Số cá nhân công bố").fill("100")
    b.page.get_by_label("Mức công bố số cá nhân").select_option("at_least")
    b.follow(b.page.get_by_role("button", name="Ghi số liệu công bố"))
    main = b.main_text()
    assert ("Công bố khoảng 70.000.000 đ; các quyết định cho 68.640.000 đ: phù hợp với «khoảng» "
            "(lệch 2%).") in main
    assert "Công bố 60 tập thể; các quyết định cho 57 tập thể: ít hơn 3." in main
    assert ("Công bố ít nhất 100 cá nhân; các quyết định cho 109 cá nhân: phù hợp với «ít nhất» "
            "(nhiều hơn 9).") in main
    assert f"Nguồn: {SOURCE}" in main
    b.checked("figures")

    b.goto(f"/ceremonies/{cid}/edit")
    b.page.get_by_label("Loại cơ quan chủ trì").select_option("government")
    b.page.get_by_label("Cấp của cơ quan chủ trì").select_option("district")
    b.page.get_by_label("Tên cơ quan chủ trì").fill("UBND quận Bắc Từ Liêm")
    b.checked("edit-host")
    b.follow(b.page.get_by_role("button", name="Lưu thay đổi"))
    main = b.main_text()
    assert "Cơ quan chủ trì UBND quận Bắc Từ Liêm" in main
    assert "Đơn vị Hội ghi nhận, quản lý Hội LHPN quận Bắc Từ Liêm" in main
    b.checked("hosted")


def test_the_figures_on_a_phone(phone: Browsing, demo_users):
    b = phone
    cid = b.server.demo["ceremonies"]["btl_2024"]
    b.sign_in(OFFICE, demo_users[OFFICE])
    b.goto(f"/ceremonies/{cid}")
    b.page.get_by_label("Số lượt khen thưởng công bố").fill("1.200")
    b.page.get_by_label("Mức công bố số lượt khen thưởng").select_option("about")
    b.follow(b.page.get_by_role("button", name="Ghi số liệu công bố"))
    assert "Công bố khoảng 1.200 lượt khen thưởng" in b.main_text()
    b.checked("figures")
