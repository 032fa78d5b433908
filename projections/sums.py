"""The totals rule of ``domain.totals``, written in SQL.

Why SQL must mirror it: the registry's totals run over up to a million award lines (and over the
running totals of ``projections.summary``), which the database sums; reading them into Python to
call ``domain.totals.line_totals`` would undo the point of both. So the SQL is built here, once,
from the domain's constants — the recipient kinds counted (``RECIPIENT_COUNT_KEYS``), "stated"
as a non-null amount, "in force" as not revoked — and every SQL total of award lines uses it:
the registry over ``award_lines``, over ``award_totals``, and the decision list.
``tests/services/test_totals_rule.py`` holds these sums to ``domain.totals`` on both stores.

Each sum is named by a column of ``domain.totals.totals``' arguments: ``lines``, one count per
recipient kind, ``amount`` (the SQL ``SUM``, NULL when no line states one) and ``stated``; over
the lines also the distinct recipients of each kind (``RECIPIENT_COLUMNS``: ``COUNT(DISTINCT``
of the identity key ``recipient_key``), read back into a total's ``recipients`` by
``recipients``. Distinct recipients do not add up — the same person in two groups is one person
in their union — so the running totals cannot give them: the registry counts them over the
lines, whichever way it sums the rest.
"""

from __future__ import annotations

from typing import Any

from domain.totals import RECIPIENT_COUNT_KEYS

# recipient kind → the SQL column of its distinct recipients ("collective" →
# "collective_recipients")
RECIPIENT_COLUMNS = {kind: f"{kind}_recipients" for kind in RECIPIENT_COUNT_KEYS}


def in_force(on: str = "l") -> str:
    """SQL true for a line in force now (``domain.totals.in_force``); as of a date or a log
    position the registry reads it with ``RegistryFilter.revoked_condition``."""
    return f"{on}.revoked_on IS NULL"


def amount(on: str = "l") -> str:
    """The amount of the lines (NULL when none states one)."""
    return f"SUM({on}.amount)"


def without_amount(on: str = "l") -> str:
    """How many lines state no amount (``domain.totals.states_amount``)."""
    return f"COUNT(*) - COUNT({on}.amount)"


def distinct_recipients(on: str = "l") -> str:
    """The distinct recipients of each kind among the lines ``on`` (one row per line), by their
    identity key (``domain.totals``: a recipient on several lines is one recipient)."""
    return ", ".join(
        f"COUNT(DISTINCT CASE WHEN {on}.recipient_kind = '{kind}' THEN {on}.recipient_key END)"
        f" AS {column}"
        for kind, column in RECIPIENT_COLUMNS.items()
    )


def recipients(row: Any) -> dict[str, int]:
    """A row's distinct recipients (``distinct_recipients``) as a total's ``recipients``."""
    return {kind: int(row[column] or 0) for kind, column in RECIPIENT_COLUMNS.items()}


def over_lines(on: str = "l") -> str:
    """The totals' sums over award lines ``on`` (one row per line), with the distinct
    recipients of each kind."""
    kinds = "".join(
        f" SUM(CASE WHEN {on}.recipient_kind = '{kind}' THEN 1 ELSE 0 END) AS {key},"
        for kind, key in RECIPIENT_COUNT_KEYS.items()
    )
    return (f"COUNT(*) AS lines,{kinds} {amount(on)} AS amount, COUNT({on}.amount) AS stated,"
            f" {distinct_recipients(on)}")


def over_running_totals(on: str = "t") -> str:
    """The totals' sums over running totals ``on`` (``projections.summary``: one row per key,
    with its lines, amount and stated lines already counted); not the distinct recipients,
    which only the lines give (``distinct_recipients``)."""
    kinds = "".join(
        f" SUM(CASE WHEN {on}.recipient_kind = '{kind}' THEN {on}.lines ELSE 0 END) AS {key},"
        for kind, key in RECIPIENT_COUNT_KEYS.items()
    )
    return (f"SUM({on}.lines) AS lines,{kinds} SUM({on}.amount) AS amount,"
            f" SUM({on}.stated) AS stated")
