"""Nominations (đề nghị khen thưởng) and their review by awards councils.

Life of a nomination::

    draft ─submit─▶ under_review(U) ─recommended─▶ U competent? ─yes─▶ recommended
      ▲                 │  │                              │no, has parent
      │ edit            │  └─rejected─▶ rejected           └─▶ forwarded: under_review(parent)
      └── returned ◀────┘ returned (reason)
    draft/returned/under_review ──withdraw──▶ withdrawn
    recommended ──included in a decision──▶ decided ──line revoked──▶ revoked

Reviews are held by the council of the unit the nomination sits at; the council chair closes them.
"Competent" (decided by the catalog and the unit's level, in the services) means the unit decides
the award kind itself or proposes it to the state body of its own level.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import attachments
from domain.base import topic
from domain.catalog import catalog
from domain.council import DEFAULT as DEFAULT_SCORING
from domain.council import Scoring
from domain.errors import (
    AlreadyVoted,
    AwardKindNotInForce,
    NoMajority,
    NominationAlreadyDecided,
    NominationNotDecidable,
    NominationNotEditable,
    NominationNotSubmittable,
    NominationNotWithdrawable,
    ReasonRequired,
    ReviewerRecused,
    ReviewNotOpen,
    UnknownAwardKind,
    ValidationFailed,
    WrongDecidingUnit,
)
from domain.recipients import Recipient, normalise_period
from domain.text import nfc, nfc_multiline

DRAFT = "draft"
UNDER_REVIEW = "under_review"
RETURNED = "returned"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
RECOMMENDED = "recommended"
DECIDED = "decided"
REVOKED = "revoked"

STATUS_LABELS = {
    DRAFT: "Bản nháp",
    UNDER_REVIEW: "Đang xét duyệt",
    RETURNED: "Trả lại để hoàn thiện",
    REJECTED: "Không được đề nghị",
    WITHDRAWN: "Đã rút",
    RECOMMENDED: "Chờ quyết định",
    DECIDED: "Đã có quyết định khen thưởng",
    REVOKED: "Khen thưởng đã bị hủy bỏ",
}

VOTES = ("agree", "disagree", "abstain")
VOTE_LABELS = {"agree": "Đồng ý", "disagree": "Không đồng ý", "abstain": "Không biểu quyết"}
OUTCOMES = ("recommended", "rejected", "returned")
OUTCOME_LABELS = {
    "recommended": "Đề nghị khen thưởng",
    "rejected": "Không đề nghị",
    "returned": "Trả lại để hoàn thiện hồ sơ",
}
# Law on Emulation and Commendation 2022, Art. 8.
AWARD_TYPES = {
    "cong_trang": "Khen thưởng theo công trạng và thành tích đạt được",
    "dot_xuat": "Khen thưởng đột xuất",
    "chuyen_de": "Khen thưởng theo đợt (chuyên đề)",
    "cong_hien": "Khen thưởng quá trình cống hiến",
    "nien_han": "Khen thưởng theo niên hạn",
    "doi_ngoai": "Khen thưởng đối ngoại",
}
EDITABLE_FIELDS = ("recipient", "award_kind", "award_type", "achievement", "period", "attachments")


def clean_nomination_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the user-editable fields; returns plain data for an event."""
    out: dict[str, Any] = {}
    if "award_kind" in data:
        kind = catalog().kind(str(data["award_kind"]))
        if kind.stated:  # the as-stated kind records outside decisions only
            raise UnknownAwardKind(award_kind=kind.code)
        if kind.code not in catalog().kinds:  # retired by the office
            raise AwardKindNotInForce(award_kind=kind.code, award_title=kind.title,
                                      on="hôm nay", reason="hình thức đã bãi bỏ")
        out["award_kind"] = kind.code
    if "recipient" in data:
        out["recipient"] = Recipient.build(dict(data["recipient"])).as_dict()
    if "award_type" in data:
        award_type = data["award_type"] or "cong_trang"
        if award_type not in AWARD_TYPES:
            raise ValidationFailed(reason=f"loại hình khen thưởng «{award_type}» không hợp lệ")
        out["award_type"] = award_type
    if "achievement" in data:
        achievement = nfc_multiline(str(data["achievement"] or ""))
        if not achievement:
            raise ValidationFailed(reason="cần mô tả thành tích")
        if len(achievement) > 10_000:
            raise ValidationFailed(reason="mô tả thành tích quá dài (tối đa 10.000 ký tự)")
        out["achievement"] = achievement
    if "period" in data:
        out["period"] = normalise_period(str(data["period"] or ""))
    if "attachments" in data:
        names = [nfc(str(name)) for name in data["attachments"] or []]
        if any(not name for name in names):
            raise ValidationFailed(reason="tên tệp đính kèm không được để trống")
        out["attachments"] = names
    return out


class Nomination(Aggregate):
    TOPIC = topic("nomination", "Nomination")

    class Created(Aggregate.Created):
        TOPIC = topic("nomination", "Nomination.Created")
        proposing_unit_id: UUID
        recipient: dict[str, Any]
        award_kind: str
        award_type: str
        achievement: str
        period: str
        attachments: list[str]
        actor: str

    class Edited(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.Edited")
        changes: dict[str, Any]
        actor: str

    class Submitted(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.Submitted")
        review_unit_id: UUID
        submission_id: UUID | None
        actor: str

    class Withdrawn(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.Withdrawn")
        reason: str
        actor: str

    class VoteCast(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.VoteCast")
        unit_id: UUID
        vote: str
        comment: str
        score: int | None
        actor: str
        # Per criterion {code, name, max, score} when the unit scores by criteria (issue 16);
        # events recorded before have none (class_version 1, upcast below).
        scores: list[dict[str, Any]] | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["scores"] = None

    class Recused(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.Recused")
        unit_id: UUID
        reason: str
        actor: str

    class ReviewClosed(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.ReviewClosed")
        unit_id: UUID
        outcome: str
        reason: str
        tally: dict[str, int]
        ready_for_decision: bool
        actor: str

    class Forwarded(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.Forwarded")
        from_unit_id: UUID
        to_unit_id: UUID
        actor: str

    class Decided(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.Decided")
        decision_id: UUID
        decision_number: str
        line_no: int
        decided_on: date
        actor: str

    class AwardRevoked(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.AwardRevoked")
        decision_id: UUID
        line_no: int
        revoked_on: date
        reason: str
        actor: str

    # Attachments (domain/attachments.py): the file's reference; the bytes are in the blob store.
    class AttachmentAdded(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.AttachmentAdded")
        no: int
        sha256: str
        size: int
        media_type: str
        file_name: str
        kind: str
        title: str
        actor: str

        def apply(self, aggregate: Nomination) -> None:
            aggregate.attached = attachments.added(self, aggregate.attached)
            aggregate.attached_last_no = self.no

    class AttachmentRemoved(Aggregate.Event):
        TOPIC = topic("nomination", "Nomination.AttachmentRemoved")
        no: int
        reason: str
        actor: str

        def apply(self, aggregate: Nomination) -> None:
            aggregate.attached = attachments.removed(self, aggregate.attached)

    # Class defaults: nominations recorded before attachments existed load unchanged.
    attached: Any = ()  # the attachments in force, oldest first (dicts: domain/attachments.py)
    attached_last_no = 0

    @event(Created)
    def __init__(
        self,
        proposing_unit_id: UUID,
        recipient: dict[str, Any],
        award_kind: str,
        award_type: str,
        achievement: str,
        period: str,
        attachments: list[str],
        actor: str,
    ) -> None:
        self.proposing_unit_id = proposing_unit_id
        self.recipient = recipient
        self.award_kind = award_kind
        self.award_type = award_type
        self.achievement = achievement
        self.period = period
        self.attachments = list(attachments)
        self.nominator = actor
        self.status = DRAFT
        self.review_unit_id: UUID | None = None
        self.submission_id: UUID | None = None
        self.votes: dict[str, dict[str, Any]] = {}
        self.recused: dict[str, str] = {}
        self.round = 0
        self.closed_reviews: list[dict[str, Any]] = []
        self.decision: dict[str, Any] | None = None
        self.revocation: dict[str, Any] | None = None

    @classmethod
    def draft(
        cls, *, nomination_id: UUID, proposing_unit_id: UUID, data: dict[str, Any], actor: str
    ) -> Nomination:
        fields = clean_nomination_fields({"award_type": None, "attachments": [], **data})
        for required in ("recipient", "award_kind", "achievement", "period"):
            if required not in fields:
                raise ValidationFailed(reason=f"thiếu trường «{required}»")
        catalog().kind(fields["award_kind"]).require_recipient(fields["recipient"]["kind"])
        return cls._create(
            cls.Created,
            id=nomination_id,
            proposing_unit_id=proposing_unit_id,
            actor=actor,
            **fields,
        )

    # -- reading ------------------------------------------------------------------------------

    @property
    def recipient_obj(self) -> Recipient:
        return Recipient.from_dict(self.recipient)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def decision_unit_id(self) -> UUID | None:
        """Where a recommended nomination waits for its decision."""
        return self.review_unit_id if self.status in (RECOMMENDED, DECIDED, REVOKED) else None

    def tally(self) -> dict[str, int]:
        counts = {vote: 0 for vote in VOTES}
        for ballot in self.votes.values():
            counts[ballot["vote"]] += 1
        counts["cast"] = len(self.votes)
        counts["recused"] = len(self.recused)
        return counts

    # -- nominator commands -------------------------------------------------------------------

    def edit(self, data: dict[str, Any], actor: str) -> None:
        if self.status not in (DRAFT, RETURNED):
            raise NominationNotEditable(status=self.status, status_label=self.status_label)
        unknown = set(data) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValidationFailed(reason=f"không sửa được trường {', '.join(sorted(unknown))}")
        changes = clean_nomination_fields(data)
        kind = changes.get("award_kind", self.award_kind)
        recipient_kind = changes.get("recipient", self.recipient)["kind"]
        catalog().kind(kind).require_recipient(recipient_kind)
        changes = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if changes:
            self._edited(changes=changes, actor=actor)

    def submit(
        self, *, review_unit_id: UUID, actor: str, submission_id: UUID | None = None
    ) -> None:
        if self.status not in (DRAFT, RETURNED):
            raise NominationNotSubmittable(status=self.status, status_label=self.status_label)
        if self.status == RETURNED and self.review_unit_id is not None:
            review_unit_id = self.review_unit_id  # back to the council that returned it
        self._submitted(review_unit_id=review_unit_id, submission_id=submission_id, actor=actor)

    def withdraw(self, reason: str, actor: str) -> None:
        if self.status not in (DRAFT, RETURNED, UNDER_REVIEW):
            raise NominationNotWithdrawable(status=self.status, status_label=self.status_label)
        self._withdrawn(reason=nfc(reason or ""), actor=actor)

    # -- council commands ---------------------------------------------------------------------

    def _require_open_review(self) -> UUID:
        if self.status != UNDER_REVIEW or self.review_unit_id is None:
            raise ReviewNotOpen(status=self.status, status_label=self.status_label)
        return self.review_unit_id

    def cast_vote(
        self,
        *,
        vote: str,
        comment: str,
        score: int | None,
        actor: str,
        scoring: Scoring | None = None,
        scores: dict[str, Any] | None = None,
    ) -> None:
        """``scoring``: how the reviewing unit scores this award kind (``domain.council``); None
        scores as before (one optional score, 0..100). ``scores``: per criterion code."""
        unit_id = self._require_open_review()
        if vote not in VOTES:
            raise ValidationFailed(reason="phiếu phải là agree, disagree hoặc abstain")
        if scoring is None and score is not None and not 0 <= score <= 100:
            raise ValidationFailed(reason="điểm phải từ 0 đến 100")
        if actor in self.recused:
            raise ReviewerRecused()
        total, per_criterion = (scoring or DEFAULT_SCORING).ballot(vote, score, scores)
        self._vote_cast(
            unit_id=unit_id,
            vote=vote,
            comment=nfc_multiline(comment or ""),
            score=total,
            actor=actor,
            scores=per_criterion,
        )

    def recuse(self, *, reason: str, actor: str) -> None:
        unit_id = self._require_open_review()
        if actor in self.votes:
            raise AlreadyVoted()
        if actor in self.recused:
            raise ReviewerRecused()
        self._recused(unit_id=unit_id, reason=nfc(reason or ""), actor=actor)

    def close_review(
        self,
        *,
        outcome: str,
        reason: str,
        competent: bool,
        parent_unit_id: UUID | None,
        actor: str,
    ) -> None:
        """Close the open review. ``competent``: the reviewing unit may decide (or propose to the
        state body of its level); otherwise a recommendation goes up to ``parent_unit_id``."""
        unit_id = self._require_open_review()
        if outcome not in OUTCOMES:
            raise ValidationFailed(reason="kết luận phải là recommended, rejected hoặc returned")
        reason = nfc_multiline(reason or "")
        tally = self.tally()
        if outcome == "recommended":
            if tally["agree"] * 2 <= tally["cast"]:
                raise NoMajority(agree=tally["agree"], cast=tally["cast"])
        elif not reason:
            raise ReasonRequired()
        ready = outcome == "recommended" and (competent or parent_unit_id is None)
        self._review_closed(
            unit_id=unit_id,
            outcome=outcome,
            reason=reason,
            tally=tally,
            ready_for_decision=ready,
            actor=actor,
        )
        if outcome == "recommended" and not ready:
            assert parent_unit_id is not None
            self._forwarded(from_unit_id=unit_id, to_unit_id=parent_unit_id, actor=actor)

    # -- attachments (nominators while draft or returned; the office while the file is open) --

    ATTACHABLE = {"nominator": (DRAFT, RETURNED),  # noqa: RUF012
                  "office": (DRAFT, RETURNED, UNDER_REVIEW, RECOMMENDED)}

    def require_attachable(self, as_office: bool) -> None:
        if self.status not in self.ATTACHABLE["office" if as_office else "nominator"]:
            raise attachments.AttachmentsClosed(status_label=self.status_label)

    def add_attachment(self, *, as_office: bool, actor: str, **data: Any) -> dict[str, Any]:
        """``data``: sha256, size, media_type, file_name, kind, title."""
        self.require_attachable(as_office)
        record = attachments.next_attachment(self.attached, self.attached_last_no, **data)
        self.trigger_event(self.AttachmentAdded, actor=actor, **record)
        return self.attached[-1]

    def remove_attachment(self, *, ref: Any, reason: str, as_office: bool, actor: str) -> int:
        self.require_attachable(as_office)
        found = attachments.find_attachment(self.attached, ref)
        self.trigger_event(self.AttachmentRemoved, no=found["no"], reason=nfc(reason or ""),
                           actor=actor)
        return int(found["no"])

    # -- decision links -----------------------------------------------------------------------

    def mark_decided(
        self,
        *,
        decision_id: UUID,
        decision_number: str,
        line_no: int,
        decided_on: date,
        deciding_unit_id: UUID,
        actor: str,
    ) -> None:
        if self.status in (DECIDED, REVOKED):
            raise NominationAlreadyDecided(nomination_id=str(self.id))
        if self.status != RECOMMENDED:
            raise NominationNotDecidable(
                nomination_id=str(self.id), status=self.status, status_label=self.status_label
            )
        if self.review_unit_id != deciding_unit_id:
            raise WrongDecidingUnit(nomination_id=str(self.id))
        self._decided(
            decision_id=decision_id,
            decision_number=decision_number,
            line_no=line_no,
            decided_on=decided_on,
            actor=actor,
        )

    def mark_award_revoked(
        self, *, decision_id: UUID, line_no: int, revoked_on: date, reason: str, actor: str
    ) -> None:
        if self.status != DECIDED:
            return  # the nomination was not (or no longer) linked to this line
        self._award_revoked(
            decision_id=decision_id,
            line_no=line_no,
            revoked_on=revoked_on,
            reason=reason,
            actor=actor,
        )

    # -- event application --------------------------------------------------------------------

    @event(Edited)
    def _edited(self, changes: dict[str, Any], actor: str) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    @event(Submitted)
    def _submitted(self, review_unit_id: UUID, submission_id: UUID | None, actor: str) -> None:
        self.status = UNDER_REVIEW
        self.review_unit_id = review_unit_id
        if submission_id is not None:
            self.submission_id = submission_id
        self._open_round()

    def _open_round(self) -> None:
        self.round += 1
        self.votes = {}
        self.recused = {}

    @event(Withdrawn)
    def _withdrawn(self, reason: str, actor: str) -> None:
        self.status = WITHDRAWN

    @event(VoteCast)
    def _vote_cast(
        self,
        unit_id: UUID,
        vote: str,
        comment: str,
        score: int | None,
        actor: str,
        scores: list[dict[str, Any]] | None = None,
    ) -> None:
        self.votes[actor] = {"vote": vote, "comment": comment, "score": score, "scores": scores}

    @event(Recused)
    def _recused(self, unit_id: UUID, reason: str, actor: str) -> None:
        self.recused[actor] = reason

    @event(ReviewClosed)
    def _review_closed(
        self,
        unit_id: UUID,
        outcome: str,
        reason: str,
        tally: dict[str, int],
        ready_for_decision: bool,
        actor: str,
    ) -> None:
        self.closed_reviews.append(
            {
                "unit_id": unit_id,
                "round": self.round,
                "outcome": outcome,
                "reason": reason,
                "tally": tally,
                "votes": dict(self.votes),
                "recused": dict(self.recused),
            }
        )
        if outcome == "rejected":
            self.status = REJECTED
        elif outcome == "returned":
            self.status = RETURNED
        elif ready_for_decision:
            self.status = RECOMMENDED

    @event(Forwarded)
    def _forwarded(self, from_unit_id: UUID, to_unit_id: UUID, actor: str) -> None:
        self.status = UNDER_REVIEW
        self.review_unit_id = to_unit_id
        self._open_round()

    @event(Decided)
    def _decided(
        self, decision_id: UUID, decision_number: str, line_no: int, decided_on: date, actor: str
    ) -> None:
        self.status = DECIDED
        self.decision = {
            "decision_id": decision_id,
            "number": decision_number,
            "line_no": line_no,
            "decided_on": decided_on,
        }

    @event(AwardRevoked)
    def _award_revoked(
        self, decision_id: UUID, line_no: int, revoked_on: date, reason: str, actor: str
    ) -> None:
        self.status = REVOKED
        self.revocation = {"revoked_on": revoked_on, "reason": reason}
