"""What the office files and hands out, on both stores: the decision document reproduces the
decision as issued (every line, the issued totals; a later revocation noted as its own act), in
the issuer's own name and place; downloads keep their Vietnamese file names; certificate links
follow the address the service is reached at unless one is configured; pages show messages,
never internal codes or raw ids."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import replace
from datetime import date
from urllib.parse import quote

import PIL.Image
import pytest
import zxingcpp
from docx import Document
from pypdf import PdfReader

from services.config import load_settings
from tests.helpers import form_data, ok, page_login

NAMES = ["Nguyễn Thị Hồng Nhung", "Trần Thị Thu Hà", "Lê Thị Mai", "Phạm Thị Lan"]
AMOUNTS = [1_000_000, 1_000_000, 1_500_000, 1_000_000]  # 4.500.000 đ issued


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2025, 1, 15)


def issue(client, world, *, unit="hanoi", user="hn.appr", number="125/QĐ-HPN",
          award_kind="bang_khen_hoi_tinh",
          achievement="Đã có thành tích xuất sắc trong công tác Hội năm 2024", **extra):
    lines = [{"recipient": {"kind": "individual", "name": name, "gender": "female",
                            "birth_year": 1975 + i, "unit_id": world.u("xd")},
              "amount": amount}
             for i, (name, amount) in enumerate(zip(NAMES, AMOUNTS, strict=True))]
    body = {"number": number, "decided_on": "2024-12-20", "issuer": {"unit_id": world.u(unit)},
            "signer": {"name": "Lê Thị Thiên Hương", "title": "TM. Ban Thường vụ – Chủ tịch"},
            "legal_basis": "Căn cứ Điều lệ Hội LHPN Việt Nam", "achievement": achievement,
            "award_kind": award_kind, "period": "2024", "lines": lines, **extra}
    return ok(client.post("/api/decisions", json=body, headers=world.h(user)), 201)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def documents(client, world, decision_id, user="admin") -> tuple[str, str, dict[str, str]]:
    """The decision document as PDF text and as DOCX text, and the PDF's headers."""
    pdf = client.get(f"/api/decisions/{decision_id}/document.pdf", headers=world.h(user))
    assert pdf.status_code == 200, pdf.text
    docx = client.get(f"/api/decisions/{decision_id}/document.docx", headers=world.h(user))
    assert docx.status_code == 200, docx.text
    document = Document(io.BytesIO(docx.content))
    words = [p.text for p in document.paragraphs]
    words += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return flat(pdf_text(pdf.content)), flat("\n".join(words)), dict(pdf.headers)


# -- B. the decision document ---------------------------------------------------------------


def test_the_document_after_a_line_revocation_is_the_decision_as_issued(client, world):
    dec = issue(client, world)
    ok(client.post(f"/api/decisions/{dec['id']}/lines/2/revoke", headers=world.h("hn.appr"),
                   json={"revoked_on": "2025-01-10", "ground": "b",
                         "reason": "Hồ sơ không đúng sự thật"}))
    pdf, docx, _ = documents(client, world, dec["id"])
    note = ("Dòng 2 (Trần Thị Thu Hà) bị hủy bỏ từ ngày 10/01/2025 theo điểm b khoản 2 "
            "Điều 93 Luật Thi đua, khen thưởng; lý do: Hồ sơ không đúng sự thật.")
    for text in (pdf, docx):
        for name in NAMES:  # every line as issued, the revoked one included
            assert name in text, name
        assert "4 cá nhân" in text and "3 cá nhân" not in text
        assert "4.500.000" in text and "3.500.000" not in text
        assert "Bốn triệu năm trăm nghìn đồng" in text
        assert note in text  # the revocation is its own act, said apart
    assert pdf.index(note) > pdf.index("Phạm Thị Lan") > pdf.index("DANH SÁCH")  # after the list


def test_the_whole_decision_revoked_is_noted_and_the_list_stays(client, world):
    dec = issue(client, world)
    ok(client.post(f"/api/decisions/{dec['id']}/lines/4/revoke", headers=world.h("hn.appr"),
                   json={"revoked_on": "2025-01-05", "ground": "a", "reason": "Kê khai sai"}))
    ok(client.post(f"/api/decisions/{dec['id']}/revoke", headers=world.h("hn.appr"),
                   json={"revoked_on": "2025-01-10", "ground": "other",
                         "reason": "Ban hành sai thẩm quyền"}))
    for text in documents(client, world, dec["id"])[:2]:
        assert all(name in text for name in NAMES) and "4.500.000" in text
        assert "Dòng 4 (Phạm Thị Lan) bị hủy bỏ từ ngày 05/01/2025 theo điểm a" in text
        assert ("Quyết định này bị hủy bỏ (các dòng còn hiệu lực: 1, 2, 3) từ ngày 10/01/2025; "
                "lý do: Ban hành sai thẩm quyền.") in text


def test_the_document_names_the_issuer_says_the_achievement_once_and_its_own_place(
        client, world):
    dec = issue(client, world)
    for text in documents(client, world, dec["id"])[:2]:
        assert "Bằng khen của Ban Thường vụ Hội LHPN TP Hà Nội" in text
        assert "tỉnh, thành phố" not in text  # the catalog's generic form for the level
        assert ("(có danh sách kèm theo) đã có thành tích xuất sắc trong công tác Hội năm "
                "2024.") in text
        assert text.count("thành tích") == 1
        assert "Hà Nội, ngày 20 tháng 12 năm 2024" in text
    district = issue(client, world, unit="btl", user="btl.appr", number="17/QĐ-HPN",
                     award_kind="giay_khen_hoi",
                     achievement="Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2024")
    for text in documents(client, world, district["id"])[:2]:
        assert "Bắc Từ Liêm, ngày 20 tháng 12 năm 2024" in text
        assert "Hà Nội, ngày" not in text
        assert "Tặng Giấy khen của Hội LHPN quận Bắc Từ Liêm cho 4 cá nhân" in text
        assert "đã có thành tích hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2024." in text
    other = issue(client, world, unit="btl", user="btl.appr", number="18/QĐ-HPN",
                  award_kind="giay_khen_hoi", period="2023",
                  achievement="có thành tích: vận động 50 hội viên mới")
    text = documents(client, world, other["id"])[0]
    assert "đã có thành tích: vận động" not in text and text.count("thành tích") == 1
    assert "đã có thành tích vận động 50 hội viên mới." in text


def test_certificates_name_the_issuer_and_its_place(client, world):
    dec = issue(client, world, unit="btl", user="btl.appr", number="19/QĐ-HPN",
                award_kind="giay_khen_hoi")
    printed = client.post(f"/api/decisions/{dec['id']}/certificates", json={},
                          headers=world.h("btl.appr"))
    assert printed.status_code == 200, printed.text
    page = flat(PdfReader(io.BytesIO(printed.content)).pages[0].extract_text())
    assert "Bắc Từ Liêm, ngày 20 tháng 12 năm 2024" in page
    token = ok(client.get(f"/api/decisions/{dec['id']}/certificates",
                          headers=world.h("btl.appr")))["items"][0]["verify_url"]
    found = ok(client.get(f"/api/verify/{token.rsplit('/', 1)[1]}"))
    assert found["award_title"] == "Giấy khen của Hội LHPN quận Bắc Từ Liêm"


def test_downloads_keep_the_vietnamese_name_with_an_ascii_fallback(client, world):
    dec = issue(client, world)
    headers = documents(client, world, dec["id"])[2]
    disposition = headers["content-disposition"]
    assert 'filename="quyet-dinh-125-QD-HPN.pdf"' in disposition
    assert "filename*=UTF-8''" + quote("quyet-dinh-125-QĐ-HPN.pdf", safe="") in disposition
    assert "Q%C4%90" in disposition and "Q_" not in disposition
    for path in (f"/api/decisions/{dec['id']}/export.csv", "/api/registry/export.xlsx"):
        response = client.get(path, headers=world.h("admin"))
        assert response.status_code == 200, response.text
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"; '
                            r"filename\*=UTF-8''[A-Za-z0-9._~%-]+", disposition), disposition
    export = client.get(f"/api/decisions/{dec['id']}/export.csv", headers=world.h("admin"))
    assert 'filename="quyet-dinh-125-QD-HPN.csv"' in export.headers["content-disposition"]
    printed = client.post(f"/api/decisions/{dec['id']}/certificates", json={},
                          headers=world.h("hn.appr"))
    assert "filename*=UTF-8''" in printed.headers["content-disposition"]


# -- A. links follow the address the service is reached at -----------------------------------


def _qr_urls(content: bytes) -> list[str]:
    urls = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            grey = image.image.convert("L")
            big = grey.resize((grey.width * 8, grey.height * 8), PIL.Image.NEAREST)
            urls += [code.text for code in zxingcpp.read_barcodes(big)]
    return urls


def test_certificate_links_follow_the_request_unless_a_public_url_is_configured(client, world,
                                                                                rt):
    dec = issue(client, world)
    served = {"host": "tdkt.hoilhpn.test:9000", **world.h("hn.appr")}
    printed = client.post(f"/api/decisions/{dec['id']}/certificates", json={}, headers=served)
    assert printed.status_code == 200, printed.text
    urls = _qr_urls(printed.content)
    assert len(urls) == 4
    assert all(u.startswith("http://tdkt.hoilhpn.test:9000/verify/") for u in urls), urls
    register = ok(client.get(f"/api/decisions/{dec['id']}/certificates", headers=served))
    assert sorted(e["verify_url"] for e in register["items"]) == sorted(urls)
    token = urls[0].rsplit("/", 1)[1]
    assert ok(client.get(f"/api/verify/{token}"))["holder"] in NAMES  # the link works

    rt.settings = replace(rt.settings, public_url="https://khenthuong.hoilhpn.test")
    again = client.post(f"/api/decisions/{dec['id']}/certificates",
                        json={"reprint_reason": "In lại"}, headers=served)
    assert again.status_code == 200, again.text
    assert all(u.startswith("https://khenthuong.hoilhpn.test/verify/")
               for u in _qr_urls(again.content))
    register = ok(client.get(f"/api/decisions/{dec['id']}/certificates", headers=served))
    assert all(e["verify_url"].startswith("https://khenthuong.hoilhpn.test/verify/")
               for e in register["items"])


def test_the_default_link_base_is_where_the_service_listens():
    assert load_settings({}).public_base_url == "http://127.0.0.1:8000"
    assert load_settings({"TDKT_PORT": "9000"}).public_base_url == "http://127.0.0.1:9000"
    assert load_settings({"TDKT_HOST": "0.0.0.0", "TDKT_PORT": "9000"}).public_base_url == \
        "http://127.0.0.1:9000"
    configured = load_settings({"TDKT_PUBLIC_URL": "https://khenthuong.hoilhpn.test/",
                                "TDKT_PORT": "9000"})
    assert configured.public_base_url == "https://khenthuong.hoilhpn.test"
    assert configured.link_base("http://10.0.0.5:9000/") == "https://khenthuong.hoilhpn.test"
    assert load_settings({}).link_base("http://10.0.0.5:9000/") == "http://10.0.0.5:9000"


def test_serve_makes_the_default_link_base_follow_its_port(tmp_path, monkeypatch):
    import uvicorn

    from services.cli import cli

    for name in ("TDKT_HOST", "TDKT_PORT", "TDKT_PUBLIC_URL", "DATABASE_URL",
                 "PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TDKT_DATA_DIR", str(tmp_path / "data"))
    seen = {}

    def run(app, **kwargs):  # what the app factory (and each worker) will read
        seen.update(kwargs, base=load_settings().public_base_url)

    monkeypatch.setattr(uvicorn, "run", run)
    from typer.testing import CliRunner

    result = CliRunner().invoke(cli, ["serve", "--port", "9000", "--host", "127.0.0.2"])
    assert result.exit_code == 0, result.output
    assert (seen["port"], seen["host"]) == (9000, "127.0.0.2")
    assert seen["base"] == "http://127.0.0.2:9000"


# -- C. pages show messages, not internal codes or ids ---------------------------------------

CODE = re.compile(r"[(\[][a-z_]+\.[a-z_]+[)\]]")


def login(client, username: str) -> None:
    response = page_login(client, username)
    assert response.status_code == 303, response.text


def test_error_pages_show_the_message_without_codes_or_raw_ids(client, world):
    login(client, "xd.nom")
    missing = str(uuid.uuid4())
    page = client.get(f"/nominations/{missing}")
    assert page.status_code == 404
    assert "Không tìm thấy đề nghị khen thưởng." in page.text
    assert "nomination.not_found" not in page.text and missing not in page.text
    assert not CODE.search(page.text), CODE.search(page.text)
    # the JSON API keeps its code and message
    api = client.get(f"/api/nominations/{missing}", headers=world.h("xd.nom"))
    assert api.status_code == 404 and api.json()["error"]["code"] == "nomination.not_found"
    decision = client.get(f"/decisions/{missing}")
    assert decision.status_code == 404 and not CODE.search(decision.text)
    assert missing not in decision.text
    # a refused form
    refused = client.post("/nominations/new", data=form_data(client, {
        "proposing_unit_id": world.u("nt"), "award_kind": "giay_khen_hoi", "period": "2023",
        "recipient_kind": "individual", "recipient_name": "Lê Thị Hoa", "achievement": "x"}))
    assert refused.status_code == 403
    assert "ngoài phạm vi quản lý" in refused.text
    assert "auth.outside_scope" not in refused.text and not CODE.search(refused.text)
    # the calculator's refusal
    calc = client.get("/calculator", params={"award_kind": "bang_khen_tw_hoi",
                                             "issuer_level": "khong-co"})
    assert calc.status_code == 422
    assert "org_unit.invalid_level" not in calc.text and not CODE.search(calc.text)
    assert "không phù hợp" in calc.text
