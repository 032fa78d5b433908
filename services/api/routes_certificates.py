"""Certificates (bulk PDF, both print modes), the decision document (PDF, DOCX) and the public
verification of a certificate's QR code."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from domain.errors import NotFound
from domain.text import nfc
from services import documents, printing
from services.api.deps import ActorDep, RuntimeDep
from services.api.schemas import PrintIn
from services.app import Runtime
from services.http.downloads import content_disposition

router = APIRouter(prefix="/api", tags=["Giấy chứng nhận, văn bản"])
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(body: bytes, media: str, filename: str, extra: dict[str, str] | None = None
              ) -> Response:
    headers = {"Content-Disposition": content_disposition(filename), **(extra or {})}
    return Response(body, media_type=media, headers=headers)


def print_pdf(rt: Runtime, actor, decision_ids: list[UUID], body: PrintIn,
              request: Request) -> Response:
    printing.certificate_source(body.mode, body.printer)  # a mode or printer unknown: no serial
    items, saved = rt.app.certificates.print_certificates(actor, decision_ids,
                                             reprint_reason=body.reprint_reason)
    if saved is not None:
        rt.after(saved)
    base = rt.settings.link_base(str(request.base_url))
    place = nfc(body.place) if body.place else None
    contexts = rt.app.certificates.certificate_contexts(items, verify_base=base, place=place)
    pdf = printing.certificates_pdf(contexts, mode=body.mode, printer=body.printer)
    serials = [c["serial"] for c in contexts]
    return _download(pdf, PDF, "giay-chung-nhan.pdf", {
        "X-TDKT-Pages": str(len(contexts)),
        "X-TDKT-Serials": f"{min(serials)}-{max(serials)}",
        "X-TDKT-Position": str(saved.position if saved else rt.app.max_position()),
    })


@router.post("/decisions/{decision_id}/certificates", summary="In giấy chứng nhận của quyết định",
             response_class=Response, responses={200: {"content": {PDF: {}}}})
def print_decision(decision_id: UUID, body: PrintIn, rt: RuntimeDep, actor: ActorDep,
                   request: Request):
    return print_pdf(rt, actor, [decision_id], body, request)


@router.post("/ceremonies/{ceremony_id}/certificates",
             summary="In giấy chứng nhận của mọi quyết định được trao tại buổi lễ",
             response_class=Response, responses={200: {"content": {PDF: {}}}})
def print_ceremony(ceremony_id: UUID, body: PrintIn, rt: RuntimeDep, actor: ActorDep,
                   request: Request):
    ceremony = rt.app.ceremonies.ceremony(ceremony_id)
    return print_pdf(rt, actor, list(ceremony.decision_ids), body, request)


@router.get("/decisions/{decision_id}/certificates", summary="Sổ vào sổ của quyết định")
def certificate_register(decision_id: UUID, rt: RuntimeDep, actor: ActorDep, request: Request):
    """For the awards office: serials, copies printed, and each certificate's verification URL."""
    decision = rt.app.decisions.decision(decision_id)
    rt.app.authz.require(actor, "approver", decision.recorded_by_unit_id)
    rt.ensure_position(rt.app.max_position())
    base = rt.settings.link_base(str(request.base_url))
    items = []
    for row in rt.queries.certificates_of(str(decision_id)):
        token = row.pop("token")
        items.append({**row, "verify_url": f"{base}/verify/{token}"})
    return {"items": items}


@router.get("/decisions/{decision_id}/document.{fmt}", summary="Văn bản quyết định (PDF, DOCX)",
            response_class=Response)
def decision_document(decision_id: UUID, fmt: Literal["pdf", "docx"], rt: RuntimeDep,
                      actor: ActorDep):
    decision = rt.app.decisions.decision(decision_id)
    document = documents.decision_document(decision, rt.app.certificates.place_of(decision),
                                           rt.app.certificates.revocations(decision))
    filename = f"quyet-dinh-{decision.number}.{fmt}"
    if fmt == "pdf":
        return _download(printing.decision_pdf(document), PDF, filename)
    return _download(documents.decision_docx(document), DOCX, filename)


@router.get("/verify/{token}", summary="Kiểm tra giấy chứng nhận (công khai, không cần đăng nhập)",
            tags=["Công khai"])
def verify(token: Annotated[str, Path(max_length=64)], rt: RuntimeDep):
    found = rt.app.certificates.verification(token)
    if found is None:
        raise NotFound(what="giấy chứng nhận với mã này")
    return found
