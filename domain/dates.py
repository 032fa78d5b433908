"""Dates as the service accepts them: ISO ``YYYY-MM-DD`` within the years an awards record can
speak of. ``0`` is not 1970-01-01 and 9999-12-31 is not a founding date."""

from __future__ import annotations

import re
from datetime import date, datetime

from domain.errors import ValidationFailed

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_day(value: date, what: str = "ngày") -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValidationFailed(
            reason=f"{what} phải trong khoảng {EARLIEST:%d/%m/%Y} – {LATEST:%d/%m/%Y}")
    return value


def parse_day(value: object, what: str = "ngày") -> date:
    """A ``date`` (not a datetime), or text ``YYYY-MM-DD``; anything else is refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return check_day(value, what)
    if isinstance(value, str) and _ISO.fullmatch(value.strip()):
        try:
            return check_day(date.fromisoformat(value.strip()), what)
        except ValueError:
            pass
    raise ValidationFailed(reason=f"{what} phải là ngày có thật, dạng YYYY-MM-DD")
