"""Movements (phong trào thi đua): launched by a unit, for a period, with indicators and the
participating units; each participant registers (with its own targets where the movement allows)
and reports results, which the launching unit confirms or corrects.

Who may act (the office = approver or admin over a unit):

* launch, change the indicators, add participants (units of the launcher's subtree), close: the
  launching unit's office;
* register, change its own targets, report results: the participant's office;
* confirm or correct a result (with a reason): the launching unit's office;
* read the movement, its registrations and board: whoever's grants cover the launching unit or a
  participant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.emulation.errors import (
    IndicatorUnknown,
    MovementInvalid,
    MovementRegistrationUnknown,
    MovementUnknown,
    OwnTargetInvalid,
    ResultMissing,
)
from domain.emulation.movement import (
    Movement,
    MovementBoard,
    MovementRegistration,
    movement_board,
    registration_id,
)
from domain.errors import DomainError
from services.authz import Actor, Authorizer
from services.emulation.clusters import files_kept
from services.emulation.common import day, require, require_reader
from services.orgs import OrgTree
from services.store import Saved, Store


@contextmanager
def _targets_named_in_the_body() -> Iterator[None]:
    """An own target for an indicator the movement does not have: the request's mistake (422),
    not a resource the path names (404)."""
    try:
        yield
    except IndicatorUnknown as unknown:
        raise OwnTargetInvalid(indicator_code=unknown.details.get("indicator_code", "?"),
                               reason="phong trào không có chỉ tiêu này") from None


class Movements:
    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz

    # -- loading ------------------------------------------------------------------------------

    def movement(self, movement_id: UUID) -> Movement:
        return self.store.load(Movement, movement_id,
                               MovementUnknown(movement_id=str(movement_id)))

    def registration_or_none(self, movement: Movement, unit_id: UUID
                             ) -> MovementRegistration | None:
        return self.store.load_or_none(MovementRegistration,
                                       registration_id(movement.id, unit_id))

    def registration(self, movement: Movement, unit_id: UUID) -> MovementRegistration:
        found = self.registration_or_none(movement, unit_id)
        if found is None:
            raise MovementRegistrationUnknown(unit=self.name(unit_id), title=movement.title)
        return found

    def name(self, unit_id: UUID) -> str:
        try:
            return self.tree.unit_state(unit_id).name
        except DomainError:  # an unknown unit is named by its id
            return str(unit_id)

    def names(self, movement: Movement) -> dict[UUID, str]:
        """The participants (unit id → name on the movement's last day), in their order."""
        return {unit: self.tree.org_unit(unit).name_on(movement.ends_on)
                for unit in movement.participant_ids}

    # -- who ----------------------------------------------------------------------------------

    def readable(self, actor: Actor, movement_id: UUID) -> Movement:
        movement = self.movement(movement_id)
        require_reader(self.authz, actor, [movement.unit_id, *movement.participant_ids])
        return movement

    def _participants(self, launcher: UUID, unit_ids: Iterable[Any]) -> list[UUID]:
        """Units of the launcher's subtree (the launcher itself included)."""
        if isinstance(unit_ids, (str, bytes, Mapping)):
            raise MovementInvalid(reason="đơn vị tham gia phải là một danh sách")
        out = []
        for value in unit_ids:
            unit = self.tree.referenced_unit(value, "đơn vị tham gia")
            if launcher not in self.tree.ancestors(unit.id):
                raise MovementInvalid(reason=f"«{unit.latest_state().name}» không thuộc đơn vị "
                                             "phát động phong trào")
            out.append(unit.id)
        return out

    # -- commands -----------------------------------------------------------------------------

    def launch(self, actor: Actor, *, unit_id: Any, title: str, indicators: list[Any],
               participant_ids: list[Any], own_targets_allowed: bool = False,
               year: int | None = None, starts_on: date | None = None,
               ends_on: date | None = None) -> Saved:
        unit = self.tree.referenced_unit(unit_id, "đơn vị phát động")
        require(self.authz, actor, [unit.id])
        movement = Movement.launch(
            unit_id=unit.id, title=title, indicators=indicators,
            participant_ids=self._participants(unit.id, participant_ids), actor=actor.username,
            own_targets_allowed=own_targets_allowed, year=year, starts_on=starts_on,
            ends_on=ends_on, id=uuid4())
        return self.store.commit(movement)

    def _launched(self, actor: Actor, movement_id: UUID,
                  expected_version: int | None = None) -> Movement:
        movement = self.movement(movement_id)
        require(self.authz, actor, [movement.unit_id])
        self.store.check_version(movement, expected_version)
        return movement

    def set_indicators(self, actor: Actor, movement_id: UUID, indicators: list[Any],
                       expected_version: int | None = None) -> Saved:
        movement = self._launched(actor, movement_id, expected_version)
        movement.set_indicators(indicators, actor.username)
        return self.store.commit(movement)

    def add_participants(self, actor: Actor, movement_id: UUID, unit_ids: list[Any]) -> Saved:
        movement = self._launched(actor, movement_id)
        movement.add_participants(self._participants(movement.unit_id, unit_ids),
                                  actor.username)
        return self.store.commit(movement)

    def close(self, actor: Actor, movement_id: UUID, on: date | None = None) -> Saved:
        movement = self._launched(actor, movement_id)
        movement.close(day(on, self.store.today()), actor.username)
        return self.store.commit(movement)

    def register(self, actor: Actor, movement_id: UUID, *, unit_id: Any,
                 targets: Mapping[str, Any] | None = None, pledge: str = "") -> Saved:
        movement = self.movement(movement_id)
        unit = self.tree.referenced_unit(unit_id, "đơn vị đăng ký").id
        require(self.authz, actor, [unit])
        existing = self.registration_or_none(movement, unit)
        with _targets_named_in_the_body():
            if existing is not None:  # registered already: its targets, when given, change
                if targets is not None:
                    existing.set_targets(movement, targets, actor.username)
                return self.store.commit(existing)
            registration = MovementRegistration.register(movement, unit, actor.username,
                                                         targets=targets, pledge=pledge)
        return self.store.commit(registration)

    def set_targets(self, actor: Actor, movement_id: UUID, unit_id: UUID,
                    targets: Mapping[str, Any]) -> Saved:
        movement = self.movement(movement_id)
        require(self.authz, actor, [unit_id])
        registration = self.registration(movement, unit_id)
        with _targets_named_in_the_body():
            registration.set_targets(movement, targets, actor.username)
        return self.store.commit(registration)

    def report(self, actor: Actor, movement_id: UUID, unit_id: UUID, code: str,
               **result: Any) -> Saved:
        movement = self.movement(movement_id)
        require(self.authz, actor, [unit_id])
        registration = self.registration(movement, unit_id)
        registration.report(movement, code, actor=actor.username,
                            **files_kept(registration, code, result))
        return self.store.commit(registration, movement)

    def _for_launcher(self, actor: Actor, movement_id: UUID, unit_id: UUID
                      ) -> tuple[Movement, MovementRegistration]:
        movement = self.movement(movement_id)
        require(self.authz, actor, [movement.unit_id])
        return movement, self.registration(movement, unit_id)

    def confirm(self, actor: Actor, movement_id: UUID, unit_id: UUID, code: str) -> Saved:
        movement, registration = self._for_launcher(actor, movement_id, unit_id)
        indicator = movement.indicator(code)
        if registration.result(indicator.code) is None:
            raise ResultMissing(indicator_code=indicator.code)
        registration.confirm(movement, indicator.code, actor.username)
        return self.store.commit(registration)

    def correct(self, actor: Actor, movement_id: UUID, unit_id: UUID, code: str, *,
                reason: str, **result: Any) -> Saved:
        movement, registration = self._for_launcher(actor, movement_id, unit_id)
        registration.correct(movement, code, reason=reason, actor=actor.username,
                             **files_kept(registration, code, result))
        return self.store.commit(registration)

    # -- reads --------------------------------------------------------------------------------

    def registrations(self, movement: Movement) -> list[MovementRegistration]:
        found = (self.registration_or_none(movement, u) for u in movement.participant_ids)
        return [r for r in found if r is not None]

    def board(self, actor: Actor, movement_id: UUID
              ) -> tuple[Movement, MovementBoard, list[MovementRegistration], dict[UUID, str]]:
        movement = self.readable(actor, movement_id)
        names = self.names(movement)
        registrations = self.registrations(movement)
        return movement, movement_board(movement, names, registrations), registrations, names
