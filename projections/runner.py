"""Feeds views from the event log: in order, exactly once, resumably, in batches.

Each batch is one transaction on the read-model database that writes the views' rows *and* their
tracking positions, so a crash (even ``kill -9``) between batches or inside one leaves either the
whole batch applied or none of it. Concurrent runners (several API processes, a worker) serialise
on the tracking rows: each re-reads its position after taking the lock, so no event is applied
twice.

Notification ids may have gaps (PostgreSQL sequences), but the event store inserts under a table
lock, so commit order equals id order: once the runner has read up to N, nothing below N can
appear later.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from projections.base import View
from projections.db import ViewDB
from projections.seal import Sealer

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_tracking ("
    " name TEXT PRIMARY KEY,"
    " position BIGINT NOT NULL,"
    " version INTEGER NOT NULL,"
    " updated_at TEXT)"
)


class Runner:
    def __init__(
        self,
        app: Application[Any],
        db: ViewDB,
        views: Sequence[View],
        batch_size: int = 1000,
        before_catch_up: Callable[[], object] | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        # Called before each catch-up: the runtime passes the catalogue's refresh, so that a
        # projector process reads the award kinds another process recorded.
        self.before_catch_up = before_catch_up
        # Seals the log's new events (tamper evidence, ``projections.seal``) before each
        # catch-up, so an event is sealed as soon as the views see it.
        self.sealer = sealer
        self.app = app
        self.db = db
        self.views = list(views)
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._topics = self.topics()
        self.setup()

    # -- schema -------------------------------------------------------------------------------

    def setup(self) -> None:
        with self.db.write() as cur:
            if self.db.dialect == "postgres":
                # Several processes (API workers, the projector) may start together.
                cur.execute("SELECT pg_advisory_xact_lock(7307210451)")
            cur.execute(TRACKING_DDL)
            known = {
                row["name"]: row
                for row in cur.execute("SELECT name, version FROM projection_tracking").fetchall()
            }
            for view in self.views:
                row = known.get(view.name)
                if row is not None and row["version"] != view.version:
                    self._drop(cur, view)
                    row = None
                self._create(cur, view)
                if row is None:
                    cur.execute(
                        "INSERT INTO projection_tracking (name, position, version, updated_at) "
                        "VALUES (?, 0, ?, NULL) ON CONFLICT (name) DO UPDATE SET position = 0, "
                        "version = excluded.version",
                        (view.name, view.version),
                    )

    def _create(self, cur, view: View) -> None:
        for statement in view.ddl(self.db.dialect):
            cur.execute(statement)

    def _drop(self, cur, view: View) -> None:
        for table in view.table_names(self.db.dialect):
            cur.execute(f"DROP TABLE IF EXISTS {table}")

    def rebuild(
        self, names: Sequence[str] | None = None, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Project the named views (all by default) again from zero, beside the live ones, and
        switch to the new tables in one transaction once they are complete: until then the
        service reads the live views, and a failure leaves them as they were. The events
        recorded meanwhile are then applied as usual."""
        unknown = set(names or ()) - {v.name for v in self.views}
        if unknown:
            raise ValueError(f"không có bảng đọc: {', '.join(sorted(unknown))}")
        chosen = [v for v in self.views if names is None or v.name in names]
        dialect = self.db.dialect
        with self._lock:
            head = self.app.recorder.max_notification_id() or 0
            with self.db.staging() as staging:
                builder = Runner(self.app, staging, chosen, batch_size=self.batch_size)
                applied = builder._catch_up_locked(head, progress)
                reached = builder.positions()
                self.db.replace_tables(
                    staging,
                    tables=[t for v in chosen for t in v.table_names(dialect)],
                    ddl=[s for v in chosen for s in v.ddl(dialect)],
                    tracking=[(v.name, reached.get(v.name, 0), v.version) for v in chosen],
                )
            return applied + self._catch_up_locked(None, None)

    # -- positions ----------------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        with self.db.read() as cur:
            rows = cur.execute("SELECT name, position FROM projection_tracking").fetchall()
        wanted = {v.name for v in self.views}
        return {row["name"]: int(row["position"]) for row in rows if row["name"] in wanted}

    def position(self) -> int:
        """The position every view has reached (the slowest one)."""
        positions = self.positions()
        return min(positions.values()) if positions else 0

    def lag(self) -> dict[str, dict[str, int]]:
        head = self.app.recorder.max_notification_id() or 0
        return {
            name: {"position": pos, "head": head, "behind": max(head - pos, 0)}
            for name, pos in self.positions().items()
        }

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until every view has reached ``position`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            if self.position() >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    # -- feeding ------------------------------------------------------------------------------

    def catch_up(
        self, until: int | None = None, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Apply every recorded event not yet applied (up to ``until``); returns the count."""
        with self._lock:
            return self._catch_up_locked(until, progress)

    def _catch_up_locked(
        self, until: int | None, progress: Callable[[int, int], None] | None
    ) -> int:
        if self.before_catch_up is not None:
            self.before_catch_up()
        if self.sealer is not None:
            self.sealer.seal()
        applied = 0
        head = (self.app.recorder.max_notification_id() or 0) if progress else 0
        while True:
            count, last = self._one_batch(until)
            applied += count
            if progress and last:
                progress(last, head)
            if count < self.batch_size or (until is not None and last >= until):
                if applied:
                    self._vacuum_if_stale()
                return applied

    def _vacuum_if_stale(self) -> None:
        """PostgreSQL plans from table statistics, and autovacuum refreshes them only about a
        minute after a bulk load: until then a name search planned on an empty table's statistics
        scans every award line. And until a bulk load's rows are vacuumed, each first read of a
        row also writes its page (hint bits) and no index-only count is possible, so a
        commune's page is about three times slower (both measured: bench/RESULTS.md,
        "Measurements behind design choices"). So when a catch-up has changed a tenth of a table
        (and at least 1,000 rows) since its last ANALYZE, or inserted as many since its last
        VACUUM (autovacuum may have analyzed it meanwhile), vacuum and analyze it now."""
        if self.db.dialect != "postgres":
            return
        tables = [t for v in self.views for t in v.table_names(self.db.dialect)]
        with self.db.read() as cur:
            stale = [
                row["relname"]
                for row in cur.execute(
                    "SELECT relname FROM pg_stat_user_tables"
                    " WHERE schemaname = current_schema() AND relname = ANY(?)"
                    " AND GREATEST(n_mod_since_analyze, n_ins_since_vacuum)"
                    " >= GREATEST(1000, n_live_tup / 10)",
                    (tables,),
                ).fetchall()
            ]
        if stale:
            self.db.vacuum_analyze(stale)

    def topics(self) -> list[str]:
        """The stored topics of every event class some view handles: the runner fetches only
        those (an awards log is mostly claim events that no view reads)."""
        found: set[str] = set()
        for view in self.views:
            for cls in view.handlers:
                found.add(getattr(cls, "TOPIC", None) or get_topic(cls))
        return sorted(found)

    def _one_batch(self, until: int | None) -> tuple[int, int]:
        mapper = self.app.mapper
        # Read the head first: every event up to it is committed (the store assigns positions
        # in commit order), so once a filtered fetch comes back short, the views are complete
        # up to the head even if its last events were of topics no view reads.
        head = self.app.recorder.max_notification_id() or 0
        ceiling = head if until is None else min(until, head)
        with self.db.write() as cur:
            rows = cur.execute(
                "SELECT name, position FROM projection_tracking" + self.db.lock_rows_sql()
            ).fetchall()
            positions = {row["name"]: int(row["position"]) for row in rows}
            views = [v for v in self.views if v.name in positions]
            if not views:
                return 0, 0
            start = min(positions[v.name] for v in views)
            if start >= ceiling:
                return 0, start
            notifications = self.app.recorder.select_notifications(
                start=start, limit=self.batch_size, stop=ceiling, topics=self._topics,
                inclusive_of_start=False,
            )
            complete = len(notifications) < self.batch_size
            last = ceiling if complete else notifications[-1].id
            items = [(n.id, mapper.to_domain_event(n)) for n in notifications]
            for view in views:
                pos = positions[view.name]
                pending = items if pos <= start else [item for item in items if item[0] > pos]
                if pending:
                    view.apply_batch(cur, pending)
            cur.executemany(
                "UPDATE projection_tracking SET position = ?, updated_at = ? WHERE name = ?",
                [
                    (last, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), v.name)
                    for v in views
                    if positions[v.name] < last
                ],
            )
            return len(notifications), last
