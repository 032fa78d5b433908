"""Payouts at a ceremony over the API, on both stores: payments recorded per line, paid and
outstanding amounts, a correction as a new event in the ceremony's history, the refusals
(403/404/409/422, nothing recorded), and the payout sheet as PDF and XLSX."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.helpers import cer_paths, nothing_recorded, ok, refused

NAMES = ["Nguyễn Thị Hồng Nhung", "Trần Thị Thu Hà", "Tổ dân phố số 3"]


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 1, 20)


def record_decision(client, world, number: str = "35/QĐ-UBND",
                    amounts=(300_000, 300_000, 600_000), period: str = "2023") -> dict:
    """UBND quận Bắc Từ Liêm's decision, recorded by the district's Union office: two people
    and a collective of phường Xuân Đỉnh (amounts as given; ``None``: not stated)."""
    lines = []
    for name, amount in zip(NAMES, amounts, strict=True):
        kind = "collective" if name.startswith("Tổ") else "individual"
        line = {"recipient": {"kind": kind, "name": name, "unit_id": world.u("xd")}}
        if amount is not None:
            line["amount"] = amount
        lines.append(line)
    body = {"number": number, "decided_on": "2023-12-20", "recorded_by_unit_id": world.u("btl"),
            "issuer": {"body": "government", "level": "district",
                       "name": "UBND quận Bắc Từ Liêm"},
            "award_kind": "giay_khen_ubnd_huyen", "period": period,
            "achievement": "Mô hình tuyến phố nở hoa", "lines": lines}
    return ok(client.post("/api/decisions", json=body, headers=world.h("btl.appr")), 201)


def plan(client, world, decisions: list[str], host: str = "btl", by: str = "btl.appr") -> dict:
    return ok(client.post("/api/ceremonies", headers=world.h(by), json={
        "title": "Hội nghị tổng kết công tác Hội năm 2023", "held_on": "2024-01-09",
        "place": "Hội trường UBND quận", "host_unit_id": world.u(host),
        "decision_ids": decisions}), 201)


@pytest.fixture
def setup(client, world):
    decision = record_decision(client, world)
    ceremony = plan(client, world, [decision["id"]])
    return ceremony["id"], decision["id"]


def pay(client, world, cid, body, by="btl.appr"):
    return client.post(f"/api/ceremonies/{cid}/payments", json=body, headers=world.h(by))


def test_recorded_payments_give_paid_and_outstanding(client, world, setup):
    cid, did = setup
    empty = ok(client.get(f"/api/ceremonies/{cid}/payout", headers=world.h("xd.nom")))
    assert empty["totals"]["committed"] == 1_200_000 and empty["totals"]["paid"] == 0
    assert empty["totals"]["outstanding"] == 1_200_000 and empty["totals"]["lines_unpaid"] == 3
    assert empty["totals"]["counts_text"] == "1 tập thể, 2 cá nhân"
    assert [line["state"] for line in empty["lines"]] == ["unpaid"] * 3

    answer = pay(client, world, cid, {"decision_id": did, "line_no": 1, "amount": 300_000,
                                      "paid_on": "2024-01-09", "note": "Ký tại hội trường"})
    body = ok(answer, 201)
    assert body["payment_nos"] == [1] and body["position"] > 0
    assert answer.headers["location"] == f"/api/ceremonies/{cid}/payout"
    body = ok(pay(client, world, cid, {"decision_id": did, "line_no": 3, "amount": 200_000,
                                       "status": "paid"}), 201)
    assert body["payment_nos"] == [2]
    totals = body["totals"]
    assert (totals["committed"], totals["paid"], totals["outstanding"], totals["excess"]) == (
        1_200_000, 500_000, 700_000, 0)
    assert totals["paid_text"] == "500.000 đ" and totals["outstanding_text"] == "700.000 đ"
    lines = {line["line_no"]: line for line in body["lines"]}
    assert (lines[1]["paid"], lines[1]["outstanding"], lines[1]["state_label"]) == (
        300_000, 0, "Đã chi đủ")
    assert (lines[3]["paid"], lines[3]["outstanding"], lines[3]["state"]) == (
        200_000, 400_000, "partial")
    assert lines[3]["unit"] == "Hội LHPN phường Xuân Đỉnh"
    second = body["payments"][1]
    assert (second["paid_on"], second["status_label"], second["recorded_by"]) == (
        "2024-01-20", "Đã chi (chuyển khoản, chi sau)", "btl.appr")  # today by default
    # the ceremony's list row follows its version (the read model handles payment events)
    version = ok(client.get(f"/api/ceremonies/{cid}", headers=world.h("admin")))["version"]
    listed = ok(client.get("/api/ceremonies", headers=world.h("admin"),
                           params={"min_position": body["position"]}))["items"]
    assert [c["version"] for c in listed if c["ceremony_id"] == cid] == [version]
    history = ok(client.get(f"/api/ceremonies/{cid}/history", headers=world.h("admin")))
    assert [e["label"] for e in history["events"]][-2:] == ["Ghi nhận chi trả tiền thưởng"] * 2


def test_a_correction_is_a_new_event_in_the_history(client, world, setup):
    cid, did = setup
    ok(pay(client, world, cid, {"decision_id": did, "line_no": 2, "amount": 30_000}), 201)
    before = ok(client.get(f"/api/ceremonies/{cid}/history", headers=world.h("admin")))["events"]
    answer = ok(client.post(f"/api/ceremonies/{cid}/payments/1/corrections",
                            headers=world.h("btl.appr"),
                            json={"amount": 300_000, "reason": "Nhập thiếu một số 0"}))
    assert answer["payment_nos"] == [1]
    assert answer["totals"]["paid"] == 300_000
    [record] = answer["payments"]
    assert (record["amount"], record["corrections"], record["correction_reason"]) == (
        300_000, 1, "Nhập thiếu một số 0")
    assert record["status"] == "signed" and record["paid_on"] == "2024-01-20"  # kept
    after = ok(client.get(f"/api/ceremonies/{cid}/history", headers=world.h("admin")))["events"]
    assert after[:len(before)] == before  # nothing recorded before is changed
    [new] = after[len(before):]
    assert (new["event"], new["label"], new["by"]) == (
        "Ceremony.PaymentCorrected", "Điều chỉnh lần ghi chi trả", "btl.appr")
    assert (new["data"]["payment_no"], new["data"]["previous_amount"], new["data"]["amount"],
            new["data"]["reason"], new["data"]["recipient_name"]) == (
        1, 30_000, 300_000, "Nhập thiếu một số 0", NAMES[1])
    recorded = before[-1]
    assert recorded["event"] == "Ceremony.PaymentRecorded" and recorded["data"]["amount"] == 30_000
    # a second correction, to 0 đ: unpaid again, the record still there
    again = ok(client.post(f"/api/ceremonies/{cid}/payments/1/corrections",
                           headers=world.h("btl.appr"),
                           json={"amount": 0, "reason": "Người nhận chưa ký",
                                 "expected_version": answer["version"]}))
    assert again["totals"]["paid"] == 0 and again["payments"][0]["corrections"] == 2


def test_paying_beyond_the_amount_needs_a_reason_and_is_flagged(client, world, setup):
    cid, did = setup
    line = {"decision_id": did, "line_no": 1}
    with nothing_recorded(client, world, *cer_paths(cid)):
        body = refused(pay(client, world, cid, {**line, "amount": 400_000}), 422,
                       "payment.above_amount")
    assert "300.000 đ" in body["message"] and "lý do" in body["message"]
    over = ok(pay(client, world, cid, {**line, "amount": 400_000,
                                       "reason": "Thưởng thêm theo Thông báo 5/TB-UBND"}), 201)
    first = over["lines"][0]
    assert (first["excess"], first["state"], first["outstanding"]) == (100_000, "over", 0)
    assert over["totals"]["excess"] == 100_000


def test_refusals_say_why_and_record_nothing(client, world, setup):
    cid, did = setup
    other = record_decision(client, world, number="36/QĐ-UBND", period="2022")["id"]
    ok(pay(client, world, cid, {"decision_id": did, "line_no": 1, "amount": 100_000}), 201)
    line = {"decision_id": did, "line_no": 2}
    correction = f"/api/ceremonies/{cid}/payments/1/corrections"
    version = ok(client.get(f"/api/ceremonies/{cid}", headers=world.h("admin")))["version"]
    nowhere = "/api/ceremonies/00000000-0000-0000-0000-000000000000/payments"
    cases = [
        # who may
        ("POST", f"/api/ceremonies/{cid}/payments", "xd.nom", {**line, "amount": 1}, 403,
         "auth.role_required"),
        ("POST", correction, "xd.chair", {"amount": 1, "reason": "x"}, 403,
         "auth.role_required"),
        # what is not there
        ("POST", nowhere, "btl.appr", {**line, "amount": 1}, 404, "ceremony.not_found"),
        ("POST", f"/api/ceremonies/{cid}/payments/9/corrections", "btl.appr",
         {"amount": 1, "reason": "x"}, 404, "payment.not_found"),
        # stale versions
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr",
         {**line, "amount": 1, "expected_version": version - 1}, 409,
         "concurrency.stale_version"),
        ("POST", correction, "btl.appr", {"amount": 1, "reason": "x",
                                          "expected_version": version - 1}, 409,
         "concurrency.stale_version"),
        # state
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr",
         {"decision_id": other, "line_no": 1, "amount": 1}, 409, "ceremony.decision_not_listed"),
        # data
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr", {**line, "amount": -1}, 422,
         "validation.invalid"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr", {**line, "amount": 1.5}, 422,
         "validation.invalid"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr", {**line, "amount": "100000"},
         422, "validation.invalid"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr", {**line, "amount": 1,
                                                                 "status": "cash"}, 422,
         "validation.invalid"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr",
         {"decision_id": did, "line_no": 4, "amount": 1}, 422, "payment.line_not_found"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr",
         {"decision_id": "00000000-0000-0000-0000-000000000000", "line_no": 1, "amount": 1},
         422, "reference.not_found"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr",
         {**line, "amount": 1, "paid_on": "2023-12-19"}, 422, "payment.date_invalid"),
        ("POST", f"/api/ceremonies/{cid}/payments", "btl.appr",
         {**line, "amount": 1, "paid_on": "2024-01-21"}, 422, "validation.invalid"),
        ("POST", correction, "btl.appr", {"amount": 1}, 422, "validation.invalid"),
        ("POST", correction, "btl.appr", {"amount": 1, "reason": " \u200b "}, 422,
         "payment.reason_required"),
        ("POST", correction, "btl.appr", {"amount": 100_000, "reason": "x"}, 422,
         "payment.correction_unchanged"),
        ("POST", correction, "btl.appr", {"paid_on": None, "reason": "x"}, 422,
         "validation.invalid"),
        # a decision paid here stays presented
        ("DELETE", f"/api/ceremonies/{cid}/decisions/{did}", "btl.appr", None, 409,
         "ceremony.decision_has_payments"),
    ]
    for method, path, user, body, status, code in cases:
        with nothing_recorded(client, world, *cer_paths(cid)):
            answer = client.request(method, path, headers=world.h(user),
                                    **({"json": body} if body is not None else {}))
            refused(answer, status, code)


def test_a_revoked_line_takes_no_new_payment_but_is_corrected(client, world, setup):
    cid, did = setup
    ok(pay(client, world, cid, {"decision_id": did, "line_no": 1, "amount": 300_000}), 201)
    ok(client.post(f"/api/decisions/{did}/lines/1/revoke", headers=world.h("btl.appr"), json={
        "revoked_on": "2024-01-15", "ground": "b", "reason": "Hồ sơ không trung thực"}))
    payout = ok(client.get(f"/api/ceremonies/{cid}/payout", headers=world.h("btl.appr")))
    first = payout["lines"][0]
    assert (first["in_force"], first["committed"], first["excess"], first["state"]) == (
        False, 0, 300_000, "recover")
    assert payout["totals"]["committed"] == 900_000
    with nothing_recorded(client, world, *cer_paths(cid)):
        refused(pay(client, world, cid, {"decision_id": did, "line_no": 1, "amount": 0}), 409,
                "payment.line_revoked")
    taken_back = ok(client.post(f"/api/ceremonies/{cid}/payments/1/corrections",
                                headers=world.h("btl.appr"),
                                json={"amount": 0, "reason": "Đã thu hồi ngày 16/01/2024"}))
    assert taken_back["totals"]["excess"] == 0 and taken_back["lines"][0]["state"] == "settled"


def test_another_units_approver_may_not_pay_but_reads(client, world, setup):
    cid, did = setup
    elsewhere = plan(client, world, [], host="backan", by="tw.appr")["id"]
    ok(client.post(f"/api/ceremonies/{elsewhere}/decisions", headers=world.h("tw.appr"),
                   json={"decision_id": did}))
    with nothing_recorded(client, world, *cer_paths(elsewhere)):
        refused(pay(client, world, elsewhere, {"decision_id": did, "line_no": 1, "amount": 1},
                    by="btl.appr"), 403, "auth.outside_scope")
    # the centre's and the city's approvers cover the district
    ok(pay(client, world, cid, {"decision_id": did, "line_no": 1, "amount": 1}, by="hn.appr"),
       201)
    ok(client.get(f"/api/ceremonies/{elsewhere}/payout", headers=world.h("btl.appr")))


def test_the_payout_sheet_as_pdf_and_xlsx(client, world):
    decision = record_decision(client, world, amounts=(300_000, None, 33_540_000))
    ceremony = plan(client, world, [decision["id"]])
    cid = ceremony["id"]
    words = "Ba mươi ba triệu tám trăm bốn mươi nghìn đồng"  # 33.840.000 đ
    pdf = client.get(f"/api/ceremonies/{cid}/payout.pdf", headers=world.h("xd.nom"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "danh-sach-ky-nhan-tien-thuong.pdf" in pdf.headers["content-disposition"]
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
                              ).split())
    for said in (*NAMES, "DANH SÁCH KÝ NHẬN TIỀN THƯỞNG", "HỘI LHPN QUẬN BẮC TỪ LIÊM",
                 "Ký nhận", "Quyết định số 35/QĐ-UBND ngày 20/12/2023 của UBND quận Bắc Từ Liêm",
                 "33.840.000", f"Bằng chữ: {words}", "1 dòng không ghi số tiền",
                 "Hội LHPN phường Xuân Đỉnh", "Giấy khen"):
        assert said in text, said
    xlsx = client.get(f"/api/ceremonies/{cid}/payout.xlsx", headers=world.h("xd.nom"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = rows[2]
    assert header == ["STT", "Họ tên / tập thể", "Đơn vị", "Hình thức khen thưởng", "Quyết định",
                      "Số tiền (đồng)", "Ký nhận"]
    body = rows[3:6]
    assert [r[1] for r in body] == NAMES
    assert [r[5] for r in body] == [300_000, None, 33_540_000]
    assert all(r[6] is None for r in body)  # the column to sign
    cells = [str(c) for row in rows for c in row if c is not None]
    assert f"Bằng chữ: {words}" in cells
    assert rows[6][0] == "Tổng cộng" and rows[6][5] == 33_840_000
    # a revoked line leaves the sheet
    ok(client.post(f"/api/decisions/{decision['id']}/lines/1/revoke", headers=world.h("btl.appr"),
                   json={"revoked_on": "2024-01-15", "ground": "b", "reason": "Sai đối tượng"}))
    again = load_workbook(io.BytesIO(client.get(f"/api/ceremonies/{cid}/payout.xlsx",
                                                headers=world.h("btl.appr")).content)).active
    names = [row[1] for row in again.iter_rows(min_row=4, values_only=True) if row[1]]
    assert NAMES[0] not in names and NAMES[1] in names
    refused(client.get("/api/ceremonies/00000000-0000-0000-0000-000000000000/payout.pdf",
                       headers=world.h("btl.appr")), 404, "ceremony.not_found")
