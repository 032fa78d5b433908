"""Personal data in answers: who may see a recipient's citizen ID and birth date.

An award decision is a public document — name, unit, award, decision — and anyone signed in may
read it. A recipient's personal data (``citizen_id``, ``birth_date``) is shown only to users
whose grants cover the recipient's unit or the unit that issued or recorded the decision
(grants cover their unit's subtree). Identity keys (``recipient_key``: "cccd:…", or a name with
a birth year) never leave the service: recipients are named by their public id instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.app import Runtime
from services.authz import Actor

PERSONAL_FIELDS = ("citizen_id", "birth_date")
HIDDEN_KEYS = ("recipient_key",)


class Privacy:
    """One actor's view: the units her grants cover, read once per answer."""

    def __init__(self, rt: Runtime, actor: Actor) -> None:
        self.sees_all = actor.is_system
        self.held = {str(u) for u in actor.units_for()}
        self._rt = rt
        self._covered: set[str] | None = None

    def covers(self, unit_ids: Iterable[Any]) -> bool:
        if self.sees_all:
            return True
        wanted = {str(u) for u in unit_ids if u}
        if not wanted or not self.held:
            return False
        if wanted & self.held:
            return True
        if self._covered is None:
            self._covered = self._rt.queries.subtree_ids(self.held)
        return bool(wanted & self._covered)

    def scrub(self, value: Any, units: Iterable[Any] = ()) -> Any:
        """``value`` (an answer, or part of one) without identity keys, and without personal
        data of recipients outside the actor's grants. ``units``: the decision's issuing and
        recording units — covering one of them shows every recipient's data."""
        whole = self.covers(units)
        return _scrub(value, self, whole)


def _scrub(value: Any, privacy: Privacy, whole: bool) -> Any:
    if isinstance(value, list):
        return [_scrub(item, privacy, whole) for item in value]
    if not isinstance(value, dict):
        return value
    out = {k: _scrub(v, privacy, whole) for k, v in value.items() if k not in HIDDEN_KEYS}
    if not whole and any(field in out for field in PERSONAL_FIELDS):
        units = [out.get("unit_id"), out.get("org_unit_id")]
        if not privacy.covers(units):
            for field in PERSONAL_FIELDS:
                out.pop(field, None)
    return out
