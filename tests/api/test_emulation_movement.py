"""A movement (phong trào thi đua) through the API (issue 19): launched by the district for its
wards, registrations with the wards' own targets, results reported, confirmed and corrected by
the launcher, the board evaluating each ward against its own target; who may do what."""

from __future__ import annotations

from datetime import date

import pytest

from services.authz import SYSTEM
from tests.helpers import nothing_recorded, ok, refused

INDICATORS = [
    {"code": "1", "text": "Vận động hộ gia đình đạt tiêu chí «5 không, 3 sạch»",
     "measure": "number", "target": "10", "unit": "hộ", "summable": True},
    {"code": "2", "text": "Có mô hình «Tuyến phố nở hoa» do chi hội phụ trách",
     "measure": "yes_no"},
]


@pytest.fixture
def movement_world(world, rt):
    app = rt.app
    world.units["cn2"] = app.orgs.create_unit(SYSTEM, name="Hội LHPN phường Cổ Nhuế 2",
                                              level="commune", parent_id=world.units["btl"],
                                              established_on=date(2014, 4, 1)).id
    for username, unit in (("xd.appr", "xd"), ("cn1.appr", "cn1")):
        app.users.create_user(SYSTEM, username=username, full_name=username,
                              password="mat-khau-123",
                              grants=[{"role": "approver", "unit_id": world.units[unit],
                                       "chair": False}])
        _, world.tokens[username] = app.users.issue_token(SYSTEM, username=username)
    rt.runner.catch_up()
    return world


def send(client, world, method, path, by, body=None, expect=200, code=None):
    kwargs = {} if body is None else {"json": body}
    response = client.request(method, path, headers=world.h(by), **kwargs)
    if expect >= 400:
        return refused(response, expect, code)
    return ok(response, expect)


def test_a_movement_from_launch_to_the_board(client, movement_world):
    world = movement_world
    launch = {"unit_id": world.u("btl"), "title": "Phong trào «Xây dựng gia đình 5 không 3 sạch»",
              "year": 2024, "indicators": INDICATORS, "own_targets_allowed": True,
              "participant_ids": [world.u("xd"), world.u("cn1")]}
    with nothing_recorded(client, world):
        send(client, world, "POST", "/api/emulation/movements", "xd.nom", launch, 403,
             "auth.outside_scope")
        send(client, world, "POST", "/api/emulation/movements", "btl.appr",
             {**launch, "participant_ids": [world.u("nt")]}, 422, "emulation.movement_invalid")
        send(client, world, "POST", "/api/emulation/movements", "btl.appr",
             {**launch, "indicators": []}, 422, "validation.invalid")
        send(client, world, "POST", "/api/emulation/movements", "btl.appr",
             {**launch, "starts_on": "2024-01-01"}, 422, "emulation.movement_invalid")
    movement = send(client, world, "POST", "/api/emulation/movements", "btl.appr", launch, 201)
    base = f"/api/emulation/movements/{movement['id']}"
    assert movement["period_text"] == "năm 2024" and movement["status"] == "active"
    assert [p["registered"] for p in movement["participants"]] == [False, False]

    # the wards register, Xuân Đỉnh with a target of its own (never easier than the movement's)
    send(client, world, "POST", f"{base}/registrations", "xd.appr",
         {"unit_id": world.u("xd"), "targets": {"1": "5"}}, 422, "emulation.own_target_invalid")
    send(client, world, "POST", f"{base}/registrations", "cn1.appr",
         {"unit_id": world.u("xd")}, 403, "auth.outside_scope")
    send(client, world, "POST", f"{base}/registrations", "xd.appr",
         {"unit_id": world.u("nt")}, 403, "auth.outside_scope")
    xd = send(client, world, "POST", f"{base}/registrations", "xd.appr",
              {"unit_id": world.u("xd"), "targets": {"1": "12"},
               "pledge": "Phấn đấu 12 hộ đạt tiêu chí"}, 201)
    assert xd["targets"]["1"] == {"target": "12", "target_text": "≥ 12 hộ"}
    send(client, world, "POST", f"{base}/registrations", "cn1.appr", {"unit_id": world.u("cn1")},
         201)

    # a ward added later, which does not register
    added = send(client, world, "POST", f"{base}/participants", "btl.appr",
                 {"unit_ids": [world.u("cn2")]})
    assert len(added["participants"]) == 3

    # results, against each ward's own target
    reg = f"{base}/registrations"
    send(client, world, "POST", f"{reg}/{world.u('xd')}/results/1", "xd.appr",
         {"value": "11", "evidence": "Danh sách hộ kèm theo"})
    send(client, world, "POST", f"{reg}/{world.u('xd')}/results/2", "xd.appr", {"value": True})
    send(client, world, "POST", f"{reg}/{world.u('cn1')}/results/1", "cn1.appr", {"value": 10})
    send(client, world, "POST", f"{reg}/{world.u('cn1')}/results/1", "xd.appr", {"value": 10},
         403, "auth.outside_scope")
    send(client, world, "PUT", f"{reg}/{world.u('xd')}/targets", "xd.appr",
         {"targets": {"1": "15"}}, 422, "emulation.own_target_invalid")  # reported already
    send(client, world, "POST", f"{reg}/{world.u('cn2')}/results/1", "btl.appr", {"value": 1},
         404, "emulation.registration_not_found")

    # the launcher confirms and corrects
    send(client, world, "POST", f"{reg}/{world.u('cn1')}/results/1/confirm", "cn1.appr", None,
         403, "auth.outside_scope")
    send(client, world, "POST", f"{reg}/{world.u('cn1')}/results/1/confirm", "btl.appr")
    corrected = send(client, world, "POST", f"{reg}/{world.u('xd')}/results/1/correct",
                     "btl.appr", {"value": "13", "reason": "Bổ sung 2 hộ đã thẩm định"})
    assert [h["value"] for h in corrected["results"][0]["history"]] == ["11", "13"]
    assert corrected["results"][0]["evaluation"] == "exceeded"  # 13 against its own 12
    send(client, world, "POST", f"{reg}/{world.u('xd')}/results/9/confirm", "btl.appr", None,
         404, "emulation.indicator_not_found")

    board = send(client, world, "GET", f"{base}/board", "xd.appr")
    counts = {c["code"]: c["count"] for c in board["indicators"]}
    assert counts["1"]["text"] == "2/2 (1 chưa có số liệu)"
    assert counts["1"]["sum_text"] == "23 hộ (1 chưa báo cáo)"
    assert counts["2"]["text"] == "1/1 (2 chưa có số liệu)"
    assert board["unregistered"] == ["Hội LHPN phường Cổ Nhuế 2"]
    rows = {r["name"]: r for r in board["rows"]}
    assert rows["Hội LHPN phường Xuân Đỉnh"]["cells"]["1"]["target_text"] == "≥ 12 hộ"
    assert rows["Hội LHPN phường Cổ Nhuế 1"]["cells"]["1"]["evaluation"] == "achieved"

    # reading: the launcher and the participants; lists cut to the reader's units
    refused(client.get(base, headers=world.h("nt.nom")), 403, "auth.outside_scope")
    listed = ok(client.get("/api/emulation/movements", headers=world.h("cn1.appr")))["items"]
    assert [(m["title"], m["participants"], m["registrations"]) for m in listed] == [
        (launch["title"], 3, 2)]
    assert ok(client.get("/api/emulation/movements", headers=world.h("nt.nom")))["items"] == []

    # closed: no more results
    send(client, world, "POST", f"{base}/close", "btl.appr", {"on": "2024-12-31"})
    send(client, world, "POST", f"{reg}/{world.u('cn1')}/results/2", "cn1.appr", {"value": "no"},
         409, "emulation.movement_closed")
    assert send(client, world, "GET", base, "btl.appr")["status"] == "closed"
    refused(client.get("/api/emulation/movements/00000000-0000-4000-8000-000000000000",
                       headers=world.h("btl.appr")), 404, "emulation.movement_not_found")
