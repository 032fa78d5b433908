"""Scoring a cluster year in the pages (issue 19), where the covenant has a points table
(thang điểm): on a member's report (``…/{year}/reports/{unit_id}``, ``pages_cluster_reports``)
the section «Chấm điểm» (``_emulation_scores.html``) shows each item with its maximum, the
member's self score, the cross scores (by whom), the lead's score, the agreed score and the
history (when, who, what, why); the deductions; the total and its class. Its forms, for whoever
may act:

* ``POST …/scores/{item}/self``: the member's office scores itself;
* ``POST …/scores/{item}/cross``: the office of another member scores it (the covenant in
  cross mode), the assessor chosen among the members the user's office covers;
* ``POST …/scores/{item}/lead``: the lead's office scores it (the covenant in lead mode);
* ``POST …/scores/{item}/agree/check`` → the check page (the agreed score and the total
  before → after) → ``POST …/scores/{item}/agree``: the lead's office records the agreed score
  (with a reason when it differs from the latest score given or replaces one);
* ``POST …/deductions/{rule}/check`` → the check page → ``POST …/deductions/{rule}``: the
  lead's office sets how many times a deduction applies (0 lifts it), with a reason.

``GET /emulation/clusters/{id}/{year}/scores/cross`` («Chấm chéo»): for an assessing member's
office, the members it scores and how far it got.

Who may act is the service's rule (``services.emulation.clusters``); the section asks it first
(``office``) to offer a form, the handlers ``require`` it before reading one: whoever may not act
gets the 403 page and nothing is recorded. A check page runs the domain's command on the
report as loaded, never saved, so it refuses exactly what recording would and says the total
it would give.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import pass_context

from domain.emulation.cluster import (
    ASSESSMENT_MODES,
    BY_LABELS,
    CROSS,
    LEAD,
    OPEN,
    SELF,
    Covenant,
    EmulationCluster,
    MemberReport,
)
from domain.emulation.scoring import MAX_TIMES, ONCE, PER_LABELS, Total, classify, points_text
from domain.errors import DomainError, NotFound
from services.app import Runtime
from services.authz import Actor
from services.emulation.common import require
from services.http.deps import RuntimeDep
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    FORM,
    ResultLogPage,
    office,
    page_id,
    page_year,
    posted,
    recorded,
    refused,
    show,
    typed_number,
)
from services.web.pages_cluster_reports import REPORT, report_log
from services.web.pages_emulation import BOARD, lead_of
from services.web.routing import page_router
from services.web.templating import local_time, render, templates

router = page_router()
GIVEN = (SELF, CROSS, LEAD)  # the scores a form gives; ``agree`` is the lead's agreed score
BY_FORMS = (*GIVEN, "agree")
# -- what the section shows and offers -----------------------------------------------------------


def _loaded(rt: Runtime, log: ResultLogPage
            ) -> tuple[EmulationCluster, Covenant, MemberReport | None]:
    clusters = rt.app.emulation.clusters
    cluster = clusters.cluster(log.extra["cluster_id"])
    covenant = clusters.covenant(cluster, log.extra["year"])
    return cluster, covenant, clusters.report_or_none(covenant, log.unit_id)


def assessors(rt: Runtime, actor: Actor, cluster: EmulationCluster, year: int,
              unit_id: UUID | None = None) -> list[dict[str, str]]:
    """The members (other than ``unit_id``) whose office the user is: those she cross-scores
    for, in the roster's order."""
    return [{"unit_id": str(m.unit_id), "name": m.name} for m in cluster.active_members(year)
            if m.unit_id != unit_id and office(rt, actor, [m.unit_id])]


def _history(events: list[Any], cluster: EmulationCluster, covenant: Covenant
             ) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Each item's scores and agreed scores as recorded, and the deductions, oldest first:
    when (local time), who, what, the points (agreed: before → after), the note or reason."""
    year = covenant.year
    items: dict[str, list[dict[str, Any]]] = {}
    deductions: list[dict[str, Any]] = []
    agreed: dict[str, str] = {}
    times: dict[str, int] = {}
    rules = {d.code: d for d in covenant.points_table.deductions}
    for event in events:
        kind = type(event).__name__
        at = {"at": local_time(event.timestamp), "by": getattr(event, "actor", "")}
        if kind == "Scored":
            items.setdefault(event.item_code, []).append({
                **at, "label": BY_LABELS.get(event.by, event.by),
                "who": cluster.member_name(year, event.assessor_unit_id),
                "points": points_text(Decimal(event.points)), "note": event.note})
        elif kind == "Agreed":
            before = agreed.get(event.item_code)
            items.setdefault(event.item_code, []).append({
                **at, "label": "thống nhất điểm", "who": "",
                "before": points_text(Decimal(before)) if before is not None else "—",
                "points": points_text(Decimal(event.points)), "note": event.reason})
            agreed[event.item_code] = event.points
        elif kind == "Deducted":
            rule = rules.get(event.rule_code)
            deductions.append({
                **at, "text": rule.text if rule else event.rule_code,
                "before": times.get(event.rule_code, 0), "times": event.times,
                "amount": points_text(rule.amount(event.times)) if rule else "—",
                "reason": event.reason})
            times[event.rule_code] = event.times
    return items, deductions


def _latest(given: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """The latest score of each assessor for ``by`` (self, cross, lead), in order of first
    scoring; how many times each scored."""
    out: dict[str, dict[str, Any]] = {}
    for score in given:
        if score["by"] == by:
            earlier = out.get(score["assessor_unit_id"])
            out[score["assessor_unit_id"]] = {**score,
                                              "times": earlier["times"] + 1 if earlier else 1}
    return list(out.values())


def scoring(rt: Runtime, actor: Actor, log: ResultLogPage) -> dict[str, Any]:
    """The scores section of a member's report: each item (maximum, self, cross and lead
    scores, agreed score, history), the deductions, the total and its class, and the forms
    the user may use."""
    cluster, covenant, found = _loaded(rt, log)
    year, unit = covenant.year, log.unit_id
    lead = lead_of(cluster, year)
    mode = covenant.assessment_mode
    accepting = covenant.status == OPEN and covenant.is_signed(unit)
    is_lead = office(rt, actor, [lead])
    mine = assessors(rt, actor, cluster, year) if mode == CROSS else []
    shown = log.extra["report"]
    item_history, deduction_history = _history(
        rt.app.history(found.id) if found is not None else [], cluster, covenant)
    items = []
    for score in shown["scores"]:
        given = score["given"]
        items.append({**score, "self": _latest(given, SELF), "cross": _latest(given, CROSS),
                      "lead": _latest(given, LEAD),
                      "history": item_history.get(score["item_code"], [])})
    rules = {d.code: d for d in covenant.points_table.deductions}
    deductions = [{**d, "points_text": points_text(rules[d["rule_code"]].points),
                   "per": rules[d["rule_code"]].per,
                   "per_label": PER_LABELS[rules[d["rule_code"]].per],
                   "most": 1 if rules[d["rule_code"]].per == ONCE else MAX_TIMES}
                  for d in shown["deductions"]]
    total = found.total(covenant) if found is not None else None
    klass = classify(total.points, covenant.thresholds) if total and covenant.thresholds \
        else None
    choices = [a for a in mine if a["unit_id"] != str(unit)]
    return {
        "mode": mode, "mode_label": ASSESSMENT_MODES[mode], "accepting": accepting,
        "items": items, "deductions": deductions, "deduction_history": deduction_history,
        "class_label": klass.label if klass else None,
        "lead_name": cluster.member_name(year, lead) if lead else "—",
        "may_self": accepting and office(rt, actor, [unit]),
        "assessors": choices if accepting else [],
        "may_lead": accepting and mode == LEAD and is_lead,
        "may_agree": accepting and is_lead,
        "may_deduct": accepting and is_lead and bool(deductions),
        "cross_list": f"/emulation/clusters/{cluster.id}/{year}/scores/cross"
        if mode == CROSS and mine else None,
    }


@pass_context
def cluster_scoring(context: Any) -> dict[str, Any]:
    """For ``_emulation_scores.html``: ``scoring`` of the page's report for the signed-in user
    (the report page's context has the log, the user and the request)."""
    rt = context["request"].app.state.runtime
    return scoring(rt, context["actor"], context["log"])


templates.env.globals["cluster_scoring"] = cluster_scoring


# -- what people type ----------------------------------------------------------------------------


def points_typed(form: FORM) -> str:
    """Points as offices type them: "95", "957,5", "957.5", "1.000" (``typed_number``); the
    domain checks the rest (one decimal place, within the item's maximum)."""
    return typed_number(form.get("points"))


def times_typed(form: FORM) -> int | None:
    text = str(form.get("times") or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _item(log: ResultLogPage, item: str) -> dict[str, Any]:
    for score in log.extra["report"]["scores"]:
        if score["item_code"] == item:
            return score
    raise NotFound(what=f"mục chấm điểm «{item[:16]}»")


def _rule(log: ResultLogPage, rule: str) -> dict[str, Any]:
    for deduction in log.extra["report"]["deductions"]:
        if deduction["rule_code"] == rule:
            return deduction
    raise NotFound(what=f"mục trừ điểm «{rule[:16]}»")


def _again(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage, field: str,
           form: FORM, errors: dict[str, str], status: int) -> HTMLResponse:
    """The report again with the form as typed (and its error)."""
    log.extra["score_forms"] = {field: form}
    return show(request, rt, actor, log, errors=errors, status=status)


def _refusal(error: DomainError, errors: dict[str, str], field: str, reason: str = "") -> int:
    """A refusal of the domain: a score or a count at its field, a missing reason at the
    reason's, the rest on top; the person's (403) goes to the error page."""
    where = {"ScoreInvalid": field, "ReasonRequired": reason or field}.get(
        type(error).__name__, "_")
    return refused(error, errors, where)


# -- a score given (self, cross, lead) or agreed -------------------------------------------------


def _who(rt: Runtime, actor: Actor, log: ResultLogPage, by: str) -> list[dict[str, str]]:
    """Requires the user may give ``by``'s score; for a cross score, the members she may
    score as."""
    cluster, covenant, _ = _loaded(rt, log)
    lead = lead_of(cluster, covenant.year)
    if by == SELF:
        require(rt.app.authz, actor, [log.unit_id])
        return []
    if by == CROSS:
        members = [m.unit_id for m in cluster.active_members(covenant.year)
                   if m.unit_id != log.unit_id]
        require(rt.app.authz, actor, members)
        return assessors(rt, actor, cluster, covenant.year, log.unit_id)
    require(rt.app.authz, actor, [lead])
    return []


@router.post(REPORT + "/scores/{item}/{by}")
async def score(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                year: str, unit_id: str, item: str, by: str):
    """``by``: ``self``, ``cross`` or ``lead`` record a score given; ``agree`` records the
    agreed score (what the check page sends)."""
    log = report_log(rt, actor, cluster_id, year, unit_id)
    if by not in BY_FORMS:
        raise NotFound(what="trang này")
    choices = _who(rt, actor, log, by)
    item = _item(log, item)["item_code"]
    form = await posted(request)
    field = f"points-{by}-{item}"
    errors: dict[str, str] = {}
    points = points_typed(form)
    if not points:
        errors[field] = f"Mục {item}: cần ghi số điểm, ví dụ 95 hoặc 92,5"
    assessor = None
    if by == CROSS:
        assessor = str(form.get("assessor") or "") or (
            choices[0]["unit_id"] if len(choices) == 1 else "")
        if assessor not in {c["unit_id"] for c in choices}:
            errors[f"assessor-{item}"] = "Chọn đơn vị chấm chéo"
    if errors:
        return _again(request, rt, actor, log, field, form, errors, 422)
    clusters = rt.app.emulation.clusters
    cid, year_ = log.extra["cluster_id"], log.extra["year"]
    try:
        if by == "agree":
            saved = clusters.agree(actor, cid, year_, log.unit_id, item, points=points,
                                   reason=str(form.get("note") or ""))
        else:
            saved = clusters.score(actor, cid, year_, log.unit_id, item, points=points, by=by,
                                   assessor_unit_id=assessor, note=str(form.get("note") or ""))
    except DomainError as error:
        status = _refusal(error, errors, field, f"note-{by}-{item}")
        return _again(request, rt, actor, log, field, form, errors, status)
    done = "agreed" if by == "agree" else "scored"
    return recorded(rt, saved, f"{log.base}?done={done}&code={item}#diem-{item}")


def _dry_run(rt: Runtime, actor: Actor, log: ResultLogPage,
             change: Callable[[MemberReport, Covenant], bool]
             ) -> tuple[Total, Total, bool, Covenant]:
    """``change`` run on the report as loaded (started when there is none), never saved: the
    total before and after, whether anything changed. Raises what recording would."""
    cluster, covenant, found = _loaded(rt, log)
    report = found or MemberReport.start(covenant, cluster, log.unit_id, actor.username)
    before = report.total(covenant)
    changed = change(report, covenant)
    return before, report.total(covenant), changed, covenant


def _check_page(request: Request, rt: Runtime, actor: Actor, log: ResultLogPage,
                context: dict[str, Any], before: Total, after: Total,
                covenant: Covenant) -> HTMLResponse:
    def klass(total: Total) -> str | None:
        found = classify(total.points, covenant.thresholds) if covenant.thresholds else None
        return found.label if found else ("—" if covenant.thresholds else None)

    return render(request, "emulation_score_check.html", {
        "log": log, **context, "before": before, "after": after,
        "class_before": klass(before), "class_after": klass(after)}, 200, actor)


@router.post(REPORT + "/scores/{item}/agree/check", response_class=HTMLResponse)
async def agree_check(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                      year: str, unit_id: str, item: str):
    log = report_log(rt, actor, cluster_id, year, unit_id)
    _who(rt, actor, log, "agree")
    shown = _item(log, item)
    item = shown["item_code"]
    form = await posted(request)
    field = f"points-agree-{item}"
    errors: dict[str, str] = {}
    if form.get("edit"):
        return _again(request, rt, actor, log, field, form, errors, 200)
    points = points_typed(form)
    if not points:
        errors[field] = f"Mục {item}: cần ghi số điểm thống nhất, ví dụ 95 hoặc 92,5"
        return _again(request, rt, actor, log, field, form, errors, 422)
    reason = str(form.get("note") or "")
    try:
        before, after, changed, covenant = _dry_run(
            rt, actor, log, lambda r, c: r.agree(c, item, points, actor=actor.username,
                                                 reason=reason))
    except DomainError as error:
        status = _refusal(error, errors, field, f"note-agree-{item}")
        return _again(request, rt, actor, log, field, form, errors, status)
    if not changed:
        errors[field] = (f"Mục {item}: điểm thống nhất đã là {shown['agreed_text']}, không có "
                         "gì thay đổi")
        return _again(request, rt, actor, log, field, form, errors, 422)
    new = covenant.points_table.item(item)
    return _check_page(request, rt, actor, log, {
        "kind": "agree", "item": shown, "action": f"{log.base}/scores/{item}/agree",
        "old": shown["agreed_text"] if shown["agreed"] is not None else "chưa có",
        "new": points_text(Decimal(points.replace(",", "."))),
        "max_text": points_text(new.max_points), "reason": reason,
        "hidden": {"points": points, "note": reason}}, before, after, covenant)


# -- deductions ----------------------------------------------------------------------------------


@router.post(REPORT + "/deductions/{rule}/check", response_class=HTMLResponse)
async def deduction_check(request: Request, rt: RuntimeDep, actor: SignedInDep,
                          cluster_id: str, year: str, unit_id: str, rule: str):
    return await _deduction(request, rt, actor, cluster_id, year, unit_id, rule, record=False)


@router.post(REPORT + "/deductions/{rule}")
async def deduction(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                    year: str, unit_id: str, rule: str):
    return await _deduction(request, rt, actor, cluster_id, year, unit_id, rule, record=True)


async def _deduction(request: Request, rt: Runtime, actor: Actor, cluster_id: str, year: str,
                     unit_id: str, rule: str, *, record: bool) -> Any:
    log = report_log(rt, actor, cluster_id, year, unit_id)
    _who(rt, actor, log, "deduct")
    shown = _rule(log, rule)
    rule = shown["rule_code"]
    form = await posted(request)
    field = f"times-{rule}"
    errors: dict[str, str] = {}
    if form.get("edit"):
        return _again(request, rt, actor, log, field, form, errors, 200)
    times = times_typed(form)
    if times is None:
        errors[field] = (f"«{shown['text']}»: số lần trừ điểm là số nguyên, ví dụ 2 (0: bỏ "
                         "trừ điểm)")
    reason = str(form.get("reason") or "")
    if not reason.strip():
        errors[f"reason-{rule}"] = (f"Cần ghi lý do trừ điểm «{shown['text']}», ví dụ «Báo "
                                    "cáo 6 tháng gửi chậm 5 ngày»")
    if errors or times is None:
        return _again(request, rt, actor, log, field, form, errors, 422)
    if record:
        try:
            saved = rt.app.emulation.clusters.deduct(
                actor, log.extra["cluster_id"], log.extra["year"], log.unit_id, rule,
                times=times, reason=reason)
        except DomainError as error:
            status = _refusal(error, errors, field, f"reason-{rule}")
            return _again(request, rt, actor, log, field, form, errors, status)
        return recorded(rt, saved, f"{log.base}?done=deducted&code={rule}#tru-diem")
    count = times
    try:
        before, after, changed, covenant = _dry_run(
            rt, actor, log, lambda r, c: r.deduct(c, rule, count, reason=reason,
                                                  actor=actor.username))
    except DomainError as error:
        status = _refusal(error, errors, field, f"reason-{rule}")
        return _again(request, rt, actor, log, field, form, errors, status)
    if not changed:
        errors[field] = f"«{shown['text']}» đang trừ {times} lần: không có gì thay đổi"
        return _again(request, rt, actor, log, field, form, errors, 422)
    found = covenant.points_table.deduction(rule)
    return _check_page(request, rt, actor, log, {
        "kind": "deduct", "rule": shown, "action": f"{log.base}/deductions/{rule}",
        "old": shown["times"], "new": times, "per_text": points_text(found.points),
        "per_label": PER_LABELS[found.per],
        "amount_old": shown["amount_text"], "amount_new": points_text(found.amount(times)),
        "reason": reason, "hidden": {"times": str(times), "reason": reason}},
        before, after, covenant)


# -- «Chấm chéo»: what an assessing member's office scores ---------------------------------------


@router.get(BOARD + "/scores/cross", response_class=HTMLResponse)
def cross_list(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
               year: str):
    clusters = rt.app.emulation.clusters
    cluster = clusters.readable(actor, page_id(cluster_id, "cụm thi đua"))
    covenant = clusters.covenant(cluster, page_year(year))
    year_ = covenant.year
    members = cluster.active_members(year_)
    require(rt.app.authz, actor, [m.unit_id for m in members])
    table = covenant.points_table
    reports = {r.unit_id: r for r in clusters.reports(covenant, [m.unit_id for m in members])}
    base = f"/emulation/clusters/{cluster.id}/{year_}"
    groups = []
    for assessor in assessors(rt, actor, cluster, year_):
        rows = []
        for member in members:
            if str(member.unit_id) == assessor["unit_id"]:
                continue
            report = reports.get(member.unit_id)
            done = [i.code for i in table.items if report is not None and any(
                s["by"] == CROSS and s["assessor_unit_id"] == assessor["unit_id"]
                for s in report.scores_for(i.code))]
            rows.append({"name": member.name, "href": f"{base}/reports/{member.unit_id}#diem",
                         "done": len(done), "of": len(table.items),
                         "signed": covenant.is_signed(member.unit_id)})
        groups.append({**assessor, "rows": rows,
                       "left": sum(1 for r in rows if r["done"] < r["of"])})
    return render(request, "emulation_score_cross.html", {
        "cluster": cluster, "covenant": covenant, "year": year_, "base": base,
        "groups": groups, "cross": covenant.assessment_mode == CROSS and table.scored,
        "mode_label": ASSESSMENT_MODES[covenant.assessment_mode],
        "accepting": covenant.status == OPEN}, 200, actor)


__all__ = ["assessors", "cluster_scoring", "points_typed", "router", "scoring"]
