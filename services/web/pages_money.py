"""Money: the award calculator, and the awards office's list of schedule differences (the
schedules themselves: ``pages_schedules``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.errors import DomainError
from services import representations as rep
from services.http.deps import RuntimeDep
from services.money_report import schedule_differences
from services.read_policy import is_office
from services.web.deps import SignedInDep
from services.web.forms import day_typed, dmy, parse_id, parse_year
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/calculator", response_class=HTMLResponse)
def calculator_page(request: Request, rt: RuntimeDep, actor: SignedInDep, award_kind: str = "",
                    recipient_kind: str = "individual", on: str = "", issuer_unit_id: str = "",
                    issuer_level: str = ""):
    """A refused question (unknown kind, kind not for this recipient…) is shown on the form
    (422)."""
    rt.ensure_position(rt.app.max_position())
    today = rt.app.today()
    form = {"award_kind": award_kind, "recipient_kind": recipient_kind,
            "on": on[:40] or dmy(today), "issuer_unit_id": issuer_unit_id,
            "issuer_level": issuer_level}
    answer, error = None, None
    if award_kind:
        try:
            day = day_typed(on, "ngày quyết định") or today  # dd/mm/yyyy, or ISO
            if issuer_unit_id:
                issuer = {"unit_id": str(parse_id(issuer_unit_id))}
            else:
                issuer = {"body": "government", "level": issuer_level,
                          "name": f"Cơ quan nhà nước cấp {issuer_level}"}
            found, resolved = rt.app.schedules.calculate(award_kind=award_kind,
                                               recipient_kind=recipient_kind,
                                               issuer=issuer, on=day)
            answer = rep.quote(found, resolved, day, award_kind, recipient_kind)
            form["on"] = dmy(day)
        except DomainError as err:
            error = err
    units = [{"id": u["id"], "name": u["name"]}
             for u in rt.queries.units_on(today)["items"]]
    context = {
        "form": form, "quote": answer, "error": error, "units": units,
        "kinds": list(catalog().kinds.values()),
        "recipient_kinds": list(RECIPIENT_LABELS.items()),
        "levels": [(lvl.code, lvl.name) for lvl in catalog().levels.values()],
        "schedules": rep.schedules(rt.app.schedules.money_schedules()),
        "office": is_office(actor),  # the link to the schedule differences
    }
    return render(request, "calculator.html", context, 422 if error else 200, actor)


@router.get("/schedules/differences", response_class=HTMLResponse)
def schedule_differences_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                              year: str = "", offset: int = 0):
    """The awards office's list of computed lines that the schedules known now compute
    otherwise (e.g. decided before a new base salary was recorded): to correct by a new
    decision; nothing here changes a recorded amount."""
    rt.ensure_position(rt.app.max_position())
    year_value = parse_year(year)
    report = schedule_differences(rt, actor, year=year_value, limit=100, offset=max(offset, 0))
    return render(request, "schedule_differences.html",
                  {"report": report, "year": year_value or ""}, actor=actor)
