"""The step between a sign-in with a temporary password and the first page: she sets her own.

Signing in with a password an admin set as temporary (``User.PasswordReset``) issues no session.
The sign-in form instead sets the cookie ``tdkt_password_change`` — her username and her
record's version at that moment, when, signed with the server's key (HMAC-SHA256, as the
session cookie) — and sends her to ``/password``. That page, with this cookie and no session,
asks only for the new password (twice); saving it issues her session in the same step
(``Users.complete_password_change``). The cookie is ``HttpOnly``, ``SameSite=Strict``, sent to
``/password`` only, and worth nothing after ``MAX_AGE`` seconds or once her record has changed
(the new password saved, another reset, a lock…). Without it no other page opens: she has no
session until the password is changed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request, Response

from services.http.sessions import is_https, sessions_of

COOKIE = "tdkt_password_change"
PATH = "/password"
MAX_AGE = 15 * 60  # seconds to choose the new password
VERSION = "p1"


@dataclass(frozen=True)
class Pending:
    username: str
    version: int  # her record's version when she proved the temporary password
    issued: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(request: Request, payload: str) -> str:
    secret = sessions_of(request.app).secret
    return _b64(hmac.new(secret, f"{COOKIE}|{payload}".encode(), hashlib.sha256).digest())


def start(request: Request, response: Response, username: str, version: int) -> None:
    now = sessions_of(request.app).now()
    payload = f"{VERSION}.{_b64(username.encode('utf-8'))}.{version}.{now}"
    response.set_cookie(COOKIE, f"{payload}.{_signature(request, payload)}", max_age=MAX_AGE,
                        path=PATH, secure=is_https(request), httponly=True, samesite="strict")


def end(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, secure=is_https(request), httponly=True,
                           samesite="strict")


def pending(request: Request) -> Pending | None:
    """The well-signed, unexpired change step of this browser, or None."""
    value = request.cookies.get(COOKIE) or ""
    if not value or len(value) > 400:
        return None
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(_signature(request, payload), signature):
        return None
    parts = payload.split(".")
    if len(parts) != 4 or parts[0] != VERSION or not parts[2].isdigit() \
            or not parts[3].isdigit():
        return None
    try:
        username = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    issued = int(parts[3])
    age = sessions_of(request.app).now() - issued
    if age < 0 or age >= MAX_AGE:
        return None
    return Pending(username, int(parts[2]), issued)
