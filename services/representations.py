"""Aggregates as JSON-ready dicts with Vietnamese labels, shared by the API, pages and CLI: the
API's presentation of aggregates (``services.presentation`` holds the rest of the edge's words;
totals are worded by ``services.presentation.totals``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.calculator import Quote
from domain.catalog import BODY_LABELS, RECIPIENT_LABELS, catalog, line_award_title
from domain.ceremony import Ceremony
from domain.decision import REVOCATION_GROUNDS, AwardDecision, DecisionLine, Issuer
from domain.decision import (
    STATUS_LABELS as DECISION_STATUS,
)
from domain.money import dong_in_words, format_dong
from domain.nomination import (
    AWARD_TYPES,
    OUTCOME_LABELS,
    VOTE_LABELS,
    Nomination,
)
from domain.nomination import (
    STATUS_LABELS as NOMINATION_STATUS,
)
from domain.org import OrgUnit
from domain.pricing import AMOUNT_MODE_LABELS, AMOUNT_SOURCE_LABELS
from domain.schedules import MoneySchedules, kind_rules, rule_label
from domain.submission import Submission
from domain.totals import in_force, reconcile, totals_in_force
from domain.users import ROLE_LABELS, User
from services.presentation.totals import counts_text, not_stated_text, with_amount_text

EVENT_LABELS = {
    "OrgUnit.Created": "Thành lập đơn vị",
    "OrgUnit.Renamed": "Đổi tên",
    "OrgUnit.Moved": "Chuyển trực thuộc",
    "OrgUnit.MergedInto": "Sáp nhập vào đơn vị khác",
    "OrgUnit.Dissolved": "Giải thể",
    "OrgUnit.ChildAttached": "Tiếp nhận đơn vị trực thuộc",
    "OrgUnit.ChildDetached": "Chuyển đi đơn vị trực thuộc",
    "Nomination.Created": "Lập đề nghị khen thưởng",
    "Nomination.Edited": "Sửa đề nghị",
    "Nomination.Submitted": "Trình Hội đồng xét duyệt",
    "Nomination.Withdrawn": "Rút đề nghị",
    "Nomination.VoteCast": "Bỏ phiếu",
    "Nomination.Recused": "Xin không tham gia xét",
    "Nomination.ReviewClosed": "Hội đồng kết luận",
    "Nomination.Forwarded": "Chuyển lên cấp trên xét",
    "Nomination.Decided": "Có quyết định khen thưởng",
    "Nomination.AwardRevoked": "Khen thưởng bị hủy bỏ",
    "Nomination.AttachmentAdded": "Đính kèm tệp",
    "Nomination.AttachmentRemoved": "Gỡ tệp đính kèm",
    "AwardDecision.Created": "Ban hành / ghi nhận quyết định",
    "AwardDecision.LineRevoked": "Hủy bỏ khen thưởng một người/tập thể",
    "AwardDecision.Revoked": "Hủy bỏ quyết định",
    "AwardDecision.LineKindMapped": "Đối chiếu hình thức ghi theo văn bản với danh mục",
    "Ceremony.Created": "Lập buổi trao thưởng",
    "Ceremony.DetailsChanged": "Sửa thông tin buổi trao thưởng",
    "Ceremony.DecisionAdded": "Thêm quyết định được trao",
    "Ceremony.DecisionRemoved": "Bỏ quyết định khỏi buổi trao",
    "Ceremony.TotalAnnounced": "Ghi tổng số tiền công bố",
    "Ceremony.CountAnnounced": "Ghi số lượng công bố",
    "Ceremony.HostBodyNamed": "Ghi cơ quan chủ trì",
    "Ceremony.PaymentRecorded": "Ghi nhận chi trả tiền thưởng",
    "Ceremony.PaymentCorrected": "Điều chỉnh lần ghi chi trả",
    "Submission.Created": "Lập tờ trình",
    "Submission.AttachmentAdded": "Đính kèm tệp",
    "Submission.AttachmentRemoved": "Gỡ tệp đính kèm",
    "User.Created": "Tạo người dùng",
    "User.GrantAdded": "Giao vai trò",
    "User.GrantRemoved": "Thu hồi vai trò",
    "User.PasswordChanged": "Đổi mật khẩu",
    "User.TokenIssued": "Cấp mã truy cập",
    "User.TokenRevoked": "Thu hồi mã truy cập",
    "LegalSchedule.Created": "Lập biểu mức tiền thưởng theo quy định",
    "LegalSchedule.BaseSalarySet": "Ghi mức lương cơ sở",
    "LegalSchedule.BaseSalaryWithdrawn": "Rút mức lương cơ sở",
    "LegalSchedule.PeriodSet": "Ghi bảng hệ số của nghị định",
    "LegalSchedule.PolicySet": "Đổi chính sách nhiều danh hiệu",
    "LegalSchedule.ReleaseLoaded": "Nạp biểu mức của bản phát hành",
    "InternalRates.Created": "Lập biểu mức thưởng của đơn vị",
    "InternalRates.RateSet": "Ghi mức thưởng của đơn vị",
}
_HIDDEN_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "actor",
    "token_hash",
    "password_hash",
    "shipped",  # a release's whole data set: its changes are shown, not the full copy
}


def plain(value: Any) -> Any:
    """Event data as JSON: dates ISO, ids as strings."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return value


def history(events: list[Any]) -> list[dict[str, Any]]:
    out = []
    for event in events:
        name = type(event).__qualname__
        data = {k: plain(v) for k, v in vars(event).items() if k not in _HIDDEN_FIELDS}
        out.append(
            {
                "version": event.originator_version,
                "event": name,
                "label": EVENT_LABELS.get(name, name),
                "at": event.timestamp.isoformat(),
                "by": getattr(event, "actor", None),
                "data": data,
            }
        )
    return out


def unit(unit: OrgUnit, on: date) -> dict[str, Any]:
    state = unit.state_on(on)
    current = state or unit.latest_state()
    out = current.as_dict()
    out["as_of"] = on.isoformat()
    out["existed"] = state is not None
    out["version"] = unit.version
    out["children"] = sorted(str(c) for c in unit.children_on(on))
    return out


def recipient(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "kind_label": RECIPIENT_LABELS.get(data["kind"], data["kind"])}


def nomination(nom: Nomination) -> dict[str, Any]:
    kind = catalog().kind(nom.award_kind)
    return {
        "id": str(nom.id),
        "version": nom.version,
        "status": nom.status,
        "status_label": NOMINATION_STATUS[nom.status],
        "proposing_unit_id": str(nom.proposing_unit_id),
        "review_unit_id": str(nom.review_unit_id) if nom.review_unit_id else None,
        "decision_unit_id": str(nom.decision_unit_id) if nom.decision_unit_id else None,
        "nominator": nom.nominator,
        "recipient": recipient(nom.recipient),
        "award_kind": nom.award_kind,
        "award_title": kind.title,
        "award_type": nom.award_type,
        "award_type_label": AWARD_TYPES[nom.award_type],
        "achievement": nom.achievement,
        "period": nom.period,
        "attachments": nom.attachments,
        "submission_id": str(nom.submission_id) if nom.submission_id else None,
        "review": {
            "round": nom.round,
            "votes": [
                {"reviewer": who, **ballot, "vote_label": VOTE_LABELS[ballot["vote"]]}
                for who, ballot in sorted(nom.votes.items())
            ],
            "recused": [
                {"reviewer": who, "reason": why} for who, why in sorted(nom.recused.items())
            ],
            "tally": nom.tally(),
        },
        "closed_reviews": [
            {**plain(r), "outcome_label": OUTCOME_LABELS[r["outcome"]]} for r in nom.closed_reviews
        ],
        "decision": plain(nom.decision),
        "revocation": plain(nom.revocation),
        "created_at": nom.created_on.isoformat(),
        "updated_at": nom.modified_on.isoformat(),
    }


def decision_line(line: DecisionLine, on: date | None = None) -> dict[str, Any]:
    out = plain(line.as_dict())
    out["recipient"] = recipient(out["recipient"])
    out["award_as_stated"] = line.award_as_stated
    out["awaits_mapping"] = line.awaits_mapping
    out["award_title"] = line_award_title(line.award_kind, line.award_as_stated, on)
    out["amount_source_label"] = AMOUNT_SOURCE_LABELS.get(
        line.amount_source, line.amount_source
    )
    out["amount_mode_label"] = AMOUNT_MODE_LABELS.get(line.amount_mode, line.amount_mode)
    out["amount_text"] = format_dong(line.amount)
    out["status"] = "revoked" if line.revoked_on else "active"
    return out


# the kinds a decision's or a ceremony's counts always name: "0 tập thể, 3 cá nhân"
SHOWN_KINDS = ("collective", "individual")


def decision_totals(all_lines: list[DecisionLine]) -> dict[str, Any]:
    """Money totals of the lines in force (``domain.totals``: with the distinct recipients of
    each kind, ``recipients``, and their words, ``counts_text``), with how many lines were
    issued and how many carry warnings."""
    active = in_force(all_lines)
    out = with_amount_text(totals_in_force(active))
    return {
        **out,
        "counts_text": counts_text(out, shown=SHOWN_KINDS),
        "lines": len(all_lines),
        "active_lines": len(active),
        "lines_without_amount_text": not_stated_text(out["lines_without_amount"]),
        "lines_with_warnings": sum(1 for li in active if li.warnings),
    }


def decision(dec: AwardDecision) -> dict[str, Any]:
    lines = [decision_line(line, dec.decided_on) for line in dec.lines]
    return {
        "id": str(dec.id),
        "version": dec.version,
        "number": dec.number,
        "decided_on": dec.decided_on.isoformat(),
        "issuer": dec.issuer,
        "issuer_body_label": BODY_LABELS.get(dec.issuer["body"], dec.issuer["body"]),
        "external": dec.external,
        "recorded_by_unit_id": str(dec.recorded_by_unit_id),
        "signer": dec.signer,
        "subject": dec.subject,
        "legal_basis": dec.legal_basis,
        "achievement": dec.achievement,
        "status": dec.status,
        "status_label": DECISION_STATUS[dec.status],
        "revoked_on": dec.revoked_on.isoformat() if dec.revoked_on else None,
        "revocation_reason": dec.revocation_reason,
        "totals": decision_totals(dec.lines),
        "lines": lines,
        "revocation_grounds": REVOCATION_GROUNDS,
        "created_at": dec.created_on.isoformat(),
    }


def ceremony(cer: Ceremony, decisions: list[AwardDecision]) -> dict[str, Any]:
    listed = [decision(d) for d in decisions]
    presented = with_amount_text(totals_in_force(line for d in decisions for line in d.lines))
    announced = cer.announced_total
    difference = reconcile(announced, presented["amount"])
    return {
        "id": str(cer.id),
        "version": cer.version,
        "title": cer.title,
        "held_on": cer.held_on.isoformat(),
        "place": cer.place,
        "host_unit_id": str(cer.host_unit_id),
        "decisions": [
            {
                k: d[k]
                for k in (
                    "id",
                    "number",
                    "decided_on",
                    "issuer",
                    "status",
                    "status_label",
                    "totals",
                )
            }
            for d in listed
        ],
        "totals": {
            **presented,
            "counts_text": counts_text(presented, shown=SHOWN_KINDS),
            "computed": presented["amount"],  # None when no line states an amount
            "computed_text": presented["amount_text"],
            "announced": announced,
            "announced_text": format_dong(announced) if announced is not None else None,
            "announced_source": cer.announced_source,
            "difference": difference,
            "difference_text": format_dong(difference) if difference is not None else None,
        },
    }


def submission(sub: Submission) -> dict[str, Any]:
    return {
        "id": str(sub.id),
        "version": sub.version,
        "number": sub.number,
        "title": sub.title,
        "submitted_on": sub.submitted_on.isoformat(),
        "proposing_unit_id": str(sub.proposing_unit_id),
        "nomination_ids": [str(n) for n in sub.nomination_ids],
    }


def user(usr: User) -> dict[str, Any]:
    return {
        "id": str(usr.id),
        "version": usr.version,
        "username": usr.username,
        "full_name": usr.full_name,
        "home_unit_id": str(usr.home_unit_id) if usr.home_unit_id else None,
        "has_password": bool(usr.password_hash),
        "grants": [
            {
                "role": g["role"],
                "role_label": ROLE_LABELS[g["role"]],
                "unit_id": str(g["unit_id"]),
                "chair": g["chair"],
            }
            for g in usr.grants
        ],
        "tokens": [
            {"id": token_id, "label": t["label"], "revoked": t["revoked"]}
            for token_id, t in usr.tokens.items()
        ],
    }


# -- money schedules ----------------------------------------------------------------------------


def schedules(ms: MoneySchedules) -> dict[str, Any]:
    return {
        "version": ms.version,
        "highest_title_only": ms.highest_title_only,
        "base_salaries": [
            {**plain(b.as_dict()), "amount_text": format_dong(b.amount)} for b in ms.base_salaries
        ],
        "periods": [plain(p.as_dict()) for p in ms.periods],
    }


def kind_money(kind_code: str, ms: MoneySchedules) -> list[dict[str, Any]]:
    """For one award kind: which rule each deciding body/level uses, and its coefficients in
    each decree period recorded."""
    out = []
    for decider, rule in kind_rules(kind_code).items():
        entry: dict[str, Any] = {"decided_by": decider, "rule": rule}
        if rule == "internal":
            entry["rule_label"] = "Mức thưởng do đơn vị ban hành quy định"
        else:
            entry["rule_label"] = rule_label(rule)
            entry["periods"] = [
                {"period": p.code, "title": p.title, "effective_from": p.effective_from.isoformat(),
                 **p.rules[rule]}
                for p in ms.periods if rule in p.rules
            ]
        out.append(entry)
    return out


def quote(q: Quote, issuer: Issuer, on: date, award_kind: str, recipient_kind: str
          ) -> dict[str, Any]:
    figure = q.amount if q.amount is not None else q.maximum
    return {
        "award_kind": award_kind,
        "award_title": catalog().kind(award_kind).title,
        "recipient_kind": recipient_kind,
        "on": on.isoformat(),
        "issuer": issuer.as_dict(),
        **plain(q.as_dict()),
        "amount_text": format_dong(q.amount) if q.amount is not None else None,
        "maximum_text": format_dong(q.maximum) if q.maximum is not None else None,
        "in_words": dong_in_words(figure) if figure is not None else None,
    }
