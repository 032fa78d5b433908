"""The covenant configured in Chromium, on both stores, over the demo (issue 19): the centre's
office (the Red River Delta cluster's managing unit), the 2024 members and lead set, drafts the
2024 covenant from «Cấu hình giao ước», records two indicators (one
applying only where cases occurred) — a first try without a target shows the error beside its
field, «Thêm dòng» gives more rows —, a points table and a threshold, all typed the Vietnamese
way, then opens the board, which shows them and links back to the configuration. Every page: no
console error (but the browser's own note of an expected 422), no outside request, no 5xx, no
serious or critical axe violation, nothing scrolling sideways at 390×844; photographed at both
widths."""

from __future__ import annotations

from domain.emulation import seed_red_river_2023 as red_river
from tests.browser.conftest import Browsing, LiveServer, checked

CENTRE = "tw.vanphong"


def click(b: Browsing, role: str, name: str, exact: bool = True) -> None:
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role(role, name=name, exact=exact).first.click()


def test_the_centre_configures_the_2024_covenant(desktop: Browsing, live_server: LiveServer,
                                                 demo_users):
    b = desktop
    cluster = live_server.demo["red_river"]["cluster"]
    units = live_server.demo["red_river"]["units"]
    b.sign_in(CENTRE, demo_users[CENTRE])

    # the year's members and lead (through the API: the year's page offers the units of
    # today, and some of 2024's provinces have been merged since)
    auth = {"Authorization": f"Bearer {live_server.demo['tokens'][CENTRE]}"}
    answer = b.page.request.fetch(
        f"{live_server.url}/api/emulation/clusters/{cluster}/years/2024", method="PUT",
        headers=auth, data={"members": [{"unit_id": str(units[m["key"]]), "name": m["name"]}
                                        for m in red_river.MEMBERS],
                            "lead_unit_id": str(units[red_river.LEAD])})
    assert answer.status in (200, 201), answer.text()[:300]

    # no covenant yet: drafted from its configuration page
    base = f"/emulation/clusters/{cluster}/2024/covenant"
    b.goto(base)
    assert "Chưa có giao ước năm 2024" in b.main_text()
    checked(b, "draft")
    click(b, "button", "Lập giao ước năm 2024")
    main = b.main_text()
    assert "Đã lập giao ước năm 2024 (dự thảo)" in main and "Chưa có chỉ tiêu" in main
    checked(b, "task-list")

    # the indicators: the first try has no target on the first row
    click(b, "link", "1. Chỉ tiêu")
    b.page.fill("#ind-1-code", "1")
    b.page.fill("#ind-1-text", "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý")
    b.page.fill("#ind-1-unit", "hợp tác xã")
    b.page.check("#ind-1-summable")
    b.page.fill("#ind-1-max_points", "12,5")
    b.page.fill("#ind-2-code", "2")
    b.page.fill("#ind-2-text", "Hỗ trợ nạn nhân bạo lực gia đình được phát hiện")
    b.page.select_option("#ind-2-measure", "percent")
    b.page.fill("#ind-2-target", "95,5")
    b.page.check("#ind-2-when_cases")
    click(b, "button", "Ghi chỉ tiêu")
    main = b.main_text()
    assert "Chưa ghi được, vui lòng sửa:" in main and "Dòng 1: cần mức chỉ tiêu" in main
    assert b.page.input_value("#ind-2-target") == "95,5"  # as typed
    checked(b, "indicators-errors", expected_status=422)
    b.page.get_by_role("link", name="Dòng 1: cần mức chỉ tiêu", exact=False).first.click()
    assert b.page.evaluate("() => document.activeElement.id") == "ind-1-target"
    b.page.fill("#ind-1-target", "1")
    click(b, "button", "Thêm dòng")  # more rows; what was typed kept, nothing recorded
    assert b.page.locator("#ind-6-text").count() == 1
    assert b.page.input_value("#ind-1-target") == "1"
    click(b, "button", "Ghi chỉ tiêu")
    main = b.main_text()
    assert "Đã ghi các chỉ tiêu." in main and "2 chỉ tiêu, 1 chỉ tiêu có điểm" in main

    # the points table: the indicator's 12,5 + 987,5 = 1.000
    click(b, "link", "2. Thang điểm")
    assert "Chỉ tiêu 1: 12,5 điểm" in b.main_text()
    b.page.fill("#item-1-text", "Tổ chức hoạt động chung của cụm")
    b.page.fill("#item-1-max_points", "987,5")
    b.page.fill("#ded-1-text", "Báo cáo chậm")
    b.page.fill("#ded-1-points", "10")
    b.page.fill("#total_max", "1.000")
    checked(b, "points")
    click(b, "button", "Ghi thang điểm")
    main = b.main_text()
    assert "Đã ghi thang điểm." in main
    assert "2 mục chấm điểm, tổng tối đa 1.000 điểm; 1 mục trừ điểm" in main

    # a threshold
    click(b, "link", "3. Xếp loại và cách chấm điểm")
    b.page.fill("#lvl-1-label", "Hoàn thành xuất sắc")
    b.page.fill("#lvl-1-minimum", "950")
    checked(b, "thresholds")
    click(b, "button", "Ghi xếp loại và cách chấm điểm")
    main = b.main_text()
    assert "Đã ghi xếp loại và cách chấm điểm." in main and "1 mức xếp loại" in main

    click(b, "link", "4. Đề nghị khen thưởng")
    checked(b, "proposal-rules")
    click(b, "link", "Cấu hình giao ước")

    # the board shows what was configured, and leads back
    click(b, "link", "Mở bảng kết quả năm 2024")
    main = b.main_text()
    assert "Bảng kết quả thi đua năm 2024" in main
    assert "Chỉ tiêu 2: 0/0 (9 chưa có số liệu) tỉnh đạt" in main
    assert "chỉ áp dụng cho tỉnh có trường hợp xảy ra" in main
    assert "≥ 95,5%" in main
    checked(b, "board")
    click(b, "link", "Cấu hình giao ước")
    assert b.path() == base
