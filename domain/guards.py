"""Claims: small aggregates with deterministic ids that make cross-aggregate rules atomic.

Each rule that spans aggregates has a key; the claim's id is ``uuid5`` of that key. A decision is
saved together with its claims in one transaction. If another transaction claimed the same key
first, the version-1 insert collides and the whole save is refused: no race can break the rule, on
SQLite or PostgreSQL. Claims for awards are released when the award is revoked (so a corrected
decision can be issued); decision-number claims are never released (a number is never reused).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic

DECISION_NUMBER = "decision_number"
ACHIEVEMENT = "achievement"
LIFETIME = "lifetime"


def decision_number_claim_id(issuer_key: str, year: int, number_key: str) -> UUID:
    return stable_id(DECISION_NUMBER, issuer_key, str(year), number_key)


def achievement_claim_id(achievement_key: str) -> UUID:
    return stable_id(ACHIEVEMENT, achievement_key)


def lifetime_claim_id(recipient_key: str, award_kind: str) -> UUID:
    return stable_id(LIFETIME, recipient_key, award_kind)


class Claim(Aggregate):
    TOPIC = topic("guards", "Claim")

    class Created(Aggregate.Created):
        TOPIC = topic("guards", "Claim.Created")
        purpose: str
        key: str
        holder: dict[str, Any]

    class Reclaimed(Aggregate.Event):
        TOPIC = topic("guards", "Claim.Reclaimed")
        holder: dict[str, Any]

    class Released(Aggregate.Event):
        TOPIC = topic("guards", "Claim.Released")
        reason: str

    @event(Created)
    def __init__(self, purpose: str, key: str, holder: dict[str, Any]) -> None:
        self.purpose = purpose
        self.key = key
        self.holder: dict[str, Any] | None = holder

    @classmethod
    def new(cls, *, claim_id: UUID, purpose: str, key: str, holder: dict[str, Any]) -> Claim:
        return cls._create(cls.Created, id=claim_id, purpose=purpose, key=key, holder=holder)

    @property
    def is_held(self) -> bool:
        return self.holder is not None

    def reclaim(self, holder: dict[str, Any]) -> None:
        assert self.holder is None, "claim is held"
        self._reclaimed(holder=holder)

    def release(self, reason: str) -> None:
        if self.holder is not None:
            self._released(reason=reason)

    @event(Reclaimed)
    def _reclaimed(self, holder: dict[str, Any]) -> None:
        self.holder = holder

    @event(Released)
    def _released(self, reason: str) -> None:
        self.holder = None
