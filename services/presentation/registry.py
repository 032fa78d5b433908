"""The award registry (sổ khen thưởng) as people read it: the rows of ``projections.registry``
with their labels, status names and sentences ("UBND quận Bắc Từ Liêm: 16 tập thể, 30 cá nhân,
33.840.000 đ"), one answer for the API, the pages, the CLI and the spreadsheets alike.

``Registry`` reads through ``projections.registry.RegistryRows`` and words what it reads; the
functions word rows read elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from domain.announcements import AnnouncedFigure
from domain.catalog import BODY_LABELS, RECIPIENT_LABELS, body_label, catalog, stated_title
from domain.money import format_dong
from domain.pricing import AMOUNT_SOURCE_LABELS
from projections.db import ViewDB
from projections.queries import Page
from projections.registry import ACTIVE, REVOKED, RegistryFilter, RegistryRows
from services.presentation import announcements
from services.presentation.totals import worded

LINE_STATUS_LABELS = {ACTIVE: "Có hiệu lực", REVOKED: "Đã hủy bỏ"}
FUNDING_LABELS = {
    **{body: f"Quỹ thi đua, khen thưởng của {label}" for body, label in BODY_LABELS.items()},
    "union": "Quỹ thi đua, khen thưởng của Hội",
    "government": "Quỹ thi đua, khen thưởng của cơ quan nhà nước",
}


class Registry:
    """The registry's answers: ``RegistryRows`` read, then worded here."""

    def __init__(self, db: ViewDB) -> None:
        self.rows = RegistryRows(db)
        self.db = db

    def lines(self, f: RegistryFilter, page: Page | None = None, order: str = "name"
              ) -> dict[str, Any]:
        return lines(self.rows.lines(f, page, order))

    def totals(self, f: RegistryFilter, group_by: str | None = None, level: str | None = None,
               recipients: bool = True) -> dict[str, Any]:
        """Totals worded; ``recipients=False``: lines and amounts only, fast, for charts
        (``RegistryRows.totals``)."""
        return totals(self.rows.totals(f, group_by, level, recipients))

    def recipients(self, q: str | None, page: Page | None = None) -> dict[str, Any]:
        return recipients(self.rows.recipients(q, page))

    def history(self, recipient_id: str, as_of: date | None = None) -> dict[str, Any]:
        return history(self.rows.history(recipient_id, as_of))

    def reconciliation(self, ceremony_id: str, as_of: date | None = None,
                       figures: Iterable[AnnouncedFigure] = ()) -> dict[str, Any] | None:
        found = self.rows.reconciliation(ceremony_id, as_of)
        return None if found is None else reconciliation(found, figures)

    def public_ids(self, keys: set[str]) -> dict[str, str]:
        return self.rows.public_ids(keys)

    def issuers(self) -> list[dict[str, Any]]:
        return self.rows.issuers()


# -- lines --------------------------------------------------------------------------------------


def line(row: dict[str, Any]) -> dict[str, Any]:
    """One registry line (``RegistryRows.lines``) as the answers give it."""
    decided_on = row.get("decided_on")
    kind = catalog().kind(row["award_kind"],
                          date.fromisoformat(decided_on) if decided_on else None)
    stated = row.get("award_as_stated")
    path = row["unit_path"]
    return {
        "decision_id": row["decision_id"],
        "line_no": row["line_no"],
        "recipient": {"kind": row["recipient_kind"], "name": row["recipient_name"],
                      "kind_label": RECIPIENT_LABELS[row["recipient_kind"]],
                      "key": row["recipient_id"],
                      **{k: v for k, v in row["recipient_detail"].items() if v is not None}},
        "unit_path": path,
        "unit_path_text": " – ".join(step["name"] for step in reversed(path)),
        "award_kind": kind.code,
        "award_title": stated_title(stated) if kind.stated and stated else kind.title,
        "award_as_stated": stated,
        "awaits_mapping": kind.stated,
        "award_family": row["award_family"],
        "period": row["period"],
        "amount": row["amount"],
        "amount_text": format_dong(row["amount"]),
        "amount_source": row["amount_source"],
        "amount_source_label": AMOUNT_SOURCE_LABELS.get(row["amount_source"],
                                                        row["amount_source"]),
        "explanation": row["explanation"],
        "warnings": row["warnings"],
        "nomination_id": row["nomination_id"],
        "decision": {"id": row["decision_id"], "number": row["decision_number"],
                     "decided_on": row["decided_on"], "issuer_name": row["issuer_name"],
                     "issuer_body": row["issuer_body"], "issuer_level": row["issuer_level"],
                     "issuer_body_label": body_label(row["issuer_body"]),
                     "issuer_unit_id": row["issuer_unit_id"], "signer": row["signer"],
                     "recorded_by_unit_id": row["recorded_by_unit_id"]},
        "ceremony": row["ceremony"],
        "certificate": row["certificate"],
        "status": row["status"],
        "status_label": LINE_STATUS_LABELS[row["status"]],
        "revoked_on": row["revoked_on"],
        "revocation_reason": row["revocation_reason"],
        "position": row["position"],
    }


def lines(found: dict[str, Any]) -> dict[str, Any]:
    """A page of registry lines (``RegistryRows.lines``)."""
    return {**found, "items": [line(row) for row in found["items"]]}


# -- totals -------------------------------------------------------------------------------------


def group_label(group_by: str | None, group: dict[str, Any]) -> str:
    """A group's name as people read it: a title or label for codes; a decision by its number
    and issuer ("15/QĐ-HPN — Hội LHPN quận Bắc Từ Liêm"); names as stored."""
    name = group["name"]
    if group_by == "decision":
        return f"{name} — {group['issuer_name']}"
    if group_by == "award_kind":
        return catalog().kind(name).title
    if group_by == "recipient_kind":
        return RECIPIENT_LABELS.get(name, name)
    if group_by == "amount_source":
        return AMOUNT_SOURCE_LABELS.get(name, name)
    if group_by == "funding":
        return FUNDING_LABELS.get(name, name)
    return str(name)


def totals(found: dict[str, Any]) -> dict[str, Any]:
    """Totals overall and by group (``RegistryRows.totals``), each with its summary sentence;
    groups by amount, then lines, then label."""
    groups: list[dict[str, Any]] = []
    for group in found["groups"]:
        label = group_label(found["group_by"], group)
        groups.append({"key": group["key"], "label": label, **worded(group["totals"], label)})
    groups.sort(key=lambda g: (-(g["amount"] or 0), -g["lines"], g["label"]))
    return {
        "as_of": found["as_of"],
        "as_of_position": found["as_of_position"],
        "group_by": found["group_by"],
        "total": worded(found["total"]),
        "groups": groups,
    }


# -- people and collectives ---------------------------------------------------------------------


def recipients(found: dict[str, Any]) -> dict[str, Any]:
    """A page of recipients (``RegistryRows.recipients``), each with its kind's label."""
    return {**found, "items": [
        {"key": r["key"], "kind": r["kind"], "kind_label": RECIPIENT_LABELS[r["kind"]],
         "name": r["name"], "awards": r["awards"], "birth_year": r.get("birth_year"),
         "unit_path": r.get("unit_path") or [],
         "unit_path_text": " – ".join(step["name"] for step in reversed(r.get("unit_path")
                                                                         or []))}
        for r in found["items"]
    ]}


def history(found: dict[str, Any]) -> dict[str, Any]:
    """Hồ sơ khen thưởng (``RegistryRows.history``): every award, and the total in force."""
    return {"key": found["key"], "items": [line(row) for row in found["items"]],
            "total": found["total"], "in_force": worded(found["in_force"])}


# -- ceremonies ---------------------------------------------------------------------------------


def reconciliation(found: dict[str, Any], figures: Iterable[AnnouncedFigure] = ()
                   ) -> dict[str, Any]:
    """A ceremony's announced total beside the computed one (``RegistryRows.reconciliation``),
    each written out; and each announced figure (``figures``: money, counts, with qualifier and
    source — the ceremony's, ``domain.announcements``) beside what the decisions give, with the
    sentence that says the difference (``services.presentation.announcements``)."""
    announced, computed, difference = found["announced"], found["computed"], found["difference"]
    return {
        "ceremony_id": found["ceremony_id"],
        "title": found["title"],
        "held_on": found["held_on"],
        "announced": announced,
        "announced_text": format_dong(announced) if announced is not None else None,
        "announced_source": found["announced_source"],
        "computed": computed,
        "computed_text": format_dong(computed),
        "difference": difference,
        "difference_text": format_dong(difference) if difference is not None else None,
        "lines_without_amount": found["lines_without_amount"],
        "totals": totals(found["totals"]),
        "figures": announcements.comparisons(figures, found["totals"]["total"]),
    }

