"""Ceremonies (trao thưởng): a conference where decisions are presented and money paid out.

The organisers often announce a total ("Tổng số tiền khen thưởng tại Hội nghị là …"). It is
recorded as announced, beside the total computed from the decisions; nothing forces them to agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import topic
from domain.decision import check_amount
from domain.errors import DecisionAlreadyPresented, DecisionNotPresented, ValidationFailed
from domain.text import nfc, nfc_optional


class Ceremony(Aggregate):
    TOPIC = topic("ceremony", "Ceremony")

    class Created(Aggregate.Created):
        TOPIC = topic("ceremony", "Ceremony.Created")
        title: str
        held_on: date
        place: str
        host_unit_id: UUID
        actor: str

    class DetailsChanged(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.DetailsChanged")
        changes: dict[str, Any]
        actor: str

    class DecisionAdded(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.DecisionAdded")
        decision_id: UUID
        decision_number: str
        actor: str

    class DecisionRemoved(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.DecisionRemoved")
        decision_id: UUID
        decision_number: str
        actor: str

    class TotalAnnounced(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.TotalAnnounced")
        amount: int | None
        source: str
        actor: str

    @event(Created)
    def __init__(
        self, title: str, held_on: date, place: str, host_unit_id: UUID, actor: str
    ) -> None:
        self.title = title
        self.held_on = held_on
        self.place = place
        self.host_unit_id = host_unit_id
        self.decision_ids: list[UUID] = []
        self.announced_total: int | None = None
        self.announced_source = ""

    @classmethod
    def plan(
        cls,
        *,
        ceremony_id: UUID,
        title: str,
        held_on: date,
        place: str,
        host_unit_id: UUID,
        actor: str,
    ) -> Ceremony:
        title = nfc(title or "")
        if not title:
            raise ValidationFailed(reason="cần tên buổi trao thưởng / hội nghị")
        return cls._create(
            cls.Created,
            id=ceremony_id,
            title=title,
            held_on=held_on,
            place=nfc(place or ""),
            host_unit_id=host_unit_id,
            actor=actor,
        )

    def change_details(self, changes: dict[str, Any], actor: str) -> None:
        clean: dict[str, Any] = {}
        if "title" in changes:
            title = nfc(changes["title"] or "")
            if not title:
                raise ValidationFailed(reason="cần tên buổi trao thưởng / hội nghị")
            clean["title"] = title
        if "place" in changes:
            clean["place"] = nfc(changes["place"] or "")
        if "held_on" in changes:
            if not isinstance(changes["held_on"], date):  # the domain, not only the API, refuses
                raise ValidationFailed(reason="cần ngày tổ chức (YYYY-MM-DD)")
            clean["held_on"] = changes["held_on"]
        clean = {k: v for k, v in clean.items() if getattr(self, k) != v}
        if clean:
            self._details_changed(changes=clean, actor=actor)

    def add_decision(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        if decision_id in self.decision_ids:
            raise DecisionAlreadyPresented(decision_number=decision_number)
        self._decision_added(decision_id=decision_id, decision_number=decision_number, actor=actor)

    def remove_decision(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        if decision_id not in self.decision_ids:
            raise DecisionNotPresented(decision_number=decision_number)
        self._decision_removed(
            decision_id=decision_id, decision_number=decision_number, actor=actor
        )

    def announce_total(self, amount: int | None, source: str | None, actor: str) -> None:
        amount = check_amount(amount)
        self._total_announced(amount=amount, source=nfc_optional(source) or "", actor=actor)

    @event(DetailsChanged)
    def _details_changed(self, changes: dict[str, Any], actor: str) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    @event(DecisionAdded)
    def _decision_added(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        self.decision_ids.append(decision_id)

    @event(DecisionRemoved)
    def _decision_removed(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        self.decision_ids.remove(decision_id)

    @event(TotalAnnounced)
    def _total_announced(self, amount: int | None, source: str, actor: str) -> None:
        self.announced_total = amount
        self.announced_source = source
