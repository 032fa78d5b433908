"""The org tree as history, through the HTTP API, on SQLite and PostgreSQL.

The 2025 reform (district level abolished on 2025-07-01, communes merged) is recorded as one
reorganisation; the tree of any earlier date must still read as it was.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from services.authz import SYSTEM
from tests.helpers import err, head, ok

REFORM = "2025-07-01"
AFTER_REFORM = date(2025, 8, 1)
BEFORE_REFORM = date(2025, 6, 15)

TW = "Trung ương Hội LHPN Việt Nam"
HN = "Hội LHPN TP Hà Nội"
BK = "Hội LHPN tỉnh Bắc Kạn"
BTL = "Hội LHPN quận Bắc Từ Liêm"
XD = "Hội LHPN phường Xuân Đỉnh"
CN1 = "Hội LHPN phường Cổ Nhuế 1"
DN = "Hội LHPN phường Đông Ngạc"
DT = "Hội LHPN phường Đức Thắng"
NT = "Hội LHPN xã Nông Thượng"


# -- helpers -----------------------------------------------------------------------------------


def create_unit(client, world, user: str, name: str, level: str, parent: str, on: str) -> dict:
    return ok(
        client.post(
            "/api/org-units",
            headers=world.h(user),
            json={"name": name, "level": level, "parent_id": parent, "established_on": on},
        ),
        201,
    )


def add_user(rt, world, username: str, role: str, unit: str, chair: bool = False) -> None:
    rt.app.users.create_user(
        SYSTEM,
        username=username,
        full_name=username,
        password="mat-khau-123",
        grants=[{"role": role, "unit_id": world.units[unit], "chair": chair}],
    )
    _, world.tokens[username] = rt.app.users.issue_token(SYSTEM, username=username)
    rt.runner.catch_up()


def add_old_wards(client, world) -> None:
    """Two more wards of quận Bắc Từ Liêm, to be merged into a new ward by the reform."""
    for key, name in (("dn", DN), ("dt", DT)):
        world.units[key] = create_unit(
            client, world, "hn.admin", name, "commune", world.u("btl"), "2014-04-01"
        )["id"]


def reform_operations(world) -> list[dict[str, Any]]:
    return [
        {"op": "merge", "unit_ids": [world.u("cn1")], "target_id": world.u("xd")},
        {"op": "move", "unit_id": world.u("xd"), "parent_id": world.u("hanoi")},
        {
            "op": "create",
            "key": "new",
            "name": DN,
            "level": "commune",
            "parent_id": world.u("hanoi"),
            "code": "HN-DN",
        },
        {"op": "merge", "unit_ids": [world.u("dn"), world.u("dt")], "target_id": "$new"},
        {"op": "dissolve", "unit_id": world.u("btl"), "reason": "Kết thúc hoạt động cấp huyện"},
    ]


def run_reform(client, world, user: str = "hn.admin") -> dict:
    if "dn" not in world.units:
        add_old_wards(client, world)
    done = ok(
        client.post(
            "/api/org-units/reorganisations",
            headers=world.h(user),
            json={"effective_on": REFORM, "operations": reform_operations(world)},
        )
    )
    world.units["new"] = done["refs"]["new"]
    return done


def tree(client, world, as_of: str | None = None, user: str = "admin") -> dict:
    params = {"as_of": as_of} if as_of else {}
    return ok(client.get("/api/org-units/tree", headers=world.h(user), params=params))


def outline(nodes: list[dict]) -> list[Any]:
    """A nested tree as (name, level, [children…]) triples, for whole-tree comparisons."""
    return [(n["name"], n["level"], outline(n["children"])) for n in nodes]


def find(nodes: list[dict], *path: str) -> dict:
    """The node reached from ``nodes`` by following names."""
    node: dict[str, Any] = {"children": nodes}
    for name in path:
        node = next(c for c in node["children"] if c["name"] == name)
    return node


def unit(client, world, key: str, as_of: str | None = None, user: str = "admin") -> dict:
    params = {"as_of": as_of} if as_of else {}
    return ok(client.get(f"/api/org-units/{world.u(key)}", headers=world.h(user), params=params))


def units(client, world, user: str = "admin", **params: Any) -> dict:
    return ok(client.get("/api/org-units", headers=world.h(user), params=params))


OLD_TREE = [
    (
        TW,
        "central",
        [
            (BK, "province", [(NT, "commune", [])]),
            (
                HN,
                "province",
                [
                    (
                        BTL,
                        "district",
                        [
                            (CN1, "commune", []),
                            (DN, "commune", []),
                            (DT, "commune", []),
                            (XD, "commune", []),
                        ],
                    )
                ],
            ),
        ],
    )
]
NEW_TREE = [
    (
        TW,
        "central",
        [
            (BK, "province", [(NT, "commune", [])]),
            (HN, "province", [(DN, "commune", []), (XD, "commune", [])]),
        ],
    )
]


# -- creating units ----------------------------------------------------------------------------


def test_create_units_within_the_admins_scope(client, world):
    created = client.post(
        "/api/org-units",
        headers=world.h("hn.admin"),
        json={
            "name": unicodedata.normalize("NFD", "  Hội LHPN phường Thụy  Phương "),
            "level": "commune",
            "parent_id": world.u("btl"),
            "code": "BTL-TP",
            "established_on": "2014-04-01",
        },
    )
    body = ok(created, 201)
    assert created.headers["Location"] == f"/api/org-units/{body['id']}"
    assert int(created.headers["X-TDKT-Position"]) == body["position"]
    assert body["name"] == "Hội LHPN phường Thụy Phương"  # NFC, whitespace collapsed
    assert body["level"] == "commune" and body["level_name"] == "xã, phường, đặc khu (cơ sở)"
    assert body["parent_id"] == world.u("btl")
    assert body["status"] == "active" and body["status_label"] == "đang hoạt động"
    assert body["code"] == "BTL-TP"
    assert body["established_on"] == "2014-04-01" and body["ended_on"] is None
    assert body["existed"] is True

    listed = units(client, world, "hn.admin", parent_id=world.u("btl"), as_of="2020-01-01")
    assert [u["name"] for u in listed["items"]] == [CN1, "Hội LHPN phường Thụy Phương", XD]
    # The new unit is now a child of the district from its establishment on.
    assert body["id"] in unit(client, world, "btl", "2014-04-01")["children"]
    assert body["id"] not in unit(client, world, "btl", "2014-03-31")["children"]

    # A branch under the ward, created by the root admin.
    branch = create_unit(
        client, world, "admin", "Chi hội tổ dân phố số 1", "branch", body["id"], "2015-01-01"
    )
    assert branch["parent_id"] == body["id"]


def test_an_admin_cannot_create_outside_her_subtree(client, world):
    before = head(client)
    refused = client.post(
        "/api/org-units",
        headers=world.h("hn.admin"),
        json={
            "name": "Hội LHPN xã Đôn Phong",
            "level": "commune",
            "parent_id": world.u("backan"),
            "established_on": "2000-01-01",
        },
    )
    err(refused, 403, "auth.outside_scope")
    # Without any admin grant the answer names the missing role.
    err(
        client.post(
            "/api/org-units",
            headers=world.h("xd.nom"),
            json={
                "name": "Chi hội 1",
                "level": "branch",
                "parent_id": world.u("xd"),
                "established_on": "2020-01-01",
            },
        ),
        403,
        "auth.role_required",
    )
    assert head(client) == before
    # The root admin may.
    created = create_unit(
        client, world, "admin", "Hội LHPN xã Đôn Phong", "commune", world.u("backan"), "2000-01-01"
    )
    assert created["parent_id"] == world.u("backan")


def test_levels_are_checked_on_creation(client, world):
    def attempt(name: str, level: str, parent: str, on: str):
        return client.post(
            "/api/org-units",
            headers=world.h("admin"),
            json={"name": name, "level": level, "parent_id": parent, "established_on": on},
        )

    # A district may be created up to 2025-06-30, not from the reform on.
    ok(attempt("Hội LHPN huyện Mê Linh", "district", world.u("hanoi"), "2025-06-30"), 201)
    body = err(
        attempt("Hội LHPN huyện Sóc Sơn", "district", world.u("hanoi"), REFORM),
        422,
        "org_unit.level_abolished",
    )
    assert body["details"]["until"] == "2025-06-30"
    # Nothing may be created under a district from the reform on either.
    err(
        attempt("Hội LHPN phường mới", "commune", world.u("btl"), REFORM),
        422,
        "org_unit.level_abolished",
    )
    # A child must sit lower than its parent.
    err(
        attempt("Hội LHPN tỉnh lạc chỗ", "province", world.u("btl"), "2020-01-01"),
        422,
        "org_unit.invalid_level",
    )
    err(
        attempt("Hội LHPN phường lồng", "commune", world.u("xd"), "2020-01-01"),
        422,
        "org_unit.invalid_level",
    )
    # Not before the parent existed; not under a unit that had ended.
    err(
        attempt("Hội LHPN phường quá sớm", "commune", world.u("btl"), "2010-01-01"),
        422,
        "org_unit.invalid_date",
    )
    err(
        attempt("  ", "commune", world.u("btl"), "2020-01-01"),
        422,
        "validation.invalid",
    )
    err(
        attempt("Đơn vị", "ward", world.u("btl"), "2020-01-01"),
        422,
        "validation.invalid",
    )
    # An unknown parent is refused (not a server error) and records nothing.
    before = head(client)
    refused = attempt("Đơn vị mồ côi", "commune", str(uuid4()), "2020-01-01")
    assert refused.status_code in (403, 404, 422), refused.text
    assert head(client) == before


# -- the 2025 reform ---------------------------------------------------------------------------


def test_the_2025_reform_is_one_reorganisation_and_history_still_reads(client, world, clock):
    clock.today = AFTER_REFORM
    add_old_wards(client, world)
    before = head(client)
    assert outline(tree(client, world, "2024-01-09")["tree"]) == OLD_TREE

    done = run_reform(client, world)
    new_id = done["refs"]["new"]
    assert done["created"] == [new_id]
    assert done["position"] > before
    assert head(client) == done["position"]

    # The tree of the 2024 conference date: the old 4-level tree, old units, old names.
    old = tree(client, world, "2024-01-09")
    assert old["as_of"] == "2024-01-09"
    assert outline(old["tree"]) == OLD_TREE
    district = find(old["tree"], TW, HN, BTL)
    assert district["id"] == world.u("btl") and district["level_name"] == "quận, huyện, thị xã"
    assert {c["id"] for c in district["children"]} == {
        world.u("xd"),
        world.u("cn1"),
        world.u("dn"),
        world.u("dt"),
    }
    # The last day of the district level is still the old tree.
    assert outline(tree(client, world, "2025-06-30")["tree"]) == OLD_TREE

    # From 2025-07-01: three levels; the new Đông Ngạc is a new unit, not the old one.
    new = tree(client, world, REFORM)
    assert outline(new["tree"]) == NEW_TREE
    hanoi_children = {c["name"]: c for c in find(new["tree"], TW, HN)["children"]}
    assert hanoi_children[DN]["id"] == new_id != world.u("dn")
    assert hanoi_children[DN]["code"] == "HN-DN"
    assert hanoi_children[XD]["id"] == world.u("xd")
    assert hanoi_children[XD]["parent_id"] == world.u("hanoi")
    # Today (2025-08-01) is the new tree too.
    today = tree(client, world)
    assert today["as_of"] == "2025-08-01"
    assert outline(today["tree"]) == NEW_TREE

    # Ended units are listed only on request, with their status and successor.
    active = units(client, world, as_of=REFORM)
    assert {u["name"] for u in active["items"]} == {TW, HN, BK, XD, DN, NT}
    assert world.u("btl") not in {u["id"] for u in active["items"]}
    everything = units(client, world, as_of=REFORM, include_ended="true")
    by_id = {u["id"]: u for u in everything["items"]}
    assert by_id[world.u("btl")]["status"] == "dissolved"
    assert by_id[world.u("btl")]["status_label"] == "đã giải thể"
    assert by_id[world.u("cn1")]["status"] == "merged"
    assert by_id[world.u("cn1")]["status_label"] == "đã sáp nhập"
    assert by_id[world.u("cn1")]["successor_id"] == world.u("xd")
    assert by_id[world.u("dn")]["successor_id"] == new_id
    assert by_id[world.u("dt")]["successor_id"] == new_id
    assert by_id[new_id]["status"] == "active"
    assert everything["total"] == 10
    # On a date before the reform, include_ended changes nothing: nothing had ended.
    assert units(client, world, as_of="2024-01-09", include_ended="true")["total"] == 9
    # Listing by level as of a date.
    districts = units(client, world, as_of="2024-01-09", level="district")
    assert [u["name"] for u in districts["items"]] == [BTL]
    assert units(client, world, as_of=REFORM, level="district")["total"] == 0


def test_a_unit_reads_as_it_stood_on_a_date(client, world, clock):
    clock.today = AFTER_REFORM
    new_id = run_reform(client, world)["refs"]["new"]

    # Xuân Đỉnh: under the district in 2024, under Hà Nội from the reform.
    xd_then = unit(client, world, "xd", "2024-01-09")
    assert xd_then["name"] == XD and xd_then["parent_id"] == world.u("btl")
    assert xd_then["status"] == "active" and xd_then["as_of"] == "2024-01-09"
    assert [p["name"] for p in xd_then["path"]] == [TW, HN, BTL, XD]
    xd_now = unit(client, world, "xd", REFORM)
    assert xd_now["parent_id"] == world.u("hanoi")
    assert [p["name"] for p in xd_now["path"]] == [TW, HN, XD]
    assert unit(client, world, "xd")["as_of"] == "2025-08-01"
    assert [
        (v["valid_from"], v["valid_to"], v["parent_id"], v["status"]) for v in xd_now["versions"]
    ] == [
        ("2014-04-01", REFORM, world.u("btl"), "active"),
        (REFORM, None, world.u("hanoi"), "active"),
    ]

    # Cổ Nhuế 1: active then, merged into Xuân Đỉnh from the reform.
    cn1_then = unit(client, world, "cn1", "2025-06-30")
    assert cn1_then["status"] == "active" and cn1_then["successor_id"] is None
    assert cn1_then["ended_on"] is None
    cn1_now = unit(client, world, "cn1", REFORM)
    assert cn1_now["status"] == "merged" and cn1_now["successor_id"] == world.u("xd")
    assert cn1_now["ended_on"] == REFORM
    assert cn1_now["name"] == CN1  # a merged unit keeps its last name
    assert [(v["valid_from"], v["status"]) for v in cn1_now["versions"]] == [
        ("2014-04-01", "active"),
        (REFORM, "merged"),
    ]

    # The district: four wards in 2024; none and dissolved from the reform.
    btl_then = unit(client, world, "btl", "2024-01-09")
    assert btl_then["status"] == "active"
    assert set(btl_then["children"]) == {world.u(k) for k in ("xd", "cn1", "dn", "dt")}
    btl_now = unit(client, world, "btl", REFORM)
    assert btl_now["status"] == "dissolved" and btl_now["children"] == []
    assert btl_now["ended_on"] == REFORM

    # Hà Nội: the district then, the two new wards now.
    assert unit(client, world, "hanoi", "2024-01-09")["children"] == [world.u("btl")]
    assert set(unit(client, world, "hanoi", REFORM)["children"]) == {world.u("xd"), new_id}

    # The new ward did not exist in 2024: the answer says so and shows its first state.
    world.units["new"] = new_id
    new_then = unit(client, world, "new", "2024-01-09")
    assert new_then["existed"] is False
    assert new_then["established_on"] == REFORM


def test_history_lists_the_dated_events(client, world, clock):
    clock.today = AFTER_REFORM
    run_reform(client, world)

    btl = ok(client.get(f"/api/org-units/{world.u('btl')}/history", headers=world.h("admin")))
    events = btl["events"]
    assert events[0]["event"] == "OrgUnit.Created"
    assert events[0]["data"]["established_on"] == "2014-04-01"
    assert events[0]["data"]["name"] == BTL
    assert events[0]["label"] == "Thành lập đơn vị"
    assert events[-1]["event"] == "OrgUnit.Dissolved"
    assert events[-1]["label"] == "Giải thể"
    assert events[-1]["data"]["effective_on"] == REFORM
    assert events[-1]["data"]["reason"] == "Kết thúc hoạt động cấp huyện"
    assert events[-1]["by"] == "hn.admin" and events[-1]["at"]
    attached = [e for e in events if e["event"] == "OrgUnit.ChildAttached"]
    detached = [e for e in events if e["event"] == "OrgUnit.ChildDetached"]
    assert {e["data"]["child_id"] for e in attached} == {
        world.u(k) for k in ("xd", "cn1", "dn", "dt")
    }
    assert {e["data"]["child_id"] for e in detached} == {
        world.u(k) for k in ("xd", "cn1", "dn", "dt")
    }
    assert {e["data"]["effective_on"] for e in detached} == {REFORM}
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))

    xd = ok(client.get(f"/api/org-units/{world.u('xd')}/history", headers=world.h("hn.admin")))
    moved = [e for e in xd["events"] if e["event"] == "OrgUnit.Moved"]
    assert len(moved) == 1
    assert moved[0]["data"] == {"parent_id": world.u("hanoi"), "effective_on": REFORM,
                                "reason": ""}
    cn1 = ok(client.get(f"/api/org-units/{world.u('cn1')}/history", headers=world.h("admin")))
    assert [e["event"] for e in cn1["events"]] == ["OrgUnit.Created", "OrgUnit.MergedInto"]
    assert cn1["events"][1]["data"] == {"target_id": world.u("xd"), "effective_on": REFORM,
                                        "reason": ""}

    err(client.get(f"/api/org-units/{uuid4()}/history", headers=world.h("admin")), 404)


# the single operations, each with a reason: (path, body, the unit whose history says it, event)
SINGLE_OPERATIONS = {
    "create": lambda w: ("/api/org-units", {
        "name": "Chi hội tổ dân phố 5", "level": "branch", "parent_id": w.u("xd"),
        "established_on": "2020-01-01"}, None, "OrgUnit.Created"),
    "rename": lambda w: (f"/api/org-units/{w.u('xd')}/rename", {
        "name": "Hội LHPN phường Xuân Đỉnh mới", "effective_on": "2020-01-01"}, "xd",
        "OrgUnit.Renamed"),
    "move": lambda w: (f"/api/org-units/{w.u('cn1')}/move", {
        "parent_id": w.u("hanoi"), "effective_on": "2020-01-01"}, "cn1", "OrgUnit.Moved"),
    "merge": lambda w: ("/api/org-units/merge", {
        "unit_ids": [w.u("cn1")], "target_id": w.u("xd"), "effective_on": "2020-01-01"}, "cn1",
        "OrgUnit.MergedInto"),
    "dissolve": lambda w: (f"/api/org-units/{w.u('nt')}/dissolve", {
        "effective_on": "2020-01-01"}, "nt", "OrgUnit.Dissolved"),
}


@pytest.mark.parametrize("operation", list(SINGLE_OPERATIONS))
def test_a_single_operation_records_its_reason_in_the_history(client, world, operation):
    path, body, key, event = SINGLE_OPERATIONS[operation](world)
    typed = unicodedata.normalize("NFD", "  Quyết định số 12/QĐ-HPN  về sắp xếp tổ chức ")
    done = ok(client.post(path, headers=world.h("admin"), json={**body, "reason": typed}),
              201 if operation == "create" else 200)
    unit_id = done["id"] if key is None else world.u(key)
    events = ok(client.get(f"/api/org-units/{unit_id}/history", headers=world.h("admin")))["events"]
    recorded = [e for e in events if e["event"] == event]
    assert len(recorded) == 1, events
    # NFC, whitespace collapsed
    assert recorded[0]["data"]["reason"] == "Quyết định số 12/QĐ-HPN về sắp xếp tổ chức"


@pytest.mark.parametrize("operation", list(SINGLE_OPERATIONS))
def test_a_single_operation_without_a_reason_records_none_and_a_long_one_is_refused(
        client, world, operation):
    path, body, key, event = SINGLE_OPERATIONS[operation](world)
    before = head(client)
    err(client.post(path, headers=world.h("admin"), json={**body, "reason": "x" * 2001}), 422,
        "validation.invalid")
    assert head(client) == before
    done = ok(client.post(path, headers=world.h("admin"), json=body),
              201 if operation == "create" else 200)
    unit_id = done["id"] if key is None else world.u(key)
    events = ok(client.get(f"/api/org-units/{unit_id}/history", headers=world.h("admin")))["events"]
    assert [e["data"]["reason"] for e in events if e["event"] == event] == [""]


# -- atomic reorganisations --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failing", "status", "code"),
    [
        # The district still has Cổ Nhuế 1 when it is dissolved.
        ({"op": "dissolve", "unit_id": "btl"}, 422, "org_unit.invalid_date"),
        # A reference to a unit not created (yet) in this reorganisation.
        ({"op": "merge", "unit_ids": ["cn1"], "target_id": "$nowhere"}, 422, "validation.invalid"),
        # Outside the Hà Nội admin's subtree.
        ({"op": "rename", "unit_id": "nt", "name": "Tên khác"}, 403, "auth.outside_scope"),
        # A district may not receive a unit from the reform on.
        ({"op": "move", "unit_id": "xd", "parent_id": "btl"}, 422, "org_unit.level_abolished"),
        # A unit that does not exist is the request's mistake (422), not a question of scope.
        ({"op": "rename", "unit_id": "ghost", "name": "Ma"}, 422, "reference.not_found"),
    ],
)
def test_a_failing_operation_records_nothing(client, world, clock, failing, status, code):
    clock.today = AFTER_REFORM
    before = head(client)
    old_tree = tree(client, world, REFORM)
    xd_before = ok(client.get(f"/api/org-units/{world.u('xd')}/history", headers=world.h("admin")))

    world.units["ghost"] = uuid4()
    failing = {
        k: (
            [world.u(x) for x in v]
            if isinstance(v, list)
            else (world.u(v) if isinstance(v, str) and v in world.units else v)
        )
        for k, v in failing.items()
    }
    operations = [
        {"op": "rename", "unit_id": world.u("xd"), "name": "Hội LHPN phường Xuân Đỉnh (mới)"},
        {"op": "move", "unit_id": world.u("xd"), "parent_id": world.u("hanoi")},
        {
            "op": "create",
            "key": "new",
            "name": "Hội LHPN phường Phú Thượng",
            "level": "commune",
            "parent_id": world.u("hanoi"),
        },
        failing,
        {"op": "dissolve", "unit_id": world.u("cn1")},
    ]
    refused = client.post(
        "/api/org-units/reorganisations",
        headers=world.h("hn.admin"),
        json={"effective_on": REFORM, "operations": operations},
    )
    err(refused, status, code)

    assert head(client) == before
    assert tree(client, world, REFORM) == old_tree
    xd_after = ok(client.get(f"/api/org-units/{world.u('xd')}/history", headers=world.h("admin")))
    assert xd_after == xd_before
    assert units(client, world, q="phu thuong", include_ended="true")["total"] == 0
    assert unit(client, world, "xd", REFORM)["parent_id"] == world.u("btl")


def test_units_created_in_a_reorganisation_can_be_used_by_later_operations(client, world):
    """``$key`` names a unit created earlier in the same reorganisation; a scoped admin may act on
    it (it is not stored yet, so its place in the tree comes from the reorganisation itself)."""
    done = ok(
        client.post(
            "/api/org-units/reorganisations",
            headers=world.h("hn.admin"),
            json={
                "effective_on": "2020-01-01",
                "operations": [
                    {
                        "op": "create",
                        "key": "ward",
                        "name": "Hội LHPN phường Thượng Cát",
                        "level": "commune",
                        "parent_id": world.u("btl"),
                    },
                    {
                        "op": "create",
                        "key": "branch",
                        "name": "Chi hội tổ dân phố 3",
                        "level": "branch",
                        "parent_id": "$ward",
                    },
                    {
                        "op": "rename",
                        "unit_id": "$ward",
                        "name": "Hội LHPN phường Thượng Cát mới",
                        "effective_on": "2021-01-01",
                    },
                ],
            },
        )
    )
    ward, branch = done["refs"]["ward"], done["refs"]["branch"]
    assert done["created"] == [ward, branch]
    world.units.update(ward=ward, branch=branch)
    assert unit(client, world, "ward", "2020-06-01")["name"] == "Hội LHPN phường Thượng Cát"
    assert unit(client, world, "ward", "2021-01-01")["name"] == "Hội LHPN phường Thượng Cát mới"
    assert unit(client, world, "ward", "2020-06-01")["children"] == [branch]
    assert [p["name"] for p in unit(client, world, "branch", "2020-06-01")["path"]] == [
        TW,
        HN,
        BTL,
        "Hội LHPN phường Thượng Cát",
        "Chi hội tổ dân phố 3",
    ]


def test_an_empty_or_unknown_operation_is_refused(client, world):
    before = head(client)
    err(
        client.post(
            "/api/org-units/reorganisations",
            headers=world.h("admin"),
            json={"effective_on": REFORM, "operations": []},
        ),
        422,
        "validation.invalid",
    )
    err(
        client.post(
            "/api/org-units/reorganisations",
            headers=world.h("admin"),
            json={"effective_on": REFORM, "operations": [{"op": "split", "unit_id": "x"}]},
        ),
        422,
        "validation.invalid",
    )
    err(
        client.post(
            "/api/org-units/reorganisations",
            headers=world.h("admin"),
            json={
                "effective_on": REFORM,
                "operations": [{"op": "rename", "unit_id": "not-a-uuid", "name": "X"}],
            },
        ),
        422,
        "validation.invalid",
    )
    assert head(client) == before


def test_operations_may_carry_their_own_dates(client, world):
    done = ok(
        client.post(
            "/api/org-units/reorganisations",
            headers=world.h("hn.admin"),
            json={
                "effective_on": "2020-01-01",
                "operations": [
                    {"op": "rename", "unit_id": world.u("xd"), "name": "Tên 2020"},
                    {
                        "op": "rename",
                        "unit_id": world.u("xd"),
                        "name": "Tên 2021",
                        "effective_on": "2021-01-01",
                    },
                ],
            },
        )
    )
    assert done["created"] == [] and done["refs"] == {}
    versions = unit(client, world, "xd")["versions"]
    assert [(v["valid_from"], v["name"]) for v in versions] == [
        ("2014-04-01", XD),
        ("2020-01-01", "Tên 2020"),
        ("2021-01-01", "Tên 2021"),
    ]


# -- single changes ----------------------------------------------------------------------------


def test_a_rename_in_the_past_changes_the_name_only_from_that_date(client, world):
    renamed = ok(
        client.post(
            f"/api/org-units/{world.u('xd')}/rename",
            headers=world.h("hn.admin"),
            json={"name": "Hội LHPN phường Xuân Đỉnh (Bắc Từ Liêm)", "effective_on": "2020-01-01"},
        )
    )
    assert renamed["name"] == "Hội LHPN phường Xuân Đỉnh (Bắc Từ Liêm)"
    assert renamed["as_of"] == "2020-01-01"
    assert unit(client, world, "xd", "2019-12-31")["name"] == XD
    assert (
        unit(client, world, "xd", "2020-01-01")["name"] == "Hội LHPN phường Xuân Đỉnh (Bắc Từ Liêm)"
    )
    assert unit(client, world, "xd")["name"] == "Hội LHPN phường Xuân Đỉnh (Bắc Từ Liêm)"

    # An even older rename, entered later, slots in between.
    ok(
        client.post(
            f"/api/org-units/{world.u('xd')}/rename",
            headers=world.h("hn.admin"),
            json={"name": "Hội Phụ nữ phường Xuân Đỉnh", "effective_on": "2016-01-01"},
        )
    )
    versions = unit(client, world, "xd")["versions"]
    assert [(v["valid_from"], v["valid_to"], v["name"]) for v in versions] == [
        ("2014-04-01", "2016-01-01", XD),
        ("2016-01-01", "2020-01-01", "Hội Phụ nữ phường Xuân Đỉnh"),
        ("2020-01-01", None, "Hội LHPN phường Xuân Đỉnh (Bắc Từ Liêm)"),
    ]
    wards_2017 = find(tree(client, world, "2017-06-01")["tree"], TW, HN, BTL)["children"]
    names_2017 = [c["name"] for c in wards_2017]
    assert names_2017 == [CN1, "Hội Phụ nữ phường Xuân Đỉnh"]
    # Search reads the name of the date asked.
    assert units(client, world, q="hoi phu nu", as_of="2017-06-01")["total"] == 1
    assert units(client, world, q="hoi phu nu", as_of="2021-06-01")["total"] == 0
    # Before the unit existed a rename is refused.
    err(
        client.post(
            f"/api/org-units/{world.u('xd')}/rename",
            headers=world.h("hn.admin"),
            json={"name": "Quá sớm", "effective_on": "2010-01-01"},
        ),
        422,
        "org_unit.invalid_date",
    )


def test_moving_a_unit_under_its_own_descendant_is_a_cycle(client, world):
    branch = create_unit(
        client, world, "admin", "Chi hội tổ dân phố số 5", "branch", world.u("xd"), "2015-01-01"
    )
    before = head(client)
    for unit_key, parent in (
        ("hanoi", world.u("xd")),
        ("btl", branch["id"]),
        ("xd", branch["id"]),
        ("xd", world.u("xd")),
    ):
        err(
            client.post(
                f"/api/org-units/{world.u(unit_key)}/move",
                headers=world.h("admin"),
                json={"parent_id": parent, "effective_on": "2020-01-01"},
            ),
            422,
            "org_unit.cycle",
        )
    assert head(client) == before


def test_move_between_districts_and_back_in_time(client, world):
    hanoi = world.u("hanoi")
    other = create_unit(
        client, world, "hn.admin", "Hội LHPN quận Nam Từ Liêm", "district", hanoi, "2014-04-01"
    )
    moved = ok(
        client.post(
            f"/api/org-units/{world.u('cn1')}/move",
            headers=world.h("hn.admin"),
            json={"parent_id": other["id"], "effective_on": "2020-01-01"},
        )
    )
    assert moved["parent_id"] == other["id"]
    assert unit(client, world, "cn1", "2019-12-31")["parent_id"] == world.u("btl")
    assert unit(client, world, "cn1", "2020-01-01")["parent_id"] == other["id"]
    # A move before an existing later move is refused.
    err(
        client.post(
            f"/api/org-units/{world.u('cn1')}/move",
            headers=world.h("hn.admin"),
            json={"parent_id": world.u("hanoi"), "effective_on": "2018-01-01"},
        ),
        422,
        "org_unit.invalid_date",
    )
    # Across provinces is outside the Hà Nội admin's scope.
    err(
        client.post(
            f"/api/org-units/{world.u('cn1')}/move",
            headers=world.h("hn.admin"),
            json={"parent_id": world.u("backan"), "effective_on": "2021-01-01"},
        ),
        403,
        "auth.outside_scope",
    )


def test_a_unit_with_children_cannot_be_dissolved(client, world):
    before = head(client)
    body = err(
        client.post(
            f"/api/org-units/{world.u('btl')}/dissolve",
            headers=world.h("hn.admin"),
            json={"effective_on": REFORM, "reason": "Bỏ cấp huyện"},
        ),
        422,
        "org_unit.invalid_date",
    )
    assert "trực thuộc" in body["message"]
    assert head(client) == before
    assert unit(client, world, "btl", REFORM)["status"] == "active"
    # A leaf can be dissolved; its end is shown from that date on.
    gone = ok(
        client.post(
            f"/api/org-units/{world.u('cn1')}/dissolve",
            headers=world.h("hn.admin"),
            json={"effective_on": "2024-01-01", "reason": "Thử nghiệm"},
        )
    )
    assert gone["status"] == "dissolved" and gone["ended_on"] == "2024-01-01"
    assert unit(client, world, "cn1", "2023-12-31")["status"] == "active"
    # Nothing happens to it afterwards.
    err(
        client.post(
            f"/api/org-units/{world.u('cn1')}/rename",
            headers=world.h("hn.admin"),
            json={"name": "Sau giải thể", "effective_on": "2024-02-01"},
        ),
        409,
        "org_unit.not_active",
    )


def test_a_merged_unit_hands_its_children_to_the_target(client, world):
    branch = create_unit(
        client, world, "admin", "Chi hội Cổ Nhuế", "branch", world.u("cn1"), "2015-01-01"
    )
    merged = ok(
        client.post(
            "/api/org-units/merge",
            headers=world.h("hn.admin"),
            json={"unit_ids": [world.u("cn1")], "target_id": world.u("xd"), "effective_on": REFORM},
        )
    )
    assert merged["id"] == world.u("xd")
    assert branch["id"] in merged["children"]
    b = ok(client.get(f"/api/org-units/{branch['id']}", headers=world.h("admin")))
    assert [(v["valid_from"], v["parent_id"]) for v in b["versions"]] == [
        ("2015-01-01", world.u("cn1")),
        (REFORM, world.u("xd")),
    ]
    # A merge into the unit's own descendant is a cycle.
    err(
        client.post(
            "/api/org-units/merge",
            headers=world.h("admin"),
            json={"unit_ids": [world.u("xd")], "target_id": branch["id"], "effective_on": REFORM},
        ),
        422,
        "org_unit.cycle",
    )


def test_ended_units_are_listed_only_with_include_ended(client, world):
    ok(
        client.post(
            f"/api/org-units/{world.u('nt')}/dissolve",
            headers=world.h("admin"),
            json={"effective_on": "2024-01-01", "reason": "Sáp nhập địa giới"},
        )
    )
    names = {u["name"] for u in units(client, world, as_of="2024-06-30")["items"]}
    assert NT not in names and XD in names
    ended = units(client, world, as_of="2024-06-30", include_ended="true")
    row = next(u for u in ended["items"] if u["id"] == world.u("nt"))
    assert row["status"] == "dissolved" and row["status_label"] == "đã giải thể"
    assert row["valid_from"] == "2024-01-01" and row["valid_to"] is None
    before = units(client, world, as_of="2023-12-31")
    assert NT in {u["name"] for u in before["items"]}
    assert before["as_of"] == "2023-12-31"


def test_search_ignores_diacritics_and_case(client, world):
    for q in ("xuan dinh", "XUÂN ĐỈNH", "Xuan  Dinh", unicodedata.normalize("NFD", "xuân đỉnh")):
        found = units(client, world, q=q)
        assert [u["name"] for u in found["items"]] == [XD], q
    assert [u["name"] for u in units(client, world, q="co nhue")["items"]] == [CN1]
    assert units(client, world, q="phuong")["total"] == 2
    # LIKE wildcards in the query are literal characters.
    assert units(client, world, q="%")["total"] == 0
    assert units(client, world, q="_")["total"] == 0
    # Paging.
    page = units(client, world, limit=2, offset=0)
    assert page["total"] == 7 and len(page["items"]) == 2 and page["limit"] == 2


def test_reading_the_tree_needs_a_login(client, world):
    err(client.get("/api/org-units/tree"), 401, "auth.unauthenticated")
    err(client.get("/api/org-units"), 401)


# -- the workflow after the reform -------------------------------------------------------------


def test_scope_follows_the_current_tree_after_the_reform(client, rt, world, flow, clock):
    clock.today = BEFORE_REFORM
    add_user(rt, world, "cn1.nom", "nominator", "cn1")
    add_user(rt, world, "btl.nom", "nominator", "btl")
    add_user(rt, world, "hn.nom", "nominator", "hanoi")
    n_xd = flow.draft("xd")["id"]
    n_cn1 = flow.draft("cn1", by="cn1.nom")["id"]
    # Before the reform the district nominator covers both wards.
    flow.edit(n_xd, by="btl.nom", period="2024")

    run_reform(client, world, user="admin")
    clock.today = AFTER_REFORM

    # Xuân Đỉnh now sits directly under Hà Nội: the province nominator still covers it ...
    edited = flow.edit(n_xd, by="hn.nom", achievement="Hoàn thành xuất sắc nhiệm vụ năm 2024")
    assert edited["achievement"] == "Hoàn thành xuất sắc nhiệm vụ năm 2024"
    # ... and so does the ward's own nominator, for its own files and for the files of the ward
    # merged into it.
    flow.edit(n_xd, by="xd.nom", period="2024")
    flow.edit(n_cn1, by="xd.nom", period="2024")
    flow.edit(n_cn1, by="hn.nom", period="2023-2024")
    # The abolished district's nominator no longer covers Xuân Đỉnh.
    flow.edit(n_xd, by="btl.nom", period="2025", expect=403, code="auth.outside_scope")
    # Listings follow the same scope.
    listed = ok(client.get("/api/nominations", headers=world.h("xd.nom")))
    assert {n["nomination_id"] for n in listed["items"]} == {n_xd, n_cn1}
    listed = ok(client.get("/api/nominations", headers=world.h("hn.nom")))
    assert {n["nomination_id"] for n in listed["items"]} == {n_xd, n_cn1}

    # New nominations: the merged-away ward can no longer propose; its successor can.
    flow.draft("cn1", by="hn.nom", expect=409, code="org_unit.not_active")
    fresh = flow.draft("xd", by="hn.nom")
    assert fresh["proposing_unit_id"] == world.u("xd")
    # A Hà Nội nominator can propose for the new ward created by the reform.
    flow.draft("new", by="hn.nom")
    flow.draft("new", by="nt.nom", expect=403, code="auth.outside_scope")


def test_a_ward_forwards_to_the_province_after_the_reform(client, rt, world, flow, clock):
    clock.today = BEFORE_REFORM
    submitted = flow.submitted()
    nid = submitted["id"]
    assert submitted["review_unit_id"] == world.u("xd")

    run_reform(client, world, user="admin")
    clock.today = AFTER_REFORM

    flow.vote(nid, by="xd.member")
    flow.vote(nid, by="xd.chair")
    forwarded = flow.close(nid, by="xd.chair")
    # Not to the abolished district: to Hà Nội, the first active ancestor.
    assert forwarded["status"] == "under_review"
    assert forwarded["review_unit_id"] == world.u("hanoi")

    ready = flow.recommend(nid, by="hn.chair")
    assert ready["status"] == "recommended"
    assert ready["decision_unit_id"] == world.u("hanoi")
    # The district's council has nothing to do with it any more.
    flow.vote(nid, by="btl.chair", expect=403, code="review.not_council_member")


def test_a_ward_still_forwards_to_its_district_before_the_reform_date(
    client, rt, world, flow, clock
):
    """The reform is recorded in advance; until 2025-07-01 the district is still the next level."""
    clock.today = BEFORE_REFORM
    run_reform(client, world, user="admin")
    forwarded = flow.forwarded()  # asserts: under review at the district (btl)
    assert forwarded["review_unit_id"] == world.u("btl")


def test_a_file_pending_at_the_district_is_not_stranded_by_the_reform(
    client, rt, world, flow, clock
):
    clock.today = BEFORE_REFORM
    at_district = flow.forwarded()
    nid = at_district["id"]
    assert at_district["review_unit_id"] == world.u("btl")

    run_reform(client, world, user="admin")
    clock.today = AFTER_REFORM

    nomination = flow.nomination(nid)
    waiting_at = nomination["decision_unit_id"] or nomination["review_unit_id"]
    if nomination["status"] == "under_review" and waiting_at == world.u("btl"):
        # Today the dissolved district's council can still conclude ...
        nomination = flow.recommend(nid, by="btl.chair")
        waiting_at = nomination["decision_unit_id"] or nomination["review_unit_id"]
    # ... but the file must end up waiting at a unit that exists today.
    assert unit(client, world, "btl")["status"] == "dissolved"
    assert waiting_at != world.u("btl"), nomination
    assert waiting_at == world.u("hanoi")


def test_a_file_waiting_for_a_decision_at_a_dissolved_district_is_decided_by_its_successor(
    client, rt, world, flow, clock
):
    clock.today = BEFORE_REFORM
    waiting = flow.recommended()
    nid = waiting["id"]
    assert waiting["status"] == "recommended" and waiting["review_unit_id"] == world.u("btl")

    run_reform(client, world, user="admin")
    clock.today = AFTER_REFORM
    body = {"number": "7/QĐ-HPN", "decided_on": AFTER_REFORM.isoformat(),
            "issuer": {"unit_id": world.u("hanoi")},
            "lines": [{"nomination_id": nid, "award_kind": "giay_khen_hoi"}]}
    # the dissolved district can no longer decide; Hà Nội, which took over its files, can
    assert client.post("/api/decisions", json={**body, "issuer": {"unit_id": world.u("btl")}},
                       headers=world.h("btl.appr")).status_code in (403, 409, 422)
    decided = flow.send("POST", "/api/decisions", by="hn.appr", json=body, expect=201)
    assert decided["lines"][0]["nomination_id"] == nid
    assert flow.nomination(nid)["status"] == "decided"
