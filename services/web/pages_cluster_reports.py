"""A cluster member's report in the pages (issue 19): ``/emulation/clusters/{id}/{year}/reports/
{unit_id}`` — each indicator with its target, the current result, its status and history; the
member's office reports (``…/results/{code}``) until the lead confirms; the lead's office
confirms (``…/confirm``) or corrects (``…/correct`` → ``…/correct/check`` → ``…/correct``), each
behind a confirmation page; a result's evidence files are sent with the report form (multipart,
bounded as every upload is) and downloaded by the report's readers (``…/evidence/{ref}``);
the scores section (``_emulation_scores.html``) and its forms are ``pages_cluster_scores``. The
page and its handlers are the ones a movement participant's results use
(``emulation_forms.ResultLogPage``); the board and the cluster are ``pages_emulation``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from domain.emulation.cluster import CLOSED, DRAFT, OPEN
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.evidence import Evidence
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
    show,
    unit_names,
)
from services.web.forms import dmy
from services.web.pages_attachments import UploadPageRoute
from services.web.pages_emulation import BOARD, lead_of
from services.web.routing import page_router

router = page_router()
uploads = APIRouter(route_class=UploadPageRoute, include_in_schema=False)  # multipart forms
REPORT = BOARD + "/reports/{unit_id}"


def report_log(rt: Runtime, actor: Actor, cluster_id: str, year_text: str,
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
        place=lambda: Evidence(rt).in_cluster(actor, cluster.id, year, unit_id),
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
    log = report_log(rt, actor, cluster_id, year, unit_id)
    return show(request, rt, actor, log, notice=notice_of(done, code))


@uploads.post(REPORT + "/results/{code}")
async def report_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        cluster_id: str, year: str, unit_id: str, code: str):
    log = report_log(rt, actor, cluster_id, year, unit_id)
    return await post_report(request, rt, actor, log, code)


@router.get(REPORT + "/evidence/{ref}")
def report_evidence(rt: RuntimeDep, actor: SignedInDep, cluster_id: str, year: str,
                    unit_id: str, ref: str):
    """An evidence file of one of the report's results (any version), for its readers."""
    evidence = Evidence(rt)
    place = evidence.in_cluster(actor, page_id(cluster_id, "cụm thi đua"), page_year(year),
                                page_id(unit_id, "thành viên của cụm"))
    return evidence.download(actor, place, ref)


@router.get(REPORT + "/results/{code}/confirm", response_class=HTMLResponse)
def confirm_result_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        cluster_id: str, year: str, unit_id: str, code: str):
    return confirm_page(request, rt, actor, report_log(rt, actor, cluster_id, year, unit_id),
                        code)


@router.post(REPORT + "/results/{code}/confirm")
async def confirm_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         cluster_id: str, year: str, unit_id: str, code: str):
    log = report_log(rt, actor, cluster_id, year, unit_id)
    return await post_confirm(request, rt, actor, log, code)


@router.get(REPORT + "/results/{code}/correct", response_class=HTMLResponse)
def correct_result_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        cluster_id: str, year: str, unit_id: str, code: str):
    return correct_page(request, rt, actor, report_log(rt, actor, cluster_id, year, unit_id),
                        code)


@router.post(REPORT + "/results/{code}/correct/check", response_class=HTMLResponse)
async def correct_result_check(request: Request, rt: RuntimeDep, actor: SignedInDep,
                               cluster_id: str, year: str, unit_id: str, code: str):
    log = report_log(rt, actor, cluster_id, year, unit_id)
    return await post_correct(request, rt, actor, log, code, record=False)


@router.post(REPORT + "/results/{code}/correct")
async def correct_result(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         cluster_id: str, year: str, unit_id: str, code: str):
    log = report_log(rt, actor, cluster_id, year, unit_id)
    return await post_correct(request, rt, actor, log, code, record=True)


router.include_router(uploads)

__all__ = ["router"]
