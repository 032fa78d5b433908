"""The name index: find award lines by a piece of a recipient's name without reading them all.

A search ("nguyen thi hong", "hong nhung", "bac tu liem") is a substring match on the folded name
(lower case, no diacritics, see ``domain.text.fold``). ``LIKE '%…%'`` on the registry itself
reads every line — 1M rows in a large registry. Instead the view keeps one row per distinct
(recipient, folded name) and a trigram index over it:

- SQLite: an FTS5 table with the ``trigram`` tokenizer (external content, rowid = ``id``); a
  phrase query matches any substring of three characters or more;
- PostgreSQL: a GIN ``gin_trgm_ops`` index (extension ``pg_trgm``), used by ``LIKE '%…%'``.

Shorter queries (one or two characters), or a PostgreSQL without ``pg_trgm``, fall back to the
same ``LIKE`` over the index table, which still has one row per recipient rather than per award.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from domain.text import fold
from projections.db import Cursor

log = logging.getLogger(__name__)

TABLES = ("recipient_names_fts", "recipient_names")
TRIGRAM = 3  # characters: below this a trigram index cannot help


def ddl(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            "CREATE TABLE IF NOT EXISTS recipient_names ("
            " id INTEGER PRIMARY KEY, recipient_key TEXT NOT NULL, folded TEXT NOT NULL,"
            " UNIQUE (recipient_key, folded))",
            "CREATE VIRTUAL TABLE IF NOT EXISTS recipient_names_fts USING fts5("
            " folded, content='recipient_names', content_rowid='id', tokenize='trigram')",
            "CREATE TRIGGER IF NOT EXISTS recipient_names_ai AFTER INSERT ON recipient_names"
            " BEGIN INSERT INTO recipient_names_fts (rowid, folded) VALUES (new.id, new.folded);"
            " END",
        ]
    return [
        "CREATE TABLE IF NOT EXISTS recipient_names ("
        " recipient_key TEXT NOT NULL, folded TEXT NOT NULL, PRIMARY KEY (recipient_key, folded))",
    ]


def create_trigram_index(cur: Cursor) -> bool:
    """PostgreSQL: the trigram index, if ``pg_trgm`` is (or can be) installed. Without it the
    search still works, by a scan of the (small) name table."""
    if cur.dialect != "postgres":
        return True
    schema = cur.scalar(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    if schema is None:
        cur.execute("SAVEPOINT trgm")
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            cur.execute("RELEASE SAVEPOINT trgm")
            schema = "public"
        except Exception as error:
            cur.execute("ROLLBACK TO SAVEPOINT trgm")
            log.warning("pg_trgm unavailable (%s): name search scans the name table", error)
            return False
    cur.execute(
        "CREATE INDEX IF NOT EXISTS recipient_names_trgm ON recipient_names"
        f' USING gin (folded "{schema}".gin_trgm_ops)'
    )
    return True


def add(cur: Cursor, names: Iterable[tuple[str, str]]) -> None:
    """Index (recipient_key, folded name) pairs; known pairs are skipped."""
    rows = sorted(set(names))
    if not rows:
        return
    if cur.dialect == "sqlite":
        cur.executemany(
            "INSERT OR IGNORE INTO recipient_names (recipient_key, folded) VALUES (?, ?)", rows
        )
    else:
        cur.executemany(
            "INSERT INTO recipient_names (recipient_key, folded) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            rows,
        )


def like_pattern(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def keys_matching(dialect: str, q: str) -> tuple[str, list[Any]]:
    """SQL for the recipient keys whose name contains ``q`` (folded), and its parameters."""
    folded = fold(q)
    if dialect == "sqlite" and len(folded) >= TRIGRAM:
        phrase = '"' + folded.replace('"', '""') + '"'
        return (
            "SELECT n.recipient_key FROM recipient_names n WHERE n.id IN"
            " (SELECT rowid FROM recipient_names_fts WHERE recipient_names_fts MATCH ?)",
            [phrase],
        )
    return (
        "SELECT n.recipient_key FROM recipient_names n WHERE n.folded LIKE ? ESCAPE '\\'",
        [like_pattern(q)],
    )
