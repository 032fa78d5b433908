"""Title registrations through the API (issue 19): a ward registers its people for titles; each
entry is checked against the recipient's award history read from the registry (decisions in
force: a revoked one no longer counts); a refusal is a 409 with the findings unless a reason
overrides it; at the end of the year the closed registration becomes draft nominations, once."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import head, nothing_recorded, ok, refused

CSTD_TQ = "chien_si_thi_dua_toan_quoc"
CSTD_TINH = "chien_si_thi_dua_bo_tinh"


def individual(world, name: str, birth_year: int, **extra) -> dict:
    return {"kind": "individual", "name": name, "gender": "female", "birth_year": birth_year,
            "unit_id": world.u("xd"), **extra}


@pytest.fixture
def history(client, world, clock):
    """Hoa: CSTĐ tỉnh 2019 and 2022; Mai: CSTĐ tỉnh 2022 — decided by the centre."""
    clock.today = date(2024, 6, 30)
    hoa = individual(world, "Trần Thị Hoa", 1978)
    mai = individual(world, "Hoàng Thị Mai", 1975, citizen_id="001175012345",
                     birth_date="1975-03-04")
    ids = {}
    for number, period, decided_on, people in (("11/QĐ-ĐCT", "2019", "2020-01-10", [hoa]),
                                               ("21/QĐ-ĐCT", "2022", "2023-01-12", [hoa, mai])):
        ids[period] = ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
            "number": number, "decided_on": decided_on, "issuer": {"unit_id": world.u("root")},
            "signer": {"name": "Hà Thị Nga"}, "award_kind": CSTD_TINH, "period": period,
            "lines": [{"recipient": p} for p in people]}), 201)["id"]
    return {"hoa": hoa, "mai": mai, "decisions": ids}


def send(client, world, method, path, by, body=None, expect=200, code=None):
    kwargs = {} if body is None else {"json": body}
    response = client.request(method, path, headers=world.h(by), **kwargs)
    if expect >= 400:
        return refused(response, expect, code)
    return ok(response, expect)


def test_a_registration_from_entries_to_nominations(client, world, history, clock):
    opened = send(client, world, "POST", "/api/emulation/registrations", "xd.nom",
                  {"unit_id": world.u("xd"), "year": 2024}, 201)
    base = f"/api/emulation/registrations/{opened['id']}"
    assert opened["status"] == "open" and opened["entries"] == []
    again = send(client, world, "POST", "/api/emulation/registrations", "xd.nom",
                 {"unit_id": world.u("xd"), "year": 2024}, 201)
    assert again["id"] == opened["id"] and again["version"] == opened["version"]
    entries = f"{base}/entries"
    lan = individual(world, "Nguyễn Thị Lan", 1980)

    # Hoa: two CSTĐ tỉnh in force, three years apart: CSTĐ toàn quốc is open to her
    hoa = send(client, world, "POST", entries, "xd.nom",
               {"recipient": history["hoa"], "award_kind": CSTD_TQ}, 201)
    assert hoa["entry_no"] == 1 and hoa["entries"][0]["findings"] == []
    assert hoa["entries"][0]["checked"] is True
    # Mai: one only — refused (a verified rule), with the findings, and nothing recorded
    with nothing_recorded(client, world, base):
        refusal = send(client, world, "POST", entries, "xd.nom",
                       {"recipient": history["mai"], "award_kind": CSTD_TQ}, 409,
                       "emulation.title_prerequisite")
        assert "Hoàng Thị Mai" in refusal["message"]
        assert [f["rule"] for f in refusal["details"]["findings"]] == [
            "cstd_toan_quoc.hai_lan_cstd_bo_tinh"]
        send(client, world, "POST", entries, "xd.nom",
             {"recipient": lan, "award_kind": "bang_khen_tw_hoi"}, 422,
             "emulation.title_kind_invalid")
        send(client, world, "POST", entries, "xd.nom",
             {"recipient": {**lan, "unit_id": world.u("nt")}, "award_kind": "lao_dong_tien_tien"},
             403, "auth.outside_scope")
        send(client, world, "POST", entries, "nt.nom",
             {"recipient": lan, "award_kind": "lao_dong_tien_tien"}, 403, "auth.outside_scope")
        send(client, world, "POST", entries, "hn.member",
             {"recipient": lan, "award_kind": "lao_dong_tien_tien"}, 403, "auth.role_required")
    # … unless the office says why
    mai = send(client, world, "POST", entries, "xd.nom",
               {"recipient": history["mai"], "award_kind": CSTD_TQ,
                "override_reason": "Đạt CSTĐ tỉnh năm 2018 (QĐ 5/QĐ-UBND), chưa nhập hệ thống"},
               201)
    [finding] = mai["entries"][1]["findings"]
    assert finding["severity"] == "refuse" and mai["entries"][1]["override_reason"]
    # Lan: CSTĐ cơ sở alone warns (Lao động tiên tiến the same year); both together do not
    warned = send(client, world, "POST", entries, "xd.nom",
                  {"recipient": lan, "award_kind": "chien_si_thi_dua_co_so"}, 201)
    assert [f["severity"] for f in warned["entries"][2]["findings"]] == ["warn"]
    send(client, world, "POST", entries, "xd.nom",
         {"recipient": lan, "award_kind": "lao_dong_tien_tien"}, 201)
    send(client, world, "POST", entries, "xd.nom",
         {"recipient": lan, "award_kind": "lao_dong_tien_tien"}, 409, "emulation.entry_duplicate")
    findings = send(client, world, "GET", f"{entries}/3/findings", "btl.appr")
    assert findings["findings"] == []  # with her LĐTT registered, nothing is missing

    # personal data: shown to those covering the unit; identity keys to nobody
    shown = send(client, world, "GET", base, "btl.appr")
    assert shown["entries"][1]["recipient"]["citizen_id"] == "001175012345"
    assert "recipient_key" not in str(shown)
    refused(client.get(base, headers=world.h("nt.nom")), 403, "auth.outside_scope")

    # a withdrawn entry; then Hoa's 2019 title is revoked: no longer two in force
    send(client, world, "POST", f"{entries}/9/withdraw", "xd.nom", {"reason": "x"}, 404,
         "emulation.entry_not_found")
    send(client, world, "POST", f"{entries}/4/withdraw", "xd.nom", {"reason": ""}, 422,
         "emulation.reason_required")
    ok(client.post(f"/api/decisions/{history['decisions']['2019']}/revoke",
                   headers=world.h("tw.appr"),
                   json={"revoked_on": "2024-03-01", "ground": "b",
                         "reason": "Hồ sơ không trung thực"}))
    after = send(client, world, "GET", f"{entries}/1/findings", "xd.nom")
    assert [f["rule"] for f in after["findings"]] == ["cstd_toan_quoc.hai_lan_cstd_bo_tinh"]

    # at the end of the year: only once closed; Hoa held back, the others drafted, once
    send(client, world, "POST", f"{base}/nominate", "xd.nom", None, 409,
         "emulation.registration_open")
    clock.today = date(2024, 12, 15)
    send(client, world, "POST", f"{base}/close", "xd.nom")
    send(client, world, "POST", entries, "xd.nom",
         {"recipient": individual(world, "Lê Thị Mơ", 1990), "award_kind": "lao_dong_tien_tien"},
         409, "emulation.registration_closed")
    send(client, world, "POST", f"{base}/nominate", "nt.nom", None, 403, "auth.outside_scope")
    done = send(client, world, "POST", f"{base}/nominate", "xd.nom")
    assert sorted(c["entry_no"] for c in done["created"]) == [2, 3, 4]
    assert [(h["entry_no"], h["findings"][0]["rule"]) for h in done["held"]] == [
        (1, "cstd_toan_quoc.hai_lan_cstd_bo_tinh")]
    position = head(client)
    again = send(client, world, "POST", f"{base}/nominate", "xd.nom")
    assert again["created"] == [] and head(client) == position
    linked = {e["entry_no"]: e["nomination_id"] for e in again["entries"]}
    assert linked[1] is None and all(linked[n] for n in (2, 3, 4))

    # the drafts: the recipient as registered, proposed by the ward, for the year
    nomination = ok(client.get(f"/api/nominations/{linked[2]}", headers=world.h("xd.nom")))
    assert nomination["status"] == "draft" and nomination["award_kind"] == CSTD_TQ
    assert nomination["recipient"]["name"] == "Hoàng Thị Mai"
    assert nomination["proposing_unit_id"] == world.u("xd") and nomination["period"] == "2024"
    assert "dòng 2" in nomination["achievement"] and "chưa nhập hệ thống" in nomination[
        "achievement"]
    submitted = ok(client.post(f"/api/nominations/{linked[4]}/submit", headers=world.h("xd.nom")))
    assert submitted["status"] == "under_review"

    listed = ok(client.get("/api/emulation/registrations", headers=world.h("btl.appr")))
    assert [(r["year"], r["entries"], r["nominated"], r["status"]) for r in listed["items"]] == [
        (2024, 4, 3, "closed")]
    assert ok(client.get("/api/emulation/registrations",
                         headers=world.h("nt.nom")))["items"] == []
    refused(client.get("/api/emulation/registrations/00000000-0000-4000-8000-000000000000",
                       headers=world.h("xd.nom")), 404, "emulation.title_registration_not_found")
