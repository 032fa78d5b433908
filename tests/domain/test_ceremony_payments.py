"""Payments at a ceremony (chi trả tiền thưởng) as events of the Ceremony aggregate: recording,
correcting (a new event, never an edit), what is committed, paid and outstanding
(``domain.payouts``), and the refusals. The last tests store the events on both stores and read
them back, through a snapshot too."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.ceremony import PAID, SIGNED, Ceremony
from domain.decision import AwardDecision, Issuer, build_line
from domain.errors import (
    DecisionHasPayments,
    DecisionNotPresented,
    NegativeAmount,
    PaymentAboveAmount,
    PaymentCorrectionUnchanged,
    PaymentDateInvalid,
    PaymentLineRevoked,
    PaymentReasonRequired,
    PaymentStatusInvalid,
    UnknownPayment,
    ValidationFailed,
)
from domain.payouts import (
    NOT_STATED,
    OVER,
    PARTIAL,
    RECOVER,
    SETTLED,
    SIGNED_FOR,
    UNPAID,
    payout,
)

UBND = Issuer.external("government", "district", "UBND quận Bắc Từ Liêm")
DECIDED_ON = date(2023, 12, 20)
HELD_ON = date(2024, 1, 9)
NAMES = ["Nguyễn Thị Hồng Nhung", "Trần Thị Thu Hà", "Lê Thị Mai"]


def issue(amounts: list[int | None], number: str = "35/QĐ-UBND", *,
          pending: bool = False) -> AwardDecision:
    """A decision of UBND quận with a line per amount (``None``: no amount stated); its events
    are taken unless ``pending`` (to be saved)."""
    raws: list[dict[str, Any]] = []
    for name, amount in zip(NAMES, amounts, strict=False):
        raw: dict[str, Any] = {"recipient": {"kind": "individual", "name": name},
                               "award_kind": "giay_khen_ubnd_huyen", "period": "2023"}
        if amount is not None:
            raw["amount"] = amount
        raws.append(raw)
    lines = [build_line(line_no=no, raw=r, issuer=UBND, default_achievement="Tuyến phố nở hoa")
             for no, r in enumerate(raws, start=1)]
    decision = AwardDecision.issue(
        decision_id=uuid4(), number=number, decided_on=DECIDED_ON, issuer=UBND,
        recorded_by_unit_id=uuid4(), signer={"name": "Lê Văn Bình", "title": "Chủ tịch"},
        subject="", legal_basis="", achievement="", lines=lines, actor="btl.appr")
    if not pending:
        decision.collect_events()
    return decision


def ceremony(*decisions: AwardDecision, pending: bool = False) -> Ceremony:
    cer = Ceremony.plan(ceremony_id=uuid4(), title="Hội nghị tổng kết năm 2023", held_on=HELD_ON,
                        place="Hội trường quận", host_unit_id=uuid4(), actor="btl.appr")
    for d in decisions:
        cer.add_decision(d.id, d.number, "btl.appr")
    if not pending:
        cer.collect_events()
    return cer


def pay(cer: Ceremony, decision: AwardDecision, line_no: int, amount: Any, *,
        paid_on: Any = HELD_ON, status: Any = SIGNED, note: str = "", reason: str = "") -> int:
    return cer.record_payment(
        decision_id=decision.id, decision_number=decision.number,
        decided_on=decision.decided_on, line=decision.line(line_no), amount=amount,
        paid_on=paid_on, status=status, note=note, reason=reason, actor="btl.appr")


def correct(cer: Ceremony, decision: AwardDecision, payment_no: Any, amount: Any, *,
            reason: str = "Ghi nhầm số tiền", paid_on: Any = HELD_ON, status: Any = SIGNED,
            note: str = "") -> None:
    cer.correct_payment(payment_no=payment_no, decided_on=decision.decided_on, amount=amount,
                        paid_on=paid_on, status=status, note=note, reason=reason,
                        actor="btl.appr")


def events(cer: Ceremony) -> list[str]:
    return [type(e).__name__ for e in cer.collect_events()]


def figures(cer: Ceremony, *decisions: AwardDecision) -> tuple[Any, ...]:
    result = payout(cer, decisions)
    return result.committed, result.paid, result.outstanding, result.excess


# -- recording --------------------------------------------------------------------------------


def test_a_payment_is_an_event_and_the_payout_follows():
    decision = issue([300_000, 300_000, 500_000])
    cer = ceremony(decision)
    assert figures(cer, decision) == (1_100_000, 0, 1_100_000, 0)
    assert [r.state for r in payout(cer, [decision]).lines] == [UNPAID] * 3

    assert pay(cer, decision, 1, 300_000, note="Ký tại hội trường") == 1
    assert pay(cer, decision, 3, 200_000, status=PAID) == 2
    assert events(cer) == ["PaymentRecorded", "PaymentRecorded"]
    assert figures(cer, decision) == (1_100_000, 500_000, 600_000, 0)
    rows = payout(cer, [decision]).lines
    assert [(r.paid, r.outstanding, r.state) for r in rows] == [
        (300_000, 0, SETTLED), (0, 300_000, UNPAID), (200_000, 300_000, PARTIAL)]
    first = cer.payment(1)
    assert (first["recipient_name"], first["amount"], first["status"], first["note"],
            first["recorded_by"]) == (NAMES[0], 300_000, SIGNED, "Ký tại hội trường", "btl.appr")

    # the rest of line 3, in a second payment
    pay(cer, decision, 3, 300_000, status=PAID)
    assert cer.paid_for(decision.id, 3) == 500_000
    assert figures(cer, decision) == (1_100_000, 800_000, 300_000, 0)


def test_a_line_without_a_stated_amount_is_signed_for_with_0_d():
    decision = issue([None, 300_000])
    cer = ceremony(decision)
    assert figures(cer, decision) == (300_000, 0, 300_000, 0)
    assert payout(cer, [decision]).lines[0].state == NOT_STATED
    assert payout(cer, [decision]).totals["lines_without_amount"] == 1
    pay(cer, decision, 1, 0)  # signed for the award (no money stated)
    assert payout(cer, [decision]).lines[0].state == SIGNED_FOR
    # anything above 0 đ on such a line needs a reason
    with pytest.raises(PaymentAboveAmount, match="không ghi số tiền"):
        pay(cer, decision, 1, 500_000)
    pay(cer, decision, 1, 500_000, reason="Thưởng thêm từ quỹ Hội theo Thông báo 12/TB")
    row = payout(cer, [decision]).lines[0]
    assert (row.committed, row.paid, row.excess, row.state) == (None, 500_000, 500_000, OVER)
    assert figures(cer, decision) == (300_000, 500_000, 300_000, 500_000)


def test_paying_beyond_the_decided_amount_needs_a_reason():
    decision = issue([300_000])
    cer = ceremony(decision)
    pay(cer, decision, 1, 200_000)
    with pytest.raises(PaymentAboveAmount) as refused:
        pay(cer, decision, 1, 200_000)
    assert refused.value.code == "payment.above_amount"
    assert "400.000 đ" in refused.value.message and "300.000 đ" in refused.value.message
    assert events(cer) == ["PaymentRecorded"]
    pay(cer, decision, 1, 200_000, reason="Theo quyết định bổ sung của UBND")
    assert cer.payment(2)["reason"] == "Theo quyết định bổ sung của UBND"
    assert figures(cer, decision) == (300_000, 400_000, 0, 100_000)
    assert payout(cer, [decision]).lines[0].state == OVER


# -- corrections --------------------------------------------------------------------------------


def test_a_correction_is_a_new_event_and_the_record_keeps_its_history():
    decision = issue([300_000, 500_000])
    cer = ceremony(decision)
    pay(cer, decision, 2, 50_000, note="Ghi nhầm")
    events(cer)
    correct(cer, decision, 1, 500_000, reason="Nhập thiếu một số 0", note="Đã ký đủ")
    recorded = cer.collect_events()
    assert [type(e).__name__ for e in recorded] == ["PaymentCorrected"]
    event = recorded[0]
    assert (event.payment_no, event.previous_amount, event.amount, event.reason,
            event.line_no) == (1, 50_000, 500_000, "Nhập thiếu một số 0", 2)
    record = cer.payment(1)
    assert (record["amount"], record["note"], record["corrections"],
            record["correction_reason"]) == (500_000, "Đã ký đủ", 1, "Nhập thiếu một số 0")
    assert figures(cer, decision) == (800_000, 500_000, 300_000, 0)
    # corrected to 0 đ: as if unpaid, the record stays
    correct(cer, decision, 1, 0, reason="Người nhận chưa đến dự, chưa chi")
    assert figures(cer, decision) == (800_000, 0, 800_000, 0)
    assert len(cer.payments) == 1 and cer.payment(1)["corrections"] == 2


def test_a_correction_needs_a_reason_and_a_change():
    decision = issue([300_000])
    cer = ceremony(decision)
    pay(cer, decision, 1, 300_000)
    with pytest.raises(PaymentReasonRequired):
        correct(cer, decision, 1, 200_000, reason="  ")
    with pytest.raises(PaymentCorrectionUnchanged):
        correct(cer, decision, 1, 300_000)
    with pytest.raises(UnknownPayment):
        correct(cer, decision, 2, 300_000)
    with pytest.raises(UnknownPayment):
        correct(cer, decision, 0, 300_000)
    with pytest.raises(UnknownPayment):
        correct(cer, decision, True, 300_000)
    with pytest.raises(NegativeAmount):
        correct(cer, decision, 1, -1)
    with pytest.raises(PaymentDateInvalid):
        correct(cer, decision, 1, 300_000, paid_on=date(2023, 12, 1))
    assert events(cer) == ["PaymentRecorded"]
    # a correction may go beyond the decided amount: its reason is recorded with it
    correct(cer, decision, 1, 350_000, reason="Làm tròn theo thông báo của UBND")
    assert payout(cer, [decision]).lines[0].excess == 50_000


def test_money_on_a_line_revoked_since_is_to_be_taken_back_and_corrected():
    decision = issue([300_000, 300_000])
    cer = ceremony(decision)
    pay(cer, decision, 1, 300_000)
    decision.revoke_line(line_no=1, on=date(2024, 3, 1), ground="b",
                         reason="Hồ sơ không trung thực", actor="btl.appr")
    row = payout(cer, [decision]).lines[0]
    assert (row.committed, row.paid, row.excess, row.state) == (0, 300_000, 300_000, RECOVER)
    assert figures(cer, decision) == (300_000, 300_000, 300_000, 300_000)
    with pytest.raises(PaymentLineRevoked, match="đã bị hủy bỏ từ ngày 01/03/2024"):
        pay(cer, decision, 1, 0)
    correct(cer, decision, 1, 0, reason="Đã thu hồi tiền ngày 05/03/2024")
    row = payout(cer, [decision]).lines[0]
    assert (row.paid, row.excess, row.state) == (0, 0, SETTLED)
    # a revoked line with nothing paid does not appear at all
    decision.revoke_line(line_no=2, on=date(2024, 3, 1), ground="b", reason="Sai đối tượng",
                         actor="btl.appr")
    assert [r.line.line_no for r in payout(cer, [decision]).lines] == [1]
    assert payout(cer, [decision]).committed is None  # no line in force any more


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "error"), [
    (-1, NegativeAmount), (None, ValidationFailed), (1.5, ValidationFailed),
    ("300000", ValidationFailed), (True, ValidationFailed), (10**14, ValidationFailed),
])
def test_the_amount_is_whole_dong_not_negative(amount, error):
    decision = issue([300_000])
    cer = ceremony(decision)
    with pytest.raises(error):
        pay(cer, decision, 1, amount)
    assert cer.payments == [] and events(cer) == []


def test_refusals_record_nothing():
    decision, other = issue([300_000]), issue([300_000], number="36/QĐ-UBND")
    cer = ceremony(decision)
    with pytest.raises(DecisionNotPresented):
        pay(cer, other, 1, 300_000)
    with pytest.raises(PaymentDateInvalid, match="20/12/2023"):
        pay(cer, decision, 1, 300_000, paid_on=date(2023, 12, 19))
    with pytest.raises(ValidationFailed):
        pay(cer, decision, 1, 300_000, paid_on="2024-01-09")
    with pytest.raises(PaymentStatusInvalid):
        pay(cer, decision, 1, 300_000, status="cash")
    assert events(cer) == [] and cer.payments == []


def test_a_decision_paid_here_stays_until_its_payments_are_corrected_to_0_d():
    decision = issue([300_000])
    cer = ceremony(decision)
    pay(cer, decision, 1, 300_000)
    with pytest.raises(DecisionHasPayments, match=r"300\.000 đ"):
        cer.remove_decision(decision.id, decision.number, "btl.appr")
    correct(cer, decision, 1, 0, reason="Chưa chi")
    cer.remove_decision(decision.id, decision.number, "btl.appr")
    assert cer.decision_ids == []
    # the record stays in the history; correcting it needs the decision presented again
    with pytest.raises(DecisionNotPresented):
        correct(cer, decision, 1, 100_000)
    assert payout(cer, []).lines == () and payout(cer, []).paid == 0


# -- stored and read back (both stores) -------------------------------------------------------


def test_payments_are_stored_and_read_back_through_snapshots(rt):
    """More than 100 events: the ceremony is read from a snapshot plus the events after it
    (``Store.snapshotting_intervals``); a snapshot taken before payments existed has none."""
    app = rt.app
    decision = issue([10_000] * 3, pending=True)
    cer = ceremony(decision, pending=True)
    app.commit(decision, cer)
    for n in range(70):
        loaded = app.load(Ceremony, cer.id, LookupError())
        pay(loaded, decision, 1 + n % 3, 0, note=f"lần {n + 1}")
        if n % 2:
            correct(loaded, decision, n + 1, 1_000, reason=f"sửa lần {n + 1}", note="")
        app.commit(loaded)
    loaded = app.load(Ceremony, cer.id, LookupError())
    assert loaded.version > 100 and app.snapshots is not None
    assert len(loaded.payments) == 70
    assert loaded.payment(2)["amount"] == 1_000 and loaded.payment(2)["corrections"] == 1
    assert loaded.payment(1)["paid_on"] == HELD_ON
    assert loaded.payment(1)["decision_id"] == decision.id
    result = payout(loaded, [decision])
    assert (result.committed, result.paid) == (30_000, 35_000)
    history = [type(e).__name__ for e in app.history(cer.id)]
    assert history.count("PaymentRecorded") == 70 and history.count("PaymentCorrected") == 35
