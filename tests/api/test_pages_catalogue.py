"""The award catalogue's pages, on both stores, as people use them: everyone signed in reads the
list (filters in the URL, as on a date, with the retired kinds) and a kind's card with its
history; the root unit's admin adds a kind after a review of its definition in words, changes
one from tomorrow after a review of what changes (old → new), and retires one after a
confirmation. Bad input comes back on the form with what was typed (422); whoever else asks for
a write page gets the 403 page; a form without this browser's CSRF token records nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain.catalog import catalog
from services.web import pages_catalogue
from tests.api.test_page_labels import unlabelled
from tests.helpers import case, head
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login
from tests.helpers import page_text as text

TODAY = date(2026, 12, 3)
TOMORROW = "04/12/2026"
NEW = {"code": "bieu_duong_hoi_xa", "title": "Biểu dương của Ban Thường vụ Hội LHPN xã",
       "short_title": "Biểu dương Hội LHPN xã", "category": "bieu_duong",
       "recipients": ["individual", "household"], "deciders": ["union:commune"],
       "named_deciders": "", "frequency": "unlimited", "money": "none", "money_table": "",
       "certificate": "chung_nhan", "source": "Quy chế thi đua, khen thưởng của Hội (thử)",
       "effective_from": "01/01/2026", "until": "", "reason": "Nghị quyết Đoàn Chủ tịch số 1"}


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = TODAY


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found.group(1) if found else None


def add(client, data: dict | None = None) -> str:
    """Add a kind through the pages (form → review → confirmation): where it leads."""
    data = {**NEW, **(data or {})}
    check = post(client, "/catalog/new/check", data)
    assert check.status_code == 200, text(check.text)[:600]
    done = post(client, "/catalog/new", {**data, "version": field_value(check.text, "version")})
    assert done.status_code == 303, text(done.text)[:600]
    return done.headers["location"]


# -- reading ------------------------------------------------------------------------------------


def test_the_catalogue_pages_are_routed_here():
    paths = {route.path for route in pages_catalogue.router.routes}
    assert {"/catalog", "/catalog/new", "/catalog/new/check", "/catalog/{code}",
            "/catalog/{code}/change", "/catalog/{code}/change/check",
            "/catalog/{code}/retire"} <= paths


def test_everyone_signed_in_reads_the_list_and_a_kind_s_card(client, world):
    stranger = client.get("/catalog", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"] == "/login?next=/catalog"

    login(client, "xd.nom")
    page = client.get("/catalog")
    assert page.status_code == 200
    assert '<a href="/catalog">Danh mục</a>' in page.text  # the menu
    shown = text(page.text)
    assert "Danh mục khen thưởng" in shown and f"{len(catalog().kinds)} hình thức" in shown
    # grouped by category, with who decides (the catalogue's words where it has them) and money
    for heading in ("Bằng khen", "Danh hiệu thi đua", "Huân chương", "Giấy khen"):
        assert re.search(rf'<h2 id="nhom-[a-z_]+">{heading}</h2>', page.text), heading
    assert "Bằng khen của Đoàn Chủ tịch Trung ương Hội Liên hiệp Phụ nữ Việt Nam" in shown
    assert "bộ, ngành, Đảng, Mặt trận Tổ quốc, đoàn thể" in shown  # deciders_text
    assert "Hội LHPN: Trung ương" in shown and "Theo hệ số của quy định" in shown
    assert 'href="/catalog/bang_khen_tw_hoi"' in page.text
    assert 'href="/catalog/new"' not in page.text  # no action she may not take
    assert 'href="/catalog/as_stated"' not in page.text  # the as-stated kind is no offer

    # filters stay in the URL: category, recipient kind, a search without diacritics, a date
    only = text(client.get("/catalog", params={"category": "huan_chuong"}).text)
    assert "Huân chương Sao vàng" in only and "Bằng khen của Thủ tướng" not in only
    orders = sum(1 for k in catalog().kinds.values() if k.category == "huan_chuong")
    assert f"{orders} hình thức phù hợp" in only
    households = client.get("/catalog", params={"recipient": "household"}).text
    assert "/catalog/bang_khen_tw_hoi" in households
    assert "/catalog/huan_chuong_sao_vang" not in households
    found = text(client.get("/catalog", params={"q": "bang khen thu tuong"}).text)
    assert "Bằng khen của Thủ tướng Chính phủ" in found and "1 hình thức phù hợp" in found
    past = client.get("/catalog", params={"on": "01/01/2020"})
    assert past.status_code == 200 and "Danh mục khen thưởng ngày 01/01/2020" in past.text
    assert client.get("/catalog", params={"on": "2020-01-01"}).status_code == 200
    for bad in ("31/02/2020", "hôm qua", "9" * 30):
        with case(bad):
            answer = client.get("/catalog", params={"on": bad})
            assert answer.status_code == 422 and "không phải ngày có thật" in answer.text
            assert 'aria-invalid="true"' in answer.text
    for junk in ({"category": "khong_co"}, {"recipient": "robot"}, {"page": "x"},
                 {"page": "99999999999999999"}, {"retired": "yes"}):
        with case(junk):
            assert client.get("/catalog", params=junk).status_code == 200
    empty = text(client.get("/catalog", params={"q": "không có hình thức này"}).text)
    assert "Không có hình thức nào phù hợp" in empty

    # a kind's card: every field in words, its history
    card = client.get("/catalog/bang_khen_tw_hoi")
    assert card.status_code == 200
    shown = text(card.text)
    for label in ("Tên đầy đủ", "Tên ngắn", "Nhóm", "Đối tượng",
                  "Cơ quan có thẩm quyền quyết định", "Số lần", "Tiền thưởng", "Mẫu giấy in",
                  "Căn cứ", "Xác minh"):
        assert label in shown, label
    assert "Cá nhân, tập thể, hộ gia đình" in shown and "BẰNG KHEN" in shown
    assert "Bằng khen cấp bộ, ban, ngành, tỉnh" in shown  # the legal table
    assert "Lịch sử" in shown and "Theo danh mục phát hành" in shown
    assert "/catalog/bang_khen_tw_hoi/change" not in card.text
    assert "/catalog/bang_khen_tw_hoi/retire" not in card.text
    unknown = client.get("/catalog/khong_co")
    assert unknown.status_code == 404 and "Không tìm thấy hình thức khen thưởng" in unknown.text
    assert client.get("/catalog/" + "x" * 300).status_code == 404

    login(client, "admin")
    assert 'href="/catalog/new"' in client.get("/catalog").text
    card = client.get("/catalog/bang_khen_tw_hoi").text
    assert "Sửa (từ một ngày)" in card and 'href="/catalog/bang_khen_tw_hoi/retire"' in card
    assert 'href="/catalog"' in client.get("/admin").text


# -- adding a kind ------------------------------------------------------------------------------


def test_the_root_admin_adds_a_kind_after_a_review(client, world):
    login(client, "admin")
    form = client.get("/catalog/new")
    assert form.status_code == 200 and 'action="/catalog/new/check"' in form.text
    assert 'name="deciders" value="union:commune"' in form.text

    position = head(client)
    check = post(client, "/catalog/new/check", NEW)
    assert check.status_code == 200, text(check.text)[:500]
    shown = text(check.text)
    assert "Kiểm tra trước khi thêm hình thức" in shown
    assert "Biểu dương, tuyên dương" in shown and "Cá nhân, hộ gia đình" in shown
    assert "Hội LHPN: xã, phường, đặc khu (cơ sở)" in shown
    assert "Không kèm tiền thưởng" in shown and "Không giới hạn số lần" in shown
    assert "Từ ngày 01/01/2026, không có hạn" in shown
    assert "Ngày 01/01/2026 đã qua" in shown
    assert head(client) == position, "the review recorded something"
    # the review's "Sửa lại": the form again, as typed
    again = post(client, "/catalog/new", {**NEW, "edit": "1"})
    assert again.status_code == 200 and field_value(again.text, "title") == NEW["title"]
    assert 'value="household" checked' in again.text
    assert 'value="union:commune" checked' in again.text
    assert head(client) == position

    version = field_value(check.text, "version")
    done = post(client, "/catalog/new", {**NEW, "version": version})
    assert done.status_code == 303 and done.headers["location"] == (
        "/catalog/bieu_duong_hoi_xa?added=1")
    card = text(client.get(done.headers["location"]).text)
    assert ("Đã thêm «Biểu dương của Ban Thường vụ Hội LHPN xã» vào danh mục, có hiệu lực từ "
            "ngày 01/01/2026.") in card
    assert "Thêm vào danh mục" in card and "Nghị quyết Đoàn Chủ tịch số 1" in card
    assert "admin" in card
    kind = catalog().kind("bieu_duong_hoi_xa")
    assert kind.no_money and kind.recipients == ("individual", "household")
    assert kind.deciders == {"union": ("commune",)} and kind.frequency == "unlimited"
    listed = client.get("/catalog", params={"category": "bieu_duong"}).text
    assert 'href="/catalog/bieu_duong_hoi_xa"' in listed
    # as on a date before it started: not there (but with the retired ones: "sắp áp dụng")
    before = client.get("/catalog", params={"on": "31/12/2025", "category": "bieu_duong"}).text
    assert "bieu_duong_hoi_xa" not in before
    # the same code again: refused at its field, nothing recorded
    position = head(client)
    twice = post(client, "/catalog/new/check", NEW)
    assert twice.status_code == 422 and "Danh mục đã có hình thức mã" in twice.text
    assert 'href="#code"' in twice.text
    assert post(client, "/catalog/new", NEW).status_code == 422
    assert head(client) == position


def test_a_kind_with_legal_money_iso_dates_and_a_last_day(client, world):
    login(client, "admin")
    where = add(client, {"code": "giay_khen_thu", "title": "Giấy khen thử của Chủ tịch UBND xã",
                         "category": "giay_khen", "money": "legal",
                         "money_table": "giay_khen_xa", "deciders": ["government:commune",
                                                                     "union:commune"],
                         "named_deciders": "Chủ tịch UBND xã\r\n\r\nChủ tịch UBND phường",
                         "effective_from": "2025-07-01", "until": "2026-12-31",
                         "certificate": "giay_khen", "verified": "1", "per_issuer": "1"})
    assert where == "/catalog/giay_khen_thu?added=1"
    kind = catalog().kind("giay_khen_thu")
    assert kind.money_rules == {"*": "giay_khen_xa"} and kind.verified and kind.per_issuer
    assert kind.named_deciders == ("Chủ tịch UBND xã", "Chủ tịch UBND phường")
    card = text(client.get("/catalog/giay_khen_thu").text)
    assert "Giấy khen của Chủ tịch UBND cấp xã" in card
    assert "Chủ tịch UBND xã; Chủ tịch UBND phường" in card
    assert "trao đến hết ngày 31/12/2026" in card and "Bãi bỏ" in card
    # the list of 2027 has it only with the retired ones, marked
    later = {"on": "01/02/2027", "category": "giay_khen"}
    assert "giay_khen_thu" not in client.get("/catalog", params=later).text
    marked = text(client.get("/catalog", params={**later, "retired": "1"}).text)
    assert "Giấy khen thử của Chủ tịch UBND xã đã bãi bỏ" in marked


BAD_NEW = [  # (field, value, what the page says, where its error links to)
    ("code", "", "Cần ghi mã hình thức", "code"),
    ("code", "Biểu Dương", "chữ thường không dấu", "code"),
    ("code", "ab", "3–60 ký tự", "code"),
    ("code", "new", "dành cho trang của hệ thống", "code"),
    ("code", "bang_khen_tw_hoi", "Danh mục đã có hình thức mã", "code"),
    ("title", "", "Cần ghi tên đầy đủ", "title"),
    ("title", " \u200b ", "Cần ghi tên đầy đủ", "title"),
    ("title", "T" * 301, "dài quá 300 ký tự", "title"),
    ("short_title", "S" * 121, "dài quá 120 ký tự", "short_title"),
    ("category", "", "Cần chọn nhóm", "category"),
    ("category", "as_stated", "Cần chọn nhóm", "category"),
    ("recipients", [], "Cần chọn ít nhất một đối tượng", "recipients-individual"),
    ("recipients", ["robot"], "Cần chọn ít nhất một đối tượng", "recipients-individual"),
    ("deciders", [], "Cần chọn cơ quan có thẩm quyền", "decider-union-central"),
    ("deciders", ["union:moon", "mars:commune", "x"], "Cần chọn cơ quan có thẩm quyền",
     "decider-union-central"),
    ("named_deciders", "\n".join(f"Cơ quan {i}" for i in range(11)), "Tối đa 10 cơ quan",
     "named_deciders"),
    ("frequency", "hai lần", "Cần chọn số lần", "frequency"),
    ("money", "", "Cần chọn cách tính tiền thưởng", "money-legal"),
    ("money", "keep", "Cần chọn cách tính tiền thưởng", "money-legal"),
    ("money", "legal", "cần chọn bảng hệ số", "money_table"),
    ("certificate", "bang_vang", "Cần chọn mẫu giấy in", "certificate"),
    ("source", "", "Cần ghi căn cứ", "source"),
    ("source", "S" * 1001, "dài quá 1.000 ký tự", "source"),
    ("effective_from", "", "Cần ngày bắt đầu có hiệu lực", "effective_from"),
    ("effective_from", "31/02/2027", "không phải ngày có thật", "effective_from"),
    ("effective_from", "01/01/1930", "01/01/1945", "effective_from"),
    ("until", "31/12/2025", "từ ngày bắt đầu có hiệu lực trở đi", "until"),
    ("until", "mãi mãi", "không phải ngày có thật", "until"),
    ("reason", "R" * 2001, "dài quá 2.000 ký tự", "reason"),
]


def test_bad_kinds_come_back_on_the_form_as_typed_and_record_nothing(client, world):
    login(client, "admin")
    position = head(client)
    for name, value, said, anchor in BAD_NEW:
        with case((name, str(value)[:20])):
            for path in ("/catalog/new/check", "/catalog/new"):
                answer = post(client, path, {**NEW, name: value})
                assert answer.status_code in (409, 422), (path, answer.status_code)
                assert said.lower() in answer.text.lower(), (path, text(answer.text)[:800])
                assert 'class="error error-summary"' in answer.text
                assert f'href="#{anchor}"' in answer.text and f'id="{anchor}"' in answer.text
                # what was typed is kept
                if name != "title":
                    assert field_value(answer.text, "title") == NEW["title"]
                if name != "deciders":
                    assert 'value="union:commune" checked' in answer.text
                if name != "category":
                    assert 'value="bieu_duong" selected' in answer.text
                if name == "code" and value:
                    assert field_value(answer.text, "code") == value
    # fields missing altogether, odd values: no 500
    assert post(client, "/catalog/new/check", {}).status_code == 422
    assert post(client, "/catalog/new/check", {"recipients": "x" * 5000}).status_code == 422
    assert head(client) == position


# -- changing a kind ----------------------------------------------------------------------------


def test_a_change_from_tomorrow_shows_old_and_new_before_it_is_recorded(client, world):
    login(client, "admin")
    add(client)
    form = client.get("/catalog/bieu_duong_hoi_xa/change")
    assert form.status_code == 200
    assert field_value(form.text, "title") == NEW["title"]
    assert field_value(form.text, "effective_from") == TOMORROW
    assert 'name="code"' not in form.text and 'name="category"' not in form.text  # read-only
    assert 'id="money-keep" name="money" value="keep" checked' in form.text
    assert "Giữ nguyên: Không kèm tiền thưởng" in text(form.text)

    change = {**NEW, "title": "Biểu dương của Hội LHPN xã, phường, đặc khu",
              "recipients": ["individual", "collective", "household"], "money": "keep",
              "effective_from": TOMORROW, "reason": "Nghị quyết Đoàn Chủ tịch số 2"}
    position = head(client)
    for name, value, said in (
        ("effective_from", "03/12/2026", "chỉ có hiệu lực từ ngày mai (04/12/2026)"),
        ("effective_from", "2026-01-01", "chỉ có hiệu lực từ ngày mai"),
        ("effective_from", "", "Cần ngày bắt đầu có hiệu lực"),
        ("reason", "", "Cần ghi lý do"),
        ("title", "", "Cần ghi tên đầy đủ"),
    ):
        with case((name, value)):
            for path in ("/catalog/bieu_duong_hoi_xa/change/check",
                         "/catalog/bieu_duong_hoi_xa/change"):
                answer = post(client, path, {**change, name: value})
                assert answer.status_code == 422, (path, text(answer.text)[:500])
                assert said in answer.text, (path, text(answer.text)[:800])
                assert f'href="#{name}"' in answer.text
    same = post(client, "/catalog/bieu_duong_hoi_xa/change/check",
                {**NEW, "money": "keep", "effective_from": TOMORROW, "reason": "thử"})
    assert same.status_code == 422 and "Không có gì thay đổi" in same.text
    # a category sent anyway is not read: the kind's stays
    assert post(client, "/catalog/bieu_duong_hoi_xa/change/check",
                {**change, "category": "bang_khen"}).status_code == 200
    assert head(client) == position

    check = post(client, "/catalog/bieu_duong_hoi_xa/change/check", change)
    assert check.status_code == 200, text(check.text)[:500]
    shown = text(check.text)
    assert "Kiểm tra trước khi sửa hình thức" in shown
    assert ("Tên đầy đủ Biểu dương của Ban Thường vụ Hội LHPN xã Biểu dương của Hội LHPN xã, "
            "phường, đặc khu") in shown
    assert "Đối tượng Cá nhân, hộ gia đình Cá nhân, tập thể, hộ gia đình" in shown
    table = check.text.split('aria-label="Các mục thay đổi"')[1].split("</table>")[0]
    assert "Tiền thưởng" not in table and "Tên ngắn" not in table  # kept as they were
    assert "Ghi thay đổi từ ngày 04/12/2026" in shown
    assert head(client) == position
    again = post(client, "/catalog/bieu_duong_hoi_xa/change", {**change, "edit": "1"})
    assert again.status_code == 200 and field_value(again.text, "title") == change["title"]

    version = field_value(check.text, "version")
    done = post(client, "/catalog/bieu_duong_hoi_xa/change", {**change, "version": version})
    assert done.status_code == 303
    assert done.headers["location"] == "/catalog/bieu_duong_hoi_xa?changed=2026-12-04"
    card = client.get(done.headers["location"])
    shown = text(card.text)
    assert "Đã ghi thay đổi, có hiệu lực từ ngày 04/12/2026." in shown
    # today the card still shows the kind as it is today; the change is announced, and in
    # the history with what changed, why and who
    assert "<h1>Biểu dương của Ban Thường vụ Hội LHPN xã" in card.text
    assert "Đã ghi trước cho các ngày tới: thay đổi từ ngày 04/12/2026" in shown
    assert re.search(r"04/12/2026 sắp áp dụng Sửa Tên đầy đủ: Biểu dương của Ban Thường vụ "
                     r"Hội LHPN xã → Biểu dương của Hội LHPN xã, phường, đặc khu", shown)
    assert "Nghị quyết Đoàn Chủ tịch số 2" in shown
    assert catalog().kind("bieu_duong_hoi_xa", date(2026, 12, 4)).title == change["title"]
    assert catalog().kind("bieu_duong_hoi_xa", TODAY).title == NEW["title"]

    # a review made before someone else's change: 409 on confirmation, nothing recorded
    position = head(client)
    stale = post(client, "/catalog/bieu_duong_hoi_xa/change",
                 {**change, "title": "Tên khác", "version": version})
    assert stale.status_code == 409 and "thay đổi đồng thời" in stale.text
    assert field_value(stale.text, "title") == "Tên khác"
    assert head(client) == position


def test_a_shipped_kind_s_money_changes_to_one_legal_table(client, world):
    login(client, "admin")
    form = client.get("/catalog/bang_khen_tw_hoi/change").text
    assert "Giữ nguyên: Theo hệ số của quy định (theo thời kỳ) — Hội LHPN cấp Trung ương: " \
           "Bằng khen cấp bộ, ban, ngành, tỉnh" in text(form)
    kind = catalog().kind("bang_khen_tw_hoi")
    data = {"title": kind.title, "short_title": kind.short_title,
            "recipients": list(kind.recipients), "deciders": ["union:central"],
            "frequency": kind.frequency, "money": "internal", "certificate": kind.certificate,
            "source": kind.source, "verified": "1", "effective_from": "01/01/2027",
            "reason": "Quy chế mới (thử)"}
    check = text(post(client, "/catalog/bang_khen_tw_hoi/change/check", data).text)
    assert ("Tiền thưởng Theo hệ số của quy định (theo thời kỳ) — Hội LHPN cấp Trung ương: "
            "Bằng khen cấp bộ, ban, ngành, tỉnh Theo mức của đơn vị ban hành") in check
    assert post(client, "/catalog/bang_khen_tw_hoi/change", data).status_code == 303
    assert catalog().kind("bang_khen_tw_hoi", date(2027, 1, 1)).money == "internal"
    assert catalog().kind("bang_khen_tw_hoi", TODAY).money == "legal"


# -- retiring a kind ----------------------------------------------------------------------------


def test_a_kind_is_retired_from_a_date_with_a_reason(client, world):
    login(client, "admin")
    add(client)
    page = client.get("/catalog/bieu_duong_hoi_xa/retire")
    assert page.status_code == 200
    shown = text(page.text)
    assert "Bãi bỏ «Biểu dương của Ban Thường vụ Hội LHPN xã»?" in shown
    assert "Các quyết định ngày trước đó giữ nguyên" in shown
    assert field_value(page.text, "effective_from") == TOMORROW

    position = head(client)
    for data, said, where in (
        ({"effective_from": "03/12/2026", "reason": "Hết hiệu lực"}, "từ ngày mai",
         "effective_from"),
        ({"effective_from": "32/12/2026", "reason": "Hết hiệu lực"}, "không phải ngày có thật",
         "effective_from"),
        ({"effective_from": "", "reason": "Hết hiệu lực"}, "Cần ngày bắt đầu bãi bỏ",
         "effective_from"),
        ({"effective_from": TOMORROW, "reason": ""}, "Cần ghi lý do", "reason"),
        ({"effective_from": TOMORROW, "reason": " \u200b "}, "Cần ghi lý do", "reason"),
    ):
        with case(data):
            answer = post(client, "/catalog/bieu_duong_hoi_xa/retire", data)
            assert answer.status_code == 422, text(answer.text)[:500]
            assert said in answer.text and f'href="#{where}"' in answer.text
            assert field_value(answer.text, "effective_from") == data["effective_from"]
    assert head(client) == position

    done = post(client, "/catalog/bieu_duong_hoi_xa/retire",
                {"effective_from": "2027-01-01", "reason": "Quy chế mới bỏ hình thức này"})
    assert done.status_code == 303
    assert done.headers["location"] == "/catalog/bieu_duong_hoi_xa?retired=2027-01-01"
    shown = text(client.get(done.headers["location"]).text)
    assert "Đã ghi việc bãi bỏ: từ ngày 01/01/2027 không ghi được quyết định mới" in shown
    assert "01/01/2027 sắp áp dụng Bãi bỏ Không còn trao từ ngày 01/01/2027" in shown
    assert "Quy chế mới bỏ hình thức này" in shown and "trao đến hết ngày 31/12/2026" in shown
    assert 'href="/catalog/bieu_duong_hoi_xa/retire"' not in client.get(
        "/catalog/bieu_duong_hoi_xa").text  # retired already: no second retirement offered
    # the list: gone from the current catalogue, there with the retired ones and today
    assert "bieu_duong_hoi_xa" not in client.get("/catalog").text
    assert "bieu_duong_hoi_xa" in client.get("/catalog", params={"retired": "1"}).text
    assert "bieu_duong_hoi_xa" in client.get("/catalog", params={"on": "03/12/2026"}).text
    # retiring again: said so, nothing recorded
    position = head(client)
    again = post(client, "/catalog/bieu_duong_hoi_xa/retire",
                 {"effective_from": "02/01/2027", "reason": "lần nữa"})
    assert again.status_code == 422 and "đã bãi bỏ" in again.text
    assert head(client) == position


# -- who may record -----------------------------------------------------------------------------


WRITES = [
    ("get", "/catalog/new", None),
    ("post", "/catalog/new/check", NEW),
    ("post", "/catalog/new", NEW),
    ("post", "/catalog/new", {}),  # a refusal before the form is read
    ("get", "/catalog/bang_khen_tw_hoi/change", None),
    ("post", "/catalog/bang_khen_tw_hoi/change/check", {**NEW, "effective_from": TOMORROW}),
    ("post", "/catalog/bang_khen_tw_hoi/change", {**NEW, "effective_from": TOMORROW}),
    ("get", "/catalog/bang_khen_tw_hoi/retire", None),
    ("post", "/catalog/bang_khen_tw_hoi/retire", {"effective_from": TOMORROW, "reason": "x"}),
]


@pytest.mark.parametrize("user", ["hn.admin", "xd.nom", "tw.appr"])
def test_who_may_not_record_gets_the_403_page_and_nothing_is_recorded(client, world, user):
    login(client, user)
    position = head(client)
    for method, path, data in WRITES:
        with case((method, path)):
            answer = client.get(path) if method == "get" else post(client, path, data)
            assert answer.status_code == 403, answer.status_code
            assert "Không thực hiện được" in answer.text and "auth." not in answer.text
    page = client.get("/catalog")
    assert page.status_code == 200 and 'href="/catalog/new"' not in page.text
    assert "Sửa (từ một ngày)" not in client.get("/catalog/bang_khen_tw_hoi").text
    assert head(client) == position


def test_a_form_without_this_browser_s_token_records_nothing(client, world):
    login(client, "admin")
    position = head(client)
    for path, data in (("/catalog/new", NEW), ("/catalog/new/check", NEW),
                       ("/catalog/bang_khen_tw_hoi/retire",
                        {"effective_from": TOMORROW, "reason": "x"}),
                       ("/catalog/bang_khen_tw_hoi/change", {**NEW, "effective_from": TOMORROW,
                                                             "reason": "x"})):
        with case(path):
            for token in (None, "sai"):
                sent = dict(data) | ({"csrf_token": token} if token else {})
                answer = client.post(path, data=sent, follow_redirects=False)
                assert answer.status_code == 403 and "Biểu mẫu đã cũ" in answer.text
    assert head(client) == position
    assert "bieu_duong_hoi_xa" not in catalog().history


def test_the_unknown_and_the_as_stated_kinds(client, world):
    login(client, "admin")
    for path in ("/catalog/khong_co/change", "/catalog/khong_co/retire"):
        assert client.get(path).status_code == 404, path
    assert post(client, "/catalog/khong_co/retire",
                {"effective_from": TOMORROW, "reason": "x"}).status_code == 404
    stated = client.get("/catalog/as_stated")
    assert stated.status_code == 200 and "Sửa (từ một ngày)" not in stated.text
    refused = client.get("/catalog/as_stated/change")
    assert refused.status_code == 422 and "không sửa, không bãi bỏ được" in refused.text


def test_every_control_of_the_catalogue_pages_has_a_label(client, world):
    login(client, "admin")
    pages = {path: client.get(path).text for path in (
        "/catalog", "/catalog/new", "/catalog/bang_khen_tw_hoi",
        "/catalog/bang_khen_tw_hoi/change", "/catalog/bang_khen_tw_hoi/retire")}
    pages["check"] = post(client, "/catalog/new/check", NEW).text
    pages["bad"] = post(client, "/catalog/new/check", {**NEW, "title": ""}).text
    for name, page in pages.items():
        assert not unlabelled(page), (name, unlabelled(page))
        assert '<html lang="vi">' in page, name
        assert "<script" not in page and "style=" not in page, name
        for form in re.findall(r'<form[^>]*method="post".*?</form>', page, re.S):
            assert 'name="csrf_token"' in form, name
