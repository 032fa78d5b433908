"""Ceremonies (lễ trao thưởng): the decisions presented at one event, the figures announced there
(money total and counts, each with its qualifier and source: ``domain.announcements``) checked
against what those decisions give, the body that hosts it when it is not the managing Union
unit, and what was paid out there (payment records and their corrections: ``domain.ceremony``;
committed, paid, outstanding: ``domain.payouts``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.announcements import AMOUNT, AnnouncedFigure, figures_by_what
from domain.ceremony import Ceremony
from domain.decision import AwardDecision
from domain.errors import (
    AnnouncedFigureRepeated,
    PaymentLineUnknown,
    UnknownCeremony,
    ValidationFailed,
)
from domain.payouts import Payout, payout
from services.authz import Actor, Authorizer
from services.decisions import Decisions
from services.orgs import OrgTree
from services.store import Saved, Store


class Ceremonies:
    """Planning a ceremony and changing what it presents (approvers of the host unit)."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer,
                 decisions: Decisions) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        self.decisions = decisions

    def ceremony(self, ceremony_id: UUID) -> Ceremony:
        return self.store.load(Ceremony, ceremony_id,
                               UnknownCeremony(ceremony_id=str(ceremony_id)))

    def plan_ceremony(self, actor: Actor, data: dict[str, Any]) -> Saved:
        host = self.tree.referenced_unit(data.get("host_unit_id"), "đơn vị tổ chức")
        self.authz.require(actor, "approver", host.id)
        held_on = data.get("held_on")
        if not isinstance(held_on, date):
            raise ValidationFailed(reason="cần ngày tổ chức")
        ceremony = Ceremony.plan(
            ceremony_id=uuid4(),
            title=str(data.get("title") or ""),
            held_on=held_on,
            place=str(data.get("place") or ""),
            host_unit_id=host.id,
            actor=actor.username,
        )
        if data.get("host_body") is not None:
            ceremony.name_host_body(data["host_body"], actor.username)
        for decision_id in data.get("decision_ids") or []:
            decision = self.decisions.referenced_decision(decision_id)
            ceremony.add_decision(decision.id, decision.number, actor.username)
        figures = _announced(data, data.get("announced_total") is not None)
        if data.get("announced_total") is not None:
            ceremony.announce_total(
                data["announced_total"], data.get("announced_source"), actor.username
            )
        ceremony.announce_figures(figures, actor.username)
        return self.store.commit(ceremony)

    def _ceremony_for_change(
        self, actor: Actor, ceremony_id: UUID, expected_version: int | None
    ) -> Ceremony:
        ceremony = self.ceremony(ceremony_id)
        self.authz.require(actor, "approver", ceremony.host_unit_id)
        self.store.check_version(ceremony, expected_version)
        return ceremony

    def change_ceremony(
        self,
        actor: Actor,
        ceremony_id: UUID,
        changes: dict[str, Any],
        expected_version: int | None = None,
    ) -> Saved:
        ceremony = self._ceremony_for_change(actor, ceremony_id, expected_version)
        ceremony.change_details(
            {k: v for k, v in changes.items() if k in ("title", "place", "held_on")},
            actor.username,
        )
        if "host_body" in changes:
            ceremony.name_host_body(changes["host_body"], actor.username)
        figures = _announced(changes, "announced_total" in changes)
        if "announced_total" in changes:
            ceremony.announce_total(
                changes["announced_total"], changes.get("announced_source"), actor.username
            )
        ceremony.announce_figures(figures, actor.username)
        return self.store.commit(ceremony)

    def announce_figures(
        self,
        actor: Actor,
        ceremony_id: UUID,
        figures: dict[str, AnnouncedFigure | None],
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
    ) -> tuple[Ceremony, int, Saved | None]:
        """Record announced figures by what they count (``None`` withdraws one; those left out
        and those given as they stand are not touched). Approvers of the host unit. Returns the
        ceremony as it would be, how many figures change, and what was saved (``None`` on a
        ``dry_run``: every rule checked, nothing recorded — a page's summary first)."""
        ceremony = self._ceremony_for_change(actor, ceremony_id, expected_version)
        changed = ceremony.announce_figures(figures, actor.username)
        if dry_run:
            return ceremony, changed, None
        return ceremony, changed, self.store.commit(ceremony)

    def add_ceremony_decision(
        self,
        actor: Actor,
        ceremony_id: UUID,
        decision_id: Any,
        expected_version: int | None = None,
    ) -> Saved:
        ceremony = self._ceremony_for_change(actor, ceremony_id, expected_version)
        decision = self.decisions.referenced_decision(decision_id)
        ceremony.add_decision(decision.id, decision.number, actor.username)
        return self.store.commit(ceremony)

    def remove_ceremony_decision(
        self,
        actor: Actor,
        ceremony_id: UUID,
        decision_id: UUID,
        expected_version: int | None = None,
    ) -> Saved:
        ceremony = self._ceremony_for_change(actor, ceremony_id, expected_version)
        decision = self.decisions.decision(decision_id)
        ceremony.remove_decision(decision.id, decision.number, actor.username)
        return self.store.commit(ceremony)

    # -- payments -------------------------------------------------------------------------------

    def _paid_on(self, value: Any) -> date:
        """The day a payment was made: today when not given; never a day still to come."""
        if value is None:
            return self.store.today()
        if isinstance(value, date) and value > self.store.today():
            raise ValidationFailed(
                reason=f"ngày chi trả {value.strftime('%d/%m/%Y')} chưa tới")
        return value

    def record_payments(
        self,
        actor: Actor,
        ceremony_id: UUID,
        items: list[dict[str, Any]],
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
    ) -> Saved | None:
        """Record what was paid or signed for against lines of the ceremony's decisions, all or
        none (one commit). Each item: ``decision_id``, ``line_no``, ``amount`` (integer đồng),
        ``paid_on`` (default today), ``status`` (``signed`` | ``paid``), ``note``, ``reason``
        (needed to pay beyond the line's stated amount). Approvers of the host unit.
        ``dry_run``: check everything, record nothing (a page's summary before recording)."""
        ceremony = self._ceremony_for_change(actor, ceremony_id, expected_version)
        if not items:
            raise ValidationFailed(reason="chưa chọn dòng nào để ghi chi trả")
        decisions: dict[str, AwardDecision] = {}  # each decision read once
        numbers = []
        for item in items:
            ref = str(item.get("decision_id"))
            if ref not in decisions:
                decisions[ref] = self.decisions.referenced_decision(item.get("decision_id"))
            decision = decisions[ref]
            line_no = item.get("line_no")
            if (isinstance(line_no, bool) or not isinstance(line_no, int)
                    or not 1 <= line_no <= len(decision.lines)):
                raise PaymentLineUnknown(decision_number=decision.number, line_no=line_no)
            numbers.append(ceremony.record_payment(
                decision_id=decision.id, decision_number=decision.number,
                decided_on=decision.decided_on, line=decision.line(line_no),
                amount=item.get("amount"), paid_on=self._paid_on(item.get("paid_on")),
                status=item.get("status"), note=item.get("note"), reason=item.get("reason"),
                actor=actor.username))
        if dry_run:
            return None
        saved = self.store.commit(ceremony)
        return Saved(saved.id, saved.version, saved.position, {"payment_nos": numbers})

    def record_payment(
        self,
        actor: Actor,
        ceremony_id: UUID,
        data: dict[str, Any],
        expected_version: int | None = None,
    ) -> Saved:
        saved = self.record_payments(actor, ceremony_id, [data], expected_version)
        assert saved is not None
        return saved

    def correct_payment(
        self,
        actor: Actor,
        ceremony_id: UUID,
        payment_no: int,
        changes: dict[str, Any],
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
    ) -> Saved | None:
        """A correction of record ``payment_no``: the values given replace the record's (those
        not given stay), with a reason (required). Recorded as a new event; the record stays.
        ``dry_run``: check, record nothing."""
        ceremony = self._ceremony_for_change(actor, ceremony_id, expected_version)
        record = ceremony.payment(payment_no)
        decision = self.decisions.decision(record["decision_id"])
        paid_on = changes.get("paid_on")
        ceremony.correct_payment(
            payment_no=payment_no, decided_on=decision.decided_on,
            amount=changes["amount"] if changes.get("amount") is not None else record["amount"],
            paid_on=self._paid_on(paid_on) if paid_on is not None else record["paid_on"],
            status=changes.get("status") or record["status"],
            note=changes["note"] if changes.get("note") is not None else record["note"],
            reason=changes.get("reason"), actor=actor.username)
        if dry_run:
            return None
        saved = self.store.commit(ceremony)
        return Saved(saved.id, saved.version, saved.position, {"payment_nos": [payment_no]})

    def may_pay(self, actor: Actor, ceremony: Ceremony) -> bool:
        """Whether the actor keeps this ceremony's payments (an approver of its host unit)."""
        return self.authz.covers(actor, ceremony.host_unit_id, "approver")

    def payout(self, ceremony_id: UUID) -> tuple[Ceremony, Payout]:
        """The ceremony with what it owes, has paid and still owes. Read like the ceremony
        itself and its history, which carries the payment events: by anyone signed in."""
        ceremony = self.ceremony(ceremony_id)
        decisions = [self.decisions.decision(d) for d in ceremony.decision_ids]
        return ceremony, payout(ceremony, decisions)


def _announced(data: dict[str, Any], total_given: bool) -> dict[str, AnnouncedFigure | None]:
    """The figures of a command (``announced_figures``: a list of {what, value, qualifier,
    source}); the money total given twice (``announced_total`` and a figure ``amount``) is
    refused."""
    figures = figures_by_what(data.get("announced_figures") or [])
    if AMOUNT in figures and total_given:
        raise AnnouncedFigureRepeated(what="tổng số tiền")
    return figures
