"""Emulation records as the API answers them (plain JSON): exact numbers as strings ("957.5")
beside their Vietnamese forms (``…_text``: "957,5", "13.747"), every code beside its label.

``name`` arguments are ``unit id → name`` lookups (the caller reads the tree); nothing here does
I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.catalog import catalog
from domain.emulation.cluster import (
    ASSESSMENT_MODES,
    BY_LABELS,
    PROPOSAL_STATUS_LABELS,
    Board,
    Covenant,
    EmulationCluster,
    MemberReport,
    Proposal,
)
from domain.emulation.indicators import (
    APPLIES_LABELS,
    DIRECTION_LABELS,
    MEASURE_LABELS,
    RESULT_STATUS_LABELS,
    Evaluation,
    Indicator,
    Result,
    ResultLog,
    evaluate,
    result_text,
    value_text,
    vi_number,
)
from domain.emulation.movement import STATUS_LABELS as MOVEMENT_STATUS_LABELS
from domain.emulation.movement import Movement, MovementBoard, MovementRegistration
from domain.emulation.registration import STATUS_LABELS as REGISTRATION_STATUS_LABELS
from domain.emulation.registration import TitleRegistration
from domain.emulation.scoring import PER_LABELS, Rank, Total
from domain.errors import DomainError
from services.emulation.common import pair

Name = Callable[[Any], str]
KIND_LABELS = {"reported": "báo cáo", "corrected": "điều chỉnh"}


def award_title(code: str) -> str:
    try:
        return catalog().kind(code).title
    except DomainError:  # a kind retired since: its code
        return code


# -- indicators and results ---------------------------------------------------------------------


def indicator(item: Indicator) -> dict[str, Any]:
    return {**item.as_dict(), "measure_label": MEASURE_LABELS[item.measure],
            "direction_label": DIRECTION_LABELS[item.direction],
            "applies_label": APPLIES_LABELS[item.applies], "target_text": item.target_text,
            "max_points_text": vi_number(item.points)}


def files(found: Result | None, url: str | None = None) -> list[dict[str, Any]]:
    """A result's evidence files (``url``: the evidence path of its report, for the links)."""
    from services.emulation.evidence import file_view

    return [file_view(f, url) for f in found.files] if found else []


def result(item: Indicator, found: Result | None) -> dict[str, Any]:
    """A result as shown: the value, its text, the evaluation against ``item``."""
    evaluation = evaluate(item, found)
    return {"value": found.value if found else None,
            "value_text": value_text(item, found.value) if found else "—",
            "cases_occurred": found.cases_occurred if found else None,
            "outcome": found.outcome if found else None,
            "evidence": found.evidence if found else "",
            "text": result_text(item, found), "evaluation": evaluation,
            "evaluation_label": Evaluation.LABELS[evaluation]}


def results(log: ResultLog | None, items: Iterable[Indicator],
            evidence_url: str | None = None) -> list[dict[str, Any]]:
    """Each indicator's current result with every earlier version (``log``: a member report or
    a movement registration; ``items``: the indicators as they apply to it), each with its
    evidence files (``files``: name, type, size, ``ref``; ``url`` under ``evidence_url``)."""
    out = []
    for item in items:
        status = log.result_status(item.code) if log is not None else None
        history = []
        for version in (log.result_history(item.code) if log is not None else []):
            found = Result.from_dict(version["result"])
            history.append({"kind": version["kind"], "kind_label": KIND_LABELS.get(
                version["kind"], version["kind"]), "actor": version["actor"],
                "reason": version["reason"], **result(item, found),
                "files": files(found, evidence_url)})
        entry = log.results.get(item.code) if log is not None else None
        current = log.result(item.code) if log is not None else None
        out.append({"indicator_code": item.code, "indicator_text": item.text,
                    "target_text": item.target_text, "status": status,
                    "status_label": RESULT_STATUS_LABELS.get(status, "chưa báo cáo")
                    if status else "chưa báo cáo",
                    "confirmed_by": entry.get("confirmed_by") if entry else None,
                    **result(item, current), "files": files(current, evidence_url),
                    "history": history})
    return out


# -- clusters -----------------------------------------------------------------------------------


def cluster(found: EmulationCluster, name: Name) -> dict[str, Any]:
    years = []
    for year in found.years_set:
        members = found.members_in(year)
        lead = found.lead_in(year)
        years.append({
            "year": year, "lead_unit_id": str(lead), "lead_name": found.member_name(year, lead),
            "leads": [{"unit_id": item["unit_id"], "from": item["from"],
                       "name": found.member_name(year, item["unit_id"])}
                      for item in found.lead_history(year)],
            "member_count": len(members),
            "active_count": sum(1 for m in members if m.active_on(None)),
            "members": [{**m.as_dict(), "active": m.active_on(None),
                         "unit_name": name(m.unit_id)} for m in members]})
    return {"id": str(found.id), "version": found.version, "name": found.name,
            "kind": found.kind, "kind_label": found.kind_label,
            "managing_unit_id": str(found.managing_unit_id),
            "managing_unit_name": name(found.managing_unit_id), "years": years}


def points_table(found: Covenant) -> dict[str, Any]:
    table = found.points_table
    return {"scored": table.scored,
            "items": [{**i.as_dict(), "max_points_text": vi_number(i.max_points)}
                      for i in table.items],
            "deductions": [{**d.as_dict(), "points_text": vi_number(d.points),
                            "per_label": PER_LABELS[d.per]} for d in table.deductions],
            **pair("total_max", table.total_max)}


def covenant(found: Covenant, owner: EmulationCluster) -> dict[str, Any]:
    year = found.year
    members = owner.members_in(year) if str(year) in owner.years else []
    return {
        "id": str(found.id), "version": found.version, "cluster_id": str(owner.id),
        "cluster_name": owner.name, "year": year, "title": found.title,
        "status": found.status, "status_label": found.status_label,
        "indicators": [indicator(i) for i in found.indicators],
        "points_table": points_table(found),
        "thresholds": [{**t.as_dict(), "minimum_text": vi_number(t.minimum)}
                       for t in found.thresholds],
        "assessment_mode": found.assessment_mode,
        "assessment_mode_label": ASSESSMENT_MODES[found.assessment_mode],
        "proposal_rules": [{**r.as_dict(), "award_title": award_title(r.award_kind)}
                           for r in found.proposal_rules],
        "proposal_cap": found.proposal_cap,
        "stated_totals": [{**s.as_dict(), "value_text": vi_number(Decimal(s.value)),
                           "text": s.text} for s in found.stated_totals],
        "signatures": [{"unit_id": unit, "name": owner.member_name(year, unit), **signed}
                       for unit, signed in found.signatures.items()],
        "unsigned": [{"unit_id": str(m.unit_id), "name": m.name} for m in members
                     if m.active_on(None) and not found.is_signed(m.unit_id)],
        "opened_on": found.opened_on.isoformat() if found.opened_on else None,
        "closed_on": found.closed_on.isoformat() if found.closed_on else None,
        "results_started": found.results_started, "scoring_started": found.scoring_started,
        "nominations": [{**link, "name": owner.member_name(year, link["unit_id"]),
                         "award_title": award_title(link["award_kind"])}
                        for link in found.nominated.values()],
    }


def total(found: Total | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {**found.as_dict(), **pair("points", found.points), **pair("scored", found.scored),
            **pair("deducted", found.deducted), **pair("maximum", found.maximum)}


def report(found: MemberReport | None, owner: Covenant, group: EmulationCluster,
           unit_id: UUID, name: Name) -> dict[str, Any]:
    """A member's report: results with their history, every score given, the agreed scores
    with theirs, deductions, the total (a scored covenant). A member that has reported nothing
    yet has an empty report (``id`` None)."""
    year = owner.year
    table = owner.points_table
    scores = []
    for item in table.items:
        given = [{**s, **pair("points", Decimal(s["points"])), "by_label": BY_LABELS[s["by"]],
                  "assessor_name": group.member_name(year, s["assessor_unit_id"])}
                 for s in (found.scores_for(item.code) if found else [])]
        agreed = found.agreed_points(item.code) if found else None
        scores.append({"item_code": item.code, "item_text": item.text,
                       **pair("max_points", item.max_points), "given": given,
                       **pair("agreed", agreed),
                       "agreed_history": [{**a, **pair("points", Decimal(a["points"]))}
                                          for a in (found.agreed_history(item.code)
                                                    if found else [])]})
    deductions = []
    for rule in table.deductions:
        times = found.deduction_times().get(rule.code, 0) if found else 0
        deductions.append({"rule_code": rule.code, "text": rule.text, "times": times,
                           **pair("amount", rule.amount(times)),
                           "reason": found.deductions.get(rule.code, {}).get("reason", "")
                           if found else ""})
    return {
        "id": str(found.id) if found else None, "version": found.version if found else 0,
        "covenant_id": str(owner.id), "cluster_id": str(group.id), "year": year,
        "unit_id": str(unit_id), "name": group.member_name(year, unit_id),
        "unit_name": name(unit_id), "signed": owner.is_signed(unit_id),
        "results": results(found, owner.indicators,
                           f"/api/emulation/clusters/{group.id}/covenants/{year}/reports/"
                           f"{unit_id}/evidence"), "scores": scores,
        "deductions": deductions,
        "deduction_history": list(found.deduction_history) if found else [],
        "total": total(found.total(owner) if found else None) if table.scored else None,
    }


def _rank(entry: Rank | None, names: dict[Any, str]) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"position": entry.position, "position_text": entry.position_text,
            **pair("total", entry.total), "tied_with": [names[m] for m in entry.tied_with]}


def board(grid: Board, owner: Covenant, group: EmulationCluster) -> dict[str, Any]:
    """Members × indicators: each cell's value and evaluation, each column's counts ("8/9",
    "4/9 tỉnh có trường hợp xảy ra", sums), figures stated for the whole cluster beside the
    members' sum, totals, ranking and classes (a scored covenant)."""
    names = {row.unit_id: row.name for row in grid.rows}
    columns = []
    for column in grid.columns:
        stated = [{**view.stated.as_dict(), "text": view.stated.text,
                   "value_text": vi_number(Decimal(view.stated.value)),
                   **pair("member_sum", view.member_sum),
                   "member_sum_text": view.member_sum_text,
                   **pair("difference", view.difference),
                   "summary": view.text} for view in column.stated]
        count = column.count.as_dict()
        columns.append({**indicator(column.indicator),
                        "count": {**count, "sum_value_text": vi_number(column.count.sum)
                                  if column.count.sum is not None else "—"},
                        "stated": stated})
    rows = []
    for row in grid.rows:
        cells = {code: {**result(cell.indicator, cell.result), "status": cell.status,
                        "status_label": RESULT_STATUS_LABELS.get(cell.status or "",
                                                                 "chưa báo cáo")}
                 for code, cell in row.cells.items()}
        rows.append({"unit_id": str(row.unit_id), "name": row.name, "cells": cells,
                     "achieved": sum(1 for c in row.cells.values()
                                     if Evaluation.achieved(c.evaluation)),
                     "total": total(row.total), "rank": _rank(row.rank, names),
                     "classification": {**row.classification.as_dict(),
                                        "minimum_text": vi_number(row.classification.minimum)}
                     if row.classification else None})
    return {"covenant_id": str(grid.covenant_id), "cluster_id": str(group.id),
            "cluster_name": group.name, "kind_label": group.kind_label, "title": owner.title,
            "year": grid.year, "status": owner.status, "status_label": owner.status_label,
            "noun": grid.noun, "members": len(grid.rows),
            "scored": owner.points_table.scored, "indicators": columns, "rows": rows,
            "ranking": [{"unit_id": str(r.member), "name": names[r.member],
                         **(_rank(r, names) or {})} for r in grid.ranking]}


def proposals(items: list[Proposal], owner: Covenant, group: EmulationCluster,
              members: int) -> dict[str, Any]:
    return {"covenant_id": str(owner.id), "cluster_id": str(group.id), "year": owner.year,
            "status": owner.status, "proposal_cap": owner.proposal_cap, "members": members,
            "items": [{"unit_id": str(p.unit_id), "name": p.name, "award_kind": p.award_kind,
                       "award_title": award_title(p.award_kind), "rank": p.rank,
                       **pair("total", p.total), "status": p.status,
                       "status_label": PROPOSAL_STATUS_LABELS[p.status], "reason": p.reason,
                       "nomination_id": (owner.nomination_for(p.unit_id) or {}).get(
                           "nomination_id")}
                      for p in items]}


# -- movements ----------------------------------------------------------------------------------


def movement(found: Movement, names: dict[UUID, str], name: Name,
             registered: Iterable[UUID] = ()) -> dict[str, Any]:
    done = {str(u) for u in registered}
    return {"id": str(found.id), "version": found.version, "title": found.title,
            "unit_id": str(found.unit_id), "unit_name": name(found.unit_id),
            "starts_on": found.starts_on.isoformat(), "ends_on": found.ends_on.isoformat(),
            "year": found.year, "period_text": found.period_text, "status": found.status,
            "status_label": MOVEMENT_STATUS_LABELS[found.status],
            "closed_on": found.closed_on.isoformat() if found.closed_on else None,
            "own_targets_allowed": found.own_targets_allowed,
            "results_started": found.results_started,
            "indicators": [indicator(i) for i in found.indicators],
            "participants": [{"unit_id": str(u), "name": names.get(u, str(u)),
                              "registered": str(u) in done} for u in found.participant_ids]}


def movement_registration(found: MovementRegistration, owner: Movement,
                          name: str) -> dict[str, Any]:
    own = {code: {"target": target,
                  "target_text": owner.indicator(code).with_target(target).target_text}
           for code, target in found.targets.items()}
    return {"id": str(found.id), "version": found.version, "movement_id": str(owner.id),
            "unit_id": str(found.unit_id), "name": name, "pledge": found.pledge,
            "targets": own,
            "results": results(found, [found.indicator_for(owner, i.code)
                                       for i in owner.indicators],
                               f"/api/emulation/movements/{owner.id}/registrations/"
                               f"{found.unit_id}/evidence")}


def movement_board(found: Movement, grid: MovementBoard,
                   registrations: list[MovementRegistration],
                   names: dict[UUID, str]) -> dict[str, Any]:
    by_unit = {r.unit_id: r for r in registrations}
    rows = []
    for unit, unit_name in names.items():
        registration = by_unit.get(unit)
        cells = {}
        for item in found.indicators:
            own = registration.indicator_for(found, item.code) if registration else item
            cells[item.code] = {**result(own, registration.result(item.code)
                                         if registration else None),
                                "target_text": own.target_text,
                                "status": registration.result_status(item.code)
                                if registration else None}
        rows.append({"unit_id": str(unit), "name": unit_name,
                     "registered": registration is not None, "cells": cells})
    return {"movement_id": str(found.id), "title": found.title,
            "period_text": found.period_text, "status": found.status,
            "participants": len(names),
            "indicators": [{**indicator(c.indicator), "count": c.as_dict()}
                           for c in grid.counts],
            "rows": rows, "unregistered": list(grid.unregistered)}


# -- title registrations ------------------------------------------------------------------------


def title_registration(found: TitleRegistration, unit_name: str) -> dict[str, Any]:
    return {"id": str(found.id), "version": found.version, "unit_id": str(found.unit_id),
            "unit_name": unit_name, "year": found.year, "status": found.status,
            "status_label": REGISTRATION_STATUS_LABELS[found.status],
            "closed_on": found.closed_on.isoformat() if found.closed_on else None,
            "entries": [{**entry, "award_title": award_title(entry["award_kind"]),
                         "nomination_id": entry.get("nomination_id")}
                        for entry in found.entries]}
