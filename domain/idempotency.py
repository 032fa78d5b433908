"""Idempotency keys: a retried command is recorded once and answered as the first time.

A client sends ``Idempotency-Key: <key>`` with a creating or changing request. The key is claimed
by a small aggregate with a deterministic id — ``uuid5`` of a SHA-256 of the caller's credential
and of the key, so two callers never share a key and the credential itself is never stored —
saved **in the same transaction** as the command's own events (``services.store``), as the
number and achievement claims are (``domain.guards``). Two requests racing with one key both try
to insert the claim at the same version: one save wins, the other collides and records nothing.

The claim remembers what was asked (a fingerprint of method, path, query and body; never the
body itself) and what was recorded (the subject's id and version); once the service has
answered, ``Answered`` keeps that answer (status, body up to ``MAX_ANSWER_BYTES``, ``Location``
and log position) so a retry gets it again. A key is live for a time to live
(``TDKT_IDEMPOTENCY_HOURS``); a use after that claims the same aggregate again (``Reclaimed``).

No view reads these events (the projection runner fetches only the topics its views handle).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic

MAX_KEY_LENGTH = 200
MAX_ANSWER_BYTES = 256 * 1024  # a larger answer is not kept: a retry gets the recorded subject


def valid_key(key: str) -> bool:
    """1–200 printable ASCII characters (space to tilde)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(" " <= ch <= "~" for ch in key)


def credential_digest(credential: str) -> str:
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


def key_id(credential: str, key: str) -> UUID:
    """The claim's id for this caller's key: the credential only as its SHA-256."""
    return stable_id("idempotency", credential_digest(credential), key)


class IdempotencyKey(Aggregate):
    TOPIC = topic("idempotency", "IdempotencyKey")

    class Created(Aggregate.Created):
        """The key's first claim (stored as ``IdempotencyKey.Claimed``)."""

        TOPIC = topic("idempotency", "IdempotencyKey.Claimed")
        fingerprint: str
        method: str
        path: str
        subject_id: UUID | None
        subject_version: int | None
        claimed_at: datetime

    class Reclaimed(Aggregate.Event):
        """A use of the key after its time to live: a new command."""

        TOPIC = topic("idempotency", "IdempotencyKey.Reclaimed")
        fingerprint: str
        method: str
        path: str
        subject_id: UUID | None
        subject_version: int | None
        claimed_at: datetime

    class Answered(Aggregate.Event):
        TOPIC = topic("idempotency", "IdempotencyKey.Answered")
        status: int
        body: str | None  # the answer's text; None when larger than MAX_ANSWER_BYTES
        content_type: str
        location: str | None
        position: int | None

    @event(Created)
    def __init__(self, fingerprint: str, method: str, path: str, subject_id: UUID | None,
                 subject_version: int | None, claimed_at: datetime) -> None:
        self._claim(fingerprint, method, path, subject_id, subject_version, claimed_at)

    def _claim(self, fingerprint: str, method: str, path: str, subject_id: UUID | None,
               subject_version: int | None, claimed_at: datetime) -> None:
        self.fingerprint = fingerprint
        self.method = method
        self.path = path
        self.subject_id = subject_id
        self.subject_version = subject_version
        self.claimed_at = claimed_at
        self.answer: dict[str, Any] | None = None

    @classmethod
    def claim(cls, *, key_id: UUID, fingerprint: str, method: str, path: str,
              subject_id: UUID | None, subject_version: int | None,
              claimed_at: datetime) -> IdempotencyKey:
        return cls._create(cls.Created, id=key_id, fingerprint=fingerprint, method=method,
                           path=path, subject_id=subject_id, subject_version=subject_version,
                           claimed_at=claimed_at)

    def is_live(self, now: datetime, ttl: timedelta) -> bool:
        return now < self.claimed_at + ttl and not self.spent

    @property
    def spent(self) -> bool:
        """Answered with a page that was not kept (a page's form whose answer was not a
        redirect): nothing to give a retry, which then runs as a new command."""
        answer = self.answer
        return (answer is not None and answer["body"] is None
                and str(answer["content_type"]).startswith("text/html")
                and not 300 <= int(answer["status"]) < 400)

    def reclaim(self, *, fingerprint: str, method: str, path: str, subject_id: UUID | None,
                subject_version: int | None, claimed_at: datetime, ttl: timedelta) -> None:
        assert not self.is_live(claimed_at, ttl), "the key is still live"
        self._reclaimed(fingerprint=fingerprint, method=method, path=path,
                        subject_id=subject_id, subject_version=subject_version,
                        claimed_at=claimed_at)

    @event(Reclaimed)
    def _reclaimed(self, fingerprint: str, method: str, path: str, subject_id: UUID | None,
                   subject_version: int | None, claimed_at: datetime) -> None:
        self._claim(fingerprint, method, path, subject_id, subject_version, claimed_at)

    def answered(self, *, status: int, body: str | None, content_type: str,
                 location: str | None, position: int | None) -> None:
        assert self.answer is None, "already answered"
        if body is not None and len(body.encode("utf-8")) > MAX_ANSWER_BYTES:
            body = None
        self._answered(status=status, body=body, content_type=content_type,
                       location=location, position=position)

    @event(Answered)
    def _answered(self, status: int, body: str | None, content_type: str,
                  location: str | None, position: int | None) -> None:
        self.answer = {"status": status, "body": body, "content_type": content_type,
                       "location": location, "position": position}
