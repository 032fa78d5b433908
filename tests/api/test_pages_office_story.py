"""Two details the awards office met in its story (``tests/browser/test_office_story.py``): a
decision issued with a blank subject reads, on its page, as its document reads («Về việc tặng
…»), not blank; a new ceremony's form offers the office's own unit as the host, not the first
unit of its subtree (a ward or a chi hội)."""

from __future__ import annotations

import re
from html import unescape

from tests.helpers import ok, page_login


def login(client, username: str) -> None:
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def test_a_blank_subject_reads_as_the_document_reads(client, world):
    decision = ok(client.post("/api/decisions", headers=world.h("hn.appr"), json={
        "number": "7/QĐ-HPN", "decided_on": "2024-06-20", "issuer": {"unit_id": world.u("hanoi")},
        "award_kind": "bang_khen_hoi_tinh", "period": "2023", "amount_mode": "not_stated",
        "lines": [{"recipient": {"kind": "individual", "name": "Nguyễn Thị Hồng Nhung",
                                 "birth_year": 1980, "unit_id": world.u("xd")}}]}), 201)
    login(client, "hn.appr")
    page = client.get(f"/decisions/{decision['id']}")
    assert page.status_code == 200
    subject = re.search(r"<dt>Trích yếu</dt><dd>([^<]*)</dd>", page.text)
    assert subject, page.text[:3000]
    assert unescape(subject.group(1)) == (
        "Về việc tặng Bằng khen của Ban Thường vụ Hội LHPN TP Hà Nội")


def test_a_new_ceremony_is_hosted_by_the_office_s_own_unit_by_default(client, world):
    login(client, "hn.appr")
    page = client.get("/ceremonies/new")
    assert page.status_code == 200
    select = re.search(r'<select id="host_unit_id".*?</select>', page.text, re.S)
    assert select, page.text[:3000]
    options = re.findall(r'<option value="([^"]+)" ?(selected)?>', select.group(0))
    assert len(options) > 1  # the office's subtree: Hà Nội, the district, its wards
    # without a choice of its own the browser would take the first option, whichever it is
    assert [unit for unit, chosen in options if chosen] == [world.u("hanoi")]
