"""Emulation (thi đua): clusters and their yearly covenants, the members' reports, the board and
proposals; movements and their registrations; title registrations (issue 19).

    /api/emulation/clusters                                  list, create
    /api/emulation/clusters/{cluster_id}                     get, rename (PATCH)
      /years/{year}                                          members and lead (PUT)
      /years/{year}/members | /merge | /lead                 a join, a merger, the lead
      /covenants/{year}                                      get, draft or change (PUT)
      /covenants/{year}/sign | /open | /close
      /covenants/{year}/board[.xlsx|.pdf] | /proposals       read; /propose: draft nominations
      /covenants/{year}/reports/{unit_id}                    a member's report with history
        /results/{code} [/confirm | /correct]                report; the lead confirms, corrects
        /evidence [/{ref}]                                   upload an evidence file; download
        /scores/{item} [/agree] | /deductions/{rule}         scores, agreed scores, deductions
    /api/emulation/covenants                                 list (status and counts)
    /api/emulation/movements[/{movement_id}]                 list, launch, get
      /indicators | /participants | /close | /board
      /registrations[/{unit_id}[/targets | /results/{code}[/confirm | /correct]
                                | /evidence[/{ref}]]]
    /api/emulation/registrations[/{registration_id}]         title registrations
      /entries[/{entry_no}/withdraw] | /close | /nominate

Evidence files (``services.emulation.evidence``): the reporting office uploads a file (multipart
``file``, checked by content, stored outside the log) and gets its ``ref``; a result then names
its files in ``attachments`` (refs); readers of the report download them.

Who may do what: ``services.emulation`` (the office of a unit is its approver or admin). Lists
are cut to the reader's units. Numbers are exact strings ("957.5") with their Vietnamese forms
(``…_text``: "957,5"). Writes answer the resource and the log position (``X-TDKT-Position``).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from domain.emulation.cluster import CLUSTER_KINDS, COVENANT_STATUS_LABELS, proposals
from domain.emulation.movement import STATUS_LABELS as MOVEMENT_STATUS_LABELS
from domain.emulation.registration import STATUS_LABELS as REGISTRATION_STATUS_LABELS
from domain.errors import DomainError
from projections.emulation import EmulationRows
from services.api.choices import one_of
from services.api.deps import ActorDep, FreshDep, PageDep, RuntimeDep, command_result, listing
from services.api.openapi import PDF, XLSX
from services.api.routes_attachments import DOWNLOAD, UploadRoute
from services.api.schemas_emulation import (
    AgreedScoreIn,
    ClusterIn,
    ClusterJoinIn,
    ClusterLeadIn,
    ClusterMergeIn,
    ClusterRenameIn,
    ClusterYearIn,
    CovenantIn,
    DeductionIn,
    MovementIn,
    MovementIndicatorsIn,
    MovementRegistrationIn,
    OnDayIn,
    OwnTargetsIn,
    ParticipantsIn,
    ResultCorrectionIn,
    ResultIn,
    ScoreIn,
    SignIn,
    TitleEntryIn,
    TitleEntryWithdrawIn,
    TitleRegistrationIn,
)
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.documents import board_pdf, board_xlsx
from services.emulation.evidence import Evidence, Place, Upload
from services.http.downloads import content_disposition
from services.read_policy import Privacy, nomination_scope
from services.store import Saved

router = APIRouter(prefix="/api/emulation", tags=["Thi đua"])
# uploads: the body counted while it is read, refused beyond the attachment limit
uploads = APIRouter(tags=["Thi đua"], route_class=UploadRoute)

YearPath = Annotated[int, Path(ge=2000, le=2100, description="Năm của giao ước")]
CodePath = Annotated[str, Path(max_length=16, description="Mã chỉ tiêu")]
ItemPath = Annotated[str, Path(max_length=16, description="Mã mục chấm điểm")]
RulePath = Annotated[str, Path(max_length=16, description="Mã mục trừ điểm")]
EntryPath = Annotated[int, Path(ge=1, le=100_000, description="Số dòng đăng ký")]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
RefPath = Annotated[str, Path(max_length=80, description="Mã tệp minh chứng (`ref`, SHA-256)")]
EvidenceFileField = Annotated[UploadFile, File(
    description="Tệp minh chứng: PDF, DOCX, XLSX, JPG hoặc PNG (kiểm tra theo nội dung, không "
                "theo tên tệp); tối đa `TDKT_ATTACHMENT_MAX_MB` (mặc định 10 MB)")]
EVIDENCE_UPLOADED = {201: {"description": "Tệp đã lưu (chưa ghi vào kết quả): `ref` để nêu "
                                          "trong `attachments` của kết quả"}}


def namer(rt: Runtime):
    @cache
    def name(unit_id: Any) -> str:
        try:
            return rt.app.tree.unit_state(UUID(str(unit_id))).name
        except (DomainError, ValueError):
            return str(unit_id)
    return name


def _names(rt: Runtime, ids: set[str]) -> dict[str, str]:
    return rt.queries.unit_names({i for i in ids if i})


# -- clusters -------------------------------------------------------------------------------------


def _cluster(rt: Runtime, cluster_id: UUID) -> dict[str, Any]:
    return present.cluster(rt.app.emulation.clusters.cluster(cluster_id), namer(rt))


@router.get("/clusters", summary="Danh sách cụm, khối thi đua")
def list_clusters(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep,
                  kind: one_of(CLUSTER_KINDS) | None = None):  # type: ignore[valid-type]
    found = EmulationRows(rt.db).clusters(scope=nomination_scope(rt, actor), kind=kind,
                                          page=page)
    ids = {r["managing_unit_id"] for r in found["items"]}
    ids |= {y["lead_unit_id"] for r in found["items"] for y in r["years"]}
    names = _names(rt, ids)
    items = [{"id": r["cluster_id"], "name": r["name"], "kind": r["kind"],
              "kind_label": CLUSTER_KINDS[r["kind"]], "managing_unit_id": r["managing_unit_id"],
              "managing_unit_name": names.get(r["managing_unit_id"]),
              "updated_at": r["updated_at"],
              "years": [{**y, "lead_name": names.get(y["lead_unit_id"])} for y in r["years"]]}
             for r in found["items"]]
    return listing({**found, "items": items}, fresh)


@router.post("/clusters", status_code=201, summary="Lập cụm, khối thi đua")
def create_cluster(body: ClusterIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.create(actor, name=body.name, kind=body.kind,
                                             managing_unit_id=body.managing_unit_id)
    return command_result(rt, saved, _cluster(rt, saved.id), status=201,
                          location=f"/api/emulation/clusters/{saved.id}")


@router.get("/clusters/{cluster_id}", summary="Một cụm, khối thi đua: thành viên, cụm trưởng")
def get_cluster(cluster_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return present.cluster(rt.app.emulation.clusters.readable(actor, cluster_id), namer(rt))


@router.patch("/clusters/{cluster_id}", summary="Đổi tên cụm, khối thi đua")
def rename_cluster(cluster_id: UUID, body: ClusterRenameIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.rename(actor, cluster_id, body.name,
                                             body.expected_version)
    return command_result(rt, saved, _cluster(rt, cluster_id))


@router.put("/clusters/{cluster_id}/years/{year}",
            summary="Thành viên và cụm trưởng của một năm")
def set_year(cluster_id: UUID, year: YearPath, body: ClusterYearIn, rt: RuntimeDep,
             actor: ActorDep):
    saved = rt.app.emulation.clusters.set_year(
        actor, cluster_id, year, members=[m.model_dump() for m in body.members],
        lead_unit_id=body.lead_unit_id, reason=body.reason)
    return command_result(rt, saved, _cluster(rt, cluster_id))


@router.post("/clusters/{cluster_id}/years/{year}/members",
             summary="Một đơn vị tham gia cụm giữa năm")
def add_member(cluster_id: UUID, year: YearPath, body: ClusterJoinIn, rt: RuntimeDep,
               actor: ActorDep):
    saved = rt.app.emulation.clusters.add_member(actor, cluster_id, year, unit_id=body.unit_id,
                                                 name=body.name, on=body.on, reason=body.reason)
    return command_result(rt, saved, _cluster(rt, cluster_id))


@router.post("/clusters/{cluster_id}/years/{year}/merge",
             summary="Hợp nhất thành viên (sắp xếp đơn vị hành chính)")
def merge_member(cluster_id: UUID, year: YearPath, body: ClusterMergeIn, rt: RuntimeDep,
                 actor: ActorDep):
    saved = rt.app.emulation.clusters.merge_member(
        actor, cluster_id, year, from_unit_id=body.from_unit_id,
        into_unit_id=body.into_unit_id, on=body.on, into_name=body.into_name,
        reason=body.reason)
    return command_result(rt, saved, _cluster(rt, cluster_id))


@router.put("/clusters/{cluster_id}/years/{year}/lead", summary="Cụm trưởng (luân phiên)")
def set_lead(cluster_id: UUID, year: YearPath, body: ClusterLeadIn, rt: RuntimeDep,
             actor: ActorDep):
    saved = rt.app.emulation.clusters.set_lead(actor, cluster_id, year, unit_id=body.unit_id,
                                               on=body.on, reason=body.reason)
    return command_result(rt, saved, _cluster(rt, cluster_id))


# -- covenants ------------------------------------------------------------------------------------


def _covenant(rt: Runtime, cluster_id: UUID, year: int) -> dict[str, Any]:
    clusters = rt.app.emulation.clusters
    cluster = clusters.cluster(cluster_id)
    return present.covenant(clusters.covenant(cluster, year), cluster)


def _covenant_answer(rt: Runtime, saved: Saved, cluster_id: UUID, year: int,
                     status: int = 200):
    return command_result(rt, saved, _covenant(rt, cluster_id, year), status=status)


@router.get("/covenants", summary="Danh sách giao ước thi đua: trạng thái, số liệu")
def list_covenants(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep,
                   cluster_id: UUID | None = None, year: YearQuery = None,
                   status: one_of(COVENANT_STATUS_LABELS) | None = None):  # type: ignore
    found = EmulationRows(rt.db).covenants(
        scope=nomination_scope(rt, actor), cluster_id=str(cluster_id) if cluster_id else None,
        year=year, status=status, page=page)
    items = [{"id": r["covenant_id"], "cluster_id": r["cluster_id"],
              "cluster_name": r["cluster_name"], "year": r["year"], "title": r["title"],
              "status": r["status"], "status_label": COVENANT_STATUS_LABELS[r["status"]],
              **{k: int(r[k] or 0) for k in ("indicators", "members", "signed", "reports",
                                             "results", "confirmed", "nominated")},
              "updated_at": r["updated_at"]} for r in found["items"]]
    return listing({**found, "items": items}, fresh)


@router.get("/clusters/{cluster_id}/covenants/{year}", summary="Giao ước thi đua của một năm")
def get_covenant(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep):
    clusters = rt.app.emulation.clusters
    cluster = clusters.readable(actor, cluster_id)
    return present.covenant(clusters.covenant(cluster, year), cluster)


@router.put("/clusters/{cluster_id}/covenants/{year}",
            summary="Dự thảo hoặc sửa giao ước: chỉ tiêu, thang điểm, xếp loại, đề nghị",
            responses={201: {"description": "Giao ước của năm được lập (dự thảo)"}})
def put_covenant(cluster_id: UUID, year: YearPath, body: CovenantIn, rt: RuntimeDep,
                 actor: ActorDep):
    clusters = rt.app.emulation.clusters
    existed = clusters.covenant_or_none(clusters.cluster(cluster_id), year) is not None
    config = body.model_dump(exclude={"expected_version"}, exclude_none=True, mode="json")
    saved = clusters.put_covenant(actor, cluster_id, year, config, body.expected_version)
    return _covenant_answer(rt, saved, cluster_id, year, 200 if existed else 201)


@router.post("/clusters/{cluster_id}/covenants/{year}/sign",
             summary="Một thành viên ký giao ước")
def sign_covenant(cluster_id: UUID, year: YearPath, body: SignIn, rt: RuntimeDep,
                  actor: ActorDep):
    saved = rt.app.emulation.clusters.sign(actor, cluster_id, year, unit_id=body.unit_id,
                                           on=body.on)
    return _covenant_answer(rt, saved, cluster_id, year)


@router.post("/clusters/{cluster_id}/covenants/{year}/open",
             summary="Bắt đầu thực hiện giao ước (nhận báo cáo, chấm điểm)")
def open_covenant(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep,
                  body: OnDayIn | None = None):
    saved = rt.app.emulation.clusters.open(actor, cluster_id, year, (body or OnDayIn()).on)
    return _covenant_answer(rt, saved, cluster_id, year)


@router.post("/clusters/{cluster_id}/covenants/{year}/close",
             summary="Kết thúc giao ước (chốt kết quả, điểm)")
def close_covenant(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep,
                   body: OnDayIn | None = None):
    saved = rt.app.emulation.clusters.close(actor, cluster_id, year, (body or OnDayIn()).on)
    return _covenant_answer(rt, saved, cluster_id, year)


def _board(rt: Runtime, actor: Actor, cluster_id: UUID, year: int) -> dict[str, Any]:
    cluster, covenant, grid = rt.app.emulation.clusters.board(actor, cluster_id, year)
    return present.board(grid, covenant, cluster)


@router.get("/clusters/{cluster_id}/covenants/{year}/board",
            summary="Bảng kết quả: thành viên × chỉ tiêu, số đạt, tổng, xếp hạng")
def get_board(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep):
    return _board(rt, actor, cluster_id, year)


def _file(body: bytes, media: str, name: str) -> Response:
    return Response(body, media_type=media,
                    headers={"Content-Disposition": content_disposition(name)})


@router.get("/clusters/{cluster_id}/covenants/{year}/board.xlsx", response_class=Response,
            summary="Bảng kết quả (Excel)")
def board_as_xlsx(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep):
    return _file(board_xlsx(_board(rt, actor, cluster_id, year)), XLSX,
                 f"bang-ket-qua-thi-dua-{year}.xlsx")


@router.get("/clusters/{cluster_id}/covenants/{year}/board.pdf", response_class=Response,
            summary="Báo cáo tổng hợp kết quả để in (PDF)")
def board_as_pdf(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep):
    return _file(board_pdf(_board(rt, actor, cluster_id, year)), PDF,
                 f"bang-ket-qua-thi-dua-{year}.pdf")


def _proposals(rt: Runtime, actor: Actor, cluster_id: UUID, year: int) -> dict[str, Any]:
    cluster, covenant, grid = rt.app.emulation.clusters.board(actor, cluster_id, year)
    return present.proposals(proposals(grid, covenant), covenant, cluster, len(grid.rows))


@router.get("/clusters/{cluster_id}/covenants/{year}/proposals",
            summary="Đề nghị khen thưởng theo thứ hạng (trong giới hạn của giao ước)")
def get_proposals(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep):
    return _proposals(rt, actor, cluster_id, year)


@router.post("/clusters/{cluster_id}/covenants/{year}/propose",
             summary="Lập đề nghị khen thưởng (bản nháp) từ các đề nghị theo thứ hạng")
def propose(cluster_id: UUID, year: YearPath, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.propose(actor, cluster_id, year)
    return command_result(rt, saved, _proposals(rt, actor, cluster_id, year))


# -- a member's report ----------------------------------------------------------------------------


def _report(rt: Runtime, actor: Actor | None, cluster_id: UUID, year: int,
            unit_id: UUID) -> dict[str, Any]:
    clusters = rt.app.emulation.clusters
    if actor is None:
        cluster = clusters.cluster(cluster_id)
        covenant = clusters.covenant(cluster, year)
        found = clusters.report_or_none(covenant, unit_id)
    else:
        cluster, covenant, found = clusters.member_report(actor, cluster_id, year, unit_id)
    return present.report(found, covenant, cluster, unit_id, namer(rt))


def _report_answer(rt: Runtime, saved: Saved, cluster_id: UUID, year: int, unit_id: UUID):
    return command_result(rt, saved, _report(rt, None, cluster_id, year, unit_id))


Report = "/clusters/{cluster_id}/covenants/{year}/reports/{unit_id}"


@router.get(Report, summary="Báo cáo của một thành viên: kết quả, điểm, lịch sử")
def get_report(cluster_id: UUID, year: YearPath, unit_id: UUID, rt: RuntimeDep,
               actor: ActorDep):
    return _report(rt, actor, cluster_id, year, unit_id)


def _result_args(rt: Runtime, actor: Actor, place: Place | None, body: ResultIn, *,
                 lead: bool = False) -> dict[str, Any]:
    """The body as the service's arguments, its evidence refs turned into the files they name
    (``attachments`` left out when not given: the current files stay)."""
    data = body.model_dump()
    refs = data.pop("attachments")
    if refs is not None and place is not None:
        data["attachments"] = Evidence(rt).files(actor, place, refs, lead=lead)
    return data


def _cluster_place(rt: Runtime, actor: Actor, body: ResultIn, cluster_id: UUID, year: int,
                   unit_id: UUID) -> Place | None:
    return Evidence(rt).in_cluster(actor, cluster_id, year, unit_id) \
        if body.attachments is not None else None


@router.post(Report + "/results/{code}", summary="Thành viên báo cáo kết quả một chỉ tiêu")
def report_result(cluster_id: UUID, year: YearPath, unit_id: UUID, code: CodePath,
                  body: ResultIn, rt: RuntimeDep, actor: ActorDep):
    place = _cluster_place(rt, actor, body, cluster_id, year, unit_id)
    saved = rt.app.emulation.clusters.report(actor, cluster_id, year, unit_id, code,
                                             **_result_args(rt, actor, place, body))
    return _report_answer(rt, saved, cluster_id, year, unit_id)


def _uploaded(items: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"items": items, "refs": [i["ref"] for i in items]}, status_code=201)


@uploads.post(Report + "/evidence", status_code=201,
              responses=EVIDENCE_UPLOADED, summary="Tải lên tệp minh chứng cho báo cáo của "
                                                   "thành viên (chưa ghi vào kết quả)")
def upload_report_evidence(cluster_id: UUID, year: YearPath, unit_id: UUID, file: EvidenceFileField,
                           rt: RuntimeDep, actor: ActorDep):
    evidence = Evidence(rt)
    return _uploaded(evidence.upload(actor, evidence.in_cluster(actor, cluster_id, year, unit_id),
                                     [Upload(file.filename or "", file.file)]))


@router.get(Report + "/evidence/{ref}", response_class=Response, responses=DOWNLOAD,
            summary="Tải tệp minh chứng của một kết quả trong báo cáo")
def report_evidence(cluster_id: UUID, year: YearPath, unit_id: UUID, ref: RefPath,
                    rt: RuntimeDep, actor: ActorDep):
    evidence = Evidence(rt)
    return evidence.download(actor, evidence.in_cluster(actor, cluster_id, year, unit_id), ref)


@router.post(Report + "/results/{code}/confirm", summary="Cụm trưởng xác nhận kết quả")
def confirm_result(cluster_id: UUID, year: YearPath, unit_id: UUID, code: CodePath,
                   rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.confirm(actor, cluster_id, year, unit_id, code)
    return _report_answer(rt, saved, cluster_id, year, unit_id)


@router.post(Report + "/results/{code}/correct",
             summary="Cụm trưởng điều chỉnh kết quả (kèm lý do, giữ lịch sử)")
def correct_result(cluster_id: UUID, year: YearPath, unit_id: UUID, code: CodePath,
                   body: ResultCorrectionIn, rt: RuntimeDep, actor: ActorDep):
    place = _cluster_place(rt, actor, body, cluster_id, year, unit_id)
    data = _result_args(rt, actor, place, body, lead=True)
    reason = data.pop("reason")
    saved = rt.app.emulation.clusters.correct(actor, cluster_id, year, unit_id, code,
                                              reason=reason, **data)
    return _report_answer(rt, saved, cluster_id, year, unit_id)


@router.post(Report + "/scores/{item}", summary="Chấm điểm một mục (tự chấm, chấm chéo, cụm "
                                                "trưởng chấm)")
def score(cluster_id: UUID, year: YearPath, unit_id: UUID, item: ItemPath, body: ScoreIn,
          rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.score(
        actor, cluster_id, year, unit_id, item, points=body.points, by=body.by,
        assessor_unit_id=body.assessor_unit_id, note=body.note)
    return _report_answer(rt, saved, cluster_id, year, unit_id)


@router.post(Report + "/scores/{item}/agree", summary="Cụm trưởng thống nhất điểm một mục")
def agree(cluster_id: UUID, year: YearPath, unit_id: UUID, item: ItemPath,
          body: AgreedScoreIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.agree(actor, cluster_id, year, unit_id, item,
                                            points=body.points, reason=body.reason)
    return _report_answer(rt, saved, cluster_id, year, unit_id)


@router.put(Report + "/deductions/{rule}", summary="Trừ điểm (số lần; 0: bỏ trừ điểm)")
def deduct(cluster_id: UUID, year: YearPath, unit_id: UUID, rule: RulePath, body: DeductionIn,
           rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.clusters.deduct(actor, cluster_id, year, unit_id, rule,
                                             times=body.times, reason=body.reason)
    return _report_answer(rt, saved, cluster_id, year, unit_id)


# -- movements ------------------------------------------------------------------------------------


def _movement(rt: Runtime, movement_id: UUID) -> dict[str, Any]:
    movements = rt.app.emulation.movements
    movement = movements.movement(movement_id)
    registered = [r.unit_id for r in movements.registrations(movement)]
    return present.movement(movement, movements.names(movement), namer(rt), registered)


@router.get("/movements", summary="Danh sách phong trào thi đua")
def list_movements(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep,
                   unit_id: UUID | None = None, year: YearQuery = None,
                   status: one_of(MOVEMENT_STATUS_LABELS) | None = None):  # type: ignore
    found = EmulationRows(rt.db).movements(
        scope=nomination_scope(rt, actor), unit_id=str(unit_id) if unit_id else None,
        year=year, status=status, page=page)
    names = _names(rt, {r["unit_id"] for r in found["items"]})
    items = [{"id": r["movement_id"], "title": r["title"], "unit_id": r["unit_id"],
              "unit_name": names.get(r["unit_id"]), "starts_on": r["starts_on"],
              "ends_on": r["ends_on"], "year": r["year"], "status": r["status"],
              "status_label": MOVEMENT_STATUS_LABELS[r["status"]],
              **{k: int(r[k]) for k in ("indicators", "participants", "registrations")},
              "updated_at": r["updated_at"]} for r in found["items"]]
    return listing({**found, "items": items}, fresh)


@router.post("/movements", status_code=201, summary="Phát động phong trào thi đua")
def launch_movement(body: MovementIn, rt: RuntimeDep, actor: ActorDep):
    data = body.model_dump(mode="python")
    data["indicators"] = [i.model_dump() for i in body.indicators]
    saved = rt.app.emulation.movements.launch(actor, **data)
    return command_result(rt, saved, _movement(rt, saved.id), status=201,
                          location=f"/api/emulation/movements/{saved.id}")


@router.get("/movements/{movement_id}", summary="Một phong trào thi đua")
def get_movement(movement_id: UUID, rt: RuntimeDep, actor: ActorDep):
    rt.app.emulation.movements.readable(actor, movement_id)
    return _movement(rt, movement_id)


@router.put("/movements/{movement_id}/indicators", summary="Chỉ tiêu của phong trào")
def set_movement_indicators(movement_id: UUID, body: MovementIndicatorsIn, rt: RuntimeDep,
                            actor: ActorDep):
    saved = rt.app.emulation.movements.set_indicators(
        actor, movement_id, [i.model_dump() for i in body.indicators], body.expected_version)
    return command_result(rt, saved, _movement(rt, movement_id))


@router.post("/movements/{movement_id}/participants", summary="Thêm đơn vị tham gia")
def add_participants(movement_id: UUID, body: ParticipantsIn, rt: RuntimeDep,
                     actor: ActorDep):
    saved = rt.app.emulation.movements.add_participants(actor, movement_id, body.unit_ids)
    return command_result(rt, saved, _movement(rt, movement_id))


@router.post("/movements/{movement_id}/close", summary="Kết thúc phong trào")
def close_movement(movement_id: UUID, rt: RuntimeDep, actor: ActorDep,
                   body: OnDayIn | None = None):
    saved = rt.app.emulation.movements.close(actor, movement_id, (body or OnDayIn()).on)
    return command_result(rt, saved, _movement(rt, movement_id))


@router.get("/movements/{movement_id}/board",
            summary="Bảng kết quả phong trào: đơn vị × chỉ tiêu, số đạt")
def movement_board(movement_id: UUID, rt: RuntimeDep, actor: ActorDep):
    movement, grid, registrations, names = rt.app.emulation.movements.board(actor, movement_id)
    return present.movement_board(movement, grid, registrations, names)


def _registration(rt: Runtime, movement_id: UUID, unit_id: UUID) -> dict[str, Any]:
    movements = rt.app.emulation.movements
    movement = movements.movement(movement_id)
    return present.movement_registration(movements.registration(movement, unit_id), movement,
                                         namer(rt)(unit_id))


Registration = "/movements/{movement_id}/registrations/{unit_id}"


@router.post("/movements/{movement_id}/registrations", status_code=201,
             summary="Đơn vị đăng ký tham gia phong trào (kèm chỉ tiêu riêng nếu được)")
def register(movement_id: UUID, body: MovementRegistrationIn, rt: RuntimeDep,
             actor: ActorDep):
    saved = rt.app.emulation.movements.register(actor, movement_id, unit_id=body.unit_id,
                                                targets=body.targets, pledge=body.pledge)
    return command_result(rt, saved, _registration(rt, movement_id, body.unit_id), status=201,
                          location=f"/api/emulation/movements/{movement_id}/registrations/"
                                   f"{body.unit_id}")


@router.get(Registration, summary="Bản đăng ký của một đơn vị: chỉ tiêu riêng, kết quả")
def get_registration(movement_id: UUID, unit_id: UUID, rt: RuntimeDep, actor: ActorDep):
    rt.app.emulation.movements.readable(actor, movement_id)
    return _registration(rt, movement_id, unit_id)


@router.put(Registration + "/targets", summary="Chỉ tiêu riêng của đơn vị")
def set_targets(movement_id: UUID, unit_id: UUID, body: OwnTargetsIn, rt: RuntimeDep,
                actor: ActorDep):
    saved = rt.app.emulation.movements.set_targets(actor, movement_id, unit_id, body.targets)
    return command_result(rt, saved, _registration(rt, movement_id, unit_id))


@router.post(Registration + "/results/{code}", summary="Đơn vị báo cáo kết quả một chỉ tiêu")
def report_movement_result(movement_id: UUID, unit_id: UUID, code: CodePath, body: ResultIn,
                           rt: RuntimeDep, actor: ActorDep):
    place = _movement_place(rt, actor, body, movement_id, unit_id)
    saved = rt.app.emulation.movements.report(actor, movement_id, unit_id, code,
                                              **_result_args(rt, actor, place, body))
    return command_result(rt, saved, _registration(rt, movement_id, unit_id))


def _movement_place(rt: Runtime, actor: Actor, body: ResultIn, movement_id: UUID,
                    unit_id: UUID) -> Place | None:
    return Evidence(rt).in_movement(actor, movement_id, unit_id) \
        if body.attachments is not None else None


@uploads.post(Registration + "/evidence", status_code=201,
              responses=EVIDENCE_UPLOADED, summary="Tải lên tệp minh chứng cho kết quả của đơn "
                                                   "vị tham gia (chưa ghi vào kết quả)")
def upload_registration_evidence(movement_id: UUID, unit_id: UUID, file: EvidenceFileField,
                                 rt: RuntimeDep, actor: ActorDep):
    evidence = Evidence(rt)
    return _uploaded(evidence.upload(actor, evidence.in_movement(actor, movement_id, unit_id),
                                     [Upload(file.filename or "", file.file)]))


@router.get(Registration + "/evidence/{ref}", response_class=Response, responses=DOWNLOAD,
            summary="Tải tệp minh chứng của một kết quả của đơn vị tham gia")
def registration_evidence(movement_id: UUID, unit_id: UUID, ref: RefPath, rt: RuntimeDep,
                          actor: ActorDep):
    evidence = Evidence(rt)
    return evidence.download(actor, evidence.in_movement(actor, movement_id, unit_id), ref)


@router.post(Registration + "/results/{code}/confirm",
             summary="Đơn vị phát động xác nhận kết quả")
def confirm_movement_result(movement_id: UUID, unit_id: UUID, code: CodePath,
                            rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.movements.confirm(actor, movement_id, unit_id, code)
    return command_result(rt, saved, _registration(rt, movement_id, unit_id))


@router.post(Registration + "/results/{code}/correct",
             summary="Đơn vị phát động điều chỉnh kết quả (kèm lý do)")
def correct_movement_result(movement_id: UUID, unit_id: UUID, code: CodePath,
                            body: ResultCorrectionIn, rt: RuntimeDep, actor: ActorDep):
    place = _movement_place(rt, actor, body, movement_id, unit_id)
    data = _result_args(rt, actor, place, body, lead=True)
    reason = data.pop("reason")
    saved = rt.app.emulation.movements.correct(actor, movement_id, unit_id, code,
                                               reason=reason, **data)
    return command_result(rt, saved, _registration(rt, movement_id, unit_id))


# -- title registrations --------------------------------------------------------------------------


def _title_registration(rt: Runtime, actor: Actor, registration_id: UUID) -> dict[str, Any]:
    found = rt.app.emulation.registrations.registration(registration_id)
    shown = present.title_registration(found, namer(rt)(found.unit_id))
    return Privacy(rt, actor).scrub(shown)


@router.get("/registrations", summary="Danh sách bản đăng ký danh hiệu thi đua")
def list_registrations(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep,
                       unit_id: UUID | None = None, year: YearQuery = None,
                       status: one_of(REGISTRATION_STATUS_LABELS) | None = None):  # type: ignore
    found = EmulationRows(rt.db).title_registrations(
        scope=nomination_scope(rt, actor), unit_id=str(unit_id) if unit_id else None,
        year=year, status=status, page=page)
    names = _names(rt, {r["unit_id"] for r in found["items"]})
    items = [{"id": r["registration_id"], "unit_id": r["unit_id"],
              "unit_name": names.get(r["unit_id"]), "year": r["year"], "status": r["status"],
              "status_label": REGISTRATION_STATUS_LABELS[r["status"]],
              "entries": int(r["entries"]), "nominated": int(r["nominated"]),
              "updated_at": r["updated_at"]} for r in found["items"]]
    return listing({**found, "items": items}, fresh)


@router.post("/registrations", status_code=201,
             summary="Mở bản đăng ký danh hiệu thi đua của đơn vị cho một năm")
def open_registration(body: TitleRegistrationIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.registrations.open(actor, unit_id=body.unit_id, year=body.year)
    return command_result(rt, saved, _title_registration(rt, actor, saved.id), status=201,
                          location=f"/api/emulation/registrations/{saved.id}")


@router.get("/registrations/{registration_id}",
            summary="Một bản đăng ký danh hiệu thi đua: các dòng, điều kiện")
def get_registration_of_titles(registration_id: UUID, rt: RuntimeDep, actor: ActorDep):
    rt.app.emulation.registrations.readable(actor, registration_id)
    return _title_registration(rt, actor, registration_id)


@router.post("/registrations/{registration_id}/entries", status_code=201,
             summary="Thêm một dòng đăng ký (kiểm tra điều kiện theo lịch sử khen thưởng)")
def add_entry(registration_id: UUID, body: TitleEntryIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.registrations.add_entry(
        actor, registration_id, recipient=body.recipient.model_dump(mode="json"),
        award_kind=body.award_kind, override_reason=body.override_reason,
        expected_version=body.expected_version)
    return command_result(rt, saved, _title_registration(rt, actor, registration_id),
                          status=201)


@router.post("/registrations/{registration_id}/entries/{entry_no}/withdraw",
             summary="Rút một dòng đăng ký (kèm lý do)")
def withdraw_entry(registration_id: UUID, entry_no: EntryPath, body: TitleEntryWithdrawIn,
                   rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.registrations.withdraw(actor, registration_id, entry_no,
                                                    body.reason, body.expected_version)
    return command_result(rt, saved, _title_registration(rt, actor, registration_id))


@router.get("/registrations/{registration_id}/entries/{entry_no}/findings",
            summary="Điều kiện của một dòng đăng ký theo lịch sử khen thưởng hiện nay")
def entry_findings(registration_id: UUID, entry_no: EntryPath, rt: RuntimeDep,
                   actor: ActorDep):
    registrations = rt.app.emulation.registrations
    found = registrations.readable(actor, registration_id)
    return {"registration_id": str(found.id), "entry_no": entry_no,
            "findings": registrations.findings(found, entry_no)}


@router.post("/registrations/{registration_id}/close", summary="Khóa bản đăng ký")
def close_registration(registration_id: UUID, rt: RuntimeDep, actor: ActorDep,
                       body: OnDayIn | None = None):
    saved = rt.app.emulation.registrations.close(actor, registration_id,
                                                 (body or OnDayIn()).on)
    return command_result(rt, saved, _title_registration(rt, actor, registration_id))


@router.post("/registrations/{registration_id}/nominate",
             summary="Lập đề nghị khen thưởng (bản nháp) từ các dòng đăng ký, một lần")
def nominate(registration_id: UUID, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.emulation.registrations.nominate(actor, registration_id)
    return command_result(rt, saved, _title_registration(rt, actor, registration_id))


router.include_router(uploads)
