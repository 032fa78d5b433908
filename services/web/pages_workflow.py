"""Nominations: the list, the new-nomination form, one nomination with its council's actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.errors import (
    Conflict,
    DomainError,
    NominationNotEditable,
    NominationNotWithdrawable,
    ValidationFailed,
)
from domain.nomination import AWARD_TYPES, DRAFT, RETURNED, STATUS_LABELS, UNDER_REVIEW
from domain.text import nfc, nfc_multiline
from services import representations as rep
from services.app import Runtime
from services.attachments import Attachments
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.read_policy import Privacy, nomination_scope, opened, readable_nomination
from services.store import Saved
from services.web.deps import SignedInDep
from services.web.forms import parse_id, unit_choices, whole
from services.web.nomination_forms import (
    FIELDS,
    GENDER_LABELS,
    field_errors,
    fields_from_form,
    form_from_view,
    kind_choices,
)
from services.web.pages_council import council_context, criteria_scores
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/nominations", response_class=HTMLResponse)
def nominations_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                     status: str | None = None, q: str | None = None,
                     review_unit_id: str | None = None, proposing_unit_id: str | None = None):
    """The nominations the actor may read, 50 a page (``?page=N``, the filters kept)."""
    rt.ensure_position(rt.app.max_position())
    scope = nomination_scope(rt, actor)
    result, paging = paged(request, lambda page: rt.queries.nominations(
        status=status or None, q=q or None, review_unit_id=review_unit_id or None,
        proposing_unit_id=proposing_unit_id or None, unit_ids=scope, page=page,
    ))
    names = rt.queries.unit_names({r["proposing_unit_id"] for r in result["items"]}
                                  | {r["review_unit_id"] for r in result["items"]
                                     if r["review_unit_id"]})
    return render(request, "nominations.html",
                  {"result": result, "names": names, "status": status or "", "q": q or "",
                   "statuses": STATUS_LABELS, "paging": paging}, actor=actor)


def _form_context(rt: Runtime, actor: Actor, form: dict[str, str],
                  error: DomainError | None) -> dict[str, Any]:
    """What the nomination form (new or edit) needs: the units she proposes for, the award
    kinds with who decides them and their money today, the refusal beside its field."""
    errors = field_errors(error) if error else {}
    return {
        "units": unit_choices(rt, actor, "nominator"),
        "kind_groups": kind_choices(rt.app.schedules.money_schedules(), rt.app.today()),
        "award_types": AWARD_TYPES,
        "form": form,
        "error": None if errors else error,
        "errors": errors,
    }


def _read_form(raw: Any) -> dict[str, str]:
    return {k: (nfc_multiline(str(v)) if k == "achievement" else nfc(str(v)))
            for k, v in raw.items() if k in FIELDS or k == "version"}


def _new_form(request: Request, rt: Runtime, actor: Actor, form: dict[str, str],
              error: DomainError | None = None) -> HTMLResponse:
    return render(request, "nomination_new.html", _form_context(rt, actor, form, error),
                  status_for(error) if error else 200, actor)


def _own_unit(actor: Actor) -> str:
    """Her unit: the first of her nominator grants ("" without one)."""
    units = [str(g.unit_id) for g in actor.grants if g.role == "nominator"]
    return units[0] if units else ""


@router.get("/nominations/new", response_class=HTMLResponse)
def new_nomination_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    own = _own_unit(actor)
    return _new_form(request, rt, actor, {"proposing_unit_id": own, "recipient_unit_id": own,
                                          "recipient_kind": "individual"})


@router.post("/nominations/new")
async def create_nomination(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = _read_form(await request.form())
    try:
        saved = rt.app.nominations.draft_nomination(
            actor, proposing_unit_id=parse_id(form.get("proposing_unit_id", "")),
            data=fields_from_form(form),
        )
    except DomainError as error:
        return _new_form(request, rt, actor, form, error)
    rt.after(saved)
    return RedirectResponse(f"/nominations/{saved.id}", status_code=303)


# -- editing a draft or a returned nomination ---------------------------------------------------


def _editable(rt: Runtime, actor: Actor, nomination_id: str):
    """The nomination she may edit: readable, her nominator grant covers its unit, a draft or
    returned (otherwise the refusal, shown as the error page)."""
    nomination = readable_nomination(rt, actor, parse_id(nomination_id))
    rt.app.authz.require(actor, "nominator", nomination.proposing_unit_id)
    if nomination.status not in (DRAFT, RETURNED):
        raise NominationNotEditable(status=nomination.status,
                                    status_label=nomination.status_label)
    return nomination


def _edit_form(request: Request, rt: Runtime, actor: Actor, nomination, form: dict[str, str],
               error: DomainError | None = None) -> HTMLResponse:
    view = opened(rt, rep.nomination(nomination))
    context = _form_context(rt, actor, form, error)
    context.update({"n": view, "edit": True,
                    "unit_name": _unit_name(rt, view["proposing_unit_id"]),
                    "returned": _last_return(view)})
    return render(request, "nomination_edit.html", context,
                  status_for(error) if error else 200, actor)


def _unit_name(rt: Runtime, unit_id: str | None) -> str:
    return rt.app.tree.unit_state(UUID(unit_id)).name if unit_id else ""


def _last_return(view: dict[str, Any]) -> dict[str, Any] | None:
    """The council's last conclusion when it returned the nomination (the reason to show)."""
    if view["status"] != RETURNED:
        return None
    returns = [r for r in view["closed_reviews"] if r["outcome"] == "returned"]
    return returns[-1] if returns else None


def _conflict_page(request: Request, rt: Runtime, actor: Actor, nomination_id: str,
                   what: str, typed: dict[str, str]) -> HTMLResponse:
    """409: someone saved the nomination since her form was read; nothing of hers was recorded.
    The page says when, links to the current version and shows what she had typed."""
    nomination = readable_nomination(rt, actor, parse_id(nomination_id))
    view = opened(rt, rep.nomination(nomination))
    last = opened(rt, rep.history(rt.app.history(nomination.id)))[-1]
    return render(request, "nomination_conflict.html", {
        "n": view, "what": what, "last": last, "typed": typed,
        "kind_titles": {k["code"]: k["title"]
                        for g in kind_choices(rt.app.schedules.money_schedules(), rt.app.today())
                        for k in g["kinds"]},
        "award_types": AWARD_TYPES, "gender_labels": GENDER_LABELS,
    }, 409, actor)


@router.get("/nominations/{nomination_id}/edit", response_class=HTMLResponse)
def edit_nomination_form(request: Request, nomination_id: str, rt: RuntimeDep,
                         actor: SignedInDep):
    # her nominator grant covers the proposing unit, hence the recipient (within it): she
    # reads the personal data she typed (``personal_data_shown``)
    nomination = _editable(rt, actor, nomination_id)
    form = form_from_view(opened(rt, rep.nomination(nomination)))
    form["version"] = str(nomination.version)
    return _edit_form(request, rt, actor, nomination, form)


@router.post("/nominations/{nomination_id}/edit")
async def edit_nomination(request: Request, nomination_id: str, rt: RuntimeDep,
                          actor: SignedInDep):
    form = _read_form(await request.form())
    nomination = _editable(rt, actor, nomination_id)
    try:
        version = whole(form.get("version"), 0, 10**9)
        if version is None:
            raise ValidationFailed(reason="thiếu phiên bản của đề nghị; hãy tải lại trang sửa")
        saved = rt.app.nominations.edit_nomination(actor, nomination.id,
                                                   fields_from_form(form), version)
    except Conflict as error:
        if isinstance(error, NominationNotEditable):
            return _edit_form(request, rt, actor, nomination, form, error)
        return _conflict_page(request, rt, actor, nomination_id, "sửa", form)
    except DomainError as error:
        return _edit_form(request, rt, actor, nomination, form, error)
    rt.after(saved)
    return RedirectResponse(f"/nominations/{saved.id}?saved=edit", status_code=303)


# -- withdrawing, after a confirmation ---------------------------------------------------------


def _withdraw_page(request: Request, rt: Runtime, actor: Actor, nomination, form: dict[str, str],
                   errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    view = opened(rt, rep.nomination(nomination))
    return render(request, "nomination_withdraw.html", {
        "n": view, "form": form, "errors": errors or {},
        "unit_name": _unit_name(rt, view["proposing_unit_id"]),
        "review_name": _unit_name(rt, view["review_unit_id"]),
    }, status, actor)


def _withdrawable(rt: Runtime, actor: Actor, nomination_id: str):
    nomination = readable_nomination(rt, actor, parse_id(nomination_id))
    rt.app.authz.require(actor, "nominator", nomination.proposing_unit_id)
    if nomination.status not in (DRAFT, RETURNED, UNDER_REVIEW):
        raise NominationNotWithdrawable(status=nomination.status,
                                        status_label=nomination.status_label)
    return nomination


@router.get("/nominations/{nomination_id}/withdraw", response_class=HTMLResponse)
def withdraw_form(request: Request, nomination_id: str, rt: RuntimeDep, actor: SignedInDep):
    nomination = _withdrawable(rt, actor, nomination_id)
    return _withdraw_page(request, rt, actor, nomination, {"version": str(nomination.version)})


@router.post("/nominations/{nomination_id}/withdraw")
async def withdraw(request: Request, nomination_id: str, rt: RuntimeDep, actor: SignedInDep):
    raw = await request.form()
    form = {"reason": nfc_multiline(str(raw.get("reason") or "")),
            "version": str(raw.get("version") or "")}
    nomination = _withdrawable(rt, actor, nomination_id)
    errors: dict[str, str] = {}
    if not form["reason"]:
        errors["reason"] = "Ghi lý do rút đề nghị (ví dụ: người được đề nghị chuyển công tác)."
    elif len(form["reason"]) > 2000:
        errors["reason"] = "Lý do dài quá 2.000 ký tự."
    version = whole(form["version"], 0, 10**9)
    if version is None:
        errors["version"] = "Thiếu phiên bản của đề nghị; hãy mở lại trang rút đề nghị."
    if errors:
        return _withdraw_page(request, rt, actor, nomination, form, errors, 422)
    try:
        saved = rt.app.nominations.withdraw_nomination(actor, nomination.id, form["reason"],
                                                       version)
    except Conflict as error:
        if isinstance(error, NominationNotWithdrawable):
            return _withdraw_page(request, rt, actor, nomination, form,
                                  {"reason": str(error.message)}, 409)
        return _conflict_page(request, rt, actor, nomination_id, "rút", {})
    except DomainError as error:
        return _withdraw_page(request, rt, actor, nomination, form,
                              {"reason": str(error.message)}, status_for(error))
    rt.after(saved)
    return RedirectResponse(f"/nominations/{saved.id}?saved=withdrawn", status_code=303)


@router.get("/nominations/{nomination_id}", response_class=HTMLResponse)
def nomination_page(request: Request, nomination_id: str, rt: RuntimeDep, actor: SignedInDep):
    return nomination_view(request, rt, actor, nomination_id)


def nomination_view(request: Request, rt: Runtime, actor: Actor, nomination_id: str,
                     error: DomainError | None = None) -> HTMLResponse:
    """The nomination, with ``error`` (a refused action) shown above its actions. A nomination
    the actor may not read is a refusal of its own: the error page."""
    nomination = readable_nomination(rt, actor, parse_id(nomination_id))
    view = opened(rt, rep.nomination(nomination))
    recipient = view["recipient"]
    # personal data (CCCD, date of birth) only where the read policy allows it: her grants
    # cover the recipient's unit or the unit that proposed it (``services.read_policy``)
    view["recipient"] = Privacy(rt, actor).scrub(
        recipient, units=[] if recipient.get("unit_id") or recipient.get("org_unit_id")
        else [view["proposing_unit_id"]])
    ids = {view["proposing_unit_id"], view["review_unit_id"], recipient.get("unit_id"),
           recipient.get("org_unit_id")} | {r["unit_id"] for r in view["closed_reviews"]}
    names = {i: rt.app.tree.unit_state(UUID(i)).name for i in ids - {None}}
    review_unit = nomination.review_unit_id
    history = opened(rt, rep.history(rt.app.history(nomination.id)))
    context = {
        "n": view,
        "names": names,
        "history": history,
        "returned": _last_return(view),
        "gender_labels": GENDER_LABELS,
        "saved": request.query_params.get("saved", ""),
        "changed_at": history[-1]["at"] if history else None,
        "can_nominate": rt.app.authz.covers(actor, nomination.proposing_unit_id, "nominator"),
        "on_council": review_unit is not None and any(
            g.role == "reviewer" and g.unit_id == review_unit for g in actor.grants),
        "is_chair": review_unit is not None and any(
            g.role == "reviewer" and g.chair and g.unit_id == review_unit for g in actor.grants),
        "can_decide": nomination.status == "recommended" and review_unit is not None
        and rt.app.authz.covers(actor, review_unit, "approver"),
        "error": error,
        "council": council_context(rt, actor, nomination),  # _council.html (issue 16)
        "attachments": Attachments(rt).section(actor, "nomination", nomination),  # _attachments
    }
    return render(request, "nomination.html", context, status_for(error) if error else 200,
                  actor=actor)


@router.post("/nominations/{nomination_id}/{action}")
async def nomination_action(request: Request, nomination_id: str, action: str, rt: RuntimeDep,
                            actor: SignedInDep):
    form = {k: nfc(str(v)) for k, v in (await request.form()).items()}
    saved: Saved | None = None
    try:
        nid = parse_id(nomination_id)
        version = whole(form.get("version"), 0, 10**9)
        if action == "submit":
            saved = rt.app.nominations.submit_nomination(actor, nid, version)
        elif action == "vote":
            typed = form.get("score", "").strip()
            score = whole(typed, 0, 1000) if typed else None
            if typed and score is None:
                raise ValidationFailed(reason=f"điểm «{typed[:20]}» phải là số nguyên không âm")
            saved = rt.app.nominations.cast_vote(
                actor, nid, vote=form.get("vote", ""), comment=form.get("comment", ""),
                score=score, scores=criteria_scores(form))  # _council.html
        elif action == "recuse":
            saved = rt.app.nominations.recuse(actor, nid, reason=form.get("reason", ""))
        elif action == "close":
            saved = rt.app.nominations.close_review(
                actor, nid, outcome=form.get("outcome", ""), reason=form.get("reason", ""),
                expected_version=version)
    except DomainError as error:
        return nomination_view(request, rt, actor, nomination_id, error)
    if saved is None:  # no button sends this: the error page, not the nomination
        raise ValidationFailed(reason="thao tác không hợp lệ")
    rt.after(saved)
    return RedirectResponse(f"/nominations/{nomination_id}", status_code=303)
