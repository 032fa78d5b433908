"""The pages' sessions: a signed cookie that expires, ended server-side by logout.

Signing in (``/login``, or ``POST /api/auth/token`` from a browser) issues an API token, as
before, and sets the cookie ``tdkt_session``: the token, when the session began and when it was
last used, signed with the server's secret (HMAC-SHA256, ``services.secret_key``). The cookie is
``HttpOnly``, ``SameSite=Lax``, and ``Secure`` when the request came over HTTPS (the scheme the
server saw, or ``X-Forwarded-Proto`` when ``TDKT_TRUST_PROXY`` says a proxy in front is trusted).

A session is over

* after ``TDKT_SESSION_IDLE_MINUTES`` (60) without a request: each request renews the last-used
  time (the cookie is signed again, at most once a minute; ``services.http.headers``);
* after ``TDKT_SESSION_MAX_HOURS`` (8) since sign-in, however active;
* at logout, which revokes the token itself: the cookie, even replayed, no longer signs in;
* when its token is revoked or the key changes.

A page asked for with an ended session redirects to the sign-in form, which says why; the API
answers 401. The clock is ``Sessions.clock`` (seconds), injected by tests. Programs keep using
bearer tokens (``Authorization``), which these rules do not touch.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders

from services.config import Settings
from services.http.throttle import LoginThrottle

TOKEN_COOKIE = "tdkt_session"
VERSION = "v1"
REFRESH_AFTER = 60.0  # seconds: the cookie is signed again at most this often


@dataclass(frozen=True)
class Session:
    token: str
    issued: int  # seconds since the epoch: sign-in
    seen: int  # last request

    @property
    def token_id(self) -> str | None:
        parts = self.token.split("_", 3)
        return parts[2] if len(parts) == 4 else None


@dataclass(frozen=True)
class SessionState:
    session: Session | None  # a well-signed cookie, expired or not
    expired: bool = False

    @property
    def token(self) -> str | None:
        """The token of a live session, else None."""
        return self.session.token if self.session is not None and not self.expired else None


NO_SESSION = SessionState(None)


class Sessions:
    """One per app (``app.state.sessions``): the key, the clock, the limits, the throttle."""

    def __init__(self, settings: Settings, load_secret: Callable[[], bytes],
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.max_age = settings.session_max_hours * 3600
        self.idle = settings.session_idle_minutes * 60
        self.refresh_after = min(REFRESH_AFTER, self.idle / 4)
        self._load_secret = load_secret
        self._secret: bytes | None = None
        self._lock = threading.Lock()
        self.throttle = LoginThrottle(
            lambda: self.clock(), per_account=settings.login_max_failures,
            per_address=settings.login_max_failures_address,
            window=settings.login_window_minutes * 60)

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            with self._lock:
                if self._secret is None:
                    self._secret = self._load_secret()
        return self._secret

    def now(self) -> int:
        return int(self.clock())

    # -- the cookie's value ------------------------------------------------------------------

    def _signature(self, payload: str) -> str:
        digest = hmac.new(self.secret, payload.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def encode(self, session: Session) -> str:
        payload = f"{VERSION}.{session.token}.{session.issued}.{session.seen}"
        return f"{payload}.{self._signature(payload)}"

    def decode(self, value: str | None) -> Session | None:
        """The session of a well-signed cookie, or None (absent, malformed, forged)."""
        if not value or len(value) > 512:
            return None
        payload, _, signature = value.rpartition(".")
        parts = payload.split(".")
        if len(parts) != 4 or parts[0] != VERSION or not parts[2].isdigit() \
                or not parts[3].isdigit():
            return None
        if not hmac.compare_digest(self._signature(payload), signature):
            return None
        session = Session(parts[1], int(parts[2]), int(parts[3]))
        return session if session.issued <= session.seen else None

    def is_expired(self, session: Session, now: int | None = None) -> bool:
        now = self.now() if now is None else now
        return now - session.issued >= self.max_age or now - session.seen >= self.idle

    # -- requests and responses --------------------------------------------------------------

    def state(self, request: Request) -> SessionState:
        """This request's session (read once per request)."""
        found = getattr(request.state, "tdkt_session", None)
        if found is None:
            session = self.decode(request.cookies.get(TOKEN_COOKIE))
            found = NO_SESSION if session is None else SessionState(
                session, self.is_expired(session))
            request.state.tdkt_session = found
        return found

    def start(self, request: Request, response: Response, token: str) -> None:
        """Sign in: a new session for ``token`` (the page or API login's)."""
        now = self.now()
        self._set(request, response, Session(token, now, now))

    def end(self, request: Request, response: Response) -> None:
        response.delete_cookie(TOKEN_COOKIE, path="/", secure=is_https(request),
                               httponly=True, samesite="lax")

    def _set(self, request: Request, response: Response, session: Session) -> None:
        remaining = max(1, session.issued + int(self.max_age) - session.seen)
        response.set_cookie(TOKEN_COOKIE, self.encode(session), max_age=remaining, path="/",
                            secure=is_https(request), httponly=True, samesite="lax")

    def renewal(self, request: Request) -> str | None:
        """The ``Set-Cookie`` value that renews a live session's last-used time, when due."""
        state = self.state(request)
        session = state.session
        if session is None or state.expired:
            return None
        now = self.now()
        if now - session.seen < self.refresh_after or self.is_expired(session, now):
            return None
        carrier = Response()
        self._set(request, carrier, Session(session.token, session.issued, now))
        return next(value.decode("latin-1") for name, value in carrier.raw_headers
                    if name == b"set-cookie")


def sessions_of(app: Any) -> Sessions:
    """The app's ``Sessions`` (made from its runtime on first use when ``create_app`` did not)."""
    found = getattr(app.state, "sessions", None)
    if found is None:
        from services.secret_key import load_secret

        runtime = app.state.runtime
        found = Sessions(runtime.settings, lambda: load_secret(runtime.settings, runtime.db))
        app.state.sessions = found
    return found


def _settings(request: Request) -> Settings:
    return sessions_of(request.app).settings


def _forwarded(request: Request, name: str) -> str | None:
    """The value the nearest proxy added to a ``X-Forwarded-*`` header (its last item)."""
    values = [v.strip() for h in request.headers.getlist(name) for v in h.split(",")]
    values = [v for v in values if v]
    return values[-1] if values else None


def is_https(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    if _settings(request).trust_proxy:
        return (_forwarded(request, "x-forwarded-proto") or "").lower() == "https"
    return False


def client_address(request: Request) -> str | None:
    """Who is asking: the connection's address, or, behind a trusted proxy, the address that
    proxy saw (the last ``X-Forwarded-For`` item: the ones before it are the client's word)."""
    if _settings(request).trust_proxy:
        forwarded = _forwarded(request, "x-forwarded-for")
        if forwarded:
            return forwarded
    return request.client.host if request.client else None


def sets_cookie(headers: MutableHeaders, name: str) -> bool:
    return any(value.startswith(f"{name}=") for value in headers.getlist("set-cookie"))
