"""Recording what a source states (issue 17, part 2), on both stores: an outside decision whose
forms are not in the catalogue — «Biểu dương», a Huân chương without its class, a cash-only
«Thưởng nóng» — recorded with the source's own wording and read back from the decision, the
registry, the exports and the document, marked as awaiting mapping; a Union unit's own decision
may not use them (nothing recorded); the office maps a line to a catalogue kind later — the
registry shows the kind, the history both — within the recipient's kind and the issuer's
authority."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from docx import Document

from tests.helpers import form_data, head, nothing_recorded, ok, page_login, refused

MARK = " (theo văn bản; chưa đối chiếu danh mục)"
STATE = {"body": "government", "level": "province", "name": "Ủy ban nhân dân thành phố Hà Nội"}


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2026, 3, 2)


def person(world, name: str, year: int, unit: str = "xd") -> dict[str, Any]:
    return {"kind": "individual", "name": name, "birth_year": year, "gender": "female",
            "unit_id": world.u(unit)}


def record_stated(client, world) -> dict[str, Any]:
    return ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "812/QĐ-UBND", "decided_on": "2026-01-15", "issuer": STATE,
        "recorded_by_unit_id": world.u("hanoi"), "period": "2025",
        "award_kind": "bang_khen_ubnd_tinh",  # the decision's default: stated lines take none
        "lines": [
            {"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980),
             "award_as_stated": "Biểu dương"},
            {"recipient": {"kind": "collective", "org_unit_id": world.u("cn1")},
             "award_as_stated": "Huân chương Lao động"},
            {"recipient": person(world, "Lê Thị Mai", 1968),
             "award_as_stated": "Thưởng nóng", "amount": 2_000_000},
            {"recipient": person(world, "Lê Thị Mai", 1968)},  # a catalogue line beside them
        ]}), 201)


def registry(client, world) -> dict[tuple[str, str], dict[str, Any]]:
    items = ok(client.get("/api/registry", params={"status": "all"},
                          headers=world.h("admin")))["items"]
    return {(row["recipient"]["name"], row["award_kind"]): row for row in items}


def test_an_outside_decision_records_the_forms_its_source_states(client, world):
    decision = record_stated(client, world)
    lines = decision["lines"]
    assert [(li["award_kind"], li["award_as_stated"], li["awaits_mapping"]) for li in lines] == [
        ("as_stated", "Biểu dương", True), ("as_stated", "Huân chương Lao động", True),
        ("as_stated", "Thưởng nóng", True), ("bang_khen_ubnd_tinh", None, False)]
    assert [li["award_title"] for li in lines[:3]] == [
        "Biểu dương" + MARK, "Huân chương Lao động" + MARK, "Thưởng nóng" + MARK]
    assert [(li["amount"], li["amount_source"]) for li in lines[:3]] == [
        (None, "not_stated"), (None, "not_stated"), (2_000_000, "decided")]
    again = ok(client.get(f"/api/decisions/{decision['id']}", headers=world.h("admin")))
    assert again["lines"] == decision["lines"]

    rows = registry(client, world)
    assert rows[("Nguyễn Thị Hồng Nhung", "as_stated")]["award_title"] == "Biểu dương" + MARK
    assert rows[("Hội LHPN phường Cổ Nhuế 1", "as_stated")]["award_as_stated"] \
        == "Huân chương Lao động"
    mai = rows[("Lê Thị Mai", "as_stated")]
    assert mai["award_title"] == "Thưởng nóng" + MARK and mai["amount"] == 2_000_000
    assert rows[("Lê Thị Mai", "bang_khen_ubnd_tinh")]["award_as_stated"] is None

    for path in ("/api/registry/export.csv", f"/api/decisions/{decision['id']}/export.csv"):
        text = client.get(path, headers=world.h("admin")).content.decode("utf-8-sig")
        for wording in ("Biểu dương", "Huân chương Lao động", "Thưởng nóng"):
            assert wording + MARK in text, (path, wording)
    docx = client.get(f"/api/decisions/{decision['id']}/document.docx", headers=world.h("admin"))
    assert docx.status_code == 200
    words = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Biểu dương" + MARK in words and "Thưởng nóng" + MARK in words


def test_two_stated_forms_for_one_period_are_two_awards_the_same_one_twice_is_not(client, world):
    record_stated(client, world)
    again = client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "813/QĐ-UBND", "decided_on": "2026-01-16", "issuer": STATE,
        "recorded_by_unit_id": world.u("hanoi"), "period": "2025",
        "lines": [{"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980),
                   "award_as_stated": "biểu dương"}]})
    refused(again, 409, "award.achievement_already_awarded")
    ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "814/QĐ-UBND", "decided_on": "2026-01-16", "issuer": STATE,
        "recorded_by_unit_id": world.u("hanoi"), "period": "2025",
        "lines": [{"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980),
                   "award_as_stated": "Tuyên dương"}]}), 201)


def test_a_union_units_own_decision_must_use_the_catalogue(client, world):
    own = {"number": "15/QĐ-HPN", "decided_on": "2026-01-15",
           "issuer": {"unit_id": world.u("hanoi")}, "period": "2025",
           "lines": [{"recipient": person(world, "Vũ Thị Lan", 1990),
                      "award_as_stated": "Biểu dương"}]}
    with nothing_recorded(client, world, "/api/registry?status=all", "/api/decisions"):
        body = refused(client.post("/api/decisions", json=own, headers=world.h("hn.appr")), 422,
                       "award_kind.as_stated_internal")
        assert "danh mục" in body["message"] and "«Biểu dương»" in body["message"]
        # nor the as-stated kind by its code, without the wording
        own["lines"] = [{"recipient": person(world, "Vũ Thị Lan", 1990),
                         "award_kind": "as_stated"}]
        refused(client.post("/api/decisions", json=own, headers=world.h("hn.appr")), 422,
                "validation.invalid")


def test_mapping_a_stated_line_to_a_catalogue_kind(client, world):
    decision = record_stated(client, world)
    url = f"/api/decisions/{decision['id']}/lines/1/kind"
    with nothing_recorded(client, world, f"/api/decisions/{decision['id']}"):
        # a collective-only kind for a person; the Prime Minister's Bằng khen from the city
        refused(client.post(url, headers=world.h("hn.appr"), json={
            "award_kind": "tap_the_lao_dong_tien_tien", "reason": "Đối chiếu"}), 422,
            "award_kind.recipient_not_allowed")
        refused(client.post(url, headers=world.h("hn.appr"), json={
            "award_kind": "bang_khen_thu_tuong", "reason": "Đối chiếu"}), 409,
            "award_kind.above_authority")
        refused(client.post(f"/api/decisions/{decision['id']}/lines/2/kind",
                            headers=world.h("hn.appr"),
                            json={"award_kind": "huan_chuong_lao_dong_hang_ba",
                                  "reason": "Đối chiếu"}), 409, "award_kind.above_authority")
        refused(client.post(f"/api/decisions/{decision['id']}/lines/4/kind",
                            headers=world.h("hn.appr"),
                            json={"award_kind": "giay_khen_ubnd_xa", "reason": "Đối chiếu"}),
                409, "decision.line_not_as_stated")
        refused(client.post(url, headers=world.h("xd.nom"), json={
            "award_kind": "bang_khen_ubnd_tinh", "reason": "Đối chiếu"}), 403, "auth.role_required")
        # Lê Thị Mai already holds the city's Bằng khen for 2025 (line 4)
        refused(client.post(f"/api/decisions/{decision['id']}/lines/3/kind",
                            headers=world.h("hn.appr"),
                            json={"award_kind": "bang_khen_ubnd_tinh", "reason": "Đối chiếu"}),
                409, "award.achievement_already_awarded")

    mapped = ok(client.post(url, headers=world.h("hn.appr"), json={
        "award_kind": "bang_khen_ubnd_tinh",
        "reason": "Công văn 12/UBND-TĐKT: biểu dương là Bằng khen của Chủ tịch UBND thành phố"}))
    line = mapped["lines"][0]
    assert (line["award_kind"], line["award_as_stated"], line["awaits_mapping"]) == (
        "bang_khen_ubnd_tinh", "Biểu dương", False)
    assert line["award_title"].startswith("Bằng khen") and "theo văn bản" not in line["award_title"]

    rows = registry(client, world)
    nhung = rows[("Nguyễn Thị Hồng Nhung", "bang_khen_ubnd_tinh")]
    assert nhung["award_as_stated"] == "Biểu dương" and not nhung["awaits_mapping"]
    assert "theo văn bản" not in nhung["award_title"]
    # filters and totals by kind count the mapped line under its catalogue kind, from the
    # running totals (now) and from the lines (as of today) alike
    by_kind = {"award_kind": "bang_khen_ubnd_tinh", "decision_id": decision["id"]}
    filtered = ok(client.get("/api/registry", params=by_kind, headers=world.h("admin")))
    assert "Nguyễn Thị Hồng Nhung" in {i["recipient"]["name"] for i in filtered["items"]}
    for extra in ({}, {"as_of": "2026-12-31"}):
        totals = ok(client.get("/api/registry/totals", headers=world.h("admin"), params={
            "group_by": "award_kind", "unit_id": world.u("hanoi"), **extra}))
        kinds = {g["key"]: g["lines"] for g in totals["groups"]}
        stated_left = sum(1 for line in mapped["lines"] if line["award_kind"] == "as_stated"
                          and line["revoked_on"] is None)
        assert kinds.get("as_stated", 0) == stated_left, (extra, kinds)
        assert kinds.get("bang_khen_ubnd_tinh", 0) >= 1, (extra, kinds)

    history = ok(client.get(f"/api/decisions/{decision['id']}/history",
                            headers=world.h("admin")))["events"]
    assert history[0]["data"]["lines"][0]["award_as_stated"] == "Biểu dương"
    assert history[-1]["event"] == "AwardDecision.LineKindMapped"
    assert {k: history[-1]["data"][k] for k in ("line_no", "award_as_stated", "from_kind",
                                                 "award_kind")} == {
        "line_no": 1, "award_as_stated": "Biểu dương", "from_kind": "as_stated",
        "award_kind": "bang_khen_ubnd_tinh"}
    assert history[-1]["by"] == "hn.appr" and history[-1]["data"]["reason"].startswith("Công văn")

    # the claim moved: the same person's city Bằng khen for 2025 is now taken
    refused(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "900/QĐ-UBND", "decided_on": "2026-02-01", "issuer": STATE,
        "recorded_by_unit_id": world.u("hanoi"), "period": "2025",
        "award_kind": "bang_khen_ubnd_tinh",
        "lines": [{"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980)}]}), 409,
        "award.achievement_already_awarded")
    # and revoking the mapped line releases it
    ok(client.post(url.replace("/kind", "/revoke"), headers=world.h("hn.appr"), json={
        "revoked_on": "2026-02-10", "ground": "other", "reason": "Ghi nhầm"}))
    ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "901/QĐ-UBND", "decided_on": "2026-02-11", "issuer": STATE,
        "recorded_by_unit_id": world.u("hanoi"), "period": "2025",
        "award_kind": "bang_khen_ubnd_tinh",
        "lines": [{"recipient": person(world, "Nguyễn Thị Hồng Nhung", 1980)}]}), 201)


def text_of(page) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def test_the_pages_record_a_stated_form_and_map_it_after_a_confirmation(client, world):
    assert page_login(client, "hn.appr").status_code == 303
    form = client.get("/decisions/outside", params={"unit_id": world.u("hanoi")})
    assert "Hình thức khác (ghi theo văn bản)" in form.text and "l-1-award_as_stated" in form.text
    fields = {
        "unit_id": world.u("hanoi"), "outside": "1", "issuer_body": "government",
        "issuer_level": "province", "issuer_name": STATE["name"], "number": "812/QĐ-UBND",
        "decided_on": "15/01/2026", "signer_title": "Chủ tịch", "signer_name": "Trần Sỹ Thanh",
        "award_kind": "", "period": "2025", "amount_mode": "", "achievement": "",
        "l-1-kind": "individual", "l-1-name": "Nguyễn Thị Hồng Nhung", "l-1-gender": "female",
        "l-1-birth_year": "1980", "l-1-unit": "Hội LHPN phường Xuân Đỉnh",
        "l-1-award_kind": "as_stated", "l-1-award_as_stated": "Biểu dương",
        "action": "preview",
    }
    preview = client.post("/decisions/compose", data=form_data(client, fields))
    assert preview.status_code == 200, text_of(preview)[:3000]
    assert "Biểu dương" + MARK in text_of(preview)
    state = unescape(re.search(r'name="state" value="([^"]+)"', preview.text).group(1))
    done = client.post("/decisions/compose/issue",
                       data=form_data(client, {"state": state, "confirm": "1"}))
    assert done.status_code == 200 and "Biểu dương" + MARK in text_of(done)
    assert "Đối chiếu với danh mục" in done.text
    decision_id = re.search(r'action="/decisions/([0-9a-f-]+)/lines/1/kind"', done.text).group(1)

    url = f"/decisions/{decision_id}/lines/1/kind"
    before = head(client)
    check = client.post(url, data=form_data(client, {
        "step": "check", "award_kind": "bang_khen_ubnd_tinh", "reason": "Công văn 12/UBND"}))
    assert check.status_code == 200 and "Xác nhận đối chiếu" in check.text
    assert head(client) == before  # nothing recorded before the confirmation
    wrong = client.post(url, data=form_data(client, {
        "step": "check", "award_kind": "bang_khen_thu_tuong", "reason": "Công văn 12/UBND"}))
    assert wrong.status_code == 409 and head(client) == before
    mapped = client.post(url, data=form_data(client, {
        "step": "confirm", "award_kind": "bang_khen_ubnd_tinh", "reason": "Công văn 12/UBND"}))
    assert mapped.status_code == 200, text_of(mapped)[:2000]
    page = text_of(mapped)
    assert "Đã đối chiếu hình thức ghi theo văn bản với danh mục." in page
    assert "Theo văn bản: «Biểu dương»" in page and "«Biểu dương» (theo văn bản) →" in page
