"""Personal data (citizen ID, birth date) only for those whose grants cover the recipient's unit
or the deciding unit; identity keys (which may carry the citizen ID) never leave the service."""

from __future__ import annotations

import pytest

from tests.helpers import case, err, ok

CCCD = "001180012345"
BORN = "1980-03-15"


@pytest.fixture
def decided(client, world):
    ok(client.post("/api/users", headers=world.h("admin"), json={
        "username": "khong.vai.tro", "full_name": "Không vai trò", "password": "mat-khau-123",
        "home_unit_id": world.u("root")}), 201)
    world.tokens["khong.vai.tro"] = ok(client.post("/api/auth/token", json={
        "username": "khong.vai.tro", "password": "mat-khau-123"}))["token"]
    client.cookies.clear()
    return ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "12/QĐ-HPN", "decided_on": "2024-05-01", "award_kind": "bang_khen_hoi_tinh",
        "issuer": {"unit_id": world.u("hanoi")}, "signer": {"name": "Lê Thị Hương"},
        "lines": [{"recipient": {"kind": "individual", "name": "Nguyễn Thị Hồng Nhung",
                                 "citizen_id": CCCD, "birth_date": BORN,
                                 "unit_id": world.u("xd")}, "period": "2023"}]}), 201)


def answers(client, world, user, decided):
    """Every answer that names the recipient, as ``user`` reads them."""
    h = world.h(user)
    found = ok(client.get("/api/registry/recipients", params={"q": "hong nhung"}, headers=h))
    [person] = found["items"]
    return {
        "decision": client.get(f"/api/decisions/{decided['id']}", headers=h),
        "history": client.get(f"/api/decisions/{decided['id']}/history", headers=h),
        "registry": client.get("/api/registry", params={"q": "nguyen thi hong"}, headers=h),
        "recipients": client.get("/api/registry/recipients", params={"q": "nhung"}, headers=h),
        "person": client.get("/api/registry/history", params={"key": person["key"]}, headers=h),
        "page": client.get(f"/decisions/{decided['id']}", headers=h),
    }


@pytest.mark.parametrize("user", ["khong.vai.tro", "nt.nom", "tw.appr", "xd.nom", "hn.appr"])
def test_personal_data_follows_the_grants(client, world, decided, user):
    sees = user in ("tw.appr", "xd.nom", "hn.appr")  # the centre, the ward, the issuer
    for name, response in answers(client, world, user, decided).items():
        with case((user, name)):
            assert response.status_code == 200, response.text
            text = response.text
            assert "Nguyễn Thị Hồng Nhung" in text  # the award itself is public
            assert "cccd:" not in text and "recipient_key" not in text  # keys never leave
            if name in ("recipients", "page"):
                continue
            assert (CCCD in text) is sees and (BORN in text) is sees


def test_a_citizen_id_cannot_be_probed_through_the_registry(client, world, decided):
    for key in (f"cccd:{CCCD}", CCCD, "person:nguyen thi hong nhung|1980"):
        with case(key):
            err(client.get("/api/registry/history", params={"key": key},
                           headers=world.h("khong.vai.tro")), 404)
            listed = ok(client.get("/api/registry", params={"recipient_id": key},
                                   headers=world.h("khong.vai.tro")))
            assert listed["total"] == 0
    [person] = ok(client.get("/api/registry/recipients", params={"q": "nhung"},
                             headers=world.h("khong.vai.tro")))["items"]
    assert person["key"].startswith("r-")
    mine = ok(client.get("/api/registry", params={"recipient_id": person["key"]},
                         headers=world.h("khong.vai.tro")))
    assert mine["total"] == 1
