"""Who may do what: roles scoped to an org unit and its subtree.

* ``nominator``: drafts, edits, submits, withdraws nominations for units in the subtree.
* ``reviewer``: a member of the awards council *of that unit* (votes on reviews held there);
  ``chair=True`` makes her the council chair, who closes reviews.
* ``approver``: the awards office: issues and revokes decisions of the unit (or records decisions
  of outside bodies presented in the subtree), manages ceremonies.
* ``admin``: manages units and users in the subtree.

Every grant also lets its holder read what lies in the subtree. The subtree is read from the
current tree (a unit merged away is found through its last parent and through its successor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from domain.errors import (
    NotCouncilChair,
    NotCouncilMember,
    OutsideScope,
    RoleRequired,
    UnknownReference,
)
from domain.users import ROLE_LABELS


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: UUID
    chair: bool = False


@dataclass(frozen=True)
class Actor:
    username: str
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    is_system: bool = False
    full_name: str = ""

    def units_for(self, role: str | None = None) -> set[UUID]:
        return {g.unit_id for g in self.grants if role is None or g.role == role}


SYSTEM = Actor(username="system", is_system=True, full_name="Hệ thống")


class Authorizer:
    """Checks grants against the org tree; ``ancestors`` comes from the application."""

    def __init__(self, ancestors) -> None:  # ancestors(unit_id) -> list[UUID], self first
        self._ancestors = ancestors

    def covers(self, actor: Actor, unit_id: UUID, role: str | None = None) -> bool:
        if actor.is_system:
            return True
        held = actor.units_for(role)
        if not held:
            return False
        return any(a in held for a in self._ancestors(unit_id))

    def _chain(self, unit_id: UUID) -> list[UUID]:
        """The unit and its ancestors; a unit that does not exist is the caller's mistake (422),
        not a question of scope (403)."""
        chain = self._ancestors(unit_id)
        if not chain:
            raise UnknownReference(what="đơn vị", ref=str(unit_id))
        return chain

    def require(self, actor: Actor, role: str, unit_id: UUID) -> None:
        if actor.is_system:
            return
        held = actor.units_for(role)
        if not held:
            raise RoleRequired(role=ROLE_LABELS[role])
        if not any(a in held for a in self._chain(unit_id)):
            raise OutsideScope(unit_id=str(unit_id))

    def require_read(self, actor: Actor, unit_id: UUID) -> None:
        if actor.is_system:
            return
        held = actor.units_for()
        if not held or not any(a in held for a in self._chain(unit_id)):
            raise OutsideScope(unit_id=str(unit_id))

    @staticmethod
    def require_council_member(actor: Actor, unit_id: UUID) -> None:
        if actor.is_system:
            return
        if not any(g.role == "reviewer" and g.unit_id == unit_id for g in actor.grants):
            raise NotCouncilMember(unit_id=str(unit_id))

    @staticmethod
    def require_chair(actor: Actor, unit_id: UUID) -> None:
        if actor.is_system:
            return
        if not any(g.role == "reviewer" and g.chair and g.unit_id == unit_id for g in actor.grants):
            raise NotCouncilChair(unit_id=str(unit_id))
