"""The org tree through time: one row per (unit, interval during which it stood unchanged).

``org_unit_changes`` keeps every dated change; after each change the unit's intervals in
``org_unit_versions`` are recomputed from its changes (effective dates may be entered out of order).
"The tree on date D" is then one indexed query: ``valid_from <= D < valid_to``.
"""

from __future__ import annotations

from typing import Any

from domain.org import ACTIVE, DISSOLVED, MERGED, OrgUnit
from domain.text import fold
from projections.base import Handler, View, iso, sid
from projections.db import Cursor


class OrgUnitsView(View):
    name = "org_units"
    version = 1

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS org_units ("
            " unit_id TEXT PRIMARY KEY, level TEXT NOT NULL, code TEXT,"
            " established_on TEXT NOT NULL, ended_on TEXT, latest_name TEXT NOT NULL,"
            " latest_parent_id TEXT, latest_status TEXT NOT NULL, successor_id TEXT)",
            "CREATE TABLE IF NOT EXISTS org_unit_changes ("
            " unit_id TEXT NOT NULL, seq INTEGER NOT NULL, effective_on TEXT NOT NULL,"
            " kind TEXT NOT NULL, name TEXT, parent_id TEXT, target_id TEXT,"
            " PRIMARY KEY (unit_id, seq))",
            "CREATE TABLE IF NOT EXISTS org_unit_versions ("
            " unit_id TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,"
            " name TEXT NOT NULL, name_folded TEXT NOT NULL, level TEXT NOT NULL,"
            " parent_id TEXT, status TEXT NOT NULL, successor_id TEXT, code TEXT,"
            " PRIMARY KEY (unit_id, valid_from))",
            "CREATE INDEX IF NOT EXISTS org_unit_versions_parent"
            " ON org_unit_versions (parent_id, valid_from)",
            "CREATE INDEX IF NOT EXISTS org_unit_versions_from ON org_unit_versions (valid_from)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            OrgUnit.Created: self._created,
            OrgUnit.Renamed: self._change,
            OrgUnit.Moved: self._change,
            OrgUnit.MergedInto: self._change,
            OrgUnit.Dissolved: self._change,
        }

    def _created(self, cur: Cursor, event: Any, position: int) -> None:
        unit_id = sid(event.originator_id)
        cur.execute(
            "INSERT INTO org_units (unit_id, level, code, established_on, latest_name,"
            " latest_parent_id, latest_status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                unit_id,
                event.level,
                event.code,
                iso(event.established_on),
                event.name,
                sid(event.parent_id),
                ACTIVE,
            ),
        )
        cur.execute(
            "INSERT INTO org_unit_changes (unit_id, seq, effective_on, kind, name, parent_id)"
            " VALUES (?, ?, ?, 'created', ?, ?)",
            (
                unit_id,
                event.originator_version,
                iso(event.established_on),
                event.name,
                sid(event.parent_id),
            ),
        )
        self._recompute(cur, unit_id)

    def _change(self, cur: Cursor, event: Any, position: int) -> None:
        kind = {
            OrgUnit.Renamed: "renamed",
            OrgUnit.Moved: "moved",
            OrgUnit.MergedInto: "merged_into",
            OrgUnit.Dissolved: "dissolved",
        }[type(event)]
        unit_id = sid(event.originator_id)
        cur.execute(
            "INSERT INTO org_unit_changes (unit_id, seq, effective_on, kind, name, parent_id,"
            " target_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                unit_id,
                event.originator_version,
                iso(event.effective_on),
                kind,
                getattr(event, "name", None),
                sid(getattr(event, "parent_id", None)),
                sid(getattr(event, "target_id", None)),
            ),
        )
        self._recompute(cur, unit_id)

    @staticmethod
    def _recompute(cur: Cursor, unit_id: str | None) -> None:
        unit = cur.execute(
            "SELECT level, code FROM org_units WHERE unit_id = ?", (unit_id,)
        ).fetchone()
        changes = cur.execute(
            "SELECT effective_on, kind, name, parent_id, target_id FROM org_unit_changes"
            " WHERE unit_id = ? ORDER BY effective_on, seq",
            (unit_id,),
        ).fetchall()
        assert unit is not None
        states: list[dict[str, Any]] = []
        state: dict[str, Any] = {}
        for change in changes:
            kind = change["kind"]
            if kind == "created":
                state = {
                    "name": change["name"],
                    "parent_id": change["parent_id"],
                    "status": ACTIVE,
                    "successor_id": None,
                }
            elif kind == "renamed":
                state = {**state, "name": change["name"]}
            elif kind == "moved":
                state = {**state, "parent_id": change["parent_id"]}
            elif kind == "merged_into":
                state = {**state, "status": MERGED, "successor_id": change["target_id"]}
            elif kind == "dissolved":
                state = {**state, "status": DISSOLVED}
            if states and states[-1]["valid_from"] == change["effective_on"]:
                states[-1] = {**state, "valid_from": change["effective_on"]}
            else:
                states.append({**state, "valid_from": change["effective_on"]})
        cur.execute("DELETE FROM org_unit_versions WHERE unit_id = ?", (unit_id,))
        rows = []
        for index, version in enumerate(states):
            valid_to = states[index + 1]["valid_from"] if index + 1 < len(states) else None
            rows.append(
                (
                    unit_id,
                    version["valid_from"],
                    valid_to,
                    version["name"],
                    fold(version["name"]),
                    unit["level"],
                    version["parent_id"],
                    version["status"],
                    version["successor_id"],
                    unit["code"],
                )
            )
        cur.executemany(
            "INSERT INTO org_unit_versions (unit_id, valid_from, valid_to, name, name_folded,"
            " level, parent_id, status, successor_id, code) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        last = states[-1]
        ended = last["valid_from"] if last["status"] != ACTIVE else None
        cur.execute(
            "UPDATE org_units SET latest_name = ?, latest_parent_id = ?, latest_status = ?,"
            " successor_id = ?, ended_on = ? WHERE unit_id = ?",
            (last["name"], last["parent_id"], last["status"], last["successor_id"], ended, unit_id),
        )
