"""The pages' dependencies: who is signed in.

The session is the API token in an HTTP-only cookie (``services.http.deps``). A page that needs a
user declares ``actor: SignedInDep``; without a valid session it raises ``LoginRequired``, which
``services.web.errors`` answers with a redirect to the sign-in form. The signed-in user is kept on
``request.state.actor`` so that the error page can still show her menu.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from domain.errors import Unauthenticated
from services.authz import Actor
from services.http.deps import RuntimeDep, bearer_token


class LoginRequired(Exception):
    """A page that needs a signed-in user was asked for without a valid session."""


def session_actor(request: Request, rt: RuntimeDep) -> Actor | None:
    """The signed-in user, or None (no cookie or token, or one that no longer signs in)."""
    token = bearer_token(request)
    if not token:
        return None
    try:
        actor = rt.app.users.authenticate(token)
    except Unauthenticated:
        return None
    request.state.actor = actor
    return actor


async def signed_in(actor: Annotated[Actor | None, Depends(session_actor)]) -> Actor:
    if actor is None:
        raise LoginRequired()
    return actor


SignedInDep = Annotated[Actor, Depends(signed_in)]
SessionDep = Annotated[Actor | None, Depends(session_actor)]


def page_actor(request: Request) -> Actor | None:
    """The user a page was rendered for, if the session dependency found one."""
    return getattr(request.state, "actor", None)
