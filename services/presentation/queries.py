"""The lists read from ``projections.queries`` as people read them: org units and the tree with
their level's name and status label, nominations with their status and award title, the work
queues with their stage's name.

``Queries`` reads through ``projections.queries.QueryRows`` and words the lists it answers; every
other query answers rows as they are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.catalog import catalog
from domain.nomination import STATUS_LABELS as NOMINATION_STATUS
from domain.org import STATUS_LABELS as UNIT_STATUS
from projections.queries import Page, QueryRows

# a work queue's stage (its nominations' status) → what the files wait for
QUEUE_STAGES = {"under_review": "Chờ Hội đồng xét", "recommended": "Chờ quyết định"}


class Queries(QueryRows):
    """``QueryRows``, with the lists that carry words worded here."""

    def units_on(self, on: date, *, parent_id: str | None = None, level: str | None = None,
                 q: str | None = None, include_ended: bool = False, page: Page | None = None
                 ) -> dict[str, Any]:
        found = super().units_on(on, parent_id=parent_id, level=level, q=q,
                                 include_ended=include_ended, page=page)
        return {**found, "items": [unit(row) for row in found["items"]]}

    def tree_on(self, on: date) -> list[dict[str, Any]]:
        return [tree(node) for node in super().tree_on(on)]

    def unit_versions(self, unit_id: str) -> list[dict[str, Any]]:
        return [unit(row) for row in super().unit_versions(unit_id)]

    def nominations(self, **filters: Any) -> dict[str, Any]:
        found = super().nominations(**filters)
        return {**found, "items": [nomination(row) for row in found["items"]]}

    def work_queues(self, today: date) -> list[dict[str, Any]]:
        return [work_queue(row) for row in super().work_queues(today)]


def unit(row: dict[str, Any]) -> dict[str, Any]:
    """An org unit's version, with its level's name and its status label."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "level":
            out["level_name"] = catalog().level(value).name
        elif key == "status":
            out["status_label"] = UNIT_STATUS[value]
    return out


def tree(node: dict[str, Any]) -> dict[str, Any]:
    """A node of the org tree and, worded the same, its children."""
    return {**unit({k: v for k, v in node.items() if k != "children"}),
            "children": [tree(child) for child in node["children"]]}


def nomination(row: dict[str, Any]) -> dict[str, Any]:
    """A nomination in a list, with its status label and its award's title."""
    return {**row, "status_label": NOMINATION_STATUS.get(row["status"], row["status"]),
            "award_title": catalog().kind(row["award_kind"]).title}


def work_queue(row: dict[str, Any]) -> dict[str, Any]:
    """A work queue, with what its files wait for."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "stage":
            out["stage_label"] = QUEUE_STAGES[value]
    return out
