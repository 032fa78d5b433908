"""PostgreSQL event recorder that saves large transactions without psycopg's pipeline mode.

The library's recorder sends a save through a psycopg pipeline. With one transaction of a few
megabytes — a decision of about 4,000 lines and its claims — the pipeline deadlocks here: the
server waits for the rest of the INSERT while the client waits for results (reproduced with
psycopg 3.3.9 and eventsourcing 9.5.6; 3,000 lines pass, 4,000 hang for ever). Sending the same
statements on a plain cursor in one transaction keeps every guarantee (the table lock that orders
notification ids, the unique constraint on versions) at the cost of one more round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry


class BulkSafeApplicationRecorder(PostgresApplicationRecorder):
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
