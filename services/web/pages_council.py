"""The council in the pages: scores and per-kind criteria, what I have already voted, the review's
votes, comments, recusals and conclusion kept visible, the minutes of the council meeting (issue
16)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.catalog import catalog
from domain.council import MODE_LABELS
from domain.errors import DomainError, ValidationFailed
from domain.nomination import UNDER_REVIEW, Nomination
from domain.text import nfc
from services.app import Runtime
from services.authz import Actor
from services.council import Council
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.web.deps import SignedInDep
from services.web.forms import day_typed, parse_id, whole
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import render

router = page_router()
CRITERIA_ROWS = 8  # rows of the criteria form


def minutes_query(unit_id: Any, *, submission_id: Any = None, closed_on: str | None = None
                  ) -> str:
    params = {"unit_id": str(unit_id)}
    if submission_id:
        params["submission_id"] = str(submission_id)
    if closed_on:
        params["closed_on"] = closed_on
    return urlencode(params)


def criteria_scores(form: dict[str, str]) -> dict[str, int] | None:
    """``score_<code>`` fields of the vote form (``_council.html``) as ``{code: score}``; None
    when the form has none. A score typed that is no whole number is refused."""
    out: dict[str, int] = {}
    for key, text in form.items():
        if not key.startswith("score_") or not str(text).strip():
            continue
        value = whole(text, 0, 100_000)
        if value is None:
            raise ValidationFailed(reason=f"điểm «{str(text)[:20]}» phải là số nguyên không âm")
        out[key.removeprefix("score_")[:10]] = value
    return out or None


def council_context(rt: Runtime, actor: Actor, nomination: Nomination) -> dict[str, Any]:
    """What ``_council.html`` shows on a nomination the actor may read: every round of review
    from the events (votes with scores, recusals, the conclusion), the scoring of the open
    review, the actor's own ballot, links to the minutes."""
    council = Council(rt)
    rounds = council.reviews(nomination)["rounds"]
    for r in rounds:
        if r["closed"]:
            r["minutes_query"] = minutes_query(r["unit_id"], closed_on=r["closed"]["on"])
            if nomination.submission_id:
                r["submission_minutes_query"] = minutes_query(
                    r["unit_id"], submission_id=nomination.submission_id)
    review_unit = nomination.review_unit_id
    on_council = review_unit is not None and any(
        g.role == "reviewer" and g.unit_id == review_unit for g in actor.grants)
    scoring = None
    if nomination.status == UNDER_REVIEW and review_unit is not None:
        scoring = council.scoring(review_unit, nomination.award_kind).as_dict()
    return {
        "rounds": rounds,
        "scoring": scoring,
        "can_score": on_council and nomination.status == UNDER_REVIEW,
        "my_ballot": council.my_ballot(nomination, actor.username),
        "unit_id": str(review_unit) if review_unit else None,
    }


def _council_units(rt: Runtime, actor: Actor) -> list[dict[str, str]]:
    ids = {str(g.unit_id) for g in actor.grants if g.role in ("reviewer", "approver", "admin")}
    names = rt.queries.unit_names(ids)
    return sorted(({"id": i, "name": names.get(i, i)} for i in ids), key=lambda u: u["name"])


@router.get("/council", response_class=HTMLResponse)
def council_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                 unit_id: str | None = None):
    """A council's page: what waits for it (and whether I have voted), its criteria, its
    minutes."""
    rt.ensure_position(rt.app.max_position())
    units = _council_units(rt, actor)
    if not unit_id:
        if not units:
            raise ValidationFailed(reason="bạn không thuộc Hội đồng hay văn phòng của đơn vị nào")
        unit_id = units[0]["id"]
    unit = rt.app.tree.referenced_unit(parse_id(unit_id))
    council = Council(rt)
    result, paging = paged(request, lambda page: council.queue(actor, unit.id, page))
    submissions = rt.queries.submissions(unit_ids=rt.queries.subtree_ids({str(unit.id)}))
    return render(request, "council.html", {
        "unit": {"id": str(unit.id), "name": rt.app.tree.unit_state(unit.id).name},
        "units": units,
        "result": result,
        "paging": paging,
        "criteria": [c for c in council.criteria_of_unit(unit.id) if c["recorded"]],
        "may_set_criteria": council.may_set_criteria(actor, unit.id),
        "kinds": list(catalog().kinds.values()),
        "submissions": submissions["items"],
        "today": rt.app.today().strftime("%d/%m/%Y"),
    }, actor=actor)


def _criteria_form(request: Request, rt: Runtime, actor: Actor, unit_id: UUID, award_kind: str,
                   form: dict[str, str] | None = None, error: DomainError | None = None
                   ) -> HTMLResponse:
    council = Council(rt)
    council.require_criteria_setter(actor, unit_id)
    current = council.criteria_view(unit_id, award_kind)
    if form is None:
        form = {"mode": current["mode"] if current["recorded"] else "criteria",
                "max": str(current["max"] or "")}
        for i, c in enumerate(current["criteria"], start=1):
            form[f"name_{i}"], form[f"max_{i}"] = c["name"], str(c["max"])
    return render(request, "council_criteria.html", {
        "unit": {"id": str(unit_id), "name": rt.app.tree.unit_state(unit_id).name},
        "current": current, "form": form, "rows": range(1, CRITERIA_ROWS + 1),
        "modes": {k: v for k, v in MODE_LABELS.items() if k != "default"}, "error": error,
    }, status_for(error) if error else 200, actor)


@router.get("/council/criteria", response_class=HTMLResponse)
def criteria_page(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str,
                  award_kind: str):
    unit = rt.app.tree.referenced_unit(parse_id(unit_id))
    catalog().kind(award_kind)
    return _criteria_form(request, rt, actor, unit.id, award_kind)


@router.post("/council/criteria")
async def criteria_save(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = {k: nfc(str(v)) for k, v in (await request.form()).items()}
    unit = rt.app.tree.referenced_unit(parse_id(form.get("unit_id", "")))
    award_kind = catalog().kind(form.get("award_kind", "")).code
    try:
        mode = form.get("mode", "")
        criteria = []
        for i in range(1, CRITERIA_ROWS + 1):
            name, top = form.get(f"name_{i}", "").strip(), form.get(f"max_{i}", "").strip()
            if not name and not top:
                continue
            value = whole(top, 1, 1000)
            if value is None:
                raise ValidationFailed(reason=f"điểm tối đa ở dòng {i} phải là số nguyên từ 1 "
                                              f"đến 1000")
            criteria.append({"name": name, "max": value})
        maximum = None
        if mode == "plain":
            maximum = whole(form.get("max"), 1, 100)
            if form.get("max") and maximum is None:
                raise ValidationFailed(reason="điểm tối đa phải là số nguyên từ 1 đến 100")
        saved = Council(rt).set_criteria(
            actor, unit_id=unit.id, award_kind=award_kind, mode=mode,
            criteria=criteria if mode == "criteria" else [], maximum=maximum,
            expected_version=whole(form.get("version"), 0, 10**9))
    except DomainError as error:
        return _criteria_form(request, rt, actor, unit.id, award_kind, form, error)
    rt.after(saved)
    return RedirectResponse(f"/council?{urlencode({'unit_id': str(unit.id)})}", status_code=303)


@router.get("/council/minutes", response_class=HTMLResponse)
def minutes_page(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str,
                 submission_id: str | None = None, closed_on: str | None = None):
    """The minutes as they read, with the PDF and Word files."""
    unit = rt.app.tree.referenced_unit(parse_id(unit_id))
    day = day_typed(closed_on, "ngày kết luận")
    sub = parse_id(submission_id) if submission_id else None
    doc = Council(rt).minutes(actor, unit_id=unit.id, submission_id=sub, closed_on=day)
    query = minutes_query(unit.id, submission_id=sub,
                          closed_on=day.isoformat() if day else None)
    return render(request, "council_minutes.html", {"doc": doc, "query": query,
                                                    "unit_id": str(unit.id)}, actor=actor)
