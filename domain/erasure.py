"""Erasure of a person's personal data (crypto-shredding): the record that it was done.

The erasure itself is the deletion of the person's data key (``services.personal_data``); this
aggregate is what the log keeps of it: which person (her *subject*, a keyed pseudonym — never
the citizen ID), how many records named her, their units, who erased and why. The awards stay:
name as published, award, decision.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from domain.base import topic
from domain.errors import ValidationFailed
from domain.text import nfc


class PersonalDataErasure(Aggregate):
    TOPIC = topic("personal", "PersonalDataErasure")

    class Created(Aggregate.Created):
        TOPIC = topic("personal", "PersonalDataErasure.Recorded")
        subject: str
        name: str
        records: int
        unit_ids: list[str]
        reason: str
        actor: str

    @event(Created)
    def __init__(self, subject: str, name: str, records: int, unit_ids: list[str], reason: str,
                 actor: str) -> None:
        self.subject = subject
        self.name = name
        self.records = records
        self.unit_ids = unit_ids
        self.reason = reason
        self.actor = actor

    @classmethod
    def record(cls, *, subject: str, name: str, records: int, unit_ids: list[str], reason: str,
               actor: str) -> PersonalDataErasure:
        reason = nfc(reason or "")
        if len(reason) < 5:
            raise ValidationFailed(reason="cần ghi lý do xóa dữ liệu cá nhân (ví dụ: theo yêu "
                                          "cầu của người được khen thưởng, đơn ngày …)")
        if len(reason) > 1000:
            raise ValidationFailed(reason="lý do quá dài (tối đa 1.000 ký tự)")
        return cls(subject=subject, name=name, records=records, unit_ids=unit_ids,
                   reason=reason, actor=actor)
