"""Past decisions imported from a file through the API and the pages, on both stores: the dry
run (multipart) lists every mistake by sheet and row and records nothing; the import records
the valid decisions, all or nothing per decision, and the same file again records nothing new;
a CSV list; only the awards office of the recording unit may (a nominator, an admin without the
office's role: 403); files that are no list are a 422. In the pages: the template, upload → dry
run → confirmation → result, linked from the decisions page."""

from __future__ import annotations

import io
import re
from html import unescape

from openpyxl import load_workbook

from services.past_imports import XLSX_MEDIA
from tests.helpers import form_data, head, ok, page_login, refused
from tests.services.test_past_imports import UBND, XD, earlier_awards, three_decisions


def dry_run(client, world, data: bytes, user: str = "btl.appr", name: str = "qd-cu.xlsx",
            path: str = "/api/decisions/imports/dry-run", unit: str = "btl"):
    client.cookies.clear()
    media = "text/csv" if name.endswith(".csv") else XLSX_MEDIA
    return client.post(path, headers=world.h(user), files={"file": (name, data, media)},
                       data={"unit_id": world.u(unit)})


def run(client, world, data: bytes, **kw):
    return dry_run(client, world, data, path="/api/decisions/imports", **kw)


def test_the_api_dry_run_then_the_import_then_the_same_file_again(client, world):
    earlier_awards(world)
    data = three_decisions()
    before = head(client)
    report = ok(dry_run(client, world, data))
    assert report["dry_run"] and head(client) == before
    assert report["summary"] | {"errors": 0} == {
        "decisions": 3, "errors": 0, "ready": 2, "invalid": 1, "exists": 0, "recorded": 0,
        "refused": 0}
    bad = next(d for d in report["decisions"] if d["status"] == "invalid")
    assert bad["number"] == "12/QĐ-HPN"
    assert [(e["sheet"], e["row"]) for e in bad["errors"]] == [("2022", 14), ("2022", 15)]
    first = report["decisions"][0]
    assert first["matched"][0]["name"] == "Đỗ Thị Thu" and first["matched"][0]["key"]
    assert first["candidates"][0]["candidates"][0]["birth_year"] == 1980

    answer = run(client, world, data)
    done = ok(answer)
    assert [d["status"] for d in done["decisions"]] == ["recorded", "invalid", "recorded"]
    assert int(answer.headers["X-TDKT-Position"]) == done["position"] == head(client)
    recorded = ok(client.get(f"/api/decisions/{done['decisions'][0]['decision_id']}",
                             headers=world.h("admin")))
    assert recorded["external"] and recorded["issuer"]["name"] == UBND
    assert len(recorded["lines"]) == 3 and recorded["totals"]["amount"] == 1_500_000
    # Đỗ Thị Thu: one person, both awards in her history
    key = first["matched"][0]["key"]
    history = ok(client.get("/api/registry/history", params={"key": key},
                            headers=world.h("admin")))
    assert [i["decision"]["number"] for i in history["items"]] == ["10/QĐ-UBND", "35/QĐ-UBND"]

    before = head(client)
    again = run(client, world, data)
    assert [d["status"] for d in ok(again)["decisions"]] == ["exists", "invalid", "exists"]
    assert head(client) == before and "X-TDKT-Position" not in again.headers


def test_a_csv_list_through_the_api(client, world):
    text = (
        "Số quyết định,Ngày quyết định,Loại cơ quan ban hành,Cấp cơ quan ban hành,"
        "Cơ quan ban hành,Họ tên,Năm sinh,Đơn vị,Hình thức khen thưởng,Thời gian,Số tiền\n"
        f"50/QĐ-UBND,10/01/2023,cơ quan nhà nước,quận,{UBND},Lê Thị Đào,1977,{XD},"
        "giay_khen_ubnd_huyen,2022,300000\n"
        f",,,,,Lê Thị Mận,1978,{XD},giay_khen_ubnd_huyen,2022,\n")
    done = ok(run(client, world, text.encode("utf-8"), name="ds.csv"))
    [decision] = done["decisions"]
    assert decision["status"] == "recorded" and decision["rows"] == 2
    assert decision["totals"]["amount"] == 300_000
    assert decision["totals"]["lines_without_amount"] == 1


def test_only_the_office_of_the_unit_and_only_lists(client, world):
    data = three_decisions()
    before = head(client)
    refused(dry_run(client, world, data, user="xd.nom"), 403, "auth.role_required")
    refused(run(client, world, data, user="hn.admin"), 403, "auth.role_required")
    refused(run(client, world, data, user="btl.appr", unit="nt"), 403, "auth.outside_scope")
    client.cookies.clear()
    assert client.post("/api/decisions/imports", files={"file": ("x.csv", b"a", "text/csv")},
                       data={"unit_id": world.u("btl")}).status_code == 401
    for junk in (b"", b"PK\x03\x04junk", b"\x00\x01\x02", "Cột A;Cột B\n1;2\n".encode()):
        refused(run(client, world, junk), 422, "validation.invalid")
    assert head(client) == before


# -- the pages ---------------------------------------------------------------------------------


def login(client, username: str) -> None:
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def text_of(page) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def carried_state(page) -> str:
    found = re.search(r'name="state" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    return unescape(found.group(1))


def test_the_pages_upload_dry_run_confirm_result(client, world):
    earlier_awards(world)
    login(client, "btl.appr")
    listing = client.get("/decisions")
    assert 'href="/decisions/imports"' in listing.text
    form = client.get("/decisions/imports")
    assert form.status_code == 200 and "Nhập quyết định khen thưởng đã có" in form.text
    template = client.get("/decisions/imports/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX_MEDIA
    book = load_workbook(io.BytesIO(template.content))
    assert {"Hướng dẫn", "Danh mục"} <= set(book.sheetnames)
    assert book.worksheets[0]["A1"].value == "Số quyết định"

    before = head(client)
    nothing = client.post("/decisions/imports", data=form_data(client, {
        "unit_id": world.u("btl")}))
    assert nothing.status_code == 422 and "Chưa chọn tệp" in nothing.text
    junk = client.post("/decisions/imports", data=form_data(client, {"unit_id": world.u("btl")}),
                       files={"upload": ("x.xlsx", b"PK\x03\x04junk", XLSX_MEDIA)})
    assert junk.status_code == 422 and "không phải bảng tính Excel" in junk.text

    check = client.post("/decisions/imports", data=form_data(client, {"unit_id": world.u("btl")}),
                        files={"upload": ("qd-cu.xlsx", three_decisions(), XLSX_MEDIA)})
    assert check.status_code == 200, text_of(check)[:3000]
    text = text_of(check)
    assert "Đây là bản kiểm tra: chưa có gì được ghi." in text
    assert "Quyết định trong tệp 3: 2 sẽ được ghi , 1 có lỗi" in text
    assert "Quyết định số 12/QĐ-HPN: 2 lỗi" in text
    assert "2022 14 Năm sinh «19x5» không hợp lệ (4 chữ số)." in text
    assert "Quyết định số 35/QĐ-UBND ngày 20/12/2019 Sẽ ghi nhận" in text
    assert "3 dòng: 2 cá nhân, 1 tập thể" in text and "1.500.000 đ" in text
    assert "1 người trùng tên với người đã có trong sổ" in text
    assert "15 Nguyễn Thị Lan, 1982 Nguyễn Thị Lan , 1980, Hội LHPN phường Xuân Đỉnh" in text
    assert "Ghi nhận 2 quyết định" in text
    assert head(client) == before
    state = carried_state(check)

    unconfirmed = client.post("/decisions/imports/confirm",
                              data=form_data(client, {"state": state}))
    assert unconfirmed.status_code == 422 and "Đánh dấu ô xác nhận" in unconfirmed.text
    assert head(client) == before

    done = client.post("/decisions/imports/confirm",
                       data=form_data(client, {"state": state, "confirm": "1"}))
    assert done.status_code == 200, text_of(done)[:3000]
    text = text_of(done)
    assert "Đã ghi nhận 2 quyết định" in text and "1 quyết định không được ghi" in text
    assert "Quyết định số 5/QĐ-UBND ngày 15/01/2024" in text
    assert head(client) > before
    ids = re.findall(r'href="/decisions/([0-9a-f-]{36})"', done.text)
    assert len(set(ids)) == 2
    assert client.get(f"/decisions/{ids[0]}").status_code == 200

    # confirmed twice (the back button): nothing new
    before = head(client)
    again = client.post("/decisions/imports/confirm",
                        data=form_data(client, {"state": state, "confirm": "1"}))
    assert "Đã ghi nhận 0 quyết định" in text_of(again)
    assert "Đã có trong hệ thống — không ghi lại" in text_of(again)
    assert head(client) == before


def test_the_pages_ask_what_the_api_asks(client, world):
    login(client, "xd.nom")
    assert client.get("/decisions/imports").status_code == 403
    answer = client.post("/decisions/imports", data=form_data(client, {"unit_id": world.u("xd")}),
                         files={"upload": ("qd.xlsx", three_decisions(), XLSX_MEDIA)})
    assert answer.status_code == 403
    assert 'href="/decisions/imports"' not in client.get("/decisions").text
    client.cookies.clear()
    login(client, "btl.appr")
    assert client.get(f"/decisions/imports?unit_id={world.u('nt')}").status_code == 403


def test_a_form_outside_the_catalogue_is_recorded_as_the_list_states_it(client, world):
    """An outside decision's list may name forms the catalogue does not hold («Biểu dương»,
    «Thưởng nóng»): each is recorded with the list's own wording, awaiting mapping, beside a
    catalogue form in the same decision — never refused."""
    front = "Ủy ban MTTQ Việt Nam quận Bắc Từ Liêm"
    text = (
        "Số quyết định,Ngày quyết định,Loại cơ quan ban hành,Cấp cơ quan ban hành,"
        "Cơ quan ban hành,Họ tên,Năm sinh,Đơn vị,Hình thức khen thưởng,Thời gian,Số tiền\n"
        f"7/QĐ-MTTQ,15/03/2024,Mặt trận Tổ quốc Việt Nam,quận,{front},Lê Thị Đào,1977,{XD},"
        "Biểu dương,2023,\n"
        f",,,,,Lê Thị Mận,1978,{XD},Thưởng nóng,2023,200000\n"
        f',,,,,Lê Thị Cúc,1979,{XD},"Giấy khen của cơ quan, tổ chức khác",2023,\n')
    report = ok(dry_run(client, world, text.encode("utf-8"), name="mttq.csv"))
    [planned] = report["decisions"]
    assert planned["status"] == "ready", planned
    done = ok(run(client, world, text.encode("utf-8"), name="mttq.csv"))
    [decision] = done["decisions"]
    assert decision["status"] == "recorded" and decision["rows"] == 3
    recorded = ok(client.get(f"/api/decisions/{decision['decision_id']}",
                             headers=world.h("admin")))
    stated = [(line["award_as_stated"], line["awaits_mapping"]) for line in recorded["lines"]]
    assert stated == [("Biểu dương", True), ("Thưởng nóng", True), (None, False)]
    assert recorded["lines"][0]["award_title"] == \
        "Biểu dương (theo văn bản; chưa đối chiếu danh mục)"
    assert recorded["totals"]["amount"] == 200_000
