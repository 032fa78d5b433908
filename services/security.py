"""Secrets: argon2 hashes for passwords and API tokens, and the token format.

A token reads ``tdkt_<user id hex>_<token id>_<secret>``: the user and token ids let the server find
the one hash to check (argon2 hashes are salted, so they cannot be looked up by value). A verified
token is remembered in memory by its SHA-256 so that argon2's deliberate slowness is paid once per
token and process, not once per request; revocation is still checked on every request.

Argon2 is deliberately memory-hard (64 MiB per computation with the default profile), so the
number of hash computations running at once in a process is bounded (``TDKT_HASH_CONCURRENCY``,
2): the others wait for a slot, at most ``TDKT_HASH_WAIT_SECONDS`` (10), and are then refused
(``SignInBusy``: 429 with ``Retry-After``). Thirty-two parallel sign-ins therefore cost two
computations' memory at a time, not thirty-two.

A sign-in for an unknown user (or one without a password) verifies against a dummy hash made the
same way (``verify_unknown``), so that both answers take the same work and the time of the
answer does not reveal which accounts exist.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.users import SignInBusy
from services.config import credential_settings

# TDKT_ARGON2_PROFILE=test lowers the cost for the test suite only; never set it in production.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("TDKT_ARGON2_PROFILE") == "test"
    else PasswordHasher()
)
_verified: dict[str, tuple[UUID, str]] = {}
_verified_lock = threading.Lock()
_VERIFIED_MAX = 10_000




class _Slots:
    """The process-wide bound on argon2 computations at once."""

    def __init__(self, size: int, wait: float) -> None:
        self.size = size
        self.wait = wait
        self._free = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.running = 0  # now (read by tests and diagnostics)
        self.peak = 0  # most at once since the last ``configure``

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._free.acquire(timeout=self.wait):
            raise SignInBusy(retry_after=max(1, round(self.wait)))
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._free.release()


def _from_environment() -> _Slots:
    found = credential_settings()
    return _Slots(int(found["hash_concurrency"]), float(found["hash_wait_seconds"]))


slots = _from_environment()


def configure(concurrency: int, wait_seconds: float) -> None:
    """Set the bound (the settings', or a test's). Computations already waiting keep the old
    one."""
    global slots
    slots = _Slots(max(1, int(concurrency)), max(0.0, float(wait_seconds)))


def _argon2_hash(secret: str) -> str:
    return _hasher.hash(secret)


def _argon2_verify(secret_hash: str, secret: str) -> bool:
    """The one place argon2 verifies (tests count its calls)."""
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_secret(secret: str) -> str:
    with slots.held():
        return _argon2_hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    with slots.held():
        return _argon2_verify(secret_hash, secret)


_dummy: str | None = None
_dummy_lock = threading.Lock()


def _dummy_hash() -> str:
    """A hash of a random secret, made once per process with the same parameters as real
    ones."""
    global _dummy
    if _dummy is None:
        with _dummy_lock:
            if _dummy is None:
                _dummy = hash_secret(secrets.token_urlsafe(24))
    return _dummy


def verify_unknown(secret: str) -> bool:
    """The work of checking a password when there is no hash to check it against (an unknown
    user, or one without a password): always False, after as much work as a real check."""
    verify_secret(_dummy_hash(), secret)
    return False


def new_token(user_id: UUID) -> tuple[str, str, str]:
    """Returns (token, token id, secret)."""
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    return f"tdkt_{user_id.hex}_{token_id}_{secret}", token_id, secret


def parse_token(token: str) -> tuple[UUID, str, str] | None:
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != "tdkt":
        return None
    try:
        user_id = UUID(hex=parts[1])
    except ValueError:
        return None
    return user_id, parts[2], parts[3]


def remembered(token: str) -> tuple[UUID, str] | None:
    return _verified.get(hashlib.sha256(token.encode()).hexdigest())


def remember(token: str, user_id: UUID, token_id: str) -> None:
    with _verified_lock:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[hashlib.sha256(token.encode()).hexdigest()] = (user_id, token_id)
