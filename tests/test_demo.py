"""The demo data, read back through the HTTP API, against the facts the seed articles state.

Expected numbers come from the articles (see shared DOMAIN.md, "Facts in the seeds"), never from
the demo code: seed 004 (Hội LHPN quận Bắc Từ Liêm, conference of 9/1/2024) and seed 002 (Hội
LHPN tỉnh Bắc Kạn, 24/6/2024).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services import demo
from services.api import create_app
from tests.helpers import ok

# -- seed 004 ----------------------------------------------------------------------------------
ANNOUNCED_TOTAL = 73_640_000  # "Tổng số tiền khen thưởng tại Hội nghị là: 73.640.000 đồng."
UBND_COLLECTIVES, UBND_INDIVIDUALS, UBND_TOTAL = 16, 30, 33_840_000
HPN_COLLECTIVES, HPN_INDIVIDUALS, HPN_TOTAL = 33, 61, 34_800_000
TW_COLLECTIVES, TW_INDIVIDUALS = 4, 1  # Bằng khen TW Hội, no amount stated
HN_COLLECTIVES, HN_INDIVIDUALS = 4, 2  # Bằng khen Hội LHPN TP Hà Nội, no amount stated
KNC_INDIVIDUALS = 15  # kỷ niệm chương, no amount stated
COMPUTED_TOTAL = UBND_TOTAL + HPN_TOTAL
NOT_STATED = TW_COLLECTIVES + TW_INDIVIDUALS + HN_COLLECTIVES + HN_INDIVIDUALS + KNC_INDIVIDUALS
# -- seed 002 ----------------------------------------------------------------------------------
BACKAN_OFFICIALS = 4
# The 13 wards of quận Bắc Từ Liêm (2014–2025).
BTL_WARDS = {
    "Cổ Nhuế 1",
    "Cổ Nhuế 2",
    "Đông Ngạc",
    "Đức Thắng",
    "Liên Mạc",
    "Minh Khai",
    "Phú Diễn",
    "Phúc Diễn",
    "Tây Tựu",
    "Thượng Cát",
    "Thụy Phương",
    "Xuân Đỉnh",
    "Xuân Tảo",
}


@pytest.fixture
def loaded(rt, clock) -> dict[str, Any]:
    clock.today = date(2026, 11, 23)  # the demo's live nominations are dated "today"
    return demo.load(rt)


@pytest.fixture
def api(rt, loaded) -> Iterator[TestClient]:
    with TestClient(create_app(rt)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {loaded['tokens']['admin']}"
        yield test_client


def ceremony_held_on(api: TestClient, held_on: str) -> dict[str, Any]:
    listed = ok(api.get("/api/ceremonies", params={"year": held_on[:4]}))["items"]
    matches = [c for c in listed if c["held_on"] == held_on]
    assert len(matches) == 1, listed
    return ok(api.get(f"/api/ceremonies/{matches[0]['ceremony_id']}"))


def decisions_by_kind(api: TestClient, ceremony: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ceremony's decisions in full, keyed by their (single) award kind."""
    out: dict[str, dict[str, Any]] = {}
    for listed in ceremony["decisions"]:
        decision = ok(api.get(f"/api/decisions/{listed['id']}"))
        kinds = {line["award_kind"] for line in decision["lines"]}
        assert len(kinds) == 1, kinds
        (kind,) = kinds
        assert kind not in out
        out[kind] = decision
    return out


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from walk(node["children"])


def test_bac_tu_liem_conference_totals(api, loaded):
    ceremony = ceremony_held_on(api, "2024-01-09")
    assert ceremony["id"] == str(loaded["ceremonies"]["btl_2024"])
    assert ceremony["host_unit_id"] == str(loaded["btl"])
    totals = ceremony["totals"]
    assert totals["announced"] == ANNOUNCED_TOTAL == 73_640_000
    assert totals["computed"] == COMPUTED_TOTAL == 68_640_000
    assert totals["difference"] == ANNOUNCED_TOTAL - COMPUTED_TOTAL == 5_000_000
    assert totals["lines_without_amount"] == NOT_STATED == 26
    assert "73.640.000" in totals["announced_source"]
    assert totals["collectives"] == (
        TW_COLLECTIVES + HN_COLLECTIVES + UBND_COLLECTIVES + HPN_COLLECTIVES
    )
    assert totals["individuals"] == (
        TW_INDIVIDUALS + HN_INDIVIDUALS + KNC_INDIVIDUALS + UBND_INDIVIDUALS + HPN_INDIVIDUALS
    )
    assert len(ceremony["decisions"]) == 5


def test_bac_tu_liem_conference_decisions(api):
    ceremony = ceremony_held_on(api, "2024-01-09")
    by_kind = decisions_by_kind(api, ceremony)
    assert set(by_kind) == {
        "giay_khen_ubnd_huyen",
        "giay_khen_hoi",
        "bang_khen_tw_hoi",
        "bang_khen_hoi_tinh",
        "ky_niem_chuong_phu_nu",
    }

    def check(kind, collectives, individuals, amount, issuer_level, issuer_body="union"):
        decision = by_kind[kind]
        totals = decision["totals"]
        assert (totals["collectives"], totals["individuals"]) == (collectives, individuals), kind
        assert totals["amount"] == amount, kind
        assert decision["issuer"]["level"] == issuer_level, kind
        assert decision["issuer"]["body"] == issuer_body, kind
        assert decision["status"] == "in_force"
        assert "minh họa" in decision["legal_basis"]
        if amount is None:
            # "amount not stated": null on every line, never 0 nor a computed legal amount.
            assert all(line["amount"] is None for line in decision["lines"]), kind
            assert totals["lines_without_amount"] == collectives + individuals
        else:
            assert sum(line["amount"] for line in decision["lines"]) == amount, kind
            assert totals["lines_without_amount"] == 0
        return decision

    ubnd = check(
        "giay_khen_ubnd_huyen",
        UBND_COLLECTIVES,
        UBND_INDIVIDUALS,
        UBND_TOTAL,
        "district",
        "government",
    )
    assert "Bắc Từ Liêm" in ubnd["issuer"]["name"]
    assert ubnd["external"] is True
    hpn = check("giay_khen_hoi", HPN_COLLECTIVES, HPN_INDIVIDUALS, HPN_TOTAL, "district")
    assert hpn["issuer"]["name"] == "Hội LHPN quận Bắc Từ Liêm"
    # computed from the issuer's own (assumed, labelled) rates, with the reason on each line
    assert {line["amount_source"] for line in hpn["lines"]} == {"internal"}
    assert "Giả định minh họa" in hpn["lines"][0]["explanation"]
    # the district UBND's amounts are recorded as decided, and differ from the legal 0,3 rule
    assert {line["amount_source"] for line in ubnd["lines"]} == {"decided"}
    assert ubnd["lines"][0]["rule_amount"] == 1_080_000  # 2 × 0,3 × 1.800.000 (NĐ 98/2023)
    assert ubnd["totals"]["lines_with_warnings"] == UBND_COLLECTIVES + UBND_INDIVIDUALS
    check("bang_khen_tw_hoi", TW_COLLECTIVES, TW_INDIVIDUALS, None, "central")
    hanoi = check("bang_khen_hoi_tinh", HN_COLLECTIVES, HN_INDIVIDUALS, None, "province")
    assert "Hà Nội" in hanoi["issuer"]["name"]
    check("ky_niem_chuong_phu_nu", 0, KNC_INDIVIDUALS, None, "central")

    # The ceremony's summary of each decision agrees (amount null for the Bằng khen TW Hội).
    summary = {d["id"]: d["totals"] for d in ceremony["decisions"]}
    assert summary[by_kind["bang_khen_tw_hoi"]["id"]]["amount"] is None
    assert summary[by_kind["giay_khen_ubnd_huyen"]["id"]]["amount"] == UBND_TOTAL


def test_bac_kan_ceremony(api, loaded):
    ceremony = ceremony_held_on(api, "2024-06-24")
    assert ceremony["host_unit_id"] == str(loaded["backan"])
    assert len(ceremony["decisions"]) == 1
    decision = ok(api.get(f"/api/decisions/{ceremony['decisions'][0]['id']}"))
    assert decision["issuer"]["level"] == "central"
    assert {line["award_kind"] for line in decision["lines"]} == {"bang_khen_tw_hoi"}
    assert decision["totals"]["individuals"] == BACKAN_OFFICIALS
    assert decision["totals"]["collectives"] == 0
    assert decision["totals"]["amount"] is None
    # no line states an amount: the total is unknown (None), not 0 — as the reconciliation says
    assert ceremony["totals"]["computed"] is None and ceremony["totals"]["amount"] is None
    assert ceremony["totals"]["amount_text"] == "không ghi số tiền"
    assert ceremony["totals"]["lines_without_amount"] == BACKAN_OFFICIALS
    reconciled = ok(api.get(f"/api/ceremonies/{ceremony['id']}/reconciliation"))
    assert (reconciled["computed"], reconciled["difference"]) == (None, None)
    assert ceremony["totals"]["announced"] is None
    for line in decision["lines"]:
        assert line["period"] == "2023"
        assert line["amount"] is None
        assert "Bắc Kạn" in line["unit_path"][-1]["name"]


def test_tree_before_and_after_the_2025_reform(api):
    before = ok(api.get("/api/org-units/tree", params={"as_of": "2024-01-09"}))
    districts = [n for n in walk(before["tree"]) if n["level"] == "district"]
    assert [d["name"] for d in districts] == ["Hội LHPN quận Bắc Từ Liêm"]
    wards = districts[0]["children"]
    assert len(wards) == 13
    assert {w["level"] for w in wards} == {"commune"}
    assert {w["name"].removeprefix("Hội LHPN phường ") for w in wards} == BTL_WARDS

    after = ok(api.get("/api/org-units/tree", params={"as_of": "2026-01-01"}))
    nodes = list(walk(after["tree"]))
    assert nodes, "the tree of 2026 is not empty"
    assert [n["name"] for n in nodes if n["level"] == "district"] == []
    assert not any("Bắc Từ Liêm" in n["name"] for n in nodes)
    assert {n["level"] for n in nodes} <= {"central", "province", "commune", "branch"}


def test_every_demo_person_is_marked_illustrative(api):
    decisions = ok(api.get("/api/decisions", params={"limit": 500}))
    people = []
    for listed in decisions["items"]:
        decision = ok(api.get(f"/api/decisions/{listed['decision_id']}"))
        people += [
            line["recipient"]
            for line in decision["lines"]
            if line["recipient"]["kind"] == "individual"
        ]
    assert len(people) == (
        TW_INDIVIDUALS
        + HN_INDIVIDUALS
        + KNC_INDIVIDUALS
        + UBND_INDIVIDUALS
        + HPN_INDIVIDUALS
        + BACKAN_OFFICIALS
    )
    nominations = ok(api.get("/api/nominations", params={"limit": 500}))["items"]
    assert nominations
    for listed in nominations:
        nomination = ok(api.get(f"/api/nominations/{listed['nomination_id']}"))
        if nomination["recipient"]["kind"] == "individual":
            people.append(nomination["recipient"])
    for who in people:
        assert "(minh họa)" in (who.get("position") or ""), who
