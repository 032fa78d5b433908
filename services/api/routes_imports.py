"""Past decisions imported from a spreadsheet (``services.past_imports``): many decisions in one
XLSX or CSV file, a dry run that says every row's mistakes by sheet and row and what each
decision would record, then the import, all or nothing per decision.

    POST /api/decisions/imports/dry-run   multipart: file, unit_id → the report; nothing recorded
    POST /api/decisions/imports           multipart: file, unit_id → the report, each valid
                                          decision recorded (``position`` of the last one)

``unit_id`` is the unit that records the decisions of outside bodies (and within whose subtree
the recipients and the Union issuers are found); the caller is its awards office (approver), as
recording an outside decision asks. The file is refused (422) when it is no readable XLSX or
UTF-8 CSV list, larger than 2 MB or longer than 5,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from services.api.deps import ActorDep, RuntimeDep
from services.app import Runtime
from services.authz import Actor
from services.http.uploads import limit_body
from services.past_imports import MAX_UPLOAD_BYTES, PastImports, read_file


class UploadRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return limit_body(super().get_route_handler())


router = APIRouter(prefix="/api", tags=["Quyết định và trao thưởng"], route_class=UploadRoute)

FileField = Annotated[UploadFile, File(
    description="Tệp XLSX theo mẫu (một quyết định mỗi trang, hoặc một danh sách có cột «Số "
                "quyết định») hoặc CSV UTF-8 (dấu phẩy hoặc chấm phẩy); tối đa 2 MB, 5.000 hàng")]
UnitField = Annotated[UUID, Form(
    description="Đơn vị Hội ghi nhận: người gửi là văn phòng / Ban TĐKT (approver) của đơn vị")]


def _report(rt: Runtime, actor: Actor, file: UploadFile, unit_id: UUID, record: bool
            ) -> JSONResponse:
    imports = PastImports(rt)
    unit = imports.office_unit(actor, unit_id)  # refused before the file is read
    read = read_file(file.file.read(MAX_UPLOAD_BYTES + 1), file.filename or "")
    report = imports.run(actor, read, unit) if record else imports.dry_run(actor, read, unit)
    headers = {"X-TDKT-Position": str(report.position)} if report.position else {}
    return JSONResponse(report.as_dict(), headers=headers)


@router.post("/decisions/imports/dry-run",
             summary="Kiểm tra tệp quyết định cũ (nhiều quyết định), không ghi gì")
def dry_run_import(rt: RuntimeDep, actor: ActorDep, file: FileField, unit_id: UnitField):
    return _report(rt, actor, file, unit_id, record=False)


@router.post("/decisions/imports",
             summary="Nhập các quyết định cũ từ tệp: ghi trọn từng quyết định hợp lệ")
def run_import(rt: RuntimeDep, actor: ActorDep, file: FileField, unit_id: UnitField):
    return _report(rt, actor, file, unit_id, record=True)
