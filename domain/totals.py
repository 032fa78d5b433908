"""Totals of award lines, one way everywhere: decisions, ceremonies, the registry, documents.

"Totals never pretend": the amount is the sum of the amounts the lines state, ``None`` when no
line states one (not 0), and the lines that state none are counted beside it. Recipients are
counted by kind — individuals, collectives and households — never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.money import format_dong

RECIPIENT_COUNT_KEYS = {"individual": "individuals", "collective": "collectives",
                        "household": "households"}


def totals(*, lines: int, individuals: int, collectives: int, households: int,
           amount_sum: int | None, stated: int) -> dict[str, Any]:
    """The totals of ``lines`` lines of which ``stated`` state an amount summing to
    ``amount_sum`` (as a SQL ``SUM``/``COUNT`` or a loop gives them)."""
    amount = int(amount_sum or 0) if stated else None
    return {
        "lines": lines,
        "individuals": individuals,
        "collectives": collectives,
        "households": households,
        "amount": amount,
        "amount_text": format_dong(amount),
        "lines_without_amount": lines - stated,
    }


def line_totals(lines: Iterable[tuple[str, int | None]]) -> dict[str, Any]:
    """Totals of (recipient kind, amount) pairs: the lines in force."""
    counts = dict.fromkeys(RECIPIENT_COUNT_KEYS.values(), 0)
    count = stated = amount = 0
    for kind, line_amount in lines:
        count += 1
        counts[RECIPIENT_COUNT_KEYS[kind]] += 1
        if line_amount is not None:
            stated += 1
            amount += line_amount
    return totals(lines=count, amount_sum=amount, stated=stated, **counts)


def counts_text(row: dict[str, Any]) -> str:
    """"16 tập thể, 30 cá nhân, 2 hộ gia đình" ("" when there are none)."""
    parts = [f"{row[key]} {label}" for key, label in
             (("collectives", "tập thể"), ("individuals", "cá nhân"),
              ("households", "hộ gia đình")) if row[key]]
    return ", ".join(parts)


def reconcile(announced: int | None, amount: int | None) -> int | None:
    """An announced total minus the amount computed from the lines (lines that state no amount
    add nothing); ``None`` when nothing was announced."""
    return None if announced is None else announced - (amount or 0)
