"""Money schedules in the pages: base salaries and coefficient tables with sources and verified
flags, their history, issuers' own rates, recording a new base salary (issue 15).

* ``/schedules``: the base salaries over time (amount, from date, decree, source, verified or
  "chưa được xác minh"), each decree period's coefficient table (coefficient, collective and
  household factors, source, verified), the title policy, and the history of changes (who, when,
  what, why); links to the calculator, the issuers' rates and — for the awards office — the
  differences report (``/schedules/differences``, ``pages_money``);
* ``/schedules/base-salary/new`` → ``…/check`` (what will change) → ``POST
  /schedules/base-salary``; ``/schedules/base-salary/withdraw?effective_from=…`` (what will
  change, a reason) → ``POST``: for whoever the service lets change the legal schedule (the
  root unit's admin);
* ``/schedules/internal-rates?unit_id=…``: one Union unit's own rates and their history, for
  anyone signed in; its approvers and admins (and those above) record a new rate from a date:
  the form → ``…/check`` → ``POST /schedules/internal-rates``.

Every change is the service's (``services.schedules``), with its permissions and refusals. The
review pages run the same service method against a store that records nothing
(``_Rehearsal``): what the review accepts, the confirmation records, unless the schedule
changed in between (then a 409 and the form again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.calculator import coefficient_text, quote
from domain.catalog import RECIPIENT_KINDS, RECIPIENT_LABELS, catalog
from domain.errors import (
    ConcurrentChange,
    DomainError,
    RecipientKindNotAllowed,
    UnknownAwardKind,
    ValidationFailed,
)
from domain.money import dong_in_words, format_dong
from domain.schedules import (
    COLLECTIVE_ROUNDINGS,
    LEGAL_SCHEDULE_ID,
    ROUND_PRODUCT,
    BaseSalary,
    MoneySchedules,
    internal_rate_on,
    internal_rates_id,
    kind_rules,
    rule_label,
)
from domain.text import nfc
from projections.queries import Page
from services import representations as rep
from services.app import Runtime
from services.authz import SYSTEM, Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.read_policy import is_office
from services.schedules import Schedules
from services.store import Saved, Store
from services.web.deps import SignedInDep
from services.web.forms import day_typed, dmy, money_typed, parse_id, whole
from services.web.routing import page_router
from services.web.templating import local_time, render

router = page_router()
FORM = dict[str, str]
ROUNDING_LABELS = {"ceil_10000": "làm tròn lên hàng chục nghìn đồng", "none": "không làm tròn"}
COLLECTIVE_ROUNDING_LABELS = {
    ROUND_PRODUCT: "làm tròn một lần: hệ số nhân × hệ số × mức lương cơ sở",
    "multiply_rounded_individual": "hệ số nhân × mức của cá nhân đã làm tròn",
}
assert set(COLLECTIVE_ROUNDING_LABELS) == set(COLLECTIVE_ROUNDINGS)
# the example on the base salary's review page: the Union's central Bằng khen, for one person
EXAMPLE_KIND = "bang_khen_tw_hoi"


# -- a rehearsal of the service: every check, nothing recorded ---------------------------------


class _Rehearsal:
    """The event store as the service uses it, except that ``commit`` records nothing: it keeps
    the events the service would have recorded (``pending``) and the aggregates (``saved``)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.pending: list[Any] = []
        self.saved: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def commit(self, *aggregates: Any, subject: UUID | None = None) -> Saved:
        present = [a for a in aggregates if a is not None]
        self.saved = present
        self.pending = [e for a in present for e in a.pending_events]
        main = present[0]
        return Saved(id=main.id, version=main.version, position=self._store.max_position())


def _rehearsal(rt: Runtime) -> tuple[Schedules, _Rehearsal]:
    store = _Rehearsal(rt.app)
    return Schedules(cast(Store, store), rt.app.tree, rt.app.authz), store


def _may_change_legal(rt: Runtime, actor: Actor) -> bool:
    """The service's rule for the legal schedule: an admin of the root unit (or above it)."""
    root = rt.app.tree.root_unit_id()
    return root is not None and rt.app.authz.covers(actor, root, "admin")


def _require_legal(rt: Runtime, actor: Actor) -> None:
    """The same refusal as the service's (403 with its message; 422 without a root)."""
    schedules, _ = _rehearsal(rt)
    schedules.set_title_policy(  # the current value: passes the check, records nothing
        actor, highest_title_only=rt.app.schedules.money_schedules().highest_title_only)


def _may_set_rates(rt: Runtime, actor: Actor, unit_id: UUID) -> bool:
    """The service's rule for a unit's own rates: its admins or approvers, or those above."""
    return rt.app.authz.covers(actor, unit_id, "admin") or rt.app.authz.covers(
        actor, unit_id, "approver")


def _require_rates(rt: Runtime, actor: Actor, unit_id: UUID) -> None:
    """The service's refusal (``Schedules.set_internal_rate``) before the form is read: a
    person who may not record sees the error page, whatever she typed."""
    issuer = rt.app.tree.issuer_of_unit(unit_id)
    assert issuer.unit_id is not None
    if not rt.app.authz.covers(actor, issuer.unit_id, "admin"):
        rt.app.authz.require(actor, "approver", issuer.unit_id)


def _form(raw: Any) -> FORM:
    return {key: nfc(str(raw.get(key))) for key in raw}


def _checked(raw: str | None) -> bool:
    return (raw or "") in ("1", "on", "true")


def _version(form: FORM) -> int | None:
    return whole(form.get("version"), 0, 10**9)


def _check_unchanged(rt: Runtime, form: FORM) -> None:
    """The schedule reviewed is the schedule now: a change in between is a conflict (409)."""
    expected = _version(form)
    if expected is not None and expected != rt.app.schedules.money_schedules().version:
        raise ConcurrentChange()


def _done(rt: Runtime, saved: Saved, where: str) -> RedirectResponse:
    rt.after(saved)
    return RedirectResponse(where, status_code=303)


# -- reading the schedule ----------------------------------------------------------------------


def _base_rows(ms: MoneySchedules, today: date) -> list[dict[str, Any]]:
    current = ms.base_salary_on(today)
    rows = []
    for b in sorted(ms.base_salaries, key=lambda r: r.effective_from, reverse=True):
        rows.append({
            **b.as_dict(), "amount_text": format_dong(b.amount),
            "from_text": dmy(b.effective_from),
            "state": "current" if b == current else ("future" if b.effective_from > today
                                                     else "past"),
        })
    return rows


def _coefficient(value: Any) -> str:
    return coefficient_text(str(value))


def _rule_row(key: str, rule: dict[str, Any]) -> dict[str, Any]:
    """A coefficient table's row as the page shows it, with the parts no source quotes."""
    individual = rule.get("individual")
    collective = rule.get("collective")
    cap = bool(rule.get("cap"))
    unverified = []
    if not rule.get("verified"):
        unverified.append("hệ số")
    factor = rule.get("collective_factor")
    if factor is not None and not rule.get("collective_verified", rule.get("verified")):
        unverified.append("hệ số nhân tập thể")
    household = rule.get("household_factor")
    if household is not None and not rule.get("household_verified"):
        unverified.append("hệ số nhân hộ gia đình")
    if individual is not None:
        individual_text = ("tối đa " if cap else "") + _coefficient(individual)
    else:
        individual_text = "—"
    if collective is not None:
        collective_text = ("tối đa " if cap else "") + _coefficient(collective)
    elif factor is not None:
        collective_text = f"{factor} × mức cá nhân"
    else:
        collective_text = "—"
    sources = [s for s in (rule.get("source"), rule.get("household_source")) if s]
    return {
        "key": key, "label": rule_label(key), "individual": individual_text,
        "collective": collective_text,
        "household": f"{_coefficient(household)} × mức cá nhân" if household is not None else "—",
        "sources": sources, "unverified": unverified,
    }


def _period_views(ms: MoneySchedules, today: date) -> list[dict[str, Any]]:
    current = ms.period_on(today)
    views = []
    for p in sorted(ms.periods, key=lambda p: p.effective_from, reverse=True):
        meta = p.meta
        views.append({
            "code": p.code, "title": p.title, "from_text": dmy(p.effective_from),
            "state": "current" if p == current else ("future" if p.effective_from > today
                                                     else "past"),
            "effective_verified": bool(meta.get("effective_verified", False)),
            "effective_source": meta.get("effective_source", ""),
            "rounding": ROUNDING_LABELS.get(p.rounding, p.rounding),
            "rounding_source": meta.get("rounding_source", ""),
            "rounding_verified": p.rounding_verified,
            "collective_rounding": COLLECTIVE_ROUNDING_LABELS.get(p.collective_rounding,
                                                                  p.collective_rounding),
            "collective_rounding_source": meta.get("collective_rounding_source", ""),
            "collective_rounding_verified": p.collective_rounding_verified,
            "highest_title_rule": meta.get("highest_title_rule", ""),
            "rows": [_rule_row(k, r) for k, r in sorted(
                p.rules.items(), key=lambda item: rule_label(item[0]))],
        })
    return views


def _verified_text(flag: Any) -> str:
    return "đã xác minh" if flag else "chưa được xác minh"


def _legal_event(event: dict[str, Any]) -> tuple[str, str]:
    """What changed and why, for one event of the legal schedule."""
    data, name = event["data"], event["event"]
    if name == "LegalSchedule.BaseSalarySet":
        what = (f"Từ {dmy(data['effective_from'])}: {format_dong(data['amount'])} — "
                f"{data['legal_basis']} ({_verified_text(data['verified'])})")
        return what, data.get("note", "")
    if name == "LegalSchedule.BaseSalaryWithdrawn":
        return f"Mức từ {dmy(data['effective_from'])}", data.get("reason", "")
    if name == "LegalSchedule.PeriodSet":
        return f"{data['title']}, từ {dmy(data['effective_from'])}", ""
    if name == "LegalSchedule.PolicySet":
        policy = ("chỉ nhận mức cao nhất" if data["highest_title_only"]
                  else "nhận mức của từng danh hiệu")
        return f"Nhiều danh hiệu cùng thành tích: {policy}", ""
    if name == "LegalSchedule.ReleaseLoaded":
        parts = []
        bases = sorted(data.get("base_salaries") or {})
        if bases:
            parts.append("mức lương cơ sở từ " + ", ".join(dmy(d) for d in bases))
        periods = data.get("periods") or {}
        if periods:
            parts.append("bảng hệ số " + ", ".join(
                str(p.get("title", code)) for code, p in sorted(periods.items())))
        changed = "; ".join(parts) if parts else "không đổi mức nào đã ghi"
        return f"Bản phát hành {data['release']}: {changed}", data.get("title", "")
    return "", ""


def _history(rt: Runtime, aggregate_id: UUID, summarise: Any) -> list[dict[str, Any]]:
    out = []
    for e in reversed(rep.history(rt.app.history(aggregate_id))):
        what, why = summarise(e)
        by = "Hệ thống" if e["by"] == SYSTEM.username else (e["by"] or "")
        out.append({"when": local_time(e["at"]), "by": by, "label": e["label"],
                    "what": what, "why": why})
    return out


def _legal_history(rt: Runtime) -> list[dict[str, Any]]:
    return _history(rt, LEGAL_SCHEDULE_ID, _legal_event)


# -- /schedules ---------------------------------------------------------------------------------


@router.get("/schedules", response_class=HTMLResponse)
def schedules_page(request: Request, rt: RuntimeDep, actor: SignedInDep, recorded: str = "",
                   withdrawn: str = ""):
    today = rt.app.today()
    ms = rt.app.schedules.money_schedules()
    done = None
    if recorded:
        row = next((b for b in ms.base_salaries if b.effective_from.isoformat() == recorded),
                   None)
        if row is not None:
            done = (f"Đã ghi mức lương cơ sở {format_dong(row.amount)} từ ngày "
                    f"{dmy(row.effective_from)}.")
    elif withdrawn:
        try:
            day = day_typed(withdrawn)
        except DomainError:
            day = None
        if day is not None and all(b.effective_from != day for b in ms.base_salaries):
            done = f"Đã rút mức lương cơ sở từ ngày {dmy(day)}."
    return render(request, "schedules.html", {
        "bases": _base_rows(ms, today), "periods": _period_views(ms, today),
        "highest_title_only": ms.highest_title_only, "history": _legal_history(rt),
        "may_change": _may_change_legal(rt, actor), "office": is_office(actor),
        "done": done, "recorded": recorded if done and recorded else "",
        "today_text": dmy(today)}, actor=actor)


# -- a new base salary: form → review → recorded ------------------------------------------------


@dataclass
class _BaseSalary:
    """A base salary as typed, read; ``errors`` by field ("_": the whole form)."""

    form: FORM
    effective_from: date | None = None
    amount: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _read_base_salary(form: FORM) -> _BaseSalary:
    read = _BaseSalary(form)
    try:
        read.amount = money_typed(form.get("amount"), "mức lương cơ sở")
        if read.amount is None:
            read.errors["amount"] = "Cần nhập mức lương cơ sở, ví dụ 2.530.000"
        elif not 0 < read.amount < 10**9:
            read.errors["amount"] = "Mức lương cơ sở phải lớn hơn 0 đ và dưới 1 tỷ đồng"
    except DomainError as error:
        read.errors["amount"] = _sentence(error)
    try:
        read.effective_from = day_typed(form.get("effective_from"), "ngày áp dụng")
        if read.effective_from is None:
            read.errors["effective_from"] = "Cần ngày bắt đầu áp dụng (dd/mm/yyyy)"
    except DomainError as error:
        read.errors["effective_from"] = _sentence(error)
    basis = form.get("legal_basis", "")
    if not basis:
        read.errors["legal_basis"] = ("Cần căn cứ pháp lý: số nghị định, ví dụ Nghị định "
                                      "161/2026/NĐ-CP")
    elif len(basis) > 300:
        read.errors["legal_basis"] = "Căn cứ pháp lý dài quá 300 ký tự"
    if len(form.get("note", "")) > 2000:
        read.errors["note"] = "Nguồn, ghi chú dài quá 2.000 ký tự"
    return read


def _sentence(error: Any) -> str:
    text = str(getattr(error, "message", error)).strip()
    return text[:1].upper() + text[1:]


def _base_salary_form(request: Request, rt: Runtime, actor: Actor, form: FORM,
                      errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    return render(request, "schedule_base_salary_form.html", {
        "form": form, "errors": errors or {},
        "current": _base_rows(rt.app.schedules.money_schedules(), rt.app.today())[:3],
    }, status, actor)


@router.get("/schedules/base-salary/new", response_class=HTMLResponse)
def new_base_salary_form(request: Request, rt: RuntimeDep, actor: SignedInDep,
                         amount: str = "", effective_from: str = "", legal_basis: str = "",
                         note: str = "", verified: str = ""):
    """The form (the review's "Sửa lại" comes back here with what was typed)."""
    _require_legal(rt, actor)
    form = {"amount": nfc(amount)[:40], "effective_from": nfc(effective_from)[:40],
            "legal_basis": nfc(legal_basis)[:300], "note": nfc(note)[:2000],
            "verified": "1" if _checked(verified) else ""}
    return _base_salary_form(request, rt, actor, form)


def _rehearse_base_salary(rt: Runtime, actor: Actor, read: _BaseSalary) -> _Rehearsal:
    """The service's own ``set_base_salary``, nothing recorded; a refusal of the figures goes
    to the form's errors, a refusal of the person (403) to the error page."""
    schedules, store = _rehearsal(rt)
    assert read.effective_from is not None and read.amount is not None
    schedules.set_base_salary(
        actor, effective_from=read.effective_from, amount=read.amount,
        legal_basis=read.form.get("legal_basis", ""),
        verified=_checked(read.form.get("verified")), note=read.form.get("note", ""))
    return store


def _refused(error: DomainError, errors: dict[str, str]) -> int:
    """A refusal on a form: the person's (403) goes to the error page, the rest to the form."""
    status = status_for(error)
    if status in (401, 403):
        raise error
    errors["_"] = _sentence(error)
    return status


@router.post("/schedules/base-salary/check", response_class=HTMLResponse)
async def base_salary_check(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """What recording this base salary will change, before anything is recorded."""
    form = _form(await request.form())
    _require_legal(rt, actor)
    read = _read_base_salary(form)
    if read.errors:
        return _base_salary_form(request, rt, actor, form, read.errors, 422)
    try:
        store = _rehearse_base_salary(rt, actor, read)
    except DomainError as error:
        status = _refused(error, read.errors)
        return _base_salary_form(request, rt, actor, form, read.errors, status)
    assert read.effective_from is not None and read.amount is not None
    before = rt.app.schedules.money_schedules()
    after = store.saved[0].snapshot() if store.saved else before
    day = read.effective_from
    same_day = next((b for b in before.base_salaries if b.effective_from == day), None)
    previous = before.base_salary_on(day)
    later = sorted((b for b in before.base_salaries if b.effective_from > day),
                   key=lambda b: b.effective_from)
    context = {
        "form": form, "version": before.version, "changes": bool(store.pending),
        "from_text": dmy(day), "amount_text": format_dong(read.amount),
        "amount_words": dong_in_words(read.amount),
        "verified": _checked(form.get("verified")),
        "same_day": _base_view(same_day), "previous": _base_view(previous),
        "until": _base_view(later[0]) if later else None,
        "example": _example(rt, before, after, day),
        "past": day <= rt.app.today(), "iso": day.isoformat(),
        "edit_query": {k: form.get(k, "") for k in
                       ("amount", "effective_from", "legal_basis", "note", "verified")},
    }
    return render(request, "schedule_base_salary_check.html", context, actor=actor)


def _base_view(row: BaseSalary | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**row.as_dict(), "amount_text": format_dong(row.amount),
            "from_text": dmy(row.effective_from)}


def _example(rt: Runtime, before: MoneySchedules, after: MoneySchedules, day: date
             ) -> dict[str, Any] | None:
    """The Union's central Bằng khen for one person decided that day, before and after."""
    root = rt.app.tree.root_unit_id()
    if root is None:
        return None
    try:
        issuer = rt.app.tree.issuer_of_unit(root, day)
        quotes = [quote(award_kind=EXAMPLE_KIND, recipient_kind="individual",
                        issuer_body=issuer.body, issuer_level=issuer.level, on=day,
                        schedules=ms, issuer_name=issuer.name) for ms in (before, after)]
    except DomainError:
        return None
    if quotes[1].amount is None:
        return None
    return {"title": catalog().kind(EXAMPLE_KIND).title, "issuer": issuer.name,
            "before": format_dong(quotes[0].amount, "chưa tính được"),
            "after": format_dong(quotes[1].amount), "explanation": quotes[1].explanation}


@router.post("/schedules/base-salary")
async def record_base_salary(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    _require_legal(rt, actor)
    read = _read_base_salary(form)
    if read.errors:
        return _base_salary_form(request, rt, actor, form, read.errors, 422)
    assert read.effective_from is not None and read.amount is not None
    try:
        _check_unchanged(rt, form)
        saved = rt.app.schedules.set_base_salary(
            actor, effective_from=read.effective_from, amount=read.amount,
            legal_basis=form.get("legal_basis", ""), verified=_checked(form.get("verified")),
            note=form.get("note", ""))
    except DomainError as error:
        status = _refused(error, read.errors)
        return _base_salary_form(request, rt, actor, form, read.errors, status)
    return _done(rt, saved, f"/schedules?recorded={read.effective_from.isoformat()}")


# -- withdrawing a base salary recorded by mistake ----------------------------------------------


def _withdrawal(request: Request, rt: Runtime, actor: Actor, effective_from: str, form: FORM,
                errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    _require_legal(rt, actor)
    ms = rt.app.schedules.money_schedules()
    day = day_typed(effective_from, "ngày áp dụng")
    row = next((b for b in ms.base_salaries if b.effective_from == day), None)
    if day is None or row is None:
        raise ValidationFailed(reason="không có mức lương cơ sở nào được ghi từ ngày "
                                      + (dmy(day) if day else "đó"))
    earlier = [b for b in ms.base_salaries if b.effective_from < day]
    later = sorted((b for b in ms.base_salaries if b.effective_from > day),
                   key=lambda b: b.effective_from)
    instead = max(earlier, key=lambda b: b.effective_from) if earlier else None
    return render(request, "schedule_base_salary_withdraw.html", {
        "row": _base_view(row), "instead": _base_view(instead),
        "until": _base_view(later[0]) if later else None, "version": ms.version,
        "form": form, "errors": errors or {}, "in_force": row == ms.base_salary_on(rt.app.today()),
    }, status, actor)


@router.get("/schedules/base-salary/withdraw", response_class=HTMLResponse)
def withdraw_base_salary_form(request: Request, rt: RuntimeDep, actor: SignedInDep,
                              effective_from: str = ""):
    return _withdrawal(request, rt, actor, effective_from[:40], {})


@router.post("/schedules/base-salary/withdraw")
async def withdraw_base_salary(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    _require_legal(rt, actor)
    raw_day = form.get("effective_from", "")
    reason = form.get("reason", "")
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Cần ghi rõ lý do rút mức này (ví dụ: ghi nhầm ngày, nhầm số)"
    elif len(reason) > 2000:
        errors["reason"] = "Lý do dài quá 2.000 ký tự"
    if errors:
        return _withdrawal(request, rt, actor, raw_day, form, errors, 422)
    day = day_typed(raw_day, "ngày áp dụng")  # a date that cannot be read: the error page
    if day is None:
        raise ValidationFailed(reason="cần ngày áp dụng của mức cần rút")
    try:
        _check_unchanged(rt, form)
        saved = rt.app.schedules.withdraw_base_salary(actor, effective_from=day, reason=reason)
    except ConcurrentChange as error:
        errors["_"] = _sentence(error)
        return _withdrawal(request, rt, actor, raw_day, form, errors, status_for(error))
    return _done(rt, saved, f"/schedules?withdrawn={day.isoformat()}")


# -- issuers' own rates ----------------------------------------------------------------------


def _internal_kinds(level: str | None = None) -> list[Any]:
    """The kinds paid at an issuer's own rates (at that level, when given), in catalog order."""
    kinds = []
    for kind in catalog().kinds.values():
        rules = kind_rules(kind.code)
        if any(rule == "internal" and (level is None or decider == f"union:{level}")
               for decider, rule in rules.items()):
            kinds.append(kind)
    return kinds


def _issuer_units(rt: Runtime) -> list[dict[str, Any]]:
    """Active units today at a level that pays some award at its own rates."""
    levels = {decider.split(":", 1)[1] for kind in _internal_kinds()
              for decider, rule in kind_rules(kind.code).items()
              if rule == "internal" and decider.startswith("union:")}
    order = {code: i for i, code in enumerate(catalog().levels)}
    units = []
    for level in sorted(levels, key=lambda c: order.get(c, 99)):
        found = rt.queries.units_on(rt.app.today(), level=level, page=Page(limit=500))
        units += [{"id": u["id"], "name": u["name"]} for u in found["items"]]
    return units


def _default_unit(actor: Actor) -> str:
    """The actor's unit where she may record rates (even one dissolved since: its rates stay
    readable), else one where she holds another role."""
    for role in ("approver", "admin", None):
        held = sorted(str(u) for u in actor.units_for(role))
        if held:
            return held[0]
    return ""


def _rate_event(event: dict[str, Any]) -> tuple[str, str]:
    data, name = event["data"], event["event"]
    if name == "InternalRates.RateSet":
        try:
            title = catalog().kind(data["award_kind"]).title
        except UnknownAwardKind:
            title = data["award_kind"]
        who = RECIPIENT_LABELS.get(data["recipient_kind"], data["recipient_kind"])
        return (f"{title}, {who}, từ {dmy(data['effective_from'])}: "
                f"{format_dong(data['amount'])}", data.get("note", ""))
    if name == "InternalRates.Created":
        return data.get("issuer_name", ""), ""
    return "", ""


def _rates_view(rates: tuple[Any, ...], today: date) -> list[dict[str, Any]]:
    rows = []
    for r in sorted(rates, key=lambda r: (r.award_kind, r.recipient_kind, r.effective_from)):
        current = internal_rate_on(rates, r.award_kind, r.recipient_kind, today)
        try:
            title = catalog().kind(r.award_kind).title
        except UnknownAwardKind:
            title = r.award_kind
        rows.append({
            "title": title, "who": RECIPIENT_LABELS.get(r.recipient_kind, r.recipient_kind),
            "from_text": dmy(r.effective_from), "amount_text": format_dong(r.amount),
            "note": r.note,
            "state": "current" if r == current else ("future" if r.effective_from > today
                                                     else "past"),
        })
    return rows


def _rates_page(request: Request, rt: Runtime, actor: Actor, unit_id: str, form: FORM,
                errors: dict[str, str] | None = None, status: int = 200,
                done: str | None = None) -> HTMLResponse:
    units = _issuer_units(rt)
    chosen = unit_id or _default_unit(actor)
    context: dict[str, Any] = {"units": units, "unit_id": chosen, "issuer": None,
                               "form": form, "errors": errors or {}, "done": done}
    if chosen:
        uid = parse_id(chosen)
        issuer, rates = rt.app.schedules.internal_rates_of(uid)
        assert issuer.unit_id is not None
        today = rt.app.today()
        state = rt.app.tree.referenced_unit(uid).latest_state()
        kinds = _internal_kinds(issuer.level)
        context.update({
            "issuer": issuer, "level_name": catalog().level(issuer.level).name,
            "ended_on": dmy(state.ended_on) if state.ended_on and not state.is_active else "",
            "rates": _rates_view(rates, today),
            "history": _history(rt, internal_rates_id(issuer.key), _rate_event),
            "may_record": _may_set_rates(rt, actor, issuer.unit_id),
            "kinds": kinds, "recipient_kinds": [(k, RECIPIENT_LABELS[k]) for k in
                                                RECIPIENT_KINDS],
        })
        if chosen not in {u["id"] for u in units}:
            context["units"] = [{"id": chosen, "name": issuer.name}, *units]
    return render(request, "schedule_internal_rates.html", context, status, actor)


@router.get("/schedules/internal-rates", response_class=HTMLResponse)
def internal_rates_page(request: Request, rt: RuntimeDep, actor: SignedInDep,
                        unit_id: str = "", recorded: str = "", award_kind: str = "",
                        recipient_kind: str = "", effective_from: str = "", amount: str = "",
                        note: str = ""):
    """The unit's rates; the review's "Sửa lại" comes back here with what was typed."""
    rt.ensure_position(rt.app.max_position())
    done = None
    kind_code, _, rest = recorded[:200].partition(".")
    who, _, day = rest.partition(".")
    if recorded and unit_id:
        try:
            _, rates = rt.app.schedules.internal_rates_of(parse_id(unit_id[:40]))
        except DomainError:
            rates = ()
        row = next((r for r in rates if (r.award_kind, r.recipient_kind,
                                         r.effective_from.isoformat()) == (kind_code, who, day)),
                   None)
        if row is not None:
            done = (f"Đã ghi mức thưởng {format_dong(row.amount)}: "
                    f"{catalog().kind(row.award_kind).title}, {RECIPIENT_LABELS[who]}, "
                    f"từ ngày {dmy(row.effective_from)}.")
    form = {"award_kind": nfc(award_kind)[:100], "recipient_kind": nfc(recipient_kind)[:20],
            "effective_from": nfc(effective_from)[:40], "amount": nfc(amount)[:40],
            "note": nfc(note)[:2000]}
    return _rates_page(request, rt, actor, unit_id[:40], form, done=done)


@dataclass
class _Rate:
    form: FORM
    unit_id: UUID
    effective_from: date | None = None
    amount: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _read_rate(form: FORM) -> _Rate:
    read = _Rate(form, parse_id(form.get("unit_id", "")))
    if not form.get("award_kind"):
        read.errors["award_kind"] = "Cần chọn hình thức khen thưởng"
    if form.get("recipient_kind") not in RECIPIENT_KINDS:
        read.errors["recipient_kind"] = "Cần chọn đối tượng: cá nhân, tập thể hoặc hộ gia đình"
    try:
        read.effective_from = day_typed(form.get("effective_from"), "ngày áp dụng")
        if read.effective_from is None:
            read.errors["effective_from"] = "Cần ngày bắt đầu áp dụng (dd/mm/yyyy)"
    except DomainError as error:
        read.errors["effective_from"] = _sentence(error)
    try:
        read.amount = money_typed(form.get("amount"), "mức thưởng")
        if read.amount is None:
            read.errors["amount"] = "Cần nhập mức thưởng, ví dụ 300.000 (0 nếu không thưởng tiền)"
        elif read.amount >= 10**12:
            read.errors["amount"] = "Mức thưởng quá lớn"
    except DomainError as error:
        read.errors["amount"] = _sentence(error)
    if len(form.get("note", "")) > 2000:
        read.errors["note"] = "Căn cứ, ghi chú dài quá 2.000 ký tự"
    return read


def _rate_refused(read: _Rate, error: DomainError) -> int:
    status = status_for(error)
    if status in (401, 403):
        raise error
    if isinstance(error, RecipientKindNotAllowed):
        read.errors["recipient_kind"] = _sentence(error)
    elif isinstance(error, UnknownAwardKind):
        read.errors["award_kind"] = _sentence(error)
    else:
        read.errors["_"] = _sentence(error)
    return status


def _rate_args(read: _Rate) -> dict[str, Any]:
    return {"unit_id": read.unit_id, "award_kind": read.form.get("award_kind", ""),
            "recipient_kind": read.form.get("recipient_kind", ""),
            "effective_from": read.effective_from, "amount": read.amount,
            "note": read.form.get("note", "")}


@router.post("/schedules/internal-rates/check", response_class=HTMLResponse)
async def internal_rate_check(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    read = _read_rate(form)
    _require_rates(rt, actor, read.unit_id)
    issuer = rt.app.tree.issuer_of_unit(read.unit_id, what="đơn vị")
    if read.errors:
        return _rates_page(request, rt, actor, str(read.unit_id), form, read.errors, 422)
    schedules, _ = _rehearsal(rt)
    try:
        schedules.set_internal_rate(actor, **_rate_args(read))
    except DomainError as error:
        status = _rate_refused(read, error)
        return _rates_page(request, rt, actor, str(read.unit_id), form, read.errors, status)
    assert read.effective_from is not None and read.amount is not None
    kind = catalog().kind(form["award_kind"])
    _, rates = rt.app.schedules.internal_rates_of(read.unit_id)
    same_day = next((r for r in rates if (r.award_kind, r.recipient_kind, r.effective_from)
                     == (kind.code, form["recipient_kind"], read.effective_from)), None)
    before = internal_rate_on(rates, kind.code, form["recipient_kind"], read.effective_from)
    later = sorted((r for r in rates if (r.award_kind, r.recipient_kind) ==
                    (kind.code, form["recipient_kind"]) and r.effective_from > read.effective_from),
                   key=lambda r: r.effective_from)
    return render(request, "schedule_internal_rate_check.html", {
        "form": form, "issuer": issuer, "kind": kind,
        "who": RECIPIENT_LABELS[form["recipient_kind"]],
        "from_text": dmy(read.effective_from), "amount_text": format_dong(read.amount),
        "amount_words": dong_in_words(read.amount),
        "same_day": same_day and format_dong(same_day.amount),
        "before": before and {"amount_text": format_dong(before.amount),
                              "from_text": dmy(before.effective_from)},
        "until": dmy(later[0].effective_from) if later else None,
        "past": read.effective_from <= rt.app.today(),
        "edit_query": {k: form.get(k, "") for k in ("unit_id", "award_kind", "recipient_kind",
                                                     "effective_from", "amount", "note")},
    }, actor=actor)


@router.post("/schedules/internal-rates")
async def record_internal_rate(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = _form(await request.form())
    read = _read_rate(form)
    _require_rates(rt, actor, read.unit_id)
    if read.errors:
        return _rates_page(request, rt, actor, str(read.unit_id), form, read.errors, 422)
    try:
        saved = rt.app.schedules.set_internal_rate(actor, **_rate_args(read))
    except DomainError as error:
        status = _rate_refused(read, error)
        return _rates_page(request, rt, actor, str(read.unit_id), form, read.errors, status)
    assert read.effective_from is not None
    code = catalog().kind(form["award_kind"]).code
    recorded = f"{code}.{form['recipient_kind']}.{read.effective_from.isoformat()}"
    return _done(rt, saved, f"/schedules/internal-rates?unit_id={read.unit_id}"
                            f"&recorded={recorded}")
