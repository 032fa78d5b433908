"""Totals of award lines, one way everywhere: decisions, ceremonies, the registry, documents.

The rule, stated here once ("totals never pretend"):

* only lines **in force** count: a revoked line counts in no total (``in_force``; the registry
  reads "in force" as of a date or a log position, ``RegistryFilter.revoked_condition``);
* the amount is the sum of the amounts the lines **state** (``states_amount``: 0 đ is stated), and
  ``None`` when no line states one — never 0;
* a line that states none (``not_stated``, or a rule that gave no figure) adds nothing and is
  counted beside the amount (``lines_without_amount``);
* recipients are counted by kind — individuals, collectives and households — never dropped
  (``RECIPIENT_COUNT_KEYS``, one per kind of ``domain.catalog.RECIPIENT_KINDS``);
* award lines are not recipients: a collective given a Bằng khen and a Cờ thi đua is one
  collective with two awards. A total counts both: the lines of each kind, and the **distinct
  recipients** of each kind, told apart by their identity key (``recipient_key``,
  ``domain.recipients.Recipient.key``; keys of different kinds never coincide).

What a total holds (``totals``), the same from Python and from SQL:

* ``lines``: the award lines in force;
* ``individuals``, ``collectives``, ``households`` (``RECIPIENT_COUNT_KEYS``): the award lines in
  force of each recipient kind — *lines*, kept under these names for compatibility;
* ``recipients`` (``RECIPIENTS``): ``{"individual": n, "collective": n, "household": n}``, the
  distinct recipients of each kind among those lines, every kind present (0 when none) — what
  a count of people, collectives or households ("40 tập thể") is compared with. ``None`` only
  where a caller summed lines it could not tell apart (the dashboard's running totals of several
  units at once, which word no count); never ``None`` in a decision's, a ceremony's, a payout's
  or the registry's totals;
* ``amount`` and ``lines_without_amount``, as above.

The registry sums in SQL what this module sums in Python (a million lines are not read into
Python): ``projections.sums`` builds that SQL from the constants here, and
``tests/services/test_totals_rule.py`` holds both to the same answers on both stores.

Numbers only: their words ("16 tập thể, 30 cá nhân, 33.840.000 đ", "1 tập thể nhận 2 hình thức
khen thưởng") are the edge's (``services.presentation.totals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol, TypeVar

from domain.catalog import RECIPIENT_KINDS

# recipient kind → the count of its lines in a total ("individual" → "individuals")
RECIPIENT_COUNT_KEYS = {kind: f"{kind}s" for kind in RECIPIENT_KINDS}
# the key of a total's distinct recipients, by kind: ``total[RECIPIENTS]["collective"]``
RECIPIENTS = "recipients"


class AwardLine(Protocol):
    """What a total reads of a decision line (``domain.decision.DecisionLine``)."""

    revoked_on: date | None
    recipient_kind: str
    recipient_key: str  # the recipient's identity (``domain.recipients.Recipient.key``)
    amount: int | None


L = TypeVar("L", bound=AwardLine)


def in_force(lines: Iterable[L]) -> list[L]:
    """The lines that count in a total: those not revoked."""
    return [line for line in lines if line.revoked_on is None]


def states_amount(amount: int | None) -> bool:
    """Whether a line states an amount (0 đ does); only those add to a total's amount."""
    return amount is not None


def no_recipients() -> dict[str, int]:
    """The distinct recipients of a total with no line: 0 of every kind."""
    return dict.fromkeys(RECIPIENT_KINDS, 0)


def totals(*, lines: int, individuals: int, collectives: int, households: int,
           amount_sum: int | None, stated: int,
           recipients: dict[str, int] | None = None) -> dict[str, Any]:
    """The totals of ``lines`` lines of which ``stated`` state an amount summing to
    ``amount_sum`` (as a SQL ``SUM``/``COUNT`` or a loop gives them); ``recipients``: the
    distinct recipients among them by kind (``None``: not counted — see the module's note;
    with no line there is nobody to count, and that is known)."""
    amount = int(amount_sum or 0) if stated else None
    if recipients is not None:
        recipients = {kind: int(recipients.get(kind) or 0) for kind in RECIPIENT_KINDS}
    elif not lines:
        recipients = no_recipients()
    return {
        "lines": lines,
        "individuals": individuals,
        "collectives": collectives,
        "households": households,
        RECIPIENTS: recipients,
        "amount": amount,
        "lines_without_amount": lines - stated,
    }


def line_totals(lines: Iterable[tuple[str, int | None, str]]) -> dict[str, Any]:
    """Totals of (recipient kind, amount, recipient key) triples: the lines in force."""
    counts = dict.fromkeys(RECIPIENT_COUNT_KEYS.values(), 0)
    seen: dict[str, set[str]] = {kind: set() for kind in RECIPIENT_KINDS}
    count = stated = amount = 0
    for kind, line_amount, key in lines:
        count += 1
        counts[RECIPIENT_COUNT_KEYS[kind]] += 1
        seen[kind].add(key)
        if states_amount(line_amount):
            stated += 1
            amount += line_amount
    return totals(lines=count, amount_sum=amount, stated=stated,
                  recipients={kind: len(keys) for kind, keys in seen.items()}, **counts)


def totals_in_force(lines: Iterable[AwardLine]) -> dict[str, Any]:
    """Totals of decision lines (one decision's, or several decisions'): the lines in force
    only; a recipient named on several of them (two forms in one decision, or one award in each
    of two decisions of a ceremony) is one recipient."""
    return line_totals((line.recipient_kind, line.amount, line.recipient_key)
                       for line in in_force(lines))


def reconcile(announced: int | None, amount: int | None) -> int | None:
    """An announced total minus the amount computed from the lines (lines that state no amount
    add nothing); ``None`` when nothing was announced."""
    return None if announced is None else announced - (amount or 0)
