"""Erasing a person's personal data in Chromium, on both stores, over the demo (issue 18): Hà
Nội's office records a decision naming a person of Xuân Đỉnh with her CCCD and birth date; the
central admin opens her award history in the registry, follows «Xóa dữ liệu cá nhân của người
này», finds her, is told a reason is needed, gives one, confirms, and is told what was done,
with a link to the audit trail. Her CCCD is then gone, her award kept. Every page: no console
error (but the browser's own note of the expected 422), no outside request, no 5xx, no serious
or critical axe violation, nothing scrolling sideways at 390×844; photographed at both widths."""

from __future__ import annotations

from tests.browser.conftest import Browsing, LiveServer, checked

ADMIN, OFFICE = "admin", "hanoi.vanphong"
NAME, CCCD, BORN = "Đặng Thị Thu Hiền", "001186054321", "1986-09-14"
REASON = "Theo đơn đề nghị ngày 02/12/2026 của bà Hiền"


def click(b: Browsing, role: str, name: str) -> None:
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role(role, name=name, exact=True).first.click()


def seed(b: Browsing, server: LiveServer) -> tuple[str, str]:
    """Her decision, recorded by Hà Nội's office through the API: (decision id, her key)."""
    demo = server.demo
    auth = {"Authorization": f"Bearer {demo['tokens'][OFFICE]}"}
    api = b.page.request
    answer = api.post(f"{server.url}/api/decisions", headers=auth, data={
        "number": "77/QĐ-HPN", "decided_on": "2024-06-03", "award_kind": "bang_khen_hoi_tinh",
        "issuer": {"unit_id": str(demo["hanoi"])}, "signer": {"name": "Lê Thị Thiên Hương"},
        "lines": [{"recipient": {"kind": "individual", "name": NAME, "citizen_id": CCCD,
                                 "birth_date": BORN,
                                 "unit_id": str(demo["wards"]["Xuân Đỉnh"])},
                   "period": "2023", "amount": 500_000}]})
    assert answer.status == 201, answer.text()[:400]
    decision = answer.json()["id"]
    found = api.get(f"{server.url}/api/registry", headers=auth,
                    params={"decision_id": decision}).json()["items"]
    return decision, found[0]["recipient"]["key"]


def test_the_admin_erases_a_person_s_personal_data_from_her_history(
        desktop: Browsing, live_server: LiveServer, demo_users):
    b = desktop
    decision, key = seed(b, live_server)
    b.sign_in(ADMIN, demo_users[ADMIN])

    # her award history, with the way to erase her personal data
    b.goto(f"/registry/recipients/{key}")
    main = b.main_text()
    assert f"Hồ sơ khen thưởng: {NAME}" in main and "77/QĐ-HPN" in main
    checked(b, "history")
    click(b, "link", "Xóa dữ liệu cá nhân của người này")

    # the form: what erasure does, her public id prefilled
    assert b.path() == f"/personal-data/erase?recipient={key}"
    main = b.main_text()
    assert "Xóa dữ liệu cá nhân theo yêu cầu" in main and "Không hoàn tác được" in main
    assert b.page.input_value("#recipient_id") == key
    checked(b, "form")
    click(b, "button", "Tìm và xem lại trước khi xóa")

    # the check page: her, her award, the data held; a reason is needed
    main = b.main_text()
    assert f"Xóa dữ liệu cá nhân của {NAME}?" in main
    assert "77/QĐ-HPN" in main and "03/06/2024" in main and "Đang lưu" in main
    assert CCCD not in b.page.content().replace(f'value="{CCCD}"', "")
    checked(b, "check")
    click(b, "button", "Xóa dữ liệu cá nhân của người này")
    main = b.main_text()
    assert "Chưa xóa được:" in main and "Cần ghi lý do" in main
    checked(b, "check-no-reason", expected_status=422)
    b.page.get_by_role("link", name="Cần ghi lý do", exact=False).first.click()
    assert b.page.evaluate("() => document.activeElement.id") == "reason"
    b.page.fill("#reason", REASON)
    click(b, "button", "Xóa dữ liệu cá nhân của người này")

    # done: what was done, and where it is recorded
    assert b.path().startswith("/personal-data/erasures/")
    assert CCCD not in b.page.url
    main = b.main_text()
    assert f"Đã xóa dữ liệu cá nhân của {NAME}" in main and REASON in main
    checked(b, "done")
    click(b, "link", "Xem trong nhật ký hoạt động")
    assert "kind=personal_data_erasure" in b.page.url and REASON in b.main_text()
    checked(b, "audit")

    # her award stays, her CCCD is gone
    auth = {"Authorization": f"Bearer {live_server.demo['tokens'][OFFICE]}"}
    shown = b.page.request.get(f"{live_server.url}/api/decisions/{decision}",
                               headers=auth).json()
    [line] = shown["lines"]
    assert line["recipient"]["name"] == NAME and line["recipient"]["citizen_id"] is None
