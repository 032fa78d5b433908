"""Backup, restore and verification of a store: ``tdkt backup``, ``tdkt restore``, ``tdkt verify``.

**What a backup is.** A directory (not an archive: ``tar`` it afterwards if wanted), created with
mode 0700, its files 0600, holding:

* the event log, taken consistently while the service runs —
  - SQLite: ``events.sqlite``, a copy made with SQLite's online backup API
    (``sqlite3.Connection.backup``), which reads one consistent snapshot *including the pages
    still in the write-ahead log* (a plain file copy loses those);
  - PostgreSQL: ``events/<table>.copy``, the event tables (stored events and snapshots) copied
    with ``COPY … TO STDOUT`` inside one read-only ``REPEATABLE READ`` transaction: one
    snapshot for every table. The event store inserts under a table lock, so commit order is
    notification-id order and the snapshot is a prefix of the log. The library's tracking
    tables serve process applications only; this service has none (its projection positions
    live with the read models);
* ``event_seals.tsv``: the log's tamper-evidence seals up to the backup's head
  (``projections.seal``; kept beside the read models but not one of them), put back before
  anything can seal the restored log anew, see ``_copy_seals``;
* ``personal_keys.tsv``: the personal-data keys (``services.personal_data``), each *wrapped* by
  the master key, which is **not** in the backup: a restore needs the same
  ``TDKT_PERSONAL_DATA_KEY`` (or the data directory's ``personal.key``), kept apart from the
  backups. A person erased after the backup was taken still has her key in it;
* ``attachments/``: the attachments' blob directory (both stores), see ``_copy_attachments``;
* ``manifest.json``, written last (a directory without it is not a backup): the time, the store
  kind, the highest notification id, the rows per table, the SHA-256 and size of every file.

Not included, on purpose: the **read models** (``views.sqlite``, the view tables on PostgreSQL) —
they are a function of the log and are rebuilt on restore; the **session key** (``secret.key`` /
table ``tdkt_secret``) — losing it only ends open sessions, and a key is not something to copy
around; settings and keys from the environment, which are kept where the environment is kept.

**Restore** goes into an empty store only (no event recorded) unless forced, checks every file
against the manifest first, then rebuilds every read model from the restored log.

**Verify** rebuilds the read models from the log into scratch tables (a scratch SQLite file
beside ``views.sqlite``, a scratch schema on PostgreSQL), up to the position the live views had
in one consistent read, and compares them table by table, rows in a stable order: a digest per
view and the first difference.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from projections.db import PostgresViewDB, SQLiteViewDB, ViewDB, owner_only_dir, owner_only_file
from projections.runner import Runner
from services.config import POSTGRES, SQLITE, Settings

FORMAT = 1
MANIFEST = "manifest.json"
EVENTS_FILE = "events.sqlite"
EVENTS_DIR = "events"
ATTACHMENTS = "attachments"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or a failure, said in Vietnamese for the operator."""


# -- files ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _private_copy(source: Path, target: Path) -> dict[str, Any]:
    """Copy a file to ``target`` (0600, its directory 0700) through a temporary file renamed
    into place; returns its SHA-256 and size as copied."""
    owner_only_dir(target.parent)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".copy-")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, target)
    finally:
        Path(name).unlink(missing_ok=True)
    return {"sha256": digest.hexdigest(), "size": size}


def _entry(path: Path) -> dict[str, Any]:
    return {"sha256": _sha256(path), "size": path.stat().st_size}


def _attachment_files(root: Path) -> Iterator[tuple[str, Path]]:
    """The kept files under the blob directory, by relative path; temporary files (names
    starting with a dot: ``.tmp/``, ``.note-…``) are not part of the store."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder) / name
                yield path.relative_to(root).as_posix(), path


def _copy_attachments(root: Path, target: Path, files: dict[str, Any]) -> int:
    """Copy the attachments' blob directory into the backup, *after* the log was captured.

    That order is what makes it safe: a blob is written, hashed and renamed into place before the
    command that names it is recorded (``services.attachments``: ``keep`` then ``commit``; the
    evidence notes likewise, before the result that names them), and a blob is named by its
    SHA-256 and never changed or deleted by the service. So every file the captured log refers to
    already exists, complete and final, when this copy starts; files added meanwhile come along
    too and are merely not referred to (like an upload whose command was refused)."""
    count = 0
    for relative, path in _attachment_files(root):
        files[f"{ATTACHMENTS}/{relative}"] = _private_copy(path, target / ATTACHMENTS / relative)
        count += 1
    return count


# -- backup -----------------------------------------------------------------------------------


def _empty_target(target: Path) -> Path:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"«{target}» đã có và không phải thư mục trống; hãy chọn một thư mục "
                          "mới cho bản sao lưu.")
    return owner_only_dir(target)


def _write_manifest(target: Path, manifest: dict[str, Any]) -> None:
    fd, name = tempfile.mkstemp(dir=target, prefix=".manifest-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(name, target / MANIFEST)


def backup(rt: Any, target: Path) -> dict[str, Any]:
    """Take a consistent copy of the store of ``rt`` (a ``services.app.Runtime``) into the new
    directory ``target``; returns the manifest."""
    settings: Settings = rt.settings
    target = _empty_target(Path(target))
    files: dict[str, Any] = {}
    if settings.store == SQLITE:
        log = _backup_sqlite(settings, rt.app.recorder.events_table_name, target, files)
    else:
        log = _backup_postgres(rt, target, files)
    seals = _copy_seals(rt, log["max_notification_id"], target, files)
    keys = _copy_keys(rt, target, files)
    attachments = _copy_attachments(settings.attachments_path, target, files)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": settings.store,
        **log,
        "attachments": attachments,
        "seals": seals,
        "personal_keys": keys,
        "files": files,
        "not_included": "bảng đọc (dựng lại từ nhật ký khi khôi phục); khoá phiên đăng nhập",
    }
    _write_manifest(target, manifest)
    return manifest


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def _backup_sqlite(settings: Settings, events_table: str, target: Path,
                   files: dict[str, Any]) -> dict[str, Any]:
    if not settings.events_path.is_file():
        raise BackupError(f"Không có kho dữ liệu tại «{settings.events_path}».")
    copy = owner_only_file(target / EVENTS_FILE)
    source = sqlite3.connect(settings.events_path, timeout=30)
    destination = sqlite3.connect(copy)
    try:
        # One step (pages=-1): the whole database under one read transaction, a consistent
        # snapshot with the write-ahead log's committed pages; writers are not blocked (WAL).
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        checked = destination.execute("PRAGMA quick_check").fetchone()[0]
        if checked != "ok":
            raise BackupError(f"Bản sao cơ sở dữ liệu không toàn vẹn: {checked}")
        tables = {name: destination.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
                  for name in _sqlite_tables(destination)}
        head = destination.execute(f'SELECT MAX(rowid) FROM "{events_table}"').fetchone()[0] \
            if events_table in tables else None
    finally:
        destination.close()
        source.close()
    files[EVENTS_FILE] = _entry(copy)
    return {"max_notification_id": head or 0, "events_table": events_table, "tables": tables}


def _pg_log_tables(rt: Any) -> tuple[str, list[str]]:
    """The event store's schema and tables (stored events, then snapshots)."""
    recorder = rt.app.recorder
    tables = [recorder.events_table_name]
    if rt.app.snapshots is not None:
        tables.append(rt.app.snapshots.recorder.events_table_name)
    return recorder.datastore.schema, tables


def _pg_connect(settings: Settings, **kwargs: Any) -> Any:
    import psycopg

    return psycopg.connect(settings.pg_conninfo(), **kwargs)


def _backup_postgres(rt: Any, target: Path, files: dict[str, Any]) -> dict[str, Any]:
    from psycopg import IsolationLevel
    from psycopg.sql import SQL, Identifier

    schema, names = _pg_log_tables(rt)
    tables: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    with _pg_connect(rt.settings) as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cur:
            # The first statement takes the snapshot every later one reads.
            cur.execute(SQL("SELECT MAX(notification_id) FROM {}.{}").format(
                Identifier(schema), Identifier(names[0])))
            head = cur.fetchone()[0] or 0
            for name in names:
                table = SQL("{}.{}").format(Identifier(schema), Identifier(name))
                cur.execute("SELECT column_name FROM information_schema.columns WHERE "
                            "table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                            (schema, name))
                columns[name] = [row[0] for row in cur.fetchall()]
                cur.execute(SQL("SELECT COUNT(*) FROM {}").format(table))
                tables[name] = cur.fetchone()[0]
                path = owner_only_file(target / EVENTS_DIR / f"{name}.copy")
                with open(path, "wb") as out, cur.copy(
                        SQL("COPY {} ({}) TO STDOUT").format(
                            table, SQL(", ").join(map(Identifier, columns[name])))) as copy:
                    for data in copy:
                        out.write(data)
                files[f"{EVENTS_DIR}/{name}.copy"] = _entry(path)
    return {"max_notification_id": head, "events_table": names[0], "tables": tables,
            "columns": columns}


SEALS_FILE = "event_seals.tsv"


def _copy_seals(rt: Any, head: int, target: Path, files: dict[str, Any]) -> int:
    """The log's tamper-evidence seals (``projections.seal``: table ``event_seals`` beside the read
    models, not a read model — a rebuild never recomputes them) up to the backup's head. Seals
    trail the log and are only ever added, so reading them after the log was captured and
    keeping those up to its head gives exactly the seals of the captured events."""
    with rt.db.read() as cur:
        if rt.db.dialect == "sqlite":
            exists = cur.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name = 'event_seals'")
        else:
            exists = cur.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE "
                                "table_schema = current_schema() AND table_name = 'event_seals'")
        if not exists:
            return 0
        rows = cur.execute("SELECT position, seal FROM event_seals WHERE position <= ? "
                           "ORDER BY position", (head,)).fetchall()
    path = owner_only_file(target / SEALS_FILE)
    path.write_text("".join(f"{r['position']}\t{r['seal']}\n" for r in rows), encoding="ascii")
    files[SEALS_FILE] = _entry(path)
    return len(rows)


def _restore_seals(rt: Any, source: Path, manifest: dict[str, Any]) -> None:
    """The backup's seals replace the target's, before anything seals the restored log: a restore
    must not bless the log it brings back by sealing it anew."""
    if SEALS_FILE not in manifest.get("files", {}):
        return
    from projections.seal import SEAL_DDL

    rows = [(int(position), seal) for position, seal in (
        line.split("\t") for line in (source / SEALS_FILE).read_text("ascii").splitlines())]
    with rt.db.write() as cur:
        cur.execute(SEAL_DDL)
        cur.execute("DELETE FROM event_seals")
        cur.executemany("INSERT INTO event_seals (position, seal) VALUES (?, ?)", rows)


KEYS_FILE = "personal_keys.tsv"
KEY_COLUMNS = ("subject", "key_id", "wrapped", "created_at")


def _copy_keys(rt: Any, target: Path, files: dict[str, Any]) -> int:
    """The personal-data keys as stored (wrapped by the master key, which stays out)."""
    from services.personal_data import KEY_TABLE

    with rt.personal.db.read() as cur:
        rows = cur.execute(f"SELECT {', '.join(KEY_COLUMNS)} FROM {KEY_TABLE}"
                           " ORDER BY subject").fetchall()
    path = owner_only_file(target / KEYS_FILE)
    path.write_text("".join("\t".join(r[c] for c in KEY_COLUMNS) + "\n" for r in rows),
                    encoding="ascii")
    files[KEYS_FILE] = _entry(path)
    return len(rows)


def _backup_keys(source: Path, manifest: dict[str, Any]) -> list[tuple[str, ...]] | None:
    if KEYS_FILE not in manifest.get("files", {}):
        return None
    return [tuple(line.split("\t")) for line in
            (source / KEYS_FILE).read_text("ascii").splitlines() if line]


def _check_keys(settings: Settings, rows: list[tuple[str, ...]] | None) -> None:
    """Refuse before anything is restored when this installation's master key cannot open the
    backup's personal-data keys."""
    from services.personal_data import PersonalKeyMismatch, check_master

    if rows is None:
        return
    try:
        check_master(settings, rows)
    except PersonalKeyMismatch:
        raise BackupError("Khóa dữ liệu cá nhân (TDKT_PERSONAL_DATA_KEY hoặc tệp personal.key) "
                          "của nơi khôi phục không mở được các khóa trong bản sao lưu: đặt đúng "
                          "khóa chủ của kho đã sao lưu rồi khôi phục lại.") from None


def _restore_keys(settings: Settings, rows: list[tuple[str, ...]] | None) -> None:
    """The backup's keys replace the target's (an empty store's fresh index key among them)."""
    from services.app import open_view_db
    from services.personal_data import DDL, KEY_TABLE, open_key_db

    if rows is None:
        return
    views = open_view_db(settings)
    db = open_key_db(settings, views)
    try:
        with db.write() as cur:
            cur.execute(DDL)
            cur.execute(f"DELETE FROM {KEY_TABLE}")
            cur.executemany(f"INSERT INTO {KEY_TABLE} ({', '.join(KEY_COLUMNS)})"
                            " VALUES (?, ?, ?, ?)", rows)
    finally:
        if db is not views:
            db.close()
        views.close()


# -- restore ----------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, every file checked against it (SHA-256 and size)."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except OSError:
        raise BackupError(f"«{source}» không phải bản sao lưu (không có {MANIFEST}).") from None
    except ValueError:
        raise BackupError(f"{MANIFEST} của «{source}» hỏng (không phải JSON).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"«{source}»: định dạng bản sao lưu không được hỗ trợ.")
    for relative, expected in sorted(manifest.get("files", {}).items()):
        path = source / relative
        if not path.is_file():
            raise BackupError(f"Bản sao lưu thiếu tệp «{relative}».")
        if _entry(path) != expected:
            raise BackupError(f"Tệp «{relative}» của bản sao lưu đã bị hỏng hoặc bị sửa "
                              "(SHA-256 không khớp với manifest.json).")
    return manifest


@dataclass
class Restored:
    events: int
    max_notification_id: int
    attachments: int
    positions: dict[str, int] = field(default_factory=dict)


def restore(settings: Settings, source: Path, force: bool = False) -> Restored:
    """Bring a backup back into the store of ``settings`` (empty unless ``force``), then rebuild
    every read model from the restored log. The service should not be running on the target."""
    from services.app import Runtime

    source = Path(source)
    manifest = read_manifest(source)
    if manifest.get("store") != settings.store:
        raise BackupError(f"Bản sao lưu lấy từ kho {_kind(manifest.get('store'))}, còn kho đích "
                          f"là {_kind(settings.store)}: không khôi phục được.")
    keys = _backup_keys(source, manifest)
    _check_keys(settings, keys)
    with Runtime(settings) as rt:  # creates the tables of an empty store
        _refuse_unless_empty(rt.app.max_position(), force)
        if settings.store == POSTGRES:
            schema, names = _pg_log_tables(rt)
            _restore_postgres(settings, source, manifest, schema, names, force)
    if settings.store == SQLITE:
        _restore_sqlite(settings, source)
    attachments = 0
    root = settings.attachments_path
    for relative in manifest.get("files", {}):
        if relative.startswith(f"{ATTACHMENTS}/"):
            target = root / relative.removeprefix(f"{ATTACHMENTS}/")
            if not (target.is_file() and _entry(target) == manifest["files"][relative]):
                owner_only_dir(root)
                _private_copy(source / relative, target)
            attachments += 1
    _restore_keys(settings, keys)
    with Runtime(settings) as rt:
        head = rt.app.max_position()
        if head != manifest["max_notification_id"]:
            raise BackupError(f"Sau khi khôi phục, nhật ký dừng ở vị trí {head}, manifest ghi "
                              f"{manifest['max_notification_id']}.")
        _restore_seals(rt, source, manifest)
        rt.runner.rebuild()
        return Restored(events=manifest["tables"].get(manifest["events_table"], 0),
                        max_notification_id=head, attachments=attachments,
                        positions=rt.runner.positions())


def _kind(store: Any) -> str:
    return {SQLITE: "SQLite", POSTGRES: "PostgreSQL"}.get(store, str(store))


def _refuse_unless_empty(head: int, force: bool) -> None:
    if head and not force:
        raise BackupError("Kho đích đã có dữ liệu (nhật ký đến vị trí "
                          f"{head}); chỉ khôi phục vào kho trống. Nếu đây là kho thử và mọi dữ "
                          "liệu của nó được phép bị thay, dùng --force.")


def _restore_sqlite(settings: Settings, source: Path) -> None:
    backup_file = sqlite3.connect(f"file:{source / EVENTS_FILE}?mode=ro", uri=True)
    live = sqlite3.connect(owner_only_file(settings.events_path), timeout=30)
    try:
        backup_file.backup(live)  # every page replaced, under the target's write lock
    finally:
        live.close()
        backup_file.close()


def _restore_postgres(settings: Settings, source: Path, manifest: dict[str, Any], schema: str,
                      names: list[str], force: bool) -> None:
    from psycopg.sql import SQL, Identifier

    wanted = manifest.get("tables", {})
    if set(wanted) != set(names):
        raise BackupError("Các bảng nhật ký trong bản sao lưu ("
                          f"{', '.join(sorted(wanted))}) khác với kho đích "
                          f"({', '.join(names)}).")
    with _pg_connect(settings) as conn, conn.transaction(), conn.cursor() as cur:
        for name in names:
            cur.execute(SQL("LOCK TABLE {}.{} IN ACCESS EXCLUSIVE MODE").format(
                Identifier(schema), Identifier(name)))
        cur.execute(SQL("SELECT MAX(notification_id) FROM {}.{}").format(
            Identifier(schema), Identifier(names[0])))
        _refuse_unless_empty(cur.fetchone()[0] or 0, force)  # again, under the lock
        for name in names:
            table = SQL("{}.{}").format(Identifier(schema), Identifier(name))
            cur.execute(SQL("TRUNCATE {}").format(table))
            columns = SQL(", ").join(map(Identifier, manifest["columns"][name]))
            with open(source / EVENTS_DIR / f"{name}.copy", "rb") as handle, \
                    cur.copy(SQL("COPY {} ({}) FROM STDIN").format(table, columns)) as copy:
                while chunk := handle.read(CHUNK):
                    copy.write(chunk)
            cur.execute(SQL("SELECT COUNT(*) FROM {}").format(table))
            if cur.fetchone()[0] != wanted[name]:
                raise BackupError(f"Bảng {name}: số dòng khôi phục khác manifest.")
        # the ids were copied as they were: the sequence goes on after the highest
        cur.execute("SELECT pg_get_serial_sequence(%s, 'notification_id')",
                    (f'"{schema}"."{names[0]}"',))
        sequence = cur.fetchone()[0]
        head = manifest["max_notification_id"]
        cur.execute("SELECT setval(%s, %s, %s)", (sequence, max(head, 1), head > 0))


# -- verify -----------------------------------------------------------------------------------


@dataclass
class ViewCheck:
    name: str
    position: int
    rows: int
    live: str
    rebuilt: str

    @property
    def equal(self) -> bool:
        return self.live == self.rebuilt


@dataclass
class Verified:
    views: list[ViewCheck]
    first_difference: dict[str, Any] | None

    @property
    def equal(self) -> bool:
        return self.first_difference is None and all(v.equal for v in self.views)

    def as_dict(self) -> dict[str, Any]:
        return {
            "equal": self.equal,
            "views": [{"name": v.name, "position": v.position, "rows": v.rows,
                       "live_digest": v.live, "rebuilt_digest": v.rebuilt, "equal": v.equal}
                      for v in self.views],
            "first_difference": self.first_difference,
        }


def scratch_views(rt: Any) -> contextlib.AbstractContextManager[ViewDB]:
    """An empty read-model database of the same kind, private to this check, removed after
    (the rebuild's staging, under a name of its own)."""
    return rt.db.staging(f"verify_{os.getpid()}")


class _Reader:
    """Rows of a read-model database in one consistent read, streamed in a stable order."""

    def __init__(self, db: ViewDB) -> None:
        self.dialect = db.dialect
        if isinstance(db, SQLiteViewDB):
            self.conn: Any = sqlite3.connect(db.path, timeout=30, isolation_level=None)
            self.conn.execute("BEGIN")
        else:
            assert isinstance(db, PostgresViewDB)
            from psycopg import IsolationLevel

            options = {"options": f"-c search_path={db.schema}"} if db.schema else {}
            self.conn = _connect_pg(db.conninfo, **options)
            self.conn.isolation_level = IsolationLevel.REPEATABLE_READ
            self.conn.read_only = True
        self._cursors = 0

    def all(self, sql: str) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.execute(sql)
        rows = [tuple(r) for r in cur.fetchall()]
        cur.close()
        return rows

    def columns(self, table: str) -> tuple[list[str], list[str], set[str]]:
        """The table's columns (by name), its primary key's, and those holding text."""
        if self.dialect == "sqlite":
            info = self.all(f'PRAGMA table_info("{table}")')
            return (sorted(r[1] for r in info), sorted(r[1] for r in info if r[5]),
                    {r[1] for r in info if "CHAR" in r[2].upper() or "TEXT" in r[2].upper()})
        info = self.all(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema"
            f" = current_schema() AND table_name = '{table}'")
        key = self.all(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            f" AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass('\"{table}\"')"
            " AND i.indisprimary")
        return (sorted(r[0] for r in info), sorted(r[0] for r in key),
                {r[0] for r in info if r[1] in ("text", "character varying", "character")})

    def rows(self, table: str, columns: list[str], key: list[str],
             texts: set[str]) -> Iterator[tuple[Any, ...]]:
        """The rows, ordered by the primary key then every column, as ``_order_key`` orders
        them (code points for text, NULL first), so that two sides can be merged."""
        listed = ", ".join(f'"{c}"' for c in columns)
        order = []
        for name in [*key, *(c for c in columns if c not in key)]:
            if self.dialect == "postgres":
                collate = ' COLLATE "C"' if name in texts else ""
                order.append(f'"{name}"{collate} NULLS FIRST')
            else:
                order.append(f'"{name}"')
        sql = f'SELECT {listed} FROM "{table}" ORDER BY {", ".join(order)}'
        if self.dialect == "sqlite":
            cur = self.conn.execute(sql)
        else:
            self._cursors += 1
            cur = self.conn.cursor(name=f"verify_{self._cursors}")
            cur.itersize = 2000
            cur.execute(sql)
        try:
            while batch := cur.fetchmany(2000):
                yield from (tuple(r) for r in batch)
        finally:
            cur.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback() if self.dialect == "postgres" else self.conn.execute("ROLLBACK")
        self.conn.close()


def _connect_pg(conninfo: str, **kwargs: Any) -> Any:
    import psycopg

    return psycopg.connect(conninfo, **kwargs)


def _text(row: tuple[Any, ...] | None) -> str | None:
    if row is None:
        return None
    return json.dumps(list(row), ensure_ascii=False, default=str)


def verify(rt: Any) -> Verified:
    """Rebuild every read model of ``rt`` from the log into scratch tables, up to the position
    each live view had in one consistent read of the live views, and compare them."""
    rt.runner.catch_up()
    views = list(rt.runner.views)
    live = _Reader(rt.db)
    try:
        positions = {row[0]: int(row[1]) for row in live.all(
            "SELECT name, position FROM projection_tracking")}
        with scratch_views(rt) as scratch:
            for position in sorted({positions.get(v.name, 0) for v in views}):
                group = [v for v in views if positions.get(v.name, 0) == position]
                Runner(rt.app, scratch, group, batch_size=rt.settings.projection_batch) \
                    .catch_up(until=position)
            rebuilt = _Reader(scratch)
            try:
                return _compare(live, rebuilt, views, positions)
            finally:
                rebuilt.close()
    finally:
        live.close()


def _rank(value: Any) -> tuple[int, Any]:
    """SQLite's order of values of mixed kinds: NULL, numbers, text, bytes."""
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, bytes | bytearray | memoryview):
        return (3, bytes(value))
    if isinstance(value, int | float | Decimal):
        return (1, value)
    return (2, str(value))


def _compare(live: _Reader, rebuilt: _Reader, views: list[Any],
             positions: dict[str, int]) -> Verified:
    """Each table of each view read from both sides in the same order and merged: equal rows
    advance both sides; otherwise the row with the smaller key is the one the other side lacks
    (or, at the same primary key, the row differs) — the first such place is reported."""
    checks: list[ViewCheck] = []
    first: dict[str, Any] | None = None
    for view in views:
        digests = [hashlib.sha256(), hashlib.sha256()]
        count = 0
        for table in view.table_names(live.dialect):
            columns, key, texts = live.columns(table)
            theirs = rebuilt.columns(table)
            if columns != theirs[0] and first is None:
                first = {"view": view.name, "table": table, "live": ", ".join(columns),
                         "rebuilt": ", ".join(theirs[0]), "what": "columns"}
            at = [columns.index(c) for c in [*key, *(c for c in columns if c not in key)]]

            def order(row: tuple[Any, ...], at: list[int] = at) -> tuple[Any, ...]:
                return tuple(_rank(row[i]) for i in at)

            def keyed(row: tuple[Any, ...], key: list[str] = key,
                      columns: list[str] = columns) -> tuple[Any, ...]:
                return tuple(row[columns.index(c)] for c in key) if key else row

            for digest in digests:
                digest.update(f"{table}\n".encode())
            left = live.rows(table, columns, key, texts)
            right = rebuilt.rows(table, columns, key, texts)
            a, b = next(left, None), next(right, None)
            while a is not None or b is not None:
                take_a = take_b = True
                if a != b:
                    same_key = a is not None and b is not None and keyed(a) == keyed(b)
                    if not same_key:
                        take_a = b is None or (a is not None and order(a) < order(b))
                        take_b = not take_a
                    if first is None:
                        first = {"view": view.name, "table": table, "what": "row",
                                 "live": _text(a) if take_a else None,
                                 "rebuilt": _text(b) if take_b else None}
                if take_a:
                    digests[0].update(f"{_text(a)}\n".encode())
                    count += 1
                    a = next(left, None)
                if take_b:
                    digests[1].update(f"{_text(b)}\n".encode())
                    b = next(right, None)
        checks.append(ViewCheck(view.name, positions.get(view.name, 0), count,
                                digests[0].hexdigest(), digests[1].hexdigest()))
    return Verified(checks, first)
