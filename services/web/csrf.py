"""Protection of the pages' forms against cross-site request forgery (double-submit token).

Every page carries a random token in a cookie (HTTP-only, ``SameSite=Lax``, ``Secure`` over
HTTPS) and the same token in a hidden field of each of its forms (``{{ csrf_input() }}`` in a
template). A form sent to a page route (``PageRoute``: every method but GET and HEAD) must bring
the field equal to the cookie; another site can make a browser send the cookie but cannot read it
to fill the field. The JSON API is not concerned: it takes a bearer token, which a browser never
adds by itself.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response
from jinja2 import pass_context
from markupsafe import Markup, escape

from domain.errors import Forbidden
from services.http.sessions import is_https

CSRF_COOKIE = "tdkt_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(Forbidden):
    code = "auth.csrf"
    message_template = (
        "Biểu mẫu đã cũ hoặc không được gửi từ trang của hệ thống. Vui lòng tải lại trang và "
        "thử lại.")


def csrf_token(request: Request) -> str:
    """This browser's token: the cookie's, or a new one (set on the response by ``remember``)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or ""
        if len(token) < 32:
            token = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_token = token
    return token


def remember(request: Request, response: Response) -> None:
    """Set the cookie when this request made a new token."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            CSRF_COOKIE, request.state.csrf_token, httponly=True, samesite="lax",
            secure=is_https(request), path="/")


def renew(request: Request, response: Response) -> None:
    """A new token at sign-in: one planted in the browser before (by whoever could set a cookie
    for this site) is worth nothing once she is signed in."""
    request.state.csrf_token = secrets.token_urlsafe(32)
    request.state.csrf_new = True
    remember(request, response)


@pass_context
def csrf_input(context) -> Markup:
    """The hidden field of a form (``{{ csrf_input() }}``)."""
    token = csrf_token(context["request"])
    # and the form's own key: the same form sent twice is recorded once
    # (``services.http.idempotency``)
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'
                  f'<input type="hidden" name="form_key" value="{secrets.token_urlsafe(16)}">')


async def check(request: Request) -> None:
    """Refuse a form sent to a page without the token of this browser's cookie."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise CsrfRejected()
