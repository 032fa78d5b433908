"""The org tree on any date, and the award registry (sổ khen thưởng) with its totals."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.errors import DomainError, ValidationFailed
from domain.text import nfc
from projections.registry import RegistryFilter
from services.http.deps import RuntimeDep
from services.read_policy import Privacy
from services.web import pages_units, registry_filters
from services.web.deps import SignedInDep
from services.web.forms import parse_date, parse_year
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/org", response_class=HTMLResponse)
def org_page(request: Request, rt: RuntimeDep, actor: SignedInDep, as_of: str | None = None):
    """The tree on a date (ISO ``as_of``; one that cannot be read is the error page): the same
    page as ``/units`` (``pages_units``), whose forms lead there."""
    on = parse_date(as_of) or rt.app.today()
    return pages_units.tree_page(request, rt, actor, on_text=on.isoformat())


REGISTRY_GROUPINGS = [
    ("issuer", "Cơ quan ban hành"), ("year", "Năm"), ("award_kind", "Hình thức khen thưởng"),
    ("decision", "Quyết định"), ("ceremony", "Buổi trao thưởng"), ("funding", "Nguồn chi"),
    ("amount_source", "Căn cứ số tiền"),
]


@router.get("/registry", response_class=HTMLResponse)
def registry_page(request: Request, rt: RuntimeDep, actor: SignedInDep, q: str = "",
                  year: str = "", as_of: str = "", group_by: str = "issuer", unit_id: str = "",
                  award_kind: str = "", recipient_kind: str = "", gender: str = ""):
    """A refused search (a date or year that cannot be read) is shown on the form (422). The
    lines 50 a page (``?page=N``, the search kept in the pager's links)."""
    rt.ensure_position(rt.app.max_position())
    form = {"q": q, "year": year, "as_of": as_of, "group_by": group_by}
    error, totals, lines, paging = None, None, None, None
    # a unit, award kind, recipient kind, gender: as the dashboard's charts link here
    extra = registry_filters.ExtraFilters(given={
        "unit_id": unit_id, "award_kind": award_kind, "recipient_kind": recipient_kind,
        "gender": gender})
    try:
        extra = registry_filters.read(rt, request.url.path, dict(request.query_params),
                                      unit_id=unit_id, award_kind=award_kind,
                                      recipient_kind=recipient_kind, gender=gender)
        day = parse_date(as_of)
        year_value = parse_year(year)
        if year.strip() and year_value is None:
            raise ValidationFailed(reason="năm không hợp lệ")
        f = RegistryFilter(q=nfc(q) or None, year=year_value, as_of=day, **extra.fields)
        chosen = group_by if group_by in dict(REGISTRY_GROUPINGS) else "issuer"
        totals = rt.registry.totals(f, chosen)
        found, paging = paged(request, lambda page: rt.registry.lines(f, page),
                              anchor="danh-sach")
        lines = {**found, "items": Privacy(rt, actor).registry_lines(found["items"])}
    except DomainError as err:
        error = err
    query = "&".join(f"{k}={quote(v)}" for k, v in (("q", q), ("year", year), ("as_of", as_of),
                                                    *extra.query()) if v)
    return render(request, "registry.html",
                  {"form": form, "totals": totals, "lines": lines, "error": error,
                   "groupings": REGISTRY_GROUPINGS, "query": query, "paging": paging,
                   "extra": extra, "choices": registry_filters.choices()},
                  422 if error else 200, actor)
