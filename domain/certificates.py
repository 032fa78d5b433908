"""The certificate register (sổ vào sổ): serial numbers per issuer and year, and reprints.

One ``CertificateBook`` per issuer and year holds every serial it gave. Serials are 1, 2, 3 … with
no gap and never reused: they are handed out by the book's own events, and two print runs at the
same moment collide on the book's version, so one of them reloads and continues after the other.
A line keeps its serial (and its verification token) across reprints; each reprint is an event
with a reason, so the register knows how many copies exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.errors import Invalid
from domain.text import nfc


class ReprintNeedsReason(Invalid):
    code = "certificate.reprint_reason_required"
    message_template = (
        "{count} giấy chứng nhận đã được in (số vào sổ {serials}); in lại cần ghi lý do."
    )


def line_key(decision_id: UUID | str, line_no: int) -> str:
    return f"{decision_id}:{line_no}"


def book_id(issuer_key: str, year: int) -> UUID:
    return stable_id("certificate_book", issuer_key, str(year))


class CertificateBook(Aggregate):
    TOPIC = topic("certificates", "CertificateBook")

    class Created(Aggregate.Created):
        TOPIC = topic("certificates", "CertificateBook.Created")
        issuer_key: str
        issuer_name: str
        year: int

    class Issued(Aggregate.Event):
        TOPIC = topic("certificates", "CertificateBook.Issued")
        entries: list[dict[str, Any]]
        printed_on: date
        actor: str

    class Reprinted(Aggregate.Event):
        TOPIC = topic("certificates", "CertificateBook.Reprinted")
        keys: list[str]
        reason: str
        printed_on: date
        actor: str

    @event(Created)
    def __init__(self, issuer_key: str, issuer_name: str, year: int) -> None:
        self.issuer_key = issuer_key
        self.issuer_name = issuer_name
        self.year = year
        self.last_serial = 0
        self.entries: dict[str, dict[str, Any]] = {}

    @classmethod
    def open(cls, *, issuer_key: str, issuer_name: str, year: int) -> CertificateBook:
        return cls._create(cls.Created, id=book_id(issuer_key, year), issuer_key=issuer_key,
                           issuer_name=issuer_name, year=year)

    def entry(self, decision_id: UUID | str, line_no: int) -> dict[str, Any] | None:
        return self.entries.get(line_key(decision_id, line_no))

    def issue(
        self,
        lines: list[tuple[UUID, int]],
        tokens: list[str],
        *,
        printed_on: date,
        reprint_reason: str | None,
        actor: str,
    ) -> None:
        """Give the next serials to the lines that have none; record a reprint for the others
        (which needs a reason). ``tokens``: one unguessable token per line, used for new ones."""
        fresh, again = [], []
        for (decision_id, line_no), token in zip(lines, tokens, strict=True):
            key = line_key(decision_id, line_no)
            if key in self.entries:
                again.append(key)
            else:
                fresh.append((key, decision_id, line_no, token))
        reason = nfc(reprint_reason or "")
        if again and not reason:
            serials = ", ".join(str(self.entries[k]["serial"]) for k in again[:5])
            raise ReprintNeedsReason(count=len(again), serials=serials + ("…" if len(again) > 5
                                                                           else ""))
        if fresh:
            self._issued(
                entries=[
                    {"key": key, "decision_id": str(decision_id), "line_no": line_no,
                     "serial": self.last_serial + index, "token": token}
                    for index, (key, decision_id, line_no, token) in enumerate(fresh, start=1)
                ],
                printed_on=printed_on,
                actor=actor,
            )
        if again:
            self._reprinted(keys=again, reason=reason, printed_on=printed_on, actor=actor)

    @event(Issued)
    def _issued(self, entries: list[dict[str, Any]], printed_on: date, actor: str) -> None:
        for entry in entries:
            self.entries[entry["key"]] = {**entry, "copies": 1}
            self.last_serial = max(self.last_serial, entry["serial"])

    @event(Reprinted)
    def _reprinted(self, keys: list[str], reason: str, printed_on: date, actor: str) -> None:
        for key in keys:
            self.entries[key]["copies"] += 1
