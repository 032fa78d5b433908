"""Every control of the nomination pages, the registry and the payments page has a label (a
visible ``<label for>``, or an ``aria-label`` where a visible one makes no sense, as for a
table row's checkbox), never a placeholder alone; and the header's menu is a ``<details>`` (a
«Menu» button on a phone, the links inline on a wide screen: static/tdkt.css), on both stores."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from tests.api.test_ceremony_pages import add, create, login, ubnd_decision
from tests.helpers import nomination_body, ok

CONTROLS = ("input", "select", "textarea")


class Controls(HTMLParser):
    """The page's form controls and its labels' ``for``."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        elif tag in CONTROLS and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({**a, "tag": tag})


def unlabelled(page: str) -> list[str]:
    """The controls without a ``<label for>`` or an ``aria-label`` (a ``<label>`` around a
    control would do for the browser, but the pages name their labels' ``for``)."""
    parsed = Controls()
    parsed.feed(page)
    return [f"{c['tag']} name={c.get('name')}" for c in parsed.controls
            if not (c.get("id") in parsed.label_for or c.get("aria-label")
                    or c.get("aria-labelledby"))]


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2024, 1, 20)


def test_the_nomination_pages_label_every_control(client, world):
    login(client, "xd.nom")
    new = client.get("/nominations/new").text
    assert unlabelled(new) == []
    assert '<label for="recipient_is_unit">' in new
    created = ok(client.post("/api/nominations", json=nomination_body(world),
                             headers=world.h("xd.nom")), 201)
    draft = client.get(f"/nominations/{created['id']}").text
    assert 'action="/nominations/' in draft and "Rút đề nghị" in draft
    assert unlabelled(draft) == []
    withdraw = client.get(f"/nominations/{created['id']}/withdraw").text  # the confirmation
    assert '<label for="reason">Lý do rút đề nghị</label>' in withdraw
    assert unlabelled(withdraw) == []
    edit = client.get(f"/nominations/{created['id']}/edit").text
    assert unlabelled(edit) == [] and "placeholder=" not in edit
    assert unlabelled(client.get("/nominations").text) == []

    ok(client.post(f"/api/nominations/{created['id']}/submit", headers=world.h("xd.nom")))
    login(client, "xd.chair")
    council = client.get(f"/nominations/{created['id']}").text
    for words in ("Phiếu của bạn", "Ý kiến (nếu có)", "Lý do xin không tham gia",
                  "Kết luận của Hội đồng", "Lý do (bắt buộc khi trả lại hoặc không đề nghị)"):
        assert f">{words}</label>" in council, words
    assert unlabelled(council) == []
    assert "placeholder=" not in council  # the hints are the labels now


def test_the_registry_and_the_payments_page_label_every_control(client, world):
    ubnd = ubnd_decision(client, world)
    login(client, "btl.appr")
    cid = create(client, world)
    add(client, cid, ubnd["id"])
    payments = client.get(f"/ceremonies/{cid}/payments").text
    assert 'name="line"' in payments
    assert unlabelled(payments) == []
    assert unlabelled(client.get("/registry").text) == []


def test_the_menu_is_a_details_with_its_links(client, world):
    login(client, "admin")
    page = client.get("/").text
    header = re.search(r"<header>(.*?)</header>", page, re.S).group(1)
    menu = re.search(r'<details class="menu">\s*<summary>Menu</summary>\s*'
                     r'<nav aria-label="Menu chính">(.*?)</nav>\s*</details>', header, re.S)
    assert menu, header
    links = re.findall(r'<a href="([^"]+)">', menu.group(1))
    assert {"/", "/nominations", "/decisions", "/ceremonies", "/registry", "/calculator",
            "/org", "/dashboard", "/admin", "/docs"} <= set(links)
    assert 'action="/logout"' in header.split("</details>")[1]  # the logout form stays
    # a signed-out page has no menu
    client.cookies.clear()
    assert "<details" not in client.get("/login").text
