"""A cluster year through the API (issue 19): the cluster and its members, the covenant signed
and opened, results reported and confirmed by the lead, scores (self, cross, agreed), the board
(counts, totals, ranking), the proposals, and the draft nominations they open — which then go
through the normal workflow to a decision. Refusals: 403 for those without the role or outside
their units, 422 with nothing recorded for bad input, 404 for what the path names."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from services.authz import SYSTEM
from tests.helpers import head, nothing_recorded, ok, refused

YEAR = 2024
INDICATORS = [
    {"code": "1", "text": "Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
     "measure": "yes_no", "max_points": "400"},
    {"code": "2", "text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
     "measure": "number", "target": "2", "unit": "hợp tác xã", "summable": True,
     "max_points": "300"},
    {"code": "3", "text": "Hỗ trợ nạn nhân bạo lực gia đình được phát hiện",
     "measure": "percent", "target": "80", "applies": "when_cases"},
]
COVENANT = {
    "title": "Giao ước thi đua năm 2024 — Cụm thi đua thử nghiệm",
    "indicators": INDICATORS,
    "points": {"items": [{"code": "cum", "text": "Tham gia hoạt động chung của cụm",
                          "max_points": "300"}],
               "deductions": [{"code": "cham", "text": "Báo cáo chậm", "points": "10"}],
               "total_max": "1000"},
    "thresholds": [{"code": "xuat_sac", "label": "Hoàn thành xuất sắc", "minimum": "950"},
                   {"code": "tot", "label": "Hoàn thành tốt", "minimum": "850"},
                   {"code": "hoan_thanh", "label": "Hoàn thành", "minimum": "0"}],
    "assessment_mode": "cross",
    "proposal_rules": [{"rank_from": 1, "award_kind": "co_thi_dua_hoi",
                        "requires_class": "xuat_sac"},
                       {"rank_from": 2, "rank_to": 3, "award_kind": "bang_khen_tw_hoi"}],
    "proposal_cap": "1/2",
    "stated_totals": [{"indicator_code": "2", "what": "hợp tác xã thành lập mới",
                       "value": "12", "unit": "hợp tác xã", "source": "Báo cáo tổng kết cụm"}],
}
PROVINCES = {"hanoi": "Hà Nội", "backan": "Bắc Kạn", "tn": "Thái Nguyên", "ls": "Lạng Sơn"}


@pytest.fixture
def cluster_world(world, rt):
    """Two more provinces, their offices, and a nominator at the centre."""
    app = rt.app
    for key, name in (("tn", "Hội LHPN tỉnh Thái Nguyên"), ("ls", "Hội LHPN tỉnh Lạng Sơn")):
        world.units[key] = app.orgs.create_unit(SYSTEM, name=name, level="province",
                                                parent_id=world.units["root"],
                                                established_on=date(1997, 1, 1)).id
    for username, grants in (("bk.appr", [("approver", "backan")]),
                             ("tn.appr", [("approver", "tn")]),
                             ("ls.appr", [("approver", "ls")]),
                             ("tw.nom", [("nominator", "root")])):
        app.users.create_user(SYSTEM, username=username, full_name=username,
                              password="mat-khau-123",
                              grants=[{"role": r, "unit_id": world.units[u], "chair": False}
                                      for r, u in grants])
        _, world.tokens[username] = app.users.issue_token(SYSTEM, username=username)
    rt.runner.catch_up()
    return world


OFFICE = {"hanoi": "hn.appr", "backan": "bk.appr", "tn": "tn.appr", "ls": "ls.appr"}


class Cluster:
    """Requests about one cluster, as the test's users."""

    def __init__(self, client, world, cluster_id: str) -> None:
        self.client, self.world, self.id = client, world, cluster_id

    @property
    def base(self) -> str:
        return f"/api/emulation/clusters/{self.id}/covenants/{YEAR}"

    def send(self, method: str, path: str, by: str, body: Any = None, expect: int = 200,
             code: str | None = None) -> dict:
        kwargs = {} if body is None else {"json": body}
        response = self.client.request(method, path, headers=self.world.h(by), **kwargs)
        if expect >= 400:
            return refused(response, expect, code)
        return ok(response, expect)

    def report(self, unit: str, code: str, by: str | None = None, expect: int = 200,
               error: str | None = None, **result: Any) -> dict:
        return self.send("POST", f"{self.base}/reports/{self.world.u(unit)}/results/{code}",
                         by or OFFICE[unit], result, expect, error)

    def confirm(self, unit: str, code: str, by: str = "hn.appr", expect: int = 200,
                error: str | None = None) -> dict:
        return self.send("POST", f"{self.base}/reports/{self.world.u(unit)}/results/{code}"
                                 "/confirm", by, None, expect, error)

    def score(self, unit: str, item: str, points: str, by: str, who: str,
              assessor: str | None = None, expect: int = 200, error: str | None = None) -> dict:
        body = {"points": points, "by": by}
        if assessor:
            body["assessor_unit_id"] = self.world.u(assessor)
        return self.send("POST", f"{self.base}/reports/{self.world.u(unit)}/scores/{item}",
                         who, body, expect, error)

    def agree(self, unit: str, item: str, points: str, by: str = "hn.appr", **body: Any
              ) -> dict:
        return self.send("POST", f"{self.base}/reports/{self.world.u(unit)}/scores/{item}/agree",
                         by, {"points": points, **body})


def set_up(client, world) -> Cluster:
    created = ok(client.post("/api/emulation/clusters", headers=world.h("tw.appr"), json={
        "name": "Cụm thi đua thử nghiệm", "kind": "cum", "managing_unit_id": world.u("root")}),
        201)
    cluster = Cluster(client, world, created["id"])
    members = [{"unit_id": world.u(k), "name": name} for k, name in PROVINCES.items()]
    year = ok(client.put(f"/api/emulation/clusters/{cluster.id}/years/{YEAR}",
                         headers=world.h("tw.appr"),
                         json={"members": members, "lead_unit_id": world.u("hanoi"),
                               "reason": "Quyết định phân cụm năm 2024"}))
    [shown] = year["years"]
    assert shown["lead_name"] == "Hà Nội" and shown["member_count"] == 4
    return cluster


def test_a_cluster_year_from_covenant_to_nominations_that_enter_the_workflow(
        client, cluster_world, flow, clock):
    clock.today = date(2024, 12, 20)
    world = cluster_world
    cluster = set_up(client, world)
    base = cluster.base

    # the lead drafts the covenant
    drafted = cluster.send("PUT", base, "hn.appr", COVENANT, 201)
    assert drafted["status"] == "draft" and len(drafted["indicators"]) == 3
    assert drafted["points_table"]["total_max"] == "1000"
    assert drafted["points_table"]["total_max_text"] == "1.000"
    assert [u["name"] for u in drafted["unsigned"]] == list(PROVINCES.values())
    again = cluster.send("PUT", base, "hn.appr", COVENANT)  # the same: nothing new
    assert again["version"] == drafted["version"]

    # every member signs (its own office), then the covenant opens
    cluster.send("POST", f"{base}/sign", "hn.appr", {"unit_id": world.u("backan")}, 403,
                 "auth.outside_scope")
    for unit, office in OFFICE.items():
        cluster.send("POST", f"{base}/sign", office, {"unit_id": world.u(unit),
                                                      "on": "2024-01-15"})
    opened = cluster.send("POST", f"{base}/open", "tw.appr", {"on": "2024-02-01"})
    assert opened["status"] == "open" and opened["unsigned"] == []

    # results: each member reports, the lead confirms
    cooperatives = {"hanoi": "5", "backan": "3", "tn": "2", "ls": "1"}
    for unit in OFFICE:
        cluster.report(unit, "1", value="yes")
        cluster.report(unit, "2", value=cooperatives[unit], evidence="Báo cáo tổng kết năm")
    cluster.report("hanoi", "3", cases_occurred=True, value="100")
    cluster.report("backan", "3", cases_occurred=False)
    cluster.report("backan", "2", by="hn.appr", value="9", expect=403,
                   error="auth.outside_scope")
    report = cluster.report("tn", "2", value="4")  # re-reported before confirmation
    assert [h["value"] for h in report["results"][1]["history"]] == ["2", "4"]
    for unit in OFFICE:
        cluster.confirm(unit, "2")
    cluster.confirm("backan", "1", by="bk.appr", expect=403, error="auth.outside_scope")
    cluster.report("tn", "2", value="5", expect=409, error="emulation.report_confirmed")
    corrected = cluster.send(
        "POST", f"{base}/reports/{world.u('tn')}/results/2/correct", "hn.appr",
        {"value": "2", "reason": "Hai HTX chưa có quyết định thành lập"})
    assert corrected["results"][1]["status"] == "corrected"
    assert [h["kind"] for h in corrected["results"][1]["history"]] == [
        "reported", "reported", "corrected"]

    # scores: each member scores itself, another member cross-scores, the lead agrees
    plan = {"hanoi": ("400", "300", "270"), "backan": ("400", "300", "200"),
            "tn": ("400", "250", "230"), "ls": ("400", "150", "250")}
    cross = {"hanoi": "backan", "backan": "tn", "tn": "ls", "ls": "hanoi"}
    for unit, points in plan.items():
        for item, value in zip(("1", "2", "cum"), points, strict=True):
            cluster.score(unit, item, value, "self", OFFICE[unit])
            cluster.score(unit, item, value, "cross", OFFICE[cross[unit]], cross[unit])
            cluster.agree(unit, item, value)
    cluster.score("hanoi", "cum", "300", "cross", "hn.appr", "hanoi", 422,
                  "emulation.assessor_invalid")
    cluster.score("hanoi", "cum", "300", "self", "bk.appr", expect=403,
                  error="auth.outside_scope")
    cluster.score("hanoi", "cum", "300.5", "self", "hn.appr", expect=422,
                  error="emulation.score_invalid")
    deducted = cluster.send("PUT", f"{base}/reports/{world.u('ls')}/deductions/cham", "hn.appr",
                            {"times": 2, "reason": "Nộp báo cáo 6 tháng chậm"})
    assert deducted["total"]["points"] == "780" and deducted["total"]["deducted"] == "20"
    hanoi = cluster.send("GET", f"{base}/reports/{world.u('hanoi')}", "tn.appr")
    assert hanoi["total"]["points"] == "970" and hanoi["total"]["points_text"] == "970"
    assert [s["by"] for s in hanoi["scores"][2]["given"]] == ["self", "cross"]

    # the board
    board = cluster.send("GET", f"{base}/board", "ls.appr")
    columns = {c["code"]: c["count"] for c in board["indicators"]}
    assert columns["1"]["text"] == "4/4"
    assert columns["2"]["text"] == "3/4" and columns["2"]["sum"] == "11"
    assert columns["2"]["sum_text"] == "11 hợp tác xã"
    assert columns["2"]["values_text"] == "Hà Nội 05; Bắc Kạn 03; Thái Nguyên 02; Lạng Sơn 01"
    assert columns["3"]["applies_text"] == "1/4 tỉnh có trường hợp xảy ra (2 chưa có số liệu)"
    assert columns["3"]["text"] == "1/1 (2 chưa có số liệu)"
    [stated] = board["indicators"][1]["stated"]
    assert stated["value"] == "12" and stated["member_sum"] == "11"
    assert stated["difference"] == "1"
    assert board["noun"] == "tỉnh"
    ranks = {r["name"]: (r["position"], r["total"]) for r in board["ranking"]}
    assert ranks == {"Hà Nội": (1, "970"), "Bắc Kạn": (2, "900"), "Thái Nguyên": (3, "880"),
                     "Lạng Sơn": (4, "780")}
    rows = {r["name"]: r for r in board["rows"]}
    assert rows["Hà Nội"]["classification"]["code"] == "xuat_sac"
    assert rows["Lạng Sơn"]["cells"]["3"]["evaluation"] == "unknown"
    assert rows["Bắc Kạn"]["cells"]["3"]["evaluation"] == "not_applicable"

    # files: the same board as a workbook and a printable summary
    xlsx = client.get(f"{base}/board.xlsx", headers=world.h("ls.appr"))
    assert xlsx.status_code == 200, xlsx.text
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Kết quả (số đạt)", None, "4/4", "3/4", "1/1 (2 chưa có số liệu)"] in [
        row[:5] for row in values]
    assert [1, "Hà Nội", "có", "5", "100%", "970", "1", "Hoàn thành xuất sắc"] in values
    assert client.get(f"{base}/board.xlsx", headers=world.h("ls.appr")).content == xlsx.content
    pdf = client.get(f"{base}/board.pdf", headers=world.h("ls.appr"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    # proposals: rank 1 (xuất sắc) for the flag; the cap ⌊4 × 1/2⌋ = 2 leaves one Bằng khen
    proposals = cluster.send("GET", f"{base}/proposals", "tw.appr")
    assert [(p["name"], p["award_kind"], p["status"]) for p in proposals["items"]] == [
        ("Hà Nội", "co_thi_dua_hoi", "proposed"), ("Bắc Kạn", "bang_khen_tw_hoi", "proposed")]
    cluster.send("POST", f"{base}/propose", "tw.appr", None, 409,
                 "emulation.covenant_not_closed")
    cluster.send("POST", f"{base}/close", "tw.appr", {"on": "2024-11-30"})
    cluster.send("POST", f"{base}/propose", "hn.appr", None, 403, "auth.outside_scope")
    proposed = cluster.send("POST", f"{base}/propose", "tw.nom")
    created = {c["unit_id"]: c["nomination_id"] for c in proposed["created"]}
    assert set(created) == {world.u("hanoi"), world.u("backan")}
    assert all(p["nomination_id"] for p in proposed["items"])
    position = head(client)
    again = cluster.send("POST", f"{base}/propose", "tw.nom")
    assert again["created"] == [] and head(client) == position  # idempotent
    covenant = cluster.send("GET", base, "tw.appr")
    assert {n["unit_id"] for n in covenant["nominations"]} == set(created)

    # the draft nominations: the member as a collective, proposed by the managing unit
    flag = flow.nomination(created[world.u("hanoi")])
    assert flag["status"] == "draft" and flag["award_kind"] == "co_thi_dua_hoi"
    assert flag["recipient"]["org_unit_id"] == world.u("hanoi")
    assert flag["recipient"]["name"] == "Hội LHPN TP Hà Nội"
    assert flag["proposing_unit_id"] == world.u("root") and flag["period"] == "2024"
    assert "xếp thứ 1/4 với 970 điểm" in flag["achievement"]
    assert "Đạt 3/3 chỉ tiêu giao ước (chỉ tiêu 1, 2, 3)" in flag["achievement"]

    # … and the normal workflow: submitted, recommended by the central council, decided
    nid = flag["id"]
    flow.submit(nid, by="tw.nom")
    out = flow.recommend(nid, by="tw.chair")
    assert out["status"] == "recommended"
    flow.decide([{"nomination_id": nid}], by="tw.appr", unit="root", number="45/QĐ-ĐCT",
                decided_on="2024-12-20", award_kind="co_thi_dua_hoi", period="2024",
                signer={"name": "Hà Thị Nga"})
    assert flow.nomination(nid)["status"] == "decided"

    # listed, with counts
    listed = ok(client.get("/api/emulation/covenants", headers=world.h("tw.appr")))
    [row] = listed["items"]
    assert (row["status"], row["members"], row["signed"], row["reports"]) == ("closed", 4, 4, 4)
    assert (row["indicators"], row["results"], row["confirmed"], row["nominated"]) == (
        3, 10, 4, 2)
    clusters = ok(client.get("/api/emulation/clusters", headers=world.h("bk.appr")))["items"]
    assert [c["name"] for c in clusters] == ["Cụm thi đua thử nghiệm"]
    assert clusters[0]["years"][0]["lead_name"] == "Hội LHPN TP Hà Nội"
    assert ok(client.get("/api/emulation/clusters", headers=world.h("xd.nom")))["items"] == []


def test_who_may_act_on_a_cluster(client, cluster_world):
    world = cluster_world
    # creating a cluster: the office of its managing unit
    body = {"name": "Khối thi đua", "kind": "khoi", "managing_unit_id": world.u("root")}
    refused(client.post("/api/emulation/clusters", json=body, headers=world.h("hn.appr")), 403,
            "auth.outside_scope")
    refused(client.post("/api/emulation/clusters", json={**body, "managing_unit_id":
                                                         world.u("xd")},
                        headers=world.h("xd.nom")), 403, "auth.role_required")
    refused(client.post("/api/emulation/clusters", json=body), 401, "auth.unauthenticated")
    cluster = set_up(client, world)
    base = cluster.base
    # the roster: the managing unit's office only
    refused(client.put(f"/api/emulation/clusters/{cluster.id}/years/2025",
                       headers=world.h("hn.appr"),
                       json={"members": [{"unit_id": world.u("hanoi")}],
                             "lead_unit_id": world.u("hanoi")}), 403, "auth.outside_scope")
    # the covenant: the managing unit's or the lead's office
    cluster.send("PUT", base, "bk.appr", COVENANT, 403, "auth.outside_scope")
    cluster.send("PUT", base, "xd.nom", COVENANT, 403, "auth.outside_scope")
    # reading: those whose grants cover the managing unit or a member
    ok(client.get(f"/api/emulation/clusters/{cluster.id}", headers=world.h("bk.appr")))
    for below_a_member in ("nt.nom", "xd.nom"):  # a commune's user does not cover its province
        refused(client.get(f"/api/emulation/clusters/{cluster.id}",
                           headers=world.h(below_a_member)), 403, "auth.outside_scope")
    # the lead passes on during the year
    lead = cluster.send("PUT", f"/api/emulation/clusters/{cluster.id}/years/{YEAR}/lead",
                        "tw.appr", {"unit_id": world.u("tn"), "on": "2024-09-01",
                                    "reason": "Luân phiên"})
    assert lead["years"][0]["lead_unit_id"] == world.u("tn")
    cluster.send("PUT", base, "hn.appr", COVENANT, 403, "auth.outside_scope")
    cluster.send("PUT", base, "tn.appr", COVENANT, 201)


def test_bad_input_records_nothing_and_unknown_paths_are_404(client, cluster_world):
    world = cluster_world
    cluster = set_up(client, world)
    base = cluster.base
    unknown = "00000000-0000-4000-8000-000000000000"
    bad = [
        ({**COVENANT, "indicators": [{**INDICATORS[1], "target": 2.5}]}, "validation.invalid"),
        ({**COVENANT, "indicators": [{**INDICATORS[1], "target": "nhiều"}]},
         "emulation.indicator_invalid"),
        ({**COVENANT, "stated_totals": [{**COVENANT["stated_totals"][0],
                                         "indicator_code": "9"}]},
         "emulation.covenant_invalid"),
        ({**COVENANT, "points": {**COVENANT["points"], "total_max": "900"}},
         "emulation.points_invalid"),
        ({**COVENANT, "proposal_cap": "3/2"}, "emulation.proposal_rules_invalid"),
        ({**COVENANT, "surprise": 1}, "validation.invalid"),
    ]
    with nothing_recorded(client, world, f"/api/emulation/clusters/{cluster.id}"):
        for body, code in bad:
            cluster.send("PUT", base, "tw.appr", body, 422, code)
        cluster.send("PUT", f"/api/emulation/clusters/{cluster.id}/years/{YEAR}", "tw.appr",
                     {"members": [{"unit_id": unknown}], "lead_unit_id": unknown}, 422,
                     "reference.not_found")
        cluster.send("PUT", f"/api/emulation/clusters/{cluster.id}/years/{YEAR}", "tw.appr",
                     {"members": [{"unit_id": world.u("hanoi")}],
                      "lead_unit_id": world.u("backan")}, 409, "emulation.not_member")
        cluster.send("POST", "/api/emulation/clusters", "tw.appr",
                     {"name": " ", "managing_unit_id": world.u("root")}, 422,
                     "emulation.cluster_invalid")
    cluster.send("PUT", base, "tw.appr", COVENANT, 201)
    for unit, office in OFFICE.items():
        cluster.send("POST", f"{base}/sign", office, {"unit_id": world.u(unit)})
    cluster.send("POST", f"{base}/open", "tw.appr")
    with nothing_recorded(client, world, base):
        cluster.report("hanoi", "2", value="nhiều", expect=422, error="emulation.result_invalid")
        cluster.report("hanoi", "2", value=2.5, expect=422, error="validation.invalid")
        cluster.report("hanoi", "3", value="90", expect=422, error="emulation.result_invalid")
        cluster.report("hanoi", "9", value="1", expect=404,
                       error="emulation.indicator_not_found")
        cluster.score("hanoi", "zz", "1", "self", "hn.appr", expect=404,
                      error="emulation.score_item_not_found")
        cluster.send("PUT", f"{base}/reports/{world.u('hanoi')}/deductions/zz", "hn.appr",
                     {"times": 1, "reason": "x"}, 404, "emulation.deduction_not_found")
        cluster.send("PUT", f"{base}/reports/{world.u('hanoi')}/deductions/cham", "hn.appr",
                     {"times": 1}, 422, "emulation.reason_required")
        cluster.confirm("hanoi", "2", expect=404, error="emulation.result_not_found")
    # 404: what the path names
    for path, code in (
            (f"/api/emulation/clusters/{unknown}", "emulation.cluster_not_found"),
            (f"/api/emulation/clusters/{unknown}/covenants/{YEAR}/board",
             "emulation.cluster_not_found"),
            (f"/api/emulation/clusters/{cluster.id}/covenants/2030",
             "emulation.covenant_not_found"),
            (f"{base}/reports/{world.u('xd')}", "emulation.report_not_found")):
        refused(client.get(path, headers=world.h("tw.appr")), 404, code)
    refused(client.get(f"{base}/board.xlsx", headers=world.h("xd.nom")), 403,
            "auth.outside_scope")


def test_members_join_and_merge_during_the_year(client, cluster_world):
    world = cluster_world
    cluster = set_up(client, world)
    path = f"/api/emulation/clusters/{cluster.id}/years/{YEAR}"
    merged = cluster.send("POST", f"{path}/merge", "tw.appr", {
        "from_unit_id": world.u("backan"), "into_unit_id": world.u("tn"), "on": "2024-07-01",
        "reason": "Sắp xếp đơn vị hành chính cấp tỉnh"})
    [year] = merged["years"]
    assert (year["member_count"], year["active_count"]) == (4, 3)
    members = {m["name"]: m for m in year["members"]}
    assert members["Bắc Kạn"]["left_on"] == "2024-07-01"
    assert members["Bắc Kạn"]["merged_into"] == world.u("tn")
    cluster.send("POST", f"{path}/merge", "tw.appr", {
        "from_unit_id": world.u("backan"), "into_unit_id": world.u("ls"), "on": "2024-08-01"},
        422, "emulation.merge_invalid")
    # the lead merged away: its successor leads from that day
    merged = cluster.send("POST", f"{path}/merge", "tw.appr", {
        "from_unit_id": world.u("hanoi"), "into_unit_id": world.u("ls"), "on": "2024-08-01"})
    assert merged["years"][0]["lead_unit_id"] == world.u("ls")
    assert [lead["from"] for lead in merged["years"][0]["leads"]] == [None, "2024-08-01"]
    # a district joins in September (shown by its own name)
    joined = cluster.send("POST", f"{path}/members", "tw.appr",
                          {"unit_id": world.u("btl"), "on": "2024-09-01"})
    assert joined["years"][0]["members"][-1]["name"] == "Hội LHPN quận Bắc Từ Liêm"
    cluster.send("POST", f"{path}/members", "tw.appr",
                 {"unit_id": world.u("btl"), "on": "2024-09-02"}, 409, "emulation.member_exists")
    # the covenant: the members at opening sign; the board shows the members at the year's end
    cluster.send("PUT", cluster.base, "ls.appr", COVENANT, 201)
    for unit in ("tn", "ls"):
        cluster.send("POST", f"{cluster.base}/sign", OFFICE[unit], {"unit_id": world.u(unit)})
    refusal = cluster.send("POST", f"{cluster.base}/open", "tw.appr", {"on": "2024-09-15"},
                           409, "emulation.covenant_unsigned")
    assert refusal["message"].endswith("còn Hội LHPN quận Bắc Từ Liêm.")
    cluster.send("POST", f"{cluster.base}/sign", "btl.appr", {"unit_id": world.u("btl")})
    cluster.send("POST", f"{cluster.base}/open", "tw.appr", {"on": "2024-09-15"})
    board = cluster.send("GET", f"{cluster.base}/board", "tw.appr")
    assert [r["name"] for r in board["rows"]] == ["Thái Nguyên", "Lạng Sơn",
                                                  "Hội LHPN quận Bắc Từ Liêm"]
    assert board["noun"] == "đơn vị"  # members of different levels
    listed = ok(client.get("/api/emulation/clusters", headers=world.h("btl.appr")))["items"]
    assert [(y["member_count"], y["active_count"]) for y in listed[0]["years"]] == [(5, 3)]


def test_outsiders_learn_nothing_of_a_cluster_and_early_days_are_refused(client, cluster_world):
    """A province outside a cluster that tries to sign, open or close its covenant is refused
    before anything about the cluster is looked up: the answer is the same 403 whether or not
    the year has a covenant, and it does not name the cluster. A covenant's days (signed,
    opened, closed) start at the year before its own."""
    world = cluster_world
    secret = "Khối thi đua không công khai"
    created = ok(client.post("/api/emulation/clusters", headers=world.h("tw.appr"), json={
        "name": secret, "kind": "khoi", "managing_unit_id": world.u("root")}), 201)
    years = f"/api/emulation/clusters/{created['id']}/years/{YEAR}"
    ok(client.put(years, headers=world.h("tw.appr"), json={
        "members": [{"unit_id": world.u("hanoi")}, {"unit_id": world.u("backan")}],
        "lead_unit_id": world.u("hanoi")}))
    base = f"/api/emulation/clusters/{created['id']}/covenants/{YEAR}"
    attempts = ((f"{base}/sign", {"unit_id": world.u("tn")}), (f"{base}/open", {}),
                (f"{base}/close", {}))
    for path, body in attempts:  # no covenant yet
        answer = refused(client.post(path, json=body, headers=world.h("tn.appr")), 403,
                         "auth.outside_scope")
        assert secret not in answer["message"]
    ok(client.put(base, headers=world.h("tw.appr"), json=COVENANT), 201)
    for path, body in attempts:  # and with one
        answer = refused(client.post(path, json=body, headers=world.h("tn.appr")), 403,
                         "auth.outside_scope")
        assert secret not in answer["message"]
    with nothing_recorded(client, world, base):
        refused(client.post(f"{base}/sign", headers=world.h("hn.appr"), json={
            "unit_id": world.u("hanoi"), "on": f"{YEAR - 2}-12-31"}), 422,
            "emulation.covenant_invalid")
    signed = ok(client.post(f"{base}/sign", headers=world.h("hn.appr"), json={
        "unit_id": world.u("hanoi"), "on": f"{YEAR - 1}-12-20"}))
    assert signed["version"] >= 2
