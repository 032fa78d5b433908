"""Certificates: the public verification page of a certificate's QR code, and the preview of
one certificate as it will be printed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.http.deps import RuntimeDep
from services.web.deps import SessionDep, SignedInDep
from services.web.forms import parse_id
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/verify/{token}", response_class=HTMLResponse)
def verify_page(request: Request, token: str, rt: RuntimeDep, actor: SessionDep):
    """Public: anyone holding a certificate can check it (no login)."""
    found = rt.app.certificates.verification(token[:64])
    return render(request, "verify.html", {"found": found}, 200 if found else 404, actor)


@router.get("/certificates/preview", response_class=HTMLResponse)
def certificate_preview(request: Request, rt: RuntimeDep, actor: SignedInDep, decision_id: str,
                        line_no: int = 1):
    decision = rt.app.decisions.decision(parse_id(decision_id))
    # as the API: a certificate's serial and verification link are the register's, which the
    # awards office of the recording unit keeps (GET /api/decisions/{id}/certificates, printing)
    rt.app.authz.require(actor, "approver", decision.recorded_by_unit_id)
    line = decision.line(line_no)
    # the line's entry in the certificate register (serial, verification token), once printed
    rt.ensure_position(rt.app.max_position())
    entry = next((row for row in rt.queries.certificates_of(str(decision.id))
                  if row["line_no"] == line_no), None)
    context = rt.app.certificates.certificate_context(decision, line, entry,
                                         verify_base=rt.settings.link_base(str(request.base_url)))
    return render(request, "certificate.html", {"c": context}, actor=actor)
