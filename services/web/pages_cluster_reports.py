"""A cluster member's report in the pages (issue 19): ``/emulation/clusters/{id}/{year}/reports/
{unit_id}`` — each indicator with its target, the current result, its status and history; the
member's office reports (``…/results/{code}``) until the lead confirms; the lead's office
confirms (``…/confirm``) or corrects (``…/correct`` → ``…/correct/check`` → ``…/correct``), each
behind a confirmation page; self scores and agreed scores (``…/scores/{item}/self|agree``) where
the covenant has a points table. The page and its handlers are the ones a movement participant's
results use (``emulation_forms.ResultLogPage``); the board and the cluster are
``pages_emulation``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.emulation.cluster import CLOSED, DRAFT, OPEN
from domain.errors import DomainError, NotFound
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.common import require
from services.http.deps import RuntimeDep
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    ResultLogPage,
    confirm_page,
    correct_page,
    histories,
    notice_of,
    office,
    page_id,
    page_year,
    post_confirm,
    post_correct,
    post_report,
    posted,
    recorded,
    refused,
    show,
    unit_names,
)
from services.web.forms import dmy
from services.web.pages_emulation import BOARD, lead_of
from services.web.routing import page_router

router = page_router()
REPORT = BOARD + "/reports/{unit_id}"


def _report_log(rt: Runtime, actor: Actor, cluster_id: str, year_text: str,
                unit_text: str) -> ResultLogPage:
    clusters = rt.app.emulation.clusters
    unit_id = page_id(unit_text, "thành viên của cụm")
    cluster, covenant, found = clusters.member_report(
        actor, page_id(cluster_id, "cụm thi đua"), page_year(year_text), unit_id)
    year = covenant.year
    lead = lead_of(cluster, year)
    names = unit_names(rt, {str(unit_id)})
    shown = present.report(found, covenant, cluster, unit_id,
                           lambda u: names.get(str(u)) or str(u))
    events = rt.app.history(found.id) if found is not None else []
    base = f"/emulation/clusters/{cluster.id}/{year}"
    accepting = covenant.status == OPEN and covenant.is_signed(unit_id)
    if covenant.status == DRAFT:
        note = "Giao ước chưa bắt đầu thực hiện: chưa nhận báo cáo kết quả."
    elif covenant.status == CLOSED:
        note = (f"Giao ước đã kết thúc ngày {dmy(covenant.closed_on)}: kết quả đã chốt, không "
                "báo cáo, xác nhận hay điều chỉnh được nữa.")
    else:
        note = f"{shown['name']} chưa ký giao ước: ký giao ước rồi mới báo cáo kết quả."
    may_self = office(rt, actor, [unit_id]) and covenant.status == OPEN
    may_agree = office(rt, actor, [lead]) and covenant.status == OPEN
    return ResultLogPage(
        heading=f"Báo cáo kết quả của {shown['name']}",
        crumbs=[("/emulation", "Thi đua"), (f"/emulation/clusters/{cluster.id}", cluster.name),
                (base, f"Bảng kết quả năm {year}")],
        base=f"{base}/reports/{unit_id}", unit_id=unit_id, unit_name=shown["name"],
        indicators={i.code: i for i in covenant.indicators}, results=shown["results"],
        history=histories(events, covenant.indicator), reporter_units=[unit_id],
        lead_units=[lead], lead_label="cụm trưởng", accepting=accepting, closed_note=note,
        report=lambda code, given: clusters.report(actor, cluster.id, year, unit_id, code,
                                                   **given),
        confirm=lambda code: clusters.confirm(actor, cluster.id, year, unit_id, code),
        correct=lambda code, reason, given: clusters.correct(
            actor, cluster.id, year, unit_id, code, reason=reason, **given),
        extra={"report": shown, "facts": [
                   ("Cụm thi đua", cluster.name), ("Năm", str(year)),
                   ("Cụm trưởng", cluster.member_name(year, lead) if lead else "—"),
                   ("Giao ước", f"{covenant.title} — {covenant.status_label}"),
                   ("Ký giao ước", f"đã ký ngày {dmy(covenant.signatures[str(unit_id)]['on'])}"
                    if covenant.is_signed(unit_id) else "chưa ký")],
               "covenant_status": covenant.status_label,
               "cluster_name": cluster.name, "cluster_id": cluster.id, "year": year,
               "lead_name": cluster.member_name(year, lead) if lead else "—",
               "board": base, "may_self": may_self, "may_agree": may_agree,
               "score_forms": {}})


@router.get(REPORT, response_class=HTMLResponse)
def report_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                year: str, unit_id: str, done: str = "", code: str = ""):
    log = _report_log(rt, actor, cluster_id, year, unit_id)
    return show(request, rt, actor, log, notice=notice_of(done, code))


@router.post(REPORT + "/results/{code}")
async def report_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        cluster_id: str, year: str, unit_id: str, code: str):
    log = _report_log(rt, actor, cluster_id, year, unit_id)
    return await post_report(request, rt, actor, log, code)


@router.get(REPORT + "/results/{code}/confirm", response_class=HTMLResponse)
def confirm_result_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        cluster_id: str, year: str, unit_id: str, code: str):
    return confirm_page(request, rt, actor, _report_log(rt, actor, cluster_id, year, unit_id),
                        code)


@router.post(REPORT + "/results/{code}/confirm")
async def confirm_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         cluster_id: str, year: str, unit_id: str, code: str):
    log = _report_log(rt, actor, cluster_id, year, unit_id)
    return await post_confirm(request, rt, actor, log, code)


@router.get(REPORT + "/results/{code}/correct", response_class=HTMLResponse)
def correct_result_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        cluster_id: str, year: str, unit_id: str, code: str):
    return correct_page(request, rt, actor, _report_log(rt, actor, cluster_id, year, unit_id),
                        code)


@router.post(REPORT + "/results/{code}/correct/check", response_class=HTMLResponse)
async def correct_result_check(request: Request, rt: RuntimeDep, actor: SignedInDep,
                               cluster_id: str, year: str, unit_id: str, code: str):
    log = _report_log(rt, actor, cluster_id, year, unit_id)
    return await post_correct(request, rt, actor, log, code, record=False)


@router.post(REPORT + "/results/{code}/correct")
async def correct_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         cluster_id: str, year: str, unit_id: str, code: str):
    log = _report_log(rt, actor, cluster_id, year, unit_id)
    return await post_correct(request, rt, actor, log, code, record=True)


# -- scores (a covenant with a points table) ----------------------------------------------------


@router.post(REPORT + "/scores/{item}/{by}")
async def score(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                year: str, unit_id: str, item: str, by: str):
    """``by`` = ``self`` (the member's office scores itself) or ``agree`` (the lead's office
    records the agreed score, every earlier one kept)."""
    log = _report_log(rt, actor, cluster_id, year, unit_id)
    if by not in ("self", "agree"):
        raise NotFound(what="trang này")
    require(rt.app.authz, actor, log.reporter_units if by == "self" else log.lead_units)
    form = await posted(request)
    items = {s["item_code"] for s in log.extra["report"]["scores"]}
    if item not in items:
        raise NotFound(what=f"mục chấm điểm «{item[:16]}»")
    field = f"points-{by}-{item}"
    errors: dict[str, str] = {}
    points = form.get("points", "").strip().replace(" ", "")
    if not points:
        errors[field] = f"Mục {item}: cần ghi số điểm, ví dụ 95 hoặc 92,5"
    else:
        clusters = rt.app.emulation.clusters
        cid, year_ = log.extra["cluster_id"], log.extra["year"]
        try:
            if by == "self":
                saved = clusters.score(actor, cid, year_, log.unit_id, item, points=points,
                                       by="self", note=form.get("note", ""))
            else:
                saved = clusters.agree(actor, cid, year_, log.unit_id, item, points=points,
                                       reason=form.get("note", ""))
            where = "scored" if by == "self" else "agreed"
            return recorded(rt, saved, f"{log.base}?done={where}&code={item}#diem")
        except DomainError as error:
            where = field if type(error).__name__ in ("ScoreInvalid", "ReasonRequired") else "_"
            status = refused(error, errors, where)
            log.extra["score_forms"] = {field: form}
            return show(request, rt, actor, log, errors=errors, status=status)
    log.extra["score_forms"] = {field: form}
    return show(request, rt, actor, log, errors=errors, status=422)


__all__ = ["router"]
