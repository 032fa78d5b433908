"""Tamper evidence for the event log: every stored event is sealed with a SHA-256 chained to the
seal of the event before it (issue 18).

``seal(n) = SHA-256(seal(n-1) ‖ position ‖ aggregate id ‖ version ‖ topic ‖ stored bytes)``,
starting from 64 zeros. The seals are kept in ``event_seals`` beside the read models, one row per
event, written in log order as the projections catch up (``Sealer.seal``, called by the runner
before each catch-up; an event is sealed moments after it is recorded). They are not a read
model: a rebuild from zero never touches them, since recomputing seals from the log would
bless whatever the log now holds.

``Sealer.verify`` recomputes the chain from the stored events and reports the first position
where the log and the seals part: an event whose bytes, topic, aggregate or version changed
(``altered``), a sealed event no longer in the log (``missing``), an event between sealed ones
that was never sealed (``unsealed`` — inserted afterwards). Events after the last seal are only
not sealed *yet*. The chain's head (the last seal) is printed by ``tdkt verify``: an office that
notes it on paper can later prove the log up to it unchanged, even against someone able to
rewrite both tables.

The hash is the standard library's SHA-256; nothing here is home-made cryptography.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from projections.db import ViewDB

GENESIS = "0" * 64
BATCH = 1000
SEAL_DDL = (
    "CREATE TABLE IF NOT EXISTS event_seals ("
    " position BIGINT PRIMARY KEY,"
    " seal TEXT NOT NULL)"
)
BREAKS = {
    "altered": "sự kiện đã bị sửa (nội dung, loại, bản ghi hoặc phiên bản khác khi niêm phong)",
    "missing": "sự kiện đã niêm phong không còn trong nhật ký (bị xóa)",
    "unsealed": "sự kiện chen vào giữa các sự kiện đã niêm phong",
}
_LOCK = 7307210452  # PostgreSQL advisory lock: one sealer at a time across processes


def link(previous: str, notification: Any) -> str:
    """The seal of ``notification`` (a stored event with its position) after ``previous``."""
    digest = hashlib.sha256()
    for part in (previous, str(notification.id), str(notification.originator_id),
                 str(notification.originator_version), notification.topic):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "big"))
        digest.update(encoded)
    state = bytes(notification.state)
    digest.update(len(state).to_bytes(8, "big"))
    digest.update(state)
    return digest.hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: the events checked, the head seal, the first break (if any)."""

    checked: int
    head: str
    head_position: int
    unsealed_tail: int  # events after the last seal (not sealed yet: not a break)
    break_position: int | None = None
    break_kind: str | None = None  # altered | missing | unsealed

    @property
    def intact(self) -> bool:
        return self.break_position is None

    def sentence(self) -> str:
        if self.intact:
            tail = (f"; {self.unsealed_tail} sự kiện mới chưa niêm phong"
                    if self.unsealed_tail else "")
            return (f"Nhật ký nguyên vẹn: {self.checked} sự kiện khớp chuỗi niêm phong, đầu chuỗi "
                    f"tại vị trí {self.head_position}: {self.head}{tail}.")
        what = BREAKS.get(self.break_kind or "", "")
        return f"Nhật ký bị thay đổi: chỗ hỏng đầu tiên ở vị trí {self.break_position} — {what}."


class Sealer:
    def __init__(self, recorder: Any, db: ViewDB, batch: int = BATCH) -> None:
        self.recorder = recorder
        self.db = db
        self.batch = batch
        with self.db.write() as cur:
            cur.execute(SEAL_DDL)

    def _last(self, cur: Any) -> tuple[int, str]:
        row = cur.execute(
            "SELECT position, seal FROM event_seals ORDER BY position DESC LIMIT 1").fetchone()
        return (int(row["position"]), row["seal"]) if row else (0, GENESIS)

    def seal(self) -> int:
        """Seal every recorded event not sealed yet, in log order; returns how many. A read
        first: when nothing is new (most calls) no write transaction is opened."""
        with self.db.read() as cur:
            position, _ = self._last(cur)
        if (self.recorder.max_notification_id() or 0) <= position:
            return 0
        sealed = 0
        while True:
            with self.db.write() as cur:
                if self.db.dialect == "postgres":
                    cur.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
                position, previous = self._last(cur)
                found = self.recorder.select_notifications(
                    start=position, limit=self.batch, inclusive_of_start=False)
                rows = []
                for notification in found:
                    previous = link(previous, notification)
                    rows.append((notification.id, previous))
                if rows:
                    cur.executemany("INSERT INTO event_seals (position, seal) VALUES (?, ?)",
                                    rows)
            sealed += len(rows)
            if len(found) < self.batch:
                return sealed

    def verify(self) -> Verdict:
        """Recompute the chain from the stored events and compare it with the seals (a merge
        of the two, both in log order)."""
        with self.db.read() as cur:
            seals = [(int(r["position"]), r["seal"]) for r in cur.execute(
                "SELECT position, seal FROM event_seals ORDER BY position").fetchall()]
        last_sealed = seals[-1][0] if seals else 0
        previous, checked, head, head_position, tail = GENESIS, 0, GENESIS, 0, 0
        index, start = 0, 0
        while True:
            found = self.recorder.select_notifications(
                start=start, limit=self.batch, inclusive_of_start=False)
            for notification in found:
                position = notification.id
                if index < len(seals) and seals[index][0] < position:
                    return self._broken(checked, head, head_position, seals[index][0],
                                        "missing")
                if position > last_sealed:
                    tail += 1
                    continue
                if index >= len(seals) or seals[index][0] != position:
                    return self._broken(checked, head, head_position, position, "unsealed")
                previous = link(previous, notification)
                if previous != seals[index][1]:
                    return self._broken(checked, head, head_position, position, "altered")
                index += 1
                checked += 1
                head, head_position = previous, position
            if len(found) < self.batch:
                break
            start = found[-1].id
        if index < len(seals):
            return self._broken(checked, head, head_position, seals[index][0], "missing")
        return Verdict(checked=checked, head=head, head_position=head_position,
                       unsealed_tail=tail)

    @staticmethod
    def _broken(checked: int, head: str, head_position: int, position: int,
                kind: str) -> Verdict:
        return Verdict(checked=checked, head=head, head_position=head_position, unsealed_tail=0,
                       break_position=position, break_kind=kind)
