"""Nomination, submission and review commands."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.catalog import catalog
from domain.council import CouncilCriteria, Scoring, criteria_id
from domain.errors import (
    DomainError,
    OrgUnitNotActive,
    OutsideScope,
    UnknownNomination,
    UnknownSubmission,
    ValidationFailed,
)
from domain.nomination import Nomination
from domain.org import OrgUnit
from domain.recipients import Recipient
from domain.submission import Submission
from services.authz import Actor, Authorizer
from services.orgs import OrgTree
from services.store import Saved, Store


class Nominations:
    """Nominations, submissions (tờ trình) and their review by the councils."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz

    def nomination(self, nomination_id: UUID) -> Nomination:
        return self.store.load(
            Nomination, nomination_id, UnknownNomination(nomination_id=str(nomination_id))
        )

    def submission(self, submission_id: UUID) -> Submission:
        return self.store.load(
            Submission, submission_id, UnknownSubmission(submission_id=str(submission_id))
        )

    def _prepare_recipient(
        self, raw: dict[str, Any], within: UUID | None, on: date
    ) -> dict[str, Any]:
        """Check the units a recipient names, fill a unit-collective's name, enforce scope."""
        recipient = dict(raw or {})
        for field in ("unit_id", "org_unit_id"):
            if recipient.get(field):
                unit = self.tree.referenced_unit(recipient[field])
                if within is not None and within not in self.tree.ancestors(unit.id):
                    raise OutsideScope(unit_id=str(unit.id))
                if field == "org_unit_id" and not str(recipient.get("name") or "").strip():
                    recipient["name"] = unit.name_on(on)
        return recipient

    def _prepare_fields(self, data: dict[str, Any], proposing_unit_id: UUID) -> dict[str, Any]:
        data = dict(data)
        if "recipient" in data:
            data["recipient"] = self._prepare_recipient(
                data["recipient"], proposing_unit_id, self.store.today()
            )
        return data

    def _active_unit(self, unit_id: Any, what: str = "đơn vị đề nghị") -> OrgUnit:
        unit = self.tree.referenced_unit(unit_id, what)
        today = self.store.today()
        state = unit.state_on(today)
        if state is None or not state.is_active:
            raise OrgUnitNotActive(name=unit.latest_state().name, on=today.isoformat())
        return unit

    # -- nominator ----------------------------------------------------------------------------

    def draft_nomination(
        self, actor: Actor, *, proposing_unit_id: UUID, data: dict[str, Any]
    ) -> Saved:
        unit = self._active_unit(proposing_unit_id)
        self.authz.require(actor, "nominator", unit.id)
        return self.store.commit(
            self.build_draft(proposing_unit_id=unit.id, data=data, actor=actor.username))

    def build_draft(self, *, proposing_unit_id: UUID, data: dict[str, Any], actor: str
                    ) -> Nomination:
        """A draft nomination checked as ``draft_nomination`` checks one, not yet saved and with
        no check of who asks: for areas that open nominations from their own records (the
        emulation proposals, title registrations) and save them with those records, after
        checking their own permissions."""
        unit = self._active_unit(proposing_unit_id)
        return Nomination.draft(
            nomination_id=uuid4(),
            proposing_unit_id=unit.id,
            data=self._prepare_fields(data, unit.id),
            actor=actor,
        )

    def edit_nomination(
        self,
        actor: Actor,
        nomination_id: UUID,
        data: dict[str, Any],
        expected_version: int | None = None,
    ) -> Saved:
        nomination = self.nomination(nomination_id)
        self.authz.require(actor, "nominator", nomination.proposing_unit_id)
        self.store.check_version(nomination, expected_version)
        fields = self._prepare_fields(data, nomination.proposing_unit_id)
        if isinstance(fields.get("recipient"), dict):
            fields["recipient"] = self._unchanged_sealed(fields["recipient"], nomination.recipient)
        nomination.edit(fields, actor.username)
        return self.store.commit(nomination)

    def _unchanged_sealed(self, typed: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
        """The typed recipient, with each personal value that is the stored one (sealed at
        rest, ``services.personal_data``) given back sealed: an edit that leaves the citizen ID
        or birth date as they were does not record them as changed."""
        try:
            built = Recipient.build(dict(typed)).as_dict()
        except DomainError:
            return typed  # refused by the edit itself, in its own words
        opened = self.store.reveal(stored)
        kept = dict(typed)
        for field in ("citizen_id", "birth_date"):
            if built.get(field) is not None and built.get(field) == opened.get(field):
                kept[field] = stored[field]
        if kept.get("birth_date") != typed.get("birth_date"):
            kept["birth_year"] = built["birth_year"]  # no longer to be read from the date
        return kept

    def submit_nomination(
        self, actor: Actor, nomination_id: UUID, expected_version: int | None = None
    ) -> Saved:
        nomination = self.nomination(nomination_id)
        self.authz.require(actor, "nominator", nomination.proposing_unit_id)
        self.store.check_version(nomination, expected_version)
        nomination.submit(review_unit_id=nomination.proposing_unit_id, actor=actor.username)
        return self.store.commit(nomination)

    def withdraw_nomination(
        self,
        actor: Actor,
        nomination_id: UUID,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Saved:
        nomination = self.nomination(nomination_id)
        self.authz.require(actor, "nominator", nomination.proposing_unit_id)
        self.store.check_version(nomination, expected_version)
        nomination.withdraw(reason, actor.username)
        return self.store.commit(nomination)

    def file_submission(
        self,
        actor: Actor,
        *,
        proposing_unit_id: UUID,
        candidates: list[dict[str, Any]],
        number: str | None = None,
        title: str = "",
        submitted_on: date | None = None,
    ) -> Saved:
        """A tờ trình with its list of candidates: every nomination or none."""
        unit = self._active_unit(proposing_unit_id)
        self.authz.require(actor, "nominator", unit.id)
        if not candidates:
            raise ValidationFailed(reason="tờ trình phải có ít nhất một người/tập thể")
        if len(candidates) > 10_000:
            raise ValidationFailed(reason="tờ trình có quá nhiều đề nghị (tối đa 10.000)")
        submission_id = uuid4()
        nominations = []
        for index, candidate in enumerate(candidates, start=1):
            try:
                nomination = Nomination.draft(
                    nomination_id=uuid4(),
                    proposing_unit_id=unit.id,
                    data=self._prepare_fields(candidate, unit.id),
                    actor=actor.username,
                )
            except ValidationFailed as error:
                raise ValidationFailed(
                    reason=f"ứng viên {index}: {error.details.get('reason')}", candidate=index
                ) from None
            nomination.submit(
                review_unit_id=unit.id, submission_id=submission_id, actor=actor.username
            )
            nominations.append(nomination)
        submission = Submission.file(
            submission_id=submission_id,
            number=number,
            title=title,
            submitted_on=submitted_on or self.store.today(),
            proposing_unit_id=unit.id,
            nomination_ids=[n.id for n in nominations],
            actor=actor.username,
        )
        saved = self.store.commit(submission, *nominations, subject=submission_id)
        return Saved(
            id=saved.id,
            version=saved.version,
            position=saved.position,
            extra={"nomination_ids": [str(n.id) for n in nominations]},
        )

    # -- council ------------------------------------------------------------------------------

    def cast_vote(
        self,
        actor: Actor,
        nomination_id: UUID,
        *,
        vote: str,
        comment: str = "",
        score: int | None = None,
        scores: dict[str, Any] | None = None,
    ) -> Saved:
        nomination = self.nomination(nomination_id)
        scoring = None
        if nomination.review_unit_id is not None:
            self.authz.require_council_member(actor, nomination.review_unit_id)
            scoring = self.scoring(nomination.review_unit_id, nomination.award_kind)
        nomination.cast_vote(vote=vote, comment=comment, score=score, actor=actor.username,
                             scoring=scoring, scores=scores)
        return self.store.commit(nomination)

    def scoring(self, unit_id: UUID, award_kind: str) -> Scoring | None:
        """How the council of ``unit_id`` scores ``award_kind`` (None: never set, as before)."""
        found = self.store.load_or_none(CouncilCriteria, criteria_id(unit_id, award_kind))
        return found.scoring if found is not None and found.set_by is not None else None

    def recuse(self, actor: Actor, nomination_id: UUID, *, reason: str = "") -> Saved:
        nomination = self.nomination(nomination_id)
        if nomination.review_unit_id is not None:
            self.authz.require_council_member(actor, nomination.review_unit_id)
        nomination.recuse(reason=reason, actor=actor.username)
        return self.store.commit(nomination)

    def close_review(
        self,
        actor: Actor,
        nomination_id: UUID,
        *,
        outcome: str,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Saved:
        nomination = self.nomination(nomination_id)
        if nomination.review_unit_id is not None:
            self.authz.require_chair(actor, nomination.review_unit_id)
        self.store.check_version(nomination, expected_version)
        competent, parent_id = False, None
        if nomination.review_unit_id is not None:
            state = self.tree.unit_state(nomination.review_unit_id, self.store.today())
            if state.is_active:
                competent = catalog().kind(nomination.award_kind).handled_at(state.level)
                parent_id = self.tree.first_active_ancestor(state.parent_id)
            else:
                # The reviewing unit has ended since the file reached it (a district abolished on
                # 2025-07-01): its council's conclusion passes the file on to whoever took over.
                parent_id = self.tree.current_unit_for(nomination.review_unit_id)
        nomination.close_review(
            outcome=outcome,
            reason=reason,
            competent=competent,
            parent_unit_id=parent_id,
            actor=actor.username,
        )
        return self.store.commit(nomination)
