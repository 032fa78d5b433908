"""Page routes are marked, so that a refusal raised from a page is answered with a page.

Every page module makes its router with ``page_router()``; ``is_page`` tells the exception
handlers (``services.web.errors``) whether the request was routed to a page or to the JSON API.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from services.web import csrf


class PageRoute(APIRoute):
    """A route that answers HTML to people (not part of the OpenAPI document). A form sent to
    it must carry the browser's CSRF token (``services.web.csrf``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            await csrf.check(request)
            return await handler(request)

        return checked


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, include_in_schema=False)


def is_page(request: Request) -> bool:
    return isinstance(request.scope.get("route"), PageRoute)
