"""The audit trail for readers (API ``/api/audit``, page ``/audit``, CSV export): who may read
it, over which units, with which filters; its rows in words; the export.

Readers are the awards offices and the administrators: a holder of an ``approver`` or ``admin``
grant reads the acts concerning the units of those grants' subtrees (the current tree, merged
units with their successors). Others are refused (403), as is a unit filter outside the
reader's subtrees. Acts whose record names no unit (the award catalogue, the legal money
schedules) are the root's: only readers over the root see them. The rows come from
``projections.audit`` (rebuilt from the log; nothing here writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.errors import OutsideScope, RoleRequired, UnknownReference, ValidationFailed
from domain.text import fold, nfc
from projections.audit import (
    KIND_LABELS,
    LOCAL,
    ROOT,
    AuditRows,
    act_label,
    is_kind_filter,
    local_day_end,
    local_day_start,
)
from projections.queries import Page
from services import exports
from services.app import Runtime
from services.authz import Actor

READER_ROLES = ("admin", "approver")
READER_LABEL = "Quản trị hoặc Văn phòng / Ban TĐKT"
EXPORT_LIMIT = 50_000
SYSTEM_NAME = "Hệ thống"


@dataclass(frozen=True)
class AuditFilter:
    """What to list: a unit (and its subtree), an actor (user name), an act or a kind of record
    (``nomination.submitted`` or ``nomination``), days in Vietnam's calendar (both included)."""

    unit_id: UUID | None = None
    actor: str | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def read(cls, *, unit_id: UUID | None = None, actor: str | None = None,
             kind: str | None = None, since: date | None = None,
             until: date | None = None) -> AuditFilter:
        """The filter, its values checked: a refusal (422) names what is wrong."""
        return cls(unit_id=unit_id, actor=read_actor(actor), kind=read_kind(kind),
                   since=since, until=read_until(since, until))


def read_actor(text: str | None) -> str | None:
    """A user name as typed (any case, spaces around): None when blank."""
    who = fold(nfc(text or "")).strip() or None
    if who is not None and (len(who) > 50 or not who.isascii() or not who.replace(".", "")
                            .replace("-", "").replace("_", "").isalnum()):
        raise ValidationFailed(reason=f"tên đăng nhập «{(text or '').strip()[:50]}» không hợp lệ "
                                      "(chữ không dấu, số, dấu chấm, gạch ngang)")
    return who


def read_kind(text: str | None) -> str | None:
    """An act code (``nomination.submitted``) or a kind of record (``nomination``)."""
    what = (text or "").strip() or None
    if what is not None and not is_kind_filter(what):
        raise ValidationFailed(reason=f"loại việc «{what[:60]}» không có trong nhật ký")
    return what


def read_until(since: date | None, until: date | None) -> date | None:
    if since and until and since > until:
        raise ValidationFailed(reason="ngày kết thúc phải từ ngày bắt đầu trở đi")
    return until


def reader_units(actor: Actor) -> set[str]:
    return {str(u) for role in READER_ROLES for u in actor.units_for(role)}


def may_read(actor: Actor) -> bool:
    """Whether the audit trail is for her at all (the menu's link, the admin page's)."""
    return actor.is_system or bool(reader_units(actor))


def scope(rt: Runtime, actor: Actor, unit_id: UUID | None) -> set[str] | None:
    """The units whose acts the reader sees under the filter's unit (None: every unit, the
    root's unit-less acts included). 403 without a reader's grant or for a unit outside her
    subtrees; 422 for a unit that does not exist."""
    if not may_read(actor):
        raise RoleRequired(role=READER_LABEL)
    roots = reader_units(actor)
    root = rt.app.tree.root_unit_id()
    everything = actor.is_system or (root is not None and str(root) in roots)
    if unit_id is None:
        return None if everything else rt.queries.subtree_ids(roots)
    if not rt.app.tree.ancestors(unit_id):
        raise UnknownReference(what="đơn vị", ref=str(unit_id))
    if not any(rt.app.authz.covers(actor, unit_id, role) for role in READER_ROLES):
        raise OutsideScope(unit_id=str(unit_id))
    units = rt.queries.subtree_ids({str(unit_id)})
    if root is not None and unit_id == root:
        units.add(ROOT)
    return units


def listing(rt: Runtime, actor: Actor, f: AuditFilter, page: Page) -> dict[str, Any]:
    """One page of the trail as the reader may see it, newest first, each row in words."""
    units = scope(rt, actor, f.unit_id)
    found = AuditRows(rt.db).page(
        units=units, actor=f.actor, kind=f.kind,
        since=local_day_start(f.since) if f.since else None,
        until=local_day_end(f.until) if f.until else None, page=page)
    return {**found, "items": worded(rt, found["items"])}


def worded(rt: Runtime, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    root = rt.app.tree.root_unit_id()
    unit_ids = {u for r in rows for u in r["units"] if u != ROOT}
    if root is not None and any(ROOT in r["units"] for r in rows):
        unit_ids.add(str(root))
    names = rt.queries.unit_names(unit_ids)
    people = AuditRows(rt.db).full_names({r["actor"] for r in rows})
    out = []
    for r in rows:
        moment = datetime.fromisoformat(r["recorded_at"].replace("Z", "+00:00"))
        local = moment.astimezone(LOCAL)
        ids: list[str] = []
        for unit in r["units"]:
            unit = str(root) if unit == ROOT and root is not None else unit
            if unit != ROOT and unit not in ids:
                ids.append(unit)
        units = [{"id": u, "name": names.get(u, "")} for u in ids]
        units.sort(key=lambda u: fold(u["name"]))
        out.append({
            "position": r["position"],
            "recorded_at": r["recorded_at"],
            "local_time": local.isoformat(timespec="seconds"),
            "local_text": local.strftime("%d/%m/%Y %H:%M:%S"),
            "actor": r["actor"],
            "actor_name": SYSTEM_NAME if r["actor"] == "system"
            else people.get(r["actor"], r["actor"]),
            "act": r["act"],
            "act_label": act_label(r["act"]),
            "record": {"kind": r["record_kind"],
                       "kind_label": KIND_LABELS.get(r["record_kind"], r["record_kind"]),
                       "id": r["record_id"], "title": r["title"], "link": r["link"]},
            "reason": r["reason"],
            "units": units,
        })
    return out


def export_table(rt: Runtime, actor: Actor, f: AuditFilter) -> exports.Table:
    """Exactly the filtered rows (at most ``EXPORT_LIMIT``; more is refused: filter further)."""
    found = listing(rt, actor, f, Page.everything(EXPORT_LIMIT + 1))
    if found["total"] > EXPORT_LIMIT:
        raise ValidationFailed(reason=f"quá nhiều dòng để xuất (tối đa {EXPORT_LIMIT}); lọc thêm")
    columns = [exports.Column("Thời điểm (giờ Việt Nam)", 20), exports.Column("Người thực hiện"),
               exports.Column("Tên đăng nhập"), exports.Column("Đơn vị", 40),
               exports.Column("Việc", 30), exports.Column("Hồ sơ", 30),
               exports.Column("Lý do", 40), exports.Column("Vị trí nhật ký", 12)]
    rows = [[i["local_text"], i["actor_name"], i["actor"],
             "; ".join(u["name"] for u in i["units"]), i["act_label"],
             " — ".join(x for x in (i["record"]["kind_label"], i["record"]["title"]) if x),
             i["reason"] or "", i["position"]] for i in found["items"]]
    return exports.Table(title="Nhật ký hoạt động", columns=columns, rows=rows)
