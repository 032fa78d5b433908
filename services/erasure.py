"""Erasing a person's personal data on request (Nghị định 13/2023/NĐ-CP; the 2025 law on
personal data protection): her data key is deleted (``services.personal_data``), so her citizen
ID and birth date can no longer be read anywhere — log, read models, backups taken afterwards —
while her awards stay as published (name, award, decision).

A person is found by her citizen ID or by the public id the registry names her by. Who may erase:
an admin whose grants cover every unit of the records that name her (the units of her award
lines and of the nominations for her), since the erasure reaches them all. The erasure is
recorded first (``domain.erasure``; it shows in the audit trail), then the key is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.erasure import PersonalDataErasure
from domain.errors import (
    PersonalDataAlreadyErased,
    PersonNotFound,
    PersonOutsideYourUnits,
    RoleRequired,
    ValidationFailed,
)
from domain.recipients import normalise_citizen_id
from domain.users import ROLE_LABELS
from services.app import Runtime
from services.authz import Actor
from services.store import Saved


@dataclass
class Person:
    """A person as the erasure sees her: never her citizen ID, only what names her records."""

    subject: str
    key: str
    name: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    nominations: list[dict[str, Any]] = field(default_factory=list)
    unit_ids: list[str] = field(default_factory=list)
    has_key: bool = True

    @property
    def records(self) -> int:
        return len(self.lines) + len(self.nominations)


def identity_key(rt: Runtime, citizen_id: str | None, recipient_id: str | None) -> str:
    """The identity key (``Recipient.key``) of the person asked for (the read models caught up
    by the caller)."""
    if citizen_id:
        return "cccd:" + rt.personal.pseudonym("cccd:" + normalise_citizen_id(citizen_id))
    if recipient_id:
        with rt.db.read() as cur:
            key = cur.scalar("SELECT recipient_key FROM recipient_ids WHERE public_id = ?",
                             (recipient_id.strip(),))
        if key is None:
            raise PersonNotFound()
        return str(key)
    raise ValidationFailed(reason="cần số CCCD hoặc mã người được khen thưởng (r-…)")


def find_person(rt: Runtime, actor: Actor, citizen_id: str | None = None,
                recipient_id: str | None = None) -> Person:
    """The person and the records that name her; refused unless the actor may erase. Only an
    admin of the whole tree learns that no record names her (422); any other admin is refused
    alike whether no record names her or some lie outside her units (403), so that she cannot
    learn whether a citizen ID is known elsewhere."""
    if not actor.is_system and not actor.units_for("admin"):
        raise RoleRequired(role=ROLE_LABELS["admin"])
    root = rt.app.tree.root_unit_id()
    whole = actor.is_system or (root is not None and rt.app.authz.covers(actor, root, "admin"))
    rt.ensure_position(rt.app.max_position())
    try:
        key = identity_key(rt, citizen_id, recipient_id)
    except PersonNotFound:
        if whole:
            raise
        raise PersonOutsideYourUnits() from None
    with rt.db.read() as cur:
        lines = cur.execute(
            "SELECT l.decision_id, l.line_no, l.recipient_name, l.recipient_unit_id,"
            " l.award_kind, l.period, d.number, d.decided_on, d.recorded_by_unit_id"
            " FROM award_lines l JOIN decisions d ON d.decision_id = l.decision_id"
            " WHERE l.recipient_key = ? ORDER BY d.decided_on, l.decision_id, l.line_no",
            (key,)).fetchall()
        nominations = cur.execute(
            "SELECT nomination_id, recipient_name, recipient_unit_id, proposing_unit_id,"
            " award_kind, period, status FROM nominations WHERE recipient_key = ?"
            " ORDER BY created_at, nomination_id", (key,)).fetchall()
    if not lines and not nominations:
        if whole:
            raise PersonNotFound()
        raise PersonOutsideYourUnits()
    units: list[str] = []
    for row in lines:
        units += [row["recipient_unit_id"] or row["recorded_by_unit_id"]]
    for row in nominations:
        units += [row["recipient_unit_id"], row["proposing_unit_id"]]
    unit_ids = [u for u in dict.fromkeys(units) if u]
    if not all(rt.app.authz.covers(actor, UUID(u), "admin") for u in unit_ids):
        raise PersonOutsideYourUnits()
    name = (lines or nominations)[-1]["recipient_name"]
    subject = rt.personal.subject_of_key(key)
    return Person(subject=subject, key=key, name=name, lines=lines, nominations=nominations,
                  unit_ids=unit_ids, has_key=rt.personal.has_key(subject))


def erase(rt: Runtime, actor: Actor, reason: str, citizen_id: str | None = None,
          recipient_id: str | None = None) -> tuple[Saved, Person]:
    person = find_person(rt, actor, citizen_id, recipient_id)
    if not person.has_key:
        raise PersonalDataAlreadyErased()
    record = PersonalDataErasure.record(subject=person.subject, name=person.name,
                                        records=person.records, unit_ids=person.unit_ids,
                                        reason=reason, actor=actor.username)
    saved = rt.app.commit(record)
    rt.personal.erase(person.subject)
    rt.after(saved)
    return saved, person
