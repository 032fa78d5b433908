"""The money schedule pages, on both stores, as people use them: everyone signed in reads the
base salaries, the decree tables (sources, "chưa được xác minh") and their history; the root
admin records a new base salary after a review, and withdraws one recorded by mistake (a reason,
a confirmation); a unit's office records its own rates after a review. Refusals (the API's
permissions: the same service methods) and bad input record nothing; no input is a 500."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.api.test_page_labels import unlabelled
from tests.helpers import case, head, ok
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login
from tests.helpers import page_text as text

TODAY = date(2026, 12, 3)
NEW_BASE = {"amount": "2.700.000", "effective_from": "01/01/2027",
            "legal_basis": "Nghị định 999/2026/NĐ-CP (thử)", "note": "Báo Lao Động, 20/11/2026"}


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = TODAY


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found.group(1) if found else None


def bases(client, world) -> list[dict]:
    return ok(client.get("/api/schedules", headers=world.h("admin")))["base_salaries"]


def calc(client, **params) -> str:
    page = client.get("/calculator", params=params)
    assert page.status_code == 200, page.text
    return text(page.text)


# -- reading ----------------------------------------------------------------------------------


def test_everyone_signed_in_reads_the_schedules_their_sources_and_history(client, world):
    stranger = client.get("/schedules", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"] == "/login?next=/schedules"

    login(client, "xd.nom")
    page = client.get("/schedules")
    assert page.status_code == 200
    shown = text(page.text)
    # base salaries over time: amount, from date, decree, source; the one in force today
    assert "2.530.000 đ" in shown and "01/07/2026" in shown and "Nghị định 161/2026/NĐ-CP" in shown
    assert "1.300.000 đ" in shown and "Nguồn thứ cấp: báo Lao Động" in shown
    assert re.search(r"01/07/2026 đang áp dụng", shown)
    # the decree tables: coefficient, collective / household factors, source, verified or not
    for title in ("Nghị định 91/2017/NĐ-CP", "Nghị định 98/2023/NĐ-CP",
                  "Nghị định 152/2025/NĐ-CP"):
        assert title in shown
    assert "Bằng khen cấp bộ, ban, ngành, tỉnh 1,5 2 × mức cá nhân 1,5 × mức cá nhân" in shown
    assert "NĐ 152/2025 Điều 54 khoản 1" in shown
    assert "chưa được xác minh" in shown and "hệ số nhân hộ gia đình" in shown
    assert "đã xác minh" in shown
    # the history: who, when, what, why
    assert "Nạp biểu mức của bản phát hành" in shown and "Hệ thống" in shown
    assert "Bản phát hành 2026-12" in shown
    # links: the calculator and the issuers' rates; no action she may not take
    assert 'href="/calculator"' in page.text and 'href="/schedules/internal-rates"' in page.text
    assert 'href="/schedules/differences"' not in page.text
    assert "/schedules/base-salary/new" not in page.text
    assert "/schedules/base-salary/withdraw" not in page.text
    assert 'href="/schedules"' in client.get("/calculator").text

    login(client, "tw.appr")  # the awards office: the differences report, no schedule change
    page = client.get("/schedules").text
    assert 'href="/schedules/differences"' in page and "/schedules/base-salary/new" not in page
    assert client.get("/schedules/differences").status_code == 200

    login(client, "admin")
    page = client.get("/schedules").text
    assert 'href="/schedules/base-salary/new"' in page
    assert 'href="/schedules/base-salary/withdraw?effective_from=2026-07-01"' in page


# -- a new base salary --------------------------------------------------------------------------


def test_the_root_admin_records_a_base_salary_after_a_review(client, world):
    login(client, "admin")
    form = client.get("/schedules/base-salary/new")
    assert form.status_code == 200 and 'action="/schedules/base-salary/check"' in form.text

    position = head(client)
    check = post(client, "/schedules/base-salary/check", NEW_BASE)
    assert check.status_code == 200, check.text
    shown = text(check.text)
    assert "Kiểm tra trước khi ghi mức lương cơ sở" in shown
    assert "2.700.000 đ" in shown and "Hai triệu bảy trăm nghìn đồng" in shown
    assert "thay cho 2.530.000 đ (mức từ 01/07/2026" in shown
    # the example: the central Union's Bằng khen, 1,5 × base, before and after
    assert "3.800.000 đ → 4.050.000 đ" in shown
    assert "chưa được xác minh" in shown
    assert head(client) == position, "the review recorded something"
    assert field_value(check.text, "effective_from") == "01/01/2027"
    assert "/schedules/base-salary/new?" in check.text  # "Sửa lại" keeps what was typed
    again = client.get("/schedules/base-salary/new?amount=2.700.000&effective_from=01%2F01%2F2027")
    assert field_value(again.text, "amount") == "2.700.000"

    version = field_value(check.text, "version")
    done = post(client, "/schedules/base-salary", {**NEW_BASE, "version": version})
    assert done.status_code == 303 and done.headers["location"] == "/schedules?recorded=2027-01-01"
    page = text(client.get(done.headers["location"]).text)
    assert "Đã ghi mức lương cơ sở 2.700.000 đ từ ngày 01/01/2027." in page
    assert re.search(r"01/01/2027 sắp áp dụng 2\.700\.000 đ Nghị định 999/2026/NĐ-CP", page)
    assert "Ghi mức lương cơ sở Từ 01/01/2027: 2.700.000 đ" in page  # the history: what
    assert "Báo Lao Động, 20/11/2026" in page  # why (the source)
    last = bases(client, world)[-1]
    assert (last["effective_from"], last["amount"], last["verified"]) == ("2027-01-01",
                                                                          2_700_000, False)
    history = ok(client.get("/api/schedules/history", headers=world.h("admin")))["events"]
    assert history[-1]["event"] == "LegalSchedule.BaseSalarySet" and history[-1]["by"] == "admin"

    # the calculator uses it from its date, and the old one before it
    after = calc(client, award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                 on="15/01/2027", issuer_unit_id=world.u("root"))
    assert "4.050.000 đ" in after and "1,5 × 2.700.000 đ" in after
    assert "mức lương cơ sở 2.700.000 đ từ 01/01/2027" in after
    before = calc(client, award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                  on="2026-12-31", issuer_unit_id=world.u("root"))
    assert "3.800.000 đ" in before

    # the same figures again: nothing to record, said so, no button
    same = post(client, "/schedules/base-salary/check", NEW_BASE)
    assert same.status_code == 200 and "không có gì để ghi" in same.text
    assert 'action="/schedules/base-salary"' not in same.text

    # a review made before someone else's change: 409 on confirmation, nothing recorded
    position = head(client)
    stale = post(client, "/schedules/base-salary",
                 {**NEW_BASE, "amount": "2.800.000", "version": version})
    assert stale.status_code == 409 and "thay đổi đồng thời" in stale.text
    assert field_value(stale.text, "amount") == "2.800.000"
    assert head(client) == position


REFUSED = ["hn.admin", "tw.appr", "xd.nom", "tw.chair"]


def test_who_may_not_change_the_legal_schedule_is_refused_and_nothing_is_recorded(client,
                                                                                  world):
    for user in REFUSED:
        with case(user):
            login(client, user)
            position = head(client)
            for method, path, data in (
                ("get", "/schedules/base-salary/new", None),
                ("post", "/schedules/base-salary/check", NEW_BASE),
                ("post", "/schedules/base-salary", NEW_BASE),
                ("post", "/schedules/base-salary", {}),  # a refusal before the form is read
                ("get", "/schedules/base-salary/withdraw?effective_from=2026-07-01", None),
                ("post", "/schedules/base-salary/withdraw",
                 {"effective_from": "2026-07-01", "reason": "nhầm"}),
            ):
                answer = (client.get(path) if method == "get" else post(client, path, data))
                assert answer.status_code == 403, (path, answer.status_code)
                assert "Không thực hiện được" in answer.text, path
                assert "auth." not in answer.text
            assert head(client) == position
    assert [b["amount"] for b in bases(client, world)][-1] == 2_530_000


BAD_BASES = [  # (field changed, value, what the page says)
    ("amount", "", "Cần nhập mức lương cơ sở"),
    ("amount", "hai triệu", "phải là số nguyên đồng"),
    ("amount", "-2.700.000", "không được âm"),
    ("amount", "0", "phải lớn hơn 0 đ"),
    ("amount", "2,5", "phải là số nguyên đồng"),
    ("amount", "2.700.000,50", "phải là số nguyên đồng"),
    ("amount", "1.000.000.000", "dưới 1 tỷ đồng"),
    ("amount", "9" * 40, "phải là số nguyên đồng"),
    ("amount", "२७००००", "phải là số nguyên đồng"),
    ("effective_from", "", "Cần ngày bắt đầu áp dụng"),
    ("effective_from", "31/02/2027", "không phải ngày có thật"),
    ("effective_from", "2027-13-01", "không phải ngày có thật"),
    ("effective_from", "01/01/1800", "1900"),
    ("effective_from", "ngày mai", "không phải ngày có thật"),
    ("legal_basis", "", "Cần căn cứ pháp lý"),
    ("legal_basis", " \u200b\u200e ", "Cần căn cứ pháp lý"),
    ("legal_basis", "N" * 301, "dài quá 300 ký tự"),
    ("note", "x" * 2001, "dài quá 2.000 ký tự"),
]


def test_bad_base_salaries_come_back_on_the_form_and_record_nothing(client, world):
    login(client, "admin")
    position = head(client)
    for name, value, said in BAD_BASES:
        with case((name, value[:20])):
            for path in ("/schedules/base-salary/check", "/schedules/base-salary"):
                answer = post(client, path, {**NEW_BASE, name: value})
                assert answer.status_code == 422, (path, answer.status_code, answer.text[:300])
                assert said in answer.text, path
                assert 'class="error error-summary"' in answer.text
                assert f'href="#{name}"' in answer.text  # the summary links to the field
                assert 'aria-invalid="true"' in answer.text
                if len(value) < 40 and value.strip():
                    assert field_value(answer.text, name) is not None  # what was typed is kept
    # fields missing altogether, a version that is not a number: no 500
    assert post(client, "/schedules/base-salary/check", {}).status_code == 422
    answer = post(client, "/schedules/base-salary", {**NEW_BASE, "version": "x" * 50})
    assert answer.status_code == 303  # an unreadable version is no version: recorded
    assert head(client) > position


# -- withdrawing a base salary recorded by mistake ----------------------------------------------


def test_a_base_salary_recorded_by_mistake_is_withdrawn_with_a_reason(client, world):
    login(client, "admin")
    version = field_value(post(client, "/schedules/base-salary/check", NEW_BASE).text, "version")
    assert post(client, "/schedules/base-salary",
                {**NEW_BASE, "version": version}).status_code == 303

    page = client.get("/schedules/base-salary/withdraw", params={"effective_from": "2027-01-01"})
    assert page.status_code == 200
    shown = text(page.text)
    assert "Rút mức lương cơ sở từ ngày 01/01/2027?" in shown
    assert "dùng lại mức 2.530.000 đ (từ 01/07/2026" in shown
    assert "Các quyết định đã ghi giữ nguyên số tiền đã ghi" in shown
    version = field_value(page.text, "version")

    position = head(client)
    for reason in ("", "   ", "\u200b"):
        answer = post(client, "/schedules/base-salary/withdraw",
                      {"effective_from": "2027-01-01", "reason": reason, "version": version})
        assert answer.status_code == 422 and "Cần ghi rõ lý do" in answer.text
        assert 'href="#reason"' in answer.text
    for day in ("2027-01-02", "32/01/2027", "", "x" * 100):
        with case(day):
            answer = post(client, "/schedules/base-salary/withdraw",
                          {"effective_from": day, "reason": "nhầm", "version": version})
            assert answer.status_code == 422, answer.text[:300]
            assert client.get("/schedules/base-salary/withdraw",
                              params={"effective_from": day}).status_code == 422
    assert head(client) == position

    done = post(client, "/schedules/base-salary/withdraw",
                {"effective_from": "2027-01-01", "reason": "Ghi nhầm: nghị định chưa ban hành",
                 "version": version})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/schedules?withdrawn=2027-01-01"
    page = text(client.get(done.headers["location"]).text)
    assert "Đã rút mức lương cơ sở từ ngày 01/01/2027." in page
    assert "Rút mức lương cơ sở Mức từ 01/01/2027 Ghi nhầm: nghị định chưa ban hành" in page
    assert [b["effective_from"] for b in bases(client, world)][-1] == "2026-07-01"
    assert "3.800.000 đ" in calc(client, award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                                 on="15/01/2027", issuer_unit_id=world.u("root"))
    # confirming again (a second tab): the row is gone, nothing recorded
    position = head(client)
    again = post(client, "/schedules/base-salary/withdraw",
                 {"effective_from": "2027-01-01", "reason": "nhầm", "version": ""})
    assert again.status_code == 422 and head(client) == position


# -- issuers' own rates ---------------------------------------------------------------------------


RATE = {"award_kind": "giay_khen_hoi", "recipient_kind": "collective",
        "effective_from": "01/01/2027", "amount": "600.000",
        "note": "Nghị quyết Ban Thường vụ số 12 (ví dụ)"}


def test_a_unit_s_office_records_its_own_rate_after_a_review(client, world):
    rt = world.rt
    rt.after(rt.app.schedules.set_internal_rate(
        world.actor("btl.appr"), unit_id=world.units["btl"], award_kind="giay_khen_hoi",
        recipient_kind="collective", effective_from=date(2024, 1, 1), amount=500_000,
        note="Quy chế 2024"))
    rate = {**RATE, "unit_id": world.u("btl")}

    login(client, "xd.nom")  # reads any unit's rates; records none
    page = client.get("/schedules/internal-rates", params={"unit_id": world.u("btl")})
    assert page.status_code == 200
    shown = text(page.text)
    assert "Hội LHPN quận Bắc Từ Liêm" in shown and "500.000 đ" in shown
    assert "01/01/2024 đang áp dụng" in shown and "Quy chế 2024" in shown
    assert ("Ghi mức thưởng của đơn vị Giấy khen của Hội Liên hiệp Phụ nữ, tập thể, từ "
            "01/01/2024") in shown
    assert "/schedules/internal-rates/check" not in page.text
    assert client.get("/schedules/internal-rates").status_code == 200

    for user, unit in (("xd.nom", "btl"), ("xd.chair", "btl"), ("btl.appr", "nt"),
                       ("hn.member", "hanoi")):
        with case((user, unit)):
            login(client, user)  # (signing in records a session)
            position = head(client)
            for path in ("/schedules/internal-rates/check", "/schedules/internal-rates"):
                answer = post(client, path, {**rate, "unit_id": world.u(unit)})
                assert answer.status_code == 403, (path, answer.status_code)
                assert "Không thực hiện được" in answer.text
            assert head(client) == position

    login(client, "btl.appr")
    position = head(client)
    page = client.get("/schedules/internal-rates")  # her unit by default
    assert page.status_code == 200 and 'action="/schedules/internal-rates/check"' in page.text
    assert f'value="{world.u("btl")}" selected' in page.text
    for name, value, said in (
        ("amount", "", "Cần nhập mức thưởng"), ("amount", "sáu trăm", "phải là số nguyên đồng"),
        ("amount", "-1", "không được âm"), ("effective_from", "30/02/2027", "không phải ngày"),
        ("effective_from", "", "Cần ngày bắt đầu"),
        ("recipient_kind", "robot", "Cần chọn đối tượng"),
        ("award_kind", "", "Cần chọn hình thức"),
        ("award_kind", "khong_co", "Không có hình thức"),
    ):
        with case((name, value)):
            for path in ("/schedules/internal-rates/check", "/schedules/internal-rates"):
                answer = post(client, path, {**rate, name: value})
                assert answer.status_code == 422, (path, answer.status_code, answer.text[:300])
                assert said.lower() in answer.text.lower(), path
    for unit_id in ("not-an-id", "00000000-0000-4000-8000-000000000000", ""):
        answer = post(client, "/schedules/internal-rates/check", {**rate, "unit_id": unit_id})
        assert answer.status_code == 422
        assert client.get("/schedules/internal-rates",
                          params={"unit_id": unit_id}).status_code in (200, 422)
    assert head(client) == position

    check = post(client, "/schedules/internal-rates/check", rate)
    assert check.status_code == 200, check.text
    shown = text(check.text)
    assert "Kiểm tra trước khi ghi mức thưởng" in shown
    assert "tính 600.000 đ thay cho 500.000 đ (mức từ 01/01/2024)" in shown
    assert "Sáu trăm nghìn đồng" in shown
    assert head(client) == position
    done = post(client, "/schedules/internal-rates", rate)
    assert done.status_code == 303
    page = text(client.get(done.headers["location"]).text)
    assert ("Đã ghi mức thưởng 600.000 đ: Giấy khen của Hội Liên hiệp Phụ nữ, tập thể, từ ngày "
            "01/01/2027.") in page
    assert "01/01/2027 sắp áp dụng 600.000 đ Nghị quyết Ban Thường vụ số 12" in page
    assert "btl.appr" in page  # the history: who
    rates = ok(client.get("/api/schedules/internal-rates", params={"unit_id": world.u("btl")},
                          headers=world.h("btl.appr")))["items"]
    assert sorted(r["amount"] for r in rates) == [500_000, 600_000]

    # a higher unit's admin records for it too; a kind not for that recipient is refused
    login(client, "hn.admin")
    hanoi = {**RATE, "unit_id": world.u("hanoi"), "award_kind": "co_thi_dua_hoi",
             "recipient_kind": "individual"}
    position = head(client)
    refused = post(client, "/schedules/internal-rates/check", hanoi)
    assert refused.status_code == 422 and "không dành cho cá nhân" in refused.text
    assert head(client) == position
    ok_rate = post(client, "/schedules/internal-rates", {**rate, "amount": "650.000"})
    assert ok_rate.status_code == 303


def test_the_calculator_reads_dates_as_offices_write_them(client, world):
    login(client, "xd.nom")
    page = client.get("/calculator")
    assert field_value(page.text, "on") == "03/12/2026"
    shown = calc(client, award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                 on="01/07/2026", issuer_unit_id=world.u("root"))
    assert "3.800.000 đ" in shown and "01/07/2026" in shown
    for bad in ("31/02/2026", "2026-02-31", "hôm nay", "9" * 30):
        with case(bad):
            answer = client.get("/calculator", params={
                "award_kind": "bang_khen_tw_hoi", "recipient_kind": "individual", "on": bad,
                "issuer_unit_id": world.u("root")})
            assert answer.status_code == 422 and "ngày quyết định" in answer.text


def test_every_control_of_the_schedule_pages_has_a_label(client, world):
    login(client, "admin")
    pages = {path: client.get(path).text for path in (
        "/schedules", "/schedules/base-salary/new", "/calculator",
        "/schedules/base-salary/withdraw?effective_from=2026-07-01",
        f"/schedules/internal-rates?unit_id={world.u('root')}")}
    pages["check"] = post(client, "/schedules/base-salary/check", NEW_BASE).text
    pages["bad"] = post(client, "/schedules/base-salary/check", {**NEW_BASE, "amount": ""}).text
    login(client, "btl.appr")
    pages["rates"] = client.get("/schedules/internal-rates").text
    pages["rate-check"] = post(client, "/schedules/internal-rates/check",
                               {**RATE, "unit_id": world.u("btl")}).text
    for name, page in pages.items():
        assert not unlabelled(page), (name, unlabelled(page))
        assert '<html lang="vi">' in page, name
