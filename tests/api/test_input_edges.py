"""Input at the edges, as an outside tester sent it: out-of-range integers and dates, wildcards,
invisible characters, duplicate JSON keys, unknown references — each a clear 4xx (never a 500)
that records nothing."""

from __future__ import annotations

import re

import pytest

from tests.helpers import (
    case,
    err,
    form_data,
    head,
    nomination_body,
    nothing_recorded,
    ok,
    page_login,
)

HUGE = str(2**63)


def login(client, username: str) -> None:
    response = page_login(client, username)
    assert response.status_code == 303, response.text


@pytest.mark.parametrize("path", ["/api/registry", "/api/registry/totals",
                                  "/api/registry/export.csv", "/api/registry/export.xlsx"])
def test_a_log_position_past_any_integer_is_refused(client, world, path):
    err(client.get(path, params={"as_of_position": HUGE}, headers=world.h("admin")), 422,
        "validation.invalid")
    err(client.get(path, params={"min_position": HUGE}, headers=world.h("admin")), 422)
    err(client.get(path, headers={**world.h("admin"), "X-TDKT-Min-Position": HUGE}), 422)


def test_pages_with_a_huge_offset_answer_an_empty_page(client, world):
    login(client, "admin")
    for path in ("/nominations", "/registry", "/decisions", "/schedules/differences"):
        with case(path):
            page = client.get(path, params={"offset": str(10**20)})
            assert page.status_code == 200, page.text


def test_form_numbers_in_other_scripts_are_refused_not_crashed(client, world):
    login(client, "xd.nom")
    form = {"proposing_unit_id": world.u("xd"), "award_kind": "giay_khen_hoi",
            "award_type": "cong_trang", "period": "2023", "recipient_kind": "individual",
            "recipient_name": "Phạm Thị Thu Hà", "birth_year": "19²9",
            "achievement": "Vận động hội viên"}
    position = head(client)
    page = client.post("/nominations/new", data=form_data(client, form), follow_redirects=False)
    assert page.status_code == 422 and "năm sinh" in page.text
    assert head(client) == position
    created = client.post("/nominations/new",
                          data=form_data(client, {**form, "birth_year": "1979"}),
                          follow_redirects=False)
    nid = created.headers["location"].rsplit("/", 1)[-1]
    for value in ("²", "٣", "1" * 40):
        with case(value):
            answer = client.post(f"/nominations/{nid}/submit",
                                 data=form_data(client, {"version": value}))
            assert answer.status_code < 500, answer.text


def test_like_wildcards_are_taken_literally(client, world):
    for number in ("1/QĐ-ĐCT", "2/QĐ-ĐCT"):
        ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
            "number": number, "decided_on": "2024-05-01", "issuer": {"unit_id": world.u("root")},
            "signer": {"name": "Hà Thị Nga"}, "award_kind": "bang_khen_tw_hoi",
            "lines": [{"recipient": {"kind": "individual", "name": f"Người {number}",
                                     "birth_year": 1980}, "period": "2023"}]}), 201)

    def total(path, q):
        return ok(client.get(path, params={"q": q}, headers=world.h("admin")))["total"]

    assert total("/api/decisions", "%") == total("/api/decisions", "_") == 0
    assert total("/api/decisions", "1/") == 1 and total("/api/decisions", "QĐ") == 2
    assert total("/api/users", "%") == total("/api/users", "_") == 0
    assert total("/api/users", "hn.") == 4


@pytest.mark.parametrize("name", ["\u200b\u200c\u200d", "\u202e\u202c", "\ufeff\u2066\u2069",
                                  " \u00ad "])
def test_a_name_of_invisible_characters_is_no_name(client, world, name):
    body = nomination_body(world)
    body["recipient"] = {**body["recipient"], "name": name}
    with nothing_recorded(client, world):
        err(client.post("/api/nominations", json=body, headers=world.h("xd.nom")), 422)
    shown = ok(client.post("/api/nominations", headers=world.h("xd.nom"), json={
        **body, "recipient": {**body["recipient"], "name": "Lê\u200b Thị\u200e Mai"}}), 201)
    assert shown["recipient"]["name"] == "Lê Thị Mai"


def test_a_username_with_hidden_characters_is_not_another_user(client, world):
    for raw in ("admin%00", "admin%E2%80%8B", "%E2%80%AEadmin"):
        with case(raw):
            err(client.get(f"/api/users/{raw}", headers=world.h("admin")), 404)
    ok(client.get("/api/users/admin", headers=world.h("admin")))
    err(client.post("/api/auth/token",
                    json={"username": "admin\u0000", "password": "mat-khau-123"}), 401)


def test_a_json_key_given_twice_is_refused(client, world):
    raw = '{"username": "xd.nom", "username": "admin", "password": "mat-khau-123"}'
    found = err(client.post("/api/auth/token", content=raw,
                            headers={"content-type": "application/json"}), 422,
                "validation.invalid")
    assert "username" in found["message"] and "hai lần" in found["message"]
    nested = ('{"number": "1/QĐ", "decided_on": "2024-05-01", "signer": {"name": "A", '
              '"name": "B"}, "issuer": {}, "lines": []}')
    with nothing_recorded(client, world):
        err(client.post("/api/decisions", content=nested, headers={
            **world.h("tw.appr"), "content-type": "application/json"}), 422)


def test_dates_are_iso_days_within_the_record_s_years(client, world):
    admin = world.h("admin")
    for value in ("0", "1", "1700000000", "1899-12-31", "2024-02-30", "24-01-09", "9999-12-31"):
        with case(value):
            found = err(client.get("/api/registry", params={"as_of": value}, headers=admin),
                        422, "validation.invalid")
            assert "as_of" in found["message"]
    ok(client.get("/api/registry", params={"as_of": "2024-01-09"}, headers=admin))
    with nothing_recorded(client, world):
        err(client.post("/api/org-units", headers=admin, json={
            "name": "Hội LHPN xã Tương Lai", "level": "commune", "parent_id": world.u("nt"),
            "established_on": "9999-12-31"}), 422)
        refused = err(client.post("/api/schedules/base-salary", headers=admin, json={
            "effective_from": "0001-01-01", "amount": 1_000, "legal_basis": "x"}), 422)
        assert re.search(r"1900", refused["message"])
        err(client.post("/api/schedules/base-salary", headers=admin, json={
            "effective_from": 0, "amount": 1_000, "legal_basis": "x"}), 422)


def test_revoking_an_unknown_token_is_404(client, world):
    with nothing_recorded(client, world):
        err(client.delete("/api/users/xd.nom/tokens/khong-co", headers=world.h("admin")), 404)


def test_an_unknown_unit_is_the_request_s_mistake_not_a_question_of_scope(client, world):
    missing = "00000000-0000-4000-8000-000000000000"
    admin = world.h("admin")
    with nothing_recorded(client, world):
        err(client.post("/api/org-units", headers=admin, json={
            "name": "Hội LHPN xã Mới", "level": "commune", "parent_id": missing,
            "established_on": "2024-01-01"}), 422, "reference.not_found")
        err(client.post("/api/users", headers=admin, json={
            "username": "nguoi.moi", "full_name": "Người mới", "password": "mat-khau-123",
            "grants": [{"role": "nominator", "unit_id": missing}]}), 422, "reference.not_found")
    # a user without the role is still told only that she lacks it (no probing of ids)
    err(client.post("/api/org-units", headers=world.h("xd.nom"), json={
        "name": "Hội LHPN xã Mới", "level": "commune", "parent_id": missing,
        "established_on": "2024-01-01"}), 403)


def test_a_role_at_an_unknown_unit_is_422_and_tells_a_non_admin_nothing(client, world):
    """Found by the fuzz run (tests/api/test_fuzz_openapi.py): granting a role at a unit that
    does not exist answered 404 ``org_unit.not_found`` (the path names a user, not a unit), even
    to an approver or a nominator, who could so probe for unit ids."""
    missing = "00000000-0000-4000-8000-000000000000"
    grant = {"role": "reviewer", "unit_id": missing}
    with nothing_recorded(client, world, "/api/users/xd.member"):
        for admin in ("admin", "hn.admin"):
            with case(admin):
                err(client.post("/api/users/xd.member/grants", headers=world.h(admin),
                                json=grant), 422, "reference.not_found")
        for other in ("tw.appr", "xd.nom"):
            with case(other):
                err(client.post("/api/users/xd.member/grants", headers=world.h(other),
                                json=grant), 403)
        err(client.post("/api/users/nobody.here/grants", headers=world.h("admin"), json=grant),
            404, "user.not_found")
    ok(client.post("/api/users/xd.member/grants", headers=world.h("admin"),
                   json={"role": "reviewer", "unit_id": world.u("cn1")}))


def test_a_ceremony_s_date_cannot_be_cleared(client, world):
    """Found by the fuzz run: ``PATCH`` with ``"held_on": null`` recorded a ceremony without a
    date — a 500 at once, and every later write a 500 too (the read model refused the row)."""
    appr = world.h("tw.appr")
    ceremony = ok(client.post("/api/ceremonies", headers=appr, json={
        "title": "Hội nghị tổng kết", "held_on": "2024-06-01",
        "host_unit_id": world.u("root")}), 201)
    path = f"/api/ceremonies/{ceremony['id']}"
    with nothing_recorded(client, world, path, "/api/ceremonies"):
        found = err(client.patch(path, headers=appr, json={"held_on": None}), 422,
                    "validation.invalid")
        assert "held_on" in found["message"]
    changed = ok(client.patch(path, headers=appr, json={"held_on": "2024-06-02", "place": None}))
    assert (changed["held_on"], changed["place"]) == ("2024-06-02", "")
    ok(client.post("/api/ceremonies", headers=appr, json={
        "title": "Lễ trao thưởng", "held_on": "2024-07-01", "host_unit_id": world.u("root")}), 201)
