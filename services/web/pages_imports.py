"""Past decisions imported from a spreadsheet in the pages (``services.past_imports``): the awards
office uploads one XLSX or CSV file of many decisions (``/decisions/imports``; the template at
``/decisions/imports/template.xlsx``), reads the dry run — every row's mistakes by sheet and row,
what each decision would record, people already in the registry and namesakes to check — then,
after the confirmation, each valid decision is recorded, all or nothing per decision, and the
result page says what was recorded and what was not.

Between the dry run and the confirmation the file's content travels as read (text only,
compressed, ``services.web.compose.encode``); the confirmation reads it again and checks
everything again before recording. The same permission as the API: the awards office (approver)
of the recording unit.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from domain.catalog import BODY_LABELS, catalog
from domain.errors import RoleRequired, ValidationFailed
from domain.money import dong_in_words
from domain.text import nfc
from domain.users import ROLE_LABELS
from services import past_imports as past
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.web import compose
from services.web.deps import SignedInDep
from services.web.forms import parse_id
from services.web.routing import page_router
from services.web.templating import render

router = page_router()

MAX_CARRIED = 900_000  # characters of the carried file (a form field holds at most 1 MB)
STATUS_TAGS = {past.READY: "tag-current", past.RECORDED: "tag-settled", past.INVALID: "tag-over",
               past.EXISTS: "tag-past", past.REFUSED: "tag-over"}


def _office(actor: Actor) -> set[UUID]:
    units = actor.units_for("approver")
    if not units:
        raise RoleRequired(role=ROLE_LABELS["approver"])
    return units


def _units(rt: Runtime, actor: Actor, current: str) -> list[dict[str, str]]:
    """The units the office records for: its own units (and the one chosen)."""
    ids = list(dict.fromkeys([*(str(g.unit_id) for g in actor.grants if g.role == "approver"),
                              *([current] if current else [])]))
    names = rt.queries.unit_names(set(ids))
    return [{"id": i, "name": names[i]} for i in ids if i in names]


@router.get("/decisions/imports/template.xlsx")
def import_template(actor: SignedInDep):
    return Response(past.template(), media_type=past.XLSX_MEDIA, headers={
        "Content-Disposition": f'attachment; filename="{past.TEMPLATE_NAME}"'})


def _upload_page(request: Request, rt: Runtime, actor: Actor, unit_id: str,
                 error: str = "", status: int = 200) -> HTMLResponse:
    return render(request, "decision_import.html", {
        "units": _units(rt, actor, unit_id), "unit_id": unit_id, "error": error,
        "max_rows": past.MAX_ROWS, "max_mb": past.MAX_UPLOAD_BYTES // (1024 * 1024),
    }, status, actor)


@router.get("/decisions/imports", response_class=HTMLResponse)
def import_form(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str = ""):
    _office(actor)
    if unit_id:
        unit_id = str(past.PastImports(rt).office_unit(actor, parse_id(unit_id)))
    else:
        unit_id = str(next(g.unit_id for g in actor.grants if g.role == "approver"))
    return _upload_page(request, rt, actor, unit_id)


def _decision_view(out: dict[str, Any], n: int) -> dict[str, Any]:
    """One decision of the report as the pages show it."""
    issuer = out["issuer"] or {}
    level = catalog().levels.get(issuer.get("level") or "")
    totals = out["totals"] or {}
    amount = totals.get("amount")
    counts = [f"{totals[key]} {label}" for key, label in (
        ("individuals", "cá nhân"), ("collectives", "tập thể"), ("households", "hộ gia đình"))
        if totals.get(key)]
    return {**out, "n": n, "tag": STATUS_TAGS[out["status"]], "counts": ", ".join(counts),
            "body_label": BODY_LABELS.get(issuer.get("body") or "", ""),
            "level_label": level.name if level else "",
            "words": dong_in_words(amount) if amount else ""}


def _check_page(request: Request, rt: Runtime, actor: Actor, report: past.Report,
                confirm_missing: bool = False) -> HTMLResponse:
    shown = report.as_dict()
    carried = compose.encode({"unit_id": str(report.unit_id), "file": report.file.as_dict()})
    decisions = [_decision_view(out, n) for n, out in enumerate(shown["decisions"], start=1)]
    return render(request, "decision_import_check.html", {
        "r": shown, "decisions": decisions, "state_field": carried,
        "too_large": len(carried) > MAX_CARRIED, "confirm_missing": confirm_missing,
    }, 422 if confirm_missing else 200, actor)


@router.post("/decisions/imports", response_class=HTMLResponse)
async def check_file(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """The file uploaded: the dry run (nothing recorded), or the form again with what is wrong
    with the file as such."""
    _office(actor)
    form = await request.form()
    imports = past.PastImports(rt)
    unit = imports.office_unit(actor, parse_id(str(form.get("unit_id") or "")))
    upload = form.get("upload")
    if not isinstance(upload, StarletteUpload) or not upload.filename:
        return _upload_page(request, rt, actor, str(unit),
                            "Chưa chọn tệp danh sách để tải lên.", 422)
    data = await upload.read(past.MAX_UPLOAD_BYTES + 1)
    filename = nfc(upload.filename)[:200]
    try:
        read = past.read_file(data, filename)
    except ValidationFailed as error:
        return _upload_page(request, rt, actor, str(unit), f"Tệp «{filename}»: "
                            f"{compose.sentence(error.details['reason'])}", 422)
    return _check_page(request, rt, actor, imports.dry_run(actor, read, unit))


@router.post("/decisions/imports/confirm", response_class=HTMLResponse)
async def record_file(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """Record the checked file's valid decisions, once the office confirmed: everything is read
    and checked again from the carried content."""
    _office(actor)
    form = await request.form()
    carried = compose.decode(form.get("state"))
    carried = carried if isinstance(carried, dict) else {}
    read = past.ReadFile.from_dict(carried.get("file"))
    imports = past.PastImports(rt)
    unit = imports.office_unit(actor, parse_id(str(carried.get("unit_id") or "")))
    if form.get("confirm") != "1":
        return _check_page(request, rt, actor, imports.dry_run(actor, read, unit),
                           confirm_missing=True)
    report = imports.run(actor, read, unit)
    shown = report.as_dict()
    decisions = [_decision_view(out, n) for n, out in enumerate(shown["decisions"], start=1)]
    return render(request, "decision_import_done.html", {
        "r": shown, "decisions": decisions,
        "recorded": [d for d in decisions if d["status"] == past.RECORDED],
        "not_recorded": [d for d in decisions if d["status"] != past.RECORDED],
    }, actor=actor)
