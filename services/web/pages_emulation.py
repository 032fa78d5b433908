"""Emulation (thi đua) in the pages: the lists, clusters and blocks (cụm, khối) with their yearly
covenants and the board (issue 19). A member's report is ``pages_cluster_reports``; movements
``pages_movements``; title registrations ``pages_registrations``; what they share
``emulation_forms``.

* ``/emulation``: the clusters, movements and title registrations the user may read (each list
  cut to her units by ``projections.emulation``), paged, with what she may start;
* ``/emulation/clusters/new``: a cluster for a unit her office manages;
* ``/emulation/clusters/{id}``: the years (members, lead, covenant), a rename and the year's
  members and lead (``…/years``) for the managing unit's office;
* ``/emulation/clusters/{id}/{year}``: the board — members × indicators, each cell's value and
  evaluation in words, each column's counts ("8/9", "4/9 tỉnh có trường hợp xảy ra", the sum
  and the figures stated for the whole cluster), totals, ranking, classes; the covenant (status,
  signatures) with sign, open and close behind confirmation pages; the proposals and, for the
  managing unit's nominator or office, «Lập đề nghị khen thưởng từ kết quả» (``…/propose``);
  the XLSX and PDF from the API (a GET there takes the session).
"""

from __future__ import annotations

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
from services.web.forms import dmy
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import render

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
    shown["years"].sort(key=lambda y: -y["year"])
    return render(request, "emulation_cluster.html", {
        "c": shown, "errors": errors or {}, "form": form or {"name": cluster.name},
        "managing": office(rt, actor, [cluster.managing_unit_id]), "notice": notice,
    }, status, actor)


CLUSTER_DONE = {"created": "Đã lập cụm, khối thi đua. Tiếp theo: ghi thành viên và cụm "
                           "trưởng của một năm.",
                "renamed": "Đã đổi tên.", "year": "Đã ghi thành viên và cụm trưởng năm {year}."}


@router.get(CLUSTER, response_class=HTMLResponse)
def cluster_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                 done: str = "", year: str = ""):
    cluster = rt.app.emulation.clusters.readable(actor, page_id(cluster_id, "cụm thi đua"))
    notice = CLUSTER_DONE.get(done[:20], "").format(year=year[:4]) or None
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
    """Units a member may be: active today in the managing unit's subtree (itself excepted),
    and the year's members as recorded (a unit merged since keeps its place)."""
    managing = str(cluster.managing_unit_id)
    inside = rt.queries.subtree_ids({managing}) - {managing}
    units = {u["id"]: u["name"] for u in rt.queries.units_on(
        rt.app.today(), page=Page(limit=500))["items"] if u["id"] in inside}
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
        "years": cluster.years_set}, status, actor)


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
