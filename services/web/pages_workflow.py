"""Nominations: the list, the new-nomination form, one nomination with its council's actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.catalog import catalog
from domain.errors import DomainError, ValidationFailed
from domain.nomination import AWARD_TYPES, STATUS_LABELS
from domain.text import nfc
from services import representations as rep
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.read_policy import nomination_scope, readable_nomination
from services.store import Saved
from services.web.deps import SignedInDep
from services.web.forms import parse_id, unit_choices, whole
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


def _new_form(request: Request, rt: Runtime, actor: Actor, form: dict[str, str],
              error: DomainError | None = None) -> HTMLResponse:
    return render(request, "nomination_new.html", {
        "units": unit_choices(rt, actor, "nominator"),
        "kinds": list(catalog().kinds.values()),
        "award_types": AWARD_TYPES,
        "form": form,
        "error": error,
    }, status_for(error) if error else 200, actor)


@router.get("/nominations/new", response_class=HTMLResponse)
def new_nomination_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    return _new_form(request, rt, actor, {})


@router.post("/nominations/new")
async def create_nomination(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = {k: nfc(str(v)) for k, v in (await request.form()).items()}
    try:
        recipient: dict[str, Any] = {"kind": form.get("recipient_kind") or "individual",
                                     "name": form.get("recipient_name") or ""}
        if form.get("recipient_unit_id"):
            key = "org_unit_id" if form.get("recipient_is_unit") else "unit_id"
            recipient[key] = form["recipient_unit_id"]
        for field in ("gender", "position", "citizen_id"):
            if form.get(field):
                recipient[field] = form[field]
        if form.get("birth_year"):
            birth_year = whole(form["birth_year"], 1900, 2100)
            if birth_year is None:
                raise ValidationFailed(reason="năm sinh phải là số từ 1900 đến 2100")
            recipient["birth_year"] = birth_year
        saved = rt.app.nominations.draft_nomination(
            actor, proposing_unit_id=parse_id(form.get("proposing_unit_id", "")),
            data={"recipient": recipient, "award_kind": form.get("award_kind", ""),
                  "award_type": form.get("award_type") or None,
                  "achievement": form.get("achievement", ""), "period": form.get("period", "")},
        )
    except DomainError as error:
        return _new_form(request, rt, actor, form, error)
    rt.after(saved)
    return RedirectResponse(f"/nominations/{saved.id}", status_code=303)


@router.get("/nominations/{nomination_id}", response_class=HTMLResponse)
def nomination_page(request: Request, nomination_id: str, rt: RuntimeDep, actor: SignedInDep):
    return _nomination_view(request, rt, actor, nomination_id)


def _nomination_view(request: Request, rt: Runtime, actor: Actor, nomination_id: str,
                     error: DomainError | None = None) -> HTMLResponse:
    """The nomination, with ``error`` (a refused action) shown above its actions. A nomination
    the actor may not read is a refusal of its own: the error page."""
    nomination = readable_nomination(rt, actor, parse_id(nomination_id))
    view = rep.nomination(nomination)
    ids = {view["proposing_unit_id"], view["review_unit_id"]} - {None}
    names = {i: rt.app.tree.unit_state(UUID(i)).name for i in ids}
    review_unit = nomination.review_unit_id
    context = {
        "n": view,
        "names": names,
        "history": rep.history(rt.app.history(nomination.id)),
        "can_nominate": rt.app.authz.covers(actor, nomination.proposing_unit_id, "nominator"),
        "on_council": review_unit is not None and any(
            g.role == "reviewer" and g.unit_id == review_unit for g in actor.grants),
        "is_chair": review_unit is not None and any(
            g.role == "reviewer" and g.chair and g.unit_id == review_unit for g in actor.grants),
        "can_decide": nomination.status == "recommended" and review_unit is not None
        and rt.app.authz.covers(actor, review_unit, "approver"),
        "error": error,
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
        elif action == "withdraw":
            saved = rt.app.nominations.withdraw_nomination(
                actor, nid, form.get("reason", ""), version)
        elif action == "vote":
            score = form.get("score", "")
            saved = rt.app.nominations.cast_vote(actor, nid, vote=form.get("vote", ""),
                                     comment=form.get("comment", ""),
                                     score=whole(score, 0, 1000))
        elif action == "recuse":
            saved = rt.app.nominations.recuse(actor, nid, reason=form.get("reason", ""))
        elif action == "close":
            saved = rt.app.nominations.close_review(actor, nid, outcome=form.get("outcome", ""),
                                        reason=form.get("reason", ""), expected_version=version)
    except DomainError as error:
        return _nomination_view(request, rt, actor, nomination_id, error)
    if saved is None:  # no button sends this: the error page, not the nomination
        raise ValidationFailed(reason="thao tác không hợp lệ")
    rt.after(saved)
    return RedirectResponse(f"/nominations/{nomination_id}", status_code=303)
