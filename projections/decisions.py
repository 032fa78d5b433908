"""Decisions and their lines (the award registry's raw material), ceremonies, and users."""

from __future__ import annotations

from typing import Any

from domain.catalog import catalog
from domain.ceremony import Ceremony
from domain.decision import AwardDecision, Issuer
from domain.recipients import public_id
from domain.text import fold, vietnamese_sort_key
from domain.users import User
from projections import search, summary
from projections.base import Handler, View, dumps, iso, loads, sid
from projections.db import Cursor


class DecisionsView(View):
    """Decisions and the award registry (sổ khen thưởng): one row per award line.

    Each line keeps the unit path of its date (``award_line_units``, for subtree totals), its log
    position and that of its revocation (for "as of position P"), and its dates (for "as of date
    D"). A line is *in the registry as of D* when decided on or before D, and *in force* when not
    revoked on or before D.
    """

    name = "decisions"
    version = 8  # 7: recipients' public ids; 8: as-stated lines mapped to a catalogue kind

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS decisions ("
            " decision_id TEXT PRIMARY KEY, number TEXT NOT NULL, decided_on TEXT NOT NULL,"
            " issuer_body TEXT NOT NULL, issuer_level TEXT NOT NULL, issuer_name TEXT NOT NULL,"
            " issuer_unit_id TEXT, recorded_by_unit_id TEXT NOT NULL, external INTEGER NOT NULL,"
            " signer_name TEXT, signer_title TEXT, subject TEXT, line_count INTEGER NOT NULL,"
            " revoked_on TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,"
            " position BIGINT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS decisions_date ON decisions (decided_on)",
            "CREATE TABLE IF NOT EXISTS award_lines ("
            " decision_id TEXT NOT NULL, line_no INTEGER NOT NULL,"
            " recipient_kind TEXT NOT NULL, recipient_name TEXT NOT NULL,"
            " recipient_folded TEXT NOT NULL, recipient_key TEXT NOT NULL,"
            " recipient_sort TEXT NOT NULL, recipient_detail TEXT NOT NULL,"
            " recipient_unit_id TEXT, unit_path TEXT NOT NULL, award_kind TEXT NOT NULL,"
            " award_family TEXT NOT NULL, period TEXT NOT NULL, amount BIGINT,"
            " amount_source TEXT NOT NULL, amount_mode TEXT NOT NULL, explanation TEXT NOT NULL,"
            " warnings INTEGER NOT NULL, nomination_id TEXT, decision_number TEXT NOT NULL,"
            " decided_on TEXT NOT NULL, decided_year INTEGER NOT NULL,"
            " issuer_key TEXT NOT NULL, issuer_body TEXT NOT NULL, issuer_level TEXT NOT NULL,"
            " issuer_name TEXT NOT NULL, issuer_unit_id TEXT, signer TEXT NOT NULL,"
            " position BIGINT NOT NULL, revoked_on TEXT, revoked_position BIGINT,"
            " revocation_reason TEXT,"
            " PRIMARY KEY (decision_id, line_no))",
            "CREATE INDEX IF NOT EXISTS award_lines_recipient ON award_lines (recipient_key)",
            "CREATE INDEX IF NOT EXISTS award_lines_folded ON award_lines (recipient_folded)",
            "CREATE INDEX IF NOT EXISTS award_lines_sort ON award_lines (recipient_sort)",
            "CREATE INDEX IF NOT EXISTS award_lines_date ON award_lines (decided_on)",
            "CREATE INDEX IF NOT EXISTS award_lines_issuer ON award_lines (issuer_key)",
            # keyed by unit, year, then the registry's name order: "a commune's awards of 2024"
            # is one index range already in order (its first page reads 50 rows, its count
            # reads this table only, with the line's revocation date kept here too)
            "CREATE TABLE IF NOT EXISTS award_line_units ("
            " unit_id TEXT NOT NULL, decided_year INTEGER NOT NULL, recipient_sort TEXT NOT NULL,"
            " decided_on TEXT NOT NULL, decision_id TEXT NOT NULL, line_no INTEGER NOT NULL,"
            " level TEXT NOT NULL, name TEXT NOT NULL, revoked_on TEXT,"
            " PRIMARY KEY (unit_id, decided_year, recipient_sort, decided_on, decision_id,"
            f" line_no)){' WITHOUT ROWID' if dialect == 'sqlite' else ''}",
            # the id a recipient is shown by: identity keys may carry a citizen ID
            "CREATE TABLE IF NOT EXISTS recipient_ids ("
            " recipient_key TEXT PRIMARY KEY, public_id TEXT NOT NULL UNIQUE)",
            *search.ddl(dialect),
            *summary.ddl(dialect),
        ]

    @staticmethod
    def _revoke_lines(cur: Cursor, event: Any, position: int, which: str, params: list[Any]
                      ) -> None:
        """Mark the decision's lines still in force (all, or those ``which`` picks) revoked, and
        take them out of the running totals."""
        decision_id = sid(event.originator_id)
        match = f"decision_id = ? {which} AND revoked_on IS NULL"
        params = [decision_id, *params]
        revoked_on = iso(event.revoked_on)
        deltas: summary.Deltas = {}
        units = []
        for line in cur.execute(
            f"SELECT line_no, decided_on, recipient_sort, {', '.join(summary.LINE_COLUMNS)},"
            f" amount, unit_path FROM award_lines WHERE {match}",
            params,
        ).fetchall():
            path = loads(line["unit_path"]) or []
            summary.count(deltas, summary.line_key(line), line["amount"], path, -1)
            units.extend((revoked_on, step["id"], line["decided_year"], line["recipient_sort"],
                          line["decided_on"], decision_id, line["line_no"]) for step in path)
        cur.execute(
            "UPDATE award_lines SET revoked_on = ?, revoked_position = ?, revocation_reason = ?"
            f" WHERE {match}",
            [revoked_on, position, event.reason, *params],
        )
        if units:
            cur.executemany(
                "UPDATE award_line_units SET revoked_on = ? WHERE unit_id = ? AND decided_year = ?"
                " AND recipient_sort = ? AND decided_on = ? AND decision_id = ? AND line_no = ?",
                units,
            )
        summary.apply(cur, deltas)

    def build_handlers(self) -> dict[type, Handler]:
        return {
            AwardDecision.Created: self._issued,
            AwardDecision.LineRevoked: self._line_revoked,
            AwardDecision.Revoked: self._revoked,
            AwardDecision.LineKindMapped: self._kind_mapped,
        }

    @staticmethod
    def _kind_mapped(cur: Cursor, event: Any, position: int) -> None:
        """An as-stated line now counts under the catalogue kind the office mapped it to: its
        row, and (while it is in force) the running totals moved from the old kind to the new."""
        decision_id = sid(event.originator_id)
        line = cur.execute(
            f"SELECT {', '.join(summary.LINE_COLUMNS)}, amount, unit_path, revoked_on"
            " FROM award_lines WHERE decision_id = ? AND line_no = ?",
            [decision_id, event.line_no],
        ).fetchone()
        if line is None:
            return
        cur.execute(
            "UPDATE award_lines SET award_kind = ?, award_family = ?"
            " WHERE decision_id = ? AND line_no = ?",
            [event.award_kind, catalog().kind(event.award_kind).family, decision_id,
             event.line_no],
        )
        if line["revoked_on"] is not None:
            return
        path = loads(line["unit_path"]) or []
        deltas: summary.Deltas = {}
        summary.count(deltas, summary.line_key(line), line["amount"], path, -1)
        summary.count(deltas, summary.line_key({**dict(line), "award_kind": event.award_kind}),
                      line["amount"], path, 1)
        summary.apply(cur, deltas)

    def _issued(self, cur: Cursor, event: Any, position: int) -> None:
        decision_id = sid(event.originator_id)
        issuer = Issuer.from_dict(event.issuer)
        decided_on = iso(event.decided_on)
        year = event.decided_on.year
        signer = " ".join(p for p in (event.signer.get("title"), event.signer.get("name")) if p)
        cur.execute(
            "INSERT INTO decisions (decision_id, number, decided_on, issuer_body, issuer_level,"
            " issuer_name, issuer_unit_id, recorded_by_unit_id, external, signer_name,"
            " signer_title, subject, line_count, created_by, created_at, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                decision_id,
                event.number,
                decided_on,
                issuer.body,
                issuer.level,
                issuer.name,
                sid(issuer.unit_id),
                sid(event.recorded_by_unit_id),
                int(event.external),
                event.signer.get("name"),
                event.signer.get("title"),
                event.subject,
                len(event.lines),
                event.actor,
                iso(event.timestamp),
                position,
            ),
        )
        rows = []
        units = []
        deltas: summary.Deltas = {}
        paths: dict[tuple, str] = {}  # lines of one decision mostly share a few unit paths
        for line in event.lines:
            recipient = line["recipient"]
            kind = catalog().kind(line["award_kind"])
            path = line.get("unit_path") or []
            path_key = tuple(tuple(sorted(step.items())) for step in path)
            path_json = paths.get(path_key)
            if path_json is None:
                path_json = paths[path_key] = dumps(path)
            sort = vietnamese_sort_key(recipient["name"],
                                       by_given_name=recipient["kind"] == "individual")
            rows.append(
                (
                    decision_id,
                    line["line_no"],
                    recipient["kind"],
                    recipient["name"],
                    fold(recipient["name"]),
                    line["recipient_key"],
                    sort,
                    dumps({k: v for k, v in recipient.items() if k not in ("kind", "name")}),
                    recipient.get("org_unit_id") or recipient.get("unit_id"),
                    path_json,
                    kind.code,
                    kind.family,
                    line["period"],
                    line["amount"],
                    line["amount_source"],
                    line.get("amount_mode", line["amount_source"]),
                    line.get("explanation") or "",
                    len(line.get("warnings") or []),
                    line.get("nomination_id"),
                    event.number,
                    decided_on,
                    year,
                    issuer.key,
                    issuer.body,
                    issuer.level,
                    issuer.name,
                    sid(issuer.unit_id),
                    signer,
                    position,
                )
            )
            units.extend(
                (step["id"], year, sort, decided_on, decision_id, line["line_no"], step["level"],
                 step["name"])
                for step in path
            )
            key = summary.line_key({
                "decided_year": year, "issuer_key": issuer.key, "issuer_name": issuer.name,
                "issuer_body": issuer.body, "issuer_unit_id": sid(issuer.unit_id),
                "award_kind": kind.code, "recipient_kind": recipient["kind"],
                "amount_source": line["amount_source"],
            })
            summary.count(deltas, key, line["amount"], path, 1)
        cur.executemany(
            "INSERT INTO award_lines (decision_id, line_no, recipient_kind, recipient_name,"
            " recipient_folded, recipient_key, recipient_sort, recipient_detail,"
            " recipient_unit_id, unit_path, award_kind, award_family, period, amount,"
            " amount_source, amount_mode, explanation, warnings, nomination_id, decision_number,"
            " decided_on, decided_year, issuer_key, issuer_body, issuer_level, issuer_name,"
            " issuer_unit_id, signer, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            rows,
        )
        search.add(cur, ((row[5], row[4]) for row in rows))  # (recipient_key, folded)
        cur.executemany(
            "INSERT INTO recipient_ids (recipient_key, public_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            list({row[5]: (row[5], public_id(decision_id, row[1])) for row in reversed(rows)
                  }.values()),
        )
        if units:
            cur.executemany(
                "INSERT INTO award_line_units (unit_id, decided_year, recipient_sort, decided_on,"
                " decision_id, line_no, level, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                units,
            )
        summary.apply(cur, deltas)

    def _line_revoked(self, cur: Cursor, event: Any, position: int) -> None:
        self._revoke_lines(cur, event, position, "AND line_no = ?", [event.line_no])

    def _revoked(self, cur: Cursor, event: Any, position: int) -> None:
        decision_id = sid(event.originator_id)
        self._revoke_lines(cur, event, position, "", [])
        cur.execute(
            "UPDATE decisions SET revoked_on = ? WHERE decision_id = ?",
            (iso(event.revoked_on), decision_id),
        )


class CeremoniesView(View):
    name = "ceremonies"
    version = 3  # 2: payment events keep the ceremony's version current; 3: how it was announced

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS ceremonies ("
            " ceremony_id TEXT PRIMARY KEY, title TEXT NOT NULL, held_on TEXT NOT NULL,"
            " place TEXT NOT NULL, host_unit_id TEXT NOT NULL, announced_total BIGINT,"
            " announced_source TEXT, announced_qualifier TEXT, version INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ceremony_decisions ("
            " ceremony_id TEXT NOT NULL, decision_id TEXT NOT NULL, seq INTEGER NOT NULL,"
            " PRIMARY KEY (ceremony_id, decision_id))",
            "CREATE INDEX IF NOT EXISTS ceremony_decisions_decision"
            " ON ceremony_decisions (decision_id)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            Ceremony.Created: self._created,
            Ceremony.DetailsChanged: self._details,
            Ceremony.DecisionAdded: self._added,
            Ceremony.DecisionRemoved: self._removed,
            Ceremony.TotalAnnounced: self._announced,
            Ceremony.CountAnnounced: self._touched,
            Ceremony.HostBodyNamed: self._touched,
            Ceremony.PaymentRecorded: self._touched,
            Ceremony.PaymentCorrected: self._touched,
        }

    def _created(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO ceremonies (ceremony_id, title, held_on, place, host_unit_id, version)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                sid(event.originator_id),
                event.title,
                iso(event.held_on),
                event.place,
                sid(event.host_unit_id),
                event.originator_version,
            ),
        )

    def _set(self, cur: Cursor, event: Any, **columns: Any) -> None:
        sets = "".join(f"{name} = ?, " for name in columns)
        cur.execute(
            f"UPDATE ceremonies SET {sets}version = ? WHERE ceremony_id = ?",
            (*columns.values(), event.originator_version, sid(event.originator_id)),
        )

    def _details(self, cur: Cursor, event: Any, position: int) -> None:
        changes = {k: (iso(v) if k == "held_on" else v) for k, v in event.changes.items()}
        self._set(cur, event, **changes)

    def _added(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO ceremony_decisions (ceremony_id, decision_id, seq) VALUES (?, ?, ?)",
            (sid(event.originator_id), sid(event.decision_id), event.originator_version),
        )
        self._set(cur, event)

    def _removed(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "DELETE FROM ceremony_decisions WHERE ceremony_id = ? AND decision_id = ?",
            (sid(event.originator_id), sid(event.decision_id)),
        )
        self._set(cur, event)

    def _announced(self, cur: Cursor, event: Any, position: int) -> None:
        self._set(cur, event, announced_total=event.amount, announced_source=event.source,
                  announced_qualifier=event.qualifier if event.amount is not None else None)

    def _touched(self, cur: Cursor, event: Any, position: int) -> None:
        self._set(cur, event)


class UsersView(View):
    name = "users"
    version = 2  # 2: home unit

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS users ("
            " user_id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL,"
            " grants TEXT NOT NULL, created_at TEXT NOT NULL, home_unit_id TEXT)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            User.Created: self._created,
            User.GrantAdded: self._grants,
            User.GrantRemoved: self._grants,
            User.HomeUnitSet: self._home,
        }

    def _home(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute("UPDATE users SET home_unit_id = ? WHERE user_id = ?",
                    (sid(event.home_unit_id), sid(event.originator_id)))

    def _created(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO users (user_id, username, full_name, grants, created_at)"
            " VALUES (?, ?, ?, '[]', ?)",
            (sid(event.originator_id), event.username, event.full_name, iso(event.timestamp)),
        )

    def _grants(self, cur: Cursor, event: Any, position: int) -> None:
        import json

        user_id = sid(event.originator_id)
        row = cur.execute("SELECT grants FROM users WHERE user_id = ?", (user_id,)).fetchone()
        assert row is not None
        grants = [
            g
            for g in json.loads(row["grants"])
            if not (g["role"] == event.role and g["unit_id"] == sid(event.unit_id))
        ]
        if isinstance(event, User.GrantAdded):
            grants.append({"role": event.role, "unit_id": sid(event.unit_id), "chair": event.chair})
        cur.execute("UPDATE users SET grants = ? WHERE user_id = ?", (dumps(grants), user_id))
