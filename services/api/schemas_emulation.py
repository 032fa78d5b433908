"""Request bodies of the emulation API (``routes_emulation``). Shapes only — unknown fields
refused, lengths bounded; numbers are exact: an integer or a decimal written as a string
("957.5", "957,5"), never a JSON float. The rules (targets, points within their maxima, ranks,
dates within the year…) are the domain's (``domain.emulation``), answered 422 with their code.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt

from domain.emulation.cluster import ASSESSMENT_MODES, CLUSTER_KINDS
from domain.emulation.indicators import APPLIES, DIRECTIONS, MEASURES, OUTCOMES
from domain.emulation.scoring import PER_LABELS
from services.api.choices import one_of
from services.api.schemas import Body, Day, Name, RecipientIn, Text

Code = Annotated[str, Field(max_length=16, description="Mã (chỉ tiêu, mục điểm…)")]
Exact = Annotated[str, Field(max_length=40)] | StrictInt  # "957.5", "957,5" or 957
Year = Annotated[StrictInt, Field(ge=2000, le=2100)]
Version = Annotated[StrictInt, Field(ge=0, le=10**9)] | None
Note = Annotated[str, Field(max_length=1_000)]
Evidence = Annotated[str, Field(max_length=4_000)]
Cap = Annotated[str, Field(max_length=20, description="Phần số thành viên được đề nghị, ví dụ "
                                                      "\"1/3\"")]


class EmulationIndicatorIn(Body):
    """An indicator: what is measured (``number``, ``percent``, ``yes_no``), the target (a
    number, a percentage, or "yes"/"no") and which way is better, whether it applies only where
    cases occurred (``when_cases``), whether a sum across members means something, the points it
    carries in a scored covenant."""

    code: Code
    text: Text
    unit: Annotated[str, Field(max_length=60)] = ""
    measure: one_of(MEASURES) = "number"  # type: ignore[valid-type]
    target: Exact | StrictBool | None = None
    direction: one_of(DIRECTIONS) = "at_least"  # type: ignore[valid-type]
    applies: one_of(APPLIES) = "always"  # type: ignore[valid-type]
    summable: StrictBool = False
    max_points: Exact = "0"
    note: Note = ""


# -- clusters ------------------------------------------------------------------------------------


class ClusterIn(Body):
    name: Name
    kind: one_of(CLUSTER_KINDS) = "cum"  # type: ignore[valid-type]
    managing_unit_id: UUID


class ClusterRenameIn(Body):
    name: Name
    expected_version: Version = None


class ClusterMemberIn(Body):
    unit_id: UUID
    name: Name | None = Field(None, description="Tên hiển thị trên bảng kết quả (mặc định: tên "
                                                "đơn vị cuối năm)")


class ClusterYearIn(Body):
    members: Annotated[list[ClusterMemberIn], Field(min_length=1, max_length=200)]
    lead_unit_id: UUID
    reason: Text = ""


class ClusterJoinIn(Body):
    unit_id: UUID
    name: Name | None = None
    on: Day | None = None
    reason: Text = ""


class ClusterMergeIn(Body):
    from_unit_id: UUID
    into_unit_id: UUID
    into_name: Name | None = None
    on: Day | None = None
    reason: Text = ""


class ClusterLeadIn(Body):
    unit_id: UUID
    on: Day | None = Field(None, description="Từ ngày (không ghi: cả năm)")
    reason: Text = ""


# -- covenants -----------------------------------------------------------------------------------


class PointsItemIn(Body):
    code: Code
    text: Annotated[str, Field(max_length=500)]
    max_points: Exact


class DeductionRuleIn(Body):
    code: Code | None = None
    text: Annotated[str, Field(max_length=500)]
    points: Exact
    per: one_of(PER_LABELS) = "each"  # type: ignore[valid-type]


class PointsTableIn(Body):
    items: Annotated[list[PointsItemIn], Field(default_factory=list, max_length=100)]
    deductions: Annotated[list[DeductionRuleIn], Field(default_factory=list, max_length=50)]
    total_max: Exact | None = None


class ThresholdIn(Body):
    code: Annotated[str, Field(max_length=40)]
    label: Annotated[str, Field(max_length=100)]
    minimum: Exact


class ProposalRuleIn(Body):
    rank_from: Annotated[StrictInt, Field(ge=1, le=1000)]
    rank_to: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None
    award_kind: Annotated[str, Field(max_length=100)]
    requires_class: Annotated[str, Field(max_length=40)] | None = None


class StatedTotalIn(Body):
    indicator_code: Code
    what: Annotated[str, Field(max_length=300)]
    value: Exact
    unit: Annotated[str, Field(max_length=60)] = ""
    source: Evidence = ""


class CovenantIn(Body):
    """The whole configuration of the year's covenant (``PUT``: what is not given takes its
    default). The title is kept from the first draft."""

    title: Name | None = None
    indicators: Annotated[list[EmulationIndicatorIn], Field(default_factory=list, max_length=100)]
    points: PointsTableIn | None = None
    thresholds: Annotated[list[ThresholdIn], Field(default_factory=list, max_length=10)]
    assessment_mode: one_of(ASSESSMENT_MODES) = "cross"  # type: ignore[valid-type]
    proposal_rules: Annotated[list[ProposalRuleIn], Field(default_factory=list, max_length=20)]
    proposal_cap: Cap | None = None
    stated_totals: Annotated[list[StatedTotalIn], Field(default_factory=list, max_length=100)]
    expected_version: Version = None


class SignIn(Body):
    unit_id: UUID
    on: Day | None = None


class OnDayIn(Body):
    on: Day | None = Field(None, description="Ngày (mặc định: hôm nay)")


EvidenceRef = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$",
                                    description="Mã tệp minh chứng (`ref`, SHA-256 của nội dung)")]


class ResultIn(Body):
    """A result: the value (a number or percentage as an integer or a string, "yes"/"no" or
    true/false), whether cases occurred (indicators that apply only then), or — where only the
    verdict is known — ``outcome``; the evidence in words and the evidence files
    (``attachments``)."""

    value: Exact | StrictBool | None = None
    cases_occurred: StrictBool | None = None
    outcome: one_of(OUTCOMES) | None = None  # type: ignore[valid-type]
    evidence: Evidence = ""
    attachments: Annotated[list[EvidenceRef], Field(max_length=50)] | None = Field(
        None, description="Tệp minh chứng của lần báo cáo này, theo `ref`: tệp đã tải lên cho "
                           "báo cáo này (`POST …/evidence`) hoặc đã có trong một kết quả của nó. "
                           "Không gửi: giữ các tệp của kết quả hiện nay; `[]`: không kèm tệp.")


class ResultCorrectionIn(ResultIn):
    reason: Text


class ScoreIn(Body):
    points: Exact
    by: one_of(ASSESSMENT_MODES)  # type: ignore[valid-type]
    assessor_unit_id: UUID | None = Field(None, description="Đơn vị chấm chéo (by = cross)")
    note: Note = ""


class AgreedScoreIn(Body):
    points: Exact
    reason: Text = ""


class DeductionIn(Body):
    times: Annotated[StrictInt, Field(ge=0, le=1000)]
    reason: Text = ""


# -- movements -----------------------------------------------------------------------------------


class MovementIn(Body):
    unit_id: UUID
    title: Annotated[str, Field(max_length=500)]
    indicators: Annotated[list[EmulationIndicatorIn], Field(min_length=1, max_length=100)]
    participant_ids: Annotated[list[UUID], Field(default_factory=list, max_length=5000)]
    own_targets_allowed: StrictBool = False
    year: Year | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None


class MovementIndicatorsIn(Body):
    indicators: Annotated[list[EmulationIndicatorIn], Field(min_length=1, max_length=100)]
    expected_version: Version = None


class ParticipantsIn(Body):
    unit_ids: Annotated[list[UUID], Field(min_length=1, max_length=5000)]


OwnTargets = Annotated[dict[Code, Exact], Field(max_length=100)]


class MovementRegistrationIn(Body):
    unit_id: UUID
    targets: OwnTargets | None = None
    pledge: Evidence = ""


class OwnTargetsIn(Body):
    targets: OwnTargets


# -- title registrations -------------------------------------------------------------------------


class TitleRegistrationIn(Body):
    unit_id: UUID
    year: Year


class TitleEntryIn(Body):
    recipient: RecipientIn
    award_kind: Annotated[str, Field(max_length=100)]
    override_reason: Text = Field("", description="Lý do vẫn đăng ký khi chưa thấy đủ điều kiện "
                                                  "(thành tích trước khi có hệ thống…)")
    expected_version: Version = None


class TitleEntryWithdrawIn(Body):
    reason: Text
    expected_version: Version = None
