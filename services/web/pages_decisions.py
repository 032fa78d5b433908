"""Award decisions and ceremonies, with the reconciliation of announced and computed totals."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from projections.queries import Page
from services import representations as rep
from services.http.deps import RuntimeDep
from services.read_policy import Privacy
from services.web.deps import SignedInDep
from services.web.forms import parse_id, parse_year
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                   year: str | None = None, q: str | None = None, offset: int = 0):
    rt.ensure_position(rt.app.max_position())
    result = rt.queries.decisions(year=parse_year(year), q=q or None,
                                  page=Page(limit=50, offset=max(offset, 0)))
    return render(request, "decisions.html", {"result": result, "year": year or "",
                                              "q": q or ""}, actor=actor)


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision_page(request: Request, decision_id: str, rt: RuntimeDep, actor: SignedInDep):
    decision = rt.app.decisions.decision(parse_id(decision_id))
    shown = Privacy(rt, actor).decision(rep.decision(decision), decision)
    return render(request, "decision.html", {"d": shown}, actor=actor)


@router.get("/ceremonies", response_class=HTMLResponse)
def ceremonies_page(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rt.ensure_position(rt.app.max_position())
    result = rt.queries.ceremonies(page=Page(limit=100))
    return render(request, "ceremonies.html", {"result": result}, actor=actor)


@router.get("/ceremonies/{ceremony_id}", response_class=HTMLResponse)
def ceremony_page(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep):
    ceremony = rt.app.ceremonies.ceremony(parse_id(ceremony_id))
    decisions = [rt.app.decisions.decision(d) for d in ceremony.decision_ids]
    host = rt.app.tree.unit_state(ceremony.host_unit_id, ceremony.held_on).name
    return render(request, "ceremony.html",
                  {"c": rep.ceremony(ceremony, decisions), "host": host}, actor=actor)
