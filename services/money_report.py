"""Recorded amounts against the schedules known now: which computed lines would come out
differently today.

A decision keeps the amount it recorded: the record is what was decided, and a later schedule
never changes it. But an office that computed a decision before it learned of a new base salary
(the 2.530.000 đ of 2026-07-01 was shipped months after) must be able to find the lines it
underpaid, and correct them by a new decision. This report recomputes each computed line in force
with the schedules as they stand, for the line's own date, issuer and recipient kind, and lists
the lines whose amount differs. Nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.calculator import INTERNAL, LEGAL, Quote
from domain.catalog import RECIPIENT_LABELS, catalog
from domain.decision import Issuer
from domain.money import format_dong
from domain.pricing import highest_title_groups
from services.app import Runtime
from services.authz import Actor
from services.read_policy import office_reader


@dataclass(frozen=True)
class PricedRow:
    """A registry line recomputed now, as the "highest title only" policy reads it."""

    line_no: int
    recipient_key: str
    period: str
    award_kind: str
    amount_source: str
    amount: int | None


def schedule_differences(
    rt: Runtime, actor: Actor, *, year: int | None = None, issuer_unit_id: UUID | None = None,
    limit: int = 100, offset: int = 0,
) -> dict[str, Any]:
    visible = office_reader(rt, actor)  # the awards office of the recording unit
    rows = [row for row in rt.queries.computed_lines(
        year=year, issuer_unit_id=str(issuer_unit_id) if issuer_unit_id else None)
        if visible(row["recorded_by_unit_id"])]
    schedules = rt.app.schedules.money_schedules()
    pricers: dict[tuple[str, str, str, str, str | None, str], Any] = {}

    def quote_for(row: dict[str, Any]) -> Quote:
        on = date.fromisoformat(str(row["decided_on"])[:10])
        key = (row["issuer_body"], row["issuer_level"], row["issuer_name"],
               str(row["issuer_unit_id"] or ""), row["issuer_key"], on.isoformat())
        if key not in pricers:
            issuer = Issuer(body=row["issuer_body"], level=row["issuer_level"],
                            name=row["issuer_name"],
                            unit_id=UUID(row["issuer_unit_id"]) if row["issuer_unit_id"] else None)
            pricers[key] = rt.app.schedules.pricer(issuer, on)[0]
        return pricers[key](row["award_kind"], row["recipient_kind"])

    # Recompute every line; then, decision by decision, the "only the highest title" policy as
    # it stands now (its unpaid lines are 0 đ, as when the decision was computed).
    recomputed: list[dict[str, Any]] = []
    for row in rows:
        q = quote_for(row)
        recomputed.append({
            **row, "quote": q, "line_no": int(row["line_no"]),
            "amount": q.amount, "amount_source": q.source if q.amount is not None else "none",
        })
    if schedules.highest_title_only:
        by_decision: dict[str, list[dict[str, Any]]] = {}
        for line in recomputed:
            by_decision.setdefault(line["decision_id"], []).append(line)
        for lines in by_decision.values():
            unpaid = highest_title_groups([PricedRow(
                line_no=line["line_no"], recipient_key=line["recipient_key"],
                period=line["period"], award_kind=line["award_kind"],
                amount_source=line["amount_source"], amount=line["amount"]) for line in lines])
            for line in lines:
                if line["line_no"] in unpaid:
                    line["amount"] = 0
    items = []
    total_recorded = total_now = 0
    for row, line in zip(rows, recomputed, strict=True):
        recorded = int(row["amount"]) if row["amount"] is not None else None
        now = line["amount"]
        if now == recorded:
            continue
        q: Quote = line["quote"]
        total_recorded += recorded or 0
        total_now += now or 0
        items.append({
            "decision_id": row["decision_id"],
            "decision_number": row["decision_number"],
            "decided_on": str(row["decided_on"])[:10],
            "issuer_name": row["issuer_name"],
            "line_no": int(row["line_no"]),
            "recipient_name": row["recipient_name"],
            "recipient_kind": row["recipient_kind"],
            "recipient_kind_label": RECIPIENT_LABELS.get(row["recipient_kind"], ""),
            "award_kind": row["award_kind"],
            "award_title": catalog().kind(row["award_kind"]).title,
            "recorded_amount": recorded,
            "recorded_amount_text": format_dong(recorded) if recorded is not None else None,
            "recorded_explanation": row["explanation"],
            "amount_now": now,
            "amount_now_text": format_dong(now) if now is not None else None,
            "difference": (now - recorded) if now is not None and recorded is not None else None,
            "explanation_now": q.explanation,
            "source_now": q.source if q.source in (LEGAL, INTERNAL) else None,
        })
    page = items[offset:offset + limit]
    for item in page:
        if item["difference"] is not None:
            item["difference_text"] = format_dong(abs(item["difference"]))
    return {
        "schedule_version": schedules.version,
        "lines_checked": len(rows),
        "total": len(items),
        "recorded_total": total_recorded,
        "now_total": total_now,
        "difference_total": total_now - total_recorded,
        "difference_total_text": format_dong(abs(total_now - total_recorded)),
        "items": page,
        "limit": limit,
        "offset": offset,
    }
