"""The calculator: how much goes with an award, and why — pure, exact, explained.

Legal amount = coefficient × mức lương cơ sở in force on the decision date, ×2 for a collective
where the table gives no collective coefficient, rounded *up* to the next 10,000 đ (NĐ 98/2023 Art.
53: "làm tròn số lên hàng chục nghìn đồng"). "Up to" coefficients (Kỷ niệm chương ≤ 0,6) give a
maximum; the decision chooses the amount. The Union's internal awards use the issuer's own rates.
Every quote carries a sentence a person can read on screen and in documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.money import format_dong
from domain.schedules import (
    InternalRate,
    MoneySchedules,
    internal_rate_on,
    rule_for,
    rule_label,
)

LEGAL, INTERNAL, NONE = "legal", "internal", "none"


@dataclass(frozen=True)
class Quote:
    amount: int | None  # what the rule pays; None when it gives no amount (none, or a cap)
    maximum: int | None  # the cap, for "up to" rules
    source: str  # legal | internal | none
    explanation: str
    rule: dict[str, Any] = field(default_factory=dict)
    verified: bool = False

    @property
    def is_cap(self) -> bool:
        return self.maximum is not None

    def as_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "maximum": self.maximum, "source": self.source,
                "explanation": self.explanation, "rule": self.rule, "verified": self.verified}


def coefficient_text(value: str) -> str:
    """Vietnamese decimal comma, at least one decimal: "1.0" → "1,0", "0.15" → "0,15"."""
    text = str(value)
    if "." not in text:
        text += ".0"
    return text.replace(".", ",")


def round_up_10000(amount: Fraction | int) -> int:
    return math.ceil(Fraction(amount) / 10_000) * 10_000


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def quote(
    *,
    award_kind: str,
    recipient_kind: str,
    issuer_body: str,
    issuer_level: str,
    on: date,
    schedules: MoneySchedules,
    internal_rates: tuple[InternalRate, ...] = (),
    issuer_name: str = "",
) -> Quote:
    kind = catalog().kind(award_kind)
    kind.require_recipient(recipient_kind)
    who = RECIPIENT_LABELS[recipient_kind]
    rule = rule_for(kind.code, issuer_body, issuer_level)
    if rule == "internal":
        rate = internal_rate_on(internal_rates, kind.code, recipient_kind, on)
        if rate is None:
            return Quote(
                amount=None, maximum=None, source=NONE,
                explanation=(f"{kind.short_title}, {who}: {issuer_name or 'đơn vị ban hành'} "
                             f"chưa ghi mức thưởng nội bộ áp dụng ngày {_day(on)}; "
                             "quyết định cần ghi số tiền."),
                rule={"rule": "internal"},
            )
        return Quote(
            amount=rate.amount, maximum=None, source=INTERNAL,
            explanation=(f"{kind.short_title}, {who}: mức của {issuer_name or 'đơn vị ban hành'} "
                         f"từ {_day(rate.effective_from)}: {format_dong(rate.amount)}"
                         + (f" ({rate.note})" if rate.note else "")),
            rule={"rule": "internal", "effective_from": rate.effective_from.isoformat(),
                  "schedule_version": schedules.version},
            verified=True,
        )
    period = schedules.period_on(on)
    base = schedules.base_salary_on(on)
    table = period.rules.get(rule) if (period and rule) else None
    if rule is None or period is None or base is None or table is None:
        reason = (
            "không có mức tiền thưởng theo quy định cho hình thức này" if rule is None
            else "chưa có bảng hệ số áp dụng cho ngày này" if period is None or table is None
            else "chưa có mức lương cơ sở áp dụng cho ngày này"
        )
        return Quote(
            amount=None, maximum=None, source=NONE,
            explanation=f"{kind.short_title}, {who}, ngày {_day(on)}: {reason}; "
                        "quyết định cần ghi số tiền.",
            rule={"rule": rule, "period": period.code if period else None},
        )
    coefficient = table.get(recipient_kind) if recipient_kind != "individual" else None
    factor = 1
    verified = bool(table.get("verified"))
    if recipient_kind == "individual":
        coefficient = table.get("individual")
    elif recipient_kind == "collective" and coefficient is None \
            and table.get("individual") is not None:
        # "Tập thể … gấp 02 lần mức tiền thưởng đối với cá nhân". Households get no such rule:
        # the tables found give them no figure ([U]), so the decision states the amount.
        coefficient = table["individual"]
        factor = int(table.get("collective_factor") or 2)
        verified = verified and bool(table.get("collective_verified", False))
    if coefficient is None:
        return Quote(
            amount=None, maximum=None, source=NONE,
            explanation=f"{kind.short_title}, {who}: bảng {period.title} không có hệ số "
                        "cho đối tượng này; quyết định cần ghi số tiền.",
            rule={"rule": rule, "period": period.code},
        )
    # The individual's amount is rounded first; a collective gets ``factor`` times that amount
    # ("gấp 02 lần mức tiền thưởng đối với cá nhân"), so collective = 2 × individual exactly.
    raw = Fraction(coefficient) * base.amount
    single = round_up_10000(raw) if period.rounding == "ceil_10000" else math.ceil(raw)
    amount = factor * single
    product = f"{coefficient_text(coefficient)} × {format_dong(base.amount)}"
    if single == raw:
        computed = (f"{factor} × " if factor != 1 else "") + f"{product} = {format_dong(amount)}"
    else:
        rounded = f"{product} = {format_dong(math.ceil(raw))}, làm tròn lên {format_dong(single)}"
        computed = rounded if factor == 1 else \
            f"{factor} × {format_dong(single)} ({rounded}) = {format_dong(amount)}"
    basis = (f"{period.title}; mức lương cơ sở {format_dong(base.amount)} từ "
             f"{_day(base.effective_from)} theo {base.legal_basis}")
    details = {
        "rule": rule, "rule_label": rule_label(rule), "period": period.code,
        "period_title": period.title, "coefficient": coefficient, "factor": factor,
        "base_salary": base.amount, "base_salary_from": base.effective_from.isoformat(),
        "base_salary_basis": base.legal_basis, "rounding": period.rounding,
        "source": table.get("source", ""), "schedule_version": schedules.version,
        "cap": bool(table.get("cap")),
    }
    unverified = "" if verified and base.verified else " — số liệu chưa được xác minh đầy đủ"
    if table.get("cap"):
        return Quote(
            amount=None, maximum=amount, source=LEGAL,
            explanation=(f"{kind.short_title}, {who}: tối đa {computed} ({basis}); "
                         f"quyết định chọn mức cụ thể không quá {format_dong(amount)}"
                         f"{unverified}."),
            rule=details, verified=verified,
        )
    return Quote(
        amount=amount, maximum=None, source=LEGAL,
        explanation=f"{kind.short_title}, {who}: {computed} ({basis}){unverified}.",
        rule=details, verified=verified and base.verified,
    )


def highest_title_only(lines: list[dict[str, Any]]) -> list[int]:
    """Line numbers that, under the "several titles for one achievement → only the highest"
    policy, are paid nothing: among computed title lines of one recipient and period, all but
    the best paid one. A title plus a form are both paid; different periods are each paid."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in lines:
        if line.get("amount_source") not in (LEGAL, INTERNAL) or line.get("amount") is None:
            continue
        if catalog().kind(line["award_kind"]).family != "title":
            continue
        groups.setdefault((line["recipient_key"], line["period"]), []).append(line)
    unpaid: list[int] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        best = max(group, key=lambda line: (line["amount"], -line["line_no"]))
        unpaid.extend(line["line_no"] for line in group if line is not best)
    return sorted(unpaid)
