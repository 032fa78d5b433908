"""The registry for people in Chromium, on both stores, over the demo: a reader searches a name
without diacritics, tells the namesakes apart (birth year, unit), opens one person's award
history (hồ sơ khen thưởng), then filters the registry for revoked awards. Each page: no console
error, no outside request, no 5xx, axe-core finds no serious or critical violation; at 390×844
the page does not scroll sideways (tables scroll in their own box). Screens are saved."""

from __future__ import annotations

from typing import Any

from domain.text import fold
from tests.browser.conftest import Browsing

READER = "hanoi.vanphong"
REVOKED_ON, REASON = "2024-06-01", "Kê khai thành tích không trung thực (minh họa)"




def revoked_person(b: Browsing) -> dict[str, Any]:
    """The person of the central decision's last line, that line revoked on 01/06/2024 (once
    per live server: the second test finds it done)."""
    server = b.server
    decision = server.demo["decisions"]["tw"]
    auth = {"Authorization": f"Bearer {server.demo['tokens']['tw.vanphong']}"}
    api = b.page.request
    lines = api.get(f"{server.url}/api/registry", headers=auth,
                    params={"decision_id": str(decision), "status": "all",
                            "recipient_kind": "individual"}).json()["items"]
    line = lines[-1]
    if line["status"] != "revoked":
        answer = api.post(f"{server.url}/api/decisions/{decision}/lines/{line['line_no']}/revoke",
                          headers=auth, data={"revoked_on": REVOKED_ON, "ground": "a",
                                              "reason": REASON})
        assert answer.ok, answer.text()
    return line["recipient"]


def search_and_open(b: Browsing, person: dict[str, Any]) -> None:
    b.goto("/registry")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("link", name="Tìm hồ sơ khen thưởng của một người, một tập thể").click()
    b.page.fill("#q", fold(person["name"]))  # no diacritics, as people type on a phone
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Tìm").click()
    main = b.page.inner_text("main")
    assert person["name"] in main and str(person["birth_year"]) in main
    rows = b.page.locator("#recipients tbody tr")
    assert rows.count() >= 1
    b.checked("search")
    with b.page.expect_navigation(wait_until="load"):
        b.page.locator(f"#recipients a[href='/registry/recipients/{person['key']}']").click()
    main = b.page.inner_text("main")
    assert f"Hồ sơ khen thưởng: {person['name']}" in main
    assert f"Năm sinh\n{person['birth_year']}" in main or str(person["birth_year"]) in main
    assert "Hủy bỏ từ 01/06/2024" in main and REASON in main
    b.checked("history")


def test_reader_searches_opens_a_history_and_filters_revoked(desktop: Browsing, demo_users):
    b = desktop
    b.sign_in(READER, demo_users[READER])
    person = revoked_person(b)
    search_and_open(b, person)

    # the history as of a date before the revocation: in force then
    b.page.fill("#as_of", "31/05/2024")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Xem").click()
    main = b.page.inner_text("main")
    assert "Hủy bỏ từ" not in main and "Có hiệu lực" in main
    b.checked("history-as-of")

    # the registry, revoked awards only
    b.goto("/registry")
    b.page.select_option("#status", "revoked")
    with b.page.expect_navigation(wait_until="load"):
        b.page.get_by_role("button", name="Xem").click()
    assert "status=revoked" in b.page.url
    main = b.page.inner_text("main")
    assert person["name"] in main and "Hủy bỏ từ 01/06/2024" in main
    assert "Tình trạng: Đã hủy bỏ" in main
    links = [b.page.locator("a.export-link").nth(i).get_attribute("href") for i in range(2)]
    assert all("status=revoked" in href for href in links), links
    b.checked("registry-revoked")
    # the name in the registry leads to the same history
    with b.page.expect_navigation(wait_until="load"):
        b.page.locator(f"#lines a[href='/registry/recipients/{person['key']}']").first.click()
    assert f"Hồ sơ khen thưởng: {person['name']}" in b.page.inner_text("main")


def test_the_registry_for_people_on_a_phone(phone: Browsing, demo_users):
    b = phone
    b.sign_in(READER, demo_users[READER])
    person = revoked_person(b)
    search_and_open(b, person)
    for path, name in (("/registry?status=all", "registry-all"),
                       ("/registry/recipients?q=lan", "search-lan"),
                       ("/registry/recipients", "everyone")):
        b.goto(path)
        b.checked(name)
