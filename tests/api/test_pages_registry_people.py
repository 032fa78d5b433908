"""The registry for people (issue 16, part 5), on both stores: the registry page's filters
(status in force / revoked / all, issuer, as-of date dd/mm/yyyy) with exports of exactly what
is shown; each recipient's award history (/registry/recipients/{key}); the recipient search
(/registry/recipients?q=, without diacritics); namesakes told apart by birth year and unit;
personal data (citizen ID, birth date) only for readers whose grants cover it; refused input is
a 4xx page, never a 500."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.helpers import ok, page_login

CCCD = "001180012345"
BORN = "1980-03-15"
EXPORT = re.compile(r'<a href="(/api/registry/export\.(?:xlsx|csv)\?[^"]*)" class="export-link"')
HISTORY = re.compile(r'href="/registry/recipients/(r-[0-9a-f]+)"')


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 6, 30)


def text(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def login(client, username: str) -> None:
    client.cookies.clear()
    assert page_login(client, username).status_code == 303


def lan(birth_year: int, unit: str) -> dict:
    return {"kind": "individual", "name": "Nguyễn Thị Lan", "gender": "female",
            "birth_year": birth_year, "unit_id": unit}


def decide(client, world, number: str, decided_on: str, lines: list[dict], period: str = "2023"
           ) -> dict:
    return ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
        "number": number, "decided_on": decided_on, "award_kind": "bang_khen_tw_hoi",
        "issuer": {"unit_id": world.u("root")}, "signer": {"name": "Hà Thị Nga"},
        "period": period, "lines": [{"recipient": r, "amount": 1_000_000} for r in lines]}), 201)


@pytest.fixture
def people(client, world):
    """Two namesakes «Nguyễn Thị Lan» (1980 at Xuân Đỉnh, 1975 at Nông Thượng), Trần Thị Mai
    (citizen ID and birth date recorded) and a collective; the Xuân Đỉnh Lan awarded twice
    (2023 and 2024 achievements, two decisions), Mai's line revoked on 02/05/2024."""
    xd, nt = world.u("xd"), world.u("nt")
    first = decide(client, world, "10/QĐ-TWH", "2024-03-01", [
        lan(1980, xd), lan(1975, nt),
        {"kind": "individual", "name": "Trần Thị Mai", "gender": "female",
         "citizen_id": CCCD, "birth_date": BORN, "unit_id": xd},
        {"kind": "collective", "name": "Chi hội phụ nữ tổ dân phố số 3", "unit_id": xd}])
    second = decide(client, world, "20/QĐ-TWH", "2024-06-01", [lan(1980, xd)], period="2024")
    ok(client.post(f"/api/decisions/{first['id']}/lines/3/revoke", headers=world.h("tw.appr"),
                   json={"revoked_on": "2024-05-02", "ground": "a",
                         "reason": "Kê khai thành tích không đúng"}))
    return {"first": first, "second": second}


def keys_of(client, world, q: str) -> dict[int | None, str]:
    """Birth year → public key of the recipients the API finds for ``q``."""
    found = ok(client.get("/api/registry/recipients", params={"q": q}, headers=world.h("admin")))
    return {r["birth_year"]: r["key"] for r in found["items"]}


def test_revoked_awards_are_shown_when_asked_for(client, world, people):
    login(client, "nt.nom")  # any signed-in reader: awards are public
    active = client.get("/registry", params={"year": "2024"})
    assert active.status_code == 200
    said = text(active.text)
    assert "Trần Thị Mai" not in said and "Danh sách (4 dòng)" in said
    assert '<option value="active" selected>' in active.text

    revoked = client.get("/registry", params={"year": "2024", "status": "revoked"})
    assert revoked.status_code == 200
    said = text(revoked.text)
    assert "Danh sách (1 dòng)" in said and "Trần Thị Mai" in said
    assert "Hủy bỏ từ 02/05/2024" in said and "Lý do: Kê khai thành tích không đúng" in said
    assert "Nguyễn Thị Lan" not in said
    assert "Tình trạng: Đã hủy bỏ" in said  # the filter said back, with a link that drops it
    assert '<option value="revoked" selected>' in revoked.text

    everything = text(client.get("/registry", params={"year": "2024", "status": "all"}).text)
    assert "Danh sách (5 dòng)" in everything
    assert "Trần Thị Mai" in everything and "Nguyễn Thị Lan" in everything

    # as of a date before the revocation (dd/mm/yyyy), Mai's award was in force
    before = text(client.get("/registry", params={"status": "revoked",
                                                  "as_of": "01/05/2024"}).text)
    assert "Danh sách (0 dòng)" in before
    before = text(client.get("/registry", params={"as_of": "1/5/2024"}).text)
    assert "Trần Thị Mai" in before and "Danh sách (4 dòng)" in before  # not the June one


def test_the_issuer_filter_and_the_dashboard_filters_together(client, world, people):
    login(client, "hn.appr")
    root = world.u("root")
    page = client.get("/registry", params={"issuer_unit_id": root, "unit_id": world.u("hanoi"),
                                           "year": "2024"})
    assert page.status_code == 200
    said = text(page.text)
    assert "Cơ quan ban hành: Trung ương Hội LHPN Việt Nam" in said
    assert "Đơn vị: Hội LHPN TP Hà Nội và các đơn vị trực thuộc" in said
    assert "Danh sách (3 dòng)" in said  # Lan of Xuân Đỉnh twice, the collective
    assert f'<option value="{root}" selected>' in page.text
    other = client.get("/registry", params={"issuer_unit_id": world.u("btl")})
    assert other.status_code == 422 and "cơ quan ban hành" in text(other.text)


@pytest.mark.parametrize("params", [
    {"year": "2024"},
    {"year": "2024", "status": "all"},
    {"status": "revoked"},
    {"q": "nguyen thi lan", "status": "all", "as_of": "15/06/2024"},
    {"issuer_unit_id": "ROOT", "recipient_kind": "individual", "gender": "female",
     "status": "all", "award_kind": "bang_khen_tw_hoi"},
])
def test_export_links_carry_exactly_the_filters_shown(client, world, people, params):
    params = {k: world.u("root") if v == "ROOT" else v for k, v in params.items()}
    login(client, "hn.appr")
    page = client.get("/registry", params=params)
    assert page.status_code == 200, page.text
    total = int(re.search(r"Danh sách \((\d+) dòng\)", text(page.text)).group(1))
    assert total > 0
    links = [unescape(h) for h in EXPORT.findall(page.text)]
    assert len(links) == 2
    for link in links:
        carried = dict(parse_qsl(urlsplit(link).query))
        wanted = dict(params)
        if "as_of" in wanted:  # the API's words: ISO
            d, m, y = wanted["as_of"].split("/")
            wanted["as_of"] = f"{y}-{m}-{d}"
        assert carried == wanted, link
        # downloaded in the same session, as the browser does
        answer = client.get(link)
        assert answer.status_code == 200, answer.text
        if link.startswith("/api/registry/export.csv"):
            rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
            numbered = [r for r in rows[1:] if r and r[0].isdigit()]
            assert len(numbered) == total, rows
        else:
            assert answer.content[:2] == b"PK"


def test_a_history_lists_every_line_across_decisions(client, world, people):
    keys = keys_of(client, world, "lan")
    login(client, "nt.nom")
    page = client.get(f"/registry/recipients/{keys[1980]}")
    assert page.status_code == 200
    said = text(page.text)
    assert "Hồ sơ khen thưởng: Nguyễn Thị Lan" in said and "Năm sinh 1980" in said
    assert "Hội LHPN phường Xuân Đỉnh" in said and "Nông Thượng" not in said
    assert "10/QĐ-TWH" in said and "20/QĐ-TWH" in said
    assert "01/03/2024" in said and "01/06/2024" in said
    assert "2 dòng, trong đó 0 đã hủy bỏ" in said
    assert "Trung ương Hội LHPN Việt Nam" in said and "1.000.000 đ" in said
    assert f'href="/decisions/{people["first"]["id"]}"' in page.text
    # as of a date (dd/mm/yyyy): the June decision not yet there
    before = client.get(f"/registry/recipients/{keys[1980]}", params={"as_of": "31/05/2024"})
    assert before.status_code == 200
    said = text(before.text)
    assert "10/QĐ-TWH" in said and "20/QĐ-TWH" not in said and "1 dòng" in said
    # the export: exactly her lines, in force and revoked, as of the date asked
    [xlsx, csv_link] = [unescape(h) for h in EXPORT.findall(before.text)]
    assert dict(parse_qsl(urlsplit(csv_link).query)) == {
        "recipient_id": keys[1980], "status": "all", "as_of": "2024-05-31"}
    rows = list(csv.reader(io.StringIO(client.get(csv_link).content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:] if r and r[0].isdigit()] == ["Nguyễn Thị Lan"]
    assert client.get(xlsx).status_code == 200

    # a revoked award is in the history, marked, with its date and reason
    mai = keys_of(client, world, "mai")[1980]
    said = text(client.get(f"/registry/recipients/{mai}").text)
    assert "Hủy bỏ từ 02/05/2024" in said and "Kê khai thành tích không đúng" in said
    assert "1 dòng, trong đó 1 đã hủy bỏ" in said


def test_namesakes_are_told_apart(client, world, people):
    keys = keys_of(client, world, "nguyen thi lan")
    assert set(keys) == {1980, 1975} and keys[1980] != keys[1975]
    login(client, "xd.nom")
    registry = client.get("/registry", params={"q": "nguyen thi lan", "status": "all"})
    listed = registry.text.split('id="lines"')[1]
    rows = re.findall(r'<tr[^>]*><td class="person">(.*?)</td><td>(.*?)</td>', listed, re.S)
    named = {(HISTORY.search(n).group(1), text(n).strip(), text(u).strip()) for n, u in rows
             if "Nguyễn Thị Lan" in n}
    assert {(k, n) for k, n, _ in named} == {
        (keys[1980], "Nguyễn Thị Lan sinh năm 1980"), (keys[1975], "Nguyễn Thị Lan sinh năm 1975")}
    units = {n: u for _, n, u in named}
    assert "Xuân Đỉnh" in units["Nguyễn Thị Lan sinh năm 1980"]
    assert "Nông Thượng" in units["Nguyễn Thị Lan sinh năm 1975"]

    # the search, without diacritics: both, each with birth year and unit, linked apart
    search = client.get("/registry/recipients", params={"q": "nguyen thi lan"})
    assert search.status_code == 200
    found = re.findall(r'<tr><td class="person"><a href="/registry/recipients/(r-[0-9a-f]+)">'
                       r"([^<]+)</a></td>(.*?)</tr>", search.text, re.S)
    assert {(k, text(rest).split()[2]) for k, _, rest in found} == {
        (keys[1980], "1980"), (keys[1975], "1975")}
    by_key = {k: text(rest) for k, _, rest in found}
    assert "Xuân Đỉnh" in by_key[keys[1980]] and "Nông Thượng" in by_key[keys[1975]]
    assert "Kết quả cho «nguyen thi lan» (2)" in text(search.text)
    # with diacritics, or a word's start only, the same two; the collective by its name
    assert len(HISTORY.findall(client.get("/registry/recipients",
                                          params={"q": "Lan"}).text)) == 2
    assert "tổ dân phố số 3" in client.get("/registry/recipients", params={"q": "to dan"}).text
    nobody = client.get("/registry/recipients", params={"q": "khong co ai"})
    assert nobody.status_code == 200 and "Không tìm thấy ai" in text(nobody.text)
    # the API says the same
    found = ok(client.get("/api/registry/recipients", params={"q": "lan"},
                          headers=world.h("nt.nom")))["items"]
    assert {(r["birth_year"], r["unit_path"][-1]["name"]) for r in found} == {
        (1980, "Hội LHPN phường Xuân Đỉnh"), (1975, "Hội LHPN xã Nông Thượng")}


@pytest.mark.parametrize("user, sees", [("nt.nom", False), ("hn.appr", True), ("xd.nom", True),
                                        ("tw.appr", True)])
def test_personal_data_only_for_covering_readers(client, world, people, user, sees):
    mai = keys_of(client, world, "mai")[1980]
    login(client, user)
    page = client.get(f"/registry/recipients/{mai}")
    assert page.status_code == 200
    said = text(page.text)
    assert "Trần Thị Mai" in said and "Năm sinh 1980" in said  # the year is not personal
    assert (CCCD in said) is sees and ("15/03/1980" in said) is sees
    assert ("Số CCCD" in said) is sees and ("Ngày sinh" in said) is sees
    for listed in (client.get("/registry", params={"status": "all"}).text,
                   client.get("/registry/recipients", params={"q": "mai"}).text):
        assert CCCD not in listed and "15/03/1980" not in listed and "cccd:" not in listed


def test_refused_input_is_a_page_never_a_500(client, world, people):
    login(client, "nt.nom")
    for params in ({"status": "x"}, {"issuer_unit_id": "abc"},
                   {"issuer_unit_id": "00000000-0000-0000-0000-000000000000"},
                   {"as_of": "31/02/2024"}, {"as_of": "hôm qua"}, {"as_of": "2024-13-01"},
                   {"year": "２０２４"}, {"q": "lan " * 30}):
        page = client.get("/registry", params=params)
        assert page.status_code == 422, params
        assert 'role="alert"' in page.text and "Traceback" not in page.text
    for page_no in ("abc", "-1", "99999999999999999999", "0"):
        assert client.get("/registry", params={"page": page_no, "status": "all"}
                          ).status_code == 200
        assert client.get("/registry/recipients", params={"q": "lan", "page": page_no}
                          ).status_code == 200
    assert client.get("/registry/recipients", params={"q": "x" * 101}).status_code == 422
    assert client.get("/registry/recipients", params={"q": "'; DROP TABLE x --"}
                      ).status_code == 200
    for key in ("abc", "r-000000000000000000000000", "cccd:" + CCCD, CCCD, "r-", "%00",
                "r-" + "a" * 200):
        page = client.get(f"/registry/recipients/{key}")
        assert page.status_code == 404, key
        assert "<h1>" in page.text and "Traceback" not in page.text
    key = keys_of(client, world, "lan")[1980]
    for as_of in ("31/02/2024", "abc", "1/1/1800"):
        page = client.get(f"/registry/recipients/{key}", params={"as_of": as_of})
        assert page.status_code == 422, as_of
        assert 'aria-invalid="true"' in page.text
    client.cookies.clear()
    for path in ("/registry/recipients", f"/registry/recipients/{key}"):
        assert client.get(path, follow_redirects=False).status_code == 303
