"""Personal data in title registrations (issue 19): a registration names individuals with their
citizen ID and birth date. As everywhere else (``services.read_policy``), those are shown only
to users whose grants cover the recipient's unit — here always within the registering unit's
subtree, so exactly the registration's readers — and identity keys ("cccd:…",
``recipient_key``) to nobody: not in the registration, its list, an entry's findings, the
answers of the keepers' commands, nor the draft nominations ``nominate`` opens from it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.authz import SYSTEM
from tests.helpers import case, ok, refused

CCCD, BORN = "001192011223", "1992-04-18"
CCCD_2, BORN_2 = "001193044556", "1993-08-09"  # a person of a branch of Xuân Đỉnh
NAME, NAME_2 = "Phạm Thị Thu Hà", "Lương Thị Ngọc"
FORMS = (CCCD, BORN, "18/04/1992", CCCD_2, BORN_2, "09/08/1993")
KEYS = ("cccd:", "recipient_key")
# grants covering Xuân Đỉnh (the ward itself, its district, Hà Nội's council, the centre)
SEES = ("xd.nom", "xd.chair", "btl.appr", "hn.member", "tw.appr", "admin")
# no grant; another province's nominator and admin; a nominator of one of the ward's branches
OUTSIDERS = ("khong.vai.tro", "nt.nom", "bk.admin", "chi.hoi.nom")


@pytest.fixture
def registered(client, world, rt, clock) -> dict[str, Any]:
    """Xuân Đỉnh's registration for 2024: two individuals with their personal data (one of the
    ward, one of a branch of it), and the users who read it."""
    app = rt.app
    world.units["chi_hoi"] = app.orgs.create_unit(
        SYSTEM, name="Chi hội Tổ dân phố 5", level="branch", parent_id=world.units["xd"],
        established_on=date(2015, 1, 1)).id
    for username, grants in (("khong.vai.tro", []), ("bk.admin", [("admin", "backan")]),
                             ("chi.hoi.nom", [("nominator", "chi_hoi")])):
        app.users.create_user(SYSTEM, username=username, full_name=username,
                              password="mat-khau-123", home_unit_id=world.units["root"],
                              grants=[{"role": r, "unit_id": world.units[u], "chair": False}
                                      for r, u in grants])
        _, world.tokens[username] = app.users.issue_token(SYSTEM, username=username)
    rt.runner.catch_up()
    rid = ok(client.post("/api/emulation/registrations", headers=world.h("xd.nom"),
                         json={"unit_id": world.u("xd"), "year": 2024}), 201)["id"]
    base = f"/api/emulation/registrations/{rid}"
    answers = {"open": client.post("/api/emulation/registrations", headers=world.h("xd.nom"),
                                   json={"unit_id": world.u("xd"), "year": 2024})}
    people = [
        {"kind": "individual", "name": NAME, "gender": "female", "citizen_id": CCCD,
         "birth_date": BORN, "unit_id": world.u("xd")},
        {"kind": "individual", "name": NAME_2, "gender": "female", "citizen_id": CCCD_2,
         "birth_date": BORN_2, "unit_id": world.u("chi_hoi")},
    ]
    for n, recipient in enumerate(people, 1):
        answers[f"entry {n}"] = client.post(f"{base}/entries", headers=world.h("xd.nom"), json={
            "recipient": recipient, "award_kind": "lao_dong_tien_tien"})
        assert answers[f"entry {n}"].status_code == 201, answers[f"entry {n}"].text
    # a third entry, withdrawn
    third = ok(client.post(f"{base}/entries", headers=world.h("xd.nom"), json={
        "recipient": {**people[0], "citizen_id": "001194077889", "name": "Đinh Thị Hiền",
                      "birth_date": "1994-01-02"}, "award_kind": "lao_dong_tien_tien"}), 201)
    answers["withdraw"] = client.post(f"{base}/entries/{third['entry_no']}/withdraw",
                                      headers=world.h("xd.nom"), json={"reason": "Nghỉ hưu"})
    answers["duplicate"] = client.post(f"{base}/entries", headers=world.h("xd.nom"), json={
        "recipient": people[0], "award_kind": "lao_dong_tien_tien"})
    assert answers["duplicate"].status_code == 409, answers["duplicate"].text
    clock.today = date(2024, 12, 20)
    answers["close"] = client.post(f"{base}/close", headers=world.h("xd.nom"))
    answers["nominate"] = client.post(f"{base}/nominate", headers=world.h("xd.nom"))
    created = ok(answers["nominate"])["created"]
    assert [c["entry_no"] for c in created] == [1, 2]
    return {"id": rid, "base": base, "answers": answers,
            "nominations": [c["nomination_id"] for c in created]}


def no_keys(text: str) -> None:
    for key in KEYS:
        assert key not in text, f"identity key {key!r} in the answer"


def test_the_keepers_answers_show_the_data_but_never_an_identity_key(registered):
    for name, response in registered["answers"].items():
        with case(name):
            assert response.status_code < 500, response.text
            no_keys(response.text)
    shown = registered["answers"]["nominate"].text
    assert CCCD in shown and BORN in shown and CCCD_2 in shown and BORN_2 in shown


def reads(client, world, user: str, registered: dict[str, Any]) -> dict[str, Any]:
    """Every answer that may name the registered people, as ``user`` reads them."""
    h = world.h(user)
    base = registered["base"]
    out = {
        "registration": client.get(base, headers=h),
        "list": client.get("/api/emulation/registrations", params={"limit": 500}, headers=h),
        "list of the year": client.get("/api/emulation/registrations",
                                       params={"year": 2024, "unit_id": world.u("xd")},
                                       headers=h),
        "findings 1": client.get(f"{base}/entries/1/findings", headers=h),
        "findings 2": client.get(f"{base}/entries/2/findings", headers=h),
        "nominations": client.get("/api/nominations", params={"limit": 500}, headers=h),
    }
    for n, nid in enumerate(registered["nominations"], 1):
        out[f"nomination {n}"] = client.get(f"/api/nominations/{nid}", headers=h)
        out[f"nomination {n} history"] = client.get(f"/api/nominations/{nid}/history", headers=h)
    return out


@pytest.mark.parametrize("user", SEES)
def test_readers_covering_the_unit_see_the_personal_data(client, world, registered, user):
    answers = reads(client, world, user, registered)
    for name, response in answers.items():
        with case((user, name)):
            assert response.status_code == 200, response.text
            no_keys(response.text)
    shown = answers["registration"].json()["entries"]
    assert [(e["recipient"]["citizen_id"], e["recipient"]["birth_date"]) for e in shown[:2]] == [
        (CCCD, BORN), (CCCD_2, BORN_2)]
    for n, (cccd, born) in enumerate(((CCCD, BORN), (CCCD_2, BORN_2)), 1):
        with case((user, n)):
            recipient = answers[f"nomination {n}"].json()["recipient"]
            assert (recipient["citizen_id"], recipient["birth_date"]) == (cccd, born)
    listed = answers["list"].json()["items"]
    assert [r["id"] for r in listed if r["id"] == registered["id"]] == [registered["id"]]
    for name in ("list", "list of the year", "findings 1", "findings 2"):
        with case((user, name)):
            assert not any(form in answers[name].text for form in FORMS)


@pytest.mark.parametrize("user", OUTSIDERS)
def test_outsiders_see_neither_the_registration_nor_its_people(client, world, registered, user):
    answers = reads(client, world, user, registered)
    for name, response in answers.items():
        with case((user, name)):
            assert response.status_code in (200, 403, 404), response.text
            text = response.text
            no_keys(text)
            assert not any(form in text for form in FORMS), f"personal data in {name}"
            assert NAME not in text and NAME_2 not in text
            assert registered["id"] not in text or name == "registration"
    for name in ("registration", "findings 1", "findings 2"):
        with case((user, name)):
            refused(answers[name], 403, "auth.outside_scope")
    for n in range(1, 3):
        with case((user, n)):
            assert answers[f"nomination {n}"].status_code in (403, 404)
    assert registered["id"] not in answers["list"].text
    assert answers["list of the year"].json()["items"] == []


def test_a_branch_reader_sees_nothing_of_the_wards_registration(client, world, registered):
    """The nominator of a branch covers the branch member's unit, not the registration's: the
    registration (and so her branch's member in it) is not hers to read."""
    h = world.h("chi.hoi.nom")
    refused(client.get(registered["base"], headers=h), 403, "auth.outside_scope")
    listed = ok(client.get("/api/emulation/registrations", headers=h))
    assert listed["items"] == [] and listed["total"] == 0


def test_outsiders_commands_are_refused_without_the_data(client, world, registered):
    """A refusal names no recipient: the withdraw, close and nominate of an outsider."""
    base = registered["base"]
    for user in OUTSIDERS:
        for path, body in ((f"{base}/entries/1/withdraw", {"reason": "Thử"}),
                           (f"{base}/nominate", None), (f"{base}/close", None),
                           (f"{base}/entries", {"recipient": {
                               "kind": "individual", "name": "Người Lạ", "gender": "female",
                               "birth_year": 1990}, "award_kind": "lao_dong_tien_tien"})):
            with case((user, path)):
                response = client.post(path, headers=world.h(user), json=body)
                assert response.status_code == 403, response.text
                assert not any(form in response.text for form in FORMS)
                assert NAME not in response.text and NAME_2 not in response.text


def test_a_citizen_id_cannot_probe_titles_held_elsewhere(client, world, clock):
    """A registration checks prerequisites against the titles its recipient holds within the
    registering unit's subtree only: Nông Thượng's nominator typing a Xuân Đỉnh citizen ID
    learns nothing of that person's titles (the check refuses as for anyone without them),
    while Xuân Đỉnh's own registration sees them and accepts the entry."""
    clock.today = date(2024, 3, 1)
    person = {"kind": "individual", "name": NAME, "gender": "female", "citizen_id": CCCD,
              "birth_date": BORN, "unit_id": world.u("xd")}
    for number, year in (("21/QĐ-UBND", 2022), ("22/QĐ-UBND", 2023)):
        ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
            "number": number, "decided_on": f"{year + 1}-01-15",
            "issuer": {"body": "government", "level": "province",
                       "name": "Ủy ban nhân dân thành phố Hà Nội"},
            "recorded_by_unit_id": world.u("hanoi"), "period": str(year),
            "award_kind": "chien_si_thi_dua_bo_tinh", "lines": [{"recipient": person}]}), 201)
    entry = {"award_kind": "chien_si_thi_dua_toan_quoc"}
    own = ok(client.post("/api/emulation/registrations", headers=world.h("xd.nom"),
                         json={"unit_id": world.u("xd"), "year": 2024}), 201)["id"]
    accepted = client.post(f"/api/emulation/registrations/{own}/entries",
                           headers=world.h("xd.nom"), json={**entry, "recipient": person})
    assert accepted.status_code == 201, accepted.text
    other = ok(client.post("/api/emulation/registrations", headers=world.h("nt.nom"),
                           json={"unit_id": world.u("nt"), "year": 2024}), 201)["id"]
    probe = client.post(f"/api/emulation/registrations/{other}/entries",
                        headers=world.h("nt.nom"),
                        json={**entry, "recipient": {**person, "unit_id": world.u("nt")}})
    refused(probe, 409, "emulation.title_prerequisite")
    stranger = client.post(f"/api/emulation/registrations/{other}/entries",
                           headers=world.h("nt.nom"),
                           json={**entry, "recipient": {**person, "unit_id": world.u("nt"),
                                                        "citizen_id": "001190000001"}})
    refused(stranger, 409, "emulation.title_prerequisite")
    assert probe.json()["error"]["details"] == stranger.json()["error"]["details"]
