"""Claims: small aggregates with deterministic ids that make cross-aggregate rules atomic.

Each rule that spans aggregates has a key; the claim's id is ``uuid5`` of that key. A decision is
saved together with its claims in one transaction. If another transaction claimed the same key
first, the version-1 insert collides and the whole save is refused: no race can break the rule, on
SQLite or PostgreSQL. Claims for awards are released when the award is revoked (so a corrected
decision can be issued); decision-number claims are never released (a number is never reused).

The three award rules live here and only here, as keys:

* **decision number**: unique per issuer and year (``decision_number``);
* **once per achievement**: one award of a kind per recipient and period (``achievement``);
* **once per lifetime**: kinds such as Kỷ niệm chương, once per recipient (``lifetime``).

The same keys serve the check inside one decision (two lines of one decision may not share a
key), the claims saved with the decision, their release on revocation and the error that names
the rule broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.catalog import AS_STATED, catalog
from domain.text import fold, fold_key

DECISION_NUMBER = "decision_number"
ACHIEVEMENT = "achievement"
LIFETIME = "lifetime"
# When several rules are broken at once, the most specific is reported first: a once-per-lifetime
# award already received says more than "this achievement was already awarded" (a Kỷ niệm
# chương collides on both).
PRIORITY = {DECISION_NUMBER: 0, LIFETIME: 1, ACHIEVEMENT: 2}


@dataclass(frozen=True)
class ClaimKey:
    """One rule's key. ``key`` is the readable text stored in the claim; ``id`` the claim's
    deterministic aggregate id (both unchanged since the first release: stored claims keep
    working)."""

    purpose: str
    parts: tuple[str, ...]

    @property
    def key(self) -> str:
        return "|".join(self.parts)

    @property
    def id(self) -> UUID:
        return stable_id(self.purpose, *self.parts)


def number_key(number: str) -> str:
    """A decision number as compared for uniqueness ("12/QĐ-HLHPN" = "12/qđ-hlhpn")."""
    return fold_key(number)


def decision_number_claim(issuer_key: str, year: int, number: str) -> ClaimKey:
    return ClaimKey(DECISION_NUMBER, (issuer_key, str(year), number_key(number)))


class AwardLine(Protocol):
    """What the award rules read of a decision line (``domain.decision.DecisionLine``)."""

    recipient_key: str
    award_kind: str
    period: str


def achievement_claim(line: AwardLine, issuer_key: str = "",
                      on: date | None = None) -> ClaimKey:
    """Once per achievement: recipient, kind, period — and, for a generic kind that stands for
    each issuer's own award (``AwardKind.per_issuer``), the issuer (the Front's and the Youth
    Union's Bằng khen for one year are two awards) — and, for the as-stated kind, the source's
    wording too. Keys of the other kinds are unchanged."""
    text = f"{line.recipient_key}|{line.award_kind}|{fold(line.period)}"
    if issuer_key and catalog().kind(line.award_kind, on).per_issuer:
        text = f"{text}|{issuer_key}"
    if line.award_kind == AS_STATED:
        # a form recorded as its source states it: two different stated forms ("Biểu dương",
        # "Thưởng nóng") for one period are two awards; the same wording twice is one
        text = f"{text}|{fold(getattr(line, 'award_as_stated', None) or '')}"
    return ClaimKey(ACHIEVEMENT, (text,))


def lifetime_claim(line: AwardLine, on: date | None = None) -> ClaimKey | None:
    if not catalog().kind(line.award_kind, on).once_per_lifetime:
        return None
    return ClaimKey(LIFETIME, (line.recipient_key, line.award_kind))


def line_claims(line: AwardLine, issuer_key: str, on: date | None = None) -> list[ClaimKey]:
    """The award rules one line of a decision by ``issuer_key`` (``Issuer.key``) dated ``on``
    must not break: once per achievement (unless its kind is given without limit), and once
    per lifetime where its kind says so — the kind as the catalogue had it on that date, so a
    later change never moves a recorded decision's claims."""
    kind = catalog().kind(line.award_kind, on)
    lifetime = lifetime_claim(line, on)
    achievement = [] if kind.frequency == "unlimited" else [
        achievement_claim(line, issuer_key, on)]
    return [*achievement, *([lifetime] if lifetime else [])]


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
