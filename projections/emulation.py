"""Emulation for lists: clusters (with each year's lead and member count), covenants (status and
counts), movements, title registrations — and the award history a title registration checks.

Boards are not kept here: a board is computed on read from its covenant and the members' reports
(``services.emulation``), a few dozen aggregates at most. ``emulation_units`` says which units a
record involves (a cluster's managing unit and its members of every year, a movement's launcher
and participants, a registration's unit): lists are cut to the reader's subtrees through it.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from domain.emulation.cluster import Covenant, EmulationCluster, MemberReport
from domain.emulation.movement import Movement, MovementRegistration
from domain.emulation.registration import TitleRegistration
from projections.base import Handler, View, dumps, iso, loads, sid
from projections.db import Cursor, ViewDB
from projections.queries import Page, _page

CLUSTER, MOVEMENT, REGISTRATION = "cluster", "movement", "registration"
_YEAR = re.compile(r"(?<!\d)((?:19|20|21)\d\d)(?!\d)")


class EmulationView(View):
    name = "emulation"
    version = 1

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS emulation_clusters ("
            " cluster_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
            " managing_unit_id TEXT NOT NULL, updated_at TEXT NOT NULL,"
            " position BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS emulation_cluster_years ("
            " cluster_id TEXT NOT NULL, year INTEGER NOT NULL, lead_unit_id TEXT NOT NULL,"
            " roster TEXT NOT NULL, member_count INTEGER NOT NULL,"
            " active_count INTEGER NOT NULL, PRIMARY KEY (cluster_id, year))",
            "CREATE TABLE IF NOT EXISTS emulation_units ("
            " kind TEXT NOT NULL, record_id TEXT NOT NULL, unit_id TEXT NOT NULL,"
            " PRIMARY KEY (kind, record_id, unit_id))",
            "CREATE INDEX IF NOT EXISTS emulation_units_unit ON emulation_units (kind, unit_id)",
            "CREATE TABLE IF NOT EXISTS emulation_covenants ("
            " covenant_id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, year INTEGER NOT NULL,"
            " title TEXT NOT NULL, status TEXT NOT NULL, indicators INTEGER NOT NULL,"
            " signed INTEGER NOT NULL, reports INTEGER NOT NULL, nominated INTEGER NOT NULL,"
            " updated_at TEXT NOT NULL, position BIGINT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS emulation_covenants_cluster"
            " ON emulation_covenants (cluster_id, year)",
            "CREATE TABLE IF NOT EXISTS emulation_reports ("
            " report_id TEXT PRIMARY KEY, covenant_id TEXT NOT NULL, unit_id TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS emulation_results ("
            " report_id TEXT NOT NULL, indicator_code TEXT NOT NULL,"
            " covenant_id TEXT NOT NULL, status TEXT NOT NULL,"
            " PRIMARY KEY (report_id, indicator_code))",
            "CREATE INDEX IF NOT EXISTS emulation_results_covenant"
            " ON emulation_results (covenant_id)",
            "CREATE TABLE IF NOT EXISTS emulation_movements ("
            " movement_id TEXT PRIMARY KEY, title TEXT NOT NULL, unit_id TEXT NOT NULL,"
            " starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, year INTEGER,"
            " status TEXT NOT NULL, indicators INTEGER NOT NULL, participants INTEGER NOT NULL,"
            " registrations INTEGER NOT NULL, updated_at TEXT NOT NULL,"
            " position BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS emulation_title_registrations ("
            " registration_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, year INTEGER NOT NULL,"
            " status TEXT NOT NULL, entries INTEGER NOT NULL, nominated INTEGER NOT NULL,"
            " updated_at TEXT NOT NULL, position BIGINT NOT NULL)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            EmulationCluster.Created: self._cluster_created,
            EmulationCluster.Renamed: self._cluster_renamed,
            EmulationCluster.YearSet: self._year_set,
            EmulationCluster.MemberAdded: self._member_added,
            EmulationCluster.MemberMerged: self._member_merged,
            EmulationCluster.LeadSet: self._lead_set,
            Covenant.Created: self._covenant_created,
            Covenant.IndicatorsSet: self._covenant_indicators,
            Covenant.Signed: self._covenant_signed,
            Covenant.Opened: self._covenant_status("open"),
            Covenant.Closed: self._covenant_status("closed"),
            Covenant.Nominated: self._covenant_nominated,
            MemberReport.Created: self._report_created,
            MemberReport.ResultReported: self._result("reported"),
            MemberReport.ResultConfirmed: self._result("confirmed"),
            MemberReport.ResultCorrected: self._result("corrected"),
            Movement.Created: self._movement_created,
            Movement.IndicatorsSet: self._movement_indicators,
            Movement.ParticipantsAdded: self._participants_added,
            Movement.Closed: self._movement_closed,
            MovementRegistration.Created: self._movement_registered,
            TitleRegistration.Created: self._registration_opened,
            TitleRegistration.EntryAdded: self._entries(+1),
            TitleRegistration.EntryWithdrawn: self._entries(-1),
            TitleRegistration.Closed: self._registration_closed,
            TitleRegistration.Nominated: self._registration_nominated,
        }

    # -- shared -------------------------------------------------------------------------------

    @staticmethod
    def _involve(cur: Cursor, kind: str, record_id: str, unit_ids: list[Any]) -> None:
        cur.executemany(
            "INSERT INTO emulation_units (kind, record_id, unit_id) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(kind, record_id, sid(u)) for u in dict.fromkeys(str(u) for u in unit_ids)])

    @staticmethod
    def _touch(cur: Cursor, table: str, key: str, event: Any, position: int,
               **columns: Any) -> None:
        sets = "".join(f", {name} = ?" for name in columns)
        cur.execute(f"UPDATE {table} SET updated_at = ?, position = ?{sets} WHERE {key} = ?",
                    [iso(event.timestamp), position, *columns.values(), sid(event.originator_id)])

    # -- clusters -----------------------------------------------------------------------------

    def _cluster_created(self, cur: Cursor, event: Any, position: int) -> None:
        cluster = sid(event.originator_id)
        cur.execute(
            "INSERT INTO emulation_clusters (cluster_id, name, kind, managing_unit_id,"
            " updated_at, position) VALUES (?, ?, ?, ?, ?, ?)",
            (cluster, event.name, event.kind, sid(event.managing_unit_id),
             iso(event.timestamp), position))
        self._involve(cur, CLUSTER, cluster, [event.managing_unit_id])

    def _cluster_renamed(self, cur: Cursor, event: Any, position: int) -> None:
        self._touch(cur, "emulation_clusters", "cluster_id", event, position, name=event.name)

    @staticmethod
    def _roster(cur: Cursor, cluster: str, year: int) -> dict[str, Any]:
        row = cur.execute("SELECT lead_unit_id, roster FROM emulation_cluster_years"
                          " WHERE cluster_id = ? AND year = ?", (cluster, year)).fetchone()
        return {"lead": row["lead_unit_id"], "members": loads(row["roster"])} if row else {}

    def _save_roster(self, cur: Cursor, event: Any, position: int, year: int, lead: str,
                     members: list[dict[str, Any]]) -> None:
        cluster = sid(event.originator_id)
        active = sum(1 for m in members if not m.get("left_on"))
        cur.execute("DELETE FROM emulation_cluster_years WHERE cluster_id = ? AND year = ?",
                    (cluster, year))
        cur.execute(
            "INSERT INTO emulation_cluster_years (cluster_id, year, lead_unit_id, roster,"
            " member_count, active_count) VALUES (?, ?, ?, ?, ?, ?)",
            (cluster, year, lead, dumps(members), len(members), active))
        self._involve(cur, CLUSTER, cluster, [m["unit_id"] for m in members])
        self._touch(cur, "emulation_clusters", "cluster_id", event, position)

    def _year_set(self, cur: Cursor, event: Any, position: int) -> None:
        members = [{"unit_id": str(m["unit_id"]), "left_on": None} for m in event.members]
        self._save_roster(cur, event, position, event.year, sid(event.lead_unit_id), members)

    def _member_added(self, cur: Cursor, event: Any, position: int) -> None:
        roster = self._roster(cur, sid(event.originator_id), event.year)
        members = [*roster["members"], {"unit_id": sid(event.unit_id), "left_on": None}]
        self._save_roster(cur, event, position, event.year, roster["lead"], members)

    def _member_merged(self, cur: Cursor, event: Any, position: int) -> None:
        roster = self._roster(cur, sid(event.originator_id), event.year)
        members = roster["members"]
        for member in members:
            if member["unit_id"] == sid(event.from_unit_id):
                member["left_on"] = iso(event.on)
        if event.into_name:
            members.append({"unit_id": sid(event.into_unit_id), "left_on": None})
        lead = roster["lead"]
        if lead == sid(event.from_unit_id):
            lead = sid(event.into_unit_id)
        self._save_roster(cur, event, position, event.year, lead, members)

    def _lead_set(self, cur: Cursor, event: Any, position: int) -> None:
        cluster = sid(event.originator_id)
        cur.execute("UPDATE emulation_cluster_years SET lead_unit_id = ?"
                    " WHERE cluster_id = ? AND year = ?", (sid(event.unit_id), cluster,
                                                           event.year))
        self._touch(cur, "emulation_clusters", "cluster_id", event, position)

    # -- covenants and reports ----------------------------------------------------------------

    @staticmethod
    def _covenant_created(cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO emulation_covenants (covenant_id, cluster_id, year, title, status,"
            " indicators, signed, reports, nominated, updated_at, position)"
            " VALUES (?, ?, ?, ?, 'draft', 0, 0, 0, 0, ?, ?)",
            (sid(event.originator_id), sid(event.cluster_id), event.year, event.title,
             iso(event.timestamp), position))

    def _covenant_indicators(self, cur: Cursor, event: Any, position: int) -> None:
        # new indicators ask for new signatures (``Covenant.set_indicators``)
        self._touch(cur, "emulation_covenants", "covenant_id", event, position,
                    indicators=len(event.indicators), signed=0)

    @staticmethod
    def _covenant_signed(cur: Cursor, event: Any, position: int) -> None:
        cur.execute("UPDATE emulation_covenants SET signed = signed + 1, updated_at = ?,"
                    " position = ? WHERE covenant_id = ?",
                    (iso(event.timestamp), position, sid(event.originator_id)))

    def _covenant_status(self, status: str) -> Handler:
        def handle(cur: Cursor, event: Any, position: int) -> None:
            self._touch(cur, "emulation_covenants", "covenant_id", event, position,
                        status=status)
        return handle

    @staticmethod
    def _covenant_nominated(cur: Cursor, event: Any, position: int) -> None:
        cur.execute("UPDATE emulation_covenants SET nominated = nominated + ?, updated_at = ?,"
                    " position = ? WHERE covenant_id = ?",
                    (len(event.nominations), iso(event.timestamp), position,
                     sid(event.originator_id)))

    @staticmethod
    def _report_created(cur: Cursor, event: Any, position: int) -> None:
        cur.execute("INSERT INTO emulation_reports (report_id, covenant_id, unit_id)"
                    " VALUES (?, ?, ?)", (sid(event.originator_id), sid(event.covenant_id),
                                         sid(event.unit_id)))
        cur.execute("UPDATE emulation_covenants SET reports = reports + 1, updated_at = ?,"
                    " position = ? WHERE covenant_id = ?",
                    (iso(event.timestamp), position, sid(event.covenant_id)))

    @staticmethod
    def _result(status: str) -> Handler:
        def handle(cur: Cursor, event: Any, position: int) -> None:
            report = sid(event.originator_id)
            row = cur.execute("SELECT covenant_id FROM emulation_reports WHERE report_id = ?",
                              (report,)).fetchone()
            if row is None:  # pragma: no cover - a report's events start with its creation
                return
            cur.execute(
                "INSERT INTO emulation_results (report_id, indicator_code, covenant_id, status)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (report_id, indicator_code)"
                " DO UPDATE SET status = excluded.status",
                (report, event.indicator_code, row["covenant_id"], status))
            cur.execute("UPDATE emulation_covenants SET updated_at = ?, position = ?"
                        " WHERE covenant_id = ?",
                        (iso(event.timestamp), position, row["covenant_id"]))
        return handle

    # -- movements ----------------------------------------------------------------------------

    def _movement_created(self, cur: Cursor, event: Any, position: int) -> None:
        movement = sid(event.originator_id)
        cur.execute(
            "INSERT INTO emulation_movements (movement_id, title, unit_id, starts_on, ends_on,"
            " year, status, indicators, participants, registrations, updated_at, position)"
            " VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, 0, ?, ?)",
            (movement, event.title, sid(event.unit_id), iso(event.starts_on),
             iso(event.ends_on), event.year, len(event.indicators),
             len(event.participant_ids), iso(event.timestamp), position))
        self._involve(cur, MOVEMENT, movement, [event.unit_id, *event.participant_ids])

    def _movement_indicators(self, cur: Cursor, event: Any, position: int) -> None:
        self._touch(cur, "emulation_movements", "movement_id", event, position,
                    indicators=len(event.indicators))

    def _participants_added(self, cur: Cursor, event: Any, position: int) -> None:
        movement = sid(event.originator_id)
        cur.execute("UPDATE emulation_movements SET participants = participants + ?,"
                    " updated_at = ?, position = ? WHERE movement_id = ?",
                    (len(event.unit_ids), iso(event.timestamp), position, movement))
        self._involve(cur, MOVEMENT, movement, list(event.unit_ids))

    def _movement_closed(self, cur: Cursor, event: Any, position: int) -> None:
        self._touch(cur, "emulation_movements", "movement_id", event, position,
                    status="closed")

    @staticmethod
    def _movement_registered(cur: Cursor, event: Any, position: int) -> None:
        cur.execute("UPDATE emulation_movements SET registrations = registrations + 1,"
                    " updated_at = ?, position = ? WHERE movement_id = ?",
                    (iso(event.timestamp), position, sid(event.movement_id)))

    # -- title registrations ------------------------------------------------------------------

    def _registration_opened(self, cur: Cursor, event: Any, position: int) -> None:
        registration = sid(event.originator_id)
        cur.execute(
            "INSERT INTO emulation_title_registrations (registration_id, unit_id, year, status,"
            " entries, nominated, updated_at, position) VALUES (?, ?, ?, 'open', 0, 0, ?, ?)",
            (registration, sid(event.unit_id), event.year, iso(event.timestamp), position))
        self._involve(cur, REGISTRATION, registration, [event.unit_id])

    def _entries(self, delta: int) -> Handler:
        def handle(cur: Cursor, event: Any, position: int) -> None:
            cur.execute("UPDATE emulation_title_registrations SET entries = entries + ?,"
                        " updated_at = ?, position = ? WHERE registration_id = ?",
                        (delta, iso(event.timestamp), position, sid(event.originator_id)))
        return handle

    def _registration_closed(self, cur: Cursor, event: Any, position: int) -> None:
        self._touch(cur, "emulation_title_registrations", "registration_id", event, position,
                    status="closed")

    @staticmethod
    def _registration_nominated(cur: Cursor, event: Any, position: int) -> None:
        cur.execute("UPDATE emulation_title_registrations SET nominated = nominated + ?,"
                    " updated_at = ?, position = ? WHERE registration_id = ?",
                    (len(event.entries), iso(event.timestamp), position,
                     sid(event.originator_id)))


# -- queries ------------------------------------------------------------------------------------


def _scoped(kind: str, column: str, scope: set[str] | None, where: list[str],
            params: list[Any]) -> bool:
    """Cut a list to records involving a unit of ``scope`` (None: everything). False when the
    scope is empty (nothing to list)."""
    if scope is None:
        return True
    if not scope:
        return False
    ids = sorted(scope)
    where.append(f"{column} IN (SELECT record_id FROM emulation_units WHERE kind = ?"
                 f" AND unit_id IN ({','.join('?' * len(ids))}))")
    params.extend([kind, *ids])
    return True


def _empty(page: Page) -> dict[str, Any]:
    return {"items": [], "total": 0, "limit": page.limit, "offset": page.offset}


def period_year(period: str, decided_year: int) -> int:
    """The year an award counts for: the single year its period names ("2023", "năm 2023"),
    else the year it was decided."""
    years = set(_YEAR.findall(period or ""))
    return int(years.pop()) if len(years) == 1 else int(decided_year)


class EmulationRows:
    """The emulation lists (rows; worded by the API's representations)."""

    def __init__(self, db: ViewDB) -> None:
        self.db = db

    def clusters(self, *, scope: set[str] | None, kind: str | None = None,
                 page: Page | None = None) -> dict[str, Any]:
        page = page or Page()
        where: list[str] = []
        params: list[Any] = []
        if not _scoped(CLUSTER, "cluster_id", scope, where, params):
            return _empty(page)
        if kind:
            where.append("kind = ?")
            params.append(kind)
        with self.db.read() as cur:
            found = _page(cur, "SELECT * FROM emulation_clusters", where, params,
                          "name, cluster_id", page)
            ids = [r["cluster_id"] for r in found["items"]]
            years: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
            if ids:
                rows = cur.execute(
                    "SELECT cluster_id, year, lead_unit_id, member_count, active_count"
                    " FROM emulation_cluster_years"
                    f" WHERE cluster_id IN ({','.join('?' * len(ids))}) ORDER BY year",
                    ids).fetchall()
                for row in rows:
                    years[row["cluster_id"]].append(
                        {k: row[k] for k in ("year", "lead_unit_id", "member_count",
                                             "active_count")})
        for row in found["items"]:
            row["years"] = years[row["cluster_id"]]
        return found

    def covenants(self, *, scope: set[str] | None, cluster_id: str | None = None,
                  year: int | None = None, status: str | None = None,
                  page: Page | None = None) -> dict[str, Any]:
        page = page or Page()
        where: list[str] = []
        params: list[Any] = []
        if not _scoped(CLUSTER, "c.cluster_id", scope, where, params):
            return _empty(page)
        for column, value in (("c.cluster_id", cluster_id), ("c.year", year),
                              ("c.status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        select = (
            "SELECT c.*, k.name AS cluster_name, k.managing_unit_id,"
            " (SELECT COUNT(*) FROM emulation_results r WHERE r.covenant_id = c.covenant_id)"
            " AS results,"
            " (SELECT COUNT(*) FROM emulation_results r WHERE r.covenant_id = c.covenant_id"
            "  AND r.status <> 'reported') AS confirmed,"
            " (SELECT y.active_count FROM emulation_cluster_years y"
            "  WHERE y.cluster_id = c.cluster_id AND y.year = c.year) AS members"
            " FROM emulation_covenants c JOIN emulation_clusters k"
            " ON k.cluster_id = c.cluster_id")
        with self.db.read() as cur:
            return _page(cur, select, where, params, "year DESC, cluster_name, covenant_id",
                         page)

    def movements(self, *, scope: set[str] | None, unit_id: str | None = None,
                  year: int | None = None, status: str | None = None,
                  page: Page | None = None) -> dict[str, Any]:
        page = page or Page()
        where: list[str] = []
        params: list[Any] = []
        if not _scoped(MOVEMENT, "movement_id", scope, where, params):
            return _empty(page)
        if unit_id is not None:
            where.append("unit_id = ?")
            params.append(unit_id)
        if year is not None:
            where.append("starts_on <= ? AND ends_on >= ?")
            params.extend([f"{year}-12-31", f"{year}-01-01"])
        if status is not None:
            where.append("status = ?")
            params.append(status)
        with self.db.read() as cur:
            return _page(cur, "SELECT * FROM emulation_movements", where, params,
                         "starts_on DESC, title, movement_id", page)

    def title_registrations(self, *, scope: set[str] | None, unit_id: str | None = None,
                            year: int | None = None, status: str | None = None,
                            page: Page | None = None) -> dict[str, Any]:
        page = page or Page()
        where: list[str] = []
        params: list[Any] = []
        if not _scoped(REGISTRATION, "registration_id", scope, where, params):
            return _empty(page)
        for column, value in (("unit_id", unit_id), ("year", year), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        with self.db.read() as cur:
            return _page(cur, "SELECT * FROM emulation_title_registrations", where, params,
                         "year DESC, registration_id", page)

    def title_history(self, recipient_key: str, unit_id: UUID | None = None
                      ) -> list[tuple[int, str]]:
        """The (year, award kind) of every award in force of one recipient: lines of decisions
        not revoked (the kind as mapped, for an as-stated line); with ``unit_id``, only lines
        whose recipient was within that unit's subtree (the unit is on the line's unit path)."""
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT award_kind, period, decided_year, unit_path FROM award_lines"
                " WHERE recipient_key = ? AND revoked_on IS NULL", (recipient_key,)).fetchall()
        wanted = str(unit_id) if unit_id is not None else None
        return sorted({(period_year(r["period"], r["decided_year"]), r["award_kind"])
                       for r in rows
                       if wanted is None or any(str(step.get("id")) == wanted
                                                for step in loads(r["unit_path"]) or [])})
