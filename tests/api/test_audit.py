"""The audit trail (issue 18, item 7), on both stores: acts done through the API appear with
who did them, the units they concern, the kind of act, the reason and the time in Vietnam;
filters by person, unit, kind of act and dates; a province's admin reads her subtree only, a
nominator or a council member is refused; no citizen ID or birth date in the rows, the API's
answers or the CSV even when the events hold them; projecting the trail again from zero gives
the same rows; the page lists, filters, pages, exports exactly what it shows, and says what is
wrong with a filter beside it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from projections.audit import LOCAL, ROOT, local_day_end, local_day_start
from services.authz import SYSTEM
from tests.api.test_page_labels import unlabelled
from tests.helpers import nomination_body, ok, person, refused
from tests.helpers import page_main_text as main_text
from tests.helpers import page_sign_in as login

CCCD, BORN = "001180012345", "1980-03-15"
WITHDRAW_REASON = "Hồ sơ nộp nhầm đơn vị"
DEACTIVATE_REASON = "Cán bộ đã nghỉ hưu"
NAMES = {"xd": "Hội LHPN phường Xuân Đỉnh", "nt": "Hội LHPN xã Nông Thượng",
         "btl": "Hội LHPN quận Bắc Từ Liêm", "hanoi": "Hội LHPN TP Hà Nội",
         "root": "Trung ương Hội LHPN Việt Nam"}


def trail(client, world, user: str = "admin", **params: Any) -> dict[str, Any]:
    return ok(client.get("/api/audit", params={"limit": 500, **params}, headers=world.h(user)))


def rows_of(found: dict[str, Any], act: str) -> list[dict[str, Any]]:
    return [i for i in found["items"] if i["act"] == act]


def unit_names(item: dict[str, Any]) -> set[str]:
    return {u["name"] for u in item["units"]}


@pytest.fixture
def story(client, world, flow) -> dict[str, Any]:
    """Acts through the API, with the moments around them: xd.nom drafts a nomination for a
    person with her citizen ID and birth date, submits it; nt.nom drafts one and withdraws it
    with a reason; the district office decides one and revokes the decision; Hà Nội's admin
    creates a user in Xuân Đỉnh and locks her account with a reason."""
    before = datetime.now(UTC)
    body = nomination_body(world, recipient=person(unit_id=world.u("xd"), citizen_id=CCCD,
                                                   birth_date=BORN))
    kept = flow.draft(body=body)["id"]
    flow.submit(kept)
    withdrawn = flow.draft("nt")["id"]
    flow.withdraw(withdrawn, by="nt.nom", reason=WITHDRAW_REASON)
    decided = flow.decided(recipient=person(unit_id=world.u("xd"), name="Lê Thị Hoa",
                                            birth_year=1985, citizen_id="001185099999",
                                            birth_date="1985-05-05"))
    decision_id = decided["decision"]["decision_id"]
    flow.revoke(decision_id)
    ok(client.post("/api/users", headers=world.h("hn.admin"), json={
        "username": "nguoi.moi", "full_name": "Nguyễn Thị Mới", "password": "mat-khau-123",
        "home_unit_id": world.u("xd"), "grants": [{"role": "nominator",
                                                   "unit_id": world.u("xd")}]}), 201)
    ok(client.post("/api/users/nguoi.moi/deactivate", headers=world.h("hn.admin"),
                   json={"reason": DEACTIVATE_REASON}))
    after = datetime.now(UTC)
    return {"kept": kept, "withdrawn": withdrawn, "decision": decision_id,
            "before": before, "after": after}


def test_acts_done_through_the_api_appear_with_actor_unit_kind_reason_and_local_time(
        client, world, story):
    found = trail(client, world)
    [created] = [i for i in rows_of(found, "nomination.created")
                 if i["record"]["id"] == story["kept"]]
    assert created["actor"] == "xd.nom"
    assert created["act_label"] == "Lập hồ sơ đề nghị khen thưởng"
    assert unit_names(created) == {NAMES["xd"]}
    assert created["record"]["link"] == f"/nominations/{story['kept']}"
    moment = datetime.fromisoformat(created["recorded_at"].replace("Z", "+00:00"))
    assert story["before"] <= moment <= story["after"]
    local = moment.astimezone(LOCAL)
    assert created["local_time"] == local.isoformat(timespec="seconds")
    assert created["local_time"].endswith("+07:00")
    assert created["local_text"] == local.strftime("%d/%m/%Y %H:%M:%S")

    [submitted] = [i for i in rows_of(found, "nomination.submitted")
                   if i["record"]["id"] == story["kept"]]
    assert submitted["actor"] == "xd.nom" and submitted["act_label"] == "Gửi hồ sơ đề nghị"
    assert submitted["position"] > created["position"]  # newest first: after it in the log
    assert found["items"].index(submitted) < found["items"].index(created)

    [withdrawn] = rows_of(found, "nomination.withdrawn")
    assert withdrawn["actor"] == "nt.nom" and withdrawn["reason"] == WITHDRAW_REASON
    assert unit_names(withdrawn) == {NAMES["nt"]}

    [issued] = [i for i in rows_of(found, "decision.created")
                if i["record"]["id"] == story["decision"]]
    assert issued["actor"] == "btl.appr" and NAMES["btl"] in unit_names(issued)
    assert issued["record"]["title"].startswith("Quyết định số ")
    assert issued["record"]["link"] == f"/decisions/{story['decision']}"
    [revoked] = rows_of(found, "decision.revoked")
    assert revoked["actor"] == "btl.appr" and revoked["reason"] == "Hồ sơ không trung thực"
    assert revoked["act_label"] == "Hủy bỏ quyết định"

    user_rows = [i for i in found["items"] if i["record"]["title"] == "nguoi.moi"]
    acts = {i["act"] for i in user_rows}
    assert {"user.created", "user.home_unit_set", "user.grant_added",
            "user.deactivated"} <= acts
    # created before her home unit was recorded (the same step): still Xuân Đỉnh's act
    for item in user_rows:
        assert item["actor"] == "hn.admin" and unit_names(item) == {NAMES["xd"]}, item
    [locked] = [i for i in user_rows if i["act"] == "user.deactivated"]
    assert locked["reason"] == DEACTIVATE_REASON and locked["record"]["link"] == \
        "/users/nguoi.moi"

    # the world's own setup: the system's acts, the root's catalogue
    system = [i for i in found["items"] if i["actor"] == "system"]
    assert system and all(i["actor_name"] == "Hệ thống" for i in system)
    catalogue = [i for i in found["items"] if i["record"]["kind"] == "catalogue"]
    assert catalogue and all(unit_names(i) == {NAMES["root"]} for i in catalogue)
    assert found["total"] == len(found["items"]) or found["total"] > 500


def test_a_sign_in_is_an_act_of_her_own(client, world):
    ok(client.post("/api/auth/token", json={"username": "xd.nom", "password": "mat-khau-123"}))
    client.cookies.clear()
    [row] = trail(client, world, actor="xd.nom", kind="user.signed_in")["items"]
    assert row["act_label"] == "Đăng nhập" and unit_names(row) == {NAMES["xd"]}


def test_filters_by_person_unit_kind_and_dates(client, world, story):
    everything = trail(client, world)
    by_nt = trail(client, world, actor="nt.nom")
    assert by_nt["total"] == sum(1 for i in everything["items"] if i["actor"] == "nt.nom") > 0
    assert {i["actor"] for i in by_nt["items"]} == {"nt.nom"}
    assert trail(client, world, actor="  NT.Nom ")["total"] == by_nt["total"]  # as typed

    in_backan = trail(client, world, unit_id=world.u("backan"))
    assert in_backan["total"] > 0
    backan_names = {"Hội LHPN tỉnh Bắc Kạn", NAMES["nt"]}
    assert all(unit_names(i) & backan_names for i in in_backan["items"])
    assert story["withdrawn"] in {i["record"]["id"] for i in in_backan["items"]}
    assert story["kept"] not in {i["record"]["id"] for i in in_backan["items"]}
    # the root's subtree is everything, unit-less acts included
    assert trail(client, world, unit_id=world.u("root"))["total"] == everything["total"]

    submitted = trail(client, world, kind="nomination.submitted")
    assert submitted["total"] == len(rows_of(everything, "nomination.submitted")) > 0
    assert {i["act"] for i in submitted["items"]} == {"nomination.submitted"}
    on_nominations = trail(client, world, kind="nomination")
    assert {i["record"]["kind"] for i in on_nominations["items"]} == {"nomination"}
    assert on_nominations["total"] == sum(1 for i in everything["items"]
                                          if i["record"]["kind"] == "nomination")
    both = trail(client, world, actor="xd.nom", kind="nomination.submitted",
                 unit_id=world.u("xd"))
    assert both["total"] >= 1 and all(i["actor"] == "xd.nom" for i in both["items"])

    today = datetime.now(LOCAL).date()
    day = lambda d: d.isoformat()  # noqa: E731
    assert trail(client, world, **{"from": day(today), "to": day(today)})["total"] == \
        everything["total"]
    assert trail(client, world, to=day(today - timedelta(days=1)))["total"] == 0
    assert trail(client, world, **{"from": day(today + timedelta(days=1))})["total"] == 0
    # paged, with the total
    first = trail(client, world, limit=3)
    second = trail(client, world, limit=3, offset=3)
    assert first["total"] == everything["total"] and len(first["items"]) == 3
    assert [i["position"] for i in first["items"] + second["items"]] == \
        [i["position"] for i in everything["items"][:6]]

    refused(client.get("/api/audit", params={"kind": "nomination.unheard_of!"},
                       headers=world.h("admin")), 422, "validation.invalid")
    refused(client.get("/api/audit", params={"from": "2024-06-02", "to": "2024-06-01"},
                       headers=world.h("admin")), 422, "validation.invalid")
    refused(client.get("/api/audit", params={"unit_id": "00000000-0000-4000-8000-000000000000"},
                       headers=world.h("admin")), 422, "reference.not_found")


def test_a_day_is_vietnams_day():
    assert local_day_start(date(2024, 6, 30)) == "2024-06-29T17:00:00.000000Z"
    assert local_day_end(date(2024, 6, 30)) == "2024-06-30T17:00:00.000000Z"


def test_a_province_admin_reads_her_subtree_only_others_are_refused(client, world, story):
    hanoi = trail(client, world, "hn.admin")
    inside = {NAMES[k] for k in ("hanoi", "btl", "xd")} | {"Hội LHPN phường Cổ Nhuế 1"}
    assert hanoi["total"] > 0 and all(unit_names(i) & inside for i in hanoi["items"])
    records = {i["record"]["id"] for i in hanoi["items"]}
    assert story["kept"] in records and story["withdrawn"] not in records
    assert not [i for i in hanoi["items"] if i["record"]["kind"] == "catalogue"]
    everything = trail(client, world)
    assert hanoi["total"] == sum(1 for i in everything["items"] if unit_names(i) & inside)
    # the district's office: its district only
    district = trail(client, world, "btl.appr")
    assert district["total"] < hanoi["total"]
    assert all(unit_names(i) & (inside - {NAMES["hanoi"]}) for i in district["items"])

    refused(client.get("/api/audit", params={"unit_id": world.u("backan")},
                       headers=world.h("hn.admin")), 403, "auth.outside_scope")
    refused(client.get("/api/audit.csv", params={"unit_id": world.u("root")},
                       headers=world.h("hn.admin")), 403, "auth.outside_scope")
    for user in ("xd.nom", "hn.chair", "hn.member"):
        refused(client.get("/api/audit", headers=world.h(user)), 403, "auth.role_required")
        refused(client.get("/api/audit.csv", headers=world.h(user)), 403, "auth.role_required")
    refused(client.get("/api/audit"), 401, "auth.unauthenticated")

    exported = client.get("/api/audit.csv", headers=world.h("hn.admin"))
    assert exported.status_code == 200 and exported.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:5] == ["Thời điểm (giờ Việt Nam)", "Người thực hiện", "Tên đăng nhập",
                            "Đơn vị", "Việc"]
    assert [int(r[-1]) for r in table[1:]] == [i["position"] for i in hanoi["items"]]


def test_no_personal_data_in_the_rows_or_the_export(client, world, rt, story):
    # the events hold them: the nomination shows them to its unit's nominator
    shown = client.get(f"/api/nominations/{story['kept']}", headers=world.h("xd.nom")).text
    assert CCCD in shown and BORN in shown
    forbidden = (CCCD, BORN, "15/03/1980", "001185099999", "1985-05-05", "05/05/1985")
    answers = [client.get("/api/audit", params={"limit": 500}, headers=world.h("admin")).text,
               client.get("/api/audit.csv", headers=world.h("admin")).content.decode()]
    with rt.db.read() as cur:
        for table in ("audit_events", "audit_units", "audit_records"):
            answers.append(repr(cur.execute(f"SELECT * FROM {table}").fetchall()))
    for text in answers:
        assert not [f for f in forbidden if f in text]
    assert "citizen_id" not in answers[-1] and "birth" not in answers[-1]


def dump(rt) -> dict[str, list[tuple]]:
    with rt.db.read() as cur:
        return {
            "events": [tuple(r.values()) for r in cur.execute(
                "SELECT * FROM audit_events ORDER BY position").fetchall()],
            "units": [tuple(r.values()) for r in cur.execute(
                "SELECT unit_id, position FROM audit_units ORDER BY position, unit_id")
                .fetchall()],
            "records": [tuple(r.values()) for r in cur.execute(
                "SELECT * FROM audit_records ORDER BY record_id").fetchall()],
        }


def test_projecting_again_from_zero_gives_the_same_rows(client, world, rt, story):
    rt.app.emulation.clusters.create(SYSTEM, name="Cụm thi đua thử", kind="cum",
                                     managing_unit_id=world.units["hanoi"])
    rt.runner.catch_up()
    before = dump(rt)
    assert before["events"] and before["units"]
    assert (ROOT,) in {(u,) for u, _ in before["units"]}  # the catalogue's acts
    rt.runner.rebuild(["audit"])
    assert dump(rt) == before
    [cluster] = trail(client, world, "hn.appr", kind="emulation_cluster.created")["items"]
    assert unit_names(cluster) == {NAMES["hanoi"]} and cluster["record"]["title"] == \
        "Cụm thi đua thử"


# -- the page -----------------------------------------------------------------------------------


def test_the_page_lists_filters_and_exports_what_it_shows(client, world, story):
    login(client, "hn.admin")
    page = client.get("/audit")
    assert page.status_code == 200
    assert unlabelled(page.text) == []
    assert '<a href="/audit">Nhật ký hoạt động</a>' in page.text.split("<main>")[0]
    text = main_text(page.text)
    api = trail(client, world, "hn.admin")
    assert f"Hoạt động ({api['total']})" in text
    newest = api["items"][0]
    assert newest["local_text"] in text and newest["act_label"] in text
    assert "Khóa tài khoản" in text and DEACTIVATE_REASON in text
    assert CCCD not in page.text and "15/03/1980" not in page.text
    assert f'href="/nominations/{story["kept"]}"' in page.text
    assert story["withdrawn"] not in page.text  # Bắc Kạn's

    today = datetime.now(LOCAL).date().strftime("%d/%m/%Y")
    filtered = client.get("/audit", params={"actor": "xd.nom", "kind": "nomination.submitted",
                                            "from": today, "to": today})
    assert filtered.status_code == 200
    shown = main_text(filtered.text)
    expected = trail(client, world, "hn.admin", actor="xd.nom", kind="nomination.submitted")
    assert f"Hoạt động ({expected['total']})" in shown and expected["total"] >= 1
    assert shown.count("Gửi hồ sơ đề nghị") >= expected["total"]
    assert "Khóa tài khoản" not in shown.split("Hoạt động (")[1]
    assert 'value="xd.nom"' in filtered.text and f'value="{today}"' in filtered.text
    link = re.search(r'href="(/api/audit\.csv[^"]*)"', filtered.text).group(1)
    params = dict(parse_qsl(urlsplit(link.replace("&amp;", "&")).query))
    iso = datetime.now(LOCAL).date().isoformat()
    assert params == {"actor": "xd.nom", "kind": "nomination.submitted", "from": iso,
                      "to": iso}
    exported = client.get(link.replace("&amp;", "&"))  # the session's cookie
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:]
    assert [int(r[-1]) for r in rows] == [i["position"] for i in expected["items"]]

    by_unit = client.get("/audit", params={"unit_id": world.u("xd")})
    assert f'<option value="{world.u("xd")}" selected>' in by_unit.text

    nothing = client.get("/audit", params={"actor": "khong.ai"})
    assert nothing.status_code == 200
    assert "Không có hoạt động nào khớp các điều kiện lọc" in main_text(nothing.text)
    assert "/api/audit.csv" not in nothing.text


def test_the_page_pages_with_the_filters_kept(client, world, story):
    login(client, "admin")
    total = trail(client, world)["total"]
    assert total > 50
    second = client.get("/audit", params={"kind": "user", "page": "2"})
    users = trail(client, world, kind="user")
    assert users["total"] > 50, users["total"]
    text = main_text(second.text)
    assert f"dòng 51–{min(100, users['total'])} trong {users['total']}" in text
    assert "kind=user" in second.text.split('class="pager"')[1]


def test_the_page_says_what_is_wrong_beside_the_field(client, world):
    login(client, "hn.admin")
    page = client.get("/audit", params={"from": "31/02/2024", "to": "01/01/2024",
                                        "actor": "tên có dấu", "kind": "không.có"})
    assert page.status_code == 422
    summary = re.search(r'<div class="error error-summary".*?</div>', page.text, re.S).group(0)
    for field in ("from", "actor", "kind"):
        assert f'href="#{field}"' in summary
        assert f'id="{field}-error"' in page.text
    assert 'value="31/02/2024"' in page.text and 'value="tên có dấu"' in page.text
    later = client.get("/audit", params={"from": "02/01/2024", "to": "01/01/2024"})
    assert later.status_code == 422 and 'id="to-error"' in later.text
    assert "Hoạt động (" not in main_text(later.text)


def test_the_page_is_refused_to_who_may_not_read_it(client, world):
    login(client, "xd.nom")
    page = client.get("/audit")
    assert page.status_code == 403
    assert 'href="/audit"' not in page.text
    assert 'href="/audit"' not in client.get("/").text
    login(client, "hn.admin")
    assert client.get("/audit", params={"unit_id": world.u("backan")}).status_code == 403
    assert 'href="/audit"' in client.get("/admin").text
