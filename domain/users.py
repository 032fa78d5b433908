"""Users, their roles (each scoped to an org unit and its subtree) and their access tokens.

Secrets never reach the domain: services hash passwords and tokens (argon2) and pass the hashes in.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    InvalidRole,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from domain.text import fold, nfc

ROLES = ("nominator", "reviewer", "approver", "admin")
ROLE_LABELS = {
    "nominator": "Người đề nghị",
    "reviewer": "Thành viên Hội đồng TĐKT",
    "approver": "Văn phòng / Ban TĐKT (phê duyệt, ban hành quyết định)",
    "admin": "Quản trị",
}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")
# The label of the token a sign-in issues (page or API: both start a page session). Tokens of
# sign-ins recorded before it was introduced carry the older label.
SESSION_LABEL = "Phiên đăng nhập"
_OLD_SESSION_LABELS = ("Đăng nhập",)
MIN_PASSWORD = 8
# the same bounds as the API's request bodies (services/api/schemas.py): pages and API agree
MAX_PASSWORD = 500
MAX_FULL_NAME = 300
MAX_REASON = 2_000


# -- refusals of this area (codes are public: never rename one) ------------------------------


class PasswordChangeRequired(Unauthenticated):
    """Her password is a temporary one an admin set: she changes it before signing in (page
    ``/password``; API ``POST /api/auth/password``). 401, as every other sign-in refusal of
    ``POST /api/auth/token``; no token is issued."""

    code = "auth.password_change_required"
    proof: tuple[str, int] | None = None  # (username, version): kept by the page's change step
    message_template = (
        "Mật khẩu này là mật khẩu tạm thời do quản trị viên đặt: cần đổi mật khẩu mới trước khi "
        "đăng nhập (trang /password, hoặc POST /api/auth/password)."
    )


class TokenExpired(Unauthenticated):
    """The token (or the sign-in session it carries) has passed its ``expires_at``: 401, as an
    unknown token; the person signs in again or asks for a new token."""

    code = "auth.token_expired"
    message_template = (
        "Mã truy cập hoặc phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại hoặc xin cấp mã "
        "truy cập mới."
    )


class SignInBusy(DomainError):
    """Too many password and token checks at once in this server process: each costs argon2
    memory, so they wait for a free slot and, beyond ``TDKT_HASH_WAIT_SECONDS``, are refused
    (429, ``Retry-After``) rather than exhausting the server's memory. Nothing is recorded and
    the attempt is not counted as a failed sign-in."""

    kind = "throttled"
    code = "auth.busy"
    message_template = (
        "Máy chủ đang xử lý nhiều lượt đăng nhập cùng lúc. Vui lòng thử lại sau {retry_after} "
        "giây."
    )


class AccountDeactivated(Unauthenticated):
    code = "auth.account_deactivated"
    message_template = (
        "Tài khoản này đã bị khóa nên không đăng nhập được. Hãy liên hệ quản trị viên của đơn vị."
    )


class UserDeactivated(Conflict):
    code = "user.deactivated"
    message_template = "Tài khoản {username} đang bị khóa: hãy mở lại tài khoản trước."


class UserAlreadyDeactivated(Conflict):
    code = "user.already_deactivated"
    message_template = "Tài khoản {username} đã bị khóa từ trước."


class UserNotDeactivated(Conflict):
    code = "user.not_deactivated"
    message_template = "Tài khoản {username} đang hoạt động, không cần mở lại."


class NotOnYourself(Forbidden):
    """An admin does not reset her own password nor lock herself out: she changes her password
    herself (old and new), and another admin locks her account."""

    code = "user.not_on_yourself"
    message_template = (
        "Không thể {what} của chính mình. Đổi mật khẩu của mình ở trang Đổi mật khẩu; việc khóa "
        "tài khoản do quản trị viên khác thực hiện."
    )


class WrongPassword(Invalid):
    """The current password given to change it is not hers (or the user is unknown): 422,
    counted as a failed sign-in by the throttle."""

    code = "user.wrong_password"
    message_template = "Tên đăng nhập hoặc mật khẩu hiện tại không đúng."


def is_session(token: dict[str, Any], username: str) -> bool:
    """A token a sign-in issued (the page's session, or an API sign-in's), not one issued on
    purpose for a program."""
    return token.get("issued_by") == username and (
        token.get("label") == SESSION_LABEL or token.get("label") in _OLD_SESSION_LABELS)


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(reason=f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed(reason=f"mật khẩu dài quá {MAX_PASSWORD} ký tự")


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
    must_change_password: bool = False  # a temporary password an admin set (PasswordReset)
    active: bool = True  # False from Deactivated until Reactivated
    deactivation: dict[str, Any] | None = None  # {"reason", "by", "at"} while deactivated

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
        """``expires_at`` (ISO 8601, UTC): after it the token no longer signs in. Tokens issued
        before expiry existed carry none: the service gives them ``TDKT_TOKEN_DAYS`` from their
        issue (``services.users.token_expiry``)."""

        TOPIC = topic("users", "User.TokenIssued")
        token_id: str
        token_hash: str
        label: str
        actor: str
        expires_at: str | None = None

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

    class PasswordReset(Aggregate.Event):
        """An admin set a temporary password; with ``must_change`` she must change it before
        she signs in again."""

        TOPIC = topic("users", "User.PasswordReset")
        password_hash: str
        must_change: bool
        actor: str

    class Deactivated(Aggregate.Event):
        """The account is locked: no sign-in; her tokens are revoked in the same step."""

        TOPIC = topic("users", "User.Deactivated")
        reason: str
        actor: str

    class Reactivated(Aggregate.Event):
        TOPIC = topic("users", "User.Reactivated")
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
        if len(full_name) > MAX_FULL_NAME:
            raise ValidationFailed(reason=f"họ và tên dài quá {MAX_FULL_NAME} ký tự")
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
        """A password in force at once (her own change, or set without a forced change)."""
        self._password_changed(password_hash=password_hash, actor=actor)

    def live_tokens(self) -> list[str]:
        return [token_id for token_id, t in self.tokens.items() if not t["revoked"]]

    def live_sessions(self) -> list[str]:
        return [token_id for token_id in self.live_tokens()
                if is_session(self.tokens[token_id], self.username)]

    def change_own_password(self, password_hash: str, keep: str | None = None) -> list[str]:
        """She changes her own password: every other credential of hers ends in the same step
        — sign-in sessions and tokens for programs alike (whoever knew the old password may have
        opened them) — except ``keep``, the session or token she is using to change it.
        Returns the ids revoked."""
        ended = [token_id for token_id in self.live_tokens() if token_id != keep]
        for token_id in ended:
            self._token_revoked(token_id=token_id, actor=self.username)
        self._password_changed(password_hash=password_hash, actor=self.username)
        return ended

    def reset_password(self, password_hash: str, actor: str) -> list[str]:
        """A temporary password that she must change at her next sign-in. Her sessions end in
        the same step (whoever is signed in as her signs in again); the tokens issued for
        programs stay. Returns the ids of the sessions ended."""
        if actor == self.username:
            raise NotOnYourself(what="đặt lại mật khẩu")
        ended = self.live_sessions()
        for token_id in ended:
            self._token_revoked(token_id=token_id, actor=actor)
        self._password_reset(password_hash=password_hash, must_change=True, actor=actor)
        return ended

    def deactivate(self, reason: str, actor: str) -> list[str]:
        """Lock the account: she cannot sign in; every token of hers is revoked in the same
        step (reactivating her does not bring them back). Returns the ids revoked."""
        if actor == self.username:
            raise NotOnYourself(what="khóa tài khoản")
        if not self.active:
            raise UserAlreadyDeactivated(username=self.username)
        reason = nfc(reason or "").strip()
        if not reason:
            raise ValidationFailed(reason="cần ghi lý do khóa tài khoản")
        if len(reason) > MAX_REASON:
            raise ValidationFailed(reason=f"lý do dài quá {MAX_REASON} ký tự")
        revoked = self.live_tokens()
        for token_id in revoked:
            self._token_revoked(token_id=token_id, actor=actor)
        self._deactivated(reason=reason, actor=actor)
        return revoked

    def reactivate(self, actor: str) -> None:
        if actor == self.username:
            raise NotOnYourself(what="mở lại tài khoản")
        if self.active:
            raise UserNotDeactivated(username=self.username)
        self._reactivated(actor=actor)

    def issue_token(self, token_id: str, token_hash: str, label: str, actor: str,
                    expires_at: datetime | None = None) -> None:
        self._token_issued(
            token_id=token_id, token_hash=token_hash, label=nfc(label or ""), actor=actor,
            expires_at=expires_at.isoformat() if expires_at else None,
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
        self.must_change_password = False

    @event(PasswordWithdrawn)
    def _password_withdrawn(self, reason: str, actor: str) -> None:
        self.password_hash = None
        self.password_set_by = None
        self.must_change_password = False

    @event(PasswordReset)
    def _password_reset(self, password_hash: str, must_change: bool, actor: str) -> None:
        self.password_hash = password_hash
        self.password_set_by = actor
        self.must_change_password = must_change

    # ``timestamp``: the event's own time (the library passes it when applying the event), so
    # that a token says when it was issued and revoked without a clock in the domain.
    @event(Deactivated)
    def _deactivated(self, reason: str, actor: str, timestamp: datetime | None = None) -> None:
        self.active = False
        self.deactivation = {"reason": reason, "by": actor,
                             "at": timestamp.isoformat() if timestamp else None}

    @event(Reactivated)
    def _reactivated(self, actor: str) -> None:
        self.active = True
        self.deactivation = None

    @event(HomeUnitSet)
    def _home_unit_set(self, home_unit_id: UUID, actor: str) -> None:
        self.home_unit_id = home_unit_id

    @event(TokenIssued)
    def _token_issued(self, token_id: str, token_hash: str, label: str, actor: str,
                      expires_at: str | None = None,
                      timestamp: datetime | None = None) -> None:
        self.tokens[token_id] = {"hash": token_hash, "label": label, "revoked": False,
                                 "issued_by": actor,
                                 "issued_at": timestamp.isoformat() if timestamp else None,
                                 "expires_at": expires_at}

    @event(TokenRevoked)
    def _token_revoked(self, token_id: str, actor: str,
                       timestamp: datetime | None = None) -> None:
        token = self.tokens[token_id]
        token["revoked"] = True
        token["revoked_by"] = actor
        token["revoked_at"] = timestamp.isoformat() if timestamp else None
