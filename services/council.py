"""The councils' own records (issue 16): scoring criteria per unit and award kind, a member's
queue with what she has already voted, the reviews of a nomination as its events tell them, and
the selection of reviews that one set of minutes covers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.catalog import catalog
from domain.council import DEFAULT, CouncilCriteria, Scoring, criteria_id
from domain.errors import (
    DomainError,
    Invalid,
    RoleRequired,
    StaleVersion,
    UnknownReference,
    UnknownSubmission,
    ValidationFailed,
)
from domain.nomination import UNDER_REVIEW, Nomination
from projections.queries import Page
from services import minutes
from services.app import Runtime
from services.authz import Actor
from services.presentation.certificates import place_of
from services.store import Saved

OFFICE = ("approver", "admin")
MAX_MINUTES = 500  # nominations in one set of minutes


class NothingToMinute(Invalid):
    code = "minutes.no_review"
    message_template = ("Không có đề nghị nào được Hội đồng của đơn vị này kết luận {what}: "
                        "chưa có gì để lập biên bản.")


class Council:
    """Stands on a runtime (the event store for commands and facts, the read model only to find
    candidates)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.app = rt.app

    # -- criteria -----------------------------------------------------------------------------

    def is_office(self, actor: Actor, unit_id: UUID) -> bool:
        return actor.is_system or any(self.app.authz.covers(actor, unit_id, r) for r in OFFICE)

    def may_set_criteria(self, actor: Actor, unit_id: UUID) -> bool:
        """The unit's office (or an administrator over it), or the chair of its own council:
        the council adopts how it scores."""
        return self.is_office(actor, unit_id) or any(
            g.role == "reviewer" and g.chair and g.unit_id == unit_id for g in actor.grants)

    def require_criteria_setter(self, actor: Actor, unit_id: UUID) -> None:
        if not self.may_set_criteria(actor, unit_id):
            self.app.authz.require_read(actor, unit_id)  # outside her units: that refusal first
            raise RoleRequired(role="văn phòng / Ban TĐKT, quản trị hoặc Chủ tịch Hội đồng")

    def criteria_record(self, unit_id: UUID, award_kind: str) -> CouncilCriteria | None:
        return self.app.load_or_none(CouncilCriteria, criteria_id(unit_id, award_kind))

    def scoring(self, unit_id: UUID, award_kind: str) -> Scoring:
        found = self.criteria_record(unit_id, award_kind)
        return found.scoring if found is not None and found.set_by is not None else DEFAULT

    def criteria_view(self, unit_id: UUID, award_kind: str) -> dict[str, Any]:
        found = self.criteria_record(unit_id, award_kind)
        scoring = found.scoring if found is not None and found.set_by else DEFAULT
        kind = catalog().kind(award_kind)
        return {"unit_id": str(unit_id), "award_kind": kind.code, "award_title": kind.title,
                **scoring.as_dict(), "recorded": bool(found and found.set_by),
                "version": found.version if found else 0,
                "set_by": found.set_by if found else None}

    def criteria_of_unit(self, unit_id: UUID) -> list[dict[str, Any]]:
        return [self.criteria_view(unit_id, code) for code in catalog().kinds]

    def set_criteria(self, actor: Actor, *, unit_id: UUID, award_kind: str, mode: str,
                     criteria: list[dict[str, Any]] | None, maximum: int | None,
                     expected_version: int | None = None) -> Saved:
        unit = self.app.tree.referenced_unit(unit_id)
        self.require_criteria_setter(actor, unit.id)
        kind = catalog().kind(award_kind).code
        record = self.criteria_record(unit.id, kind)
        if record is None:
            if expected_version not in (None, 0):
                raise StaleVersion(current=0, expected=expected_version)
            record = CouncilCriteria.open(unit_id=unit.id, award_kind=kind, actor=actor.username)
        else:
            self.app.check_version(record, expected_version)
        record.set(mode=mode, criteria=criteria, maximum=maximum, actor=actor.username)
        return self.app.commit(record)

    # -- a nomination's reviews ---------------------------------------------------------------

    def names(self, usernames: set[str]) -> dict[str, str]:
        out = {}
        for username in usernames:
            try:
                out[username] = self.app.users.user(username).full_name or username
            except DomainError:  # a user unknown now keeps her username
                out[username] = username
        return out

    def reviews(self, nomination: Nomination) -> dict[str, Any]:
        folded = minutes.review_rounds(self.app.history(nomination.id))
        names = self.names(minutes.members_of(folded["rounds"]))
        units = {r["unit_id"] for r in folded["rounds"]}
        unit_names = {str(u): self.app.tree.unit_state(u).name for u in units}
        rounds = []
        for r in folded["rounds"]:
            view = minutes.round_view(r, names)
            view["unit_name"] = unit_names[str(r["unit_id"])]
            rounds.append(view)
        return {"rounds": rounds}

    @staticmethod
    def my_ballot(nomination: Nomination, username: str) -> dict[str, Any] | None:
        if username in nomination.recused:
            return {"state": "recused", "label": "Đã xin không tham gia"}
        if username in nomination.votes:
            ballot = nomination.votes[username]
            return {"state": "voted", "label": "Đã bỏ phiếu", "vote": ballot["vote"],
                    "score": ballot["score"], "comment": ballot.get("comment") or "",
                    "scores": {str(c["code"]): c["score"] for c in ballot.get("scores") or []}}
        return None

    # -- the queue ----------------------------------------------------------------------------

    def queue(self, actor: Actor, unit_id: UUID, page: Page) -> dict[str, Any]:
        """Nominations under review at the council of ``unit_id``, each with the actor's own
        ballot read from the nomination (the rows shown only: at most a page)."""
        unit = self.app.tree.referenced_unit(unit_id)
        self.app.authz.require_read(actor, unit.id)
        found = self.rt.queries.nominations(status=UNDER_REVIEW, review_unit_id=str(unit.id),
                                            page=page)
        items = []
        for row in found["items"]:
            nomination = self.app.nominations.nomination(UUID(row["nomination_id"]))
            items.append({**row, "my_ballot": self.my_ballot(nomination, actor.username),
                          "tally": nomination.tally()})
        return {**found, "items": items,
                "is_member": any(g.role == "reviewer" and g.unit_id == unit.id
                                 for g in actor.grants)}

    # -- minutes ------------------------------------------------------------------------------

    def submission(self, submission_id: UUID):
        """A submission named in a filter: unknown is a 422, as every id a query names."""
        try:
            return self.app.nominations.submission(submission_id)
        except UnknownSubmission:
            raise UnknownReference(what="tờ trình", ref=str(submission_id)) from None

    def _candidates(self, unit_id: UUID, submission_id: UUID | None,
                    closed_on: date | None) -> list[UUID]:
        if submission_id is not None:
            return list(self.submission(submission_id).nomination_ids)
        # Nominations proposed in the unit's subtree changed on or after that day (a review
        # closed that day changed them): newest first, until older than the day.
        scope = self.rt.queries.subtree_ids({str(unit_id)})
        assert closed_on is not None
        day = closed_on.isoformat()
        out: list[UUID] = []
        offset = 0
        while True:
            found = self.rt.queries.nominations(unit_ids=scope,
                                                page=Page(limit=500, offset=offset))
            rows = found["items"]
            for row in rows:
                if str(row["updated_at"])[:10] >= _utc_floor(day):
                    out.append(UUID(row["nomination_id"]))
            if not rows or len(rows) < 500 or str(rows[-1]["updated_at"])[:10] < _utc_floor(day):
                break
            offset += 500
        return out

    def minutes(self, actor: Actor, *, unit_id: UUID, submission_id: UUID | None = None,
                closed_on: date | None = None) -> dict[str, Any]:
        if submission_id is None and closed_on is None:
            raise ValidationFailed(reason="cần chọn tờ trình (submission_id) hoặc ngày kết luận "
                                          "(closed_on)")
        unit = self.app.tree.referenced_unit(unit_id)
        self.app.authz.require_read(actor, unit.id)
        self.rt.ensure_position(self.app.max_position())
        items = []
        for nid in self._candidates(unit.id, submission_id, closed_on):
            folded = minutes.review_rounds(self.app.history(nid))
            chosen = None
            for r in folded["rounds"]:
                if r["closed"] is None or r["unit_id"] != unit.id:
                    continue
                if closed_on is not None and minutes.local(r["closed"]["at"]).date() != closed_on:
                    continue
                chosen = r
            if chosen is not None:
                items.append({"folded": folded, "round": chosen, "id": str(nid)})
        if not items:
            what = []
            if submission_id is not None:
                what.append("trong tờ trình này")
            if closed_on is not None:
                what.append(f"ngày {closed_on.strftime('%d/%m/%Y')}")
            raise NothingToMinute(what=" ".join(what))
        if len(items) > MAX_MINUTES:
            raise ValidationFailed(reason=f"quá nhiều đề nghị cho một biên bản (tối đa "
                                          f"{MAX_MINUTES}); hãy chọn theo tờ trình hoặc ngày")
        items.sort(key=lambda i: (i["round"]["closed"]["at"], i["id"]))
        rounds = [i["round"] for i in items]
        names = self.names(minutes.members_of(rounds))
        day = minutes.local(max(r["closed"]["at"] for r in rounds)).date()
        state = self.app.tree.unit_state(unit.id, day)
        place = place_of(state.name, state.level, self.app.tree.unit_path_on(unit.id, day))
        submission = None
        if submission_id is not None:
            sub = self.submission(submission_id)
            submission = {"number": sub.number, "submitted_on": sub.submitted_on,
                          "proposing_unit": self.app.tree.unit_state(
                              sub.proposing_unit_id, sub.submitted_on).name}
        document = minutes.minutes_document(unit_name=state.name, place=place, items=items,
                                            names=names, submission=submission,
                                            closed_on=closed_on)
        document["nomination_ids"] = [i["id"] for i in items]
        return document


def _utc_floor(day: str) -> str:
    """The read model keeps UTC moments; a local day (UTC+7) starts on the UTC day before."""
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()
