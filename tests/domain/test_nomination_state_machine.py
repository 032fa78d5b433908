"""The nomination state machine against a reference model (pure domain, no store).

Hypothesis drives a ``Nomination`` through random sequences of nominator, council and decision
commands. A small reference model predicts, for every command, whether it is allowed and which
refusal it gets. Refusals must leave the aggregate exactly as it was; allowed commands must reach
the predicted state; and the collected events must rebuild the same aggregate (directly, and after
a round trip through the stored-event mapper that the store uses).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from domain.errors import (
    AlreadyVoted,
    DomainError,
    NoMajority,
    NominationAlreadyDecided,
    NominationNotDecidable,
    NominationNotEditable,
    NominationNotSubmittable,
    NominationNotWithdrawable,
    ReasonRequired,
    RecipientKindNotAllowed,
    ReviewerRecused,
    ReviewNotOpen,
    UnknownAwardKind,
    ValidationFailed,
    WrongDecidingUnit,
)
from domain.nomination import (
    DECIDED,
    DRAFT,
    OUTCOMES,
    RECOMMENDED,
    REJECTED,
    RETURNED,
    REVOKED,
    STATUS_LABELS,
    UNDER_REVIEW,
    VOTES,
    WITHDRAWN,
    Nomination,
)
from domain.text import nfc_multiline
from services.store import DateAsISO

UNITS = [UUID(int=n) for n in range(1, 6)]  # commune, district, province, central, elsewhere
OTHER_UNIT = UUID(int=99)
REVIEWERS = ("hoa", "lan", "mai", "nga", "tuyet")
NOMINATOR = "xd.nom"
START = date(2024, 1, 5)

BASE_FIELDS = {
    "recipient": {
        "kind": "individual",
        "name": "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng Nhung",
        "gender": "female",
        "birth_year": 1980,
        "unit_id": str(UNITS[0]),
    },
    "award_kind": "giay_khen_hoi",
    "achievement": "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2023",
    "period": "2023",
}

STATE_FIELDS = (
    "id",
    "version",
    "created_on",
    "modified_on",
    "proposing_unit_id",
    "recipient",
    "award_kind",
    "award_type",
    "achievement",
    "period",
    "attachments",
    "nominator",
    "status",
    "review_unit_id",
    "submission_id",
    "votes",
    "recused",
    "round",
    "closed_reviews",
    "decision",
    "revocation",
)


def snapshot(nomination: Nomination) -> dict[str, Any]:
    return copy.deepcopy({name: getattr(nomination, name) for name in STATE_FIELDS})


def event_mapper() -> Mapper:
    """The transcodings the store registers (``Store.register_transcodings``)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


MAPPER = event_mapper()


@dataclass
class Model:
    """What the nomination should look like."""

    status: str = DRAFT
    review_unit_id: UUID | None = None
    votes: dict[str, str] = field(default_factory=dict)
    recused: set[str] = field(default_factory=set)
    round: int = 0
    closed_reviews: int = 0
    achievement: str = BASE_FIELDS["achievement"]
    award_kind: str = BASE_FIELDS["award_kind"]
    decided: bool = False
    revoked: bool = False
    submitted_ever: bool = False

    def open_round(self) -> None:
        self.round += 1
        self.votes = {}
        self.recused = set()


edit_changes = st.one_of(
    st.text(max_size=40).map(lambda text: {"achievement": text}),
    st.sampled_from(
        [
            {"achievement": "Vận động 120 hội viên mới"},
            {"achievement": "  \n  "},
            {"award_kind": "bang_khen_tw_hoi"},
            {"award_kind": "giay_khen_hoi"},
            {"award_kind": "gia_dinh_van_hoa"},  # households only: the recipient is a person
            {"award_kind": "khong_co_trong_danh_muc"},
            {"status": "decided"},  # not an editable field
            {"award_type": "khong_hop_le"},
        ]
    ),
)


class NominationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.nomination: Nomination
        self.model = Model()
        self.events: list[Any] = []
        self.today = START

    @initialize()
    def draft(self) -> None:
        self.nomination = Nomination.draft(
            nomination_id=uuid4(), proposing_unit_id=UNITS[0], data=BASE_FIELDS, actor=NOMINATOR
        )
        self.events.extend(self.nomination.collect_events())
        self.model.achievement = self.nomination.achievement

    # -- running a command against the prediction ---------------------------------------------

    def attempt(self, command, refusal: type[DomainError] | None) -> bool:
        """Run ``command``; if ``refusal`` is given it must be refused with exactly that error
        and change nothing. Returns whether the command ran."""
        before = snapshot(self.nomination)
        pending = len(self.nomination.pending_events)
        if refusal is not None:
            with pytest.raises(DomainError) as caught:
                command()
            error = caught.value
            assert type(error) is refusal, (type(error).__name__, refusal.__name__, error)
            assert error.code == refusal.code
            assert error.message
            assert snapshot(self.nomination) == before
            assert len(self.nomination.pending_events) == pending
            return False
        command()
        new = self.nomination.collect_events()
        self.events.extend(new)
        assert self.nomination.version == before["version"] + len(new)
        return True

    def expect_unchanged_without_error(self, command) -> None:
        before = snapshot(self.nomination)
        command()
        assert snapshot(self.nomination) == before
        assert self.nomination.pending_events == []

    # -- nominator ----------------------------------------------------------------------------

    @rule(changes=edit_changes)
    def edit(self, changes: dict[str, Any]) -> None:
        model = self.model
        refusal: type[DomainError] | None = None
        if model.status not in (DRAFT, RETURNED):
            refusal = NominationNotEditable
        elif set(changes) - {"achievement", "award_kind"} or (
            "achievement" in changes and not nfc_multiline(changes["achievement"])
        ):
            refusal = ValidationFailed
        elif changes.get("award_kind") == "khong_co_trong_danh_muc":
            refusal = UnknownAwardKind
        elif changes.get("award_kind") == "gia_dinh_van_hoa":
            refusal = RecipientKindNotAllowed
        version = self.nomination.version
        if self.attempt(lambda: self.nomination.edit(changes, NOMINATOR), refusal):
            new = {
                "achievement": nfc_multiline(changes.get("achievement", model.achievement)),
                "award_kind": changes.get("award_kind", model.award_kind),
            }
            changed = new != {"achievement": model.achievement, "award_kind": model.award_kind}
            assert self.nomination.version == version + (1 if changed else 0)
            model.achievement, model.award_kind = new["achievement"], new["award_kind"]

    @rule(unit=st.sampled_from(UNITS))
    def submit(self, unit: UUID) -> None:
        model = self.model
        refusal = None if model.status in (DRAFT, RETURNED) else NominationNotSubmittable
        command = lambda: self.nomination.submit(review_unit_id=unit, actor=NOMINATOR)  # noqa: E731
        if self.attempt(command, refusal):
            if not (model.status == RETURNED and model.review_unit_id is not None):
                model.review_unit_id = unit  # a returned file goes back to its council
            model.status = UNDER_REVIEW
            model.submitted_ever = True
            model.open_round()

    @rule(reason=st.sampled_from(["", "Đổi ý", "  Nộp nhầm  "]), dice=st.integers(0, 5))
    def withdraw(self, reason: str, dice: int) -> None:
        model = self.model
        allowed = model.status in (DRAFT, RETURNED, UNDER_REVIEW)
        if allowed and dice:
            return  # withdrawing ends the story: do it rarely so that later states are reached
        refusal = None if allowed else NominationNotWithdrawable
        if self.attempt(lambda: self.nomination.withdraw(reason, NOMINATOR), refusal):
            model.status = WITHDRAWN

    # -- council ------------------------------------------------------------------------------

    @rule(
        reviewer=st.sampled_from(REVIEWERS),
        vote=st.one_of(st.sampled_from(VOTES), st.sampled_from(["yes", "", "AGREE"])),
        score=st.one_of(st.none(), st.integers(min_value=-3, max_value=103)),
        comment=st.sampled_from(["", "Xứng đáng", "  Đồng ý\r\n với đề nghị  "]),
    )
    def cast_vote(self, reviewer: str, vote: str, score: int | None, comment: str) -> None:
        model = self.model
        refusal: type[DomainError] | None = None
        if model.status != UNDER_REVIEW:
            refusal = ReviewNotOpen
        elif vote not in VOTES or (score is not None and not 0 <= score <= 100):
            refusal = ValidationFailed
        elif reviewer in model.recused:
            refusal = ReviewerRecused
        command = lambda: self.nomination.cast_vote(  # noqa: E731
            vote=vote, comment=comment, score=score, actor=reviewer
        )
        if self.attempt(command, refusal):
            model.votes[reviewer] = vote  # a reviewer may change her vote until the review closes
            assert self.nomination.votes[reviewer]["comment"] == nfc_multiline(comment)

    # Recusals are rarer than votes so that majorities happen.
    @rule(reviewer=st.sampled_from(REVIEWERS), reason=st.sampled_from(["", "Người thân"]))
    def recuse(self, reviewer: str, reason: str) -> None:
        model = self.model
        refusal: type[DomainError] | None = None
        if model.status != UNDER_REVIEW:
            refusal = ReviewNotOpen
        elif reviewer in model.votes:
            refusal = AlreadyVoted
        elif reviewer in model.recused:
            refusal = ReviewerRecused
        command = lambda: self.nomination.recuse(reason=reason, actor=reviewer)  # noqa: E731
        if self.attempt(command, refusal):
            model.recused.add(reviewer)

    @rule(
        # Weighted towards recommending: rejection ends the story.
        outcome=st.sampled_from([*OUTCOMES, "recommended", "recommended", "postponed"]),
        reason=st.sampled_from(["", "  \n ", "Thiếu bản tự kiểm điểm"]),
        competent=st.booleans(),
        parent=st.one_of(st.none(), st.sampled_from(UNITS[1:])),
    )
    def close_review(self, outcome: str, reason: str, competent: bool, parent: UUID | None) -> None:
        model = self.model
        agree = sum(1 for v in model.votes.values() if v == "agree")
        refusal: type[DomainError] | None = None
        if model.status != UNDER_REVIEW:
            refusal = ReviewNotOpen
        elif outcome not in OUTCOMES:
            refusal = ValidationFailed
        elif outcome == "recommended" and agree * 2 <= len(model.votes):
            refusal = NoMajority
        elif outcome != "recommended" and not nfc_multiline(reason):
            refusal = ReasonRequired
        closing_unit, votes, recused = model.review_unit_id, dict(model.votes), set(model.recused)
        command = lambda: self.nomination.close_review(  # noqa: E731
            outcome=outcome,
            reason=reason,
            competent=competent,
            parent_unit_id=parent,
            actor=REVIEWERS[0],
        )
        if not self.attempt(command, refusal):
            return
        model.closed_reviews += 1
        record = self.nomination.closed_reviews[-1]
        assert record["unit_id"] == closing_unit
        assert record["outcome"] == outcome
        assert {who: b["vote"] for who, b in record["votes"].items()} == votes
        assert set(record["recused"]) == recused
        assert record["tally"]["agree"] == agree
        assert record["tally"]["cast"] == len(votes)
        assert record["tally"]["recused"] == len(recused)
        if outcome == "rejected":
            model.status = REJECTED
        elif outcome == "returned":
            model.status = RETURNED
        elif competent or parent is None:
            model.status = RECOMMENDED
        else:  # above this council's authority: up to the parent's council, a fresh round
            model.status = UNDER_REVIEW
            model.review_unit_id = parent
            model.open_round()

    # -- decision links -----------------------------------------------------------------------

    @rule(right_unit=st.booleans(), line_no=st.integers(min_value=1, max_value=500))
    def mark_decided(self, right_unit: bool, line_no: int) -> None:
        model = self.model
        deciding = (model.review_unit_id or UNITS[0]) if right_unit else OTHER_UNIT
        refusal: type[DomainError] | None = None
        if model.status in (DECIDED, REVOKED):
            refusal = NominationAlreadyDecided
        elif model.status != RECOMMENDED:
            refusal = NominationNotDecidable
        elif deciding != model.review_unit_id:
            refusal = WrongDecidingUnit
        decision_id = uuid4()
        command = lambda: self.nomination.mark_decided(  # noqa: E731
            decision_id=decision_id,
            decision_number=f"{line_no}/QĐ-HPN",
            line_no=line_no,
            decided_on=self.today,
            deciding_unit_id=deciding,
            actor="btl.appr",
        )
        if self.attempt(command, refusal):
            model.status = DECIDED
            model.decided = True
            assert self.nomination.decision is not None
            assert self.nomination.decision["decision_id"] == decision_id
            assert self.nomination.decision["line_no"] == line_no
            assert self.nomination.decision_unit_id == model.review_unit_id

    @rule(days=st.integers(min_value=0, max_value=400))
    def mark_award_revoked(self, days: int) -> None:
        model = self.model
        revoked_on = self.today + timedelta(days=days)
        decision_id = (self.nomination.decision or {}).get("decision_id") or uuid4()
        command = lambda: self.nomination.mark_award_revoked(  # noqa: E731
            decision_id=decision_id,
            line_no=1,
            revoked_on=revoked_on,
            reason="Hồ sơ không trung thực",
            actor="btl.appr",
        )
        if model.status != DECIDED:
            # Not (or no longer) linked to a live line: silently nothing, never an error.
            self.expect_unchanged_without_error(command)
            return
        self.attempt(command, None)
        model.status = REVOKED
        model.revoked = True
        assert self.nomination.revocation == {
            "revoked_on": revoked_on,
            "reason": "Hồ sơ không trung thực",
        }

    @precondition(lambda self: self.model.status == UNDER_REVIEW)
    @rule()
    def everyone_agrees(self) -> None:
        """Shortcut so that recommendations and forwarding happen often."""
        for reviewer in REVIEWERS:
            if reviewer not in self.model.recused:
                self.cast_vote(reviewer, "agree", None, "")

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def matches_the_model(self) -> None:
        nomination, model = self.nomination, self.model
        assert nomination.status in STATUS_LABELS
        assert nomination.status_label == STATUS_LABELS[nomination.status]
        assert nomination.status == model.status
        assert nomination.review_unit_id == model.review_unit_id
        assert {who: ballot["vote"] for who, ballot in nomination.votes.items()} == model.votes
        assert set(nomination.recused) == model.recused
        assert not set(nomination.votes) & set(nomination.recused)
        assert nomination.round == model.round
        assert len(nomination.closed_reviews) == model.closed_reviews
        assert nomination.achievement == model.achievement
        assert nomination.award_kind == model.award_kind
        assert nomination.version == len(self.events)
        assert nomination.pending_events == []
        event(f"status {nomination.status}")
        event(f"closed reviews {min(len(nomination.closed_reviews), 3)}")

    @invariant()
    def votes_belong_to_a_review(self) -> None:
        """Ballots are cast only while under review. Outside a review the aggregate keeps the
        ballots of the last round: a closed round's (as recorded in ``closed_reviews``), or the
        round a withdrawal abandoned; before the first submission there are none."""
        nomination = self.nomination
        tally = nomination.tally()
        assert tally["cast"] == sum(tally[v] for v in VOTES) == len(nomination.votes)
        if nomination.status == UNDER_REVIEW:
            assert nomination.review_unit_id is not None
            return
        if not self.model.submitted_ever:
            assert nomination.votes == {} and nomination.recused == {}
            assert nomination.review_unit_id is None
        elif nomination.status != WITHDRAWN:
            last = nomination.closed_reviews[-1]
            assert last["round"] == nomination.round
            assert nomination.votes == last["votes"]
            assert nomination.recused == last["recused"]

    @invariant()
    def decisions_are_consistent(self) -> None:
        nomination = self.nomination
        if nomination.status in (DECIDED, REVOKED):
            assert nomination.decision is not None
            assert nomination.decision_unit_id == nomination.review_unit_id
        else:
            assert nomination.decision is None
            if nomination.status != RECOMMENDED:
                assert nomination.decision_unit_id is None
        assert (nomination.revocation is not None) == (nomination.status == REVOKED)
        if nomination.status == RECOMMENDED:
            assert nomination.closed_reviews[-1]["outcome"] == "recommended"
            assert nomination.decision_unit_id == nomination.review_unit_id

    @invariant()
    def replaying_the_events_rebuilds_the_same_state(self) -> None:
        expected = snapshot(self.nomination)
        rebuilt: Nomination | None = None
        for domain_event in self.events:
            rebuilt = domain_event.mutate(rebuilt)
        assert isinstance(rebuilt, Nomination)
        assert snapshot(rebuilt) == expected

        stored = [MAPPER.to_stored_event(e) for e in self.events]
        reloaded: Nomination | None = None
        for stored_event in stored:
            reloaded = MAPPER.to_domain_event(stored_event).mutate(reloaded)
        assert isinstance(reloaded, Nomination)
        assert snapshot(reloaded) == expected


NominationMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestNominationStateMachine = NominationMachine.TestCase
