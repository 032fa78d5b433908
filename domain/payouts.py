"""What a ceremony owes, has paid and still owes — computed from its events, never stored.

Per line of each decision presented at the ceremony (in the ceremony's order, then the
decision's):

* **committed** — what the decision states for the line while it is in force; ``None`` when it
  states no amount (such a line adds nothing and is counted, as in every total:
  ``domain.totals``); 0 đ once the line is revoked (nothing is owed any more);
* **paid** — the sum of the line's payment records, corrections applied
  (``Ceremony.payments``);
* **outstanding** — what is still owed: committed − paid, never below 0;
* **excess** — what was paid beyond what is committed: above a decided amount (recorded with a
  reason), for a line that states none, or for a line revoked since (money to take back,
  Luật TĐKT Art. 93.2).

The ceremony's totals are the sums of these over its lines; ``committed`` is the total of the
lines in force (the same figure as the computed total of the reconciliation). A revoked line
appears only when something was recorded for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.ceremony import Ceremony
from domain.decision import AwardDecision, DecisionLine
from domain.totals import totals_in_force

UNPAID, NOT_STATED, SIGNED_FOR, PARTIAL, SETTLED, OVER, RECOVER = (
    "unpaid", "not_stated", "signed_for", "partial", "settled", "over", "recover")
STATE_LABELS = {
    UNPAID: "Chưa chi",
    NOT_STATED: "Quyết định không ghi số tiền",
    SIGNED_FOR: "Đã ký nhận (không có tiền)",
    PARTIAL: "Đã chi một phần",
    SETTLED: "Đã chi đủ",
    OVER: "Chi vượt số tiền quyết định",
    RECOVER: "Dòng đã bị hủy bỏ — cần thu hồi",
}


@dataclass(frozen=True)
class PayoutLine:
    decision: AwardDecision
    line: DecisionLine
    payments: tuple[dict[str, Any], ...]

    @property
    def committed(self) -> int | None:
        return self.line.amount if self.line.in_force else 0

    @property
    def paid(self) -> int:
        return sum(p["amount"] for p in self.payments)

    @property
    def outstanding(self) -> int:
        return max((self.committed or 0) - self.paid, 0)

    @property
    def excess(self) -> int:
        return max(self.paid - (self.committed or 0), 0)

    @property
    def state(self) -> str:
        if not self.line.in_force:
            return RECOVER if self.paid else SETTLED
        if self.excess:
            return OVER
        if self.committed is None:
            return SIGNED_FOR if self.payments else NOT_STATED
        if not self.payments:
            return UNPAID if self.committed else SETTLED
        return PARTIAL if self.outstanding else SETTLED


@dataclass(frozen=True)
class Payout:
    lines: tuple[PayoutLine, ...]
    totals: dict[str, Any]  # the lines in force: counts, amount, lines_without_amount

    @property
    def committed(self) -> int | None:
        return self.totals["amount"]

    @property
    def paid(self) -> int:
        return sum(p.paid for p in self.lines)

    @property
    def outstanding(self) -> int:
        return sum(p.outstanding for p in self.lines)

    @property
    def excess(self) -> int:
        return sum(p.excess for p in self.lines)

    def line(self, decision_id: UUID, line_no: int) -> PayoutLine | None:
        return next((p for p in self.lines
                     if p.decision.id == decision_id and p.line.line_no == line_no), None)


def payout(ceremony: Ceremony, decisions: Iterable[AwardDecision]) -> Payout:
    """The ceremony's payout, from its payment records and its decisions (those it presents;
    any order: the ceremony's order is used)."""
    by_id = {d.id: d for d in decisions}
    records: dict[tuple[UUID, int], list[dict[str, Any]]] = {}
    for record in ceremony.payments:
        records.setdefault((record["decision_id"], record["line_no"]), []).append(record)
    rows: list[PayoutLine] = []
    in_force: list[DecisionLine] = []
    for decision_id in ceremony.decision_ids:
        decision = by_id[decision_id]
        for line in decision.lines:
            paid = tuple(records.get((decision_id, line.line_no), ()))
            if line.in_force:
                in_force.append(line)
            if line.in_force or paid:
                rows.append(PayoutLine(decision, line, paid))
    return Payout(tuple(rows), totals_in_force(in_force))
