"""Headers every answer carries (pages, API, static files, API docs), and the renewal of the
session cookie (``services.http.sessions``), in one ASGI middleware.

The pages load nothing but this site's own style sheet and images: no inline style, no inline
script, no other host (``templates/pages``, ``static/tdkt.css``), so the policy is strict. The API
documentation pages (``/docs``, ``/redoc``) set their own, relaxed policy (``services.api.openapi``:
their one inline script by hash, the styles their JavaScript injects); a route that sets a header
keeps it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.http.sessions import TOKEN_COOKIE, sessions_of, sets_cookie

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if not sets_cookie(headers, TOKEN_COOKIE):
                    request = Request(scope)
                    renewal = sessions_of(request.app).renewal(request)
                    if renewal:
                        headers.append("set-cookie", renewal)
            await send(message)

        await self.app(scope, receive, send_with_headers)
