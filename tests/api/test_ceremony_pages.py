"""Ceremonies and payouts in the browser, on both stores, as the awards office works: create a
ceremony, add the decisions presented, record the announced total and see the reconciliation
(the seed's 73.640.000 đ announced against 68.640.000 đ computed), remove a decision after a
confirmation, record payments and a correction (each after a summary), and download the payout
sheet. Every form sends the browser's CSRF token (``tests.helpers.form_data``)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from domain.errors import ValidationFailed
from services.web import forms, pages_ceremonies, pages_decisions
from tests.helpers import form_data, ok, page_login

UBND_WORDS = "Ba mươi ba triệu tám trăm bốn mươi nghìn đồng"


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 1, 20)


def login(client, username: str) -> None:
    client.cookies.clear()
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def post(client, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data=form_data(client, data), **kwargs)


def version_in(page: str, action: str) -> str:
    """The ``version`` of the form posting to ``action`` on a page."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, action
    return re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)


def text(page: str) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def ubnd_decision(client, world) -> dict:
    """UBND quận Bắc Từ Liêm: 16 tập thể and 30 cá nhân, 33.840.000 đ, recorded by the district's
    Union office (amounts invented, as in the demo)."""
    lines = [{"recipient": {"kind": "collective", "name": f"Tổ dân phố số {n}",
                            "unit_id": world.u("xd")}, "amount": 1_200_000} for n in range(1, 17)]
    lines += [{"recipient": {"kind": "individual", "name": f"Nguyễn Thị Hội Viên {n}",
                             "unit_id": world.u("xd")}, "amount": 488_000} for n in range(1, 31)]
    lines[16]["recipient"]["name"] = "Nguyễn Thị Hồng Nhung"
    return ok(client.post("/api/decisions", headers=world.h("btl.appr"), json={
        "number": "35/QĐ-UBND", "decided_on": "2023-12-20", "recorded_by_unit_id": world.u("btl"),
        "issuer": {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
        "award_kind": "giay_khen_ubnd_huyen", "period": "2023",
        "achievement": "Mô hình tuyến phố, đoạn đường nở hoa, bích họa", "lines": lines}), 201)


def union_decision(client, world) -> dict:
    """Hội LHPN quận: 33 tập thể × 500.000 đ and 61 cá nhân × 300.000 đ = 34.800.000 đ."""
    lines = [{"recipient": {"kind": "collective", "name": f"Chi hội phụ nữ số {n}",
                            "unit_id": world.u("xd")}, "amount": 500_000} for n in range(1, 34)]
    lines += [{"recipient": {"kind": "individual", "name": f"Trần Thị Cán Bộ {n}",
                             "unit_id": world.u("xd")}, "amount": 300_000} for n in range(1, 62)]
    return ok(client.post("/api/decisions", headers=world.h("btl.appr"), json={
        "number": "12/QĐ-HPN", "decided_on": "2023-12-28", "issuer": {"unit_id": world.u("btl")},
        "award_kind": "giay_khen_hoi", "period": "2023",
        "achievement": "Hoàn thành xuất sắc công tác Hội năm 2023", "lines": lines}), 201)


def create(client, world, **fields) -> str:
    form = {"title": "Hội nghị tổng kết công tác Hội năm 2023", "held_on": "09/01/2024",
            "place": "Hội trường UBND quận", "host_unit_id": world.u("btl"), **fields}
    answer = post(client, "/ceremonies/new", form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


def add(client, cid: str, decision_id: str):
    page = client.get(f"/ceremonies/{cid}").text
    return post(client, f"/ceremonies/{cid}/decisions", {
        "decision_id": decision_id, "version": version_in(page, f"/ceremonies/{cid}/decisions")})


def test_the_ceremony_pages_moved_to_their_own_module():
    paths = {route.path for route in pages_decisions.router.routes}
    assert not {p for p in paths if p.startswith("/ceremonies")}
    mine = {route.path for route in pages_ceremonies.router.routes}
    assert {"/ceremonies", "/ceremonies/new", "/ceremonies/{ceremony_id}",
            "/ceremonies/{ceremony_id}/payments"} <= mine


def test_office_creates_a_ceremony_adds_decisions_and_reconciles(client, world):
    ubnd, union = ubnd_decision(client, world), union_decision(client, world)
    login(client, "btl.appr")
    listing = client.get("/ceremonies")
    assert 'href="/ceremonies/new"' in listing.text
    form = client.get("/ceremonies/new")
    assert form.status_code == 200 and world.u("btl") in form.text
    assert 'for="held_on"' in form.text and 'for="announced_total"' in form.text

    # a date that does not exist: the form again, with what was typed
    refused = post(client, "/ceremonies/new", {"title": "Hội nghị", "held_on": "31/02/2024",
                                               "host_unit_id": world.u("btl")})
    assert refused.status_code == 422 and "31/02/2024" in refused.text
    assert 'value="Hội nghị"' in refused.text

    cid = create(client, world, announced_total="73.640.000",
                 announced_source="Bài viết trên trang Hội LHPN Hà Nội, 10/01/2024")
    page = client.get(f"/ceremonies/{cid}")
    assert page.status_code == 200
    said = text(page.text)
    assert "09/01/2024" in said and "Hội LHPN quận Bắc Từ Liêm" in said
    assert "Tổng công bố 73.640.000 đ" in said and "Chưa có quyết định nào" in said

    # the office finds the decisions and adds them
    found = client.get(f"/ceremonies/{cid}", params={"q": "35/QĐ"})
    assert "35/QĐ-UBND" in found.text and "12/QĐ-HPN" not in text(found.text).split(
        "Thêm quyết định được trao")[1]
    assert add(client, cid, ubnd["id"]).status_code == 200
    said = text(client.get(f"/ceremonies/{cid}").text)
    assert "16 tập thể, 30 cá nhân" in said and "33.840.000 đ" in said
    assert add(client, cid, union["id"]).status_code == 200
    said = text(client.get(f"/ceremonies/{cid}").text)
    assert "49 tập thể, 91 cá nhân" in said
    assert "Tổng tính từ các quyết định 68.640.000 đ" in said
    assert "Chênh lệch 5.000.000 đ chưa giải thích được" in said
    assert "Thêm quyết định được trao" in said and "Lịch sử" in said
    # adding it twice: the page says why, with the API's status
    page = client.get(f"/ceremonies/{cid}").text
    again = post(client, f"/ceremonies/{cid}/decisions", {
        "decision_id": ubnd["id"], "version": version_in(page, f"/ceremonies/{cid}/announced")})
    assert again.status_code == 409 and "đã có trong buổi trao thưởng" in again.text

    # the announced total is recorded again, with its source; a typo is refused on the page
    page = client.get(f"/ceremonies/{cid}").text
    version = version_in(page, f"/ceremonies/{cid}/announced")
    typo = post(client, f"/ceremonies/{cid}/announced", {"announced_total": "73,64", "version":
                                                         version})
    assert typo.status_code == 422 and "số nguyên đồng" in typo.text
    done = post(client, f"/ceremonies/{cid}/announced", {
        "announced_total": "68 640 000", "announced_source": "Biên bản hội nghị",
        "version": version})
    assert done.status_code == 200
    said = text(done.text)
    assert "Tổng công bố 68.640.000 đ — Biên bản hội nghị" in said and "Chênh lệch 0 đ" in said
    api = ok(client.get(f"/api/ceremonies/{cid}", headers=world.h("admin")))
    assert api["totals"]["announced"] == 68_640_000
    # an old form (stale version) is refused: someone changed the ceremony since
    stale = post(client, f"/ceremonies/{cid}/announced", {"announced_total": "1", "version":
                                                          version})
    assert stale.status_code == 409 and "người khác thay đổi" in stale.text

    # edit: title, date, place
    edit = client.get(f"/ceremonies/{cid}/edit")
    assert 'value="09/01/2024"' in edit.text
    saved = post(client, f"/ceremonies/{cid}/edit", {
        "title": "Hội nghị tổng kết năm 2023", "held_on": "2024-01-10", "place": "Nhà văn hóa",
        "version": version_in(edit.text, f"/ceremonies/{cid}/edit")})
    assert saved.status_code == 200 and "10/01/2024" in saved.text
    assert "Nhà văn hóa" in saved.text
    history = text(saved.text).split("Lịch sử")[-1]
    for label in ("Lập buổi trao thưởng", "Thêm quyết định được trao", "Ghi tổng số tiền công bố",
                  "Sửa thông tin buổi trao thưởng"):
        assert label in history


def test_removing_a_decision_asks_first(client, world):
    ubnd, union = ubnd_decision(client, world), union_decision(client, world)
    login(client, "btl.appr")
    cid = create(client, world, announced_total="73640000")
    add(client, cid, ubnd["id"])
    add(client, cid, union["id"])
    page = client.get(f"/ceremonies/{cid}")
    link = f"/ceremonies/{cid}/decisions/{union['id']}/remove"
    assert f'href="{link}"' in page.text
    check = client.get(link)
    said = text(check.text)
    assert check.status_code == 200 and "Bỏ Quyết định số 12/QĐ-HPN" in said
    assert "33 tập thể, 61 cá nhân, 34.800.000 đ" in said
    assert "68.640.000 đ → 33.840.000 đ" in said and "5.000.000 đ → 39.800.000 đ" in said
    head = ok(client.get("/api/health"))["position"]
    assert head == ok(client.get("/api/health"))["position"]  # reading the check records nothing
    done = post(client, link, {"version": version_in(check.text, link)})
    assert done.status_code == 200
    said = text(done.text)
    assert "16 tập thể, 30 cá nhân" in said and "Bỏ quyết định khỏi buổi trao" in said
    # once paid, a decision stays until its payments are corrected to 0 đ
    ok(client.post(f"/api/ceremonies/{cid}/payments", headers=world.h("btl.appr"), json={
        "decision_id": ubnd["id"], "line_no": 1, "amount": 1_200_000}), 201)
    link = f"/ceremonies/{cid}/decisions/{ubnd['id']}/remove"
    check = client.get(link)
    assert "Đã ghi chi trả 1.200.000 đ" in text(check.text)
    refused = post(client, link, {"version": version_in(check.text, link)})
    assert refused.status_code == 409 and "điều chỉnh các lần chi trả về 0 đ" in refused.text


def test_payments_and_a_correction_in_the_pages(client, world):
    ubnd = ubnd_decision(client, world)
    login(client, "btl.appr")
    cid = create(client, world)
    add(client, cid, ubnd["id"])
    page = client.get(f"/ceremonies/{cid}/payments")
    said = text(page.text)
    assert "Phải chi (các dòng còn hiệu lực) 33.840.000 đ" in said
    assert "Còn phải chi 33.840.000 đ (46 dòng chưa chi đủ)" in said
    assert "Chưa ghi lần chi trả nào" in said
    keys = re.findall(r'name="line" value="([^"]+)"', page.text)
    assert len(keys) == 46
    version = version_in(page.text, f"/ceremonies/{cid}/payments/check")

    # two lines chosen: the summary first, nothing recorded
    head = ok(client.get("/api/health"))["position"]
    check = post(client, f"/ceremonies/{cid}/payments/check", {
        "line": keys[:2], "paid_on": "09/01/2024", "status": "signed", "version": version})
    said = text(check.text)
    assert check.status_code == 200 and "Sẽ ghi 2 lần chi trả, tổng 2.400.000 đ" in said
    assert "Hai triệu bốn trăm nghìn đồng" in said and "09/01/2024" in said
    assert ok(client.get("/api/health"))["position"] == head
    recorded = post(client, f"/ceremonies/{cid}/payments", {
        "line": keys[:2], "paid_on": "09/01/2024", "status": "signed", "version": version},
        follow_redirects=False)
    assert recorded.status_code == 303
    assert recorded.headers["location"] == f"/ceremonies/{cid}/payments?recorded=2"
    said = text(client.get(recorded.headers["location"]).text)
    assert "Đã ghi 2 lần chi trả." in said
    assert "Đã chi / đã ký nhận 2.400.000 đ" in said and "Còn phải chi 31.440.000 đ" in said

    # one line, another amount: above the line's amount without a reason is refused on the form
    line = keys[16]  # Nguyễn Thị Hồng Nhung, 488.000 đ
    form = client.get(f"/ceremonies/{cid}/payments/new", params={"line": line})
    assert form.status_code == 200 and 'value="488.000"' in form.text
    assert "Nguyễn Thị Hồng Nhung" in form.text
    version = version_in(form.text, f"/ceremonies/{cid}/payments/check")
    over = post(client, f"/ceremonies/{cid}/payments/check", {
        "line": [line], "amount": "600.000", "paid_on": "10/01/2024", "status": "paid",
        "version": version})
    assert over.status_code == 422 and "cần ghi lý do chi vượt" in over.text
    assert 'value="600.000"' in over.text  # what was typed is kept
    check = post(client, f"/ceremonies/{cid}/payments/check", {
        "line": [line], "amount": "50.000", "paid_on": "10/01/2024", "status": "paid",
        "note": "Chuyển khoản", "version": version})
    assert "Sẽ ghi 1 lần chi trả, tổng 50.000 đ" in text(check.text)
    done = post(client, f"/ceremonies/{cid}/payments", {
        "line": [line], "amount": "50.000", "paid_on": "10/01/2024", "status": "paid",
        "note": "Chuyển khoản", "version": version})
    assert done.status_code == 200
    said = text(done.text)
    assert "Đã ghi 1 lần chi trả." in said and "Đã chi một phần" in said

    # the correction: form, summary (before and after), then a new event
    form = client.get(f"/ceremonies/{cid}/payments/3/correct")
    assert form.status_code == 200 and 'value="50.000"' in form.text
    action = f"/ceremonies/{cid}/payments/3/correct/check"
    fields = {"amount": "488.000", "paid_on": "10/01/2024", "status": "paid",
              "note": "Chuyển khoản", "version": version_in(form.text, action)}
    missing = post(client, action, fields)
    assert missing.status_code == 422 and "lý do điều chỉnh" in missing.text
    check = post(client, action, {**fields, "reason": "Nhập thiếu số"})
    said = text(check.text)
    assert check.status_code == 200 and "50.000 đ 488.000 đ" in said
    assert "Nhập thiếu số" in said and "không xóa bản ghi cũ" in said
    assert ok(client.get("/api/health"))["position"] == ok(client.get("/api/health"))["position"]
    corrected = post(client, f"/ceremonies/{cid}/payments/3/correct",
                     {**fields, "reason": "Nhập thiếu số"})
    assert corrected.status_code == 200
    said = text(corrected.text)
    assert "Đã điều chỉnh lần chi trả số 3." in said and "Đã điều chỉnh 1 lần" in said
    assert "Còn phải chi 30.952.000 đ" in said
    payout = ok(client.get(f"/api/ceremonies/{cid}/payout", headers=world.h("admin")))
    assert payout["totals"]["paid"] == 2_400_000 + 488_000
    history = text(client.get(f"/ceremonies/{cid}").text).split("Lịch sử")[-1]
    assert history.count("Ghi nhận chi trả tiền thưởng") == 3
    assert "Điều chỉnh lần ghi chi trả" in history
    assert "50.000 đ → 488.000 đ; lý do: Nhập thiếu số" in history


def test_the_payout_sheet_downloads_from_the_ceremony_page(client, world):
    ubnd = ubnd_decision(client, world)
    login(client, "btl.appr")
    cid = create(client, world)
    add(client, cid, ubnd["id"])
    page = client.get(f"/ceremonies/{cid}").text
    for fmt in ("pdf", "xlsx"):
        assert f'href="/api/ceremonies/{cid}/payout.{fmt}"' in page
    login(client, "xd.nom")  # anyone signed in reads it
    pdf = client.get(f"/api/ceremonies/{cid}/payout.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    said = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
                              ).split())
    assert "DANH SÁCH KÝ NHẬN TIỀN THƯỞNG" in said
    assert "Nguyễn Thị Hồng Nhung" in said and "Tổ dân phố số 16" in said
    assert "33.840.000" in said and f"Bằng chữ: {UBND_WORDS}" in said
    xlsx = client.get(f"/api/ceremonies/{cid}/payout.xlsx")
    assert xlsx.status_code == 200
    cells = [str(c) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(
        values_only=True) for c in row if c is not None]
    assert "Nguyễn Thị Hồng Nhung" in cells and "Tổ dân phố số 1" in cells
    assert f"Bằng chữ: {UBND_WORDS}" in cells and "Ký nhận" in cells


def test_readers_see_no_actions_and_cannot_use_them(client, world):
    ubnd = ubnd_decision(client, world)
    login(client, "btl.appr")
    cid = create(client, world)
    add(client, cid, ubnd["id"])
    login(client, "xd.nom")
    page = client.get(f"/ceremonies/{cid}")
    assert page.status_code == 200 and "16 tập thể, 30 cá nhân" in text(page.text)
    for action in ("/announced", "/decisions", "/edit", "/remove"):
        assert f'/ceremonies/{cid}{action}"' not in page.text, action
    payments = client.get(f"/ceremonies/{cid}/payments")
    assert payments.status_code == 200 and 'name="line"' not in payments.text
    assert "Điều chỉnh</a>" not in payments.text
    assert 'href="/ceremonies/new"' not in client.get("/ceremonies").text
    head = ok(client.get("/api/health"))["position"]
    for path, data in ((f"/ceremonies/{cid}/edit", {"title": "x", "held_on": "09/01/2024"}),
                       (f"/ceremonies/{cid}/payments/check", {"line": [f"{ubnd['id']}:1"]}),
                       (f"/ceremonies/{cid}/payments", {"line": [f"{ubnd['id']}:1"]}),
                       (f"/ceremonies/{cid}/announced", {"announced_total": "1"})):
        answer = post(client, path, data)
        assert answer.status_code == 403, (path, answer.status_code)
        assert ok(client.get("/api/health"))["position"] == head, path
        assert "auth." not in answer.text
    for path in (f"/ceremonies/{cid}/edit", f"/ceremonies/{cid}/payments/new",
                 f"/ceremonies/{cid}/decisions/{ubnd['id']}/remove"):
        assert client.get(path).status_code == 403, path
    assert ok(client.get("/api/health"))["position"] == head
    # a form without the browser's token is refused before anything is read
    login(client, "btl.appr")
    head = ok(client.get("/api/health"))["position"]  # signing in issued a token
    forged = client.post(f"/ceremonies/{cid}/announced", data={"announced_total": "1"})
    assert forged.status_code == 403
    assert ok(client.get("/api/health"))["position"] == head
    # a ceremony that does not exist, an id that is not one
    assert client.get("/ceremonies/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/ceremonies/khong-phai-ma/payments").status_code == 422
    assert client.get(f"/ceremonies/{cid}/payments/7/correct").status_code == 404


def test_a_stranger_is_sent_to_the_sign_in_form(client, world):
    cid = "00000000-0000-0000-0000-000000000000"
    for path in ("/ceremonies", "/ceremonies/new", f"/ceremonies/{cid}",
                 f"/ceremonies/{cid}/edit", f"/ceremonies/{cid}/payments",
                 f"/ceremonies/{cid}/payments/new", f"/ceremonies/{cid}/payments/1/correct"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/login?next={path}", path


@pytest.mark.parametrize(("typed", "amount"), [
    ("73.640.000", 73_640_000), ("73 640 000 đ", 73_640_000), ("73640000", 73_640_000),
    ("300,000", 300_000), ("0", 0), ("1.000.000 đồng", 1_000_000), ("", None),
    ("1\u00a0500\u00a0000 đ", 1_500_000)])
def test_money_as_offices_type_it(typed, amount):
    assert forms.money_typed(typed) == amount


@pytest.mark.parametrize("typed", ["1,5", "300.000,50", "-300", "ba trăm", "1.00.000", "12.3456",
                                   "²", "1.500,000", "١٥٠٠"])
def test_money_that_is_not_whole_dong_is_refused(typed):
    with pytest.raises(ValidationFailed, match="số tiền"):
        forms.money_typed(typed)


def test_dates_as_offices_type_them():
    assert forms.day_typed("09/01/2024") == date(2024, 1, 9)
    assert forms.day_typed("9/1/2024") == date(2024, 1, 9)
    assert forms.day_typed("2024-01-09") == date(2024, 1, 9)
    assert forms.day_typed(" ") is None
    assert forms.day_typed("9.1.2024") == forms.day_typed("09-01-2024") == date(2024, 1, 9)
    for typed in ("31/02/2024", "2024/01/09", "01/01/1800", "hôm nay", "٠٩/٠١/٢٠٢٤"):
        with pytest.raises(ValidationFailed, match="ngày"):
            forms.day_typed(typed)
    # a form may say it its own way; a needed date refuses a blank
    with pytest.raises(ValidationFailed, match="không hợp lệ: ngày phải là ngày có thật"):
        forms.day_typed("31/02/2024", refusal="ngày phải là ngày có thật, dạng dd/mm/yyyy")
    with pytest.raises(ValidationFailed, match="cần ngày tổ chức"):
        forms.day_needed(" ", missing="cần ngày tổ chức (dd/mm/yyyy)")


def test_dates_are_written_back_as_offices_write_them():
    assert forms.dmy(date(2024, 1, 9)) == forms.dmy("2024-01-09") == "09/01/2024"
    assert forms.dmy("2024-01-09T10:00:00+00:00") == "09/01/2024"
    assert forms.dmy(None) == forms.dmy("") == ""
