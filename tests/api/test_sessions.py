"""Sessions done right (issue 20, point 4), on both stores: CSRF tokens on every form, the
session cookie's flags, security headers on every answer, sign-in throttling per account and per
address, sessions that expire (idle, absolute) and end at logout, and the certificate preview
under the API's permission.

The session clock is ``app.state.sessions.clock`` (seconds): tests move it (``ticks``)."""

from __future__ import annotations

import base64
import hashlib
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.api import create_app
from services.config import SQLITE, load_settings
from services.http.headers import CONTENT_SECURITY_POLICY
from services.http.sessions import Sessions, sessions_of
from services.secret_key import KEY_FILE, KEY_TABLE, load_secret
from tests.helpers import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    err,
    form_data,
    head,
    nomination_body,
    ok,
    page_login,
    refused,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-123"
EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."
START = 1_719_734_400.0  # 2024-06-30 08:00 UTC (15:00 in Hà Nội)


@dataclass
class Ticks:
    """The sessions' clock, in seconds."""

    now: float = START

    def __call__(self) -> float:
        return self.now

    def advance(self, *, hours: float = 0, minutes: float = 0, seconds: float = 0) -> None:
        self.now += hours * 3600 + minutes * 60 + seconds


@pytest.fixture
def ticks(client) -> Ticks:
    clock = Ticks()
    sessions_of(client.app).clock = clock
    return clock


def signed_in(client, username: str = "xd.nom") -> str:
    """Sign in through the form; the session cookie's value."""
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text
    return client.cookies[SESSION_COOKIE]


def cookie_header(response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


def flags(header: str) -> set[str]:
    """A Set-Cookie header's attributes, lower case: {"httponly", "samesite=lax", "path=/"…}."""
    return {part.strip().lower() for part in header.split(";")[1:]}


def token_in(cookie: str) -> str:
    """The API token inside a session cookie (``v1.<token>.<issued>.<seen>.<signature>``)."""
    return cookie.split(".")[1]


NEW_NOMINATION = {
    "award_kind": "giay_khen_hoi", "award_type": "cong_trang", "period": "2023",
    "recipient_kind": "individual", "recipient_name": "Phạm Thị Thu Hà", "gender": "female",
    "birth_year": "1979", "achievement": "Vận động 50 hội viên mới",
}


# -- CSRF ---------------------------------------------------------------------------------------


def test_a_form_without_this_browser_s_token_is_refused_and_records_nothing(client, world, ticks):
    signed_in(client, "xd.nom")
    fields = {**NEW_NOMINATION, "proposing_unit_id": world.u("xd"),
              "recipient_unit_id": world.u("xd")}
    position = head(client)
    other = "x" * 43
    for label, data in [("no token", fields), ("another token", {**fields, "csrf_token": other}),
                        ("empty token", {**fields, "csrf_token": ""})]:
        page = client.post("/nominations/new", data=data, follow_redirects=False)
        assert page.status_code == 403, (label, page.text)
        assert page.headers["content-type"].startswith("text/html"), label
        assert "Biểu mẫu đã cũ hoặc không được gửi từ trang của hệ thống" in page.text, label
        assert "auth.csrf" not in page.text, label  # codes are for the API
    # the right token, but the browser lost its cookie: refused too
    token = client.cookies[CSRF_COOKIE]
    client.cookies.delete(CSRF_COOKIE)
    lost = client.post("/nominations/new", data={**fields, "csrf_token": token},
                       follow_redirects=False)
    assert lost.status_code == 403
    assert head(client) == position, "a refused form recorded events"
    # the same form with this browser's token goes through
    done = client.post("/nominations/new", data=form_data(client, fields),
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    assert head(client) > position


def test_the_sign_in_and_sign_out_forms_need_the_token_too(client, world, ticks):
    client.get("/login")
    position = head(client)
    forged = client.post("/login", data={"username": "xd.nom", "password": PASSWORD},
                         follow_redirects=False)
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies
    assert head(client) == position  # no token was issued
    signed_in(client)
    away = client.post("/logout", data={"csrf_token": "x" * 43}, follow_redirects=False)
    assert away.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_signing_in_gives_the_browser_a_new_csrf_token(client, world, ticks):
    client.get("/login")
    before = client.cookies[CSRF_COOKIE]
    signed_in(client)
    after = client.cookies[CSRF_COOKIE]
    assert after != before
    page = client.get("/nominations/new")
    assert f'name="csrf_token" value="{after}"' in page.text


def test_the_api_takes_no_csrf_token(client, world, ticks):
    """Bearer tokens and JSON: a browser never adds them by itself."""
    created = ok(client.post("/api/nominations", json=nomination_body(world),
                             headers=world.h("xd.nom")), 201)
    ok(client.post(f"/api/nominations/{created['id']}/submit", headers=world.h("xd.nom")))
    out = ok(client.post("/api/auth/token", json={"username": "xd.nom", "password": PASSWORD}))
    assert ok(client.get("/api/me", headers={"Authorization": f"Bearer {out['token']}"}))


def test_every_form_of_every_page_carries_the_token():
    missing = []
    for path in sorted((ROOT / "templates" / "pages").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, re.S | re.I):
            opening = form[: form.index(">") + 1]
            if re.search(r'method\s*=\s*"?post', opening, re.I) and "csrf_input()" not in form:
                missing.append(f"{path.name}: {opening}")
    assert not missing, missing


# -- cookies, headers ---------------------------------------------------------------------------


def test_session_cookie_is_http_only_same_site_and_secure_over_https(rt, world):
    with TestClient(create_app(rt)) as http:
        answer = page_login(http, "xd.nom")
        session = cookie_header(answer, SESSION_COOKIE)
        assert {"httponly", "samesite=lax", "path=/"} <= flags(session), session
        assert "secure" not in flags(session)
        csrf = cookie_header(answer, CSRF_COOKIE)  # renewed at sign-in
        assert {"httponly", "samesite=lax"} <= flags(csrf) and "secure" not in flags(csrf)
    with TestClient(create_app(rt), base_url="https://testserver") as https:
        answer = page_login(https, "xd.nom")
        session = cookie_header(answer, SESSION_COOKIE)
        assert {"httponly", "samesite=lax", "secure"} <= flags(session), session
        assert "secure" in flags(cookie_header(answer, CSRF_COOKIE))
        assert https.get("/", follow_redirects=False).status_code == 200
        api = ok(https.post("/api/auth/token", json={"username": "xd.nom",
                                                     "password": PASSWORD}))
        assert api["token"]
    # Behind a proxy: X-Forwarded-Proto counts only when the proxy is trusted.
    forwarded = {"X-Forwarded-Proto": "https"}
    for trusted in (False, True):
        app = create_app(rt)
        app.state.sessions = Sessions(replace(rt.settings, trust_proxy=trusted),
                                      lambda: load_secret(rt.settings, rt.db))
        with TestClient(app, headers=forwarded) as behind:
            # (the test client talks plain HTTP: it would not send a Secure cookie back, so the
            # sign-in goes through the API, which sets the same cookie)
            answer = behind.post("/api/auth/token", json={"username": "xd.nom",
                                                          "password": PASSWORD})
            session = cookie_header(answer, SESSION_COOKIE)
            assert ("secure" in flags(session)) is trusted, (trusted, session)
            csrf = cookie_header(behind.get("/login"), CSRF_COOKIE)
            assert ("secure" in flags(csrf)) is trusted, (trusted, csrf)


SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def test_security_headers_on_every_answer(client, world, ticks):
    answers = {path: client.get(path, follow_redirects=False) for path in (
        "/login", "/", "/verify/khong-co", "/api/health", "/api/nominations",
        "/static/tdkt.css", "/khong-co-trang-nay", "/openapi.json")}
    answers["POST /login (no token)"] = client.post("/login", data={})
    answers["POST /api/auth/token (422)"] = client.post("/api/auth/token", json={})
    signed_in(client)
    answers["/ (signed in)"] = client.get("/")
    answers["/decisions/x (error page)"] = client.get("/decisions/x")
    for path, answer in answers.items():
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, (path, name, answer.headers.get(name))
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


def test_the_api_docs_keep_working_under_their_own_policy(client):
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200, path
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, policy
        assert "'unsafe-eval'" not in policy and "http" not in policy, policy
        script_policy = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_policy, policy
        for script in re.findall(r"<script>(.*?)</script>", page.text, re.S):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_policy, path  # the inline script, by hash
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
            assert client.get(asset).status_code == 200, asset  # served from here
        assert page.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_style_or_script():
    """The pages' policy allows this site's style sheet and scripts only."""
    found = []
    for path in sorted((ROOT / "templates" / "pages").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\sstyle\s*=", r"<style\b", r"<script(?![^>]*\bsrc=)[^>]*>",
                        r"\son[a-z]+\s*=", r"javascript:"):
            found += [f"{path.name}: {m.group(0)!r}" for m in re.finditer(pattern, text, re.I)]
    assert not found, found


# -- throttling ---------------------------------------------------------------------------------


def wrong(client, username: str):
    return page_login(client, username, password="sai-mat-khau")


def test_sign_in_is_throttled_per_account_and_says_when_to_retry(client, world, ticks):
    for attempt in range(5):
        assert wrong(client, "xd.nom").status_code == 401, attempt
        ticks.advance(minutes=1)
    position = head(client)
    page = page_login(client, "xd.nom")  # the right password, now refused
    assert page.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in page.text
    # the first failure (15:00) leaves the 15-minute window at 15:15; it is now 15:05
    assert "thử lại sau 10 phút (lúc 15:15)" in page.text, page.text
    assert page.headers["retry-after"] == "600"
    assert 'name="username"' in page.text and 'value="xd.nom"' in page.text  # the form again
    assert SESSION_COOKIE not in client.cookies
    assert head(client) == position  # no token issued
    # the API refuses the same account: 429, a machine code, Retry-After
    body = refused(client.post("/api/auth/token", json={"username": "XD.NOM",
                                                        "password": PASSWORD}),
                   429, "auth.throttled")
    assert body["details"]["retry_after"] == 600 and body["details"]["scope"] == "account"
    # another account from the same address signs in
    assert page_login(client, "xd.chair").status_code == 303
    # the oldest failure leaves the window: one more try is allowed (a wrong one is counted)
    ticks.advance(minutes=10)
    assert page_login(client, "xd.nom").status_code == 303


def test_a_success_resets_the_account_s_failures(client, world, ticks):
    for _ in range(4):
        assert wrong(client, "xd.nom").status_code == 401
    assert page_login(client, "xd.nom").status_code == 303
    for _ in range(4):
        assert wrong(client, "xd.nom").status_code == 401  # counted from zero again
    assert page_login(client, "xd.nom").status_code == 303
    # through the API too
    for _ in range(4):
        err(client.post("/api/auth/token", json={"username": "hn.appr", "password": "sai"}),
            401, "auth.bad_credentials")
    ok(client.post("/api/auth/token", json={"username": "hn.appr", "password": PASSWORD}))
    for _ in range(4):
        err(client.post("/api/auth/token", json={"username": "hn.appr", "password": "sai"}),
            401, "auth.bad_credentials")
    ok(client.post("/api/auth/token", json={"username": "hn.appr", "password": PASSWORD}))


def test_sign_in_is_throttled_per_address(client, world, ticks):
    accounts = ["xd.nom", "xd.chair", "xd.member", "hn.appr", "hn.member"]
    for username in accounts:  # 4 failures each: under the account limit, 20 for the address
        for _ in range(4):
            answer = client.post("/api/auth/token", json={"username": username,
                                                          "password": "sai"})
            err(answer, 401, "auth.bad_credentials")
    answer = client.post("/api/auth/token", json={"username": "tw.appr", "password": PASSWORD})
    body = refused(answer, 429, "auth.throttled")
    assert body["details"]["scope"] == "address"
    assert answer.headers["retry-after"] == "900"
    assert page_login(client, "btl.appr").status_code == 429  # the page too
    # another address is not concerned
    with TestClient(client.app, client=("10.0.0.2", 50000)) as elsewhere:
        assert page_login(elsewhere, "tw.appr").status_code == 303
    ticks.advance(minutes=15)
    ok(client.post("/api/auth/token", json={"username": "tw.appr", "password": PASSWORD}))


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(client, world, ticks):
    def fail_from(forwarded_for: str, times: int) -> None:
        for _ in range(times):
            err(client.post("/api/auth/token", json={"username": f"u{times}.{_}",
                                                     "password": "sai"},
                            headers={"X-Forwarded-For": forwarded_for}), 401)

    fail_from("203.0.113.7", 20)  # untrusted: the connection's address counts
    refused(client.post("/api/auth/token", json={"username": "tw.appr", "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.1"}), 429, "auth.throttled")
    trusting = create_app(world.rt)
    trusting.state.sessions = Sessions(replace(world.rt.settings, trust_proxy=True),
                                       lambda: load_secret(world.rt.settings, world.rt.db),
                                       clock=ticks)
    with TestClient(trusting) as behind:
        for n in range(20):  # one client behind the proxy; her own X-Forwarded-For is ignored
            err(behind.post("/api/auth/token", json={"username": f"v.{n}", "password": "sai"},
                            headers={"X-Forwarded-For": f"10.9.9.{n}, 203.0.113.9"}), 401)
        refused(behind.post("/api/auth/token", json={"username": "tw.appr",
                                                     "password": PASSWORD},
                            headers={"X-Forwarded-For": "203.0.113.9"}), 429, "auth.throttled")
        ok(behind.post("/api/auth/token", json={"username": "tw.appr", "password": PASSWORD},
                       headers={"X-Forwarded-For": "203.0.113.10"}))


# -- expiry ---------------------------------------------------------------------------------------


def test_an_idle_session_expires_and_activity_keeps_it(client, world, ticks):
    cookie = signed_in(client)
    ticks.advance(minutes=50)
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 200
    renewed = cookie_header(page, SESSION_COOKIE)  # the last-used time, signed again
    assert {"httponly", "samesite=lax"} <= flags(renewed)
    ticks.advance(minutes=50)  # 100 minutes since sign-in, 50 since the last request
    assert client.get("/", follow_redirects=False).status_code == 200
    ticks.advance(minutes=30)
    ok(client.get("/api/me"))  # the API called from the browser is activity too
    ticks.advance(minutes=61)
    position = head(client)
    gone = client.get("/nominations", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"] == "/login?next=/nominations&expired=1"
    assert "max-age=0" in flags(cookie_header(gone, SESSION_COOKIE))  # the cookie is cleared
    form = client.get(gone.headers["location"])
    assert EXPIRED in form.text
    # ended server-side too: the token inside the old cookie signs nothing in any more
    assert head(client) == position + 1
    refused(client.get("/api/me", headers={"Authorization": f"Bearer {token_in(cookie)}"}),
            401, "auth.unauthenticated")
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_an_expired_cookie_is_refused_by_the_api_too(client, world, ticks):
    signed_in(client)
    ok(client.get("/api/me"))
    ticks.advance(minutes=60)
    refused(client.get("/api/me"), 401, "auth.unauthenticated")


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, world, ticks):
    signed_in(client)
    for step in range(9):  # a request every 50 minutes: never idle, up to 7 h 30
        ticks.advance(minutes=50)
        assert client.get("/", follow_redirects=False).status_code == 200, step
    ticks.advance(minutes=30)  # 8 hours since sign-in
    gone = client.get("/", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].endswith("&expired=1")
    assert EXPIRED in client.get(gone.headers["location"]).text
    signed_in(client)  # signing in again starts a new one
    assert client.get("/", follow_redirects=False).status_code == 200


def test_a_tampered_session_cookie_is_no_session(client, world, ticks):
    cookie = signed_in(client)
    version, token, issued, seen, signature = cookie.split(".")
    later = str(int(issued) + 3600)
    for forged in (f"{version}.{token}.{later}.{later}.{signature}",  # times moved, not signed
                   f"{version}.{token}.{issued}.{seen}.{'A' * len(signature)}",
                   token):  # the bare token, as the old cookie held it
        client.cookies.set(SESSION_COOKIE, forged)
        away = client.get("/", follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == "/login?next=/", forged
        refused(client.get("/api/me"), 401, "auth.unauthenticated")


def test_sessions_survive_a_restart_with_the_same_key(rt, world, store, tmp_path):
    clock = Ticks()
    with TestClient(create_app(rt)) as first:
        sessions_of(first.app).clock = clock
        cookie = signed_in(first)
    if store == SQLITE:
        key = rt.settings.data_dir / KEY_FILE
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    else:
        with rt.db.read() as cur:
            assert cur.scalar(f"SELECT count(*) FROM {KEY_TABLE}") == 1
    with TestClient(create_app(rt), cookies={SESSION_COOKIE: cookie}) as again:
        sessions_of(again.app).clock = clock
        assert again.get("/", follow_redirects=False).status_code == 200
    other = replace(rt.settings, secret_key="k" * 40)
    app = create_app(rt)
    app.state.sessions = Sessions(other, lambda: load_secret(other, rt.db), clock=clock)
    with TestClient(app, cookies={SESSION_COOKIE: cookie}) as new_key:
        assert new_key.get("/", follow_redirects=False).status_code == 303


def test_session_settings_are_read_and_checked():
    settings = load_settings({"TDKT_SESSION_MAX_HOURS": "4", "TDKT_SESSION_IDLE_MINUTES": "20",
                              "TDKT_LOGIN_MAX_FAILURES": "3", "TDKT_TRUST_PROXY": "1",
                              "TDKT_SECRET_KEY": "s" * 32})
    assert (settings.session_max_hours, settings.session_idle_minutes) == (4, 20)
    assert settings.login_max_failures == 3 and settings.trust_proxy
    assert "s" * 32 not in repr(settings)  # the key stays out of logs
    defaults = load_settings({})
    assert (defaults.session_max_hours, defaults.session_idle_minutes) == (8, 60)
    assert (defaults.login_max_failures, defaults.login_max_failures_address,
            defaults.login_window_minutes) == (5, 20, 15)
    assert not defaults.trust_proxy and not defaults.secret_key
    for bad in ({"TDKT_SECRET_KEY": "ngan"}, {"TDKT_SESSION_IDLE_MINUTES": "0"}):
        with pytest.raises(ValueError):
            load_settings(bad)


# -- logout ---------------------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(client, world, ticks):
    cookie = signed_in(client)
    assert client.get("/", follow_redirects=False).status_code == 200
    position = head(client)
    out = client.post("/logout", data=form_data(client), follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert SESSION_COOKIE not in client.cookies
    assert head(client) == position + 1  # the token's revocation
    # the old cookie, replayed, signs nothing in: pages, API, nor its token as a bearer
    client.cookies.set(SESSION_COOKIE, cookie)
    replayed = client.get("/", follow_redirects=False)
    assert replayed.status_code == 303 and replayed.headers["location"] == "/login?next=/"
    refused(client.get("/api/me"), 401, "auth.unauthenticated")
    refused(client.get("/api/me", headers={"Authorization": f"Bearer {token_in(cookie)}"}),
            401, "auth.unauthenticated")
    # logging out again (no session, or a dead one) is harmless
    again = client.post("/logout", data=form_data(client), follow_redirects=False)
    assert again.status_code == 303
    # her other sessions and tokens are not touched
    ok(client.get("/api/me", headers=world.h("xd.nom")))


# -- page permissions = API permissions -----------------------------------------------------------


def test_the_certificate_preview_is_for_the_recording_unit_s_office(client, world, ticks):
    decision = ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
        "number": "12/QĐ-ĐCT", "decided_on": "2024-05-01", "issuer": {"unit_id": world.u("root")},
        "signer": {"name": "Hà Thị Nga"}, "award_kind": "bang_khen_tw_hoi",
        "lines": [{"recipient": {"kind": "individual", "name": "Lò Thị Xuân",
                                 "birth_year": 1979}, "period": "2023"}]}), 201)
    preview = f"/certificates/preview?decision_id={decision['id']}&line_no=1"
    register = f"/api/decisions/{decision['id']}/certificates"
    for username, status in [("xd.nom", 403), ("hn.appr", 403), ("admin", 403),
                             ("tw.appr", 200)]:
        api = client.get(register, headers=world.h(username))
        assert api.status_code == status, (username, api.text)
        client.cookies.clear()
        signed_in(client, username)
        page = client.get(preview)
        assert page.status_code == status, (username, page.text[:300])
        shown = client.get(f"/decisions/{decision['id']}")
        assert shown.status_code == 200 and "Lò Thị Xuân" in shown.text
        assert ("/certificates/preview?" in shown.text) is (status == 200), username
        if status == 403:
            assert "Không thực hiện được" in page.text and "/verify/" not in page.text
        else:
            assert "Lò Thị Xuân" in page.text
