"""Issue 16's acceptance story: a ward's award round in Chromium, in the pages only, at 1366×768, on
both stores (a fresh demo for this module).

The chair of phường Xuân Đỉnh's awards council (``xuandinh.hoidong``) sets how her council scores
the ward's Giấy khen (two criteria). The ward's nominator (``xuandinh.denghi``) uploads a tờ trình
of 30 candidates from XLSX with two wrong rows, reads both errors with their row numbers, fixes
them in the page and files the 30 together. The chair opens her council's page from her home page:
30 more waiting, none voted by her; she scores three candidates criterion by criterion, concludes
two «đề nghị khen thưởng» and returns the third with a reason; she votes on a fourth without
concluding, and the council's page says which she has voted. The nominator reads the reason on the
returned file, revises it and submits it again (round 2). The chair scores it again and recommends
it; the rounds of review stay on the file's page with every ballot, score and conclusion. The
minutes of the council meeting for the tờ trình are generated: the page names the members present
and each candidate concluded with the votes and the mean score; the PDF and the Word file download.
Each main page: no console error, no outside request, no 5xx, no serious or critical axe violation,
and a screenshot (``test_a_ward_award_round-<store>-…``)."""

from __future__ import annotations

import re

from tests.browser.conftest import Browsing
from tests.browser.test_submission_import import file_a_list

NOMINATOR = "xuandinh.denghi"
CHAIR = "xuandinh.hoidong"
WARD = "Hội LHPN phường Xuân Đỉnh"
CRITERIA = (("Thành tích công tác Hội", 60), ("Phong trào thi đua", 40))
RETURNED = "Phạm Thị Thử 03"
REASON = "Bổ sung báo cáo thành tích có xác nhận của chi hội"
REVISED = "Tích cực trong phong trào thi đua năm 2024; báo cáo thành tích có xác nhận của chi hội"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"












def open_candidate(b: Browsing, council: str, name: str) -> None:
    b.goto(council)
    queue = b.page.get_by_role("region", name="Đề nghị chờ Hội đồng xét")
    b.follow(queue.get_by_role("link", name=name, exact=True))
    assert name in b.main_text()


def vote(b: Browsing, choice: str, scores: tuple[int, int], comment: str = "") -> None:
    """The chair's ballot on the open nomination: the vote, one score per criterion."""
    ballot = b.page.locator("#cham-diem")
    ballot.get_by_label("Phiếu của bạn").select_option(label=choice)
    for (criterion, top), score in zip(CRITERIA, scores, strict=True):
        ballot.get_by_label(f"{criterion} (0–{top} điểm)").fill(str(score))
    if comment:
        ballot.get_by_label("Ý kiến (nếu có)").fill(comment)
    b.follow(ballot.get_by_role("button", name="Bỏ phiếu và chấm điểm"))
    assert f"Bạn đã bỏ phiếu ({sum(scores)} điểm)" in b.main_text(), b.main_text()[:1500]


def conclude(b: Browsing, outcome: str, reason: str = "") -> None:
    b.page.get_by_label("Kết luận của Hội đồng").select_option(label=outcome)
    if reason:
        b.page.get_by_label("Lý do (bắt buộc khi trả lại hoặc không đề nghị)").fill(reason)
    b.press("button", "Kết luận")


def waiting_count(b: Browsing) -> int:
    """What the council's page says waits for it."""
    found = re.search(r"(\d+) đề nghị; cột «Phiếu của bạn»", b.main_text())
    assert found, b.main_text()[:1000]
    return int(found.group(1))


def set_criteria(b: Browsing) -> str:
    """From her home page to her council's page; the criteria of Giấy khen. Its path."""
    b.goto("/")
    b.follow(b.page.get_by_role("link", name=f"Hồ sơ chờ Hội đồng {WARD} xét"))
    council = b.path()
    assert council.startswith("/council?unit_id=")
    b.page.get_by_label("Hình thức").select_option("giay_khen_hoi")
    b.press("button", "Đặt tiêu chí")
    b.page.get_by_label("Chấm điểm theo từng tiêu chí").check()
    for row, (criterion, top) in enumerate(CRITERIA, start=1):
        b.page.get_by_label(f"Tên tiêu chí {row}", exact=True).fill(criterion)
        b.page.get_by_label(f"Điểm tối đa của tiêu chí {row}", exact=True).fill(str(top))
    b.checked("criteria")
    b.press("button", "Lưu tiêu chí")
    assert b.path() == council
    assert "Thành tích công tác Hội (tối đa 60); Phong trào thi đua (tối đa 40); tổng 100 " \
           "điểm" in b.main_text(), b.main_text()[:2000]
    return council


def test_a_ward_award_round(desktop: Browsing, demo_users, tmp_path):
    b = desktop
    b.sign_in(CHAIR, demo_users[CHAIR])
    council = set_criteria(b)
    waiting = waiting_count(b)  # the demo's own file still under review

    # the nominator's list: 30 rows, two wrong, fixed, filed together
    b.sign_in(NOMINATOR, demo_users[NOMINATOR])
    file_a_list(b, tmp_path)  # ends on the list of her tờ trình
    b.follow(b.page.get_by_role("link", name="07/TTr-HPN", exact=True))
    submission = b.path()

    # the council: 30 waiting, nothing voted by her yet
    b.sign_in(CHAIR, demo_users[CHAIR])
    b.goto(council)
    text = b.main_text()
    assert waiting_count(b) == waiting + 30, text[:2000]
    assert text.count("Chưa bỏ phiếu") == waiting + 30, text[:2000]
    b.checked("queue")

    for name, scores in (("Phạm Thị Thử 01", (55, 35)), ("Phạm Thị Thử 02", (50, 32))):
        open_candidate(b, council, name)
        vote(b, "Đồng ý", scores)
        conclude(b, "Đề nghị khen thưởng")
        assert "Kết luận: Đề nghị khen thưởng" in b.main_text()
    open_candidate(b, council, RETURNED)
    vote(b, "Không đồng ý", (30, 20), comment="Thiếu xác nhận của chi hội")
    b.checked("ballot")
    conclude(b, "Trả lại để hoàn thiện", REASON)
    assert f"Kết luận: Trả lại để hoàn thiện hồ sơ — {REASON}" in b.main_text(), b.main_text()
    open_candidate(b, council, "Phạm Thị Thử 04")
    vote(b, "Đồng ý", (45, 30))

    b.goto(council)
    text = b.main_text()
    assert waiting_count(b) == waiting + 27, text[:2000]
    assert text.count("Chưa bỏ phiếu") == waiting + 26, text[:2000]
    row = b.page.get_by_role("row").filter(has_text="Phạm Thị Thử 04")
    assert "Đã bỏ phiếu" in row.inner_text()
    b.checked("queue-voted")

    # the nominator reads the reason, revises, submits again
    b.sign_in(NOMINATOR, demo_users[NOMINATOR])
    b.goto(submission)
    b.follow(b.page.get_by_role("link", name=RETURNED, exact=True))
    assert REASON in b.page.locator(".returned-reason").inner_text()
    b.checked("returned")
    b.follow(b.page.get_by_role("link", name="Sửa theo ý kiến của Hội đồng"))
    b.page.fill("#achievement", REVISED)
    b.press("button", "Lưu thay đổi")
    b.press("button", "Trình lại Hội đồng")
    text = b.main_text()
    assert "Đang xét duyệt" in text and "vòng 2" in text and REVISED in text

    # round 2: scored again, recommended; both rounds stay on the file
    b.sign_in(CHAIR, demo_users[CHAIR])
    open_candidate(b, council, RETURNED)
    vote(b, "Đồng ý", (52, 33), comment="Đã bổ sung đủ")
    conclude(b, "Đề nghị khen thưởng")
    rounds = b.page.locator("#xet-duyet")
    text = " ".join(rounds.inner_text().split())
    assert "Vòng 1" in text and "Vòng 2" in text, text
    assert f"Kết luận: Trả lại để hoàn thiện hồ sơ — {REASON}" in text
    assert "Thiếu xác nhận của chi hội" in text and "Đã bổ sung đủ" in text
    assert "Thành tích công tác Hội: 30/60" in text and "Thành tích công tác Hội: 52/60" in text
    b.checked("rounds")

    # the minutes of the council meeting for the tờ trình
    b.goto(council)
    chooser = b.page.get_by_label("Hoặc theo tờ trình")
    chooser.select_option(chooser.locator("option", has_text="07/TTr-HPN").get_attribute("value"))
    b.press("button", "Lập biên bản theo tờ trình")
    text = b.main_text()
    assert "BIÊN BẢN" in text and "Họp Hội đồng Thi đua – Khen thưởng" in text, text[:2000]
    assert "Chủ tịch Hội đồng TĐKT phường Xuân Đỉnh" in text
    table = b.page.get_by_role("region", name="Kết quả bỏ phiếu")
    for name, mean in (("Phạm Thị Thử 01", "90"), ("Phạm Thị Thử 02", "82"),
                       (RETURNED, "85")):
        line = " ".join(table.get_by_role("row").filter(has_text=name).last.inner_text().split())
        assert mean in line and "Đề nghị khen thưởng" in line, line
    assert "Phạm Thị Thử 04" not in table.inner_text()  # voted on, not concluded
    b.checked("minutes")
    for link, media in (("Tải PDF", PDF), ("Tải Word (DOCX)", DOCX)):
        href = b.page.get_by_role("link", name=link).get_attribute("href")
        answer = b.page.request.get(b.server.url + href)
        assert answer.status == 200, (link, answer.status)
        assert answer.headers["content-type"].split(";")[0] == media
        assert len(answer.body()) > 1000
