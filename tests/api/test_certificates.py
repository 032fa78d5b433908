"""Certificates and decision documents through the API, on both stores: one page per award line
with its serial and QR, reprints with a reason, both print modes, public verification, the
decision as PDF and DOCX."""

from __future__ import annotations

import io
import threading
import unicodedata
from datetime import date
from pathlib import Path
from uuid import UUID

import PIL.Image
import pytest
import zxingcpp
from docx import Document
from pypdf import PdfReader

from services import printing
from tests.helpers import err, ok

OUTPUT = Path(__file__).resolve().parents[2] / "build" / "test-output"


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2025, 1, 15)


def person(name, year, unit, gender="female", **extra):
    return {"kind": "individual", "name": name, "birth_year": year, "gender": gender,
            "unit_id": unit, **extra}


def issue(client, world, number="1520/QĐ-ĐCT", decided_on="2024-12-20", n=3, period="2024",
          **extra):
    """A decision of the central body; each call needs its own period (one award per
    achievement)."""
    lines = [{"recipient": person(f"Nguyễn Thị Hồng Nhung {i}", 1970 + i, world.u("xd"),
                                  position="Chủ tịch Hội LHPN phường")} for i in range(n)]
    lines.append({"recipient": {"kind": "collective", "name": "Hội LHPN phường Cổ Nhuế 1",
                                "org_unit_id": world.u("cn1")}})
    body = {"number": number, "decided_on": decided_on, "issuer": {"unit_id": world.u("root")},
            "signer": {"name": "Hà Thị Nga", "title": "TM. Đoàn Chủ tịch – Chủ tịch"},
            "subject": "Về việc tặng Bằng khen của Đoàn Chủ tịch TW Hội LHPN Việt Nam",
            "legal_basis": "Căn cứ Luật Thi đua, khen thưởng ngày 15/6/2022\n"
                           "Căn cứ Điều lệ Hội LHPN Việt Nam",
            "achievement": "Đã có thành tích xuất sắc trong công tác Hội năm 2024",
            "award_kind": "bang_khen_tw_hoi", "period": period, "amount_mode": "computed",
            "lines": lines, **extra}
    return ok(client.post("/api/decisions", json=body, headers=world.h("tw.appr")), 201)


def print_pdf(client, world, decision_id, user="tw.appr", **body):
    return client.post(f"/api/decisions/{decision_id}/certificates", json=body,
                       headers=world.h(user))


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def register(client, world, decision_id):
    return ok(client.get(f"/api/decisions/{decision_id}/certificates",
                         headers=world.h("tw.appr")))["items"]


def test_a_decision_prints_one_page_per_line_with_serial_and_verification(client, world):
    dec = issue(client, world)
    response = print_pdf(client, world, dec["id"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pages = pdf_text(response.content)
    assert len(pages) == 4 == len(dec["lines"])
    first = pages[0]
    assert unicodedata.is_normalized("NFC", first)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "BẰNG KHEN", "Bà Nguyễn Thị Hồng Nhung 0", "Hội LHPN phường Xuân Đỉnh",
                     "Quyết định số 1520/QĐ-ĐCT ngày 20/12/2024", "Số vào sổ: 1/2024",
                     "Hà Nội, ngày 20 tháng 12 năm 2024", "TM. ĐOÀN CHỦ TỊCH", "Hà Thị Nga",
                     "TRUNG ƯƠNG HỘI LHPN VIỆT NAM"):
        assert expected in first, expected
    assert "Hội LHPN phường Cổ Nhuế 1" in pages[3] and "Số vào sổ: 4/2024" in pages[3]
    entries = register(client, world, dec["id"])
    assert [(e["line_no"], e["serial"], e["copies"]) for e in entries] == [
        (1, 1, 1), (2, 2, 1), (3, 3, 1), (4, 4, 1)]
    # a picture of the first certificate, for a person to look at
    OUTPUT.mkdir(parents=True, exist_ok=True)
    context = {"heading": "BẰNG KHEN", "verify_url": entries[0]["verify_url"]}
    png = printing.certificate_png({**_context_from(client, world, dec, 1), **context})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (OUTPUT / "certificate-full.png").write_bytes(png)
    overlay = printing.certificate_png({**_context_from(client, world, dec, 1), **context},
                                       mode="overlay")
    (OUTPUT / "certificate-overlay.png").write_bytes(overlay)
    # a phone reads the QR code on the printed page: it opens this award's verification page
    for mode in ("full", "overlay"):
        sharp = printing.certificate_png({**_context_from(client, world, dec, 1), **context},
                                         mode=mode, ppi=200)
        image = PIL.Image.open(io.BytesIO(sharp)).convert("L")
        assert [b.text for b in zxingcpp.read_barcodes(image)] == [entries[0]["verify_url"]]


def _context_from(client, world, dec, line_no):
    rt = world.rt
    decision = rt.app.decisions.decision(UUID(dec["id"]))
    return rt.app.certificates.certificate_context(decision, decision.line(line_no), None,
                                      verify_base="http://testserver")


def test_reprints_keep_serials_need_a_reason_and_are_counted(client, world):
    dec = issue(client, world)
    assert print_pdf(client, world, dec["id"]).status_code == 200
    position = ok(client.get("/api/health"))["position"]
    err(print_pdf(client, world, dec["id"]), 422, "certificate.reprint_reason_required")
    assert ok(client.get("/api/health"))["position"] == position
    again = print_pdf(client, world, dec["id"], reprint_reason="Bản in bị nhòe mực")
    assert again.status_code == 200
    assert "Số vào sổ: 1/2024" in pdf_text(again.content)[0]
    assert [e["copies"] for e in register(client, world, dec["id"])] == [2, 2, 2, 2]
    rows = ok(client.get("/api/registry", params={"decision_id": dec["id"], "sort": "decision"},
                         headers=world.h("admin")))["items"]
    assert rows[0]["certificate"] == {"serial": 1, "year": 2024, "copies": 2}
    # the preview shows the serial (and the verification link): the recording unit's office's,
    # as the register (tests/api/test_sessions.py)
    preview = client.get("/certificates/preview",
                         params={"decision_id": dec["id"], "line_no": 1},
                         headers=world.h("tw.appr"))
    assert preview.status_code == 200
    for text in ("BẰNG KHEN", "Bà Nguyễn Thị Hồng Nhung 0", "Số vào sổ: 1/2024",
                 "Hà Nội, ngày 20 tháng 12 năm 2024"):
        assert text in preview.text, text
    # the next decision of the same issuer and year continues the register without a gap
    other = issue(client, world, number="1600/QĐ-ĐCT", n=1, period="2023")
    assert print_pdf(client, world, other["id"]).status_code == 200
    assert [e["serial"] for e in register(client, world, other["id"])] == [5, 6]


def test_overlay_mode_prints_only_the_text_for_a_preprinted_blank(client, world):
    dec = issue(client, world, n=1)
    overlay = print_pdf(client, world, dec["id"], mode="overlay")
    assert overlay.status_code == 200
    text = pdf_text(overlay.content)[0]
    assert "Bà Nguyễn Thị Hồng Nhung 0" in text and "Số vào sổ: 1/2024" in text
    assert "CỘNG HÒA" not in text and "BẰNG KHEN" not in text  # on the blank already
    err(print_pdf(client, world, dec["id"], mode="overlay", printer="khong-co",
                  reprint_reason="thử"), 422)
    err(print_pdf(client, world, dec["id"], mode="gold"), 422)
    err(print_pdf(client, world, dec["id"], user="btl.appr", reprint_reason="x"), 403)


def test_verification_is_public_and_shows_revocation(client, world):
    dec = issue(client, world, n=1)
    assert print_pdf(client, world, dec["id"]).status_code == 200
    url = register(client, world, dec["id"])[0]["verify_url"]
    token = url.rsplit("/", 1)[1]
    found = ok(client.get(f"/api/verify/{token}"))  # no login
    assert found["holder"] == "Nguyễn Thị Hồng Nhung 0"
    assert (found["status"], found["decision_number"], found["serial"]) == ("valid",
                                                                            "1520/QĐ-ĐCT",
                                                                            "1/2024")
    assert set(found) == {"holder", "award_title", "issuer", "decision_number", "decided_on",
                          "serial", "status", "status_label", "revoked_on"}
    ok(client.post(f"/api/decisions/{dec['id']}/lines/1/revoke", headers=world.h("tw.appr"),
                   json={"revoked_on": "2025-01-10", "ground": "b",
                         "reason": "Hồ sơ không đúng sự thật"}))
    revoked = ok(client.get(f"/api/verify/{token}"))
    assert revoked["status"] == "revoked" and revoked["revoked_on"] == "2025-01-10"
    page = client.get(f"/verify/{token}")
    assert page.status_code == 200 and "Đã bị hủy bỏ từ ngày 10/01/2025" in page.text
    assert client.get("/verify/khong-co-ma-nay").status_code == 404
    err(client.get("/api/verify/khong-co-ma-nay"), 404)


def test_two_print_runs_at_once_never_duplicate_or_skip_a_serial(world, rt, client):
    decisions = [UUID(issue(client, world, number=f"{i}/QĐ-ĐCT", n=4, period=str(2020 + i))["id"])
                 for i in range(1, 4)]
    actor = world.actor("tw.appr")
    runs = [decisions[:2], decisions[1:]]  # overlapping
    errors: list[Exception] = []

    def run(ids):
        try:
            rt.app.certificates.print_certificates(actor, ids, reprint_reason="in lại cho buổi lễ")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ids,)) for ids in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    serials = sorted(e["serial"] for d in decisions for e in register(client, world, d))
    assert serials == list(range(1, 16))  # 3 decisions × 5 lines: no duplicate, no gap


def test_ceremony_prints_all_its_decisions_in_one_pdf(client, world):
    first = issue(client, world, n=2)
    second = issue(client, world, number="9/QĐ-ĐCT", n=1, period="2023")
    ceremony = ok(client.post("/api/ceremonies", headers=world.h("tw.appr"), json={
        "title": "Lễ trao thưởng", "held_on": "2025-01-10", "place": "Hà Nội",
        "host_unit_id": world.u("root"), "decision_ids": [first["id"], second["id"]]}), 201)
    response = client.post(f"/api/ceremonies/{ceremony['id']}/certificates", json={},
                           headers=world.h("tw.appr"))
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 5
    assert response.headers["x-tdkt-serials"] == "1-5"


def test_decision_document_as_pdf_and_docx(client, world):
    dec = issue(client, world, n=2)
    pdf = client.get(f"/api/decisions/{dec['id']}/document.pdf", headers=world.h("admin"))
    assert pdf.status_code == 200
    text = "\n".join(pdf_text(pdf.content))
    total = dec["totals"]["amount"]
    for expected in ("QUYẾT ĐỊNH", "Số: 1520/QĐ-ĐCT", "Căn cứ Luật Thi đua, khen thưởng",
                     "Điều 1.", "2 cá nhân", "DANH SÁCH", "Nguyễn Thị Hồng Nhung 1",
                     "Kèm theo Quyết định số 1520/QĐ-ĐCT ngày 20/12/2024"):
        assert expected in text, expected
    assert f"{total:,}".replace(",", ".") in text
    docx = client.get(f"/api/decisions/{dec['id']}/document.docx", headers=world.h("admin"))
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "QUYẾT ĐỊNH" in paragraphs and "Bằng chữ:" in paragraphs
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Nguyễn Thị Hồng Nhung 0" in cells and "Hội LHPN phường Cổ Nhuế 1" in cells
    err(client.get(f"/api/decisions/{dec['id']}/document.odt", headers=world.h("admin")), 422)
