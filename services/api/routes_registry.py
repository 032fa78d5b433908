"""The award registry (sổ khen thưởng), totals, reconciliation, award history, work queues and
exports — all read from the projections, as of now, of a date or of a log position."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from domain.errors import NotFound, ValidationFailed
from projections.queries import Page
from projections.registry import ACTIVE, GENDERS, UNIT_LEVEL, RegistryFilter
from services import exports
from services.api.choices import GroupBy, Level, RecipientKind, RegistryStatus, one_of
from services.api.deps import ActorDep, FreshDep, PageDep, RuntimeDep
from services.api.schemas import MAX_POSITION, Day
from services.app import Runtime
from services.http.downloads import content_disposition
from services.read_policy import Privacy

router = APIRouter(prefix="/api", tags=["Sổ khen thưởng"])
EXPORT_LIMIT = 200_000
RegistryGender = one_of(GENDERS)


async def registry_filter(
    q: Annotated[str | None, Query(
        max_length=100, description="Tên, hoặc đầu một từ trong tên (không dấu cũng được)")] = None,
    unit_id: Annotated[UUID | None, Query(description="Đơn vị và các đơn vị trực thuộc")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    award_kind: Annotated[str | None, Query(max_length=100)] = None,
    recipient_kind: RecipientKind | None = None,
    gender: Annotated[RegistryGender | None, Query(
        description="Cá nhân nữ, nam, hoặc không ghi giới tính (unknown)")] = None,
    recipient_id: Annotated[str | None, Query(
        max_length=100, description="Mã công khai của người / tập thể (trường `key`)")] = None,
    issuer_unit_id: UUID | None = None,
    decision_id: UUID | None = None,
    ceremony_id: UUID | None = None,
    status: RegistryStatus = ACTIVE,
    as_of: Annotated[Day | None, Query(description="Đúng như tại ngày này")] = None,
    as_of_position: Annotated[int | None, Query(ge=0, le=MAX_POSITION,
                                                      description="Đúng như tại vị trí nhật ký")
                              ] = None,
) -> RegistryFilter:
    return RegistryFilter(
        q=q, unit_id=str(unit_id) if unit_id else None, year=year, award_kind=award_kind,
        recipient_kind=recipient_kind, gender=gender, recipient_id=recipient_id,
        issuer_unit_id=str(issuer_unit_id) if issuer_unit_id else None,
        decision_id=str(decision_id) if decision_id else None,
        ceremony_id=str(ceremony_id) if ceremony_id else None,
        status=status, as_of=as_of, as_of_position=as_of_position,
    )


FilterDep = Annotated[RegistryFilter, Depends(registry_filter)]


@router.get("/registry", summary="Sổ khen thưởng: mỗi dòng một khen thưởng")
def registry(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep, f: FilterDep,
             sort: Literal["name", "date", "decision"] = "name"):
    found = rt.registry.lines(f, page, order=sort)
    items = Privacy(rt, actor).registry_lines(found["items"])
    return JSONResponse({**found, "items": items, "fresh": fresh})


@router.get("/registry/totals", summary="Tổng hợp: số tập thể, cá nhân, số tiền theo nhóm")
def totals(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, f: FilterDep,
           group_by: GroupBy | None = None, level: Level = UNIT_LEVEL):
    return JSONResponse({**rt.registry.totals(f, group_by, level), "fresh": fresh})


@router.get("/registry/recipients", summary="Tìm người, tập thể đã được khen thưởng")
def recipients(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep,
               q: Annotated[str | None, Query(max_length=100)] = None):
    return JSONResponse({**rt.registry.recipients(q, page), "fresh": fresh})


@router.get("/registry/history", summary="Hồ sơ khen thưởng của một người / tập thể")
def history(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep,
            key: Annotated[str, Query(max_length=100,
                                      description="Mã công khai của người / tập thể")],
            as_of: Day | None = None):
    found = rt.registry.history(key, as_of)
    if not found["items"]:
        raise NotFound(what=f"khen thưởng của «{key}»")
    return {**found, "items": Privacy(rt, actor).registry_lines(found["items"]), "fresh": fresh}


def _reconciliation(rt: Runtime, ceremony_id: UUID, as_of) -> dict:
    """The reconciliation read from the views, with the ceremony's announced figures (money and
    counts, with qualifier and source) compared with what its decisions give."""
    figures = rt.app.ceremonies.ceremony(ceremony_id).announced_figures
    found = rt.registry.reconciliation(str(ceremony_id), as_of, figures)
    if found is None:
        raise NotFound(what="buổi trao thưởng")
    return found


@router.get("/ceremonies/{ceremony_id}/reconciliation",
            summary="Đối chiếu tổng tiền và số lượng công bố với các quyết định")
def ceremony_reconciliation(ceremony_id: UUID, rt: RuntimeDep, actor: ActorDep, fresh: FreshDep,
                            as_of: Day | None = None):
    return {**_reconciliation(rt, ceremony_id, as_of), "fresh": fresh}


@router.get("/queues", summary="Việc đang chờ: hồ sơ chờ Hội đồng xét, chờ quyết định")
def queues(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep):
    return {"items": rt.queries.work_queues(rt.app.today()), "fresh": fresh}


# -- exports ------------------------------------------------------------------------------------

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
Format = Literal["xlsx", "csv"]


def _file(table: exports.Table, fmt: str, name: str) -> Response:
    body = exports.to_xlsx(table) if fmt == "xlsx" else exports.to_csv(table)
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": content_disposition(f"{name}.{fmt}")})


def _subtitle(f: RegistryFilter) -> str:
    parts = []
    if f.as_of:
        parts.append(f"tính đến ngày {f.as_of.strftime('%d/%m/%Y')}")
    if f.as_of_position is not None:
        parts.append(f"tính đến vị trí nhật ký {f.as_of_position}")
    return ", ".join(parts)


def registry_file(rt: Runtime, f: RegistryFilter, fmt: str, title: str, name: str) -> Response:
    found = rt.registry.lines(f, Page.everything(EXPORT_LIMIT + 1), order="name")
    if found["total"] > EXPORT_LIMIT:
        raise ValidationFailed(reason=f"quá nhiều dòng để xuất (tối đa {EXPORT_LIMIT}); lọc thêm")
    table = exports.registry_table(title, found["items"], rt.registry.totals(f), _subtitle(f))
    return _file(table, fmt, name)


@router.get("/registry/export.{fmt}", summary="Xuất sổ khen thưởng (XLSX hoặc CSV)")
def export_registry(fmt: Format, rt: RuntimeDep, actor: ActorDep, fresh: FreshDep,
                    f: FilterDep):
    return registry_file(rt, f, fmt, "Sổ khen thưởng", "so-khen-thuong")


@router.get("/decisions/{decision_id}/export.{fmt}", summary="Xuất danh sách kèm quyết định")
def export_decision(decision_id: UUID, fmt: Format, rt: RuntimeDep, actor: ActorDep,
                    fresh: FreshDep):
    decision = rt.app.decisions.decision(decision_id)
    f = RegistryFilter(decision_id=str(decision_id), status="all")
    found = rt.registry.lines(f, Page.everything(EXPORT_LIMIT + 1), order="decision")
    table = exports.registry_table(
        f"Danh sách kèm theo Quyết định số {decision.number}", found["items"],
        rt.registry.totals(f), f"{decision.issuer['name']}, ngày "
        f"{decision.decided_on.strftime('%d/%m/%Y')}",
    )
    return _file(table, fmt, f"quyet-dinh-{decision.number.replace('/', '-')}")


@router.get("/ceremonies/{ceremony_id}/export.{fmt}", summary="Xuất tổng hợp buổi trao thưởng")
def export_ceremony(ceremony_id: UUID, fmt: Format, rt: RuntimeDep, actor: ActorDep,
                    fresh: FreshDep, as_of: Day | None = None):
    found = _reconciliation(rt, ceremony_id, as_of)
    table = exports.totals_table(
        found["title"], found["totals"], f"Ngày {found['held_on']}",
        exports.ceremony_notes(found),
    )
    return _file(table, fmt, "tong-hop-trao-thuong")


