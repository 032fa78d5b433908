"""Emulation (thi đua) in the pages: the lists, clusters and blocks (cụm, khối) with their yearly
covenants and the board (issue 19). A member's report is ``pages_cluster_reports``; movements
``pages_movements``; title registrations ``pages_registrations``; what they share
``emulation_forms``.

* ``/emulation``: the clusters, movements and title registrations the user may read (each list
  cut to her units by ``projections.emulation``), paged, with what she may start;
* ``/emulation/clusters/new``: a cluster for a unit her office manages;
* ``/emulation/clusters/{id}``: the years (members, lead, covenant, and the history of each
  year's membership and lead changes with their days and reasons), a rename and the year's
  members and lead (``…/years``) for the managing unit's office;
* ``/emulation/clusters/{id}/years/{year}/join|merge|lead``: for that office, a member joins
  from a day, a member is merged into another unit, the lead rotates from a day — each a form,
  a check page (``…/check``: what will happen, nothing recorded) and the record;
* ``/emulation/clusters/{id}/{year}``: the board — members × indicators, each cell's value and
  evaluation in words, each column's counts ("8/9", "4/9 tỉnh có trường hợp xảy ra", the sum
  and the figures stated for the whole cluster), totals, ranking, classes; the covenant (status,
  signatures) with sign, open and close behind confirmation pages; the proposals and, for the
  managing unit's nominator or office, «Lập đề nghị khen thưởng từ kết quả» (``…/propose``);
  the XLSX and PDF from the API (a GET there takes the session).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.emulation.cluster import (
    CLOSED,
    CLUSTER_KINDS,
    DRAFT,
    OPEN,
    PROPOSED,
    ClusterMember,
    EmulationCluster,
    proposals,
)
from domain.emulation.movement import STATUS_LABELS as MOVEMENT_STATUS
from domain.emulation.registration import STATUS_LABELS as REGISTRATION_STATUS
from domain.errors import DomainError, NotFound
from domain.text import vietnamese_sort_key
from projections.emulation import EmulationRows
from projections.queries import Page
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.common import KEEPERS, require
from services.http.deps import RuntimeDep
from services.read_policy import nomination_scope
from services.store import Saved
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    FORM,
    day_on,
    office,
    office_anywhere,
    page_id,
    page_year,
    posted,
    recorded,
    refused,
    require_role_anywhere,
    unit_names,
    units_where,
)
from services.web.forms import day_typed, dmy
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import local_time, page_message, render

router = page_router()
CLUSTER = "/emulation/clusters/{cluster_id}"
BOARD = CLUSTER + "/{year}"
REPORT = BOARD + "/reports/{unit_id}"


# -- /emulation ---------------------------------------------------------------------------------


@router.get("/emulation", response_class=HTMLResponse)
def emulation_home(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rows = EmulationRows(rt.db)
    scope = nomination_scope(rt, actor)
    clusters, cluster_paging = paged(request, lambda page: rows.clusters(scope=scope, page=page),
                                     param="trang_cum", anchor="cum")
    covenants = rows.covenants(scope=scope, page=Page(limit=500))["items"]
    boards = {(c["cluster_id"], c["year"]): c for c in covenants}
    movements, movement_paging = paged(
        request, lambda page: rows.movements(scope=scope, page=page), param="trang_pt",
        anchor="phong-trao")
    registrations, registration_paging = paged(
        request, lambda page: rows.title_registrations(scope=scope, page=page),
        param="trang_dk", anchor="dang-ky")
    ids = {r["managing_unit_id"] for r in clusters["items"]}
    ids |= {y["lead_unit_id"] for r in clusters["items"] for y in r["years"]}
    ids |= {r["unit_id"] for r in movements["items"]}
    ids |= {r["unit_id"] for r in registrations["items"]}
    names = unit_names(rt, ids)
    cluster_rows = []
    for r in clusters["items"]:
        latest = r["years"][-1] if r["years"] else None
        board = boards.get((r["cluster_id"], latest["year"])) if latest else None
        cluster_rows.append({
            "id": r["cluster_id"], "name": r["name"], "kind_label": CLUSTER_KINDS[r["kind"]],
            "managing": names.get(r["managing_unit_id"], "—"), "latest": latest,
            "lead": names.get(latest["lead_unit_id"], "—") if latest else "",
            "board": board, "years": [y["year"] for y in r["years"]]})
    return render(request, "emulation_home.html", {
        "clusters": cluster_rows, "cluster_paging": cluster_paging,
        "movements": [{**r, "unit_name": names.get(r["unit_id"], "—"),
                       "status_label": MOVEMENT_STATUS[r["status"]],
                       "period": (f"năm {r['year']}" if r["year"] else
                                  f"{dmy(r['starts_on'])} – {dmy(r['ends_on'])}")}
                      for r in movements["items"]],
        "movement_paging": movement_paging,
        "registrations": [{**r, "unit_name": names.get(r["unit_id"], "—"),
                           "status_label": REGISTRATION_STATUS[r["status"]]}
                          for r in registrations["items"]],
        "registration_paging": registration_paging,
        "may_create": office_anywhere(actor),
        "may_register": office_anywhere(actor, KEEPERS),
    }, actor=actor)


# -- a cluster ----------------------------------------------------------------------------------


def _cluster_form_page(request: Request, rt: Runtime, actor: Actor, form: FORM,
                       errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    units = units_where(rt, actor)
    return render(request, "emulation_cluster_new.html", {
        "form": form, "errors": errors or {}, "units": units,
        "kinds": list(CLUSTER_KINDS.items())}, status, actor)


@router.get("/emulation/clusters/new", response_class=HTMLResponse)
def new_cluster_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_role_anywhere(actor)
    units = units_where(rt, actor)
    return _cluster_form_page(request, rt, actor, {
        "kind": "cum", "managing_unit_id": units[0]["id"] if len(units) == 1 else ""})


@router.post("/emulation/clusters/new")
async def create_cluster(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_role_anywhere(actor)
    form = await posted(request)
    errors: dict[str, str] = {}
    if len(form.get("name", "").strip()) < 2:
        errors["name"] = "Cần ghi tên cụm, khối, ví dụ «Cụm thi đua các tỉnh Đồng bằng sông Hồng»"
    if form.get("kind") not in CLUSTER_KINDS:
        errors["kind-cum"] = "Chọn cụm thi đua hoặc khối thi đua"
    if not form.get("managing_unit_id"):
        errors["managing_unit_id"] = "Chọn đơn vị quản lý cụm, khối"
    if errors:
        return _cluster_form_page(request, rt, actor, form, errors, 422)
    try:
        saved = rt.app.emulation.clusters.create(
            actor, name=form["name"].strip(), kind=form["kind"],
            managing_unit_id=form["managing_unit_id"])
    except DomainError as error:
        status = refused(error, errors)
        return _cluster_form_page(request, rt, actor, form, errors, status)
    return recorded(rt, saved, f"/emulation/clusters/{saved.id}?done=created")


def _cluster_page(request: Request, rt: Runtime, actor: Actor, cluster: EmulationCluster,
                  errors: dict[str, str] | None = None, form: FORM | None = None,
                  status: int = 200, notice: str | None = None) -> HTMLResponse:
    clusters = rt.app.emulation.clusters
    names = unit_names(rt, {str(cluster.managing_unit_id)})
    shown = present.cluster(cluster, lambda u: names.get(str(u)) or str(u))
    for year in shown["years"]:
        covenant = clusters.covenant_or_none(cluster, year["year"])
        year["covenant"] = ({"status_label": covenant.status_label, "title": covenant.title}
                            if covenant else None)
    changes = _year_changes(rt, cluster)
    for year in shown["years"]:
        year["changes"] = changes.get(year["year"], [])
        for member in year["members"]:
            if member["merged_into"]:
                member["merged_into_name"] = cluster.member_name(year["year"],
                                                                 member["merged_into"])
    shown["years"].sort(key=lambda y: -y["year"])
    return render(request, "emulation_cluster.html", {
        "c": shown, "errors": errors or {}, "form": form or {"name": cluster.name},
        "managing": office(rt, actor, [cluster.managing_unit_id]), "notice": notice,
        "change_labels": CHANGES,
    }, status, actor)


CLUSTER_DONE = {"created": "Đã lập cụm, khối thi đua. Tiếp theo: ghi thành viên và cụm "
                           "trưởng của một năm.",
                "renamed": "Đã đổi tên.", "year": "Đã ghi thành viên và cụm trưởng năm {year}."}


@router.get(CLUSTER, response_class=HTMLResponse)
def cluster_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                 done: str = "", year: str = ""):
    cluster = rt.app.emulation.clusters.readable(actor, page_id(cluster_id, "cụm thi đua"))
    notice = CLUSTER_DONE.get(done[:20], "").format(year=year[:4]) or None
    if done in CHANGE_DONE.values():
        notice = _change_notice(rt, cluster, _year_of(year), done)
    return _cluster_page(request, rt, actor, cluster, notice=notice)


@router.post(CLUSTER + "/rename")
async def rename_cluster(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         cluster_id: str):
    clusters = rt.app.emulation.clusters
    cluster = clusters.readable(actor, page_id(cluster_id, "cụm thi đua"))
    require(rt.app.authz, actor, [cluster.managing_unit_id])
    form = await posted(request)
    name = form.get("name", "").strip()
    errors: dict[str, str] = {}
    if len(name) < 2:
        errors["name"] = "Cần ghi tên mới của cụm, khối"
    else:
        try:
            return recorded(rt, clusters.rename(actor, cluster.id, name),
                        f"/emulation/clusters/{cluster.id}?done=renamed")
        except DomainError as error:
            status = refused(error, errors, "name")
            return _cluster_page(request, rt, actor, cluster, errors, form, status)
    return _cluster_page(request, rt, actor, cluster, errors, form, 422)


# -- a year's members and lead ------------------------------------------------------------------


def _subtree_units(rt: Runtime, cluster: EmulationCluster, year: int | None
                   ) -> list[dict[str, Any]]:
    """Units a member may be: in the managing unit's subtree (itself excepted), active today
    or — for a year — at its start or its end, named as at the end of the year (a province
    merged since can still be entered for the years it existed); and the year's members as
    recorded."""
    managing = str(cluster.managing_unit_id)
    inside = rt.queries.subtree_ids({managing}) - {managing}
    days = [rt.app.today()]
    if year is not None:
        days += [date(year, 1, 1), date(year, 12, 31)]  # the later name wins
    units: dict[str, str] = {}
    for on in days:
        units.update({u["id"]: u["name"] for u in rt.queries.units_on(
            on, page=Page(limit=500))["items"] if u["id"] in inside})
    if year is not None and str(year) in cluster.years:
        for member in cluster.members_in(year):
            units.setdefault(str(member.unit_id), member.name)
    return sorted(({"id": k, "name": v} for k, v in units.items()),
                  key=lambda u: vietnamese_sort_key(u["name"]))


def _year_page(request: Request, rt: Runtime, actor: Actor, cluster: EmulationCluster,
               form: FORM, errors: dict[str, str] | None = None,
               status: int = 200) -> HTMLResponse:
    year = _year_of(form.get("year"))
    return render(request, "emulation_cluster_year.html", {
        "cluster": cluster, "form": form, "errors": errors or {},
        "units": _subtree_units(rt, cluster, year),
        "years": cluster.years_set, "year_set": year in cluster.years_set,
        "change_labels": CHANGES}, status, actor)


def _year_of(text: Any) -> int | None:
    value = str(text or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) == 4 else None


def _managed(rt: Runtime, actor: Actor, cluster_id: str) -> EmulationCluster:
    cluster = rt.app.emulation.clusters.readable(actor, page_id(cluster_id, "cụm thi đua"))
    require(rt.app.authz, actor, [cluster.managing_unit_id])
    return cluster


@router.get(CLUSTER + "/years", response_class=HTMLResponse)
def year_form(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
              year: str = ""):
    cluster = _managed(rt, actor, cluster_id)
    chosen = _year_of(year) or (max(cluster.years_set) + 1 if cluster.years_set
                                else rt.app.today().year)
    form: FORM = {"year": str(chosen), "members": [], "lead": "", "reason": ""}
    if str(chosen) in cluster.years:
        form["members"] = [str(m.unit_id) for m in cluster.members_in(chosen)]
        form["lead"] = str(cluster.lead_in(chosen))
    return _year_page(request, rt, actor, cluster, form)


@router.post(CLUSTER + "/years")
async def set_year(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str):
    cluster = _managed(rt, actor, cluster_id)
    form = await posted(request)
    form.setdefault("members", [])
    errors: dict[str, str] = {}
    year = _year_of(form.get("year"))
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = "Năm gồm 4 chữ số, từ 2000 đến 2100, ví dụ 2024"
    if not form["members"]:
        errors["members"] = "Chọn ít nhất một đơn vị thành viên"
    if not form.get("lead"):
        errors["lead"] = "Chọn cụm trưởng của năm"
    elif form["members"] and form["lead"] not in form["members"]:
        errors["lead"] = "Cụm trưởng phải là một trong các thành viên đã chọn"
    if errors:
        return _year_page(request, rt, actor, cluster, form, errors, 422)
    assert year is not None
    try:
        saved = rt.app.emulation.clusters.set_year(
            actor, cluster.id, year, members=[{"unit_id": u} for u in form["members"]],
            lead_unit_id=form["lead"], reason=form.get("reason", ""))
    except DomainError as error:
        status = refused(error, errors)
        return _year_page(request, rt, actor, cluster, form, errors, status)
    return recorded(rt, saved, f"/emulation/clusters/{cluster.id}?done=year&year={year}")


# -- changes during a year: a member joins, a member is merged, the lead rotates ----------------


CHANGE = CLUSTER + "/years/{year}/{change}"
CHANGES = {"join": "Thêm thành viên từ ngày…", "merge": "Sáp nhập thành viên…",
           "lead": "Đổi cụm trưởng…"}
CHANGE_DONE = {"join": "joined", "merge": "merged", "lead": "lead"}
# the units a change names, and what to say when one is not chosen
CHANGE_UNITS = {
    "join": {"unit_id": "Chọn đơn vị tham gia cụm"},
    "merge": {"from_unit_id": "Chọn thành viên được sáp nhập",
              "into_unit_id": "Chọn đơn vị mà thành viên sáp nhập vào"},
    "lead": {"unit_id": "Chọn cụm trưởng mới"},
}
CHANGE_EVENTS = ("YearSet", "MemberAdded", "MemberMerged", "LeadSet")
CHANGE_KINDS = {"YearSet": "join", "MemberAdded": "join", "MemberMerged": "merge",
                "LeadSet": "lead"}


def _year_changes(rt: Runtime, cluster: EmulationCluster) -> dict[int, list[dict[str, Any]]]:
    """Each year's members and lead as recorded, oldest first, from the cluster's events: from
    when (dd/mm/yyyy, «Cả năm» for the whole year), what, why, who recorded it and when (local
    time). Names as the cluster recorded them at the time (the board's names)."""
    events = [e for e in rt.app.history(cluster.id) if type(e).__name__ in CHANGE_EVENTS]
    ids: set[str] = set()
    for e in events:
        ids |= {str(getattr(e, key)) for key in ("unit_id", "from_unit_id", "into_unit_id",
                                                  "lead_unit_id") if hasattr(e, key)}
    fallback = unit_names(rt, ids)
    known: dict[int, dict[str, str]] = {}
    out: dict[int, list[dict[str, Any]]] = {}

    def name(year: int, unit: Any) -> str:
        return known.get(year, {}).get(str(unit)) or fallback.get(str(unit)) or "—"

    for e in events:
        kind, year = type(e).__name__, e.year
        names = known.setdefault(year, {})
        on = getattr(e, "on", None)
        if kind == "YearSet":
            again = bool(out.get(year))
            names.clear()
            names.update({m["unit_id"]: m["name"] for m in e.members})
            what = (f"Ghi danh sách {len(e.members)} thành viên, cụm trưởng "
                    f"{name(year, e.lead_unit_id)}")
            if again:
                what += " (thay danh sách đã ghi trước, cả các thay đổi giữa năm)"
        elif kind == "MemberAdded":
            names[str(e.unit_id)] = e.name
            what = f"{e.name} tham gia cụm"
        elif kind == "MemberMerged":
            if e.into_name:
                names[str(e.into_unit_id)] = e.into_name
            what = f"{name(year, e.from_unit_id)} sáp nhập vào {name(year, e.into_unit_id)}"
            if e.into_name:
                what += f"; {e.into_name} tham gia cụm"
        else:
            what = f"{name(year, e.unit_id)} làm cụm trưởng" + ("" if on else " cả năm")
        out.setdefault(year, []).append({
            "kind": CHANGE_KINDS[kind], "on": dmy(on) if on else "Cả năm", "text": what,
            "reason": e.reason, "by": e.actor, "at": local_time(e.timestamp)})
    return out


def _change_notice(rt: Runtime, cluster: EmulationCluster, year: int | None,
                   done: str) -> str | None:
    """The notice after a change: the latest change of its kind recorded for the year."""
    kind = next(k for k, v in CHANGE_DONE.items() if v == done)
    found = [c for c in _year_changes(rt, cluster).get(year or 0, []) if c["kind"] == kind]
    if not found:
        return None
    last = found[-1]
    return (f"Đã ghi thay đổi năm {year}: {last['text']} (từ {last['on']}). Lịch sử thay đổi "
            "ở phần năm đó.")


def _changing(rt: Runtime, actor: Actor, cluster_id: str, year_text: str, change: str
              ) -> tuple[EmulationCluster, int]:
    """The cluster and year a change is for, once the actor may make it (the managing unit's
    office: 403 otherwise); a change or year not there is a 404."""
    if change not in CHANGES:
        raise NotFound(what="trang này")
    cluster = _managed(rt, actor, cluster_id)
    year = page_year(year_text)
    if year not in cluster.years_set:
        raise NotFound(what=f"danh sách thành viên năm {year} của cụm")
    return cluster, year


def _change_choices(rt: Runtime, cluster: EmulationCluster, year: int, change: str
                    ) -> dict[str, list[dict[str, Any]]]:
    """What each unit field offers. A join: the units of the managing unit's subtree not yet
    in the year; a merger: an active member, into another active member or a unit that then
    joins; the lead: the year's members (the domain checks the one chosen is a member on the
    day)."""
    members = cluster.members_in(year)
    ids = {str(m.unit_id) for m in members}
    active = [{"id": str(m.unit_id), "name": m.name} for m in members if m.active_on(None)]
    others = [u for u in _subtree_units(rt, cluster, None) if u["id"] not in ids]
    if change == "join":
        return {"unit_id": others}
    if change == "merge":
        return {"from_unit_id": active, "into_unit_id": active, "into_others": others}
    return {"unit_id": [{"id": str(m.unit_id), "name": m.name} for m in members]}


def _change_page(request: Request, rt: Runtime, actor: Actor, cluster: EmulationCluster,
                 year: int, change: str, form: FORM, errors: dict[str, str] | None = None,
                 status: int = 200) -> HTMLResponse:
    lead = cluster.lead_in(year)
    return render(request, "emulation_cluster_change.html", {
        "cluster": cluster, "year": year, "change": change, "heading": CHANGES[change],
        "form": form, "errors": errors or {}, "choices": _change_choices(rt, cluster, year, change),
        "active": cluster.active_members(year), "lead_name": cluster.member_name(year, lead),
        "action": f"/emulation/clusters/{cluster.id}/years/{year}/{change}"}, status, actor)


def _unit_named(rt: Runtime, cluster: EmulationCluster, year: int, unit: UUID) -> str:
    """A unit as a change names it: the member's name in the year, or else the unit's name at
    the end of the year (the name it joins by, as the service records it)."""
    if cluster.is_member(year, unit):
        return cluster.member_name(year, unit)
    try:
        return rt.app.emulation.clusters.tree.org_unit(unit).name_on(date(year, 12, 31))
    except DomainError:
        return unit_names(rt, {str(unit)}).get(str(unit), "—")


def _member(cluster: EmulationCluster, year: int, unit: UUID) -> ClusterMember | None:
    return next((m for m in cluster.members_in(year) if m.unit_id == unit), None)


def _read_change(rt: Runtime, cluster: EmulationCluster, year: int, change: str, form: FORM
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """What a change's form says, and the errors by field. A unit must be one the forms offer
    (the managing unit's subtree or the year's members); the day dd/mm/yyyy or ISO, within the
    year; what the roster already rules out is said here in plain words, the rest is the
    domain's (a join of a member is its 409)."""
    errors: dict[str, str] = {}
    given: dict[str, Any] = {"reason": str(form.get("reason") or "").strip()}
    accepted = {u["id"] for u in _subtree_units(rt, cluster, year)}
    for field, missing in CHANGE_UNITS[change].items():
        value = str(form.get(field) or "")
        if not value:
            errors[field] = missing
        elif value not in accepted:
            errors[field] = "Chọn một đơn vị trong danh sách"
        else:
            given[field] = UUID(value)
    typed = str(form.get("on") or "").strip()
    on = None
    if not typed:
        errors["on"] = f"Cần ghi ngày, dạng dd/mm/yyyy, ví dụ 01/07/{year}"
    else:
        try:
            on = day_typed(typed)
        except DomainError:
            errors["on"] = (f"«{typed[:40]}» không phải ngày có thật; ghi dd/mm/yyyy, ví dụ "
                            f"01/07/{year}")
    if on is not None and on.year != year:
        errors["on"] = f"Ngày phải trong năm {year}, ví dụ 01/07/{year}"
        on = None
    given["on"] = on
    if len(given["reason"]) > 1000:
        errors["reason"] = "Lý do dài quá 1.000 ký tự"
    if change == "merge":
        _check_merge(cluster, year, given, errors)
    elif change == "lead":
        _check_lead(cluster, year, given, errors)
    return given, errors


def _check_merge(cluster: EmulationCluster, year: int, given: dict[str, Any],
                 errors: dict[str, str]) -> None:
    source, target, on = given.get("from_unit_id"), given.get("into_unit_id"), given["on"]
    member = _member(cluster, year, source) if source else None
    if source and member is None:
        errors["from_unit_id"] = f"Đơn vị này không phải thành viên của cụm năm {year}"
    elif member and member.left_on:
        errors["from_unit_id"] = (f"{member.name} đã sáp nhập vào "
                                  f"{cluster.member_name(year, member.merged_into)} ngày "
                                  f"{dmy(member.left_on)}")
    elif member and on and member.joined_on and member.joined_on > on:
        errors["on"] = (f"{member.name} tham gia cụm từ {dmy(member.joined_on)}, sau ngày "
                        "sáp nhập")
    if source and target and source == target:
        errors["into_unit_id"] = "Chọn một đơn vị khác với thành viên được sáp nhập"
    elif target and (into := _member(cluster, year, target)) and into.left_on:
        errors["into_unit_id"] = f"{into.name} đã rời cụm ngày {dmy(into.left_on)}"


def _check_lead(cluster: EmulationCluster, year: int, given: dict[str, Any],
                errors: dict[str, str]) -> None:
    unit, on = given.get("unit_id"), given["on"]
    member = _member(cluster, year, unit) if unit else None
    if unit and member is None:
        errors["unit_id"] = f"Cụm trưởng phải là thành viên của cụm năm {year}"
    elif member and on and not member.active_on(on):
        errors["unit_id"] = (
            f"{member.name} tham gia cụm từ {dmy(member.joined_on)}"
            if member.joined_on and on < member.joined_on else
            f"{member.name} đã sáp nhập vào {cluster.member_name(year, member.merged_into)} "
            f"ngày {dmy(member.left_on)}")
    elif member and on and cluster.lead_in(year, on) == unit:
        errors["unit_id"] = f"{member.name} đã là cụm trưởng ngày {dmy(on)}"


def _refusal_field(error: DomainError, change: str) -> str:
    """Where the domain's refusal of a change is said on its form."""
    kind, text = type(error).__name__, page_message(error)
    if kind == "MemberExists":
        return "unit_id"
    if kind == "NotMember":
        return "from_unit_id" if change == "merge" else "unit_id"
    if "lý do" in text:
        return "reason"
    return "on" if "ngày" in text else "_"


def _try_change(rt: Runtime, actor: Actor, cluster: EmulationCluster, year: int, change: str,
                given: dict[str, Any]) -> EmulationCluster:
    """The change applied to a copy of the cluster loaded afresh and never saved: the cluster
    as it would be (for the check page), or the domain's refusal. The service's command does
    the same (the names it gives are ``_unit_named``'s) and saves."""
    copy = rt.app.emulation.clusters.cluster(cluster.id)
    on, reason = given["on"], given["reason"]
    if change == "join":
        unit = given["unit_id"]
        copy.add_member(year, unit, _unit_named(rt, cluster, year, unit), on,
                        actor=actor.username, reason=reason)
    elif change == "merge":
        target = given["into_unit_id"]
        into_name = (None if cluster.is_member(year, target)
                     else _unit_named(rt, cluster, year, target))
        copy.merge_member(year, given["from_unit_id"], target, on, actor=actor.username,
                          into_name=into_name, reason=reason)
    else:
        copy.set_lead(year, given["unit_id"], actor=actor.username, on=on, reason=reason)
    return copy


def _record_change(rt: Runtime, actor: Actor, cluster: EmulationCluster, year: int,
                   change: str, given: dict[str, Any]) -> Saved:
    clusters = rt.app.emulation.clusters
    on, reason = given["on"], given["reason"]
    if change == "join":
        return clusters.add_member(actor, cluster.id, year, unit_id=given["unit_id"], on=on,
                                   reason=reason)
    if change == "merge":
        return clusters.merge_member(actor, cluster.id, year,
                                     from_unit_id=given["from_unit_id"],
                                     into_unit_id=given["into_unit_id"], on=on, reason=reason)
    return clusters.set_lead(actor, cluster.id, year, unit_id=given["unit_id"], on=on,
                             reason=reason)


def _consequences(rt: Runtime, cluster: EmulationCluster, after: EmulationCluster, year: int,
                  change: str, given: dict[str, Any]) -> dict[str, Any]:
    """What the check page says will happen, from the cluster now and as it would be."""
    clusters = rt.app.emulation.clusters
    covenant = clusters.covenant_or_none(cluster, year)
    day = dmy(given["on"])
    before_n, after_n = len(cluster.active_members(year)), len(after.active_members(year))
    points: list[str] = []
    warnings: list[str] = []
    newcomer: str | None = None
    if change == "join":
        who = after.member_name(year, given["unit_id"])
        newcomer = who
        sentence = f"Từ {day}, {who} là thành viên của {cluster.name} năm {year}."
        points += [
            f"{who} vào danh sách thành viên năm {year}, ghi «từ {day}». Số thành viên cuối "
            f"năm: {before_n} → {after_n}.",
            f"Bảng kết quả năm {year} có thêm dòng {who}: các chỉ tiêu «chưa có số liệu» cho "
            "đến khi đơn vị báo cáo (không tính là 0); số thành viên dùng để đếm «đạt», xếp "
            f"hạng và giới hạn đề nghị khen thưởng tính cả {who}."]
    elif change == "merge":
        source, target = given["from_unit_id"], given["into_unit_id"]
        src, dst = after.member_name(year, source), after.member_name(year, target)
        sentence = f"Từ {day}, {src} sáp nhập vào {dst}."
        points.append(f"{src} thôi là thành viên từ {day}; vẫn có trong danh sách thành viên "
                      f"năm {year}, ghi «sáp nhập ngày {day}».")
        if cluster.is_member(year, target):
            points.append(f"{dst} đã là thành viên: giữ nguyên, báo cáo kết quả của mình.")
        else:
            newcomer = dst
            points.append(f"{dst} chưa là thành viên: tham gia cụm từ {day}.")
        points.append(f"Số thành viên cuối năm: {before_n} → {after_n}.")
        results = (f"Kết quả: bảng kết quả năm {year} chỉ gồm các thành viên đến cuối năm, nên "
                   f"{src} không còn dòng trên bảng và không được tính vào số đạt từng chỉ "
                   f"tiêu, tổng điểm, xếp hạng và giới hạn đề nghị khen thưởng; kết quả của "
                   f"{src} không cộng sang {dst}.")
        report = clusters.report_or_none(covenant, source) if covenant else None
        reported = len(report.current_results()) if report else 0
        if reported:
            results += (f" {reported} kết quả {src} đã báo cáo vẫn được lưu trong báo cáo của "
                        "đơn vị, không mất.")
        points.append(results)
        if after.lead_in(year) != cluster.lead_in(year):
            points.append(f"{src} đang là cụm trưởng: từ {day}, {dst} làm cụm trưởng.")
    else:
        unit = given["unit_id"]
        new = after.member_name(year, unit)
        old = cluster.member_name(year, cluster.lead_in(year, given["on"]))
        latest = cluster.member_name(year, cluster.lead_in(year))
        sentence = f"Từ {day}, {new} làm cụm trưởng {cluster.name} năm {year}, thay {old}."
        points.append(
            f"Cụm trưởng năm {year} trên bảng kết quả và giao ước: {new}. Văn phòng {new} xác "
            "nhận, điều chỉnh kết quả, chấm và thống nhất điểm của các thành viên, cùng đơn vị "
            f"quản lý mở và kết thúc giao ước (thay {latest}).")
        dropped = [lead for lead in cluster.lead_history(year)
                   if lead["from"] and lead["from"] >= given["on"].isoformat()]
        for lead in dropped:
            points.append(f"Lần đổi cụm trưởng đã ghi từ {dmy(lead['from'])} "
                          f"({cluster.member_name(year, lead['unit_id'])}) được thay bằng lần "
                          "này.")
        rotation = "; ".join(
            cluster.member_name(year, lead["unit_id"])
            + (f" từ {dmy(lead['from'])}" if lead["from"] else " từ đầu năm")
            for lead in after.lead_history(year))
        points.append(f"Cụm trưởng luân phiên năm {year}: {rotation}.")
    if covenant is not None and change != "lead":
        if covenant.status == CLOSED:
            warnings.append(f"Giao ước năm {year} đã kết thúc: bảng kết quả, xếp hạng và giới "
                            "hạn đề nghị khen thưởng sẽ tính lại theo danh sách thành viên mới.")
        elif newcomer:
            warnings.append(f"{newcomer} chưa ký giao ước năm {year}: ký giao ước rồi mới báo "
                            "cáo kết quả được.")
    return {"sentence": sentence, "points": points, "warnings": warnings, "day": day,
            "reason": given["reason"]}


@router.get(CHANGE, response_class=HTMLResponse)
def change_form(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                year: str, change: str):
    cluster, chosen = _changing(rt, actor, cluster_id, year, change)
    return _change_page(request, rt, actor, cluster, chosen, change, {"on": "", "reason": ""})


@router.post(CHANGE + "/check")
async def change_check(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                       year: str, change: str):
    """The check page of a change (nothing recorded): what will happen, or the form again."""
    cluster, chosen = _changing(rt, actor, cluster_id, year, change)
    form = await posted(request)
    if form.get("edit"):
        return _change_page(request, rt, actor, cluster, chosen, change, form)
    given, errors = _read_change(rt, cluster, chosen, change, form)
    if errors:
        return _change_page(request, rt, actor, cluster, chosen, change, form, errors, 422)
    try:
        after = _try_change(rt, actor, cluster, chosen, change, given)
    except DomainError as error:
        status = refused(error, errors, _refusal_field(error, change))
        return _change_page(request, rt, actor, cluster, chosen, change, form, errors, status)
    return render(request, "emulation_cluster_change_check.html", {
        "cluster": cluster, "year": chosen, "change": change, "heading": CHANGES[change],
        "form": form, "check": _consequences(rt, cluster, after, chosen, change, given),
        "action": f"/emulation/clusters/{cluster.id}/years/{chosen}/{change}"}, actor=actor)


@router.post(CHANGE)
async def record_change(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                        year: str, change: str):
    cluster, chosen = _changing(rt, actor, cluster_id, year, change)
    form = await posted(request)
    given, errors = _read_change(rt, cluster, chosen, change, form)
    if errors:
        return _change_page(request, rt, actor, cluster, chosen, change, form, errors, 422)
    try:
        saved = _record_change(rt, actor, cluster, chosen, change, given)
    except DomainError as error:
        status = refused(error, errors, _refusal_field(error, change))
        return _change_page(request, rt, actor, cluster, chosen, change, form, errors, status)
    return recorded(rt, saved, f"/emulation/clusters/{cluster.id}?done={CHANGE_DONE[change]}"
                               f"&year={chosen}#nam-{chosen}")


# -- the board ----------------------------------------------------------------------------------


BOARD_DONE = {"signed": "Đã ghi chữ ký giao ước của {name}.",
              "opened": "Giao ước đã bắt đầu thực hiện: các thành viên báo cáo kết quả.",
              "closed": "Giao ước đã kết thúc: kết quả, điểm được chốt."}


def lead_of(cluster: EmulationCluster, year: int) -> UUID | None:
    return cluster.lead_in(year) if str(year) in cluster.years else None


def _board_context(rt: Runtime, actor: Actor, cluster_id: str, year_text: str
                   ) -> dict[str, Any]:
    clusters = rt.app.emulation.clusters
    cluster, covenant, grid = clusters.board(actor, page_id(cluster_id, "cụm thi đua"),
                                             page_year(year_text))
    year = covenant.year
    lead = lead_of(cluster, year)
    board = present.board(grid, covenant, cluster)
    for row in board["rows"]:
        cells = row["cells"].values()
        row["applicable"] = sum(1 for c in cells if c["evaluation"] != "not_applicable")
        row["unknown"] = sum(1 for c in cells if c["evaluation"] == "unknown")
    shown = present.covenant(covenant, cluster)
    found = present.proposals(proposals(grid, covenant), covenant, cluster, len(grid.rows))
    steering = office(rt, actor, [cluster.managing_unit_id, lead])
    signers = [u for u in shown["unsigned"] if office(rt, actor, [UUID(u["unit_id"])])]
    pending = [p for p in found["items"] if p["status"] == PROPOSED and not p["nomination_id"]]
    base = f"/emulation/clusters/{cluster.id}/{year}"
    return {
        "cluster": cluster, "covenant": covenant, "b": board, "cov": shown,
        "proposals": found, "base": base, "year": year,
        "lead_name": cluster.member_name(year, lead) if lead else "—",
        "managing_name": unit_names(rt, {str(cluster.managing_unit_id)}).get(
            str(cluster.managing_unit_id), "—"),
        "may_open": steering and covenant.status == DRAFT,
        "may_close": steering and covenant.status == OPEN,
        "signers": signers if covenant.status != CLOSED else [],
        "may_propose": (covenant.status == CLOSED and bool(pending)
                        and office(rt, actor, [cluster.managing_unit_id], KEEPERS)),
        "pending": pending,
        "api": f"/api/emulation/clusters/{cluster.id}/covenants/{year}",
    }


@router.get(BOARD, response_class=HTMLResponse)
def board_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
               year: str, done: str = "", name: str = ""):
    context = _board_context(rt, actor, cluster_id, year)
    notice = BOARD_DONE.get(done[:20], "").format(name=name[:100]) or None
    if done == "proposed":
        notice = "proposed"
    return render(request, "emulation_board.html", {**context, "notice": notice}, actor=actor)


# -- covenant actions behind a confirmation page ------------------------------------------------


ACTIONS = {"open": "Bắt đầu thực hiện giao ước", "close": "Kết thúc giao ước"}
ACTION_DONE = {"open": "opened", "close": "closed"}


def _action_page(request: Request, rt: Runtime, actor: Actor, context: dict[str, Any],
                 action: str, form: FORM, errors: dict[str, str] | None = None,
                 status: int = 200, unit: dict[str, Any] | None = None) -> HTMLResponse:
    return render(request, "emulation_covenant_action.html", {
        **context, "action": action, "form": form, "errors": errors or {}, "unit": unit,
        "today_text": dmy(rt.app.today())}, status, actor)


def _steer(rt: Runtime, actor: Actor, context: dict[str, Any]) -> None:
    cluster, year = context["cluster"], context["year"]
    require(rt.app.authz, actor, [cluster.managing_unit_id, lead_of(cluster, year)])


@router.get(BOARD + "/{action}", response_class=HTMLResponse)
def covenant_action_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         cluster_id: str, year: str, action: str):
    if action == "propose":
        return _propose_page(request, rt, actor, cluster_id, year)
    if action not in ACTIONS:
        raise NotFound(what="trang này")
    context = _board_context(rt, actor, cluster_id, year)
    _steer(rt, actor, context)
    return _action_page(request, rt, actor, context, action,
                        {"on": dmy(rt.app.today())})


@router.post(BOARD + "/{action}")
async def covenant_action(request: Request, rt: RuntimeDep, actor: SignedInDep,
                          cluster_id: str, year: str, action: str):
    if action == "propose":
        return await _propose(request, rt, actor, cluster_id, year)
    if action not in ACTIONS:
        raise NotFound(what="trang này")
    context = _board_context(rt, actor, cluster_id, year)
    _steer(rt, actor, context)
    form = await posted(request)
    errors: dict[str, str] = {}
    on = day_on(form, errors, "ngày")
    if errors:
        return _action_page(request, rt, actor, context, action, form, errors, 422)
    clusters = rt.app.emulation.clusters
    command = clusters.open if action == "open" else clusters.close
    try:
        saved = command(actor, context["cluster"].id, context["year"], on)
    except DomainError as error:
        status = refused(error, errors)
        return _action_page(request, rt, actor, context, action, form, errors, status)
    return recorded(rt, saved, f"{context['base']}?done={ACTION_DONE[action]}")


@router.get(BOARD + "/sign/{unit_id}", response_class=HTMLResponse)
def sign_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
              year: str, unit_id: str):
    context = _board_context(rt, actor, cluster_id, year)
    unit = _signer(rt, actor, context, unit_id)
    return _action_page(request, rt, actor, context, "sign", {"on": dmy(rt.app.today())},
                        unit=unit)


def _signer(rt: Runtime, actor: Actor, context: dict[str, Any], unit_id: str
            ) -> dict[str, Any]:
    unit = page_id(unit_id, "thành viên của cụm")
    cluster, year = context["cluster"], context["year"]
    if not cluster.is_member(year, unit):
        raise NotFound(what="thành viên này của cụm trong năm")
    require(rt.app.authz, actor, [unit])
    return {"unit_id": str(unit), "name": cluster.member_name(year, unit)}


@router.post(BOARD + "/sign/{unit_id}")
async def sign(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
               year: str, unit_id: str):
    context = _board_context(rt, actor, cluster_id, year)
    unit = _signer(rt, actor, context, unit_id)
    form = await posted(request)
    errors: dict[str, str] = {}
    on = day_on(form, errors, "ngày ký")
    if errors:
        return _action_page(request, rt, actor, context, "sign", form, errors, 422, unit)
    try:
        saved = rt.app.emulation.clusters.sign(actor, context["cluster"].id, context["year"],
                                               unit_id=unit["unit_id"], on=on)
    except DomainError as error:
        status = refused(error, errors)
        return _action_page(request, rt, actor, context, "sign", form, errors, status, unit)
    query = urlencode({"done": "signed", "name": unit["name"]})
    return recorded(rt, saved, f"{context['base']}?{query}")


# -- from the results to nominations ------------------------------------------------------------


def _proposer(rt: Runtime, actor: Actor, context: dict[str, Any]) -> None:
    require(rt.app.authz, actor, [context["cluster"].managing_unit_id], KEEPERS)


def _propose_page(request: Request, rt: Runtime, actor: Actor, cluster_id: str, year: str,
                  error: str | None = None, status: int = 200) -> HTMLResponse:
    context = _board_context(rt, actor, cluster_id, year)
    _proposer(rt, actor, context)
    return render(request, "emulation_propose.html", {**context, "error": error}, status, actor)


async def _propose(request: Request, rt: Runtime, actor: Actor, cluster_id: str, year: str):
    context = _board_context(rt, actor, cluster_id, year)
    _proposer(rt, actor, context)
    try:
        saved = rt.app.emulation.clusters.propose(actor, context["cluster"].id, context["year"])
    except DomainError as error:
        errors: dict[str, str] = {}
        status = refused(error, errors)
        return _propose_page(request, rt, actor, cluster_id, year, errors["_"], status)
    return recorded(rt, saved, f"{context['base']}?done=proposed#de-nghi")


__all__ = ["router"]
