"""Totals of award lines, one way everywhere: decisions, ceremonies, the registry, documents.

The rule, stated here once ("totals never pretend"):

* only lines **in force** count: a revoked line counts in no total (``in_force``; the registry
  reads "in force" as of a date or a log position, ``RegistryFilter.revoked_condition``);
* the amount is the sum of the amounts the lines **state** (``states_amount``: 0 đ is stated), and
  ``None`` when no line states one — never 0;
* a line that states none (``not_stated``, or a rule that gave no figure) adds nothing and is
  counted beside the amount (``lines_without_amount``);
* recipients are counted by kind — individuals, collectives and households — never dropped
  (``RECIPIENT_COUNT_KEYS``, one per kind of ``domain.catalog.RECIPIENT_KINDS``).

The registry sums in SQL what this module sums in Python (a million lines are not read into
Python): ``projections.sums`` builds that SQL from the constants here, and
``tests/services/test_totals_rule.py`` holds both to the same answers on both stores.

Numbers only: their words ("16 tập thể, 30 cá nhân, 33.840.000 đ") are the edge's
(``services.presentation.totals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol, TypeVar

from domain.catalog import RECIPIENT_KINDS

# recipient kind → the count of its lines in a total ("individual" → "individuals")
RECIPIENT_COUNT_KEYS = {kind: f"{kind}s" for kind in RECIPIENT_KINDS}


class AwardLine(Protocol):
    """What a total reads of a decision line (``domain.decision.DecisionLine``)."""

    revoked_on: date | None
    recipient_kind: str
    amount: int | None


L = TypeVar("L", bound=AwardLine)


def in_force(lines: Iterable[L]) -> list[L]:
    """The lines that count in a total: those not revoked."""
    return [line for line in lines if line.revoked_on is None]


def states_amount(amount: int | None) -> bool:
    """Whether a line states an amount (0 đ does); only those add to a total's amount."""
    return amount is not None


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
        "lines_without_amount": lines - stated,
    }


def line_totals(lines: Iterable[tuple[str, int | None]]) -> dict[str, Any]:
    """Totals of (recipient kind, amount) pairs: the lines in force."""
    counts = dict.fromkeys(RECIPIENT_COUNT_KEYS.values(), 0)
    count = stated = amount = 0
    for kind, line_amount in lines:
        count += 1
        counts[RECIPIENT_COUNT_KEYS[kind]] += 1
        if states_amount(line_amount):
            stated += 1
            amount += line_amount
    return totals(lines=count, amount_sum=amount, stated=stated, **counts)


def totals_in_force(lines: Iterable[AwardLine]) -> dict[str, Any]:
    """Totals of decision lines (one decision's, or several decisions'): the lines in force
    only."""
    return line_totals((line.recipient_kind, line.amount) for line in in_force(lines))


def reconcile(announced: int | None, amount: int | None) -> int | None:
    """An announced total minus the amount computed from the lines (lines that state no amount
    add nothing); ``None`` when nothing was announced."""
    return None if announced is None else announced - (amount or 0)
