"""Submissions (tờ trình): a unit proposes a list of candidates at once.

The submission and all its nominations are created in one ``save()``: all or nothing.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

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
