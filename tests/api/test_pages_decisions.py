"""The awards office decides in the browser: the queue of recommended nominations, a decision
composed from them and typed lines, its preview (nothing recorded), issuing after a
confirmation, outside decisions typed or uploaded as an XLSX list, revocations with a
confirmation step, the decision page — and the same permissions as the API."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

from openpyxl import Workbook, load_workbook

from services.imports import XLSX_MEDIA
from services.web import compose
from tests.helpers import form_data, head, ok, page_login, person

NOW = date(2024, 6, 30)  # the test clock's today (tests/conftest.py)


def login(client, username: str) -> None:
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def post(client, path: str, data: dict, **kwargs):
    return client.post(path, data=form_data(client, data), **kwargs)


def carried_state(page) -> str:
    found = re.search(r'name="state" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    return unescape(found.group(1))


def text_of(page) -> str:
    """The page's text without tags, entities decoded (to read sentences across elements)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def internal_rate(world, unit: str = "btl", amount: int = 300_000) -> None:
    rt = world.rt
    rt.after(rt.app.schedules.set_internal_rate(
        world.actor(f"{unit}.appr"), unit_id=world.units[unit], award_kind="giay_khen_hoi",
        recipient_kind="individual", effective_from=date(2024, 1, 1), amount=amount))


def decision_fields(world, **extra) -> dict:
    return {
        "unit_id": world.u("btl"), "outside": "0", "number": "16/QĐ-HPN",
        "decided_on": "15/06/2024", "signer_title": "TM. Ban Thường vụ – Chủ tịch",
        "signer_name": "Lê Thị Hương", "subject": "",
        "legal_basis": "Căn cứ Luật Thi đua, khen thưởng năm 2022\n"
                       "Căn cứ Điều lệ Hội LHPN Việt Nam",
        "achievement": "Đã có thành tích xuất sắc trong công tác Hội năm 2023",
        "award_kind": "giay_khen_hoi", "period": "2023", "amount_mode": "computed",
        "action": "preview", **extra,
    }


def test_office_composes_from_the_queue_previews_then_issues(client, world, flow):
    internal_rate(world)
    first = flow.recommended()["id"]
    second = flow.recommended(recipient=person("Trần Thị Mai", 1985, unit_id=world.u("xd")))["id"]
    login(client, "btl.appr")

    home = client.get("/")
    assert f'href="/decisions/queue?unit_id={world.u("btl")}"' in home.text
    assert 'href="/decisions/queue"' in home.text  # in the menu, for the office
    queue = client.get("/decisions/queue")
    assert queue.status_code == 200
    assert "Nguyễn Thị Hồng Nhung" in queue.text and "Trần Thị Mai" in queue.text
    assert "Số ngày chờ" in queue.text and "Hội LHPN quận Bắc Từ Liêm" in queue.text
    nomination_page = client.get(f"/nominations/{first}")
    assert f"/decisions/new?unit_id={world.u('btl')}&amp;nomination_id={first}" in \
        nomination_page.text

    form = post(client, "/decisions/new", {"unit_id": world.u("btl"),
                                           "nomination_id": [first, second]})
    assert form.status_code == 200, form.text
    assert 'value="1/QĐ-HPN"' in form.text  # the issuer's next free number this year
    assert 'value="30/06/2024"' in form.text  # today, as offices write dates
    assert form.text.count('name="nomination_id"') == 2
    assert "<style" not in form.text and " style=" not in form.text and "<script" not in form.text

    before = head(client)
    fields = decision_fields(world, **{
        "nomination_id": [first, second], f"mode-{second}": "decided",
        f"amount-{second}": "450.000",
        "l-1-kind": "collective", "l-1-name": "Chi hội tổ dân phố số 5",
        "l-1-unit": "hoi lhpn phuong xuan dinh", "l-1-mode": "not_stated",
    })
    preview = post(client, "/decisions/compose", fields)
    assert preview.status_code == 200, text_of(preview)[:3000]
    text = text_of(preview)
    assert "Kiểm tra trước khi ban hành quyết định" in text
    assert "chưa có gì được ghi" in text
    assert "300.000 đ" in text  # computed from the district's own rate, and explained
    assert "Theo mức thưởng của đơn vị" in text
    assert "450.000 đ" in text and 'data-code="money.differs_from_rule"' in preview.text
    assert "1 dòng không ghi số tiền" in text
    assert "750.000 đ" in text and "Bảy trăm năm mươi nghìn đồng" in text
    assert "QUYẾT ĐỊNH:" in text and "Điều 1." in text  # the Quyết định as it will read
    assert "Căn cứ Luật Thi đua, khen thưởng năm 2022;" in text
    assert "sẽ không dùng lại được" in text
    assert head(client) == before  # the preview recorded nothing
    state = carried_state(preview)

    unconfirmed = post(client, "/decisions/compose/issue", {"state": state})
    assert unconfirmed.status_code == 422
    assert "Đánh dấu ô xác nhận" in unconfirmed.text
    assert head(client) == before

    back = post(client, "/decisions/compose/edit", {"state": state})
    assert back.status_code == 200 and 'value="Chi hội tổ dân phố số 5"' in back.text
    assert 'value="450.000"' in back.text

    issued = post(client, "/decisions/compose/issue", {"state": state, "confirm": "1"},
                  follow_redirects=False)
    assert issued.status_code == 303, text_of(issued)[:2000]
    location = issued.headers["location"]
    assert location.endswith("?done=issued")
    decision_id = location.split("/")[2].split("?")[0]
    page = client.get(location)
    assert page.status_code == 200
    text = text_of(page)
    assert "Đã ban hành quyết định." in text and "15/06/2024" in text
    assert "Chi hội tổ dân phố số 5" in text and "Trần Thị Mai" in text
    assert f"/api/decisions/{decision_id}/document.pdf" in page.text
    assert f"/api/decisions/{decision_id}/document.docx" in page.text
    assert f"/api/decisions/{decision_id}/export.xlsx" in page.text
    assert "Lịch sử" in text and "Ban hành / ghi nhận quyết định" in text and "btl.appr" in text
    assert f"/decisions/{decision_id}/revoke?line_no=1" in page.text

    decided = ok(client.get(f"/api/decisions/{decision_id}", headers=world.h("admin")))
    assert decided["number"] == "16/QĐ-HPN"
    assert [line["amount"] for line in decided["lines"]] == [300_000, 450_000, None]
    for nid in (first, second):
        assert flow.nomination(nid)["status"] == "decided"
    export = client.get(f"/api/decisions/{decision_id}/export.xlsx")  # the session suffices
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert "Không có đề nghị nào đang chờ quyết định" in client.get("/decisions/queue").text

    # the same form sent again (a second click): refused on the form, nothing recorded
    position = head(client)
    again = post(client, "/decisions/compose/issue", {"state": state, "confirm": "1"})
    assert again.status_code == 409, again.status_code
    assert "Chưa xem trước được" in again.text
    assert head(client) == position
    # the next number suggested is one more than the highest used
    assert 'value="17/QĐ-HPN"' in client.get("/decisions/new").text
    # an achievement another decision holds is refused at its line, in the preview already
    twice = post(client, "/decisions/compose", decision_fields(world, **{
        "number": "17/QĐ-HPN", "amount_mode": "", "l-1-name": "Trần Thị Mai",
        "l-1-birth_year": "1985", "l-1-amount": "300000",
        "l-2-name": "Đinh Thị Nga", "l-2-birth_year": "1990", "l-2-amount": "300000"}))
    assert twice.status_code == 409
    text = text_of(twice)
    assert "Dòng 1 — nhập thêm 1:" in text and "16/QĐ-HPN" in text
    assert "Dòng 2 — nhập thêm 2" not in text
    assert head(client) == position


def test_the_preview_names_every_refused_line_and_records_nothing(client, world):
    login(client, "btl.appr")
    before = head(client)
    fields = decision_fields(world, **{
        "amount_mode": "", "decided_on": "31/02/2024",
        "l-1-name": "Lê Thị Hoa", "l-1-birth_year": "19x", "l-1-amount": "300000",
        "l-2-name": "Phạm Thị Lan", "l-2-unit": "Hội LHPN xã Nông Thượng",
        "l-2-amount": "300000",
    })
    page = post(client, "/decisions/compose", fields)
    assert page.status_code == 422
    text = text_of(page)
    assert "Ngày quyết định: ngày phải là ngày có thật" in text
    assert "Dòng 1 — nhập thêm 1: Năm sinh phải gồm 4 chữ số." in text
    assert "Dòng 2 — nhập thêm 2: Không tìm thấy đơn vị «Hội LHPN xã Nông Thượng»" in text
    assert 'href="#l-1-name"' in page.text and 'value="Phạm Thị Lan"' in page.text

    # lines the domain refuses: each named at its line (not only the first)
    fields = decision_fields(world, **{
        "amount_mode": "",
        "l-1-kind": "collective", "l-1-name": "Chi hội 3", "l-1-award_kind": "lao_dong_tien_tien",
        "l-2-name": "Lê Thị Hoa", "l-2-birth_year": "1980", "l-2-amount": "300000",
        "l-3-name": "Lê Thị Hoa", "l-3-birth_year": "1980", "l-3-award_kind": "bang_khen_tw_hoi",
    })
    page = post(client, "/decisions/compose", fields)
    assert page.status_code in (409, 422), page.status_code
    text = text_of(page)
    assert "Dòng 1 — nhập thêm 1:" in text and "không dành cho tập thể" in text
    assert "Dòng 3 — nhập thêm 3:" in text and "không có thẩm quyền" in text
    assert "award_kind." not in page.text  # codes are for the API
    assert head(client) == before


def test_an_outside_decision_typed_in_the_form(client, world):
    login(client, "btl.appr")
    form = client.get("/decisions/outside")
    assert form.status_code == 200 and "Ghi nhận quyết định của cơ quan ngoài Hội" in form.text
    before = head(client)
    fields = {
        "unit_id": world.u("btl"), "outside": "1", "issuer_body": "government",
        "issuer_level": "district", "issuer_name": "UBND quận Bắc Từ Liêm",
        "number": "35/QĐ-UBND", "decided_on": "20/12/2023", "signer_title": "Chủ tịch",
        "signer_name": "Nguyễn Văn An", "award_kind": "giay_khen_ubnd_huyen", "period": "2023",
        "amount_mode": "", "achievement": "Mô hình «Tuyến phố, đoạn đường nở hoa»",
        "l-1-name": "Đỗ Thị Thu", "l-1-birth_year": "1975", "l-1-gender": "female",
        "l-1-unit": "Hội LHPN phường Cổ Nhuế 1", "l-1-amount": "1 480 000",
        "l-2-kind": "collective", "l-2-unit": "Hội LHPN phường Xuân Đỉnh",
        "l-2-amount": "2.160.000", "action": "preview",
    }
    preview = post(client, "/decisions/compose", fields)
    assert preview.status_code == 200, text_of(preview)[:3000]
    text = text_of(preview)
    assert "Kiểm tra trước khi ghi nhận quyết định" in text
    assert "UBND QUẬN BẮC TỪ LIÊM" in text and "3.640.000 đ" in text
    assert "Hội LHPN phường Xuân Đỉnh" in text  # the collective is the unit itself
    assert head(client) == before
    done = post(client, "/decisions/compose/issue",
                {"state": carried_state(preview), "confirm": "1"})
    assert done.status_code == 200 and "Đã ghi nhận quyết định của cơ quan ngoài Hội." in \
        done.text
    assert "ngoài Hội, được ghi nhận" in done.text


def _filled(rows: list[list], template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book["Danh sách"]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _outside_fields(world) -> dict:
    return {"unit_id": world.u("btl"), "outside": "1", "issuer_body": "government",
            "issuer_level": "district", "issuer_name": "UBND quận Bắc Từ Liêm",
            "number": "36/QĐ-UBND", "decided_on": "20/12/2023",
            "award_kind": "giay_khen_ubnd_huyen", "period": "2023", "action": "preview"}


def test_an_outside_decision_uploaded_as_an_xlsx_list(client, world):
    login(client, "btl.appr")
    template = client.get("/decisions/import-template.xlsx")
    assert template.status_code == 200
    assert template.headers["content-type"] == XLSX_MEDIA
    headers = [c.value for c in load_workbook(io.BytesIO(template.content))["Danh sách"][1]]
    assert headers[:4] == ["STT", "Họ tên / tên tập thể", "Đối tượng", "Giới tính"]
    assert "Số tiền (đồng)" in headers

    # a list with mistakes: every wrong row named, nothing recorded, no preview
    before = head(client)
    wrong = _filled([
        [1, "Đỗ Thị Thu", "cá nhân", "Nữ", 1975, None, None, "Hội LHPN phường Cổ Nhuế 1", None,
         None, None, None, 1_480_000],
        [2, "Vũ Thị Hạnh", "nhóm", "Nữ", "197", None, None, "Hội LHPN phường Cổ Nhuế 1"],
        [],
        [4, None, "cá nhân", None, None, None, None, None, "Huân chương Sao Trời", None, None,
         None, -5],
    ], template.content)
    page = client.post("/decisions/compose", data=form_data(client, _outside_fields(world)),
                       files={"upload": ("danh-sach.xlsx", wrong, XLSX_MEDIA)})
    assert page.status_code == 422
    text = text_of(page)
    assert "Tệp «danh-sach.xlsx», hàng 3: Đối tượng «nhóm» không rõ" in text
    assert "hàng 3: Năm sinh «197» không hợp lệ" in text
    # a form outside the catalogue is no mistake in an outside decision's list: it is kept as
    # the source states it (the row's other mistakes still are)
    assert "Huân chương Sao Trời" not in text
    assert "hàng 5: Số tiền «-5» không hợp lệ" in text and "hàng 5: Thiếu họ tên" in text
    assert "hàng 2" not in text and "Kiểm tra trước khi" not in text
    assert head(client) == before

    # not a spreadsheet, whatever its name says
    fake = client.post("/decisions/compose", data=form_data(client, _outside_fields(world)),
                       files={"upload": ("danh-sach.xlsx", b"STT;Ho ten\n1;A\n", XLSX_MEDIA)})
    assert fake.status_code == 422 and "không phải bảng tính Excel (.xlsx)" in fake.text

    # a unit the decision cannot name: the file's row is said
    outside_unit = _filled([[1, "Hà Thị Nga", None, None, 1970, None, None,
                             "Hội LHPN xã Nông Thượng", None, None, None, None, 500_000]],
                           template.content)
    page = client.post("/decisions/compose", data=form_data(client, _outside_fields(world)),
                       files={"upload": ("ds.xlsx", outside_unit, XLSX_MEDIA)})
    assert page.status_code == 422
    assert "Dòng 1 — hàng 2 của tệp: Không tìm thấy đơn vị «Hội LHPN xã Nông Thượng»" in \
        text_of(page)

    # the template filled in correctly: the same preview, then recorded, all lines at once
    good = _filled([
        [1, "Đỗ Thị Thu", "cá nhân", "Nữ", 1975, "Tổ trưởng", "001175001234",
         "Hội LHPN phường Cổ Nhuế 1", None, None, None, "Theo số tiền quyết định ghi", 1_480_000],
        [2, None, "tập thể", None, None, None, None, "Hội LHPN phường Xuân Đỉnh", None, None,
         None, None, "2.160.000"],
        [3, "Bùi Thị Yến", None, "Nữ", 1990, None, None, "Hội LHPN phường Xuân Đỉnh", None,
         None, None, "Quyết định không ghi số tiền", None],
    ], template.content)
    preview = client.post("/decisions/compose", data=form_data(client, _outside_fields(world)),
                          files={"upload": ("danh-sach.xlsx", good, XLSX_MEDIA)})
    assert preview.status_code == 200, text_of(preview)[:3000]
    text = text_of(preview)
    assert "3.640.000 đ" in text and "1 dòng không ghi số tiền" in text
    assert "Dòng 3 — hàng 4 của tệp" in text
    assert head(client) == before
    state = carried_state(preview)
    edit = post(client, "/decisions/compose/edit", {"state": state})
    assert "Đã tải: danh-sach.xlsx — 3 hàng." in text_of(edit)
    done = post(client, "/decisions/compose/issue", {"state": state, "confirm": "1"},
                follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=recorded")
    decision_id = done.headers["location"].split("/")[2].split("?")[0]
    recorded = ok(client.get(f"/api/decisions/{decision_id}", headers=world.h("admin")))
    assert recorded["external"] and len(recorded["lines"]) == 3
    assert recorded["lines"][0]["recipient"]["citizen_id"] == "001175001234"
    assert recorded["lines"][1]["recipient"]["org_unit_id"] == world.u("xd")


def test_a_spreadsheet_that_is_not_the_template(client, world):
    login(client, "btl.appr")
    book = Workbook()
    book.active.append(["Cột A", "Cột B"])
    book.active.append(["x", "y"])
    out = io.BytesIO()
    book.save(out)
    page = client.post("/decisions/compose", data=form_data(client, _outside_fields(world)),
                       files={"upload": ("khac.xlsx", out.getvalue(), XLSX_MEDIA)})
    assert page.status_code == 422 and "không tìm thấy hàng tiêu đề" in page.text


def test_revoking_a_line_then_the_whole_decision_after_confirmation(client, world, flow):
    decision = flow.decide([
        {"recipient": person("Lê Thị Hoa", 1980, unit_id=world.u("xd")),
         "award_kind": "giay_khen_hoi", "period": "2023", "amount": 300_000},
        {"recipient": person("Phạm Thị Lan", 1982, unit_id=world.u("xd")),
         "award_kind": "giay_khen_hoi", "period": "2023", "amount": 300_000},
        {"recipient": person("Vũ Thị Hạnh", 1984, unit_id=world.u("xd")),
         "award_kind": "giay_khen_hoi", "period": "2023"},
    ])
    did = decision["id"]
    login(client, "btl.appr")
    page = client.get(f"/decisions/{did}")
    assert f'href="/decisions/{did}/revoke"' in page.text

    form = client.get(f"/decisions/{did}/revoke?line_no=2")
    assert form.status_code == 200 and "Phạm Thị Lan" in form.text
    assert "Gian dối trong việc kê khai thành tích" in form.text
    before = head(client)
    missing = post(client, f"/decisions/{did}/revoke",
                   {"line_no": "2", "revoked_on": "01/03/2024", "step": "check"})
    assert missing.status_code == 422
    assert "Chọn căn cứ hủy bỏ." in missing.text and "Ghi rõ lý do hủy bỏ." in missing.text
    too_early = post(client, f"/decisions/{did}/revoke",
                     {"line_no": "2", "revoked_on": "01/01/2024", "ground": "b",
                      "reason": "Hồ sơ không trung thực", "step": "check"})
    assert too_early.status_code == 422 and "Chưa hủy bỏ được" in too_early.text
    fields = {"line_no": "2", "revoked_on": "01/03/2024", "ground": "b",
              "reason": "Hồ sơ không trung thực", "step": "check"}
    check = post(client, f"/decisions/{did}/revoke", fields)
    assert check.status_code == 200
    text = text_of(check)
    assert "Xác nhận hủy bỏ khen thưởng của Phạm Thị Lan (dòng 2)" in text
    assert "1 dòng, 300.000 đ không còn hiệu lực từ ngày 01/03/2024" in text
    assert "không hoàn tác được" in text
    assert head(client) == before  # the check recorded nothing
    confirmed = post(client, f"/decisions/{did}/revoke", {**fields, "step": "confirm"},
                     follow_redirects=False)
    assert confirmed.status_code == 303
    page = client.get(confirmed.headers["location"])
    text = text_of(page)
    assert "Đã ghi việc hủy bỏ." in text and "Hủy bỏ từ 01/03/2024" in text
    assert "Hủy bỏ khen thưởng một người/tập thể" in text
    assert "Dòng 2 (Phạm Thị Lan) — từ ngày 01/03/2024; căn cứ: điểm b khoản 2 Điều 93" in text
    assert f"/decisions/{did}/revoke?line_no=2" not in page.text  # revoked already
    api = ok(client.get(f"/api/decisions/{did}", headers=world.h("admin")))
    assert api["status"] == "partly_revoked"

    whole = {"revoked_on": "02/03/2024", "ground": "other",
             "reason": "Quyết định ban hành sai thẩm quyền", "step": "check"}
    check = post(client, f"/decisions/{did}/revoke", whole)
    text = text_of(check)
    assert "Xác nhận hủy bỏ toàn bộ quyết định" in text
    assert "2 dòng, 300.000 đ (1 dòng không ghi số tiền)" in text
    done = post(client, f"/decisions/{did}/revoke", {**whole, "step": "confirm"})
    assert done.status_code == 200 and "Đã bị hủy bỏ" in done.text
    assert "Hủy bỏ toàn bộ quyết định" not in done.text  # nothing left to revoke
    assert ok(client.get(f"/api/decisions/{did}", headers=world.h("admin")))["status"] == \
        "revoked"
    again = post(client, f"/decisions/{did}/revoke", {**whole, "step": "confirm"})
    assert again.status_code == 409 and "đã bị hủy bỏ" in again.text.lower()


def test_only_the_office_of_the_unit_decides_in_the_pages(client, world, flow):
    decision = flow.decide([{"recipient": person("Lê Thị Hoa", 1980, unit_id=world.u("xd")),
                             "award_kind": "giay_khen_hoi", "period": "2023",
                             "amount": 300_000}])
    nid = flow.recommended()["id"]
    did = decision["id"]
    fields = decision_fields(world, **{"nomination_id": [nid]})
    revoke = {"revoked_on": "01/03/2024", "ground": "a", "reason": "x", "step": "confirm"}
    state = compose.encode({**compose.blank_state(False, world.u("btl")),
                            "number": "9/QĐ-HPN", "decided_on": "01/06/2024",
                            "nominations": [{"id": nid, "mode": "", "amount": "300000"}]})
    for user in ("xd.nom", "admin", "xd.chair"):
        login(client, user)
        before = head(client)
        for path in ("/decisions/queue", "/decisions/new", "/decisions/outside",
                     f"/decisions/new?unit_id={world.u('btl')}&nomination_id={nid}",
                     f"/decisions/{did}/revoke", f"/decisions/{did}/revoke?line_no=1"):
            page = client.get(path)
            assert page.status_code == 403, (user, path, page.status_code)
            assert "Không thực hiện được" in page.text
        for path, data in (("/decisions/new", {"unit_id": world.u("btl"), "nomination_id": nid}),
                           ("/decisions/compose", fields),
                           ("/decisions/compose/issue", {"state": state, "confirm": "1"}),
                           (f"/decisions/{did}/revoke", revoke)):
            page = post(client, path, data)
            assert page.status_code == 403, (user, path, page.status_code)
        assert head(client) == before
        shown = client.get(f"/decisions/{did}")
        assert shown.status_code == 200  # decisions are public to the signed-in
        assert "/revoke" not in shown.text and "/decisions/queue" not in shown.text
        assert "Lập quyết định khen thưởng cho đề nghị này" not in \
            client.get(f"/nominations/{nid}").text
    # an approver of another subtree is refused too (the API's rule: approver of the unit)
    login(client, "btl.appr")
    assert client.get(f"/decisions/new?unit_id={world.u('backan')}").status_code == 403
    assert client.get(f"/decisions/queue?unit_id={world.u('hanoi')}").status_code == 403
