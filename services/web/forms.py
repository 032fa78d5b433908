"""What people type in forms and address bars, read into values; the choices forms offer.

A value that cannot be read raises ``ValidationFailed`` (422, shown on the page), never a JSON
validation error: page parameters arrive as text. One reader per kind of value, for every page:
dates as offices type them (``day_typed``, ``day_needed``) and written back (``dmy``), amounts
in đồng (``money_typed``), whole numbers (``whole``, ``parse_year``), ids (``parse_id``). The
local time of a moment is ``services.web.templating.local_time`` (the ``gio`` filter).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from domain.dates import check_day, parse_day
from domain.errors import ValidationFailed
from domain.money import parse_dong
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


# -- dates and money as offices type them ----------------------------------------------------

_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# whole đồng, thousands grouped by dots, commas or spaces (plain, no-break or narrow no-break;
# groups of three, the same separator throughout), or not grouped


def day_typed(text: str | None, what: str = "ngày", *, refusal: str | None = None
              ) -> date | None:
    """A date typed dd/mm/yyyy as offices write it (d/m/yyyy, dots or dashes too) or ISO
    yyyy-mm-dd: a real day within 1900–2100 (``domain.dates.check_day``); None when blank.
    Anything else is refused: "‹what› «…» không phải ngày có thật (dd/mm/yyyy)", or
    ``refusal`` when a form says it its own way."""
    text = (text or "").strip()
    if not text:
        return None
    dmy_, iso = _DMY.fullmatch(text), _ISO.fullmatch(text)
    try:
        if dmy_:
            return check_day(date(int(dmy_[3]), int(dmy_[2]), int(dmy_[1])), what)
        if iso:
            return check_day(date(int(iso[1]), int(iso[2]), int(iso[3])), what)
    except ValueError:
        pass
    raise ValidationFailed(
        reason=refusal or f"{what} «{text[:40]}» không phải ngày có thật (dd/mm/yyyy)")


def day_needed(text: str | None, what: str = "ngày", *, missing: str,
               refusal: str | None = None) -> date:
    """``day_typed`` for a date the form cannot do without: blank is refused with ``missing``."""
    day = day_typed(text, what, refusal=refusal)
    if day is None:
        raise ValidationFailed(reason=missing)
    return day


def dmy(day: date | str | None) -> str:
    """A date (or ISO text: a day, or a moment's day) as offices write it, dd/mm/yyyy; "" for
    none. Text that is no ISO date is shown as it is."""
    if not day:
        return ""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day[:10])
        except ValueError:
            return day
    return day.strftime("%d/%m/%Y")


money_typed = parse_dong  # whole đồng as typed in a form (``domain.money``)


def unit_choices(rt: Runtime, actor: Actor, role: str) -> list[dict[str, Any]]:
    """Active units today in the subtrees where the actor holds ``role``."""
    roots = {str(u) for u in actor.units_for(role)}
    if not roots:
        return []
    inside = rt.queries.subtree_ids(roots)
    units = rt.queries.units_on(rt.app.today(), page=Page(limit=500))["items"]
    return [u for u in units if u["id"] in inside]


def safe_next(target: str | None, default: str = "/") -> str:
    """Where to go after a form (``?next=``): a path of this site only. Anything that a browser
    could read as another host — ``//host``, ``/\\host``, a scheme, a control character or
    whitespace other than a space, which browsers drop (``/<tab>/host``) — is the default."""
    target = target or default
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 or (ch.isspace() and ch != " ")
                   for ch in target)):
        return default
    return target
