"""Emulation refusals: one class per rule, each with a stable ``code`` (part of the public API:
never rename one) and a Vietnamese message. Kinds as in ``domain.errors``: invalid → 422,
conflict → 409, not found → 404."""

from __future__ import annotations

from domain.errors import Conflict, Invalid, NotFound

# -- indicators and results ---------------------------------------------------------------------


class IndicatorInvalid(Invalid):
    code = "emulation.indicator_invalid"
    message_template = "Chỉ tiêu không hợp lệ: {reason}."


class IndicatorUnknown(NotFound):
    code = "emulation.indicator_not_found"
    message_template = "Không có chỉ tiêu «{indicator_code}» trong {where}."


class IndicatorsLocked(Conflict):
    code = "emulation.indicators_locked"
    message_template = (
        "Đã có kết quả báo cáo theo các chỉ tiêu của {where}: không thể thay đổi danh sách chỉ "
        "tiêu nữa.")


class ResultInvalid(Invalid):
    code = "emulation.result_invalid"
    message_template = "Kết quả chỉ tiêu {indicator_code} không hợp lệ: {reason}."


class ResultMissing(NotFound):
    code = "emulation.result_not_found"
    message_template = "Chưa có kết quả báo cáo cho chỉ tiêu {indicator_code}."


class ReportConfirmed(Conflict):
    code = "emulation.report_confirmed"
    message_template = (
        "Kết quả chỉ tiêu {indicator_code} đã được xác nhận: đơn vị không tự sửa được nữa; "
        "chỉ đơn vị xác nhận được điều chỉnh (kèm lý do).")


class ReasonRequired(Invalid):
    code = "emulation.reason_required"
    message_template = "Cần ghi rõ lý do {what}."


# -- points, scores, thresholds, proposals ------------------------------------------------------


class PointsTableInvalid(Invalid):
    code = "emulation.points_invalid"
    message_template = "Bảng điểm không hợp lệ: {reason}."


class ScoreInvalid(Invalid):
    code = "emulation.score_invalid"
    message_template = "Điểm chấm không hợp lệ: {reason}."


class ScoreItemUnknown(NotFound):
    code = "emulation.score_item_not_found"
    message_template = "Bảng điểm không có mục «{item_code}»."


class DeductionUnknown(NotFound):
    code = "emulation.deduction_not_found"
    message_template = "Bảng điểm không có mục trừ điểm «{rule_code}»."


class ScoringLocked(Conflict):
    code = "emulation.scoring_locked"
    message_template = (
        "Đã có điểm chấm theo bảng điểm của giao ước thi đua năm {year}: không thay đổi bảng "
        "điểm (các mục, điểm tối đa) được nữa.")


class AssessmentNotAllowed(Conflict):
    code = "emulation.assessment_not_allowed"
    message_template = "Giao ước thi đua năm {year} chấm theo cách «{mode_label}»: {reason}."


class AssessorInvalid(Invalid):
    code = "emulation.assessor_invalid"
    message_template = "Đơn vị chấm điểm không phù hợp: {reason}."


class ThresholdsInvalid(Invalid):
    code = "emulation.thresholds_invalid"
    message_template = "Mức xếp loại không hợp lệ: {reason}."


class ProposalRulesInvalid(Invalid):
    code = "emulation.proposal_rules_invalid"
    message_template = "Quy định đề nghị khen thưởng theo thứ hạng không hợp lệ: {reason}."


# -- clusters and covenants ---------------------------------------------------------------------


class ClusterInvalid(Invalid):
    code = "emulation.cluster_invalid"
    message_template = "Cụm, khối thi đua không hợp lệ: {reason}."


class YearNotSet(Conflict):
    code = "emulation.year_not_set"
    message_template = "{cluster_name} chưa có danh sách thành viên năm {year}."


class NotMember(Conflict):
    code = "emulation.not_member"
    message_template = "Đơn vị {unit} không phải thành viên của {cluster_name} năm {year}."


class MemberExists(Conflict):
    code = "emulation.member_exists"
    message_template = "Đơn vị {unit} đã là thành viên của {cluster_name} năm {year}."


class MergeInvalid(Invalid):
    code = "emulation.merge_invalid"
    message_template = "Không ghi được việc hợp nhất thành viên: {reason}."


class CovenantInvalid(Invalid):
    code = "emulation.covenant_invalid"
    message_template = "Giao ước thi đua không hợp lệ: {reason}."


class CovenantNotDraft(Conflict):
    code = "emulation.covenant_not_draft"
    message_template = "Giao ước thi đua năm {year} đang ở trạng thái «{status_label}»: {what}."


class CovenantNotOpen(Conflict):
    code = "emulation.covenant_not_open"
    message_template = (
        "Giao ước thi đua năm {year} đang ở trạng thái «{status_label}», không nhận báo cáo, "
        "chấm điểm.")


class CovenantUnsigned(Conflict):
    code = "emulation.covenant_unsigned"
    message_template = "Chưa đủ thành viên ký giao ước thi đua năm {year}: còn {names}."


class NotSigned(Conflict):
    code = "emulation.not_signed"
    message_template = "Đơn vị {unit} chưa ký giao ước thi đua năm {year}."


# -- movements ----------------------------------------------------------------------------------


class MovementInvalid(Invalid):
    code = "emulation.movement_invalid"
    message_template = "Phong trào thi đua không hợp lệ: {reason}."


class MovementClosed(Conflict):
    code = "emulation.movement_closed"
    message_template = "Phong trào «{title}» đã kết thúc, không nhận đăng ký, báo cáo mới."


class NotParticipant(Conflict):
    code = "emulation.not_participant"
    message_template = "Đơn vị {unit} không thuộc các đơn vị tham gia phong trào «{title}»."


class OwnTargetsNotAllowed(Invalid):
    code = "emulation.own_targets_not_allowed"
    message_template = "Phong trào «{title}» không cho đơn vị tự đăng ký chỉ tiêu riêng."


class OwnTargetInvalid(Invalid):
    code = "emulation.own_target_invalid"
    message_template = "Chỉ tiêu đăng ký cho chỉ tiêu {indicator_code} không hợp lệ: {reason}."


# -- title registrations ------------------------------------------------------------------------


class TitleKindInvalid(Invalid):
    code = "emulation.title_kind_invalid"
    message_template = "«{award_kind}» không phải danh hiệu thi đua: chỉ đăng ký danh hiệu."


class EntryDuplicate(Conflict):
    code = "emulation.entry_duplicate"
    message_template = "{name} đã được đăng ký danh hiệu «{title}» (dòng {entry_no})."


class EntryUnknown(NotFound):
    code = "emulation.entry_not_found"
    message_template = "Bản đăng ký không có dòng số {entry_no} (hoặc dòng đã rút)."


class RegistrationClosed(Conflict):
    code = "emulation.registration_closed"
    message_template = "Bản đăng ký thi đua năm {year} đã khóa, không sửa được nữa."


class RegistrationInvalid(Invalid):
    code = "emulation.registration_invalid"
    message_template = "Bản đăng ký thi đua không hợp lệ: {reason}."


class TitlePrerequisite(Conflict):
    code = "emulation.title_prerequisite"
    message_template = (
        "{name} chưa đủ điều kiện đăng ký «{title}»: {reasons} Nếu hồ sơ có thành tích chưa ghi "
        "trong hệ thống, hãy ghi lý do để vẫn đăng ký.")


class RegistrationStillOpen(Conflict):
    code = "emulation.registration_open"
    message_template = (
        "Bản đăng ký thi đua năm {year} chưa khóa: khóa bản đăng ký (cuối năm) rồi mới lập đề "
        "nghị khen thưởng theo bản đăng ký.")


# -- proposals turned into nominations ----------------------------------------------------------


class CovenantNotClosed(Conflict):
    code = "emulation.covenant_not_closed"
    message_template = (
        "Giao ước thi đua năm {year} đang ở trạng thái «{status_label}»: kết thúc giao ước (chốt "
        "kết quả, điểm) rồi mới lập đề nghị khen thưởng theo kết quả.")


class NominationLinkInvalid(Invalid):
    code = "emulation.nomination_link_invalid"
    message_template = "Không ghi được đề nghị khen thưởng lập từ {where}: {reason}."


# -- records not found (named by the path) -------------------------------------------------------


class ClusterUnknown(NotFound):
    code = "emulation.cluster_not_found"
    message_template = "Không tìm thấy cụm, khối thi đua {cluster_id}."


class CovenantUnknown(NotFound):
    code = "emulation.covenant_not_found"
    message_template = "{cluster_name} chưa có giao ước thi đua năm {year}."


class ReportUnknown(NotFound):
    code = "emulation.report_not_found"
    message_template = (
        "Không có báo cáo của đơn vị {unit} theo giao ước thi đua năm {year} (đơn vị không phải "
        "thành viên của cụm năm đó).")


class MovementUnknown(NotFound):
    code = "emulation.movement_not_found"
    message_template = "Không tìm thấy phong trào thi đua {movement_id}."


class MovementRegistrationUnknown(NotFound):
    code = "emulation.registration_not_found"
    message_template = "Đơn vị {unit} chưa đăng ký tham gia phong trào «{title}»."


class TitleRegistrationUnknown(NotFound):
    code = "emulation.title_registration_not_found"
    message_template = "Không tìm thấy bản đăng ký danh hiệu thi đua {registration_id}."
