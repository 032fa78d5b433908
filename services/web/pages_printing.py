"""Printing certificates (giấy khen, bằng khen) from the pages, for the awards office.

A decision's or a ceremony's print page shows its certificate register — each line's serial,
copies (the original and its reprints), verification link and QR code — and the print form:
which lines (every line in force by default), the mode (the full design on blank paper, or the
text alone on pre-printed blanks) and the printer's calibration. A check page says what will
happen (new serials are given and never reused; a reprint needs its reason) before anything is
recorded; then the serials are recorded and the PDF is laid out in a background run
(``services.web.print_runs``) whose status page refreshes itself until the PDF is ready.

The same permission as the API: an approver of each decision's recording unit. The QR code of a
certificate, like its verification page, is public. The API keeps no printer setting per user or
unit: the last mode, printer and offsets are remembered by the browser (a cookie); named printer
calibrations are those of ``templates/certificates/layouts.toml``.

| page | |
|---|---|
| ``GET /decisions/{id}/certificates``, ``GET /ceremonies/{id}/certificates`` | register, form |
| ``POST …/certificates/confirm`` | what will happen (check page) |
| ``POST …/certificates/print`` | record the serials, start the run → its status page |
| ``GET /certificates/runs/{run}``, ``…/pdf`` | progress (refreshes every 2 s), the PDF |
| ``GET /verify/{token}/qr.svg`` | public: a certificate's QR code |
"""

from __future__ import annotations

import asyncio
import math
import unicodedata
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import pass_context
from starlette.datastructures import FormData

from domain.decision import AwardDecision
from domain.errors import DomainError, NotFound
from domain.text import nfc
from services import printing
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.presentation.certificates import award_title
from services.web import print_runs
from services.web.deps import SignedInDep
from services.web.forms import dmy, parse_id
from services.web.routing import page_router
from services.web.templating import local_time, render, templates

router = page_router()

CALIBRATION_COOKIE = "tdkt_print"  # the last mode, printer and offsets this browser used
MAX_OFFSET_MM = 20.0
CONFIRM_SHOWN = 200  # lines listed on the check page; the rest are counted
MODE_LABELS = {"full": "In cả mẫu (lên giấy trắng)", "overlay": "In lên phôi in sẵn (chỉ in chữ)"}


@dataclass
class Scope:
    """What a print page prints: one decision, or every decision of a ceremony."""

    kind: str  # decision | ceremony
    title: str
    back: str
    base: str  # this print page's URL
    slug: str  # for the PDF's file name
    decisions: list[AwardDecision]


@dataclass
class Choice:
    """What the form chose; ``errors``: field → message (the form shows them)."""

    mode: str = "full"
    printer: str = "default"
    dx: float = 0.0
    dy: float = 0.0
    keys: list[str] | None = None  # the lines chosen ("decision id:line no")
    every: bool = False  # every line in force is chosen
    reason: str = ""

    @property
    def offset(self) -> tuple[float, float]:
        return self.dx, self.dy


def _scope(rt: Runtime, actor: Actor, area: str, raw_id: str) -> Scope:
    """The decision or ceremony, once the actor is seen to be an approver of the recording unit
    of each decision (the API's rule for printing and for the register)."""
    if area == "decisions":
        decision = rt.app.decisions.decision(parse_id(raw_id))
        decisions, kind, item = [decision], "decision", decision.id
        title = f"Quyết định số {decision.number} ngày {dmy(decision.decided_on)}"
        slug = decision.number
    else:
        ceremony = rt.app.ceremonies.ceremony(parse_id(raw_id))
        decisions = [rt.app.decisions.decision(d) for d in ceremony.decision_ids]
        kind, item = "ceremony", ceremony.id
        title = f"{ceremony.title} ({dmy(ceremony.held_on)})"
        slug = f"buoi-trao-thuong-{ceremony.held_on:%Y-%m-%d}"
        if not decisions:
            rt.app.authz.require(actor, "approver", ceremony.host_unit_id)
    for decision in decisions:
        rt.app.authz.require(actor, "approver", decision.recorded_by_unit_id)
    path = f"/{area}/{item}"
    return Scope(kind=kind, title=title, back=path, base=f"{path}/certificates", slug=slug,
                 decisions=decisions)


def _link_base(rt: Runtime, request: Request) -> str:
    return rt.settings.link_base(str(request.base_url))


def _rows(rt: Runtime, scope: Scope, base: str) -> list[dict[str, Any]]:
    """Every line of the scope's decisions with its register entry, if printed."""
    rt.ensure_position(rt.app.max_position())
    rows = []
    for decision in scope.decisions:
        register = {r["line_no"]: r for r in rt.queries.certificates_of(str(decision.id))}
        for line in decision.lines:
            entry = register.get(line.line_no)
            token = entry["token"] if entry else None
            rows.append({
                "key": f"{decision.id}:{line.line_no}",
                "decision_id": str(decision.id),
                "decision_number": decision.number,
                "line_no": line.line_no,
                "name": line.recipient_name,
                "position": line.recipient.get("position") or "",
                "award": award_title(line.award_kind, decision.issuer, decision.decided_on),
                "in_force": line.revoked_on is None,
                "revoked_on": line.revoked_on.isoformat() if line.revoked_on else "",
                "printed": entry is not None,
                "serial": f"{entry['serial']}/{entry['year']}" if entry else "",
                "copies": entry["copies"] if entry else 0,
                "reprints": entry["copies"] - 1 if entry else 0,
                "last_printed_on": entry["last_printed_on"] if entry else "",
                "token": token or "",
                "verify_url": f"{base}/verify/{token}" if token else "",
            })
    return rows


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 → "1–3, 5"."""
    out: list[str] = []
    for n in sorted(set(numbers)):
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


def _history(rt: Runtime, scope: Scope) -> list[dict[str, Any]]:
    numbers = {str(d.id): d.number for d in scope.decisions}
    years = {str(d.id): d.decided_on.year for d in scope.decisions}
    out = []
    for run in reversed(rt.app.certificates.print_history(scope.decisions)):
        by_decision: dict[str, list[int]] = {}
        for decision_id, _line_no, serial in run["lines"]:
            if serial is not None:
                by_decision.setdefault(decision_id, []).append(serial)
        serials = "; ".join(
            (f"{numbers[d]}: " if len(scope.decisions) > 1 else "")
            + f"số {_ranges(s)}/{years[d]}" for d, s in by_decision.items())
        out.append({"at": local_time(run["at"]),
                    "by": run["by"], "reprint": run["reprint"], "reason": run["reason"],
                    "count": len(run["lines"]), "serials": serials})
    return out


def _millimetres(text: str | None, label: str, field: str, errors: dict[str, str]) -> float:
    text = (text or "").strip().replace(",", ".").replace("−", "-")
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > MAX_OFFSET_MM:
        errors[field] = (f"{label} phải là một số milimét từ −{MAX_OFFSET_MM:g} đến "
                         f"{MAX_OFFSET_MM:g} (ví dụ 1,5 hoặc -2).")
        return 0.0
    return round(value, 1) + 0.0  # no "-0"


def _remembered(request: Request) -> Choice:
    """The calibration this browser used last (a cookie), or the defaults."""
    parts = (request.cookies.get(CALIBRATION_COOKIE) or "").split(":")
    choice = Choice()
    if len(parts) == 4:
        errors: dict[str, str] = {}
        mode, printer = parts[0], parts[1]
        dx, dy = (_millimetres(p, "", "x", errors) for p in parts[2:])
        if mode in printing.MODES and printer in _printers() and not errors:
            choice = Choice(mode=mode, printer=printer, dx=dx, dy=dy)
    return choice


def _printers() -> list[str]:
    return list(printing.layouts().get("printers", {}))


def _read_choice(form: FormData, rows: list[dict[str, Any]], errors: dict[str, str]) -> Choice:
    """The form's choice, checked against the register; problems go to ``errors``."""
    mode = str(form.get("mode") or "full")
    if mode not in printing.MODES:
        errors["mode"] = "Chọn cách in: in cả mẫu hoặc in lên phôi."
        mode = "full"
    printer = str(form.get("printer") or "default")
    if printer not in _printers():
        errors["printer"] = "Chọn một máy in có trong danh sách."
        printer = "default"
    dx = _millimetres(str(form.get("dx") or ""), "Độ lệch ngang", "dx", errors)
    dy = _millimetres(str(form.get("dy") or ""), "Độ lệch dọc", "dy", errors)
    in_force = [r["key"] for r in rows if r["in_force"]]
    if form.get("lines") == "all":
        keys = in_force
    else:
        known = {r["key"]: r for r in rows}
        sent = list(dict.fromkeys(str(k) for k in form.getlist("line")))
        keys = [k for k in sent if k in known and known[k]["in_force"]]
        if len(keys) != len(sent):
            errors["lines"] = ("Có dòng đã chọn không còn hiệu lực hoặc không thuộc danh sách; "
                               "hãy chọn lại.")
    if not keys and "lines" not in errors:
        errors["lines"] = ("Đánh dấu ít nhất một dòng còn hiệu lực, hoặc chọn in tất cả các dòng "
                           "còn hiệu lực.")
    return Choice(mode=mode, printer=printer, dx=dx, dy=dy, keys=keys,
                  every=bool(keys) and keys == in_force,
                  reason=nfc(str(form.get("reason") or "")).strip())


def _form_page(request: Request, rt: Runtime, actor: Actor, scope: Scope, choice: Choice,
               errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    rows = _rows(rt, scope, _link_base(rt, request))
    every = choice.keys is None or choice.every
    chosen = set() if every else set(choice.keys or [])
    in_force = [r for r in rows if r["in_force"]]
    return render(request, "certificates_print.html", {
        "scope": scope, "rows": rows, "every": every, "chosen": chosen, "choice": choice,
        "errors": errors or {}, "history": _history(rt, scope), "modes": MODE_LABELS,
        "printers": _printers(), "max_offset": MAX_OFFSET_MM,
        "counts": {"lines": len(rows), "in_force": len(in_force),
                   "printed": sum(1 for r in in_force if r["printed"]),
                   "reprints": sum(r["reprints"] for r in rows)},
        "many_decisions": len(scope.decisions) > 1,
    }, status, actor)


def _confirm_page(request: Request, rt: Runtime, actor: Actor, scope: Scope, choice: Choice,
                  rows: list[dict[str, Any]], errors: dict[str, str] | None = None,
                  error: DomainError | None = None, status: int = 200) -> HTMLResponse:
    chosen = set(choice.keys or [])
    picked = [r for r in rows if r["key"] in chosen]
    again = [r for r in picked if r["printed"]]
    books = {(d.issuer["name"], d.decided_on.year) for d in scope.decisions
             if any(r["decision_id"] == str(d.id) and not r["printed"] for r in picked)}
    return render(request, "certificates_confirm.html", {
        "scope": scope, "choice": choice, "picked": picked[:CONFIRM_SHOWN],
        "count": len(picked), "fresh": len(picked) - len(again), "again": again,
        "again_serials": ", ".join(r["serial"] for r in again[:10]) + (
            "…" if len(again) > 10 else ""),
        "books": sorted(books), "mode_label": MODE_LABELS[choice.mode],
        "errors": errors or {}, "error": error, "many_decisions": len(scope.decisions) > 1,
    }, status, actor)


def _print_form(request: Request, rt: Runtime, actor: Actor, area: str, item_id: str
                ) -> HTMLResponse:
    """The register and the print form. ``?line=<decision id>:<line no>`` (repeatable) chooses
    only those lines (a line's "In lại" link); by default, every line in force."""
    scope = _scope(rt, actor, area, item_id)
    choice = _remembered(request)
    choice.keys = request.query_params.getlist("line") or None
    return _form_page(request, rt, actor, scope, choice)


async def _confirm(request: Request, rt: Runtime, actor: Actor, area: str, item_id: str
                   ) -> HTMLResponse:
    scope = _scope(rt, actor, area, item_id)
    rows = _rows(rt, scope, _link_base(rt, request))
    errors: dict[str, str] = {}
    choice = _read_choice(await request.form(), rows, errors)
    if errors:
        return _form_page(request, rt, actor, scope, choice, errors, 422)
    return _confirm_page(request, rt, actor, scope, choice, rows)


async def _print(request: Request, rt: Runtime, actor: Actor, area: str, item_id: str
                 ) -> Response:
    """Record the serials (a refusal shows on the check page), start laying out the PDF, and
    answer with the run's status page."""
    scope = _scope(rt, actor, area, item_id)
    base = _link_base(rt, request)
    rows = _rows(rt, scope, base)
    errors: dict[str, str] = {}
    choice = _read_choice(await request.form(), rows, errors)
    if errors:
        return _form_page(request, rt, actor, scope, choice, errors, 422)
    chosen = set(choice.keys or [])
    if any(r["printed"] for r in rows if r["key"] in chosen) and not choice.reason:
        errors["reason"] = "Ghi lý do in lại (ví dụ: bản in bị nhòe mực, in hỏng phôi)."
        return _confirm_page(request, rt, actor, scope, choice, rows, errors, status=422)
    keys = [(UUID(k.rsplit(":", 1)[0]), int(k.rsplit(":", 1)[1])) for k in choice.keys or []]
    try:
        printing.certificate_source(choice.mode, choice.printer, *choice.offset)  # known ones
        items, saved = rt.app.certificates.print_certificates(
            actor, [d.id for d in scope.decisions], reprint_reason=choice.reason or None,
            lines=None if choice.every else keys)
    except DomainError as error:
        return _confirm_page(request, rt, actor, scope, choice, rows, error=error,
                             status=status_for(error))
    if saved is not None:
        rt.after(saved)
    run = print_runs.runs_of(request.app).start(
        owner=actor.username, title=scope.title, back=scope.base, serials=_serials(items),
        filename=f"giay-khen-{_ascii(scope.slug)}.pdf", total=len(items), mode=choice.mode,
        printer=choice.printer, offset=choice.offset,
        make_contexts=lambda: rt.app.certificates.certificate_contexts(items, verify_base=base))
    # a small run is ready at once: its page offers the PDF (waited for off the event loop)
    await asyncio.to_thread(run.done_event.wait, 2.0)
    response = RedirectResponse(f"/certificates/runs/{run.id}", status_code=303)
    response.set_cookie(CALIBRATION_COOKIE,
                        f"{choice.mode}:{choice.printer}:{choice.dx:g}:{choice.dy:g}",
                        max_age=365 * 86400, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.get("/decisions/{decision_id}/certificates", response_class=HTMLResponse)
def decision_print_form(request: Request, decision_id: str, rt: RuntimeDep, actor: SignedInDep):
    return _print_form(request, rt, actor, "decisions", decision_id)


@router.get("/ceremonies/{ceremony_id}/certificates", response_class=HTMLResponse)
def ceremony_print_form(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep):
    return _print_form(request, rt, actor, "ceremonies", ceremony_id)


@router.post("/decisions/{decision_id}/certificates/confirm", response_class=HTMLResponse)
async def decision_print_confirm(request: Request, decision_id: str, rt: RuntimeDep,
                                 actor: SignedInDep):
    return await _confirm(request, rt, actor, "decisions", decision_id)


@router.post("/ceremonies/{ceremony_id}/certificates/confirm", response_class=HTMLResponse)
async def ceremony_print_confirm(request: Request, ceremony_id: str, rt: RuntimeDep,
                                 actor: SignedInDep):
    return await _confirm(request, rt, actor, "ceremonies", ceremony_id)


@router.post("/decisions/{decision_id}/certificates/print")
async def decision_print(request: Request, decision_id: str, rt: RuntimeDep,
                         actor: SignedInDep):
    return await _print(request, rt, actor, "decisions", decision_id)


@router.post("/ceremonies/{ceremony_id}/certificates/print")
async def ceremony_print(request: Request, ceremony_id: str, rt: RuntimeDep,
                         actor: SignedInDep):
    return await _print(request, rt, actor, "ceremonies", ceremony_id)


def _serials(items: list[tuple[AwardDecision, Any, dict[str, Any]]]) -> list[str]:
    """What the register gave, per issuer and year: "1–4/2024 — Trung ương Hội …"."""
    books: dict[tuple[str, int], list[int]] = {}
    for decision, _line, entry in items:
        books.setdefault((decision.issuer["name"], decision.decided_on.year),
                         []).append(entry["serial"])
    return [f"{_ranges(serials)}/{year} — {name}" for (name, year), serials in books.items()]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c if c.isascii() and c.isalnum() else "-" for c in plain
                    if not unicodedata.combining(c))
    return "-".join(part for part in plain.split("-") if part)[:60] or "in"


@router.get("/certificates/runs/{run_id}", response_class=HTMLResponse)
def print_run(request: Request, run_id: str, actor: SignedInDep):
    run = print_runs.runs_of(request.app).get(run_id, actor.username)
    return render(request, "certificates_run.html", {"run": run}, actor=actor)


@router.get("/certificates/runs/{run_id}/pdf")
def print_run_pdf(request: Request, run_id: str, actor: SignedInDep):
    run = print_runs.runs_of(request.app).get(run_id, actor.username)
    if run.path is None or not run.path.exists():
        raise NotFound(what="tệp PDF của lượt in này (chưa in xong hoặc đã quá 2 giờ)")
    return FileResponse(run.path, media_type="application/pdf", filename=run.filename)


@router.get("/verify/{token}/qr.svg")
def verification_qr(request: Request, token: str, rt: RuntimeDep):
    """Public, as the verification page: the QR code printed on the certificate."""
    if len(token) > 64 or rt.app.certificates.find_token(token) is None:
        raise NotFound(what="giấy chứng nhận với mã này")
    url = f"{_link_base(rt, request)}/verify/{token}"
    return Response(printing.qr_svg(url), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})


@pass_context
def may_print_certificates(context: Any, *decision_ids: str) -> bool:
    """For a template: may the signed-in user print these decisions' certificates (approver of
    each one's recording unit)? A page never offers what its user may not do."""
    actor = context.get("actor")
    if actor is None or not decision_ids:
        return False
    rt = context["request"].app.state.runtime
    try:
        for decision_id in decision_ids:
            decision = rt.app.decisions.decision(UUID(str(decision_id)))
            rt.app.authz.require(actor, "approver", decision.recorded_by_unit_id)
    except (DomainError, ValueError):
        return False
    return True


def millimetres_text(value: float) -> str:
    """1.5 → "1,5"; 0 → "0" (as an office writes it, and as the form reads it back)."""
    return f"{value:g}".replace(".", ",")


templates.env.globals["may_print_certificates"] = may_print_certificates
templates.env.filters["mm"] = millimetres_text
