"""The audit trail (nhật ký hoạt động): one row per recorded act — who did what, when and why,
and which units it concerns — read from the events, never written otherwise.

Every event that names its ``actor`` is a row: its position in the log, its time (UTC as
recorded, ``…Z``; pages show it in Vietnam's time), the actor's user name, the record it
belongs to (kind, id, a title and a link to the record's page where one exists), the act (a
code such as ``nomination.submitted``, worded by ``act_label``) and the reason the event carries
(``reason``, ``override_reason``, ``why``). Nothing else of the payload is copied: a
recipient's citizen ID or birth date never reaches these tables.

The units an act concerns (``audit_units``) come from the event (the unit voted at, the unit a
nomination is forwarded to, a grant's unit, a merge's target…) and from what the record's
creation said (a nomination's proposing unit, a decision's issuing and recording units, a
ceremony's host, a cluster's managing unit — and so a covenant's and a member report's —, a
user's home unit and the units of her grants as they stand). An act whose record names no unit
(the award catalogue, the legal money schedules) is the root's: it is stored under ``ROOT``,
read as the root of the tree. A user is created before her home unit and grants are recorded
(the same save): her first acts are attributed to them as soon as they are known.

Which events: those of the aggregates of ``AGGREGATES`` whose class has an ``actor`` field,
found on the classes (an act added to one of them is audited without a change here), plus the
creation events that say what a record is (a certificate book's issuer). The rows are only ever
rebuilt from the log (``tdkt project --rebuild audit`` gives the same rows).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, DomainEvent

from domain.award_catalogue import AwardCatalogue
from domain.ceremony import Ceremony
from domain.certificates import CertificateBook
from domain.council import CouncilCriteria
from domain.decision import AwardDecision
from domain.emulation.cluster import Covenant, EmulationCluster, MemberReport
from domain.emulation.movement import Movement, MovementRegistration
from domain.emulation.registration import TitleRegistration
from domain.erasure import PersonalDataErasure
from domain.nomination import Nomination
from domain.org import OrgUnit
from domain.schedules import InternalRates, LegalSchedule
from domain.submission import Submission
from domain.users import SESSION_LABEL, User
from projections.base import Handler, View, sid
from projections.db import Cursor, ViewDB
from projections.queries import Page, _page

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = "(root)"  # the unit of an act whose record names none: the root of the tree

# The audited aggregates and the code of their kind of record.
AGGREGATES: dict[type[Aggregate], str] = {
    OrgUnit: "org_unit",
    User: "user",
    Nomination: "nomination",
    Submission: "submission",
    AwardDecision: "decision",
    Ceremony: "ceremony",
    CertificateBook: "certificate_book",
    CouncilCriteria: "council_criteria",
    AwardCatalogue: "catalogue",
    LegalSchedule: "legal_schedule",
    InternalRates: "internal_rates",
    EmulationCluster: "emulation_cluster",
    Covenant: "covenant",
    MemberReport: "member_report",
    Movement: "movement",
    MovementRegistration: "movement_registration",
    TitleRegistration: "title_registration",
    PersonalDataErasure: "personal_data_erasure",
}

KIND_LABELS = {
    "org_unit": "Đơn vị",
    "user": "Tài khoản người dùng",
    "nomination": "Hồ sơ đề nghị khen thưởng",
    "submission": "Tờ trình",
    "decision": "Quyết định khen thưởng",
    "ceremony": "Buổi trao thưởng",
    "certificate_book": "Sổ cấp bằng, giấy khen",
    "council_criteria": "Tiêu chí xét của Hội đồng",
    "catalogue": "Danh mục khen thưởng",
    "legal_schedule": "Biểu mức tiền thưởng theo quy định",
    "internal_rates": "Mức thưởng riêng của đơn vị",
    "emulation_cluster": "Cụm, khối thi đua",
    "covenant": "Giao ước thi đua",
    "member_report": "Báo cáo kết quả thi đua",
    "movement": "Phong trào thi đua",
    "movement_registration": "Đăng ký tham gia phong trào",
    "title_registration": "Đăng ký danh hiệu thi đua",
    "personal_data_erasure": "Xóa dữ liệu cá nhân",
}

ACT_LABELS = {
    "org_unit.created": "Thành lập đơn vị",
    "org_unit.renamed": "Đổi tên đơn vị",
    "org_unit.moved": "Chuyển đơn vị sang trực thuộc đơn vị khác",
    "org_unit.merged_into": "Sáp nhập đơn vị",
    "org_unit.dissolved": "Giải thể đơn vị",
    "org_unit.child_attached": "Nhận đơn vị trực thuộc",
    "org_unit.child_detached": "Chuyển đi đơn vị trực thuộc",
    "user.created": "Tạo tài khoản",
    "user.grant_added": "Giao vai trò",
    "user.grant_removed": "Thu hồi vai trò",
    "user.password_changed": "Đổi mật khẩu",
    "user.password_reset": "Đặt lại mật khẩu (mật khẩu tạm thời)",
    "user.password_withdrawn": "Thu hồi mật khẩu",
    "user.signed_in": "Đăng nhập",
    "user.token_issued": "Cấp mã truy cập API",
    "user.token_revoked": "Thu hồi mã truy cập, kết thúc phiên đăng nhập",
    "user.home_unit_set": "Đổi đơn vị của tài khoản",
    "user.deactivated": "Khóa tài khoản",
    "user.reactivated": "Mở lại tài khoản",
    "nomination.created": "Lập hồ sơ đề nghị khen thưởng",
    "nomination.edited": "Sửa hồ sơ đề nghị",
    "nomination.submitted": "Gửi hồ sơ đề nghị",
    "nomination.withdrawn": "Rút hồ sơ đề nghị",
    "nomination.vote_cast": "Bỏ phiếu xét khen thưởng",
    "nomination.recused": "Không tham gia xét (tránh xung đột lợi ích)",
    "nomination.review_closed": "Kết thúc xét của Hội đồng",
    "nomination.forwarded": "Chuyển hồ sơ lên cấp trên",
    "nomination.decided": "Ghi quyết định khen thưởng vào hồ sơ",
    "nomination.award_revoked": "Hủy bỏ khen thưởng của hồ sơ",
    "nomination.attachment_added": "Đính kèm tệp vào hồ sơ",
    "nomination.attachment_removed": "Gỡ tệp đính kèm của hồ sơ",
    "submission.created": "Lập tờ trình",
    "submission.attachment_added": "Đính kèm tệp vào tờ trình",
    "submission.attachment_removed": "Gỡ tệp đính kèm của tờ trình",
    "decision.created": "Ban hành (ghi nhận) quyết định khen thưởng",
    "decision.revoked": "Hủy bỏ quyết định",
    "decision.line_revoked": "Hủy bỏ một khen thưởng trong quyết định",
    "decision.line_kind_mapped": "Đối chiếu hình thức khen thưởng với danh mục",
    "ceremony.created": "Lập buổi trao thưởng",
    "ceremony.details_changed": "Sửa thông tin buổi trao thưởng",
    "ceremony.decision_added": "Thêm quyết định vào buổi trao thưởng",
    "ceremony.decision_removed": "Bỏ quyết định khỏi buổi trao thưởng",
    "ceremony.total_announced": "Ghi tổng tiền công bố",
    "ceremony.count_announced": "Ghi số lượng công bố",
    "ceremony.host_body_named": "Ghi cơ quan tổ chức trao thưởng",
    "ceremony.payment_recorded": "Ghi chi tiền thưởng",
    "ceremony.payment_corrected": "Sửa khoản chi tiền thưởng",
    "certificate_book.issued": "In bằng, giấy khen",
    "certificate_book.reprinted": "In lại bằng, giấy khen",
    "council_criteria.created": "Lập tiêu chí xét của Hội đồng",
    "council_criteria.set": "Đặt tiêu chí xét của Hội đồng",
    "catalogue.created": "Lập danh mục khen thưởng",
    "catalogue.release_loaded": "Nạp danh mục khen thưởng theo phiên bản",
    "catalogue.kind_added": "Thêm danh hiệu, hình thức khen thưởng",
    "catalogue.kind_changed": "Sửa danh hiệu, hình thức khen thưởng",
    "catalogue.kind_retired": "Bãi bỏ danh hiệu, hình thức khen thưởng",
    "legal_schedule.created": "Lập biểu mức tiền thưởng",
    "legal_schedule.base_salary_set": "Ghi mức lương cơ sở",
    "legal_schedule.base_salary_withdrawn": "Rút mức lương cơ sở",
    "legal_schedule.period_set": "Ghi bảng hệ số tiền thưởng",
    "legal_schedule.policy_set": "Ghi quy định áp dụng tiền thưởng",
    "legal_schedule.release_loaded": "Nạp biểu mức tiền thưởng theo phiên bản",
    "internal_rates.created": "Lập mức thưởng riêng của đơn vị",
    "internal_rates.rate_set": "Ghi mức thưởng riêng",
    "emulation_cluster.created": "Lập cụm, khối thi đua",
    "emulation_cluster.renamed": "Đổi tên cụm, khối thi đua",
    "emulation_cluster.year_set": "Ghi thành viên và cụm trưởng của năm",
    "emulation_cluster.member_added": "Thêm thành viên cụm giữa năm",
    "emulation_cluster.member_merged": "Ghi thành viên cụm sáp nhập",
    "emulation_cluster.lead_set": "Đổi cụm trưởng",
    "covenant.created": "Lập giao ước thi đua",
    "covenant.indicators_set": "Đặt chỉ tiêu giao ước",
    "covenant.scoring_set": "Đặt thang điểm, xếp loại",
    "covenant.proposal_rules_set": "Đặt quy tắc đề nghị khen thưởng",
    "covenant.stated_totals_set": "Ghi số liệu chung của cụm",
    "covenant.signed": "Ký giao ước thi đua",
    "covenant.opened": "Mở giao ước thi đua",
    "covenant.results_started": "Bắt đầu ghi kết quả",
    "covenant.scoring_started": "Bắt đầu chấm điểm",
    "covenant.closed": "Kết thúc giao ước thi đua",
    "covenant.nominated": "Lập đề nghị khen thưởng từ kết quả thi đua",
    "member_report.created": "Lập báo cáo kết quả thi đua",
    "member_report.result_reported": "Báo cáo kết quả thi đua",
    "member_report.result_confirmed": "Xác nhận kết quả thi đua",
    "member_report.result_corrected": "Sửa kết quả thi đua",
    "member_report.scored": "Chấm điểm thi đua",
    "member_report.agreed": "Thống nhất điểm thi đua",
    "member_report.deducted": "Trừ điểm thi đua",
    "movement.created": "Phát động phong trào thi đua",
    "movement.indicators_set": "Đặt chỉ tiêu phong trào",
    "movement.participants_added": "Thêm đơn vị tham gia phong trào",
    "movement.results_started": "Bắt đầu ghi kết quả phong trào",
    "movement.closed": "Kết thúc phong trào thi đua",
    "movement_registration.created": "Đăng ký tham gia phong trào",
    "movement_registration.targets_set": "Đặt chỉ tiêu riêng",
    "movement_registration.result_reported": "Báo cáo kết quả phong trào",
    "movement_registration.result_confirmed": "Xác nhận kết quả phong trào",
    "movement_registration.result_corrected": "Sửa kết quả phong trào",
    "title_registration.created": "Mở sổ đăng ký danh hiệu thi đua",
    "title_registration.entry_added": "Đăng ký danh hiệu cho một người, tập thể",
    "title_registration.entry_withdrawn": "Rút đăng ký danh hiệu",
    "title_registration.closed": "Khóa sổ đăng ký danh hiệu",
    "title_registration.nominated": "Lập đề nghị khen thưởng từ sổ đăng ký",
    "personal_data_erasure.created": "Xóa dữ liệu cá nhân (số CCCD, ngày sinh) theo yêu cầu",
}

REASON_FIELDS = ("reason", "override_reason", "why")
# Unit fields of a creation event (the record's units) and of any event (the act's units).
RECORD_UNIT_FIELDS = ("proposing_unit_id", "host_unit_id", "managing_unit_id",
                      "recorded_by_unit_id", "unit_id", "home_unit_id")
ACT_UNIT_FIELDS = ("unit_id", "review_unit_id", "from_unit_id", "to_unit_id", "into_unit_id",
                   "lead_unit_id", "assessor_unit_id", "home_unit_id", "target_id", "child_id",
                   "unit_ids")
# Records a creation event refers to by id: their units are the new record's too.
PARENT_RECORD_FIELDS = ("cluster_id", "movement_id", "covenant_id")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def act_label(code: str) -> str:
    """The act in words: the table's, else the record's kind and the event's name."""
    if code in ACT_LABELS:
        return ACT_LABELS[code]
    kind, _, name = code.partition(".")
    return f"{KIND_LABELS.get(kind, kind)}: {name.replace('_', ' ')}"


def kinds_of_acts() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The filter's choices: each kind of record (code, label) with its acts (code, label)."""
    out = []
    for kind, label in KIND_LABELS.items():
        acts = [(code, text) for code, text in ACT_LABELS.items()
                if code.partition(".")[0] == kind]
        out.append((kind, label, acts))
    return out


def is_kind_filter(value: str) -> bool:
    """An act code (``nomination.submitted``) or a record kind (``nomination``) known here."""
    if value in KIND_LABELS or value in ACT_LABELS:
        return True
    kind, _, name = value.partition(".")
    return kind in KIND_LABELS and bool(re.fullmatch(r"[a-z][a-z_]{0,60}", name))


def utc_text(moment: datetime) -> str:
    """A moment as stored: UTC, fixed width (so that text order is time order)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_day_start(day: date) -> str:
    """Midnight of a day in Vietnam, as stored (UTC) text: the bound of a date filter."""
    return utc_text(datetime.combine(day, time(0), tzinfo=LOCAL))


def local_day_end(day: date) -> str:
    """The first moment after a day in Vietnam (the bound is exclusive)."""
    return local_day_start(day + timedelta(days=1))


def _has_actor(cls: type) -> bool:
    try:
        return any(f.name == "actor" for f in dataclasses.fields(cls))
    except TypeError:
        return False


def audited_events() -> dict[type, tuple[str, str]]:
    """Every event class of ``AGGREGATES`` that has an actor (and each creation event): its
    record kind and act code."""
    found: dict[type, tuple[str, str]] = {}
    for aggregate, kind in AGGREGATES.items():
        for name, value in vars(aggregate).items():
            if (isinstance(value, type) and issubclass(value, DomainEvent)
                    and (_has_actor(value) or issubclass(value, Aggregate.Created))):
                found[value] = (kind, f"{kind}.{snake(name)}")
    return found


def _ids(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set):
        return [i for v in value for i in _ids(v)]
    if isinstance(value, dict):
        return _ids(value.get("unit_id"))
    return [str(value)]


def _issuer_units(event: Any) -> list[str]:
    out = []
    issuer = getattr(event, "issuer", None)
    if issuer is not None:
        out += _ids(issuer.get("unit_id") if isinstance(issuer, dict)
                    else getattr(issuer, "unit_id", None))
    key = getattr(event, "issuer_key", None)
    if isinstance(key, str) and key.startswith("unit:"):
        out.append(key.removeprefix("unit:"))
    return out


def _reason(event: Any) -> str | None:
    for name in REASON_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


class AuditView(View):
    name = "audit"
    version = 2  # 2: erasures of personal data

    def __init__(self) -> None:
        self.acts = audited_events()
        super().__init__()
        self._cache: dict[str, dict[str, Any] | None] = {}

    def ddl(self, dialect: str) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS audit_events ("
            " position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, actor TEXT NOT NULL,"
            " record_kind TEXT NOT NULL, record_id TEXT NOT NULL, act TEXT NOT NULL,"
            " title TEXT, link TEXT, reason TEXT)",
            "CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events (actor, position)",
            "CREATE INDEX IF NOT EXISTS audit_events_act ON audit_events (act, position)",
            "CREATE INDEX IF NOT EXISTS audit_events_kind"
            " ON audit_events (record_kind, position)",
            "CREATE INDEX IF NOT EXISTS audit_events_record ON audit_events (record_id)",
            "CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (recorded_at)",
            "CREATE TABLE IF NOT EXISTS audit_units ("
            " unit_id TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (unit_id, position))",
            "CREATE INDEX IF NOT EXISTS audit_units_position ON audit_units (position)",
            # what each record's creation said (its units, title, link), kept up to date
            "CREATE TABLE IF NOT EXISTS audit_records ("
            " record_id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL)",
        ]

    def build_handlers(self) -> dict[type, Handler]:
        return dict.fromkeys(self.acts, self._event)

    def apply_batch(self, cur: Cursor, items: list[tuple[int, Any]]) -> None:
        self._cache = {}  # records read or written in this batch (its transaction)
        try:
            super().apply_batch(cur, items)
        finally:
            self._cache = {}

    # -- records ------------------------------------------------------------------------------

    def _record(self, cur: Cursor, record_id: str | None) -> dict[str, Any] | None:
        if record_id is None:
            return None
        if record_id not in self._cache:
            row = cur.execute("SELECT state FROM audit_records WHERE record_id = ?",
                              (record_id,)).fetchone()
            self._cache[record_id] = json.loads(row["state"]) if row else None
        return self._cache[record_id]

    def _save(self, cur: Cursor, record_id: str, kind: str, state: dict[str, Any]) -> None:
        self._cache[record_id] = state
        cur.execute(
            "INSERT INTO audit_records (record_id, kind, state) VALUES (?, ?, ?)"
            " ON CONFLICT (record_id) DO UPDATE SET state = excluded.state",
            (record_id, kind, json.dumps(state, ensure_ascii=False, sort_keys=True)))

    def _created(self, cur: Cursor, kind: str, record_id: str, event: Any) -> dict[str, Any]:
        units: list[str] = []
        for name in RECORD_UNIT_FIELDS:
            units += _ids(getattr(event, name, None))
        units += _issuer_units(event)
        parent: dict[str, Any] = {}
        for name in PARENT_RECORD_FIELDS:
            found = self._record(cur, sid(getattr(event, name, None)))
            if found is not None:
                units += found["units"]
                parent = parent or found
        if kind == "org_unit":
            units = [record_id, *_ids(getattr(event, "parent_id", None))]
        state: dict[str, Any] = {"units": list(dict.fromkeys(units)), "title": None,
                                 "link": None}
        title, link = _describe(kind, record_id, event, parent)
        state.update(title=title, link=link)
        if kind == "user":
            state.update(username=getattr(event, "username", None), home=None, grants=[])
        return state

    # -- the one handler ----------------------------------------------------------------------

    def _event(self, cur: Cursor, event: Any, position: int) -> None:
        kind, act = self.acts[type(event)]
        record_id = str(event.originator_id)
        state = self._record(cur, record_id)
        if isinstance(event, Aggregate.Created) or state is None:
            state = self._created(cur, kind, record_id, event)
        had_units = bool(state["units"])
        act_units = self._update(kind, state, event)
        title, link = state["title"], state["link"]
        if kind == "catalogue" and getattr(event, "code", None):
            definition = getattr(event, "definition", None)
            named = definition.get("title") if isinstance(definition, dict) else None
            title, link = named or event.code, f"/catalog/{event.code}"
        if kind == "user" and act == "user.token_issued" and \
                getattr(event, "label", None) == SESSION_LABEL and \
                getattr(event, "actor", None) == state.get("username"):
            act = "user.signed_in"
        self._save(cur, record_id, kind, state)
        if not had_units and state["units"]:
            self._attribute_earlier(cur, record_id, state["units"])
        actor = getattr(event, "actor", None)
        if not actor:
            return
        cur.execute(
            "INSERT INTO audit_events (position, recorded_at, actor, record_kind, record_id,"
            " act, title, link, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position, utc_text(event.timestamp), str(actor), kind, record_id, act, title, link,
             _reason(event)))
        units = list(dict.fromkeys([*state["units"], *act_units])) or [ROOT]
        cur.executemany("INSERT INTO audit_units (unit_id, position) VALUES (?, ?)",
                        [(unit, position) for unit in units])

    def _update(self, kind: str, state: dict[str, Any], event: Any) -> list[str]:
        """Apply what the event changes of the record (its units, its title); the units this
        act concerns beyond the record's."""
        act_units: list[str] = []
        for name in ACT_UNIT_FIELDS:
            if kind == "org_unit" and name == "unit_id":
                continue
            act_units += _ids(getattr(event, name, None))
        name = type(event).__name__
        if kind == "org_unit":
            if name == "Moved":
                act_units += state["units"][1:]  # the parent it leaves
                state["units"] = [state["units"][0], *_ids(event.parent_id)]
            if name == "Renamed":
                state["title"] = event.name
        elif kind == "user":
            if name == "HomeUnitSet":
                state["home"] = sid(event.home_unit_id)
            elif name == "GrantAdded":
                state["grants"] = [*state["grants"], sid(event.unit_id)]
            elif name == "GrantRemoved":
                grants = list(state["grants"])
                if sid(event.unit_id) in grants:
                    grants.remove(sid(event.unit_id))
                state["grants"] = grants
            state["units"] = list(dict.fromkeys(
                ([state["home"]] if state["home"] else []) + state["grants"]))
        elif kind in ("emulation_cluster", "movement", "covenant") and name == "Renamed":
            state["title"] = getattr(event, "name", None) or state["title"]
        return act_units

    @staticmethod
    def _attribute_earlier(cur: Cursor, record_id: str, units: list[str]) -> None:
        """A record that named no unit until now (a user before her home unit and grants):
        its earlier acts, stored as the root's, are its units' from now on."""
        positions = [r["position"] for r in cur.execute(
            "SELECT u.position FROM audit_units u JOIN audit_events a ON a.position = u.position"
            " WHERE a.record_id = ? AND u.unit_id = ?", (record_id, ROOT)).fetchall()]
        if not positions:
            return
        cur.executemany("DELETE FROM audit_units WHERE unit_id = ? AND position = ?",
                        [(ROOT, p) for p in positions])
        cur.executemany("INSERT INTO audit_units (unit_id, position) VALUES (?, ?)",
                        [(unit, p) for p in positions for unit in units])


def _describe(kind: str, record_id: str, event: Any, parent: dict[str, Any]
              ) -> tuple[str | None, str | None]:
    """A record's title and the path of its page (None where it has none), from its creation
    event — names, numbers and titles of records only, never a person's particulars."""
    get = lambda name: getattr(event, name, None)  # noqa: E731
    if kind == "org_unit":
        return get("name"), f"/units/{record_id}"
    if kind == "user":
        return get("username"), f"/users/{get('username')}" if get("username") else None
    if kind == "nomination":
        return None, f"/nominations/{record_id}"
    if kind == "submission":
        number = get("number")
        return (f"Tờ trình số {number}" if number else get("title")), f"/submissions/{record_id}"
    if kind == "decision":
        number = get("number")
        return (f"Quyết định số {number}" if number else None), f"/decisions/{record_id}"
    if kind == "ceremony":
        return get("title"), f"/ceremonies/{record_id}"
    if kind == "certificate_book":
        name, year = get("issuer_name"), get("year")
        return (f"{name}, năm {year}" if name else None), None
    if kind == "council_criteria":
        return get("award_kind"), "/council/criteria"
    if kind == "catalogue":
        return None, "/catalog"
    if kind == "personal_data_erasure":
        return f"Dữ liệu cá nhân của {get('name')}", None
    if kind == "legal_schedule":
        return None, "/schedules"
    if kind == "internal_rates":
        return get("issuer_name"), "/schedules/internal-rates"
    if kind == "emulation_cluster":
        return get("name"), f"/emulation/clusters/{record_id}"
    if kind == "covenant":
        return get("title"), f"/emulation/clusters/{get('cluster_id')}/{get('year')}"
    if kind == "member_report":
        return (parent.get("title"), f"/emulation/clusters/{get('cluster_id')}/{get('year')}"
                f"/reports/{get('unit_id')}")
    if kind == "movement":
        return get("title"), f"/emulation/movements/{record_id}"
    if kind == "movement_registration":
        return (parent.get("title"),
                f"/emulation/movements/{get('movement_id')}/units/{get('unit_id')}")
    if kind == "title_registration":
        year = get("year")
        return (f"Năm {year}" if year else None), f"/emulation/registrations/{record_id}"
    return None, None


# -- reading --------------------------------------------------------------------------------


class AuditRows:
    """The audit trail's rows, newest first: cut to units (None: every unit), by actor, act
    (or kind of record), and a span of time (UTC text bounds, ``until`` exclusive)."""

    def __init__(self, db: ViewDB) -> None:
        self.db = db

    @staticmethod
    def _where(units: set[str] | None, actor: str | None, kind: str | None,
               since: str | None, until: str | None) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if units is not None:
            ids = sorted(units)
            where.append("EXISTS (SELECT 1 FROM audit_units u WHERE u.position = a.position"
                         f" AND u.unit_id IN ({','.join('?' * len(ids))}))")
            params += ids
        if actor:
            where.append("a.actor = ?")
            params.append(actor)
        if kind:
            where.append("a.act = ?" if "." in kind else "a.record_kind = ?")
            params.append(kind)
        if since:
            where.append("a.recorded_at >= ?")
            params.append(since)
        if until:
            where.append("a.recorded_at < ?")
            params.append(until)
        return where, params

    def page(self, *, units: set[str] | None = None, actor: str | None = None,
             kind: str | None = None, since: str | None = None, until: str | None = None,
             page: Page | None = None) -> dict[str, Any]:
        page = page or Page()
        if units is not None and not units:
            return {"items": [], "total": 0, "limit": page.limit, "offset": page.offset}
        where, params = self._where(units, actor, kind, since, until)
        with self.db.read() as cur:
            found = _page(cur, "SELECT a.* FROM audit_events a", where, params,
                          "a.position DESC", page)
            positions = [r["position"] for r in found["items"]]
            by_position: dict[int, list[str]] = {p: [] for p in positions}
            if positions:
                rows = cur.execute(
                    "SELECT position, unit_id FROM audit_units WHERE position IN"
                    f" ({','.join('?' * len(positions))}) ORDER BY position, unit_id",
                    positions).fetchall()
                for row in rows:
                    by_position[row["position"]].append(row["unit_id"])
        found["items"] = [{**row, "position": int(row["position"]),
                           "units": by_position.get(row["position"], [])}
                          for row in found["items"]]
        return found

    def full_names(self, usernames: set[str]) -> dict[str, str]:
        """The actors' full names (the users' view), by user name."""
        if not usernames:
            return {}
        names = sorted(usernames)
        with self.db.read() as cur:
            rows = cur.execute(
                f"SELECT username, full_name FROM users WHERE username IN"
                f" ({','.join('?' * len(names))})", names).fetchall()
        return {r["username"]: r["full_name"] for r in rows}
