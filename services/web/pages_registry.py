"""The org tree on any date, and the award registry (sổ khen thưởng) with its totals; the
recipient search and each recipient's award history (hồ sơ khen thưởng)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.errors import DomainError, NotFound, ValidationFailed
from domain.text import nfc
from projections.registry import RegistryFilter
from services import erasure
from services.http.deps import RuntimeDep
from services.read_policy import Privacy
from services.web import pages_units, registry_filters
from services.web.deps import SignedInDep
from services.web.forms import day_typed, parse_date, parse_year
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
                  award_kind: str = "", recipient_kind: str = "", gender: str = "",
                  issuer_unit_id: str = "", status: str = ""):
    """A refused search (a date or year that cannot be read) is shown on the form (422). The
    lines 50 a page (``?page=N``, the search kept in the pager's links). ``as_of``: dd/mm/yyyy
    (ISO too); ``status``: active (the default), revoked or all. The export links carry
    exactly the filters shown (in the API's words: the date in ISO)."""
    rt.ensure_position(rt.app.max_position())
    form = {"q": q, "year": year, "as_of": as_of, "group_by": group_by}
    error, totals, lines, paging = None, None, None, None
    # a unit, award kind, recipient kind, gender: as the dashboard's charts link here
    given = {"unit_id": unit_id, "award_kind": award_kind, "recipient_kind": recipient_kind,
             "gender": gender, "issuer_unit_id": issuer_unit_id, "status": status}
    extra = registry_filters.ExtraFilters(given={k: v.strip() for k, v in given.items()})
    day = None
    try:
        extra = registry_filters.read(rt, request.url.path, dict(request.query_params),
                                      **given)
        day = day_typed(as_of, "ngày tính đến")
        if len(q.strip()) > 100:  # as the API (and so the export links) takes it
            raise ValidationFailed(reason="tên tìm quá dài (tối đa 100 ký tự)")
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
    query = urlencode([(k, v) for k, v in (("q", q.strip()), ("year", year.strip()),
                                           ("as_of", day.isoformat() if day else ""),
                                           *extra.query()) if v])
    return render(request, "registry.html",
                  {"form": form, "totals": totals, "lines": lines, "error": error,
                   "groupings": REGISTRY_GROUPINGS, "query": query, "paging": paging,
                   "extra": extra, "choices": registry_filters.choices(rt)},
                  422 if error else 200, actor)


# -- people and collectives: the search, and each one's award history ---------------------------

RECIPIENT_KEY = re.compile(r"r-[A-Za-z0-9_-]{1,80}")


@router.get("/registry/recipients", response_class=HTMLResponse)
def recipients_page(request: Request, rt: RuntimeDep, actor: SignedInDep, q: str = ""):
    """Người, tập thể đã được khen thưởng: the name searched as the registry does (a word's
    start, without diacritics too), 50 a page; each with her birth year and unit (namesakes told
    apart), linked to her award history."""
    rt.ensure_position(rt.app.max_position())
    q = q.strip()
    error, found, paging = None, None, None
    try:
        if len(q) > 100:
            raise ValidationFailed(reason="tên tìm quá dài (tối đa 100 ký tự)")
        found, paging = paged(request, lambda page: rt.registry.recipients(nfc(q) or None, page),
                              anchor="ket-qua")
    except DomainError as err:
        error = err
    return render(request, "recipients.html",
                  {"q": q, "found": found, "paging": paging, "error": error},
                  422 if error else 200, actor)


@router.get("/registry/recipients/{key}", response_class=HTMLResponse)
def recipient_page(request: Request, rt: RuntimeDep, actor: SignedInDep, key: str,
                   as_of: str = ""):
    """Hồ sơ khen thưởng: every award line of one person or collective (by public key), in
    force and revoked, oldest first; as of a date (dd/mm/yyyy); personal data only where the
    reader's grants cover it (``Privacy``); exports of exactly these lines."""
    rt.ensure_position(rt.app.max_position())
    if not RECIPIENT_KEY.fullmatch(key):
        raise NotFound(what="người / tập thể này trong sổ khen thưởng")
    everything = rt.registry.history(key)
    if not everything["items"]:
        raise NotFound(what="người / tập thể này trong sổ khen thưởng")
    error, day, found = None, None, everything
    try:
        day = day_typed(as_of, "ngày tính đến")
        if day is not None:
            found = rt.registry.history(key, day)
    except DomainError as err:
        error = err
    privacy = Privacy(rt, actor)
    items = privacy.registry_lines(found["items"])
    latest = privacy.registry_lines(everything["items"][-1:])[0]
    query = urlencode([("recipient_id", key), ("status", "all"),
                       *((("as_of", day.isoformat()),) if day else ())])
    # «Xóa dữ liệu cá nhân»: for an admin who may erase (``services.erasure``), while some is held
    may_erase = False
    if actor.units_for("admin") and latest["recipient"]["kind"] != "collective":
        try:
            may_erase = erasure.find_person(rt, actor, recipient_id=key).has_key
        except DomainError:
            may_erase = False
    return render(request, "recipient.html",
                  {"key": key, "items": items, "found": found, "person": latest["recipient"],
                   "unit_path_text": latest["unit_path_text"], "as_of": as_of.strip(),
                   "day": day, "error": error, "query": query, "may_erase": may_erase,
                   "revoked": sum(1 for i in items if i["status"] == "revoked")},
                  422 if error else 200, actor)
