"""Org-unit commands and tree reading.

Changes to the tree come as a *reorganisation*: a list of operations (create, rename, move, merge,
dissolve) applied in order to the units in memory and saved in one transaction. The 2025 reform
of a province (communes moved up from abolished districts, merged, districts dissolved) is one
reorganisation; a single rename is a reorganisation of one operation.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.base import stable_id
from domain.errors import (
    OrgUnitCycle,
    OrgUnitDateInvalid,
    RootAlreadyExists,
    UnknownOrgUnit,
    ValidationFailed,
)
from domain.guards import Claim
from domain.org import OrgUnit, UnitState
from domain.schedules import LegalSchedule
from services.authz import Actor
from services.store import Saved, Store

ROOT_CLAIM_ID = stable_id("org_root")
OPERATIONS = ("create", "rename", "move", "merge", "dissolve")


class _UnitsInWork:
    """Units loaded for one command, so that later operations see earlier ones."""

    def __init__(self, app: OrgCommands) -> None:
        self.app = app
        self.units: dict[UUID, OrgUnit] = {}

    def get(self, unit_id: UUID) -> OrgUnit:
        if unit_id not in self.units:
            self.units[unit_id] = self.app.org_unit(unit_id)
        return self.units[unit_id]

    def add(self, unit: OrgUnit) -> None:
        self.units[unit.id] = unit

    def state_on(self, unit_id: UUID, on: date) -> UnitState:
        unit = self.get(unit_id)
        state = unit.state_on(on)
        if state is None:
            raise OrgUnitDateInvalid(
                on=on.isoformat(),
                reason=f"đơn vị «{unit.latest_state().name}» chưa được thành lập vào ngày này",
            )
        return state

    def ancestors_on(self, unit_id: UUID, on: date) -> list[UUID]:
        chain: list[UUID] = []
        current: UUID | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            state = self.get(current).state_on(on)
            current = state.parent_id if state else None
        return chain


class OrgCommands(Store):
    # -- reading ------------------------------------------------------------------------------

    def org_unit(self, unit_id: UUID) -> OrgUnit:
        return self.load(OrgUnit, unit_id, UnknownOrgUnit(unit_id=str(unit_id)))

    def unit_state(self, unit_id: UUID, on: date | None = None) -> UnitState:
        unit = self.org_unit(unit_id)
        state = unit.state_on(on) if on is not None else None
        return state or unit.latest_state()

    def ancestors(self, unit_id: UUID) -> list[UUID]:
        """The unit and its ancestors in the current tree, nearest first. A unit merged away
        lives on in its successor: both the successor's chain and its last parent's count.
        Empty when the unit does not exist."""
        chain: list[UUID] = []
        pending: list[UUID | None] = [unit_id]
        while pending:
            current = pending.pop(0)
            if current is None or current in chain:
                continue
            unit = self.load_or_none(OrgUnit, current)
            if unit is None and current == unit_id:
                return []
            chain.append(current)
            if unit is not None:
                state = unit.latest_state()
                pending.extend((state.successor_id, state.parent_id))
        return chain

    def ancestors_on(self, unit_id: UUID, on: date) -> list[UUID]:
        """The unit and its ancestors in the tree as it stood on ``on``, nearest first."""
        chain: list[UUID] = []
        current: UUID | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            unit = self.load_or_none(OrgUnit, current)
            state = unit.state_on(on) if unit is not None else None
            current = state.parent_id if state else None
        return chain

    def unit_path_on(self, unit_id: UUID, on: date) -> list[dict[str, Any]]:
        """Root-first path of the unit as it stood on ``on`` (names of that date)."""
        path: list[dict[str, Any]] = []
        seen: set[UUID] = set()
        current: UUID | None = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            unit = self.load_or_none(OrgUnit, current)
            if unit is None:
                break
            state = unit.state_on(on) or unit.latest_state()
            path.append({"id": str(state.id), "name": state.name, "level": state.level})
            current = state.parent_id
        return list(reversed(path))

    # -- commands -----------------------------------------------------------------------------

    def create_root(
        self, actor: Actor, *, name: str, code: str | None, established_on: date
    ) -> Saved:
        if self.load_or_none(Claim, ROOT_CLAIM_ID) is not None:
            raise RootAlreadyExists()
        unit = OrgUnit.establish(
            unit_id=uuid4(),
            name=name,
            level="central",
            parent=None,
            code=code,
            on=established_on,
            actor=actor.username,
        )
        claim = Claim.new(
            claim_id=ROOT_CLAIM_ID, purpose="org_root", key="root", holder={"unit_id": str(unit.id)}
        )
        # The legal money schedule as shipped is recorded with the root: from the first day a
        # decision can compute its amounts, and the registry can say which schedule applied.
        schedule = LegalSchedule.start(actor=actor.username)
        schedule.load_shipped(actor=actor.username)
        try:
            return self.commit(unit, claim, schedule)
        except Exception as exc:  # a concurrent root creation won the claim
            if self.load_or_none(Claim, ROOT_CLAIM_ID) is not None:
                raise RootAlreadyExists() from exc
            raise

    def root_unit_id(self) -> UUID | None:
        claim = self.load_or_none(Claim, ROOT_CLAIM_ID)
        return UUID(claim.holder["unit_id"]) if claim and claim.holder else None

    def create_unit(
        self,
        actor: Actor,
        *,
        name: str,
        level: str,
        parent_id: UUID,
        code: str | None = None,
        established_on: date,
    ) -> Saved:
        saved = self.reorganise(
            actor,
            on=established_on,
            operations=[
                {"op": "create", "name": name, "level": level, "parent_id": parent_id, "code": code}
            ],
        )
        return saved

    def reorganise(self, actor: Actor, *, on: date, operations: list[dict[str, Any]]) -> Saved:
        """Apply operations in order; all of them or none are saved."""
        if not operations:
            raise ValidationFailed(reason="cần ít nhất một thao tác")
        if len(operations) > 5_000:
            raise ValidationFailed(reason="quá nhiều thao tác trong một lần (tối đa 5.000)")
        work = _UnitsInWork(self)
        refs: dict[str, UUID] = {}
        created: list[UUID] = []
        touched: list[UUID] = []

        def require_admin(unit_id: UUID) -> None:
            # A unit created earlier in this reorganisation is not stored yet (its ancestors
            # cannot be read); the actor was checked on its parent when it was created.
            if unit_id not in created:
                self.authz.require(actor, "admin", unit_id)

        def resolve(value: Any, what: str) -> UUID:
            if isinstance(value, UUID):
                return value
            text = str(value or "")
            if text.startswith("$"):
                if text[1:] not in refs:
                    raise ValidationFailed(reason=f"{what}: chưa có đơn vị mới «{text}»")
                return refs[text[1:]]
            try:
                return UUID(text)
            except ValueError:
                raise ValidationFailed(reason=f"{what}: mã đơn vị «{text}» không hợp lệ") from None

        for index, op in enumerate(operations, start=1):
            kind = op.get("op")
            when = op.get("effective_on") or on
            if isinstance(when, str):
                when = date.fromisoformat(when)
            if kind not in OPERATIONS:
                raise ValidationFailed(reason=f"thao tác {index}: «{kind}» không hợp lệ")
            if kind == "create":
                parent_id = resolve(op.get("parent_id"), f"thao tác {index}")
                require_admin(parent_id)
                parent = work.state_on(parent_id, when)
                unit = OrgUnit.establish(
                    unit_id=uuid4(),
                    name=str(op.get("name") or ""),
                    level=str(op.get("level")),
                    parent=parent,
                    code=op.get("code"),
                    on=when,
                    actor=actor.username,
                )
                work.add(unit)
                work.get(parent_id).attach_child(unit.id, when, actor.username)
                if op.get("key"):
                    refs[str(op["key"])] = unit.id
                created.append(unit.id)
                touched.append(unit.id)
                continue
            unit_ids = (
                [resolve(u, f"thao tác {index}") for u in op.get("unit_ids") or []]
                if kind == "merge"
                else [resolve(op.get("unit_id"), f"thao tác {index}")]
            )
            if not unit_ids:
                raise ValidationFailed(reason=f"thao tác {index}: cần đơn vị")
            for unit_id in unit_ids:
                require_admin(unit_id)
            if kind == "rename":
                work.get(unit_ids[0]).rename(str(op.get("name") or ""), when, actor.username)
            elif kind == "move":
                parent_id = resolve(op.get("parent_id"), f"thao tác {index}")
                require_admin(parent_id)
                self._move(work, unit_ids[0], parent_id, when, actor)
            elif kind == "merge":
                target_id = resolve(op.get("target_id"), f"thao tác {index}")
                require_admin(target_id)
                for source_id in unit_ids:
                    self._merge(work, source_id, target_id, when, actor)
                touched.append(target_id)
            elif kind == "dissolve":
                unit = work.get(unit_ids[0])
                old_parent = work.state_on(unit.id, when).parent_id
                unit.dissolve(when, str(op.get("reason") or ""), actor.username)
                if old_parent is not None:
                    work.get(old_parent).detach_child(unit.id, when, actor.username)
            touched.extend(unit_ids)
        saved = self.commit(*work.units.values(), subject=(created or touched)[0])
        return Saved(
            id=saved.id,
            version=saved.version,
            position=saved.position,
            extra={
                "created": [str(u) for u in created],
                "refs": {k: str(v) for k, v in refs.items()},
            },
        )

    def _move(
        self, work: _UnitsInWork, unit_id: UUID, parent_id: UUID, on: date, actor: Actor
    ) -> None:
        unit = work.get(unit_id)
        if unit_id in work.ancestors_on(parent_id, on):
            raise OrgUnitCycle()
        old_parent = work.state_on(unit_id, on).parent_id
        if old_parent == parent_id:
            return
        parent = work.state_on(parent_id, on)
        unit.move(parent, on, actor.username)
        if old_parent is not None:
            work.get(old_parent).detach_child(unit_id, on, actor.username)
        work.get(parent_id).attach_child(unit_id, on, actor.username)

    def _merge(
        self, work: _UnitsInWork, source_id: UUID, target_id: UUID, on: date, actor: Actor
    ) -> None:
        source = work.get(source_id)
        if source_id in work.ancestors_on(target_id, on):
            raise OrgUnitCycle()
        for child_id in sorted(source.children_on(on)):
            self._move(work, child_id, target_id, on, actor)
        old_parent = work.state_on(source_id, on).parent_id
        source.merge_into(work.state_on(target_id, on), on, actor.username)
        if old_parent is not None:
            work.get(old_parent).detach_child(source_id, on, actor.username)
