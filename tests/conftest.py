"""Shared fixtures. Every store-touching test runs on SQLite and on PostgreSQL.

PostgreSQL is found at ``TEST_DATABASE_URL`` or else 127.0.0.1:5432 (user postgres). If it is
unreachable and the server binaries are installed, a throwaway cluster is started (pytest-postgresql
executor). Otherwise the PostgreSQL half is skipped with a loud reason — except when ``CI`` is set,
where that is a failure. Each test run gets its own database, each test its own schema; both are
dropped afterwards.
"""

from __future__ import annotations

import os

os.environ.setdefault("TDKT_ARGON2_PROFILE", "test")  # cheap hashes: tests only

import glob
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services.api import create_app
from services.app import Runtime
from services.cli import cli
from services.config import POSTGRES, SQLITE, Settings, load_settings, pg_env_from_url

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SCREENS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "test-artifacts", "screens")


def pytest_sessionstart(session) -> None:
    """A run that includes the browser tests starts with no screenshots: those in
    test-artifacts/screens are then all of this run (the main process only, not xdist's
    workers)."""
    if hasattr(session.config, "workerinput"):
        return
    browser = os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser")
    for arg in session.config.args or ["tests"]:
        path = os.path.abspath(os.path.join(session.config.invocation_params.dir,
                                            arg.split("::")[0]))
        if browser.startswith(path.rstrip(os.sep) + os.sep) or path.startswith(browser):
            shutil.rmtree(SCREENS, ignore_errors=True)
            return


@dataclass
class PgServer:
    env: dict[str, str]  # POSTGRES_* without the database
    admin_url: str
    database: str = ""
    problem: str | None = None
    executor: Any = None


def _conninfo(env: dict[str, str], dbname: str) -> str:
    parts = [
        f"host={env['POSTGRES_HOST']}",
        f"port={env['POSTGRES_PORT']}",
        f"user={env['POSTGRES_USER']}",
        f"dbname={dbname}",
    ]
    if env.get("POSTGRES_PASSWORD"):
        parts.append(f"password={env['POSTGRES_PASSWORD']}")
    return " ".join(parts)


def _reachable(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def _throwaway_cluster() -> tuple[str, Any] | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) + [
        p for p in [shutil.which("pg_ctl")] if p
    ]
    if not candidates:
        return None
    from pytest_postgresql.executors.proc import PostgreSQLExecutor

    base = tempfile.mkdtemp(prefix="tdkt-pg-")
    port = 55432
    executor = PostgreSQLExecutor(
        executable=candidates[-1],
        host="127.0.0.1",
        port=port,
        datadir=f"{base}/data",
        unixsocketdir=base,
        logfile=f"{base}/log",
        startparams="-w",
        dbname="postgres",
    )
    try:
        executor.start()
    except Exception:
        return None
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", executor


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL
    problem = _reachable(url)
    executor = None
    if problem is not None:
        started = _throwaway_cluster()
        if started is not None:
            url, executor = started
            problem = _reachable(url)
    env = pg_env_from_url(url)
    server = PgServer(env=env, admin_url=url, problem=problem, executor=executor)
    if problem is None:
        server.database = f"tdkt_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{server.database}"')
    yield server
    if problem is None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)')
    if executor is not None:
        executor.stop()


def require_postgres(server: PgServer) -> None:
    if server.problem is None:
        return
    message = f"PostgreSQL unreachable ({server.problem}); set TEST_DATABASE_URL"
    if os.environ.get("CI"):
        pytest.fail(f"CI requires the PostgreSQL tests to run: {message}")
    pytest.skip(f"!!! SKIPPING THE POSTGRESQL HALF: {message}")


@pytest.fixture(params=[SQLITE, pytest.param(POSTGRES, marks=pytest.mark.postgres)])
def store(request) -> str:
    return request.param


@pytest.fixture
def pg_schema(store: str, pg_server: PgServer) -> Iterator[str | None]:
    if store != POSTGRES:
        yield None
        return
    require_postgres(pg_server)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    conninfo = _conninfo(pg_server.env, pg_server.database)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def make_settings(
    store: str, tmp_path, pg_server: PgServer | None, schema: str | None, **overrides: Any
) -> Settings:
    if store == SQLITE:
        return Settings(store=SQLITE, data_dir=tmp_path / "data", **overrides)
    assert pg_server is not None and schema is not None
    pg = {
        **pg_server.env,
        "POSTGRES_DBNAME": pg_server.database,
        "POSTGRES_SCHEMA": schema,
        # two kept open, more while busy (up to 20, as before): the browser tests' live
        # servers stay up to the end of the run, and PostgreSQL takes 100 clients in all
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "18",
    }
    # files kept beside the store (attachments, the secret key) stay in the test's directory
    return Settings(store=POSTGRES, pg=pg, data_dir=tmp_path / "data", **overrides)


@pytest.fixture
def settings(store: str, tmp_path, pg_server: PgServer, pg_schema: str | None) -> Settings:
    return make_settings(store, tmp_path, pg_server if store == POSTGRES else None, pg_schema)


@dataclass
class Clock:
    """The service's idea of today, set by tests."""

    today: date = field(default_factory=lambda: date(2024, 6, 30))

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rt(settings: Settings, clock: Clock) -> Iterator[Runtime]:
    runtime = Runtime(settings, clock=clock)
    yield runtime
    runtime.close()


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt)) as test_client:
        yield test_client


@pytest.fixture
def world(rt: Runtime):
    from tests.helpers import World

    return World.build(rt)


@pytest.fixture
def flow(client, world):
    """The award workflow in readable steps over the API (``tests/workflow.py``)."""
    from tests.workflow import Workflow

    return Workflow(client, world)


# -- the CLI in-process, configured only by the environment (as an operator runs it) -----------


def use_store(settings: Settings, monkeypatch) -> None:
    """Point the CLI at ``settings``'s store through environment variables only."""
    for name in list(os.environ):
        if name.startswith(("POSTGRES_", "TDKT_")) and name != "TDKT_ARGON2_PROFILE":
            monkeypatch.delenv(name)
    for name in ("DATABASE_URL", "PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TDKT_DATA_DIR", str(settings.data_dir))
    for name, value in (("TDKT_PERSONAL_DATA_KEY", settings.personal_data_key),
                        ("TDKT_PERSONAL_DATA_KEY_PREVIOUS", settings.personal_data_key_previous)):
        if value:
            monkeypatch.setenv(name, value)
    if settings.store == POSTGRES:
        monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.postgres")
        for key in ("DBNAME", "HOST", "PORT", "USER", "PASSWORD"):
            monkeypatch.setenv(f"POSTGRES_{key}", settings.pg.get(f"POSTGRES_{key}", ""))
        monkeypatch.setenv("TDKT_PG_SCHEMA", settings.pg["POSTGRES_SCHEMA"])


@pytest.fixture
def cli_env(settings: Settings, monkeypatch) -> None:
    """Point the CLI at the test store through environment variables only."""
    use_store(settings, monkeypatch)
    loaded = load_settings()
    assert loaded.store == settings.store
    if settings.store == POSTGRES:
        assert loaded.pg_schema == settings.pg_schema
    else:
        assert loaded.data_dir == settings.data_dir


def run_cli(runner: CliRunner, args: Sequence[str], code: int = 0):
    """``tdkt ARGS`` in-process; its exit code must be ``code`` (an unexpected failure is raised
    with its output and cause)."""
    result = runner.invoke(cli, list(args))
    if code == 0 and result.exception is not None and result.exit_code != 0:
        raise AssertionError(f"tdkt {' '.join(args)}: {result.output}") from result.exception
    assert result.exit_code == code, (args, result.exit_code, result.output)
    return result


@pytest.fixture
def tdkt(monkeypatch):
    runner = CliRunner()

    def invoke(settings: Settings, *args: str, code: int = 0):
        use_store(settings, monkeypatch)
        return run_cli(runner, args, code)

    return invoke
