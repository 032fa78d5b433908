"""What people type in forms and address bars, read into values; the choices forms offer.

A value that cannot be read raises ``ValidationFailed`` (422, shown on the page), never a JSON
validation error: page parameters arrive as text.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.dates import parse_day
from domain.errors import ValidationFailed
from projections.queries import Page
from services.app import Runtime
from services.authz import Actor


def parse_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise ValidationFailed(reason=f"mã «{value}» không hợp lệ") from None


def parse_date(value: str | None) -> date | None:
    return parse_day(value) if value else None


def whole(text: str | None, low: int, high: int) -> int | None:
    """A whole number typed in a form, or None: ASCII digits only ("²".isdigit() is true, but
    int("²") fails), within [low, high]."""
    text = (text or "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_year(text: str | None) -> int | None:
    return whole(text, 1900, 2200)


def unit_choices(rt: Runtime, actor: Actor, role: str) -> list[dict[str, Any]]:
    """Active units today in the subtrees where the actor holds ``role``."""
    roots = {str(u) for u in actor.units_for(role)}
    if not roots:
        return []
    inside = rt.queries.subtree_ids(roots)
    units = rt.queries.units_on(rt.app.today(), page=Page(limit=500))["items"]
    return [u for u in units if u["id"] in inside]
