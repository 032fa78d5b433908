"""Money through the API, on both stores: schedules as events, the calculator, and decision lines
that are computed, decided or not stated — each with its amount, source and explanation."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import pytest

from domain.decision import AwardDecision
from domain.schedules import LegalSchedule
from tests.helpers import err, head, load_previous_release, ok

NHUNG = {"kind": "individual", "name": "Nguyễn Thị Hồng Nhung", "birth_year": 1980}


@pytest.fixture(autouse=True)
def _today(clock):
    """Decisions here are dated up to 2025; the world's clock is moved past them."""
    clock.today = date(2026, 11, 1)


def person(name: str, year: int = 1980) -> dict[str, Any]:
    return {"kind": "individual", "name": name, "birth_year": year}


def group(name: str) -> dict[str, Any]:
    return {"kind": "collective", "name": name}


def calc(client, world, **params) -> dict:
    return ok(client.get("/api/calculator", params=params, headers=world.h("xd.nom")))


def decide(client, world, *, user="tw.appr", unit="root", number="1/QĐ-ĐCT",
           decided_on="2024-08-01", lines, **extra) -> Any:
    body = {"number": number, "decided_on": decided_on, "issuer": {"unit_id": world.u(unit)},
            "signer": {"name": "Hà Thị Nga", "title": "Chủ tịch"}, "lines": lines, **extra}
    return client.post("/api/decisions", json=body, headers=world.h(user))


# -- the calculator ---------------------------------------------------------------------------


def test_calculator_answers_how_much_and_why_on_both_sides_of_each_change(client, world):
    def bk(on, who="individual"):
        return calc(client, world, award_kind="bang_khen_tw_hoi", recipient_kind=who, on=on,
                    issuer_unit_id=world.u("root"))

    assert bk("2024-06-30")["amount"] == 1_800_000
    assert bk("2024-07-01")["amount"] == 2_340_000
    collective = bk("2024-07-01", "collective")
    assert collective["amount"] == 4_680_000
    assert "2 × 1,0 × 2.340.000 đ = 4.680.000 đ" in collective["explanation"]
    assert collective["in_words"] == "Bốn triệu sáu trăm tám mươi nghìn đồng"
    assert bk("2025-06-30")["amount"] == 2_340_000
    after = bk("2025-07-01")
    assert after["amount"] == 3_510_000 and after["rule"]["period"] == "nd152_2025"
    assert after["amount_text"] == "3.510.000 đ"

    outside = calc(client, world, award_kind="giay_khen_ubnd_xa", recipient_kind="individual",
                   on="2024-07-01", issuer_body="government", issuer_level="commune",
                   issuer_name="UBND phường Xuân Đỉnh")
    assert outside["amount"] == 360_000 and "làm tròn lên 360.000 đ" in outside["explanation"]

    cap = calc(client, world, award_kind="ky_niem_chuong_phu_nu", recipient_kind="individual",
               on="2024-07-01", issuer_unit_id=world.u("root"))
    assert (cap["amount"], cap["maximum"], cap["maximum_text"]) == (None, 1_410_000,
                                                                   "1.410.000 đ")


def test_calculator_refuses_bad_questions_clearly(client, world):
    base = {"recipient_kind": "individual", "on": "2024-07-01", "issuer_unit_id": world.u("root")}
    err(client.get("/api/calculator", params={**base, "award_kind": "khong_co"},
                   headers=world.h("xd.nom")), 422, "award_kind.unknown")
    err(client.get("/api/calculator", params={**base, "award_kind": "tap_the_lao_dong_xuat_sac"},
                   headers=world.h("xd.nom")), 422)
    err(client.get("/api/calculator", params={"award_kind": "giay_khen", "on": "2024-07-01",
                                              "recipient_kind": "individual"},
                   headers=world.h("xd.nom")), 422)
    err(client.get("/api/calculator", params={**base, "award_kind": "bang_khen_tw_hoi",
                                              "on": "2024-02-30"},
                   headers=world.h("xd.nom")), 422)
    err(client.get("/api/calculator", params={**base, "award_kind": "bang_khen_tw_hoi"}), 401)


def test_amounts_in_words_endpoint(client, world):
    answer = ok(client.get("/api/money/in-words", params={"amount": 1_001_000},
                           headers=world.h("xd.nom")))
    assert answer["in_words"] == "Một triệu không trăm linh một nghìn đồng"
    assert answer["amount_text"] == "1.001.000 đ"
    err(client.get("/api/money/in-words", params={"amount": -5}, headers=world.h("xd.nom")), 422)
    err(client.get("/api/money/in-words", params={"amount": "1.5"}, headers=world.h("xd.nom")),
        422)


def test_catalog_says_which_rule_and_coefficients_a_kind_carries(client, world):
    money = ok(client.get("/api/catalog/award-kinds/bang_khen_tw_hoi/money",
                          headers=world.h("xd.nom")))
    [rule] = money["rules"]
    assert rule["decided_by"] == "union:central" and rule["rule"] == "bang_khen_bo_tinh"
    coefficients = {p["period"]: p["individual"] for p in rule["periods"]}
    assert coefficients == {"nd91_2017": "1.0", "nd98_2023": "1.0", "nd152_2025": "1.5"}
    err(client.get("/api/catalog/award-kinds/khong_co/money", headers=world.h("xd.nom")), 404)


# -- schedules as events ----------------------------------------------------------------------


def test_schedules_are_events_and_only_the_root_admin_changes_them(client, world):
    shown = ok(client.get("/api/schedules", headers=world.h("xd.nom")))
    assert [b["amount"] for b in shown["base_salaries"]][-3:] == [1_800_000, 2_340_000,
                                                                  2_530_000]
    assert [p["code"] for p in shown["periods"]] == ["nd91_2017", "nd98_2023", "nd152_2025"]

    body = {"effective_from": "2026-07-01", "amount": 2_530_000,
            "legal_basis": "Nghị định 161/2026/NĐ-CP", "note": "  chu\u031ba xác minh "}
    position = head(client)
    err(client.post("/api/schedules/base-salary", json=body, headers=world.h("hn.admin")), 403)
    err(client.post("/api/schedules/base-salary", json={**body, "amount": 2.5e6},
                    headers=world.h("admin")), 422)
    err(client.post("/api/schedules/base-salary", json={**body, "amount": -1},
                    headers=world.h("admin")), 422)
    err(client.post("/api/schedules/base-salary", json={**body, "legal_basis": " "},
                    headers=world.h("admin")), 422)
    assert head(client) == position

    changed = ok(client.post("/api/schedules/base-salary", json=body, headers=world.h("admin")))
    assert changed["base_salaries"][-1]["amount"] == 2_530_000
    history = ok(client.get("/api/schedules/history", headers=world.h("admin")))["events"]
    assert history[-1]["event"] == "LegalSchedule.BaseSalarySet"
    assert history[-1]["by"] == "admin" and history[-1]["data"]["note"] == "chưa xác minh"
    assert calc(client, world, award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                on="2026-07-01", issuer_unit_id=world.u("root"))["amount"] == 3_800_000  # 1,5 ×
    # loading the shipped data again records nothing new
    position = head(client)
    ok(client.post("/api/schedules/load", headers=world.h("admin")))
    assert head(client) == position


def test_internal_rates_are_set_by_the_issuer_and_used_from_their_date(client, world):
    rate = {"unit_id": world.u("btl"), "award_kind": "giay_khen_hoi",
            "recipient_kind": "collective", "effective_from": "2024-01-01", "amount": 500_000,
            "note": "Nghị quyết Ban Thường vụ (ví dụ)"}
    err(client.post("/api/schedules/internal-rates", json=rate, headers=world.h("xd.nom")), 403)
    err(client.post("/api/schedules/internal-rates", json=rate, headers=world.h("xd.chair")), 403)
    err(client.post("/api/schedules/internal-rates", json={**rate, "unit_id": world.u("nt")},
                    headers=world.h("btl.appr")), 403)
    err(client.post("/api/schedules/internal-rates", json={**rate, "award_kind": "khong_co"},
                    headers=world.h("btl.appr")), 422)
    err(client.post("/api/schedules/internal-rates",
                    json={**rate, "unit_id": "00000000-0000-4000-8000-000000000000"},
                    headers=world.h("btl.appr")), 422)
    ok(client.post("/api/schedules/internal-rates", json=rate, headers=world.h("btl.appr")))
    ok(client.post("/api/schedules/internal-rates",
                   json={**rate, "recipient_kind": "individual", "amount": 300_000},
                   headers=world.h("hn.admin")))
    rates = ok(client.get("/api/schedules/internal-rates", params={"unit_id": world.u("btl")},
                          headers=world.h("btl.appr")))
    assert sorted(r["amount"] for r in rates["items"]) == [300_000, 500_000]

    collectives = [{"recipient": group(f"Chi hội {i}"), "award_kind": "giay_khen_hoi",
                    "period": "2023"} for i in range(1, 34)]
    people = [{"recipient": person(f"Hội viên {i}", 1960 + i % 30), "award_kind": "giay_khen_hoi",
               "period": "2023"} for i in range(1, 62)]
    dec = ok(decide(client, world, user="btl.appr", unit="btl", number="02/QĐ-HPN",
                    decided_on="2024-01-05", amount_mode="computed",
                    lines=collectives + people), 201)
    assert dec["totals"]["amount"] == 34_800_000
    assert dec["totals"]["lines_without_amount"] == 0
    first = dec["lines"][0]
    assert (first["amount"], first["amount_source"]) == (500_000, "internal")
    assert "Hội LHPN quận Bắc Từ Liêm" in first["explanation"]
    # before the rates' date there is nothing to compute from: a clear refusal, nothing recorded
    position = head(client)
    refused = err(decide(client, world, user="btl.appr", unit="btl", number="03/QĐ-HPN",
                         decided_on="2023-12-20", amount_mode="computed", lines=people[:2]),
                  422, "money.no_rule")
    assert "chưa ghi mức thưởng" in refused["message"]
    assert head(client) == position


# -- decision lines ---------------------------------------------------------------------------


def test_lines_computed_decided_and_not_stated(client, world):
    dec = ok(decide(client, world, lines=[
        {"recipient": NHUNG, "award_kind": "bang_khen_tw_hoi", "period": "2024",
         "amount_mode": "computed"},
        {"recipient": group("Hội LHPN phường Xuân Đỉnh"), "award_kind": "bang_khen_tw_hoi",
         "period": "2024", "amount_mode": "computed"},
        {"recipient": person("Trần Thị Lan", 1975), "award_kind": "bang_khen_tw_hoi",
         "period": "2024", "amount": 2_000_000},
        {"recipient": person("Lê Thị Mai", 1970), "award_kind": "ky_niem_chuong_phu_nu",
         "period": "2024", "amount": 1_000_000},
        {"recipient": person("Phạm Thị Thu", 1969), "award_kind": "bang_khen_tw_hoi",
         "period": "2024"},
    ]), 201)
    lines = dec["lines"]
    assert [li["amount"] for li in lines] == [2_340_000, 4_680_000, 2_000_000, 1_000_000, None]
    assert [li["amount_source"] for li in lines] == ["legal", "legal", "decided", "decided",
                                                     "not_stated"]
    assert "2 × 1,0 × 2.340.000 đ = 4.680.000 đ" in lines[1]["explanation"]
    assert [w["code"] for w in lines[2]["warnings"]] == ["money.differs_from_rule"]
    assert lines[2]["rule_amount"] == 2_340_000
    assert lines[3]["warnings"] == [] and lines[3]["rule_maximum"] == 1_410_000
    assert lines[4]["amount_source_label"] == "Không ghi số tiền"
    totals = dec["totals"]
    assert totals["amount"] == 2_340_000 + 4_680_000 + 2_000_000 + 1_000_000
    assert totals["lines_without_amount"] == 1
    assert totals["lines_without_amount_text"] == "1 dòng không ghi số tiền"
    assert totals["lines_with_warnings"] == 1
    # the event itself carries every line's amount, source and explanation
    history = ok(client.get(f"/api/decisions/{dec['id']}/history", headers=world.h("admin")))
    stored = history["events"][0]["data"]["lines"]
    assert [li["amount_source"] for li in stored] == [li["amount_source"] for li in lines]
    assert stored[1]["explanation"] == lines[1]["explanation"]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ({"award_kind": "ky_niem_chuong_phu_nu", "amount_mode": "computed"}, "money.needs_choice"),
        ({"award_kind": "bang_khen_tw_hoi", "amount_mode": "decided"}, "money.amount_missing"),
        ({"award_kind": "bang_khen_tw_hoi", "amount_mode": "not_stated", "amount": 5},
         "money.amount_not_expected"),
        ({"award_kind": "bang_khen_tw_hoi", "amount_mode": "computed", "amount": 5},
         "money.amount_not_expected"),
        ({"award_kind": "bang_khen_tw_hoi", "amount": -5}, None),
        ({"award_kind": "bang_khen_tw_hoi", "amount": 1.5}, None),
        ({"award_kind": "bang_khen_tw_hoi", "amount": "100000"}, None),
        ({"award_kind": "bang_khen_tw_hoi", "amount_mode": "guess"}, None),
    ],
)
def test_money_mistakes_on_a_line_are_refused_and_record_nothing(client, world, line, code):
    position = head(client)
    body = err(decide(client, world, lines=[{"recipient": NHUNG, "period": "2024", **line}]), 422,
               code)
    if code == "money.needs_choice":
        assert body["details"]["maximum"] == 1_410_000
    assert head(client) == position


def test_household_gets_no_invented_amount(client, world):
    body = {"number": "12/QĐ-UBND", "decided_on": "2024-12-20",
            "issuer": {"body": "government", "level": "commune", "name": "UBND phường Xuân Đỉnh"},
            "recorded_by_unit_id": world.u("xd"), "amount_mode": "computed",
            "lines": [{"recipient": {"kind": "household", "name": "Gia đình bà Nguyễn Thị Hoa",
                                     "unit_id": world.u("xd")},
                       "award_kind": "gia_dinh_van_hoa", "period": "2024"}]}
    refused = err(client.post("/api/decisions", json=body, headers=world.h("btl.appr")), 422,
                  "money.no_rule")
    assert "quyết định cần ghi số tiền" in refused["message"]
    body["amount_mode"] = "not_stated"
    recorded = ok(client.post("/api/decisions", json=body, headers=world.h("btl.appr")), 201)
    assert recorded["totals"]["amount"] is None
    assert recorded["totals"]["amount_text"] == "không ghi số tiền"


def test_only_the_highest_title_is_paid_unless_the_policy_is_off(client, world):
    titles = [
        {"recipient": NHUNG, "award_kind": "lao_dong_tien_tien", "period": "2024"},
        {"recipient": NHUNG, "award_kind": "chien_si_thi_dua_co_so", "period": "2024"},
    ]
    dec = ok(decide(client, world, user="hn.appr", unit="hanoi", decided_on="2024-12-01",
                    amount_mode="computed", lines=titles), 201)
    assert [li["amount"] for li in dec["lines"]] == [0, 2_340_000]
    assert dec["lines"][0]["warnings"][-1]["code"] == "money.highest_title_only"

    err(client.put("/api/schedules/policy", json={"highest_title_only": False},
                   headers=world.h("hn.admin")), 403)
    ok(client.put("/api/schedules/policy", json={"highest_title_only": False},
                  headers=world.h("admin")))
    other = [{**t, "recipient": person("Đỗ Thị Hạnh", 1985)} for t in titles]
    both = ok(decide(client, world, user="hn.appr", unit="hanoi", decided_on="2024-12-01",
                     number="2/QĐ-HPN", amount_mode="computed", lines=other), 201)
    assert [li["amount"] for li in both["lines"]] == [710_000, 2_340_000]
    # the earlier decision is untouched by the policy change
    again = ok(client.get(f"/api/decisions/{dec['id']}", headers=world.h("admin")))
    assert [li["amount"] for li in again["lines"]] == [0, 2_340_000]


def test_a_later_schedule_change_never_changes_an_earlier_decision(client, world):
    dec = ok(decide(client, world, amount_mode="computed", lines=[
        {"recipient": NHUNG, "award_kind": "bang_khen_tw_hoi", "period": "2024"}]), 201)
    assert dec["lines"][0]["amount"] == 2_340_000
    # a correction recorded afterwards, effective before the decision's date
    ok(client.post("/api/schedules/base-salary", headers=world.h("admin"), json={
        "effective_from": "2024-07-15", "amount": 2_500_000, "legal_basis": "Sửa thử"}))
    assert calc(client, world, award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                on="2024-08-01", issuer_unit_id=world.u("root"))["amount"] == 2_500_000
    again = ok(client.get(f"/api/decisions/{dec['id']}", headers=world.h("admin")))
    assert again["lines"][0]["amount"] == 2_340_000
    assert again["lines"][0]["rule"]["base_salary"] == 2_340_000


def test_a_version_1_decision_event_still_reads(rt):
    """Events written before the money rules (no amount_mode, explanation, warnings) upcast."""
    from domain.decision import Issuer, build_line

    issuer = Issuer(body="government", level="district", name="UBND quận Bắc Từ Liêm")
    from uuid import uuid4

    lines = [build_line(line_no=1, raw={"recipient": NHUNG, "award_kind": "giay_khen_ubnd_huyen",
                                        "period": "2023", "amount": 300_000},
                        issuer=issuer, default_achievement="")]

    decision = AwardDecision.issue(decision_id=uuid4(), number="35/QĐ-UBND",
                                   decided_on=date(2024, 1, 5), issuer=issuer,
                                   recorded_by_unit_id=uuid4(), signer={}, subject="",
                                   legal_basis="", achievement="", lines=lines, actor="t")
    [created] = decision.collect_events()
    stored = rt.app.mapper.to_stored_event(created)
    state = json.loads(stored.state)
    state.pop("class_version", None)
    for line in state["lines"]:
        for key in ("amount_mode", "rule_amount", "rule_maximum", "rule", "rule_verified",
                    "explanation", "warnings"):
            line.pop(key)
    old = type(stored)(originator_id=stored.originator_id,
                       originator_version=stored.originator_version, topic=stored.topic,
                       state=json.dumps(state).encode("utf-8"))
    event = rt.app.mapper.to_domain_event(old)
    [line] = event.lines
    assert (line["amount"], line["amount_mode"], line["amount_source"]) == (300_000, "decided",
                                                                         "decided")
    assert line["warnings"] == [] and line["explanation"] == ""


def test_a_schedule_change_racing_a_decision_leaves_both_consistent(client, world):
    """A base-salary correction and a decision at the same moment: each lands whole; the decision
    keeps whichever schedule it read, and says which (schedule_version)."""
    results: dict[str, Any] = {}

    def correct():
        results["schedule"] = client.post("/api/schedules/base-salary", headers=world.h("admin"),
                                          json={"effective_from": "2024-07-15",
                                                "amount": 2_500_000, "legal_basis": "Sửa thử"})

    def issue():
        results["decision"] = decide(client, world, amount_mode="computed", lines=[
            {"recipient": NHUNG, "award_kind": "bang_khen_tw_hoi", "period": "2024"}])

    threads = [threading.Thread(target=correct), threading.Thread(target=issue)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok(results["schedule"])
    line = ok(results["decision"], 201)["lines"][0]
    assert line["amount"] in (2_340_000, 2_500_000)
    assert line["rule"]["base_salary"] == line["amount"]


# -- an upgrade from the previous release, and the lines it would change ----------------------


@pytest.fixture
def old_world(request, monkeypatch):
    """A store whose legal schedule was recorded by the previous release (2025-07: base salary
    2.340.000 đ still in force after 2026-07-01), not yet upgraded."""
    monkeypatch.setattr(LegalSchedule, "load_shipped", load_previous_release)
    world = request.getfixturevalue("world")
    monkeypatch.undo()
    return world


def test_an_upgrade_is_one_event_and_the_office_sees_which_lines_differ(client, old_world):
    world, rt = old_world, old_world.rt
    admin = world.h("admin")

    def bk(on, who="individual"):
        return calc(client, world, award_kind="bang_khen_tw_hoi", recipient_kind=who, on=on,
                    issuer_unit_id=world.u("root"))["amount"]

    assert bk("2026-09-15") == 3_510_000  # what the previous release computes
    computed = ok(decide(client, world, number="5/QĐ-ĐCT", decided_on="2026-09-15",
                         amount_mode="computed", lines=[
                             {"recipient": NHUNG, "award_kind": "bang_khen_tw_hoi",
                              "period": "2026"},
                             {"recipient": group("Chi hội phụ nữ tổ 5"),
                              "award_kind": "bang_khen_tw_hoi", "period": "2026"}]), 201)
    assert [li["amount"] for li in computed["lines"]] == [3_510_000, 7_020_000]
    earlier = ok(decide(client, world, number="4/QĐ-ĐCT", decided_on="2026-06-30",
                        amount_mode="computed", lines=[
                            {"recipient": person("Đỗ Thị Hạnh", 1985),
                             "award_kind": "bang_khen_tw_hoi", "period": "2026"}]), 201)
    ok(decide(client, world, number="6/QĐ-ĐCT", decided_on="2026-09-20", lines=[
        {"recipient": person("Lê Thị Thu", 1979), "award_kind": "bang_khen_tw_hoi",
         "period": "2026", "amount": 3_510_000}]), 201)  # decided: the decision's own figure
    revoked = ok(decide(client, world, number="7/QĐ-ĐCT", decided_on="2026-10-01",
                        amount_mode="computed", lines=[
                            {"recipient": person("Phạm Thị Mai", 1990),
                             "award_kind": "bang_khen_tw_hoi", "period": "2026"}]), 201)
    ok(client.post(f"/api/decisions/{revoked['id']}/revoke", headers=world.h("tw.appr"),
                   json={"revoked_on": "2026-10-15", "ground": "b", "reason": "Hồ sơ sai"}))
    province = ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "8/QĐ-UBND", "decided_on": "2026-08-01", "amount_mode": "computed",
        "issuer": {"body": "government", "level": "province", "name": "UBND TP Hà Nội"},
        "recorded_by_unit_id": world.u("hanoi"), "signer": {"name": "Trần Sỹ Thanh"},
        "lines": [{"recipient": person("Vũ Thị Lan", 1982), "award_kind": "bang_khen_ubnd_tinh",
                   "period": "2026"}]}), 201)
    assert province["lines"][0]["amount"] == 3_510_000

    before = ok(client.get("/api/schedules/differences", headers=admin))
    assert before["total"] == 0 and before["lines_checked"] == 4

    history = ok(client.get("/api/schedules/history", headers=admin))["events"]
    assert rt.app.schedules.upgrade_schedules() is not None  # what `tdkt serve` does at start-up
    assert rt.app.schedules.upgrade_schedules() is None  # once
    rt.runner.catch_up()
    after = ok(client.get("/api/schedules/history", headers=admin))["events"]
    assert len(after) == len(history) + 1
    assert after[-1]["event"] == "LegalSchedule.ReleaseLoaded" and after[-1]["by"] == "system"
    assert after[-1]["data"]["base_salaries"]["2026-07-01"]["amount"] == 2_530_000
    assert bk("2026-09-15") == 3_800_000 and bk("2026-06-30") == 3_510_000
    assert bk("2026-07-01", "collective") == 7_590_000

    # recorded decisions keep what they recorded …
    kept = ok(client.get(f"/api/decisions/{computed['id']}", headers=admin))
    assert [li["amount"] for li in kept["lines"]] == [3_510_000, 7_020_000]
    # … and the office sees exactly the lines the schedule now computes otherwise
    report = ok(client.get("/api/schedules/differences", headers=admin))
    found = {(i["decision_number"], i["line_no"]): (i["recorded_amount"], i["amount_now"])
             for i in report["items"]}
    assert found == {("5/QĐ-ĐCT", 1): (3_510_000, 3_800_000),
                     ("5/QĐ-ĐCT", 2): (7_020_000, 7_590_000),
                     ("8/QĐ-UBND", 1): (3_510_000, 3_800_000)}
    assert report["lines_checked"] == 4 and report["total"] == 3
    assert report["difference_total"] == 290_000 + 570_000 + 290_000
    line = next(i for i in report["items"] if i["line_no"] == 2)
    assert "2.530.000 đ" in line["explanation_now"] and line["difference_text"] == "570.000 đ"
    assert earlier["number"] not in {i["decision_number"] for i in report["items"]}
    # by year, and within the office's own units only
    assert ok(client.get("/api/schedules/differences", params={"year": 2025},
                         headers=admin))["total"] == 0
    mine = ok(client.get("/api/schedules/differences", headers=world.h("hn.appr")))
    assert [i["decision_number"] for i in mine["items"]] == ["8/QĐ-UBND"]
    err(client.get("/api/schedules/differences", headers=world.h("xd.nom")), 403,
        "auth.role_required")
    paged = ok(client.get("/api/schedules/differences", params={"limit": 1, "offset": 1},
                          headers=admin))
    assert paged["total"] == 3 and len(paged["items"]) == 1


def test_households_receive_forms_with_the_amount_the_period_gives(client, world):
    def xa(on):
        return calc(client, world, award_kind="giay_khen_ubnd_xa", recipient_kind="household",
                    on=on, issuer_body="government", issuer_level="commune")

    assert xa("2025-06-30")["amount"] is None  # NĐ 98: no household rule
    assert xa("2025-07-01")["amount"] == 1_060_000  # 1,5 × 0,3 × 2.340.000 = 1.053.000 → …
    assert xa("2026-07-01")["amount"] == 1_140_000  # 1,5 × 0,3 × 2.530.000 = 1.138.500 → …
    household = {"kind": "household", "name": "Gia đình bà Nguyễn Thị Hoa",
                 "unit_id": world.u("xd")}
    dec = ok(decide(client, world, number="9/QĐ-ĐCT", decided_on="2026-09-15",
                    amount_mode="computed", lines=[
                        {"recipient": household, "award_kind": "bang_khen_tw_hoi",
                         "period": "2026"}]), 201)
    [line] = dec["lines"]
    assert line["amount"] == 5_700_000  # 1,5 × 1,5 × 2.530.000 = 5.692.500 → 5.700.000
    assert line["rule_verified"] is False and "hộ gia đình" in line["explanation"]
