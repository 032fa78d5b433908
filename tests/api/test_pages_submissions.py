"""A tờ trình with its list in the pages (issue 16): typed rows added, moved and removed; an
XLSX list uploaded, every wrong row said with its row number before anything is recorded; the
rows fixed in the page; the review; filed after the confirmation — all nominations or none;
the same permission as the API; files that are not lists are refused (422), never a 500."""

from __future__ import annotations

import io
import re
from html import unescape

from openpyxl import Workbook, load_workbook

from services.nomination_imports import XLSX_MEDIA
from tests.helpers import form_data, head, ok, page_login

XD = "Hội LHPN phường Xuân Đỉnh"


def login(client, username: str) -> None:
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def text_of(page) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def hidden(page, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.text)
    assert found, page.text[:3000]
    return unescape(found.group(1))


def inputs(page) -> dict[str, str]:
    """The form's fields as the page shows them (inputs, selected options, textareas)."""
    fields: dict[str, str] = {}
    for name, value in re.findall(r'<input [^>]*name="([^"]+)" value="([^"]*)"', page.text):
        fields[name] = unescape(value)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)">(.*?)</select>', page.text, re.S):
        chosen = re.search(r'<option value="([^"]*)"\s*selected', body)
        fields[name] = unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>',
                                 page.text, re.S):
        fields[name] = unescape(body)
    fields.pop("csrf_token", None)
    return fields


def person_row(n: int) -> list:
    return [n, "cá nhân", f"Nguyễn Thị Mẫu {n:02d}", "Nữ", 1970 + n % 20, "Hội viên", XD,
            "Giấy khen của Hội Liên hiệp Phụ nữ",
            f"Hoàn thành xuất sắc nhiệm vụ năm 2023 (người {n})", "2023"]


def workbook(rows: list[list], template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book["Danh sách"]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def thirty_with_two_bad(template: bytes) -> bytes:
    rows = [person_row(n) for n in range(1, 31)]
    rows[6][4] = "197"  # hàng 9 (example row 2, then rows from 3)
    rows[20][7] = "Huân chương Sao Trời"  # hàng 23
    return workbook(rows, template)


def upload(client, world, data: bytes, name: str = "danh-sach.xlsx", **fields):
    return client.post("/submissions/compose", data=form_data(client, {
        "unit_id": world.u("xd"), "number": "12/TTr-HPN", "title": "Đề nghị khen thưởng 2023",
        "submitted_on": "20/06/2024", "action": "upload", **fields}),
        files={"upload": (name, data, XLSX_MEDIA)})


def nominations_of(client, world, unit: str = "xd") -> int:
    return ok(client.get(f"/api/nominations?proposing_unit_id={world.u(unit)}",
                         headers=world.h("admin")))["total"]


def test_thirty_rows_two_wrong_then_fixed_in_the_page_and_filed(client, world):
    login(client, "xd.nom")
    template = client.get("/submissions/import-template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX_MEDIA
    sheet = load_workbook(io.BytesIO(template.content))["Danh sách"]
    assert [c.value for c in sheet[1]][:3] == ["STT", "Đối tượng", "Họ tên / tên tập thể"]
    assert sheet["A2"].value == "Ví dụ"
    assert sheet.data_validations.dataValidation, "drop-down lists for the kinds"

    before = head(client)
    page = upload(client, world, thirty_with_two_bad(template.content))
    assert page.status_code == 422, text_of(page)[:2000]
    text = text_of(page)
    assert "Vui lòng sửa 2 lỗi" in text
    assert "Dòng 7 (hàng 9 của tệp): Năm sinh «197» không hợp lệ" in text
    assert "Dòng 21 (hàng 23 của tệp): Hình thức khen thưởng «Huân chương Sao Trời» " \
           "không có trong danh mục" in text
    assert "Danh sách đề nghị (30 dòng)" in text
    assert head(client) == before and nominations_of(client, world) == 0

    # the two rows fixed in the page (imported rows are editable rows), then the review
    fields = inputs(page)
    assert fields["c-7-birth_year"] == "197" and fields["c-21-award_kind"] == "Huân chương Sao Trời"
    fields.update({"c-7-birth_year": "1977", "c-21-award_kind": "giay_khen_hoi",
                   "action": "review"})
    review = client.post("/submissions/compose", data=form_data(client, fields))
    assert review.status_code == 200, text_of(review)[:3000]
    text = text_of(review)
    assert "Kiểm tra trước khi nộp tờ trình" in text and "30 dòng: 30 cá nhân" in text
    assert "Nộp tờ trình (30 đề nghị)" in text
    assert head(client) == before
    state = hidden(review, "state")

    # not confirmed: nothing filed
    unconfirmed = client.post("/submissions/compose/file", data=form_data(client, {"state": state}))
    assert unconfirmed.status_code == 422 and "Đánh dấu ô xác nhận" in unconfirmed.text
    assert head(client) == before

    done = client.post("/submissions/compose/file",
                       data=form_data(client, {"state": state, "confirm": "1"}),
                       follow_redirects=False)
    assert done.status_code == 303, text_of(done)[:2000]
    location = done.headers["location"]
    assert location.endswith("?done=filed")
    sid = location.split("/")[2].split("?")[0]
    filed = ok(client.get(f"/api/submissions/{sid}", headers=world.h("admin")))
    assert filed["number"] == "12/TTr-HPN" and len(filed["nomination_ids"]) == 30
    listed = ok(client.get(f"/api/nominations?submission_id={sid}&limit=100",
                           headers=world.h("admin")))
    assert listed["total"] == 30
    assert {n["status"] for n in listed["items"]} == {"under_review"}
    seventh = ok(client.get(f"/api/nominations/{filed['nomination_ids'][6]}",
                            headers=world.h("admin")))
    assert seventh["recipient"]["birth_year"] == 1977
    assert seventh["recipient"]["unit_id"] == world.u("xd")

    shown = client.get(location)
    text = text_of(shown)
    assert "Đã nộp tờ trình với 30 đề nghị khen thưởng." in text
    assert "30 đang xét duyệt" in text and "Nguyễn Thị Mẫu 07" in text
    assert f'href="/nominations/{filed["nomination_ids"][0]}"' in shown.text
    listing = text_of(client.get("/submissions"))
    assert "12/TTr-HPN" in listing and "20/06/2024" in listing and "30 đang xét duyệt" in listing


def test_a_corrected_file_replaces_the_earlier_list(client, world):
    login(client, "xd.nom")
    template = client.get("/submissions/import-template.xlsx").content
    page = upload(client, world, thirty_with_two_bad(template))
    assert page.status_code == 422
    good = workbook([person_row(n) for n in range(1, 31)], template)
    again = client.post("/submissions/compose", data=form_data(client, {
        **inputs(page), "action": "review"}), files={"upload": ("sua.xlsx", good, XLSX_MEDIA)})
    assert again.status_code == 200, text_of(again)[:3000]
    assert "30 dòng: 30 cá nhân" in text_of(again)


def test_typed_rows_added_moved_removed_then_filed(client, world):
    login(client, "xd.nom")
    new = client.get("/submissions/new")
    assert new.status_code == 200
    fields = inputs(new)
    assert fields["unit_id"] == world.u("xd") and fields["submitted_on"] == "30/06/2024"
    assert "c-3-name" in fields and "c-4-name" not in fields
    fields.update({"c-1-name": "Lê Thị Một", "c-1-award_kind": "giay_khen_hoi",
                   "c-1-achievement": "Thành tích một", "c-1-period": "2023",
                   "c-2-kind": "collective", "c-2-unit": XD, "c-2-award_kind": "giay_khen_hoi",
                   "c-2-achievement": "Thành tích tập thể", "c-2-period": "2023",
                   "action": "more"})
    more = client.post("/submissions/compose", data=form_data(client, fields))
    assert more.status_code == 200
    fields = inputs(more)
    assert fields["c-1-name"] == "Lê Thị Một" and "c-7-name" in fields  # 2 rows + 5 new
    moved = client.post("/submissions/compose", data=form_data(client, {**fields,
                                                                       "action": "down:1"}))
    fields = inputs(moved)
    assert fields["c-2-name"] == "Lê Thị Một" and fields["c-1-kind"] == "collective"
    fields.update({"c-3-name": "Người bỏ đi", "c-3-award_kind": "giay_khen_hoi",
                   "c-3-achievement": "x", "c-3-period": "2023", "action": "remove:3"})
    removed = client.post("/submissions/compose", data=form_data(client, fields))
    assert "Người bỏ đi" not in removed.text and "Danh sách đề nghị (2 dòng)" in text_of(removed)
    review = client.post("/submissions/compose", data=form_data(client, {
        **inputs(removed), "action": "review"}))
    assert review.status_code == 200, text_of(review)[:3000]
    assert "2 dòng: 1 cá nhân, 1 tập thể" in text_of(review)
    edit = client.post("/submissions/compose/edit",
                       data=form_data(client, {"state": hidden(review, "state")}))
    assert inputs(edit)["c-2-name"] == "Lê Thị Một"
    done = client.post("/submissions/compose/file", data=form_data(client, {
        "state": hidden(review, "state"), "confirm": "1"}), follow_redirects=False)
    assert done.status_code == 303
    sid = done.headers["location"].split("/")[2].split("?")[0]
    filed = ok(client.get(f"/api/submissions/{sid}", headers=world.h("admin")))
    first = ok(client.get(f"/api/nominations/{filed['nomination_ids'][0]}",
                          headers=world.h("admin")))
    assert first["recipient"]["org_unit_id"] == world.u("xd")  # the moved row came first


def test_every_typed_problem_is_said_at_its_row(client, world):
    login(client, "xd.nom")
    before = head(client)
    page = client.post("/submissions/compose", data=form_data(client, {
        "unit_id": world.u("xd"), "submitted_on": "31/02/2024", "action": "review",
        "c-1-kind": "household", "c-1-name": "Hộ bà Tư", "c-1-birth_year": "1950",
        "c-1-award_kind": "ky_niem_chuong_phu_nu", "c-1-achievement": "",
        "c-1-period": "2023", "c-2-name": "Trần Thị Hai", "c-2-unit": "Hội LHPN xã Nông Thượng",
        "c-2-award_kind": "giay_khen_hoi", "c-2-achievement": "Tốt", "c-2-period": "2023"}))
    assert page.status_code == 422
    text = text_of(page)
    assert "Ngày tờ trình: ngày của tờ trình phải là ngày có thật" in text
    assert "Dòng 1: Giới tính và năm sinh chỉ ghi cho cá nhân." in text
    assert "Dòng 1: Cần mô tả thành tích." in text
    assert "Dòng 2: Không tìm thấy đơn vị «Hội LHPN xã Nông Thượng»" in text
    assert head(client) == before
    empty = client.post("/submissions/compose", data=form_data(client, {
        "unit_id": world.u("xd"), "submitted_on": "20/06/2024", "action": "review"}))
    assert empty.status_code == 422 and "cần ít nhất một người / tập thể" in empty.text


def test_files_that_are_not_lists_are_refused(client, world):
    login(client, "xd.nom")
    before = head(client)
    for data, said in (
        (b"STT;Ho ten\n1;A\n", "không phải bảng tính Excel (.xlsx)"),
        (b"PK\x03\x04" + b"\0" * 200, "không phải bảng tính Excel (.xlsx)"),
        (b"", "tệp tải lên trống"),
        (b"PK\x03\x04" + b"x" * (2 * 1024 * 1024 + 10), "tệp quá lớn (tối đa 2 MB)"),
    ):
        page = upload(client, world, data, "ds.xlsx")
        assert page.status_code == 422, (said, page.status_code)
        assert said.lower() in page.text.lower()
    book = Workbook()
    book.active.append(["Cột A", "Cột B"])
    out = io.BytesIO()
    book.save(out)
    page = upload(client, world, out.getvalue(), "khac.xlsx")
    assert page.status_code == 422 and "Không tìm thấy hàng tiêu đề" in page.text
    template = client.get("/submissions/import-template.xlsx").content
    page = upload(client, world, template, "mau.xlsx")  # only the example row
    assert page.status_code == 422 and "không có hàng nào" in page.text
    big = Workbook(write_only=True)
    sheet = big.create_sheet("Danh sách")
    sheet.append(["STT", "Đối tượng", "Họ tên / tên tập thể", "Hình thức khen thưởng"])
    for n in range(1, 10_001):
        sheet.append([n, "cá nhân", f"Người {n}", "giay_khen_hoi"])
    out = io.BytesIO()
    big.save(out)
    page = upload(client, world, out.getvalue(), "10000.xlsx")
    assert page.status_code == 422 and "quá nhiều hàng (tối đa 5000)" in page.text
    flood = {f"c-{n}-name": "x" for n in range(1, 5001)}
    too_many = client.post("/submissions/compose", data=form_data(client, {
        "unit_id": world.u("xd"), **flood}), files={"upload": ("", b"", XLSX_MEDIA)})
    assert too_many.status_code < 500
    bad_state = client.post("/submissions/compose/file", data=form_data(client, {
        "state": "không-phải", "confirm": "1"}))
    assert bad_state.status_code == 422
    assert head(client) == before


def test_a_long_list_shows_its_wrong_rows_as_inputs(client, world):
    login(client, "xd.nom")
    template = client.get("/submissions/import-template.xlsx").content
    rows = [person_row(n) for n in range(1, 1201)]
    rows[999][4] = "abc"
    page = upload(client, world, workbook(rows, template))
    assert page.status_code == 422
    fields = inputs(page)
    assert fields["c-1000-birth_year"] == "abc" and "c-1-name" not in fields
    fields.update({"c-1000-birth_year": "1980", "action": "review"})
    review = client.post("/submissions/compose", data=form_data(client, fields))
    assert review.status_code == 200, text_of(review)[:2000]
    assert "1200 dòng: 1200 cá nhân" in text_of(review)


def test_only_a_nominator_of_the_unit_files(client, world):
    template = None
    for user, status in (("xd.chair", 403), ("nt.nom", 403), ("hn.appr", 403)):
        client.cookies.clear()
        login(client, user)
        template = template or client.get("/submissions/import-template.xlsx").content
        before = head(client)
        assert client.get("/submissions/new").status_code == (403 if user != "nt.nom" else 200)
        page = upload(client, world, workbook([person_row(1)], template))
        assert page.status_code == status, (user, page.status_code)
        typed = client.post("/submissions/compose", data=form_data(client, {
            "unit_id": world.u("xd"), "submitted_on": "20/06/2024", "action": "review",
            "c-1-name": "A", "c-1-award_kind": "giay_khen_hoi", "c-1-achievement": "x",
            "c-1-period": "2023"}))
        assert typed.status_code == status
        assert head(client) == before
    assert nominations_of(client, world) == 0
    # the list is readable as the API's (a reviewer of the unit sees its tờ trình)
    client.cookies.clear()
    login(client, "xd.chair")
    assert client.get("/submissions").status_code == 200


def test_the_longest_list_is_reviewed(client, world):
    login(client, "xd.nom")
    big = Workbook(write_only=True)
    sheet = big.create_sheet("Danh sách")
    sheet.append(["STT", "Đối tượng", "Họ tên / tên tập thể", "Năm sinh", "Hình thức khen thưởng",
                  "Thành tích", "Thời gian thành tích"])
    for n in range(1, 5001):
        sheet.append([n, "cá nhân", f"Người thứ {n}", 1960 + n % 40, "Giấy khen Hội LHPN",
                      "Hoàn thành xuất sắc nhiệm vụ", "2023"])
    out = io.BytesIO()
    big.save(out)
    before = head(client)
    page = upload(client, world, out.getvalue(), "5000.xlsx", action="review")
    assert page.status_code == 200, text_of(page)[:2000]
    assert "5000 dòng: 5000 cá nhân" in text_of(page) and "… và 4500 dòng khác" in page.text
    assert head(client) == before
