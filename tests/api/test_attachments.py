"""Attachments of nominations and submissions (issue 16): type by content, size bounded while
reading, blobs by content hash outside the event log, downloads under the read policy, removal as
an event, the nomination page's section. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from domain.attachments import DOCX, JPEG, PDF, PNG, XLSX
from services.config import POSTGRES
from tests.conftest import make_settings
from tests.helpers import dump, err, form_data, head, nomination_body, ok, page_login, person

MAX_MB = 0.05  # 52.428 bytes: the limit of these tests
MAX_BYTES = int(MAX_MB * 1024 * 1024)


@pytest.fixture
def settings(store, tmp_path, pg_server, pg_schema):
    return make_settings(store, tmp_path, pg_server if store == POSTGRES else None, pg_schema,
                         attachments_dir=tmp_path / "blobs", attachment_max_mb=MAX_MB)


def blobs(rt) -> list[Path]:
    root = rt.settings.attachments_path
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# -- files ---------------------------------------------------------------------------------------


def pdf(tag: str = "") -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\n% " + tag.encode() + b"\ntrailer <<>>\n%%EOF\n"


def png(tag: str = "") -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + tag.encode() + b"\x00" * 32


def jpeg(tag: str = "") -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + tag.encode() + b"\x00" * 32 + b"\xff\xd9"


def ooxml(main_type: str, part: str, tag: str = "", *, with_part: bool = True) -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        if with_part:
            archive.writestr(part, f"<document>{tag}</document>")
    return buffer.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def docx(tag: str = "") -> bytes:
    return ooxml(WORD_MAIN, "word/document.xml", tag)


def xlsx(tag: str = "") -> bytes:
    return ooxml(SHEET_MAIN, "xl/workbook.xml", tag)


# -- helpers -------------------------------------------------------------------------------------


def draft(client, world, unit: str = "xd") -> str:
    nominator = {"xd": "xd.nom", "nt": "nt.nom"}[unit]
    return ok(client.post("/api/nominations", json=nomination_body(world, unit),
                          headers=world.h(nominator)), 201)["id"]


def upload(client, world, who: str, path: str, content: bytes, name: str = "tep.pdf",
           kind: str = "bao_cao_thanh_tich", title: str = "", declared: str = "application/pdf"):
    return client.post(f"{path}/attachments", headers=world.h(who),
                       files={"file": (name, content, declared)},
                       data={"kind": kind, "title": title})


# -- accepted and refused contents ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "make", "media", "download"), [
    ("Báo cáo thành tích.pdf", pdf, PDF, "Báo cáo thành tích.pdf"),
    ("bien-ban.docx", docx, DOCX, "bien-ban.docx"),
    ("danh sach.xlsx", xlsx, XLSX, "danh sach.xlsx"),
    ("anh.jpeg", jpeg, JPEG, "anh.jpeg"),
    ("anh.png", png, PNG, "anh.png"),
    ("anh-chup.pdf", png, PNG, "anh-chup.png"),  # the name says PDF, the content is a PNG
    ("khong-duoi", pdf, PDF, "khong-duoi.pdf"),
])
def test_accepted_types_are_stored_by_content_and_downloaded(client, world, rt, name, make,
                                                             media, download):
    nid = draft(client, world)
    content = make(name)
    answer = ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", content, name,
                       title="Báo cáo năm 2023", declared="application/octet-stream"), 201)
    item = answer["attachment"]
    assert item["media_type"] == media
    assert item["file_name"] == name and item["download_name"] == download
    assert item["size"] == len(content) and item["no"] == 1 and item["added_by"] == "xd.nom"
    listed = ok(client.get(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom")))
    assert [i["sha256"] for i in listed["items"]] == [item["sha256"]]
    for ref in ("1", item["sha256"]):
        got = client.get(f"/api/nominations/{nid}/attachments/{ref}", headers=world.h("xd.nom"))
        assert got.status_code == 200, got.text
        assert got.content == content
        assert got.headers["content-type"] == media
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith("attachment; filename=")
    [blob] = blobs(rt)
    assert blob.name == item["sha256"] and blob.read_bytes() == content


@pytest.mark.parametrize(("name", "content"), [
    ("chuong-trinh.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    ("trang.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("tep.docx", b"PK\x03\x04" + b"\x00" * 40),  # a broken archive
    ("nen.docx", ooxml("application/xml", "data.xml")),  # a ZIP, not a Word document
    ("macro.docx", ooxml("application/vnd.ms-word.document.macroEnabled.main+xml",
                         "word/document.xml")),
    ("thieu.xlsx", ooxml(SHEET_MAIN, "xl/workbook.xml", with_part=False)),
    ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
])
def test_other_contents_are_refused_whatever_their_name(client, world, rt, name, content):
    nid = draft(client, world)
    before = head(client)
    refused = err(upload(client, world, "xd.nom", f"/api/nominations/{nid}", content, name), 422,
                  "attachment.type_not_allowed")
    assert "PDF" in refused["message"]
    assert head(client) == before
    assert blobs(rt) == []


def test_an_empty_file_or_a_bad_kind_is_refused(client, world, rt):
    nid = draft(client, world)
    before = head(client)
    err(upload(client, world, "xd.nom", f"/api/nominations/{nid}", b""), 422, "attachment.empty")
    err(upload(client, world, "xd.nom", f"/api/nominations/{nid}", pdf(), kind="ban_sao"), 422,
        "validation.invalid")
    err(client.post(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom"),
                    data={"kind": "khac"}), 422, "validation.invalid")
    err(client.post(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom"),
                    json={"kind": "khac"}), 422, "validation.invalid")
    assert head(client) == before and blobs(rt) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(client, world, rt):
    nid = draft(client, world)
    path = f"/api/nominations/{nid}"
    before = head(client)
    just_over = pdf() + b"x" * (MAX_BYTES - len(pdf()) + 1)  # read, counted, refused
    far_over = pdf() + b"x" * (3 * 1024 * 1024)  # its Content-Length says enough
    for content in (just_over, far_over):
        refused = err(upload(client, world, "xd.nom", path, content), 422,
                      "attachment.too_large")
        assert "0,05 MB" in refused["message"]
    # no Content-Length: the body is counted as it arrives, and refused past the limit
    boundary = "ranh-gioi-tep"
    head_part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nkhac\r\n"
                 f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"lon.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()

    def endless():
        yield head_part + b"%PDF-1.4\n"
        for _ in range(200):  # 12,8 MB if it were all read
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = client.post(f"{path}/attachments", content=endless(), headers={
        **world.h("xd.nom"), "content-type": f"multipart/form-data; boundary={boundary}"})
    err(answer, 422, "attachment.too_large")
    exactly = pdf() + b"x" * (MAX_BYTES - len(pdf()))
    assert head(client) == before and blobs(rt) == []
    ok(upload(client, world, "xd.nom", path, exactly), 201)
    assert len(blobs(rt)) == 1


def test_identical_content_is_stored_once(client, world, rt):
    first, second = draft(client, world), draft(client, world)
    sub = ok(client.post("/api/submissions", headers=world.h("xd.nom"), json={
        "proposing_unit_id": world.u("xd"), "title": "Tờ trình",
        "candidates": [{k: v for k, v in nomination_body(world).items()
                        if k != "proposing_unit_id"}]}), 201)["id"]
    content = pdf("một lần")
    shas = {ok(upload(client, world, "xd.nom", path, content, name), 201)["attachment"]["sha256"]
            for path, name in ((f"/api/nominations/{first}", "a.pdf"),
                               (f"/api/nominations/{second}", "b.pdf"),
                               (f"/api/submissions/{sub}", "c.pdf"))}
    assert len(shas) == 1
    assert len(blobs(rt)) == 1
    # the same content twice on one record: a conflict, nothing recorded
    before = head(client)
    err(upload(client, world, "xd.nom", f"/api/nominations/{first}", content, "lai.pdf"), 409,
        "attachment.duplicate")
    assert head(client) == before


# -- who may ------------------------------------------------------------------------------------


def test_reading_follows_the_read_policy(client, world):
    nid = draft(client, world)
    ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", png("đọc")), 201)
    for path in (f"/api/nominations/{nid}/attachments", f"/api/nominations/{nid}/attachments/1"):
        for reader in ("xd.nom", "xd.member", "hn.appr", "admin"):
            assert client.get(path, headers=world.h(reader)).status_code == 200, (path, reader)
        client.cookies.clear()
        for outsider in ("nt.nom",):  # another province's nominator
            answer = client.get(path, headers=world.h(outsider))
            assert answer.status_code in (403, 404), answer.text
            assert answer.content[:4] != b"\x89PNG"
        err(client.get(path), 401, "auth.unauthenticated")


def test_who_may_attach_and_when(client, world):
    nid = draft(client, world)
    path = f"/api/nominations/{nid}"
    before = head(client)
    err(upload(client, world, "nt.nom", path, pdf("a")), 403)  # another province
    err(upload(client, world, "xd.member", path, pdf("b")), 403)  # a council member
    err(client.post(f"{path}/attachments", files={"file": ("a.pdf", pdf("c"))},
                    data={"kind": "khac"}), 401)
    assert head(client) == before
    ok(upload(client, world, "xd.nom", path, pdf("d")), 201)
    ok(upload(client, world, "hn.appr", path, pdf("e"), kind="bien_ban_hop"), 201)
    ok(client.post(f"{path}/submit", headers=world.h("xd.nom")))
    # under review: the nominator no longer changes the file; the office still may
    err(upload(client, world, "xd.nom", path, pdf("f")), 409, "attachment.closed")
    err(client.delete(f"{path}/attachments/1", headers=world.h("xd.nom")), 409,
        "attachment.closed")
    ok(upload(client, world, "btl.appr", path, pdf("g"), kind="bien_ban_hop"), 201)
    ok(client.post(f"{path}/withdraw", headers=world.h("xd.nom"), json={"reason": "Rút"}))
    err(upload(client, world, "admin", path, pdf("h")), 409, "attachment.closed")
    listed = ok(client.get(f"{path}/attachments", headers=world.h("xd.nom")))
    assert [(i["no"], i["added_by"]) for i in listed["items"]] == [
        (1, "xd.nom"), (2, "hn.appr"), (3, "btl.appr")]


def test_removal_is_an_event_and_the_file_is_then_gone(client, world, rt):
    nid = draft(client, world)
    path = f"/api/nominations/{nid}"
    ok(upload(client, world, "xd.nom", path, pdf("gỡ"), "bao-cao.pdf"), 201)
    ok(upload(client, world, "xd.nom", path, png("giữ"), "anh.png"), 201)
    err(client.delete(f"{path}/attachments/1", headers=world.h("nt.nom")), 403)
    removed = ok(client.delete(f"{path}/attachments/1", headers=world.h("xd.nom"),
                               params={"reason": "Nhầm tệp"}))
    assert removed["removed"] == 1
    listed = ok(client.get(f"{path}/attachments", headers=world.h("xd.nom")))
    assert [i["no"] for i in listed["items"]] == [2]
    err(client.get(f"{path}/attachments/1", headers=world.h("xd.nom")), 404, "not_found")
    err(client.delete(f"{path}/attachments/1", headers=world.h("xd.nom")), 404, "not_found")
    err(client.get(f"{path}/attachments/khong-co", headers=world.h("xd.nom")), 404, "not_found")
    # the next attachment gets a new number; the history tells it all
    ok(upload(client, world, "xd.nom", path, pdf("gỡ"), "bao-cao.pdf"), 201)
    events = ok(client.get(f"{path}/history", headers=world.h("xd.nom")))["events"]
    assert [e["event"] for e in events][1:] == [
        "Nomination.AttachmentAdded", "Nomination.AttachmentAdded",
        "Nomination.AttachmentRemoved", "Nomination.AttachmentAdded"]
    assert events[3]["data"]["reason"] == "Nhầm tệp" and events[3]["label"] == "Gỡ tệp đính kèm"
    assert events[4]["data"]["no"] == 3
    assert len(blobs(rt)) == 2  # blobs are never deleted: removal is an event


def test_a_missing_blob_is_a_404_that_says_so(client, world, rt):
    nid = draft(client, world)
    item = ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", pdf("mất"),
                     "bao-cao.pdf"), 201)["attachment"]
    rt.settings.attachments_path.joinpath(item["sha256"][:2], item["sha256"]).unlink()
    refused = err(client.get(f"/api/nominations/{nid}/attachments/1",
                             headers=world.h("xd.nom")), 404, "attachment.blob_missing")
    assert "bao-cao.pdf" in refused["message"]
    listed = ok(client.get(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom")))
    assert listed["total"] == 1  # the record still says what was attached


def test_submission_attachments(client, world):
    sub = ok(client.post("/api/submissions", headers=world.h("xd.nom"), json={
        "proposing_unit_id": world.u("xd"), "number": "12/TTr-HPN", "title": "Tờ trình",
        "candidates": [{k: v for k, v in nomination_body(world).items()
                        if k != "proposing_unit_id"}]}), 201)["id"]
    path = f"/api/submissions/{sub}"
    err(upload(client, world, "nt.nom", path, docx("x")), 403)
    item = ok(upload(client, world, "xd.nom", path, docx("tờ trình"), "To trinh.docx",
                     kind="tom_tat_thanh_tich"), 201)["attachment"]
    assert item["media_type"] == DOCX and item["kind_label"] == "Tóm tắt thành tích"
    got = client.get(f"{path}/attachments/{item['sha256']}", headers=world.h("hn.appr"))
    assert got.status_code == 200 and got.headers["content-type"] == DOCX
    assert client.get(f"{path}/attachments", headers=world.h("nt.nom")).status_code in (403, 404)
    ok(client.delete(f"{path}/attachments/1", headers=world.h("hn.appr")))
    assert ok(client.get(f"{path}/attachments", headers=world.h("xd.nom")))["items"] == []
    err(client.get(f"/api/submissions/{world.u('xd')}/attachments", headers=world.h("admin")),
        404, "submission.not_found")


def test_file_names_are_cleaned(client, world):
    nid = draft(client, world)
    name = "C:\\Users\\hoa\\Ba\u0301o ca\u0301o\u200b cuối.pdf"  # NFD, a path, a hidden mark
    item = ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", pdf(), name),
              201)["attachment"]
    assert item["file_name"] == "Báo cáo cuối.pdf"
    got = client.get(f"/api/nominations/{nid}/attachments/1", headers=world.h("xd.nom"))
    assert "filename*=UTF-8''" in got.headers["content-disposition"]
    assert "\\" not in got.headers["content-disposition"]


# -- the read models and the pages ----------------------------------------------------------


def test_a_rebuild_from_zero_is_unaffected(client, world, rt):
    nid = draft(client, world)
    ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", pdf("dựng lại")), 201)
    ok(client.delete(f"/api/nominations/{nid}/attachments/1", headers=world.h("xd.nom")))
    ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", png("dựng lại")), 201)
    rt.runner.catch_up()
    views = rt.runner.views
    before = dump(rt.db, views)
    rt.runner.rebuild()
    assert dump(rt.db, views) == before
    assert ok(client.get(f"/api/nominations/{nid}", headers=world.h("xd.nom")))["status"] \
        == "draft"


def test_the_nomination_page_lists_uploads_and_removes(client, world, rt):
    nid = draft(client, world)
    page_login(client, "xd.nom")
    page = client.get(f"/nominations/{nid}")
    assert page.status_code == 200
    assert 'id="tep-dinh-kem"' in page.text and "Chưa có tệp đính kèm" in page.text
    assert 'accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    # without the CSRF field: refused, nothing recorded
    before = head(client)
    refused = client.post(f"/nominations/{nid}/attachments/upload",
                          files={"file": ("a.pdf", pdf("csrf"))}, data={"kind": "khac"})
    assert refused.status_code == 403 and head(client) == before
    sent = client.post(f"/nominations/{nid}/attachments/upload",
                       files={"file": ("Biên bản họp.pdf", pdf("trang"))},
                       data=form_data(client, {"kind": "bien_ban_hop", "title": "Biên bản"}),
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    page = client.get(f"/nominations/{nid}")
    assert "Biên bản họp.pdf" in page.text and f"/nominations/{nid}/attachments/1" in page.text
    got = client.get(f"/nominations/{nid}/attachments/1")
    assert got.status_code == 200 and got.headers["content-type"] == PDF
    # a refused type: the page again, the message beside the form
    bad = client.post(f"/nominations/{nid}/attachments/upload",
                      files={"file": ("x.pdf", b"MZ\x90\x00" * 8)},
                      data=form_data(client, {"kind": "khac"}))
    assert bad.status_code == 422 and 'id="tep-loi"' in bad.text
    # removing asks first
    confirm = client.get(f"/nominations/{nid}/attachments/1/remove")
    assert confirm.status_code == 200 and "Gỡ tệp số 1" in confirm.text
    done = client.post(f"/nominations/{nid}/attachments/1/remove",
                       data=form_data(client, {"reason": "Nhầm"}), follow_redirects=False)
    assert done.status_code == 303
    assert "Chưa có tệp đính kèm" in client.get(f"/nominations/{nid}").text
    # another province's nominator sees neither the page nor the file
    client.cookies.clear()
    page_login(client, "nt.nom")
    assert client.get(f"/nominations/{nid}/attachments/1").status_code in (403, 404)


def test_a_reader_without_the_right_sees_no_form(client, world):
    nid = draft(client, world)
    ok(upload(client, world, "xd.nom", f"/api/nominations/{nid}", pdf("xem")), 201)
    page_login(client, "xd.member")
    page = client.get(f"/nominations/{nid}")
    assert page.status_code == 200
    assert f"/nominations/{nid}/attachments/1" in page.text
    assert "/attachments/upload" not in page.text and "/remove" not in page.text


def test_old_nominations_load_without_attachments(rt, world):
    """Nominations recorded before attachments existed have no attachment events: they load
    with an empty list."""
    saved = rt.app.nominations.draft_nomination(
        world.actor("xd.nom"), proposing_unit_id=world.units["xd"],
        data={"recipient": person(unit_id=world.u("xd")), "award_kind": "giay_khen_hoi",
              "achievement": "Thành tích", "period": "2023"})
    assert rt.app.nominations.nomination(saved.id).attached == ()


def test_the_submission_page_has_the_section(client, world):
    sub = ok(client.post("/api/submissions", headers=world.h("xd.nom"), json={
        "proposing_unit_id": world.u("xd"), "number": "7/TTr-HPN", "title": "Tờ trình",
        "candidates": [{k: v for k, v in nomination_body(world).items()
                        if k != "proposing_unit_id"}]}), 201)["id"]
    page_login(client, "xd.nom")
    page = client.get(f"/submissions/{sub}")
    assert page.status_code == 200 and 'id="tep-dinh-kem"' in page.text
    sent = client.post(f"/submissions/{sub}/attachments/upload",
                       files={"file": ("bang.xlsx", xlsx("trang"))},
                       data=form_data(client, {"kind": "khac"}), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert "bang.xlsx" in client.get(f"/submissions/{sub}").text
    bad = client.post(f"/submissions/{sub}/attachments/upload",
                      files={"file": ("x.xlsx", b"<html></html>")},
                      data=form_data(client, {"kind": "khac"}))
    assert bad.status_code == 422
    got = client.get(f"/submissions/{sub}/attachments/1")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
