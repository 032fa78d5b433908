"""The office's dashboard (issue 15): files waiting by stage and age, the year's decisions, awards
and money (committed, paid at ceremonies, outstanding), and charts by year, award kind, unit,
gender and recipient kind — each bar a link to the registry filtered the same way, whose totals
are the bar's figures (the bars *are* the registry's answers: ``rt.registry.totals`` for the
same filter, or the same running totals read for several units at once).

For the awards office (approver) and the administrators of a unit, over its subtree: the unit
is chosen among the units their grants cover; anyone else is refused (403).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.catalog import RECIPIENT_KINDS, RECIPIENT_LABELS
from domain.errors import NotFound, OutsideScope, RoleRequired, ValidationFailed
from domain.money import format_dong
from domain.nomination import DRAFT, RECOMMENDED, RETURNED, UNDER_REVIEW
from domain.totals import totals
from projections import payments
from projections.dashboard import DashboardRows
from projections.queries import Page
from projections.registry import GENDERS, RegistryFilter
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.presentation.charts import Bar, chart, count_text
from services.presentation.totals import counts_text
from services.web.deps import SignedInDep
from services.web.forms import dmy, parse_id, parse_year
from services.web.routing import page_router
from services.web.templating import render

router = page_router()

OFFICE_ROLES = ("approver", "admin")
YEARS_SHOWN = 6
UNIT_BARS = 20  # the units with the most awards; the table beside the chart lists them all
STAGE_LABELS = {
    DRAFT: "Đang soạn (bản nháp)",
    UNDER_REVIEW: "Đang chờ Hội đồng TĐKT xét",
    RECOMMENDED: "Đã đề nghị, chờ quyết định",
    RETURNED: "Bị trả lại để hoàn thiện",
}
STAGE_HINTS = {
    DRAFT: "tại đơn vị lập đề nghị",
    UNDER_REVIEW: "tại Hội đồng của đơn vị",
    RECOMMENDED: "tại văn phòng của đơn vị xét",
    RETURNED: "tại đơn vị lập đề nghị",
}
GENDER_LABELS = {"female": "Nữ", "male": "Nam", "unknown": "Không ghi giới tính"}
NONE = totals(lines=0, individuals=0, collectives=0, households=0, amount_sum=None, stated=0)


def office_units(actor: Actor) -> list[UUID]:
    """The units where the actor is the awards office or an administrator, in her grants'
    order; none is a refusal (403)."""
    units: list[UUID] = []
    for grant in actor.grants:
        if grant.role in OFFICE_ROLES and grant.unit_id not in units:
            units.append(grant.unit_id)
    if not units and not actor.is_system:
        raise RoleRequired(role="Văn phòng / Ban TĐKT hoặc Quản trị")
    return units


def covers_as_office(rt: Runtime, actor: Actor, unit: UUID) -> bool:
    return any(rt.app.authz.covers(actor, unit, role) for role in OFFICE_ROLES)


def registry_href(**params: Any) -> str:
    """The registry page filtered by these (empty ones left out), in a stable order."""
    return "/registry?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _days(since: str, today: date) -> int:
    return max((today - date.fromisoformat(since[:10])).days, 0)


def waiting_files(rt: Runtime, actor: Actor, unit: UUID, today: date) -> list[dict[str, Any]]:
    """Files waiting in each stage within the unit's subtree: how many, how old the oldest,
    and per unit a link to the list of exactly those files."""
    root = rt.app.tree.root_unit_id()
    scope = None if unit == root else rt.queries.subtree_ids({str(unit)})
    rows = DashboardRows(rt.db).waiting(scope)
    names = rt.queries.unit_names({r["unit_id"] for r in rows})
    stages = []
    for status, label in STAGE_LABELS.items():
        mine = [r for r in rows if r["stage"] == status]
        units = []
        for row in mine:
            unit_id = row["unit_id"]
            if status == RECOMMENDED and rt.app.authz.covers(actor, UUID(unit_id), "approver"):
                href = f"/decisions/queue?{urlencode({'unit_id': unit_id})}"
            else:
                href = f"/nominations?{urlencode({'status': status, row['field']: unit_id})}"
            units.append({"name": names.get(unit_id, ""), "count": row["waiting"],
                          "age": _days(row["oldest"], today), "href": href})
        units.sort(key=lambda u: (-u["age"], -u["count"], u["name"]))
        stages.append({
            "stage": status, "label": label, "hint": STAGE_HINTS[status],
            "count": sum(u["count"] for u in units),
            "age": max((u["age"] for u in units), default=None),
            "units": units,
        })
    return stages


def year_summary(rt: Runtime, unit: UUID, year: int) -> dict[str, Any]:
    """The year's decisions, awards and money for the unit's subtree: committed (the lines in
    force), paid at ceremonies, outstanding and paid beyond what is committed."""
    f = RegistryFilter(unit_id=str(unit), year=year)
    found = rt.registry.totals(f, "decision")
    total = found["total"]
    money = payments.paid(rt.db, f)
    committed = total["amount"]
    outstanding = (committed or 0) - money["covered"]
    return {
        "decisions": len(found["groups"]),
        "decisions_href": registry_href(unit_id=unit, year=year, group_by="decision"),
        "lines": total["lines"],
        "lines_href": registry_href(unit_id=unit, year=year),
        "total": total,
        "counts_text": counts_text(total),
        "committed": committed,
        "committed_text": format_dong(committed),
        "paid": money["paid"],
        "paid_text": format_dong(money["paid"]),
        "outstanding": outstanding,
        "outstanding_text": format_dong(outstanding),
        "excess": money["excess"],
        "excess_text": format_dong(money["excess"]),
        "lines_paid": money["lines_paid"],
    }


def _bar(label: str, found: dict[str, Any], href: str, dashboard: str | None = None) -> Bar:
    return Bar(label=label, lines=found["lines"], amount=found["amount"], href=href,
               lines_without_amount=found["lines_without_amount"], dashboard_href=dashboard)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def charts(rt: Runtime, unit: UUID, unit_name: str, year: int, today: date
           ) -> list[dict[str, Any]]:
    """The dashboard's charts; each bar's figures are the registry's totals for its link."""
    out = []
    base = RegistryFilter(unit_id=str(unit))
    this_year = replace(base, year=year)

    years = list(range(year - YEARS_SHOWN + 1, year + 1))
    by_year = {g["key"]: g for g in rt.registry.totals(base, "year", recipients=False)["groups"]}
    out.append(chart(
        "by-year", f"Theo năm, {years[0]}–{years[-1]}",
        f"Số khen thưởng và số tiền của {unit_name} (kể cả đơn vị trực thuộc) mỗi năm từ "
        f"{years[0]} đến {years[-1]}.",
        [_bar(f"Năm {y}", by_year.get(str(y), NONE), registry_href(unit_id=unit, year=y))
         for y in years]))

    kinds = rt.registry.totals(this_year, "award_kind", recipients=False)["groups"]
    kinds.sort(key=lambda g: (-g["lines"], g["label"]))
    out.append(chart(
        "by-kind", f"Theo hình thức khen thưởng, năm {year}",
        f"Số khen thưởng và số tiền theo hình thức khen thưởng, năm {year}, của {unit_name}.",
        [_bar(g["label"], g, registry_href(unit_id=unit, year=year, award_kind=g["key"]))
         for g in kinds]))

    out.append(units_chart(rt, unit, unit_name, year, today, this_year))

    out.append(chart(
        "by-gender", f"Cá nhân theo giới tính, năm {year}",
        f"Số khen thưởng cá nhân và số tiền theo giới tính, năm {year}, của {unit_name}.",
        [_bar(GENDER_LABELS[g], rt.registry.totals(replace(this_year, gender=g))["total"],
              registry_href(unit_id=unit, year=year, gender=g))
         for g in GENDERS]))

    by_kind = {g["key"]: g for g in rt.registry.totals(this_year, "recipient_kind",
                                                          recipients=False)["groups"]}
    out.append(chart(
        "by-recipient", f"Tập thể, cá nhân, hộ gia đình, năm {year}",
        f"Số khen thưởng và số tiền theo loại đối tượng, năm {year}, của {unit_name}.",
        [_bar(_capital(RECIPIENT_LABELS[k]), by_kind.get(k, NONE),
              registry_href(unit_id=unit, year=year, recipient_kind=k))
         for k in ("collective", "individual", "household") if k in RECIPIENT_KINDS]))
    return out


def units_chart(rt: Runtime, unit: UUID, unit_name: str, year: int, today: date,
                this_year: RegistryFilter) -> dict[str, Any]:
    """The units directly under the unit as the tree stood at the end of the year (today for
    the current year), with their awards of the year; what belongs to none of them (the unit's
    own awards, or those of a unit no longer under it) is said under the chart."""
    on = min(date(year, 12, 31), today)
    children = rt.queries.units_on(on, parent_id=str(unit), page=Page(limit=500))["items"]
    sums = DashboardRows(rt.db).unit_totals([c["id"] for c in children], year)
    bars = [
        _bar(c["name"], sums[c["id"]], registry_href(unit_id=c["id"], year=year),
             "/dashboard?" + urlencode({"unit_id": c["id"], "year": year}))
        for c in children if sums[c["id"]]["lines"]
    ]
    bars.sort(key=lambda b: (-b.lines, -(b.amount or 0), b.label))
    whole = rt.registry.totals(this_year, recipients=False)["total"]
    rest = whole["lines"] - sum(b.lines for b in bars)
    notes = []
    if len(bars) > UNIT_BARS:
        notes.append(f"Biểu đồ vẽ {UNIT_BARS} đơn vị có nhiều khen thưởng nhất; bảng số liệu "
                     f"có đủ {len(bars)} đơn vị.")
    if not children:
        notes.append(f"{unit_name} không có đơn vị trực thuộc vào ngày "
                     f"{dmy(on)}.")
    if rest > 0:
        notes.append(f"{count_text(rest)} khen thưởng không thuộc đơn vị trực thuộc nào ở trên "
                     "(của chính đơn vị, hoặc của đơn vị nay không còn trực thuộc).")
    result = chart(
        "by-unit", f"Theo đơn vị trực thuộc, năm {year}",
        f"Số khen thưởng và số tiền của từng đơn vị trực thuộc {unit_name} "
        f"(theo cây tổ chức ngày {dmy(on)}), năm {year}.",
        bars[:UNIT_BARS], " ".join(notes))
    result["bars"] = bars  # the table beside the chart lists every unit
    return result


def unit_options(rt: Runtime, actor: Actor, offices: list[UUID], unit: UUID, today: date
                 ) -> list[dict[str, Any]]:
    """The units offered in the chooser, in groups: the actor's own offices, the units above
    the chosen one that she covers as office, and those directly under it (active today)."""
    above = [u for u in reversed(rt.app.tree.ancestors(unit)[1:])
             if u not in offices and covers_as_office(rt, actor, u)]
    below = [u for u in rt.queries.units_on(today, parent_id=str(unit),
                                             page=Page(limit=500))["items"]
             if UUID(u["id"]) not in offices]
    names = rt.queries.unit_names({str(u) for u in [*offices, *above, unit]})
    groups = [{"label": "Đơn vị của bạn", "units": [(str(u), names.get(str(u), ""))
                                                    for u in offices]}]
    chosen = [(str(u), names.get(str(u), "")) for u in [*above, unit] if u not in offices]
    if chosen:
        groups.append({"label": "Cấp trên và đơn vị đang xem", "units": chosen})
    if below:
        groups.append({"label": f"Trực thuộc {names.get(str(unit), '')}",
                       "units": [(u["id"], u["name"]) for u in below]})
    return groups


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str = "",
              year: str = ""):
    """The dashboard of one unit and year (default: the first unit of the actor's office or
    administrator grants, this year). A unit that cannot be read as an id or a year that is not
    one is refused on the form (422); an unknown unit is a 404; a unit outside her office
    grants a 403."""
    offices = office_units(actor)
    rt.ensure_position(rt.app.max_position())
    today = rt.app.today()
    unit = parse_id(unit_id.strip()) if unit_id.strip() else offices[0]
    unit_name = rt.queries.unit_names({str(unit)}).get(str(unit))
    if unit_name is None:
        raise NotFound(what="đơn vị")
    if not covers_as_office(rt, actor, unit):
        raise OutsideScope(unit_id=str(unit))
    form = {"unit_id": str(unit), "year": year.strip()}
    year_value = parse_year(year) if year.strip() else today.year
    context: dict[str, Any] = {
        "form": form, "unit_id": str(unit), "unit_name": unit_name,
        "options": unit_options(rt, actor, offices, unit, today),
    }
    if year_value is None:
        context["error"] = ValidationFailed(reason=f"năm «{year.strip()[:20]}» không hợp lệ "
                                                   "(một năm từ 1900 đến 2200, ví dụ 2024)")
        return render(request, "dashboard.html", context, 422, actor)
    form["year"] = str(year_value)
    context.update(
        year=year_value,
        waiting=waiting_files(rt, actor, unit, today),
        summary=year_summary(rt, unit, year_value),
        charts=charts(rt, unit, unit_name, year_value, today),
    )
    return render(request, "dashboard.html", context, actor=actor)
