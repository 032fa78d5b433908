"""Read-side queries over the views. Queries read tables only; they never replay aggregates.

Rows only: numbers, codes, dates, ids and names as stored. Labels and status names are added at
the edge (``services.presentation.queries``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.nomination import RECOMMENDED, UNDER_REVIEW
from projections import sums
from projections.base import loads
from projections.db import Cursor, ViewDB
from projections.search import contains_pattern, like_pattern

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000  # past any real list; bounds what reaches SQL (a 64-bit integer)


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "limit", max(1, min(int(self.limit), MAX_LIMIT)))
        object.__setattr__(self, "offset", max(0, min(int(self.offset), MAX_OFFSET)))

    @classmethod
    def everything(cls, limit: int) -> Page:
        """For exports: past the API's page cap (the caller bounds ``limit`` itself)."""
        page = cls()
        object.__setattr__(page, "limit", limit)
        return page


def _page(
    cur: Cursor, select: str, where: list[str], params: list[Any], order: str, page: Page
) -> dict[str, Any]:
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = cur.scalar(f"SELECT COUNT(*) FROM ({select}{clause}) AS counted", params)
    rows = cur.execute(
        f"{select}{clause} ORDER BY {order} LIMIT ? OFFSET ?", [*params, page.limit, page.offset]
    ).fetchall()
    return {"items": rows, "total": int(total or 0), "limit": page.limit, "offset": page.offset}


class QueryRows:
    """The lists' queries; rows only (worded by ``services.presentation.queries``)."""

    def __init__(self, db: ViewDB) -> None:
        self.db = db

    # -- org tree -----------------------------------------------------------------------------

    @staticmethod
    def _unit_row(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": row["unit_id"],
            "name": row["name"],
            "level": row["level"],
            "parent_id": row["parent_id"],
            "status": row["status"],
            "successor_id": row["successor_id"],
            "code": row["code"],
            "valid_from": row["valid_from"],
            "valid_to": row["valid_to"],
        }

    def units_on(
        self,
        on: date,
        *,
        parent_id: str | None = None,
        level: str | None = None,
        q: str | None = None,
        include_ended: bool = False,
        page: Page | None = None,
    ) -> dict[str, Any]:
        where = ["valid_from <= ?", "(valid_to IS NULL OR valid_to > ?)"]
        params: list[Any] = [on.isoformat(), on.isoformat()]
        if not include_ended:
            where.append("status = 'active'")
        if parent_id:
            where.append("parent_id = ?")
            params.append(parent_id)
        if level:
            where.append("level = ?")
            params.append(level)
        if q:
            where.append("name_folded LIKE ? ESCAPE '\\'")
            params.append(like_pattern(q))
        with self.db.read() as cur:
            result = _page(
                cur,
                "SELECT * FROM org_unit_versions",
                where,
                params,
                "name_folded, name, unit_id",
                page or Page(limit=MAX_LIMIT),
            )
        result["items"] = [self._unit_row(r) for r in result["items"]]
        return result

    def tree_on(self, on: date) -> list[dict[str, Any]]:
        """The whole active tree on ``on``, nested, children in name order."""
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT * FROM org_unit_versions WHERE valid_from <= ?"
                " AND (valid_to IS NULL OR valid_to > ?) AND status = 'active'"
                " ORDER BY name_folded, name",
                (on.isoformat(), on.isoformat()),
            ).fetchall()
        nodes = {r["unit_id"]: {**self._unit_row(r), "children": []} for r in rows}
        roots = []
        for node in nodes.values():
            parent = nodes.get(node["parent_id"]) if node["parent_id"] else None
            (parent["children"] if parent else roots).append(node)
        return roots

    def unit_versions(self, unit_id: str) -> list[dict[str, Any]]:
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT * FROM org_unit_versions WHERE unit_id = ? ORDER BY valid_from",
                (unit_id,),
            ).fetchall()
        return [self._unit_row(r) for r in rows]

    def unit_periods(self, unit_ids: set[str]) -> dict[str, list[dict[str, Any]]]:
        """The periods of several units (``org_unit_versions``), oldest first, by unit: each
        ``unit_id``, ``valid_from``, ``valid_to``, ``name``, ``level``, ``parent_id``,
        ``status``, ``successor_id``. Units without any are left out."""
        wanted = sorted(i for i in unit_ids if i)
        out: dict[str, list[dict[str, Any]]] = {}
        with self.db.read() as cur:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = cur.execute(
                    "SELECT unit_id, valid_from, valid_to, name, level, parent_id, status,"
                    f" successor_id FROM org_unit_versions WHERE unit_id IN ({marks})"
                    " ORDER BY unit_id, valid_from",
                    chunk,
                ).fetchall()
                for row in rows:
                    out.setdefault(row["unit_id"], []).append(dict(row))
        return out

    def unit_changes_between(self, first: date, last: date, limit: int) -> dict[str, Any]:
        """The dated changes of the units' histories (``org_unit_changes``) effective from
        ``first`` to ``last``, both included: ``total`` of them, and the first ``limit`` in
        ``items`` (by date, unit, order recorded), each ``unit_id``, ``seq``, ``effective_on``,
        ``kind`` (created, renamed, moved, merged_into, dissolved), ``name``, ``parent_id``,
        ``target_id``."""
        span = (first.isoformat(), last.isoformat())
        with self.db.read() as cur:
            total = cur.scalar(
                "SELECT COUNT(*) FROM org_unit_changes"
                " WHERE effective_on >= ? AND effective_on <= ?",
                span,
            )
            rows = cur.execute(
                "SELECT unit_id, seq, effective_on, kind, name, parent_id, target_id"
                " FROM org_unit_changes WHERE effective_on >= ? AND effective_on <= ?"
                " ORDER BY effective_on, unit_id, seq LIMIT ?",
                [*span, limit],
            ).fetchall()
        return {"total": int(total or 0), "items": [dict(r) for r in rows]}

    def subtree_ids(self, roots: set[str]) -> set[str]:
        """Every unit below (and including) ``roots`` in the current tree, merged ones too
        (under their last parent and under their successor)."""
        if not roots:
            return set()
        ids = sorted(roots)
        marks = ",".join("?" * len(ids))
        with self.db.read() as cur:
            rows = cur.execute(
                "WITH RECURSIVE sub(unit_id) AS ("
                f" SELECT unit_id FROM org_units WHERE unit_id IN ({marks})"
                " UNION SELECT o.unit_id FROM org_units o"
                " JOIN sub ON o.latest_parent_id = sub.unit_id OR o.successor_id = sub.unit_id)"
                " SELECT unit_id FROM sub",
                ids,
            ).fetchall()
        return {r["unit_id"] for r in rows}

    def unit_names(self, unit_ids: set[str]) -> dict[str, str]:
        if not unit_ids:
            return {}
        ids = sorted(unit_ids)
        marks = ",".join("?" * len(ids))
        with self.db.read() as cur:
            rows = cur.execute(
                f"SELECT unit_id, latest_name FROM org_units WHERE unit_id IN ({marks})", ids
            ).fetchall()
        return {r["unit_id"]: r["latest_name"] for r in rows}

    # -- nominations --------------------------------------------------------------------------

    def nominations(
        self,
        *,
        status: str | None = None,
        proposing_unit_id: str | None = None,
        review_unit_id: str | None = None,
        unit_ids: set[str] | None = None,
        award_kind: str | None = None,
        submission_id: str | None = None,
        q: str | None = None,
        page: Page | None = None,
    ) -> dict[str, Any]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("status", status),
            ("proposing_unit_id", proposing_unit_id),
            ("review_unit_id", review_unit_id),
            ("award_kind", award_kind),
            ("submission_id", submission_id),
        ):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if unit_ids is not None:
            if not unit_ids:
                return {
                    "items": [],
                    "total": 0,
                    "limit": (page or Page()).limit,
                    "offset": (page or Page()).offset,
                }
            ids = sorted(unit_ids)
            marks = ",".join("?" * len(ids))
            where.append(f"(proposing_unit_id IN ({marks}) OR review_unit_id IN ({marks}))")
            params.extend(ids + ids)
        if q:
            where.append("recipient_folded LIKE ? ESCAPE '\\'")
            params.append(like_pattern(q))
        with self.db.read() as cur:
            result = _page(
                cur,
                "SELECT * FROM nominations",
                where,
                params,
                "updated_at DESC, nomination_id",
                page or Page(),
            )
        for row in result["items"]:
            row.pop("recipient_key", None)  # an identity key (maybe a citizen ID) stays inside
        return result

    def submissions(
        self, *, unit_ids: set[str] | None = None, page: Page | None = None
    ) -> dict[str, Any]:
        where: list[str] = []
        params: list[Any] = []
        if unit_ids is not None:
            ids = sorted(unit_ids) or [""]
            where.append(f"proposing_unit_id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        with self.db.read() as cur:
            return _page(
                cur,
                "SELECT * FROM submissions",
                where,
                params,
                "submitted_on DESC, submission_id",
                page or Page(),
            )

    # -- decisions ----------------------------------------------------------------------------

    def decisions(
        self,
        *,
        year: int | None = None,
        issuer_unit_id: str | None = None,
        recorded_by_unit_id: str | None = None,
        q: str | None = None,
        page: Page | None = None,
    ) -> dict[str, Any]:
        where: list[str] = []
        params: list[Any] = []
        if year:
            where.append("decided_on >= ? AND decided_on <= ?")
            params.extend([f"{year:04d}-01-01", f"{year:04d}-12-31"])
        if issuer_unit_id:
            where.append("issuer_unit_id = ?")
            params.append(issuer_unit_id)
        if recorded_by_unit_id:
            where.append("recorded_by_unit_id = ?")
            params.append(recorded_by_unit_id)
        if q:
            where.append("(number LIKE ? ESCAPE '\\' OR issuer_name LIKE ? ESCAPE '\\')")
            params.extend([contains_pattern(q), contains_pattern(q)])
        # the totals rule (domain.totals, in SQL: projections.sums) over each decision's lines
        in_force = f"l.decision_id = d.decision_id AND {sums.in_force('l')}"
        select = (
            f"SELECT d.*, (SELECT {sums.amount('l')} FROM award_lines l WHERE {in_force})"
            " AS total_amount,"
            f" (SELECT {sums.without_amount('l')} FROM award_lines l WHERE {in_force})"
            " AS not_stated_lines"
            " FROM decisions d"
        )
        with self.db.read() as cur:
            result = _page(
                cur,
                f"SELECT * FROM ({select}) AS dd",
                where,
                params,
                "decided_on DESC, number",
                page or Page(),
            )
        for row in result["items"]:
            row["external"] = bool(row["external"])
            # None when no active line states an amount: "not stated" is not 0.
            row["total_amount"] = (
                int(row["total_amount"]) if row["total_amount"] is not None else None
            )
            row["not_stated_lines"] = int(row["not_stated_lines"] or 0)
        return result

    def issuer_decisions(self, issuer_unit_id: str, year: int) -> list[dict[str, Any]]:
        """One issuing unit's decisions of a year, revoked ones too (their numbers are never
        used again), the latest first: to suggest the next free number and the usual signer."""
        with self.db.read() as cur:
            return cur.execute(
                "SELECT number, decided_on, signer_name, signer_title FROM decisions"
                " WHERE issuer_unit_id = ? AND decided_on >= ? AND decided_on <= ?"
                " ORDER BY decided_on DESC, position DESC",
                (issuer_unit_id, f"{year:04d}-01-01", f"{year:04d}-12-31"),
            ).fetchall()

    def awaiting_decision(
        self, review_unit_ids: set[str] | None, page: Page | None = None
    ) -> dict[str, Any]:
        """Recommended nominations waiting for a decision at these units (None: at any), the
        longest-waiting first (``status_since``: since when they wait)."""
        where = ["status = ?"]
        params: list[Any] = [RECOMMENDED]
        if review_unit_ids is not None:
            ids = sorted(review_unit_ids) or [""]
            where.append(f"review_unit_id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        with self.db.read() as cur:
            result = _page(cur, "SELECT * FROM nominations", where, params,
                           "status_since, nomination_id", page or Page())
        for row in result["items"]:
            row.pop("recipient_key", None)  # an identity key stays inside
        return result

    def computed_lines(
        self, *, year: int | None = None, issuer_unit_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Award lines in force whose amount was computed by a schedule (legal or an issuer's
        own rates), with what is needed to compute them again: the schedule-difference report."""
        where = ["l.amount_mode = 'computed'", sums.in_force("l"),
                 "l.amount_source IN ('legal', 'internal')"]
        params: list[Any] = []
        if year:
            where.append("l.decided_year = ?")
            params.append(year)
        if issuer_unit_id:
            where.append("l.issuer_unit_id = ?")
            params.append(issuer_unit_id)
        with self.db.read() as cur:
            return cur.execute(
                "SELECT l.decision_id, l.line_no, l.decision_number, l.decided_on,"
                " l.issuer_key, l.issuer_body, l.issuer_level, l.issuer_name, l.issuer_unit_id,"
                " l.award_kind, l.award_family, l.recipient_kind, l.recipient_name,"
                " l.recipient_key, l.period, l.amount, l.amount_source, l.explanation,"
                " d.recorded_by_unit_id"
                " FROM award_lines l JOIN decisions d ON d.decision_id = l.decision_id"
                f" WHERE {' AND '.join(where)}"
                " ORDER BY l.decided_on, l.decision_number, l.decision_id, l.line_no",
                params,
            ).fetchall()

    def work_queues(self, today: date) -> list[dict[str, Any]]:
        """Files waiting, by unit and stage: under review by a council, or recommended and
        waiting for a decision; with how many and how long the oldest has waited (the
        ``stage`` is the nominations' status)."""
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT n.review_unit_id, n.status, COUNT(*) AS waiting,"
                " MIN(n.status_since) AS oldest, MAX(v.name) AS unit_name"
                " FROM nominations n LEFT JOIN org_unit_versions v"
                " ON v.unit_id = n.review_unit_id AND v.valid_to IS NULL"
                f" WHERE n.status IN ('{UNDER_REVIEW}', '{RECOMMENDED}')"
                " GROUP BY n.review_unit_id, n.status",
            ).fetchall()
        out = []
        for row in rows:
            oldest = date.fromisoformat(str(row["oldest"])[:10])
            out.append({
                "unit_id": row["review_unit_id"],
                "unit_name": row["unit_name"],
                "stage": row["status"],
                "waiting": int(row["waiting"]),
                "oldest_since": oldest.isoformat(),
                "oldest_age_days": max((today - oldest).days, 0),
            })
        out.sort(key=lambda q: (-q["oldest_age_days"], q["unit_name"] or "", q["stage"]))
        return out

    def certificate_token(self, token: str) -> dict[str, Any] | None:
        with self.db.read() as cur:
            return cur.execute(
                "SELECT book_id, decision_id, line_no FROM certificates WHERE token = ?", (token,)
            ).fetchone()

    def certificates_of(self, decision_id: str) -> list[dict[str, Any]]:
        """The register of one decision's certificates: serial, copies, dates, token."""
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT line_no, serial, year, copies, first_printed_on, last_printed_on, token"
                " FROM certificates WHERE decision_id = ? ORDER BY line_no",
                (decision_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def ceremonies(
        self, *, year: int | None = None, host_unit_id: str | None = None, page: Page | None = None
    ) -> dict[str, Any]:
        where: list[str] = []
        params: list[Any] = []
        if year:
            where.append("held_on >= ? AND held_on <= ?")
            params.extend([f"{year:04d}-01-01", f"{year:04d}-12-31"])
        if host_unit_id:
            where.append("host_unit_id = ?")
            params.append(host_unit_id)
        select = (
            "SELECT c.*, (SELECT COUNT(*) FROM ceremony_decisions cd"
            " WHERE cd.ceremony_id = c.ceremony_id) AS decision_count FROM ceremonies c"
        )
        with self.db.read() as cur:
            return _page(
                cur,
                f"SELECT * FROM ({select}) AS cc",
                where,
                params,
                "held_on DESC, ceremony_id",
                page or Page(),
            )

    # -- users --------------------------------------------------------------------------------

    def users(self, *, q: str | None = None, page: Page | None = None,
              within: set[str] | None = None) -> dict[str, Any]:
        """Users by name; with ``within``, only those homed in those units or holding a grant
        in one of them (an admin's subtree)."""
        where: list[str] = []
        params: list[Any] = []
        if q:
            where.append("username LIKE ? ESCAPE '\\'")
            params.append(like_pattern(q))
        page = page or Page()
        with self.db.read() as cur:
            if within is None:
                result = _page(cur, "SELECT * FROM users", where, params, "username", page)
            else:
                clause = f" WHERE {' AND '.join(where)}" if where else ""
                rows = [row for row in cur.execute(
                    f"SELECT * FROM users{clause} ORDER BY username", params).fetchall()
                    if row["home_unit_id"] in within
                    or any(g["unit_id"] in within for g in loads(row["grants"]))]
                result = {"items": rows[page.offset:page.offset + page.limit],
                          "total": len(rows), "limit": page.limit, "offset": page.offset}
        for row in result["items"]:
            if isinstance(row["grants"], str):
                row["grants"] = loads(row["grants"])
        return result
