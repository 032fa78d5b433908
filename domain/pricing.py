"""How a decision line gets its money: computed by the rules, stated, or not stated.

A line says which of the three it is (``amount_mode``); this module turns that request and the
calculator's quote into the fields stored in the decision's event, so that a later schedule can
never change an old decision's amount, and every line can say how much and why:

- ``computed``: the rule's amount (legal coefficient × base salary, or the issuer's own rate).
  Refused when the rule only gives a maximum (the decision must choose) or gives nothing.
- ``decided``: the amount the decision states, kept as it is, with a warning when it differs from
  the rule or exceeds the rule's maximum.
- ``not_stated``: the record gives no figure (a paper copy, a news report). Neither 0 nor
  "compute it": the line is left out of money totals and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from domain.calculator import INTERNAL, LEGAL, Quote
from domain.catalog import catalog
from domain.errors import (
    AmountMissing,
    AmountModeInvalid,
    AmountNeedsChoice,
    AmountNotExpected,
    NegativeAmount,
    NoMoneyRule,
    ValidationFailed,
)
from domain.money import format_dong

COMPUTED, DECIDED, NOT_STATED = "computed", "decided", "not_stated"
AMOUNT_MODES = (COMPUTED, DECIDED, NOT_STATED)
AMOUNT_MODE_LABELS = {
    COMPUTED: "Tính theo quy định",
    DECIDED: "Theo số tiền quyết định ghi",
    NOT_STATED: "Quyết định không ghi số tiền",
}
# Where a stored amount came from.
AMOUNT_SOURCE_LABELS = {
    LEGAL: "Theo quy định pháp luật",
    INTERNAL: "Theo mức thưởng của đơn vị",
    DECIDED: "Theo quyết định",
    NOT_STATED: "Không ghi số tiền",
}
WARNING_DIFFERS = "money.differs_from_rule"
WARNING_ABOVE_CAP = "money.above_maximum"
WARNING_HIGHEST_TITLE = "money.highest_title_only"

Pricer = Callable[[str, str], Quote]  # (award kind, recipient kind) → quote on the decision date


def check_amount(amount: Any) -> int | None:
    """Money is integer đồng: no floats, no strings, no negatives."""
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationFailed(reason="số tiền phải là số nguyên đồng")
    if amount < 0:
        raise NegativeAmount()
    if amount > 10**13:
        raise ValidationFailed(reason="số tiền quá lớn")
    return amount


def requested_mode(
    raw_mode: Any, amount: int | None, default_mode: str | None, line_no: int
) -> str:
    """The line's own mode, else ``decided`` when it states an amount, else the decision's
    default, else ``not_stated`` — nothing is computed unless asked for."""
    if raw_mode not in (None, ""):
        if raw_mode not in AMOUNT_MODES:
            raise AmountModeInvalid(line_no=line_no)
        return str(raw_mode)
    if amount is not None:
        return DECIDED
    if default_mode not in (None, ""):
        if default_mode not in AMOUNT_MODES:
            raise AmountModeInvalid(line_no=line_no)
        return str(default_mode)
    return NOT_STATED


def _warning(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def price(
    *,
    line_no: int,
    mode: str,
    amount: int | None,
    quote: Quote | None,
) -> dict[str, Any]:
    """The money fields of one line: amount, source, the rule's figures, explanation, warnings."""
    rule_amount = quote.amount if quote else None
    rule_maximum = quote.maximum if quote else None
    fields: dict[str, Any] = {
        "amount_mode": mode,
        "rule_amount": rule_amount,
        "rule_maximum": rule_maximum,
        "rule": dict(quote.rule) if quote else {},
        "rule_verified": bool(quote.verified) if quote else False,
        "warnings": [],
    }
    if mode == NOT_STATED:
        if amount is not None:
            raise AmountNotExpected(
                line_no=line_no, mode_label=AMOUNT_MODE_LABELS[mode], amount=format_dong(amount)
            )
        fields.update(amount=None, amount_source=NOT_STATED,
                      explanation="Quyết định không ghi số tiền.")
        return fields
    if mode == COMPUTED:
        if amount is not None:
            raise AmountNotExpected(
                line_no=line_no, mode_label=AMOUNT_MODE_LABELS[mode], amount=format_dong(amount)
            )
        if quote is None or (quote.amount is None and quote.maximum is None):
            raise NoMoneyRule(
                line_no=line_no,
                explanation=quote.explanation if quote else "không có quy định về mức thưởng.",
            )
        if quote.is_cap:
            raise AmountNeedsChoice(
                line_no=line_no, maximum=quote.maximum, maximum_text=format_dong(quote.maximum)
            )
        fields.update(amount=quote.amount, amount_source=quote.source,
                      explanation=quote.explanation)
        return fields
    # DECIDED
    if amount is None:
        raise AmountMissing(line_no=line_no)
    explanation = f"Theo quyết định: {format_dong(amount)}."
    if quote is not None and quote.amount is not None:
        explanation += f" Mức theo quy định: {quote.explanation}"
        if amount != quote.amount:
            fields["warnings"].append(_warning(
                WARNING_DIFFERS,
                f"Số tiền {format_dong(amount)} khác mức theo quy định "
                f"{format_dong(quote.amount)}.",
            ))
    elif quote is not None and quote.maximum is not None:
        explanation += f" Mức theo quy định: {quote.explanation}"
        if amount > quote.maximum:
            fields["warnings"].append(_warning(
                WARNING_ABOVE_CAP,
                f"Số tiền {format_dong(amount)} vượt mức tối đa theo quy định "
                f"{format_dong(quote.maximum)}.",
            ))
    fields.update(amount=amount, amount_source=DECIDED, explanation=explanation)
    return fields


class PricedLine(Protocol):
    """What the "highest title only" policy reads of a line."""

    line_no: int
    recipient_key: str
    period: str
    award_kind: str
    amount_source: str
    amount: int | None


def highest_title_groups(lines: Sequence[PricedLine]) -> dict[int, int]:
    """The "several titles for one achievement → only the highest" grouping, the one place it is
    decided: among the computed title lines (an amount from the law or the issuer's own rates) of
    one recipient and period, the best paid one (the earlier line on a tie) is paid and every
    other is not. A title plus a form are both paid; different periods are each paid.

    Answers each unpaid line's number → the number of the line paid in its stead. ``lines``:
    decision lines (``DecisionLine``) or anything with the same attributes (``PricedLine``)."""
    groups: dict[tuple[str, str], list[PricedLine]] = {}
    for line in lines:
        if line.amount_source not in (LEGAL, INTERNAL) or line.amount is None:
            continue
        if catalog().kind(line.award_kind).family != "title":
            continue
        groups.setdefault((line.recipient_key, line.period), []).append(line)
    unpaid: dict[int, int] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        best = max(group, key=lambda line: (line.amount, -line.line_no))
        unpaid.update((line.line_no, best.line_no) for line in group if line is not best)
    return unpaid


def highest_title_only(lines: Sequence[PricedLine]) -> list[int]:
    """Line numbers that the "only the highest title" policy pays nothing
    (``highest_title_groups``)."""
    return sorted(highest_title_groups(lines))


L = TypeVar("L")  # a decision line (``DecisionLine``), frozen: the policy answers new ones


def apply_highest_title_policy(lines: list[L]) -> list[L]:
    """Several titles for one achievement at one time: only the highest is paid (computed lines).

    The other computed title lines of the same recipient and period (``highest_title_groups``)
    keep their rule figures but are paid 0 đ, with a warning that says which line is paid.
    Answers the lines, changed where the policy applies.
    """
    unpaid = highest_title_groups(lines)
    out = []
    for line in lines:
        paid = unpaid.get(line.line_no)
        if paid is not None:
            line = replace(
                line,
                amount=0,
                explanation=(
                    f"{line.explanation} Cùng thành tích, cùng thời điểm đã có danh hiệu được "
                    f"thưởng cao hơn (dòng {paid}): chỉ nhận mức tiền thưởng cao nhất — 0 đ."
                ),
                warnings=(*line.warnings, _warning(
                    WARNING_HIGHEST_TITLE,
                    f"Chỉ nhận tiền thưởng của danh hiệu cao nhất (dòng {paid}).",
                )),
            )
        out.append(line)
    return out
