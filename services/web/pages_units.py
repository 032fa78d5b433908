"""Administration of org units in the browser (issue 15): the tree on any date and what changed
between two dates, a unit with its periods and its history, and the changes an administrator
records — create, rename, move, merge, dissolve — one at a time or as a reorganisation of many
operations in one step (the 2025 reform is one).

* ``/units?on=``: the tree as it stood on a date (dd/mm/yyyy or ISO), each unit a link;
  ``/units?from=&to=``: the changes effective between two dates (both included), read from the
  units' histories, and the tree the day before beside the tree on the last day, the units
  concerned marked. ``/org`` (``pages_registry``) is the same page.
* ``/units/{id}?on=``: the unit on a date, its path, its units, its periods (name, parent, level,
  status) and its history (recorded when, by whom, what, effective from, why).
* ``/units/{id}/{op}`` — ``create`` (a unit under it), ``rename``, ``move``, ``merge`` (into
  another, with some of its siblings if wanted), ``dissolve``: the form → ``…/check`` ("Điều sẽ
  xảy ra": nothing recorded yet) → ``POST /units/{id}/{op}`` → the unit's page saying what was
  recorded.
* ``/units/reorganise?rows=``: several operations with one effective date and one reason (a row
  may add its own); ``…/check`` reviews them all; ``POST /units/reorganise`` records them in one
  commit, then shows the changes of that date. A row may name the unit created by a row above
  it ("Đơn vị mới ở dòng 1").

Every change is ``OrgUnits.reorganise``, the service behind the API: the same permission (admin
over each unit concerned) and the same rules; the review runs it with ``dry_run``. Reading is
open to every signed-in user; the actions are offered to the unit's admins only. A refusal comes
back on the form — the message at the top, beside the field or on the row that caused it — with
the API's status (422, 403, 404, 409), and nothing is recorded. A confirmation carries the
versions of the units it was reviewed against: if one changed since (someone else, or the button
pressed twice), nothing is recorded and the form says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.catalog import catalog
from domain.errors import (
    ConcurrentChange,
    DomainError,
    NotFound,
    OrgUnitCycle,
    OrgUnitDateInvalid,
    OrgUnitNotActive,
    RoleRequired,
    ValidationFailed,
)
from domain.text import nfc
from domain.users import ROLE_LABELS
from services.app import Runtime
from services.authz import Actor
from services.http.deps import RuntimeDep
from services.http.errors import status_for
from services.representations import EVENT_LABELS
from services.web.deps import SignedInDep
from services.web.forms import day_typed, dmy, parse_id, whole
from services.web.routing import page_router
from services.web.templating import local_time, page_message, render

router = page_router()
FORM = dict[str, Any]

OP_LABELS = {"create": "Thành lập", "rename": "Đổi tên", "move": "Chuyển trực thuộc",
             "merge": "Sáp nhập", "dissolve": "Giải thể"}
OP_TITLES = {
    "create": "Thành lập đơn vị trực thuộc",
    "rename": "Đổi tên đơn vị",
    "move": "Chuyển đơn vị sang trực thuộc đơn vị khác",
    "merge": "Sáp nhập đơn vị vào đơn vị khác",
    "dissolve": "Giải thể đơn vị",
}
OP_BUTTONS = {"create": "Ghi thành lập đơn vị", "rename": "Ghi đổi tên",
              "move": "Ghi chuyển trực thuộc", "merge": "Ghi sáp nhập", "dissolve": "Ghi giải thể"}
DONE = {
    "create": "Đã ghi thành lập đơn vị",
    "rename": "Đã ghi đổi tên đơn vị",
    "move": "Đã ghi chuyển trực thuộc",
    "merge": "Đã ghi sáp nhập vào đơn vị này",
    "dissolve": "Đã ghi giải thể đơn vị",
}
# the changes of the units' histories (projection ``org_unit_changes``), in the order they read
CHANGE_LABELS = {"created": "Thành lập", "renamed": "Đổi tên", "moved": "Chuyển trực thuộc",
                 "merged_into": "Sáp nhập", "dissolved": "Giải thể"}
ROWS_DEFAULT, ROWS_MORE, ROWS_MAX = 5, 5, 100
MAX_CHOICES = 3_000  # units listed in a select; more: choose a narrower scope (``within``)
MAX_CHANGES = 500
ROW_FIELDS = ("op", "unit", "to", "name", "level", "code", "reason")
LIMITS = {"name": 300, "code": 50, "reason": 2_000}


# -- what people type ------------------------------------------------------------------------

_ISO_IN_TEXT = re.compile(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b")


def message(error: Any) -> str:
    """A refusal as the page says it: Vietnamese, no ids, dates dd/mm/yyyy."""
    return _ISO_IN_TEXT.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", page_message(error))


async def read_form(request: Request) -> FORM:
    """A posted form: text NFC (multi-line reasons keep no control characters); the merge's
    extra units (``also``) as a list."""
    raw = await request.form()
    out: FORM = {}
    for key in raw:
        values = [nfc(str(v)) for v in raw.getlist(key)]
        out[key] = values if key == "also" else values[-1]
    return out


def _required_day(form: FORM, errors: dict[str, str], key: str = "effective_on") -> date | None:
    try:
        day = day_typed(form.get(key), "ngày hiệu lực")
    except ValidationFailed as error:
        errors[key] = message(error)
        return None
    if day is None:
        errors[key] = "Cần ngày hiệu lực (dd/mm/yyyy)."
    return day


def _text(form: FORM, key: str, errors: dict[str, str], what: str, *, required: bool,
          error_key: str | None = None) -> str:
    value = str(form.get(key) or "").strip()
    limit = LIMITS.get(key.split("_")[0], 300)
    if required and not value:
        errors[error_key or key] = f"Cần {what}."
    elif len(value) > limit:
        errors[error_key or key] = f"{what[:1].upper()}{what[1:]} dài quá {limit} ký tự."
    return value


# -- the tree, read ----------------------------------------------------------------------------


def _flat(nodes: list[dict[str, Any]], depth: int = 0) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield {**{k: v for k, v in node.items() if k != "children"}, "depth": depth}
        yield from _flat(node["children"], depth + 1)


def may_administer(actor: Actor) -> bool:
    return actor.is_system or bool(actor.units_for("admin"))


def require_some_admin(actor: Actor) -> None:
    if not may_administer(actor):
        raise RoleRequired(role=ROLE_LABELS["admin"])


def _scope(rt: Runtime, actor: Actor) -> set[str] | None:
    """The units the actor administers (their subtrees, in the current tree); None: all."""
    if actor.is_system:
        return None
    return rt.queries.subtree_ids({str(u) for u in actor.units_for("admin")})


def choices(rt: Runtime, actor: Actor, on: date, within: str | None = None
            ) -> list[dict[str, Any]]:
    """The units active on ``on`` that the actor administers (inside ``within`` when given),
    in tree order, indented."""
    scope = _scope(rt, actor)
    if within:
        inside = rt.queries.subtree_ids({within})
        scope = inside if scope is None else scope & inside
    out = []
    for node in _flat(rt.queries.tree_on(on)):
        if scope is None or node["id"] in scope:
            out.append({"id": node["id"], "name": node["name"], "level": node["level"],
                        "parent_id": node["parent_id"], "depth": node["depth"],
                        "label": "\u00a0\u00a0" * node["depth"] + node["name"]})
    return out


def _within(rt: Runtime, actor: Actor, text: str | None) -> str | None:
    """The scope a form lists units from: a unit the actor administers (else everything she
    administers)."""
    try:
        unit_id = UUID((text or "").strip())
    except ValueError:
        return None
    return str(unit_id) if rt.app.authz.covers(actor, unit_id, "admin") else None


def scopes(rt: Runtime, actor: Actor, on: date) -> list[dict[str, Any]]:
    """The scopes offered to narrow a long list: the units she administers and the units
    right below them."""
    mine = {str(u) for u in actor.units_for("admin")}
    listed = choices(rt, actor, on)
    top = min((c["depth"] for c in listed), default=0)
    return [c for c in listed if c["id"] in mine or c["depth"] <= top + 1]


def _at(versions: dict[str, list[dict[str, Any]]], unit_id: str | None, day: date
        ) -> dict[str, Any] | None:
    """A unit's period on ``day`` (its first before it existed)."""
    rows = versions.get(unit_id or "") or []
    found = None
    for row in rows:
        if row["valid_from"] <= day.isoformat():
            found = row
    return found or (rows[0] if rows else None)


def _name(versions: dict[str, list[dict[str, Any]]], unit_id: str | None, day: date) -> str:
    row = _at(versions, unit_id, day)
    return row["name"] if row else "—"


def changes_between(rt: Runtime, first: date, last: date) -> dict[str, Any]:
    """The changes effective from ``first`` to ``last`` (both included), read from the units'
    histories (read model ``org_unit_changes``): created, renamed, moved, merged, dissolved."""
    found = rt.queries.unit_changes_between(first, last, MAX_CHANGES)
    total, rows = found["total"], found["items"]
    ids = {r["unit_id"] for r in rows} | {r["parent_id"] for r in rows if r["parent_id"]}
    ids |= {r["target_id"] for r in rows if r["target_id"]}
    versions = rt.queries.unit_periods(ids)
    order = list(CHANGE_LABELS)
    items = []
    for row in rows:
        day = date.fromisoformat(row["effective_on"])
        before = day - timedelta(days=1)
        unit_id, kind = row["unit_id"], row["kind"]
        was = _at(versions, unit_id, before)
        if not (was and was["valid_from"] < day.isoformat()):
            was = None  # it did not exist the day before
        name = row["name"] if kind == "created" else _name(versions, unit_id,
                                                           before if was else day)
        level = (_at(versions, unit_id, day) or {}).get("level")
        detail = ""
        if kind == "created":
            detail = f"trực thuộc «{_name(versions, row['parent_id'], day)}»"
        elif kind == "renamed":
            detail = f"tên mới «{row['name']}»"
        elif kind == "moved":
            old = was["parent_id"] if was else None
            detail = (f"từ «{_name(versions, old, before)}» " if old else "") + (
                f"sang trực thuộc «{_name(versions, row['parent_id'], day)}»")
        elif kind == "merged_into":
            detail = f"vào «{_name(versions, row['target_id'], day)}»"
        elif kind == "dissolved" and was:
            detail = f"trước đó trực thuộc «{_name(versions, was['parent_id'], before)}»"
        items.append({
            "unit_id": unit_id, "on": row["effective_on"], "on_text": dmy(day), "kind": kind,
            "label": CHANGE_LABELS.get(kind, kind), "name": name, "detail": detail,
            "level_name": catalog().level(level).name if level else "",
            "target_id": row["target_id"],
        })
    items.sort(key=lambda i: (i["on"], order.index(i["kind"]) if i["kind"] in order else 9,
                              i["name"]))
    counts = {label: sum(1 for i in items if i["kind"] == kind)
              for kind, label in CHANGE_LABELS.items()}
    return {"changes": items, "total": total, "shown": len(items),
            "counts": [(label, n) for label, n in counts.items() if n]}


def tree_page(request: Request, rt: Runtime, actor: Actor, *, on_text: str = "",
              from_text: str = "", to_text: str = "", done: str = "", count: str = ""
              ) -> HTMLResponse:
    """The tree on a date, or the changes between two dates with the trees before and after.
    A date that cannot be read is said beside its field (422)."""
    rt.ensure_position(rt.app.max_position())
    today = rt.app.today()
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for key, text, what in (("on", on_text, "ngày xem"), ("from", from_text, "từ ngày"),
                            ("to", to_text, "đến ngày")):
        try:
            days[key] = day_typed(text, what)
        except ValidationFailed as error:
            errors[key] = message(error)
            days[key] = None
    compare = None
    wants_compare = bool(from_text.strip() or to_text.strip())
    if wants_compare and not errors:
        first, last = days["from"], days["to"]
        if first is None:
            errors["from"] = "Cần ngày bắt đầu (dd/mm/yyyy)."
        elif last is None:
            errors["to"] = "Cần ngày kết thúc (dd/mm/yyyy)."
        elif last < first:
            errors["to"] = "Ngày kết thúc phải từ ngày bắt đầu trở đi."
        else:
            before = first - timedelta(days=1)
            found = changes_between(rt, first, last)
            marks_before: dict[str, list[str]] = {}
            marks_after: dict[str, list[str]] = {}
            for item in found["changes"]:
                label = item["label"].lower()
                if item["kind"] != "created":
                    marks_before.setdefault(item["unit_id"], []).append(label)
                if item["kind"] not in ("merged_into", "dissolved"):
                    marks_after.setdefault(item["unit_id"], []).append(label)
                if item["kind"] == "merged_into" and item["target_id"]:
                    marks_after.setdefault(item["target_id"], []).append("nhận sáp nhập")
            compare = {
                "first_text": dmy(first), "last_text": dmy(last),
                "before": before, "before_text": dmy(before), "after": last,
                "tree_before": rt.queries.tree_on(before), "tree_after": rt.queries.tree_on(last),
                "marks_before": {k: ", ".join(dict.fromkeys(v)) for k, v in marks_before.items()},
                "marks_after": {k: ", ".join(dict.fromkeys(v)) for k, v in marks_after.items()},
                **found,
            }
    on = days["on"] or (days["to"] if compare else None) or today
    form = {"on": on_text if "on" in errors else dmy(on),
            "from": from_text if "from" in errors or not days["from"] else dmy(days["from"]),
            "to": to_text if "to" in errors or not days["to"] else dmy(days["to"])}
    notice = ""
    if done == "reorganise":
        n = whole(count, 1, 5_000)
        notice = "Đã ghi việc sắp xếp lại tổ chức" + (f": {n} thao tác" if n else "") + (
            f", hiệu lực từ ngày {compare['first_text']}." if compare else ".")
    return render(request, "org.html", {
        "tree": [] if compare else rt.queries.tree_on(on), "on": on, "on_text": dmy(on),
        "compare": compare, "form": form, "errors": errors, "done": notice,
        "may_reorganise": may_administer(actor),
    }, 422 if errors else 200, actor)


@router.get("/units", response_class=HTMLResponse)
def units_page(request: Request, rt: RuntimeDep, actor: SignedInDep, on: str = "",
               from_: Annotated[str, Query(alias="from")] = "", to: str = "", done: str = "",
               n: str = ""):
    return tree_page(request, rt, actor, on_text=on, from_text=from_, to_text=to, done=done,
                     count=n)


# -- a unit --------------------------------------------------------------------------------------


def _who(rt: Runtime, usernames: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for username in usernames:
        try:
            user = rt.app.users.user(username)
            names[username] = user.full_name or username
        except DomainError:
            names[username] = "Hệ thống" if username == "system" else username
    return names


def _history(rt: Runtime, unit_id: UUID) -> list[dict[str, Any]]:
    """The unit's events as people read them: recorded when and by whom, what, from when, why."""
    events = list(rt.app.history(unit_id))
    refs = set()
    for e in events:
        for attr in ("parent_id", "target_id", "child_id"):
            if getattr(e, attr, None):
                refs.add(str(getattr(e, attr)))
    versions = rt.queries.unit_periods(refs)
    who = _who(rt, {getattr(e, "actor", "") for e in events if getattr(e, "actor", "")})
    out = []
    for e in events:
        kind = type(e).__qualname__
        day = getattr(e, "effective_on", None) or getattr(e, "established_on", None)

        def named(attr: str, e: Any = e, day: date | None = day) -> str:
            return _name(versions, str(getattr(e, attr)), day or date.today())

        what = ""
        if kind == "OrgUnit.Created":
            what = f"«{e.name}», cấp {catalog().level(e.level).name}" + (
                f", trực thuộc «{named('parent_id')}»" if e.parent_id else "") + (
                f", mã {e.code}" if e.code else "")
        elif kind == "OrgUnit.Renamed":
            what = f"Tên mới «{e.name}»"
        elif kind == "OrgUnit.Moved":
            what = f"Trực thuộc «{named('parent_id')}»"
        elif kind == "OrgUnit.MergedInto":
            what = f"Vào «{named('target_id')}»"
        elif kind in ("OrgUnit.ChildAttached", "OrgUnit.ChildDetached"):
            what = f"«{named('child_id')}»"
        out.append({
            "when": local_time(e.timestamp), "by": who.get(getattr(e, "actor", ""), ""),
            "label": EVENT_LABELS.get(kind, kind), "what": what,
            "on": day.isoformat() if day else "", "on_text": dmy(day),
            "reason": getattr(e, "reason", "") or "",
        })
    return out


def _actions(rt: Runtime, actor: Actor, unit_id: UUID, state: Any) -> list[dict[str, str]]:
    """The operations offered: to the unit's admins, while the unit is active."""
    if not state.is_active or not rt.app.authz.covers(actor, unit_id, "admin"):
        return []
    deepest = max(level.depth for level in catalog().levels.values())
    ops = ["rename", "move", "merge", "dissolve"]
    if catalog().depth(state.level) < deepest:
        ops.insert(0, "create")
    if state.parent_id is None:  # the root is neither moved, merged nor dissolved
        ops = [op for op in ops if op in ("create", "rename")]
    return [{"op": op, "label": OP_TITLES[op], "href": f"/units/{unit_id}/{op}",
             "danger": op in ("merge", "dissolve")} for op in ops]


def _done_notice(done: str, day: date) -> str:
    return f"{DONE[done]}, hiệu lực từ ngày {dmy(day)}." if done in DONE else ""


@router.get("/units/reorganise", response_class=HTMLResponse)
def reorganise_form(request: Request, rt: RuntimeDep, actor: SignedInDep, rows: str = "",
                    on: str = "", within: str = ""):
    require_some_admin(actor)
    count = whole(rows, 1, 10_000) or ROWS_DEFAULT
    form: FORM = {"rows": str(min(count, ROWS_MAX)), "within": within}
    try:
        day = day_typed(on, "ngày hiệu lực")
    except ValidationFailed:
        day = None
    form["effective_on"] = dmy(day or rt.app.today())
    return _reorganise_form(request, rt, actor, form)


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, unit_id: str, rt: RuntimeDep, actor: SignedInDep,
              on: str = "", done: str = ""):
    uid = parse_id(unit_id)
    unit = rt.app.tree.org_unit(uid)
    day = day_typed(on, "ngày xem") or rt.app.today()
    rt.ensure_position(rt.app.max_position())
    state = unit.state_on(day)
    current = state or unit.state_on(unit.established_on) or unit.latest_state()
    path = rt.app.tree.unit_path_on(uid, day)
    children = rt.queries.units_on(day, parent_id=str(uid))["items"] if state else []
    periods = rt.queries.unit_versions(str(uid))
    refs = {p["parent_id"] for p in periods if p["parent_id"]}
    refs |= {p["successor_id"] for p in periods if p["successor_id"]}
    versions = rt.queries.unit_periods(refs)
    for p in periods:
        start = date.fromisoformat(p["valid_from"])
        p["from_text"] = dmy(start)
        p["to_text"] = dmy(date.fromisoformat(p["valid_to"]) - timedelta(days=1)) if p[
            "valid_to"] else ""
        p["parent_name"] = _name(versions, p["parent_id"], start) if p["parent_id"] else ""
        p["successor_name"] = (_name(versions, p["successor_id"], start)
                               if p["successor_id"] else "")
    latest = unit.latest_state()
    return render(request, "unit.html", {
        "u": {**current.as_dict()}, "existed": state is not None, "on": day,
        "on_text": dmy(day), "path": path,
        "parent_name": _name(rt.queries.unit_periods({str(current.parent_id)}),
                             str(current.parent_id), day) if current.parent_id else "",
        "successor_name": _name(rt.queries.unit_periods({str(current.successor_id)}),
                                str(current.successor_id), day) if current.successor_id else "",
        "children": children, "periods": periods, "history": _history(rt, uid),
        "actions": _actions(rt, actor, uid, latest), "latest": latest.as_dict(),
        "done": _done_notice(done, day), "established_text": dmy(current.established_on),
        "ended_text": dmy(current.ended_on),
    }, actor=actor)


# -- the operations as the service takes them ------------------------------------------------


def _ids_in(ops: list[dict[str, Any]]) -> set[UUID]:
    """The stored units an operation list names (not the ones it creates)."""
    ids: set[UUID] = set()
    for op in ops:
        for key in ("unit_id", "parent_id", "target_id"):
            if isinstance(op.get(key), UUID):
                ids.add(op[key])
        ids |= {u for u in op.get("unit_ids") or [] if isinstance(u, UUID)}
    return ids


def versions_token(rt: Runtime, ops: list[dict[str, Any]]) -> str:
    """The versions of the units the operations name, as reviewed: "id:version,…"."""
    return ",".join(f"{u}:{rt.app.tree.org_unit(u).version}" for u in sorted(_ids_in(ops),
                                                                           key=str))


def check_unchanged(rt: Runtime, ops: list[dict[str, Any]], token: str | None) -> None:
    """Nothing recorded when a unit changed since the review (or the form was sent twice)."""
    if versions_token(rt, ops) != (token or ""):
        raise ConcurrentChange()


def describe(rt: Runtime, ops: list[dict[str, Any]], day: date,
             rows: list[int] | None = None) -> list[dict[str, Any]]:
    """What each operation will do, in words, as the tree will read on ``day``."""
    tree = rt.app.tree
    names: dict[Any, str] = {}
    parents: dict[Any, Any] = {}

    def name(ref: Any) -> str:
        if ref in names:
            return names[ref]
        if isinstance(ref, str):
            return "đơn vị mới"
        return tree.unit_state(ref, day).name

    def parent(ref: Any) -> Any:
        if ref in parents:
            return parents[ref]
        return None if isinstance(ref, str) else tree.unit_state(ref, day).parent_id

    items = []
    for index, op in enumerate(ops):
        kind, details = op["op"], []
        if kind == "create":
            ref = f"${op['key']}" if op.get("key") else None
            title = (f"Thành lập «{op['name']}» (cấp {catalog().level(op['level']).name}), "
                     f"trực thuộc «{name(op['parent_id'])}»")
            if op.get("code"):
                details.append(f"Mã đơn vị: {op['code']}.")
            if ref:
                names[ref] = op["name"]
                parents[ref] = op["parent_id"]
        elif kind == "rename":
            title = f"Đổi tên «{name(op['unit_id'])}» thành «{op['name']}»"
            details.append("Tên cũ vẫn đúng cho các ngày trước ngày hiệu lực (quyết định, "
                           "khen thưởng đã có giữ tên lúc đó).")
            names[op["unit_id"]] = op["name"]
        elif kind == "move":
            old = parent(op["unit_id"])
            title = (f"Chuyển «{name(op['unit_id'])}» "
                     + (f"từ «{name(old)}» " if old is not None else "")
                     + f"sang trực thuộc «{name(op['parent_id'])}»")
            parents[op["unit_id"]] = op["parent_id"]
        elif kind == "merge":
            target = op["target_id"]
            sources = [name(u) for u in op["unit_ids"]]
            title = f"Sáp nhập {', '.join(f'«{s}»' for s in sources)} vào «{name(target)}»"
            for source in op["unit_ids"]:
                details.append(f"«{name(source)}» thôi hoạt động từ ngày {dmy(day)}; đơn vị kế "
                               f"tục là «{name(target)}» (hồ sơ, khen thưởng được đọc theo đơn "
                               "vị này).")
                if not isinstance(source, str):
                    moved = sorted(tree.unit_state(c, day).name
                                   for c in tree.org_unit(source).children_on(day))
                    if moved:
                        details.append(f"{len(moved)} đơn vị trực thuộc «{name(source)}» chuyển "
                                       f"sang trực thuộc «{name(target)}»: {', '.join(moved)}.")
        else:  # dissolve
            old = parent(op["unit_id"])
            title = f"Giải thể «{name(op['unit_id'])}»"
            details.append(f"Thôi hoạt động từ ngày {dmy(day)}"
                           + (f"; hồ sơ chuyển về «{name(old)}»." if old is not None else "."))
        items.append({"row": rows[index] if rows else None, "label": OP_LABELS[kind],
                      "title": title, "details": details, "reason": op.get("reason", "")})
    return items


def _unit_ref(text: str, what: str, row: int | None = None,
              created: dict[int, str] | None = None) -> UUID | str:
    """A unit chosen in a select: a stored unit's id, or ``$rowN`` — the unit created by row N
    above (a reorganisation)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(reason=f"cần chọn {what}")
    if text.startswith("$row") and row is not None and created is not None:
        number = whole(text[4:], 1, ROWS_MAX)
        if number is None or number >= row or number not in created:
            raise ValidationFailed(
                reason=f"{what}: dòng {text[4:][:6]} phía trên không thành lập đơn vị mới")
        return f"$row{number}"
    try:
        return UUID(text)
    except ValueError:
        raise ValidationFailed(reason=f"{what} không hợp lệ") from None


def _level(text: str) -> str:
    code = (text or "").strip()
    if not code:
        raise ValidationFailed(reason="cần chọn cấp của đơn vị mới")
    if code not in catalog().levels:
        raise ValidationFailed(reason="cấp đơn vị không có trong danh mục")
    return code


def _short(value: str, what: str, key: str) -> str:
    limit = LIMITS[key]
    if len(value) > limit:
        raise ValidationFailed(reason=f"{what} dài quá {limit} ký tự")
    return value


def row_op(kind: str, get: Any, reason: str, row: int | None = None,
           created: dict[int, str] | None = None) -> dict[str, Any]:
    """One operation from a form's fields (``get(field)``); a missing or bad field is a
    ``ValidationFailed`` saying which."""
    own = _short(get("reason"), "lý do", "reason")
    op: dict[str, Any] = {"op": kind, "reason": own or reason}
    if kind == "create":
        op["parent_id"] = _unit_ref(get("to"), "đơn vị cấp trên", row, created)
        op["name"] = _short(get("name"), "tên", "name")
        if not op["name"]:
            raise ValidationFailed(reason="cần tên của đơn vị mới")
        op["level"] = _level(get("level"))
        op["code"] = _short(get("code"), "mã đơn vị", "code") or None
        if row is not None:
            op["key"] = f"row{row}"
        return op
    unit = _unit_ref(get("unit"), "đơn vị", row, created)
    if kind == "rename":
        op.update(unit_id=unit, name=_short(get("name"), "tên", "name"))
        if not op["name"]:
            raise ValidationFailed(reason="cần tên mới")
    elif kind == "move":
        op.update(unit_id=unit, parent_id=_unit_ref(get("to"), "đơn vị cấp trên mới", row,
                                                    created))
    elif kind == "merge":
        op.update(unit_ids=[unit], target_id=_unit_ref(get("to"), "đơn vị nhận sáp nhập", row,
                                                       created))
    else:
        op["unit_id"] = unit
    return op


# -- a reorganisation: many operations, one step -----------------------------------------------


def _rows(form: FORM) -> int:
    return min(whole(form.get("rows"), 1, 10_000) or ROWS_DEFAULT, ROWS_MAX)


def parse_reorganisation(form: FORM, errors: dict[str, str], row_errors: dict[int, str]
                         ) -> tuple[date | None, list[dict[str, Any]], list[int]]:
    """The operations of the form's rows, in order; a blank row is skipped. Errors: the date and
    reason in ``errors``, each row's in ``row_errors``."""
    day = _required_day(form, errors)
    reason = _text(form, "reason", errors, "lý do (căn cứ) của việc sắp xếp", required=True)
    ops: list[dict[str, Any]] = []
    op_rows: list[int] = []
    created: dict[int, str] = {}
    for row in range(1, _rows(form) + 1):

        def get(name: str, row: int = row) -> str:
            return str(form.get(f"{name}_{row}") or "").strip()

        kind = get("op")
        if not kind:
            if any(get(f) for f in ROW_FIELDS[1:]):
                row_errors[row] = "Chọn thao tác cho dòng này (hoặc xóa các ô đã điền)."
            continue
        if kind not in OP_LABELS:
            row_errors[row] = "Thao tác không hợp lệ."
            continue
        try:
            op = row_op(kind, get, reason, row, created)
        except ValidationFailed as error:
            row_errors[row] = message(error)
            continue
        ops.append(op)
        op_rows.append(row)
        if kind == "create":
            created[row] = op["name"]
    if not ops and not row_errors:
        errors["op_1"] = "Cần ít nhất một dòng có thao tác."
    return day, ops, op_rows


def failing_row(rt: Runtime, actor: Actor, day: date, ops: list[dict[str, Any]],
                op_rows: list[int]) -> tuple[int, DomainError] | None:
    """The first row whose operation the service refuses (the shortest failing prefix: an
    operation is refused or not whatever follows it), with the refusal."""

    def refusal(k: int) -> DomainError | None:
        try:
            rt.app.orgs.reorganise(actor, on=day, operations=ops[:k], dry_run=True)
        except DomainError as error:
            return error
        return None

    last = refusal(len(ops))
    if last is None:
        return None
    low, high, found = 1, len(ops), last
    while low < high:
        middle = (low + high) // 2
        error = refusal(middle)
        if error is not None:
            high, found = middle, error
        else:
            low = middle + 1
    return op_rows[low - 1], found


def _reorganise_form(request: Request, rt: Runtime, actor: Actor, form: FORM,
                     errors: dict[str, str] | None = None,
                     row_errors: dict[int, str] | None = None, error: DomainError | None = None,
                     status: int | None = None) -> HTMLResponse:
    errors, row_errors = dict(errors or {}), dict(row_errors or {})
    count = _rows(form)
    try:
        on = day_typed(form.get("effective_on")) or rt.app.today()
    except ValidationFailed:
        on = rt.app.today()
    rows = [{"i": i, **{f: str(form.get(f"{f}_{i}") or "") for f in ROW_FIELDS},
             "error": row_errors.get(i, "")} for i in range(1, count + 1)]
    summary = message(error) if error else ""
    for i, text in sorted(row_errors.items()):
        errors.setdefault(f"op_{i}", f"Dòng {i}: {text}")
    levels = [{"code": lv.code, "name": lv.name}
              for lv in sorted(catalog().levels.values(), key=lambda lv: lv.depth)
              if lv.depth > 0 and lv.exists_on(on)]
    if status is None:
        status = status_for(error) if error else (422 if errors else 200)
    within = _within(rt, actor, form.get("within"))
    listed = choices(rt, actor, on, within)
    offered_scopes = scopes(rt, actor, on)
    return render(request, "unit_reorganise.html", {
        "form": {**form, "within": within or ""}, "rows": rows, "errors": errors,
        "error": summary, "choices": listed[:MAX_CHOICES], "truncated": len(listed) > MAX_CHOICES,
        "scopes": offered_scopes if len(offered_scopes) > 1 else [], "levels": levels,
        "ops": OP_LABELS, "more": min(count + ROWS_MORE, ROWS_MAX),
        "at_max": count >= ROWS_MAX, "max_choices": MAX_CHOICES,
    }, status, actor)


def _reorganisation(rt: Runtime, actor: Actor, form: FORM
                    ) -> tuple[date | None, list[dict[str, Any]], list[int], dict[str, str],
                               dict[int, str]]:
    errors: dict[str, str] = {}
    row_errors: dict[int, str] = {}
    day, ops, op_rows = parse_reorganisation(form, errors, row_errors)
    return day, ops, op_rows, errors, row_errors


def _reorganisation_hidden(form: FORM) -> list[tuple[str, str]]:
    keys = ["rows", "within", "effective_on", "reason"]
    keys += [f"{f}_{i}" for i in range(1, _rows(form) + 1) for f in ROW_FIELDS]
    return [(k, str(form[k])) for k in keys if form.get(k)]


@router.post("/units/reorganise/check", response_class=HTMLResponse)
async def reorganise_check(request: Request, rt: RuntimeDep, actor: SignedInDep):
    """Review every operation; nothing is recorded here. "Thêm dòng" and "Sửa lại" come back
    to the form with what was typed."""
    require_some_admin(actor)
    form = await read_form(request)
    if form.get("more"):
        form["rows"] = str(min(_rows(form) + ROWS_MORE, ROWS_MAX))
        return _reorganise_form(request, rt, actor, form, status=200)
    if form.get("edit"):
        return _reorganise_form(request, rt, actor, form, status=200)
    day, ops, op_rows, errors, row_errors = _reorganisation(rt, actor, form)
    if errors or row_errors or day is None:
        return _reorganise_form(request, rt, actor, form, errors, row_errors)
    found = failing_row(rt, actor, day, ops, op_rows)
    if found is not None:
        row, error = found
        return _reorganise_form(request, rt, actor, form, row_errors={row: message(error)},
                                status=status_for(error))
    try:
        items = describe(rt, ops, day, op_rows)
        token = versions_token(rt, ops)
    except DomainError as error:
        return _reorganise_form(request, rt, actor, form, error=error)
    return render(request, "unit_check.html", {
        "title": "Sắp xếp lại tổ chức", "unit": None, "items": items, "on_text": dmy(day),
        "reason": form.get("reason", ""), "action": "/units/reorganise",
        "edit_action": "/units/reorganise/check", "cancel": "/units",
        "button": f"Ghi {len(ops)} thao tác", "danger": False,
        "hidden": [*_reorganisation_hidden(form), ("versions", token)],
    }, actor=actor)


@router.post("/units/reorganise")
async def reorganise(request: Request, rt: RuntimeDep, actor: SignedInDep):
    require_some_admin(actor)
    form = await read_form(request)
    day, ops, op_rows, errors, row_errors = _reorganisation(rt, actor, form)
    if errors or row_errors or day is None:
        return _reorganise_form(request, rt, actor, form, errors, row_errors)
    try:
        check_unchanged(rt, ops, form.get("versions"))
        saved = rt.app.orgs.reorganise(actor, on=day, operations=ops)
    except DomainError as error:
        found = failing_row(rt, actor, day, ops, op_rows)
        if found is not None:
            row, refused = found
            return _reorganise_form(request, rt, actor, form, row_errors={row: message(refused)},
                                    status=status_for(refused))
        return _reorganise_form(request, rt, actor, form, error=error)
    rt.after(saved)
    query = urlencode({"from": day.isoformat(), "to": day.isoformat(), "done": "reorganise",
                       "n": len(ops)})
    return RedirectResponse(f"/units?{query}", status_code=303)


# -- one operation: form → review → confirmation ---------------------------------------------


def _unit_for(rt: Runtime, actor: Actor, unit_id: str, op: str) -> Any:
    """The unit an operation acts on (for ``create``, the parent), once the actor may."""
    if op not in OP_TITLES:
        raise NotFound(what="trang này")
    uid = parse_id(unit_id)
    unit = rt.app.tree.org_unit(uid)
    rt.app.authz.require(actor, "admin", uid)
    return unit


def single_ops(op: str, unit_id: UUID, form: FORM, errors: dict[str, str]
               ) -> tuple[date | None, list[dict[str, Any]]]:
    """The operation a single-operation form asks for; each missing or bad field's message in
    ``errors`` (beside the field)."""
    day = _required_day(form, errors)
    reason = _text(form, "reason", errors, "lý do (căn cứ)", required=True)
    name = ""
    if op in ("create", "rename"):
        name = _text(form, "name", errors, "tên mới" if op == "rename" else "tên đơn vị mới",
                     required=True)
    op_data: dict[str, Any] = {"op": op, "reason": reason}
    if op == "create":
        op_data.update(parent_id=unit_id, name=name,
                       code=_text(form, "code", errors, "mã đơn vị", required=False) or None)
        try:
            op_data["level"] = _level(form.get("level") or "")
        except ValidationFailed as error:
            errors["level"] = message(error)
    elif op == "rename":
        op_data.update(unit_id=unit_id, name=name)
    elif op in ("move", "merge"):
        what = "đơn vị cấp trên mới" if op == "move" else "đơn vị nhận sáp nhập"
        try:
            to = _unit_ref(form.get("to") or "", what)
        except ValidationFailed as error:
            errors["to"] = message(error)
            to = None
        if op == "move":
            op_data.update(unit_id=unit_id, parent_id=to)
        else:
            extra: list[UUID | str] = []
            for value in form.get("also") or []:
                try:
                    extra.append(_unit_ref(value, "đơn vị sáp nhập cùng"))
                except ValidationFailed as error:
                    errors.setdefault("also", message(error))
            op_data.update(unit_ids=list(dict.fromkeys([unit_id, *extra])), target_id=to)
    else:
        op_data["unit_id"] = unit_id
    return day, ([] if errors else [op_data])


def _field_of(error: DomainError, op: str) -> str | None:
    """Where a refusal of the service shows beside the form's field."""
    if isinstance(error, OrgUnitDateInvalid):
        return "effective_on"
    if isinstance(error, (OrgUnitCycle, OrgUnitNotActive)) and op in ("move", "merge"):
        return "to"
    return None


def _op_form(request: Request, rt: Runtime, actor: Actor, unit: Any, op: str, form: FORM,
             errors: dict[str, str] | None = None, error: DomainError | None = None
             ) -> HTMLResponse:
    errors = dict(errors or {})
    summary = message(error) if error else ""
    if error is not None and (key := _field_of(error, op)):
        errors.setdefault(key, summary)
    try:
        on = day_typed(form.get("effective_on")) or rt.app.today()
    except ValidationFailed:
        on = rt.app.today()
    state = unit.state_on(on) or unit.latest_state()
    offered = choices(rt, actor, on) if op in ("move", "merge") else []
    siblings: list[dict[str, Any]] = []
    if op == "move":  # above the unit's level, not below it, not where it is
        below = rt.queries.subtree_ids({str(unit.id)})
        depth = catalog().depth(state.level)
        offered = [c for c in offered if c["id"] not in below and c["id"] != str(
            state.parent_id) and catalog().depth(c["level"]) < depth]
    elif op == "merge":
        offered = [c for c in offered if c["id"] != str(unit.id) and c["level"] == state.level]
        siblings = [c for c in offered if c["parent_id"] == (
            str(state.parent_id) if state.parent_id else None)]
    levels = [{"code": lv.code, "name": lv.name} for lv in sorted(
        catalog().levels.values(), key=lambda lv: lv.depth)
        if lv.depth > catalog().depth(state.level) and lv.exists_on(on)]
    status = status_for(error) if error else (422 if errors else 200)
    return render(request, "unit_op.html", {
        "unit": state.as_dict(), "op": op, "title": OP_TITLES[op], "form": form,
        "errors": errors, "error": summary, "choices": offered[:MAX_CHOICES],
        "truncated": len(offered) > MAX_CHOICES, "siblings": siblings[:MAX_CHOICES],
        "levels": levels, "also": set(form.get("also") or []),
    }, status, actor)


@router.get("/units/{unit_id}/{op}", response_class=HTMLResponse)
def op_form(request: Request, unit_id: str, op: str, rt: RuntimeDep, actor: SignedInDep):
    unit = _unit_for(rt, actor, unit_id, op)
    # a review's "Sửa lại" comes back with what was typed
    typed = {k: nfc(v) for k, v in request.query_params.items()
             if k in ("effective_on", "reason", "name", "level", "code", "to")}
    form: FORM = {"effective_on": dmy(rt.app.today()), **typed,
                  "also": [nfc(v) for v in request.query_params.getlist("also")]}
    if op == "rename":
        form.setdefault("name", unit.latest_state().name)
    return _op_form(request, rt, actor, unit, op, form)


def _hidden(form: FORM, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for key in keys:
        value = form.get(key)
        if isinstance(value, list):
            out.extend((key, v) for v in value if v)
        elif value:
            out.append((key, str(value)))
    return out


SINGLE_FIELDS = ("effective_on", "reason", "name", "level", "code", "to", "also")


@router.post("/units/{unit_id}/{op}/check", response_class=HTMLResponse)
async def op_check(request: Request, unit_id: str, op: str, rt: RuntimeDep,
                   actor: SignedInDep):
    """Say what will happen; nothing is recorded here."""
    unit = _unit_for(rt, actor, unit_id, op)
    form = await read_form(request)
    if form.get("edit"):
        return _op_form(request, rt, actor, unit, op, form)
    errors: dict[str, str] = {}
    day, ops = single_ops(op, unit.id, form, errors)
    if errors or day is None:
        return _op_form(request, rt, actor, unit, op, form, errors)
    try:
        rt.app.orgs.reorganise(actor, on=day, operations=ops, dry_run=True)
        items = describe(rt, ops, day)
        token = versions_token(rt, ops)
    except DomainError as error:
        return _op_form(request, rt, actor, unit, op, form, error=error)
    state = unit.state_on(day) or unit.latest_state()
    return render(request, "unit_check.html", {
        "title": OP_TITLES[op], "unit": state.as_dict(), "items": items, "on_text": dmy(day),
        "reason": ops[0]["reason"], "action": f"/units/{unit.id}/{op}",
        "edit_action": f"/units/{unit.id}/{op}/check", "cancel": f"/units/{unit.id}",
        "button": OP_BUTTONS[op], "danger": op in ("merge", "dissolve"),
        "hidden": [*_hidden(form, SINGLE_FIELDS), ("versions", token)],
    }, actor=actor)


@router.post("/units/{unit_id}/{op}")
async def op_confirm(request: Request, unit_id: str, op: str, rt: RuntimeDep,
                     actor: SignedInDep):
    unit = _unit_for(rt, actor, unit_id, op)
    form = await read_form(request)
    errors: dict[str, str] = {}
    day, ops = single_ops(op, unit.id, form, errors)
    if errors or day is None:
        return _op_form(request, rt, actor, unit, op, form, errors)
    try:
        check_unchanged(rt, ops, form.get("versions"))
        saved = rt.app.orgs.reorganise(actor, on=day, operations=ops)
    except DomainError as error:
        return _op_form(request, rt, actor, unit, op, form, error=error)
    rt.after(saved)
    target = unit.id
    if op == "create":
        target = UUID((saved.extra or {})["created"][0])
    elif op == "merge":
        target = ops[0]["target_id"]
    query = urlencode({"on": day.isoformat(), "done": op})
    return RedirectResponse(f"/units/{target}?{query}", status_code=303)


