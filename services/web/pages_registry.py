"""The org tree on any date, and the award registry (sổ khen thưởng) with its totals."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.errors import DomainError, ValidationFailed
from domain.text import nfc
from projections.queries import Page
from projections.registry import RegistryFilter
from services.http.deps import RuntimeDep
from services.read_policy import Privacy
from services.web.deps import SignedInDep
from services.web.forms import parse_date, parse_year
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/org", response_class=HTMLResponse)
def org_page(request: Request, rt: RuntimeDep, actor: SignedInDep, as_of: str | None = None):
    on = parse_date(as_of) or rt.app.today()
    rt.ensure_position(rt.app.max_position())
    return render(request, "org.html", {"tree": rt.queries.tree_on(on), "on": on}, actor=actor)


REGISTRY_GROUPINGS = [
    ("issuer", "Cơ quan ban hành"), ("year", "Năm"), ("award_kind", "Hình thức khen thưởng"),
    ("decision", "Quyết định"), ("ceremony", "Buổi trao thưởng"), ("funding", "Nguồn chi"),
    ("amount_source", "Căn cứ số tiền"),
]


@router.get("/registry", response_class=HTMLResponse)
def registry_page(request: Request, rt: RuntimeDep, actor: SignedInDep, q: str = "",
                  year: str = "", as_of: str = "", group_by: str = "issuer", offset: int = 0):
    """A refused search (a date or year that cannot be read) is shown on the form (422)."""
    rt.ensure_position(rt.app.max_position())
    form = {"q": q, "year": year, "as_of": as_of, "group_by": group_by}
    error, totals, lines = None, None, None
    try:
        day = parse_date(as_of)
        year_value = parse_year(year)
        if year.strip() and year_value is None:
            raise ValidationFailed(reason="năm không hợp lệ")
        f = RegistryFilter(q=nfc(q) or None, year=year_value, as_of=day)
        chosen = group_by if group_by in dict(REGISTRY_GROUPINGS) else "issuer"
        totals = rt.registry.totals(f, chosen)
        found = rt.registry.lines(f, Page(limit=100, offset=max(offset, 0)))
        lines = {**found, "items": Privacy(rt, actor).registry_lines(found["items"])}
    except DomainError as err:
        error = err
    query = "&".join(f"{k}={quote(v)}" for k, v in (("q", q), ("year", year), ("as_of", as_of))
                     if v)
    return render(request, "registry.html",
                  {"form": form, "totals": totals, "lines": lines, "error": error,
                   "groupings": REGISTRY_GROUPINGS, "query": query},
                  422 if error else 200, actor)
