"""The read policy: who may read what. One module, used by the API routes and the pages alike.

* **Nominations and submissions** are read by users whose grants (any role) cover the proposing
  unit; a nomination forwarded to a council is also read by users covering the reviewing unit.
  Lists are cut to the reader's subtrees (``nomination_scope``); a user holding the root sees all.
* **Award decisions** are public documents — name, unit, award, decision — and anyone signed in
  may read them. A recipient's **personal data** (``citizen_id``, ``birth_date``) is shown only to
  users whose grants cover the recipient's unit or the unit that issued or recorded the decision
  (grants cover their unit's subtree): ``Privacy``. Identity keys (``recipient_key``: "cccd:…",
  or a name with a birth year) never leave the service: recipients are named by their public id.
* Personal data is **sealed at rest** (``services.personal_data``): answers carry it sealed
  until shown, and is opened here, for the reader it is shown to (``Privacy.scrub``,
  ``opened``). A person whose key was erased shows none, and ``personal_data_erased``.
* **Recorded amounts against the schedules** (``services.money_report``) are read by the awards
  office: approver or admin grants covering the unit that recorded the decision
  (``office_reader``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from domain.decision import AwardDecision
from domain.errors import RoleRequired
from domain.nomination import Nomination
from domain.users import ROLE_LABELS
from services.app import Runtime
from services.authz import Actor

PERSONAL_FIELDS = ("citizen_id", "birth_date")
HIDDEN_KEYS = ("recipient_key",)
OFFICE_ROLES = ("approver", "admin")


# -- nominations and submissions ----------------------------------------------------------------


def nomination_scope(rt: Runtime, actor: Actor) -> set[str] | None:
    """Units whose nominations (and submissions) the actor may list; None means everything."""
    if actor.is_system:
        return None
    roots = {str(u) for u in actor.units_for()}
    root = rt.app.tree.root_unit_id()
    if root is not None and str(root) in roots:
        return None
    return rt.queries.subtree_ids(roots)


def readable_nomination(rt: Runtime, actor: Actor, nomination_id: UUID) -> Nomination:
    """The nomination, if the actor may read it (proposing or reviewing unit covered)."""
    nomination = rt.app.nominations.nomination(nomination_id)
    if not rt.app.authz.covers(actor, nomination.proposing_unit_id):
        reviewing = nomination.review_unit_id
        if reviewing is None or not rt.app.authz.covers(actor, reviewing):
            rt.app.authz.require_read(actor, nomination.proposing_unit_id)
    return nomination


def readable_submission(rt: Runtime, actor: Actor, submission_id: UUID):
    """The submission, if the actor's grants cover its proposing unit."""
    submission = rt.app.nominations.submission(submission_id)
    rt.app.authz.require_read(actor, submission.proposing_unit_id)
    return submission


# -- personal data ------------------------------------------------------------------------------


def opened(rt: Runtime, value: Any) -> Any:
    """``value`` with its sealed personal data opened: for answers whose reader the read policy
    lets see all of it (a nomination's readers cover its proposing or reviewing unit)."""
    return rt.personal.reveal(value)


def decision_units(decision: AwardDecision) -> list[Any]:
    """The units whose readers see every recipient's personal data: issuer and recorder."""
    return [decision.issuer.get("unit_id"), decision.recorded_by_unit_id]


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
        return opened(self._rt, _scrub(value, self, whole))

    def decision(self, value: Any, decision: AwardDecision) -> Any:
        """``value`` (the decision as shown, or its history) as this actor may read it."""
        return self.scrub(value, units=decision_units(decision))

    def registry_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Registry lines as this actor may read them, each by its own decision's units."""
        return [self.scrub(line, units=[line["decision"]["issuer_unit_id"],
                                        line["decision"]["recorded_by_unit_id"]])
                for line in lines]


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


# -- the awards office ---------------------------------------------------------------------------


def is_office(actor: Actor) -> bool:
    """Whether the actor holds an awards-office grant (approver or admin) anywhere."""
    return actor.is_system or any(actor.units_for(role) for role in OFFICE_ROLES)


def office_reader(rt: Runtime, actor: Actor) -> Callable[[str | None], bool]:
    """Whether the actor, as an awards office, may read the lines of decisions recorded by a
    unit: a predicate on the recording unit's id. Refused outright without an office grant."""
    if not is_office(actor):
        raise RoleRequired(role=ROLE_LABELS["approver"])
    seen: dict[str, bool] = {}

    def visible(unit_id: str | None) -> bool:
        if actor.is_system:
            return True
        if not unit_id:
            return False
        if unit_id not in seen:
            seen[unit_id] = any(rt.app.authz.covers(actor, UUID(unit_id), role)
                                for role in OFFICE_ROLES)
        return seen[unit_id]

    return visible
