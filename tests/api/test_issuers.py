"""Issuers of every kind through the API and the pages, on both stores (issue 17): decisions of
the state, the Fatherland Front and the police entered as an office enters them from paper and
read back from the decision and the registry; a district body's decision accepted up to
2025-06-30 and refused from 2025-07-01 (nothing recorded); the Prime Minister's Bằng khen only
from the Prime Minister."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest

from domain.catalog import BODIES, BODY_LABELS
from tests.helpers import err, form_data, head, ok, page_login


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2026, 3, 2)


def person(world, name: str, year: int, unit: str = "xd") -> dict[str, Any]:
    return {"kind": "individual", "name": name, "birth_year": year, "gender": "female",
            "unit_id": world.u(unit)}


def outside(world, number: str, decided_on: str, issuer: dict[str, str], lines: list[dict],
            **extra: Any) -> dict[str, Any]:
    return {"number": number, "decided_on": decided_on, "recorded_by_unit_id": world.u("hanoi"),
            "issuer": issuer, "lines": lines, **extra}


def record(client, world, body: dict[str, Any], user: str = "hn.appr"):
    return client.post("/api/decisions", json=body, headers=world.h(user))


def registry(client, world, **params) -> list[dict[str, Any]]:
    return ok(client.get("/api/registry", params={"status": "all", **params},
                         headers=world.h("admin")))["items"]


STATE = {"body": "government", "level": "province", "name": "Ủy ban nhân dân thành phố Hà Nội"}
FRONT = {"body": "front", "level": "province",
         "name": "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Hà Nội"}
POLICE = {"body": "police", "level": "province", "name": "Công an thành phố Hà Nội"}


def test_decisions_of_the_state_the_front_and_the_police_read_back(client, world):
    state = ok(record(client, world, outside(
        world, "5120/QĐ-UBND", "2025-12-20", STATE, [
            {"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980)},
            {"recipient": {"kind": "collective", "org_unit_id": world.u("cn1")}},
        ], award_kind="bang_khen_ubnd_tinh", period="2025", amount_mode="computed",
        signer={"name": "Trần Sỹ Thanh", "title": "Chủ tịch"},
        achievement="Có thành tích xuất sắc trong phong trào thi đua năm 2025")), 201)
    front = ok(record(client, world, outside(
        world, "215/QĐ-MTTQ-BTT", "2026-01-10", FRONT, [
            {"recipient": {"kind": "collective", "org_unit_id": world.u("xd")},
             "amount": 3_000_000},
            {"recipient": person(world, "Lê Thị Mai", 1968)},
        ], award_kind="bang_khen_co_quan_khac", period="2021-2025",
        achievement="Có thành tích xuất sắc trong Cuộc vận động «Toàn dân đoàn kết xây dựng "
                    "nông thôn mới, đô thị văn minh» giai đoạn 2021–2025")), 201)
    police = ok(record(client, world, outside(
        world, "3456/QĐ-CAHN", "2025-09-02", POLICE, [
            {"recipient": person(world, "Đỗ Thị Thu", 1975, "cn1"), "amount": 1_000_000},
        ], award_kind="giay_khen_co_quan_khac", period="2025",
        achievement="Có thành tích trong phong trào Toàn dân bảo vệ an ninh Tổ quốc")), 201)

    # the decisions, as recorded
    assert state["issuer"] == {**STATE, "unit_id": None} and state["external"] is True
    assert [line["amount"] for line in state["lines"]] == [3_510_000, 7_020_000]  # 1,5 × lương
    assert front["issuer"] == {**FRONT, "unit_id": None} and front["external"] is True
    assert [(line["amount"], line["amount_source"]) for line in front["lines"]] == [
        (3_000_000, "decided"), (None, "not_stated")]
    assert police["issuer"]["body"] == "police"
    again = ok(client.get(f"/api/decisions/{front['id']}", headers=world.h("admin")))
    assert again["issuer"] == front["issuer"]

    # the registry: each line says who issued it, by its kind of body and its name
    lines = {(row["decision"]["number"], row["recipient"]["name"]): row
             for row in registry(client, world)}
    assert len(lines) == 5
    seen = {number: (row["decision"]["issuer_body"], row["decision"]["issuer_body_label"],
                     row["decision"]["issuer_name"])
            for (number, _), row in lines.items()}
    assert seen == {
        "5120/QĐ-UBND": ("government", "cơ quan nhà nước", STATE["name"]),
        "215/QĐ-MTTQ-BTT": ("front", "Mặt trận Tổ quốc Việt Nam", FRONT["name"]),
        "3456/QĐ-CAHN": ("police", "Công an nhân dân", POLICE["name"]),
    }
    xd = lines[("215/QĐ-MTTQ-BTT", "Hội LHPN phường Xuân Đỉnh")]
    assert xd["award_title"] == "Bằng khen của cơ quan, tổ chức khác" and xd["amount"] == 3_000_000
    assert xd["recipient"]["kind"] == "collective"
    mai = lines[("215/QĐ-MTTQ-BTT", "Lê Thị Mai")]
    assert mai["amount"] is None and mai["period"] == "2021 - 2025"

    # totals by issuer and by fund name each body
    by_issuer = ok(client.get("/api/registry/totals", params={"group_by": "issuer"},
                              headers=world.h("admin")))
    assert {g["label"] for g in by_issuer["groups"]} == {
        STATE["name"], FRONT["name"], POLICE["name"]}
    by_fund = ok(client.get("/api/registry/totals", params={"group_by": "funding"},
                            headers=world.h("admin")))
    funds = {g["key"]: g["label"] for g in by_fund["groups"]}
    assert funds["front"] == "Quỹ thi đua, khen thưởng của Mặt trận Tổ quốc Việt Nam"
    assert funds["police"] == "Quỹ thi đua, khen thưởng của Công an nhân dân"


@pytest.mark.parametrize("body", BODIES[2:])
def test_every_other_kind_of_body_records_its_giay_khen(client, world, body):
    issuer = {"body": body, "level": "commune", "name": f"{BODY_LABELS[body]} phường Xuân Đỉnh"}
    answer = ok(record(client, world, outside(
        world, "01/QĐ-KT", "2026-02-01", issuer,
        [{"recipient": person(world, "Vũ Thị Lan", 1990)}],
        award_kind="giay_khen_co_quan_khac", period="2025")), 201)
    assert answer["issuer"]["body"] == body
    (row,) = registry(client, world)
    assert row["decision"]["issuer_body_label"] == BODY_LABELS[body]


def test_an_unknown_kind_of_body_is_refused_before_anything(client, world):
    before = head(client)
    body = outside(world, "01/QĐ", "2026-02-01", {**FRONT, "body": "church"},
                   [{"recipient": person(world, "Vũ Thị Lan", 1990)}],
                   award_kind="giay_khen_co_quan_khac", period="2025")
    err(record(client, world, body), 422)
    assert head(client) == before


# -- authority by date -----------------------------------------------------------------------

DISTRICT = {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"}


def district_decision(world, number: str, decided_on: str, name: str = "Phạm Thị Hoa"
                      ) -> dict[str, Any]:
    return outside(world, number, decided_on, DISTRICT,
                   [{"recipient": person(world, name, 1982), "amount": 702_000}],
                   award_kind="giay_khen_ubnd_huyen", period="2024-2025")


def test_a_district_body_decides_until_2025_06_30_and_not_after(client, world):
    accepted = ok(record(client, world, district_decision(world, "88/QĐ-UBND", "2025-06-30")),
                  201)
    assert accepted["issuer"]["level"] == "district"

    before = head(client)
    refused = err(record(client, world, district_decision(world, "89/QĐ-UBND", "2025-07-01")),
                  422, "issuer.level_ended")
    assert "UBND quận Bắc Từ Liêm" in refused["message"]
    assert "01/07/2025" in refused["message"] and "30/06/2025" in refused["message"]
    assert head(client) == before  # nothing recorded
    numbers = [row["decision"]["number"] for row in registry(client, world)]
    assert numbers == ["88/QĐ-UBND"]
    # the same body's history still reads right, and the refused number was never taken
    ok(record(client, world, district_decision(world, "89/QĐ-UBND", "2025-06-15",
                                               "Trịnh Thị Yến")), 201)


def test_any_kind_of_district_body_is_refused_after_the_reform(client, world):
    before = head(client)
    body = outside(world, "12/QĐ-MT", "2025-08-01",
                   {"body": "front", "level": "district", "name": "Ủy ban MTTQ huyện Đông Anh"},
                   [{"recipient": person(world, "Vũ Thị Lan", 1990)}],
                   award_kind="giay_khen_co_quan_khac", period="2025")
    err(record(client, world, body), 422, "issuer.level_ended")
    assert head(client) == before


def test_a_union_unit_of_the_district_level_is_held_to_the_same_date(client, world):
    """The test tree never dissolved quận Bắc Từ Liêm: still, its level ended."""
    def own(number: str, decided_on: str) -> dict[str, Any]:
        return {"number": number, "decided_on": decided_on, "issuer": {"unit_id": world.u("btl")},
                "award_kind": "giay_khen_hoi", "period": "2025",
                "lines": [{"recipient": person(world, "Phạm Thị Hoa", 1982),
                           "amount": 300_000}]}

    ok(record(client, world, own("40/QĐ-HPN", "2025-06-30"), "btl.appr"), 201)
    before = head(client)
    err(record(client, world, own("41/QĐ-HPN", "2025-07-01"), "btl.appr"), 422,
        "issuer.level_ended")
    assert head(client) == before


# -- named deciders ----------------------------------------------------------------------------


def pm_decision(world, name: str, level: str = "central") -> dict[str, Any]:
    return outside(world, "1234/QĐ-TTg", "2025-10-15",
                   {"body": "government", "level": level, "name": name},
                   [{"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980)}],
                   award_kind="bang_khen_thu_tuong", period="2020-2024", amount_mode="computed")


@pytest.mark.parametrize(("name", "level", "status", "code"), [
    ("UBND tỉnh Bắc Ninh", "province", 409, "award_kind.above_authority"),
    ("UBND tỉnh Bắc Ninh", "central", 422, "issuer.not_named_decider"),
    ("Bộ Nội vụ", "central", 422, "issuer.not_named_decider"),
])
def test_the_prime_ministers_bang_khen_is_refused_from_other_bodies(client, world, name, level,
                                                                     status, code):
    before = head(client)
    refused = err(record(client, world, pm_decision(world, name, level)), status, code)
    if status == 422:
        assert "chỉ do Thủ tướng Chính phủ quyết định" in refused["message"]
        assert name in refused["message"]
    assert head(client) == before


@pytest.mark.parametrize("name", ["Thủ tướng Chính phủ", "Thủ tướng", "TTg"])
def test_the_prime_ministers_bang_khen_from_the_prime_minister(client, world, name):
    answer = ok(record(client, world, pm_decision(world, name)), 201)
    assert answer["issuer"]["name"] == name
    (line,) = answer["lines"]
    assert line["amount"] == 8_190_000  # 3,5 × 2.340.000 đ (NĐ 152/2025)
    (row,) = registry(client, world)
    assert row["award_kind"] == "bang_khen_thu_tuong" and row["decision"]["issuer_name"] == name


# -- the API document and the page ----------------------------------------------------------


def test_the_api_document_lists_every_kind_of_body(client):
    doc = ok(client.get("/openapi.json"))
    schema = doc["components"]["schemas"]["IssuerIn"]["properties"]["body"]
    listed = next(option["enum"] for option in schema["anyOf"] if "enum" in option)
    assert listed == list(BODIES)
    for label in BODY_LABELS.values():
        assert label in schema["description"]


def text_of(page) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def test_the_outside_decision_page_offers_every_body_and_records_a_front_decision(client, world):
    assert page_login(client, "hn.appr").status_code == 303
    form = client.get("/decisions/outside", params={"unit_id": world.u("hanoi")})
    assert form.status_code == 200
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>',
                              form.text.split('id="issuer_body"')[1].split("</select>")[0]))
    assert list(options) == list(BODIES)
    assert unescape(options["front"]).startswith("Mặt trận Tổ quốc Việt Nam (")
    assert unescape(options["government"]).startswith("Cơ quan nhà nước (Chính phủ, Thủ tướng")

    fields = {
        "unit_id": world.u("hanoi"), "outside": "1", "issuer_body": "front",
        "issuer_level": "province", "issuer_name": FRONT["name"], "number": "215/QĐ-MTTQ-BTT",
        "decided_on": "10/01/2026", "signer_title": "TM. Ban Thường trực – Chủ tịch",
        "signer_name": "Nguyễn Văn Hà", "award_kind": "bang_khen_co_quan_khac",
        "period": "2021-2025", "amount_mode": "", "achievement": "Có thành tích xuất sắc",
        "l-1-kind": "collective", "l-1-unit": "Hội LHPN phường Xuân Đỉnh",
        "l-1-amount": "3.000.000", "action": "preview",
    }
    preview = client.post("/decisions/compose", data=form_data(client, fields))
    assert preview.status_code == 200, text_of(preview)[:3000]
    assert "Hội LHPN phường Xuân Đỉnh" in text_of(preview)
    state = unescape(re.search(r'name="state" value="([^"]+)"', preview.text).group(1))
    done = client.post("/decisions/compose/issue",
                       data=form_data(client, {"state": state, "confirm": "1"}))
    assert done.status_code == 200 and "Đã ghi nhận quyết định của cơ quan ngoài Hội." in done.text
    (row,) = registry(client, world)
    assert row["decision"]["issuer_body_label"] == "Mặt trận Tổ quốc Việt Nam"

    # a district body after the reform: the form says why, nothing is recorded
    before = head(client)
    late = client.post("/decisions/compose", data=form_data(client, {
        **fields, "issuer_body": "government", "issuer_level": "district",
        "issuer_name": "UBND huyện Đông Anh", "number": "77/QĐ-UBND",
        "award_kind": "giay_khen_ubnd_huyen", "decided_on": "02/07/2025"}))
    assert late.status_code == 422
    assert "không thể là cơ quan ban hành" in text_of(late)
    assert head(client) == before


YOUTH = {"body": "youth", "level": "province", "name": "Thành đoàn Hà Nội"}


def test_a_generic_kind_is_once_per_achievement_per_issuer(client, world):
    """The Front's and the Youth Union's Bằng khen for the same person and period are two
    awards; the same body's second one for that period is the rule broken (409), nothing
    recorded."""
    mai = person(world, "Vũ Thị Mai Anh", 1990)
    common = {"award_kind": "bang_khen_co_quan_khac", "period": "2025",
              "achievement": "Có thành tích xuất sắc trong công tác năm 2025"}
    ok(record(client, world, outside(world, "12/QĐ-MTTQ", "2026-01-05", FRONT,
                                     [{"recipient": mai}], **common)), 201)
    ok(record(client, world, outside(world, "34/QĐ-TĐ", "2026-01-06", YOUTH,
                                     [{"recipient": mai}], **common)), 201)
    before = registry(client, world, q="Vũ Thị Mai Anh")
    assert {line["decision"]["issuer_name"] for line in before} == {FRONT["name"], YOUTH["name"]}
    again = record(client, world, outside(world, "56/QĐ-MTTQ", "2026-02-01", FRONT,
                                          [{"recipient": mai}], **common))
    err(again, 409, "award.achievement_already_awarded")
    assert registry(client, world, q="Vũ Thị Mai Anh") == before
