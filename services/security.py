"""Secrets: argon2 hashes for passwords and API tokens, and the token format.

A token reads ``tdkt_<user id hex>_<token id>_<secret>``: the user and token ids let the server find
the one hash to check (argon2 hashes are salted, so they cannot be looked up by value). A verified
token is remembered in memory by its SHA-256 so that argon2's deliberate slowness is paid once per
token and process, not once per request; revocation is still checked on every request.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# TDKT_ARGON2_PROFILE=test lowers the cost for the test suite only; never set it in production.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("TDKT_ARGON2_PROFILE") == "test"
    else PasswordHasher()
)
_verified: dict[str, tuple[UUID, str]] = {}
_verified_lock = threading.Lock()
_VERIFIED_MAX = 10_000


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
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
