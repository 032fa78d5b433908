"""Domain errors: one class per rule, each with a stable machine code and a Vietnamese message.

The HTTP layer maps the six *kinds* to status codes in one place (422 invalid, 401
unauthenticated, 403 forbidden, 404 not found, 409 conflict, 429 throttled). The ``code`` is
part of the public API: never rename one.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every refusal the domain or the services can give."""

    kind: ClassVar[str] = "invalid"
    code: ClassVar[str] = "invalid"
    message_template: ClassVar[str] = "Dữ liệu không hợp lệ."

    def __init__(self, message: str | None = None, /, **details: Any) -> None:
        self.details = details
        if message is None:
            try:
                message = self.message_template.format(**details)
            except (KeyError, IndexError):
                message = self.message_template
        self.message = message
        super().__init__(f"{self.code}: {message}")


class Invalid(DomainError):
    kind = "invalid"


class Forbidden(DomainError):
    kind = "forbidden"
    code = "auth.forbidden"
    message_template = "Bạn không có quyền thực hiện thao tác này."


class NotFound(DomainError):
    kind = "not_found"
    code = "not_found"
    message_template = "Không tìm thấy {what}."


class Conflict(DomainError):
    kind = "conflict"
    code = "conflict"
    message_template = "Thao tác xung đột với trạng thái hiện tại."


class Unauthenticated(DomainError):
    kind = "unauthenticated"
    code = "auth.unauthenticated"
    message_template = "Cần đăng nhập (mã truy cập không hợp lệ hoặc đã bị thu hồi)."


# --- generic -------------------------------------------------------------------------------


class ValidationFailed(Invalid):
    code = "validation.invalid"
    message_template = "Dữ liệu không hợp lệ: {reason}"


class UnknownReference(Invalid):
    code = "reference.not_found"
    message_template = "Không tìm thấy {what} «{ref}» được nêu trong dữ liệu gửi lên."


class StaleVersion(Conflict):
    code = "concurrency.stale_version"
    message_template = (
        "Dữ liệu đã được người khác thay đổi (phiên bản hiện tại {current}, "
        "bạn gửi {expected}). Hãy tải lại rồi thử lại."
    )


class ConcurrentChange(Conflict):
    code = "concurrency.conflict"
    message_template = "Có thay đổi đồng thời trên cùng hồ sơ. Hãy tải lại rồi thử lại."


# --- org units ------------------------------------------------------------------------------


class UnknownOrgUnit(NotFound):
    code = "org_unit.not_found"
    message_template = "Không tìm thấy đơn vị {unit_id}."


class InvalidLevel(Invalid):
    code = "org_unit.invalid_level"
    message_template = "Cấp đơn vị «{level}» không phù hợp: {reason}"


class LevelAbolished(Invalid):
    code = "org_unit.level_abolished"
    message_template = "Cấp {level_name} không còn tồn tại từ ngày {until}."


class OrgUnitNotActive(Conflict):
    code = "org_unit.not_active"
    message_template = "Đơn vị «{name}» không còn hoạt động vào ngày {on}."


class OrgUnitDateInvalid(Invalid):
    code = "org_unit.invalid_date"
    message_template = "Ngày hiệu lực {on} không hợp lệ: {reason}"


class OrgUnitCycle(Invalid):
    code = "org_unit.cycle"
    message_template = "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."


class RootAlreadyExists(Conflict):
    code = "org_unit.root_exists"
    message_template = "Cây tổ chức đã có đơn vị gốc (Trung ương Hội)."


# --- users and auth -------------------------------------------------------------------------


class UnknownUser(NotFound):
    code = "user.not_found"
    message_template = "Không tìm thấy người dùng {username}."


class UsernameTaken(Conflict):
    code = "user.username_taken"
    message_template = "Tên đăng nhập «{username}» đã được dùng."


class InvalidRole(Invalid):
    code = "user.invalid_role"
    message_template = "Vai trò «{role}» không hợp lệ."


class OutsideScope(Forbidden):
    code = "auth.outside_scope"
    message_template = "Đơn vị này nằm ngoài phạm vi quản lý của bạn."


class RecipientOutsideScope(Forbidden):
    """A decision names people and collectives of its own system only: the Union's decision
    those within the issuing unit, an outside body's decision those within the unit that
    records it."""

    code = "decision.recipient_outside_scope"
    message_template = (
        "Dòng {line_no}: «{name}» thuộc đơn vị ngoài phạm vi của {scope} — quyết định chỉ ghi "
        "người, tập thể thuộc đơn vị ban hành (quyết định của Hội) hoặc đơn vị ghi nhận "
        "(quyết định của cơ quan ngoài Hội) và các đơn vị trực thuộc."
    )


class RoleRequired(Forbidden):
    code = "auth.role_required"
    message_template = "Cần vai trò {role} tại đơn vị có thẩm quyền."


class BadCredentials(DomainError):
    kind = "unauthenticated"
    code = "auth.bad_credentials"
    message_template = "Tên đăng nhập hoặc mật khẩu không đúng."


class LoginThrottled(DomainError):
    """Too many failed sign-ins for this account or from this address (429, ``Retry-After``:
    ``details.retry_after`` seconds; ``services.http.throttle``)."""

    kind = "throttled"
    code = "auth.throttled"
    message_template = (
        "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa để bảo vệ tài khoản. "
        "Vui lòng thử lại sau {wait} (lúc {at})."
    )


# --- catalog --------------------------------------------------------------------------------


class UnknownAwardKind(Invalid):
    code = "award_kind.unknown"
    message_template = "Không có hình thức khen thưởng «{award_kind}» trong danh mục."


class AwardKindNotInForce(Invalid):
    code = "award_kind.not_in_force"
    message_template = "«{award_title}» không có trong danh mục vào ngày {on}: {reason}."


class AwardKindExists(Conflict):
    code = "award_kind.exists"
    message_template = "Danh mục đã có hình thức mã «{award_kind}»."


class CatalogueChangeInPast(Invalid):
    code = "catalogue.change_not_future"
    message_template = (
        "Thay đổi, bãi bỏ hình thức «{award_title}» chỉ có hiệu lực từ ngày mai ({earliest}) trở "
        "đi: các quyết định đã ghi giữ nguyên hình thức như ngày ban hành."
    )


class CatalogueKindInvalid(Invalid):
    code = "catalogue.kind_invalid"
    message_template = "Hình thức khen thưởng không hợp lệ: {reason}"


class RecipientKindNotAllowed(Invalid):
    code = "award_kind.recipient_not_allowed"
    message_template = "«{award_title}» không dành cho {recipient_label}."


class StatedKindInternal(Invalid):
    code = "award_kind.as_stated_internal"
    message_template = (
        "Dòng {line_no}: quyết định của đơn vị Hội ban hành trong hệ thống phải dùng hình thức "
        "khen thưởng trong danh mục; chỉ quyết định của cơ quan, tổ chức ngoài Hội (ghi nhận "
        "theo văn bản) mới được ghi hình thức theo văn bản «{award_as_stated}»."
    )


class LineNotAsStated(Conflict):
    code = "decision.line_not_as_stated"
    message_template = (
        "Dòng {line_no} của quyết định {decision_number} ghi hình thức trong danh mục, không phải "
        "hình thức theo văn bản: không có gì để đối chiếu."
    )


class AboveAuthority(Conflict):
    code = "award_kind.above_authority"
    message_template = "{issuer_name} không có thẩm quyền quyết định «{award_title}»."


# --- nominations and review -----------------------------------------------------------------


class UnknownNomination(NotFound):
    code = "nomination.not_found"
    message_template = "Không tìm thấy đề nghị khen thưởng {nomination_id}."


class NominationNotEditable(Conflict):
    code = "nomination.not_editable"
    message_template = "Đề nghị đang ở trạng thái «{status_label}», không thể sửa."


class NominationNotSubmittable(Conflict):
    code = "nomination.not_submittable"
    message_template = "Đề nghị đang ở trạng thái «{status_label}», không thể trình."


class NominationNotWithdrawable(Conflict):
    code = "nomination.not_withdrawable"
    message_template = "Đề nghị đang ở trạng thái «{status_label}», không thể rút."


class ReviewNotOpen(Conflict):
    code = "review.not_open"
    message_template = "Đề nghị không đang chờ xét duyệt (trạng thái «{status_label}»)."


class NotCouncilMember(Forbidden):
    code = "review.not_council_member"
    message_template = "Bạn không phải thành viên Hội đồng TĐKT của đơn vị đang xét đề nghị này."


class NotCouncilChair(Forbidden):
    code = "review.not_chair"
    message_template = "Chỉ Chủ tịch Hội đồng TĐKT của đơn vị xét duyệt mới được kết luận."


class ReviewerRecused(Conflict):
    code = "review.recused"
    message_template = "Bạn đã xin không tham gia xét đề nghị này."


class AlreadyVoted(Conflict):
    code = "review.already_voted"
    message_template = "Bạn đã bỏ phiếu; không thể xin rút khỏi việc xét sau khi đã bỏ phiếu."


class NoMajority(Conflict):
    code = "review.no_majority"
    message_template = "Chưa đủ đa số đồng ý để đề nghị khen thưởng ({agree}/{cast} phiếu đồng ý)."


class ReasonRequired(Invalid):
    code = "review.reason_required"
    message_template = "Cần ghi rõ lý do."


class NominationNotDecidable(Conflict):
    code = "nomination.not_decidable"
    message_template = (
        "Đề nghị «{nomination_id}» chưa được Hội đồng có thẩm quyền đề nghị khen thưởng "
        "(trạng thái «{status_label}»)."
    )


class NominationAlreadyDecided(Conflict):
    code = "nomination.already_decided"
    message_template = "Đề nghị «{nomination_id}» đã có quyết định khen thưởng."


class NominationMismatch(Invalid):
    code = "nomination.mismatch"
    message_template = "Dòng {line_no}: {reason} không khớp với đề nghị khen thưởng."


class WrongDecidingUnit(Conflict):
    code = "nomination.wrong_deciding_unit"
    message_template = "Đề nghị «{nomination_id}» đang chờ quyết định tại đơn vị khác."


# --- decisions ------------------------------------------------------------------------------


class UnknownDecision(NotFound):
    code = "decision.not_found"
    message_template = "Không tìm thấy quyết định khen thưởng {decision_id}."


class DecisionNumberTaken(Conflict):
    code = "decision.number_taken"
    message_template = "Số quyết định «{number}» của {issuer_name} năm {year} đã được dùng."


class EmptyDecision(Invalid):
    code = "decision.no_lines"
    message_template = "Quyết định phải có ít nhất một người/tập thể được khen thưởng."


class UnknownLine(NotFound):
    code = "decision.line_not_found"
    message_template = "Quyết định không có dòng số {line_no}."


class AlreadyRevoked(Conflict):
    code = "decision.already_revoked"
    message_template = "{what} đã bị hủy bỏ từ ngày {revoked_on}."


class RevocationDateInvalid(Invalid):
    code = "decision.revocation_date_invalid"
    message_template = "Ngày hủy bỏ {revoked_on} không được trước ngày quyết định {decided_on}."


class AwardAlreadyReceived(Conflict):
    code = "award.already_received"
    message_template = (
        "{recipient_name} đã được tặng «{award_title}» (quyết định {decision_number}); "
        "hình thức này chỉ tặng một lần."
    )


class AchievementAlreadyAwarded(Conflict):
    code = "award.achievement_already_awarded"
    message_template = (
        "{recipient_name} đã được khen «{award_title}» cho thành tích {period} "
        "(quyết định {decision_number}); một thành tích không khen thưởng hai lần."
    )


class DuplicateLine(Invalid):
    code = "decision.duplicate_line"
    message_template = (
        "Dòng {line_no} trùng với dòng {other_line_no} (cùng người, hình thức, thành tích)."
    )


class NegativeAmount(Invalid):
    code = "money.negative"
    message_template = "Số tiền không được âm."


class AmountModeInvalid(Invalid):
    code = "money.mode_invalid"
    message_template = (
        "Dòng {line_no}: cách ghi số tiền phải là computed (tính theo quy định), decided (số tiền "
        "quyết định ghi) hoặc not_stated (quyết định không ghi số tiền)."
    )


class AmountMissing(Invalid):
    code = "money.amount_missing"
    message_template = (
        "Dòng {line_no}: đã chọn ghi số tiền theo quyết định nhưng chưa nhập số tiền."
    )


class AmountNotExpected(Invalid):
    code = "money.amount_not_expected"
    message_template = (
        "Dòng {line_no}: đã chọn “{mode_label}” nên không được nhập số tiền ({amount})."
    )


class AmountNeedsChoice(Invalid):
    code = "money.needs_choice"
    message_template = (
        "Dòng {line_no}: quy định chỉ cho mức tối đa {maximum_text}; quyết định phải ghi số tiền "
        "cụ thể (amount_mode = decided)."
    )


class NoMoneyRule(Invalid):
    code = "money.no_rule"
    message_template = "Dòng {line_no}: không tính được số tiền — {explanation}"


# --- ceremonies -----------------------------------------------------------------------------


class UnknownCeremony(NotFound):
    code = "ceremony.not_found"
    message_template = "Không tìm thấy buổi trao thưởng {ceremony_id}."


class DecisionAlreadyPresented(Conflict):
    code = "ceremony.decision_already_listed"
    message_template = "Quyết định {decision_number} đã có trong buổi trao thưởng này."


class DecisionNotPresented(Conflict):
    code = "ceremony.decision_not_listed"
    message_template = "Quyết định {decision_number} không có trong buổi trao thưởng này."


class DecisionHasPayments(Conflict):
    code = "ceremony.decision_has_payments"
    message_template = (
        "Đã ghi chi trả {amount_text} cho người nhận theo quyết định {decision_number} tại buổi "
        "trao thưởng này; điều chỉnh các lần chi trả về 0 đ trước khi bỏ quyết định."
    )


# --- payments at a ceremony (chi trả tiền thưởng) ---------------------------------------------


class UnknownPayment(NotFound):
    code = "payment.not_found"
    message_template = "Buổi trao thưởng không có lần ghi chi trả số {payment_no}."


class PaymentLineUnknown(Invalid):
    code = "payment.line_not_found"
    message_template = "Quyết định {decision_number} không có dòng số {line_no}."


class PaymentLineRevoked(Conflict):
    code = "payment.line_revoked"
    message_template = (
        "Dòng {line_no} ({recipient_name}) của quyết định {decision_number} đã bị hủy bỏ từ ngày "
        "{revoked_on}: không ghi chi trả mới (vẫn điều chỉnh được lần chi trả đã ghi)."
    )


class PaymentAboveAmount(Invalid):
    code = "payment.above_amount"
    message_template = (
        "Dòng {line_no} ({recipient_name}): {what}; cần ghi lý do chi vượt."
    )


class PaymentDateInvalid(Invalid):
    code = "payment.date_invalid"
    message_template = "Ngày chi trả {paid_on} không được trước ngày quyết định {decided_on}."


class PaymentStatusInvalid(Invalid):
    code = "payment.status_invalid"
    message_template = "Hình thức phải là signed (đã ký nhận) hoặc paid (đã chi, chuyển khoản)."


class PaymentReasonRequired(Invalid):
    code = "payment.reason_required"
    message_template = "Điều chỉnh lần chi trả số {payment_no} cần ghi rõ lý do."


class PaymentCorrectionUnchanged(Invalid):
    code = "payment.correction_unchanged"
    message_template = "Bản điều chỉnh không thay đổi gì so với lần chi trả số {payment_no}."


class UnknownSubmission(NotFound):
    code = "submission.not_found"
    message_template = "Không tìm thấy tờ trình {submission_id}."


# --- announced figures and outside hosts of ceremonies (issue 17) ---------------------------


class AnnouncedFigureInvalid(Invalid):
    code = "ceremony.announced_figure_invalid"
    message_template = "Số liệu công bố ({what}) không hợp lệ: {reason}."


class AnnouncedFigureRepeated(Invalid):
    code = "ceremony.announced_figure_repeated"
    message_template = "Số liệu công bố ({what}) được gửi hai lần; mỗi số liệu chỉ ghi một lần."


class HostBodyInvalid(Invalid):
    code = "ceremony.host_body_invalid"
    message_template = "Cơ quan chủ trì không hợp lệ: {reason}."


# --- issuers of every kind (issue 17) ---------------------------------------------------------


class IssuerLevelEnded(Invalid):
    code = "issuer.level_ended"
    message_template = (
        "Cấp {level_name} không còn từ ngày {ended_text}: {issuer_name} không thể là cơ quan ban "
        "hành một quyết định đề ngày {decided_text} (quyết định đề ngày {last_text} trở về "
        "trước vẫn được ghi nhận)."
    )


class NotNamedDecider(Invalid):
    code = "issuer.not_named_decider"
    message_template = (
        "«{award_title}» chỉ do {deciders} quyết định; {issuer_name} không có thẩm quyền "
        "quyết định hình thức này (dòng {line_no})."
    )


# --- personal data -------------------------------------------------------------------------


class PersonNotFound(Invalid):
    """No record names the person the body asks for (a reference in the body: 422)."""

    code = "personal_data.person_not_found"
    message_template = ("Không tìm thấy người nào được đề nghị hoặc khen thưởng với thông tin "
                        "đã nhập.")


class PersonOutsideYourUnits(Forbidden):
    """Not told apart: no record names her, or not all of them lie in the admin's units."""

    code = "personal_data.outside_your_units"
    message_template = ("Bạn không được xóa dữ liệu cá nhân của người này: không có hồ sơ nào "
                        "nêu người này, hoặc có hồ sơ ngoài các đơn vị bạn quản trị.")


class PersonalDataAlreadyErased(Conflict):
    code = "personal_data.already_erased"
    message_template = ("Không còn dữ liệu cá nhân nào của người này để xóa: đã xóa trước đó, "
                        "hoặc chưa từng ghi số CCCD, ngày sinh.")
