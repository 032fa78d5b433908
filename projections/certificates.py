"""The certificate register as a table: serial, token and copies of each printed award line."""

from __future__ import annotations

from typing import Any

from domain.certificates import CertificateBook
from projections.base import Handler, View, iso, sid
from projections.db import Cursor


class CertificatesView(View):
    name = "certificates"
    version = 1

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS certificates ("
            " token TEXT PRIMARY KEY, book_id TEXT NOT NULL, issuer_key TEXT NOT NULL,"
            " year INTEGER NOT NULL, serial INTEGER NOT NULL, decision_id TEXT NOT NULL,"
            " line_no INTEGER NOT NULL, copies INTEGER NOT NULL, first_printed_on TEXT NOT NULL,"
            " last_printed_on TEXT NOT NULL,"
            " UNIQUE (issuer_key, year, serial), UNIQUE (decision_id, line_no))",
            "CREATE TABLE IF NOT EXISTS certificate_books ("
            " book_id TEXT PRIMARY KEY, issuer_key TEXT NOT NULL, issuer_name TEXT NOT NULL,"
            " year INTEGER NOT NULL)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            CertificateBook.Created: self._opened,
            CertificateBook.Issued: self._issued,
            CertificateBook.Reprinted: self._reprinted,
        }

    def _opened(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO certificate_books (book_id, issuer_key, issuer_name, year)"
            " VALUES (?, ?, ?, ?)",
            (sid(event.originator_id), event.issuer_key, event.issuer_name, event.year),
        )

    def _issued(self, cur: Cursor, event: Any, position: int) -> None:
        book = sid(event.originator_id)
        row = cur.execute(
            "SELECT issuer_key, year FROM certificate_books WHERE book_id = ?", (book,)
        ).fetchone()
        assert row is not None
        day = iso(event.printed_on)
        cur.executemany(
            "INSERT INTO certificates (token, book_id, issuer_key, year, serial, decision_id,"
            " line_no, copies, first_printed_on, last_printed_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [(e["token"], book, row["issuer_key"], row["year"], e["serial"], e["decision_id"],
              e["line_no"], day, day) for e in event.entries],
        )

    def _reprinted(self, cur: Cursor, event: Any, position: int) -> None:
        day = iso(event.printed_on)
        cur.executemany(
            "UPDATE certificates SET copies = copies + 1, last_printed_on = ?"
            " WHERE decision_id = ? AND line_no = ?",
            [(day, key.rsplit(":", 1)[0], int(key.rsplit(":", 1)[1])) for key in event.keys],
        )
