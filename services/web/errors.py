"""How pages answer when they cannot show what was asked: two exception handlers on the app.

* ``LoginRequired`` (no valid session; raised by ``services.web.deps.signed_in``) → a redirect
  (303) to ``/login?next=<the page>`` (``&expired=1``, and the cookie cleared, when the session
  ran out: the form says so).
* A ``DomainError`` raised from a page route → the error page, with the status the API would
  give (``services.http.errors``) and the Vietnamese message without raw ids. A refusal raised
  from an API route is left to the handler installed before (``services.api.errors``: JSON).

Pages that show a refusal inside their own form (sign-in, new nomination, nomination actions,
registry, calculator) catch it themselves and render the form again.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.errors import DomainError
from services.http.errors import retry_headers, status_for
from services.http.sessions import sessions_of
from services.web.deps import LoginRequired, page_actor
from services.web.routing import is_page
from services.web.templating import render


def login_redirect(request: Request, expired: bool = False) -> RedirectResponse:
    target = quote(str(request.url.path))
    suffix = "&expired=1" if expired else ""
    response = RedirectResponse(f"/login?next={target}{suffix}", status_code=303)
    if expired:
        sessions_of(request.app).end(request, response)
    return response


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    response = render(request, "error.html", {"error": error}, status_for(error),
                      page_actor(request))
    response.headers.update(retry_headers(error))
    return response


def install(app: FastAPI) -> None:
    """Register the pages' handlers; call after the API's (``services.api.errors.install``)."""
    api_answer = app.exception_handlers.get(DomainError)

    @app.exception_handler(LoginRequired)
    async def on_login_required(request: Request, error: LoginRequired) -> Response:
        return login_redirect(request, error.expired)

    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, error: DomainError) -> Response:
        if is_page(request):
            return error_page(request, error)
        if api_answer is None:
            raise error
        return await api_answer(request, error)
