"""User administration in the pages (issue 15, users), on both stores: the admin's landing page,
the directory of her subtree, creating a user with a temporary password, roles, home unit,
temporary passwords that must be changed at the next sign-in (pages and API), sessions and
tokens listed and revoked, accounts locked and unlocked, one's own password — with the API's
permissions, and the matching JSON endpoints."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from tests.helpers import (
    SESSION_COOKIE,
    err,
    form_data,
    head,
    ok,
    page_login,
    refused,
)

PASSWORD = "mat-khau-123"


def signed_in(client, username: str, password: str = PASSWORD) -> None:
    answer = page_login(client, username, password)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/"


def other_browser(client) -> TestClient:
    """A second browser on the same server (its own cookies)."""
    return TestClient(client.app)


def main_text(response) -> str:
    html = response.text
    body = html[html.index("<main>"):] if "<main>" in html else html
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def create(client, world, username: str, home: str = "xd", *, role: str = "nominator",
           grant_unit: str | None = "xd", password: str | None = None, **extra) -> str:
    """Create a user through the form (signed in as an admin already); her temporary password."""
    data = {"username": username, "full_name": extra.pop("full_name", f"Người dùng {username}"),
            "home_unit_id": world.u(home),
            "password_mode": "set" if password else "generate", "password": password or "",
            "role": role if grant_unit else "", "grant_unit_id": world.u(grant_unit) if grant_unit
            else "", **extra}
    page = client.post("/users/new", data=form_data(client, data))
    assert page.status_code == 200, page.text
    assert "Đã tạo người dùng" in page.text
    assert page.headers["cache-control"] == "no-store"
    if password:
        assert password not in page.text
        return password
    return re.search(r'<p class="big password-once"><code>([^<]+)</code>', page.text).group(1)


def first_sign_in(browser, username: str, temporary: str, new: str) -> None:
    """Sign in with a temporary password: sent to /password; set a new one: signed in."""
    answer = page_login(browser, username, temporary)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/password?next=/"
    assert not browser.cookies.get(SESSION_COOKIE)
    done = browser.post("/password", data=form_data(browser, {
        "new_password": new, "new_password_again": new, "next": "/"}), follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/"
    assert browser.get("/").status_code == 200


# -- the landing page and the directory ------------------------------------------------------


def test_the_administration_page_is_for_admins(client, world):
    signed_in(client, "xd.nom")
    page = client.get("/admin")
    assert page.status_code == 403
    assert "Cần vai trò Quản trị" in page.text and "auth.role_required" not in page.text
    assert client.get("/users").status_code == 403
    assert client.get("/users/new").status_code == 403

    signed_in(client, "hn.admin")
    page = client.get("/admin")
    assert page.status_code == 200
    for link in ('href="/users"', 'href="/units"', 'href="/schedules"'):
        assert link in page.text
    assert "Hội LHPN TP Hà Nội" in main_text(page)


def test_the_directory_shows_the_admins_subtree_and_finds_by_name_and_unit(client, world):
    signed_in(client, "hn.admin")
    create(client, world, "lan.nguyen", "cn1", full_name="Nguyễn Thị Lan", grant_unit=None)
    listed = client.get("/users")
    assert listed.status_code == 200
    text = main_text(listed)
    for name in ("xd.nom", "hn.chair", "btl.appr", "lan.nguyen"):
        assert name in text
    for name in ("nt.nom", "tw.appr", "admin"):  # Bắc Kạn's, the centre's: not hers
        assert f'href="/users/{name}"' not in listed.text
    assert "Phải đổi mật khẩu" in text and "Người đề nghị — Hội LHPN phường Xuân Đỉnh" in text

    found = main_text(client.get("/users", params={"q": "thi lan"}))  # without diacritics
    assert "lan.nguyen" in found and "xd.nom" not in found and "1 người dùng" in found
    by_unit = main_text(client.get("/users", params={"unit_id": world.u("cn1")}))
    assert "lan.nguyen" in by_unit and "xd.nom" not in by_unit
    outside = main_text(client.get("/users", params={"unit_id": world.u("nt")}))
    assert "0 người dùng" in outside and "nt.nom" not in outside
    assert client.get("/users", params={"unit_id": "không-phải-mã"}).status_code == 422
    assert client.get("/users", params={"offset": "-3"}).status_code == 200

    api = ok(client.get("/api/users", params={"q": "thi lan"}, headers=world.h("hn.admin")))
    assert [u["username"] for u in api["items"]] == ["lan.nguyen"]
    assert api["items"][0]["status"] == "must_change_password"


def test_another_provinces_admin_sees_none_of_ha_nois_users(client, world):
    ok(client.post("/api/users", headers=world.h("admin"), json={
        "username": "bk.admin", "full_name": "Quản trị Bắc Kạn", "password": PASSWORD,
        "home_unit_id": world.u("backan"),
        "grants": [{"role": "admin", "unit_id": world.u("backan")}]}), 201)
    client.cookies.clear()
    signed_in(client, "bk.admin")
    text = main_text(client.get("/users"))
    assert "nt.nom" in text
    for name in ("xd.nom", "hn.admin", "hn.chair", "btl.appr"):
        assert name not in text
    position = head(client)
    assert client.get("/users/xd.nom").status_code == 403
    assert client.get("/users/xd.nom/password-reset").status_code == 403
    assert client.get("/users/xd.nom/deactivate").status_code == 403
    for path, data in (("/users/xd.nom/deactivate", {"reason": "thử"}),
                       ("/users/xd.nom/password-reset", {"password_mode": "generate"}),
                       ("/users/xd.nom/grants", {"role": "reviewer", "unit_id": world.u("nt")})):
        assert client.post(path, data=form_data(client, data)).status_code == 403, path
    assert head(client) == position


# -- creating a user, the first sign-in --------------------------------------------------------


def test_a_new_user_must_set_her_own_password_at_her_first_sign_in(client, world):
    signed_in(client, "hn.admin")
    temporary = create(client, world, "thu.pham", "xd", role="reviewer", chair="1",
                       full_name="Phạm Thị Thu")
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", temporary)
    record = client.get("/users/thu.pham")
    assert "Chủ tịch Hội đồng TĐKT — Hội LHPN phường Xuân Đỉnh" in main_text(record)
    assert temporary not in record.text  # shown once, never again

    with other_browser(client) as her:
        # the API refuses the temporary password: no token until it is changed
        refused(her.post("/api/auth/token", json={"username": "thu.pham",
                                                  "password": temporary}),
                401, "auth.password_change_required")
        answer = page_login(her, "thu.pham", temporary)
        assert answer.status_code == 303 and answer.headers["location"] == "/password?next=/"
        # no session: every other page goes to the sign-in form
        assert her.get("/nominations", follow_redirects=False).headers["location"].startswith(
            "/login")
        form = her.get("/password")
        assert form.status_code == 200 and "mật khẩu tạm thời" in main_text(form)
        assert 'name="old_password"' not in form.text
        mismatch = her.post("/password", data=form_data(her, {
            "new_password": "rieng-cua-thu-1", "new_password_again": "rieng-cua-thu-2"}))
        assert mismatch.status_code == 422 and "không giống nhau" in main_text(mismatch)
        same = her.post("/password", data=form_data(her, {
            "new_password": temporary, "new_password_again": temporary}))
        assert same.status_code == 422 and "khác mật khẩu hiện tại" in main_text(same)
        short = her.post("/password", data=form_data(her, {
            "new_password": "ngan", "new_password_again": "ngan"}))
        assert short.status_code == 422 and "ít nhất 8 ký tự" in main_text(short)
        done = her.post("/password", data=form_data(her, {
            "new_password": "rieng-cua-thu-1", "new_password_again": "rieng-cua-thu-1",
            "next": "/"}), follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/"
        home = her.get("/")
        assert home.status_code == 200 and "Phạm Thị Thu" in home.text
        # the step cannot be replayed: the record changed
        again = her.post("/password", data=form_data(her, {
            "new_password": "lan-thu-hai-99", "new_password_again": "lan-thu-hai-99"}))
        assert again.status_code == 422  # she is signed in now: her own form, old one needed
    ok(client.post("/api/auth/token", json={"username": "thu.pham",
                                            "password": "rieng-cua-thu-1"}))
    client.cookies.clear()
    signed_in(client, "hn.admin")
    assert "Đang hoạt động" in main_text(client.get("/users/thu.pham"))


def test_the_change_step_expires_and_cannot_be_forged(client, world):
    signed_in(client, "hn.admin")
    temporary = create(client, world, "ha.le", "xd")
    with other_browser(client) as her:
        assert page_login(her, "ha.le", temporary).status_code == 303
        cookie = her.cookies.get("tdkt_password_change")
        assert cookie
        with other_browser(client) as thief:  # a tampered or made-up cookie is no step
            thief.cookies.set("tdkt_password_change", cookie[:-2] + "xx", path="/password")
            assert thief.get("/password", follow_redirects=False).status_code == 303
        # the admin sets another temporary password meanwhile: the step is worth nothing
        client.post("/users/ha.le/password-reset", data=form_data(client, {
            "password_mode": "set", "password": "tam-thoi-moi-2"}))
        late = her.post("/password", data=form_data(her, {
            "new_password": "cua-ha-le-123", "new_password_again": "cua-ha-le-123"}))
        assert late.status_code == 401 and "Bước đổi mật khẩu đã hết hạn" in main_text(late)
        first_sign_in(her, "ha.le", "tam-thoi-moi-2", "cua-ha-le-123")


def test_the_new_user_form_says_what_is_wrong_and_records_nothing(client, world):
    signed_in(client, "hn.admin")
    position = head(client)
    page = client.post("/users/new", data=form_data(client, {
        "username": "Có Dấu!", "full_name": "", "home_unit_id": "", "password_mode": "set",
        "password": "ngan"}))
    assert page.status_code == 422
    text = main_text(page)
    for message in ("tên đăng nhập gồm 2–50 ký tự", "Cần họ và tên.",
                    "Cần chọn đơn vị của người dùng.", "Mật khẩu tạm thời cần ít nhất 8 ký tự."):
        assert message in text
    assert 'href="#username"' in page.text and "validation.invalid" not in page.text
    outside = client.post("/users/new", data=form_data(client, {
        "username": "ngoai.pham.vi", "full_name": "Ngoài phạm vi",
        "home_unit_id": world.u("nt"), "password_mode": "generate"}))
    assert outside.status_code == 403 and "ngoài phạm vi quản lý" in main_text(outside)
    assert 'value="ngoai.pham.vi"' in outside.text  # what was typed is kept
    taken = client.post("/users/new", data=form_data(client, {
        "username": "xd.nom", "full_name": "Trùng", "home_unit_id": world.u("xd"),
        "password_mode": "generate"}))
    assert taken.status_code == 409 and "đã được dùng" in main_text(taken)
    junk = client.post("/users/new", data=form_data(client, {
        "username": "rac.rac", "full_name": "Rác", "home_unit_id": "rác",
        "password_mode": "generate", "role": "vua", "grant_unit_id": world.u("xd")}))
    assert junk.status_code == 422
    chair = client.post("/users/new", data=form_data(client, {
        "username": "chu.tich", "full_name": "Chủ tịch", "home_unit_id": world.u("xd"),
        "password_mode": "generate", "role": "nominator", "grant_unit_id": world.u("xd"),
        "chair": "1"}))
    assert chair.status_code == 422 and "Chủ tịch Hội đồng" in main_text(chair)
    assert head(client) == position


# -- roles and home unit -----------------------------------------------------------------------


def test_roles_are_given_and_taken_back_after_a_confirmation(client, world):
    signed_in(client, "hn.admin")
    create(client, world, "mai.do", "xd")
    given = client.post("/users/mai.do/grants", data=form_data(client, {
        "role": "reviewer", "unit_id": world.u("btl"), "chair": "1"}))
    assert given.status_code == 200 and "Đã giao vai trò." in main_text(given)
    assert "Chủ tịch Hội đồng TĐKT — Hội LHPN quận Bắc Từ Liêm" in main_text(given)
    wrong = client.post("/users/mai.do/grants", data=form_data(client, {
        "role": "approver", "unit_id": world.u("xd"), "chair": "1"}))
    assert wrong.status_code == 422 and "chỉ thành viên Hội đồng" in main_text(wrong)
    beyond = client.post("/users/mai.do/grants", data=form_data(client, {
        "role": "approver", "unit_id": world.u("root")}))
    assert beyond.status_code == 403

    path = f"/users/mai.do/grants/remove?role=reviewer&unit_id={world.u('btl')}"
    assert path in unescape(given.text)
    position = head(client)
    check = client.get(path)
    assert check.status_code == 200 and "Điều sẽ xảy ra" in main_text(check)
    assert head(client) == position  # the confirmation records nothing
    removed = client.post("/users/mai.do/grants/remove", data=form_data(client, {
        "role": "reviewer", "unit_id": world.u("btl")}))
    assert removed.status_code == 200 and "Đã thu hồi vai trò." in main_text(removed)
    assert "Chủ tịch Hội đồng TĐKT — Hội LHPN quận Bắc Từ Liêm" not in main_text(removed)
    gone = client.get(path)
    assert gone.status_code == 422 and "không giữ vai trò này" in main_text(gone)

    moved = client.post("/users/mai.do/home-unit", data=form_data(client, {
        "home_unit_id": world.u("cn1")}))
    assert moved.status_code == 200 and "Đã đổi đơn vị" in main_text(moved)
    user = ok(client.get("/api/users/mai.do", headers=world.h("hn.admin")))
    assert user["home_unit_id"] == world.u("cn1")


def test_a_grant_that_would_withdraw_credentials_says_so_first(client, world):
    """Hà Nội's admin set her password; the centre's admin gives her a role at the root, which
    Hà Nội's admin does not cover: her password is withdrawn — the page says so and asks."""
    signed_in(client, "hn.admin")
    create(client, world, "van.tran", "xd", password="tam-thoi-123")
    client.cookies.clear()
    signed_in(client, "admin")
    position = head(client)
    check = client.post("/users/van.tran/grants", data=form_data(client, {
        "role": "reviewer", "unit_id": world.u("root")}))
    assert check.status_code == 200
    assert "Mật khẩu do hn.admin đặt" in main_text(check) and head(client) == position
    done = client.post("/users/van.tran/grants", data=form_data(client, {
        "role": "reviewer", "unit_id": world.u("root"), "confirmed": "1"}))
    assert done.status_code == 200 and "Đã giao vai trò." in main_text(done)
    assert "chưa có (không đăng nhập bằng mật khẩu được)" in main_text(done)


# -- temporary passwords, sessions, tokens -------------------------------------------------


def test_a_reset_ends_her_sessions_and_she_must_change_it(client, world):
    signed_in(client, "hn.admin")
    create(client, world, "hoa.vu", "xd", password="tam-thoi-123")
    with other_browser(client) as her:
        first_sign_in(her, "hoa.vu", "tam-thoi-123", "cua-hoa-vu-1")
        assert her.get("/nominations").status_code == 200
        form = client.get("/users/hoa.vu/password-reset")
        assert "1 phiên đăng nhập đang mở sẽ kết thúc ngay" in main_text(form)
        short = client.post("/users/hoa.vu/password-reset", data=form_data(client, {
            "password_mode": "set", "password": "ngan"}))
        assert short.status_code == 422 and "ít nhất 8 ký tự" in main_text(short)
        done = client.post("/users/hoa.vu/password-reset", data=form_data(client, {
            "password_mode": "generate"}))
        assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
        assert "1 phiên đăng nhập đã kết thúc" in main_text(done)
        temporary = re.search(r"<code>([^<]+)</code>", done.text).group(1)
        gone = her.get("/nominations", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
        assert page_login(her, "hoa.vu", "cua-hoa-vu-1").status_code == 401  # old password
        first_sign_in(her, "hoa.vu", temporary, "cua-hoa-vu-2")
    # an admin does not reset her own password: she changes it herself
    assert client.get("/users/hn.admin/password-reset").status_code == 403
    assert "Đặt lại mật khẩu" not in main_text(client.get("/users/hn.admin"))


def test_sessions_are_listed_with_who_and_when_and_revoking_one_ends_it(client, world):
    signed_in(client, "hn.admin")
    create(client, world, "lien.ngo", "xd", password="tam-thoi-123")
    token = ok(client.post("/api/users/lien.ngo/tokens", json={"label": "máy chấm công"},
                           headers=world.h("hn.admin")), 201)["token"]
    token_id = token.split("_", 3)[2]
    with other_browser(client) as her:
        first_sign_in(her, "lien.ngo", "tam-thoi-123", "cua-lien-ngo-1")
        record = client.get("/users/lien.ngo")
        text = main_text(record)
        assert "Phiên đăng nhập Phiên đăng nhập" in text  # kind, label
        assert "Mã truy cập API máy chấm công" in text and "hn.admin" in text
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d lien\.ngo", text)  # issued when, by whom
        api = ok(client.get("/api/users/lien.ngo/tokens", headers=world.h("hn.admin")))
        [session] = [t for t in api["items"] if t["kind"] == "session" and not t["revoked"]]
        assert session["issued_by"] == "lien.ngo" and session["issued_at"]
        path = f"/users/lien.ngo/tokens/{session['id']}/revoke"
        assert path in record.text
        position = head(client)
        check = client.get(path)
        assert check.status_code == 200 and "Kết thúc phiên đăng nhập" in main_text(check)
        assert head(client) == position
        ended = client.post(path, data=form_data(client))
        assert ended.status_code == 200 and "Đã kết thúc phiên đăng nhập" in main_text(ended)
        back = her.get("/", follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"].startswith("/login")
        # the program's token is another thing: still good, until revoked in turn
        assert ok(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}))
        client.post(f"/users/lien.ngo/tokens/{token_id}/revoke", data=form_data(client))
        err(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert client.get("/users/lien.ngo/tokens/nope/revoke").status_code == 422


# -- locking an account --------------------------------------------------------------------------


def test_a_locked_account_cannot_sign_in_and_her_sessions_end(client, world):
    signed_in(client, "hn.admin")
    create(client, world, "nga.bui", "xd", password="tam-thoi-123")
    token = ok(client.post("/api/users/nga.bui/tokens", json={"label": "chương trình"},
                           headers=world.h("hn.admin")), 201)["token"]
    with other_browser(client) as her:
        first_sign_in(her, "nga.bui", "tam-thoi-123", "cua-nga-bui-1")
        form = client.get("/users/nga.bui/deactivate")
        assert form.status_code == 200 and "2 phiên đăng nhập và mã truy cập" in main_text(form)
        no_reason = client.post("/users/nga.bui/deactivate",
                                data=form_data(client, {"reason": "  "}))
        assert no_reason.status_code == 422 and "cần ghi lý do" in main_text(no_reason)
        locked = client.post("/users/nga.bui/deactivate", data=form_data(client, {
            "reason": "Nghỉ hưu từ 01/7/2024"}))
        assert locked.status_code == 200
        text = main_text(locked)
        assert "Đã khóa tài khoản." in text and "Lý do: Nghỉ hưu từ 01/7/2024" in text
        assert her.get("/", follow_redirects=False).status_code == 303
        err(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)
        page = page_login(her, "nga.bui", "cua-nga-bui-1")
        assert page.status_code == 401 and "đã bị khóa" in main_text(page)
        refused(her.post("/api/auth/token", json={"username": "nga.bui",
                                                  "password": "cua-nga-bui-1"}),
                401, "auth.account_deactivated")
        assert "Đã khóa" in main_text(client.get("/users", params={"q": "nga"}))
        again = client.post("/users/nga.bui/deactivate", data=form_data(client, {
            "reason": "lần nữa"}))
        assert again.status_code == 409 and "đã bị khóa từ trước" in main_text(again)

        reopened = client.post("/users/nga.bui/reactivate", data=form_data(client))
        assert reopened.status_code == 200 and "Đã mở lại tài khoản." in main_text(reopened)
        signed_in(her, "nga.bui", "cua-nga-bui-1")
        err(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)
    # not on oneself
    assert client.get("/users/hn.admin/deactivate").status_code == 403
    assert client.post("/users/hn.admin/deactivate", data=form_data(client, {
        "reason": "thử"})).status_code == 403


# -- one's own password --------------------------------------------------------------------------


def test_a_user_changes_her_own_password(client, world):
    assert client.get("/password", follow_redirects=False).headers["location"] == (
        "/login?next=/password")
    signed_in(client, "xd.nom")
    form = client.get("/password")
    assert form.status_code == 200 and 'name="old_password"' in form.text
    wrong = client.post("/password", data=form_data(client, {
        "old_password": "sai-mat-khau", "new_password": "moi-cua-toi-1",
        "new_password_again": "moi-cua-toi-1"}))
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in main_text(wrong)
    done = client.post("/password", data=form_data(client, {
        "old_password": PASSWORD, "new_password": "moi-cua-toi-1",
        "new_password_again": "moi-cua-toi-1"}))
    assert done.status_code == 200 and "Đã đổi mật khẩu." in main_text(done)
    assert client.get("/").status_code == 200  # still signed in
    client.cookies.clear()
    assert page_login(client, "xd.nom", PASSWORD).status_code == 401
    signed_in(client, "xd.nom", "moi-cua-toi-1")
    own = client.get("/users/xd.nom")  # her own record: her sessions, no admin action
    assert own.status_code == 200 and "Khóa tài khoản" not in own.text
    assert client.get("/users/xd.chair").status_code == 403


def test_odd_addresses_and_forms_never_fail_the_server(client, world):
    signed_in(client, "hn.admin")
    for path in ("/users/%00", "/users/A%CC%81", "/users/khong.co.ai", "/users/x" * 3,
                 "/users/xd.nom/grants/remove?role=&unit_id=zzz",
                 "/users/xd.nom/grants/remove", "/users/xd.nom/tokens/%20/revoke",
                 "/users?unit_id=00000000-0000-0000-0000-000000000000", "/users?q=%25_"):
        assert client.get(path).status_code < 500, path
    for path, data in (("/users/xd.nom/grants", {"role": "", "unit_id": ""}),
                       ("/users/xd.nom/grants", {"role": "vua", "unit_id": world.u("xd")}),
                       ("/users/xd.nom/home-unit", {"home_unit_id": "zzz"}),
                       ("/users/xd.nom/grants/remove", {}),
                       ("/users/khong.co.ai/deactivate", {"reason": "x"}),
                       ("/users/xd.nom/reactivate", {})):
        answer = client.post(path, data=form_data(client, data))
        assert 400 <= answer.status_code < 500, (path, answer.status_code)


def test_the_pages_hold_the_same_bounds_as_the_api_and_record_nothing_beyond(client, world):
    """A full name, a reason or a password longer than the API takes is refused by the pages
    too (the bounds are the domain's), and nothing is recorded."""
    signed_in(client, "hn.admin")
    create(client, world, "lan.vu", "xd", password="tam-thoi-123")
    position = head(client)
    long_name = client.post("/users/new", data=form_data(client, {
        "username": "ten.dai", "full_name": "a" * 301, "home_unit_id": world.u("xd"),
        "password_mode": "generate", "role": "nominator", "grant_unit_id": world.u("xd")}))
    assert long_name.status_code == 422 and "dài quá 300 ký tự" in main_text(long_name)
    long_password = client.post("/users/new", data=form_data(client, {
        "username": "mat.khau.dai", "full_name": "Mật khẩu dài", "home_unit_id": world.u("xd"),
        "password_mode": "set", "password": "p" * 501}))
    assert long_password.status_code == 422
    long_reason = client.post("/users/lan.vu/deactivate",
                              data=form_data(client, {"reason": "r" * 2001}))
    assert long_reason.status_code == 422 and "dài quá 2000 ký tự" in main_text(long_reason)
    reset = client.post("/users/lan.vu/password-reset", data=form_data(client, {
        "password_mode": "set", "password": "p" * 501}))
    assert reset.status_code == 422
    assert head(client) == position
    # the API says the same of the same values
    refused(client.post("/api/users", json={"username": "ten.dai", "full_name": "a" * 301,
                                            "home_unit_id": world.u("xd")},
                        headers=world.h("hn.admin")), 422, "validation.invalid")


def test_the_way_back_from_the_password_page_stays_on_this_site(client, world):
    signed_in(client, "xd.nom")
    for target in ("/%5Cevil.example", "/%09/evil.example", "//evil.example",
                   "https://evil.example", "/%0A/evil.example"):
        page = client.get(f"/password?next={target}")
        assert page.status_code == 200
        assert "evil.example" not in page.text, target
    kept = client.get("/password?next=/registry%3Fq%3Dlan")
    assert 'href="/registry?q=lan"' in kept.text
    login = client.get("/login?next=/%5Cevil.example")
    assert "evil.example" not in login.text


# -- the JSON API of the same capabilities -------------------------------------------------------


def test_the_api_resets_locks_unlocks_and_lists_tokens(client, world):
    admin = world.h("hn.admin")
    ok(client.post("/api/users", headers=admin, json={
        "username": "api.user", "full_name": "Người dùng API", "password": PASSWORD,
        "home_unit_id": world.u("xd")}), 201)
    client.cookies.clear()
    ok(client.post("/api/auth/token", json={"username": "api.user", "password": PASSWORD}))
    client.cookies.clear()
    reset = ok(client.post("/api/users/api.user/password-reset", headers=admin, json={}))
    assert reset["status"] == "must_change_password" and len(reset["sessions_ended"]) == 1
    temporary = reset["password"]
    refused(client.post("/api/auth/token", json={"username": "api.user",
                                                 "password": temporary}),
            401, "auth.password_change_required")
    refused(client.post("/api/auth/password", json={
        "username": "api.user", "old_password": "sai-mat-khau", "new_password": "moi-moi-123"}),
        422, "user.wrong_password")
    refused(client.post("/api/auth/password", json={
        "username": "api.user", "old_password": temporary, "new_password": temporary}),
        422, "validation.invalid")
    changed = ok(client.post("/api/auth/password", json={
        "username": "api.user", "old_password": temporary, "new_password": "moi-moi-123"}))
    assert changed["changed"] is True
    client.cookies.clear()
    ok(client.post("/api/auth/token", json={"username": "api.user", "password": "moi-moi-123"}))
    client.cookies.clear()

    typed = ok(client.post("/api/users/api.user/password-reset", headers=admin,
                           json={"password": "tam-thoi-456"}))
    assert "password" not in typed
    tokens = ok(client.get("/api/users/api.user/tokens", headers=admin))["items"]
    assert all(t["revoked"] for t in tokens if t["kind"] == "session")
    assert {t["revoked_by"] for t in tokens if t["kind"] == "session"} == {"hn.admin"}

    locked = ok(client.post("/api/users/api.user/deactivate", headers=admin,
                            json={"reason": "Chuyển công tác"}))
    assert locked["status"] == "deactivated" and locked["deactivation"]["by"] == "hn.admin"
    refused(client.post("/api/users/api.user/deactivate", headers=admin,
                        json={"reason": "lần nữa"}), 409, "user.already_deactivated")
    refused(client.post("/api/users/api.user/tokens", headers=admin, json={"label": "x"}),
            409, "user.deactivated")
    refused(client.post("/api/auth/password", json={
        "username": "api.user", "old_password": "tam-thoi-456", "new_password": "khac-khac-1"}),
        409, "user.deactivated")
    unlocked = ok(client.post("/api/users/api.user/reactivate", headers=admin))
    assert unlocked["status"] == "must_change_password" and unlocked["active"] is True
    refused(client.post("/api/users/api.user/reactivate", headers=admin), 409,
            "user.not_deactivated")
    for path, body in (("password-reset", {}), ("deactivate", {"reason": "thử"})):
        refused(client.post(f"/api/users/hn.admin/{path}", headers=admin, json=body), 403,
                "user.not_on_yourself")
    refused(client.post("/api/users/api.user/deactivate", headers=world.h("xd.nom"),
                        json={"reason": "thử"}), 403, "auth.role_required")
    refused(client.get("/api/users/api.user/tokens", headers=world.h("xd.nom")), 403,
            "auth.role_required")
    mine = ok(client.get("/api/users/xd.nom/tokens", headers=world.h("xd.nom")))
    assert mine["items"][0]["kind"] == "api"
