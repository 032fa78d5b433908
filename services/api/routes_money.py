"""Money: the schedules (base salary, decree coefficient tables, issuers' own rates) and the
calculator — "how much would this award carry on that date, and why" — before any decision."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from domain.catalog import BODY_LABELS, catalog
from domain.errors import NotFound, UnknownAwardKind, ValidationFailed
from domain.money import dong_in_words, format_dong
from domain.schedules import LEGAL_SCHEDULE_ID
from services import representations as rep
from services.api.choices import IssuerBody, Level, RecipientKind
from services.api.deps import (
    ActorDep,
    FreshDep,
    PageDep,
    RuntimeDep,
    command_result,
    listing,
)
from services.api.schemas import (
    BaseSalaryIn,
    BaseSalaryWithdrawIn,
    Day,
    InternalRateIn,
    TitlePolicyIn,
)
from services.app import Runtime
from services.money_report import schedule_differences as schedule_differences_report

router = APIRouter(prefix="/api", tags=["Tiền thưởng"])


def _schedules_answer(rt: Runtime, saved):
    return command_result(rt, saved, rep.schedules(rt.app.schedules.money_schedules()))


@router.get("/schedules", summary="Biểu mức tiền thưởng theo quy định (lương cơ sở, hệ số)")
def get_schedules(rt: RuntimeDep, actor: ActorDep):
    return rep.schedules(rt.app.schedules.money_schedules())


@router.get("/schedules/history", summary="Nhật ký thay đổi biểu mức tiền thưởng")
def schedules_history(rt: RuntimeDep, actor: ActorDep):
    return {"id": str(LEGAL_SCHEDULE_ID), "events": rep.history(rt.app.history(LEGAL_SCHEDULE_ID))}


@router.get(
    "/schedules/differences",
    summary="Các dòng tiền thưởng đã tính khác với biểu mức hiện biết cho ngày của chúng",
)
def schedule_differences(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    issuer_unit_id: UUID | None = None,
):
    """Each computed line in force (amount by the legal schedule or an issuer's own rates) is
    computed again with the schedules as they stand now, for its own date; the lines whose
    amount differs are listed with both amounts and today's explanation. Nothing is changed: a
    line is corrected by a new decision. For the awards office (approver) and admins, over the
    decisions recorded in their units."""
    return listing(schedule_differences_report(
        rt, actor, year=year, issuer_unit_id=issuer_unit_id, limit=page.limit,
        offset=page.offset), fresh)


@router.post("/schedules/load", summary="Ghi những mức, bảng hệ số mới có trong bản phát hành")
def load_schedules(rt: RuntimeDep, actor: ActorDep):
    return _schedules_answer(rt, rt.app.schedules.load_shipped_schedules(actor))


@router.post("/schedules/base-salary", summary="Ghi mức lương cơ sở mới (từ một ngày)")
def set_base_salary(body: BaseSalaryIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.schedules.set_base_salary(
        actor, effective_from=body.effective_from, amount=body.amount,
        legal_basis=body.legal_basis, verified=body.verified, note=body.note,
    )
    return _schedules_answer(rt, saved)


@router.post("/schedules/base-salary/withdraw", summary="Rút một mức lương cơ sở ghi nhầm")
def withdraw_base_salary(body: BaseSalaryWithdrawIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.schedules.withdraw_base_salary(
        actor, effective_from=body.effective_from, reason=body.reason
    )
    return _schedules_answer(rt, saved)


@router.put("/schedules/policy", summary="Chính sách: nhiều danh hiệu cùng thành tích")
def set_policy(body: TitlePolicyIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.schedules.set_title_policy(actor, highest_title_only=body.highest_title_only)
    return _schedules_answer(rt, saved)


@router.get("/schedules/internal-rates", summary="Mức thưởng riêng của một đơn vị Hội")
def get_internal_rates(unit_id: UUID, rt: RuntimeDep, actor: ActorDep):
    issuer, rates = rt.app.schedules.internal_rates_of(unit_id)
    return {
        "issuer": issuer.as_dict(),
        "items": [{**r.as_dict(), "amount_text": format_dong(r.amount)} for r in rates],
    }


@router.post("/schedules/internal-rates", summary="Ghi mức thưởng riêng của đơn vị (từ một ngày)")
def set_internal_rate(body: InternalRateIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.schedules.set_internal_rate(
        actor, unit_id=body.unit_id, award_kind=body.award_kind,
        recipient_kind=body.recipient_kind, effective_from=body.effective_from,
        amount=body.amount, note=body.note,
    )
    issuer, rates = rt.app.schedules.internal_rates_of(body.unit_id)
    return command_result(rt, saved, {
        "issuer": issuer.as_dict(),
        "items": [{**r.as_dict(), "amount_text": format_dong(r.amount)} for r in rates],
    })


@router.get("/calculator", summary="Tính thử số tiền thưởng (không ghi gì)")
def calculator(
    rt: RuntimeDep,
    actor: ActorDep,
    award_kind: Annotated[str, Query(max_length=100)],
    recipient_kind: RecipientKind,
    on: Day,
    issuer_unit_id: UUID | None = None,
    issuer_body: IssuerBody | None = None,
    issuer_level: Level | None = None,
    issuer_name: Annotated[str | None, Query(max_length=300)] = None,
):
    if issuer_unit_id is not None:
        issuer = {"unit_id": str(issuer_unit_id)}
    elif issuer_body and issuer_level:
        label = BODY_LABELS[issuer_body]
        default_name = f"{label[:1].upper()}{label[1:]} cấp {catalog().level(issuer_level).name}"
        issuer = {"body": issuer_body, "level": issuer_level,
                  "name": issuer_name or default_name}
    else:
        raise ValidationFailed(
            reason="cần issuer_unit_id, hoặc issuer_body và issuer_level (cơ quan ngoài Hội)"
        )
    q, resolved = rt.app.schedules.calculate(
        award_kind=award_kind, recipient_kind=recipient_kind, issuer=issuer, on=on
    )
    return rep.quote(q, resolved, on, award_kind, recipient_kind)


@router.get("/catalog/award-kinds/{code}/money", summary="Quy định tiền thưởng của một hình thức")
def kind_money(code: str, rt: RuntimeDep, actor: ActorDep):
    try:
        kind = catalog().kind(code)
    except UnknownAwardKind:
        raise NotFound(what=f"hình thức khen thưởng «{code}»") from None
    return {"award_kind": kind.code, "title": kind.title,
            "rules": rep.kind_money(kind.code, rt.app.schedules.money_schedules())}


@router.get("/money/in-words", summary="Đọc số tiền thành chữ (dùng cho văn bản)")
def in_words(amount: Annotated[int, Query(ge=0, lt=10**15)], actor: ActorDep):
    return {"amount": amount, "amount_text": format_dong(amount),
            "in_words": dong_in_words(amount)}
