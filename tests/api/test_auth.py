"""Authentication and authorisation through the HTTP API: 401 and 403, tokens, login, token
revocation, roles scoped to a unit's subtree, and read scoping of nomination lists.

Every refusal is checked for its status, machine ``code``, a non-empty Vietnamese ``message``, and
that nothing was recorded (the event-log head and the affected resource are unchanged).
"""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import (
    SESSION_COOKIE,
    case,
    head,
    nomination_body,
    nothing_recorded,
    ok,
    person,
    refused,
)

PASSWORD = "mat-khau-123"  # the world's users' password


# -- helpers -----------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_id(token: str) -> str:
    """A token reads tdkt_<user id hex>_<token id>_<secret>."""
    return token.split("_", 3)[2]


def new_token(client, world, username: str, label: str = "máy tính bảng") -> str:
    out = ok(
        client.post(
            f"/api/users/{username}/tokens", json={"label": label}, headers=world.h(username)
        ),
        201,
    )
    return out["token"]


def draft(flow, user: str, unit: str, name: str) -> str:
    """A draft by ``user`` for ``unit`` whose recipient is ``name``."""
    recipient = person(name=name, unit_id=flow.world.u(unit))
    return flow.draft(unit, by=user, recipient=recipient)["id"]


# -- 401: who are you? -------------------------------------------------------------------------


PROTECTED = [
    ("GET", "/api/me"),
    ("GET", "/api/nominations"),
    ("POST", "/api/nominations"),
    ("GET", "/api/submissions"),
    ("POST", "/api/submissions"),
    ("GET", "/api/decisions"),
    ("POST", "/api/decisions"),
    ("GET", "/api/ceremonies"),
    ("POST", "/api/ceremonies"),
    ("GET", "/api/org-units"),
    ("GET", "/api/org-units/tree"),
    ("POST", "/api/org-units"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("GET", "/api/catalog/award-kinds"),
    ("GET", "/api/catalog/levels"),
    ("GET", "/api/projections"),
]


def test_no_token_is_401(client, world):
    for method, path in PROTECTED:
        with case((method, path)):
            body = {} if method == "POST" else None
            with nothing_recorded(client, world):
                refused(client.request(method, path, json=body), 401, "auth.unauthenticated")


def test_no_token_on_resource_commands(client, world, flow):
    nid = draft(flow, "xd.nom", "xd", "Nguyễn Thị Hồng Nhung")
    paths = ("/api/nominations", f"/api/nominations/{nid}", f"/api/nominations/{nid}/history")
    calls = [
        ("GET", f"/api/nominations/{nid}", None),
        ("GET", f"/api/nominations/{nid}/history", None),
        ("PATCH", f"/api/nominations/{nid}", {"achievement": "Sửa không đăng nhập"}),
        ("POST", f"/api/nominations/{nid}/submit", None),
        ("POST", f"/api/nominations/{nid}/withdraw", None),
        ("POST", f"/api/nominations/{nid}/votes", {"vote": "agree"}),
        ("POST", f"/api/nominations/{nid}/close-review", {"outcome": "recommended"}),
        ("POST", "/api/users/xd.nom/tokens", {}),
        ("POST", "/api/users/xd.nom/password", {"password": "mat-khau-moi-456"}),
    ]
    for method, path, body in calls:
        with nothing_recorded(client, world, *paths):
            refused(client.request(method, path, json=body), 401, "auth.unauthenticated")


def test_unknown_ids_are_401_before_404_without_a_token(client, world):
    # Without a token nobody learns whether an id exists.
    ghost = uuid.uuid4()
    for path in (
        f"/api/nominations/{ghost}",
        f"/api/decisions/{ghost}",
        f"/api/ceremonies/{ghost}",
    ):
        refused(client.get(path), 401, "auth.unauthenticated")


def bad_headers(world) -> list[tuple[str, dict[str, str]]]:
    good = world.tokens["xd.nom"]
    user_hex, tid, secret = good.split("_", 3)[1:]
    other_hex = uuid.uuid4().hex
    member_hex = world.tokens["xd.member"].split("_", 3)[1]
    return [
        ("empty bearer", {"Authorization": "Bearer "}),
        ("bare scheme", {"Authorization": "Bearer"}),
        ("garbage", bearer("garbage")),
        ("wrong prefix", bearer(good.replace("tdkt_", "tdkx_", 1))),
        ("truncated", bearer(f"tdkt_{user_hex}_{tid}")),
        ("bad user hex", bearer(f"tdkt_zz{user_hex[2:]}_{tid}_{secret}")),
        ("wrong secret", bearer(f"tdkt_{user_hex}_{tid}_{secret[:-2]}xx")),
        ("secret with suffix", bearer(good + "x")),
        ("unknown token id", bearer(f"tdkt_{user_hex}_000000000000_{secret}")),
        ("unknown user", bearer(f"tdkt_{other_hex}_{tid}_{secret}")),
        ("another user's id", bearer(f"tdkt_{member_hex}_{tid}_{secret}")),
        ("basic auth", {"Authorization": "Basic eGQubm9tOm1hdC1raGF1LTEyMw=="}),
        ("token scheme", {"Authorization": f"Token {good}"}),
        ("no scheme", {"Authorization": good}),
        ("password as token", bearer(PASSWORD)),
    ]


def test_bad_tokens_are_401(client, world):
    for label, headers in bad_headers(world):
        with nothing_recorded(client, world):
            body = refused(client.get("/api/me", headers=headers), 401, "auth.unauthenticated")
        assert body["details"] == {}, label
        # …and the same on a command: nothing is written.
        with nothing_recorded(client, world, "/api/nominations"):
            refused(
                client.post("/api/nominations", json=nomination_body(world), headers=headers),
                401,
                "auth.unauthenticated",
            )
    # The genuine token, with the scheme in any case, still works.
    good = world.tokens["xd.nom"]
    for scheme in ("Bearer", "bearer", "BEARER"):
        me = ok(client.get("/api/me", headers={"Authorization": f"{scheme} {good}"}))
        assert me["username"] == "xd.nom"


def test_health_needs_no_token_but_reveals_no_data(client, world):
    health = ok(client.get("/api/health"))
    assert set(health) == {"status", "store", "projections", "position"}


# -- login -------------------------------------------------------------------------------------


def test_login_with_a_wrong_password(client, world):
    with nothing_recorded(client, world, "/api/users/xd.nom"):
        wrong = refused(
            client.post("/api/auth/token", json={"username": "xd.nom", "password": "sai-mat-khau"}),
            401,
            "auth.bad_credentials",
        )
    assert SESSION_COOKIE not in client.cookies
    # An unknown user gets the very same answer: logins do not reveal who exists.
    for username in ("khong.co.ai", "x", "Ông Ba", "a" * 51, ""):
        with nothing_recorded(client, world):
            unknown = refused(
                client.post("/api/auth/token", json={"username": username, "password": PASSWORD}),
                401,
                "auth.bad_credentials",
            )
        assert unknown["message"] == wrong["message"]
    assert SESSION_COOKIE not in client.cookies


def test_login_of_a_user_without_password(client, world):
    ok(
        client.post(
            "/api/users",
            json={"username": "chua.co.mk", "full_name": "Chưa có mật khẩu",
                  "home_unit_id": world.u("root")},
            headers=world.h("admin"),
        ),
        201,
    )
    for password in ("", PASSWORD):
        with nothing_recorded(client, world, "/api/users/chua.co.mk"):
            refused(
                client.post(
                    "/api/auth/token", json={"username": "chua.co.mk", "password": password}
                ),
                401,
                "auth.bad_credentials",
            )


CASES_MALFORMED_LOGINS = [
    {},
    {"username": "xd.nom"},
    {"password": PASSWORD},
    {"username": "xd.nom", "password": 12345678},
    {"username": ["xd.nom"], "password": PASSWORD},
    {"username": "xd.nom", "password": PASSWORD, "remember": True},
    {"username": "xd.nom", "password": "x" * 501},
]


def test_malformed_logins(client, world):
    for body in CASES_MALFORMED_LOGINS:
        with case(body), nothing_recorded(client, world, "/api/users/xd.nom"):
            refused(client.post("/api/auth/token", json=body), 422, "validation.invalid")


def test_login_gives_a_working_token_and_cookie(client, world):
    before = head(client)
    out = ok(client.post("/api/auth/token", json={"username": "XD.NOM", "password": PASSWORD}))
    assert out["username"] == "xd.nom" and out["token_type"] == "bearer"
    assert head(client) == before + 1  # the token was recorded (as a hash)
    assert ok(client.get("/api/me", headers=bearer(out["token"])))["username"] == "xd.nom"
    assert ok(client.get("/api/me"))["username"] == "xd.nom"  # through the cookie
    # A bad header is not rescued by a good cookie.
    refused(client.get("/api/me", headers=bearer("garbage")), 401, "auth.unauthenticated")
    client.cookies.clear()
    refused(client.get("/api/me"), 401, "auth.unauthenticated")


# -- tokens and their revocation ---------------------------------------------------------------


def test_revoked_token_is_refused_at_once(client, world):
    token = new_token(client, world, "xd.nom")
    assert ok(client.get("/api/me", headers=bearer(token)))["username"] == "xd.nom"  # remembered
    ok(client.delete(f"/api/users/xd.nom/tokens/{token_id(token)}", headers=world.h("xd.nom")))
    with nothing_recorded(client, world, "/api/nominations", "/api/users/xd.nom"):
        refused(client.get("/api/me", headers=bearer(token)), 401, "auth.unauthenticated")
        refused(
            client.post("/api/nominations", json=nomination_body(world), headers=bearer(token)),
            401,
            "auth.unauthenticated",
        )
        refused(client.get("/api/nominations", headers=bearer(token)), 401, "auth.unauthenticated")
    # Her other token is untouched.
    assert ok(client.get("/api/me", headers=world.h("xd.nom")))["username"] == "xd.nom"
    tokens = {
        t["id"]: t["revoked"]
        for t in ok(client.get("/api/me", headers=world.h("xd.nom")))["tokens"]
    }
    assert tokens[token_id(token)] is True
    assert tokens[token_id(world.tokens["xd.nom"])] is False


def test_revoking_the_token_in_use(client, world):
    token = new_token(client, world, "xd.member")
    ok(client.delete(f"/api/users/xd.member/tokens/{token_id(token)}", headers=bearer(token)))
    with nothing_recorded(client, world, "/api/users/xd.member"):
        refused(
            client.delete(f"/api/users/xd.member/tokens/{token_id(token)}", headers=bearer(token)),
            401,
            "auth.unauthenticated",
        )


def test_revoked_login_cookie_is_refused(client, world):
    out = ok(client.post("/api/auth/token", json={"username": "xd.nom", "password": PASSWORD}))
    assert ok(client.get("/api/me"))["username"] == "xd.nom"
    ok(
        client.delete(
            f"/api/users/xd.nom/tokens/{token_id(out['token'])}", headers=world.h("xd.nom")
        )
    )
    refused(client.get("/api/me"), 401, "auth.unauthenticated")


def test_admin_revokes_a_token_in_her_subtree(client, world):
    token = new_token(client, world, "xd.nom")
    ok(client.delete(f"/api/users/xd.nom/tokens/{token_id(token)}", headers=world.h("hn.admin")))
    refused(client.get("/api/me", headers=bearer(token)), 401, "auth.unauthenticated")


CASES_TOKENS_OF_OTHERS_ARE_OUT_OF_REACH = [
    ("xd.nom", "xd.member", "auth.role_required"),
    ("xd.chair", "xd.nom", "auth.role_required"),
    ("tw.appr", "xd.nom", "auth.role_required"),
    ("hn.admin", "nt.nom", "auth.outside_scope"),
    ("hn.admin", "tw.chair", "auth.outside_scope"),
    ("hn.admin", "admin", "auth.outside_scope"),
]


def test_tokens_of_others_are_out_of_reach(client, world):
    for actor, owner, code in CASES_TOKENS_OF_OTHERS_ARE_OUT_OF_REACH:
        with case((actor, owner, code)):
            victim = world.tokens[owner]
            with nothing_recorded(client, world, f"/api/users/{owner}"):
                refused(
                    client.delete(
                        f"/api/users/{owner}/tokens/{token_id(victim)}", headers=world.h(actor)
                    ),
                    403,
                    code,
                )
                refused(
                    client.post(
                        f"/api/users/{owner}/tokens",
                        json={"label": "lấy hộ"},
                        headers=world.h(actor),
                    ),
                    403,
                    code,
                )
                refused(
                    client.post(
                        f"/api/users/{owner}/password",
                        json={"password": "mat-khau-moi-456"},
                        headers=world.h(actor),
                    ),
                    403,
                    code,
                )
            assert ok(client.get("/api/me", headers=bearer(victim)))["username"] == owner
            ok(client.post("/api/auth/token", json={"username": owner, "password": PASSWORD}))


def test_tokens_of_an_unknown_user(client, world):
    with nothing_recorded(client, world):
        refused(
            client.post("/api/users/khong.co.ai/tokens", json={}, headers=world.h("admin")),
            404,
            "user.not_found",
        )
        refused(
            client.delete("/api/users/khong.co.ai/tokens/abc", headers=world.h("admin")),
            404,
            "user.not_found",
        )


# -- roles are scoped to a unit and its subtree ------------------------------------------------


CASES_WARD_NOMINATOR_ACTS_ONLY_IN_HER_WARD = [
    ("xd", True),
    ("cn1", False),
    ("btl", False),
    ("hanoi", False),
    ("root", False),
    ("nt", False),
]


def test_ward_nominator_acts_only_in_her_ward(client, world, flow):
    for unit, allowed in CASES_WARD_NOMINATOR_ACTS_ONLY_IN_HER_WARD:
        with case((unit, allowed)):
            if allowed:
                flow.draft(unit, by="xd.nom")
                continue
            with nothing_recorded(client, world, "/api/nominations"):
                flow.draft(unit, by="xd.nom", expect=403, code="auth.outside_scope")


def test_district_nominator_covers_the_wards_below(client, world, flow):
    ok(
        client.post(
            "/api/users",
            json={
                "username": "btl.nom",
                "full_name": "Người đề nghị quận",
                "password": PASSWORD,
                "grants": [{"role": "nominator", "unit_id": world.u("btl")}],
            },
            headers=world.h("hn.admin"),
        ),
        201,
    )
    token = ok(client.post("/api/auth/token", json={"username": "btl.nom", "password": PASSWORD}))[
        "token"
    ]
    client.cookies.clear()
    for unit in ("btl", "xd", "cn1"):
        flow.draft(unit, by=bearer(token))
    for unit in ("hanoi", "root", "backan", "nt"):
        with nothing_recorded(client, world, "/api/nominations"):
            flow.draft(unit, by=bearer(token), expect=403, code="auth.outside_scope")


def test_a_removed_role_takes_effect_at_once(client, world, flow):
    ok(
        client.delete(
            "/api/users/xd.nom/grants",
            params={"role": "nominator", "unit_id": world.u("xd")},
            headers=world.h("hn.admin"),
        )
    )
    with nothing_recorded(client, world, "/api/nominations"):
        flow.draft(expect=403, code="auth.role_required")
    # She is still who she is (the token is valid), with no grants left and nothing to read.
    me = ok(client.get("/api/me", headers=world.h("xd.nom")))
    assert me["grants"] == []
    assert ok(client.get("/api/nominations", headers=world.h("xd.nom")))["total"] == 0


CASES_ADMIN_ROLE_IS_SCOPED_TO_THE_SUBTREE = [
    ("hn.admin", "btl", 201, None),
    ("hn.admin", "hanoi", 201, None),
    ("hn.admin", "backan", 403, "auth.outside_scope"),
    ("hn.admin", "root", 403, "auth.outside_scope"),
    ("xd.nom", "xd", 403, "auth.role_required"),
    ("tw.appr", "xd", 403, "auth.role_required"),
    ("hn.chair", "hanoi", 403, "auth.role_required"),
]


def test_admin_role_is_scoped_to_the_subtree(client, world):
    for user, parent, status, code in CASES_ADMIN_ROLE_IS_SCOPED_TO_THE_SUBTREE:
        with case((user, parent, status, code)):
            level = {
                "btl": "commune",
                "hanoi": "district",
                "backan": "district",
                "root": "province",
            }.get(parent, "branch")
            body = {
                "name": "Đơn vị mới",
                "level": level,
                "parent_id": world.u(parent),
                "established_on": "2024-05-01",
            }
            if code is None:
                ok(client.post("/api/org-units", json=body, headers=world.h(user)), status)
                continue
            with nothing_recorded(
                client, world, "/api/org-units", f"/api/org-units/{world.u(parent)}"
            ):
                refused(
                    client.post("/api/org-units", json=body, headers=world.h(user)), status, code
                )


def test_user_administration_is_scoped(client, world):
    # hn.admin may grant roles in Hà Nội only.
    new_user = {
        "username": "bk.nom",
        "full_name": "Người đề nghị Bắc Kạn",
        "password": PASSWORD,
        "grants": [{"role": "nominator", "unit_id": world.u("nt")}],
    }
    with nothing_recorded(client, world, "/api/users"):
        refused(
            client.post("/api/users", json=new_user, headers=world.h("hn.admin")),
            403,
            "auth.outside_scope",
        )
    refused(client.get("/api/users/bk.nom", headers=world.h("admin")), 404, "user.not_found")
    with nothing_recorded(client, world, "/api/users", "/api/users/xd.member"):
        refused(
            client.post(
                "/api/users/xd.member/grants",
                json={"role": "admin", "unit_id": world.u("root")},
                headers=world.h("hn.admin"),
            ),
            403,
            "auth.outside_scope",
        )
        refused(
            client.post(
                "/api/users/xd.member/grants",
                json={"role": "nominator", "unit_id": world.u("xd")},
                headers=world.h("xd.chair"),
            ),
            403,
            "auth.role_required",
        )
        refused(
            client.delete(
                "/api/users/nt.nom/grants",
                params={"role": "nominator", "unit_id": world.u("nt")},
                headers=world.h("hn.admin"),
            ),
            403,
            "auth.outside_scope",
        )
    # Nobody grants herself more than she administers.
    with nothing_recorded(client, world, "/api/users/hn.admin"):
        refused(
            client.post(
                "/api/users/hn.admin/grants",
                json={"role": "admin", "unit_id": world.u("root")},
                headers=world.h("hn.admin"),
            ),
            403,
            "auth.outside_scope",
        )
    with nothing_recorded(client, world, "/api/users"):
        refused(
            client.post(
                "/api/users",
                json={**new_user, "username": "xd.nom", "grants": [],
                      "home_unit_id": world.u("hanoi")},
                headers=world.h("hn.admin"),
            ),
            409,
            "user.username_taken",
        )


CASES_READING_USERS_NEEDS_AN_ADMIN_ROLE = ["xd.nom", "xd.chair", "btl.appr", "tw.appr"]


def test_reading_users_needs_an_admin_role(client, world):
    for user in CASES_READING_USERS_NEEDS_AN_ADMIN_ROLE:
        with case(user):
            refused(client.get("/api/users", headers=world.h(user)), 403, "auth.role_required")
            other = "hn.member" if user != "hn.member" else "xd.nom"
            refused(
                client.get(f"/api/users/{other}", headers=world.h(user)), 403, "auth.role_required"
            )
            assert ok(client.get(f"/api/users/{user}", headers=world.h(user)))["username"] == user


def test_approver_scope_for_decisions(client, world):
    def decision(unit: str, number: str) -> dict:
        return {
            "number": number,
            "decided_on": "2024-01-05",
            "issuer": {"unit_id": world.u(unit)},
            "lines": [
                {
                    "recipient": {"kind": "individual", "name": "Lê Thị Mai", "birth_year": 1975},
                    "award_kind": "chien_si_thi_dua_co_so",
                    "period": number,
                }
            ],
        }

    for user, unit in (("btl.appr", "hanoi"), ("btl.appr", "root"), ("hn.appr", "backan")):
        with nothing_recorded(client, world, "/api/decisions"):
            refused(
                client.post("/api/decisions", json=decision(unit, "1/QĐ"), headers=world.h(user)),
                403,
                "auth.outside_scope",
            )
    # The city office may act for a district below it; the centre for anyone.
    ok(client.post("/api/decisions", json=decision("btl", "2/QĐ"), headers=world.h("hn.appr")), 201)
    ok(
        client.post("/api/decisions", json=decision("hanoi", "3/QĐ"), headers=world.h("tw.appr")),
        201,
    )


# -- read scoping of nominations ---------------------------------------------------------------


@pytest.fixture
def spread(flow):
    """Two nominations in phường Xuân Đỉnh (Hà Nội), one in xã Nông Thượng (Bắc Kạn)."""
    ids = {
        "xd1": draft(flow, "xd.nom", "xd", "Nguyễn Thị Hồng Nhung"),
        "xd2": draft(flow, "xd.nom", "xd", "Lê Thị Mai"),
        "nt1": draft(flow, "nt.nom", "nt", "Hoàng Thị Sáu"),
    }
    flow.submit(ids["xd2"])
    return ids


CASES_NOMINATION_LISTS_ARE_SCOPED_TO_THE_READERS_SUBTREE = [
    ("xd.nom", {"xd1", "xd2"}),
    ("xd.member", {"xd1", "xd2"}),
    ("btl.appr", {"xd1", "xd2"}),
    ("btl.chair", {"xd1", "xd2"}),
    ("hn.member", {"xd1", "xd2"}),
    ("hn.admin", {"xd1", "xd2"}),
    ("nt.nom", {"nt1"}),
    ("tw.chair", {"xd1", "xd2", "nt1"}),
    ("tw.appr", {"xd1", "xd2", "nt1"}),
    ("admin", {"xd1", "xd2", "nt1"}),
]


def test_nomination_lists_are_scoped_to_the_readers_subtree(client, world, spread):
    for user, visible in CASES_NOMINATION_LISTS_ARE_SCOPED_TO_THE_READERS_SUBTREE:
        with case((user, visible)):
            listed = ok(client.get("/api/nominations", headers=world.h(user)))
            names = {v: k for k, v in spread.items()}
            assert {names[n["nomination_id"]] for n in listed["items"]} == visible
            assert listed["total"] == len(visible)
            # Filters cannot widen the scope.
            for params in (
                {"proposing_unit_id": world.u("nt")},
                {"proposing_unit_id": world.u("xd")},
                {"q": "Hoang Thi Sau"},
                {"q": "Nguyen Thi Hong Nhung"},
                {"status": "draft"},
            ):
                filtered = ok(client.get("/api/nominations", params=params, headers=world.h(user)))
                assert {names[n["nomination_id"]] for n in filtered["items"]} <= visible, params
            # Each visible nomination can be opened, each other one is refused.
            for key, nid in spread.items():
                if key in visible:
                    assert (
                        ok(client.get(f"/api/nominations/{nid}", headers=world.h(user)))["id"]
                        == nid
                    )
                    ok(client.get(f"/api/nominations/{nid}/history", headers=world.h(user)))
                else:
                    for suffix in ("", "/history"):
                        refused(
                            client.get(f"/api/nominations/{nid}{suffix}", headers=world.h(user)),
                            403,
                            "auth.outside_scope",
                        )


def test_sister_ward_sees_nothing_of_xuan_dinh(client, world, flow, spread):
    ok(
        client.post(
            "/api/users",
            json={
                "username": "cn1.chair",
                "full_name": "Chủ tịch Hội đồng Cổ Nhuế 1",
                "grants": [{"role": "reviewer", "unit_id": world.u("cn1"), "chair": True}],
            },
            headers=world.h("hn.admin"),
        ),
        201,
    )
    token = ok(
        client.post("/api/users/cn1.chair/tokens", json={}, headers=world.h("hn.admin")), 201
    )["token"]
    assert ok(client.get("/api/nominations", headers=bearer(token)))["total"] == 0
    for nid in spread.values():
        refused(
            client.get(f"/api/nominations/{nid}", headers=bearer(token)), 403, "auth.outside_scope"
        )
    # A chair, but of another council: she may not vote on or close Xuân Đỉnh's review.
    nid = spread["xd2"]
    with nothing_recorded(client, world, f"/api/nominations/{nid}"):
        flow.vote(nid, by=bearer(token), expect=403, code="review.not_council_member")
        flow.close(
            nid,
            by=bearer(token),
            outcome="rejected",
            reason="Không rõ",
            expect=403,
            code="review.not_chair",
        )


def test_forwarded_nomination_stays_readable_below_and_becomes_visible_above(
    client, world, flow, spread
):
    nid = spread["xd2"]
    out = flow.recommend(nid, by="xd.chair")
    assert out["review_unit_id"] == world.u("btl")
    queue = ok(
        client.get(
            "/api/nominations",
            params={"review_unit_id": world.u("btl"), "status": "under_review"},
            headers=world.h("btl.chair"),
        )
    )
    assert [n["nomination_id"] for n in queue["items"]] == [nid]
    for user in ("xd.nom", "xd.member"):
        assert (
            ok(client.get(f"/api/nominations/{nid}", headers=world.h(user)))["status"]
            == "under_review"
        )
    # Still nothing for Bắc Kạn.
    refused(
        client.get(f"/api/nominations/{nid}", headers=world.h("nt.nom")), 403, "auth.outside_scope"
    )
    bk = ok(
        client.get(
            "/api/nominations", params={"review_unit_id": world.u("btl")}, headers=world.h("nt.nom")
        )
    )
    assert bk["total"] == 0


def test_submission_lists_are_scoped(client, world):
    candidate = nomination_body(world)
    del candidate["proposing_unit_id"]
    filed = ok(
        client.post(
            "/api/submissions",
            json={"proposing_unit_id": world.u("xd"), "candidates": [candidate]},
            headers=world.h("xd.nom"),
        ),
        201,
    )
    assert [
        s["submission_id"]
        for s in ok(client.get("/api/submissions", headers=world.h("hn.member")))["items"]
    ] == [filed["id"]]
    assert ok(client.get("/api/submissions", headers=world.h("nt.nom")))["total"] == 0
    refused(
        client.get(f"/api/submissions/{filed['id']}", headers=world.h("nt.nom")),
        403,
        "auth.outside_scope",
    )
    assert (
        ok(client.get(f"/api/submissions/{filed['id']}", headers=world.h("btl.appr")))["id"]
        == filed["id"]
    )


def test_credentials_follow_the_grants_no_admin_keeps_a_role_beyond_her_reach(client, world):
    """Reproduced from outside: a province admin took a token for a new user, the root admin
    then made that user an approver at the root, and the province admin's token issued a
    central decision. Now the token (and the password she set) go when the grant comes."""
    hn, admin = world.h("hn.admin"), world.h("admin")
    ok(client.post("/api/users", headers=hn, json={
        "username": "nguoi.moi", "full_name": "Người mới", "home_unit_id": world.u("hanoi")}), 201)
    ok(client.post("/api/users/nguoi.moi/password", headers=hn, json={"password": PASSWORD}))
    taken = ok(client.post("/api/users/nguoi.moi/tokens", headers=hn, json={}), 201)["token"]
    own = ok(client.post("/api/auth/token",
                         json={"username": "nguoi.moi", "password": PASSWORD}))["token"]
    client.cookies.clear()
    assert ok(client.get("/api/me", headers=bearer(taken)))["username"] == "nguoi.moi"

    granted = ok(client.post("/api/users/nguoi.moi/grants", headers=admin,
                             json={"role": "approver", "unit_id": world.u("root")}))
    assert granted["has_password"] is False  # the password hn.admin set is withdrawn
    refused(client.get("/api/me", headers=bearer(taken)), 401, "auth.unauthenticated")
    refused(client.post("/api/decisions", headers=bearer(taken), json={
        "number": "1/QĐ-ĐCT", "decided_on": "2024-05-01", "issuer": {"unit_id": world.u("root")},
        "signer": {"name": "X"}, "award_kind": "bang_khen_tw_hoi", "lines": []}), 401,
        "auth.unauthenticated")
    assert ok(client.get("/api/me", headers=bearer(own)))["username"] == "nguoi.moi"  # hers
    with nothing_recorded(client, world, "/api/users/nguoi.moi"):
        refused(client.post("/api/users/nguoi.moi/tokens", headers=hn, json={}), 403,
                "auth.outside_scope")
        refused(client.post("/api/users/nguoi.moi/password", headers=hn,
                            json={"password": "mat-khau-moi-1"}), 403, "auth.outside_scope")
    # an admin who covers every unit of hers still manages her credentials
    ok(client.post("/api/users/nguoi.moi/password", headers=admin, json={"password": PASSWORD}))


def test_a_grant_within_the_givers_reach_keeps_the_credentials(client, world):
    hn = world.h("hn.admin")
    ok(client.post("/api/users", headers=hn, json={
        "username": "can.bo", "full_name": "Cán bộ", "password": PASSWORD,
        "home_unit_id": world.u("btl")}), 201)
    token = ok(client.post("/api/users/can.bo/tokens", headers=hn, json={}), 201)["token"]
    shown = ok(client.post("/api/users/can.bo/grants", headers=hn,
                           json={"role": "nominator", "unit_id": world.u("xd")}))
    assert shown["has_password"] is True and shown["home_unit_id"] == world.u("btl")
    assert ok(client.get("/api/me", headers=bearer(token)))["username"] == "can.bo"


def test_every_user_has_a_home_unit_within_the_admins_reach(client, world):
    hn = world.h("hn.admin")
    with nothing_recorded(client, world):
        refused(client.post("/api/users", headers=hn, json={
            "username": "khong.don.vi", "full_name": "Không đơn vị"}), 422, "validation.invalid")
        refused(client.post("/api/users", headers=hn, json={
            "username": "ngoai.pham.vi", "full_name": "Ngoài phạm vi",
            "home_unit_id": world.u("nt")}), 403, "auth.outside_scope")
    moved = ok(client.put("/api/users/xd.nom/home-unit", headers=hn,
                          json={"unit_id": world.u("cn1")}))
    assert moved["home_unit_id"] == world.u("cn1")
    refused(client.put("/api/users/xd.nom/home-unit", headers=hn,
                       json={"unit_id": world.u("nt")}), 403, "auth.outside_scope")


def test_the_user_directory_is_scoped_to_the_admins_subtree(client, world):
    listed = ok(client.get("/api/users", params={"limit": 500}, headers=world.h("hn.admin")))
    names = {u["username"] for u in listed["items"]}
    assert listed["total"] == len(names)
    assert {"hn.chair", "hn.appr", "btl.appr", "xd.nom", "xd.member"} <= names
    assert not names & {"admin", "tw.chair", "tw.appr", "nt.nom"}
    everyone = ok(client.get("/api/users", params={"limit": 500}, headers=world.h("admin")))
    assert {"admin", "nt.nom", "xd.nom"} <= {u["username"] for u in everyone["items"]}
    ok(client.get("/api/users/xd.nom", headers=world.h("hn.admin")))
    for outside in ("nt.nom", "tw.appr", "admin"):
        with case(outside):
            refused(client.get(f"/api/users/{outside}", headers=world.h("hn.admin")), 403,
                    "auth.outside_scope")


def test_a_decision_names_recipients_of_its_own_system_only(client, world):
    """Reproduced: a Hà Nội approver decided for a recipient in Bắc Kạn → 201. The Union's own
    decision covers the issuing unit's subtree; an outside body's decision recorded by a unit
    covers that unit's subtree (the office records what is presented to its own members)."""

    def line(unit: str, name: str = "Hoàng Thị Mai") -> dict:
        return {"recipient": {"kind": "individual", "name": name, "birth_year": 1978,
                              "unit_id": world.u(unit)}, "period": "2023"}

    union = {"number": "5/QĐ-HPN", "decided_on": "2024-05-01", "award_kind": "giay_khen_hoi",
             "issuer": {"unit_id": world.u("hanoi")}, "signer": {"name": "Lê Thị Hương"}}
    outside = {"number": "7/QĐ-UBND", "decided_on": "2024-05-01",
               "award_kind": "bang_khen_ubnd_tinh", "recorded_by_unit_id": world.u("hanoi"),
               "issuer": {"body": "government", "level": "province", "name": "UBND TP Hà Nội"},
               "signer": {"name": "Trần Sỹ Thanh"}}
    for body in (union, outside):
        with case(body["number"]), nothing_recorded(client, world):
            found = refused(client.post("/api/decisions", headers=world.h("hn.appr"), json={
                **body, "lines": [line("xd", "Đỗ Thị Hạnh"), line("nt")]}), 403,
                "decision.recipient_outside_scope")
            assert found["details"]["line_no"] == 2 and "Hoàng Thị Mai" in found["message"]
        with case(body["number"]):
            ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
                **body, "lines": [line("xd", "Đỗ Thị Hạnh"), line("cn1", "Lê Thị Ánh")]}), 201)
    # the centre decides for anyone in the Union
    ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
        **union, "number": "9/QĐ-ĐCT", "award_kind": "bang_khen_tw_hoi",
        "issuer": {"unit_id": world.u("root")}, "lines": [line("nt"), line("xd", "Vũ Lan")]}),
        201)
