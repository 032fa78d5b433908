"""The audit trail (nhật ký hoạt động): who did what, when and why, for the units of the
reader's office and administrator grants — read from the events (``projections.audit``),
paged, filtered, and exported as CSV. Read only: there is no command here."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services import audit, exports
from services.api.deps import ActorDep, FreshDep, PageDep, RuntimeDep, listing
from services.api.schemas import Day
from services.http.downloads import content_disposition

router = APIRouter(prefix="/api", tags=["Nhật ký hoạt động"])


async def audit_filter(
    unit_id: Annotated[UUID | None, Query(description="Đơn vị và các đơn vị trực thuộc")] = None,
    actor: Annotated[str | None, Query(max_length=50,
                                       description="Tên đăng nhập của người thực hiện")] = None,
    kind: Annotated[str | None, Query(
        max_length=80, description="Loại việc (`nomination.submitted`) hoặc loại hồ sơ "
                                   "(`nomination`)")] = None,
    since: Annotated[Day | None, Query(alias="from", description="Từ ngày (giờ Việt Nam)")
                     ] = None,
    until: Annotated[Day | None, Query(alias="to", description="Đến hết ngày (giờ Việt Nam)")
                     ] = None,
) -> audit.AuditFilter:
    return audit.AuditFilter.read(unit_id=unit_id, actor=actor, kind=kind, since=since,
                                  until=until)


FilterDep = Annotated[audit.AuditFilter, Depends(audit_filter)]


@router.get("/audit", summary="Nhật ký hoạt động: ai làm gì, khi nào, vì sao")
def audit_trail(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep, f: FilterDep):
    """Newest first. For holders of an `admin` or `approver` grant, over those grants'
    subtrees (others: 403). Each row: `position`, `recorded_at` (UTC), `local_time`
    (Asia/Ho_Chi_Minh), `actor`, `actor_name`, `act` and `act_label`, `record` (kind, id,
    title, link to its page), `reason`, `units` concerned. Read up to the log's head (a
    sign-in, recorded outside the commands, included); `fresh` false if the views could not
    reach it in time."""
    fresh = rt.ensure_position(rt.app.max_position()) and fresh
    return listing(audit.listing(rt, actor, f, page), fresh)


@router.get("/audit.csv", summary="Xuất nhật ký hoạt động (CSV, đúng các dòng đã lọc)")
def audit_csv(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, f: FilterDep):
    rt.ensure_position(rt.app.max_position())
    table = audit.export_table(rt, actor, f)
    return Response(exports.to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(
                        "nhat-ky-hoat-dong.csv")})
