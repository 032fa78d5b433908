"""The read-model database: SQLite (a file beside the event store) or PostgreSQL (same database).

Views write portable SQL with ``?`` placeholders; on PostgreSQL they become ``%s``. Column types are
chosen to behave the same on both: dates as ISO ``TEXT`` (which sorts chronologically), ids as
``TEXT``, money as ``BIGINT`` đồng, flags as ``INTEGER`` 0/1, JSON as ``TEXT``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_PLACEHOLDER = re.compile(r"\?")


def owner_only_dir(path: Path) -> Path:
    """Create the directory readable by its owner only (0700), and so any missing parent; an
    existing one is tightened. It holds personal data and secrets: no group or world access."""
    path = Path(path)
    for missing in reversed([path, *path.parents]):
        if not missing.exists():
            missing.mkdir(mode=0o700, exist_ok=True)
    with contextlib.suppress(OSError):  # not ours (a mounted volume): left as it is
        mode = path.stat().st_mode
        if mode & 0o077 and not mode & 0o1000:  # never a shared sticky one such as /tmp
            os.chmod(path, 0o700)
    return path


def owner_only_file(path: Path) -> Path:
    """Create the file, empty, with mode 0600 when it is missing (an empty file is a new SQLite
    database; SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file), in an
    owner-only directory; an existing one, and its SQLite companions, are tightened."""
    path = Path(path)
    owner_only_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = Path(f"{path}{suffix}")
        with contextlib.suppress(OSError):
            if companion.stat().st_mode & 0o077:
                os.chmod(companion, 0o600)
    return path


class Cursor:
    """A thin, dialect-neutral cursor: dict rows, ``?`` placeholders."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        return _PLACEHOLDER.sub("%s", sql) if self.dialect == "postgres" else sql

    def _params(self, params: Sequence[Any]) -> tuple[Any, ...]:
        """PostgreSQL text refuses NUL: a search for one finds nothing instead of failing (names
        and texts are cleaned of control characters on the way in, see ``domain.text.nfc``)."""
        if self.dialect != "postgres":
            return tuple(params)
        return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) else p for p in params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        self.raw.execute(self._sql(sql), self._params(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.raw.executemany(self._sql(sql), [self._params(r) for r in rows])

    def fetchall(self) -> list[dict[str, Any]]:
        rows = self.raw.fetchall()
        if self.dialect == "sqlite":
            return [dict(row) for row in rows]
        return list(rows)

    def fetchone(self) -> dict[str, Any] | None:
        row = self.raw.fetchone()
        if row is None:
            return None
        return dict(row)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).raw.fetchone()
        if row is None:
            return None
        return row[0] if self.dialect == "sqlite" else next(iter(row.values()))

    @property
    def rowcount(self) -> int:
        return self.raw.rowcount


class ViewDB:
    dialect: str

    @contextmanager
    def write(self) -> Iterator[Cursor]:  # pragma: no cover - interface
        raise NotImplementedError
        yield

    @contextmanager
    def read(self) -> Iterator[Cursor]:  # pragma: no cover - interface
        raise NotImplementedError
        yield

    def lock_rows_sql(self) -> str:
        """Suffix that locks selected rows until commit (PostgreSQL); SQLite locks the file."""
        return " FOR UPDATE" if self.dialect == "postgres" else ""

    def vacuum_analyze(self, tables: list[str]) -> None:
        """Refresh planner statistics and visibility after a bulk load (PostgreSQL only)."""

    @contextmanager
    def staging(self, name: str = "rebuild") -> Iterator[ViewDB]:  # pragma: no cover
        """An empty database of the same kind beside this one, removed afterwards: a rebuild
        projects into it while the live views keep serving (``tdkt verify`` too, under another
        ``name``)."""
        raise NotImplementedError
        yield

    def replace_tables(self, staging: ViewDB, tables: Sequence[str], ddl: Sequence[str],
                       tracking: Sequence[tuple[str, int, int]]) -> None:  # pragma: no cover
        """In one transaction: drop ``tables``, create them again by ``ddl``, fill them with the
        staging copy's rows, and set the tracking rows (name, position, version)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def _swap(cur: Cursor, source: str, tables: Sequence[str], ddl: Sequence[str],
          tracking: Sequence[tuple[str, int, int]]) -> None:
    """The switch, inside the caller's transaction; ``source`` names the staging schema."""
    # SQLite resolves an unqualified name in every attached database: name the live one.
    live = "main." if cur.dialect == "sqlite" else ""
    if cur.dialect == "postgres":
        cur.execute("SELECT name FROM projection_tracking FOR UPDATE")
    for table in tables:
        cur.execute(f"DROP TABLE IF EXISTS {live}{table}")
    for statement in ddl:
        cur.execute(statement)
    for table in tables:
        cur.execute(f"INSERT INTO {live}{table} SELECT * FROM {source}.{table}")
    cur.executemany(
        "UPDATE projection_tracking SET position = ?, version = ? WHERE name = ?",
        [(position, version, name) for name, position, version in tracking],
    )


MMAP_BYTES = 2**31 - 2**16  # SQLite's default cap (SQLITE_MAX_MMAP_SIZE)


class SQLiteViewDB(ViewDB):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = owner_only_file(Path(path))
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            # Read models are rebuildable from the log and tracked in the same transaction, so
            # a lost last commit on power failure is re-projected: NORMAL is safe here.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=OFF")
            # Read through a memory map, not a read() call per page: at a million awards (GBs
            # of views) that system call per page was a large share of a name search's time
            # (bench/RESULTS.md). Address space only; the pages live once, in the OS page cache.
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.cursor()
        try:
            yield Cursor(cursor, self.dialect)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            cursor.close()

    @contextmanager
    def read(self) -> Iterator[Cursor]:
        conn = self._connection()
        conn.execute("BEGIN")
        cursor = conn.cursor()
        try:
            yield Cursor(cursor, self.dialect)
        finally:
            cursor.close()
            conn.execute("ROLLBACK")

    @contextmanager
    def staging(self, name: str = "rebuild") -> Iterator[ViewDB]:
        path = self.path.with_name(f"{self.path.stem}.{name}{self.path.suffix}")
        _remove_sqlite(path)
        staging = SQLiteViewDB(path)
        try:
            yield staging
        finally:
            staging.close()
            _remove_sqlite(path)

    def replace_tables(self, staging: ViewDB, tables: Sequence[str], ddl: Sequence[str],
                       tracking: Sequence[tuple[str, int, int]]) -> None:
        assert isinstance(staging, SQLiteViewDB)
        staging.close()  # its pages checkpointed into its file
        conn = self._connection()
        conn.execute("ATTACH DATABASE ? AS rebuild", (str(staging.path),))
        try:
            with self.write() as cur:
                _swap(cur, "rebuild", tables, ddl, tracking)
        finally:
            conn.execute("DETACH DATABASE rebuild")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresViewDB(ViewDB):
    dialect = "postgres"

    def __init__(self, conninfo: str, schema: str | None = None, max_size: int = 10) -> None:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.conninfo = conninfo
        self.schema = schema
        options = f"-c search_path={schema}" if schema else None
        kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": False}
        if options:
            kwargs["options"] = options
        self.pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            kwargs=kwargs,
            open=True,
            name="tdkt-views",
        )

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield Cursor(cur, self.dialect)

    @contextmanager
    def read(self) -> Iterator[Cursor]:
        with self.pool.connection() as conn:
            with conn.cursor() as cur:
                yield Cursor(cur, self.dialect)
            conn.rollback()

    def _current_schema(self) -> str:
        with self.read() as cur:
            return str(cur.scalar("SELECT current_schema()"))

    @contextmanager
    def staging(self, name: str = "rebuild") -> Iterator[ViewDB]:
        schema = f"{(self.schema or self._current_schema())[:40]}_{name}"
        with self.write() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cur.execute(f'CREATE SCHEMA "{schema}"')
        staging = PostgresViewDB(self.conninfo, schema=schema, max_size=2)
        try:
            yield staging
        finally:
            staging.close()
            with self.write() as cur:
                cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def replace_tables(self, staging: ViewDB, tables: Sequence[str], ddl: Sequence[str],
                       tracking: Sequence[tuple[str, int, int]]) -> None:
        assert isinstance(staging, PostgresViewDB)
        with self.write() as cur:
            _swap(cur, f'"{staging.schema}"', tables, ddl, tracking)

    def vacuum_analyze(self, tables: list[str]) -> None:
        """``VACUUM (ANALYZE)`` the tables (it cannot run inside a transaction)."""
        with self.pool.connection() as conn:
            conn.autocommit = True
            try:
                for table in tables:
                    conn.execute(f"VACUUM (ANALYZE) {table}")
            finally:
                conn.autocommit = False

    def close(self) -> None:
        self.pool.close()
