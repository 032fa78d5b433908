"""Money schedules as events, and the calculator on top of them.

The legal schedule (base salaries, decree periods' coefficient tables, the title policy) is one
aggregate, recorded with the shipped data when the Union's root is created and corrected later by
events; each Union issuer's own rates are another. Decisions read both on their date, and store
the amounts they got, so that no later change reaches back into an old decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.calculator import Quote, quote
from domain.decision import Issuer
from domain.errors import ConcurrentChange, ValidationFailed
from domain.pricing import Pricer
from domain.schedules import (
    LEGAL_SCHEDULE_ID,
    InternalRate,
    InternalRates,
    LegalSchedule,
    MoneySchedules,
    internal_rates_id,
)
from services.authz import SYSTEM, Actor, Authorizer
from services.orgs import OrgTree
from services.store import Saved, Store


class Schedules:
    """The legal money schedule and each issuer's own rates, and quotes on a date."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz

    # -- reading ------------------------------------------------------------------------------

    def legal_schedule(self) -> LegalSchedule | None:
        return self.store.load_or_none(LegalSchedule, LEGAL_SCHEDULE_ID)

    def money_schedules(self) -> MoneySchedules:
        schedule = self.legal_schedule()
        return schedule.snapshot() if schedule else MoneySchedules()

    def internal_rates(self, issuer: Issuer) -> tuple[InternalRate, ...]:
        if issuer.unit_id is None:
            return ()
        rates = self.store.load_or_none(InternalRates, internal_rates_id(issuer.key))
        return rates.snapshot() if rates else ()

    def pricer(self, issuer: Issuer, on: date) -> tuple[Pricer, MoneySchedules]:
        """Quotes on ``on`` for ``issuer``, read once and cached per (kind, recipient kind): a
        decision with thousands of lines reads the schedules once."""
        schedules = self.money_schedules()
        rates = self.internal_rates(issuer)
        cache: dict[tuple[str, str], Quote] = {}

        def price(award_kind: str, recipient_kind: str) -> Quote:
            key = (award_kind, recipient_kind)
            if key not in cache:
                cache[key] = quote(
                    award_kind=award_kind,
                    recipient_kind=recipient_kind,
                    issuer_body=issuer.body,
                    issuer_level=issuer.level,
                    on=on,
                    schedules=schedules,
                    internal_rates=rates,
                    issuer_name=issuer.name,
                )
            return cache[key]

        return price, schedules

    def calculate(
        self, *, award_kind: str, recipient_kind: str, issuer: dict[str, Any], on: date
    ) -> tuple[Quote, Issuer]:
        """How much would this award carry on ``on``? Nothing is recorded."""
        resolved = self.tree.issuer_for(issuer, on)
        price, _ = self.pricer(resolved, on)
        return price(award_kind, recipient_kind), resolved

    # -- recording ----------------------------------------------------------------------------

    def _require_root_admin(self, actor: Actor) -> None:
        root = self.tree.root_unit_id()
        if root is None:
            raise ValidationFailed(reason="chưa có đơn vị gốc (Trung ương Hội)")
        self.authz.require(actor, "admin", root)

    def _schedule_for_change(self, actor: Actor) -> LegalSchedule:
        self._require_root_admin(actor)
        return self.legal_schedule() or LegalSchedule.start(actor=actor.username)

    def load_shipped_schedules(self, actor: Actor) -> Saved:
        """Record what this release's data changes, as one event (idempotent: loading the same
        release again records nothing)."""
        schedule = self._schedule_for_change(actor)
        schedule.load_shipped(actor=actor.username)
        return self.store.commit(schedule)

    def upgrade_schedules(self) -> Saved | None:
        """At start-up: an installation whose legal schedule predates this release gets the
        release's data through the normal path (one ``ReleaseLoaded`` event, by the system).
        Nothing when the store has no root yet (creating it loads the release) or when this
        release is already loaded; a concurrent start-up that loaded it first is fine."""
        if self.tree.root_unit_id() is None:
            return None
        for _attempt in range(3):
            schedule = self.legal_schedule() or LegalSchedule.start(actor=SYSTEM.username)
            schedule.load_shipped(actor=SYSTEM.username)
            if not schedule.pending_events:
                return None
            try:
                return self.store.commit(schedule)
            except ConcurrentChange:
                continue
        return None

    def set_base_salary(
        self,
        actor: Actor,
        *,
        effective_from: date,
        amount: Any,
        legal_basis: str,
        verified: bool = False,
        note: str = "",
    ) -> Saved:
        schedule = self._schedule_for_change(actor)
        schedule.set_base_salary(
            effective_from=effective_from, amount=amount, legal_basis=legal_basis,
            verified=verified, note=note, actor=actor.username,
        )
        return self.store.commit(schedule)

    def withdraw_base_salary(self, actor: Actor, *, effective_from: date, reason: str) -> Saved:
        schedule = self._schedule_for_change(actor)
        schedule.withdraw_base_salary(
            effective_from=effective_from, reason=reason, actor=actor.username
        )
        return self.store.commit(schedule)

    def set_title_policy(self, actor: Actor, *, highest_title_only: bool) -> Saved:
        schedule = self._schedule_for_change(actor)
        schedule.set_policy(highest_title_only=highest_title_only, actor=actor.username)
        return self.store.commit(schedule)

    def set_internal_rate(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        award_kind: str,
        recipient_kind: str,
        effective_from: date,
        amount: Any,
        note: str = "",
    ) -> Saved:
        """An issuer's own rate for one of the Union's awards (admin or approver of the unit)."""
        issuer = self.tree.issuer_of_unit(unit_id)
        if not self.authz.covers(actor, issuer.unit_id, "admin"):
            self.authz.require(actor, "approver", issuer.unit_id)
        rates = self.store.load_or_none(InternalRates, internal_rates_id(issuer.key)) or \
            InternalRates.open(issuer_key=issuer.key, issuer_name=issuer.name,
                               actor=actor.username)
        rates.set_rate(
            award_kind=award_kind, recipient_kind=recipient_kind, effective_from=effective_from,
            amount=amount, note=note, actor=actor.username,
        )
        return self.store.commit(rates)

    def internal_rates_of(self, unit_id: UUID) -> tuple[Issuer, tuple[InternalRate, ...]]:
        issuer = self.tree.issuer_of_unit(unit_id, what="đơn vị")
        return issuer, self.internal_rates(issuer)
