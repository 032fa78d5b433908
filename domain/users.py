"""Users, their roles (each scoped to an org unit and its subtree) and their access tokens.

Secrets never reach the domain: services hash passwords and tokens (argon2) and pass the hashes in.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.errors import InvalidRole, NotFound, ValidationFailed
from domain.text import fold, nfc

ROLES = ("nominator", "reviewer", "approver", "admin")
ROLE_LABELS = {
    "nominator": "Người đề nghị",
    "reviewer": "Thành viên Hội đồng TĐKT",
    "approver": "Văn phòng / Ban TĐKT (phê duyệt, ban hành quyết định)",
    "admin": "Quản trị",
}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")


def normalise_username(username: str) -> str:
    name = fold(nfc(username or ""))
    if not _USERNAME.match(name):
        raise ValidationFailed(
            reason="tên đăng nhập gồm 2–50 ký tự: chữ không dấu, số, dấu chấm, gạch ngang"
        )
    return name


def user_id_for(username: str) -> UUID:
    return stable_id("user", normalise_username(username))


class User(Aggregate):
    """A person who signs in. She belongs to a *home unit*: only admins over that unit (and over
    every unit of her grants) may manage her credentials. Who set her password and who issued
    each token is kept, so that a grant beyond that admin's reach withdraws them."""

    TOPIC = topic("users", "User")
    # Defaults for users recorded before these existed (events and snapshots without them).
    home_unit_id: UUID | None = None
    password_set_by: str | None = None

    class Created(Aggregate.Created):
        TOPIC = topic("users", "User.Created")
        username: str
        full_name: str
        password_hash: str | None
        actor: str

    class GrantAdded(Aggregate.Event):
        TOPIC = topic("users", "User.GrantAdded")
        role: str
        unit_id: UUID
        chair: bool
        actor: str

    class GrantRemoved(Aggregate.Event):
        TOPIC = topic("users", "User.GrantRemoved")
        role: str
        unit_id: UUID
        actor: str

    class PasswordChanged(Aggregate.Event):
        TOPIC = topic("users", "User.PasswordChanged")
        password_hash: str
        actor: str

    class TokenIssued(Aggregate.Event):
        TOPIC = topic("users", "User.TokenIssued")
        token_id: str
        token_hash: str
        label: str
        actor: str

    class TokenRevoked(Aggregate.Event):
        TOPIC = topic("users", "User.TokenRevoked")
        token_id: str
        actor: str

    class HomeUnitSet(Aggregate.Event):
        TOPIC = topic("users", "User.HomeUnitSet")
        home_unit_id: UUID
        actor: str

    class PasswordWithdrawn(Aggregate.Event):
        TOPIC = topic("users", "User.PasswordWithdrawn")
        reason: str
        actor: str

    @event(Created)
    def __init__(
        self, username: str, full_name: str, password_hash: str | None, actor: str
    ) -> None:
        self.username = username
        self.full_name = full_name
        self.password_hash = password_hash
        self.password_set_by = actor if password_hash else None
        self.grants: list[dict[str, Any]] = []
        self.tokens: dict[str, dict[str, Any]] = {}

    @classmethod
    def register(
        cls, *, username: str, full_name: str, password_hash: str | None, actor: str
    ) -> User:
        username = normalise_username(username)
        full_name = nfc(full_name or "") or username
        return cls._create(
            cls.Created,
            id=user_id_for(username),
            username=username,
            full_name=full_name,
            password_hash=password_hash,
            actor=actor,
        )

    def scope_units(self) -> list[UUID]:
        """The units whose admins together may manage her credentials: home, then grants."""
        units = [self.home_unit_id] if self.home_unit_id else []
        units += [g["unit_id"] for g in self.grants if g["unit_id"] not in units]
        return units

    def set_home_unit(self, unit_id: UUID, actor: str) -> None:
        if self.home_unit_id != unit_id:
            self._home_unit_set(home_unit_id=unit_id, actor=actor)

    def credentials_set_by_others(self) -> list[tuple[str, str, str]]:
        """(kind, token id or "", who gave it) for each credential in force — her password, her
        tokens — that someone other than her (or the system) gave her."""
        found: list[tuple[str, str, str]] = []
        if self.password_hash and self.password_set_by not in (None, self.username, "system"):
            found.append(("password", "", self.password_set_by))
        for token_id, token in self.tokens.items():
            by = token.get("issued_by")
            if not token["revoked"] and by not in (None, self.username, "system"):
                found.append(("token", token_id, by))
        return found

    def withdraw_password(self, reason: str, actor: str) -> None:
        if self.password_hash:
            self._password_withdrawn(reason=nfc(reason), actor=actor)

    def has_grant(self, role: str, unit_id: UUID) -> bool:
        return any(g["role"] == role and g["unit_id"] == unit_id for g in self.grants)

    def grant(self, role: str, unit_id: UUID, chair: bool, actor: str) -> None:
        if role not in ROLES:
            raise InvalidRole(role=role)
        if chair and role != "reviewer":
            raise ValidationFailed(reason="chỉ thành viên Hội đồng mới có thể là Chủ tịch Hội đồng")
        existing = [g for g in self.grants if g["role"] == role and g["unit_id"] == unit_id]
        if existing and existing[0]["chair"] == chair:
            return
        if existing:
            self._grant_removed(role=role, unit_id=unit_id, actor=actor)
        self._grant_added(role=role, unit_id=unit_id, chair=chair, actor=actor)

    def revoke_grant(self, role: str, unit_id: UUID, actor: str) -> None:
        if self.has_grant(role, unit_id):
            self._grant_removed(role=role, unit_id=unit_id, actor=actor)

    def set_password(self, password_hash: str, actor: str) -> None:
        self._password_changed(password_hash=password_hash, actor=actor)

    def issue_token(self, token_id: str, token_hash: str, label: str, actor: str) -> None:
        self._token_issued(
            token_id=token_id, token_hash=token_hash, label=nfc(label or ""), actor=actor
        )

    def revoke_token(self, token_id: str, actor: str) -> None:
        if token_id not in self.tokens:
            raise NotFound(what=f"mã truy cập «{token_id}» của người dùng này")
        if not self.tokens[token_id]["revoked"]:
            self._token_revoked(token_id=token_id, actor=actor)

    @event(GrantAdded)
    def _grant_added(self, role: str, unit_id: UUID, chair: bool, actor: str) -> None:
        self.grants.append({"role": role, "unit_id": unit_id, "chair": chair})

    @event(GrantRemoved)
    def _grant_removed(self, role: str, unit_id: UUID, actor: str) -> None:
        self.grants = [
            g for g in self.grants if not (g["role"] == role and g["unit_id"] == unit_id)
        ]

    @event(PasswordChanged)
    def _password_changed(self, password_hash: str, actor: str) -> None:
        self.password_hash = password_hash
        self.password_set_by = actor

    @event(PasswordWithdrawn)
    def _password_withdrawn(self, reason: str, actor: str) -> None:
        self.password_hash = None
        self.password_set_by = None

    @event(HomeUnitSet)
    def _home_unit_set(self, home_unit_id: UUID, actor: str) -> None:
        self.home_unit_id = home_unit_id

    @event(TokenIssued)
    def _token_issued(self, token_id: str, token_hash: str, label: str, actor: str) -> None:
        self.tokens[token_id] = {"hash": token_hash, "label": label, "revoked": False,
                                 "issued_by": actor}

    @event(TokenRevoked)
    def _token_revoked(self, token_id: str, actor: str) -> None:
        self.tokens[token_id]["revoked"] = True
