"""Org units: the Union's tree as dated history.

A unit is created, renamed, moved under another parent, merged into another unit, or dissolved,
each on an *effective date* that may lie in the past (history is often entered late). The
aggregate keeps a timeline ordered by (effective date, recording order) and answers "what was this
unit on date D". Parents also keep dated child links, so a unit cannot be dissolved while it still
has children and the children of any date can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import topic
from domain.catalog import catalog
from domain.errors import (
    InvalidLevel,
    LevelAbolished,
    OrgUnitDateInvalid,
    OrgUnitNotActive,
    ValidationFailed,
)
from domain.text import nfc, nfc_optional

ACTIVE, MERGED, DISSOLVED = "active", "merged", "dissolved"
STATUS_LABELS = {ACTIVE: "đang hoạt động", MERGED: "đã sáp nhập", DISSOLVED: "đã giải thể"}
_END_KINDS = ("merged_into", "dissolved")


@dataclass(frozen=True)
class UnitState:
    """An org unit as it stood on one date."""

    id: UUID
    name: str
    level: str
    parent_id: UUID | None
    status: str
    successor_id: UUID | None
    code: str | None
    established_on: date
    ended_on: date | None

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "level": self.level,
            "level_name": catalog().level(self.level).name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "successor_id": str(self.successor_id) if self.successor_id else None,
            "code": self.code,
            "established_on": self.established_on.isoformat(),
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
        }


def check_level_on(level: str, on: date) -> None:
    """A unit of ``level`` may exist on ``on`` (the district level ended on 2025-06-30)."""
    lvl = catalog().level(level)
    if not lvl.exists_on(on):
        raise LevelAbolished(level=level, level_name=lvl.name, until=lvl.valid_until.isoformat())


def check_parent_level(child_level: str, parent_level: str | None) -> None:
    cat = catalog()
    if parent_level is None:
        if cat.depth(child_level) != 0:
            raise InvalidLevel(level=child_level, reason="chỉ cấp Trung ương là gốc của cây")
        return
    if cat.depth(parent_level) >= cat.depth(child_level):
        raise InvalidLevel(
            level=child_level,
            reason=f"đơn vị cấp dưới phải thấp hơn cấp {cat.level(parent_level).name}",
        )


class OrgUnit(Aggregate):
    TOPIC = topic("org", "OrgUnit")

    class Created(Aggregate.Created):
        TOPIC = topic("org", "OrgUnit.Created")
        name: str
        level: str
        parent_id: UUID | None
        code: str | None
        established_on: date
        actor: str
        reason: str = ""  # why (optional; events recorded before it was asked read "")

    class Renamed(Aggregate.Event):
        TOPIC = topic("org", "OrgUnit.Renamed")
        name: str
        effective_on: date
        actor: str
        reason: str = ""

    class Moved(Aggregate.Event):
        TOPIC = topic("org", "OrgUnit.Moved")
        parent_id: UUID
        effective_on: date
        actor: str
        reason: str = ""

    class MergedInto(Aggregate.Event):
        TOPIC = topic("org", "OrgUnit.MergedInto")
        target_id: UUID
        effective_on: date
        actor: str
        reason: str = ""

    class Dissolved(Aggregate.Event):
        TOPIC = topic("org", "OrgUnit.Dissolved")
        effective_on: date
        reason: str
        actor: str

    class ChildAttached(Aggregate.Event):
        TOPIC = topic("org", "OrgUnit.ChildAttached")
        child_id: UUID
        effective_on: date
        actor: str

    class ChildDetached(Aggregate.Event):
        TOPIC = topic("org", "OrgUnit.ChildDetached")
        child_id: UUID
        effective_on: date
        actor: str

    @event(Created)
    def __init__(
        self,
        name: str,
        level: str,
        parent_id: UUID | None,
        code: str | None,
        established_on: date,
        actor: str,
        reason: str = "",
    ) -> None:
        self.level = level
        self.code = code
        self.established_on = established_on
        self.timeline: list[dict[str, Any]] = [
            {"on": established_on, "kind": "created", "name": name, "parent_id": parent_id}
        ]
        self.child_links: list[dict[str, Any]] = []

    # -- factory ------------------------------------------------------------------------------

    @classmethod
    def establish(
        cls,
        *,
        unit_id: UUID,
        name: str,
        level: str,
        parent: UnitState | None,
        code: str | None,
        on: date,
        actor: str,
        reason: str = "",
    ) -> OrgUnit:
        name = nfc(name)
        if not name:
            raise ValidationFailed(reason="tên đơn vị không được để trống")
        catalog().level(level)
        check_level_on(level, on)
        if parent is not None:
            # Nothing may be placed under a unit of an abolished level (a district from 2025-07-01).
            check_level_on(parent.level, on)
        check_parent_level(level, parent.level if parent else None)
        if parent is not None and not parent.is_active:
            raise OrgUnitNotActive(name=parent.name, on=on.isoformat())
        return cls._create(
            cls.Created,
            id=unit_id,
            name=name,
            level=level,
            parent_id=parent.id if parent else None,
            code=nfc_optional(code),
            established_on=on,
            actor=actor,
            reason=nfc(reason or ""),
        )

    # -- reading ------------------------------------------------------------------------------

    def _ordered(self) -> list[dict[str, Any]]:
        # Stable sort keeps recording order among changes of the same date.
        return sorted(self.timeline, key=lambda change: change["on"])

    def state_on(self, on: date) -> UnitState | None:
        """The unit as it stood on ``on``; None before it was established."""
        if on < self.established_on:
            return None
        name, parent_id, status, successor, ended = "", None, ACTIVE, None, None
        for change in self._ordered():
            if change["on"] > on:
                break
            kind = change["kind"]
            if kind == "created":
                name, parent_id = change["name"], change["parent_id"]
            elif kind == "renamed":
                name = change["name"]
            elif kind == "moved":
                parent_id = change["parent_id"]
            elif kind == "merged_into":
                status, successor, ended = MERGED, change["target_id"], change["on"]
            elif kind == "dissolved":
                status, ended = DISSOLVED, change["on"]
        return UnitState(
            id=self.id,
            name=name,
            level=self.level,
            parent_id=parent_id,
            status=status,
            successor_id=successor,
            code=self.code,
            established_on=self.established_on,
            ended_on=ended,
        )

    def latest_state(self) -> UnitState:
        """The unit after every recorded change (today's view, whatever today is)."""
        last = max(change["on"] for change in self.timeline)
        state = self.state_on(last)
        assert state is not None
        return state

    def children_on(self, on: date) -> set[UUID]:
        children: set[UUID] = set()
        for link in sorted(self.child_links, key=lambda link: link["on"]):
            if link["on"] > on:
                break
            if link["attached"]:
                children.add(link["child_id"])
            else:
                children.discard(link["child_id"])
        return children

    def ended_on(self) -> date | None:
        ends = [c["on"] for c in self.timeline if c["kind"] in _END_KINDS]
        return ends[0] if ends else None

    def name_on(self, on: date) -> str:
        state = self.state_on(on)
        return state.name if state else self.latest_state().name

    # -- checks -------------------------------------------------------------------------------

    def _require_change_date(self, on: date) -> None:
        if on < self.established_on:
            raise OrgUnitDateInvalid(
                on=on.isoformat(),
                reason=f"trước ngày thành lập đơn vị ({self.established_on.isoformat()})",
            )
        ended = self.ended_on()
        if ended is not None and on >= ended:
            state = self.state_on(ended)
            assert state is not None
            raise OrgUnitNotActive(name=state.name, on=on.isoformat())

    def _require_end_date(self, on: date) -> None:
        self._require_change_date(on)
        later = [c for c in self.timeline if c["on"] > on]
        later += [link for link in self.child_links if link["on"] > on and link["attached"]]
        if later:
            raise OrgUnitDateInvalid(
                on=on.isoformat(), reason="đơn vị còn có thay đổi sau ngày này"
            )
        if self.children_on(on):
            raise OrgUnitDateInvalid(
                on=on.isoformat(),
                reason="đơn vị còn đơn vị trực thuộc; hãy chuyển hoặc sáp nhập chúng trước",
            )

    # -- commands -----------------------------------------------------------------------------

    def rename(self, name: str, on: date, actor: str, reason: str = "") -> None:
        name = nfc(name)
        if not name:
            raise ValidationFailed(reason="tên đơn vị không được để trống")
        self._require_change_date(on)
        self._renamed(name=name, effective_on=on, actor=actor, reason=nfc(reason or ""))

    def move(self, parent: UnitState, on: date, actor: str, reason: str = "") -> None:
        self._require_change_date(on)
        if any(c["kind"] in ("moved", *_END_KINDS) and c["on"] > on for c in self.timeline):
            # Child links on parents are kept in date order; a retroactive move before a later
            # one (or before the end, which detached the unit from its parent of then) would make
            # the two histories disagree.
            raise OrgUnitDateInvalid(
                on=on.isoformat(), reason="đơn vị đã có thay đổi trực thuộc sau ngày này"
            )
        check_parent_level(self.level, parent.level)
        check_level_on(parent.level, on)
        if not parent.is_active:
            raise OrgUnitNotActive(name=parent.name, on=on.isoformat())
        if parent.id == self.id:
            raise OrgUnitDateInvalid(on=on.isoformat(), reason="không thể trực thuộc chính nó")
        self._moved(parent_id=parent.id, effective_on=on, actor=actor, reason=nfc(reason or ""))

    def merge_into(self, target: UnitState, on: date, actor: str, reason: str = "") -> None:
        self._require_end_date(on)
        if target.id == self.id:
            raise OrgUnitDateInvalid(on=on.isoformat(), reason="không thể sáp nhập vào chính nó")
        if not target.is_active:
            raise OrgUnitNotActive(name=target.name, on=on.isoformat())
        self._merged_into(target_id=target.id, effective_on=on, actor=actor,
                          reason=nfc(reason or ""))

    def dissolve(self, on: date, reason: str, actor: str) -> None:
        self._require_end_date(on)
        self._dissolved(effective_on=on, reason=nfc(reason), actor=actor)

    def attach_child(self, child_id: UUID, on: date, actor: str) -> None:
        self._require_change_date(on)
        if self.ended_on() is not None:
            # The unit ends later: the child would still hang under it after its end.
            raise OrgUnitDateInvalid(
                on=on.isoformat(), reason="đơn vị nhận đã sáp nhập hoặc giải thể sau ngày này"
            )
        self._child_attached(child_id=child_id, effective_on=on, actor=actor)

    def detach_child(self, child_id: UUID, on: date, actor: str) -> None:
        self._child_detached(child_id=child_id, effective_on=on, actor=actor)

    # -- event application --------------------------------------------------------------------

    @event(Renamed)
    def _renamed(self, name: str, effective_on: date, actor: str, reason: str = "") -> None:
        self.timeline.append({"on": effective_on, "kind": "renamed", "name": name})

    @event(Moved)
    def _moved(self, parent_id: UUID, effective_on: date, actor: str, reason: str = "") -> None:
        self.timeline.append({"on": effective_on, "kind": "moved", "parent_id": parent_id})

    @event(MergedInto)
    def _merged_into(self, target_id: UUID, effective_on: date, actor: str,
                     reason: str = "") -> None:
        self.timeline.append({"on": effective_on, "kind": "merged_into", "target_id": target_id})

    @event(Dissolved)
    def _dissolved(self, effective_on: date, reason: str, actor: str) -> None:
        self.timeline.append({"on": effective_on, "kind": "dissolved", "reason": reason})

    @event(ChildAttached)
    def _child_attached(self, child_id: UUID, effective_on: date, actor: str) -> None:
        self.child_links.append({"on": effective_on, "child_id": child_id, "attached": True})

    @event(ChildDetached)
    def _child_detached(self, child_id: UUID, effective_on: date, actor: str) -> None:
        self.child_links.append({"on": effective_on, "child_id": child_id, "attached": False})
