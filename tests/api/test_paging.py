"""Long lists in pages, 50 rows a page (``services.web.paging``), on both stores: the registry,
the nominations, a ceremony's payout lines and payment records. Each page answers its slice,
says which page of how many and how many rows in all, links to the first, previous, next and
last pages with the filters and the search kept, and a page number that is malformed or past
the end is clamped (never a 500)."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.requests import Request

from services.web.paging import MAX_PAGE, PAGE_SIZE, page_number, sliced
from tests.api.test_ceremony_pages import (
    add,
    create,
    login,
    post,
    text,
    ubnd_decision,
    union_decision,
    version_in,
)
from tests.helpers import nomination_body, ok, person

ODD_PAGES = ["abc", "-1", "0", "", "²", "1.5", "1e3", " ", str(10**20)]


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 1, 20)


def pager(page: str, label: str) -> dict[str, dict[str, str]] | None:
    """The pager named ``label`` on the page: its text and its links ({link text: {param:
    value}}), or None when there is none."""
    found = re.search(rf'<nav class="pager" aria-label="{re.escape(label)}">(.*?)</nav>', page,
                      re.S)
    if not found:
        return None
    links = {}
    for href, words in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', found.group(1)):
        parts = urlsplit(html.unescape(href))
        links[words.strip()] = {"path": parts.path, "fragment": parts.fragment,
                                **dict(parse_qsl(parts.query, keep_blank_values=True))}
    said = re.search(r'<p class="pager-where">(.*?)</p>', found.group(1), re.S)
    where = " ".join(re.sub(r"<[^>]+>", " ", said.group(1)).split())
    return {"where": where, "links": links}


def registry_decision(client, world, count: int = 120) -> None:
    """One decision with ``count`` people named "Lê Thị Phân Trang 001…", and one other."""
    lines = [{"recipient": {"kind": "individual", "name": f"Lê Thị Phân Trang {n:03d}",
                            "birth_year": 1980, "unit_id": world.u("xd")}, "amount": 300_000}
             for n in range(1, count + 1)]
    lines.append({"recipient": {"kind": "individual", "name": "Đỗ Thị Khác", "birth_year": 1981,
                                "unit_id": world.u("xd")}, "amount": 300_000})
    ok(client.post("/api/decisions", headers=world.h("btl.appr"), json={
        "number": "7/QĐ-HPN", "decided_on": "2023-12-01", "issuer": {"unit_id": world.u("btl")},
        "award_kind": "giay_khen_hoi", "period": "2023", "lines": lines}), 201)


def names_on(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"Lê Thị Phân Trang (\d{3})", page)]


def test_the_registry_pages_its_lines_keeping_the_search(client, world):
    registry_decision(client, world)
    login(client, "admin")
    first = client.get("/registry", params={"q": "phan trang", "year": "2023"})
    assert first.status_code == 200
    assert "Danh sách (120 dòng)" in first.text
    assert names_on(first.text) == list(range(1, 51))
    shown = pager(first.text, "Các trang của sổ khen thưởng")
    assert shown is not None
    assert shown["where"] == "Trang 1 / 3 · dòng 1–50 trong 120"
    assert set(shown["links"]) == {"Trang sau ›", "Trang cuối »"}  # no previous on the first
    after = shown["links"]["Trang sau ›"]
    assert after == {"path": "/registry", "fragment": "danh-sach", "q": "phan trang",
                     "year": "2023", "page": "2"}
    assert shown["links"]["Trang cuối »"]["page"] == "3"

    second = client.get("/registry", params={"q": "phan trang", "year": "2023", "page": "2"})
    assert names_on(second.text) == list(range(51, 101))
    shown = pager(second.text, "Các trang của sổ khen thưởng")
    assert shown["where"] == "Trang 2 / 3 · dòng 51–100 trong 120"
    assert set(shown["links"]) == {"« Trang đầu", "‹ Trang trước", "Trang sau ›",
                                   "Trang cuối »"}
    assert "page" not in shown["links"]["« Trang đầu"]  # page 1 names no page
    assert shown["links"]["‹ Trang trước"]["q"] == "phan trang"

    last = client.get("/registry", params={"q": "phan trang", "year": "2023", "page": "3"})
    assert names_on(last.text) == list(range(101, 121))
    shown = pager(last.text, "Các trang của sổ khen thưởng")
    assert shown["where"] == "Trang 3 / 3 · dòng 101–120 trong 120"
    assert set(shown["links"]) == {"« Trang đầu", "‹ Trang trước"}

    # past the end: the last page; malformed: the first
    beyond = client.get("/registry", params={"q": "phan trang", "page": "99"})
    assert beyond.status_code == 200 and names_on(beyond.text) == list(range(101, 121))
    for odd in ODD_PAGES:
        answer = client.get("/registry", params={"q": "phan trang", "page": odd})
        assert answer.status_code == 200, odd
        expected = list(range(101, 121)) if odd == str(10**20) else list(range(1, 51))
        assert names_on(answer.text) == expected, odd

    # one page only: no pager
    alone = client.get("/registry", params={"q": "do thi khac"})
    assert "Đỗ Thị Khác" in alone.text
    assert pager(alone.text, "Các trang của sổ khen thưởng") is None


def test_the_nominations_list_pages_keeping_its_filters(client, world):
    for n in range(1, PAGE_SIZE + 6):
        body = nomination_body(world, recipient=person(name=f"Vũ Thị Đề Nghị {n:02d}",
                                                       unit_id=world.u("xd")))
        ok(client.post("/api/nominations", json=body, headers=world.h("xd.nom")), 201)
    login(client, "xd.nom")
    first = client.get("/nominations", params={"status": "draft", "q": "de nghi"})
    assert first.status_code == 200 and "55 đề nghị" in first.text
    rows = re.findall(r'<a href="/nominations/[0-9a-f-]{36}">', first.text)
    assert len(rows) == PAGE_SIZE
    shown = pager(first.text, "Các trang của danh sách đề nghị")
    assert shown["where"] == "Trang 1 / 2 · dòng 1–50 trong 55"
    assert shown["links"]["Trang sau ›"] == {"path": "/nominations", "fragment": "",
                                             "status": "draft", "q": "de nghi", "page": "2"}
    second = client.get("/nominations", params={"status": "draft", "q": "de nghi", "page": "2"})
    assert len(re.findall(r'<a href="/nominations/[0-9a-f-]{36}">', second.text)) == 5
    assert pager(second.text, "Các trang của danh sách đề nghị")["where"] == (
        "Trang 2 / 2 · dòng 51–55 trong 55")
    seen = set(re.findall(r"Vũ Thị Đề Nghị (\d\d)", first.text + second.text))
    assert len(seen) == 55  # every nomination on one of the pages, none twice
    for odd in [*ODD_PAGES, "3", "999999999999"]:
        answer = client.get("/nominations", params={"status": "draft", "page": odd})
        assert answer.status_code == 200, odd
    # a filter that finds fewer: no pager
    few = client.get("/nominations", params={"status": "under_review"})
    assert pager(few.text, "Các trang của danh sách đề nghị") is None


def test_the_payments_page_pages_the_lines_and_records_the_checked_ones(client, world):
    ubnd, union = ubnd_decision(client, world), union_decision(client, world)  # 46 + 94 lines
    login(client, "btl.appr")
    cid = create(client, world)
    add(client, cid, ubnd["id"])
    add(client, cid, union["id"])
    path = f"/ceremonies/{cid}/payments"
    first = client.get(path)
    assert first.status_code == 200
    keys = re.findall(r'name="line" value="([^"]+)"', first.text)
    assert len(keys) == PAGE_SIZE
    label = "Các trang của danh sách chi trả"
    shown = pager(first.text, label)
    assert shown["where"] == "Trang 1 / 3 · dòng 1–50 trong 140"
    assert shown["links"]["Trang sau ›"] == {"path": path, "fragment": "tung-dong", "page": "2"}
    said = text(first.text)
    assert "Tổng cộng cả buổi trao thưởng (49 tập thể, 91 cá nhân)" in said  # the whole ceremony
    assert "Còn phải chi 68.640.000 đ (140 dòng chưa chi đủ)" in said

    third = client.get(path, params={"page": "3"})
    last_keys = re.findall(r'name="line" value="([^"]+)"', third.text)
    assert len(last_keys) == 40 and not set(last_keys) & set(keys)
    numbers = re.findall(r'<td class="num">(\d+)</td>\s*<td>', third.text)
    assert numbers[0] == "101" and numbers[-1] == "140"  # STT goes on across pages

    # two lines checked on page 2: recorded, the records listed below
    second = client.get(path, params={"page": "2"})
    chosen = re.findall(r'name="line" value="([^"]+)"', second.text)[:2]
    version = version_in(second.text, f"/ceremonies/{cid}/payments/check")
    check = post(client, f"/ceremonies/{cid}/payments/check", {
        "line": chosen, "paid_on": "09/01/2024", "status": "signed", "version": version})
    assert check.status_code == 200 and "Sẽ ghi 2 lần chi trả" in text(check.text)
    done = post(client, f"/ceremonies/{cid}/payments", {
        "line": chosen, "paid_on": "09/01/2024", "status": "signed", "version": version},
        follow_redirects=False)
    assert done.status_code == 303
    back = client.get(done.headers["location"] + "&page=2")
    assert "Đã ghi 2 lần chi trả." in text(back.text)
    links = pager(back.text, label)["links"]
    assert all("recorded" not in link for link in links.values())  # the notice stays behind
    assert pager(back.text, "Các trang của các lần ghi chi trả") is None  # two records: one page

    for odd in ODD_PAGES:
        answer = client.get(path, params={"page": odd, "records_page": odd})
        assert answer.status_code == 200, odd


def test_the_payment_records_page_on_their_own(client, world):
    union = union_decision(client, world)  # 94 lines
    login(client, "btl.appr")
    cid = create(client, world)
    add(client, cid, union["id"])
    path = f"/ceremonies/{cid}/payments"
    page = client.get(path)
    keys = [k for n in (1, 2) for k in re.findall(r'name="line" value="([^"]+)"',
                                                     client.get(path, params={"page": n}).text)]
    assert len(keys) == 94
    version = version_in(page.text, f"/ceremonies/{cid}/payments/check")
    for chunk in (keys[:50], keys[50:]):  # the lines of each page, one record each
        done = post(client, f"/ceremonies/{cid}/payments", {
            "line": chunk, "paid_on": "09/01/2024", "status": "signed", "version": version},
            follow_redirects=False)
        assert done.status_code == 303, done.text
        version = version_in(client.get(path).text, f"/ceremonies/{cid}/payments/check")
    label = "Các trang của các lần ghi chi trả"
    first = client.get(path, params={"page": "2"})
    shown = pager(first.text, label)
    assert shown["where"] == "Trang 1 / 2 · dòng 1–50 trong 94"
    # the records' pager keeps the lines' page, and the lines' pager the records' page
    assert shown["links"]["Trang sau ›"] == {"path": path, "fragment": "cac-lan-ghi",
                                             "page": "2", "records_page": "2"}
    later = client.get(path, params={"page": "2", "records_page": "2"})
    assert pager(later.text, label)["where"] == "Trang 2 / 2 · dòng 51–94 trong 94"
    assert pager(later.text, "Các trang của danh sách chi trả")["links"]["« Trang đầu"] == {
        "path": path, "fragment": "tung-dong", "records_page": "2"}


# -- the helper alone ------------------------------------------------------------------------


def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/registry",
                    "query_string": query.encode(), "headers": []})


def test_page_numbers_that_cannot_be_read_are_the_first_page():
    assert [page_number(v) for v in ("1", "2", " 7 ", "0007")] == [1, 2, 7, 7]
    assert {page_number(v) for v in ODD_PAGES[:-1]} | {page_number(None)} == {1}
    assert page_number(str(10**20)) == page_number("99999999999") == MAX_PAGE  # then the last


def test_sliced_keeps_the_other_parameters_and_clamps():
    items = list(range(1, 131))
    shown, paging = sliced(_request("q=%C4%91%E1%BB%97+th%E1%BB%8B&page=9&year=&offset=5&x=a%26b"),
                           items)
    assert shown == list(range(101, 131))
    assert (paging.number, paging.pages, paging.first_row, paging.last_row) == (3, 3, 101, 130)
    assert paging.href(1) == "/registry?q=%C4%91%E1%BB%97+th%E1%BB%8B&x=a%26b"
    assert paging.href(2) == "/registry?q=%C4%91%E1%BB%97+th%E1%BB%8B&x=a%26b&page=2"
    assert paging.previous == 2 and paging.next is None
    empty, paging = sliced(_request("page=4"), [])
    assert empty == [] and (paging.number, paging.pages, paging.several) == (1, 1, False)
    assert (paging.first_row, paging.last_row) == (0, 0)
