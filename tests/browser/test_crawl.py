"""Every page a demo user can reach from the menu and her home page, in Chromium, on both stores.

For each demo user: sign in through the form, then follow the same-origin links (GET only) of
the home page, of the pages the menu leads to and of the pages those lead to — one page of each
kind per user (``/decisions/<id>`` is one kind, ``/nominations?status=…`` another), at most
``MAX_PAGES`` pages. Each page, at 1366×768: answered 200 (no 5xx, no link to a refusal), no
console error, no request to another host, and axe-core finds no serious or critical violation
(run once per page structure and store: two users' pages of the same build get the same
verdict); then the same page narrowed to 390×844: no horizontal scroll of the page (wide tables
scroll inside their ``.table-scroll`` box). Files (PDF, DOCX, XLSX, CSV) and the JSON API
linked from a page are fetched, not rendered, once per kind and store: no error answer.
Screenshots at both widths: each user's home page, and each kind of page once per store (as
the first user who reaches it). Anonymous: the sign-in page and a certificate's public verification
page. Keyboard: the focus is visible on the first controls of main pages.

Cost (2 cores, both stores in parallel under ``scripts/test``): about 60–90 s per store for the
crawl, most of it page loads, axe and screenshots; ``MAX_PAGES`` bounds it.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    Browsing,
    LiveServer,
    axe,
    horizontal_overflow,
    structure,
)

USERS = ["admin", "tw.vanphong", "tw.hoidong", "hanoi.vanphong", "hanoi.hoidong",
         "hanoi.uyvien", "btl.vanphong", "xuandinh.denghi", "xuandinh.hoidong",
         "quangninh.vanphong", "thaibinh.vanphong"]
MAX_PAGES = 20  # rendered pages per user (the crawl is the expensive part of the suite)
MAX_FILES = 6  # linked files / API answers fetched per user
MAX_DEPTH = 2  # home (0) → a menu or home link (1) → a link there (2)
NOT_PAGES = ("/api/", "/static/", "/openapi.json", "/logout")
THIRD_PARTY = ("/docs", "/redoc")  # the API's own docs (Swagger UI, ReDoc): offline only
FILE = re.compile(r"\.(pdf|docx|xlsx|csv|json|png|svg|txt)$", re.IGNORECASE)
ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^\d+$", re.I)


def kind_of(path: str, query: str) -> str:
    """A page's kind: its path with ids as {id} and its query's keys (not their values)."""
    parts = ["{id}" if ID.match(p) else p for p in path.split("/")]
    keys = sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)})
    return "/".join(parts) + (("?" + "&".join(keys)) if keys else "")


def shot_name(kind: str) -> str:
    name = kind.strip("/").replace("{id}", "id").replace("?", "_").replace("&", "_")
    return name.replace("/", "_") or "home"


def links(page, server: LiveServer) -> list[str]:
    # an SVG link's href is an SVGAnimatedString: read the attribute, resolved as the browser does
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and parts.netloc == server.host:
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(out))


def check_page(b: Browsing, path: str, problems: list[str], *, shoot: str | None = None,
               third_party: bool = False, expect: int = 200) -> Any:
    """Visit ``path`` at 1366×768, then narrow the same page to 390×844, and record what is
    wrong with it (``problems``): the answer's status, console errors, outside requests, axe's
    serious and critical violations (once per page structure and store), sideways scroll on the
    phone. Screenshots at both widths when ``shoot`` names the page."""
    b.page.set_viewport_size(DESKTOP)
    response = b.goto(path)
    if response is None:
        problems.append(f"{path}: no answer")
        return None
    if response.status != expect:
        problems.append(f"{path}: HTTP {response.status}")
    if "text/html" in (response.headers.get("content-type") or "") and not third_party:
        if b.server.first("axe " + structure(b.page)):
            for v in axe(b.page):
                problems.append(f"{path}: axe {v['impact']} {v['id']} — {v['help']}: "
                                + " | ".join(v["nodes"][:3]))
        if shoot:
            b.shoot(f"{shoot}-1366")
        b.page.set_viewport_size(PHONE)
        over = horizontal_overflow(b.page)
        if over > 1:
            # the culprits: past the right edge and not held by a scroll box (an absolutely
            # positioned element escapes a box that is not positioned itself)
            wide = b.page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                        && (!e.closest('.table-scroll')
                            || ['absolute', 'fixed'].includes(getComputedStyle(e).position)))
                    .sort((a, b) => b.getBoundingClientRect().right
                                    - a.getBoundingClientRect().right)
                    .slice(0, 3).map(e => e.tagName.toLowerCase()
                         + (e.className ? '.' + String(e.className).split(' ')[0] : ''))""")
            problems.append(f"{path} @390px: the page scrolls sideways by {over}px "
                            f"({', '.join(wide)})")
        if shoot:
            b.shoot(f"{shoot}-390")
    found = b.watch.reset()
    if expect >= 400:  # the browser reports the expected error answer itself: not a problem
        found = [f for f in found if f"status of {expect}" not in f]
    problems.extend(f"{path}: {p}" for p in found)
    return response


@pytest.mark.parametrize("username", USERS)
def test_crawl(username: str, desktop: Browsing, live_server: LiveServer,
               demo_users: dict[str, str]):
    desktop.sign_in(username, demo_users[username])
    desktop.assert_clean()
    problems: list[str] = []
    queue: deque[tuple[str, int]] = deque([("/", 0)])
    seen_kinds: set[str] = set()
    visited = files = 0
    while queue and visited < MAX_PAGES:
        path, depth = queue.popleft()
        parts = urlsplit(path)
        kind = kind_of(parts.path, parts.query)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        if parts.path.startswith(NOT_PAGES) or FILE.search(parts.path):
            # a download or the API: fetched, not rendered, once per kind and store
            if files < MAX_FILES and live_server.first("fetch " + kind):
                files += 1
                answer = desktop.page.request.get(live_server.url + path)
                if answer.status >= 400:  # a link the page offers must work for its reader
                    problems.append(f"{path}: HTTP {answer.status}")
            continue
        third_party = parts.path.startswith(THIRD_PARTY)
        if third_party and not live_server.first("visit " + kind):
            continue  # the API's docs: once per store
        visited += 1
        shoot = None
        if kind == "/" or live_server.first("shoot " + kind):  # each kind once per store
            shoot = shot_name(kind) + ("" if kind == "/" else "-as-" + username)
        response = check_page(desktop, path, problems, shoot=None if third_party else shoot,
                              third_party=third_party)
        if response is not None and not third_party and depth < MAX_DEPTH:
            desktop.page.set_viewport_size(DESKTOP)
            queue.extend((link, depth + 1) for link in links(desktop.page, live_server))
    assert visited >= 5, f"{username} reached only {visited} pages: {sorted(seen_kinds)}"
    assert not problems, f"{username}: {len(problems)} problems:\n" + "\n".join(problems)


def test_anonymous_pages(desktop: Browsing, live_server: LiveServer):
    problems: list[str] = []
    check_page(desktop, "/login", problems, shoot="login")
    check_page(desktop, f"/verify/{live_server.verify_token}", problems, shoot="verify")
    check_page(desktop, "/verify/khong-co-ma-nay", problems, shoot="verify-unknown", expect=404)
    assert not problems, "\n".join(problems)
    # a page that needs a session sends the visitor to the sign-in form
    desktop.goto("/registry")
    assert urlsplit(desktop.page.url).path == "/login"


def test_the_watch_sees_outside_requests_and_console_errors(desktop: Browsing):
    """The crawl's own checks, checked: a request to another host is blocked and reported, a
    console error and an uncaught exception are reported."""
    desktop.goto("/login")
    assert desktop.watch.reset() == []
    desktop.page.goto("about:blank")  # no Content-Security-Policy here to stop the request first
    loaded = desktop.page.evaluate("""() => new Promise(done => {
        const img = document.createElement('img');
        img.onload = () => done(true);
        img.onerror = () => done(false);
        img.src = 'https://cdn.example.com/logo.png';
        document.body.append(img);
        console.error('lỗi thử');
        setTimeout(() => { throw new Error('ngoại lệ thử'); }, 0);
    })""")
    desktop.page.wait_for_timeout(100)
    problems = desktop.watch.reset()
    assert loaded is False  # blocked
    assert any("another host" in p and "cdn.example.com" in p for p in problems), problems
    assert any("console error: lỗi thử" in p for p in problems), problems
    assert any("uncaught" in p and "ngoại lệ thử" in p for p in problems), problems


FOCUS_STYLE = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return {what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + ' ' + (e.textContent || e.value || '').trim().slice(0, 30),
            body: e === document.body,
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
            shadow: s.boxShadow !== 'none'}; }"""


@pytest.mark.parametrize(("username", "paths"), [
    ("xuandinh.denghi", ["/", "/nominations/new"]),
    ("tw.vanphong", ["/decisions"]),
])
def test_keyboard_focus_is_visible(username: str, paths: list[str], desktop: Browsing,
                                   demo_users: dict[str, str]):
    """Tab through the first controls of main pages: each one shows where the focus is."""
    desktop.sign_in(username, demo_users[username])
    hidden = []
    for path in paths:
        desktop.goto(path)
        for _ in range(15):
            desktop.page.keyboard.press("Tab")
            focus = desktop.page.evaluate(FOCUS_STYLE)
            if focus["body"]:
                break
            if not (focus["outline"] or focus["shadow"]):
                hidden.append(f"{path}: {focus['what']}")
    desktop.assert_clean()
    assert not hidden, "focus not visible on:\n" + "\n".join(hidden)


def test_sign_in_on_a_phone(phone: Browsing, live_server: LiveServer,
                            demo_users: dict[str, str]):
    """In a phone-sized browser from the start: the form fits and works, and so does the
    home page it leads to."""
    phone.goto("/login")
    assert horizontal_overflow(phone.page) <= 1
    phone.sign_in("xuandinh.denghi", demo_users["xuandinh.denghi"])
    assert urlsplit(phone.page.url).path == "/"
    assert horizontal_overflow(phone.page) <= 1
    phone.assert_clean()
