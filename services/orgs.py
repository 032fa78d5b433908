"""Org units: reading the tree (``OrgTree``) and changing it (``OrgUnits``).

``OrgTree`` answers what every other area asks of the tree: a unit, its ancestors today or on a
date, its path as of a date, the unit that took over an ended unit's files, and who issues for a
unit on a date. ``OrgUnits`` records changes.

Changes to the tree come as a *reorganisation*: a list of operations (create, rename, move, merge,
dissolve) applied in order to the units in memory and saved in one transaction. The 2025 reform
of a province (communes moved up from abolished districts, merged, districts dissolved) is one
reorganisation; a single rename is a reorganisation of one operation.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.award_catalogue import AwardCatalogue
from domain.base import stable_id
from domain.catalog import catalog
from domain.decision import Issuer
from domain.errors import (
    OrgUnitCycle,
    OrgUnitDateInvalid,
    OrgUnitNotActive,
    RootAlreadyExists,
    UnknownOrgUnit,
    UnknownReference,
    ValidationFailed,
)
from domain.guards import Claim
from domain.org import OrgUnit, UnitState
from domain.schedules import LegalSchedule
from services.authz import Actor, Authorizer
from services.store import Saved, Store

ROOT_CLAIM_ID = stable_id("org_root")
OPERATIONS = ("create", "rename", "move", "merge", "dissolve")


class _UnitsInWork:
    """Units loaded for one command, so that later operations see earlier ones."""

    def __init__(self, tree: OrgTree) -> None:
        self.tree = tree
        self.units: dict[UUID, OrgUnit] = {}

    def get(self, unit_id: UUID) -> OrgUnit:
        if unit_id not in self.units:
            self.units[unit_id] = self.tree.org_unit(unit_id)
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


class OrgTree:
    """The org tree as recorded in the event store (never a projection: a unit moved a moment
    ago must be seen where it is now by the next authorisation)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def org_unit(self, unit_id: UUID) -> OrgUnit:
        return self.store.load(OrgUnit, unit_id, UnknownOrgUnit(unit_id=str(unit_id)))

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
            unit = self.store.load_or_none(OrgUnit, current)
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
            unit = self.store.load_or_none(OrgUnit, current)
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
            unit = self.store.load_or_none(OrgUnit, current)
            if unit is None:
                break
            state = unit.state_on(on) or unit.latest_state()
            path.append({"id": str(state.id), "name": state.name, "level": state.level})
            current = state.parent_id
        return list(reversed(path))

    def root_unit_id(self) -> UUID | None:
        claim = self.store.load_or_none(Claim, ROOT_CLAIM_ID)
        return UUID(claim.holder["unit_id"]) if claim and claim.holder else None

    def referenced_unit(self, unit_id: Any, what: str = "đơn vị") -> OrgUnit:
        """A unit named in a request body: unknown is a 422, not a 404."""
        try:
            return self.org_unit(unit_id if isinstance(unit_id, UUID) else UUID(str(unit_id)))
        except (UnknownOrgUnit, ValueError):
            raise UnknownReference(what=what, ref=str(unit_id)) from None

    def current_unit_for(self, unit_id: UUID) -> UUID | None:
        """The unit itself while it is active today; after it ended, the unit that took over its
        files: its successor (merged) or its nearest active ancestor (dissolved)."""
        state = self.unit_state(unit_id, self.store.today())
        if state.is_active:
            return unit_id
        return self.first_active_ancestor(state.successor_id or state.parent_id)

    def first_active_ancestor(self, unit_id: UUID | None) -> UUID | None:
        """Forward to the nearest ancestor still active today (a district abolished in 2025
        passes its files to the province)."""
        today = self.store.today()
        seen: set[UUID] = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            unit = self.org_unit(unit_id)
            state = unit.state_on(today) or unit.latest_state()
            if state.is_active:
                return unit_id
            unit_id = state.successor_id or state.parent_id
        return None

    # -- who issues ---------------------------------------------------------------------------

    def issuer_of_unit(self, unit_id: Any, on: date | None = None, *,
                       what: str = "đơn vị ban hành", active: bool = False) -> Issuer:
        """A Union unit as issuer: its name and level on ``on`` (today's when it had none then,
        or when no date is given). ``active`` refuses a unit not active on that date — a
        decision is signed by a unit that exists."""
        unit = self.referenced_unit(unit_id, what)
        state = unit.state_on(on) if on is not None else None
        if active and (state is None or not state.is_active):
            raise OrgUnitNotActive(name=unit.latest_state().name,
                                   on=(on or self.store.today()).isoformat())
        return Issuer.of_unit(state or unit.latest_state())

    def issuer_for(self, raw: dict[str, Any], on: date, *, active: bool = False) -> Issuer:
        """Who issues, from a request's ``issuer``: a Union unit ({unit_id}) as it stood on
        ``on``, or an outside body ({body, level, name})."""
        raw = dict(raw or {})
        if raw.get("unit_id"):
            return self.issuer_of_unit(raw["unit_id"], on, active=active)
        return Issuer.external(
            str(raw.get("body") or ""), str(raw.get("level") or ""), str(raw.get("name") or "")
        )


class OrgUnits:
    """Changing the tree: the root, new units and reorganisations (admins of the units)."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz

    # -- commands -----------------------------------------------------------------------------

    def create_root(
        self, actor: Actor, *, name: str, code: str | None, established_on: date
    ) -> Saved:
        if self.store.load_or_none(Claim, ROOT_CLAIM_ID) is not None:
            raise RootAlreadyExists()
        unit = OrgUnit.establish(
            unit_id=uuid4(),
            name=name,
            level=catalog().root_level,
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
        award_kinds = AwardCatalogue.start(actor=actor.username)
        award_kinds.load_release(actor=actor.username)
        try:
            return self.store.commit(unit, claim, schedule, award_kinds)
        except Exception as exc:  # a concurrent root creation won the claim
            if self.store.load_or_none(Claim, ROOT_CLAIM_ID) is not None:
                raise RootAlreadyExists() from exc
            raise

    def create_unit(
        self,
        actor: Actor,
        *,
        name: str,
        level: str,
        parent_id: UUID,
        code: str | None = None,
        established_on: date,
        reason: str = "",
    ) -> Saved:
        saved = self.reorganise(
            actor,
            on=established_on,
            operations=[
                {"op": "create", "name": name, "level": level, "parent_id": parent_id, "code": code,
                 "reason": reason}
            ],
        )
        return saved

    def reorganise(self, actor: Actor, *, on: date, operations: list[dict[str, Any]],
                   dry_run: bool = False) -> Saved:
        """Apply operations in order; all of them or none are saved. Each may give its
        ``reason`` (recorded on its events). ``dry_run``: check everything, record nothing (a
        page's review before the confirmation); the answer's position is the log's head."""
        if not operations:
            raise ValidationFailed(reason="cần ít nhất một thao tác")
        if len(operations) > 5_000:
            raise ValidationFailed(reason="quá nhiều thao tác trong một lần (tối đa 5.000)")
        work = _UnitsInWork(self.tree)
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
            why = str(op.get("reason") or "")
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
                    reason=why,
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
                work.get(unit_ids[0]).rename(str(op.get("name") or ""), when, actor.username,
                                             why)
            elif kind == "move":
                parent_id = resolve(op.get("parent_id"), f"thao tác {index}")
                require_admin(parent_id)
                self._move(work, unit_ids[0], parent_id, when, actor, why)
            elif kind == "merge":
                target_id = resolve(op.get("target_id"), f"thao tác {index}")
                require_admin(target_id)
                for source_id in unit_ids:
                    self._merge(work, source_id, target_id, when, actor, why)
                touched.append(target_id)
            elif kind == "dissolve":
                unit = work.get(unit_ids[0])
                old_parent = work.state_on(unit.id, when).parent_id
                unit.dissolve(when, why, actor.username)
                if old_parent is not None:
                    work.get(old_parent).detach_child(unit.id, when, actor.username)
            touched.extend(unit_ids)
        if dry_run:
            subject = work.get((created or touched)[0])
            saved = Saved(id=subject.id, version=subject.version,
                          position=self.store.max_position())
        else:
            saved = self.store.commit(*work.units.values(), subject=(created or touched)[0])
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
        self, work: _UnitsInWork, unit_id: UUID, parent_id: UUID, on: date, actor: Actor,
        reason: str = "",
    ) -> None:
        unit = work.get(unit_id)
        if unit_id in work.ancestors_on(parent_id, on):
            raise OrgUnitCycle()
        old_parent = work.state_on(unit_id, on).parent_id
        if old_parent == parent_id:
            return
        parent = work.state_on(parent_id, on)
        unit.move(parent, on, actor.username, reason)
        if old_parent is not None:
            work.get(old_parent).detach_child(unit_id, on, actor.username)
        work.get(parent_id).attach_child(unit_id, on, actor.username)

    def _merge(
        self, work: _UnitsInWork, source_id: UUID, target_id: UUID, on: date, actor: Actor,
        reason: str = "",
    ) -> None:
        source = work.get(source_id)
        if source_id in work.ancestors_on(target_id, on):
            raise OrgUnitCycle()
        for child_id in sorted(source.children_on(on)):
            self._move(work, child_id, target_id, on, actor, reason)
        old_parent = work.state_on(source_id, on).parent_id
        source.merge_into(work.state_on(target_id, on), on, actor.username, reason)
        if old_parent is not None:
            work.get(old_parent).detach_child(source_id, on, actor.username)
