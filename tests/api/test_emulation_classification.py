"""The Union's annual classification of its bases (xếp loại cơ sở Hội) with the cluster
machinery (issue 19: "the same machinery serves"): a district runs a *khối* of its bases for the
year; the covenant is the classification's points table (100 points, a deduction for late
reports) with the classes as thresholds; each base assesses itself (self mode), the district's
office agrees the scores (its grants cover the bases, the lead among them) and deducts; the
board gives each base its total, rank and class — a deduction moving a base down a class —
computed from the recorded scores. Both stores."""

from __future__ import annotations

from datetime import date

from services.authz import SYSTEM
from tests.helpers import ok, refused

YEAR = 2024
CLASSIFICATION = {
    "title": "Xếp loại cơ sở Hội năm 2024 — Hội LHPN quận Bắc Từ Liêm",
    "indicators": [{"code": "1", "text": "Báo cáo đầy đủ, đúng hạn", "measure": "yes_no"}],
    "points": {"items": [
        {"code": "tt", "text": "Tuyên truyền, giáo dục hội viên", "max_points": "30"},
        {"code": "hv", "text": "Phát triển hội viên", "max_points": "30"},
        {"code": "kt", "text": "Hỗ trợ phụ nữ phát triển kinh tế", "max_points": "40"}],
        "deductions": [{"code": "cham", "text": "Nộp báo cáo chậm", "points": "2"}],
        "total_max": "100"},
    "thresholds": [
        {"code": "xuat_sac", "label": "Hoàn thành xuất sắc nhiệm vụ", "minimum": "90"},
        {"code": "tot", "label": "Hoàn thành tốt nhiệm vụ", "minimum": "70"},
        {"code": "hoan_thanh", "label": "Hoàn thành nhiệm vụ", "minimum": "50"},
        {"code": "khong_hoan_thanh", "label": "Không hoàn thành nhiệm vụ", "minimum": "0"}],
    "assessment_mode": "self",
}
SELF = {"xd": ("28", "27,5", "38"), "cn1": ("25", "20", "30")}
OFFICE = {"xd": "xd.appr", "cn1": "cn1.appr"}


def test_a_district_classifies_its_bases_with_a_points_table(client, world, rt):
    app = rt.app
    for key in ("xd", "cn1"):
        app.users.create_user(SYSTEM, username=OFFICE[key], full_name=OFFICE[key],
                              password="mat-khau-123", grants=[
                                  {"role": "approver", "unit_id": world.units[key],
                                   "chair": False}])
        _, world.tokens[OFFICE[key]] = app.users.issue_token(SYSTEM, username=OFFICE[key])
    rt.runner.catch_up()

    def send(method: str, path: str, by: str, body=None, expect: int = 200):
        return ok(client.request(method, path, headers=world.h(by),
                                 **({} if body is None else {"json": body})), expect)

    block = send("POST", "/api/emulation/clusters", "btl.appr", {
        "name": "Khối cơ sở Hội quận Bắc Từ Liêm", "kind": "khoi",
        "managing_unit_id": world.u("btl")}, 201)
    cid = block["id"]
    send("PUT", f"/api/emulation/clusters/{cid}/years/{YEAR}", "btl.appr", {
        "members": [{"unit_id": world.u("xd")}, {"unit_id": world.u("cn1")}],
        "lead_unit_id": world.u("xd")})
    base = f"/api/emulation/clusters/{cid}/covenants/{YEAR}"
    send("PUT", base, "btl.appr", CLASSIFICATION, 201)
    for key, office in OFFICE.items():
        send("POST", f"{base}/sign", office, {"unit_id": world.u(key),
                                                "on": date(YEAR, 1, 10).isoformat()})
    send("POST", f"{base}/open", "btl.appr", {"on": date(YEAR, 1, 15).isoformat()})

    for key, points in SELF.items():
        report = f"{base}/reports/{world.u(key)}"
        for item, value in zip(("tt", "hv", "kt"), points, strict=True):
            send("POST", f"{report}/scores/{item}", OFFICE[key], {"points": value, "by": "self"})
            send("POST", f"{report}/scores/{item}/agree", "btl.appr", {"points": value})
    # a base agrees nothing, not even its own score; nor does it score the other base
    refused(client.post(f"{base}/reports/{world.u('cn1')}/scores/tt/agree",
                        headers=world.h("cn1.appr"), json={"points": "30", "reason": "x"}),
            403, "auth.outside_scope")
    refused(client.post(f"{base}/reports/{world.u('cn1')}/scores/tt",
                        headers=world.h("xd.appr"), json={"points": "30", "by": "self"}),
            403, "auth.outside_scope")

    before = send("GET", f"{base}/board", "btl.appr")
    rows = {r["name"]: r for r in before["rows"]}
    assert rows["Hội LHPN phường Cổ Nhuế 1"]["classification"]["code"] == "tot"  # 75
    deducted = send("PUT", f"{base}/reports/{world.u('cn1')}/deductions/cham", "btl.appr",
                    {"times": 3, "reason": "Ba báo cáo quý nộp chậm"})
    assert deducted["total"]["points"] == "69" and deducted["total"]["deducted"] == "6"

    board = send("GET", f"{base}/board", "cn1.appr")
    ranks = {r["name"]: (r["position"], r["total"]) for r in board["ranking"]}
    assert ranks == {"Hội LHPN phường Xuân Đỉnh": (1, "93.5"),
                     "Hội LHPN phường Cổ Nhuế 1": (2, "69")}
    rows = {r["name"]: r for r in board["rows"]}
    assert rows["Hội LHPN phường Xuân Đỉnh"]["classification"]["label"] == \
        "Hoàn thành xuất sắc nhiệm vụ"
    assert rows["Hội LHPN phường Cổ Nhuế 1"]["classification"]["label"] == \
        "Hoàn thành nhiệm vụ"  # 75 − 3 × 2: down a class
    assert rows["Hội LHPN phường Xuân Đỉnh"]["total"]["points_text"] == "93,5"
