"""The calculator: how much goes with an award, and why — pure, exact, explained.

Legal amount = coefficient × mức lương cơ sở in force on the decision date, ×2 for a collective
where the table gives no collective coefficient (×1,5 for a household where the period has such a
rule), rounded *up* to the next 10,000 đ (NĐ 91/2017 Art. 68.2, NĐ 98/2023 Art. 53: "làm tròn số
lên hàng chục nghìn đồng"); how a collective's amount is rounded is a setting of each period.
"Up to" coefficients (Kỷ niệm chương ≤ 0,6) give a maximum; the decision chooses the amount.
The Union's internal awards use the issuer's own rates. Every quote carries a sentence a person
can read on screen and in documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.money import format_dong
from domain.schedules import (
    MULTIPLY_ROUNDED_INDIVIDUAL,
    ROUND_PRODUCT,
    InternalRate,
    MoneySchedules,
    Period,
    internal_rate_on,
    rule_label,
)

LEGAL, INTERNAL, NONE = "legal", "internal", "none"
COLLECTIVE_ROUNDING_LABELS = {
    ROUND_PRODUCT: "nhân đủ các hệ số rồi mới làm tròn",
    MULTIPLY_ROUNDED_INDIVIDUAL: "làm tròn mức của cá nhân rồi mới nhân",
}


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


@dataclass(frozen=True)
class Figure:
    """An amount worked out from a coefficient, with the sentence that shows the working."""

    amount: int
    text: str
    rounded: bool  # rounding changed the amount
    methods_differ: bool  # the two ways of rounding a collective's amount disagree here


def _round(amount: Fraction, period: Period) -> int:
    return round_up_10000(amount) if period.rounding == "ceil_10000" else math.ceil(amount)


def _factor_value(factor: Fraction) -> int | str:
    """2 → 2, 3/2 → "1.5": as stored in a line's rule details."""
    return factor.numerator if factor.denominator == 1 else \
        str(Decimal(factor.numerator) / factor.denominator)


def _factor_text(factor: Fraction) -> str:
    value = _factor_value(factor)
    return str(value) if isinstance(value, int) else coefficient_text(value)


def amount_for(coefficient: str, factor: Fraction, base: int, period: Period) -> Figure:
    """coefficient × base (× factor for a collective or a household), rounded as the period
    says. A collective's amount is either the rounded product of all three (``round_product``,
    the worked example: 2 × 0,15 × 1.490.000 = 447.000 → 450.000) or ``factor`` × the rounded
    individual amount, rounded again where the factor is not whole
    (``multiply_rounded_individual``: 2 × 230.000 = 460.000); the sentence names the method."""
    single_raw = Fraction(coefficient) * base
    single = _round(single_raw, period)
    product = f"{coefficient_text(coefficient)} × {format_dong(base)}"
    if factor == 1:
        text = f"{product} = {format_dong(math.ceil(single_raw))}"
        if single != single_raw:
            text += f", làm tròn lên {format_dong(single)}"
        return Figure(single, text, single != single_raw, False)
    by_product = _round(factor * single_raw, period)
    by_individual = _round(factor * single, period)
    f = _factor_text(factor)
    if period.collective_rounding == MULTIPLY_ROUNDED_INDIVIDUAL:
        amount = by_individual
        if single == single_raw:
            text = f"{f} × {product} = {format_dong(math.ceil(factor * single_raw))}"
        else:
            text = (f"{f} × {format_dong(single)} ({product} = "
                    f"{format_dong(math.ceil(single_raw))}, làm tròn lên {format_dong(single)}) = "
                    f"{format_dong(math.ceil(factor * single))}")
        if amount != factor * single:
            text += f", làm tròn lên {format_dong(amount)}"
        rounded = amount != factor * single_raw
    else:
        amount = by_product
        raw = factor * single_raw
        text = f"{f} × {product} = {format_dong(math.ceil(raw))}"
        if amount != raw:
            text += f", làm tròn lên {format_dong(amount)}"
        rounded = amount != raw
    text += f" (cách tính: {COLLECTIVE_ROUNDING_LABELS[period.collective_rounding]})"
    return Figure(amount, text, rounded, by_product != by_individual)


def _coefficient_for(
    table: dict[str, Any], recipient_kind: str
) -> tuple[str | None, Fraction, list[str]]:
    """The coefficient a recipient kind uses, the factor applied to it, and what of it is not
    verified: a collective coefficient of its own, or the individual's × collective_factor
    ("gấp hai lần"); a household the individual's × household_factor where the period has one
    (NĐ 152/2025: 1,5 lần), else none (the decision states the amount)."""
    unverified = [] if table.get("verified") else ["hệ số"]
    individual = table.get("individual")
    if recipient_kind == "individual":
        return individual, Fraction(1), unverified
    if recipient_kind == "collective":
        if table.get("collective") is not None:
            return table["collective"], Fraction(1), unverified
        if individual is not None:
            if not table.get("collective_verified", False):
                unverified.append("mức gấp hai lần cho tập thể")
            return individual, Fraction(int(table.get("collective_factor") or 2)), unverified
        return None, Fraction(1), unverified
    if recipient_kind == "household" and individual is not None \
            and table.get("household_factor") is not None:
        if not table.get("household_verified", False):
            unverified.append("mức cho hộ gia đình")
        return individual, Fraction(Decimal(str(table["household_factor"]))), unverified
    return None, Fraction(1), unverified


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
    kind = catalog().kind(award_kind, on)
    kind.require_recipient(recipient_kind)
    who = RECIPIENT_LABELS[recipient_kind]
    if kind.no_money:
        return Quote(amount=None, maximum=None, source=NONE,
                     explanation=f"{kind.short_title}: hình thức không kèm tiền thưởng.",
                     rule={"rule": "none"}, verified=True)
    rule = kind.rule_for(issuer_body, issuer_level)
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
    coefficient, factor, unverified = _coefficient_for(table, recipient_kind)
    if coefficient is None:
        return Quote(
            amount=None, maximum=None, source=NONE,
            explanation=f"{kind.short_title}, {who}: bảng {period.title} không có hệ số "
                        "cho đối tượng này; quyết định cần ghi số tiền.",
            rule={"rule": rule, "period": period.code},
        )
    figure = amount_for(coefficient, factor, base.amount, period)
    if figure.rounded and not period.rounding_verified:
        unverified.append(f"quy định làm tròn của {period.title}")
    if figure.methods_differ and not period.collective_rounding_verified:
        unverified.append("cách làm tròn tiền thưởng của tập thể, hộ gia đình")
    rule_verified = not unverified
    if not base.verified:
        unverified.append("mức lương cơ sở")
    basis = (f"{period.title}; mức lương cơ sở {format_dong(base.amount)} từ "
             f"{_day(base.effective_from)} theo {base.legal_basis}")
    details = {
        "rule": rule, "rule_label": rule_label(rule), "period": period.code,
        "period_title": period.title, "coefficient": coefficient,
        "factor": _factor_value(factor),
        "base_salary": base.amount, "base_salary_from": base.effective_from.isoformat(),
        "base_salary_basis": base.legal_basis, "rounding": period.rounding,
        "collective_rounding": period.collective_rounding if factor != 1 else None,
        "source": table.get("source", ""), "schedule_version": schedules.version,
        "cap": bool(table.get("cap")),
    }
    if recipient_kind == "household" and table.get("household_source"):
        details["household_source"] = table["household_source"]
    amount, computed = figure.amount, figure.text
    details["unverified"] = list(unverified)
    caveat = f" — chưa được xác minh: {', '.join(unverified)}" if unverified else ""
    if table.get("cap"):
        return Quote(
            amount=None, maximum=amount, source=LEGAL,
            explanation=(f"{kind.short_title}, {who}: tối đa {computed} ({basis}); "
                         f"quyết định chọn mức cụ thể không quá {format_dong(amount)}"
                         f"{caveat}."),
            rule=details, verified=rule_verified,
        )
    return Quote(
        amount=amount, maximum=None, source=LEGAL,
        explanation=f"{kind.short_title}, {who}: {computed} ({basis}){caveat}.",
        rule=details, verified=rule_verified and base.verified,
    )
