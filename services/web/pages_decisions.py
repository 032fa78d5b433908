"""Award decisions: the list and one decision (lines, totals, history, document and exports);
the awards office's queue of recommended nominations, a decision composed from them and typed or
uploaded lines, its preview (nothing recorded), issuing after a confirmation, outside decisions,
revocations after a confirmation. (Ceremonies and their payouts: ``pages_ceremonies``.)"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from domain.catalog import BODY_EXAMPLES, BODY_LABELS, RECIPIENT_LABELS, catalog
from domain.decision import REVOCATION_GROUNDS, AwardDecision
from domain.errors import DomainError, RoleRequired, ValidationFailed
from domain.money import dong_in_words
from domain.pricing import AMOUNT_MODE_LABELS
from domain.text import nfc, nfc_multiline
from domain.users import ROLE_LABELS
from projections.queries import Page
from services import documents, imports
from services import representations as rep
from services.app import Runtime
from services.authz import Actor
from services.decision_rows import UnitFinder
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.presentation.certificates import line_title
from services.read_policy import Privacy
from services.web import compose
from services.web.deps import SignedInDep
from services.web.forms import dmy, parse_id, parse_year, whole
from services.web.paging import paged
from services.web.routing import page_router
from services.web.templating import local_time, page_message, render

router = page_router()


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                   year: str | None = None, q: str | None = None):
    rt.ensure_position(rt.app.max_position())
    result, paging = paged(request, lambda page: rt.queries.decisions(
        year=parse_year(year), q=q or None, page=page), anchor="danh-sach")
    return render(request, "decisions.html", {"result": result, "year": year or "",
                                              "q": q or "", "paging": paging}, actor=actor)


# -- the awards office: its queue, composing, previewing, issuing, revoking -----------------------
# (before ``/decisions/{decision_id}``: these paths would read as a decision's id)

QUEUE_LIMIT = 500
MAX_CHOSEN = 250  # nominations per decision from the queue (a form's field budget)
FIELD_BUDGET = 900  # of the 1.000 fields a form may send (Starlette's limit)
FIELDS_PER_LINE = len(imports.LINE_FIELDS)
MIN_BLANK_LINES = 3
MORE_LINES = 5
MAX_TYPED_LINES = 60  # longer lists come as a spreadsheet
AMOUNT_MODE_CHOICES = AMOUNT_MODE_LABELS
DONE = {
    "issued": "Đã ban hành quyết định.",
    "recorded": "Đã ghi nhận quyết định của cơ quan ngoài Hội.",
    "revoked": "Đã ghi việc hủy bỏ.",
    "mapped": "Đã đối chiếu hình thức ghi theo văn bản với danh mục.",
}


def _approver_units(actor: Actor) -> set[UUID]:
    """The units where the actor is the awards office; none is a refusal (403)."""
    units = actor.units_for("approver")
    if not units:
        raise RoleRequired(role=ROLE_LABELS["approver"])
    return units


def _office_unit(rt: Runtime, actor: Actor, unit_id: str) -> UUID:
    """The unit the office acts for — the issuer, or the unit recording an outside decision —
    when the actor is its approver (as the API requires to issue or record)."""
    _approver_units(actor)
    unit = parse_id(unit_id or "")
    rt.app.authz.require(actor, "approver", unit)
    return unit


def _waiting(rt: Runtime, scope: set[str] | None) -> list[dict[str, Any]]:
    """Recommended nominations waiting for a decision at the units of ``scope`` (None: all),
    the longest-waiting first, with their age in days."""
    rt.ensure_position(rt.app.max_position())
    rows = rt.queries.awaiting_decision(scope, Page(limit=QUEUE_LIMIT))["items"]
    names = rt.queries.unit_names({r["review_unit_id"] for r in rows}
                                  | {r["proposing_unit_id"] for r in rows})
    today = rt.app.today()
    out = []
    for row in rows:
        since = date.fromisoformat(str(row["status_since"])[:10])
        out.append({
            "id": row["nomination_id"], "name": row["recipient_name"],
            "kind": RECIPIENT_LABELS.get(row["recipient_kind"], row["recipient_kind"]),
            "award": catalog().kind(row["award_kind"]).title, "period": row["period"],
            "unit_id": row["review_unit_id"], "unit": names.get(row["review_unit_id"], ""),
            "proposing": names.get(row["proposing_unit_id"], ""),
            "since": since.isoformat(), "age": max((today - since).days, 0),
        })
    return out


@router.get("/decisions/queue", response_class=HTMLResponse)
def decision_queue(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str = ""):
    """Recommended nominations waiting for a decision, per unit the office covers."""
    roots = _approver_units(actor)
    if unit_id:
        scope: set[str] | None = {str(_office_unit(rt, actor, unit_id))}
    else:
        root = rt.app.tree.root_unit_id()
        scope = None if root in roots else rt.queries.subtree_ids({str(u) for u in roots})
    groups: dict[str, dict[str, Any]] = {}
    waiting = _waiting(rt, scope)
    for item in waiting:
        group = groups.setdefault(item["unit_id"], {"unit_id": item["unit_id"],
                                                    "name": item["unit"], "items": [],
                                                    "oldest": 0})
        group["items"].append(item)
        group["oldest"] = max(group["oldest"], item["age"])
    return render(request, "decision_queue.html", {
        "groups": sorted(groups.values(), key=lambda g: (-g["oldest"], g["name"])),
        "shown": len(waiting), "limit": QUEUE_LIMIT, "max_chosen": MAX_CHOSEN,
        "unit_id": unit_id,
    }, actor=actor)


def _default_unit(actor: Actor) -> str:
    return str(next(g.unit_id for g in actor.grants if g.role == "approver"))


def _start(request: Request, rt: Runtime, actor: Actor, outside: bool, unit_id: str,
           nomination_ids: list[str]) -> HTMLResponse:
    """A new decision form for the unit: today's date, and for a Union decision the issuer's
    next free number and its latest signer."""
    _approver_units(actor)
    unit = _office_unit(rt, actor, unit_id or _default_unit(actor))
    state = compose.blank_state(outside, str(unit))
    today = rt.app.today()
    state["decided_on"] = dmy(today)
    if not outside:
        rt.ensure_position(rt.app.max_position())
        earlier = rt.queries.issuer_decisions(str(unit), today.year)
        state["number"] = compose.suggest_number(earlier)
        if earlier:
            state["signer_name"] = earlier[0]["signer_name"] or ""
            state["signer_title"] = earlier[0]["signer_title"] or ""
        state["amount_mode"] = "computed"
    chosen = [n for n in dict.fromkeys(nomination_ids) if n]
    problems = []
    if len(chosen) > MAX_CHOSEN:
        problems.append(compose.Problem(
            f"Đã chọn {len(chosen)} đề nghị; mỗi quyết định lập từ hàng đợi nhận tối đa "
            f"{MAX_CHOSEN} — {MAX_CHOSEN} đề nghị đầu được giữ lại.", "lines"))
    state["nominations"] = [{"id": n, "mode": "", "amount": ""} for n in chosen[:MAX_CHOSEN]]
    return _compose_page(request, rt, actor, state, problems)


@router.get("/decisions/new", response_class=HTMLResponse)
def new_decision(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str = "",
                 nomination_id: Annotated[list[str], Query()] = []):  # noqa: B006
    return _start(request, rt, actor, False, unit_id, nomination_id)


@router.post("/decisions/new", response_class=HTMLResponse)
async def new_decision_from_queue(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """The queue's form: the chosen nominations (sent by POST: a long choice does not fit in
    an address)."""
    form = await request.form()
    chosen = [v for v in form.getlist("nomination_id") if isinstance(v, str)]
    outside = form.get("outside") == "1"
    return _start(request, rt, actor, outside, str(form.get("unit_id") or ""), chosen)


@router.get("/decisions/outside", response_class=HTMLResponse)
def outside_decision(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str = "",
                     nomination_id: Annotated[list[str], Query()] = []):  # noqa: B006
    return _start(request, rt, actor, True, unit_id, nomination_id)


@router.get("/decisions/import-template.xlsx")
def import_template(actor: SignedInDep):
    return Response(imports.decision_template(), media_type=imports.XLSX_MEDIA, headers={
        "Content-Disposition": 'attachment; filename="danh-sach-kem-quyet-dinh.xlsx"'})


def _office_choices(rt: Runtime, actor: Actor, current: str) -> list[dict[str, str]]:
    """Units the form offers to act for: the office's own units, the units where nominations
    wait in its subtrees, and the current one."""
    ids = [str(g.unit_id) for g in actor.grants if g.role == "approver"]
    roots = {str(u) for u in actor.units_for("approver")}
    root = rt.app.tree.root_unit_id()
    scope = None if root is not None and str(root) in roots else rt.queries.subtree_ids(roots)
    ids += [item["unit_id"] for item in _waiting(rt, scope)]
    ids = list(dict.fromkeys([*ids, current]))
    names = rt.queries.unit_names(set(ids))
    return [{"id": i, "name": names.get(i, "")} for i in ids if i in names]


def _compose_page(request: Request, rt: Runtime, actor: Actor, state: dict[str, Any],
                  problems: list[compose.Problem] | None = None, status: int = 200,
                  blank: int | None = None) -> HTMLResponse:
    problems = problems or []
    unit_id = state["unit_id"]
    waiting = {item["id"]: item for item in _waiting(rt, {unit_id})}
    chosen = [{**waiting[n["id"]], **n} for n in state["nominations"] if n["id"] in waiting]
    missing = len(state["nominations"]) - len(chosen)
    budget = (FIELD_BUDGET - 30 - 3 * len(chosen)) // FIELDS_PER_LINE
    room = max(min(MAX_TYPED_LINES, budget) - len(state["lines"]), 0)
    if blank is None:
        blank = max(MIN_BLANK_LINES - len(state["lines"]), 1)
    blank = min(blank, room)
    empty = dict.fromkeys(compose.COMPOSE_LINE_FIELDS, "") | {"row": None}
    kinds = list(catalog().kinds.values())
    if not state["outside"]:
        level = rt.app.tree.unit_state(UUID(unit_id)).level
        kinds = [k for k in kinds if k.decided_by("union", level)]
    errors: dict[str, list[str]] = {}
    for problem in problems:  # beside a field that many lines share, each says its line
        if problem.field:
            shared = problem.field in ("imported", "upload", "lines") and problem.where
            errors.setdefault(problem.field, []).append(
                f"{problem.where}: {problem.message}" if shared else problem.message)
    finder = UnitFinder(rt, unit_id, [rt.app.today()])
    imported = state["imported"]
    return render(request, "decision_compose.html", {
        "s": state, "outside": state["outside"],
        "unit_name": rt.queries.unit_names({unit_id}).get(unit_id, ""),
        "offices": _office_choices(rt, actor, unit_id),
        "chosen": chosen, "missing": missing,
        "rows": [*state["lines"], *([empty] * blank)], "blank": blank,
        "room": room - blank, "kinds": kinds, "levels": list(catalog().levels.values()),
        "bodies": {code: f"{label} ({BODY_EXAMPLES[code]})" for code, label in BODY_LABELS.items()},
        "recipient_kinds": RECIPIENT_LABELS,
        "modes": AMOUNT_MODE_CHOICES, "unit_names": finder.choices(),
        "imported": imported, "imported_field": compose.encode(imported) if imported else "",
        "problems": problems, "errors": errors, "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
    }, status, actor)


def _nomination_names(rt: Runtime, state: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["name"] for item in _waiting(rt, {state["unit_id"]})}


def _preview_or_compose(request: Request, rt: Runtime, actor: Actor, state: dict[str, Any],
                        confirm_missing: bool = False) -> HTMLResponse:
    """The check-answers page of the decision, built and checked as issuing would and not
    recorded; or the form again with every problem at its field and line."""
    built = compose.build_draft(rt, state, _nomination_names(rt, state))
    if built.problems or built.draft is None:
        return _compose_page(request, rt, actor, state, built.problems, 422)
    try:
        decision = rt.app.decisions.preview(actor, built.draft, every_line=True)
    except DomainError as error:
        return _compose_page(request, rt, actor, state,
                             compose.refusal_problems(error, built.sources), status_for(error))
    shown = Privacy(rt, actor).decision(rep.decision(decision), decision)
    for line, source in zip(shown["lines"], built.sources, strict=True):
        line["source"] = source["where"]
    document = documents.decision_document(decision, rt.app.certificates.place_of(decision))
    amount = shown["totals"]["amount"]
    unit_id = state["unit_id"]
    return render(request, "decision_preview.html", {
        "d": shown, "doc": document, "state_field": compose.encode(state),
        "outside": state["outside"], "confirm_missing": confirm_missing,
        "recorder": rt.queries.unit_names({unit_id}).get(unit_id, ""),
        "nominations": sum(1 for s in built.sources if s["nomination"]),
        "words": dong_in_words(amount) if amount else "",
    }, 422 if confirm_missing else 200, actor)


@router.post("/decisions/compose", response_class=HTMLResponse)
async def compose_decision(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """The form sent: more lines, or a list uploaded, or the preview."""
    form = await request.form()
    state = compose.state_from_form(form)
    _office_unit(rt, actor, state["unit_id"])
    problems: list[compose.Problem] = []
    upload = form.get("upload")
    if isinstance(upload, StarletteUpload) and upload.filename:
        data = await upload.read(imports.MAX_UPLOAD_BYTES + 1)
        filename = nfc(upload.filename)[:200]
        try:
            listed = imports.read_decision_lines(data)
        except ValidationFailed as error:
            problems.append(compose.Problem(f"Tệp «{filename}»: {error.details['reason']}.",
                                            "upload"))
        else:
            problems.extend(
                compose.Problem(compose.sentence(message), "upload",
                                f"Tệp «{filename}», hàng {row}")
                for row, message in listed.errors)
            if not listed.errors:
                state["imported"] = {"file": filename, "rows": listed.rows}
    if form.get("action") == "more":
        shown = compose.parse_count(form.get("blank"))
        return _compose_page(request, rt, actor, state, problems, 422 if problems else 200,
                             blank=shown + MORE_LINES)
    if problems:
        return _compose_page(request, rt, actor, state, problems, 422)
    return _preview_or_compose(request, rt, actor, state)


def _carried_state(rt: Runtime, actor: Actor, form: Any) -> dict[str, Any]:
    state = compose.normalise(compose.decode(form.get("state")))
    _office_unit(rt, actor, state["unit_id"])
    return state


@router.post("/decisions/compose/edit", response_class=HTMLResponse)
async def edit_composed_decision(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """Back from the preview to the form, as it was filled in."""
    return _compose_page(request, rt, actor, _carried_state(rt, actor, await request.form()))


@router.post("/decisions/compose/issue")
async def issue_composed_decision(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """Issue (or record) the previewed decision, once the office confirmed it: everything is
    built and checked again from the form."""
    form = await request.form()
    state = _carried_state(rt, actor, form)
    if form.get("confirm") != "1":
        return _preview_or_compose(request, rt, actor, state, confirm_missing=True)
    built = compose.build_draft(rt, state, _nomination_names(rt, state))
    if built.problems or built.draft is None:
        return _compose_page(request, rt, actor, state, built.problems, 422)
    try:
        saved = rt.app.decisions.issue_decision(actor, built.draft)
    except DomainError as error:
        return _compose_page(request, rt, actor, state,
                             compose.refusal_problems(error, built.sources), status_for(error))
    rt.after(saved)
    done = "recorded" if state["outside"] else "issued"
    return RedirectResponse(f"/decisions/{saved.id}?done={done}", status_code=303)


# -- revoking ---------------------------------------------------------------------------------


def _revocable(rt: Runtime, actor: Actor, decision_id: str, line_no: str
               ) -> tuple[AwardDecision, int | None]:
    decision = rt.app.decisions.decision(parse_id(decision_id))
    rt.app.authz.require(actor, "approver", decision.recorded_by_unit_id)
    if not line_no:
        return decision, None
    number = whole(line_no, 1, 1_000_000)
    if number is None:
        raise ValidationFailed(reason="số dòng không hợp lệ")
    decision.line(number)  # an unknown line: 404
    return decision, number


def _revoke_page(request: Request, rt: Runtime, actor: Actor, decision: AwardDecision,
                 line_no: int | None, form: dict[str, str], *, step: str = "form",
                 errors: dict[str, str] | None = None, status: int = 200,
                 affected: list[Any] | None = None) -> HTMLResponse:
    shown = Privacy(rt, actor).decision(rep.decision(decision), decision)
    context: dict[str, Any] = {
        "d": shown, "line": shown["lines"][line_no - 1] if line_no else None,
        "form": form, "step": step, "errors": errors or {}, "grounds": REVOCATION_GROUNDS,
    }
    if affected is not None:
        stated = [line.amount for line in affected if line.amount is not None]
        context["affected"] = {
            "lines": len(affected), "amount": sum(stated) if stated else None,
            "not_stated": len(affected) - len(stated),
            "names": [line.recipient_name for line in affected[:10]],
        }
    return render(request, "decision_revoke.html", context, status, actor)


@router.get("/decisions/{decision_id}/revoke", response_class=HTMLResponse)
def revoke_form(request: Request, decision_id: str, rt: RuntimeDep, actor: SignedInDep,
                line_no: str = ""):
    decision, number = _revocable(rt, actor, decision_id, line_no)
    form = {"revoked_on": dmy(rt.app.today()), "ground": "", "reason": "",
            "line_no": str(number or "")}
    return _revoke_page(request, rt, actor, decision, number, form)


@router.post("/decisions/{decision_id}/revoke", response_class=HTMLResponse)
async def revoke(request: Request, decision_id: str, rt: RuntimeDep, actor: SignedInDep):
    """Check the revocation and say what it will do (step ``check``); record it once confirmed
    (step ``confirm``)."""
    sent = await request.form()
    form = {"revoked_on": nfc(str(sent.get("revoked_on") or "")),
            "ground": nfc(str(sent.get("ground") or "")),
            "reason": nfc_multiline(str(sent.get("reason") or "")),
            "line_no": nfc(str(sent.get("line_no") or ""))}
    decision, number = _revocable(rt, actor, decision_id, form["line_no"])
    errors: dict[str, str] = {}
    revoked_on = None
    try:
        revoked_on = compose.decision_day(form["revoked_on"])
    except ValidationFailed as error:
        errors["revoked_on"] = f"Ngày hủy bỏ: {error.details['reason']}."
    if form["ground"] not in REVOCATION_GROUNDS:
        errors["ground"] = "Chọn căn cứ hủy bỏ."
    if not form["reason"]:
        errors["reason"] = "Ghi rõ lý do hủy bỏ."
    if errors or revoked_on is None:
        return _revoke_page(request, rt, actor, decision, number, form, errors=errors,
                            status=422)
    what = {"on": revoked_on, "ground": form["ground"], "reason": form["reason"],
            "actor": actor.username}
    try:  # a dry run on this request's copy of the decision, never saved
        affected = ([decision.revoke_line(line_no=number, **what)] if number
                    else decision.revoke(**what))
    except DomainError as error:
        return _revoke_page(request, rt, actor, rt.app.decisions.decision(decision.id), number,
                            form, errors={"_": page_message(error)}, status=status_for(error))
    if sent.get("step") != "confirm":
        return _revoke_page(request, rt, actor, rt.app.decisions.decision(decision.id), number,
                            form, step="confirm", affected=affected)
    try:
        saved = rt.app.decisions.revoke_decision(
            actor, decision.id, revoked_on=revoked_on, ground=form["ground"],
            reason=form["reason"], line_no=number)
    except DomainError as error:
        return _revoke_page(request, rt, actor, rt.app.decisions.decision(decision.id), number,
                            form, errors={"_": page_message(error)}, status=status_for(error))
    rt.after(saved)
    return RedirectResponse(f"/decisions/{decision.id}?done=revoked", status_code=303)


# -- the decision page's history ----------------------------------------------------------------


def _ground_text(ground: str) -> str:
    if ground in REVOCATION_GROUNDS and ground != "other":
        return (f"điểm {ground} khoản 2 Điều 93 Luật Thi đua, khen thưởng — "
                f"{REVOCATION_GROUNDS[ground].lower()}")
    return REVOCATION_GROUNDS.get(ground, ground)


def _history(rt: Runtime, actor: Actor, decision: AwardDecision) -> list[dict[str, str]]:
    """Who did what to the decision, when (local time) and why."""
    events = Privacy(rt, actor).decision(rep.history(rt.app.history(decision.id)), decision)
    names = {line.line_no: line.recipient_name for line in decision.lines}
    out = []
    for event in events:
        data = event["data"]
        if event["event"] == "AwardDecision.Created":
            what = (f"Số {data.get('number', '')}, ngày "
                    f"{dmy(data['decided_on'])}, "
                    f"{len(data.get('lines') or [])} dòng")
        elif event["event"] == "AwardDecision.LineKindMapped":
            what = (f"Dòng {data['line_no']} ({names.get(data['line_no'], '')}): "
                    f"«{data.get('award_as_stated', '')}» (theo văn bản) → "
                    f"{catalog().kind(data['award_kind']).title}; lý do: "
                    f"{data.get('reason', '')}")
        elif event["event"] in ("AwardDecision.LineRevoked", "AwardDecision.Revoked"):
            whom = (f"Dòng {data['line_no']} ({names.get(data['line_no'], '')})"
                    if "line_no" in data else "Toàn bộ quyết định")
            what = (f"{whom} — từ ngày {dmy(data['revoked_on'])}"
                    f"; căn cứ: {_ground_text(data.get('ground', ''))}; lý do: "
                    f"{data.get('reason', '')}")
        else:
            what = ""
        out.append({"at": local_time(event["at"]), "label": event["label"],
                    "by": event["by"] or "", "what": what})
    return out


def _decision_extras(request: Request, rt: Runtime, actor: Actor, decision: AwardDecision,
                     office: bool) -> dict[str, Any]:
    """What the decision page shows beside the decision: its history, the office's actions,
    and the confirmation of what was just done."""
    done = request.query_params.get("done", "")
    titles = dict.fromkeys(line_title(line, decision.issuer, decision.decided_on)
                           for line in decision.lines)
    award = "; ".join(titles) or "khen thưởng"
    return {
        # as the decision's document reads it: a blank subject is «Về việc tặng …» its awards
        "subject": decision.subject or f"Về việc tặng {award}",
        "history": _history(rt, actor, decision),
        "may_revoke": office and decision.status != "revoked",
        # the catalogue kinds each line recorded as its source stated it may be mapped to
        "map_kinds": {line.line_no: _mappable_kinds(decision, line.line_no)
                      for line in decision.lines
                      if office and line.awaits_mapping and line.in_force},
        "done": DONE.get(done, ""),
    }


# -- mapping a stated form to the catalogue ----------------------------------------------------


def _mappable_kinds(decision: AwardDecision, line_no: int) -> list[tuple[str, str]]:
    """The catalogue kinds that admit the line's recipient and that its issuer may decide."""
    line, issuer = decision.line(line_no), decision.issuer_obj
    return [(kind.code, kind.title) for kind in catalog().kinds.values()
            if kind.allows(line.recipient_kind) and kind.decided_by(issuer.body, issuer.level)
            and kind.named_decider(issuer.name) and kind.code != line.award_kind]


def _map_page(request: Request, rt: Runtime, actor: Actor, decision: AwardDecision,
              line_no: int, form: dict[str, str], *, step: str = "form",
              errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    shown = Privacy(rt, actor).decision(rep.decision(decision), decision)
    titles = dict(_mappable_kinds(decision, line_no))
    context = {"d": shown, "line": shown["lines"][line_no - 1], "form": form, "step": step,
               "errors": errors or {}, "kinds": titles,
               "chosen": titles.get(form["award_kind"], "")}
    return render(request, "decision_map_kind.html", context, status, actor)


@router.get("/decisions/{decision_id}/lines/{line_no}/kind", response_class=HTMLResponse)
def map_kind_form(request: Request, decision_id: str, line_no: str, rt: RuntimeDep,
                  actor: SignedInDep):
    decision, number = _revocable(rt, actor, decision_id, line_no)
    assert number is not None
    return _map_page(request, rt, actor, decision, number, {"award_kind": "", "reason": ""})


@router.post("/decisions/{decision_id}/lines/{line_no}/kind", response_class=HTMLResponse)
async def map_kind(request: Request, decision_id: str, line_no: str, rt: RuntimeDep,
                   actor: SignedInDep):
    """Check the mapping and say what it will record (step ``check``); record it once
    confirmed (step ``confirm``)."""
    sent = await request.form()
    form = {"award_kind": nfc(str(sent.get("award_kind") or "")),
            "reason": nfc_multiline(str(sent.get("reason") or ""))}
    decision, number = _revocable(rt, actor, decision_id, line_no)
    assert number is not None
    errors: dict[str, str] = {}
    if not form["award_kind"]:
        errors["award_kind"] = "Chọn hình thức trong danh mục."
    if not form["reason"]:
        errors["reason"] = "Ghi rõ căn cứ, lý do đối chiếu."
    if errors:
        return _map_page(request, rt, actor, decision, number, form, errors=errors, status=422)
    try:  # a dry run on this request's copy of the decision, never saved
        decision.map_line_kind(line_no=number, kind=catalog().kind(form["award_kind"]),
                               reason=form["reason"], actor=actor.username)
    except DomainError as error:
        return _map_page(request, rt, actor, rt.app.decisions.decision(decision.id), number,
                         form, errors={"_": page_message(error)}, status=status_for(error))
    if sent.get("step") != "confirm":
        return _map_page(request, rt, actor, rt.app.decisions.decision(decision.id), number,
                         form, step="confirm")
    try:
        saved = rt.app.decisions.map_line_kind(actor, decision.id, number,
                                               award_kind=form["award_kind"],
                                               reason=form["reason"])
    except DomainError as error:
        return _map_page(request, rt, actor, rt.app.decisions.decision(decision.id), number,
                         form, errors={"_": page_message(error)}, status=status_for(error))
    rt.after(saved)
    return RedirectResponse(f"/decisions/{decision.id}?done=mapped", status_code=303)


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision_page(request: Request, decision_id: str, rt: RuntimeDep, actor: SignedInDep):
    decision = rt.app.decisions.decision(parse_id(decision_id))
    shown = Privacy(rt, actor).decision(rep.decision(decision), decision)
    # the certificate preview is the recording unit's awards office's (as the API's register)
    may_preview = rt.app.authz.covers(actor, decision.recorded_by_unit_id, "approver")
    return render(request, "decision.html", {"d": shown, "may_preview": may_preview,
                                             **_decision_extras(request, rt, actor, decision,
                                                                may_preview)},
                  actor=actor)

