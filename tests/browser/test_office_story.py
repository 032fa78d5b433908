"""Issue 20's acceptance test: the awards office's whole story in Chromium, in the pages only (no
API call, only the downloads a person clicks), at 1366×768, on both stores.

Hội LHPN TP Hà Nội's awards office (``hanoi.vanphong``) takes the two nominations of phường Xuân
Đỉnh for "Bằng khen Hội LHPN tỉnh/thành phố" from its queue, composes a decision (the suggested
number, today's date, a signer, a legal basis), reads the preview with each line's amount
explained, issues it after the confirmation; on the decision's page reads lines, totals and
history and downloads the document (PDF, DOCX). It plans a ceremony, adds the decision, records
the announced total and its source and reads the reconciliation; downloads the payout sheet (PDF,
XLSX); records the payments (lines chosen → summary → recorded) and sees committed / paid /
outstanding change; prints the certificates (mode and calibration chosen, check page, progress
page until done) and reads each line's serial, verification link and QR code. A stranger, with
no session, opens one verification link as a phone opens the QR code and sees the certificate
valid, naming its holder and decision.

The demo forwards the ward's two recommended nominations to Hà Nội's own council (README: "two
forwarded to Hà Nội's council"): they reach the office's queue once that council recommends them
too. So the story starts with the council's chair (``hanoi.hoidong``) voting and concluding on
each, in the pages as well.

Every figure is read from the pages and checked against the others (a decision's total is the sum
of its lines, the ceremony computes the decision's total, what was paid is what was recorded);
the only figures typed are the amounts the decision states and the announced total, each
explained where it is typed. Each main page: no console error, no outside request, no 5xx, no
serious or critical axe-core violation, and a screenshot (``story-…``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.browser.conftest import DESKTOP, Browsing, _browsing, axe

OFFICE = "hanoi.vanphong"  # approver (văn phòng / Ban TĐKT) at Hội LHPN TP Hà Nội
CHAIR = "hanoi.hoidong"  # chair of Hà Nội's awards council
HANOI = "Hội LHPN thành phố Hà Nội"
WARD = "Hội LHPN phường Xuân Đỉnh"
AWARD = "Bằng khen của Ban Thường vụ Hội Liên hiệp Phụ nữ tỉnh, thành phố"  # bang_khen_hoi_tinh
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_RUN_SECONDS = 90  # laying out the certificates' PDF (Typst) on a busy 2-core machine


# -- reading pages as a person does ----------------------------------------------------------


def checked(b: Browsing, name: str) -> None:
    """The page as it is: clean, accessible, photographed."""
    b.assert_clean()
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    b.shoot(name)


def follow(b: Browsing, target: Any) -> None:
    """Click a link or a button and wait for the page it leads to."""
    with b.page.expect_navigation(wait_until="load"):
        target.click()


def main_text(b: Browsing) -> str:
    return " ".join(b.page.get_by_role("main").inner_text().split())


def value(b: Browsing, term: str) -> str:
    """What a summary list (dt / dd) says for ``term``."""
    dd = b.page.locator("dt").filter(has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]")
    return " ".join(dd.first.inner_text().split())


def named(table: list[dict[str, str]], column: str, names: list[str]) -> list[str]:
    """Which of ``names`` each row's ``column`` begins with (a position or a kind follows)."""
    return [next((n for n in names if row[column].startswith(n)), row[column]) for row in table]


def dong(text: str) -> int:
    """The first amount written as offices write it ("1.500.000 đ") in ``text``, in đồng."""
    found = re.search(r"(\d{1,3}(?:\.\d{3})*) đ", text)
    assert found, f"no amount in «{text}»"
    return int(found.group(1).replace(".", ""))


def written(amount: int) -> str:
    """An amount as the pages write it: 3500000 → "3.500.000 đ"."""
    return f"{amount:,} đ".replace(",", ".")


def typed(amount: int) -> str:
    """An amount as an office types it in a money field: 3500000 → "3.500.000"."""
    return written(amount).removesuffix(" đ")


def rows(b: Browsing, table: str) -> list[dict[str, str]]:
    """The body rows of the table in the region labelled ``table``, each as its cells' texts by
    their column headers."""
    return b.page.get_by_role("region", name=table, exact=True).evaluate(
        """region => {
            const t = region.querySelector('table');
            const heads = [...t.tHead.rows[0].cells].map(c => c.innerText.trim());
            return [...t.tBodies[0].rows].map(r => Object.fromEntries(
                [...r.cells].map((c, i) => [heads[i], c.innerText.replace(/\\s+/g, ' ').trim()])));
        }""")


def download(b: Browsing, link: Any) -> tuple[int, str]:
    """A download link's answer (status, content type), fetched with the page's session."""
    answer = b.page.request.get(b.server.url + link.get_attribute("href"))
    return answer.status, answer.headers["content-type"].split(";")[0]


@contextmanager
def another_browser(browser: Any, live_server: Any, request: Any) -> Iterator[Browsing]:
    """A new browser context (its own cookies: no session), at the office laptop's size."""
    context, b = _browsing(browser, live_server, request, DESKTOP)
    try:
        yield b
    finally:
        context.close()


# -- the story ---------------------------------------------------------------------------------


def council_recommends(b: Browsing, password: str) -> list[str]:
    """Hà Nội's council chair votes for and concludes «Đề nghị khen thưởng» on every nomination
    waiting for the council; the names of the people nominated."""
    b.sign_in(CHAIR, password)
    follow(b, b.page.get_by_role("link", name=re.compile(f"^Chờ Hội đồng {HANOI} xét")))
    listed = b.page.get_by_role("region", name="Danh sách đề nghị").get_by_role("link")
    names = listed.all_inner_texts()
    assert len(names) == 2, names  # the demo's two nominations forwarded by Xuân Đỉnh
    checked(b, "story-council")
    listing = b.page.url
    for name in names:
        b.page.goto(listing, wait_until="load")  # back to the council's list
        follow(b, b.page.get_by_role("link", name=name, exact=True))
        assert AWARD in main_text(b) and WARD in main_text(b)
        b.page.get_by_label("Phiếu của bạn").select_option(label="Đồng ý")
        follow(b, b.page.get_by_role("button", name="Bỏ phiếu"))
        b.page.get_by_label("Kết luận").select_option(label="Đề nghị khen thưởng")
        follow(b, b.page.get_by_role("button", name="Kết luận"))
        assert b.page.get_by_role("heading", level=1).inner_text().endswith("Chờ quyết định")
        b.assert_clean()
    return names


def test_office_story(desktop: Browsing, browser, live_server, request, demo_users):
    with another_browser(browser, live_server, request) as council:
        recommended = council_recommends(council, demo_users[CHAIR])

    # 1. The queue, from the home page: the two nominations, chosen, make a decision. --------
    b = desktop
    b.sign_in(OFFICE, demo_users[OFFICE])
    # the home page's queue card: its count is the two nominations the council just recommended
    follow(b, b.page.get_by_role("link", name=re.compile(f"^Chờ quyết định tại {HANOI}\\s*2$")))
    queue = rows(b, f"Đề nghị chờ quyết định tại {HANOI}")
    names = [r["Người / tập thể được đề nghị"].split(" (cá nhân)")[0] for r in queue]
    assert sorted(names) == sorted(recommended)  # in the queue's order from here on
    assert all(r["Hình thức"] == AWARD and r["Đơn vị đề nghị"] == WARD for r in queue), queue
    checked(b, "story-queue")
    for name in names:
        b.page.get_by_role("checkbox", name=name, exact=True).check()
    follow(b, b.page.get_by_role("button", name="Lập quyết định từ các đề nghị đã chọn"))

    # the form: the suggested number (Hà Nội's next free one this year) and today's date, kept
    assert b.page.get_by_role("heading", level=1).inner_text() == "Lập quyết định khen thưởng"
    number = b.page.get_by_label("Số quyết định").input_value()
    assert re.fullmatch(r"\d+/QĐ-HPN", number), number
    decided_on = b.page.get_by_label("Ngày quyết định").input_value()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", decided_on), decided_on
    b.page.get_by_label("Chức vụ người ký").fill("TM. Ban Thường vụ – Chủ tịch")
    b.page.get_by_label("Họ tên người ký").fill("Nguyễn Thị Tuyết (minh họa)")
    b.page.get_by_label("Căn cứ", exact=True).fill(
        "Căn cứ Luật Thi đua, khen thưởng năm 2022\n"
        "Căn cứ Điều lệ Hội LHPN Việt Nam\n"
        "Xét đề nghị của Hội đồng Thi đua – Khen thưởng Hội LHPN thành phố Hà Nội")
    assert [r["Người / tập thể"] for r in rows(b, "Đề nghị đưa vào quyết định")] == [
        f"{name} (cá nhân)" for name in names]
    checked(b, "story-compose")

    # The default, «Tính theo quy định», needs Hà Nội's own rate for its Bằng khen, which the demo
    # does not record (and no page records such rates yet): the form says so at each line.
    follow(b, b.page.get_by_role("button", name="Xem trước quyết định"))
    summary = b.page.get_by_role("alert").inner_text()
    assert "vui lòng sửa 2 lỗi" in summary and "chưa ghi mức thưởng nội bộ" in summary, summary
    problems = b.watch.reset()  # the browser reports the 422 answer itself: expected
    assert all("status of 422" in p for p in problems), problems
    checked(b, "story-compose-errors")
    # So the decision states its amounts: 1.500.000 đ each, an illustrative figure (the demo's
    # amounts are invented too). Every later figure is read from the pages.
    stated = 1_500_000
    b.page.get_by_label("Cách ghi số tiền mặc định").select_option(
        label="Theo số tiền quyết định ghi")
    for name in names:
        b.page.get_by_label(f"Số tiền — {name}", exact=True).fill(typed(stated))
    follow(b, b.page.get_by_role("button", name="Xem trước quyết định"))

    # the preview: each line's amount and how it was reached; the total; what issuing will do
    assert b.page.get_by_role("heading", level=1).inner_text() == (
        "Kiểm tra trước khi ban hành quyết định")
    preview = [r for r in rows(b, "Danh sách kèm theo") if r["STT"].isdigit()]
    assert named(preview, "Họ tên / tập thể", names) == names
    for line in preview:
        assert dong(line["Số tiền"]) == stated
        assert line["Cách tính"].startswith("Theo số tiền quyết định ghi — Theo quyết định")
        assert f"Theo quyết định: {written(stated)}." in line["Cách tính"], line
        assert line["Nguồn"].startswith(f"Dòng {line['STT']} — đề nghị:"), line
    total = sum(dong(r["Số tiền"]) for r in preview)
    assert total == len(names) * stated
    assert dong(value(b, "Tổng tiền")) == total
    assert value(b, "Số lượng").startswith(f"{len(names)} dòng")
    assert f"Số quyết định {number} của {HANOI}" in main_text(b)
    assert "sẽ không dùng lại được" in main_text(b)
    checked(b, "story-preview")
    b.page.get_by_label("Tôi đã kiểm tra danh sách, số tiền và văn bản quyết định ở trên.").check()
    follow(b, b.page.get_by_role("button", name=f"Ban hành quyết định số {number}"))

    # 2. The decision's page: lines, totals, history; its document. ---------------------------
    assert b.page.get_by_role("status").inner_text().startswith("Đã ban hành quyết định.")
    assert b.page.get_by_role("heading", level=1).inner_text().startswith(
        f"Quyết định số {number}")
    decision_url = b.page.url.split("?")[0]
    lines = rows(b, "Danh sách kèm theo")
    assert named(lines, "Họ tên / tập thể", names) == names
    assert all(r["Đơn vị"] == WARD for r in lines), lines
    assert dong(value(b, "Tổng tiền (đã ghi)")) == sum(dong(r["Số tiền"]) for r in lines) == total
    assert value(b, "Số lượng") == f"0 tập thể, {len(names)} cá nhân"
    assert value(b, "Ngày") == decided_on
    assert value(b, "Trích yếu").startswith("Về việc tặng Bằng khen")
    history = rows(b, "Lịch sử của quyết định")
    assert len(history) == 1 and history[0]["Người thực hiện"] == OFFICE, history
    assert history[0]["Nội dung, lý do"] == (
        f"Số {number}, ngày {decided_on}, {len(names)} dòng"), history
    for name, kind in (("Văn bản quyết định (PDF)", PDF), ("Văn bản quyết định (Word)", DOCX)):
        assert download(b, b.page.get_by_role("link", name=name)) == (200, kind), name
    checked(b, "story-decision")

    # 3. A ceremony with the decision; the announced total and the reconciliation. -----------
    follow(b, b.page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Trao thưởng"))
    follow(b, b.page.get_by_role("link", name="Lập buổi trao thưởng"))
    title = "Hội nghị sơ kết công tác thi đua, khen thưởng (minh họa)"
    b.page.get_by_label("Tên hội nghị / buổi trao thưởng").fill(title)
    b.page.get_by_label("Ngày tổ chức").fill(decided_on)
    b.page.get_by_label("Địa điểm").fill("Hội trường Hội LHPN thành phố Hà Nội")
    assert b.page.get_by_label("Đơn vị tổ chức").locator("option:checked").inner_text() == HANOI
    checked(b, "story-ceremony-new")
    follow(b, b.page.get_by_role("button", name="Lập buổi trao thưởng"))
    assert b.page.get_by_role("heading", level=1).inner_text() == title
    assert value(b, "Đơn vị tổ chức") == HANOI
    follow(b, b.page.get_by_role("button", name=f"Thêm quyết định {number}"))
    ceremony_url = b.page.url.split("#")[0]
    # The total announced at the conference: 500.000 đ more than the decisions, a figure no
    # decision explains (as at Bắc Từ Liêm in 2024): the page shows the difference, not hides it.
    announced = total + 500_000
    b.page.get_by_label("Tổng công bố (đồng)").fill(typed(announced))
    source = "Biên bản hội nghị ngày " + decided_on
    b.page.get_by_label("Nguồn (bài viết, báo cáo, biên bản…)").fill(source)
    follow(b, b.page.get_by_role("button", name="Ghi số liệu công bố"))
    assert value(b, "Tổng công bố") == f"{written(announced)} — {source}"
    assert dong(value(b, "Tổng tính từ các quyết định")) == total
    difference = value(b, "Chênh lệch")
    assert dong(difference) == announced - total and "chưa giải thích được" in difference
    assert value(b, "Được khen thưởng") == value(b, "Số lượng") == f"{len(names)} cá nhân"
    assert value(b, "Dòng không ghi số tiền") == "0"
    presented = rows(b, "Quyết định được trao")
    assert [(r["Số"], dong(r["Tổng tiền"])) for r in presented] == [(number, total)]
    assert dong(value(b, "Phải chi (các dòng còn hiệu lực)")) == total
    assert dong(value(b, "Đã chi / đã ký nhận")) == 0
    assert dong(value(b, "Còn phải chi")) == total
    checked(b, "story-ceremony")

    # 4. The payout sheet (danh sách ký nhận tiền thưởng). ------------------------------------
    assert download(b, b.page.get_by_role("link", name="tải PDF (để in)")) == (200, PDF)
    assert download(b, b.page.get_by_role("link", name="tải XLSX")) == (200, XLSX)

    # 5. Payments: the lines chosen → the summary → recorded. ---------------------------------
    follow(b, b.page.get_by_role("link", name="Ghi chi trả, xem từng dòng"))
    owed = rows(b, "Chi trả theo từng dòng")
    assert named(owed, "Họ tên / tập thể", names) == names
    assert all((dong(r["Phải chi"]), dong(r["Đã chi"]), dong(r["Còn lại"])) == (stated, 0, stated)
               for r in owed), owed
    for name in names:
        b.page.get_by_role("checkbox", name=f"Chọn {name}").check()
    follow(b, b.page.get_by_role("button", name="Xem lại trước khi ghi"))
    assert b.page.get_by_role(
        "heading", name=f"Sẽ ghi {len(names)} lần chi trả, tổng {written(total)}").is_visible()
    to_record = rows(b, "Các dòng sẽ ghi")
    assert all(dong(r["Ghi lần này"]) == dong(r["Còn phải chi"]) == stated for r in to_record)
    checked(b, "story-payments-check")
    follow(b, b.page.get_by_role("button", name=f"Ghi {len(names)} lần chi trả"))
    assert f"Đã ghi {len(names)} lần chi trả." in b.page.get_by_role("status").inner_text()
    recorded = rows(b, "Các lần ghi chi trả")
    paid = sum(dong(r["Số tiền"]) for r in recorded)
    assert len(recorded) == len(names) and paid == total
    assert all(r["Người ghi"] == OFFICE for r in recorded), recorded
    checked(b, "story-payments")
    follow(b, b.page.get_by_role("link", name=title))
    assert dong(value(b, "Phải chi (các dòng còn hiệu lực)")) == total
    assert dong(value(b, "Đã chi / đã ký nhận")) == paid
    assert dong(value(b, "Còn phải chi")) == total - paid == 0
    b.assert_clean()

    # 6. The certificates of the ceremony: mode and calibration, check, progress, done. -------
    follow(b, b.page.get_by_role("link", name="In giấy khen, bằng khen"))
    assert b.page.get_by_label(f"Tất cả {len(names)} dòng còn hiệu lực").is_checked()
    b.page.get_by_label("In lên phôi in sẵn (chỉ in chữ)").check()
    b.page.get_by_label("Lệch ngang (mm, dương: sang phải)").fill("1,5")
    b.page.get_by_label("Lệch dọc (mm, dương: xuống dưới)").fill("-1")
    follow(b, b.page.get_by_role("button", name="Tiếp tục"))
    assert b.page.get_by_role("heading", level=1).inner_text() == "Kiểm tra trước khi in"
    assert value(b, "Cách in") == "In lên phôi in sẵn (chỉ in chữ)"
    assert value(b, "Máy in") == "Mặc định; hiệu chỉnh ngang 1,5 mm, dọc -1 mm"
    assert f"sổ của {HANOI} năm {decided_on[-4:]}" in value(b, "In lần đầu")
    checked(b, "story-print-check")
    follow(b, b.page.get_by_role("button", name=f"Cấp số và in {len(names)} giấy"))
    # the progress page refreshes itself until the PDF is laid out
    b.page.get_by_role("heading", name=f"Đã in xong {len(names)} giấy").wait_for(
        timeout=PRINT_RUN_SECONDS * 1000)
    done = main_text(b)
    assert f"Số vào sổ: 1–{len(names)}/{decided_on[-4:]} — {HANOI}" in done, done
    assert download(b, b.page.get_by_role("link", name=re.compile("^Tải tệp PDF"))) == (200, PDF)
    checked(b, "story-print-done")
    follow(b, b.page.get_by_role("link", name=re.compile("^← Giấy khen, bằng khen của")))
    register = rows(b, "Danh sách giấy khen, bằng khen")
    assert named(register, "Họ tên / tập thể", names) == names
    # serials: the first of Hà Nội's register this year, in the order of the lines
    assert [r["Số vào sổ"] for r in register] == [
        f"{n}/{decided_on[-4:]}" for n in range(1, len(names) + 1)]
    # each line's verification link, written out (a "/" cannot stand in Playwright's name regex)
    verify_links = b.page.get_by_role("link", name=re.compile(r"^https?:.+.verify.[A-Za-z0-9_-]+$"))
    assert verify_links.count() == len(names)
    for n, row in enumerate(register, start=1):
        assert row["Kiểm tra (đường dẫn, mã QR)"] == verify_links.nth(n - 1).inner_text()
        qr = b.page.get_by_role(
            "img", name=f"Mã QR kiểm tra giấy số {row['Số vào sổ']} của {names[n - 1]}")
        qr.scroll_into_view_if_needed()  # loaded lazily, as a person scrolls to it
        assert qr.evaluate("""img => img.complete && img.naturalWidth ? img.naturalWidth
            : new Promise(done => { img.onload = () => done(img.naturalWidth); })""") > 0
    checked(b, "story-certificates")
    scanned = verify_links.first.get_attribute("href")  # what the first certificate's QR says
    holder, serial = names[0], register[0]["Số vào sổ"]

    # 7. A stranger scans the QR code: no session, the public verification page. -------------
    with another_browser(browser, live_server, request) as stranger:
        stranger.page.goto(scanned, wait_until="load")
        card = " ".join(stranger.page.get_by_role("main").inner_text().split())
        assert "Có hiệu lực" in card, card
        assert value(stranger, "Người / tập thể được khen") == holder
        assert value(stranger, "Cơ quan ban hành") == HANOI
        assert value(stranger, "Quyết định") == f"Số {number} ngày {decided_on}"
        assert value(stranger, "Số vào sổ") == serial
        assert stranger.page.get_by_role("button", name="Đăng xuất").count() == 0  # nobody
        checked(stranger, "story-verify")

    # the office's pages still tell the same story afterwards
    b.page.goto(decision_url, wait_until="load")
    assert dong(value(b, "Tổng tiền (đã ghi)")) == total
    b.page.goto(ceremony_url, wait_until="load")
    assert dong(value(b, "Còn phải chi")) == 0
    b.assert_clean()
