"""The award registry and its totals, read from the ``decisions`` view — as of now, of a date, or
of a log position.

*As of a date D*: lines decided on or before D; a line is in force unless revoked on or before D.
*As of a position P*: lines recorded at or before P; in force unless their revocation was recorded
at or before P. Both may be given. Totals sum the amounts that are stated and count the lines that
state none: a total never pretends to know more than the record.

Rows only: numbers, codes, dates, ids and names as stored. Their words — labels, status names,
"16 tập thể, 30 cá nhân, 33.840.000 đ" — are added at the edge (``services.presentation.registry``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from domain.totals import reconcile, totals
from projections import search, summary, sums
from projections.base import loads
from projections.db import ViewDB
from projections.queries import Page

ACTIVE, REVOKED, ALL = "active", "revoked", "all"


@dataclass(frozen=True)
class RegistryFilter:
    q: str | None = None
    unit_id: str | None = None  # the unit's subtree, as it stood on each line's date
    year: int | None = None
    award_kind: str | None = None
    recipient_kind: str | None = None
    gender: str | None = None  # individuals only: female | male | unknown (none recorded)
    recipient_key: str | None = None  # the identity key (inside the service only)
    recipient_id: str | None = None  # the public id a recipient is shown by
    issuer_key: str | None = None
    issuer_unit_id: str | None = None
    decision_id: str | None = None
    ceremony_id: str | None = None
    status: str = ACTIVE  # active | revoked | all
    as_of: date | None = None
    as_of_position: int | None = None

    def where(self, units: bool = False) -> tuple[list[str], list[Any]]:
        """SQL conditions over ``award_lines l`` and their parameters.

        With ``units`` (a unit filter, read as ``award_line_units u JOIN award_lines l``) the
        unit, year, date and date-based status conditions go on ``u``, whose key is (unit, year,
        name order): a commune's year is then one index range, listed in order without a sort
        and counted without reading its lines (``on_units_only``)."""
        where: list[str] = []
        params: list[Any] = []
        on = "u" if units else "l"
        if units:
            where.append("u.unit_id = ?")
            params.append(self.unit_id)
        if self.year is not None:
            where.append(f"{on}.decided_year = ?")
            params.append(self.year)
        if self.as_of is not None:
            where.append(f"{on}.decided_on <= ?")
            params.append(self.as_of.isoformat())
        if self.as_of_position is not None:
            where.append("l.position <= ?")
            params.append(self.as_of_position)
        revoked, revoked_params = self.revoked_condition(on if self.as_of_position is None
                                                         else "l")
        if self.status == ACTIVE:
            where.append(f"NOT {revoked}")
            params.extend(revoked_params)
        elif self.status == REVOKED:
            where.append(revoked)
            params.extend(revoked_params)
        for column, value in (
            ("l.award_kind", self.award_kind),
            ("l.recipient_kind", self.recipient_kind),
            ("l.recipient_key", self.recipient_key),
            ("l.issuer_key", self.issuer_key),
            ("l.issuer_unit_id", self.issuer_unit_id),
            ("l.decision_id", self.decision_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if self.gender is not None:
            conditions, condition_params = gender_condition(self.gender)
            where.extend(conditions)
            params.extend(condition_params)
        if self.recipient_id is not None:
            where.append("l.recipient_key = (SELECT r.recipient_key FROM recipient_ids r"
                         " WHERE r.public_id = ?)")
            params.append(self.recipient_id)
        if self.q:
            keys, key_params = search.keys_matching(self.q)
            where.append(f"l.recipient_key IN ({keys})")
            params.extend(key_params)
        if self.unit_id is not None and not units:
            # an IN list (not EXISTS) lets both databases start from the unit's index range
            # instead of testing every line of the registry
            year = " AND u.decided_year = ?" if self.year is not None else ""
            where.append(
                "(l.decision_id, l.line_no) IN (SELECT u.decision_id, u.line_no"
                f" FROM award_line_units u WHERE u.unit_id = ?{year})"
            )
            params.append(self.unit_id)
            if self.year is not None:
                params.append(self.year)
        if self.ceremony_id is not None:
            where.append(
                "l.decision_id IN (SELECT decision_id FROM ceremony_decisions"
                " WHERE ceremony_id = ?)"
            )
            params.append(self.ceremony_id)
        return where, params

    @staticmethod
    def on_units_only(where: list[str]) -> bool:
        """Whether conditions from ``where(units=True)`` read ``award_line_units u`` alone."""
        return not any(re.search(r"\bl\.", condition) for condition in where)

    def revoked_condition(self, on: str = "l") -> tuple[str, list[Any]]:
        """SQL true when a line counts as revoked in this filter's view of time: revoked on or
        before the as-of date, and/or its revocation recorded at or before the as-of position.
        ``on``: the table alias holding ``revoked_on`` (``l``, or ``u`` for dates only)."""
        parts, params = [], []
        if self.as_of is not None:
            parts.append(f"({on}.revoked_on IS NOT NULL AND {on}.revoked_on <= ?)")
            params.append(self.as_of.isoformat())
        if self.as_of_position is not None:
            parts.append("(l.revoked_position IS NOT NULL AND l.revoked_position <= ?)")
            params.append(self.as_of_position)
        if not parts:
            parts.append(f"{on}.revoked_on IS NOT NULL")
        return "(" + " AND ".join(parts) + ")", params


GENDERS = ("female", "male", "unknown")  # a person's recorded gender, or none recorded


def gender_condition(gender: str) -> tuple[list[str], list[Any]]:
    """SQL conditions over ``award_lines l`` (and their parameters) for individuals of a gender
    (``unknown``: none recorded). The gender is kept in the line's ``recipient_detail``, JSON
    written by ``projections.base.dumps`` (sorted keys, ``": "`` between key and value): a quote
    inside a text value is escaped there, so a position or a note never matches."""
    if gender not in GENDERS:
        raise ValueError(f"unknown gender {gender!r}")
    person = "l.recipient_kind = 'individual'"
    if gender == "unknown":
        known = GENDERS[:2]
        return ([person, *("l.recipient_detail NOT LIKE ?" for _ in known)],
                [_gender_pattern(g) for g in known])
    return [person, "l.recipient_detail LIKE ?"], [_gender_pattern(gender)]


def _gender_pattern(gender: str) -> str:
    return f'%"gender": "{gender}"%'


# group name → (SQL key, SQL label) over award_lines ``l``
GROUPS = {
    "decision": ("l.decision_id", "MAX(l.decision_number)"),  # with the issuer's name beside
    **summary.groups("l"),
}
GROUP_NAMES = (*GROUPS, "ceremony", "unit")
UNIT_LEVEL = "commune"  # grouped by unit: the units of this level, unless another is asked


def _totals_row(row: dict[str, Any]) -> dict[str, Any]:
    counted = all(column in row for column in sums.RECIPIENT_COLUMNS.values())
    return totals(
        lines=int(row["lines"] or 0), individuals=int(row["individuals"] or 0),
        collectives=int(row["collectives"] or 0), households=int(row["households"] or 0),
        amount_sum=int(row["amount"] or 0), stated=int(row["stated"] or 0),
        recipients=sums.recipients(row) if counted else None,
    )


_SUMS = sums.over_lines("l")  # the totals rule (domain.totals), over award_lines
_RECIPIENTS = sums.distinct_recipients("l")  # only the distinct recipients, over award_lines


class RegistryRows:
    """The registry's queries; rows only (worded by ``services.presentation.registry``)."""

    def __init__(self, db: ViewDB) -> None:
        self.db = db

    # -- the registry -------------------------------------------------------------------------

    def lines(self, f: RegistryFilter, page: Page | None = None, order: str = "name"
              ) -> dict[str, Any]:
        """A page of lines (``_line``), in name, date or decision order, with their count."""
        by_units = f.unit_id is not None and order == "name"
        where, params = f.where(units=by_units)
        revoked_sql, revoked_params = f.revoked_condition()
        select = (
            f"SELECT l.*, CASE WHEN {revoked_sql} THEN 1 ELSE 0 END AS is_revoked,"
            " (SELECT MIN(c.title || '|' || c.held_on || '|' || c.ceremony_id)"
            "  FROM ceremony_decisions cd JOIN ceremonies c ON c.ceremony_id = cd.ceremony_id"
            "  WHERE cd.decision_id = l.decision_id) AS ceremony,"
            " (SELECT c.serial || '|' || c.year || '|' || c.copies FROM certificates c"
            "  WHERE c.decision_id = l.decision_id AND c.line_no = l.line_no) AS certificate,"
            " (SELECT r.public_id FROM recipient_ids r WHERE r.recipient_key = l.recipient_key)"
            " AS recipient_id,"
            " (SELECT d.recorded_by_unit_id FROM decisions d WHERE d.decision_id = l.decision_id)"
            " AS recorded_by_unit_id,"
            " (SELECT s.award_kind || '|' || s.stated FROM award_line_stated s"
            "  WHERE s.decision_id = l.decision_id AND s.line_no = l.line_no) AS stated"
        )
        on = "u" if by_units else "l"
        orders = {
            "name": f"{on}.recipient_sort, {on}.decided_on, {on}.decision_id, {on}.line_no",
            "date": "l.decided_on, l.decision_number, l.line_no",
            "decision": "l.decision_id, l.line_no",
        }
        lines = "award_lines l"
        if by_units:
            lines = ("award_line_units u JOIN award_lines l"
                     " ON l.decision_id = u.decision_id AND l.line_no = u.line_no")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        ordered = orders.get(order, orders["name"])
        page = page or Page()
        # the revoked-expression parameters come first: they sit in the SELECT list
        with self.db.read() as cur:
            if by_units:  # the page is an index range read in order; the count reads u only
                counted = "award_line_units u" if RegistryFilter.on_units_only(where) else lines
                total = cur.scalar(f"SELECT COUNT(*) FROM {counted}{clause}", params)
                rows = cur.execute(
                    f"{select} FROM {lines}{clause} ORDER BY {ordered} LIMIT ? OFFSET ?",
                    [*revoked_params, *params, page.limit, page.offset],
                ).fetchall()
            else:
                # the matching lines are sorted anyway: count them in the same pass (not in a
                # second query), and look up ceremonies and certificates for the page only
                rows = cur.execute(
                    f"{select} FROM (SELECT l.*, COUNT(*) OVER () AS total_rows"
                    f" FROM {lines}{clause} ORDER BY {ordered} LIMIT ? OFFSET ?) l"
                    f" ORDER BY {ordered}",
                    [*revoked_params, *params, page.limit, page.offset],
                ).fetchall()
                total = rows[0]["total_rows"] if rows else 0
                if not rows and page.offset:  # past the end: the count still tells how many
                    total = cur.scalar(f"SELECT COUNT(*) FROM {lines}{clause}", params)
        return {"items": [self._line(r) for r in rows], "total": int(total or 0),
                "limit": page.limit, "offset": page.offset}

    @staticmethod
    def _line(row: dict[str, Any]) -> dict[str, Any]:
        """One line as the registry holds it, in force or revoked as of the filter (a line
        revoked later shows no revocation)."""
        ceremony = None
        if row.get("ceremony"):
            title, held_on, ceremony_id = row["ceremony"].rsplit("|", 2)
            ceremony = {"id": ceremony_id, "title": title, "held_on": held_on}
        certificate = None
        if row.get("certificate"):
            serial, year, copies = row["certificate"].split("|")
            certificate = {"serial": int(serial), "year": int(year), "copies": int(copies)}
        revoked = bool(row["is_revoked"])
        # a form recorded as the source stated it: its wording, and the catalogue kind the
        # office mapped it to since (``projections.stated``)
        award_kind, stated = row["award_kind"], None
        if row.get("stated"):
            award_kind, stated = row["stated"].split("|", 1)
        return {
            "decision_id": row["decision_id"],
            "line_no": row["line_no"],
            "recipient_kind": row["recipient_kind"],
            "recipient_name": row["recipient_name"],
            "recipient_id": row["recipient_id"],  # the public id (never the identity key)
            "recipient_detail": loads(row["recipient_detail"]),
            "unit_path": loads(row["unit_path"]) or [],
            "award_kind": award_kind,
            "award_as_stated": stated,
            "award_family": row["award_family"],
            "period": row["period"],
            "amount": int(row["amount"]) if row["amount"] is not None else None,
            "amount_source": row["amount_source"],
            "explanation": row["explanation"],
            "warnings": int(row["warnings"]),
            "nomination_id": row["nomination_id"],
            "decision_number": row["decision_number"],
            "decided_on": row["decided_on"],
            "issuer_name": row["issuer_name"],
            "issuer_body": row["issuer_body"],
            "issuer_level": row["issuer_level"],
            "issuer_unit_id": row["issuer_unit_id"],
            "signer": row["signer"],
            "recorded_by_unit_id": row["recorded_by_unit_id"],
            "ceremony": ceremony,
            "certificate": certificate,
            "status": REVOKED if revoked else ACTIVE,
            "revoked_on": row["revoked_on"] if revoked else None,
            "revocation_reason": row["revocation_reason"] if revoked else None,
            "position": int(row["position"]),
        }

    # -- totals -------------------------------------------------------------------------------

    def totals(self, f: RegistryFilter, group_by: str | None = None, level: str | None = None,
               recipients: bool = True) -> dict[str, Any]:
        """Totals of the lines in force (as of the filter's date/position), overall and by group.

        ``group_by``: decision, ceremony, issuer, unit (with ``level``: each unit of that level,
        its subtree as it stood on each line's date), year, award_kind, recipient_kind,
        amount_source, funding. Each group: its ``key``, its ``name`` as stored (a code for
        kinds, sources and bodies, the year, a unit's or ceremony's name, a decision's number
        with its ``issuer_name``) and its ``totals`` (``domain.totals``), in no set order.

        The distinct recipients (``recipients`` of each total) are counted over the lines,
        whichever way the rest is summed: they do not add up over the running totals. A caller
        that words no count (a chart of lines and amounts) may pass ``recipients=False`` to keep
        the running totals' speed; its totals then say ``recipients: None`` where the running
        totals answered."""
        f = replace(f, status=ACTIVE)
        with self.db.read() as cur:
            if summary.answers(f, group_by):
                overall, rows = self._summed_totals(cur, f, group_by, level)
                if recipients:  # counted over the lines: reads every line of the scope
                    overall, rows = self._with_recipients(
                        overall, rows, *self._line_totals(cur, f, group_by, level, _RECIPIENTS))
            else:
                overall, rows = self._line_totals(cur, f, group_by, level)
        groups = [
            {"key": str(row["key"]), "name": row["label"],
             **({"issuer_name": row["issuer_name"]} if group_by == "decision" else {}),
             "totals": _totals_row(row)}
            for row in rows
        ]
        return {
            "as_of": f.as_of.isoformat() if f.as_of else None,
            "as_of_position": f.as_of_position,
            "group_by": group_by,
            "total": _totals_row(overall),
            "groups": groups,
        }

    @staticmethod
    def _summed_totals(cur: Any, f: RegistryFilter, group_by: str | None, level: str | None
                       ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Totals from the running totals (``projections.summary``)."""
        where, params = summary.where(f)
        overall = cur.execute(
            f"SELECT {summary.SUMS} FROM award_totals t WHERE {' AND '.join(where)}", params
        ).fetchone()
        if group_by is None:
            return overall, []
        if group_by == "unit":  # each unit of the level: its scope, not the whole registry's
            where, params = [*where[1:], "t.level = ?"], [*params[1:], level or UNIT_LEVEL]
        key_sql, label_sql = summary.GROUPS[group_by]
        rows = cur.execute(
            f"SELECT {key_sql} AS key, {label_sql} AS label, {summary.SUMS}"
            f" FROM award_totals t WHERE {' AND '.join(where)} GROUP BY {key_sql}"
            " HAVING SUM(t.lines) > 0",
            params,
        ).fetchall()
        return overall, rows

    @staticmethod
    def _with_recipients(overall: dict[str, Any], rows: list[dict[str, Any]],
                         counted: dict[str, Any], counted_rows: list[dict[str, Any]]
                         ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Running totals (overall, by group) with the distinct recipients counted over the
        lines for the same filter and grouping, matched by group key."""
        by_key = {str(row["key"]): row for row in counted_rows}
        nobody = dict.fromkeys(sums.RECIPIENT_COLUMNS.values(), 0)
        columns = tuple(sums.RECIPIENT_COLUMNS.values())

        def joined(row: dict[str, Any], other: dict[str, Any] | None) -> dict[str, Any]:
            return {**row, **({c: other[c] for c in columns} if other else nobody)}

        return joined(dict(overall), counted), [
            joined(dict(row), by_key.get(str(row["key"]))) for row in rows]

    @staticmethod
    def _line_totals(cur: Any, f: RegistryFilter, group_by: str | None, level: str | None,
                     select: str = _SUMS) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Totals summed over the lines themselves (as of a date or position, or any filter);
        ``select``: the sums to take (all of them, or only the distinct recipients)."""
        where, params = f.where()
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        overall = cur.execute(f"SELECT {select} FROM award_lines l{clause}", params).fetchone()
        if group_by == "unit":
            rows = cur.execute(
                f"SELECT u.unit_id AS key, MAX(u.name) AS label, {select}"
                " FROM award_lines l JOIN award_line_units u"
                " ON u.decision_id = l.decision_id AND u.line_no = l.line_no"
                f"{clause}{' AND' if clause else ' WHERE'} u.level = ?"
                " GROUP BY u.unit_id",
                [*params, level or UNIT_LEVEL],
            ).fetchall()
        elif group_by == "ceremony":
            rows = cur.execute(
                f"SELECT cd.ceremony_id AS key, MAX(c.title) AS label, {select}"
                " FROM award_lines l JOIN ceremony_decisions cd"
                " ON cd.decision_id = l.decision_id"
                " JOIN ceremonies c ON c.ceremony_id = cd.ceremony_id"
                f"{clause} GROUP BY cd.ceremony_id",
                params,
            ).fetchall()
        elif group_by in GROUPS:
            key_sql, label_sql = GROUPS[group_by]
            issuer = " MAX(l.issuer_name) AS issuer_name," if group_by == "decision" else ""
            rows = cur.execute(
                f"SELECT {key_sql} AS key, {label_sql} AS label,{issuer} {select}"
                f" FROM award_lines l{clause} GROUP BY {key_sql}",
                params,
            ).fetchall()
        else:
            rows = []
        return overall, rows

    # -- people and collectives ---------------------------------------------------------------

    def recipients(self, q: str | None, page: Page | None = None) -> dict[str, Any]:
        """Distinct recipients (by identity key) whose name matches, in Vietnamese order."""
        where, params = [], []
        if q:
            keys, key_params = search.keys_matching(q)
            where.append(f"recipient_key IN ({keys})")
            params.extend(key_params)
        select = (
            "SELECT recipient_key, MIN(recipient_kind) AS recipient_kind,"
            " MIN(recipient_name) AS recipient_name, MIN(recipient_sort) AS recipient_sort,"
            " COUNT(*) AS awards, (SELECT r.public_id FROM recipient_ids r"
            " WHERE r.recipient_key = award_lines.recipient_key) AS recipient_id FROM award_lines"
        )
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        page = page or Page()
        with self.db.read() as cur:
            total = cur.scalar(
                f"SELECT COUNT(*) FROM ({select}{clause} GROUP BY recipient_key) AS r", params
            )
            rows = cur.execute(
                f"{select}{clause} GROUP BY recipient_key"
                " ORDER BY MIN(recipient_sort), recipient_key LIMIT ? OFFSET ?",
                [*params, page.limit, page.offset],
            ).fetchall()
            latest = self._latest_lines(cur, {r["recipient_key"] for r in rows})
        items = []
        for r in rows:
            last = latest.get(r["recipient_key"], {})
            detail = loads(last.get("recipient_detail")) or {}
            items.append({"key": r["recipient_id"], "kind": r["recipient_kind"],
                          "name": r["recipient_name"], "awards": int(r["awards"]),
                          # namesakes told apart: the birth year (not personal data: the
                          # birth date and citizen ID are) and the unit of the latest award
                          "birth_year": detail.get("birth_year"),
                          "unit_path": loads(last.get("unit_path")) or []})
        return {"items": items, "total": int(total or 0), "limit": page.limit,
                "offset": page.offset}

    @staticmethod
    def _latest_lines(cur: Any, keys: set[str]) -> dict[str, dict[str, Any]]:
        """Identity key → its latest award line's recipient detail and unit path."""
        if not keys:
            return {}
        ordered = sorted(keys)
        marks = ",".join("?" * len(ordered))
        rows = cur.execute(
            "SELECT recipient_key, recipient_detail, unit_path FROM award_lines"
            f" WHERE recipient_key IN ({marks}) ORDER BY decided_on, position, line_no",
            ordered,
        ).fetchall()
        return {r["recipient_key"]: dict(r) for r in rows}

    def issuers(self) -> list[dict[str, Any]]:
        """The Union units that issued decisions (id, and the name they issued under last),
        by name: the registry's issuer filter offers them."""
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT issuer_unit_id, issuer_name FROM decisions"
                " WHERE issuer_unit_id IS NOT NULL ORDER BY decided_on, position"
            ).fetchall()
        names = {r["issuer_unit_id"]: r["issuer_name"] for r in rows}
        return sorted(({"id": k, "name": v} for k, v in names.items()),
                      key=lambda i: (i["name"], i["id"]))

    def history(self, recipient_id: str, as_of: date | None = None) -> dict[str, Any]:
        """Hồ sơ khen thưởng: every award of one person or collective (by public id), oldest
        first, revoked ones included and marked."""
        f = RegistryFilter(recipient_id=recipient_id, status=ALL, as_of=as_of)
        lines = self.lines(f, Page.everything(10_000), order="date")
        totals = self.totals(replace(f, status=ACTIVE))
        return {"key": recipient_id, "items": lines["items"], "total": lines["total"],
                "in_force": totals["total"]}

    def public_ids(self, keys: set[str]) -> dict[str, str]:
        """Identity key → public id, for answers that name recipients by key."""
        if not keys:
            return {}
        ordered = sorted(keys)
        marks = ",".join("?" * len(ordered))
        with self.db.read() as cur:
            rows = cur.execute(f"SELECT recipient_key, public_id FROM recipient_ids"
                               f" WHERE recipient_key IN ({marks})", ordered).fetchall()
        return {r["recipient_key"]: r["public_id"] for r in rows}

    # -- ceremonies ---------------------------------------------------------------------------

    def reconciliation(self, ceremony_id: str, as_of: date | None = None
                       ) -> dict[str, Any] | None:
        """A ceremony's announced total beside the total computed from its decisions' lines
        (with the totals by decision); None when there is no such ceremony."""
        with self.db.read() as cur:
            row = cur.execute(
                "SELECT ceremony_id, title, held_on, announced_total, announced_source"
                " FROM ceremonies WHERE ceremony_id = ?",
                (ceremony_id,),
            ).fetchone()
        if row is None:
            return None
        totals = self.totals(RegistryFilter(ceremony_id=ceremony_id, as_of=as_of),
                             group_by="decision")
        computed = totals["total"]["amount"]  # None when no line states an amount
        announced = int(row["announced_total"]) if row["announced_total"] is not None else None
        return {
            "ceremony_id": ceremony_id,
            "title": row["title"],
            "held_on": row["held_on"],
            "announced": announced,
            "announced_source": row["announced_source"],
            "computed": computed,
            "difference": reconcile(announced, computed),
            "lines_without_amount": totals["total"]["lines_without_amount"],
            "totals": totals,
        }
