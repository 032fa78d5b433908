"""Tờ trình with a list of candidates in the pages: composed row by row (add, remove, reorder) or
uploaded as XLSX (template downloadable, every row's errors before anything is recorded), filed
and submitted together (issue 16).

``/submissions`` lists the tờ trình the user may read (as the API's list); ``/submissions/new``
is the nominator's form (``services.web.submission_form`` holds its state between steps), the
review (nothing recorded), then ``file`` after the confirmation: one ``Submission`` and all its
nominations, submitted to the proposing unit's council, or nothing
(``Nominations.file_submission``). The same permission as ``POST /api/submissions``: a
nominator of the proposing unit.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from domain.catalog import RECIPIENT_LABELS, catalog
from domain.errors import DomainError, RoleRequired, ValidationFailed
from domain.nomination import STATUS_LABELS
from domain.text import nfc
from domain.users import ROLE_LABELS
from projections.queries import Page
from services import nomination_imports as lists
from services.app import Runtime
from services.attachments import Attachments
from services.authz import Actor
from services.decision_rows import UnitFinder
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.read_policy import nomination_scope, readable_submission
from services.web import compose
from services.web import submission_form as sf
from services.web.deps import SignedInDep
from services.web.forms import dmy, parse_id, unit_choices
from services.web.paging import paged, sliced
from services.web.routing import page_router
from services.web.templating import render

router = page_router()

MIN_BLANK_ROWS = 3
MORE_ROWS = 5
MAX_EDITABLE = 100  # rows shown as inputs; a longer list shows its wrong rows as inputs
MAX_BLANK = 50
MAX_REVIEW_ROWS = 500  # rows listed on the review page (all are counted)
FORM_LIMITS = {"max_fields": 4000, "max_files": 5, "max_part_size": 16 * 1024 * 1024}
TEMPLATE_NAME = "danh-sach-kem-to-trinh.xlsx"


def _nominator_units(actor: Actor) -> set[UUID]:
    units = actor.units_for("nominator")
    if not units:
        raise RoleRequired(role=ROLE_LABELS["nominator"])
    return units


def _proposing_unit(rt: Runtime, actor: Actor, unit_id: str) -> UUID:
    """The unit the tờ trình is filed for, when the actor is its nominator (as the API)."""
    _nominator_units(actor)
    unit = parse_id(unit_id or "")
    rt.app.authz.require(actor, "nominator", unit)
    return unit


def _status_counts(rt: Runtime, ids: list[str]) -> dict[str, Counter[str]]:
    """How many of each tờ trình's nominations are in each status (one query for the page)."""
    counts: dict[str, Counter[str]] = {i: Counter() for i in ids}
    if not ids:
        return counts
    marks = ",".join("?" * len(ids))
    with rt.queries.db.read() as cur:
        rows = cur.execute(
            "SELECT submission_id, status, COUNT(*) AS n FROM nominations"
            f" WHERE submission_id IN ({marks}) GROUP BY submission_id, status", ids).fetchall()
    for row in rows:
        counts[row["submission_id"]][row["status"]] = int(row["n"])
    return counts


def _statuses(counter: Counter[str]) -> list[dict[str, Any]]:
    return [{"code": code, "label": STATUS_LABELS.get(code, code), "count": counter[code]}
            for code in STATUS_LABELS if counter.get(code)]


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """The tờ trình the actor may read (the proposing units her grants cover), newest first."""
    rt.ensure_position(rt.app.max_position())
    scope = nomination_scope(rt, actor)
    result, paging = paged(request, lambda page: rt.queries.submissions(unit_ids=scope,
                                                                         page=page))
    items = result["items"]
    counts = _status_counts(rt, [row["submission_id"] for row in items])
    names = rt.queries.unit_names({row["proposing_unit_id"] for row in items})
    rows = [{**row, "unit": names.get(row["proposing_unit_id"], ""),
             "statuses": _statuses(counts[row["submission_id"]])} for row in items]
    return render(request, "submissions.html", {
        "rows": rows, "result": result, "paging": paging,
        "may_file": bool(actor.units_for("nominator")),
    }, actor=actor)


# -- composing, reviewing, filing (before ``/submissions/{id}``) --------------------------------


@router.get("/submissions/import-template.xlsx")
def import_template(actor: SignedInDep):
    return Response(lists.submission_template(), media_type=lists.XLSX_MEDIA, headers={
        "Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"'})


def _default_unit(actor: Actor) -> str:
    return str(next(g.unit_id for g in actor.grants if g.role == "nominator"))


@router.get("/submissions/new", response_class=HTMLResponse)
def new_submission(request: Request, rt: RuntimeDep, actor: SignedInDep, unit_id: str = ""):
    _nominator_units(actor)
    unit = _proposing_unit(rt, actor, unit_id or _default_unit(actor))
    state = sf.blank_state(str(unit))
    state["submitted_on"] = dmy(rt.app.today())
    return _compose_page(request, rt, actor, state)


def _compose_page(request: Request, rt: Runtime, actor: Actor, state: dict[str, Any],
                  problems: list[sf.Problem] | None = None, status: int = 200,
                  blank: int | None = None, notice: str = "") -> HTMLResponse:
    problems = problems or []
    rows = state["rows"]
    wrong = {p.row for p in problems if p.row}
    if len(rows) <= MAX_EDITABLE:
        editable = set(range(1, len(rows) + 1))
    else:
        editable = set(sorted(wrong)[:MAX_EDITABLE])
    if blank is None:
        blank = max(MIN_BLANK_ROWS - len(rows), 0) if len(rows) <= MAX_EDITABLE else 0
    blank = max(0, min(blank, MAX_BLANK))
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field:
            errors.setdefault(problem.field, []).append(problem.message)
    shown = [{"n": n, "r": row, "label": sf.row_label(n, row), "edit": n in editable}
             for n, row in enumerate(rows, start=1)]
    fixed = [item for item in shown if not item["edit"]]
    unit_id = state["unit_id"]
    finder = UnitFinder(rt, unit_id, [rt.app.today()])
    from_file = sum(1 for row in rows if row["row"])
    return render(request, "submission_compose.html", {
        "s": state, "units": unit_choices(rt, actor, "nominator"),
        "unit_name": rt.queries.unit_names({unit_id}).get(unit_id, ""),
        "editable": [item for item in shown if item["edit"]],
        "fixed": fixed[:200], "fixed_more": max(len(fixed) - 200, 0),
        "count": len(rows), "from_file": from_file,
        "new_rows": list(range(len(rows) + 1, len(rows) + blank + 1)), "blank": blank,
        "blank_row": sf.blank_row(), "rows_field": sf.encode_rows(rows),
        "kinds": list(catalog().kinds.values()), "recipient_kinds": RECIPIENT_LABELS,
        "kind_titles": {k.code: k.short_title for k in catalog().kinds.values()},
        "unit_names": finder.choices(), "problems": problems, "errors": errors,
        "more": MORE_ROWS, "room": len(rows) + blank < MAX_EDITABLE and blank < MAX_BLANK,
        "max_rows": lists.MAX_ROWS, "max_mb": lists.MAX_UPLOAD_BYTES // (1024 * 1024),
        "notice": notice,
    }, status, actor)


async def _read_upload(upload: StarletteUpload, state: dict[str, Any]
                       ) -> tuple[list[sf.Problem], str]:
    """An uploaded list replaces the rows of an earlier file (typed rows are kept)."""
    data = await upload.read(lists.MAX_UPLOAD_BYTES + 1)
    filename = nfc(upload.filename or "")[:200]
    try:
        listed = lists.read_candidates(data)
    except ValidationFailed as error:
        return [sf.Problem(f"Tệp «{filename}»: {compose.sentence(error.details['reason'])}",
                           "upload")], ""
    kept = [row for row in state["rows"] if not row["row"]]
    state["rows"] = [*kept, *(sf.clean_row(row) for row in listed.rows)]
    state["file"] = filename
    return [], (f"Đã tải tệp «{filename}»: {len(listed.rows)} hàng, thay cho danh sách tải "
                "lên trước (nếu có); các dòng nhập tay được giữ.")


def _moved(state: dict[str, Any], action: str) -> bool:
    """Remove a row, or move it up or down (``remove:3``, ``up:3``, ``down:3``)."""
    verb, _, number = action.partition(":")
    rows = state["rows"]
    if verb not in ("remove", "up", "down") or not number.isascii() or not number.isdigit():
        return False
    i = int(number[:6]) - 1
    if not 0 <= i < len(rows):
        return True
    if verb == "remove":
        del rows[i]
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i + 1 < len(rows):
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return True


def _review_or_compose(request: Request, rt: Runtime, actor: Actor, state: dict[str, Any],
                       confirm_missing: bool = False) -> HTMLResponse:
    """The check-answers page (nothing recorded), or the form with every problem at its row."""
    built = sf.build(rt, state)
    if built.problems:
        return _compose_page(request, rt, actor, state, built.problems, 422)
    rows = state["rows"]
    names = {r["unit"] for r in rows}
    by_award = Counter(catalog().kind(r["award_kind"]).title for r in rows)
    by_kind = Counter(RECIPIENT_LABELS[r["kind"]] for r in rows)
    unit_id = state["unit_id"]
    return render(request, "submission_review.html", {
        "s": state, "state_field": compose.encode(state),
        "unit_name": rt.queries.unit_names({unit_id}).get(unit_id, ""),
        "rows": [{"n": n, "r": r, "label": sf.row_label(n, r),
                  "award": catalog().kind(r["award_kind"]).short_title}
                 for n, r in enumerate(rows[:MAX_REVIEW_ROWS], start=1)],
        "count": len(rows), "more": max(len(rows) - MAX_REVIEW_ROWS, 0),
        "by_award": sorted(by_award.items()), "by_kind": sorted(by_kind.items()),
        "units_named": len(names - {""}), "confirm_missing": confirm_missing,
        "recipient_kinds": RECIPIENT_LABELS,
    }, 422 if confirm_missing else 200, actor)


@router.post("/submissions/compose", response_class=HTMLResponse)
async def compose_submission(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """The form sent: a list uploaded, rows added, removed or moved, or the review."""
    _nominator_units(actor)
    form = await request.form(**FORM_LIMITS)
    state = sf.state_from_form(form)
    _proposing_unit(rt, actor, state["unit_id"])
    action = str(form.get("action") or "review")
    problems: list[sf.Problem] = []
    notice = ""
    upload = form.get("upload")
    if isinstance(upload, StarletteUpload) and upload.filename:
        problems, notice = await _read_upload(upload, state)
        if not problems and action in ("upload", "review"):
            built = sf.build(rt, state)
            row_problems = [p for p in built.problems if p.row]
            if row_problems or action == "upload":
                return _compose_page(request, rt, actor, state, row_problems,
                                     422 if row_problems else 200, notice=notice)
    elif action == "upload":
        problems = [sf.Problem("Chưa chọn tệp danh sách để tải lên.", "upload")]
    if problems:
        return _compose_page(request, rt, actor, state, problems, 422)
    shown = compose.parse_count(form.get("blank"))
    if action == "more":
        return _compose_page(request, rt, actor, state, blank=shown + MORE_ROWS)
    if _moved(state, action):
        return _compose_page(request, rt, actor, state, blank=shown)
    return _review_or_compose(request, rt, actor, state)


def _carried_state(rt: Runtime, actor: Actor, form: Any) -> dict[str, Any]:
    _nominator_units(actor)
    state = sf.normalise(sf.decode(form.get("state")))
    _proposing_unit(rt, actor, state["unit_id"])
    return state


@router.post("/submissions/compose/edit", response_class=HTMLResponse)
async def edit_composed_submission(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """Back from the review to the form, as it was filled in."""
    form = await request.form(**FORM_LIMITS)
    return _compose_page(request, rt, actor, _carried_state(rt, actor, form))


@router.post("/submissions/compose/file")
async def file_composed_submission(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """File the reviewed tờ trình, once confirmed: everything is built and checked again."""
    form = await request.form(**FORM_LIMITS)
    state = _carried_state(rt, actor, form)
    if form.get("confirm") != "1":
        return _review_or_compose(request, rt, actor, state, confirm_missing=True)
    built = sf.build(rt, state)
    if built.problems or built.unit_id is None:
        return _compose_page(request, rt, actor, state, built.problems, 422)
    try:
        saved = rt.app.nominations.file_submission(
            actor, proposing_unit_id=built.unit_id, candidates=built.candidates,
            number=state["number"] or None, title=state["title"],
            submitted_on=built.submitted_on)
    except DomainError as error:
        return _compose_page(request, rt, actor, state,
                             [sf.refusal_problem(error, state["rows"])], status_for(error))
    rt.after(saved)
    return RedirectResponse(f"/submissions/{saved.id}?done=filed", status_code=303)


# -- one tờ trình -------------------------------------------------------------------------------


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: str, rt: RuntimeDep, actor: SignedInDep):
    return submission_view(request, rt, actor, submission_id)


def submission_view(request: Request, rt: Runtime, actor: Actor, submission_id: str,
                    error: DomainError | None = None) -> HTMLResponse:
    """The tờ trình with its list, with ``error`` (a refused upload) shown above it."""
    submission = readable_submission(rt, actor, parse_id(submission_id))
    rt.ensure_position(rt.app.max_position())
    sid = str(submission.id)
    ids = [str(n) for n in submission.nomination_ids]
    found = rt.queries.nominations(submission_id=sid, page=Page.everything(len(ids) + 1))
    by_id = {row["nomination_id"]: row for row in found["items"]}
    shown, paging = sliced(request, ids, size=100, anchor="danh-sach")
    start = paging.offset
    items = [{**by_id[n], "no": start + i} for i, n in enumerate(shown, start=1) if n in by_id]
    unit_id = str(submission.proposing_unit_id)
    names = rt.queries.unit_names({unit_id} | {r["review_unit_id"] for r in items
                                                if r["review_unit_id"]})
    return render(request, "submission.html", {
        "sub": submission, "unit_name": names.get(unit_id, ""), "items": items,
        "names": names, "paging": paging, "count": len(ids),
        "statuses": _statuses(Counter(row["status"] for row in by_id.values())),
        "done": request.query_params.get("done") == "filed",
        "attachments": Attachments(rt).section(actor, "submission", submission),  # _attachments
        "error": error,
    }, status_for(error) if error else 200, actor)
