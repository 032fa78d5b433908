"""Request bodies. Unknown fields are refused (a typo must not be silently ignored); money is a
strict integer of đồng; dates are ISO dates. Deeper rules live in the domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    create_model,
)

from domain.announcements import FIGURES, MAX_AMOUNT, MAX_COUNT, QUALIFIERS
from domain.award_catalogue import MAX_NAMED, MAX_SHORT, MAX_SOURCE, MAX_TITLE
from domain.catalog import (
    BODIES,
    BODY_EXAMPLES,
    BODY_LABELS,
    CATEGORY_LABELS,
    CERTIFICATE_LABELS,
    FREQUENCY_LABELS,
    MONEY_LABELS,
    RECIPIENT_LABELS,
    catalog,
)
from domain.ceremony import PAYMENT_STATUSES
from domain.dates import parse_day
from domain.errors import ValidationFailed
from domain.users import MAX_FULL_NAME, MAX_PASSWORD, MAX_REASON, MIN_PASSWORD
from services.api.choices import (
    ISSUER_BODY_HELP,
    AmountMode,
    Category,
    Certificate,
    Frequency,
    Gender,
    IssuerBody,
    LegalTable,
    Level,
    MoneyMode,
    Outcome,
    PrintMode,
    RecipientKind,
    ReorganisationStep,
    RevocationGround,
    Role,
    Vote,
    one_of,
)
from services.decisions import DecisionDraft


def _day(value: object) -> date:
    try:
        return parse_day(value)
    except ValidationFailed as error:
        raise ValueError(error.details.get("reason") or error.message) from None


# Every date of a query or a body: ISO YYYY-MM-DD, 1900–2100 (never a number of seconds).
Day = Annotated[date, BeforeValidator(_day)]
# A position in the event log, as a query or header: bounded below SQL's 64-bit integers.
MAX_POSITION = 2**53
Money = Annotated[StrictInt, Field(ge=0, le=10**13)]
Text = Annotated[str, Field(max_length=2_000)]
LongText = Annotated[str, Field(max_length=10_000)]
Name = Annotated[str, Field(max_length=300)]
# Why one change to the org tree is made: optional, recorded on its events (NFC, whitespace
# collapsed, by ``domain.org``) and read back in the unit's history.
OrgReason = Annotated[str, Field(
    max_length=2_000,
    description="Lý do thay đổi (không bắt buộc, tối đa 2.000 ký tự): ghi vào sự kiện của đơn "
                "vị, chuẩn hóa Unicode NFC, xem lại ở `GET /api/org-units/{unit_id}/history`.")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# a password as typed to prove who one is, and a new one (the domain's bounds: domain.users)
TypedPassword = Annotated[str, Field(max_length=MAX_PASSWORD)]
NewPassword = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]


class LoginIn(Body):
    username: Name
    password: TypedPassword


class RecipientIn(Body):
    kind: RecipientKind
    name: Name | None = None
    unit_id: UUID | None = None
    org_unit_id: UUID | None = None
    gender: Gender | None = None
    birth_year: Annotated[StrictInt, Field(ge=1900, le=2100)] | None = None
    birth_date: Day | None = None
    position: Name | None = None
    citizen_id: Annotated[str, Field(max_length=20)] | None = None
    women_share: Annotated[StrictInt, Field(ge=0, le=100)] | None = None


# -- org units --------------------------------------------------------------------------------


class UnitCreateIn(Body):
    name: Name
    level: Level
    parent_id: UUID
    code: Annotated[str, Field(max_length=50)] | None = None
    established_on: Day
    reason: OrgReason = ""


class RenameIn(Body):
    name: Name
    effective_on: Day
    reason: OrgReason = ""


class MoveIn(Body):
    parent_id: UUID
    effective_on: Day
    reason: OrgReason = ""


class DissolveIn(Body):
    effective_on: Day
    reason: OrgReason = ""


class MergeIn(Body):
    unit_ids: Annotated[list[UUID], Field(min_length=1, max_length=1000)]
    target_id: UUID
    effective_on: Day
    reason: OrgReason = ""


class ReorganisationOp(Body):
    op: ReorganisationStep
    key: Annotated[str, Field(max_length=100)] | None = None
    unit_id: Annotated[str, Field(max_length=101)] | None = None
    unit_ids: list[Annotated[str, Field(max_length=101)]] | None = None
    parent_id: Annotated[str, Field(max_length=101)] | None = None
    target_id: Annotated[str, Field(max_length=101)] | None = None
    name: Name | None = None
    level: Level | None = None
    code: Annotated[str, Field(max_length=50)] | None = None
    reason: Text | None = None
    effective_on: Day | None = None


class ReorganisationIn(Body):
    effective_on: Day
    operations: Annotated[list[ReorganisationOp], Field(min_length=1, max_length=5000)]


# -- users ------------------------------------------------------------------------------------


class GrantIn(Body):
    role: Role
    unit_id: UUID
    chair: StrictBool = False


class UserCreateIn(Body):
    username: Annotated[str, Field(max_length=50)]
    full_name: Annotated[str, Field(max_length=MAX_FULL_NAME)]
    password: NewPassword | None = None
    grants: Annotated[list[GrantIn], Field(max_length=100)] = []
    # The unit she belongs to (default: her first grant's unit): its admins manage her.
    home_unit_id: UUID | None = None


class HomeUnitIn(Body):
    unit_id: UUID


class TokenIn(Body):
    label: Name = ""


class PasswordIn(Body):
    password: NewPassword


class PasswordResetIn(Body):
    # omitted: a password is generated, and answered once in `password`
    password: NewPassword | None = None


class DeactivateIn(Body):
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class PasswordChangeIn(Body):
    username: Name
    old_password: TypedPassword
    new_password: NewPassword


# -- nominations ------------------------------------------------------------------------------


class NominationFields(Body):
    recipient: RecipientIn
    award_kind: Annotated[str, Field(max_length=100)]
    award_type: Annotated[str, Field(max_length=30)] | None = None
    achievement: LongText
    period: Annotated[str, Field(max_length=100)]
    attachments: Annotated[list[Name], Field(max_length=100)] = []


class NominationIn(NominationFields):
    proposing_unit_id: UUID


class NominationPatch(Body):
    expected_version: StrictInt | None = None
    recipient: RecipientIn | None = None
    award_kind: Annotated[str, Field(max_length=100)] | None = None
    award_type: Annotated[str, Field(max_length=30)] | None = None
    achievement: LongText | None = None
    period: Annotated[str, Field(max_length=100)] | None = None
    attachments: Annotated[list[Name], Field(max_length=100)] | None = None


class VersionIn(Body):
    expected_version: StrictInt | None = None


class WithdrawIn(VersionIn):
    reason: Text = ""


class VoteIn(Body):
    """A member's ballot. Where her council scores the kind (``/api/council/criteria``): one
    score (``score``, within the council's maximum), or a score per criterion (``scores``,
    ``{"1": 35, "2": 28}``; their sum is the ballot's total)."""

    vote: Vote
    comment: Text = ""
    score: Annotated[StrictInt, Field(ge=0, le=100_000)] | None = None
    scores: Annotated[dict[Annotated[str, Field(max_length=10)],
                           Annotated[StrictInt, Field(ge=0, le=1000)]],
                      Field(max_length=20)] | None = None


class RecuseIn(Body):
    reason: Text = ""


class CloseReviewIn(VersionIn):
    outcome: Outcome
    reason: Text = ""


class SubmissionIn(Body):
    proposing_unit_id: UUID
    number: Annotated[str, Field(max_length=60)] | None = None
    title: Name = ""
    submitted_on: Day | None = None
    candidates: Annotated[list[NominationFields], Field(min_length=1, max_length=10_000)]


# -- decisions and ceremonies -----------------------------------------------------------------


class IssuerIn(Body):
    """A Union unit (``unit_id``), or a body outside the Union: its kind (``body``), its level
    and its name ("Thủ tướng Chính phủ", "Ủy ban MTTQ Việt Nam tỉnh Bắc Ninh", "Công an tỉnh
    Thái Nguyên")."""

    unit_id: UUID | None = None
    body: Annotated[IssuerBody | None, Field(description=ISSUER_BODY_HELP)] = None
    level: Level | None = None
    name: Name | None = None


class SignerIn(Body):
    name: Name = ""
    title: Name = ""


class LineIn(Body):
    recipient: RecipientIn | None = None
    award_kind: Annotated[str, Field(max_length=100)] | None = None
    award_as_stated: Annotated[str | None, Field(
        max_length=300,
        description="Hình thức khen thưởng theo nguyên văn của văn bản («Biểu dương», «Huân "
                    "chương Lao động», «Thưởng nóng»), thay cho award_kind, khi văn bản của cơ "
                    "quan ngoài Hội ghi hình thức không có trong danh mục; văn phòng đối chiếu "
                    "sau (POST /api/decisions/{id}/lines/{n}/kind).")] = None
    period: Annotated[str, Field(max_length=100)] | None = None
    achievement: LongText | None = None
    amount: Money | None = None
    amount_mode: AmountMode | None = None
    nomination_id: UUID | None = None


class DecisionIn(Body):
    number: Annotated[str, Field(max_length=60)]
    decided_on: Day
    issuer: IssuerIn
    recorded_by_unit_id: UUID | None = None
    signer: SignerIn = SignerIn()
    subject: Text = ""
    legal_basis: LongText = ""
    achievement: LongText = ""
    award_kind: Annotated[str, Field(max_length=100)] | None = None
    period: Annotated[str, Field(max_length=100)] | None = None
    amount_mode: AmountMode | None = None
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=20_000)]

    def to_draft(self) -> DecisionDraft:
        """The command, from the validated body (validated once, here)."""
        return DecisionDraft(
            number=self.number,
            decided_on=self.decided_on,
            issuer=self.issuer.model_dump(mode="json", exclude_none=True),
            lines=tuple(line.model_dump(mode="json", exclude_none=True) for line in self.lines),
            recorded_by_unit_id=self.recorded_by_unit_id,
            signer=self.signer.model_dump(mode="json"),
            subject=self.subject,
            legal_basis=self.legal_basis,
            achievement=self.achievement,
            award_kind=self.award_kind,
            period=self.period,
            amount_mode=self.amount_mode,
        )


class MapKindIn(Body):
    """The catalogue kind an as-stated line is mapped to, and why (the office's ground)."""

    award_kind: Annotated[str, Field(max_length=100)]
    reason: Text


class RevokeIn(Body):
    revoked_on: Day
    ground: RevocationGround
    reason: Text


class AnnouncedFigureIn(Body):
    """A figure announced at the ceremony (domain.announcements): the money total or a count,
    with how it was said and where."""

    what: Annotated[one_of(FIGURES), Field(
        description="amount (tổng số tiền, đồng), collectives (tập thể), individuals (cá nhân), "
                    "households (hộ gia đình), lines (lượt khen thưởng)")]
    value: Annotated[StrictInt | None, Field(
        ge=0, le=MAX_AMOUNT,
        description=f"Số nguyên ≥ 0 (số đếm tối đa {MAX_COUNT:,}); null: rút số liệu này")]
    qualifier: Annotated[one_of(QUALIFIERS), Field(
        description="exact (đúng), at_least (ít nhất, hơn: các quyết định phải cho ≥ số này), "
                    "about (khoảng, gần: trong khoảng ±10%)")] = "exact"
    source: Text = ""


class HostBodyIn(Body):
    """The body that hosts the ceremony when it is not the managing Union unit
    ("UBND tỉnh Thái Nguyên")."""

    body: IssuerBody
    level: Level
    name: Name


# the money total and the four counts, each at most once
AnnouncedFigures = Annotated[list[AnnouncedFigureIn], Field(max_length=len(FIGURES))]


class CeremonyIn(Body):
    title: Name
    held_on: Day
    place: Name = ""
    host_unit_id: UUID  # the Union unit whose office records and manages the ceremony
    host_body: HostBodyIn | None = None
    decision_ids: Annotated[list[UUID], Field(max_length=1000)] = []
    announced_total: Money | None = None  # an exact total; or the figure "amount"
    announced_source: Text | None = None
    announced_figures: AnnouncedFigures = []


class CeremonyPatch(Body):
    expected_version: StrictInt | None = None
    title: Name | None = None
    held_on: Day = None  # may be left out, not cleared: null is a 422 (default not validated)
    place: Name | None = None
    host_body: HostBodyIn | None = None  # null: hosted by the managing unit itself
    announced_total: Money | None = None
    announced_source: Text | None = None
    # each figure given replaces (value null: withdraws) the one it counts; others stay
    announced_figures: AnnouncedFigures = []  # may be left out; null is a 422


class CeremonyDecisionIn(Body):
    decision_id: UUID
    expected_version: StrictInt | None = None


# signed: the recipient signed the payout sheet; paid: paid otherwise (transfer, later)
PaymentStatus = one_of(PAYMENT_STATUSES)


class PaymentIn(Body):
    """What was paid or signed for against one line of a decision presented at the ceremony."""

    decision_id: UUID
    line_no: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    amount: Money
    paid_on: Day | None = None  # default: today
    status: PaymentStatus = "signed"
    note: Text = ""
    reason: Text = ""  # required to pay beyond the line's stated amount
    expected_version: StrictInt | None = None


class PaymentCorrectionIn(Body):
    """New values for a payment record (those left out stay), and why: a new event."""

    reason: Text
    amount: Money | None = None
    paid_on: Day = None  # may be left out, not cleared: null is a 422 (default not validated)
    status: PaymentStatus | None = None
    note: Text | None = None
    expected_version: StrictInt | None = None


# -- money schedules --------------------------------------------------------------------------


class BaseSalaryIn(Body):
    effective_from: Day
    amount: Annotated[StrictInt, Field(gt=0, lt=10**9)]
    legal_basis: Name
    verified: StrictBool = False
    note: Text = ""


class BaseSalaryWithdrawIn(Body):
    effective_from: Day
    reason: Text


class TitlePolicyIn(Body):
    highest_title_only: StrictBool


class InternalRateIn(Body):
    unit_id: UUID
    award_kind: Annotated[str, Field(max_length=100)]
    recipient_kind: RecipientKind
    effective_from: Day
    amount: Money
    note: Text = ""


# -- certificates -------------------------------------------------------------------------------


class PrintIn(Body):
    mode: PrintMode = "full"
    printer: Annotated[str, Field(max_length=60)] = "default"
    place: Annotated[str, Field(max_length=100)] | None = None
    reprint_reason: Text | None = None


# -- the award catalogue ------------------------------------------------------------------------
# What the root unit's admin sends to add, change and retire a kind (``services.catalogue``). The
# domain checks the rest (``domain.award_catalogue.clean_definition``: texts NFC, a title of at
# least two characters, at least one recipient kind and one deciding body…) and answers
# ``catalogue.kind_invalid``.


def _labels(labels: dict[str, str]) -> str:
    return "; ".join(f"`{code}` — {label}" for code, label in labels.items())


DecidersIn = create_model(
    "DecidersIn",
    __base__=Body,
    __doc__="Cơ quan có thẩm quyền quyết định: với mỗi loại cơ quan, các cấp được quyết định "
            "(ví dụ `{\"union\": [\"commune\"]}`: Hội LHPN cấp xã).",
    **{body: (Annotated[list[Level] | None, Field(
        max_length=len(catalog().levels),
        description=f"{BODY_LABELS[body]} ({BODY_EXAMPLES[body]}): các cấp được quyết định")],
        None) for body in BODIES},
)

KindTitle = Annotated[str, Field(
    max_length=MAX_TITLE, description="Tên đầy đủ của hình thức, danh hiệu (in trên giấy khen, "
    "quyết định), ví dụ «Giấy khen của Ban Thường vụ Hội LHPN xã»")]
KindShortTitle = Annotated[str, Field(
    max_length=MAX_SHORT, description="Tên ngắn (trong bảng, danh sách); mặc định: tên đầy đủ")]
KindCategory = Annotated[Category, Field(
    description="Nhóm (không đổi được sau khi thêm): " + _labels(
        {k: v for k, v in CATEGORY_LABELS.items() if k != "as_stated"}))]
KindRecipients = Annotated[list[RecipientKind], Field(
    max_length=len(RECIPIENT_LABELS),
    description="Đối tượng được khen: " + _labels(RECIPIENT_LABELS))]
KindNamedDeciders = Annotated[list[Annotated[str, Field(max_length=200)]], Field(
    max_length=MAX_NAMED, description="Chỉ các cơ quan có tên này được quyết định (ví dụ «Thủ "
    "tướng Chính phủ»); để trống: mọi cơ quan đúng loại và cấp")]
KindFrequency = Annotated[Frequency, Field(
    description="Số lần được khen: " + _labels(FREQUENCY_LABELS))]
KindPerIssuer = Annotated[StrictBool, Field(
    description="Hình thức chung cho giấy khen riêng của từng cơ quan: mỗi cơ quan khen một "
                "lần cho mỗi thành tích")]
KindMoney = Annotated[MoneyMode, Field(description="Cách tính tiền thưởng: " + _labels(
    {k: v for k, v in MONEY_LABELS.items() if k != "rules"}))]
KindMoneyTable = Annotated[LegalTable, Field(
    description="Bảng hệ số theo quy định (bắt buộc khi `money` là `legal`; xem "
                "`GET /api/catalog/options`)")]
KindCertificate = Annotated[Certificate, Field(
    description="Mẫu giấy in: " + _labels(CERTIFICATE_LABELS))]
KindSource = Annotated[str, Field(
    max_length=MAX_SOURCE, description="Căn cứ: văn bản quy định hình thức (số, ngày, điều)")]
KindVerified = Annotated[StrictBool, Field(description="Đã đối chiếu với văn bản gốc")]
CatalogueReason = Annotated[str, Field(
    max_length=2_000, description="Lý do (số văn bản, nghị quyết…): ghi vào lịch sử của "
                                  "hình thức; tối đa 2.000 ký tự")]


class AwardKindIn(Body):
    """Một hình thức khen thưởng mới của danh mục, có hiệu lực từ `effective_from` (có thể là
    ngày đã qua, để ghi các quyết định cũ) và, nếu có, đến hết ngày `until`."""

    code: Annotated[str, Field(max_length=60, description=(
        "Mã hình thức (3–60 ký tự a–z, 0–9, gạch dưới, bắt đầu bằng chữ); không đổi được"))]
    title: KindTitle
    short_title: KindShortTitle | None = None
    category: KindCategory
    recipients: KindRecipients
    deciders: DecidersIn  # type: ignore[valid-type]
    named_deciders: KindNamedDeciders = []
    frequency: KindFrequency = "once_per_achievement"
    per_issuer: KindPerIssuer = False
    money: KindMoney = "decided"
    money_table: KindMoneyTable | None = None
    certificate: KindCertificate = "chung_nhan"
    source: KindSource
    verified: KindVerified = False
    effective_from: Annotated[Day, Field(description="Ngày bắt đầu có hiệu lực (từ 1945)")]
    until: Annotated[Day | None, Field(
        description="Ngày cuối cùng được dùng (không bắt buộc)")] = None
    reason: CatalogueReason = ""


class AwardKindChangeIn(Body):
    """Những điều thay đổi của một hình thức (các trường không gửi giữ nguyên), có hiệu lực từ
    `effective_from` — sớm nhất là ngày mai: các quyết định đã ghi giữ hình thức như ngày ban
    hành. Nhóm (`category`) không đổi được."""

    title: KindTitle | None = None
    short_title: KindShortTitle | None = None
    category: KindCategory | None = None
    recipients: KindRecipients | None = None
    deciders: DecidersIn | None = None  # type: ignore[valid-type]
    named_deciders: KindNamedDeciders | None = None
    frequency: KindFrequency | None = None
    per_issuer: KindPerIssuer | None = None
    money: KindMoney | None = None
    money_table: KindMoneyTable | None = None
    certificate: KindCertificate | None = None
    source: KindSource | None = None
    verified: KindVerified | None = None
    effective_from: Annotated[Day, Field(description="Ngày bắt đầu áp dụng (sớm nhất: ngày mai)")]
    reason: CatalogueReason


class AwardKindRetirementIn(Body):
    """Bãi bỏ một hình thức từ `effective_from` (sớm nhất là ngày mai): từ ngày đó không quyết
    định, đề nghị hình thức này được nữa; các quyết định đã ghi giữ nguyên."""

    effective_from: Annotated[Day, Field(description="Ngày bãi bỏ (sớm nhất: ngày mai)")]
    reason: CatalogueReason
