"""Uploads and downloads of attached files over HTTP, shared by the API and the pages: an
upload's body is counted while it is read and refused beyond the attachment limit
(``limit_body``); a download streams the stored file with its own name and type
(``download_response``)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from uuid import UUID

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message

from domain import attachments as att
from services.app import Runtime
from services.attachments import Attachments, chunks, megabytes
from services.authz import Actor
from services.http.downloads import content_disposition

FORM_ROOM = 256 * 1024  # the multipart framing and the other fields of an upload


class _BodyTooLarge(Exception):
    pass


def limit_body(handler: Callable[[Request], Coroutine[Any, Any, Response]]
               ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    """A route handler whose request body is refused beyond the attachment limit (the runtime's
    ``TDKT_ATTACHMENT_MAX_MB``) plus ``FORM_ROOM``: by its ``Content-Length`` before reading,
    else as soon as the bytes received pass it. Starlette keeps at most 1 MB of an uploaded
    file in memory (the rest in a temporary file), so an upload never costs more."""

    async def limited(request: Request) -> Response:
        max_bytes = request.app.state.runtime.settings.attachment_max_bytes
        too_large = att.AttachmentTooLarge(max_mb=megabytes(max_bytes))
        allowed = max_bytes + FORM_ROOM
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > allowed:
            raise too_large
        received = 0
        receive = request.receive

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    raise _BodyTooLarge()
            return message

        try:
            return await handler(Request(request.scope, counted))
        except _BodyTooLarge:
            raise too_large from None
        except StarletteHTTPException as error:  # FastAPI's "error parsing the body"
            if isinstance(error.__cause__, _BodyTooLarge):
                raise too_large from None
            raise

    return limited


def download_response(rt: Runtime, actor: Actor, owner: str, record_id: UUID, ref: str):
    item, handle = Attachments(rt).open(actor, owner, record_id, ref)
    return StreamingResponse(chunks(handle), media_type=item["media_type"], headers={
        "Content-Disposition": content_disposition(item["download_name"]),
        "Content-Length": str(item["size"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })
