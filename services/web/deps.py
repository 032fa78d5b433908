"""The pages' dependencies: who is signed in.

The session is a signed, expiring cookie holding an API token (``services.http.sessions``). A
page that needs a user declares ``actor: SignedInDep``; without a live session it raises
``LoginRequired``, which ``services.web.errors`` answers with a redirect to the sign-in form
(which says so when the session expired). The signed-in user is kept on
``request.state.actor`` so that the error page can still show her menu.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from domain.errors import DomainError, Unauthenticated
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep, bearer_token
from services.http.sessions import sessions_of
from services.security import parse_token


class LoginRequired(Exception):
    """A page that needs a signed-in user was asked for without a valid session (``expired``:
    there was one, and it ran out)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


def session_actor(request: Request, rt: RuntimeDep) -> Actor | None:
    """The signed-in user, or None (no cookie or token, or one that no longer signs in). An
    expired session is ended here, server-side too: its token is revoked (best effort) so that
    the token inside the old cookie is worth nothing; the sign-in form then says why."""
    state = sessions_of(request.app).state(request)
    if state.expired and state.session is not None:
        revoke_session_token(rt, state.session.token)
    token = bearer_token(request)
    if not token:
        return None
    rt.app.catalogue.refresh()
    try:
        actor = rt.app.users.authenticate(token)
    except Unauthenticated:
        return None
    request.state.actor = actor
    return actor


def revoke_session_token(rt: Runtime, token: str) -> bool:
    """Revoke a session's token as its own user (logout, expiry); False when it no longer signs
    in (already revoked, user gone) or the revocation lost a race — nothing to end then."""
    parsed = parse_token(token or "")
    if parsed is None:
        return False
    try:
        actor = rt.app.users.authenticate(token)
        saved = rt.app.users.revoke_token(actor, username=actor.username, token_id=parsed[1])
    except DomainError:
        return False
    rt.after(saved)
    return True


async def signed_in(request: Request,
                    actor: Annotated[Actor | None, Depends(session_actor)]) -> Actor:
    if actor is None:
        state = sessions_of(request.app).state(request)
        raise LoginRequired(expired=state.expired)
    return actor


SignedInDep = Annotated[Actor, Depends(signed_in)]
SessionDep = Annotated[Actor | None, Depends(session_actor)]


def page_actor(request: Request) -> Actor | None:
    """The user a page was rendered for, if the session dependency found one."""
    return getattr(request.state, "actor", None)
