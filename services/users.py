"""Users, grants, passwords and API tokens."""

from __future__ import annotations

from uuid import UUID

from domain.errors import (
    BadCredentials,
    RoleRequired,
    Unauthenticated,
    UnknownUser,
    UsernameTaken,
    ValidationFailed,
)
from domain.text import has_hidden, nfc
from domain.users import ROLE_LABELS, User, normalise_username, user_id_for
from services import security
from services.authz import Actor, Authorizer, Grant
from services.orgs import OrgTree
from services.store import Saved, Store


class Users:
    """Users, their grants (role @ unit) and credentials; signing in."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz

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
    ) -> Saved:
        grants = grants or []
        unit_ids = [UUID(str(g["unit_id"])) for g in grants]
        home = UUID(str(home_unit_id)) if home_unit_id else (unit_ids[0] if unit_ids else None)
        if home is None:
            raise ValidationFailed(
                reason="cần đơn vị của người dùng (home_unit_id) hoặc ít nhất một vai trò")
        self._require_user_admin(actor, [home, *unit_ids])
        if password is not None and len(password) < 8:
            raise ValidationFailed(reason="mật khẩu cần ít nhất 8 ký tự")
        username = normalise_username(username)
        if self.store.load_or_none(User, user_id_for(username)) is not None:
            raise UsernameTaken(username=username)
        for unit_id in [home, *unit_ids]:
            self.tree.org_unit(unit_id)
        user = User.register(
            username=username,
            full_name=full_name,
            password_hash=security.hash_secret(password) if password else None,
            actor=actor.username,
        )
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
        self, actor: Actor, *, username: str, role: str, unit_id: UUID, chair: bool = False
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
        for kind, token_id, giver in user.credentials_set_by_others():
            if giver not in givers:
                holder = self.store.load_or_none(User, user_id_for(giver))
                givers[giver] = holder is not None and self.authz.covers(
                    self.actor_for(holder), unit_id, "admin")
            if givers[giver]:
                continue
            if kind == "token":
                user.revoke_token(token_id, actor.username)
            else:
                user.withdraw_password(
                    f"vai trò mới ngoài phạm vi quản trị của người đã đặt mật khẩu ({giver})",
                    actor.username)
        return self.store.commit(user)

    def revoke_role(self, actor: Actor, *, username: str, role: str, unit_id: UUID) -> Saved:
        self._require_user_admin(actor, [unit_id])
        user = self.user(username)
        user.revoke_grant(role, unit_id, actor.username)
        return self.store.commit(user)

    def set_password(self, actor: Actor, *, username: str, password: str) -> Saved:
        user = self.user(username)
        self._require_credential_admin(actor, user)
        if len(password) < 8:
            raise ValidationFailed(reason="mật khẩu cần ít nhất 8 ký tự")
        user.set_password(security.hash_secret(password), actor.username)
        return self.store.commit(user)

    def issue_token(self, actor: Actor, *, username: str, label: str = "") -> tuple[Saved, str]:
        """Returns the saved position and the token, shown once and stored only as a hash."""
        user = self.user(username)
        self._require_credential_admin(actor, user)
        token, token_id, secret = security.new_token(user.id)
        user.issue_token(token_id, security.hash_secret(secret), label, actor.username)
        return self.store.commit(user), token

    def revoke_token(self, actor: Actor, *, username: str, token_id: str) -> Saved:
        user = self.user(username)
        self._require_credential_admin(actor, user)
        user.revoke_token(token_id, actor.username)
        return self.store.commit(user)

    def login(self, *, username: str, password: str) -> tuple[Actor, str]:
        try:
            user = self.user(username)
        except (UnknownUser, ValidationFailed):
            raise BadCredentials() from None
        if not user.password_hash or not security.verify_secret(user.password_hash, password):
            raise BadCredentials()
        actor = self.actor_for(user)
        _, token = self.issue_token(actor, username=user.username, label="Đăng nhập")
        return actor, token

    def authenticate(self, token: str) -> Actor:
        parsed = security.parse_token(token or "")
        if parsed is None:
            raise Unauthenticated()
        user_id, token_id, secret = parsed
        user = self.store.load_or_none(User, user_id)
        if user is None:
            raise Unauthenticated()
        record = user.tokens.get(token_id)
        if record is None or record["revoked"]:
            raise Unauthenticated()
        if security.remembered(token) != (user_id, token_id):
            if not security.verify_secret(record["hash"], secret):
                raise Unauthenticated()
            security.remember(token, user_id, token_id)
        return self.actor_for(user)
