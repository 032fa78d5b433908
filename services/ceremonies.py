"""Ceremonies (lễ trao thưởng): the decisions presented at one event, and the announced total
checked against the total computed from those decisions."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.ceremony import Ceremony
from domain.errors import UnknownCeremony, ValidationFailed
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
        for decision_id in data.get("decision_ids") or []:
            decision = self.decisions.referenced_decision(decision_id)
            ceremony.add_decision(decision.id, decision.number, actor.username)
        if data.get("announced_total") is not None:
            ceremony.announce_total(
                data["announced_total"], data.get("announced_source"), actor.username
            )
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
        if "announced_total" in changes:
            ceremony.announce_total(
                changes["announced_total"], changes.get("announced_source"), actor.username
            )
        return self.store.commit(ceremony)

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
