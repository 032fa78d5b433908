"""Request bodies limited at the edge, before any route, body parser or authentication runs.

``BodyLimit`` is a pure ASGI middleware, the outermost but one (inside ``SecurityHeaders``, so
that its refusal carries the same headers). A request whose ``Content-Length`` is larger than the
limit is refused at once, before a byte of its body is read and before its token is looked at:
413 with the code ``request.too_large`` and a Vietnamese message (JSON for ``/api``, a short page
otherwise). A body sent without a length (chunked) is counted while it is read and refused as
soon as it passes the limit; whatever the route had started to answer is replaced by the 413.

The limit is ``TDKT_MAX_BODY_MB`` (2 MB: a JSON decision of several thousand lines fits). Upload
routes — the ones whose handler ``services.http.uploads.limit_body`` wraps: attachments and
imports of files, in the API and the pages — have their own, larger limit
(``TDKT_ATTACHMENT_MAX_MB`` plus the form's framing), which ``limit_body`` enforces the same
way (by the length before reading, else while reading; also before authentication) with the
attachment's own refusal: this middleware lets them through. Other multipart forms (a list
uploaded with a page's form) get that same larger limit, and the route's own refusal of a file
too large.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.attachments import megabytes
from services.http.uploads import FORM_ROOM

CODE = "request.too_large"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def message(limit: int) -> str:
    return (f"Dữ liệu gửi lên quá lớn: tối đa {megabytes(limit)} MB mỗi yêu cầu. Hãy chia nhỏ "
            "dữ liệu, hoặc gửi tệp qua mục tải tệp đính kèm.")


class _TooLarge(Exception):
    pass


def is_upload_route(route: Any) -> bool:
    """A route whose handler ``limit_body`` wraps (its route class's ``get_route_handler``
    calls it: ``UploadRoute`` of the API, ``UploadPageRoute`` of the pages)."""
    method = getattr(type(route), "get_route_handler", None)
    code = getattr(method, "__code__", None)
    return code is not None and "limit_body" in code.co_names


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._uploads: dict[int, bool] = {}

    def _settings(self, scope: Scope) -> Any:
        return scope["app"].state.runtime.settings

    def _upload(self, scope: Scope) -> bool:
        """Whether the request goes to an upload route (found as the router would). Asked only
        of a body over the ordinary limit or without a length."""
        route = _route(getattr(scope["app"], "routes", []), scope)
        if route is None:
            return False
        key = id(route)
        if key not in self._uploads:
            self._uploads[key] = is_upload_route(route)
        return self._uploads[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        settings = self._settings(scope)
        timed = _Timed(receive, settings.body_timeout_seconds)
        try:
            await self._limited(scope, timed, send, settings)
        except _SlowBody:
            if not timed.answered:
                await _refuse(scope, send, 0, slow=True)

    async def _limited(self, scope: Scope, receive: _Timed, send: Send, settings: Any) -> None:
        send = receive.watch(send)
        limit = settings.max_body_bytes
        if _multipart(scope):
            # a form carrying a file (an Excel list, a document) to a route that reads it
            # itself: the file's limit, so that the page answers a file too large in its own
            # words (with the form kept) rather than with this middleware's 413
            limit = max(limit, settings.attachment_max_bytes + FORM_ROOM)
        declared = content_length(scope)
        if (declared is not None and declared <= limit) or self._upload(scope):
            # within the limit (the server reads no more than a declared length), or an upload
            # route, which ``limit_body`` bounds with its own limit and refusal
            await self.app(scope, receive, send)
            return
        if declared is not None:
            await _refuse(scope, send, limit)
            return
        received = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal received, over
            got = await receive()
            if got["type"] == "http.request":
                received += len(got.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge()
            return got

        async def guarded(sent: Message) -> None:
            nonlocal started
            if over:  # the route's answer to a cut-off body: the 413 instead
                return
            if sent["type"] == "http.response.start":
                started = True
            await send(sent)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            pass
        except _SlowBody:
            raise
        except Exception:
            if not over:
                raise
        if over and not started:
            await _refuse(scope, send, limit)


class _SlowBody(Exception):
    pass


class _Timed:
    """``receive`` with a deadline for each part of the body: a client that starts a request
    and then sends its body too slowly (or not at all) holds a worker no longer than
    ``TDKT_BODY_TIMEOUT_SECONDS`` per wait; it is answered 408. Once the body is complete,
    waits (for a disconnect while an answer streams) are not timed."""

    def __init__(self, receive: Receive, seconds: float) -> None:
        self.receive = receive
        self.seconds = seconds
        self.complete = False
        self.answered = False

    async def __call__(self) -> Message:
        if self.complete:
            return await self.receive()
        try:
            with anyio.fail_after(self.seconds):
                got = await self.receive()
        except TimeoutError:
            raise _SlowBody() from None
        if got["type"] != "http.request" or not got.get("more_body", False):
            self.complete = True
        return got

    def watch(self, send: Send) -> Send:
        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.answered = True
            await send(message)
        return sent


def _route(routes: list[Any], scope: Scope) -> Any:
    """The route that would answer, looking into included routers (FastAPI keeps an included
    router whole and matches its own routes, prefixed, later)."""
    path = scope["path"]
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            prefix = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            if path.startswith(prefix):
                found = _route(inner.routes, {**scope, "path": path[len(prefix):]})
                if found is not None:
                    return found
            continue
        matched, _ = route.matches(scope)
        if matched == Match.FULL:
            return route
    return None


def _multipart(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.lower().startswith(b"multipart/form-data")
    return False


def content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


SLOW_CODE = "request.timeout"
SLOW_MESSAGE = ("Dữ liệu gửi lên đến quá chậm nên yêu cầu đã bị ngắt; chưa có gì được ghi. Hãy "
                "kiểm tra kết nối mạng rồi gửi lại.")


async def _refuse(scope: Scope, send: Send, limit: int, slow: bool = False) -> None:
    text = SLOW_MESSAGE if slow else message(limit)
    status, code = (408, SLOW_CODE) if slow else (413, CODE)
    title = "Gửi dữ liệu quá chậm" if slow else "Dữ liệu gửi lên quá lớn"
    if scope["path"].startswith("/api"):
        body = json.dumps({"error": {"code": code, "message": text,
                                     "details": {} if slow else {"max_bytes": limit}}},
                          ensure_ascii=False).encode("utf-8")
        kind = b"application/json"
    else:
        body = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta "
                "name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>"
                f"{title} — TĐKT</title></head><body><main><h1>{title}</h1>"
                f"<p>{text}</p><p><a href=\"/\">Về trang chủ</a></p></main>"
                "</body></html>").encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", kind), (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
