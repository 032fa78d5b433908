"""The event store: an ``eventsourcing.Application`` configured for SQLite or PostgreSQL.

The areas (``services.orgs``, ``services.nominations``, …) are handed this store and use its
helpers: loading an aggregate or failing with the right domain error, saving several aggregates
atomically and turning a stale save into a 409, and reading an aggregate's full history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoder, Transcoding

from domain.ceremony import Ceremony
from domain.errors import ConcurrentChange, DomainError, StaleVersion
from domain.idempotency import IdempotencyKey
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


class SealingTranscoder(Transcoder):
    """Stores events with their personal data sealed (``services.personal_data``); reading
    gives the sealed values back as stored: nothing is opened on the way in."""

    def __init__(self, inner: Transcoder, conceal: Callable[[Any], Any]) -> None:
        self.inner = inner
        self.conceal = conceal

    def encode(self, obj: Any) -> bytes:
        return self.inner.encode(self.conceal(obj))

    def decode(self, data: bytes) -> Any:
        return self.inner.decode(data)


@dataclass(frozen=True)
class Saved:
    """What a command returns: the id it acted on and the log position of its last event."""

    id: UUID
    version: int
    position: int
    extra: dict[str, Any] | None = None


@dataclass
class PendingClaim:
    """A request's ``Idempotency-Key``, to be claimed with the first save of its command
    (``services.http.idempotency`` sets it in ``PENDING_CLAIM``). Mutable on purpose: the
    context is copied into the thread pool that runs sync endpoints, and the middleware must
    see what the save did."""

    key_id: UUID
    fingerprint: str
    method: str
    path: str
    now: datetime
    ttl: timedelta
    open: bool = True  # False once the answer began: a later save is not the command's
    used: bool = False  # claimed in the same transaction as the command's events
    collided: bool = False  # another request claimed the key first: this one recorded nothing
    page: bool = False  # a page's form (its ``form_key``), answered as a page

    @property
    def wanted(self) -> bool:
        return self.open and not self.used and not self.collided


PENDING_CLAIM: ContextVar[PendingClaim | None] = ContextVar("tdkt_pending_claim", default=None)


def vietnam_today(zone: str = "Asia/Ho_Chi_Minh") -> date:
    return datetime.now(ZoneInfo(zone)).date()


class Store(Application[UUID]):
    name = "tdkt"
    # Aggregates that gather events without end (a unit's children, a ceremony's decisions, a
    # user's tokens) are snapshotted; the others stay short and are loaded without asking the
    # snapshot table first (one query instead of two; see ``_get``).
    snapshotting_intervals = {OrgUnit: 100, Ceremony: 100, User: 100}  # noqa: RUF012

    def __init__(
        self, env: dict[str, str] | None = None, clock: Callable[[], date] | None = None,
        conceal: Callable[[Any], Any] | None = None,
    ) -> None:
        self.conceal = conceal  # seals personal data as events are stored; None: stored as is
        self.reveal: Callable[[Any], Any] = lambda value: value  # opens it (the runtime's)
        super().__init__(env=env)
        self.today: Callable[[], date] = clock or vietnam_today

    def construct_transcoder(self) -> Transcoder:
        transcoder = super().construct_transcoder()
        if self.conceal is None:
            return transcoder
        return SealingTranscoder(transcoder, self.conceal)

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
            recordings = self._save(present, subject, {})
        except IntegrityError:
            raise ConcurrentChange() from None
        main = present[0] if subject is None else next(a for a in present if a.id == subject)
        position = recordings[-1].notification.id if recordings else self.max_position()
        return Saved(id=main.id, version=main.version, position=position)

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        """The library's save, plus the request's idempotency claim when one is pending (every
        command saves here: ``commit`` and the decisions' own retrying save alike)."""
        return self._save(objs, None, kwargs)

    def _save(self, objs: Sequence[Any], subject: UUID | None, kwargs: dict[str, Any]
              ) -> list[Any]:
        pending = PENDING_CLAIM.get()
        if pending is None or not pending.wanted:
            return super().save(*objs, **kwargs)
        present = [o for o in objs if o is not None]
        main = next((o for o in present if subject in (None, getattr(o, "id", None))), None)
        claim = self._claim(pending, main)
        try:
            # the claim last: the command's events keep their order, and the answer's position
            # (the last event's) covers them all
            recordings = super().save(*present, claim, **kwargs)
        except IntegrityError:
            if self._claimed_elsewhere(pending):
                raise ConcurrentChange() from None
            raise  # the command's own collision: its caller decides (the claim is re-made)
        pending.used = True
        return recordings

    def _claim(self, pending: PendingClaim, main: Any) -> IdempotencyKey:
        """The key's claim for this save: new, or a new use of a key whose time is over. A key
        claimed live meanwhile (a racing request with the same key) refuses the save."""
        fields = {"fingerprint": pending.fingerprint, "method": pending.method,
                  "path": pending.path, "subject_id": getattr(main, "id", None),
                  "subject_version": getattr(main, "version", None), "claimed_at": pending.now}
        existing = self.load_or_none(IdempotencyKey, pending.key_id)
        if existing is None:
            return IdempotencyKey.claim(key_id=pending.key_id, **fields)
        if existing.is_live(pending.now, pending.ttl):
            pending.collided = True
            raise ConcurrentChange()
        existing.reclaim(ttl=pending.ttl, **fields)
        return existing

    def _claimed_elsewhere(self, pending: PendingClaim) -> bool:
        existing = self.load_or_none(IdempotencyKey, pending.key_id)
        if existing is not None and existing.is_live(pending.now, pending.ttl):
            pending.collided = True
        return pending.collided

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- history ------------------------------------------------------------------------------

    def history(self, aggregate_id: UUID) -> list[Any]:
        return list(self.events.get(aggregate_id))
