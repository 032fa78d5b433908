"""Credentials that expire and end (issue 18, point 2), on both stores: API tokens with an expiry
and a last-used time, listed and revoked; sign-in tokens that expire with the session; logout;
a password change that needs the current password and ends the user's other sessions and
tokens; sign-in throttled per account and per address; the same argon2 work for unknown and
known users; a bound on argon2 computations at once.

Time is the users service's clock (``rt.app.users.now``), moved by the tests; argon2 work is
counted by a spy on ``security._argon2_verify`` (never by timing)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from services import security
from services.authz import SYSTEM
from tests.helpers import (
    SESSION_COOKIE,
    err,
    form_data,
    head,
    ok,
    page_login,
    page_text,
    refused,
)

PASSWORD = "mat-khau-123"
NEW_PASSWORD = "mat-khau-moi-456"


class Later:
    """The users service's clock: real time moved forward by the test."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


@pytest.fixture
def later(rt) -> Later:
    clock = Later()
    rt.app.users.now = clock
    return clock


@pytest.fixture
def slots():
    """The argon2 bound, restored after the test."""
    saved = security.slots
    yield
    security.slots = saved


@pytest.fixture
def verifications(monkeypatch):
    """The hashes argon2 verified, in order (a spy on the one verifying function)."""
    seen: list[str] = []
    original = security._argon2_verify

    def spy(secret_hash: str, secret: str) -> bool:
        seen.append(secret_hash)
        return original(secret_hash, secret)

    monkeypatch.setattr(security, "_argon2_verify", spy)
    return seen


def api_login(client, username: str, password: str = PASSWORD):
    return client.post("/api/auth/token", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_id(token: str) -> str:
    return token.split("_", 3)[2]


def listed(client, world, username: str, who: str = "admin") -> dict[str, dict]:
    items = ok(client.get(f"/api/users/{username}/tokens", headers=world.h(who)))["items"]
    return {t["id"]: t for t in items}


# -- API tokens: expiry, last use, list, revoke ------------------------------------------------


def test_a_token_expires_after_its_days_and_is_then_refused(client, world, rt, later):
    before = datetime.now(UTC)
    answer = ok(client.post("/api/users/xd.nom/tokens", headers=world.h("admin"),
                            json={"label": "máy chấm điểm", "days": 7}), 201)
    expires = datetime.fromisoformat(answer["expires_at"])
    assert before + timedelta(days=7) <= expires <= datetime.now(UTC) + timedelta(days=7)
    token = answer["token"]
    assert ok(client.get("/api/me", headers=bearer(token)))["username"] == "xd.nom"
    later.shift = timedelta(days=6, hours=23)
    ok(client.get("/api/me", headers=bearer(token)))
    later.shift = timedelta(days=7, minutes=1)
    refused(client.get("/api/me", headers=bearer(token)), 401, "auth.token_expired")
    row = listed(client, world, "xd.nom")[answer["id"]]
    assert row["expired"] is True and row["revoked"] is False


def test_a_token_lives_token_days_at_most(client, world, rt, later):
    default = ok(client.post("/api/users/xd.nom/tokens", headers=world.h("admin"),
                             json={"label": "mặc định"}), 201)
    days = (datetime.fromisoformat(default["expires_at"]) - datetime.now(UTC)).days
    assert days == rt.app.users.token_days - 1 == 89  # 90 days less the moments elapsed
    position = head(client)
    refusal = err(client.post("/api/users/xd.nom/tokens", headers=world.h("admin"),
                              json={"label": "quá dài", "days": 91}), 422, "validation.invalid")
    assert "90 ngày" in refusal["message"]
    assert head(client) == position  # refused: nothing recorded
    rt.app.users.token_days = 30  # TDKT_TOKEN_DAYS=30
    shorter = ok(client.post("/api/users/xd.nom/tokens", headers=world.h("admin"),
                             json={"label": "ngắn"}), 201)
    assert (datetime.fromisoformat(shorter["expires_at"]) - datetime.now(UTC)).days == 29


def test_a_token_of_an_older_release_expires_token_days_after_its_issue(client, world, rt, later):
    """Tokens recorded before expiry existed (no ``expires_at`` in their event) expire
    ``TDKT_TOKEN_DAYS`` after they were issued."""
    user = rt.app.users.user("xd.nom")
    token, tid, secret = security.new_token(user.id)
    user.issue_token(tid, security.hash_secret(secret), "cũ", "system")  # no expiry given
    rt.after(rt.app.commit(user))
    assert rt.app.users.user("xd.nom").tokens[tid]["expires_at"] is None
    row = listed(client, world, "xd.nom")[tid]
    issued = datetime.fromisoformat(row["issued_at"])
    assert datetime.fromisoformat(row["expires_at"]) == issued + timedelta(days=90)
    ok(client.get("/api/me", headers=bearer(token)))
    later.shift = timedelta(days=91)
    refused(client.get("/api/me", headers=bearer(token)), 401, "auth.token_expired")


def test_tokens_are_listed_with_expiry_and_last_use_and_revoked(client, world, rt, later):
    issued = ok(client.post("/api/users/xd.nom/tokens", headers=world.h("xd.nom"),
                            json={"label": "báo cáo tự động"}), 201)
    row = listed(client, world, "xd.nom", "xd.nom")[issued["id"]]
    assert (row["label"], row["kind"], row["last_used_at"]) == ("báo cáo tự động", "api", None)
    assert row["issued_at"] and row["expires_at"] == issued["expires_at"]
    position = head(client)
    for _ in range(3):
        ok(client.get("/api/me", headers=bearer(issued["token"])))
    assert head(client) == position  # using a token records no event
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    row = listed(client, world, "xd.nom", "xd.nom")[issued["id"]]
    assert datetime.fromisoformat(row["last_used_at"]) == hour
    later.shift = timedelta(hours=3)
    ok(client.get("/api/me", headers=bearer(issued["token"])))
    row = listed(client, world, "xd.nom", "xd.nom")[issued["id"]]
    assert datetime.fromisoformat(row["last_used_at"]) == hour + timedelta(hours=3)
    # kept in the read-model database: another process (a fresh service) reads it too
    fresh = type(rt.app.users.last_seen)()
    fresh.attach(rt.db)
    assert fresh.of([issued["id"]]) == {issued["id"]: row["last_used_at"]}
    # revoked: refused at once, listed as revoked
    ok(client.delete(f"/api/users/xd.nom/tokens/{issued['id']}", headers=world.h("xd.nom")))
    refused(client.get("/api/me", headers=bearer(issued["token"])), 401, "auth.unauthenticated")
    row = listed(client, world, "xd.nom", "xd.nom")[issued["id"]]
    assert row["revoked"] is True and row["revoked_by"] == "xd.nom"


def test_the_users_page_shows_expiry_and_last_use(client, world, rt):
    issued = ok(client.post("/api/users/xd.nom/tokens", headers=world.h("admin"),
                            json={"label": "máy đồng bộ"}), 201)
    ok(client.get("/api/me", headers=bearer(issued["token"])))
    assert page_login(client, "admin").status_code == 303
    page = client.get("/users/xd.nom")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Hết hạn lúc" in text and "Dùng lần cuối" in text
    row = next(r for r in page.text.split("<tr>") if "máy đồng bộ" in r)
    assert "chưa ghi nhận" not in row  # used: an hour is shown
    assert f"/users/xd.nom/tokens/{issued['id']}/revoke" in row


# -- sign-in tokens and sessions ---------------------------------------------------------------


def test_a_sign_in_token_expires_with_the_session(client, world, rt, later):
    answer = ok(api_login(client, "xd.nom"))
    row = listed(client, world, "xd.nom")[token_id(answer["token"])]
    expires = datetime.fromisoformat(row["expires_at"])
    assert timedelta(hours=7, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=8)
    ok(client.get("/api/me", headers=bearer(answer["token"])))
    later.shift = timedelta(hours=8, minutes=1)
    refused(client.get("/api/me", headers=bearer(answer["token"])), 401, "auth.token_expired")
    assert row["kind"] == "session"


def test_logout_ends_the_session(client, world, rt):
    assert page_login(client, "xd.nom").status_code == 303
    cookie = client.cookies[SESSION_COOKIE]
    assert client.get("/", follow_redirects=False).status_code == 200
    out = client.post("/logout", data=form_data(client), follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)  # the old cookie, replayed
    assert client.get("/", follow_redirects=False).status_code in (302, 303, 307)
    tokens = rt.app.users.user("xd.nom").tokens
    assert [t["revoked"] for t in tokens.values() if t["label"] == "Phiên đăng nhập"] == [True]


# -- password change ---------------------------------------------------------------------------


def test_a_password_change_needs_the_current_password(client, world, rt):
    position = head(client)
    refused(client.post("/api/auth/password", json={
        "username": "xd.nom", "old_password": "sai-mat-khau", "new_password": NEW_PASSWORD}),
        422, "user.wrong_password")
    refused(client.post("/api/auth/password", json={
        "username": "khong.co.ai", "old_password": PASSWORD, "new_password": NEW_PASSWORD}),
        422, "user.wrong_password")
    assert head(client) == position
    ok(api_login(client, "xd.nom"))  # the old password still signs in


def test_a_password_change_ends_the_other_sessions_and_tokens(client, world, rt):
    this = ok(api_login(client, "xd.nom"))["token"]
    other = ok(api_login(client, "xd.nom"))["token"]
    program = ok(client.post("/api/users/xd.nom/tokens", headers=world.h("admin"),
                             json={"label": "chương trình"}), 201)["token"]
    answer = ok(client.post("/api/auth/password", headers=bearer(this), json={
        "username": "xd.nom", "old_password": PASSWORD, "new_password": NEW_PASSWORD}))
    assert sorted(answer["tokens_revoked"]) == sorted(
        [token_id(other), token_id(program), token_id(world.tokens["xd.nom"])])
    ok(client.get("/api/me", headers=bearer(this)))  # the one she changed it with stays
    for gone in (other, program, world.tokens["xd.nom"]):
        refused(client.get("/api/me", headers=bearer(gone)), 401, "auth.unauthenticated")
    err(api_login(client, "xd.nom"), 401, "auth.bad_credentials")
    ok(api_login(client, "xd.nom", NEW_PASSWORD))
    # another user's token is never hers to keep: without one of hers, all of hers end
    third = ok(api_login(client, "xd.nom", NEW_PASSWORD))["token"]
    answer = ok(client.post("/api/auth/password", headers=world.h("xd.chair"), json={
        "username": "xd.nom", "old_password": NEW_PASSWORD, "new_password": PASSWORD}))
    assert token_id(third) in answer["tokens_revoked"] and token_id(this) in answer[
        "tokens_revoked"]
    ok(client.get("/api/me", headers=world.h("xd.chair")))


def test_the_password_page_keeps_this_session_and_ends_the_others(client, world, rt):
    elsewhere = ok(api_login(client, "xd.nom"))["token"]
    client.cookies.clear()
    assert page_login(client, "xd.nom").status_code == 303
    wrong = client.post("/password", data=form_data(client, {
        "old_password": "sai-mat-khau", "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD, "next": "/"}), follow_redirects=False)
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.text
    ok(client.get("/api/me", headers=bearer(elsewhere)))  # nothing ended by a refusal
    done = client.post("/password", data=form_data(client, {
        "old_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD, "next": "/"}), follow_redirects=False)
    assert done.status_code == 303
    notice = page_text(client.get(done.headers["location"]).text)
    assert "Đã kết thúc 2 phiên đăng nhập và mã truy cập khác của bạn" in notice
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    refused(client.get("/api/me", headers=bearer(elsewhere)), 401, "auth.unauthenticated")
    refused(client.get("/api/me", headers=world.h("xd.nom")), 401, "auth.unauthenticated")


# -- throttling --------------------------------------------------------------------------------


def test_api_sign_in_is_throttled_per_account(client, world, rt):
    for _ in range(5):
        err(api_login(client, "xd.nom", "sai-mat-khau"), 401, "auth.bad_credentials")
    position = head(client)
    answer = api_login(client, "xd.nom")  # the right password, too late
    body = refused(answer, 429, "auth.throttled")
    assert int(answer.headers["retry-after"]) > 0 and "thử lại sau" in body["message"]
    assert head(client) == position  # no token issued
    ok(api_login(client, "xd.chair"))  # another account from the same address still may


def test_api_sign_in_is_throttled_per_address(client, world, rt):
    for n in range(20):  # a spray over many names, a few guesses each
        err(api_login(client, f"nguoi.{n % 7}", "sai-mat-khau"), 401, "auth.bad_credentials")
    refused(api_login(client, "xd.chair"), 429, "auth.throttled")
    other = client.post("/api/auth/token", json={"username": "xd.chair", "password": PASSWORD},
                        headers={"X-Forwarded-For": "203.0.113.9"})
    refused(other, 429, "auth.throttled")  # no proxy trusted: the header changes nothing


# -- the same work for unknown and known users -------------------------------------------------


def _parameters(secret_hash: str) -> str:
    """``$argon2id$v=19$m=…,t=…,p=…``: how costly a hash is to verify."""
    return "$".join(secret_hash.split("$")[:4])


def test_unknown_and_known_users_cost_the_same_verification(client, world, rt, verifications):
    known = rt.app.users.user("xd.nom").password_hash
    err(api_login(client, "xd.nom", "sai-mat-khau"), 401, "auth.bad_credentials")
    err(api_login(client, "khong.co.ai", "sai-mat-khau"), 401, "auth.bad_credentials")
    err(api_login(client, "ten khong hop le!", "sai-mat-khau"), 401, "auth.bad_credentials")
    rt.app.users.create_user(SYSTEM, username="chua.co.mk", full_name="Chưa có mật khẩu",
                             home_unit_id=world.units["xd"])
    err(api_login(client, "chua.co.mk", "sai-mat-khau"), 401, "auth.bad_credentials")
    assert len(verifications) == 4  # one argon2 verification each, known or not
    assert verifications[0] == known
    assert {_parameters(h) for h in verifications} == {_parameters(known)}
    # the page's sign-in and the password change alike
    page_login(client, "khong.co.ai", "sai-mat-khau")
    client.post("/api/auth/password", json={
        "username": "khong.co.ai", "old_password": "x" * 10, "new_password": NEW_PASSWORD})
    assert len(verifications) == 6


# -- argon2 bounded ----------------------------------------------------------------------------


def test_parallel_sign_ins_run_at_most_the_bound_of_argon2_at_once(client, world, rt, slots,
                                                                   monkeypatch):
    security.configure(2, 30.0)
    running = 0
    peak = 0
    lock = threading.Lock()
    original = security._argon2_verify

    def slow(secret_hash: str, secret: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.05)
            return original(secret_hash, secret)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(security, "_argon2_verify", slow)
    names = [name for name in world.USERS][:8] * 2  # 16 sign-ins, 8 accounts
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda name: api_login(client, name), names))
    assert [a.status_code for a in answers] == [200] * 16
    assert peak == 2 and security.slots.peak == 2


def test_a_sign_in_waiting_too_long_for_argon2_is_refused_with_retry_after(client, world, rt,
                                                                          slots, monkeypatch):
    security.configure(1, 0.2)
    inside = threading.Event()
    release = threading.Event()
    original = security._argon2_verify

    def held(secret_hash: str, secret: str) -> bool:
        inside.set()
        release.wait(10)
        return original(secret_hash, secret)

    monkeypatch.setattr(security, "_argon2_verify", held)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(api_login, client, "xd.nom")
        assert inside.wait(10)
        busy = api_login(client, "xd.chair")
        release.set()
        assert first.result().status_code == 200
    body = refused(busy, 429, "auth.busy")
    assert busy.headers["retry-after"] == "1" and "thử lại" in body["message"]
    monkeypatch.setattr(security, "_argon2_verify", original)
    ok(api_login(client, "xd.chair"))  # not counted as a failure, free again
