"""Users, grants, passwords and API tokens; temporary passwords that must be changed,
deactivation, and the directory an admin reads (her subtree only).

Credentials expire. A token issued for a program lives ``TDKT_TOKEN_DAYS`` (90) days, or fewer
when asked; a sign-in's token (the pages' session, ``POST /api/auth/token``) lives as long as a
session may (``TDKT_SESSION_MAX_HOURS``, 8 h). Tokens recorded before expiry existed carry no
``expires_at``: they expire ``TDKT_TOKEN_DAYS`` after their issue (``token_expiry``). An expired
token is refused with ``auth.token_expired`` (401).

When each token was last used is kept outside the event log (``LastSeen``): per process in
memory, and in the table ``tdkt_token_last_used`` of the read-model database once the runtime's
database is attached, at most one write per token and hour. An event per use would put a write
in every request's path and move the log's head on reads; the hour is precise enough to tell a
token in use from a forgotten one.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.errors import (
    BadCredentials,
    ConcurrentChange,
    DomainError,
    OutsideScope,
    RoleRequired,
    Unauthenticated,
    UnknownOrgUnit,
    UnknownReference,
    UnknownUser,
    UsernameTaken,
    ValidationFailed,
)
from domain.text import fold, has_hidden, nfc
from domain.users import (
    ROLE_LABELS,
    SESSION_LABEL,
    AccountDeactivated,
    PasswordChangeRequired,
    TokenExpired,
    User,
    UserDeactivated,
    WrongPassword,
    check_password_strength,
    is_session,
    normalise_username,
    user_id_for,
)
from projections.queries import Page
from services import security
from services.authz import Actor, Authorizer, Grant
from services.config import credential_settings
from services.orgs import OrgTree
from services.store import Saved, Store

# A generated temporary password: 12 letters and digits without look-alikes (0/O, 1/l/I), in
# groups of four so that it can be read out over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generated_password() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def status_of(user: User) -> str:
    """``active``, ``deactivated`` or ``must_change_password``."""
    if not user.active:
        return "deactivated"
    return "must_change_password" if user.must_change_password else "active"


STATUS_LABELS = {
    "active": "Đang hoạt động",
    "deactivated": "Đã khóa",
    "must_change_password": "Phải đổi mật khẩu",
}


log = logging.getLogger(__name__)
LAST_USED_TABLE = "tdkt_token_last_used"


def _session_hours() -> float:
    try:
        return float(os.environ.get("TDKT_SESSION_MAX_HOURS") or 8.0)
    except ValueError:
        return 8.0


def token_expiry(token: dict[str, Any], token_days: float) -> datetime | None:
    """When a token stops signing in: its ``expires_at``; for a token issued before expiry
    existed, ``token_days`` after its issue (None only for a record without any time)."""
    if token.get("expires_at"):
        return datetime.fromisoformat(token["expires_at"])
    if token.get("issued_at"):
        return datetime.fromisoformat(token["issued_at"]) + timedelta(days=token_days)
    return None


class LastSeen:
    """When each token was last used, to the hour: in memory, and in the read-model database
    once ``attach``-ed (one upsert per token and hour at most, per process). Failing to write it
    never refuses a request."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._written: dict[str, str] = {}
        self._lock = threading.Lock()
        self.db: Any = None

    def attach(self, db: Any) -> None:
        """Keep the times in ``db`` (a ``ViewDB``) too; what was seen before is written now."""
        if self.db is db or db is None:
            return
        try:
            with db.write() as cur:
                cur.execute(f"CREATE TABLE IF NOT EXISTS {LAST_USED_TABLE} "
                            "(token_id TEXT PRIMARY KEY, used_at TEXT NOT NULL)")
        except Exception:  # a second process creating it at once, a read-only replica…
            log.warning("token last-used table not available", exc_info=True)
            return
        self.db = db
        with self._lock:
            pending = {k: v for k, v in self._seen.items() if self._written.get(k) != v}
        for token_id, hour in pending.items():
            self._write(token_id, hour)

    def record(self, token_id: str, now: datetime) -> None:
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0).isoformat()
        with self._lock:
            if self._seen.get(token_id, "") >= hour:
                return
            if len(self._seen) >= 100_000:
                self._seen.clear()
                self._written.clear()
            self._seen[token_id] = hour
        if self.db is not None:
            self._write(token_id, hour)

    def _write(self, token_id: str, hour: str) -> None:
        try:
            with self.db.write() as cur:
                cur.execute(
                    f"INSERT INTO {LAST_USED_TABLE} (token_id, used_at) VALUES (?, ?) "
                    f"ON CONFLICT (token_id) DO UPDATE SET used_at = excluded.used_at "
                    f"WHERE {LAST_USED_TABLE}.used_at < excluded.used_at", (token_id, hour))
            with self._lock:
                self._written[token_id] = hour
        except Exception:
            log.warning("could not record when token %s was used", token_id, exc_info=True)

    def of(self, token_ids: list[str]) -> dict[str, str]:
        """token id → when last used (ISO 8601, UTC, to the hour), for those ever seen."""
        found: dict[str, str] = {}
        if self.db is not None and token_ids:
            try:
                with self.db.read() as cur:
                    marks = ", ".join("?" for _ in token_ids)
                    rows = cur.execute(f"SELECT token_id, used_at FROM {LAST_USED_TABLE} "
                                       f"WHERE token_id IN ({marks})", token_ids).fetchall()
                found = {row["token_id"]: row["used_at"] for row in rows}
            except Exception:
                log.warning("could not read when tokens were used", exc_info=True)
        with self._lock:
            for token_id in token_ids:
                mine = self._seen.get(token_id)
                if mine and mine > found.get(token_id, ""):
                    found[token_id] = mine
        return found


def tokens_of(user: User, *, token_days: float | None = None,
              last_seen: LastSeen | None = None,
              now: datetime | None = None) -> list[dict[str, Any]]:
    """Her tokens, newest first: what each is (a sign-in's session or a program's token), when
    and by whom it was issued, when it expires (``expired`` once past), when it was last used
    (to the hour; None: not since this record was kept), and revoked."""
    days = token_days if token_days is not None else float(credential_settings()["token_days"])
    now = now or datetime.now(UTC)
    used = last_seen.of(list(user.tokens)) if last_seen is not None else {}
    out = []
    for token_id, t in user.tokens.items():
        expiry = token_expiry(t, days)
        out.append({
            "id": token_id,
            "label": t["label"],
            "kind": "session" if is_session(t, user.username) else "api",
            "issued_at": t.get("issued_at"),
            "issued_by": t.get("issued_by"),
            "expires_at": expiry.isoformat() if expiry else None,
            "expired": expiry is not None and expiry <= now,
            "last_used_at": used.get(token_id),
            "revoked": t["revoked"],
            "revoked_at": t.get("revoked_at"),
            "revoked_by": t.get("revoked_by"),
        })
    # the tokens are kept in issue order: newest first is that order reversed
    return out[::-1]


def user_status(user: User) -> dict[str, Any]:
    """Whether she may sign in, and whether her password is a temporary one she must change
    first (API answers; the pages word it with ``STATUS_LABELS``)."""
    return {"status": status_of(user), "active": user.active,
            "must_change_password": user.must_change_password,
            "deactivation": user.deactivation}


def user_directory(rt: Any, actor: Actor, *, q: str | None, unit_id: UUID | None,
                   page: Page) -> dict[str, Any]:
    """The users an admin may read — homed or granted in her subtree — found by username or
    full name (without diacritics) and within ``unit_id``'s subtree, each with her status; for
    the API and the page ``/users`` alike. The caller checks she is an admin."""
    visible = (None if actor.is_system
               else rt.queries.subtree_ids({str(u) for u in actor.units_for("admin")}))
    rows = rt.queries.users(page=Page.everything(10**7), within=visible)["items"]
    units = None
    if unit_id is not None:
        try:
            rt.app.tree.org_unit(unit_id)
        except UnknownOrgUnit:  # a filter naming no unit: 422, not 404
            raise UnknownReference(what="đơn vị", ref=str(unit_id)) from None
        units = rt.queries.subtree_ids({str(unit_id)})
    found = search_directory(rows, q=q, units=units)
    items = found[page.offset:page.offset + page.limit]
    for row in items:
        row.update(user_status(rt.app.users.user(row["username"])))
    return {"items": items, "total": len(found), "limit": page.limit, "offset": page.offset}


def search_directory(rows: list[dict[str, Any]], *, q: str | None = None,
                     units: set[str] | None = None) -> list[dict[str, Any]]:
    """Rows of the users view whose username or full name contains ``q`` (without diacritics
    or case) and, with ``units``, homed in one of them or holding a grant in one."""
    wanted = fold(nfc(q or "")).strip()
    found = []
    for row in rows:
        if wanted and wanted not in fold(row["username"]) and wanted not in fold(
                nfc(row["full_name"] or "")):
            continue
        if units is not None and row.get("home_unit_id") not in units and not any(
                g["unit_id"] in units for g in row["grants"]):
            continue
        found.append(row)
    return found


class Users:
    """Users, their grants (role @ unit) and credentials; signing in."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        # credentials' lifetimes, from the environment (the runtime may set its settings'):
        self.token_days = float(credential_settings()["token_days"])
        self.session_hours = _session_hours()
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests move it
        self.last_seen = LastSeen()

    def tokens(self, user: User) -> list[dict[str, Any]]:
        """``tokens_of`` with this service's lifetimes, clock and last-used times."""
        return tokens_of(user, token_days=self.token_days, last_seen=self.last_seen,
                         now=self.now())

    def _expiry(self, *, days: float | None = None, session: bool = False) -> datetime:
        if session:
            return self.now() + timedelta(hours=self.session_hours)
        if days is not None and not 0 < days <= self.token_days:
            raise ValidationFailed(
                reason=f"thời hạn của mã truy cập từ 1 đến {self.token_days:g} ngày")
        return self.now() + timedelta(days=days or self.token_days)

    def user(self, username: str) -> User:
        if has_hidden(username):  # "admin\x00" is not "admin"
            raise UnknownUser(username=nfc(username))
        username = normalise_username(username)
        return self.store.load(User, user_id_for(username), UnknownUser(username=username))

    def actor_for(self, user: User) -> Actor:
        return Actor(
            username=user.username,
            full_name=user.full_name,
            grants=tuple(Grant(g["role"], g["unit_id"], g["chair"]) for g in user.grants),
        )

    def _require_user_admin(self, actor: Actor, unit_ids: list[UUID]) -> None:
        """Admin over every one of ``unit_ids``; with none, admin of the root."""
        if actor.is_system:
            return
        if not unit_ids:
            root = self.tree.root_unit_id()
            if root is None:
                raise RoleRequired(role=ROLE_LABELS["admin"])
            unit_ids = [root]
        for unit_id in unit_ids:
            self.authz.require(actor, "admin", unit_id)

    def _require_credential_admin(self, actor: Actor, user: User) -> None:
        """She manages her own credentials; others need admin over her home unit and every
        unit of her grants (a user known by no unit: the root's admin)."""
        if actor.username != user.username:
            self._require_user_admin(actor, user.scope_units())

    def require_credential_admin(self, actor: Actor, user: User) -> None:
        self._require_credential_admin(actor, user)

    def admin_over_all(self, actor: Actor, user: User) -> bool:
        """Admin over her home unit and every unit of her grants (a user known by no unit: the
        root's admin) — who manages her credentials and moves her."""
        if actor.is_system:
            return True
        units = user.scope_units() or [u for u in [self.tree.root_unit_id()] if u]
        return bool(units) and all(self.authz.covers(actor, u, "admin") for u in units)

    def may_manage(self, actor: Actor, user: User) -> bool:
        """``admin_over_all``, and not herself: who sets a temporary password for her and locks
        or unlocks her account."""
        return actor.username != user.username and self.admin_over_all(actor, user)

    def require_any_admin(self, actor: Actor) -> None:
        if not actor.is_system and not actor.units_for("admin"):
            raise RoleRequired(role=ROLE_LABELS["admin"])

    def readable(self, actor: Actor, username: str) -> User:
        """The user, for herself or an admin who may read her (``may_see_user``; else 403); an
        unknown or impossible username: 404."""
        if username != actor.username:
            self.require_any_admin(actor)
        try:
            user = self.user(username)
        except ValidationFailed:  # an impossible username is simply unknown here
            raise UnknownUser(username=nfc(username)) from None
        if not self.may_see_user(actor, user):
            raise OutsideScope(unit_id=str(user.home_unit_id or ""))
        return user

    def may_see_user(self, actor: Actor, user: User) -> bool:
        """Herself, or an admin over her home unit or one of her grants (root's admin for a
        user known by no unit)."""
        if actor.is_system or actor.username == user.username:
            return True
        units = user.scope_units() or [u for u in [self.tree.root_unit_id()] if u]
        return any(self.authz.covers(actor, unit_id, "admin") for unit_id in units)

    def create_user(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        password: str | None = None,
        grants: list[dict] | None = None,
        home_unit_id: UUID | None = None,
        must_change_password: bool = False,
    ) -> Saved:
        """With ``must_change_password`` the initial password is a temporary one
        (``User.PasswordReset``): she sets her own at her first sign-in."""
        grants = grants or []
        unit_ids = [UUID(str(g["unit_id"])) for g in grants]
        home = UUID(str(home_unit_id)) if home_unit_id else (unit_ids[0] if unit_ids else None)
        if home is None:
            raise ValidationFailed(
                reason="cần đơn vị của người dùng (home_unit_id) hoặc ít nhất một vai trò")
        self._require_user_admin(actor, [home, *unit_ids])
        if password is not None:
            check_password_strength(password)
        username = normalise_username(username)
        if self.store.load_or_none(User, user_id_for(username)) is not None:
            raise UsernameTaken(username=username)
        for unit_id in [home, *unit_ids]:
            self.tree.org_unit(unit_id)
        temporary = bool(password) and must_change_password
        user = User.register(
            username=username,
            full_name=full_name,
            password_hash=security.hash_secret(password) if password and not temporary else None,
            actor=actor.username,
        )
        if temporary:
            assert password is not None
            user.reset_password(security.hash_secret(password), actor.username)
        user.set_home_unit(home, actor.username)
        for grant, unit_id in zip(grants, unit_ids, strict=True):
            user.grant(str(grant["role"]), unit_id, bool(grant.get("chair", False)), actor.username)
        try:
            return self.store.commit(user)
        except Exception as exc:
            if self.store.load_or_none(User, user.id) is not None:
                raise UsernameTaken(username=username) from exc
            raise

    def set_home_unit(self, actor: Actor, *, username: str, unit_id: UUID) -> Saved:
        """Move a user to another home unit: admin over her present scope and the new unit."""
        user = self.user(username)
        self._require_user_admin(actor, [*user.scope_units(), unit_id])
        self.tree.org_unit(unit_id)
        user.set_home_unit(unit_id, actor.username)
        return self.store.commit(user)

    def grant_role(
        self, actor: Actor, *, username: str, role: str, unit_id: UUID, chair: bool = False,
        dry_run: bool = False,
    ) -> Saved:
        """A role at a unit. Credentials that someone else gave her (a password an admin set, a
        token an admin issued) and whose giver is no admin over that unit are withdrawn in the
        same step: otherwise whoever holds them would hold the new role too. The giver is admin
        over the unit *and* over her home unit: an admin elsewhere can neither hand roles to
        people she does not manage nor, by doing so, withdraw their credentials."""
        user = self.user(username)
        home = [user.home_unit_id] if user.home_unit_id else []
        # Scope first: a unit that does not exist is then a 422 (reference.not_found) for an
        # admin, and one who is none learns only that (no probing of unit ids by a 404).
        self._require_user_admin(actor, [unit_id, *home])
        self.tree.org_unit(unit_id)
        user.grant(role, unit_id, chair, actor.username)
        givers: dict[str, bool] = {}
        withdrawn: list[dict[str, str]] = []
        for kind, token_id, giver in user.credentials_set_by_others():
            if giver not in givers:
                holder = self.store.load_or_none(User, user_id_for(giver))
                givers[giver] = holder is not None and self.authz.covers(
                    self.actor_for(holder), unit_id, "admin")
            if givers[giver]:
                continue
            withdrawn.append({"kind": kind, "token_id": token_id, "given_by": giver,
                              "label": user.tokens[token_id]["label"] if token_id else ""})
            if kind == "token":
                user.revoke_token(token_id, actor.username)
            else:
                user.withdraw_password(
                    f"vai trò mới ngoài phạm vi quản trị của người đã đặt mật khẩu ({giver})",
                    actor.username)
        if dry_run:  # every rule checked, nothing saved: what the grant would withdraw
            return Saved(id=user.id, version=user.version, position=self.store.max_position(),
                         extra={"withdrawn": withdrawn})
        return self.store.commit(user)

    def revoke_role(self, actor: Actor, *, username: str, role: str, unit_id: UUID) -> Saved:
        self._require_user_admin(actor, [unit_id])
        user = self.user(username)
        user.revoke_grant(role, unit_id, actor.username)
        return self.store.commit(user)

    def set_password(self, actor: Actor, *, username: str, password: str) -> Saved:
        user = self.user(username)
        self._require_credential_admin(actor, user)
        check_password_strength(password)
        user.set_password(security.hash_secret(password), actor.username)
        return self.store.commit(user)

    def reset_password(self, actor: Actor, *, username: str,
                       password: str | None = None) -> tuple[Saved, str]:
        """A temporary password (``password``, or a generated one) that she must change at her
        next sign-in; her sessions end. By an admin over her home unit and every unit of her
        grants, never on herself. Returns the save and the temporary password (to be shown
        once: only its hash is kept)."""
        user = self.user(username)
        self._require_credential_admin(actor, user)
        password = password or generated_password()
        check_password_strength(password)
        ended = user.reset_password(security.hash_secret(password), actor.username)
        saved = self.store.commit(user)
        return replace(saved, extra={"sessions_ended": ended}), password

    def deactivate(self, actor: Actor, *, username: str, reason: str) -> Saved:
        """Lock her account: no sign-in, every token revoked (one step). By an admin over her
        home unit and every unit of her grants, never on herself."""
        user = self.user(username)
        self._require_credential_admin(actor, user)
        revoked = user.deactivate(reason, actor.username)
        return replace(self.store.commit(user), extra={"tokens_revoked": revoked})

    def reactivate(self, actor: Actor, *, username: str) -> Saved:
        user = self.user(username)
        self._require_credential_admin(actor, user)
        user.reactivate(actor.username)
        return self.store.commit(user)

    def change_own_password(self, *, username: str, old_password: str, new_password: str,
                            keep_token: str | None = None) -> tuple[User, Saved]:
        """She changes her own password, proving the current one (a temporary one included):
        no token needed. A wrong current password or an unknown user is the same refusal.
        Every other session and token of hers ends in the same step, except ``keep_token`` (the
        token she is using now, when it is hers): the save's ``extra["tokens_revoked"]``."""
        user = self._with_password(username, old_password, WrongPassword)
        if not user.active:
            raise UserDeactivated(username=user.username)
        self._check_new_password(user, new_password)
        keep = self._own_token_id(user, keep_token)
        ended = user.change_own_password(security.hash_secret(new_password), keep)
        saved = self.store.commit(user)
        return user, replace(saved, extra={"tokens_revoked": ended})

    def _own_token_id(self, user: User, token: str | None) -> str | None:
        """The id of ``token`` when it is one of hers (not checked further: it is only kept)."""
        parsed = security.parse_token(token or "")
        if parsed is None or parsed[0] != user.id or parsed[1] not in user.tokens:
            return None
        return parsed[1]

    def _check_new_password(self, user: User, new_password: str) -> None:
        check_password_strength(new_password)
        if user.password_hash and security.verify_secret(user.password_hash, new_password):
            raise ValidationFailed(reason="mật khẩu mới phải khác mật khẩu hiện tại")

    def complete_password_change(self, *, username: str, version: int,
                                 new_password: str) -> tuple[Actor, str]:
        """The sign-in of a user who had to change her temporary password, after she has:
        proven at sign-in (``version``: her record then, unchanged since), she sets her own
        password and a session is issued, in one step."""
        try:
            user = self.user(username)
        except (UnknownUser, ValidationFailed):
            raise BadCredentials() from None
        if user.version != version or not user.must_change_password:
            raise BadCredentials()
        if not user.active:
            raise AccountDeactivated()
        self._check_new_password(user, new_password)
        # her sessions ended with the reset; tokens for programs stay, as the reset promised
        user.set_password(security.hash_secret(new_password), user.username)
        token, token_id, secret = security.new_token(user.id)
        user.issue_token(token_id, security.hash_secret(secret), SESSION_LABEL, user.username,
                         self._expiry(session=True))
        self.store.commit(user)
        return self.actor_for(user), token

    def issue_token(self, actor: Actor, *, username: str, label: str = "",
                    days: float | None = None, session: bool = False) -> tuple[Saved, str]:
        """Returns the saved position and the token, shown once and stored only as a hash. It
        expires after ``days`` (at most, and by default, ``token_days``); a sign-in's token
        (``session``) after ``session_hours``."""
        user = self.user(username)
        self._require_credential_admin(actor, user)
        if not user.active:
            raise UserDeactivated(username=user.username)
        expires = self._expiry(days=days, session=session)
        token, token_id, secret = security.new_token(user.id)
        user.issue_token(token_id, security.hash_secret(secret), label, actor.username, expires)
        return self.store.commit(user), token

    def revoke_token(self, actor: Actor, *, username: str, token_id: str) -> Saved:
        user = self.user(username)
        self._require_credential_admin(actor, user)
        user.revoke_token(token_id, actor.username)
        return self.store.commit(user)

    def _with_password(self, username: str, password: str,
                       refusal: type[DomainError] = BadCredentials) -> User:
        """The user whose password this is. An unknown user, or one without a password, costs
        the same argon2 work as a known one (``security.verify_unknown``): the time of the
        refusal does not tell which accounts exist."""
        try:
            user = self.user(username)
        except (UnknownUser, ValidationFailed):
            security.verify_unknown(password)
            raise refusal() from None
        if not user.password_hash:
            security.verify_unknown(password)
            raise refusal()
        if not security.verify_secret(user.password_hash, password):
            raise refusal()
        return user

    def login(self, *, username: str, password: str) -> tuple[Actor, str]:
        """A session's token for the right password. After the password is checked: a locked
        account is refused (``auth.account_deactivated``), and so is a temporary password,
        which she changes first (``auth.password_change_required``: the error's ``proof``,
        her username and record version, is what the page's change step keeps)."""
        user = self._with_password(username, password)
        if not user.active:
            raise AccountDeactivated()
        if user.must_change_password:
            needed = PasswordChangeRequired()
            needed.proof = (user.username, user.version)
            raise needed
        actor = self.actor_for(user)
        for attempt in range(3):  # parallel sign-ins of one account: each gets its session
            try:
                _, token = self.issue_token(actor, username=user.username, label=SESSION_LABEL,
                                            session=True)
                return actor, token
            except ConcurrentChange:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def authenticate(self, token: str) -> Actor:
        parsed = security.parse_token(token or "")
        if parsed is None:
            raise Unauthenticated()
        user_id, token_id, secret = parsed
        user = self.store.load_or_none(User, user_id)
        if user is None:
            raise Unauthenticated()
        record = user.tokens.get(token_id)
        if record is None or record["revoked"] or not user.active:
            raise Unauthenticated()
        if security.remembered(token) != (user_id, token_id):
            if not security.verify_secret(record["hash"], secret):
                raise Unauthenticated()
            security.remember(token, user_id, token_id)
        now = self.now()
        expiry = token_expiry(record, self.token_days)
        if expiry is not None and expiry <= now:
            raise TokenExpired()
        self.last_seen.record(token_id, now)
        return self.actor_for(user)
