"""Payouts at a ceremony: payment records and their corrections (events of the ceremony), what
is committed, paid and outstanding, and the payout sheet (danh sách ký nhận tiền thưởng) as PDF
and XLSX. Approvers of the host unit record payments and corrections; anyone signed in reads
them, as she reads the ceremony and its history."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response

from services import payouts, printing
from services.api.deps import ActorDep, RuntimeDep, command_result
from services.api.schemas import PaymentCorrectionIn, PaymentIn
from services.app import Runtime
from services.http.downloads import content_disposition

router = APIRouter(prefix="/api", tags=["Quyết định và trao thưởng"])
MEDIA = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _payout_body(rt: Runtime, ceremony_id: UUID) -> dict:
    ceremony, result = rt.app.ceremonies.payout(ceremony_id)
    return payouts.payout(ceremony, result)


@router.get("/ceremonies/{ceremony_id}/payout",
            summary="Chi trả tiền thưởng: số phải chi, đã chi, còn lại (theo từng dòng)")
def get_payout(ceremony_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return _payout_body(rt, ceremony_id)


@router.post("/ceremonies/{ceremony_id}/payments", status_code=201,
             summary="Ghi nhận đã chi / đã ký nhận tiền thưởng cho một dòng")
def record_payment(ceremony_id: UUID, body: PaymentIn, rt: RuntimeDep, actor: ActorDep):
    data = body.model_dump(exclude={"expected_version"})
    saved = rt.app.ceremonies.record_payment(actor, ceremony_id, data, body.expected_version)
    return command_result(rt, saved, _payout_body(rt, ceremony_id), status=201,
                          location=f"/api/ceremonies/{ceremony_id}/payout")


@router.post("/ceremonies/{ceremony_id}/payments/{payment_no}/corrections",
             summary="Điều chỉnh một lần ghi chi trả (ghi thêm sự kiện, không sửa bản ghi cũ)")
def correct_payment(
    ceremony_id: UUID,
    payment_no: Annotated[int, Path(ge=1, le=1_000_000)],
    body: PaymentCorrectionIn,
    rt: RuntimeDep,
    actor: ActorDep,
):
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "expected_version"}
    saved = rt.app.ceremonies.correct_payment(actor, ceremony_id, payment_no, changes,
                                              body.expected_version)
    return command_result(rt, saved, _payout_body(rt, ceremony_id))


@router.get("/ceremonies/{ceremony_id}/payout.{fmt}",
            summary="Danh sách ký nhận tiền thưởng (PDF hoặc XLSX)", response_class=Response,
            responses={200: {"content": {MEDIA["pdf"]: {}, MEDIA["xlsx"]: {}}}})
def payout_sheet(ceremony_id: UUID, fmt: Literal["pdf", "xlsx"], rt: RuntimeDep,
                 actor: ActorDep):
    ceremony, result = rt.app.ceremonies.payout(ceremony_id)
    host = rt.app.tree.unit_state(ceremony.host_unit_id, ceremony.held_on).name
    sheet = payouts.payout_sheet(ceremony, result, host)
    body = printing.payout_pdf(sheet) if fmt == "pdf" else payouts.payout_xlsx(sheet)
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": content_disposition(f"{payouts.SHEET_FILENAME}.{fmt}")})
