"""Ceremonies (buổi trao thưởng) and their payouts, for the awards office in the browser.

* ``/ceremonies``: the list; "Lập buổi trao thưởng" for approvers;
* ``/ceremonies/new``: create (title, date, place, host unit; the announced total if known);
* ``/ceremonies/{id}``: details (the managing unit, and the outside body that hosts it, if
  any), counts, computed total and the reconciliation of every announced figure (money total,
  tập thể, cá nhân, hộ gia đình, lượt khen thưởng: each with its qualifier and source, and a
  sentence saying the difference), the decisions presented, the payout in short and the payout
  sheet's downloads, history; for the host's approvers: add a decision, record the announced
  figures (``…/announced``), edit, remove a decision (``…/decisions/{decision_id}/remove``: a
  confirmation first);
* ``/ceremonies/{id}/edit``: title, date, place, the outside host body;
* ``/ceremonies/{id}/payments``: committed, paid and outstanding per line, the payment records;
  lines chosen there (or one line: ``…/payments/new?line=…``) go to ``…/payments/check``, which
  says what will be recorded, then to ``POST …/payments`` (one commit);
* ``/ceremonies/{id}/payments/{n}/correct``: a correction's form, ``…/correct/check``, then the
  correction (a new event).

Every action is the service's (``services.ceremonies``): the same rules and refusals as the
API. Only approvers of the host unit see the actions; everyone signed in reads. A refused action
comes back on its own form or page, with the message and what was typed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.announcements import AMOUNT, EXACT, FIGURES, AnnouncedFigure
from domain.catalog import BODY_LABELS, catalog
from domain.ceremony import PAYMENT_STATUSES, SIGNED, Ceremony
from domain.errors import DomainError, ValidationFailed
from domain.money import dong_in_words, format_dong
from domain.payouts import payout as compute_payout
from domain.text import nfc
from projections.queries import Page
from services import payouts
from services import representations as rep
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.presentation import announcements
from services.presentation.totals import counts_text
from services.store import Saved
from services.web.deps import SignedInDep
from services.web.forms import (
    day_needed,
    day_typed,
    dmy,
    money_typed,
    parse_id,
    parse_year,
    unit_choices,
    whole,
)
from services.web.paging import sliced
from services.web.routing import page_router
from services.web.templating import local_time, render

router = page_router()
FORM = dict[str, Any]


# -- what people type (read by ``services.web.forms``) ------------------------------------------


def _held_on(form: FORM) -> date:
    return day_needed(form.get("held_on"), "ngày tổ chức",
                      missing="cần ngày tổ chức (dd/mm/yyyy)")


def _form(raw: Any) -> FORM:
    """A posted form: text NFC; a field sent several times (checkboxes) as a list."""
    out: FORM = {}
    for key in raw:
        values = [nfc(str(v)) for v in raw.getlist(key)]
        out[key] = values if key == "line" else values[-1]
    return out


def _version(form: FORM) -> int | None:
    return whole(form.get("version"), 0, 10**9)


# The form fields of each announced figure: value, qualifier, source (the money total keeps the
# names it always had), and their labels.
def _figure_field(what: str) -> dict[str, str]:
    if what == AMOUNT:
        return {"what": what, "legend": "Tổng số tiền", "value": "announced_total",
                "qualifier": "announced_total_qualifier", "source": "announced_source",
                "value_label": "Tổng công bố (đồng)",
                "qualifier_label": "Mức công bố tổng tiền",
                "source_label": "Nguồn (bài viết, báo cáo, biên bản…)",
                "hint": "Số nguyên đồng, ví dụ 73.640.000; để trống nếu không công bố."}
    name = announcements.FIGURE_LABELS[what]
    return {"what": what, "legend": name, "value": f"announced_{what}",
            "qualifier": f"announced_{what}_qualifier", "source": f"announced_{what}_source",
            "value_label": f"{name} công bố", "qualifier_label": f"Mức công bố {name.lower()}",
            "source_label": f"Nguồn của {name.lower()}", "hint": ""}


FIGURE_FIELDS = [_figure_field(what) for what in FIGURES]
_COUNT = re.compile(r"[0-9]{1,3}(?:([., \u00a0\u202f])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+")


def _count_typed(text: str | None, what: str) -> int | None:
    """A count typed as offices write it ("40", "1.250"); None when blank."""
    raw = (text or "").strip()
    if not raw:
        return None
    value = whole(re.sub(r"[^0-9]", "", raw), 0, 10**12) if _COUNT.fullmatch(raw) else None
    if value is None:
        raise ValidationFailed(reason=f"{what} «{raw[:40]}» phải là số nguyên, ví dụ 40")
    return value


def _figures_typed(form: FORM) -> dict[str, AnnouncedFigure | None]:
    """The announced figures of the form, by what they count: a blank value withdraws the
    figure; a figure whose field was not sent is left as it is."""
    out: dict[str, AnnouncedFigure | None] = {}
    for field in FIGURE_FIELDS:
        what = field["what"]
        if field["value"] not in form:
            continue
        label = field["value_label"].lower()
        value = (money_typed(form.get(field["value"]), "tổng số tiền công bố") if what == AMOUNT
                 else _count_typed(form.get(field["value"]), label))
        out[what] = None if value is None else AnnouncedFigure.of(
            what, value, form.get(field["qualifier"]) or EXACT, form.get(field["source"], ""))
    return out


def _host_body_typed(form: FORM) -> dict[str, Any] | None:
    """The outside host of the form (``None``: the Union unit hosts it itself)."""
    body = form.get("host_body_body") or ""
    if not body:
        return None
    return {"body": body, "level": form.get("host_body_level") or "",
            "name": form.get("host_body_name") or ""}


def _line_key(text: str) -> tuple[UUID, int]:
    """"<decision id>:<line no>", the value of a line's checkbox."""
    decision_id, _, line_no = text.partition(":")
    number = whole(line_no, 1, 1_000_000)
    if number is None:
        raise ValidationFailed(reason="dòng đã chọn không hợp lệ")
    return parse_id(decision_id), number


# -- reading a ceremony ------------------------------------------------------------------------


def _event_summary(event: dict[str, Any]) -> str:
    data, name = event["data"], event["event"]
    if name in ("Ceremony.DecisionAdded", "Ceremony.DecisionRemoved"):
        return f"Quyết định {data['decision_number']}"
    if name in ("Ceremony.TotalAnnounced", "Ceremony.CountAnnounced"):
        what = data.get("what", AMOUNT)
        value = data["amount"] if what == AMOUNT else data["value"]
        if value is None:
            said = ("xóa tổng công bố" if what == AMOUNT else
                    f"rút {announcements.FIGURE_LABELS.get(what, what).lower()} công bố")
        else:
            said = announcements.announced_text(AnnouncedFigure(
                what=what, value=value, qualifier=data.get("qualifier") or EXACT))
        return said + (f" — nguồn: {data['source']}" if data.get("source") else "")
    if name == "Ceremony.HostBodyNamed":
        host = announcements.host_body(data.get("host_body"))
        if host is None:
            return "không còn cơ quan chủ trì ngoài Hội"
        return f"{host['name']} ({host['body_label']}, cấp {host['level_name'].lower()})"
    if name == "Ceremony.DetailsChanged":
        labels = {"title": "tên", "place": "địa điểm", "held_on": "ngày"}
        shown = {k: dmy(v) if k == "held_on" else v
                 for k, v in data["changes"].items()}
        return ", ".join(f"{labels.get(k, k)}: {v}" for k, v in shown.items())
    if name == "Ceremony.PaymentRecorded":
        text = (f"Số {data['payment_no']} — {data['recipient_name']} (QĐ "
                f"{data['decision_number']}, dòng {data['line_no']}): "
                f"{format_dong(data['amount'])}, {PAYMENT_STATUSES.get(data['status'], '')}")
        return text + (f"; lý do chi vượt: {data['reason']}" if data.get("reason") else "")
    if name == "Ceremony.PaymentCorrected":
        return (f"Số {data['payment_no']} — {data['recipient_name']}: "
                f"{format_dong(data['previous_amount'])} → {format_dong(data['amount'])}; "
                f"lý do: {data['reason']}")
    if name == "Ceremony.Created":
        return data.get("title", "")
    return ""


def _history(rt: Runtime, ceremony: Ceremony) -> list[dict[str, Any]]:
    return [{**e, "when": local_time(e["at"]), "summary": _event_summary(e)}
            for e in rep.history(rt.app.history(ceremony.id))]


def _loaded(rt: Runtime, ceremony_id: str) -> tuple[Ceremony, list[Any]]:
    ceremony = rt.app.ceremonies.ceremony(parse_id(ceremony_id))
    return ceremony, [rt.app.decisions.decision(d) for d in ceremony.decision_ids]


def _basics(rt: Runtime, actor: Actor, ceremony: Ceremony, decisions: list[Any]
            ) -> dict[str, Any]:
    c = rep.ceremony(ceremony, decisions)
    for d in c["decisions"]:
        d["counts"] = counts_text(d["totals"]) or "0 dòng"
    c["host_body"] = announcements.host_body(ceremony.host_body)
    c["announced_figures"] = announcements.comparisons(ceremony.announced_figures, c["totals"])
    c["money"] = next((f for f in c["announced_figures"] if f["what"] == AMOUNT), None)
    result = compute_payout(ceremony, decisions)
    return {
        "c": c,
        "figure_fields": FIGURE_FIELDS,
        "figure_values": announcements.figure_form(ceremony.announced_figures),
        "qualifiers": announcements.QUALIFIER_CHOICES,
        "host": rt.app.tree.unit_state(ceremony.host_unit_id, ceremony.held_on).name,
        "counts": counts_text(c["totals"]) or "chưa có ai",
        "may_manage": rt.app.ceremonies.may_pay(actor, ceremony),
        "p": payouts.payout(ceremony, result),
    }


def _ceremony_view(request: Request, rt: Runtime, actor: Actor, ceremony_id: str,
                   error: DomainError | None = None, form: FORM | None = None,
                   q: str = "") -> HTMLResponse:
    ceremony, decisions = _loaded(rt, ceremony_id)
    context = _basics(rt, actor, ceremony, decisions)
    candidates: list[dict[str, Any]] = []
    if context["may_manage"]:
        rt.ensure_position(rt.app.max_position())
        found = rt.queries.decisions(q=q or None, page=Page(limit=20))["items"]
        present = {str(d) for d in ceremony.decision_ids}
        candidates = [d for d in found if d["decision_id"] not in present]
    context.update({"candidates": candidates, "q": q, "error": error, "form": form or {},
                    "history": _history(rt, ceremony)})
    return render(request, "ceremony.html", context, status_for(error) if error else 200, actor)


def _done(rt: Runtime, saved: Saved, where: str) -> RedirectResponse:
    rt.after(saved)
    return RedirectResponse(where, status_code=303)


# -- list, create, edit ------------------------------------------------------------------------


@router.get("/ceremonies", response_class=HTMLResponse)
def ceremonies_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                    year: str | None = None, offset: int = 0):
    rt.ensure_position(rt.app.max_position())
    result = rt.queries.ceremonies(year=parse_year(year),
                                   page=Page(limit=50, offset=max(offset, 0)))
    names = rt.queries.unit_names({c["host_unit_id"] for c in result["items"]})
    return render(request, "ceremonies.html", {
        "result": result, "names": names, "year": year or "",
        "prefixes": announcements.QUALIFIER_PREFIXES,  # "khoảng 100.000.000 đ"
        "can_plan": bool(unit_choices(rt, actor, "approver"))}, actor=actor)


def _details_form(request: Request, rt: Runtime, actor: Actor, form: FORM,
                  error: DomainError | None = None, ceremony: Ceremony | None = None
                  ) -> HTMLResponse:
    host = (rt.app.tree.unit_state(ceremony.host_unit_id, ceremony.held_on).name
            if ceremony is not None else "")
    return render(request, "ceremony_form.html", {
        "units": [] if ceremony is not None else unit_choices(rt, actor, "approver"),
        "form": form, "error": error, "ceremony": ceremony, "host": host,
        "bodies": BODY_LABELS, "levels": _level_choices()},
        status_for(error) if error else 200, actor)


def _level_choices() -> dict[str, str]:
    """The levels a host body may have, with the last day of those that ended."""
    out = {}
    for code, level in catalog().levels.items():
        ended = f" (đến {dmy(level.valid_until)})" if level.valid_until else ""
        out[code] = f"{level.name}{ended}"
    return out


@router.get("/ceremonies/new", response_class=HTMLResponse)
def new_ceremony_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    return _details_form(request, rt, actor, {})


@router.post("/ceremonies/new")
async def create_ceremony(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    try:
        data: dict[str, Any] = {
            "title": form.get("title", ""), "place": form.get("place", ""),
            "held_on": _held_on(form),
            "host_unit_id": form.get("host_unit_id") or None,
            "host_body": _host_body_typed(form),
        }
        announced = money_typed(form.get("announced_total"), "tổng số tiền công bố")
        if announced is not None:
            data.update(announced_total=announced,
                        announced_source=form.get("announced_source", ""))
        saved = rt.app.ceremonies.plan_ceremony(actor, data)
    except DomainError as error:
        return _details_form(request, rt, actor, form, error)
    return _done(rt, saved, f"/ceremonies/{saved.id}")


@router.get("/ceremonies/{ceremony_id}", response_class=HTMLResponse)
def ceremony_page(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep,
                  q: str | None = None):
    return _ceremony_view(request, rt, actor, ceremony_id, q=(q or "")[:100])


@router.get("/ceremonies/{ceremony_id}/edit", response_class=HTMLResponse)
def edit_ceremony_form(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep):
    ceremony = rt.app.ceremonies.ceremony(parse_id(ceremony_id))
    rt.app.authz.require(actor, "approver", ceremony.host_unit_id)
    host_body = ceremony.host_body or {}
    form = {"title": ceremony.title, "place": ceremony.place,
            "held_on": dmy(ceremony.held_on), "version": ceremony.version,
            "host_body_body": host_body.get("body", ""),
            "host_body_level": host_body.get("level", ""),
            "host_body_name": host_body.get("name", "")}
    return _details_form(request, rt, actor, form, ceremony=ceremony)


@router.post("/ceremonies/{ceremony_id}/edit")
async def edit_ceremony(request: Request, ceremony_id: str, rt: RuntimeDep,
                        actor: SignedInDep):
    ceremony = rt.app.ceremonies.ceremony(parse_id(ceremony_id))
    form = _form(await request.form())
    try:
        changes = {"title": form.get("title", ""), "place": form.get("place", ""),
                   "held_on": _held_on(form)}
        if "host_body_body" in form:  # an older form without the host's fields leaves it
            changes["host_body"] = _host_body_typed(form)
        saved = rt.app.ceremonies.change_ceremony(actor, ceremony.id, changes, _version(form))
    except DomainError as error:
        return _details_form(request, rt, actor, form, error, ceremony)
    return _done(rt, saved, f"/ceremonies/{ceremony.id}")


@router.post("/ceremonies/{ceremony_id}/announced")
async def announce_figures(request: Request, ceremony_id: str, rt: RuntimeDep,
                           actor: SignedInDep):
    """Record the figures of the form "Ghi số liệu công bố": the money total and the counts,
    each with its qualifier and source (a blank value withdraws a figure; one given as it stands
    records nothing). The reconciliation is shown right after, on the ceremony's page."""
    form = _form(await request.form())
    try:
        cid = parse_id(ceremony_id)
        _, _, saved = rt.app.ceremonies.announce_figures(actor, cid, _figures_typed(form),
                                                         _version(form))
        assert saved is not None
    except DomainError as error:
        return _ceremony_view(request, rt, actor, ceremony_id, error, form)
    return _done(rt, saved, f"/ceremonies/{cid}#doi-chieu")


# -- decisions presented ---------------------------------------------------------------------


@router.post("/ceremonies/{ceremony_id}/decisions")
async def add_decision(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    try:
        cid = parse_id(ceremony_id)
        saved = rt.app.ceremonies.add_ceremony_decision(actor, cid, form.get("decision_id"),
                                                        _version(form))
    except DomainError as error:
        return _ceremony_view(request, rt, actor, ceremony_id, error, form)
    return _done(rt, saved, f"/ceremonies/{cid}#quyet-dinh")


def _removal(request: Request, rt: Runtime, actor: Actor, ceremony_id: str, decision_id: str,
             error: DomainError | None = None) -> HTMLResponse:
    ceremony, decisions = _loaded(rt, ceremony_id)
    rt.app.authz.require(actor, "approver", ceremony.host_unit_id)
    decision = rt.app.decisions.decision(parse_id(decision_id))
    context = _basics(rt, actor, ceremony, decisions)
    d = rep.decision(decision)
    after = [x for x in decisions if x.id != decision.id]
    context.update({
        "d": d, "d_counts": counts_text(d["totals"]) or "0 dòng", "error": error,
        "presented": decision.id in ceremony.decision_ids,
        "after": rep.ceremony(ceremony, after)["totals"],
        "paid": sum(p["amount"] for p in ceremony.payments if p["decision_id"] == decision.id),
    })
    return render(request, "ceremony_remove.html", context,
                  status_for(error) if error else 200, actor)


@router.get("/ceremonies/{ceremony_id}/decisions/{decision_id}/remove",
            response_class=HTMLResponse)
def remove_decision_check(request: Request, ceremony_id: str, decision_id: str, rt: RuntimeDep,
                          actor: SignedInDep):
    return _removal(request, rt, actor, ceremony_id, decision_id)


@router.post("/ceremonies/{ceremony_id}/decisions/{decision_id}/remove")
async def remove_decision(request: Request, ceremony_id: str, decision_id: str, rt: RuntimeDep,
                          actor: SignedInDep):
    form = _form(await request.form())
    try:
        cid, did = parse_id(ceremony_id), parse_id(decision_id)
        saved = rt.app.ceremonies.remove_ceremony_decision(actor, cid, did, _version(form))
    except DomainError as error:
        return _removal(request, rt, actor, ceremony_id, decision_id, error)
    return _done(rt, saved, f"/ceremonies/{cid}#quyet-dinh")


# -- payments ----------------------------------------------------------------------------------


def _payout_context(rt: Runtime, actor: Actor, ceremony_id: str) -> dict[str, Any]:
    ceremony, decisions = _loaded(rt, ceremony_id)
    context = _basics(rt, actor, ceremony, decisions)
    context["ceremony"] = ceremony
    return context


@router.get("/ceremonies/{ceremony_id}/payments", response_class=HTMLResponse)
def payments_page(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep,
                  recorded: str | None = None, corrected: str | None = None):
    """The lines 50 a page (``?page=N``), the payment records too (``?records_page=N``); the
    form records the lines checked on the page shown."""
    context = _payout_context(rt, actor, ceremony_id)
    once = ("recorded", "corrected")  # a notice is not carried to the other pages
    lines, paging = sliced(request, context["p"]["lines"], drop=once, anchor="tung-dong")
    records, records_paging = sliced(request, context["p"]["payments"], param="records_page",
                                     drop=once, anchor="cac-lan-ghi")
    context.update({"page_lines": lines, "paging": paging, "records": records,
                    "records_paging": records_paging})
    context.update({"recorded": whole(recorded, 1, 100_000),
                    "corrected": whole(corrected, 1, 1_000_000), "form": {},
                    "today_text": dmy(rt.app.today()),
                    "statuses": PAYMENT_STATUSES})
    return render(request, "ceremony_payments.html", context, actor=actor)


def _chosen(context: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    """The payout lines chosen by their checkbox values, in the payout's order."""
    wanted = {(str(d), n) for d, n in (_line_key(k) for k in keys)}
    lines = [line for line in context["p"]["lines"]
             if (line["decision_id"], line["line_no"]) in wanted]
    if len(lines) != len(wanted):
        raise ValidationFailed(reason="có dòng đã chọn không thuộc buổi trao thưởng này")
    return lines


def _payment_form(request: Request, rt: Runtime, actor: Actor, ceremony_id: str, form: FORM,
                  error: DomainError | None = None) -> HTMLResponse:
    """The form for the chosen lines: one line (its amount may be typed) or several (each gets
    what it is still owed)."""
    context = _payout_context(rt, actor, ceremony_id)
    rt.app.authz.require(actor, "approver", context["ceremony"].host_unit_id)
    try:
        lines = _chosen(context, form.get("line") or [])
    except DomainError as refused:
        lines, error = [], error or refused
    context.update({"lines": lines, "form": form, "error": error,
                    "statuses": PAYMENT_STATUSES})
    return render(request, "ceremony_payment_form.html", context,
                  status_for(error) if error else 200, actor)


@router.get("/ceremonies/{ceremony_id}/payments/new", response_class=HTMLResponse)
def new_payment_form(request: Request, ceremony_id: str, rt: RuntimeDep, actor: SignedInDep,
                     line: str = ""):
    context = _payout_context(rt, actor, ceremony_id)
    [chosen] = _chosen(context, [line]) if line else [None]
    form: FORM = {"line": [line] if line else [], "status": SIGNED,
                  "paid_on": dmy(rt.app.today()),
                  "version": context["ceremony"].version}
    if chosen is not None:
        form["amount"] = f"{chosen['outstanding']:,}".replace(",", ".")
    return _payment_form(request, rt, actor, ceremony_id, form)


def _payment_items(context: dict[str, Any], form: FORM, today: date) -> list[dict[str, Any]]:
    """What will be recorded: one item per chosen line; a typed amount (one line only) or what
    the line is still owed."""
    lines = _chosen(context, form.get("line") or [])
    if not lines:
        raise ValidationFailed(reason="chưa chọn dòng nào để ghi chi trả")
    amount = money_typed(form.get("amount"), "số tiền đã chi")
    if amount is not None and len(lines) > 1:
        raise ValidationFailed(reason="chỉ nhập số tiền khi ghi cho một dòng")
    paid_on = day_typed(form.get("paid_on"), "ngày chi trả") or today
    return [{"decision_id": line["decision_id"], "line_no": line["line_no"],
             "amount": amount if amount is not None else line["outstanding"],
             "paid_on": paid_on, "status": form.get("status") or SIGNED,
             "note": form.get("note", ""), "reason": form.get("reason", ""), "line": line}
            for line in lines]


def _item(item: dict[str, Any]) -> dict[str, Any]:
    """A payment as the service takes it (without the payout line shown beside it)."""
    return {k: v for k, v in item.items() if k != "line"}


@router.post("/ceremonies/{ceremony_id}/payments/check", response_class=HTMLResponse)
async def payment_check(request: Request, ceremony_id: str, rt: RuntimeDep,
                        actor: SignedInDep):
    """Say what will be recorded, before anything is: one clear button."""
    form = _form(await request.form())
    context = _payout_context(rt, actor, ceremony_id)
    rt.app.authz.require(actor, "approver", context["ceremony"].host_unit_id)
    try:
        items = _payment_items(context, form, rt.app.today())
        rt.app.ceremonies.record_payments(  # every rule checked, nothing recorded yet
            actor, context["ceremony"].id, [_item(i) for i in items], _version(form),
            dry_run=True)
    except DomainError as error:
        return _payment_form(request, rt, actor, ceremony_id, form, error)
    total = sum(i["amount"] for i in items)
    over = [i for i in items if i["amount"] > i["line"]["outstanding"]]
    context.update({"items": items, "form": form, "total": total,
                    "total_words": dong_in_words(total), "over": over,
                    "status_label": PAYMENT_STATUSES.get(form.get("status") or SIGNED, ""),
                    "paid_on_text": dmy(items[0]["paid_on"])})
    return render(request, "ceremony_payment_check.html", context, actor=actor)


@router.post("/ceremonies/{ceremony_id}/payments")
async def record_payments(request: Request, ceremony_id: str, rt: RuntimeDep,
                          actor: SignedInDep):
    form = _form(await request.form())
    try:
        context = _payout_context(rt, actor, ceremony_id)
        items = _payment_items(context, form, rt.app.today())
        saved = rt.app.ceremonies.record_payments(
            actor, context["ceremony"].id, [_item(i) for i in items], _version(form))
        assert saved is not None
    except DomainError as error:
        return _payment_form(request, rt, actor, ceremony_id, form, error)
    count = len((saved.extra or {}).get("payment_nos", []))
    return _done(rt, saved, f"/ceremonies/{saved.id}/payments?recorded={count}")


def _record_view(context: dict[str, Any], payment_no: int) -> dict[str, Any]:
    record = next((r for r in context["p"]["payments"] if r["payment_no"] == payment_no), None)
    if record is None:
        context["ceremony"].payment(payment_no)  # raises: not found
    assert record is not None
    return record


def _correction_form(request: Request, rt: Runtime, actor: Actor, ceremony_id: str,
                     payment_no: str, form: FORM | None = None,
                     error: DomainError | None = None) -> HTMLResponse:
    context = _payout_context(rt, actor, ceremony_id)
    rt.app.authz.require(actor, "approver", context["ceremony"].host_unit_id)
    number = whole(payment_no, 1, 1_000_000) or 0
    record = _record_view(context, number)
    if form is None:
        form = {"amount": f"{record['amount']:,}".replace(",", "."), "status": record["status"],
                "paid_on": dmy(record["paid_on"]),
                "note": record["note"], "version": context["ceremony"].version}
    context.update({"record": record, "form": form, "error": error,
                    "statuses": PAYMENT_STATUSES})
    return render(request, "ceremony_correction.html", context,
                  status_for(error) if error else 200, actor)


@router.get("/ceremonies/{ceremony_id}/payments/{payment_no}/correct",
            response_class=HTMLResponse)
def correction_form(request: Request, ceremony_id: str, payment_no: str, rt: RuntimeDep,
                    actor: SignedInDep):
    return _correction_form(request, rt, actor, ceremony_id, payment_no)


def _correction(form: FORM, record: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {"reason": form.get("reason", ""),
                               "note": form.get("note", ""),
                               "status": form.get("status") or record["status"]}
    amount = money_typed(form.get("amount"), "số tiền đúng")
    if amount is None:
        raise ValidationFailed(reason="cần số tiền đúng (0 nếu không chi)")
    changes["amount"] = amount
    changes["paid_on"] = (day_typed(form.get("paid_on"), "ngày chi trả")
                          or date.fromisoformat(record["paid_on"]))
    if not nfc(changes["reason"]).strip():
        raise ValidationFailed(reason="cần ghi rõ lý do điều chỉnh")
    if changes["status"] not in PAYMENT_STATUSES:
        raise ValidationFailed(reason="hình thức chi trả không hợp lệ")
    return changes


@router.post("/ceremonies/{ceremony_id}/payments/{payment_no}/correct/check",
             response_class=HTMLResponse)
async def correction_check(request: Request, ceremony_id: str, payment_no: str,
                           rt: RuntimeDep, actor: SignedInDep):
    """The correction before it is recorded: old and new values, the reason, and that the old
    record stays in the history."""
    form = _form(await request.form())
    context = _payout_context(rt, actor, ceremony_id)
    rt.app.authz.require(actor, "approver", context["ceremony"].host_unit_id)
    record = _record_view(context, whole(payment_no, 1, 1_000_000) or 0)
    try:
        changes = _correction(form, record)
        rt.app.ceremonies.correct_payment(actor, context["ceremony"].id, record["payment_no"],
                                          changes, _version(form), dry_run=True)
    except DomainError as error:
        return _correction_form(request, rt, actor, ceremony_id, payment_no, form, error)
    context.update({"record": record, "form": form, "changes": changes,
                    "paid_on_text": dmy(changes["paid_on"]),
                    "status_label": PAYMENT_STATUSES[changes["status"]],
                    "amount_text": format_dong(changes["amount"])})
    return render(request, "ceremony_correction_check.html", context, actor=actor)


@router.post("/ceremonies/{ceremony_id}/payments/{payment_no}/correct")
async def correct_payment(request: Request, ceremony_id: str, payment_no: str, rt: RuntimeDep,
                          actor: SignedInDep):
    form = _form(await request.form())
    try:
        context = _payout_context(rt, actor, ceremony_id)
        number = whole(payment_no, 1, 1_000_000) or 0
        record = _record_view(context, number)
        saved = rt.app.ceremonies.correct_payment(actor, context["ceremony"].id, number,
                                                  _correction(form, record), _version(form))
    except DomainError as error:
        return _correction_form(request, rt, actor, ceremony_id, payment_no, form, error)
    return _done(rt, saved, f"/ceremonies/{saved.id}/payments?corrected={number}")

