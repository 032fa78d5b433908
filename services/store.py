"""The event store: an ``eventsourcing.Application`` configured for SQLite or PostgreSQL.

The areas (``services.orgs``, ``services.nominations``, …) are handed this store and use its
helpers: loading an aggregate or failing with the right domain error, saving several aggregates
atomically and turning a stale save into a 409, and reading an aggregate's full history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from domain.ceremony import Ceremony
from domain.errors import ConcurrentChange, DomainError, StaleVersion
from domain.org import OrgUnit
from domain.users import User

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class Saved:
    """What a command returns: the id it acted on and the log position of its last event."""

    id: UUID
    version: int
    position: int
    extra: dict[str, Any] | None = None


def vietnam_today(zone: str = "Asia/Ho_Chi_Minh") -> date:
    return datetime.now(ZoneInfo(zone)).date()


class Store(Application[UUID]):
    name = "tdkt"
    # Aggregates that gather events without end (a unit's children, a ceremony's decisions, a
    # user's tokens) are snapshotted; the others stay short and are loaded without asking the
    # snapshot table first (one query instead of two; see ``_get``).
    snapshotting_intervals = {OrgUnit: 100, Ceremony: 100, User: 100}  # noqa: RUF012

    def __init__(
        self, env: dict[str, str] | None = None, clock: Callable[[], date] | None = None
    ) -> None:
        super().__init__(env=env)
        self.today: Callable[[], date] = clock or vietnam_today

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- loading ------------------------------------------------------------------------------

    def load(self, cls: type[A], aggregate_id: UUID, missing: DomainError) -> A:
        aggregate = self._get(cls, aggregate_id)
        if aggregate is None or not isinstance(aggregate, cls):
            raise missing
        return aggregate

    def load_or_none(self, cls: type[A], aggregate_id: UUID) -> A | None:
        aggregate = self._get(cls, aggregate_id)
        return aggregate if isinstance(aggregate, cls) else None

    def _get(self, cls: type[A], aggregate_id: UUID) -> Aggregate | None:
        """The aggregate from its events. The library's repository first asks the snapshot table
        for every load; for kinds that are never snapshotted that is a wasted round trip (a
        one-line decision loads about eight aggregates: one query for each instead of two;
        bench/RESULTS.md)."""
        if cls in self.snapshotting_intervals or self.snapshots is None:
            try:
                return self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
        # ``project_aggregate``'s loop without its per-event ``isinstance`` against a runtime
        # protocol, which costs more than applying the event (a cluster board loads 60 reports
        # of some 30 events each: a third of its time; bench/emulation_board.py).
        aggregate: Aggregate | None = None
        for event in self.events.get(aggregate_id):
            aggregate = event.mutate(aggregate)
        return aggregate

    @staticmethod
    def check_version(aggregate: Aggregate, expected: int | None) -> None:
        if expected is not None and aggregate.version != expected:
            raise StaleVersion(current=aggregate.version, expected=expected)

    # -- saving -------------------------------------------------------------------------------

    def commit(self, *aggregates: Aggregate | None, subject: UUID | None = None) -> Saved:
        """Save all pending events of ``aggregates`` in one transaction.

        A concurrent writer that saved first makes this save collide on (id, version): that is a
        409, never a lost update.
        """
        present = [a for a in aggregates if a is not None]
        try:
            recordings = self.save(*present)
        except IntegrityError:
            raise ConcurrentChange() from None
        main = present[0] if subject is None else next(a for a in present if a.id == subject)
        position = recordings[-1].notification.id if recordings else self.max_position()
        return Saved(id=main.id, version=main.version, position=position)

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- history ------------------------------------------------------------------------------

    def history(self, aggregate_id: UUID) -> list[Any]:
        return list(self.events.get(aggregate_id))
