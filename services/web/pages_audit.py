"""Nhật ký hoạt động (``/audit``): who did what, when and why, in the units of the reader's
office and administrator grants — the same rows, filters and permission as the API
(``services.audit``): a person (user name), a unit with the units under it, a kind of act,
dates dd/mm/yyyy (Vietnam's calendar). Filters stay in the address bar; 50 rows a page with
the total; a CSV link of exactly the rows filtered; nothing here changes anything."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from domain.errors import DomainError, RoleRequired, UnknownReference
from projections.audit import kinds_of_acts
from services import audit
from services.http.deps import RuntimeDep
from services.web.deps import SignedInDep
from services.web.forms import day_typed, parse_id
from services.web.pages_dashboard import office_units, unit_options
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import page_message, render

router = page_router()
FIELDS = {"actor": "Người thực hiện", "unit_id": "Đơn vị", "kind": "Loại việc",
          "from": "Từ ngày", "to": "Đến ngày"}


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
               person: Annotated[str, Query(alias="actor")] = "", unit_id: str = "",
               kind: str = "", since: Annotated[str, Query(alias="from")] = "",
               until: Annotated[str, Query(alias="to")] = ""):
    """The trail, newest first. A value that cannot be read is shown beside its field, the
    form kept as typed (422); a unit outside the reader's grants is the 403 page; someone who
    is neither an awards office nor an administrator gets the 403 page."""
    if not audit.may_read(actor):
        raise RoleRequired(role=audit.READER_LABEL)
    rt.ensure_position(rt.app.max_position())
    form = {"actor": person.strip()[:100], "unit_id": unit_id.strip()[:100],
            "kind": kind.strip()[:100], "from": since.strip()[:40], "to": until.strip()[:40]}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    readers = {"actor": audit.read_actor,
               "unit_id": lambda v: parse_id(v) if v else None,
               "kind": audit.read_kind,
               "from": lambda v: day_typed(v, "ngày bắt đầu"),
               "to": lambda v: day_typed(v, "ngày kết thúc")}
    for name, read in readers.items():
        try:
            values[name] = read(form[name])
        except DomainError as error:
            errors[name] = page_message(error)
    if "from" not in errors and "to" not in errors:
        try:
            audit.read_until(values["from"], values["to"])
        except DomainError as error:
            errors["to"] = page_message(error)
    f = None
    if not errors:
        f = audit.AuditFilter(unit_id=values["unit_id"], actor=values["actor"],
                              kind=values["kind"], since=values["from"], until=values["to"])
        try:
            audit.scope(rt, actor, f.unit_id)  # 403 outside her grants
        except UnknownReference as error:
            errors["unit_id"] = page_message(error)
    found, paging, query = None, None, ""
    if f is not None and not errors:
        found, paging = paged(request, lambda page: audit.listing(rt, actor, f, page),
                              anchor="danh-sach")
        query = urlencode([(k, v) for k, v in (
            ("unit_id", str(f.unit_id) if f.unit_id else ""), ("actor", f.actor or ""),
            ("kind", f.kind or ""), ("from", f.since.isoformat() if f.since else ""),
            ("to", f.until.isoformat() if f.until else "")) if v])
    offices = office_units(actor)
    centre = f.unit_id if f is not None and f.unit_id and not errors else \
        (offices[0] if offices else None)
    options = unit_options(rt, actor, offices, centre, rt.app.today()) if centre else []
    return render(request, "audit.html", {
        "form": form, "errors": errors, "labels": FIELDS, "found": found, "paging": paging,
        "query": query, "options": options, "kinds": kinds_of_acts(),
        "filtered": any(form.values()),
    }, 422 if errors else 200, actor)
