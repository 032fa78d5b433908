"""Personal data at rest (issue 18, item 5): citizen IDs and birth dates are sealed in the stored
events, the read models and the kept idempotency answers, one key per person; a store without
its keys still adds up to the same totals; erasing a person's key erases her personal data and
keeps her awards; the master key can be rotated."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from services.app import Runtime
from services.config import SQLITE
from services.personal_data import (
    KEY_FILE,
    KEY_TABLE,
    KEYS_DB_FILE,
    PersonalKeyMismatch,
    master_key,
    new_master_key,
)
from tests.helpers import err, head, ok

CCCD, BORN = "001180012345", "1980-03-15"
CCCD2, BORN2 = "001185098765", "1985-11-02"
NOMINEE_CCCD, NOMINEE_BORN = "024190001122", "1990-07-09"


def raw_text(rt: Runtime) -> str:
    """Everything stored — every row of every table of the event store and the read models —
    as text (stored bytes decoded as they lie), as someone reading the database files would."""
    parts: list[str] = []

    def add(values) -> None:
        for value in values:
            parts.append(value.decode("utf-8", "replace") if isinstance(value, bytes | memoryview)
                         and not isinstance(value, memoryview) else
                         bytes(value).decode("utf-8", "replace") if isinstance(value, memoryview)
                         else str(value))

    if rt.settings.store == SQLITE:
        for path in (rt.settings.events_path, rt.settings.views_path,
                     rt.settings.data_dir / KEYS_DB_FILE):
            with sqlite3.connect(path) as conn:
                tables = [r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    for row in conn.execute(f'SELECT * FROM "{table}"'):
                        add(row)
    else:
        with rt.db.read() as cur:
            tables = [r["name"] for r in cur.execute(
                "SELECT table_name AS name FROM information_schema.tables"
                " WHERE table_schema = current_schema()").fetchall()]
            for table in tables:
                for row in cur.execute(f'SELECT * FROM "{table}"').fetchall():
                    add(row.values())
    return "\n".join(parts)


def person(name: str, cccd: str, born: str, unit: str) -> dict:
    return {"kind": "individual", "name": name, "citizen_id": cccd, "birth_date": born,
            "unit_id": unit}


def decide_two(client, world) -> dict:
    """A decision of Hà Nội naming two people of Xuân Đỉnh, each with a CCCD and birth date
    (the fixture ``decided`` of tests/api/conftest.py)."""
    return ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "12/QĐ-HPN", "decided_on": "2024-05-01", "award_kind": "bang_khen_hoi_tinh",
        "issuer": {"unit_id": world.u("hanoi")}, "signer": {"name": "Lê Thị Hương"},
        "lines": [
            {"recipient": person("Nguyễn Thị Hồng Nhung", CCCD, BORN, world.u("xd")),
             "period": "2023", "amount": 500_000},
            {"recipient": person("Trần Thị Mai", CCCD2, BORN2, world.u("xd")),
             "period": "2023", "amount": 500_000}]}), 201)


@pytest.fixture
def nominated(client, world):
    """A nomination with personal data, created with an Idempotency-Key (its answer is kept)."""
    body = {"proposing_unit_id": world.u("xd"), "award_kind": "giay_khen_hoi",
            "period": "2024", "achievement": "Hoàn thành xuất sắc nhiệm vụ",
            "recipient": person("Lê Thị Thu", NOMINEE_CCCD, NOMINEE_BORN, world.u("xd"))}
    headers = {**world.h("xd.nom"), "Idempotency-Key": "nom-le-thi-thu"}
    first = client.post("/api/nominations", headers=headers, json=body)
    return ok(first, 201), (headers, body)


def test_personal_data_is_sealed_in_the_log_the_read_models_and_kept_answers(
        client, world, rt, decided, nominated):
    created, (headers, body) = nominated
    assert created["recipient"]["citizen_id"] == NOMINEE_CCCD  # its nominator reads what she typed
    stored = raw_text(rt)
    assert "Nguyễn Thị Hồng Nhung" in stored and "enc1:" in stored  # the award is there, sealed
    for secret in (CCCD, BORN, CCCD2, BORN2, NOMINEE_CCCD, NOMINEE_BORN):
        assert secret not in stored, secret
    # …and still read by those whose grants cover it, from the aggregates and the read models
    decision = ok(client.get(f"/api/decisions/{decided['id']}", headers=world.h("hn.appr")))
    assert [line["recipient"]["citizen_id"] for line in decision["lines"]] == [CCCD, CCCD2]
    assert [line["recipient"]["birth_date"] for line in decision["lines"]] == [BORN, BORN2]
    registry = ok(client.get("/api/registry", params={"q": "hong nhung"},
                             headers=world.h("hn.appr")))
    assert registry["items"][0]["recipient"]["citizen_id"] == CCCD
    nomination = ok(client.get(f"/api/nominations/{created['id']}", headers=world.h("xd.nom")))
    assert nomination["recipient"]["birth_date"] == NOMINEE_BORN
    # the retried create gets its first answer back, personal data and all, recorded once
    again = client.post("/api/nominations", headers=headers, json=body)
    assert again.headers.get("idempotent-replayed") == "true"
    assert ok(again, 201) == created
    # a reader outside the grants still sees neither
    outside = client.get(f"/api/decisions/{decided['id']}", headers=world.h("nt.nom")).text
    assert CCCD not in outside and "enc1:" not in outside


def test_a_citizen_id_still_identifies_a_person_across_records(client, world, decided):
    """The identity key of a person with a citizen ID is a keyed pseudonym of it: the same person
    recorded again is the same person (the once-per-achievement rule still applies)."""
    refused = client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "13/QĐ-HPN", "decided_on": "2024-05-02", "award_kind": "bang_khen_hoi_tinh",
        "issuer": {"unit_id": world.u("hanoi")}, "signer": {"name": "Lê Thị Hương"},
        "lines": [{"recipient": person("Nguyễn T. H. Nhung", CCCD, BORN, world.u("xd")),
                   "period": "2023"}]})
    assert refused.status_code == 409, refused.text


def test_a_store_without_its_keys_shows_no_personal_data_and_the_same_totals(
        client, world, rt, settings, clock, decided):
    totals = ok(client.get("/api/registry/totals", headers=world.h("admin")))
    lines_before = ok(client.get("/api/registry", headers=world.h("admin")))["items"]
    # the keys gone (as with a copy of the database without its key table and master key)
    with rt.personal.db.write() as cur:
        cur.execute(f"DELETE FROM {KEY_TABLE}")
    (settings.data_dir / KEY_FILE).unlink()
    with Runtime(settings, clock=clock) as bare:
        bare.runner.rebuild()
        from fastapi.testclient import TestClient

        from services.api import create_app
        with TestClient(create_app(bare)) as other:
            other_totals = ok(other.get("/api/registry/totals", headers=world.h("admin")))
            lines = ok(other.get("/api/registry", headers=world.h("admin")))["items"]
            decision = other.get(f"/api/decisions/{decided['id']}", headers=world.h("admin"))
    assert other_totals == totals
    assert [(x["recipient"]["name"], x["amount"]) for x in lines] == \
        [(x["recipient"]["name"], x["amount"]) for x in lines_before]
    shown = ok(decision)
    for line in shown["lines"]:
        assert line["recipient"]["citizen_id"] is None and line["recipient"]["birth_date"] is None
        assert line["recipient"]["personal_data_erased"] is True
    assert CCCD not in decision.text and "enc1:" not in decision.text


def test_erasing_a_person_keeps_her_award_and_forgets_her_personal_data(
        client, world, rt, decided):
    lookup = ok(client.post("/api/personal-data/lookup", headers=world.h("admin"),
                            json={"citizen_id": CCCD}))
    assert lookup["name"] == "Nguyễn Thị Hồng Nhung" and lookup["records"] == 1
    assert lookup["personal_data_held"] is True and CCCD not in str(lookup)
    totals = ok(client.get("/api/registry/totals", headers=world.h("admin")))
    erased = ok(client.post("/api/personal-data/erasures", headers=world.h("admin"), json={
        "citizen_id": CCCD, "reason": "Theo đơn đề nghị ngày 01/12/2026 của bà Nhung"}), 201)
    assert erased["erased"] is True and erased["personal_data_held"] is False
    decision = ok(client.get(f"/api/decisions/{decided['id']}", headers=world.h("hn.appr")))
    first, second = decision["lines"]
    assert first["recipient"]["name"] == "Nguyễn Thị Hồng Nhung"  # the award stays
    assert first["recipient"]["citizen_id"] is None and first["recipient"]["birth_date"] is None
    assert first["recipient"]["personal_data_erased"] is True
    assert second["recipient"]["citizen_id"] == CCCD2  # the other person's data is untouched
    assert ok(client.get("/api/registry/totals", headers=world.h("admin"))) == totals
    page = client.get(f"/decisions/{decided['id']}", headers=world.h("hn.appr"))
    assert page.status_code == 200 and CCCD not in page.text and "enc1:" not in page.text
    # once erased, it cannot be erased again; the audit trail says who did it and why
    err(client.post("/api/personal-data/erasures", headers=world.h("admin"), json={
        "citizen_id": CCCD, "reason": "Lần thứ hai"}), 409, "personal_data.already_erased")
    trail = ok(client.get("/api/audit", params={"kind": "personal_data_erasure"},
                          headers=world.h("admin")))
    [row] = trail["items"]
    assert row["actor"] == "admin" and "01/12/2026" in row["reason"]
    assert CCCD not in str(trail)
    # a rebuild from zero reads the same: the key is gone, not the events
    rt.runner.rebuild()
    again = ok(client.get(f"/api/decisions/{decided['id']}", headers=world.h("hn.appr")))
    assert again == decision


def test_erasure_refusals_record_nothing(client, world, decided, outsider):
    position = head(client)
    asked = {"citizen_id": CCCD, "reason": "Theo đơn đề nghị"}
    # not an admin: 403; an admin over other units is not told whether anyone by that CCCD
    # exists: the same 403 for a person recorded elsewhere and for nobody
    err(client.post("/api/personal-data/erasures", headers=world.h("xd.nom"), json=asked), 403,
        "auth.role_required")
    elsewhere = err(client.post("/api/personal-data/erasures", headers=world.h(outsider),
                                json=asked), 403, "personal_data.outside_your_units")
    nobody = err(client.post("/api/personal-data/erasures", headers=world.h(outsider),
                             json={**asked, "citizen_id": "999999999999"}), 403,
                 "personal_data.outside_your_units")
    assert elsewhere == nobody
    # the admin of the whole tree is told what is wrong
    for body, status, code in (
        ({"citizen_id": "123", "reason": "Theo đơn đề nghị"}, 422, "validation.invalid"),
        ({"citizen_id": "999999999999", "reason": "Theo đơn đề nghị"}, 422,
         "personal_data.person_not_found"),
        ({"recipient_id": "r-000", "reason": "Theo đơn đề nghị"}, 422,
         "personal_data.person_not_found"),
        ({"reason": "Theo đơn đề nghị"}, 422, "validation.invalid"),
        ({"citizen_id": CCCD, "reason": "  "}, 422, "validation.invalid"),
    ):
        err(client.post("/api/personal-data/erasures", headers=world.h("admin"), json=body),
            status, code)
    assert head(client) == position
    shown = ok(client.get(f"/api/decisions/{decided['id']}", headers=world.h("hn.appr")))
    assert shown["lines"][0]["recipient"]["citizen_id"] == CCCD


def test_a_province_admin_erases_by_the_registry_s_public_id(client, world, decided):
    found = ok(client.get("/api/registry/recipients", params={"q": "tran thi mai"},
                          headers=world.h("hn.admin")))
    [mai] = found["items"]
    ok(client.post("/api/personal-data/erasures", headers=world.h("hn.admin"), json={
        "recipient_id": mai["key"], "reason": "Theo đơn đề nghị của bà Mai"}), 201)
    decision = ok(client.get(f"/api/decisions/{decided['id']}", headers=world.h("hn.appr")))
    assert decision["lines"][1]["recipient"]["citizen_id"] is None
    assert decision["lines"][0]["recipient"]["citizen_id"] == CCCD
    # her page says so to those who would have seen her data, and not to others
    said = client.get(f"/registry/recipients/{mai['key']}", headers=world.h("hn.appr"))
    assert said.status_code == 200 and "Đã xóa theo yêu cầu" in said.text
    unsaid = client.get(f"/registry/recipients/{mai['key']}", headers=world.h("nt.nom"))
    assert unsaid.status_code == 200 and "Đã xóa theo yêu cầu" not in unsaid.text


def test_the_master_key_is_rotated_without_touching_the_events(
        client, world, rt, settings, clock, decided):
    old = (settings.data_dir / KEY_FILE).read_text().strip()
    new = new_master_key()
    events = head(client)
    with Runtime(replace(settings, personal_data_key=new, personal_data_key_previous=old),
                 clock=clock) as both:
        assert both.personal.rotate() >= 3  # the index key and one key per person
    with Runtime(replace(settings, personal_data_key=new), clock=clock) as rotated:
        from fastapi.testclient import TestClient

        from services.api import create_app
        with TestClient(create_app(rotated)) as other:
            shown = ok(other.get(f"/api/decisions/{decided['id']}",
                                 headers=world.h("hn.appr")))
            assert shown["lines"][0]["recipient"]["citizen_id"] == CCCD
            assert head(other) == events
    with pytest.raises(PersonalKeyMismatch):
        Runtime(replace(settings, personal_data_key=old), clock=clock)


def test_the_cli_makes_a_key_rotates_to_it_and_erases(client, world, rt, settings, decided, tdkt):
    made = tdkt(settings, "personal-data", "new-key").stdout.strip()
    assert len(master_key(made)) == 32
    old = (settings.data_dir / KEY_FILE).read_text().strip()
    rotating = replace(settings, personal_data_key=made, personal_data_key_previous=old)
    assert "Đã bọc lại" in tdkt(rotating, "personal-data", "rotate").stdout
    erased = tdkt(replace(settings, personal_data_key=made), "personal-data", "erase",
                  "--citizen-id", CCCD, "--reason", "Theo đơn đề nghị ngày 01/12/2026").stdout
    assert "Đã xóa dữ liệu cá nhân của Nguyễn Thị Hồng Nhung (1 hồ sơ nêu tên)" in erased
    refused = tdkt(replace(settings, personal_data_key=made), "personal-data", "erase",
                   "--citizen-id", "12", "--reason", "Theo đơn", code=2)
    assert "12 (hoặc 9) chữ số" in refused.output
    with Runtime(replace(settings, personal_data_key=made)) as after:
        assert not after.personal.has_key(after.personal.pseudonym(f"cccd:{CCCD}"))
        assert after.personal.has_key(after.personal.pseudonym(f"cccd:{CCCD2}"))
