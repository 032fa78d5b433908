"""The name index: find a person or collective by name among a million awards in a millisecond.

A search ("nguyen thi hong nhung", "hong nhung", "nguyễn thị h") is folded (lower case, no
diacritics, see ``domain.text.fold``) and matches names in which it *starts a word*: it finds
"Nguyễn Thị Hồng Nhung" from "nhung", "hong nh" or the whole name, but not from "guyen".

Each distinct (recipient, folded name) is indexed once per word, by the name's tail from that
word on: "nguyen thi hong nhung", "thi hong nhung", "hong nhung", "nhung". A search is then one
B-tree range (``tail >= q AND tail < q + U+10FFFF``) on both databases, with no extension and no
scan. It is much faster than an FTS5 trigram index, whose common trigrams in Vietnamese names
("ngu", "thi") have huge posting lists, and than ``LIKE '%…%'``, a full scan (figures at 1M
names in bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.text import fold

_TOP = "\U0010ffff"  # the largest code point: every string that starts with q sorts below q + it


def ddl(dialect: str) -> list[str]:
    # byte order ("C" in PostgreSQL, SQLite's default BINARY) makes a prefix one index range
    collate = ' COLLATE "C"' if dialect == "postgres" else ""
    rowid = " WITHOUT ROWID" if dialect == "sqlite" else ""
    return [
        "CREATE TABLE IF NOT EXISTS recipient_names ("
        f" tail TEXT{collate} NOT NULL, recipient_key TEXT NOT NULL,"
        f" PRIMARY KEY (tail, recipient_key)){rowid}",
    ]


def tails(folded: str) -> list[str]:
    """The name from each of its words on."""
    words = folded.split(" ")
    return [" ".join(words[i:]) for i in range(len(words)) if words[i]]


def add(cur: Any, names: Iterable[tuple[str, str]]) -> None:
    """Index (recipient_key, folded name) pairs; what is already indexed is skipped."""
    rows = sorted({(tail, key) for key, folded in names for tail in tails(folded)})
    if not rows:
        return
    cur.executemany(
        "INSERT INTO recipient_names (tail, recipient_key) VALUES (?, ?) ON CONFLICT DO NOTHING",
        rows,
    )


def contains_pattern(text: str) -> str:
    """``LIKE … ESCAPE '\\'`` pattern that finds ``text`` anywhere, taking ``%`` and ``_`` in it
    literally (a search for "%" must not match everything)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like_pattern(text: str) -> str:
    """``LIKE`` pattern for a folded substring search (small tables: nominations, units)."""
    return contains_pattern(fold(text))


def keys_matching(q: str) -> tuple[str, list[Any]]:
    """SQL for the recipient keys with a name in which ``q`` starts a word, and its parameters."""
    folded = fold(q)
    return (
        "SELECT n.recipient_key FROM recipient_names n WHERE n.tail >= ? AND n.tail < ?",
        [folded, folded + _TOP],
    )
