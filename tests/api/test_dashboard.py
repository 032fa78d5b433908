"""The office's dashboard (/dashboard), on both stores: every figure on it equals what the
registry (and the ceremonies' payouts, and the nominations lists) answer for the same filter —
the expected values are read through those answers, never typed in; who may see which unit;
refused input is a 4xx page, never a 500; the home page's way in; the registry's new filters."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from domain.money import format_dong
from services.authz import SYSTEM
from tests.helpers import ok, page_login, person

BAR = re.compile(r'<a href="(/registry\?[^"]+)" class="bar-link" data-lines="(\d+)"'
                 r' data-amount="(\d*)"')
STAGE_UNIT = re.compile(r'<li data-count="(\d+)"><a href="([^"]+)">')
STAGE = re.compile(r'<section class="card stage" id="stage-(\w+)" data-count="(\d+)"')
FIGURE = re.compile(r'<dd id="sum-(\w+)" data-value="(\d*)"')


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 6, 30)


def login(client, username: str) -> None:
    assert page_login(client, username).status_code == 303


def text(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def api(client, world, path: str, **params) -> dict:
    return ok(client.get(path, params=params, headers=world.h("admin")))


def decide(client, world, user, body) -> dict:
    return ok(client.post("/api/decisions", json=body, headers=world.h(user)), 201)


def pay(client, world, cid: str, body: dict) -> dict:
    return ok(client.post(f"/api/ceremonies/{cid}/payments", json=body,
                          headers=world.h("btl.appr")), 201)


@pytest.fixture
def awards(client, world):
    """Decisions over three years in Hà Nội (collectives, women, men, a person with no gender
    recorded, a household, a line stating no amount), one in Bắc Kạn, a ceremony with payments
    (in full, in part then corrected, beyond the amount, 0 đ signed for, on a line revoked
    since), and an approver of Bắc Kạn."""
    xd, cn1, hanoi, nt = world.u("xd"), world.u("cn1"), world.u("hanoi"), world.u("nt")
    world.rt.app.users.create_user(
        SYSTEM, username="bk.appr", full_name="bk.appr", password="mat-khau-123",
        grants=[{"role": "approver", "unit_id": world.units["backan"], "chair": False}])
    _, world.tokens["bk.appr"] = world.rt.app.users.issue_token(SYSTEM, username="bk.appr")
    nameless = {"kind": "individual", "name": "Vũ Thị Không Ghi", "birth_year": 1970,
                "unit_id": cn1}
    ubnd = decide(client, world, "btl.appr", {
        "number": "35/QĐ-UBND", "decided_on": "2023-12-20", "recorded_by_unit_id": world.u("btl"),
        "issuer": {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
        "award_kind": "giay_khen_ubnd_huyen", "period": "2023",
        "achievement": "Mô hình tuyến phố nở hoa", "lines": [
            {"recipient": {"kind": "collective", "name": "Tổ dân phố số 1", "unit_id": xd},
             "amount": 600_000},
            {"recipient": person("Nguyễn Thị Hồng Nhung", 1980, unit_id=xd), "amount": 300_000},
            {"recipient": person("Trần Văn Nam", 1979, unit_id=xd, gender="male"),
             "amount": 300_000},
            {"recipient": nameless, "amount": 300_000},
            {"recipient": {"kind": "household", "name": "Hộ ông Lê Văn Hòa", "unit_id": cn1},
             "amount": 450_000},
        ]})
    hpn = decide(client, world, "btl.appr", {
        "number": "02/QĐ-HPN", "decided_on": "2024-01-05", "issuer": {"unit_id": world.u("btl")},
        "award_kind": "giay_khen_hoi", "period": "2023", "lines": [
            {"recipient": person("Đỗ Thị Hạnh", 1985, unit_id=cn1), "amount": 200_000},
            {"recipient": person("Phạm Văn Dũng", 1983, unit_id=xd, gender="male"),
             "amount": 200_000},
            {"recipient": {"kind": "collective", "name": "Chi hội phụ nữ số 7", "unit_id": xd}},
        ]})
    hn = decide(client, world, "hn.appr", {
        "number": "11/QĐ-HPN", "decided_on": "2022-11-20", "issuer": {"unit_id": hanoi},
        "award_kind": "bang_khen_hoi_tinh", "period": "2022", "lines": [
            {"recipient": person("Lê Thị Thu", 1975, unit_id=hanoi), "amount": 500_000},
        ]})
    bk = decide(client, world, "bk.appr", {
        "number": "07/QĐ-HPN", "decided_on": "2024-02-01", "issuer": {"unit_id": world.u("backan")},
        "award_kind": "bang_khen_hoi_tinh", "period": "2023", "lines": [
            {"recipient": person("Hoàng Thị Mai", 1978, unit_id=nt), "amount": 500_000},
        ]})
    ceremony = ok(client.post("/api/ceremonies", headers=world.h("btl.appr"), json={
        "title": "Hội nghị tổng kết năm 2023", "held_on": "2024-01-09", "place": "Bắc Từ Liêm",
        "host_unit_id": world.u("btl"), "decision_ids": [ubnd["id"], hpn["id"]]}), 201)
    cid = ceremony["id"]
    pay(client, world, cid, {"decision_id": ubnd["id"], "line_no": 1, "amount": 600_000,
                             "paid_on": "2024-01-09"})
    pay(client, world, cid, {"decision_id": ubnd["id"], "line_no": 2, "amount": 100_000,
                             "paid_on": "2024-01-09"})
    pay(client, world, cid, {"decision_id": ubnd["id"], "line_no": 3, "amount": 300_000,
                             "paid_on": "2024-01-09"})
    pay(client, world, cid, {"decision_id": hpn["id"], "line_no": 1, "amount": 250_000,
                             "paid_on": "2024-01-10", "reason": "Thêm phần quà của Hội"})
    pay(client, world, cid, {"decision_id": hpn["id"], "line_no": 3, "amount": 0,
                             "paid_on": "2024-01-10", "status": "signed"})
    ok(client.post(f"/api/ceremonies/{cid}/payments/2/corrections", headers=world.h("btl.appr"),
                   json={"amount": 150_000, "reason": "Chi thêm phần còn lại một nửa"}))
    ok(client.post(f"/api/decisions/{ubnd['id']}/lines/3/revoke", headers=world.h("btl.appr"),
                   json={"revoked_on": "2024-03-01", "ground": "b",
                         "reason": "Hồ sơ không trung thực"}))
    return {"ubnd": ubnd, "hpn": hpn, "hn": hn, "bk": bk, "ceremony": cid}


def expected_money(client, world, filters: dict, ceremonies: list[str]) -> dict:
    """Committed, paid, outstanding and excess for the registry filter, from the registry's
    lines and the ceremonies' payouts (``domain.payouts`` per line)."""
    lines = api(client, world, "/api/registry", status="all", limit=500, **filters)["items"]
    mine = {(line["decision_id"], line["line_no"]): line for line in lines}
    paid: dict[tuple[str, int], int] = {}
    excess = 0
    for cid in ceremonies:
        for row in api(client, world, f"/api/ceremonies/{cid}/payout")["lines"]:
            key = (row["decision_id"], row["line_no"])
            if key in mine:
                paid[key] = paid.get(key, 0) + row["paid"]
                excess += row["excess"]
    in_force = [k for k, line in mine.items() if line["status"] == "active"]
    committed = [mine[k]["amount"] for k in in_force if mine[k]["amount"] is not None]
    return {
        "committed": sum(committed) if committed else None,
        "paid": sum(paid.get(k, 0) for k in in_force),
        "outstanding": sum(max((mine[k]["amount"] or 0) - paid.get(k, 0), 0) for k in in_force),
        "excess": excess,
    }


@pytest.mark.parametrize("year", [2023, 2024])
def test_every_figure_equals_the_registry_and_the_payouts(client, world, flow, awards, year):
    login(client, "hn.appr")
    page = client.get("/dashboard", params={"year": str(year)})
    assert page.status_code == 200, page.text
    hanoi = world.u("hanoi")

    # each bar: the registry's totals for exactly the bar's link (the API, and the page itself)
    bars = [(unescape(h), int(n), int(a) if a else None) for h, n, a in BAR.findall(page.text)]
    assert len(bars) >= 6 + 3 + 3  # six years, three genders, three recipient kinds at least
    for href, lines, amount in bars:
        params = dict(parse_qsl(urlsplit(href).query))
        assert params["unit_id"] in {hanoi, world.u("btl")}, href
        total = api(client, world, "/api/registry/totals", **params)["total"]
        assert (lines, amount) == (total["lines"], total["amount"]), href
    linked = {frozenset(dict(parse_qsl(urlsplit(h).query)).items()) for h, _, _ in bars}
    assert frozenset({("unit_id", hanoi), ("year", str(year)), ("gender", "female")}) in linked
    assert frozenset({("unit_id", hanoi), ("year", str(year)),
                      ("recipient_kind", "household")}) in linked
    assert frozenset({("unit_id", world.u("btl")), ("year", str(year))}) in linked

    # a bar followed to the registry page: the page's total is the bar's
    href, lines, amount = max(bars, key=lambda b: (b[1], b[2] or 0))
    registry = client.get(href)
    assert registry.status_code == 200
    said = text(registry.text)
    assert f"Danh sách ({lines} dòng)" in said
    assert re.search(rf"Tổng cộng \d+ \d+ {re.escape(format_dong(amount))}", said), said

    # the year's figures
    figures = {name: (int(v) if v else None) for name, v in FIGURE.findall(page.text)}
    by_decision = api(client, world, "/api/registry/totals", unit_id=hanoi, year=year,
                      group_by="decision")
    assert figures["decisions"] == len(by_decision["groups"])
    assert figures["lines"] == by_decision["total"]["lines"]
    money = expected_money(client, world, {"unit_id": hanoi, "year": year},
                           [awards["ceremony"]])
    assert figures["committed"] == money["committed"] == by_decision["total"]["amount"]
    assert (figures["paid"], figures["outstanding"]) == (money["paid"], money["outstanding"])
    assert figures.get("excess", 0) == money["excess"]
    assert money["paid"] > 0 and money["excess"] > 0  # the story pays, and pays too much
    said = text(page.text)
    assert f"Năm {year}" in said and format_dong(money["paid"]) in said
    assert "Hoàng Thị Mai" not in said  # Bắc Kạn's award is not Hà Nội's

    # the registry's own totals for Hà Nội and the year are the sum of the recipient kinds
    kinds = [b for b in bars if "recipient_kind=" in b[0]]
    assert sum(b[1] for b in kinds) == figures["lines"]


def test_files_waiting_by_stage_link_to_lists_of_exactly_them(client, world, flow, clock):
    flow.draft()
    flow.draft(recipient=person("Đinh Thị Lụa", 1990, unit_id=world.u("xd")))
    flow.submitted(recipient=person("Hà Thị Xuân", 1991, unit_id=world.u("xd")))
    flow.forwarded(recipient=person("Cao Thị Đào", 1992, unit_id=world.u("xd")))
    flow.recommended(recipient=person("Mai Thị Sen", 1993, unit_id=world.u("xd")))
    flow.returned(recipient=person("Lý Thị Cúc", 1994, unit_id=world.u("xd")))
    flow.draft("nt")  # Bắc Kạn: not Hà Nội's
    since = min(date.fromisoformat(n["status_since"][:10])
                for n in api(client, world, "/api/nominations", limit=500)["items"])
    clock.today = since + timedelta(days=12)

    login(client, "hn.appr")
    page = client.get("/dashboard", params={"year": "2024"})
    assert page.status_code == 200
    stages = {stage: int(n) for stage, n in STAGE.findall(page.text)}
    assert stages == {"draft": 2, "under_review": 2, "recommended": 1, "returned": 1}
    # each stage's count is what the office's list of nominations says for that status
    for stage, count in stages.items():
        mine = ok(client.get("/api/nominations", params={"status": stage},
                             headers=world.h("hn.appr")))
        assert mine["total"] == count, stage
    # each unit's line links to the list of exactly those files
    links = [(int(n), unescape(h)) for n, h in STAGE_UNIT.findall(page.text)]
    assert sum(n for n, _ in links) == sum(stages.values())
    for count, href in links:
        params = dict(parse_qsl(urlsplit(href).query))
        if href.startswith("/decisions/queue"):
            params = {"status": "recommended", "review_unit_id": params["unit_id"]}
            listed = client.get(href)
            assert listed.status_code == 200 and "Mai Thị Sen" in listed.text
        else:
            listed = client.get(href)
            assert listed.status_code == 200 and f"{count} đề nghị" in text(listed.text)
        assert api(client, world, "/api/nominations", **params)["total"] == count, href
    said = text(page.text)
    assert "lâu nhất 12 ngày" in said
    # the office (approver over the district too) goes to its queue of decisions to make
    assert f"/decisions/queue?unit_id={world.u('btl')}" in page.text

    login(client, "hn.admin")  # an administrator, who decides nothing: the list
    page = client.get("/dashboard")
    assert "/decisions/queue" not in page.text.split("<main>")[1]
    assert f"/nominations?status=recommended&amp;review_unit_id={world.u('btl')}" in page.text


def test_who_may_see_which_unit(client, world, awards):
    hanoi, backan = world.u("hanoi"), world.u("backan")
    login(client, "xd.nom")
    refused = client.get("/dashboard")
    assert refused.status_code == 403 and "Văn phòng / Ban TĐKT hoặc Quản trị" in refused.text
    assert 'href="/dashboard"' not in refused.text  # not in her menu either

    login(client, "bk.appr")
    own = client.get("/dashboard")
    assert own.status_code == 200 and "Hội LHPN tỉnh Bắc Kạn" in own.text
    assert hanoi not in own.text and "Hà Nội" not in text(own.text)  # not offered
    refused = client.get("/dashboard", params={"unit_id": hanoi})
    assert refused.status_code == 403 and "ngoài phạm vi" in refused.text
    assert "Hoàng Thị Mai" not in refused.text

    login(client, "hn.admin")  # an administrator of Hà Nội: its dashboard, and a ward's
    assert client.get("/dashboard").status_code == 200
    ward = client.get("/dashboard", params={"unit_id": world.u("xd"), "year": "2023"})
    assert ward.status_code == 200 and "Hội LHPN phường Xuân Đỉnh" in ward.text
    assert client.get("/dashboard", params={"unit_id": backan}).status_code == 403

    login(client, "tw.appr")  # the centre sees every province; its chooser offers them
    central = client.get("/dashboard", params={"year": "2024"})
    assert central.status_code == 200
    assert f'value="{hanoi}"' in central.text and f'value="{backan}"' in central.text
    assert client.get("/dashboard", params={"unit_id": backan}).status_code == 200


def test_refused_input_is_a_page_never_a_500(client, world):
    login(client, "hn.appr")
    for year in ("abc", "99999", "1800", "２０２４", "-1", "2024.5"):
        page = client.get("/dashboard", params={"year": year})
        assert page.status_code == 422, year
        assert "không hợp lệ" in page.text and 'aria-invalid="true"' in page.text
    for unit, status in (("abc", 422), ("00000000-0000-0000-0000-000000000000", 404),
                         ("'; DROP TABLE x", 422)):
        page = client.get("/dashboard", params={"unit_id": unit})
        assert page.status_code == status, unit
        assert "<h1>" in page.text and "Traceback" not in page.text
    assert client.get("/dashboard", params={"unit_id": " ", "year": " "}).status_code == 200
    for params in ({"gender": "x"}, {"unit_id": "abc"}, {"award_kind": "khong_co"},
                   {"recipient_kind": "robot"},
                   {"unit_id": "00000000-0000-0000-0000-000000000000"}):
        page = client.get("/registry", params=params)
        assert page.status_code == 422, params
    client.cookies.clear()
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_the_registry_keeps_the_new_filters(client, world, awards):
    login(client, "hn.appr")
    hanoi = world.u("hanoi")
    params = {"unit_id": hanoi, "year": "2024", "gender": "male"}
    page = client.get("/registry", params=params)
    assert page.status_code == 200
    said = text(page.text)
    assert "Phạm Văn Dũng" in said and "Đỗ Thị Hạnh" not in said
    assert "Đơn vị: Hội LHPN TP Hà Nội và các đơn vị trực thuộc" in said
    assert "Giới tính: Nam (cá nhân)" in said
    assert f'<input type="hidden" name="unit_id" value="{hanoi}">' in page.text
    assert '<option value="male" selected>' in page.text
    # its export is exactly what is shown
    export = client.get(f"/api/registry/export.csv?unit_id={hanoi}&year=2024&gender=male",
                        headers=world.h("hn.appr"))
    assert export.status_code == 200
    assert "Phạm Văn Dũng" in export.text and "Đỗ Thị Hạnh" not in export.text
    assert "gender=male" in page.text and "export.csv?" in page.text
    # the person with no gender recorded, and a filter dropped by its link
    unknown = text(client.get("/registry", params={**params, "year": "2023",
                                                   "gender": "unknown"}).text)
    assert "Vũ Thị Không Ghi" in unknown and "Nguyễn Thị Hồng Nhung" not in unknown
    revoked = text(client.get("/registry", params={**params, "year": "2023"}).text)
    assert "Danh sách (0 dòng)" in revoked  # the one man of 2023 was revoked
    drop = re.search(r'<a href="([^"]+)">bỏ lọc giới tính</a>', page.text).group(1)
    assert "gender" not in unescape(drop) and "unit_id" in unescape(drop)
    assert client.get("/api/registry/totals", params={"gender": "robot"},
                      headers=world.h("admin")).status_code == 422


def test_the_home_page_leads_the_office_and_the_admin_to_their_pages(client, world):
    login(client, "admin")
    home = client.get("/")
    said = text(home.text)
    assert "Không có hàng đợi nào." in said
    assert 'href="/admin"' in home.text
    assert f'href="/dashboard?unit_id={world.u("root")}"' in home.text
    assert 'href="/nominations/new"' not in home.text  # she does not nominate
    login(client, "hn.appr")
    home = client.get("/")
    assert f'href="/dashboard?unit_id={world.u("hanoi")}"' in home.text
    assert 'href="/admin"' not in home.text.split("<main>")[1]
    assert client.get(f"/dashboard?unit_id={world.u('hanoi')}").status_code == 200
    login(client, "xd.nom")
    home = client.get("/")
    assert "/dashboard" not in home.text and 'href="/nominations/new"' in home.text
