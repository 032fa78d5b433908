"""The award catalogue the office manages, through the API, on both stores: the shipped kinds
are the catalogue's first event; the root unit's admin adds a kind (from a past date), changes it
and retires it from tomorrow; decisions read each kind as on their own date (titles on the
decision, the registry, the page), a retired kind is refused after its date (nothing recorded);
money by a legal table or none at all; how often a kind may be given; refusals with their codes;
and the read models rebuilt from zero equal the live ones with catalogue events in the log."""

from __future__ import annotations

from datetime import date
from html import unescape
from typing import Any

import pytest

from domain.award_catalogue import CATALOGUE_ID, AwardCatalogue
from domain.catalog import AS_STATED, shipped_definitions
from tests.helpers import dump, head, nothing_recorded, ok, page_login, refused

TODAY = date(2026, 3, 2)
TOMORROW = "2026-03-03"
KINDS = "/api/catalog/award-kinds"
BIEU_DUONG = {
    "code": "bieu_duong_hoi_xa",
    "title": "Biểu dương của Ban Thường vụ Hội LHPN xã",
    "short_title": "Biểu dương Hội LHPN xã",
    "category": "bieu_duong",
    "recipients": ["individual", "household"],
    "deciders": {"union": ["commune"], "government": ["commune"]},
    "money": "none",
    "certificate": "chung_nhan",
    "source": "Quy chế thi đua, khen thưởng của Hội LHPN Việt Nam (2025), Điều 12",
    "effective_from": "2025-01-01",
    "reason": "Nghị quyết của Đoàn Chủ tịch số 12/NQ-ĐCT",
}
NEW_TITLE = "Biểu dương của Hội LHPN xã, phường, đặc khu"
WARD = {"body": "government", "level": "commune", "name": "Ủy ban nhân dân phường Xuân Đỉnh"}


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = TODAY


def admin(world) -> dict[str, str]:
    return world.h("admin")


def add(client, world, body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    return ok(client.post(KINDS, json={**(body or BIEU_DUONG), **changes},
                          headers=admin(world)), 201)


def kind(client, world, code: str, **params: Any) -> dict[str, Any]:
    return ok(client.get(f"{KINDS}/{code}", params=params, headers=admin(world)))


def listed(client, world, **params: Any) -> dict[str, dict[str, Any]]:
    items = ok(client.get(KINDS, params=params, headers=admin(world)))["items"]
    return {item["code"]: item for item in items}


def person(world, name: str = "Nguyễn Thị Hồng Nhung", year: int = 1980) -> dict[str, Any]:
    return {"kind": "individual", "name": name, "birth_year": year, "gender": "female",
            "unit_id": world.u("xd")}


def household(world) -> dict[str, Any]:
    return {"kind": "household", "name": "Gia đình bà Lê Thị Mai", "unit_id": world.u("xd")}


def union_decision(number: str, decided_on: str, lines: list[dict], world,
                   award_kind: str = "bieu_duong_hoi_xa", **extra: Any) -> dict[str, Any]:
    """A decision of Hội LHPN phường Xuân Đỉnh itself (recorded by the district's office)."""
    return {"number": number, "decided_on": decided_on, "issuer": {"unit_id": world.u("xd")},
            "signer": {"name": "Phạm Thị Hoa", "title": "Chủ tịch"}, "award_kind": award_kind,
            "period": "2025", "lines": lines, **extra}


def outside_decision(number: str, decided_on: str, lines: list[dict], world,
                     award_kind: str = "bieu_duong_hoi_xa", issuer: dict | None = None,
                     **extra: Any) -> dict[str, Any]:
    """A decision of the ward's People's Committee, recorded by the city's Union."""
    return {"number": number, "decided_on": decided_on, "issuer": issuer or WARD,
            "recorded_by_unit_id": world.u("hanoi"), "award_kind": award_kind,
            "period": "2025", "lines": lines, **extra}


def decide(client, world, body: dict[str, Any], user: str = "btl.appr"):
    return client.post("/api/decisions", json=body, headers=world.h(user))


def registry(client, world) -> list[dict[str, Any]]:
    return ok(client.get("/api/registry", params={"status": "all", "limit": 500},
                         headers=admin(world)))["items"]


def titles_in_registry(client, world) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in registry(client, world):
        out.setdefault(row["decision"]["number"], set()).add(row["award_title"])
    return out


def decision_page(client, world, decision_id: str) -> str:
    client.cookies.clear()
    assert page_login(client, "admin").status_code == 303
    text = unescape(client.get(f"/decisions/{decision_id}").text)
    client.cookies.clear()
    return text


# -- the shipped catalogue -----------------------------------------------------------------------


def test_the_shipped_catalogue_is_the_catalogues_first_event(client, world, rt):
    events = rt.app.history(CATALOGUE_ID)
    assert [type(e) for e in events[:2]] == [AwardCatalogue.Created, AwardCatalogue.ReleaseLoaded]
    assert set(events[1].kinds) == set(shipped_definitions())

    kinds = listed(client, world)
    assert set(kinds) == set(shipped_definitions()) - {AS_STATED}
    giay_khen = kinds["giay_khen_hoi"]
    assert giay_khen["effective_from"] is None and giay_khen["retired_from"] is None
    assert giay_khen["shipped"] is True and giay_khen["in_force"] is True
    assert giay_khen["category_label"] == "Giấy khen"

    one = kind(client, world, "giay_khen_hoi")
    assert one["title"] == "Giấy khen của Hội Liên hiệp Phụ nữ"
    assert one["history"] == [{"effective_from": None, "retired": False, "reason": "",
                               "actor": "", "shipped": True, "kind": one["history"][0]["kind"]}]
    assert one["history"][0]["kind"]["title"] == one["title"]
    # an older client's fields are all still there
    assert {"code", "title", "short_title", "family", "group", "recipients", "deciders",
            "once_per_lifetime", "named_deciders", "source", "verified"} <= set(one)


def test_the_options_of_the_catalogues_forms(client, world):
    options = ok(client.get("/api/catalog/options", headers=world.h("xd.nom")))
    codes = {name: [item["code"] for item in items] for name, items in options.items()}
    assert AS_STATED not in codes["categories"] and "bieu_duong" in codes["categories"]
    assert codes["money"] == ["legal", "internal", "decided", "none"]
    assert codes["frequencies"] == ["once_per_achievement", "once_per_lifetime", "unlimited"]
    assert "giay_khen_xa" in codes["legal_tables"] and "union" in codes["bodies"]
    assert codes["levels"][0] == "central"
    assert codes["recipients"] == ["individual", "collective", "household"]
    labels = {item["code"]: item["label"] for item in options["legal_tables"]}
    assert labels["giay_khen_xa"] == "Giấy khen của Chủ tịch UBND cấp xã"
    assert all(set(item) == {"code", "label"} for items in options.values() for item in items)


# -- a new kind, used by decisions ---------------------------------------------------------------


def test_a_new_kind_from_a_past_date_is_used_by_an_outside_and_a_union_decision(client, world):
    made = add(client, world)
    assert made["code"] == "bieu_duong_hoi_xa" and made["title"] == BIEU_DUONG["title"]
    assert made["money"] == "none" and made["category_label"] == "Biểu dương, tuyên dương"
    assert made["effective_from"] == "2025-01-01" and made["in_force"] is True
    assert made["position"] == head(client) and made["version"] >= 3
    assert [(s["effective_from"], s["actor"], s["reason"]) for s in made["history"]] == [
        ("2025-01-01", "admin", BIEU_DUONG["reason"])]
    assert "bieu_duong_hoi_xa" in listed(client, world)
    assert "bieu_duong_hoi_xa" not in listed(client, world, on="2024-12-31")

    ward = ok(decide(client, world, outside_decision(
        "45/QĐ-UBND", "2025-12-20", [{"recipient": person(world)},
                                     {"recipient": household(world)}], world),
        user="hn.appr"), 201)
    own = ok(decide(client, world, union_decision(
        "3/QĐ-HPN", "2026-01-15", [{"recipient": person(world, "Lê Thị Mai", 1968)}], world)),
        201)
    for decision in (ward, own):
        assert {line["award_title"] for line in decision["lines"]} == {BIEU_DUONG["title"]}
        assert {line["amount"] for line in decision["lines"]} == {None}
    # before the kind existed: refused, nothing recorded
    with nothing_recorded(client, world, "/api/registry?status=all"):
        refused(decide(client, world, union_decision(
            "1/QĐ-HPN", "2024-12-31", [{"recipient": person(world, "Đỗ Thị Bình")}], world)),
            422, "award_kind.not_in_force")

    assert titles_in_registry(client, world) == {"45/QĐ-UBND": {BIEU_DUONG["title"]},
                                                 "3/QĐ-HPN": {BIEU_DUONG["title"]}}
    totals = ok(client.get("/api/registry/totals", params={"group_by": "award_kind"},
                           headers=admin(world)))
    group = next(g for g in totals["groups"] if g["key"] == "bieu_duong_hoi_xa")
    assert group["label"] == BIEU_DUONG["title"] and group["lines"] == 3


def test_a_change_of_title_from_tomorrow_leaves_earlier_decisions_as_they_were(
        client, world, clock):
    add(client, world)
    earlier = ok(decide(client, world, union_decision(
        "3/QĐ-HPN", "2026-02-10", [{"recipient": person(world)}], world)), 201)

    changed = ok(client.post(f"{KINDS}/bieu_duong_hoi_xa/changes", headers=admin(world), json={
        "title": NEW_TITLE, "effective_from": TOMORROW,
        "reason": "Sắp xếp đơn vị hành chính cấp xã"}), 201)
    assert changed["title"] == NEW_TITLE and changed["effective_from"] == TOMORROW
    assert changed["short_title"] == BIEU_DUONG["short_title"]  # what the change left out
    assert [s["effective_from"] for s in changed["history"]] == ["2025-01-01", TOMORROW]
    assert changed["history"][1]["reason"] == "Sắp xếp đơn vị hành chính cấp xã"

    # the catalogue as on each date
    assert kind(client, world, "bieu_duong_hoi_xa", on="2026-03-02")["title"] \
        == BIEU_DUONG["title"]
    assert kind(client, world, "bieu_duong_hoi_xa", on=TOMORROW)["title"] == NEW_TITLE
    assert listed(client, world, on="2026-03-02")["bieu_duong_hoi_xa"]["title"] \
        == BIEU_DUONG["title"]
    assert listed(client, world, on="2026-03-04")["bieu_duong_hoi_xa"]["title"] == NEW_TITLE
    # today's decision still has the title of today
    today = ok(decide(client, world, union_decision(
        "4/QĐ-HPN", "2026-03-02", [{"recipient": person(world, "Lê Thị Mai", 1968)}], world)),
        201)
    assert today["lines"][0]["award_title"] == BIEU_DUONG["title"]

    clock.today = date(2026, 3, 5)
    later = ok(decide(client, world, union_decision(
        "5/QĐ-HPN", "2026-03-04", [{"recipient": person(world, "Đỗ Thị Bình", 1990)}], world)),
        201)
    assert later["lines"][0]["award_title"] == NEW_TITLE

    again = ok(client.get(f"/api/decisions/{earlier['id']}", headers=admin(world)))
    assert again["lines"][0]["award_title"] == BIEU_DUONG["title"]
    assert titles_in_registry(client, world) == {"3/QĐ-HPN": {BIEU_DUONG["title"]},
                                                 "4/QĐ-HPN": {BIEU_DUONG["title"]},
                                                 "5/QĐ-HPN": {NEW_TITLE}}
    page = decision_page(client, world, earlier["id"])
    assert BIEU_DUONG["title"] in page and NEW_TITLE not in page
    assert NEW_TITLE in decision_page(client, world, later["id"])


def test_a_retirement_from_tomorrow_refuses_later_decisions_and_nominations(
        client, world, clock):
    add(client, world)
    retired = ok(client.post(f"{KINDS}/bieu_duong_hoi_xa/retirement", headers=admin(world),
                             json={"effective_from": TOMORROW,
                                   "reason": "Quy chế mới không còn hình thức này"}), 201)
    assert retired["retired_from"] == TOMORROW and retired["history"][-1]["retired"] is True
    assert listed(client, world, on="2026-03-02")["bieu_duong_hoi_xa"]["retired_from"] \
        == TOMORROW
    assert "bieu_duong_hoi_xa" not in listed(client, world, on=TOMORROW)
    every = listed(client, world, on=TOMORROW, include_retired="true")
    assert every["bieu_duong_hoi_xa"]["in_force"] is False

    clock.today = date(2026, 3, 5)
    with nothing_recorded(client, world, "/api/registry?status=all", "/api/decisions"):
        body = refused(decide(client, world, union_decision(
            "6/QĐ-HPN", "2026-03-04", [{"recipient": person(world)}], world)), 422,
            "award_kind.not_in_force")
        assert BIEU_DUONG["title"] in body["message"] and "bãi bỏ" in body["message"]
        refused(decide(client, world, outside_decision(
            "46/QĐ-UBND", "2026-03-03", [{"recipient": person(world)}], world),
            user="hn.appr"), 422, "award_kind.not_in_force")
        refused(client.post("/api/nominations", headers=world.h("xd.nom"), json={
            "proposing_unit_id": world.u("xd"), "recipient": person(world),
            "award_kind": "bieu_duong_hoi_xa", "period": "2025",
            "achievement": "Tích cực vận động hội viên tham gia phong trào"}), 422,
            "award_kind.not_in_force")
    # dated before the retirement: still recorded, with its title
    before = ok(decide(client, world, union_decision(
        "7/QĐ-HPN", "2026-03-02", [{"recipient": person(world)}], world)), 201)
    assert before["lines"][0]["award_title"] == BIEU_DUONG["title"]
    assert "bieu_duong_hoi_xa" not in listed(client, world)
    assert kind(client, world, "bieu_duong_hoi_xa")["in_force"] is False


# -- refusals ------------------------------------------------------------------------------------


def test_changes_and_retirements_take_effect_from_tomorrow_at_the_earliest(client, world):
    add(client, world)
    path = f"{KINDS}/bieu_duong_hoi_xa"
    with nothing_recorded(client, world, path, KINDS):
        for day in ("2026-03-02", "2026-01-01"):
            body = refused(client.post(f"{path}/changes", headers=admin(world), json={
                "title": NEW_TITLE, "effective_from": day, "reason": "Thử"}), 422,
                "catalogue.change_not_future")
            assert "03/03/2026" in body["message"]
            refused(client.post(f"{path}/retirement", headers=admin(world), json={
                "effective_from": day, "reason": "Thử"}), 422, "catalogue.change_not_future")
        # a shipped kind alike
        refused(client.post(f"{KINDS}/giay_khen_hoi/retirement", headers=admin(world), json={
            "effective_from": "2026-03-02", "reason": "Thử"}), 422,
            "catalogue.change_not_future")


def test_refusals_of_the_catalogue(client, world):
    add(client, world)
    path = f"{KINDS}/bieu_duong_hoi_xa"
    with nothing_recorded(client, world, path, KINDS):
        # the same code twice, a shipped code
        refused(client.post(KINDS, json=BIEU_DUONG, headers=admin(world)), 409,
                "award_kind.exists")
        refused(client.post(KINDS, json={**BIEU_DUONG, "code": "giay_khen_hoi"},
                            headers=admin(world)), 409, "award_kind.exists")
        # what the domain checks
        for bad in ({"code": "Biểu dương"}, {"code": "bd"}, {"title": " "},
                    {"recipients": []}, {"deciders": {}},
                    {"money": "legal"},  # without its table
                    {"money_table": "giay_khen_xa"},  # a table without money by the rules
                    {"source": ""}, {"effective_from": "1944-12-31"},
                    {"until": "2024-12-31"},  # before it starts
                    {"named_deciders": ["Thủ tướng"] * 11}):
            refused(client.post(KINDS, json={**BIEU_DUONG, "code": "bieu_duong_khac", **bad},
                                headers=admin(world)), 422,
                    "validation.invalid" if "named_deciders" in bad
                    else "catalogue.kind_invalid")
        # what the body's schema checks
        for bad in ({"category": "as_stated"}, {"category": "khen"}, {"money": "free"},
                    {"recipients": ["family"]}, {"deciders": {"union": ["village"]}},
                    {"deciders": {"club": ["commune"]}}, {"colour": "đỏ"},
                    {"title": "x" * 301}, {"effective_from": "01/01/2025"}):
            refused(client.post(KINDS, json={**BIEU_DUONG, "code": "bieu_duong_khac", **bad},
                                headers=admin(world)), 422, "validation.invalid")
        refused(client.post(f"{path}/changes", headers=admin(world), json={
            "category": "giay_khen", "effective_from": TOMORROW, "reason": "Đổi nhóm"}), 422,
            "catalogue.kind_invalid")
        refused(client.post(f"{path}/changes", headers=admin(world), json={
            "title": BIEU_DUONG["title"], "effective_from": TOMORROW, "reason": "Như cũ"}), 422,
            "catalogue.kind_invalid")
        refused(client.post(f"{path}/changes", headers=admin(world), json={
            "title": NEW_TITLE, "effective_from": TOMORROW}), 422, "validation.invalid")
        refused(client.post(f"{KINDS}/{AS_STATED}/retirement", headers=admin(world), json={
            "effective_from": TOMORROW, "reason": "Thử"}), 422, "catalogue.kind_invalid")
        # only the root unit's admin
        # (a province's admin: the root is outside her units; the central office: not admin)
        for user, code in (("hn.admin", "auth.outside_scope"), ("tw.appr", "auth.role_required"),
                           ("xd.nom", "auth.role_required")):
            refused(client.post(KINDS, json={**BIEU_DUONG, "code": "bieu_duong_khac"},
                                headers=world.h(user)), 403, code)
            refused(client.post(f"{path}/changes", headers=world.h(user), json={
                "title": NEW_TITLE, "effective_from": TOMORROW, "reason": "Thử"}), 403, code)
            refused(client.post(f"{path}/retirement", headers=world.h(user), json={
                "effective_from": TOMORROW, "reason": "Thử"}), 403, code)
        refused(client.post(KINDS, json=BIEU_DUONG), 401, "auth.unauthenticated")
        # an unknown code
        refused(client.get(f"{KINDS}/khong_co", headers=admin(world)), 404, "not_found")
        refused(client.post(f"{KINDS}/khong_co/changes", headers=admin(world), json={
            "title": NEW_TITLE, "effective_from": TOMORROW, "reason": "Thử"}), 404, "not_found")
        refused(client.post(f"{KINDS}/khong_co/retirement", headers=admin(world), json={
            "effective_from": TOMORROW, "reason": "Thử"}), 404, "not_found")
        refused(client.get(KINDS, params={"on": "2026-02-30"}, headers=admin(world)), 422,
                "validation.invalid")
    # retired once is retired
    ok(client.post(f"{path}/retirement", headers=admin(world), json={
        "effective_from": TOMORROW, "reason": "Bãi bỏ"}), 201)
    refused(client.post(f"{path}/retirement", headers=admin(world), json={
        "effective_from": "2026-04-01", "reason": "Bãi bỏ lần nữa"}), 422,
        "catalogue.kind_invalid")


def test_texts_are_kept_in_nfc(client, world):
    decomposed = "Bie\u0302\u0309u du\u031bo\u031bng cu\u0309a Ho\u0302\u0323i"
    made = add(client, world, code="bieu_duong_nfc", title=decomposed, short_title=None)
    assert made["title"] == "Biểu dương của Hội" and made["short_title"] == made["title"]


# -- money -----------------------------------------------------------------------------------------


def calculate(client, world, award_kind: str, **issuer: str) -> dict[str, Any]:
    return ok(client.get("/api/calculator", headers=admin(world), params={
        "award_kind": award_kind, "recipient_kind": "individual", "on": "2026-02-01",
        **issuer}))


def test_money_by_a_legal_table_or_none_at_all(client, world):
    made = add(client, world, {
        **BIEU_DUONG, "code": "giay_khen_truong_ban", "category": "giay_khen",
        "title": "Giấy khen của Trưởng ban Công tác Mặt trận khu dân cư",
        "short_title": "Giấy khen Trưởng ban CTMT", "recipients": ["individual", "household"],
        "deciders": {"front": ["commune"]}, "money": "legal", "money_table": "giay_khen_xa",
        "certificate": "giay_khen"})
    assert made["money"] == "legal" and made["money_rules"] == {"*": "giay_khen_xa"}
    front = {"issuer_body": "front", "issuer_level": "commune"}
    quoted = calculate(client, world, "giay_khen_truong_ban", **front)
    shipped = calculate(client, world, "giay_khen_ubnd_xa", issuer_body="government",
                        issuer_level="commune")
    assert quoted["amount"] == shipped["amount"] and quoted["amount"] > 0
    decision = ok(decide(client, world, outside_decision(
        "12/QĐ-BCTMT", "2026-02-01", [{"recipient": person(world)}], world,
        award_kind="giay_khen_truong_ban", amount_mode="computed",
        issuer={"body": "front", "level": "commune",
                "name": "Ban Công tác Mặt trận khu dân cư số 3"}), user="hn.appr"), 201)
    assert decision["lines"][0]["amount"] == quoted["amount"]

    add(client, world)  # money none
    none = calculate(client, world, "bieu_duong_hoi_xa", issuer_unit_id=world.u("xd"))
    assert none["amount"] is None and "không kèm tiền thưởng" in none["explanation"]
    with nothing_recorded(client, world, "/api/registry?status=all"):
        body = refused(decide(client, world, union_decision(
            "8/QĐ-HPN", "2026-02-01", [{"recipient": person(world), "amount": 500_000}],
            world)), 422, "validation.invalid")
        assert "không kèm tiền thưởng" in body["message"]


# -- how often -------------------------------------------------------------------------------------


def test_once_per_lifetime_and_unlimited(client, world):
    add(client, world, code="ky_niem_chuong_hoi_xa", category="ky_niem_chuong",
        title="Kỷ niệm chương của Hội LHPN xã", short_title=None,
        frequency="once_per_lifetime", recipients=["individual"])
    add(client, world, code="thuong_nong_hoi_xa", category="thuong_tien",
        title="Thưởng nóng của Hội LHPN xã", short_title=None, money="decided",
        frequency="unlimited", recipients=["individual"])

    ok(decide(client, world, union_decision(
        "20/QĐ-HPN", "2026-01-10", [{"recipient": person(world)}], world,
        award_kind="ky_niem_chuong_hoi_xa", period="2025")), 201)
    with nothing_recorded(client, world, "/api/registry?status=all"):
        refused(decide(client, world, union_decision(
            "21/QĐ-HPN", "2026-02-10", [{"recipient": person(world)}], world,
            award_kind="ky_niem_chuong_hoi_xa", period="2026")), 409, "award.already_received")

    for number in ("22/QĐ-HPN", "23/QĐ-HPN"):
        made = ok(decide(client, world, union_decision(
            number, "2026-02-10", [{"recipient": person(world), "amount": 300_000}], world,
            award_kind="thuong_nong_hoi_xa", period="2025")), 201)
        assert made["lines"][0]["amount"] == 300_000
    numbers = [row["decision"]["number"] for row in registry(client, world)
               if row["award_kind"] == "thuong_nong_hoi_xa"]
    assert sorted(numbers) == ["22/QĐ-HPN", "23/QĐ-HPN"]


# -- the read models -------------------------------------------------------------------------------


def test_a_rebuild_from_zero_equals_the_live_views_with_catalogue_events(client, world, rt,
                                                                        clock):
    add(client, world)
    ok(decide(client, world, union_decision(
        "3/QĐ-HPN", "2026-02-10", [{"recipient": person(world)}], world)), 201)
    ok(client.post(f"{KINDS}/bieu_duong_hoi_xa/changes", headers=admin(world), json={
        "title": NEW_TITLE, "effective_from": TOMORROW, "reason": "Đổi tên"}), 201)
    ok(client.post(f"{KINDS}/bieu_duong_hoi_xa/retirement", headers=admin(world), json={
        "effective_from": "2026-04-01", "reason": "Bãi bỏ"}), 201)
    clock.today = date(2026, 3, 10)
    ok(decide(client, world, outside_decision(
        "47/QĐ-UBND", "2026-03-09", [{"recipient": household(world)}], world),
        user="hn.appr"), 201)
    views = rt.runner.views
    before = dump(rt.db, views)
    exports = client.get("/api/registry/export.csv", headers=admin(world)).content
    rt.runner.rebuild()
    assert dump(rt.db, views) == before
    assert client.get("/api/registry/export.csv", headers=admin(world)).content == exports
    assert titles_in_registry(client, world) == {"3/QĐ-HPN": {BIEU_DUONG["title"]},
                                                 "47/QĐ-UBND": {NEW_TITLE}}
