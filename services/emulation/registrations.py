"""Title registrations (đăng ký danh hiệu thi đua): at the start of a year a unit lists who
registers for which title; each entry is checked against the recipient's award history (the
prerequisites of ``domain.emulation.registration``); at the end of the year the closed
registration turns its entries into draft nominations, once, linked to the entries.

* **History**: the titles and awards a recipient holds, read from the award registry (the
  decisions' lines in force — a revoked line does not count — by the recipient's identity key),
  each dated by the year of its period ("2023") or, when the period names no single year, by the
  year of the decision. Titles earned before the system may be missing: a refusal can be
  overridden with a reason, recorded on the entry.
* **Who**: the unit's nominator or office (approver, admin) keeps its registration and turns it
  into nominations (which the unit proposes); whoever's grants cover the unit reads it, as
  nominations are read. Recipients name units of the registering unit's subtree (403 otherwise);
  a person named without a unit belongs to the registering unit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from domain.catalog import catalog
from domain.emulation.errors import RegistrationStillOpen, TitleRegistrationUnknown
from domain.emulation.registration import (
    AWARD,
    CLOSED,
    TitleRegistration,
    title_registration_id,
)
from domain.errors import OutsideScope, ValidationFailed
from domain.nomination import Nomination
from domain.recipients import Recipient, refuse_sealed
from services.authz import Actor, Authorizer
from services.emulation.common import KEEPERS, day, require, require_reader
from services.nominations import Nominations
from services.orgs import OrgTree
from services.store import Saved, Store

# (recipient key, registering unit) → (year, award kind) of the recipient's awards in force
# recorded within that unit's subtree: a citizen ID typed into a registration can never reveal
# the titles a person holds elsewhere (a person who moved in needs an override reason).
History = Callable[[str, UUID], list[tuple[int, str]]]


def no_history(key: str, unit_id: UUID) -> list[tuple[int, str]]:
    return []


class TitleRegistrations:
    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer,
                 nominations: Nominations, history: History = no_history) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        self.nominations = nominations
        self.history = history

    def registration(self, registration_id: UUID) -> TitleRegistration:
        return self.store.load(TitleRegistration, registration_id,
                               TitleRegistrationUnknown(registration_id=str(registration_id)))

    def readable(self, actor: Actor, registration_id: UUID) -> TitleRegistration:
        registration = self.registration(registration_id)
        require_reader(self.authz, actor, [registration.unit_id])
        return registration

    def _kept(self, actor: Actor, registration_id: UUID,
              expected_version: int | None = None) -> TitleRegistration:
        registration = self.registration(registration_id)
        require(self.authz, actor, [registration.unit_id], KEEPERS)
        self.store.check_version(registration, expected_version)
        return registration

    # -- commands -----------------------------------------------------------------------------

    def open(self, actor: Actor, *, unit_id: Any, year: int) -> Saved:
        """The unit's registration for ``year`` (the one already open is answered as it is)."""
        unit = self.tree.referenced_unit(unit_id, "đơn vị đăng ký")
        require(self.authz, actor, [unit.id], KEEPERS)
        if isinstance(year, int) and not isinstance(year, bool):
            existing = self.store.load_or_none(TitleRegistration,
                                               title_registration_id(unit.id, year))
            if existing is not None:
                return self.store.commit(existing)
        return self.store.commit(TitleRegistration.open(unit.id, year, actor.username))

    def recipient(self, registration: TitleRegistration, raw: Mapping[str, Any]) -> Recipient:
        """The recipient as entered: units it names within the registering unit's subtree; a
        person or group named without a unit belongs to the registering unit."""
        data = refuse_sealed(dict(raw or {}))
        for field in ("unit_id", "org_unit_id"):
            if data.get(field):
                unit = self.tree.referenced_unit(data[field])
                if registration.unit_id not in self.tree.ancestors(unit.id):
                    raise OutsideScope(unit_id=str(unit.id))
                if field == "org_unit_id" and not str(data.get("name") or "").strip():
                    data["name"] = unit.name_on(date(registration.year, 12, 31))
        if not data.get("unit_id") and not data.get("org_unit_id"):
            data["unit_id"] = str(registration.unit_id)
        return Recipient.build(data)

    def add_entry(self, actor: Actor, registration_id: UUID, *, recipient: Mapping[str, Any],
                  award_kind: str, override_reason: str = "",
                  expected_version: int | None = None) -> Saved:
        """An entry, checked against the recipient's history: a refusal (409
        ``emulation.title_prerequisite``, the findings in its details) unless an override
        reason is given; warnings are kept on the entry."""
        registration = self._kept(actor, registration_id, expected_version)
        person = self.recipient(registration, recipient)
        entry_no = registration.add(person, award_kind, actor.username,
                                    history=self.history(person.key, registration.unit_id),
                                    override_reason=override_reason)
        saved = self.store.commit(registration)
        return Saved(id=saved.id, version=saved.version, position=saved.position,
                     extra={"entry_no": entry_no})

    def withdraw(self, actor: Actor, registration_id: UUID, entry_no: int, reason: str,
                 expected_version: int | None = None) -> Saved:
        registration = self._kept(actor, registration_id, expected_version)
        registration.withdraw(entry_no, reason, actor.username)
        return self.store.commit(registration)

    def close(self, actor: Actor, registration_id: UUID, on: date | None = None) -> Saved:
        registration = self._kept(actor, registration_id)
        registration.close(day(on, self.store.today(), "ngày khóa"), actor.username)
        return self.store.commit(registration)

    # -- reads --------------------------------------------------------------------------------

    def findings(self, registration: TitleRegistration, entry_no: int,
                 stage: str = AWARD) -> list[dict[str, Any]]:
        """An entry's prerequisites now, against today's history (at the award stage by
        default: a same-year title not proposed with it is then unmet)."""
        entry = registration.entry(entry_no)
        key = Recipient.from_dict(entry["recipient"]).key
        return [f.as_dict() for f in registration.recheck(
            entry_no, self.history(key, registration.unit_id), stage)]

    # -- at the end of the year ---------------------------------------------------------------

    def achievement(self, registration: TitleRegistration, entry: dict[str, Any]) -> str:
        unit = self.tree.org_unit(registration.unit_id).name_on(date(registration.year, 12, 31))
        title = catalog().kind(entry["award_kind"]).title
        text = (f"Đăng ký danh hiệu «{title}» năm {registration.year} (bản đăng ký thi đua "
                f"của {unit}, dòng {entry['entry_no']}).")
        if entry.get("override_reason"):
            text += f"\nĐăng ký khi chưa thấy đủ điều kiện trong hệ thống: " \
                    f"{entry['override_reason']}"
        return text

    def nominate(self, actor: Actor, registration_id: UUID) -> Saved:
        """Draft a nomination for each active entry not yet nominated, proposed by the
        registering unit for the year. An entry whose prerequisites are now refused (at the
        award stage, against today's history) without an override reason on the entry is held
        back and listed with its findings; it may be nominated by a later call once the history
        is complete. Nothing is created twice."""
        registration = self._kept(actor, registration_id)
        if registration.status != CLOSED:
            raise RegistrationStillOpen(year=registration.year)
        drafted: list[Nomination] = []
        links: list[dict[str, Any]] = []
        held: list[dict[str, Any]] = []
        for entry in registration.active_entries:
            if entry.get("nomination_id"):
                continue
            findings = self.findings(registration, entry["entry_no"])
            refusals = [f for f in findings if f["severity"] == "refuse"]
            if refusals and not entry.get("override_reason"):
                held.append({"entry_no": entry["entry_no"], "name": entry["recipient"]["name"],
                             "award_kind": entry["award_kind"], "findings": refusals})
                continue
            try:
                nomination = self.nominations.build_draft(
                    proposing_unit_id=registration.unit_id, actor=actor.username, data={
                        "recipient": entry["recipient"], "award_kind": entry["award_kind"],
                        "award_type": "cong_trang",
                        "achievement": self.achievement(registration, entry),
                        "period": str(registration.year)})
            except ValidationFailed as error:
                raise ValidationFailed(reason=f"dòng {entry['entry_no']}: "
                                              f"{error.details.get('reason')}") from None
            drafted.append(nomination)
            links.append({"entry_no": entry["entry_no"], "nomination_id": nomination.id})
        registration.record_nominations(links, actor.username)
        saved = self.store.commit(registration, *drafted)
        return Saved(id=saved.id, version=saved.version, position=saved.position,
                     extra={"created": [{"entry_no": link["entry_no"],
                                         "nomination_id": str(link["nomination_id"])}
                                        for link in links],
                            "held": held})
