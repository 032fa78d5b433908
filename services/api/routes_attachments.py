"""Attachments of nominations and submissions (báo cáo thành tích, biên bản họp…): uploaded,
checked by content, stored by content hash outside the event log; the reference, size and type
recorded as events; downloaded by those who may read the file (issue 16).

    POST   /api/{nominations|submissions}/{id}/attachments            multipart: file, kind, title
    GET    /api/{nominations|submissions}/{id}/attachments            the attachments in force
    GET    /api/{nominations|submissions}/{id}/attachments/{ref}      download (number or SHA-256)
    DELETE /api/{nominations|submissions}/{id}/attachments/{ref}      remove (an event)

An upload's body is counted while it is read (``UploadRoute``): beyond the size limit plus a
little room for the form's other fields it is refused (422 ``attachment.too_large``) without
reading the rest; a declared ``Content-Length`` beyond it is refused before reading anything
(``services.http.uploads``, shared with the pages).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.routing import APIRoute

from domain import attachments as att
from services.api.deps import ActorDep, RuntimeDep, command_result
from services.app import Runtime
from services.attachments import Attachments
from services.authz import Actor
from services.http.uploads import download_response, limit_body


class UploadRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return limit_body(super().get_route_handler())


router = APIRouter(prefix="/api", tags=["Đề nghị khen thưởng"], route_class=UploadRoute)

Kind = Literal["bao_cao_thanh_tich", "bien_ban_hop", "tom_tat_thanh_tich", "khac"]
assert set(Kind.__args__) == set(att.KINDS)  # type: ignore[attr-defined]

FileField = Annotated[UploadFile, File(
    description="Tệp PDF, DOCX, XLSX, JPG hoặc PNG (kiểm tra theo nội dung, không theo tên "
                "tệp); tối đa `TDKT_ATTACHMENT_MAX_MB` (mặc định 10 MB)")]
KindField = Annotated[Kind, Form(description="Loại tài liệu: " + ", ".join(
    f"`{code}` ({label})" for code, label in att.KINDS.items()))]
TitleField = Annotated[str, Form(max_length=att.MAX_TITLE, description="Tiêu đề (không bắt buộc)")]
VersionField = Annotated[int | None, Form(ge=0, le=10**9, description="Phiên bản mong đợi")]
RefPath = Annotated[str, Path(max_length=80, description="Số thứ tự của tệp (1, 2, …) hoặc mã "
                                                          "SHA-256 của nội dung")]
ReasonQuery = Annotated[str, Query(max_length=500, description="Lý do gỡ (không bắt buộc)")]
VersionQuery = Annotated[int | None, Query(ge=0, le=10**9, description="Phiên bản mong đợi")]

DOWNLOAD = {200: {
    "description": "Nội dung tệp, với `Content-Type` theo nội dung và "
                   "`X-Content-Type-Options: nosniff`",
    "headers": {"Content-Disposition": {"description": "`attachment; filename=\"…\"`",
                                        "schema": {"type": "string"}}},
    "content": {media: {"schema": {"type": "string", "format": "binary"}}
                for media in att.MEDIA_TYPES},
}}


def _upload(rt: Runtime, actor: Actor, owner: str, record_id: UUID, file: UploadFile, kind: str,
            title: str, expected_version: int | None):
    saved, item = Attachments(rt).add(
        actor, owner, record_id, file.file, file_name=file.filename or "", kind=kind,
        title=title, expected_version=expected_version)
    return command_result(rt, saved, {"id": str(saved.id), "version": saved.version,
                                      "attachment": item}, status=201, location=item["url"])


def _remove(rt: Runtime, actor: Actor, owner: str, record_id: UUID, ref: str, reason: str,
            expected_version: int | None):
    saved, no = Attachments(rt).remove(actor, owner, record_id, ref, reason=reason,
                                       expected_version=expected_version)
    return command_result(rt, saved, {"id": str(saved.id), "version": saved.version,
                                      "removed": no})


# -- nominations ---------------------------------------------------------------------------------


@router.post("/nominations/{nomination_id}/attachments", status_code=201,
             summary="Đính kèm tệp vào đề nghị")
def upload_to_nomination(nomination_id: UUID, rt: RuntimeDep, actor: ActorDep, file: FileField,
                         kind: KindField, title: TitleField = "",
                         expected_version: VersionField = None):
    return _upload(rt, actor, "nomination", nomination_id, file, kind, title, expected_version)


@router.get("/nominations/{nomination_id}/attachments", summary="Tệp đính kèm của đề nghị")
def nomination_attachments(nomination_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return Attachments(rt).listing(actor, "nomination", nomination_id)


@router.get("/nominations/{nomination_id}/attachments/{attachment}", response_class=Response,
            responses=DOWNLOAD, summary="Tải tệp đính kèm của đề nghị")
def nomination_attachment(nomination_id: UUID, attachment: RefPath, rt: RuntimeDep,
                          actor: ActorDep):
    return download_response(rt, actor, "nomination", nomination_id, attachment)


@router.delete("/nominations/{nomination_id}/attachments/{attachment}",
               summary="Gỡ tệp đính kèm khỏi đề nghị")
def remove_from_nomination(nomination_id: UUID, attachment: RefPath, rt: RuntimeDep,
                           actor: ActorDep, reason: ReasonQuery = "",
                           expected_version: VersionQuery = None):
    return _remove(rt, actor, "nomination", nomination_id, attachment, reason, expected_version)


# -- submissions ---------------------------------------------------------------------------------


@router.post("/submissions/{submission_id}/attachments", status_code=201,
             summary="Đính kèm tệp vào tờ trình")
def upload_to_submission(submission_id: UUID, rt: RuntimeDep, actor: ActorDep, file: FileField,
                         kind: KindField, title: TitleField = "",
                         expected_version: VersionField = None):
    return _upload(rt, actor, "submission", submission_id, file, kind, title, expected_version)


@router.get("/submissions/{submission_id}/attachments", summary="Tệp đính kèm của tờ trình")
def submission_attachments(submission_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return Attachments(rt).listing(actor, "submission", submission_id)


@router.get("/submissions/{submission_id}/attachments/{attachment}", response_class=Response,
            responses=DOWNLOAD, summary="Tải tệp đính kèm của tờ trình")
def submission_attachment(submission_id: UUID, attachment: RefPath, rt: RuntimeDep,
                          actor: ActorDep):
    return download_response(rt, actor, "submission", submission_id, attachment)


@router.delete("/submissions/{submission_id}/attachments/{attachment}",
               summary="Gỡ tệp đính kèm khỏi tờ trình")
def remove_from_submission(submission_id: UUID, attachment: RefPath, rt: RuntimeDep,
                           actor: ActorDep, reason: ReasonQuery = "",
                           expected_version: VersionQuery = None):
    return _remove(rt, actor, "submission", submission_id, attachment, reason, expected_version)
