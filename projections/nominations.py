"""Nominations and submissions as rows: for lists, search and the councils' work queues."""

from __future__ import annotations

from typing import Any

from domain.nomination import (
    DECIDED,
    RECOMMENDED,
    REJECTED,
    RETURNED,
    REVOKED,
    UNDER_REVIEW,
    WITHDRAWN,
    Nomination,
)
from domain.recipients import Recipient
from domain.submission import Submission
from domain.text import fold
from projections.base import Handler, View, iso, sid
from projections.db import Cursor


class NominationsView(View):
    name = "nominations"
    version = 1

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS nominations ("
            " nomination_id TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL,"
            " proposing_unit_id TEXT NOT NULL, review_unit_id TEXT,"
            " recipient_kind TEXT NOT NULL, recipient_name TEXT NOT NULL,"
            " recipient_folded TEXT NOT NULL, recipient_key TEXT NOT NULL,"
            " recipient_unit_id TEXT, award_kind TEXT NOT NULL, award_type TEXT NOT NULL,"
            " period TEXT NOT NULL, nominator TEXT NOT NULL, submission_id TEXT,"
            " decision_id TEXT, decision_number TEXT, round INTEGER NOT NULL DEFAULT 0,"
            " votes INTEGER NOT NULL DEFAULT 0,"
            " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, status_since TEXT NOT NULL,"
            " position BIGINT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS nominations_queue"
            " ON nominations (status, review_unit_id, status_since)",
            "CREATE INDEX IF NOT EXISTS nominations_unit ON nominations (proposing_unit_id)",
            "CREATE INDEX IF NOT EXISTS nominations_folded ON nominations (recipient_folded)",
            "CREATE TABLE IF NOT EXISTS submissions ("
            " submission_id TEXT PRIMARY KEY, number TEXT, title TEXT NOT NULL,"
            " submitted_on TEXT NOT NULL, proposing_unit_id TEXT NOT NULL,"
            " nomination_count INTEGER NOT NULL, created_by TEXT NOT NULL,"
            " created_at TEXT NOT NULL)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return {
            Nomination.Created: self._created,
            Nomination.Edited: self._edited,
            Nomination.Submitted: self._submitted,
            Nomination.Withdrawn: self._status(WITHDRAWN),
            Nomination.VoteCast: self._vote,
            Nomination.Recused: self._touch,
            Nomination.ReviewClosed: self._closed,
            Nomination.Forwarded: self._forwarded,
            Nomination.Decided: self._decided,
            Nomination.AwardRevoked: self._status(REVOKED),
            Nomination.AttachmentAdded: self._touch,
            Nomination.AttachmentRemoved: self._touch,
            Submission.Created: self._submission,
        }

    @staticmethod
    def _recipient_columns(data: dict[str, Any]) -> tuple[Any, ...]:
        recipient = Recipient.from_dict(data)
        return (
            recipient.kind,
            recipient.name,
            fold(recipient.name),
            recipient.key,
            sid(recipient.scope_unit_id),
        )

    def _created(self, cur: Cursor, event: Any, position: int) -> None:
        at = iso(event.timestamp)
        cur.execute(
            "INSERT INTO nominations (nomination_id, version, status, proposing_unit_id,"
            " review_unit_id, recipient_kind, recipient_name, recipient_folded, recipient_key,"
            " recipient_unit_id, award_kind, award_type, period, nominator, created_at,"
            " updated_at, status_since, position)"
            " VALUES (?, ?, 'draft', ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sid(event.originator_id),
                event.originator_version,
                sid(event.proposing_unit_id),
                *self._recipient_columns(event.recipient),
                event.award_kind,
                event.award_type,
                event.period,
                event.actor,
                at,
                at,
                at,
                position,
            ),
        )

    @staticmethod
    def _update(cur: Cursor, event: Any, position: int, **columns: Any) -> None:
        sets = ", ".join(f"{name} = ?" for name in columns)
        cur.execute(
            f"UPDATE nominations SET {sets}{', ' if sets else ''}version = ?, updated_at = ?,"
            " position = ? WHERE nomination_id = ?",
            (
                *columns.values(),
                event.originator_version,
                iso(event.timestamp),
                position,
                sid(event.originator_id),
            ),
        )

    def _touch(self, cur: Cursor, event: Any, position: int) -> None:
        self._update(cur, event, position)

    def _status(self, status: str) -> Handler:
        def handler(cur: Cursor, event: Any, position: int) -> None:
            self._update(cur, event, position, status=status, status_since=iso(event.timestamp))

        return handler

    def _edited(self, cur: Cursor, event: Any, position: int) -> None:
        columns: dict[str, Any] = {}
        changes = event.changes
        if "recipient" in changes:
            kind, name, folded, key, unit = self._recipient_columns(changes["recipient"])
            columns.update(
                recipient_kind=kind,
                recipient_name=name,
                recipient_folded=folded,
                recipient_key=key,
                recipient_unit_id=unit,
            )
        for field in ("award_kind", "award_type", "period"):
            if field in changes:
                columns[field] = changes[field]
        self._update(cur, event, position, **columns)

    def _submitted(self, cur: Cursor, event: Any, position: int) -> None:
        columns = {
            "status": UNDER_REVIEW,
            "review_unit_id": sid(event.review_unit_id),
            "status_since": iso(event.timestamp),
        }
        if event.submission_id is not None:
            columns["submission_id"] = sid(event.submission_id)
        cur.execute(
            "UPDATE nominations SET round = round + 1, votes = 0 WHERE nomination_id = ?",
            (sid(event.originator_id),),
        )
        self._update(cur, event, position, **columns)

    def _vote(self, cur: Cursor, event: Any, position: int) -> None:
        # The count of distinct voters is kept by the aggregate; here we only flag activity.
        cur.execute(
            "UPDATE nominations SET votes = votes + 1 WHERE nomination_id = ?",
            (sid(event.originator_id),),
        )
        self._update(cur, event, position)

    def _closed(self, cur: Cursor, event: Any, position: int) -> None:
        if event.outcome in (REJECTED, RETURNED):  # outcomes named as the statuses they give
            status = event.outcome
        else:
            status = RECOMMENDED if event.ready_for_decision else UNDER_REVIEW
        self._update(cur, event, position, status=status, status_since=iso(event.timestamp))

    def _forwarded(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "UPDATE nominations SET round = round + 1, votes = 0 WHERE nomination_id = ?",
            (sid(event.originator_id),),
        )
        self._update(
            cur,
            event,
            position,
            status=UNDER_REVIEW,
            review_unit_id=sid(event.to_unit_id),
            status_since=iso(event.timestamp),
        )

    def _decided(self, cur: Cursor, event: Any, position: int) -> None:
        self._update(
            cur,
            event,
            position,
            status=DECIDED,
            decision_id=sid(event.decision_id),
            decision_number=event.decision_number,
            status_since=iso(event.timestamp),
        )

    def _submission(self, cur: Cursor, event: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO submissions (submission_id, number, title, submitted_on,"
            " proposing_unit_id, nomination_count, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sid(event.originator_id),
                event.number,
                event.title,
                iso(event.submitted_on),
                sid(event.proposing_unit_id),
                len(event.nomination_ids),
                event.actor,
                iso(event.timestamp),
            ),
        )
