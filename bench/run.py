"""TĐKT benchmarks: each scenario on SQLite and PostgreSQL, against a ceiling measured in the same
run, printed as a table and written to ``bench/RESULTS.md`` with the machine, date and commit.

    .venv/bin/python -m bench.run                 # full sizes (minutes)
    .venv/bin/python -m bench.run --smoke         # tiny sizes: checks the harness works (CI)
    .venv/bin/python -m bench.run --only catchup --store postgres

Scenarios:
  commands  single commands per second (submit a nomination; issue a one-line decision) against
            a raw INSERT of a row of the same shape, in its own transaction, with the event
            store's locking (PostgreSQL: LOCK TABLE … IN EXCLUSIVE MODE; SQLite: BEGIN IMMEDIATE)
  bulk      one decision with 5,000 lines, saved in one transaction (seconds)
  catchup   the registry projection over N events: our batched runner against the library's
            stock ProjectionRunner (one transaction per event) over the same view code
  certificates  pages per second for a 5,000-page certificate PDF (both print modes)
  http      a real server process and 32 concurrent clients in another process (loopback):
            requests/s and p50/p95/p99 on submit and on a registry query
  scale     registry query and totals latency at growing registry sizes

Timings are wall-clock on a shared machine: ratios against the same-run baseline are what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

os.environ.setdefault("TDKT_ARGON2_PROFILE", "test")

from bench.http_client import percentile
from domain.text import fold
from projections.decisions import DecisionsView
from projections.queries import Page
from projections.registry import RegistryFilter
from services.app import Runtime
from services.authz import SYSTEM
from services.config import POSTGRES, SQLITE, Settings

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Result:
    scenario: str
    store: str
    measure: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    goal: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.value / self.baseline


# -- stores ---------------------------------------------------------------------------------------


@contextmanager
def store_settings(store: str) -> Iterator[Settings]:
    """A fresh store: a temp folder (SQLite) or a fresh database (PostgreSQL), removed after."""
    if store == SQLITE:
        with tempfile.TemporaryDirectory(prefix="tdkt-bench-") as folder:
            yield Settings(store=SQLITE, data_dir=Path(folder))
        return
    name = f"tdkt_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    info = psycopg.conninfo.conninfo_to_dict(PG_SERVER)
    pg = {
        "POSTGRES_DBNAME": name,
        "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(info.get("port", "5432")),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(info.get("password", "")),
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "5",
    }
    try:
        yield Settings(store=POSTGRES, pg=pg)
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def world(rt: Runtime) -> dict[str, Any]:
    app = rt.app
    root = app.orgs.create_root(SYSTEM, name="Trung ương Hội LHPN Việt Nam", code="TW",
                           established_on=date(1930, 10, 20)).id
    province = app.orgs.create_unit(SYSTEM, name="Hội LHPN TP Hà Nội", level="province",
                               parent_id=root, established_on=date(1946, 1, 1)).id
    commune = app.orgs.create_unit(SYSTEM, name="Hội LHPN phường Xuân Đỉnh", level="commune",
                              parent_id=province, established_on=date(2014, 4, 1)).id
    rt.runner.catch_up()
    return {"root": root, "province": province, "commune": commune}


def decision_body(units, number: str, lines: int, start: int = 0,
                  personal: bool = False) -> dict[str, Any]:
    """``personal``: every recipient with a citizen ID and a birth date (sealed at rest, one new
    key per person)."""
    def recipient(i: int) -> dict[str, Any]:
        found = {"kind": "individual", "name": f"Nguyễn Thị Hội Viên {start + i}",
                 "birth_year": 1960 + i % 40, "unit_id": units["commune"]}
        if personal:
            found.update(citizen_id=f"{1_000_000_000 + start + i:012d}",
                         birth_date=f"{1960 + i % 40}-0{1 + i % 9}-1{i % 9}")
        return found

    return {
        "number": number, "decided_on": date(2024, 3, 1), "issuer": {"unit_id": units["province"]},
        "award_kind": "giay_khen_hoi", "period": "2023",
        "lines": [{"recipient": recipient(i), "amount": 300_000} for i in range(lines)],
    }


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# -- 1. single commands ---------------------------------------------------------------------------


def raw_insert_rate(settings: Settings, n: int, state: bytes) -> float:
    """The ceiling: one row of the event's shape per transaction, with the store's locking."""
    if settings.store == SQLITE:
        import sqlite3

        path = settings.data_dir / "raw.sqlite"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS raw_events (id INTEGER PRIMARY KEY, "
                     "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
                     "UNIQUE (originator_id, originator_version))")
        start = time.perf_counter()
        for _ in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO raw_events (originator_id, originator_version, topic, "
                         "state) VALUES (?, 1, 'tdkt.bench:Raw', ?)", (uuid.uuid4().hex, state))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return n / elapsed
    with psycopg.connect(settings.pg_conninfo(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS raw_events (id BIGSERIAL PRIMARY KEY, "
                     "originator_id UUID, originator_version INTEGER, topic TEXT, state BYTEA, "
                     "UNIQUE (originator_id, originator_version))")
        start = time.perf_counter()
        for _ in range(n):
            with conn.transaction():
                conn.execute("LOCK TABLE raw_events IN EXCLUSIVE MODE")
                conn.execute("INSERT INTO raw_events (originator_id, originator_version, topic,"
                             " state) VALUES (%s, 1, 'tdkt.bench:Raw', %s)",
                             (uuid.uuid4(), state))
        return n / (time.perf_counter() - start)


def bench_commands(store: str, n: int) -> list[Result]:
    with store_settings(store) as settings:
        settings = Settings(**{**settings.__dict__, "projections": "worker"})
        rt = Runtime(settings)
        try:
            units = world(rt)
            actor = SYSTEM
            drafts = [
                rt.app.nominations.draft_nomination(
                    actor, proposing_unit_id=units["commune"], data={
                    "recipient": {"kind": "individual", "name": f"Trần Thị Đề Nghị {i}",
                                  "birth_year": 1980, "unit_id": units["commune"]},
                    "award_kind": "giay_khen_hoi", "period": "2023",
                    "achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2023",
                }).id
                for i in range(n)
            ]
            nominations = rt.app.nominations
            submit = n / timed(lambda: [nominations.submit_nomination(actor, d) for d in drafts])
            issue = n / timed(lambda: [
                rt.app.decisions.issue_decision(
                    actor, decision_body(units, f"{i + 1}/QĐ-B", 1, 10 * i))
                for i in range(n)
            ])
            sample = rt.app.recorder.select_notifications(start=None, limit=1000)
            size = int(statistics.median(len(s.state) for s in sample)) if sample else 500
            ceiling = raw_insert_rate(settings, n, b"x" * size)
        finally:
            rt.close()
    goal = "≥ 65% of the ceiling on PostgreSQL"
    return [
        Result("commands", store, "submit a nomination", submit, "ops/s", ceiling,
               f"raw locked INSERT ({size} B state)", goal),
        Result("commands", store, "issue a one-line decision", issue, "ops/s", ceiling,
               f"raw locked INSERT ({size} B state)", goal),
    ]


# -- 2. bulk ----------------------------------------------------------------------------------


def bench_bulk(store: str, lines: int) -> list[Result]:
    with store_settings(store) as settings:
        settings = Settings(**{**settings.__dict__, "projections": "worker"})
        rt = Runtime(settings)
        try:
            units = world(rt)
            body = decision_body(units, "1/QĐ-BULK", lines)
            seconds = timed(lambda: rt.app.decisions.issue_decision(SYSTEM, body))
            project = timed(rt.runner.catch_up)
            sealed_body = decision_body(units, "2/QĐ-BULK", lines, start=lines, personal=True)
            sealed = timed(lambda: rt.app.decisions.issue_decision(SYSTEM, sealed_body))
        finally:
            rt.close()
    return [
        Result("bulk", store, f"save a {lines:,}-line decision", seconds, "s", goal="≤ 1 s"),
        Result("bulk", store, f"project it into the registry ({lines:,} rows)", project, "s"),
        Result("bulk", store, f"save a {lines:,}-line decision, every line with a citizen ID "
               f"and birth date (sealed, {lines:,} new personal keys)", sealed, "s",
               baseline=seconds, baseline_label="the same without personal data"),
    ]


# -- 3. projection catch-up -----------------------------------------------------------------------


def make_log(rt: Runtime, events: int, lines_per_decision: int = 100) -> int:
    units = world(rt)
    n = 0
    while rt.app.max_position() < events:
        rt.app.decisions.issue_decision(
            SYSTEM, decision_body(units, f"{n + 1}/QĐ-LOG", lines_per_decision,
                                  n * lines_per_decision))
        n += 1
    return rt.app.max_position()


def stock_rate(settings: Settings, head: int) -> float:
    """The library's ProjectionRunner: one transaction per event, same view code."""
    from eventsourcing.postgres import PostgresTrackingRecorder
    from eventsourcing.projection import Projection, ProjectionRunner
    from eventsourcing.sqlite import SQLiteTrackingRecorder

    from projections.db import Cursor
    from services.app import TdktApplication

    dialect = "sqlite" if settings.store == SQLITE else "postgres"
    base = SQLiteTrackingRecorder if settings.store == SQLITE else PostgresTrackingRecorder

    class StockView(base):  # type: ignore[misc, valid-type]
        view = DecisionsView()

        def create_table(self) -> None:
            super().create_table()
            with self.datastore.transaction(commit=True) as c:
                for ddl in self.view.ddl(dialect):
                    c.execute(ddl)

        def apply(self, event: Any, tracking: Any) -> None:
            with self.datastore.transaction(commit=True) as c:
                handler = self.view.handlers.get(type(event))
                if handler is not None:
                    raw = c if dialect == "postgres" else c.sqlite_cursor
                    handler(Cursor(raw, dialect), event, tracking.notification_id)
                self._insert_tracking(c, tracking)

    class StockProjection(Projection[StockView]):
        name = "stockregistry"
        # the same topic filter our runner uses, so that the comparison is about transactions
        topics = tuple(sorted(getattr(c, "TOPIC", "") for c in DecisionsView().handlers))

        def process_event(self, domain_event: Any, tracking: Any) -> None:
            self.view.apply(domain_event, tracking)

    env = settings.eventsourcing_env()
    if settings.store == SQLITE:
        env["STOCKREGISTRY_SQLITE_DBNAME"] = str(settings.data_dir / "stock.sqlite")
    else:
        with psycopg.connect(settings.pg_conninfo(), autocommit=True) as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS stock")
        env["STOCKREGISTRY_POSTGRES_SCHEMA"] = "stock"
    # With a topic filter the stock runner's tracking stops at the last *matching* event.
    probe = TdktApplication(env=env)
    matching = probe.recorder.select_notifications(start=None, limit=10**9, stop=head,
                                                   topics=StockProjection.topics)
    target = matching[-1].id if matching else 0
    probe.close()
    start = time.perf_counter()
    if settings.store == POSTGRES:
        with ProjectionRunner(application_class=TdktApplication,
                              projection_class=StockProjection, view_class=StockView,
                              env=env) as runner:
            runner.wait(target, timeout=3600)
        return head / (time.perf_counter() - start)
    # The library's SQLite recorder has no subscriptions, so its ProjectionRunner cannot run on
    # SQLite: feed the same Projection and TrackingRecorder from select_notifications instead.
    from eventsourcing.persistence import InfrastructureFactory, Tracking

    app = TdktApplication(env=env)
    factory = InfrastructureFactory.construct(
        env=ProjectionRunner._construct_env(name=StockProjection.name, env=env))
    projection = StockProjection(view=factory.tracking_recorder(StockView))
    position = 0
    while position < head:
        batch = app.recorder.select_notifications(start=position, limit=500, stop=head,
                                                  topics=StockProjection.topics,
                                                  inclusive_of_start=False)
        if not batch:
            break
        for n in batch:
            projection.process_event(app.mapper.to_domain_event(n),
                                     Tracking(app.name, n.id))
            position = n.id
    app.close()
    return head / (time.perf_counter() - start)


def bench_catchup(store: str, events: int) -> list[Result]:
    from projections.db import PostgresViewDB, SQLiteViewDB
    from projections.runner import Runner

    with store_settings(store) as settings:
        settings = Settings(**{**settings.__dict__, "projections": "worker"})
        rt = Runtime(settings, views=[])
        try:
            head = make_log(rt, events)
            if store == SQLITE:
                db = SQLiteViewDB(settings.data_dir / "ours.sqlite")
            else:
                with psycopg.connect(settings.pg_conninfo(), autocommit=True) as conn:
                    conn.execute("CREATE SCHEMA IF NOT EXISTS ours")
                db = PostgresViewDB(settings.pg_conninfo(), schema="ours")
            runner = Runner(rt.app, db, [DecisionsView()])
            ours = head / timed(runner.catch_up)
            with db.read() as cur:
                rows = int(cur.scalar("SELECT COUNT(*) FROM award_lines"))
            db.close()
            stock = stock_rate(settings, head)
        finally:
            rt.close()
    return [Result("catchup", store, f"registry projection over {head:,} events ({rows:,} rows)",
                   ours, "events/s", stock, "stock ProjectionRunner (1 txn/event)",
                   "≥ 20,000 events/s and ≥ 15× stock")]


# -- 4. certificates ---------------------------------------------------------------------------


def bench_certificates(store: str, lines: int) -> list[Result]:
    from services import printing

    with store_settings(store) as settings:
        rt = Runtime(settings)
        try:
            units = world(rt)
            saved = rt.app.decisions.issue_decision(SYSTEM, decision_body(units, "1/QĐ-IN", lines))
            serials = timed(lambda: rt.app.certificates.print_certificates(SYSTEM, [saved.id]))
            certificates = rt.app.certificates
            items, _ = certificates.print_certificates(SYSTEM, [saved.id], reprint_reason="đo")
            contexts = certificates.certificate_contexts(items, verify_base="https://tdkt.example")
            full = lines / timed(lambda: printing.certificates_pdf(contexts, mode="full"))
            overlay = lines / timed(lambda: printing.certificates_pdf(contexts, mode="overlay"))
        finally:
            rt.close()
    return [
        Result("certificates", store, f"{lines:,}-page PDF, full design", full, "pages/s",
               goal="≥ 1,000 pages/s"),
        Result("certificates", store, f"{lines:,}-page PDF, overlay on blanks", overlay,
               "pages/s", goal="≥ 1,000 pages/s"),
        Result("certificates", store, f"assign {lines:,} serials (one event)", serials, "s"),
    ]


# -- 5. HTTP ---------------------------------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on now, for a server the benchmark starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base: str, tries: int) -> None:
    """Until the server at ``base`` answers its health check (``tries`` attempts)."""
    import httpx

    for _ in range(tries):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)


def _server_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POSTGRES_", "TDKT_")) and k not in ("DATABASE_URL",
                                                                     "PERSISTENCE_MODULE")}
    env["TDKT_ARGON2_PROFILE"] = "test"
    # the data directory holds the personal-data master key (personal.key) on both stores
    env["TDKT_DATA_DIR"] = str(settings.data_dir)
    if settings.store != SQLITE:
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
        for key, value in settings.pg.items():
            env[key] = value
    return env


def _load(base: str, token: str, paths: list[str], method: str, folder: Path) -> dict:
    listing = folder / f"paths-{method}.txt"
    listing.write_text("\n".join(paths), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bench.http_client", base, token, "--paths-file", str(listing),
         "--method", method, "--concurrency", "32"],
        capture_output=True, text=True, timeout=1800, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


def bench_http(store: str, requests: int) -> list[Result]:

    with store_settings(store) as settings:
        rt = Runtime(settings)
        try:
            units = world(rt)
            rt.app.users.create_user(SYSTEM, username="bench", full_name="Bench", password=None,
                               grants=[{"role": "nominator", "unit_id": units["commune"]},
                                       {"role": "approver", "unit_id": units["root"]}])
            _, token = rt.app.users.issue_token(SYSTEM, username="bench")
            drafts = [str(rt.app.nominations.draft_nomination(
                SYSTEM, proposing_unit_id=units["commune"],
                                                  data={
                "recipient": {"kind": "individual", "name": f"Lê Thị Đề Nghị {i}",
                              "birth_year": 1980, "unit_id": units["commune"]},
                "award_kind": "giay_khen_hoi", "period": "2023",
                "achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2023"}).id)
                for i in range(requests)]
            rt.app.decisions.issue_decision(SYSTEM, decision_body(units, "1/QĐ-HTTP", 2000))
            rt.runner.catch_up()
        finally:
            rt.close()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--port", str(port),
             "--no-access-log"], env=_server_env(settings), cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, tries=200)
            with tempfile.TemporaryDirectory() as folder:
                submit = _load(base, token, [f"/api/nominations/{d}/submit" for d in drafts],
                               "POST", Path(folder))
                query = _load(base, token,
                              [f"/api/registry?q=hoi+vien+{i % 2000}&limit=20"
                               for i in range(requests)], "GET", Path(folder))
        finally:
            server.terminate()
            server.wait(timeout=30)
    out = []
    for name, r in (("submit a nomination", submit), ("registry query", query)):
        failures = f"; {r['failures']} non-2xx" if r["failures"] else ""
        out.append(Result("http", store, f"{name}, 32 clients: {r['rps']:,.0f} req/s, "
                          f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms{failures}",
                          r["p99"], "ms p99", goal="p99 ≤ 50 ms"))
    return out


# -- 6. scale -----------------------------------------------------------------------------------


SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLES = ("Thị", "Thị Thu", "Thị Hồng", "Thị Minh", "Thị Thanh", "Ngọc", "Thị Kim", "Thị Mai",
           "Thị Bích", "Thị Lan")
GIVEN = ("Hoa", "Lan", "Hương", "Nhung", "Hà", "Mai", "Linh", "Trang", "Thảo", "Hằng", "Yến",
         "Oanh", "Phương", "Dung", "Nga", "Loan", "Thủy", "Hạnh", "Huệ", "Cúc", "Ánh", "Vân",
         "Tuyết", "Quyên", "Hiền", "Nhàn", "Liên", "Xuân", "Đào", "Giang")


def scale_name(i: int) -> str:
    """A realistic, repeating Vietnamese name: 4,800 combinations, as common names recur."""
    return (f"{SURNAMES[i % 16]} {MIDDLES[(i // 16) % 10]} "
            f"{GIVEN[(i * 7 + i // 160) % 30]}")


def scale_world(rt: Runtime, provinces: int = 3, communes: int = 10) -> dict[str, Any]:
    app = rt.app
    root = app.orgs.create_root(SYSTEM, name="Trung ương Hội LHPN Việt Nam", code="TW",
                           established_on=date(1930, 10, 20)).id
    tree: dict[str, list[Any]] = {}
    for p in range(provinces):
        province = app.orgs.create_unit(SYSTEM, name=f"Hội LHPN tỉnh Thử Nghiệm {p + 1}",
                                   level="province", parent_id=root,
                                   established_on=date(1946, 1, 1)).id
        tree[str(province)] = [
            app.orgs.create_unit(SYSTEM, name=f"Hội LHPN xã Thử Nghiệm {p + 1}.{c + 1}",
                            level="commune", parent_id=province,
                            established_on=date(2010, 1, 1)).id
            for c in range(communes)
        ]
    rt.runner.catch_up()
    return tree


def scale_decision(tree: dict[str, list[Any]], k: int, start: int, lines: int) -> dict[str, Any]:
    """Decision ``k``: one province's Giấy khen for one of its communes, in one of ten years."""
    provinces = list(tree)
    province = provinces[k % len(provinces)]
    commune = tree[province][(k // len(provinces)) % len(tree[province])]
    year = 2016 + (k // (len(provinces) * len(tree[province]))) % 10  # each commune, year by year
    return {
        "number": f"{k + 1}/QĐ-TN", "decided_on": date(year, 12, 20),
        "issuer": {"unit_id": province}, "award_kind": "giay_khen_hoi", "period": str(year),
        "lines": [
            {"recipient": {"kind": "individual", "name": scale_name(start + i),
                           "citizen_id": f"{start + i:012d}", "unit_id": commune},
             "amount": 300_000}
            for i in range(lines)
        ],
    }


def latencies(fn: Callable[[int], Any], n: int, warmup: int = 0) -> list[float]:
    """Milliseconds of fn(0) … fn(n - 1), after ``warmup`` calls on other inputs (fn(n) …), so
    that a fresh bulk load's cold caches are not measured as a running office's queries."""
    for i in range(n, n + warmup):
        fn(i)
    out = []
    for i in range(n):
        begin = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - begin) * 1000)
    return out


def bench_scale(store: str, sizes: list[int]) -> list[Result]:
    """Registry queries as an office asks them, at growing registry sizes: a person looked up by
    name, a commune's registry for a year (first page, Vietnamese order, with its count), and a
    province's totals. Names repeat as real ones do (about 1 in 4,800 lines shares a full name)."""
    results = []
    with store_settings(store) as settings:
        rt = Runtime(settings)
        try:
            tree = scale_world(rt)
            made, k = 0, 0
            filled: list[tuple[str, int]] = []  # (commune, year) pairs that have awards
            for size in sizes:
                while made < size:
                    batch = min(5_000, size - made)
                    body = scale_decision(tree, k, made, batch)
                    filled.append((str(body["lines"][0]["recipient"]["unit_id"]),
                                   body["decided_on"].year))
                    rt.app.decisions.issue_decision(SYSTEM, body)
                    made += batch
                    k += 1
                    if k % 20 == 0:
                        rt.runner.catch_up()
                rt.runner.catch_up()
                by_name = latencies(lambda i: rt.registry.lines(
                    RegistryFilter(q=fold(scale_name(i * 7919))), Page(limit=50)), 200, 50)
                page = latencies(lambda i: rt.registry.lines(
                    RegistryFilter(unit_id=filled[i * 7 % len(filled)][0],
                                   year=filled[i * 7 % len(filled)][1]),
                    Page(limit=50)), 100, 30)
                totals = latencies(lambda i: rt.registry.totals(
                    RegistryFilter(unit_id=list(tree)[i % len(tree)]), "year"), 10)
                results += [
                    Result("scale", store, f"{size:,} awards: find a person by full name, p50 "
                           f"{percentile(by_name, 50):.1f} ms (p99)", percentile(by_name, 99),
                           "ms", goal="registry query p99 ≤ 20 ms at 1M"),
                    Result("scale", store, f"{size:,} awards: a commune's year, first page + "
                           f"count, p50 {percentile(page, 50):.1f} ms (p99)",
                           percentile(page, 99), "ms", goal="registry query p99 ≤ 20 ms at 1M"),
                    Result("scale", store, f"{size:,} awards: a province's totals by year (p50)",
                           percentile(totals, 50), "ms"),
                ]
                print(table(results[-3:]), file=sys.stderr, flush=True)
        finally:
            rt.close()
    return results


# -- report ---------------------------------------------------------------------------------------


def machine() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return (f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · Python "
            f"{platform.python_version()} · {date.today().isoformat()} · commit {commit or '?'}")


def _amount(value: float, unit: str) -> str:
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def table(results: list[Result]) -> str:
    rows = ["| Scenario | Store | Measure | Value | Baseline (same run) | Ratio | Goal |",
            "|---|---|---|---|---|---|---|"]
    for r in results:
        value = _amount(r.value, r.unit)
        base = f"{_amount(r.baseline, r.unit)} — {r.baseline_label}" if r.baseline else ""
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        rows.append(f"| {r.scenario} | {r.store} | {r.measure} | {value} | {base} | {ratio} |"
                    f" {r.goal} |")
    return "\n".join(rows)


NOTES_HEADING = "## Measurements behind design choices"


def write_results(out: Path, results: list[Result], command: str) -> None:
    """Write the table; rows of scenarios and stores not run this time are kept from the file,
    each row saying which run (date and commit) measured it. The hand-written section under
    ``NOTES_HEADING`` (one-off measurements the code's comments refer to) is kept as it is."""
    run = machine()
    for r in results:
        r.notes = [run]
    ran = {(r.scenario, r.store) for r in results}
    kept: list[Result] = []
    notes = ""
    if out.exists():
        text = out.read_text(encoding="utf-8")
        if NOTES_HEADING in text:
            written = text.split(NOTES_HEADING, 1)[1].split("<!-- raw: ", 1)[0].rstrip()
            notes = f"{NOTES_HEADING}{written}\n\n"
        if "<!-- raw: " in text:
            raw = json.loads(text.split("<!-- raw: ", 1)[1].rsplit(" -->", 1)[0])
            kept = [Result(**row) for row in raw if (row["scenario"], row["store"]) not in ran]
    merged = sorted([*kept, *results], key=lambda r: (SCENARIOS.index(r.scenario), r.store))
    runs = sorted({note for r in merged for note in r.notes})
    out.write_text(
        "# Benchmark results\n\n"
        "Command: `.venv/bin/python -m bench.run` (options of the last run: "
        f"`{command or 'none'}`). Rows come from these runs:\n\n"
        + "".join(f"- {note}\n" for note in runs)
        + f"\n{table(merged)}\n\n"
        + notes
        + f"<!-- raw: {json.dumps([r.__dict__ for r in merged], default=str)} -->\n",
        encoding="utf-8",
    )


SCENARIOS = ("commands", "bulk", "catchup", "certificates", "http", "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check it works")
    parser.add_argument("--only", choices=SCENARIOS, action="append")
    parser.add_argument("--store", choices=(SQLITE, POSTGRES, "both"), default="both")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--events", type=int, help="catch-up: events in the log")
    parser.add_argument("--scale", help="registry sizes, e.g. 10000,100000,1000000")
    args = parser.parse_args(argv)
    stores = [SQLITE, POSTGRES] if args.store == "both" else [args.store]
    sizes = {
        "commands": 20 if args.smoke else 300,
        "bulk": 200 if args.smoke else 5_000,
        "catchup": 500 if args.smoke else 200_000,
        "certificates": 50 if args.smoke else 5_000,
        "http": 40 if args.smoke else 2_000,
        "scale": [500, 1_000] if args.smoke else [10_000, 100_000, 1_000_000],
    }
    if args.events:
        sizes["catchup"] = args.events
    if args.scale:
        sizes["scale"] = [int(x) for x in args.scale.split(",")]
    chosen = args.only or list(SCENARIOS)
    results: list[Result] = []
    for scenario in chosen:
        for store in stores:
            print(f"… {scenario} on {store}", file=sys.stderr, flush=True)
            fn = globals()[f"bench_{scenario}"]
            results.extend(fn(store, sizes[scenario]))
    print(table(results))
    if not args.smoke:
        write_results(args.out, results, " ".join(argv or sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
