"""Xóa dữ liệu cá nhân theo yêu cầu: an administrator erases a person's citizen ID and birth
date (crypto-shredding, ``services.erasure``) — same rule as the API: an admin whose grants
cover every unit of the records that name her.

* ``/personal-data/erase`` (``?recipient=r-…`` prefills the registry's public id): the form, a
  citizen ID or a public id, with what erasure does; only for users holding an admin grant
  somewhere (the 403 page otherwise);
* ``POST /personal-data/erase/check``: the person as published and the records that name her,
  whether her personal data is still held, a reason and one danger button; what was typed comes
  back beside its field when it cannot be read or names no one (422);
* ``POST /personal-data/erase``: erased → ``/personal-data/erasures/{id}`` (303), what was done
  with a link to the audit trail.

The citizen ID travels in form bodies only (hidden fields of the check page), never in an
address, and is never written back on a page but inside the field it was typed in; the pages
that carry it are not kept by the browser's cache.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.catalog import catalog
from domain.erasure import PersonalDataErasure
from domain.errors import (
    DomainError,
    NotFound,
    PersonalDataAlreadyErased,
    PersonNotFound,
    ValidationFailed,
)
from domain.text import nfc, nfc_multiline
from services import erasure
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.web.deps import SignedInDep
from services.web.forms import parse_id
from services.web.routing import page_router
from services.web.templating import no_store, page_message, render

router = page_router()

FIELDS = ("citizen_id", "recipient_id", "reason")
MAX_CITIZEN_ID, MAX_RECIPIENT_ID, MAX_REASON, MIN_REASON = 20, 40, 1000, 5
AUDIT = "/audit?kind=personal_data_erasure"
FORM = dict[str, str]


async def _posted(request: Request) -> FORM:
    raw = await request.form()
    form = {key: str(raw.get(key) or "") for key in FIELDS}
    form["citizen_id"] = nfc(form["citizen_id"])[:MAX_CITIZEN_ID]
    form["recipient_id"] = nfc(form["recipient_id"])[:MAX_RECIPIENT_ID]
    form["reason"] = nfc_multiline(form["reason"])[:MAX_REASON + 1]
    return form


def _typed(form: FORM, errors: dict[str, str]) -> None:
    """One way of naming the person, and one only."""
    if not form["citizen_id"] and not form["recipient_id"]:
        errors["citizen_id"] = ("Cần nhập số CCCD (12 chữ số) hoặc mã người được khen thưởng "
                                "(r-…)")
    elif form["citizen_id"] and form["recipient_id"]:
        errors["citizen_id"] = ("Chỉ nhập một trong hai: số CCCD hoặc mã người được khen "
                                "thưởng; xóa ô còn lại")


def _find(rt: Runtime, actor: Actor, form: FORM, errors: dict[str, str]
          ) -> tuple[erasure.Person | None, int]:
    """The person the form names, or the problem at its field (and the page's status). A
    refusal of the person herself (403) is the error page."""
    _typed(form, errors)
    if errors:
        return None, 422
    where = "citizen_id" if form["citizen_id"] else "recipient_id"
    try:
        return erasure.find_person(rt, actor, form["citizen_id"] or None,
                                   form["recipient_id"] or None), 200
    except PersonNotFound:
        errors[where] = ("Không tìm thấy người nào được đề nghị hoặc khen thưởng với số CCCD "
                         "này" if where == "citizen_id" else
                         "Không tìm thấy người nào trong sổ khen thưởng với mã này")
        return None, 422
    except ValidationFailed:
        errors[where] = "Số CCCD gồm 12 chữ số (số CMND cũ: 9 chữ số)"
        return None, 422
    except DomainError as error:
        if status_for(error) in (401, 403):
            raise
        errors["_"] = page_message(error)
        return None, status_for(error)


def _award_title(code: str, day: Any) -> str:
    try:
        on = day if isinstance(day, date) else date.fromisoformat(str(day)[:10]) if day else None
        return catalog().kind(code, on).title
    except (DomainError, ValueError):
        return code


def _shown(person: erasure.Person) -> dict[str, Any]:
    """The person as the check page shows her: name as published and her records, never her
    personal data."""
    return {
        "name": person.name, "held": person.has_key, "records": person.records,
        "lines": [{"number": r["number"], "decided_on": r["decided_on"],
                   "award": _award_title(r["award_kind"], r["decided_on"]),
                   "period": r["period"] or "—"} for r in person.lines],
        "nominations": [{"award": _award_title(r["award_kind"], None),
                         "period": r["period"] or "—", "status": r["status"]}
                        for r in person.nominations],
    }


def _back(form: FORM) -> str:
    """Where «quay lại» leads: the person's award history when she came from there."""
    recipient = form.get("recipient_id", "")
    if re.fullmatch(r"r-[A-Za-z0-9_-]{1,80}", recipient):
        return f"/registry/recipients/{recipient}"
    return "/admin"


def _form_page(request: Request, actor: Actor, form: FORM, errors: dict[str, str] | None = None,
               status: int = 200) -> HTMLResponse:
    return no_store(render(request, "personal_data_erase.html", {
        "form": form, "errors": errors or {}, "back": _back(form),
    }, status, actor))


def _check_page(request: Request, actor: Actor, form: FORM, person: erasure.Person,
                errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    return no_store(render(request, "personal_data_check.html", {
        "form": form, "errors": errors or {}, "person": _shown(person), "back": _back(form),
        "audit": AUDIT,
    }, status, actor))


@router.get("/personal-data/erase", response_class=HTMLResponse)
def erase_form(request: Request, rt: RuntimeDep, actor: SignedInDep, recipient: str = ""):
    rt.app.users.require_any_admin(actor)
    form = {"citizen_id": "", "recipient_id": nfc(recipient)[:MAX_RECIPIENT_ID], "reason": ""}
    return _form_page(request, actor, form)


async def _asked(request: Request, rt: Runtime, actor: Actor
                 ) -> tuple[dict[str, str], erasure.Person | None, HTMLResponse | None]:
    """The form posted, the person it names, or the form again with what refused it."""
    rt.app.users.require_any_admin(actor)
    form = await _posted(request)
    errors: dict[str, str] = {}
    person, status = _find(rt, actor, form, errors)
    if person is None:
        return form, None, _form_page(request, actor, form, errors, status)
    return form, person, None


@router.post("/personal-data/erase/check", response_class=HTMLResponse)
async def erase_check(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form, person, refused = await _asked(request, rt, actor)
    if person is None:
        return refused
    return _check_page(request, actor, form, person)


@router.post("/personal-data/erase")
async def erase(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form, person, refused = await _asked(request, rt, actor)
    if person is None:
        return refused
    errors: dict[str, str] = {}
    if not person.has_key:
        errors["_"] = page_message(PersonalDataAlreadyErased())
        return _check_page(request, actor, form, person, errors, 409)
    if len(form["reason"]) < MIN_REASON:
        errors["reason"] = ("Cần ghi lý do xóa, ví dụ: theo đơn đề nghị ngày … của người được "
                            "khen thưởng")
    elif len(form["reason"]) > MAX_REASON:
        errors["reason"] = "Lý do dài quá 1.000 ký tự"
    if errors:
        return _check_page(request, actor, form, person, errors, 422)
    try:
        saved, _ = erasure.erase(rt, actor, form["reason"], form["citizen_id"] or None,
                                 form["recipient_id"] or None)
    except PersonalDataAlreadyErased as error:  # erased by someone else in between
        errors["_"] = page_message(error)
        return _check_page(request, actor, form, person, errors, 409)
    except DomainError as error:
        if status_for(error) in (401, 403):
            raise
        errors["reason" if isinstance(error, ValidationFailed) else "_"] = page_message(error)
        return _check_page(request, actor, form, person, errors, status_for(error))
    return RedirectResponse(f"/personal-data/erasures/{saved.id}", status_code=303)


@router.get("/personal-data/erasures/{erasure_id}", response_class=HTMLResponse)
def erasure_done(request: Request, rt: RuntimeDep, actor: SignedInDep, erasure_id: str):
    """What was erased: for the admins who could have done it (grants over every unit of her
    records), as the audit trail shows it."""
    rt.app.users.require_any_admin(actor)
    found = rt.app.load_or_none(PersonalDataErasure, parse_id(erasure_id))
    if found is None:
        raise NotFound(what="việc xóa dữ liệu cá nhân này")
    for unit_id in found.unit_ids:
        rt.app.authz.require(actor, "admin", UUID(unit_id))
    return render(request, "personal_data_done.html", {
        "done": found, "audit": AUDIT, "at": found.created_on,
    }, actor=actor)
