"""What the emulation areas share: who may act (roles over units), dates, numbers as shown.

Roles (``services.authz``; a grant holds for its unit's subtree):

* the **office** of a unit — ``approver`` or ``admin`` over it — runs the unit's emulation work:
  creates and manages its clusters, launches its movements, signs covenants, reports results,
  confirms them where the unit leads;
* a title registration is also kept by the unit's ``nominator``;
* reading follows the units involved: a cluster is read by whoever's grants cover its managing
  unit or one of its members (any year); a movement, its launching unit or a participant; a
  title registration, its unit (as nominations are read: by the proposing unit's subtree).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.emulation.indicators import dec_text, vi_number
from domain.errors import OutsideScope, RoleRequired, ValidationFailed
from services.authz import Actor, Authorizer

OFFICE = ("approver", "admin")
KEEPERS = ("nominator", "approver", "admin")
ROLE_TEXT = {
    OFFICE: "Văn phòng / Ban TĐKT (approver) hoặc quản trị (admin)",
    KEEPERS: "người đề nghị (nominator), Văn phòng / Ban TĐKT (approver) hoặc quản trị (admin)",
}


def may(authz: Authorizer, actor: Actor, units: Iterable[UUID | None],
        roles: tuple[str, ...] = OFFICE) -> bool:
    """Whether one of ``roles`` covers one of ``units``."""
    if actor.is_system:
        return True
    return any(authz.covers(actor, unit, role) for unit in units if unit is not None
               for role in roles)


def require(authz: Authorizer, actor: Actor, units: Iterable[UUID | None],
            roles: tuple[str, ...] = OFFICE) -> None:
    """One of ``roles`` over one of ``units``; else 403: outside her units when no grant covers
    any of them (``auth.outside_scope``), the role missing when one does
    (``auth.role_required``)."""
    wanted = [u for u in units if u is not None]
    if may(authz, actor, wanted, roles):
        return
    if not any(authz.covers(actor, unit) for unit in wanted):
        if wanted:
            authz.require_read(actor, wanted[0])  # an unknown unit: 422 first
        raise OutsideScope(unit_id=str(wanted[0]) if wanted else "")
    raise RoleRequired(role=ROLE_TEXT.get(roles, ", ".join(roles)))


def require_reader(authz: Authorizer, actor: Actor, units: Iterable[UUID | None]) -> None:
    """Any grant over one of ``units`` (read access), else 403."""
    wanted = [u for u in units if u is not None]
    if actor.is_system or any(authz.covers(actor, unit) for unit in wanted):
        return
    raise OutsideScope(unit_id=str(wanted[0]) if wanted else "")


def day(value: Any, default: date, what: str = "ngày") -> date:
    if value is None:
        return default
    if not isinstance(value, date):
        raise ValidationFailed(reason=f"{what} phải là một ngày")
    return value


def number(value: Decimal | None) -> dict[str, str | None]:
    """A decimal as the API gives it: exact text and its Vietnamese form."""
    if value is None:
        return {"value": None, "text": "—"}
    return {"value": dec_text(value), "text": vi_number(value)}


def pair(key: str, value: Decimal | None) -> dict[str, str | None]:
    """``{key: "957.5", key_text: "957,5"}`` (None and "—" when there is none)."""
    shown = number(value)
    return {key: shown["value"], f"{key}_text": shown["text"]}
