"""Award lines recorded as their source states the form ("Biểu dương", "Thưởng nóng"), and the
catalogue kind the office mapped each to (``AwardDecision.LineKindMapped``).

One row per as-stated line, beside the registry's ``award_lines`` (which keeps the kind the line
was issued with): the registry reads the wording and the mapped kind from here.
"""

from __future__ import annotations

from typing import Any

from domain.decision import AwardDecision
from projections.base import Handler, View, sid
from projections.db import Cursor


class StatedAwardsView(View):
    name = "stated_awards"
    version = 1

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS award_line_stated ("
            " decision_id TEXT NOT NULL, line_no INTEGER NOT NULL, stated TEXT NOT NULL,"
            " award_kind TEXT NOT NULL, mapped_position BIGINT,"
            " PRIMARY KEY (decision_id, line_no))",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            AwardDecision.Created: self._issued,
            AwardDecision.LineKindMapped: self._mapped,
        }

    @staticmethod
    def _issued(cur: Cursor, event: Any, position: int) -> None:
        rows = [(sid(event.originator_id), line["line_no"], line["award_as_stated"],
                 line["award_kind"]) for line in event.lines if line.get("award_as_stated")]
        if rows:
            cur.executemany(
                "INSERT INTO award_line_stated (decision_id, line_no, stated, award_kind)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )

    @staticmethod
    def _mapped(cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "UPDATE award_line_stated SET award_kind = ?, mapped_position = ?"
            " WHERE decision_id = ? AND line_no = ?",
            (event.award_kind, position, sid(event.originator_id), event.line_no),
        )
