"""Submissions (tờ trình): a unit proposes a list of candidates at once.

The submission and all its nominations are created in one ``save()``: all or nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import attachments
from domain.base import topic
from domain.errors import ValidationFailed
from domain.text import nfc, nfc_optional


class Submission(Aggregate):
    TOPIC = topic("submission", "Submission")

    class Created(Aggregate.Created):
        TOPIC = topic("submission", "Submission.Created")
        number: str | None
        title: str
        submitted_on: date
        proposing_unit_id: UUID
        nomination_ids: list[UUID]
        actor: str

    # Attachments (domain/attachments.py): the file's reference; the bytes are in the blob store.
    class AttachmentAdded(Aggregate.Event):
        TOPIC = topic("submission", "Submission.AttachmentAdded")
        no: int
        sha256: str
        size: int
        media_type: str
        file_name: str
        kind: str
        title: str
        actor: str

        def apply(self, aggregate: Submission) -> None:
            aggregate.attached = attachments.added(self, aggregate.attached)
            aggregate.attached_last_no = self.no

    class AttachmentRemoved(Aggregate.Event):
        TOPIC = topic("submission", "Submission.AttachmentRemoved")
        no: int
        reason: str
        actor: str

        def apply(self, aggregate: Submission) -> None:
            aggregate.attached = attachments.removed(self, aggregate.attached)

    # Class defaults: submissions recorded before attachments existed load unchanged.
    attached: Any = ()  # the attachments in force, oldest first (dicts: domain/attachments.py)
    attached_last_no = 0

    @event(Created)
    def __init__(
        self,
        number: str | None,
        title: str,
        submitted_on: date,
        proposing_unit_id: UUID,
        nomination_ids: list[UUID],
        actor: str,
    ) -> None:
        self.number = number
        self.title = title
        self.submitted_on = submitted_on
        self.proposing_unit_id = proposing_unit_id
        self.nomination_ids = list(nomination_ids)

    @classmethod
    def file(
        cls,
        *,
        submission_id: UUID,
        number: str | None,
        title: str,
        submitted_on: date,
        proposing_unit_id: UUID,
        nomination_ids: list[UUID],
        actor: str,
    ) -> Submission:
        if not nomination_ids:
            raise ValidationFailed(reason="tờ trình phải có ít nhất một đề nghị")
        if len(nomination_ids) > 10_000:
            raise ValidationFailed(reason="tờ trình có quá nhiều đề nghị (tối đa 10.000)")
        return cls._create(
            cls.Created,
            id=submission_id,
            number=nfc_optional(number),
            title=nfc(title or "") or "Tờ trình đề nghị khen thưởng",
            submitted_on=submitted_on,
            proposing_unit_id=proposing_unit_id,
            nomination_ids=nomination_ids,
            actor=actor,
        )

    # -- attachments (a tờ trình has no status of its own: always open to its unit) ------------

    def add_attachment(self, *, actor: str, **data: Any) -> dict[str, Any]:
        """``data``: sha256, size, media_type, file_name, kind, title."""
        record = attachments.next_attachment(self.attached, self.attached_last_no, **data)
        self.trigger_event(self.AttachmentAdded, actor=actor, **record)
        return self.attached[-1]

    def remove_attachment(self, *, ref: Any, reason: str, actor: str) -> int:
        found = attachments.find_attachment(self.attached, ref)
        self.trigger_event(self.AttachmentRemoved, no=found["no"], reason=nfc(reason or ""),
                           actor=actor)
        return int(found["no"])
