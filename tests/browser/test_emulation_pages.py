"""Emulation in Chromium, on both stores, over the demo (issue 19): Thái Bình's office opens the
Red River Delta board of 2023 from the menu and reads the article's counts as the board
computes them ("8/9" provinces founding cooperatives, each province's number, "4/9 tỉnh có
trường hợp xảy ra"), then its own report (closed on 8/11/2023: nothing to report). The centre
then sets up 2024 for the cluster through the API (members, a covenant, every signature,
opened); Thái Bình's office reports a value from its report page — a first try without the
value shows the error — and Quảng Ninh's office, the lead, confirms it after a confirmation
page; the history shows both and the board counts it. Every page: no console error (but the
browser's own note of an expected 422), no outside request, no 5xx, no serious or critical
axe violation, nothing scrolling sideways at 390×844. Screens are saved."""

from __future__ import annotations

import re
from typing import Any

from domain.emulation import seed_red_river_2023 as red_river
from tests.browser.conftest import Browsing, LiveServer, checked

MEMBER, LEAD, CENTRE = "thaibinh.vanphong", "quangninh.vanphong", "tw.vanphong"
INDICATORS = [
    {"code": "1", "text": "Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
     "measure": "yes_no"},
    {"code": "2", "text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
     "measure": "number", "target": "1", "unit": "hợp tác xã", "summable": True},
]


def click(b: Browsing, role: str, name: str, exact: bool = True) -> None:
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role(role, name=name, exact=exact).first.click()


def sign_out(b: Browsing) -> None:
    click(b, "button", "Đăng xuất")


def set_up_2024(b: Browsing, server: LiveServer) -> str:
    """The centre's office (the managing unit) sets up 2024 through the API: the same nine
    provinces, Quảng Ninh leading, two indicators, every signature, opened."""
    cluster = server.demo["red_river"]["cluster"]
    units = server.demo["red_river"]["units"]
    auth = {"Authorization": f"Bearer {server.demo['tokens'][CENTRE]}"}
    api = f"{server.url}/api/emulation/clusters/{cluster}"

    def send(method: str, path: str, body: dict[str, Any]) -> None:
        answer = b.page.request.fetch(api + path, method=method, headers=auth, data=body)
        assert answer.status in (200, 201), (path, answer.status, answer.text()[:300])

    send("PUT", "/years/2024", {
        "members": [{"unit_id": str(units[m["key"]]), "name": m["name"]}
                    for m in red_river.MEMBERS],
        "lead_unit_id": str(units[red_river.LEAD]), "reason": "Quyết định phân cụm năm 2024"})
    send("PUT", "/covenants/2024", {"title": "Giao ước thi đua năm 2024",
                                    "indicators": INDICATORS})
    for member in red_river.MEMBERS:
        send("POST", "/covenants/2024/sign", {"unit_id": str(units[member["key"]]),
                                              "on": "2024-01-10"})
    send("POST", "/covenants/2024/open", {"on": "2024-01-15"})
    return f"/emulation/clusters/{cluster}/2024"


def test_a_member_reports_and_the_lead_confirms(desktop: Browsing, live_server: LiveServer,
                                                demo_users):
    b = desktop
    b.sign_in(MEMBER, demo_users[MEMBER])
    click(b, "link", "Thi đua")  # the menu
    main = b.main_text()
    assert "Cụm thi đua các tỉnh Đồng bằng sông Hồng" in main
    checked(b, "home")

    click(b, "link", "Năm 2023")
    main = b.main_text()
    assert "Bảng kết quả thi đua năm 2023" in main
    assert "Chỉ tiêu 2: 8/9 tỉnh đạt" in main
    assert ("Quảng Ninh 04; Hưng Yên 03; Ninh Bình 03; Bắc Ninh 02; Nam Định 02; Vĩnh Phúc 02; "
            "Hải Dương 01; Thái Bình 01") in main
    assert "18 hợp tác xã" in main
    assert "4/9 tỉnh có trường hợp xảy ra" in main
    assert "Chỉ tiêu 5: 6/9 tỉnh đạt" in main and "Chỉ tiêu 8: 5/9 tỉnh đạt" in main
    assert "13.747 gia đình" in main
    checked(b, "board-2023")

    click(b, "link", "Thái Bình")  # its own report
    main = b.main_text()
    assert "Báo cáo kết quả của Thái Bình" in main
    assert "Giao ước đã kết thúc ngày 08/11/2023" in main
    assert b.page.locator("form.result-form").count() == 0  # closed: nothing to report
    checked(b, "report-2023")

    board = set_up_2024(b, live_server)
    click(b, "link", "Thi đua")
    click(b, "link", "Năm 2024")
    assert b.path() == board
    assert "Chỉ tiêu 2: 0/0 (9 chưa có số liệu) tỉnh đạt" in b.main_text()
    click(b, "link", "Thái Bình")
    report = b.path()
    click(b, "button", "Ghi kết quả chỉ tiêu 2")  # nothing typed
    main = b.main_text()
    assert "Chưa ghi được, vui lòng sửa:" in main and "Chỉ tiêu 2: cần ghi số liệu" in main
    checked(b, "report-errors", expected_status=422)
    b.page.get_by_role("link", name="Chỉ tiêu 2: cần ghi số liệu", exact=False).first.click()
    assert b.page.evaluate("() => document.activeElement.id") == "value-2"
    b.page.fill("#value-2", "2")
    b.page.fill("#evidence-2", "Báo cáo tổng kết năm 2024 của Hội LHPN tỉnh Thái Bình")
    click(b, "button", "Ghi kết quả chỉ tiêu 2")
    main = b.main_text()
    assert "Đã ghi kết quả chỉ tiêu 2." in main
    assert re.search(r"thaibinh\.vanphong báo cáo — → 2", main), main
    checked(b, "report-2024")
    sign_out(b)

    b.sign_in(LEAD, demo_users[LEAD])
    b.goto(report)
    assert b.page.locator("form.result-form").count() == 0  # the lead does not report for it
    click(b, "link", "Xác nhận chỉ tiêu 2")
    main = b.main_text()
    assert "Xác nhận kết quả chỉ tiêu 2 của Thái Bình?" in main and "Điều sẽ xảy ra" in main
    checked(b, "confirm")
    click(b, "button", "Xác nhận kết quả chỉ tiêu 2")
    main = b.main_text()
    assert "Đã xác nhận kết quả chỉ tiêu 2." in main
    assert re.search(r"thaibinh\.vanphong báo cáo — → 2", main), main
    assert re.search(r"quangninh\.vanphong xác nhận 2 \(giữ nguyên\)", main), main
    checked(b, "report-confirmed")

    click(b, "link", "Bảng kết quả năm 2024")
    main = b.main_text()
    assert "Chỉ tiêu 2: 1/1 (8 chưa có số liệu) tỉnh đạt" in main
    assert "Thái Bình 02" in main and "2 hợp tác xã (8 chưa báo cáo)" in main
    checked(b, "board-2024")
