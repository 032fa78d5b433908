"""The server's secret key: it signs the pages' session cookies (``services.http.sessions``).

``TDKT_SECRET_KEY`` when set (every process of an installation must share it). Otherwise one is
generated once and kept where the store is:

* SQLite: the file ``secret.key`` of ``TDKT_DATA_DIR``, readable by its owner only (0600);
* PostgreSQL: the table ``tdkt_secret`` of the database (the same schema as the read models), so
  that every server process and every restart uses the same key — a compose deployment has no
  data directory of its own.

Losing the key (deleting the file or the row) only ends every open session: people sign in again.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from projections.db import ViewDB, owner_only_dir
from services.config import SQLITE, Settings

KEY_FILE = "secret.key"
KEY_TABLE = "tdkt_secret"
KEY_NAME = "session"


def _new_key() -> str:
    return secrets.token_hex(32)


def load_secret(settings: Settings, db: ViewDB) -> bytes:
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    if settings.store == SQLITE:
        return key_from_file(settings.data_dir / KEY_FILE).encode("ascii")
    return _from_table(db).encode("ascii")


def key_from_file(path: Path) -> str:
    """Read the key, or write a new one: to a private temporary file, then linked into place
    (``os.link`` fails if another process was first: its key is read instead)."""
    owner_only_dir(path.parent)
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(_new_key() + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # a key readable by others is tightened, not trusted blindly
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path}: the secret key is too short; delete the file to renew it")
    return key


def _from_table(db: ViewDB) -> str:
    for attempt in range(2):  # two processes creating the table at once: one retries
        try:
            with db.write() as cur:
                cur.execute(f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} "
                            "(name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                cur.execute(f"INSERT INTO {KEY_TABLE} (name, value) VALUES (?, ?) "
                            "ON CONFLICT (name) DO NOTHING", (KEY_NAME, _new_key()))
                value = cur.scalar(f"SELECT value FROM {KEY_TABLE} WHERE name = ?", (KEY_NAME,))
            return str(value)
        except Exception:
            if attempt:
                raise
    raise AssertionError("unreachable")
