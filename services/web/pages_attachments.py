"""Attachments in the pages: upload to a nomination or a submission, list, download for those who
may read the file (issue 16).

The list and the upload form are a section of the record's own page
(``templates/pages/_attachments.html``, context from ``Attachments.section``). Here:

    GET  /{nominations|submissions}/{id}/attachments/{no}          download (the read policy)
    POST /{nominations|submissions}/{id}/attachments/upload        multipart: kind, title, file
    GET  /{nominations|submissions}/{id}/attachments/{no}/remove   what removing does; confirm
    POST /{nominations|submissions}/{id}/attachments/{no}/remove   remove (an event)

An upload's body is bounded as the API's is (``services.http.uploads.limit_body``), before the
CSRF check reads the form.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from domain.attachments import AttachmentEmpty, find_attachment
from domain.errors import DomainError
from domain.nomination import Nomination
from domain.text import nfc
from services.attachments import Attachments, item_view
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.http.uploads import download_response, limit_body
from services.web.deps import SignedInDep
from services.web.forms import parse_id
from services.web.pages_submissions import submission_view
from services.web.pages_workflow import nomination_view
from services.web.routing import PageRoute, page_router
from services.web.templating import render


class UploadPageRoute(PageRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return limit_body(super().get_route_handler())


router = page_router()
uploads = APIRouter(route_class=UploadPageRoute, include_in_schema=False)


def _back(owner: str, record_id: Any) -> str:
    return f"/{owner}s/{record_id}"


def _record_label(record: Any) -> str:
    if isinstance(record, Nomination):
        return f"Đề nghị khen thưởng — {record.recipient.get('name', '')}"
    number = f"số {record.number} " if record.number else ""
    return f"Tờ trình {number}— {record.title}"


def _refused_upload(request: Request, rt: Any, actor: Actor, owner: str, record_id: str,
                    error: DomainError) -> Response:
    """The record's page again with the refusal (above, and beside the upload form)."""
    if owner == "nomination":
        return nomination_view(request, rt, actor, record_id, error)
    return submission_view(request, rt, actor, record_id, error)


def _add_routes(owner: str) -> None:
    base = f"/{owner}s/{{record_id}}/attachments"

    async def upload(request: Request, record_id: str, rt: RuntimeDep, actor: SignedInDep):
        form = await request.form()
        upload = form.get("file")
        try:
            rid = parse_id(record_id)
            if upload is None or isinstance(upload, str):
                raise AttachmentEmpty()
            saved, _ = await run_in_threadpool(
                Attachments(rt).add, actor, owner, rid, upload.file,
                file_name=upload.filename or "", kind=nfc(str(form.get("kind") or "")),
                title=nfc(str(form.get("title") or "")))
        except DomainError as error:
            return _refused_upload(request, rt, actor, owner, record_id, error)
        rt.after(saved)
        return RedirectResponse(f"{_back(owner, saved.id)}#tep-dinh-kem", status_code=303)

    def download(record_id: str, ref: str, rt: RuntimeDep, actor: SignedInDep):
        return download_response(rt, actor, owner, parse_id(record_id), ref)

    def _confirm(request: Request, rt: Any, actor: Actor, record_id: str, ref: str,
                 error: DomainError | None = None) -> HTMLResponse:
        attachments = Attachments(rt)
        record = attachments.readable(actor, owner, parse_id(record_id))
        item = item_view(owner, record.id, find_attachment(record.attached, ref))
        return render(request, "attachment_remove.html", {
            "f": item, "record_label": _record_label(record),
            "back": _back(owner, record.id),
            "back_label": "Đề nghị khen thưởng" if owner == "nomination" else "Tờ trình",
            "base": f"/{owner}s/{record.id}/attachments", "error": error,
        }, status_for(error) if error else 200, actor)

    def confirm(request: Request, record_id: str, ref: str, rt: RuntimeDep,
                actor: SignedInDep):
        return _confirm(request, rt, actor, record_id, ref)

    async def remove(request: Request, record_id: str, ref: str, rt: RuntimeDep,
                     actor: SignedInDep):
        form = await request.form()
        try:
            saved, _ = Attachments(rt).remove(actor, owner, parse_id(record_id), ref,
                                              reason=nfc(str(form.get("reason") or "")))
        except DomainError as error:
            return _confirm(request, rt, actor, record_id, ref, error)
        rt.after(saved)
        return RedirectResponse(f"{_back(owner, saved.id)}#tep-dinh-kem", status_code=303)

    uploads.add_api_route(f"{base}/upload", upload, methods=["POST"])
    router.add_api_route(f"{base}/{{ref}}", download, methods=["GET"])
    router.add_api_route(f"{base}/{{ref}}/remove", confirm, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route(f"{base}/{{ref}}/remove", remove, methods=["POST"])


for _owner in ("nomination", "submission"):
    _add_routes(_owner)
router.include_router(uploads)
