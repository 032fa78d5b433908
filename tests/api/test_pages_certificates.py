"""Certificates in the browser, on both stores: the awards office prints a decision's or a
ceremony's certificates from its page (lines, mode, calibration, a check page, a print run with
its progress page, the PDF), reprints with a reason, sees serials, copies and each line's
verification link and QR code; the same permissions as the API; verification stays anonymous.
"""

from __future__ import annotations

import io
import re
import time
from datetime import date
from urllib.parse import urlencode

import PIL.Image
import PIL.ImageDraw
import pytest
import zxingcpp
from pypdf import PdfReader

from services import printing
from services.web import print_runs
from tests.helpers import head, ok

PASSWORD = "mat-khau-123"
FULL = [("mode", "full"), ("printer", "default")]
OVERLAY = [("mode", "overlay"), ("printer", "default"), ("dx", "1,5"), ("dy", "-2")]


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2025, 1, 15)


# -- a person in a browser ----------------------------------------------------------------------


def csrf_token(client) -> str:
    """The browser's CSRF token (the cookie a page set; the form sends it back)."""
    if "tdkt_csrf" not in client.cookies:
        client.get("/login")
    return client.cookies["tdkt_csrf"]


def send(client, url: str, data: dict | list | None = None, **kwargs):
    """A form posted from a page: its fields and the CSRF token."""
    fields = list(data.items()) if isinstance(data, dict) else list(data or [])
    fields.append(("csrf_token", csrf_token(client)))
    body = urlencode(fields)
    return client.post(url, content=body, headers={
        "content-type": "application/x-www-form-urlencoded"}, **kwargs)


def login(client, username: str) -> None:
    client.cookies.clear()
    answer = send(client, "/login", {"username": username, "password": PASSWORD, "next": "/"},
                  follow_redirects=False)
    assert answer.status_code == 303, answer.text


def issue(client, world, number="1520/QĐ-ĐCT", n=1, period="2024"):
    """A central decision: ``n`` people and one collective (n + 1 lines)."""
    lines = [{"recipient": {"kind": "individual", "name": f"Nguyễn Thị Hồng Nhung {i}",
                            "birth_year": 1970 + i, "gender": "female",
                            "unit_id": world.u("xd"), "position": "Chủ tịch Hội LHPN phường"}}
             for i in range(n)]
    lines.append({"recipient": {"kind": "collective", "name": "Hội LHPN phường Cổ Nhuế 1",
                                "org_unit_id": world.u("cn1")}})
    body = {"number": number, "decided_on": "2024-12-20", "issuer": {"unit_id": world.u("root")},
            "signer": {"name": "Hà Thị Nga", "title": "TM. Đoàn Chủ tịch – Chủ tịch"},
            "subject": "Về việc tặng Bằng khen", "legal_basis": "Căn cứ Điều lệ Hội",
            "achievement": "Đã có thành tích xuất sắc trong công tác Hội năm 2024",
            "award_kind": "bang_khen_tw_hoi", "period": period, "amount_mode": "computed",
            "lines": lines}
    return ok(client.post("/api/decisions", json=body, headers=world.h("tw.appr")), 201)


def keys(dec, *line_nos) -> list[tuple[str, str]]:
    return [("line", f"{dec['id']}:{n}") for n in line_nos]


def register(client, world, decision_id):
    return ok(client.get(f"/api/decisions/{decision_id}/certificates",
                         headers=world.h("tw.appr")))["items"]


def finished_run(client, answer) -> str:
    """Follow a print run from the answer of its form to its end; the finished page's text."""
    assert answer.status_code == 303, answer.text
    url = answer.headers["location"]
    assert url.startswith("/certificates/runs/")
    deadline = time.monotonic() + 180
    while True:
        page = client.get(url)
        assert page.status_code == 200, page.text
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        assert "Trang này tự cập nhật sau mỗi 2 giây" in page.text and "<progress" in page.text
        assert time.monotonic() < deadline, "the print run did not finish"
        time.sleep(0.2)


def download(client, page: str) -> bytes:
    link = re.search(r'href="(/certificates/runs/[^"]+/pdf)"', page)
    assert link, page
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert pdf.content.startswith(b"%PDF")
    return pdf.content


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def qr_text(svg: str) -> list[str]:
    """Read a QR code drawn as SVG (one unit per module, rectangles in one path)."""
    side = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    scale = 8
    image = PIL.Image.new("L", (side * scale, side * scale), 255)
    draw = PIL.ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+Z", path):
        x, y, w, h = int(x), int(y), int(w), int(h)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], fill=0)
    return [b.text for b in zxingcpp.read_barcodes(image)]


def no_inline_script_or_style(html: str) -> None:
    assert "<script" not in html and " style=" not in html


# -- the tests ----------------------------------------------------------------------------------


def test_the_office_prints_a_decision_from_its_page(client, world):
    dec = issue(client, world, n=1)
    login(client, "tw.appr")
    page = client.get(f"/decisions/{dec['id']}")
    assert f'href="/decisions/{dec["id"]}/certificates"' in page.text  # the way in
    form = client.get(f"/decisions/{dec['id']}/certificates")
    assert form.status_code == 200
    no_inline_script_or_style(form.text)
    assert "In giấy khen, bằng khen" in form.text and "20/12/2024" in form.text
    # every line in force by default; or only the lines ticked
    assert form.text.count('name="line"') == 2
    assert 'name="lines" value="all" checked' in form.text
    assert form.text.count(" checked") == 2  # that choice and the mode
    assert "Chưa in" in form.text and "Chưa in lần nào" in form.text
    assert 'class="table-scroll"' in form.text
    for field in ("dx", "dy", "printer", "mode"):
        assert f'<label for="{field}"' in form.text, field

    check = send(client, f"/decisions/{dec['id']}/certificates/confirm",
                 [("lines", "chosen"), *keys(dec, 1, 2), *FULL, ("dx", "0"), ("dy", "0")])
    assert check.status_code == 200, check.text
    no_inline_script_or_style(check.text)
    assert "Kiểm tra trước khi in" in check.text and "Cấp số và in 2 giấy" in check.text
    assert "không dùng lại được" in check.text and 'name="reason"' not in check.text
    assert 'name="lines" value="all"' in check.text  # both ticked: every line in force
    assert register(client, world, dec["id"]) == []  # nothing recorded before the button

    answer = send(client, f"/decisions/{dec['id']}/certificates/print",
                  {"lines": "all", "mode": "full", "printer": "default", "dx": "0", "dy": "0"},
                  follow_redirects=False)
    done = finished_run(client, answer)
    assert "Đã in xong 2 giấy" in done and "1–2/2024" in done
    pages = pdf_pages(download(client, done))
    assert len(pages) == 2
    assert "Bà Nguyễn Thị Hồng Nhung 0" in pages[0] and "Số vào sổ: 1/2024" in pages[0]
    assert "Hội LHPN phường Cổ Nhuế 1" in pages[1] and "Số vào sổ: 2/2024" in pages[1]
    entries = register(client, world, dec["id"])
    assert [(e["line_no"], e["serial"], e["copies"]) for e in entries] == [(1, 1, 1), (2, 2, 1)]

    # the register on the page: serials, copies, each line's verification link and QR code
    form = client.get(f"/decisions/{dec['id']}/certificates")
    assert "1/2024" in form.text and "2/2024" in form.text
    assert form.text.count("1 bản: bản gốc") == 2
    assert "In lần đầu" in form.text  # the history
    for entry in entries:
        token = entry["verify_url"].rsplit("/", 1)[1]
        assert f'href="{entry["verify_url"]}"' in form.text
        assert f'src="/verify/{token}/qr.svg"' in form.text

    # anyone may verify: the QR code and the page need no session
    client.cookies.clear()
    token = entries[0]["verify_url"].rsplit("/", 1)[1]
    qr = client.get(f"/verify/{token}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr_text(qr.text) == [entries[0]["verify_url"]]
    verified = client.get(f"/verify/{token}")
    assert verified.status_code == 200
    assert "Nguyễn Thị Hồng Nhung 0" in verified.text and "20/12/2024" in verified.text
    assert 'action="/logout"' not in verified.text
    assert client.get("/verify/khong-co-ma-nay/qr.svg").status_code == 404
    # the run and its PDF belong to the one who started them
    run_url = answer.headers["location"]
    assert client.get(run_url, follow_redirects=False).status_code == 303  # sign in first
    login(client, "admin")
    assert client.get(run_url).status_code == 404
    assert client.get(f"{run_url}/pdf").status_code == 404


def test_a_reprint_needs_a_reason_given_after_a_confirmation(client, world):
    dec = issue(client, world, n=1)
    login(client, "tw.appr")
    first = send(client, f"/decisions/{dec['id']}/certificates/print",
                 [*keys(dec, 1, 2), ("mode", "full"), ("printer", "default")],
                 follow_redirects=False)
    finished_run(client, first)

    # "In lại dòng này": the form comes back with that line alone chosen
    form = client.get(f"/decisions/{dec['id']}/certificates", params={"line": f"{dec['id']}:1"})
    assert form.text.count(" checked") == 3  # "only the lines ticked", the line, the mode
    assert 'value="chosen" checked' in form.text
    assert f'value="{dec["id"]}:1" checked' in form.text
    check = send(client, f"/decisions/{dec['id']}/certificates/confirm",
                 [*keys(dec, 1), *OVERLAY])
    assert check.status_code == 200, check.text
    assert "Xác nhận in lại" in check.text and '<label for="reason">' in check.text
    assert "số vào sổ 1/2024" in check.text
    assert "hiệu chỉnh ngang 1,5 mm, dọc -2 mm" in check.text

    position = head(client)
    chosen = [*keys(dec, 1), *OVERLAY]
    refused = send(client, f"/decisions/{dec['id']}/certificates/print", chosen,
                   follow_redirects=False)
    assert refused.status_code == 422
    assert "Ghi lý do in lại" in refused.text and 'href="#reason"' in refused.text
    assert head(client) == position  # nothing recorded
    again = send(client, f"/decisions/{dec['id']}/certificates/print",
                 [*chosen, ("reason", "Bản in bị nhòe mực")], follow_redirects=False)
    done = finished_run(client, again)
    pages = pdf_pages(download(client, done))
    assert len(pages) == 1 and "Số vào sổ: 1/2024" in pages[0]
    assert "CỘNG HÒA" not in pages[0]  # overlay: the blank has it already
    assert [e["copies"] for e in register(client, world, dec["id"])] == [2, 1]

    form = client.get(f"/decisions/{dec['id']}/certificates")
    assert "2 bản: bản gốc và 1 bản in lại" in form.text and "1 bản: bản gốc" in form.text
    assert "Bản in bị nhòe mực" in form.text and "In lại" in form.text  # the history
    # the browser remembers the mode and the calibration
    assert 'id="dx" name="dx" inputmode="decimal" value="1,5"' in form.text
    assert re.search(r'value="overlay" checked', form.text)

    # a calibration out of range, or no line, is shown in the form; nothing is recorded
    position = head(client)
    wrong = send(client, f"/decisions/{dec['id']}/certificates/confirm",
                 [*keys(dec, 1), ("mode", "overlay"), ("dx", "99")])
    assert wrong.status_code == 422 and "Độ lệch ngang phải là" in wrong.text
    assert 'href="#dx"' in wrong.text and 'aria-invalid="true"' in wrong.text
    empty = send(client, f"/decisions/{dec['id']}/certificates/print", [("mode", "full")])
    assert empty.status_code == 422 and "Đánh dấu ít nhất một dòng" in empty.text
    assert head(client) == position


def test_a_revoked_line_is_not_offered_and_a_ceremony_prints_from_its_page(client, world):
    first = issue(client, world, n=1)
    second = issue(client, world, number="9/QĐ-ĐCT", n=0, period="2023")
    ok(client.post(f"/api/decisions/{first['id']}/lines/2/revoke", headers=world.h("tw.appr"),
                   json={"revoked_on": "2025-01-10", "ground": "b", "reason": "Sai hồ sơ"}))
    ceremony = ok(client.post("/api/ceremonies", headers=world.h("tw.appr"), json={
        "title": "Lễ trao thưởng", "held_on": "2025-01-10", "place": "Hà Nội",
        "host_unit_id": world.u("root"), "decision_ids": [first["id"], second["id"]]}), 201)
    login(client, "tw.appr")
    page = client.get(f"/ceremonies/{ceremony['id']}")
    assert f'href="/ceremonies/{ceremony["id"]}/certificates"' in page.text
    form = client.get(f"/ceremonies/{ceremony['id']}/certificates")
    assert form.status_code == 200
    assert form.text.count('name="line"') == 2  # the revoked line is shown, not offered
    assert "Hủy bỏ từ 10/01/2025" in form.text and "9/QĐ-ĐCT" in form.text

    position = head(client)
    revoked = send(client, f"/ceremonies/{ceremony['id']}/certificates/confirm",
                   [*keys(first, 2), ("mode", "full")])
    assert revoked.status_code == 422 and "không còn hiệu lực" in revoked.text
    assert head(client) == position

    # another run is laying out: this one waits, and its page says so and refreshes itself
    with print_runs._LAYOUT:
        answer = send(client, f"/ceremonies/{ceremony['id']}/certificates/print",
                      [*keys(first, 1), *keys(second, 1), ("mode", "full")],
                      follow_redirects=False)
        assert answer.status_code == 303
        waiting = client.get(answer.headers["location"])
        assert '<meta http-equiv="refresh" content="2">' in waiting.text
        assert "Đang chờ một lượt in khác xong" in waiting.text and "<progress" in waiting.text
        assert "1–2/2024" in waiting.text  # the serials are recorded already
        no_inline_script_or_style(waiting.text)
    done = finished_run(client, answer)
    assert "Đã in xong 2 giấy" in done
    pages = pdf_pages(download(client, done))
    assert len(pages) == 2
    assert "1/2024" in pages[0] and "2/2024" in pages[1]
    assert [e["serial"] for e in register(client, world, first["id"])] == [1]
    assert [e["serial"] for e in register(client, world, second["id"])] == [2]


def test_only_an_approver_of_the_recording_unit_prints_and_sees_the_register(client, world):
    dec = issue(client, world, n=0)
    for user in ("btl.appr", "xd.nom", "admin"):
        login(client, user)
        assert 'certificates"' not in client.get(f"/decisions/{dec['id']}").text, user
        page = client.get(f"/decisions/{dec['id']}/certificates")
        assert page.status_code == 403, (user, page.status_code)
        assert "Không thực hiện được" in page.text
        for step in ("confirm", "print"):
            refused = send(client, f"/decisions/{dec['id']}/certificates/{step}",
                           [*keys(dec, 1), ("mode", "full"), ("reason", "x")],
                           follow_redirects=False)
            assert refused.status_code == 403, (user, step)
    assert register(client, world, dec["id"]) == []  # nothing printed
    # a stranger is sent to sign in; a form without this browser's token is refused
    client.cookies.clear()
    away = client.get(f"/decisions/{dec['id']}/certificates", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    login(client, "tw.appr")
    forged = client.post(f"/decisions/{dec['id']}/certificates/print",
                         data={"lines": "all", "mode": "full"}, follow_redirects=False)
    assert forged.status_code == 403
    assert register(client, world, dec["id"]) == []
    assert client.get("/decisions/not-an-id/certificates").status_code == 422
    assert client.get("/certificates/runs/khong-co").status_code == 404


def test_an_unknown_printer_or_mode_records_nothing_in_the_api_either(client, world):
    dec = issue(client, world, n=0)
    for body in ({"printer": "khong-co"}, {"mode": "overlay", "printer": "khong-co"}):
        answer = client.post(f"/api/decisions/{dec['id']}/certificates", json=body,
                             headers=world.h("tw.appr"))
        assert answer.status_code == 422, answer.text
    assert register(client, world, dec["id"]) == []
    assert b"x: 21.5" in printing.certificate_source("overlay", "default", 1.5, -2.0)
