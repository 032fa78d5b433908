"""The pages, driven as a person would: sign in, fill the form, press the buttons."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.helpers import SESSION_COOKIE, err, form_data, nomination_body, ok, page_login

ROOT = Path(__file__).resolve().parents[2]


def login(client, username: str) -> None:
    response = page_login(client, username)
    assert response.status_code == 303, response.text
    assert SESSION_COOKIE in response.cookies or client.cookies.get(SESSION_COOKIE)


def test_pages_need_a_session(client, world):
    response = client.get("/nominations", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    page = client.post("/login", data=form_data(client, {"username": "xd.nom",
                                                         "password": "sai-mat-khau"}))
    assert page.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.text


def test_nominator_drafts_and_submits_through_the_form(client, world):
    login(client, "xd.nom")
    form = client.get("/nominations/new")
    assert form.status_code == 200
    assert "Lập đề nghị khen thưởng" in form.text
    assert world.u("xd") in form.text  # her unit is offered

    response = client.post(
        "/nominations/new",
        data=form_data(client, {
            "proposing_unit_id": world.u("xd"),
            "award_kind": "giay_khen_hoi",
            "award_type": "cong_trang",
            "period": "2023",
            "recipient_kind": "individual",
            "recipient_name": "Phạm Thị Thu Hà",
            "gender": "female",
            "birth_year": "1979",
            "recipient_unit_id": world.u("xd"),
            "achievement": "Vận động 50 hội viên mới",
        }),
        follow_redirects=False,
    )
    assert response.status_code == 303
    nomination_id = response.headers["location"].rsplit("/", 1)[-1]
    page = client.get(f"/nominations/{nomination_id}")
    assert "Phạm Thị Thu Hà" in page.text and "Bản nháp" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)

    submitted = client.post(f"/nominations/{nomination_id}/submit",
                            data=form_data(client, {"version": version}))
    assert submitted.status_code == 200  # followed the redirect back to the page
    assert "Đang xét duyệt" in submitted.text
    api = ok(client.get(f"/api/nominations/{nomination_id}", headers=world.h("xd.nom")))
    assert api["status"] == "under_review"

    # The old form (stale version) and a second submission are refused on the page, with the
    # Vietnamese message and a 409.
    stale = client.post(f"/nominations/{nomination_id}/submit",
                        data=form_data(client, {"version": version}))
    assert stale.status_code == 409
    assert "người khác thay đổi" in stale.text
    current = re.search(r'name="version" value="(\d+)"', submitted.text)
    again = client.post(
        f"/nominations/{nomination_id}/submit",
        data=form_data(client, {"version": current.group(1) if current else str(api["version"])}),
    )
    assert again.status_code == 409
    assert "không thể trình" in again.text


def test_form_errors_are_shown_and_nothing_is_recorded(client, world):
    login(client, "xd.nom")
    head = ok(client.get("/api/health"))["position"]
    response = client.post(
        "/nominations/new",
        data=form_data(client, {
            "proposing_unit_id": world.u("xd"),
            "award_kind": "giay_khen_hoi",
            "period": "2023",
            "recipient_kind": "individual",
            "recipient_name": "",
            "achievement": "x",
        }),
    )
    assert response.status_code == 422
    assert "cần họ tên" in response.text
    bad_year = client.post(
        "/nominations/new",
        data=form_data(client, {
            "proposing_unit_id": world.u("xd"),
            "award_kind": "giay_khen_hoi",
            "period": "2023",
            "recipient_kind": "individual",
            "recipient_name": "Lê Thị Hoa",
            "birth_year": "19x",
            "achievement": "x",
        }),
    )
    assert bad_year.status_code == 422
    outside = client.post(
        "/nominations/new",
        data=form_data(client, {
            "proposing_unit_id": world.u("nt"),
            "award_kind": "giay_khen_hoi",
            "period": "2023",
            "recipient_kind": "individual",
            "recipient_name": "Lê Thị Hoa",
            "achievement": "x",
        }),
    )
    assert outside.status_code == 403
    assert ok(client.get("/api/health"))["position"] == head


def test_council_votes_and_chair_concludes_on_the_page(client, world):
    created = ok(
        client.post("/api/nominations", json=nomination_body(world), headers=world.h("xd.nom")), 201
    )
    ok(client.post(f"/api/nominations/{created['id']}/submit", headers=world.h("xd.nom")))
    login(client, "xd.chair")
    page = client.get(f"/nominations/{created['id']}")
    assert "Bỏ phiếu" in page.text and "Kết luận" in page.text
    voted = client.post(
        f"/nominations/{created['id']}/vote",
        data=form_data(client, {"vote": "agree", "comment": "Đồng ý"}),
    )
    assert voted.status_code == 200 and "Đồng ý: 1" in voted.text
    closed = client.post(f"/nominations/{created['id']}/close",
                         data=form_data(client, {"outcome": "recommended"}))
    assert closed.status_code == 200
    state = ok(client.get(f"/api/nominations/{created['id']}", headers=world.h("xd.nom")))
    assert state["status"] == "under_review" and state["review_unit_id"] == world.u("btl")


def test_reading_pages(client, world):
    login(client, "admin")
    for path in ("/", "/nominations", "/decisions", "/ceremonies", "/org", "/org?as_of=2020-01-01"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="vi">' in response.text
    tree = client.get("/org?as_of=2020-01-01")
    assert "Hội LHPN quận Bắc Từ Liêm" in tree.text and "quận, huyện" in tree.text
    assert client.get("/org?as_of=31-12-2020").status_code == 422
    assert client.get("/decisions/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/nominations/not-an-id").status_code == 422


def test_calculator_page_and_decision_lines_say_how_much_and_why(client, world, clock):
    from datetime import date

    clock.today = date(2025, 8, 1)
    login(client, "xd.nom")
    page = client.get("/calculator", params={"award_kind": "bang_khen_tw_hoi",
                                             "recipient_kind": "collective", "on": "2025-07-01",
                                             "issuer_unit_id": world.u("root")})
    assert page.status_code == 200
    assert "7.020.000 đ" in page.text and "Bảy triệu không trăm hai mươi nghìn đồng" in page.text
    assert "2 × 1,5 × 2.340.000 đ = 7.020.000 đ" in page.text
    outside = client.get("/calculator", params={"award_kind": "giay_khen_ubnd_xa",
                                                "recipient_kind": "individual",
                                                "on": "2024-07-01", "issuer_level": "commune"})
    assert "360.000 đ" in outside.text
    wrong = client.get("/calculator", params={"award_kind": "lao_dong_tien_tien",
                                              "recipient_kind": "collective", "on": "2024-07-01",
                                              "issuer_unit_id": world.u("root")})
    assert wrong.status_code == 422 and "không dành cho tập thể" in wrong.text
    assert "award_kind.recipient_not_allowed" not in wrong.text  # codes are for the JSON API

    dec = ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
        "number": "9/QĐ-ĐCT", "decided_on": "2025-07-15", "issuer": {"unit_id": world.u("root")},
        "lines": [
            {"recipient": {"kind": "individual", "name": "Lò Thị Xuân", "birth_year": 1979},
             "award_kind": "bang_khen_tw_hoi", "period": "2025", "amount_mode": "computed"},
            {"recipient": {"kind": "individual", "name": "Vi Thị Hoa", "birth_year": 1981},
             "award_kind": "bang_khen_tw_hoi", "period": "2025", "amount": 3_000_000},
            {"recipient": {"kind": "individual", "name": "Mã Thị Lan", "birth_year": 1983},
             "award_kind": "bang_khen_tw_hoi", "period": "2025"},
        ]}), 201)
    shown = client.get(f"/decisions/{dec['id']}").text
    assert "1,5 × 2.340.000 đ = 3.510.000 đ" in shown
    assert 'data-code="money.differs_from_rule"' in shown
    assert "1 dòng không ghi số tiền" in shown


def test_registry_page_finds_people_without_diacritics_and_totals_as_of_a_date(client, world,
                                                                               clock):
    from datetime import date

    clock.today = date(2025, 1, 1)
    ok(client.post("/api/decisions", headers=world.h("btl.appr"), json={
        "number": "5/QĐ-HPN", "decided_on": "2024-03-01", "issuer": {"unit_id": world.u("btl")},
        "award_kind": "giay_khen_hoi", "period": "2023",
        "lines": [{"recipient": {"kind": "individual", "name": "Nguyễn Thị Hồng Nhung",
                                 "birth_year": 1980, "unit_id": world.u("xd")},
                   "amount": 300_000}]}), 201)
    login(client, "admin")
    page = client.get("/registry", params={"q": "nguyen thi hong"})
    assert page.status_code == 200
    assert "Nguyễn Thị Hồng Nhung" in page.text and "300.000 đ" in page.text
    assert "Hội LHPN quận Bắc Từ Liêm" in page.text  # the totals, by issuer
    before = client.get("/registry", params={"as_of": "2024-02-01"})
    assert "Nguyễn Thị Hồng Nhung" not in before.text
    assert client.get("/registry", params={"as_of": "2024-02-30"}).status_code == 422
    assert client.get("/registry", params={"year": "abc"}).status_code == 422


def test_the_office_sees_lines_the_schedule_now_computes_otherwise(client, world):
    rt = world.rt
    rt.app.schedules.set_internal_rate(world.actor("hn.appr"), unit_id=world.units["hanoi"],
                             award_kind="bang_khen_hoi_tinh", recipient_kind="individual",
                             effective_from=date(2024, 1, 1), amount=500_000)
    ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "3/QĐ-HPN", "decided_on": "2024-05-01", "amount_mode": "computed",
        "issuer": {"unit_id": world.u("hanoi")}, "signer": {"name": "Lê Thị Hương"},
        "lines": [{"recipient": {"kind": "individual", "name": "Trần Thị Bích", "birth_year": 1975},
                   "award_kind": "bang_khen_hoi_tinh", "period": "2023"}]}), 201)
    login(client, "hn.appr")
    page = client.get("/schedules/differences")
    assert page.status_code == 200 and "0</strong> dòng khác" in page.text
    # the office records that its rate was 600.000 đ from 2024-01-01
    rt.after(rt.app.schedules.set_internal_rate(
        world.actor("hn.appr"), unit_id=world.units["hanoi"], award_kind="bang_khen_hoi_tinh",
        recipient_kind="individual", effective_from=date(2024, 1, 1), amount=600_000))
    page = client.get("/schedules/differences")
    assert "1</strong> dòng khác" in page.text
    assert "Trần Thị Bích" in page.text and "3/QĐ-HPN" in page.text
    assert "500.000 đ" in page.text and "600.000 đ" in page.text and "+100.000 đ" in page.text
    assert 'href="/schedules/differences"' in client.get("/calculator").text

    login(client, "xd.nom")
    refused = client.get("/schedules/differences")
    assert refused.status_code == 403 and "Trần Thị Bích" not in refused.text
    assert 'href="/schedules/differences"' not in client.get("/calculator").text


# -- the pages' machinery: signed-in dependency, the two handlers, modules that import alone ------

SIGNED_IN_PAGES = [
    ("get", "/"),
    ("get", "/nominations"),
    ("get", "/nominations/new"),
    ("post", "/nominations/new"),
    ("get", "/nominations/00000000-0000-0000-0000-000000000000"),
    ("post", "/nominations/00000000-0000-0000-0000-000000000000/submit"),
    ("get", "/decisions"),
    ("get", "/decisions/00000000-0000-0000-0000-000000000000"),
    ("get", "/ceremonies"),
    ("get", "/ceremonies/00000000-0000-0000-0000-000000000000"),
    ("get", "/org"),
    ("get", "/registry"),
    ("get", "/calculator"),
    ("get", "/schedules/differences"),
    ("get", "/certificates/preview?decision_id=00000000-0000-0000-0000-000000000000"),
    ("get", "/personal-data/erase"),
    ("post", "/personal-data/erase/check"),
    ("post", "/personal-data/erase"),
    ("get", "/personal-data/erasures/00000000-0000-0000-0000-000000000000"),
]


def test_every_page_but_the_public_ones_sends_a_stranger_to_the_sign_in_form(client, world):
    for method, path in SIGNED_IN_PAGES:
        # a form carries the browser's CSRF token (without it: 403, tests/api/test_sessions.py)
        extra = {"data": form_data(client)} if method == "post" else {}
        answer = getattr(client, method)(path, follow_redirects=False, **extra)
        assert answer.status_code == 303, (path, answer.status_code, answer.text[:200])
        assert answer.headers["location"] == f"/login?next={path.split('?')[0]}", path
    # a session that no longer signs in is no session; the sign-in form comes back here
    client.cookies.set(SESSION_COOKIE, "khong-con-hieu-luc")
    again = client.get("/decisions/abc", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=/decisions/abc"
    assert client.get("/login").status_code == 200  # public
    assert client.get("/verify/khong-co-ma-nay").status_code == 404  # public, no redirect
    # the API keeps its own answer to the same stranger: 401 in JSON, no redirect
    err(client.get("/api/nominations", follow_redirects=False), 401)


PAGE_REFUSALS = [  # (user, page, status the API gives the same refusal, what the page says)
    ("admin", "/decisions/00000000-0000-0000-0000-000000000000", 404,
     "Không tìm thấy quyết định khen thưởng"),
    ("admin", "/ceremonies/not-an-id", 422, "không hợp lệ"),
    ("admin", "/certificates/preview?decision_id=x", 422, "không hợp lệ"),
    ("admin", "/org?as_of=2020-02-30", 422, ""),
    ("nt.nom", "/nominations/{nid}", 403, ""),
    ("xd.nom", "/schedules/differences", 403, ""),
]


def test_a_refusal_on_a_page_is_the_error_page_with_the_api_s_status(client, world):
    created = ok(client.post("/api/nominations", json=nomination_body(world),
                             headers=world.h("xd.nom")), 201)
    for user, path, status, said in PAGE_REFUSALS:
        login(client, user)
        page = client.get(path.format(nid=created["id"]))
        assert page.status_code == status, (path, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert "Không thực hiện được" in page.text and said in page.text, path
        assert 'action="/logout"' in page.text  # the signed-in user keeps her menu
        message = re.search(r'<div class="error" role="alert">(.*?)</div>', page.text, re.S)
        assert message and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", message.group(1)), path
        assert "auth." not in page.text and "not_found" not in page.text  # codes: for the API


def test_the_api_answers_the_same_refusals_in_json(client, world):
    login(client, "admin")  # the session cookie signs the API in too
    err(client.get("/api/decisions/00000000-0000-0000-0000-000000000000"), 404,
        "decision.not_found")
    created = ok(client.post("/api/nominations", json=nomination_body(world),
                             headers=world.h("xd.nom")), 201)
    err(client.get(f"/api/nominations/{created['id']}", headers=world.h("nt.nom")), 403,
        "auth.outside_scope")


def test_an_action_no_button_sends_is_the_error_page(client, world):
    created = ok(client.post("/api/nominations", json=nomination_body(world),
                             headers=world.h("xd.nom")), 201)
    login(client, "xd.nom")
    page = client.post(f"/nominations/{created['id']}/bay-bong", data=form_data(client))
    assert page.status_code == 422 and "thao tác không hợp lệ" in page.text
    assert "Không thực hiện được" in page.text
    # a refused action that a button sends stays on the nomination, with its message
    refused = client.post(f"/nominations/{created['id']}/close",
                          data=form_data(client, {"outcome": "recommended"}))
    assert refused.status_code == 409, refused.text  # a draft is not under review
    assert "Không thực hiện được" not in refused.text
    assert created["recipient"]["name"] in refused.text


SHARED = ("services/web", "services/http", "services/read_policy.py")


def _modules(*places: str) -> list[Path]:
    return sorted(path for place in places for path in (
        [ROOT / place] if place.endswith(".py") else (ROOT / place).glob("*.py")))


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_each_page_module_imports_alone():
    """No cycle between the pages and the API: each module imports into a fresh ``services``
    (one interpreter; only our modules are imported again)."""
    names = [*(_name(path) for path in _modules(*SHARED)), "services.api"]
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for key in [k for k in sys.modules if k == 'services' or k.startswith('services.')]:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        failed.append(f'{name}: {error!r}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_and_api_import_no_private_names_and_pages_not_the_api():
    """What pages and API share is public (``services.http``, ``services.read_policy``); the
    pages never reach into the API's modules."""
    found = []
    for path in _modules(*SHARED, "services/api"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            if private and node.module != "__future__":
                found.append(f"{_name(path)}: {node.module} {private}")
            if not _name(path).startswith("services.api") and node.module.startswith(
                    "services.api"):
                found.append(f"{_name(path)}: imports {node.module}")
    assert not found, found
