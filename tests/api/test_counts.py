"""Counts that do not pretend, read back from outside on both stores: a collective given a Bằng
khen and a Cờ thi đua at one conference is "1 tập thể nhận 2 hình thức khen thưởng" — in the
decision's totals and page, the ceremony's totals, page and reconciliation, the registry's totals
in every grouping, the exports, the decision document and the payout sheet — and a person
awarded in two decisions of that conference is one person. Revoked lines count in neither."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from projections.registry import GROUP_NAMES
from tests.helpers import ok

COLLECTIVE = "Chi hội phụ nữ tổ dân phố số 1"
TWO_FORMS = "1 tập thể nhận 2 hình thức khen thưởng"
BOTH = f"{TWO_FORMS}, 2 cá nhân nhận 3 hình thức khen thưởng"


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 6, 30)


def person(world, name: str, year: int, unit: str) -> dict:
    return {"kind": "individual", "name": name, "birth_year": year, "unit_id": world.u(unit)}


@pytest.fixture
def conference(client, world):
    """TW Hội gives Chi hội số 1 a Bằng khen and a Cờ thi đua, and Nguyễn Thị Hồng Nhung a Bằng
    khen; Hội LHPN quận gives her and Trần Thị Lan a Giấy khen; both decisions are presented at
    one conference."""
    unit = {"kind": "collective", "name": COLLECTIVE, "unit_id": world.u("xd")}
    nhung = person(world, "Nguyễn Thị Hồng Nhung", 1980, "xd")
    central = ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
        "number": "12/QĐ-ĐCT", "decided_on": "2024-01-05", "issuer": {"unit_id": world.u("root")},
        "award_kind": "bang_khen_tw_hoi", "period": "2023",
        "achievement": "Đã có thành tích xuất sắc trong công tác Hội năm 2023",
        "signer": {"name": "Hà Thị Nga", "title": "TM. Đoàn Chủ tịch – Chủ tịch"},
        "lines": [
            {"recipient": unit, "amount": 2_000_000},
            {"recipient": unit, "award_kind": "co_thi_dua_hoi", "amount": 3_000_000},
            {"recipient": nhung, "amount": 1_000_000},
        ]}), 201)
    district = ok(client.post("/api/decisions", headers=world.h("btl.appr"), json={
        "number": "05/QĐ-HPN", "decided_on": "2024-01-08", "issuer": {"unit_id": world.u("btl")},
        "award_kind": "giay_khen_hoi", "period": "2023",
        "lines": [{"recipient": nhung, "amount": 300_000},
                  {"recipient": person(world, "Trần Thị Lan", 1975, "cn1"), "amount": 300_000}],
    }), 201)
    ceremony = ok(client.post("/api/ceremonies", headers=world.h("tw.appr"), json={
        "title": "Hội nghị tổng kết năm 2023", "held_on": "2024-01-09", "place": "Hà Nội",
        "host_unit_id": world.u("root"), "decision_ids": [central["id"], district["id"]],
        "announced_total": 6_600_000}), 201)
    return {"central": central, "district": district, "ceremony": ceremony}


def get(client, world, path, **params):
    return ok(client.get(path, params=params, headers=world.h("admin")))


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def revoke(client, world, decision, line_no, user):
    ok(client.post(f"/api/decisions/{decision['id']}/lines/{line_no}/revoke",
                   headers=world.h(user), json={"revoked_on": "2024-03-01", "ground": "a",
                                                "reason": "Kê khai thành tích không đúng"}))


def test_a_decision_counts_the_collective_once(client, world, conference):
    decision = get(client, world, f"/api/decisions/{conference['central']['id']}")
    totals = decision["totals"]
    assert (totals["lines"], totals["collectives"], totals["individuals"]) == (3, 2, 1)
    assert totals["recipients"] == {"individual": 1, "collective": 1, "household": 0}
    assert totals["counts_text"] == f"{TWO_FORMS}, 1 cá nhân"
    page = text(client.get(f"/decisions/{conference['central']['id']}",
                           headers=world.h("tw.appr")).text)
    assert f"Số lượng {TWO_FORMS}, 1 cá nhân" in page
    # as many recipients as lines: said as before
    district = get(client, world, f"/api/decisions/{conference['district']['id']}")["totals"]
    assert district["counts_text"] == "0 tập thể, 2 cá nhân"


def test_the_decision_document_says_one_collective_with_two_forms(client, world, conference):
    did = conference["central"]["id"]
    pdf = client.get(f"/api/decisions/{did}/document.pdf", headers=world.h("admin"))
    docx = client.get(f"/api/decisions/{did}/document.docx", headers=world.h("admin"))
    assert pdf.status_code == docx.status_code == 200
    said_pdf = " ".join("\n".join(p.extract_text() for p in
                                  PdfReader(io.BytesIO(pdf.content)).pages).split())
    said_docx = " ".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    for said in (said_pdf, said_docx):
        assert f"cho {TWO_FORMS} và 1 cá nhân (có danh sách kèm theo)" in said, said[:1500]


def test_a_person_in_two_decisions_of_a_ceremony_is_one_person(client, world, conference):
    cid = conference["ceremony"]["id"]
    shown = get(client, world, f"/api/ceremonies/{cid}")["totals"]
    assert (shown["lines"], shown["collectives"], shown["individuals"]) == (5, 2, 3)
    assert shown["recipients"] == {"individual": 2, "collective": 1, "household": 0}
    assert shown["counts_text"] == BOTH
    reconciled = get(client, world, f"/api/ceremonies/{cid}/reconciliation")
    total = reconciled["totals"]["total"]
    assert total["recipients"] == shown["recipients"]
    assert total["summary"] == f"Tổng cộng: {BOTH}, 6.600.000 đ"
    by_decision = {g["key"]: g for g in reconciled["totals"]["groups"]}
    assert by_decision[conference["central"]["id"]]["counts_text"] == f"{TWO_FORMS}, 1 cá nhân"
    assert by_decision[conference["district"]["id"]]["counts_text"] == "2 cá nhân"
    page = text(client.get(f"/ceremonies/{cid}", headers=world.h("tw.appr")).text)
    assert f"Được khen thưởng {BOTH}" in page
    payout = get(client, world, f"/api/ceremonies/{cid}/payout")["totals"]
    assert (payout["recipients"], payout["counts_text"]) == (shown["recipients"], BOTH)


@pytest.mark.parametrize("when", [{}, {"as_of": "2024-06-30"}])
def test_registry_totals_count_recipients_in_every_grouping(client, world, conference, when):
    """Every grouping, from the running totals (now) and from the lines (as of a date)."""
    total = get(client, world, "/api/registry/totals", **when)["total"]
    assert total["recipients"] == {"individual": 2, "collective": 1, "household": 0}
    assert total["summary"] == f"Tổng cộng: {BOTH}, 6.600.000 đ"
    central, district = conference["central"]["id"], conference["district"]["id"]
    expected = {  # grouping → {group key or label: counts in words}
        "decision": {central: f"{TWO_FORMS}, 1 cá nhân", district: "2 cá nhân"},
        "ceremony": {conference["ceremony"]["id"]: BOTH},
        "year": {"2024": BOTH},
        "award_kind": {"bang_khen_tw_hoi": "1 tập thể, 1 cá nhân", "co_thi_dua_hoi": "1 tập thể",
                       "giay_khen_hoi": "2 cá nhân"},
        "recipient_kind": {"collective": TWO_FORMS,
                           "individual": "2 cá nhân nhận 3 hình thức khen thưởng"},
        "amount_source": {"decided": BOTH},
        "funding": {"union": BOTH},
        "issuer": {"Trung ương Hội LHPN Việt Nam": f"{TWO_FORMS}, 1 cá nhân",
                   "Hội LHPN quận Bắc Từ Liêm": "2 cá nhân"},
        "unit": {"Hội LHPN phường Xuân Đỉnh":
                 f"{TWO_FORMS}, 1 cá nhân nhận 2 hình thức khen thưởng",
                 "Hội LHPN phường Cổ Nhuế 1": "1 cá nhân"},
    }
    assert set(expected) == set(GROUP_NAMES)
    for group_by, want in expected.items():
        found = get(client, world, "/api/registry/totals", group_by=group_by, **when)
        got = {(g["label"] if group_by in ("issuer", "unit") else g["key"]): g["counts_text"]
               for g in found["groups"]}
        assert got == want, group_by
        for g in found["groups"]:
            assert g["summary"].startswith(f"{g['label']}: {g['counts_text']}, ")
    page = text(client.get("/registry", params={"group_by": "decision", **when},
                           headers=world.h("admin")).text)
    assert "Tổng cộng 1 (2 khen thưởng) 2 (3 khen thưởng) 6.600.000 đ" in page
    assert f"Tổng cộng: {BOTH}, 6.600.000 đ." in page


def test_exports_say_the_recipients_and_their_awards(client, world, conference):
    ceremony = client.get(f"/api/ceremonies/{conference['ceremony']['id']}/export.csv",
                          headers=world.h("admin")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(ceremony)))
    assert rows[0] == ["Nhóm", "Tập thể", "Cá nhân", "Hộ gia đình", "Số khen thưởng",
                       "Số tiền (đồng)", "Dòng không ghi số tiền", "Diễn giải"]
    by_label = {r[0].split(" — ")[0]: r for r in rows[1:3]}
    assert by_label["12/QĐ-ĐCT"][1:] == ["1", "1", "0", "3", "6000000", "0",
                                          f"{TWO_FORMS}, 1 cá nhân"]
    assert by_label["05/QĐ-HPN"][1:] == ["0", "2", "0", "2", "600000", "0", "2 cá nhân"]
    assert [f"Tổng cộng: {BOTH}, 6.600.000 đ"] in rows
    sheet = load_workbook(io.BytesIO(client.get(
        f"/api/ceremonies/{conference['ceremony']['id']}/export.xlsx",
        headers=world.h("admin")).content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert f"{TWO_FORMS}, 1 cá nhân" in cells and f"Tổng cộng: {BOTH}, 6.600.000 đ" in cells

    registry = client.get("/api/registry/export.csv", headers=world.h("admin")).content
    assert f"Tổng cộng: {BOTH}, 6.600.000 đ" in registry.decode("utf-8-sig")
    decision = client.get(f"/api/decisions/{conference['central']['id']}/export.csv",
                          headers=world.h("admin")).content.decode("utf-8-sig")
    assert f"Tổng cộng: {TWO_FORMS}, 1 cá nhân, 6.000.000 đ" in decision

    sheet = load_workbook(io.BytesIO(client.get(
        f"/api/ceremonies/{conference['ceremony']['id']}/payout.xlsx",
        headers=world.h("admin")).content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert f"Tổng cộng: {BOTH}, 6.600.000 đ" in cells
    assert any(str(c).startswith("Cộng Quyết định số 12/QĐ-ĐCT")
               and str(c).endswith(f": {TWO_FORMS}, 1 cá nhân, 6.000.000 đ") for c in cells)


def test_revoked_lines_count_in_neither_lines_nor_recipients(client, world, conference):
    revoke(client, world, conference["central"], 2, "tw.appr")  # the Cờ thi đua
    revoke(client, world, conference["district"], 1, "btl.appr")  # Nhung's Giấy khen
    cid = conference["ceremony"]["id"]
    shown = get(client, world, f"/api/ceremonies/{cid}")["totals"]
    assert (shown["lines"], shown["collectives"], shown["individuals"]) == (3, 1, 2)
    assert shown["recipients"] == {"individual": 2, "collective": 1, "household": 0}
    assert shown["counts_text"] == "1 tập thể, 2 cá nhân"
    for when in ({}, {"as_of": "2024-06-30"}):
        total = get(client, world, "/api/registry/totals", **when)["total"]
        assert (total["lines"], total["recipients"]) == (3, shown["recipients"]), when
        assert total["summary"] == "Tổng cộng: 1 tập thể, 2 cá nhân, 3.300.000 đ"
    before = get(client, world, "/api/registry/totals", as_of="2024-02-29")["total"]
    assert before["summary"] == f"Tổng cộng: {BOTH}, 6.600.000 đ"
    decision = get(client, world, f"/api/decisions/{conference['central']['id']}")["totals"]
    assert (decision["recipients"]["collective"], decision["counts_text"]) == (
        1, "1 tập thể, 1 cá nhân")
    revoke(client, world, conference["district"], 2, "btl.appr")  # Trần Thị Lan: nobody else
    total = get(client, world, "/api/registry/totals", ceremony_id=cid)["total"]
    assert total["recipients"] == {"individual": 1, "collective": 1, "household": 0}
    assert get(client, world, f"/api/ceremonies/{cid}")["totals"]["counts_text"] == (
        "1 tập thể, 1 cá nhân")
