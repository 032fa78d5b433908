"""Page routes are marked, so that a refusal raised from a page is answered with a page.

Every page module makes its router with ``page_router()``; ``is_page`` tells the exception
handlers (``services.web.errors``) whether the request was routed to a page or to the JSON API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute


class PageRoute(APIRoute):
    """A route that answers HTML to people (not part of the OpenAPI document)."""


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, include_in_schema=False)


def is_page(request: Request) -> bool:
    return isinstance(request.scope.get("route"), PageRoute)
