"""A decision with 5,000 lines is one aggregate saved in one transaction, on both stores.

On PostgreSQL this once hung for ever: psycopg's pipeline deadlocked on a save of a few megabytes
(see services/pgstore.py). The test keeps that from coming back."""

from __future__ import annotations

from datetime import date

from projections.db import MMAP_BYTES
from services.authz import SYSTEM
from tests.helpers import World

LINES = 5_000


def test_a_five_thousand_line_decision_saves_in_one_transaction(rt, clock):
    clock.today = date(2025, 1, 1)
    world = World.build(rt)
    head = rt.app.max_position()
    saved = rt.app.decisions.issue_decision(SYSTEM, {
        "number": "35/QĐ-UBND", "decided_on": date(2024, 1, 5),
        "issuer": {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
        "recorded_by_unit_id": world.units["btl"], "award_kind": "giay_khen_ubnd_huyen",
        "period": "2023",
        "lines": [{"recipient": {"kind": "individual", "name": f"Hội viên số {i}",
                                 "birth_year": 1950 + i % 50, "unit_id": world.u("xd")},
                   "amount": 360_000} for i in range(LINES)],
    })
    decision = rt.app.decisions.decision(saved.id)
    assert len(decision.lines) == LINES
    # the decision, its number claim and one achievement claim per line: one save
    assert rt.app.max_position() - head == LINES + 2
    rt.runner.catch_up()
    from projections.registry import RegistryFilter

    totals = rt.registry.totals(RegistryFilter(decision_id=str(saved.id)))["total"]
    assert (totals["individuals"], totals["amount"]) == (LINES, LINES * 360_000)

    # after a bulk catch-up each store reads its views the fast way: PostgreSQL has vacuumed and
    # analyzed the tables the load filled (statistics, visibility map), SQLite maps its file
    with rt.db.read() as cur:
        if rt.db.dialect == "postgres":
            tables = {row["relname"]: row for row in cur.execute(
                "SELECT c.relname, c.reltuples, c.relallvisible FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relname = ANY(?)",
                (["award_lines", "award_line_units"],)).fetchall()}
            assert set(tables) == {"award_lines", "award_line_units"}
            assert all(t["reltuples"] >= LINES and t["relallvisible"] > 0
                       for t in tables.values()), tables
        else:
            assert cur.scalar("PRAGMA mmap_size") == MMAP_BYTES
