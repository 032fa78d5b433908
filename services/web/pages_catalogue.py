"""The award catalogue in the pages: every kind with its definition in words and its history;
the root unit's admin adds, changes and retires kinds from a date (``services.catalogue``).

* ``/catalog``: the kinds offered (filters in the URL: category, recipient kind, a search
  without diacritics, with the retired ones, as on a date), grouped by category, paged;
* ``/catalog/{code}``: a kind's card (every field in words) and its history (from which date,
  what changed, why, who; "Theo danh mục phát hành" for the shipped definitions);
* ``/catalog/new`` → ``POST /catalog/new/check`` (the definition in words, what will happen)
  → ``POST /catalog/new`` (recorded) → the kind's card with a notice;
* ``/catalog/{code}/change`` → ``POST …/change/check`` (what changes, old → new) → ``POST
  …/change``: the same form prefilled, from a date (tomorrow at the earliest);
* ``/catalog/{code}/retire``: what will happen, a date and a reason → ``POST``.

Everyone signed in reads; only the root unit's admin records (the service's rule, checked
before the form is read: anyone else gets the 403 page). The review pages run the domain's own
command on the catalogue as loaded, without committing it: what the review accepts, the
confirmation records, unless the catalogue changed in between (409 and the form again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.award_catalogue import (
    CODE,
    MAX_NAMED,
    MAX_REASON,
    MAX_SHORT,
    MAX_SOURCE,
    MAX_TITLE,
    MONEY_CHOICES,
    AwardCatalogue,
)
from domain.catalog import (
    AS_STATED,
    BODIES,
    BODY_EXAMPLES,
    BODY_LABELS,
    CATEGORY_LABELS,
    CERTIFICATE_LABELS,
    FREQUENCY_LABELS,
    MONEY_LABELS,
    RECIPIENT_KINDS,
    RECIPIENT_LABELS,
    AwardKind,
    Catalog,
    KindVersion,
    catalog,
    kind_from_definition,
)
from domain.errors import (
    AwardKindExists,
    CatalogueChangeInPast,
    CatalogueKindInvalid,
    ConcurrentChange,
    DomainError,
    NotFound,
    ValidationFailed,
)
from domain.schedules import legal_rule_keys, rule_label
from domain.text import fold, nfc, nfc_multiline, vietnamese_sort_key
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.store import Saved
from services.web.deps import SignedInDep
from services.web.forms import day_typed, dmy, whole
from services.web.paging import sliced
from services.web.routing import page_router
from services.web.templating import render

router = page_router()

CATEGORIES = [(c, label) for c, label in CATEGORY_LABELS.items() if c != AS_STATED]
LIST_FIELDS = ("recipients", "deciders")
TEXT_FIELDS = ("code", "title", "short_title", "category", "frequency", "per_issuer", "money",
               "money_table", "certificate", "source", "verified", "effective_from", "until",
               "reason", "version")
# what a field of the form is called, and where its error links to (the first control of a
# group of checkboxes or radios)
ANCHORS = {"recipients": "recipients-individual", "deciders": "decider-union-central",
           "money": "money-legal"}
COMMON_BODIES = ("union", "government")  # open on the form; the others in a closed <details>
KEEP = "keep"  # the change form's money choice: the kind's money rules as they are
RESERVED = ("new",)  # codes a page path uses (/catalog/new)
MONEY_HINTS = {
    "legal": "Hệ số của bảng đã chọn × mức lương cơ sở vào ngày quyết định.",
    "internal": "Mỗi đơn vị Hội ban hành tự quy định mức (trang «Mức thưởng riêng»).",
    "decided": "Không có mức chung: quyết định ghi số tiền của từng dòng.",
    "none": "Ví dụ biểu dương, tuyên dương: không có dòng tiền nào.",
}


# -- who may record -----------------------------------------------------------------------------


def _may_record(rt: Runtime, actor: Actor) -> bool:
    """The service's rule: an admin of the root unit (or above it)."""
    root = rt.app.tree.root_unit_id()
    return root is not None and rt.app.authz.covers(actor, root, "admin")


def _require_root_admin(rt: Runtime, actor: Actor) -> None:
    """The service's refusal (``Catalogue._require_root_admin``), before a form is read."""
    root = rt.app.tree.root_unit_id()
    if root is None:
        raise ValidationFailed(reason="chưa có đơn vị gốc (Trung ương Hội)")
    rt.app.authz.require(actor, "admin", root)


def _draft(rt: Runtime, actor: Actor) -> AwardCatalogue:
    """The catalogue as the service changes it, loaded afresh: a command run on it checks
    everything and records nothing (it is never committed)."""
    found = rt.app.catalogue.aggregate()
    if found is None:  # a store created before the catalogue was events
        found = AwardCatalogue.start(actor=actor.username)
        found.load_release(actor=actor.username)
    return found


def _version(rt: Runtime) -> int:
    """The catalogue's version as recorded now (0 before its first event)."""
    return rt.app.catalogue.refresh().version


def _check_unchanged(rt: Runtime, form: dict[str, Any]) -> None:
    """The catalogue reviewed is the catalogue now: a change in between is a conflict (409)."""
    expected = whole(form.get("version"), 0, 10**9)
    if expected is not None and expected != _version(rt):
        raise ConcurrentChange()


def _kind_or_404(code: str) -> AwardKind:
    try:
        return catalog().kind(code)
    except DomainError:
        raise NotFound(what=f"hình thức khen thưởng mã «{code[:60]}» trong danh mục") from None


def _done(rt: Runtime, saved: Saved, where: str) -> RedirectResponse:
    rt.after(saved)
    return RedirectResponse(where, status_code=303)


# -- a kind in words ----------------------------------------------------------------------------


def _level_name(code: str) -> str:
    level = catalog().levels.get(code)
    return level.name if level else code


def _deciders_lines(kind: AwardKind) -> list[str]:
    """"Hội LHPN: Trung ương / tỉnh, thành phố", one line per kind of body."""
    return [_capital(BODY_LABELS.get(body, body)) + ": "
            + " / ".join(_level_name(lv) for lv in levels)
            for body, levels in kind.deciders.items()]


def deciders_words(kind: AwardKind) -> str:
    """Who decides, short: the catalogue's own words where it has them, else bodies and
    levels."""
    if kind.extra.get("deciders_text"):
        return str(kind.extra["deciders_text"])
    return "; ".join(_deciders_lines(kind))


def _rule_key_words(key: str) -> str:
    if key == "*":
        return "mọi cơ quan quyết định"
    body, _, level = key.partition(":")
    return f"{BODY_LABELS.get(body, body)} cấp {_level_name(level)}"


def money_words(kind: AwardKind) -> str:
    """How the money is set, with the legal tables by who decides."""
    label = MONEY_LABELS.get(kind.money, kind.money)
    if kind.money in ("legal", "rules"):
        parts = [f"{_rule_key_words(key)}: "
                 + ("mức của đơn vị ban hành" if rule == "internal" else rule_label(rule))
                 for key, rule in sorted(kind.money_rules.items())]
        return f"{label} — " + "; ".join(parts)
    return label


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def kind_words(kind: AwardKind) -> list[dict[str, Any]]:
    """Every field of the kind as the card and the reviews show it: key, label, text (and the
    deciders as lines)."""
    rows = [
        ("title", "Tên đầy đủ", kind.title),
        ("short_title", "Tên ngắn", kind.short_title),
        ("category", "Nhóm", CATEGORY_LABELS.get(kind.category, kind.category)),
        ("family", "Loại", "Danh hiệu thi đua" if kind.family == "title"
         else "Hình thức khen thưởng"),
        ("recipients", "Đối tượng",
         _capital(", ".join(RECIPIENT_LABELS.get(r, r) for r in kind.recipients))),
        ("deciders", "Cơ quan có thẩm quyền quyết định", "; ".join(_deciders_lines(kind))),
        ("deciders_text", "Cách ghi ngắn người quyết định",
         str(kind.extra.get("deciders_text") or "")),
        ("named_deciders", "Chỉ các cơ quan được nêu tên",
         "; ".join(kind.named_deciders) or "Không giới hạn (mọi cơ quan thuộc loại và cấp trên)"),
        ("frequency", "Số lần", _capital(FREQUENCY_LABELS.get(kind.frequency, kind.frequency))),
        ("per_issuer", "Tính riêng theo từng cơ quan ban hành",
         "Có" if kind.per_issuer else "Không"),
        ("money", "Tiền thưởng", _capital(money_words(kind))),
        ("certificate", "Mẫu giấy in", CERTIFICATE_LABELS.get(kind.certificate,
                                                               kind.certificate)),
        ("source", "Căn cứ", kind.source or "—"),
        ("verified", "Xác minh", "đã xác minh" if kind.verified else "chưa được xác minh"),
    ]
    out = []
    for key, label, text in rows:
        if key == "deciders_text" and not text:
            continue
        row: dict[str, Any] = {"key": key, "label": label, "text": text}
        if key == "deciders":
            row["lines"] = _deciders_lines(kind)
        out.append(row)
    return out


def _differences(old: AwardKind, new: AwardKind) -> list[dict[str, str]]:
    """What differs between two definitions, field by field (old → new)."""
    before = {r["key"]: r for r in kind_words(old)}
    after = {r["key"]: r for r in kind_words(new)}
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        was = before.get(key, {}).get("text", "")
        now = after.get(key, {}).get("text", "")
        if was != now:
            label = (before.get(key) or after[key])["label"]
            out.append({"key": key, "label": label, "old": was or "—",
                        "new": now or "(không còn; ghi theo loại cơ quan và cấp)"
                        if key == "deciders_text" else now or "—"})
    return out


# -- history ------------------------------------------------------------------------------------


def _step_state(steps: tuple[KindVersion, ...], index: int, today: date) -> str:
    step = steps[index]
    if step.effective_from > today:
        return "future"
    later = steps[index + 1:]
    if later and later[0].effective_from <= today:
        return "past"
    return "current"


def _history_rows(steps: tuple[KindVersion, ...], today: date) -> list[dict[str, Any]]:
    """The kind's steps, newest first: from which date, what, why, who."""
    rows = []
    previous: AwardKind | None = None
    for index, step in enumerate(steps):
        changes: list[dict[str, str]] = []
        if step.kind is None:
            label = "Bãi bỏ"
            what = f"Không còn trao từ ngày {dmy(step.effective_from)}"
        elif step.shipped:
            label, what = "Theo danh mục phát hành", step.kind.title
        elif index == 0:
            label, what = "Thêm vào danh mục", step.kind.title
        elif steps[index - 1].kind is None:
            label, what = "Dùng lại sau khi bãi bỏ", step.kind.title
            changes = _differences(previous, step.kind) if previous else []
        else:
            label, what = "Sửa", ""
            changes = _differences(previous, step.kind) if previous else []
        if step.kind is not None:
            previous = step.kind
        rows.append({
            "from_text": "Từ đầu" if step.effective_from == date.min
            else dmy(step.effective_from),
            "label": label, "what": what, "changes": changes,
            "reason": step.reason, "by": "Theo danh mục phát hành" if step.shipped
            else (step.actor or "—"),
            "state": _step_state(steps, index, today),
        })
    return list(reversed(rows))


def _period(steps: tuple[KindVersion, ...], on: date) -> tuple[str, str, str]:
    """(from, until, state) of the kind as on ``on``: its first date ("" shipped), the last day
    before the retirement that ends its period (""), and "current", "future" or "retired"."""
    start = steps[0].effective_from
    start_text = "" if start == date.min else dmy(start)
    in_force = None
    for step in steps:
        if step.effective_from > on:
            break
        in_force = step
    if in_force is None:
        state = "future"
    elif in_force.kind is None:
        state = "retired"
    else:
        state = "current"
    if state == "retired":
        assert in_force is not None
        ending = in_force
    else:
        ending = next((s for s in steps if s.effective_from > on and s.kind is None), None)
    until = dmy(ending.effective_from - timedelta(days=1)) if ending else ""
    return start_text, until, state


# -- /catalog -----------------------------------------------------------------------------------


def _row(cat: Catalog, code: str, kind: AwardKind, on: date) -> dict[str, Any]:
    start, until, state = _period(cat.history[code], on)
    return {
        "code": code, "title": kind.title, "short_title": kind.short_title,
        "category": kind.category, "category_label": CATEGORY_LABELS.get(kind.category,
                                                                         kind.category),
        "recipients": ", ".join(RECIPIENT_LABELS.get(r, r) for r in kind.recipients),
        "deciders": deciders_words(kind), "money": _capital(MONEY_LABELS.get(kind.money,
                                                                             kind.money)),
        "from_text": start, "until_text": until, "state": state, "verified": kind.verified,
    }


def _matches(words: list[str], haystack: str) -> bool:
    """Every word searched for begins a word of the kind's names or code (no diacritics, no
    case): "bang khen thu tuong" finds "Bằng khen của Thủ tướng Chính phủ"."""
    names = fold(haystack.replace("_", " ")).split()
    return all(any(name.startswith(word) for name in names) for word in words)


@router.get("/catalog", response_class=HTMLResponse)
def catalogue_page(request: Request, rt: RuntimeDep, actor: SignedInDep, category: str = "",
                   recipient: str = "", q: str = "", retired: str = "", on: str = ""):
    cat = rt.app.catalogue.refresh()
    today = rt.app.today()
    form = {"category": category[:40], "recipient": recipient[:20], "q": nfc(q)[:100],
            "retired": "1" if retired in ("1", "on", "true") else "", "on": nfc(on)[:40]}
    errors: dict[str, str] = {}
    day = None
    try:
        day = day_typed(form["on"], "ngày xem")
    except DomainError as error:
        errors["on"] = _sentence(error)
    ref = day or today
    if form["category"] not in dict(CATEGORIES):
        form["category"] = ""
    if form["recipient"] not in RECIPIENT_KINDS:
        form["recipient"] = ""
    words = fold(form["q"]).split()
    rows = []
    for code, steps in cat.history.items():
        latest = cat.latest.get(code)
        if latest is None or latest.stated:
            continue
        if day is None:
            offered = steps[-1].kind is not None
            kind = latest
        else:
            offered = cat.in_force(code, day) is not None
            kind = cat.kind(code, day)
        if not offered and not form["retired"]:
            continue
        if form["category"] and kind.category != form["category"]:
            continue
        if form["recipient"] and form["recipient"] not in kind.recipients:
            continue
        if words and not _matches(words, f"{kind.title} {kind.short_title} {code}"):
            continue
        rows.append(_row(cat, code, kind, ref))
    order = {c: i for i, (c, _) in enumerate(CATEGORIES)}
    rows.sort(key=lambda r: (order.get(r["category"], 99), vietnamese_sort_key(r["title"])))
    shown, paging = sliced(request, rows)
    groups: list[dict[str, Any]] = []
    for row in shown:
        if not groups or groups[-1]["category"] != row["category"]:
            groups.append({"category": row["category"], "label": row["category_label"],
                           "rows": []})
        groups[-1]["rows"].append(row)
    filtered = any(form[k] for k in ("category", "recipient", "q", "retired", "on"))
    return render(request, "catalogue_list.html", {
        "form": form, "errors": errors, "groups": groups, "paging": paging,
        "total": len(rows), "filtered": filtered, "on_text": dmy(day) if day else "",
        "categories": CATEGORIES, "recipient_kinds": [(k, RECIPIENT_LABELS[k])
                                                      for k in RECIPIENT_KINDS],
        "may_record": _may_record(rt, actor),
    }, 422 if errors else 200, actor)


# -- the form: reading what was typed -----------------------------------------------------------


FORM = dict[str, Any]


async def _posted(request: Request) -> FORM:
    raw = await request.form()
    form: FORM = {key: nfc(str(raw.get(key) or "")) for key in TEXT_FIELDS}
    form["named_deciders"] = nfc_multiline("\n".join(
        str(v) for v in raw.getlist("named_deciders")))
    for key in LIST_FIELDS:
        form[key] = [nfc(str(v)) for v in raw.getlist(key)][:100]
    form["edit"] = str(raw.get("edit") or "")
    return form


def _form_of(kind: AwardKind, tomorrow: date) -> FORM:
    """The change form, prefilled with the kind's latest definition."""
    return {
        "code": kind.code, "title": kind.title, "short_title": kind.short_title,
        "category": kind.category, "recipients": list(kind.recipients),
        "deciders": [f"{b}:{lv}" for b, levels in kind.deciders.items() for lv in levels],
        "named_deciders": "\n".join(kind.named_deciders), "frequency": kind.frequency,
        "per_issuer": "1" if kind.per_issuer else "", "money": KEEP, "money_table": "",
        "certificate": kind.certificate, "source": kind.source,
        "verified": "1" if kind.verified else "", "effective_from": dmy(tomorrow),
        "until": "", "reason": "",
    }


def _blank_form() -> FORM:
    return {"recipients": [], "deciders": [], "frequency": "once_per_achievement",
            "certificate": "chung_nhan", "named_deciders": ""}


def _checked(value: Any) -> bool:
    return str(value or "") in ("1", "on", "true")


@dataclass
class _Read:
    """The form read: the definition as the domain takes it (``definition``), the dates, and
    the errors by field ("_": the whole form)."""

    form: FORM
    definition: dict[str, Any] = field(default_factory=dict)
    effective_from: date | None = None
    until: date | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _sentence(error: Any) -> str:
    text = str(getattr(error, "message", error)).strip()
    return text[:1].upper() + text[1:]


def _read(form: FORM, kind: AwardKind | None) -> _Read:
    """What was typed, checked as the domain will check it, with each problem said at its
    field; ``kind``: the kind a change starts from (None: a new kind)."""
    read = _Read(form)
    errors = read.errors
    adding = kind is None
    if adding:
        code = form.get("code", "")
        if not code:
            errors["code"] = "Cần ghi mã hình thức, ví dụ bieu_duong_xa"
        elif not CODE.match(code):
            errors["code"] = ("Mã hình thức: 3–60 ký tự gồm chữ thường không dấu a–z, số 0–9, "
                              "gạch dưới; bắt đầu bằng chữ, ví dụ bieu_duong_xa")
        elif code in RESERVED:
            errors["code"] = f"Mã «{code}» dành cho trang của hệ thống; chọn mã khác"
        elif code in catalog().history:
            errors["code"] = f"Danh mục đã có hình thức mã «{code}»; chọn mã khác"
    title = form.get("title", "")
    if len(title) < 2:
        errors["title"] = "Cần ghi tên đầy đủ của hình thức"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Tên đầy đủ dài quá {MAX_TITLE} ký tự"
    short = form.get("short_title", "")
    if len(short) > MAX_SHORT:
        errors["short_title"] = f"Tên ngắn dài quá {MAX_SHORT} ký tự"
    elif short and len(short) < 2:
        errors["short_title"] = "Tên ngắn cần ít nhất 2 ký tự (để trống: dùng tên đầy đủ)"
    category = kind.category if kind else form.get("category", "")
    if category not in dict(CATEGORIES):
        errors["category"] = "Cần chọn nhóm của hình thức"
    recipients = [r for r in RECIPIENT_KINDS if r in form.get("recipients", [])]
    if not recipients:
        errors["recipients"] = "Cần chọn ít nhất một đối tượng: cá nhân, tập thể, hộ gia đình"
    deciders: dict[str, list[str]] = {}
    levels = catalog().levels
    for value in form.get("deciders", []):
        body, _, level = value.partition(":")
        if body in BODIES and level in levels:
            deciders.setdefault(body, []).append(level)
    if not deciders:
        errors["deciders"] = ("Cần chọn cơ quan có thẩm quyền quyết định: ít nhất một loại cơ "
                              "quan và một cấp")
    named = [line for line in form.get("named_deciders", "").split("\n") if line.strip()]
    if len(named) > MAX_NAMED:
        errors["named_deciders"] = f"Tối đa {MAX_NAMED} cơ quan được nêu tên, mỗi dòng một"
    elif any(len(name) > 200 for name in named):
        errors["named_deciders"] = "Tên một cơ quan dài quá 200 ký tự"
    elif any(len(name) < 2 for name in named):
        errors["named_deciders"] = "Tên cơ quan cần ít nhất 2 ký tự, mỗi dòng một cơ quan"
    frequency = form.get("frequency", "")
    if frequency not in FREQUENCY_LABELS:
        errors["frequency"] = "Cần chọn số lần được trao"
    money = form.get("money", "")
    table = form.get("money_table", "")
    if money not in (*MONEY_CHOICES, *((KEEP,) if kind else ())):
        errors["money"] = "Cần chọn cách tính tiền thưởng"
    elif money == "legal" and table not in legal_rule_keys():
        errors["money_table"] = "Tiền thưởng theo quy định: cần chọn bảng hệ số áp dụng"
    certificate = form.get("certificate", "")
    if certificate not in CERTIFICATE_LABELS:
        errors["certificate"] = "Cần chọn mẫu giấy in"
    source = form.get("source", "")
    if len(source) < 2:
        errors["source"] = ("Cần ghi căn cứ: văn bản quy định hình thức này, ví dụ Quy chế "
                            "thi đua, khen thưởng của Hội, Điều …")
    elif len(source) > MAX_SOURCE:
        errors["source"] = f"Căn cứ dài quá {MAX_SOURCE:,} ký tự".replace(",", ".")
    try:
        read.effective_from = day_typed(form.get("effective_from"), "ngày có hiệu lực")
        if read.effective_from is None:
            errors["effective_from"] = "Cần ngày bắt đầu có hiệu lực (dd/mm/yyyy)"
    except DomainError as error:
        errors["effective_from"] = _sentence(error)
    if adding:
        try:
            read.until = day_typed(form.get("until"), "ngày cuối cùng")
            if (read.until and read.effective_from and read.until < read.effective_from):
                errors["until"] = "Ngày cuối cùng phải từ ngày bắt đầu có hiệu lực trở đi"
        except DomainError as error:
            errors["until"] = _sentence(error)
    _read_reason(form, errors, required=not adding)
    read.definition = {
        "title": title, "short_title": short or None, "category": category,
        "recipients": recipients, "deciders": deciders, "named_deciders": named,
        "frequency": frequency, "per_issuer": _checked(form.get("per_issuer")),
        "certificate": certificate, "source": source,
        "verified": _checked(form.get("verified")),
    }
    if money != KEEP:
        read.definition["money"] = money
        read.definition["money_table"] = table if money == "legal" else None
    return read


def _read_reason(form: FORM, errors: dict[str, str], *, required: bool) -> None:
    reason = form.get("reason", "")
    if required and len(reason) < 2:
        errors["reason"] = ("Cần ghi lý do: văn bản hoặc quyết định dẫn đến việc này, ví dụ "
                            "Nghị quyết Đoàn Chủ tịch số …")
    elif len(reason) > MAX_REASON:
        errors["reason"] = "Lý do dài quá 2.000 ký tự"


# the domain's refusals of a definition, placed at their fields (by the words of the reason)
_REASON_FIELDS = (
    ("mã hình thức", "code"), ("tên hình thức", "title"), ("tên ngắn", "short_title"),
    ("nhóm", "category"), ("đối tượng", "recipients"), ("được nêu tên", "named_deciders"),
    ("tên cơ quan", "named_deciders"), ("bảng hệ số", "money_table"), ("cách tính", "money"),
    ("mẫu giấy", "certificate"), ("căn cứ", "source"), ("ngày cuối cùng", "until"),
    ("ngày hiệu lực", "effective_from"), ("lý do", "reason"), ("số lần", "frequency"),
    ("thẩm quyền", "deciders"), ("loại cơ quan", "deciders"), ("cấp", "deciders"),
)


def _refused(error: DomainError, errors: dict[str, str]) -> int:
    """A refusal on a form: the person's (403) goes to the error page, the rest to the form,
    at its field where the refusal names one."""
    status = status_for(error)
    if status in (401, 403):
        raise error
    where = "_"
    if isinstance(error, AwardKindExists):
        where = "code"
    elif isinstance(error, CatalogueChangeInPast):
        where = "effective_from"
    elif isinstance(error, CatalogueKindInvalid):
        reason = str(error.details.get("reason", "")).lower()
        if reason == "không có gì thay đổi":
            errors["_"] = "Không có gì thay đổi so với hình thức hiện nay."
            return status
        where = next((f for words, f in _REASON_FIELDS if words in reason), "_")
    errors[where] = _sentence(error)
    return status


# -- the form: showing it -----------------------------------------------------------------------


def _choices(kind: AwardKind | None, form: FORM, errors: dict[str, str]) -> dict[str, Any]:
    chosen = set(form.get("deciders", []))
    bodies = []
    for body in BODIES:
        levels = [{"code": lv.code, "name": _capital(lv.name),
                   "until": dmy(lv.valid_until) if lv.valid_until else "",
                   "value": f"{body}:{lv.code}", "checked": f"{body}:{lv.code}" in chosen}
                  for lv in sorted(catalog().levels.values(), key=lambda lv: lv.depth)]
        count = sum(1 for lv in levels if lv["checked"])
        bodies.append({"code": body, "label": _capital(BODY_LABELS[body]),
                       "examples": BODY_EXAMPLES.get(body, ""), "levels": levels,
                       "count": count, "open": body in COMMON_BODIES or count > 0})
    return {
        "categories": CATEGORIES, "recipient_kinds": [(k, RECIPIENT_LABELS[k])
                                                      for k in RECIPIENT_KINDS],
        "bodies": bodies, "frequencies": list(FREQUENCY_LABELS.items()),
        "money_choices": [(m, _capital(MONEY_LABELS[m]), MONEY_HINTS[m])
                          for m in MONEY_CHOICES],
        "tables": [(key, rule_label(key)) for key in legal_rule_keys()],
        "certificates": list(CERTIFICATE_LABELS.items()),
        "current_money": _capital(money_words(kind)) if kind else "",
        "category_label": CATEGORY_LABELS.get(kind.category, kind.category) if kind else "",
        "anchors": ANCHORS,
    }


def _form_page(request: Request, rt: Runtime, actor: Actor, form: FORM,
               kind: AwardKind | None = None, errors: dict[str, str] | None = None,
               status: int = 200) -> HTMLResponse:
    errors = errors or {}
    today = rt.app.today()
    context = {
        "form": form, "errors": errors, "kind": kind, **_choices(kind, form, errors),
        "tomorrow_text": dmy(today + timedelta(days=1)),
        "action": f"/catalog/{kind.code}/change/check" if kind else "/catalog/new/check",
        "cancel": f"/catalog/{kind.code}" if kind else "/catalog",
    }
    if kind is not None:
        steps = catalog().history[kind.code]
        context["later"] = [{"from_text": dmy(s.effective_from), "retired": s.kind is None}
                            for s in steps if s.effective_from > today]
    return render(request, "catalogue_form.html", context, status, actor)


def _hidden(form: FORM, *, keep: tuple[str, ...]) -> list[tuple[str, str]]:
    """The form as hidden fields of the review (lists as repeated fields)."""
    pairs: list[tuple[str, str]] = []
    for key in keep:
        value = form.get(key)
        if isinstance(value, list):
            pairs += [(key, str(v)) for v in value]
        elif key == "named_deciders":
            pairs += [(key, line) for line in str(value or "").split("\n") if line]
        elif value:
            pairs.append((key, str(value)))
    return pairs


FORM_KEYS = ("code", "title", "short_title", "category", "recipients", "deciders",
             "named_deciders", "frequency", "per_issuer", "money", "money_table", "certificate",
             "source", "verified", "effective_from", "until", "reason")


# -- /catalog/new -------------------------------------------------------------------------------


@router.get("/catalog/new", response_class=HTMLResponse)
def new_kind_form(request: Request, rt: RuntimeDep, actor: SignedInDep):
    _require_root_admin(rt, actor)
    rt.app.catalogue.refresh()
    return _form_page(request, rt, actor, _blank_form())


def _rehearse_add(rt: Runtime, actor: Actor, read: _Read) -> dict[str, Any]:
    """The domain's ``add_kind`` on the catalogue as loaded, nothing recorded: the definition
    as it would be recorded."""
    assert read.effective_from is not None
    draft = _draft(rt, actor)
    code = read.form["code"]
    draft.add_kind(code=code, definition=read.definition, effective_from=read.effective_from,
                   until=read.until, reason=read.form.get("reason", ""), actor=actor.username)
    definition = draft.office[code][0][1]
    assert definition is not None
    return definition


@router.post("/catalog/new/check", response_class=HTMLResponse)
async def new_kind_check(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """What adding this kind will do, before anything is recorded."""
    form = await _posted(request)
    _require_root_admin(rt, actor)
    rt.app.catalogue.refresh()
    read = _read(form, None)
    if read.errors:
        return _form_page(request, rt, actor, form, None, read.errors, 422)
    try:
        definition = _rehearse_add(rt, actor, read)
    except DomainError as error:
        status = _refused(error, read.errors)
        return _form_page(request, rt, actor, form, None, read.errors, status)
    assert read.effective_from is not None
    new = kind_from_definition(form["code"], definition)
    today = rt.app.today()
    return render(request, "catalogue_check.html", {
        "mode": "add", "kind": new, "code": form["code"], "words": kind_words(new),
        "from_text": dmy(read.effective_from), "until_text": dmy(read.until),
        "past": read.effective_from <= today, "reason": form.get("reason", ""),
        "hidden": _hidden(form, keep=FORM_KEYS), "version": _version(rt),
        "action": "/catalog/new", "cancel": "/catalog",
    }, actor=actor)


@router.post("/catalog/new")
async def add_kind(request: Request, rt: RuntimeDep, actor: SignedInDep):
    form = await _posted(request)
    _require_root_admin(rt, actor)
    rt.app.catalogue.refresh()
    if form["edit"]:  # the review's "Sửa lại": the form again, as typed
        return _form_page(request, rt, actor, form)
    read = _read(form, None)
    if read.errors:
        return _form_page(request, rt, actor, form, None, read.errors, 422)
    assert read.effective_from is not None
    try:
        _check_unchanged(rt, form)
        saved = rt.app.catalogue.add_kind(
            actor, code=form["code"], definition=read.definition,
            effective_from=read.effective_from, until=read.until,
            reason=form.get("reason", ""))
    except DomainError as error:
        status = _refused(error, read.errors)
        return _form_page(request, rt, actor, form, None, read.errors, status)
    return _done(rt, saved, f"/catalog/{form['code']}?added=1")


# -- /catalog/{code} ----------------------------------------------------------------------------


def _notice(steps: tuple[KindVersion, ...], added: str, changed: str, retired: str
            ) -> str | None:
    """The one-time notice after a change was recorded, when the history bears it out."""
    def step_on(text: str) -> KindVersion | None:
        try:
            day = day_typed(text[:40])
        except DomainError:
            return None
        return next((s for s in steps if s.effective_from == day), None)

    if added and steps and not steps[0].shipped and steps[0].kind is not None:
        return (f"Đã thêm «{steps[0].kind.title}» vào danh mục, có hiệu lực từ ngày "
                f"{dmy(steps[0].effective_from)}.")
    if changed:
        step = step_on(changed)
        if step is not None and step.kind is not None:
            return f"Đã ghi thay đổi, có hiệu lực từ ngày {dmy(step.effective_from)}."
    if retired:
        step = step_on(retired)
        if step is not None and step.kind is None:
            return (f"Đã ghi việc bãi bỏ: từ ngày {dmy(step.effective_from)} không ghi được "
                    "quyết định mới với hình thức này.")
    return None


@router.get("/catalog/{code}", response_class=HTMLResponse)
def kind_page(request: Request, rt: RuntimeDep, actor: SignedInDep, code: str,
              added: str = "", changed: str = "", retired: str = ""):
    cat = rt.app.catalogue.refresh()
    latest = _kind_or_404(code)
    steps = cat.history[latest.code]
    today = rt.app.today()
    shown = cat.kind(latest.code, today)
    start, until, state = _period(steps, today)
    upcoming = [s for s in steps if s.effective_from > today]
    return render(request, "catalogue_kind.html", {
        "kind": shown, "words": kind_words(shown), "history": _history_rows(steps, today),
        "from_text": start, "until_text": until, "state": state,
        "upcoming": [{"from_text": dmy(s.effective_from), "retired": s.kind is None}
                     for s in upcoming],
        "retired_now": steps[-1].kind is None,
        "may_record": _may_record(rt, actor) and not latest.stated,
        "done": _notice(steps, added, changed, retired),
    }, actor=actor)


# -- /catalog/{code}/change ---------------------------------------------------------------------


def _changeable(rt: Runtime, actor: Actor, code: str) -> AwardKind:
    _require_root_admin(rt, actor)
    rt.app.catalogue.refresh()
    kind = _kind_or_404(code)
    if kind.stated:
        raise ValidationFailed(reason="hình thức theo văn bản không sửa, không bãi bỏ được")
    return kind


@router.get("/catalog/{code}/change", response_class=HTMLResponse)
def change_kind_form(request: Request, rt: RuntimeDep, actor: SignedInDep, code: str):
    kind = _changeable(rt, actor, code)
    return _form_page(request, rt, actor, _form_of(kind, rt.app.today() + timedelta(days=1)),
                      kind)


def _rehearse_change(rt: Runtime, actor: Actor, kind: AwardKind, read: _Read
                     ) -> dict[str, Any]:
    assert read.effective_from is not None
    draft = _draft(rt, actor)
    draft.change_kind(code=kind.code, changes=read.definition,
                      effective_from=read.effective_from, reason=read.form.get("reason", ""),
                      actor=actor.username, today=rt.app.today())
    definition = next(d for day, d, _, _ in draft.office[kind.code]
                      if day == read.effective_from)
    assert definition is not None
    return definition


@router.post("/catalog/{code}/change/check", response_class=HTMLResponse)
async def change_kind_check(request: Request, rt: RuntimeDep, actor: SignedInDep, code: str):
    form = await _posted(request)
    kind = _changeable(rt, actor, code)
    form["code"], form["category"] = kind.code, kind.category
    read = _read(form, kind)
    if read.errors:
        return _form_page(request, rt, actor, form, kind, read.errors, 422)
    assert read.effective_from is not None
    before = catalog().kind(kind.code, read.effective_from - timedelta(days=1))
    try:
        definition = _rehearse_change(rt, actor, kind, read)
    except DomainError as error:
        status = _refused(error, read.errors)
        return _form_page(request, rt, actor, form, kind, read.errors, status)
    new = kind_from_definition(kind.code, definition)
    changes = _differences(before, new)
    if not changes:
        read.errors["_"] = (f"Không có gì thay đổi so với hình thức đang áp dụng trước ngày "
                            f"{dmy(read.effective_from)}.")
        return _form_page(request, rt, actor, form, kind, read.errors, 422)
    steps = catalog().history[kind.code]
    day = read.effective_from
    same_day = next((s for s in steps if s.effective_from == day), None)
    retired_before = next((s for s in reversed(steps) if s.effective_from < day), None)
    return render(request, "catalogue_check.html", {
        "mode": "change", "kind": new, "code": kind.code, "changes": changes,
        "from_text": dmy(day), "reason": form.get("reason", ""),
        "same_day": same_day is not None,
        "revives": retired_before is not None and retired_before.kind is None,
        "later": [{"from_text": dmy(s.effective_from), "retired": s.kind is None}
                  for s in steps if s.effective_from > day],
        "hidden": _hidden(form, keep=FORM_KEYS), "version": _version(rt),
        "action": f"/catalog/{kind.code}/change", "cancel": f"/catalog/{kind.code}",
    }, actor=actor)


@router.post("/catalog/{code}/change")
async def change_kind(request: Request, rt: RuntimeDep, actor: SignedInDep, code: str):
    form = await _posted(request)
    kind = _changeable(rt, actor, code)
    form["code"], form["category"] = kind.code, kind.category
    if form["edit"]:
        return _form_page(request, rt, actor, form, kind)
    read = _read(form, kind)
    if read.errors:
        return _form_page(request, rt, actor, form, kind, read.errors, 422)
    assert read.effective_from is not None
    try:
        _check_unchanged(rt, form)
        saved = rt.app.catalogue.change_kind(
            actor, code=kind.code, changes=read.definition,
            effective_from=read.effective_from, reason=form.get("reason", ""))
    except DomainError as error:
        status = _refused(error, read.errors)
        return _form_page(request, rt, actor, form, kind, read.errors, status)
    return _done(rt, saved, f"/catalog/{kind.code}?{urlencode({'changed': read.effective_from})}")


# -- /catalog/{code}/retire ---------------------------------------------------------------------


def _retire_page(request: Request, rt: Runtime, actor: Actor, kind: AwardKind, form: FORM,
                 errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    today = rt.app.today()
    steps = catalog().history[kind.code]
    start, until, state = _period(steps, today)
    return render(request, "catalogue_retire.html", {
        "kind": catalog().kind(kind.code, today), "form": form, "errors": errors or {},
        "from_text": start, "until_text": until, "state": state, "version": _version(rt),
        "tomorrow_text": dmy(today + timedelta(days=1)),
        "later": [{"from_text": dmy(s.effective_from), "retired": s.kind is None}
                  for s in steps if s.effective_from > today],
    }, status, actor)


@router.get("/catalog/{code}/retire", response_class=HTMLResponse)
def retire_kind_form(request: Request, rt: RuntimeDep, actor: SignedInDep, code: str):
    kind = _changeable(rt, actor, code)
    form = {"effective_from": dmy(rt.app.today() + timedelta(days=1)), "reason": ""}
    return _retire_page(request, rt, actor, kind, form)


@router.post("/catalog/{code}/retire")
async def retire_kind(request: Request, rt: RuntimeDep, actor: SignedInDep, code: str):
    form = await _posted(request)
    kind = _changeable(rt, actor, code)
    errors: dict[str, str] = {}
    day = None
    try:
        day = day_typed(form.get("effective_from"), "ngày bãi bỏ")
        if day is None:
            errors["effective_from"] = "Cần ngày bắt đầu bãi bỏ (dd/mm/yyyy), từ ngày mai trở đi"
    except DomainError as error:
        errors["effective_from"] = _sentence(error)
    _read_reason(form, errors, required=True)
    if errors:
        return _retire_page(request, rt, actor, kind, form, errors, 422)
    assert day is not None
    try:
        _check_unchanged(rt, form)
        saved = rt.app.catalogue.retire_kind(actor, code=kind.code, effective_from=day,
                                             reason=form.get("reason", ""))
    except DomainError as error:
        status = _refused(error, errors)
        if errors.get("_", "").endswith("hình thức đã bãi bỏ"):
            errors["_"] = "Hình thức này đã bãi bỏ rồi: không có gì để ghi."
        return _retire_page(request, rt, actor, kind, form, errors, status)
    return _done(rt, saved, f"/catalog/{kind.code}?{urlencode({'retired': day})}")

