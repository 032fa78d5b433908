"""The award registry through the API, on both stores: who received what, totals that add up,
reconciliation, answers as of a date or a log position, award history, queues and exports."""

from __future__ import annotations

import csv
import io
import time
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.helpers import err, ok


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2025, 3, 1)


def person(name: str, year: int, unit: str | None = None, **extra) -> dict[str, Any]:
    out = {"kind": "individual", "name": name, "birth_year": year, **extra}
    if unit:
        out["unit_id"] = unit
    return out


def decide(client, world, user, unit, number, decided_on, lines, **extra) -> dict:
    body = {"number": number, "decided_on": decided_on, "issuer": {"unit_id": world.u(unit)},
            "lines": lines, **extra}
    return ok(client.post("/api/decisions", json=body, headers=world.h(user)), 201)


def record_outside(client, world, number, decided_on, lines) -> dict:
    body = {"number": number, "decided_on": decided_on, "recorded_by_unit_id": world.u("btl"),
            "issuer": {"body": "government", "level": "district",
                       "name": "Ủy ban nhân dân quận Bắc Từ Liêm"},
            "award_kind": "giay_khen_ubnd_huyen", "period": "2023", "lines": lines}
    return ok(client.post("/api/decisions", json=body, headers=world.h("btl.appr")), 201)


@pytest.fixture
def history(client, world):
    """Three decisions over 2024 and a revocation in 2025, as an office would record them."""
    xd, cn1, nt = world.u("xd"), world.u("cn1"), world.u("nt")
    nhung = person("Nguyễn Thị Hồng Nhung", 1980, xd)
    ubnd = record_outside(client, world, "35/QĐ-UBND", "2024-01-05", [
        {"recipient": {"kind": "collective", "name": "Chi hội phụ nữ tổ dân phố số 1",
                       "unit_id": xd}, "amount": 1_440_000},
        {"recipient": {"kind": "collective", "name": "Chi hội phụ nữ tổ dân phố số 2",
                       "unit_id": cn1}, "amount": 1_440_000},
        {"recipient": nhung, "amount": 360_000},
        {"recipient": person("Trần Thị Lan", 1975, cn1), "amount": 360_000},
    ])
    hpn = decide(client, world, "btl.appr", "btl", "02/QĐ-HPN", "2024-01-08", [
        {"recipient": person("Đỗ Thị Hạnh", 1985, xd), "amount": 300_000},
        {"recipient": person("Lê Thị Ánh", 1990, cn1), "amount": 300_000},
        {"recipient": person("Lê Thị Anh", 1991, cn1)},
    ], award_kind="giay_khen_hoi", period="2023")
    tw = decide(client, world, "tw.appr", "root", "1630/QĐ-ĐCT", "2024-05-28", [
        {"recipient": nhung},
        {"recipient": person("Hoàng Thị Mai", 1978, nt)},
    ], award_kind="bang_khen_tw_hoi", period="2023")
    ok(client.post(f"/api/decisions/{hpn['id']}/lines/2/revoke", headers=world.h("btl.appr"),
                   json={"revoked_on": "2025-02-01", "ground": "a",
                         "reason": "Kê khai thành tích không đúng"}))
    ceremony = ok(client.post("/api/ceremonies", headers=world.h("btl.appr"), json={
        "title": "Hội nghị tổng kết năm 2023", "held_on": "2024-01-09", "place": "Bắc Từ Liêm",
        "host_unit_id": world.u("btl"), "decision_ids": [ubnd["id"], hpn["id"]],
        "announced_total": 5_000_000}), 201)
    return {"ubnd": ubnd, "hpn": hpn, "tw": tw, "ceremony": ceremony}


def get(client, world, path, **params):
    return ok(client.get(path, params=params, headers=world.h("admin")))


def test_registry_rows_carry_everything_an_office_reads(client, world, history):
    rows = get(client, world, "/api/registry", q="nguyen thi hong nhung")["items"]
    assert [r["decision"]["number"] for r in rows] == ["35/QĐ-UBND", "1630/QĐ-ĐCT"]
    first = rows[0]
    assert first["recipient"]["name"] == "Nguyễn Thị Hồng Nhung"
    assert [s["name"] for s in first["unit_path"]][-1] == "Hội LHPN phường Xuân Đỉnh"
    assert first["decision"]["issuer_name"] == "Ủy ban nhân dân quận Bắc Từ Liêm"
    assert (first["amount"], first["amount_source"]) == (360_000, "decided")
    assert first["ceremony"]["title"] == "Hội nghị tổng kết năm 2023"
    assert rows[1]["amount"] is None and rows[1]["amount_text"] == "không ghi số tiền"
    # case and diacritics do not matter; the list is in Vietnamese order (by given name)
    everyone = get(client, world, "/api/registry", status="all")["items"]
    names = [r["recipient"]["name"] for r in everyone if r["recipient"]["kind"] == "individual"]
    assert names.index("Lê Thị Anh") < names.index("Lê Thị Ánh") < names.index("Đỗ Thị Hạnh")
    assert names.index("Đỗ Thị Hạnh") < names.index("Trần Thị Lan") < names.index(
        "Hoàng Thị Mai")


@pytest.mark.parametrize(("q", "expected"), [
    ("hồng nhung", {"Nguyễn Thị Hồng Nhung"}),      # from any word on, with diacritics
    ("THI LAN", {"Trần Thị Lan"}),
    ("nguyễn thị h", {"Nguyễn Thị Hồng Nhung"}),    # the start of a word is enough
    ("anh", {"Lê Thị Ánh", "Lê Thị Anh"}),          # folding makes Ánh and Anh one search
    ("nh", {"Nguyễn Thị Hồng Nhung"}),
    ("đỗ", {"Đỗ Thị Hạnh"}),                         # đ folds to d
    ("guyen", set()),                                # inside a word: not a match
    ("so 1", {"Chi hội phụ nữ tổ dân phố số 1"}),
    ('"', set()), ("%", set()), ("_", set()), ("a\\b", set()), ("so 1 \"or\"", set()),
])
def test_name_search_finds_names_from_the_start_of_any_word(client, world, history, q, expected):
    rows = get(client, world, "/api/registry", q=q, status="all")["items"]
    assert {r["recipient"]["name"] for r in rows} == expected
    found = get(client, world, "/api/registry/recipients", q=q)["items"]
    assert {r["name"] for r in found} == expected


@pytest.mark.parametrize("scope", [{}, {"unit_id": "btl"}, {"q": "thi"}])
def test_pages_cover_every_line_once_in_name_order(client, world, history, scope):
    """Page by page (by the unit index for a unit, by one sorted pass otherwise), every line
    comes once, in Vietnamese order, each page telling the same total — past the end too."""
    params = {k: (world.u(v) if k == "unit_id" else v) for k, v in scope.items()}
    whole = get(client, world, "/api/registry", status="all", limit=500, **params)
    paged, offset = [], 0
    while True:
        page = get(client, world, "/api/registry", status="all", limit=3, offset=offset,
                   **params)
        assert page["total"] == whole["total"]
        if not page["items"]:
            break
        paged += page["items"]
        offset += 3
    assert offset >= whole["total"] > 3
    lines = [(r["decision_id"], r["line_no"]) for r in paged]
    assert lines == [(r["decision_id"], r["line_no"]) for r in whole["items"]]
    assert len(set(lines)) == len(lines) == whole["total"]
    names = [r["recipient"]["name"] for r in paged]
    assert names.index("Lê Thị Anh") < names.index("Lê Thị Ánh")  # Anh before Ánh


def test_totals_by_issuer_unit_year_kind_and_funding(client, world, history):
    by_issuer = get(client, world, "/api/registry/totals", group_by="issuer")
    summaries = [g["summary"] for g in by_issuer["groups"]]
    assert "Ủy ban nhân dân quận Bắc Từ Liêm: 2 tập thể, 2 cá nhân, 3.600.000 đ" in summaries
    # the revoked line is out; the line with no amount is counted, not summed
    assert "Hội LHPN quận Bắc Từ Liêm: 2 cá nhân, 300.000 đ (1 dòng không ghi số tiền)" \
        in summaries
    total = by_issuer["total"]
    assert (total["collectives"], total["individuals"], total["amount"]) == (2, 6, 3_900_000)
    assert total["lines_without_amount"] == 3

    # a district includes its communes (as they stood on each decision's date)
    btl = get(client, world, "/api/registry/totals", unit_id=world.u("btl"))["total"]
    assert (btl["lines"], btl["amount"]) == (7, 3_900_000)
    communes = get(client, world, "/api/registry/totals", group_by="unit", level="commune")
    by_name = {g["label"]: g for g in communes["groups"]}
    assert by_name["Hội LHPN phường Xuân Đỉnh"]["amount"] == 1_440_000 + 360_000 + 300_000
    assert by_name["Hội LHPN xã Nông Thượng"]["amount"] is None

    kinds = get(client, world, "/api/registry/totals", group_by="award_kind")
    assert {g["key"] for g in kinds["groups"]} == {"giay_khen_ubnd_huyen", "giay_khen_hoi",
                                                   "bang_khen_tw_hoi"}
    funding = {g["key"]: g["amount"] for g in
               get(client, world, "/api/registry/totals", group_by="funding")["groups"]}
    assert funding == {"government": 3_600_000, "union": 300_000}
    years = get(client, world, "/api/registry/totals", group_by="year")["groups"]
    assert [(g["key"], g["lines"]) for g in years] == [("2024", 8)]
    err(client.get("/api/registry/totals", params={"group_by": "colour"},
                   headers=world.h("admin")), 422)


def test_as_of_a_date_and_of_a_log_position(client, world, history):
    before_tw = get(client, world, "/api/registry/totals", as_of="2024-05-27")["total"]
    assert before_tw["lines"] == 7  # the May decision is absent
    before_revocation = get(client, world, "/api/registry/totals", as_of="2025-01-31")["total"]
    assert (before_revocation["lines"], before_revocation["amount"]) == (9, 4_200_000)
    after = get(client, world, "/api/registry/totals", as_of="2025-02-01")["total"]
    assert (after["lines"], after["amount"]) == (8, 3_900_000)
    revoked = get(client, world, "/api/registry", status="revoked")["items"]
    assert [r["recipient"]["name"] for r in revoked] == ["Lê Thị Ánh"]
    assert get(client, world, "/api/registry", status="revoked", as_of="2025-01-31")["total"] == 0

    # as of the log position right after the TW decision: the revocation is not yet recorded
    at = history["tw"]["position"]
    then = get(client, world, "/api/registry/totals", as_of_position=at)["total"]
    assert (then["lines"], then["amount"]) == (9, 4_200_000)
    at_start = get(client, world, "/api/registry/totals", as_of_position=history["ubnd"]
                   ["position"])["total"]
    assert (at_start["lines"], at_start["amount"]) == (4, 3_600_000)
    err(client.get("/api/registry/totals", params={"as_of": "2025-02-30"},
                   headers=world.h("admin")), 422)


def test_reconciliation_reads_the_announced_and_computed_totals(client, world, history):
    found = get(client, world, f"/api/ceremonies/{history['ceremony']['id']}/reconciliation")
    assert (found["announced"], found["computed"], found["difference"]) == (5_000_000, 3_900_000,
                                                                          1_100_000)
    assert found["lines_without_amount"] == 1
    assert found["difference_text"] == "1.100.000 đ"
    # before the revocation the computed total was higher
    then = get(client, world, f"/api/ceremonies/{history['ceremony']['id']}/reconciliation",
               as_of="2024-12-31")
    assert then["computed"] == 4_200_000
    err(client.get("/api/ceremonies/00000000-0000-4000-8000-000000000000/reconciliation",
                   headers=world.h("admin")), 404)


def test_award_history_of_a_person(client, world, history):
    found = get(client, world, "/api/registry/recipients", q="NGUYEN THI HONG")
    [nhung] = found["items"]
    assert nhung["awards"] == 2
    record = get(client, world, "/api/registry/history", key=nhung["key"])
    assert [r["award_kind"] for r in record["items"]] == ["giay_khen_ubnd_huyen",
                                                         "bang_khen_tw_hoi"]
    assert record["in_force"]["amount"] == 360_000
    earlier = get(client, world, "/api/registry/history", key=nhung["key"], as_of="2024-03-01")
    assert len(earlier["items"]) == 1
    err(client.get("/api/registry/history", params={"key": "person:khong co|1900"},
                   headers=world.h("admin")), 404)


def test_work_queues_show_what_waits_where_and_for_how_long(client, world, flow, clock):
    nid = flow.submitted()["id"]
    queues = get(client, world, "/api/queues")["items"]
    [waiting] = [q for q in queues if q["unit_id"] == world.u("xd")]
    assert (waiting["stage"], waiting["waiting"]) == ("under_review", 1)
    assert waiting["stage_label"] == "Chờ Hội đồng xét"
    assert waiting["oldest_age_days"] >= 0
    flow.recommend(nid, by="xd.chair")
    stages = {(q["unit_id"], q["stage"]) for q in get(client, world, "/api/queues")["items"]}
    assert (world.u("btl"), "under_review") in stages or (world.u("xd"), "recommended") in stages


def test_exports_are_readable_by_office_software(client, world, history):
    raw = client.get("/api/registry/export.xlsx", params={"status": "active"},
                     headers=world.h("admin"))
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(raw.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Sổ khen thưởng"
    header = values[2]
    assert header[1] == "Họ tên / tập thể" and header[9] == "Số tiền (đồng)"
    data = values[3:3 + 8]
    assert sum(r[9] or 0 for r in data) == 3_900_000
    total_row = values[3 + 8]
    assert total_row[0] == "Tổng cộng" and total_row[9] == 3_900_000
    assert values[3 + 9][0] == "Bằng chữ: Ba triệu chín trăm nghìn đồng"
    assert sheet.cell(row=4, column=10).number_format == '#,##0 "đ"'

    text = client.get("/api/registry/export.csv", headers=world.h("admin")).content
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][1] == "Họ tên / tập thể"
    assert any("Nguyễn Thị Hồng Nhung" in r for r in rows)

    decision = client.get(f"/api/decisions/{history['ubnd']['id']}/export.xlsx",
                          headers=world.h("admin"))
    assert "quyet-dinh-35" in decision.headers["content-disposition"]
    ceremony = client.get(f"/api/ceremonies/{history['ceremony']['id']}/export.csv",
                          headers=world.h("admin")).content.decode("utf-8-sig")
    assert "Tổng số tiền công bố: 5.000.000 đ" in ceremony
    assert "Chênh lệch chưa giải thích: 1.100.000 đ" in ceremony
    assert client.get("/api/registry/export.pdf", headers=world.h("admin")).status_code == 422


def test_a_rebuild_from_zero_gives_byte_identical_exports(client, rt, world, history):
    paths = ["/api/registry/export.xlsx", "/api/registry/export.csv",
             f"/api/ceremonies/{history['ceremony']['id']}/export.xlsx",
             f"/api/decisions/{history['hpn']['id']}/export.xlsx"]
    before = [client.get(p, headers=world.h("admin")).content for p in paths]
    time.sleep(1.1)  # across a second boundary: no timestamp of "now" may leak into a file
    rt.runner.rebuild()
    after = [client.get(p, headers=world.h("admin")).content for p in paths]
    assert before == after


def test_a_ceremony_and_its_reconciliation_give_the_same_totals(client, world, history):
    """One totals function: the ceremony's own answer, its page and the reconciliation agree,
    households are counted, and a ceremony whose lines state no amount says so (not 0 đ)."""
    household = {"kind": "household", "name": "Gia đình bà Nguyễn Thị Hoa",
                 "unit_id": world.u("xd")}
    quiet = record_outside(client, world, "40/QĐ-UBND", "2024-01-06", [
        {"recipient": household}, {"recipient": person("Phạm Thị Thu", 1970, world.u("xd"))}])
    for decision_ids, announced in (([history["ubnd"]["id"], history["hpn"]["id"],
                                      quiet["id"]], 5_000_000), ([quiet["id"]], None)):
        made = ok(client.post("/api/ceremonies", headers=world.h("btl.appr"), json={
            "title": "Hội nghị", "held_on": "2024-01-09", "place": "Bắc Từ Liêm",
            "host_unit_id": world.u("btl"), "decision_ids": decision_ids,
            "announced_total": announced}), 201)
        shown = get(client, world, f"/api/ceremonies/{made['id']}")["totals"]
        reconciled = get(client, world, f"/api/ceremonies/{made['id']}/reconciliation")
        total = reconciled["totals"]["total"]
        assert shown["computed"] == reconciled["computed"] == total["amount"]
        assert shown["difference"] == reconciled["difference"]
        assert shown["lines_without_amount"] == reconciled["lines_without_amount"]
        for key in ("individuals", "collectives", "households"):
            assert shown[key] == total[key], key
        assert shown["households"] == 1
        page = client.get(f"/ceremonies/{made['id']}", headers=world.h("btl.appr"))
        assert "1 hộ gia đình" in page.text
        if announced is None:
            assert shown["computed"] is None and "0 đ" not in page.text
