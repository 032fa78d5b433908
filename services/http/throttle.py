"""Sign-in throttling: failed sign-ins counted per account and per client address over a sliding
window, in this process.

After ``per_account`` failures for one user name (``TDKT_LOGIN_MAX_FAILURES``, 5) or
``per_address`` failures from one address (``TDKT_LOGIN_MAX_FAILURES_ADDRESS``, 20) within
``window`` seconds (``TDKT_LOGIN_WINDOW_MINUTES``, 15 min), sign-in is refused — without even
checking the password — until enough of those failures have left the window
(``LoginThrottled``: 429, ``Retry-After``). A refused attempt is not counted again; a successful
sign-in clears its account's failures (not the address's: one good password does not buy twenty
more guesses at other accounts).

The counts live in memory: several server processes each count their own, and a restart forgets
them — the limits bound guessing, they are not an audit log.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from domain.errors import LoginThrottled
from domain.users import normalise_username

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # no daylight saving
MAX_KEYS = 50_000  # bounded memory under a spray of made-up user names


def account_key(username: str) -> str:
    try:
        name = normalise_username(username)
    except Exception:  # not a possible user name: counted as typed
        name = username.strip().casefold()
    return "account:" + name[:100]


class LoginThrottle:
    def __init__(self, clock: Callable[[], float], *, per_account: int, per_address: int,
                 window: float) -> None:
        self.clock = clock
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def _retry_at(self, key: str, limit: int, now: float) -> float | None:
        """When the key may try again, or None if it may now."""
        times = self._recent(key, now)
        if len(times) < limit:
            return None
        # the (len - limit + 1) oldest failures must leave the window
        return times[len(times) - limit] + self.window

    def check(self, username: str, address: str | None) -> None:
        """Raise ``LoginThrottled`` when this account or this address must wait."""
        now = self.clock()
        with self._lock:
            waits = [
                (at, scope) for at, scope in (
                    (self._retry_at(account_key(username), self.per_account, now), "account"),
                    (self._retry_at("address:" + (address or "?"), self.per_address, now),
                     "address"),
                ) if at is not None
            ]
        if not waits:
            return
        at, scope = max(waits)
        seconds = max(1, math.ceil(at - now))
        raise LoginThrottled(wait=_wait_text(seconds), at=_clock_text(at), scope=scope,
                             retry_after=seconds)

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._forget_expired(now)
            for key in (account_key(username), "address:" + (address or "?")):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(account_key(username), None)

    def _forget_expired(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        if len(self._failures) >= MAX_KEYS:  # still full: the oldest half goes
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[: len(oldest) // 2]:
                del self._failures[key]


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} giây"
    return f"{math.ceil(seconds / 60)} phút"


def _clock_text(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).astimezone(VIETNAM).strftime("%H:%M")
