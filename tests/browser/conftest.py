"""Browser tests: the pages served by a real server, driven in Debian's Chromium by Playwright.

* **Chromium.** Never downloaded (no ``playwright install``): ``scripts/setup --browser`` (run
  by ``scripts/test``) installs Debian's ``chromium`` with apt where it is missing, and
  Playwright is pointed at that executable (``TDKT_CHROMIUM`` names another). Without it, or
  without the ``playwright`` package, the browser tests skip with a loud reason — except when
  ``CI`` is set, where that is a failure.
* **A live server per store and module**: uvicorn in a background thread on a free 127.0.0.1
  port, over a fresh ``Runtime`` with the demo loaded (``services.demo.load``, as ``tdkt serve
  --demo`` does) and the certificates of one decision printed (for a real ``/verify/…`` page).
  The module's tests share it (in each xdist worker that runs some of them); it stays up until
  the end of the test process, so that tests dealt out alternately on both stores do not
  restart it.
* **Pages** (``desktop`` 1366×768, ``phone`` 390×844) in a fresh browser context each. A
  ``Watch`` fails the test on any request to another host (the browser sends those to a proxy
  that is not there, so they fail: no CDN, no outside font), any console error or uncaught
  exception, and any 5xx answer (``assert_clean``, or ``watch.reset()`` to collect them).
* ``axe(page)`` injects the vendored axe-core (``vendor/axe.min.js``) and returns its serious
  and critical violations; ``browsing.shoot(name)`` saves
  ``test-artifacts/screens/<test>-<store>-<name>.png`` (emptied when a run includes these
  tests: ``pytest_sessionstart`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

from services.config import POSTGRES, SQLITE
from tests.conftest import PgServer, _conninfo, make_settings, require_postgres

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "vendor"
SCREENS = ROOT / "test-artifacts" / "screens"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
MAX_SHOT_HEIGHT = 6000  # CSS pixels of a full-page screenshot (a long list is cut there)
CHROMIUM_ARGS = [
    # as root in a container; and no calls home (the machine's network is closed: they would
    # only be refused, many at a time)
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI requires the browser tests to run: {message}")
    pytest.skip(f"!!! SKIPPING THE BROWSER TESTS: {message}")


def chromium_executable() -> str | None:
    named = os.environ.get("TDKT_CHROMIUM")
    if named:
        return named if os.path.exists(named) else shutil.which(named)
    return shutil.which("chromium")


# -- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, one per test process."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (run scripts/setup)")
    executable = chromium_executable()
    if executable is None:
        _unavailable("no Chromium found (scripts/setup --browser installs Debian's chromium; "
                     "or set TDKT_CHROMIUM=/path/to/chromium)")
    # Every request to another host goes to a proxy that is not there, so it fails (the live
    # server's address is not proxied); each page's Watch sees it and fails the test.
    nowhere = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    nowhere.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    proxy = {"server": f"http://127.0.0.1:{nowhere.getsockname()[1]}", "bypass": "127.0.0.1"}
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS, proxy=proxy)
        yield launched
        launched.close()
    nowhere.close()


# -- the live server -------------------------------------------------------------------------

@pytest.fixture(scope="module", params=[SQLITE, pytest.param(POSTGRES, marks=pytest.mark.postgres)])
def store(request) -> str:
    """The store, once per module (overrides the per-test fixture of ``tests/conftest.py``)."""
    return request.param


@dataclass
class LiveServer:
    url: str
    store: str
    demo: dict[str, Any]
    verify_token: str
    stop: Callable[[], None] = field(repr=False)
    claims: Path | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def first(self, what: str) -> bool:
        """True the first time ``what`` is asked for on this store in this test run, by any
        xdist worker (a file created exclusively in the run's temporary directory): work done
        once per run and store, such as axe on one page structure or a page's screenshot."""
        assert self.claims is not None
        self.claims.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(f"{self.store}|{what}".encode()).hexdigest()[:40]
        try:
            os.close(os.open(self.claims / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True


def start_live_server(store: str, pg_server: PgServer, data_dir: Path) -> LiveServer:
    """A fresh store with the demo (as ``tdkt serve --demo`` loads it), one decision's
    certificates printed, served by uvicorn in a thread on a free port of 127.0.0.1."""
    import uvicorn

    from services import demo
    from services.api import create_app
    from services.app import Runtime

    schema = None
    if store == POSTGRES:
        require_postgres(pg_server)
        schema = f"b_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(_conninfo(pg_server.env, pg_server.database),
                             autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    settings = make_settings(store, data_dir, pg_server if store == POSTGRES else None, schema)
    rt = Runtime(settings)  # today's date, as `tdkt serve --demo`
    loaded = demo.load(rt)
    # one decision's certificates printed: a real verification page for the anonymous visit
    approver = rt.app.users.actor_for(rt.app.users.user("tw.vanphong"))
    items, saved = rt.app.certificates.print_certificates(approver,
                                                          [loaded["decisions"]["backan"]])
    rt.after(saved)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(rt), log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        rt.close()
        if schema is not None:
            with psycopg.connect(_conninfo(pg_server.env, pg_server.database),
                                 autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            stop()
            pytest.fail("the live server did not start")
        time.sleep(0.02)
    return LiveServer(url=f"http://127.0.0.1:{sock.getsockname()[1]}", store=store,
                      demo=loaded, verify_token=items[0][2]["token"], stop=stop)


@pytest.fixture(scope="session")
def live_servers(pg_server: PgServer) -> Iterator[dict[tuple[str, str], LiveServer]]:
    """The live servers this test process started, by (module, store); stopped at its end.

    A module's tests share one server per store however xdist deals them out (a worker that
    goes from SQLite to PostgreSQL and back finds its server still up): writes of one module
    never reach another's pages."""
    servers: dict[tuple[str, str], LiveServer] = {}
    yield servers
    with ExitStack() as stack:
        for server in servers.values():
            stack.callback(server.stop)


@pytest.fixture(scope="module")
def live_server(store: str, request, live_servers, pg_server: PgServer,
                tmp_path_factory) -> LiveServer:
    key = (request.module.__name__, store)
    if key not in live_servers:
        server = start_live_server(store, pg_server, tmp_path_factory.mktemp("live"))
        # the run's base temporary directory, shared by xdist's workers (each has its own below)
        base = tmp_path_factory.getbasetemp()
        server.claims = (base.parent if hasattr(request.config, "workerinput") else base) / (
            "browser-claims")
        live_servers[key] = server
    return live_servers[key]


@pytest.fixture(scope="session")
def demo_users() -> dict[str, str]:
    """The demo users and their password (``services/demo.py``)."""
    from services import demo

    names = ["admin", "tw.vanphong", "tw.hoidong", "hanoi.vanphong", "hanoi.hoidong",
             "hanoi.uyvien", "btl.vanphong", "xuandinh.denghi", "xuandinh.hoidong",
             "quangninh.vanphong", "thaibinh.vanphong"]
    return dict.fromkeys(names, demo.DEMO_PASSWORD)


# -- pages, watched --------------------------------------------------------------------------

@dataclass
class Watch:
    """What a page did that fails a test: outside requests (blocked), console errors, 5xx."""

    server: LiveServer
    outside: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"request to another host (blocked): {u}" for u in self.outside]
                + [f"console error: {m}" for m in self.console]
                + [f"server error: {m}" for m in self.server_errors])

    def reset(self) -> list[str]:
        found = self.problems()
        self.outside.clear()
        self.console.clear()
        self.server_errors.clear()
        return found


def _watch(page: Any, server: LiveServer) -> Watch:
    watch = Watch(server)

    def request(r: Any) -> None:
        parts = urlsplit(r.url)
        if parts.scheme not in ("data", "blob", "about") and not r.url.startswith(
                server.url + "/"):
            watch.outside.append(r.url)  # and blocked: see the browser's proxy

    page.on("request", request)
    page.on("console", lambda msg: watch.console.append(
        f"{msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watch.console.append(f"uncaught: {exc}"))
    page.on("response", lambda r: watch.server_errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    return watch


@dataclass
class Browsing:
    """A page of one browser context, with its watch, for one test."""

    page: Any
    watch: Watch
    server: LiveServer
    test: str
    viewport: dict[str, int]

    def goto(self, path: str) -> Any:
        return self.page.goto(self.server.url + path, wait_until="load")

    def sign_in(self, username: str, password: str) -> None:
        """Through the /login form, as a person does."""
        self.goto("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        with self.page.expect_navigation(wait_until="load"):
            self.page.click("form[action='/login'] button[type=submit]")
        path = urlsplit(self.page.url).path
        assert path != "/login", f"{username} could not sign in: {self.page.inner_text('main')}"

    def shoot(self, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
        path = SCREENS / f"{self.test}-{self.server.store}-{safe}.png"
        width, height = self.page.evaluate(
            "() => [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight]")
        if height <= MAX_SHOT_HEIGHT:
            self.page.screenshot(path=str(path), full_page=True)
        else:  # a very long list: its first screens are enough to look at
            self.page.screenshot(path=str(path), full_page=True,
                                 clip={"x": 0, "y": 0, "width": width, "height": MAX_SHOT_HEIGHT})
        return path

    def assert_clean(self) -> None:
        problems = self.watch.reset()
        assert not problems, "\n".join(problems)

    def checked(self, name: str, status: int | None = None) -> None:
        """The page as it is: clean (but the error ``status`` the page was expected to answer,
        which the browser reports itself), no serious or critical axe violation, nothing
        scrolling sideways on a phone; photographed as ``name``."""
        if status is None:
            self.assert_clean()
        else:
            problems = [p for p in self.watch.reset() if f"status of {status}" not in p]
            assert not problems, "\n".join(problems)
        violations = axe(self.page)
        assert not violations, f"{name}: {violations}"
        if self.viewport["width"] < 500:
            assert horizontal_overflow(self.page) == 0, name
        self.shoot(name)

    def follow(self, target: Any) -> None:
        """Click a link or a button (a locator) and wait for the page it leads to."""
        with self.page.expect_navigation(wait_until="load"):
            target.click()

    def press(self, role: str, name: str) -> None:
        """Follow the first link or button (``role``) named exactly ``name``."""
        self.follow(self.page.get_by_role(role, name=name, exact=True).first)

    def main_text(self) -> str:
        """The main region's text, its whitespace collapsed."""
        return " ".join(self.page.get_by_role("main").inner_text().split())

    def path(self) -> str:
        return self.page.url.split(self.server.url, 1)[1]


def _test_name(request) -> str:
    """test_crawl[sqlite-admin] → crawl-admin (the store goes in the file name separately)."""
    name = request.node.name
    base = request.node.originalname.removeprefix("test_")
    params = name[len(request.node.originalname):].strip("[]").split("-")
    extra = [p for p in params if p and p not in (SQLITE, POSTGRES)]
    return "-".join([base, *extra])


def _browsing(browser: Any, live_server: LiveServer, request, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    # a page load waits longer: on a shared two-core machine running the suite on two workers
    # with PostgreSQL, a first load has been seen to take more than 15 s (speed is measured in
    # bench/, not here)
    context.set_default_navigation_timeout(40_000)
    page = context.new_page()
    browsing = Browsing(page, _watch(page, live_server), live_server, _test_name(request),
                        viewport)
    return context, browsing


@pytest.fixture
def desktop(browser, live_server: LiveServer, request) -> Iterator[Browsing]:
    """A page at 1366×768, the office laptop."""
    context, browsing = _browsing(browser, live_server, request, DESKTOP)
    yield browsing
    context.close()


@pytest.fixture
def phone(browser, live_server: LiveServer, request) -> Iterator[Browsing]:
    """A page at 390×844, a phone."""
    context, browsing = _browsing(browser, live_server, request, PHONE)
    yield browsing
    context.close()


# -- checks ----------------------------------------------------------------------------------

_AXE_SOURCE: str | None = None


def axe(page: Any, serious_only: bool = True) -> list[dict[str, Any]]:
    """Run the vendored axe-core on the page; its serious and critical violations (each with
    the rule id, impact, help and the offending elements' selectors)."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated by the browser's debugger protocol: the page's CSP does not apply to it
        page.evaluate(_AXE_SOURCE + "\n;undefined")
    violations = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
        }"""
    )
    if serious_only:
        violations = [v for v in violations if v["impact"] in ("serious", "critical")]
    return violations


def structure(page: Any) -> str:
    """What axe's verdict depends on, without the words: each kind of element present (tag,
    classes, type, role, which ARIA and labelling attributes it has, whether it is empty). Two
    pages of the same structure get the same verdict (ids and texts aside); the crawl runs axe
    once per structure and store."""
    shape = page.evaluate(
        """() => [...new Set([...document.querySelectorAll('*')].map(e =>
              [e.tagName, e.getAttribute('class') || '', e.getAttribute('type') || '',
               e.getAttribute('role') || '',
               [...e.attributes].map(a => a.name)
                  .filter(n => /^(aria-|for$|alt$|title$|tabindex$|lang$|href$|style$)/.test(n))
                  .sort().join(','),
               e.childElementCount === 0 && !e.textContent.trim() ? 'empty' : ''
              ].join('|')))].sort().join('\\n')""")
    return hashlib.sha256(shape.encode()).hexdigest()


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)")


def checked(b: Browsing, name: str, expected_status: int | None = None) -> None:
    """The page as it is, at 1366×768 then at 390×844: clean (an expected 4xx aside),
    accessible, nothing sideways on the phone; photographed at both widths."""
    problems = b.watch.reset()
    if expected_status is not None:  # the browser reports the 4xx answer itself: expected
        problems = [p for p in problems if f"status of {expected_status}" not in p]
    assert not problems, problems
    violations = axe(b.page)
    assert not violations, f"{name}: {violations}"
    b.shoot(f"{name}-1366")
    b.page.set_viewport_size(PHONE)
    assert horizontal_overflow(b.page) == 0, name
    b.shoot(f"{name}-390")
    b.page.set_viewport_size(DESKTOP)
