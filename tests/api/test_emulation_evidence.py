"""Evidence files of emulation results (issue 19: "each member reports a value per indicator with
evidence (text and attachments)"), on both stores: a cluster member's office and a movement
participant's upload files (checked by content, stored outside the log), name them in a result
through the API or send them with the report form of the pages; the report's readers download
them, an outsider may not, a ref that is not on the report is a 404; a file of the wrong type is
refused and nothing recorded. Where only the verdict is known, the page lets the member state it
instead of a figure, and the board says so. A rebuild of the read models reads the same."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from domain.emulation.indicators import EvidenceFile, Result
from services.authz import SYSTEM
from tests.helpers import dump, form_data, head, nothing_recorded, ok, refused
from tests.helpers import page_main_text as main_text
from tests.helpers import page_sign_in as login

YEAR = 2024
INDICATORS = [
    {"code": "1", "text": "Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
     "measure": "yes_no"},
    {"code": "2", "text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
     "measure": "number", "target": "2", "unit": "hợp tác xã", "summable": True},
]
PDF_TYPE = "application/pdf"


def pdf(tag: str) -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\n% " + tag.encode() + b"\ntrailer <<>>\n%%EOF\n"


def png(tag: str) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + tag.encode() + b"\x00" * 32


@pytest.fixture
def places(client, world, rt, clock) -> dict[str, Any]:
    """A cluster of Hà Nội (lead) and Bắc Kạn managed by the centre, its 2024 covenant open;
    a movement of Bắc Từ Liêm with Xuân Đỉnh registered. Offices of Bắc Kạn and Xuân Đỉnh."""
    clock.today = date(YEAR, 6, 1)
    app = rt.app
    for username, unit in (("bk.appr", "backan"), ("xd.appr", "xd")):
        app.users.create_user(SYSTEM, username=username, full_name=username,
                              password="mat-khau-123",
                              grants=[{"role": "approver", "unit_id": world.units[unit],
                                       "chair": False}])
        _, world.tokens[username] = app.users.issue_token(SYSTEM, username=username)
    clusters = app.emulation.clusters
    cid = clusters.create(SYSTEM, name="Cụm thi đua có minh chứng", kind="cum",
                          managing_unit_id=world.units["root"]).id
    clusters.set_year(SYSTEM, cid, YEAR, lead_unit_id=world.units["hanoi"], members=[
        {"unit_id": world.units["hanoi"], "name": "Hà Nội"},
        {"unit_id": world.units["backan"], "name": "Bắc Kạn"}])
    clusters.put_covenant(SYSTEM, cid, YEAR, {"title": "Giao ước thi đua năm 2024",
                                              "indicators": INDICATORS})
    for unit in ("hanoi", "backan"):
        clusters.sign(SYSTEM, cid, YEAR, unit_id=world.units[unit], on=date(YEAR, 1, 15))
    clusters.open(SYSTEM, cid, YEAR, date(YEAR, 2, 1))
    movements = app.emulation.movements
    mid = movements.launch(SYSTEM, unit_id=world.units["btl"], title="Phong trào thử minh chứng",
                           indicators=INDICATORS, year=YEAR,
                           participant_ids=[world.units["xd"], world.units["cn1"]]).id
    movements.register(SYSTEM, mid, unit_id=world.units["xd"])
    rt.runner.catch_up()
    covenant = f"/api/emulation/clusters/{cid}/covenants/{YEAR}"
    board = f"/emulation/clusters/{cid}/{YEAR}"
    return {
        "cluster": cid, "movement": mid, "board": board, "covenant": covenant,
        "backan": f"{covenant}/reports/{world.u('backan')}",
        "hanoi": f"{covenant}/reports/{world.u('hanoi')}",
        "xd": f"/api/emulation/movements/{mid}/registrations/{world.u('xd')}",
        "page.backan": f"{board}/reports/{world.u('backan')}",
        "page.xd": f"/emulation/movements/{mid}/units/{world.u('xd')}",
    }


def upload(client, world, who: str, path: str, content: bytes, name: str = "bien-ban.pdf",
           expect: int = 201):
    answer = client.post(f"{path}/evidence", headers=world.h(who),
                         files={"file": (name, content, "application/octet-stream")})
    return ok(answer, expect) if expect < 400 else answer


def result_of(answer: dict, code: str) -> dict:
    return next(r for r in answer["results"] if r["indicator_code"] == code)


# -- through the API ----------------------------------------------------------------------------


@pytest.mark.parametrize("where,who,lead", [("backan", "bk.appr", "hn.appr"),
                                            ("xd", "xd.appr", "btl.appr")])
def test_files_uploaded_named_in_a_result_and_read_by_the_readers(client, world, places, where,
                                                                  who, lead):
    path = places[where]
    with nothing_recorded(client, world):
        uploaded = upload(client, world, who, path, pdf("bien ban"), "Biên bản kiểm tra.pdf")
    [item] = uploaded["items"]
    assert item["media_type"] == PDF_TYPE and item["type_label"] == "PDF"
    assert item["file_name"] == "Biên bản kiểm tra.pdf" and item["size"] == len(pdf("bien ban"))
    ref = item["ref"]
    assert uploaded["refs"] == [ref] and len(ref) == 64
    # an uploaded file is not on the report until a result names it
    refused(client.get(f"{path}/evidence/{ref}", headers=world.h("admin")), 404, "not_found")

    answer = ok(client.post(f"{path}/results/2", headers=world.h(who), json={
        "value": "3", "evidence": "Quyết định thành lập", "attachments": [ref]}))
    [shown] = result_of(answer, "2")["files"]
    assert shown["file_name"] == "Biên bản kiểm tra.pdf"
    assert shown["size_label"] == f"{len(pdf('bien ban'))} byte"
    assert shown["url"] == f"{path}/evidence/{ref}"

    # the readers download it (the member's, the lead's, the centre's), not an outsider
    for reader in (who, lead, "admin"):
        got = client.get(shown["url"], headers=world.h(reader))
        assert got.status_code == 200 and got.content == pdf("bien ban")
        assert got.headers["content-type"] == PDF_TYPE
        assert "Bi%C3%AAn%20b%E1%BA%A3n%20ki%E1%BB%83m%20tra.pdf" in \
            got.headers["content-disposition"]
    refused(client.get(shown["url"], headers=world.h("nt.nom")), 403, "auth.outside_scope")

    # a new value keeps the files; ``[]`` drops them, the history keeps every version's
    answer = ok(client.post(f"{path}/results/2", headers=world.h(who), json={"value": "4"}))
    assert [f["ref"] for f in result_of(answer, "2")["files"]] == [ref]
    answer = ok(client.post(f"{path}/results/2", headers=world.h(who),
                            json={"value": "4", "attachments": []}))
    current = result_of(answer, "2")
    assert current["files"] == []
    assert [[f["ref"] for f in h["files"]] for h in current["history"]] == [[ref], [ref], []]
    assert client.get(shown["url"], headers=world.h(lead)).status_code == 200  # still listed

    # the file comes back by its ref; the lead's correction keeps the member's files
    ok(client.post(f"{path}/results/2", headers=world.h(who),
                   json={"value": "5", "attachments": [ref]}))
    answer = ok(client.post(f"{path}/results/2/correct", headers=world.h(lead),
                            json={"value": "2", "reason": "Ba hợp tác xã chưa có quyết định"}))
    assert result_of(answer, "2")["value"] == "2"
    assert [f["ref"] for f in result_of(answer, "2")["files"]] == [ref]


def test_refusals_record_nothing(client, world, places):
    backan, hanoi = places["backan"], places["hanoi"]
    # the lead's office is not the member's: it uploads nothing for Bắc Kạn
    refused(upload(client, world, "hn.appr", backan, pdf("x"), expect=403), 403,
            "auth.outside_scope")
    refused(upload(client, world, "nt.nom", backan, pdf("x"), expect=403), 403,
            "auth.outside_scope")
    with nothing_recorded(client, world, backan):
        # a file whose content is no accepted type, whatever its name
        refused(upload(client, world, "bk.appr", backan, b"MZ\x90\x00 not a pdf", "bao-cao.pdf",
                       expect=422), 422, "attachment.type_not_allowed")
        # a ref never uploaded for this report
        refused(client.post(f"{backan}/results/2", headers=world.h("bk.appr"),
                            json={"value": "3", "attachments": ["ab" * 32]}),
                422, "reference.not_found")
        refused(client.post(f"{backan}/results/2", headers=world.h("bk.appr"),
                            json={"value": "3", "attachments": ["tep-1"]}),
                422, "validation.invalid")
    # a file on Hà Nội's report: its hash does not bring it into Bắc Kạn's
    ref = upload(client, world, "hn.appr", hanoi, png("ha noi"), "anh.png")["refs"][0]
    ok(client.post(f"{hanoi}/results/2", headers=world.h("hn.appr"),
                   json={"value": "5", "attachments": [ref]}))
    with nothing_recorded(client, world, backan):
        refused(client.post(f"{backan}/results/2", headers=world.h("bk.appr"),
                            json={"value": "3", "attachments": [ref]}),
                422, "reference.not_found")
        # and is no file of Bắc Kạn's report: 404 there, 200 where it is
        refused(client.get(f"{backan}/evidence/{ref}", headers=world.h("admin")), 404,
                "not_found")
    assert client.get(f"{hanoi}/evidence/{ref}", headers=world.h("bk.appr")).status_code == 200


def test_old_results_with_attachment_ids_still_read():
    """Events recorded before files were kept hold a list of id strings."""
    old = Result.from_dict({"value": "3", "cases_occurred": None, "outcome": None,
                            "evidence": "", "attachments": ["tep-1", "tep-2"]})
    assert old.attachments == ("tep-1", "tep-2") and old.files == ()
    assert Result.from_dict(old.as_dict()) == old
    new = Result.from_dict({"value": "3", "attachments": [
        {"sha256": "ab" * 32, "file_name": "a.pdf", "media_type": PDF_TYPE, "size": 10}]})
    assert new.files == (EvidenceFile("ab" * 32, "a.pdf", PDF_TYPE, 10),)
    assert Result.from_dict(new.as_dict()) == new


# -- through the pages --------------------------------------------------------------------------


def send_form(client, path: str, data: dict, files: list | None = None):
    return client.post(path, data=form_data(client, data), files=files, follow_redirects=False)


@pytest.mark.parametrize("where,who,reader", [("backan", "bk.appr", "hn.appr"),
                                              ("xd", "xd.appr", "btl.appr")])
def test_the_report_form_sends_keeps_and_drops_files(client, world, places, where, who, reader):
    page = places[f"page.{where}"]
    api = places[where]
    login(client, who)
    form = client.get(page)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text and 'name="files"' in form.text
    # a file of the wrong type: the form back with the refusal beside the input, nothing kept
    before = head(client)
    answer = send_form(client, f"{page}/results/2", {"value": "3", "files_shown": "1"},
                       [("files", ("bao-cao.pdf", b"chi la van ban", "application/pdf"))])
    assert answer.status_code == 422
    assert 'id="files-2-error"' in answer.text
    assert "Tệp không đúng định dạng cho phép" in main_text(answer.text)
    assert head(client) == before

    # a good file with a value that is no number: the file comes back listed and ticked
    answer = send_form(client, f"{page}/results/2", {"value": "ba", "files_shown": "1"},
                       [("files", ("Danh sách HTX.pdf", pdf("danh sach"), "application/pdf"))])
    assert answer.status_code == 422 and head(client) == before
    size = f"{len(pdf('danh sach'))} byte"
    assert f"Giữ tệp «Danh sách HTX.pdf» (PDF, {size})" in main_text(answer.text)
    [ref] = re.findall(r'name="keep" value="([0-9a-f]{64})" checked', answer.text)

    # sent again with the file kept and a second one: recorded with both
    answer = send_form(client, f"{page}/results/2",
                       {"value": "3", "files_shown": "1", "keep": [ref],
                        "evidence": "Báo cáo số 12/BC-HPN"},
                       [("files", ("anh.png", png("anh"), "image/png"))])
    assert answer.status_code == 303, main_text(answer.text)[:400]
    shown = main_text(client.get(answer.headers["location"]).text)
    assert "Đã ghi kết quả chỉ tiêu 2" in shown
    assert f"Danh sách HTX.pdf (PDF, {size})" in shown and "anh.png (Ảnh PNG," in shown
    body = client.get(page).text
    assert f'href="{page}/evidence/{ref}"' in body

    # the next version drops the PDF: gone from the current result, still in the history
    png_ref = next(f["ref"] for f in result_of(ok(client.get(api, headers=world.h(who))),
                                               "2")["files"] if f["media_type"] == "image/png")
    answer = send_form(client, f"{page}/results/2",
                       {"value": "4", "files_shown": "1", "keep": [png_ref]})
    assert answer.status_code == 303
    current = result_of(ok(client.get(api, headers=world.h("admin"))), "2")
    assert [f["ref"] for f in current["files"]] == [png_ref]
    assert [sorted(f["file_name"] for f in h["files"]) for h in current["history"]] == [
        ["Danh sách HTX.pdf", "anh.png"], ["anh.png"]]
    body = client.get(page).text
    assert body.count(f'href="{page}/evidence/{ref}"') == 1  # the first version's row only

    # a reader downloads from the page; an outsider gets the 403 page; another ref is a 404
    login(client, reader)
    got = client.get(f"{page}/evidence/{ref}")
    assert got.status_code == 200 and got.content == pdf("danh sach")
    assert client.get(f"{page}/evidence/{'cd' * 32}").status_code == 404
    login(client, "nt.nom")
    denied = client.get(f"{page}/evidence/{ref}")
    assert denied.status_code == 403 and ref not in denied.text


def test_a_verdict_without_a_figure_from_the_page_shows_on_the_board(client, world, places):
    page = places["page.backan"]
    login(client, "bk.appr")
    form = client.get(page).text
    assert 'name="outcome" value="achieved"' in form
    # "vượt" is not offered for a yes/no indicator
    block_1 = form.split('id="chi-tieu-1"', 1)[1].split('id="chi-tieu-2"', 1)[0]
    assert 'value="exceeded"' not in block_1 and 'name="value" value="not_achieved"' in block_1
    before = head(client)
    answer = send_form(client, f"{page}/results/1", {"value": "exceeded", "files_shown": "1"})
    assert answer.status_code == 422 and head(client) == before
    assert 'id="value-1-error"' in answer.text
    # a yes/no indicator: the verdict among its own choices
    answer = send_form(client, f"{page}/results/1", {"value": "not_achieved", "files_shown": "1"})
    assert answer.status_code == 303
    assert result_of(ok(client.get(places["backan"], headers=world.h("admin"))), "1")[
        "outcome"] == "not_achieved"
    assert 'name="value" value="not_achieved" checked' in client.get(page).text
    before = head(client)
    answer = send_form(client, f"{page}/results/2",
                       {"value": "3", "outcome": "achieved", "files_shown": "1"})
    assert answer.status_code == 422 and head(client) == before
    assert "Đã chọn chỉ nêu kết quả «đạt»: để trống số liệu" in main_text(answer.text)

    answer = send_form(client, f"{page}/results/2",
                       {"value": "", "outcome": "achieved", "files_shown": "1",
                        "evidence": "Báo cáo tổng kết: đạt chỉ tiêu"})
    assert answer.status_code == 303, main_text(answer.text)[:400]
    current = result_of(ok(client.get(places["backan"], headers=world.h("admin"))), "2")
    assert current["value"] is None and current["outcome"] == "achieved"
    assert current["evaluation"] == "achieved"
    assert "đạt (không nêu số liệu)" in main_text(client.get(page).text)
    # the re-shown form keeps the verdict chosen
    assert 'name="outcome" value="achieved" checked' in client.get(page).text
    rt_board = main_text(client.get(places["board"]).text)
    assert "(1 chỉ nêu kết quả, không kèm số liệu)" in rt_board


def test_a_rebuild_reads_the_same(client, world, places, rt):
    from projections.runner import Runner
    from services.app import default_views

    ref = upload(client, world, "bk.appr", places["backan"], pdf("tong ket"))["refs"][0]
    ok(client.post(f"{places['backan']}/results/2", headers=world.h("bk.appr"),
                   json={"value": "3", "attachments": [ref]}))
    ok(client.post(f"{places['backan']}/results/1", headers=world.h("bk.appr"),
                   json={"outcome": "achieved"}))
    xref = upload(client, world, "xd.appr", places["xd"], png("xd"), "anh.png")["refs"][0]
    ok(client.post(f"{places['xd']}/results/2", headers=world.h("xd.appr"),
                   json={"value": "1", "attachments": [xref]}))
    rt.runner.catch_up()
    views = default_views()
    live = dump(rt.db, views)
    reads = [ok(client.get(p, headers=world.h("admin")))
             for p in (places["backan"], places["xd"], f"{places['covenant']}/board")]
    Runner(rt.app, rt.db, default_views(), batch_size=3).rebuild()
    assert dump(rt.db, views) == live
    assert [ok(client.get(p, headers=world.h("admin")))
            for p in (places["backan"], places["xd"], f"{places['covenant']}/board")] == reads
    got = client.get(f"{places['backan']}/evidence/{ref}", headers=world.h("admin"))
    assert got.status_code == 200 and got.content == pdf("tong ket")
