"""Payments recorded at ceremonies, as rows: what each award line has been paid, for the office's
dashboard (``services.web.pages_dashboard``).

A ceremony's own payout (``domain.payouts``) is computed from its aggregate; summing payments
over a province's year that way would load every ceremony of the year. This view keeps one row
per payment record, corrections applied (a correction replaces the record's amount, date and
status; the history stays in the log), so that "paid" for any registry filter is one query.

Per award line the rules of ``domain.payouts`` apply: *committed* is the line's stated amount
while it is in force (none stated: 0 đ, revoked: 0 đ); *paid* is the sum of its records;
*outstanding* is committed − paid, never below 0; *excess* is paid beyond committed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.ceremony import Ceremony
from projections.base import Handler, View, iso, sid
from projections.db import Cursor, ViewDB
from projections.registry import ALL, RegistryFilter


class PaymentsView(View):
    name = "payments"
    version = 1

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS ceremony_payments ("
            " ceremony_id TEXT NOT NULL, payment_no INTEGER NOT NULL,"
            " decision_id TEXT NOT NULL, line_no INTEGER NOT NULL, amount BIGINT NOT NULL,"
            " paid_on TEXT NOT NULL, status TEXT NOT NULL,"
            " PRIMARY KEY (ceremony_id, payment_no))",
            "CREATE INDEX IF NOT EXISTS ceremony_payments_line"
            " ON ceremony_payments (decision_id, line_no)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            Ceremony.PaymentRecorded: self._recorded,
            Ceremony.PaymentCorrected: self._corrected,
        }

    def _recorded(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO ceremony_payments (ceremony_id, payment_no, decision_id, line_no,"
            " amount, paid_on, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sid(event.originator_id), event.payment_no, sid(event.decision_id), event.line_no,
             event.amount, iso(event.paid_on), event.status),
        )

    def _corrected(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "UPDATE ceremony_payments SET amount = ?, paid_on = ?, status = ?"
            " WHERE ceremony_id = ? AND payment_no = ?",
            (event.amount, iso(event.paid_on), event.status, sid(event.originator_id),
             event.payment_no),
        )


def paid(db: ViewDB, f: RegistryFilter) -> dict[str, int]:
    """What was paid against the award lines of the filter (those in force, as of its date or
    position, and those revoked since), summed per line first, as ``domain.payouts`` does:

    * ``paid``: paid on the lines in force;
    * ``covered``: the part of it within each line's stated amount (so that outstanding =
      committed − covered: a line is never owed less than 0 đ);
    * ``excess``: paid beyond what each line commits (above its amount, on a line stating none,
      or on a revoked line: money to take back);
    * ``lines_paid``: lines in force with at least one payment record.
    """
    f = replace(f, status=ALL)
    where, params = f.where()
    revoked_sql, revoked_params = f.revoked_condition()
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    in_force = f"CASE WHEN {revoked_sql} THEN 0 ELSE 1 END"
    per_line = (
        f"SELECT {in_force} AS in_force, COALESCE(l.amount, 0) AS stated,"
        " (SELECT SUM(p.amount) FROM ceremony_payments p"
        "  WHERE p.decision_id = l.decision_id AND p.line_no = l.line_no) AS paid"
        f" FROM award_lines l{clause}"
    )
    committed = "CASE WHEN x.in_force = 1 THEN x.stated ELSE 0 END"
    sql = (
        "SELECT SUM(CASE WHEN x.in_force = 1 THEN x.paid ELSE 0 END) AS paid,"
        " SUM(CASE WHEN x.in_force = 1 THEN CASE WHEN x.paid < x.stated THEN x.paid"
        "  ELSE x.stated END ELSE 0 END) AS covered,"
        f" SUM(CASE WHEN x.paid > {committed} THEN x.paid - {committed} ELSE 0 END) AS excess,"
        " SUM(x.in_force) AS lines_paid"
        f" FROM ({per_line}) x WHERE x.paid IS NOT NULL"
    )
    with db.read() as cur:
        row = cur.execute(sql, [*revoked_params, *params]).fetchone() or {}
    return {key: int(row.get(key) or 0) for key in ("paid", "covered", "excess", "lines_paid")}

