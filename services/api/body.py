"""JSON request bodies read strictly: a key given twice in one object is refused (422) before
any route sees the body — the usual parser would silently keep the last one, so that
``{"username": "a", "username": "b"}`` logs in as "b"."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.errors import error_body
from services.http.bodies import replaying


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


class StrictJSONBody:
    """Pure ASGI middleware: buffers a JSON body, checks it, and hands the same bytes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
        if b"json" not in content_type:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            json.loads(body, object_pairs_hook=_no_duplicates)
        except DuplicateKey as duplicate:
            await _refuse(send, duplicate.key)
            return
        except (ValueError, RecursionError):
            pass  # not JSON at all: the route's own validation answers it
        await self.app(scope, replaying(body, receive), send)



async def _refuse(send: Send, key: str) -> None:
    payload = json.dumps(error_body(
        "validation.invalid",
        f"Dữ liệu không hợp lệ — trường «{key}» xuất hiện hai lần trong cùng một đối tượng JSON",
        {"fields": [{"field": key, "type": "duplicate_key",
                     "message": "trường bị lặp lại"}]},
    ), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
