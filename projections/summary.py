"""Running totals of the award lines in force, so a province's totals do not read its lines.

Summed from the lines, a province's totals at a million awards read a third of a million lines
on each call: far too slow for a page (bench/RESULTS.md). The decisions view therefore also
keeps ``award_totals``: counts and money of the lines *in force now*, per unit on each line's
path (and per ``''``, the whole registry) and per year, issuer, award kind, recipient kind and
amount source. Issuing a decision adds to it; revoking lines subtracts; totals are then a sum
over a few hundred rows.

Totals *as of* a date or a log position, and filters the summary does not key (a name, a
recipient, a decision, a ceremony), still sum the lines themselves (``projections.registry``); a
property test holds both ways to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from domain.totals import states_amount
from projections import sums

WHOLE = ""  # the scope of "every line", beside one scope per unit on a line's path

# the key of a running total, in the table's column order: a scope, then columns that award
# lines have under the same names
KEY = ("scope", "level", "unit_name", "decided_year", "issuer_key", "issuer_name", "issuer_body",
       "issuer_unit_id", "award_kind", "recipient_kind", "amount_source")
LINE_COLUMNS = KEY[3:]
# the registry filter's fields the summary can answer, and its columns for them
FILTER_COLUMNS = {"unit_id": "scope", "year": "decided_year", "award_kind": "award_kind",
                  "recipient_kind": "recipient_kind", "issuer_key": "issuer_key",
                  "issuer_unit_id": "issuer_unit_id"}
# group name → (key column, label column), the same in award_lines and award_totals
GROUP_COLUMNS = {
    "issuer": ("issuer_key", "issuer_name"),
    "year": ("decided_year", "decided_year"),
    "award_kind": ("award_kind", "award_kind"),
    "recipient_kind": ("recipient_kind", "recipient_kind"),
    "amount_source": ("amount_source", "amount_source"),
    "funding": ("issuer_body", "issuer_body"),
}


def groups(alias: str) -> dict[str, tuple[str, str]]:
    """Group name → (SQL key, SQL label) over the table ``alias``."""
    return {name: (f"{alias}.{key}", f"MAX({alias}.{label})")
            for name, (key, label) in GROUP_COLUMNS.items()}


# over award_totals ``t``; "unit" is grouped by scope within a level
GROUPS = {**groups("t"), "unit": ("t.scope", "MAX(t.unit_name)")}
SUMS = sums.over_running_totals("t")  # the totals rule (domain.totals), over award_totals


def ddl(dialect: str) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS award_totals ("
        " scope TEXT NOT NULL, level TEXT NOT NULL, unit_name TEXT NOT NULL,"
        " decided_year INTEGER NOT NULL, issuer_key TEXT NOT NULL, issuer_name TEXT NOT NULL,"
        " issuer_body TEXT NOT NULL, issuer_unit_id TEXT NOT NULL, award_kind TEXT NOT NULL,"
        " recipient_kind TEXT NOT NULL, amount_source TEXT NOT NULL,"
        " lines BIGINT NOT NULL, amount BIGINT NOT NULL, stated BIGINT NOT NULL,"
        f" PRIMARY KEY ({', '.join(KEY)}))",
        "CREATE INDEX IF NOT EXISTS award_totals_level ON award_totals (level, scope)",
    ]


Deltas = dict[tuple[Any, ...], list[int]]


def line_key(line: dict[str, Any]) -> tuple[Any, ...]:
    """The key of an award line (its ``LINE_COLUMNS``) apart from its scope."""
    return tuple(line[c] or "" if c == "issuer_unit_id" else line[c] for c in LINE_COLUMNS)


def count(deltas: Deltas, key: tuple[Any, ...], amount: int | None,
          path: Iterable[dict[str, Any]], sign: int) -> None:
    """Add (sign = 1) or take away (-1) one line in every scope it counts in: the whole registry
    and each unit on its path (the totals rule: ``domain.totals``)."""
    stated = int(states_amount(amount))
    for scope in ((WHOLE, "", ""), *((step["id"], step["level"], step["name"]) for step in path)):
        total = deltas.setdefault((*scope, *key), [0, 0, 0])
        total[0] += sign
        total[1] += sign * (amount or 0)
        total[2] += sign * stated


def apply(cur: Any, deltas: Deltas) -> None:
    rows = [(*key, *values) for key, values in sorted(deltas.items()) if any(values)]
    if not rows:
        return
    cur.executemany(
        f"INSERT INTO award_totals ({', '.join(KEY)}, lines, amount, stated)"
        f" VALUES ({', '.join('?' * (len(KEY) + 3))})"
        f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET"
        " lines = award_totals.lines + excluded.lines,"
        " amount = award_totals.amount + excluded.amount,"
        " stated = award_totals.stated + excluded.stated",
        rows,
    )


def answers(f: Any, group_by: str | None) -> bool:
    """Whether the running totals answer this filter and grouping (lines in force now, filtered
    only on keyed fields; grouping by unit only over the whole registry)."""
    # Every other field of the filter (a name, a recipient, a decision, a date…) needs the
    # lines: a field added to the filter is answered from the lines until it is keyed here.
    keyed = {*FILTER_COLUMNS, "unit_id", "status"}
    if any(getattr(f, field.name) is not None for field in fields(f) if field.name not in keyed):
        return False
    if group_by == "unit" and f.unit_id is not None:
        return False
    return group_by is None or group_by in GROUPS


def where(f: Any) -> tuple[list[str], list[Any]]:
    """Conditions on ``award_totals t`` for the filter (see ``answers``)."""
    clauses, params = ["t.scope = ?"], [f.unit_id if f.unit_id is not None else WHOLE]
    for name, column in FILTER_COLUMNS.items():
        value = getattr(f, name)
        if value is not None and name != "unit_id":
            clauses.append(f"t.{column} = ?")
            params.append(value)
    return clauses, params
