"""The user aggregate's new facts: temporary passwords that must be changed, deactivation, and
tokens that say when they were issued and revoked — with records written before these existed
still loading."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.errors import ValidationFailed
from domain.users import (
    NotOnYourself,
    User,
    UserAlreadyDeactivated,
    UserNotDeactivated,
    is_session,
)


def replayed(user: User) -> User:
    """The aggregate rebuilt from the events it has recorded so far."""
    events = user.collect_events()
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    return rebuilt


def new_user() -> User:
    user = User.register(username="lan.nguyen", full_name="Nguyễn Thị Lan",
                         password_hash="hash-0", actor="hn.admin")
    user.issue_token("s1", "h1", "Phiên đăng nhập", "lan.nguyen")
    user.issue_token("a1", "h2", "máy chấm công", "hn.admin")
    user.issue_token("s0", "h3", "Đăng nhập", "lan.nguyen")  # a sign-in of an older release
    return user


def test_a_reset_password_must_be_changed_and_ends_her_sessions_only():
    user = new_user()
    ended = user.reset_password("hash-1", "hn.admin")
    assert sorted(ended) == ["s0", "s1"]
    assert user.must_change_password and user.password_set_by == "hn.admin"
    assert user.live_tokens() == ["a1"]
    user.set_password("hash-2", "lan.nguyen")
    assert not user.must_change_password
    again = replayed(user)
    assert again.password_hash == "hash-2" and not again.must_change_password
    with pytest.raises(NotOnYourself):
        again.reset_password("hash-3", "lan.nguyen")


def test_deactivation_revokes_every_token_and_needs_a_reason():
    user = new_user()
    with pytest.raises(ValidationFailed):
        user.deactivate("   ", "hn.admin")
    with pytest.raises(NotOnYourself):
        user.deactivate("tự khóa", "lan.nguyen")
    revoked = user.deactivate("Nghỉ hưu", "hn.admin")
    assert sorted(revoked) == ["a1", "s0", "s1"] and not user.live_tokens()
    assert not user.active and user.deactivation["reason"] == "Nghỉ hưu"
    with pytest.raises(UserAlreadyDeactivated):
        user.deactivate("lần nữa", "hn.admin")
    user.reactivate("hn.admin")
    assert user.active and user.deactivation is None
    assert not user.live_tokens()  # reactivating brings no token back
    with pytest.raises(UserNotDeactivated):
        user.reactivate("hn.admin")
    again = replayed(user)
    assert again.active and not again.live_tokens()


def test_tokens_say_when_and_by_whom_they_were_issued_and_revoked():
    user = new_user()
    user.revoke_token("a1", "hn.admin")
    again = replayed(user)
    token = again.tokens["a1"]
    assert token["issued_by"] == "hn.admin" and token["revoked_by"] == "hn.admin"
    assert datetime.fromisoformat(token["issued_at"]) <= datetime.fromisoformat(
        token["revoked_at"])
    assert is_session(again.tokens["s1"], "lan.nguyen")
    assert is_session(again.tokens["s0"], "lan.nguyen")
    assert not is_session(again.tokens["a1"], "lan.nguyen")


def test_a_record_saved_before_these_facts_still_loads():
    """A snapshot (or state) of an older release: no status attributes, tokens without
    times. The class defaults stand in; the token dicts are read with ``get``."""
    user = new_user()
    for name in ("must_change_password", "active", "deactivation"):
        user.__dict__.pop(name, None)
    for token in user.tokens.values():
        for key in ("issued_at", "revoked_at", "revoked_by"):
            token.pop(key, None)
    assert user.active and not user.must_change_password and user.deactivation is None
    user.revoke_token("a1", "hn.admin")
    assert user.tokens["a1"]["revoked"] and user.tokens["a1"]["revoked_at"]
    assert user.deactivate("Chuyển công tác", "hn.admin")
    assert not user.active
