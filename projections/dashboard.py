"""The office's dashboard, as rows (``services.web.pages_dashboard`` words and draws them):
files waiting in each stage, by unit, and the running totals of several units at once.

Rows only: ids, counts, dates, sums. Everything else on the dashboard is the registry's own
answer (``projections.registry``) for the filter each chart's bar links to.
"""

from __future__ import annotations

from typing import Any

from domain.nomination import DRAFT, RECOMMENDED, RETURNED, UNDER_REVIEW
from domain.totals import totals
from projections import summary
from projections.db import ViewDB

# the stages a file waits in, each with the unit it waits at: a draft or a returned file at the
# unit that proposes it, a file in review or recommended at the council's unit
STAGES = (
    (DRAFT, "proposing_unit_id"),
    (UNDER_REVIEW, "review_unit_id"),
    (RECOMMENDED, "review_unit_id"),
    (RETURNED, "proposing_unit_id"),
)


class DashboardRows:
    def __init__(self, db: ViewDB) -> None:
        self.db = db

    def waiting(self, unit_ids: set[str] | None) -> list[dict[str, Any]]:
        """Files waiting, one row per stage and unit of ``unit_ids`` (None: every unit): the
        stage (a nomination status), the unit, how many, and since when the oldest waits."""
        out: list[dict[str, Any]] = []
        if unit_ids is not None and not unit_ids:
            return out
        with self.db.read() as cur:
            for status, column in STAGES:
                where, params = ["status = ?", f"{column} IS NOT NULL"], [status]
                if unit_ids is not None:
                    ids = sorted(unit_ids)
                    where.append(f"{column} IN ({','.join('?' * len(ids))})")
                    params.extend(ids)
                rows = cur.execute(
                    f"SELECT {column} AS unit_id, COUNT(*) AS waiting,"
                    " MIN(status_since) AS oldest FROM nominations"
                    f" WHERE {' AND '.join(where)} GROUP BY {column}",
                    params,
                ).fetchall()
                out.extend({"stage": status, "field": column, "unit_id": row["unit_id"],
                            "waiting": int(row["waiting"]), "oldest": str(row["oldest"])}
                           for row in rows)
        return out

    def unit_totals(self, unit_ids: list[str], year: int | None) -> dict[str, dict[str, Any]]:
        """The totals in force now of each unit's subtree (``domain.totals``), in a year or
        every year, from the running totals (``projections.summary``): what the registry
        answers for ``unit_id`` (and ``year``), for many units in one query."""
        if not unit_ids:
            return {}
        ids = sorted(set(unit_ids))
        where = [f"t.scope IN ({','.join('?' * len(ids))})"]
        params: list[Any] = list(ids)
        if year is not None:
            where.append("t.decided_year = ?")
            params.append(year)
        with self.db.read() as cur:
            rows = cur.execute(
                f"SELECT t.scope AS scope, {summary.SUMS} FROM award_totals t"
                f" WHERE {' AND '.join(where)} GROUP BY t.scope",
                params,
            ).fetchall()
        found = {
            row["scope"]: totals(
                lines=int(row["lines"] or 0), individuals=int(row["individuals"] or 0),
                collectives=int(row["collectives"] or 0), households=int(row["households"] or 0),
                amount_sum=int(row["amount"] or 0), stated=int(row["stated"] or 0))
            for row in rows
        }
        empty = totals(lines=0, individuals=0, collectives=0, households=0, amount_sum=None,
                       stated=0)
        return {unit_id: found.get(unit_id, empty) for unit_id in ids}
