"""Emulation clusters (cụm/khối thi đua), their yearly covenants (giao ước thi đua), the members'
reports and the cluster board.

* ``EmulationCluster``: name, kind (cụm/khối), managing unit; per year its members and lead
  (members change, e.g. with the 2025 merger of provinces). A member may join or be merged into
  another mid-year: both stay in the year's history, with dates.
* ``Covenant`` (id from cluster + year): the indicators the members sign, the points table,
  thresholds, assessment mode, proposal rules and figures stated for the whole cluster. Drafted,
  signed by every member, opened for reporting, closed. The indicators lock once a result is
  reported; the points table once a score is given.
* ``MemberReport`` (id from covenant + member): results per indicator (``ResultLog``: reported,
  confirmed, corrected with a reason — every earlier value kept), scores by self / cross / lead
  assessment, the agreed score per item with every earlier score in history, deductions.
* ``board(covenant, members, reports)``: members × indicators with each evaluation, each column's
  ``IndicatorCount``, totals, ranking, classes; ``proposals(board, covenant)``: who is proposed
  for which award within the cap, ties at the cut-off reported rather than dropped.

Commands that involve two aggregates take both (``MemberReport.report(covenant, …)`` also marks
the covenant's indicators locked): the service saves both in one ``save()``. Who may act (the
lead confirms, corrects and agrees) is the service's check; the domain keeps state and history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.catalog import catalog
from domain.emulation.errors import (
    AssessmentNotAllowed,
    AssessorInvalid,
    ClusterInvalid,
    CovenantInvalid,
    CovenantNotClosed,
    CovenantNotDraft,
    CovenantNotOpen,
    CovenantUnsigned,
    IndicatorsLocked,
    MemberExists,
    MergeInvalid,
    NominationLinkInvalid,
    NotMember,
    NotSigned,
    ScoreInvalid,
    ScoringLocked,
    YearNotSet,
)
from domain.emulation.indicators import (
    CORRECTED,
    REPORTED,
    Evaluation,
    Indicator,
    IndicatorCount,
    Result,
    ResultLog,
    StatedTotal,
    count_indicator,
    dec_text,
    evaluate,
    find_indicator,
    indicators_from,
    reason_text,
    result_text,
    stated_totals_from,
)
from domain.emulation.scoring import (
    MAX_TIMES,
    ONCE,
    PointsTable,
    ProposalRule,
    Rank,
    Threshold,
    Total,
    agreed_total,
    cap_for,
    classify,
    clean_points_data,
    parse_points,
    points_table,
    points_text,
    proposal_rules_from,
    rank,
    share_from,
    share_text,
    thresholds_from,
)
from domain.errors import ValidationFailed
from domain.text import nfc, nfc_multiline, vietnamese_sort_key

CLUSTER_KINDS = {"cum": "Cụm thi đua", "khoi": "Khối thi đua"}
MAX_NAME = 300
MAX_MEMBERS = 200
MAX_NOTE = 1_000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _uuid(value: Any, what: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise ValidationFailed(reason=f"mã {what} «{str(value)[:40]}» không hợp lệ") from None


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (
            FIRST_YEAR <= value <= LAST_YEAR):
        raise ClusterInvalid(reason=f"năm phải là số nguyên từ {FIRST_YEAR} đến {LAST_YEAR}")
    return value


def _day(value: Any, what: str) -> date:
    if not isinstance(value, date):
        raise ValidationFailed(reason=f"{what} phải là một ngày")
    return value


def _covenant_day(value: Any, year: int, what: str) -> date:
    """A day in a covenant's life (signed, opened, closed): a date from the start of the year
    before (covenants are often signed at the previous year's conference)."""
    on = _day(value, what)
    if on.year < year - 1:
        raise CovenantInvalid(reason=f"{what} {on:%d/%m/%Y} quá sớm cho giao ước năm {year}")
    return on


def _name(value: Any, what: str, error: type = ClusterInvalid) -> str:
    if not isinstance(value, str) or not nfc(value):
        raise error(reason=f"cần ghi {what}")
    text = nfc(value)
    if len(text) > MAX_NAME:
        raise error(reason=f"{what} quá dài (tối đa {MAX_NAME} ký tự)")
    return text


def _optional_text(value: Any, what: str, limit: int = MAX_NOTE) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(reason=f"{what} phải là văn bản")
    text = nfc_multiline(value)
    if len(text) > limit:
        raise ValidationFailed(reason=f"{what} quá dài (tối đa {limit} ký tự)")
    return text


# -- the cluster --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterMember:
    """A member in a year: ``joined_on`` set when it joined mid-year, ``left_on`` and
    ``merged_into`` when it was merged into another unit."""

    unit_id: UUID
    name: str
    joined_on: date | None = None
    left_on: date | None = None
    merged_into: UUID | None = None

    def active_on(self, on: date | None) -> bool:
        """Whether a member on ``on`` (None: at the end of the year)."""
        if on is None:
            return self.left_on is None
        return (self.joined_on is None or self.joined_on <= on) and (
            self.left_on is None or on < self.left_on)

    def as_dict(self) -> dict[str, Any]:
        return {"unit_id": str(self.unit_id), "name": self.name,
                "joined_on": self.joined_on.isoformat() if self.joined_on else None,
                "left_on": self.left_on.isoformat() if self.left_on else None,
                "merged_into": str(self.merged_into) if self.merged_into else None}


def _member_of(data: Mapping[str, Any]) -> ClusterMember:
    return ClusterMember(
        unit_id=UUID(data["unit_id"]), name=data["name"],
        joined_on=date.fromisoformat(data["joined_on"]) if data.get("joined_on") else None,
        left_on=date.fromisoformat(data["left_on"]) if data.get("left_on") else None,
        merged_into=UUID(data["merged_into"]) if data.get("merged_into") else None)


class EmulationCluster(Aggregate):
    """A cụm/khối thi đua: its members and lead, year by year."""

    TOPIC = topic("emulation", "EmulationCluster")

    class Created(Aggregate.Created):
        TOPIC = topic("emulation", "EmulationCluster.Created")
        name: str
        kind: str
        managing_unit_id: UUID
        actor: str

    class Renamed(Aggregate.Event):
        TOPIC = topic("emulation", "EmulationCluster.Renamed")
        name: str
        actor: str

    class YearSet(Aggregate.Event):
        TOPIC = topic("emulation", "EmulationCluster.YearSet")
        year: int
        members: list[dict[str, Any]]
        lead_unit_id: UUID
        actor: str
        reason: str = ""

    class MemberAdded(Aggregate.Event):
        TOPIC = topic("emulation", "EmulationCluster.MemberAdded")
        year: int
        unit_id: UUID
        name: str
        on: date
        actor: str
        reason: str = ""

    class MemberMerged(Aggregate.Event):
        TOPIC = topic("emulation", "EmulationCluster.MemberMerged")
        year: int
        from_unit_id: UUID
        into_unit_id: UUID
        into_name: str  # the successor's name when it joins by the merger, else ""
        on: date
        actor: str
        reason: str = ""

    class LeadSet(Aggregate.Event):
        TOPIC = topic("emulation", "EmulationCluster.LeadSet")
        year: int
        unit_id: UUID
        on: date | None
        actor: str
        reason: str = ""

    @event(Created)
    def __init__(self, name: str, kind: str, managing_unit_id: UUID, actor: str) -> None:
        self.name = name
        self.kind = kind
        self.managing_unit_id = managing_unit_id
        # "year" → {"members": [member dicts], "leads": [{"unit_id", "from"}]}
        self.years: dict[str, dict[str, Any]] = {}

    @classmethod
    def create(cls, *, name: str, kind: str, managing_unit_id: Any, actor: str,
               id: UUID | None = None) -> EmulationCluster:
        if kind not in CLUSTER_KINDS:
            raise ClusterInvalid(reason="loại phải là cum (cụm thi đua) hoặc khoi (khối thi đua)")
        extra = {"id": id} if id is not None else {}
        return cls._create(cls.Created, name=_name(name, "tên cụm, khối thi đua"), kind=kind,
                           managing_unit_id=_uuid(managing_unit_id, "đơn vị quản lý"),
                           actor=actor, **extra)

    @property
    def kind_label(self) -> str:
        return CLUSTER_KINDS[self.kind]

    # -- queries
    @property
    def years_set(self) -> list[int]:
        return sorted(int(y) for y in self.years)

    def _roster(self, year: int) -> dict[str, Any]:
        try:
            return self.years[str(year)]
        except KeyError:
            raise YearNotSet(cluster_name=self.name, year=year) from None

    def members_in(self, year: int) -> list[ClusterMember]:
        """Everyone who was a member during ``year``, those merged away included."""
        return [_member_of(m) for m in self._roster(year)["members"]]

    def active_members(self, year: int, on: date | None = None) -> list[ClusterMember]:
        """The members on ``on`` (None: at the end of the year)."""
        return [m for m in self.members_in(year) if m.active_on(on)]

    def is_member(self, year: int, unit_id: Any, on: date | None = None) -> bool:
        """A member at any time of ``year`` (or on ``on`` when given)."""
        if str(year) not in self.years:
            return False
        try:
            unit = _uuid(unit_id, "đơn vị")
        except ValidationFailed:
            return False
        return any(m.unit_id == unit and (on is None or m.active_on(on))
                   for m in self.members_in(year))

    def member_name(self, year: int, unit_id: Any) -> str:
        for member in self.members_in(year):
            if str(member.unit_id) == str(unit_id):
                return member.name
        return str(unit_id)

    def lead_in(self, year: int, on: date | None = None) -> UUID:
        """The lead (cụm trưởng) on ``on`` (None: the latest of the year)."""
        leads = self._roster(year)["leads"]
        current = leads[0]["unit_id"]
        for lead in leads:
            start = date.fromisoformat(lead["from"]) if lead["from"] else None
            if on is None or start is None or start <= on:
                current = lead["unit_id"]
        return UUID(current)

    def lead_history(self, year: int) -> list[dict[str, Any]]:
        return [dict(lead) for lead in self._roster(year)["leads"]]

    # -- commands
    def rename(self, name: str, actor: str) -> bool:
        name = _name(name, "tên cụm, khối thi đua")
        if name == self.name:
            return False
        self._renamed(name=name, actor=actor)
        return True

    @event(Renamed)
    def _renamed(self, name: str, actor: str) -> None:
        self.name = name

    def set_year(self, year: int, members: Iterable[Mapping[str, Any]], lead_unit_id: Any,
                 actor: str, reason: str = "") -> None:
        """The members ({unit_id, name}) and the lead of ``year``. Setting a year again replaces
        its roster (mid-year joins and mergers included); the earlier one stays in the events."""
        year = _year(year)
        if isinstance(members, (str, bytes, Mapping)):
            raise ClusterInvalid(reason="danh sách thành viên phải là một danh sách")
        clean: list[dict[str, Any]] = []
        seen: set[UUID] = set()
        for item in members:
            if not isinstance(item, Mapping):
                raise ClusterInvalid(reason="mỗi thành viên gồm mã đơn vị và tên")
            unit = _uuid(item.get("unit_id"), "đơn vị")
            if unit in seen:
                raise ClusterInvalid(reason=f"đơn vị «{item.get('name')}» có hai lần trong danh "
                                            "sách")
            seen.add(unit)
            clean.append(ClusterMember(unit_id=unit, name=_name(item.get("name"),
                                                                "tên thành viên")).as_dict())
        if not clean:
            raise ClusterInvalid(reason="cần ít nhất một thành viên")
        if len(clean) > MAX_MEMBERS:
            raise ClusterInvalid(reason=f"tối đa {MAX_MEMBERS} thành viên")
        lead = _uuid(lead_unit_id, "cụm trưởng")
        if lead not in seen:
            raise NotMember(unit=str(lead), cluster_name=self.name, year=year)
        self._year_set(year=year, members=clean, lead_unit_id=lead, actor=actor,
                       reason=_optional_text(reason, "lý do"))

    @event(YearSet)
    def _year_set(self, year: int, members: list[dict[str, Any]], lead_unit_id: UUID,
                  actor: str, reason: str = "") -> None:
        self.years[str(year)] = {"members": [dict(m) for m in members],
                                 "leads": [{"unit_id": str(lead_unit_id), "from": None}]}

    def add_member(self, year: int, unit_id: Any, name: str, on: date, actor: str,
                   reason: str = "") -> None:
        """A unit joins the cluster on ``on`` (within ``year``)."""
        roster = self._roster(_year(year))
        unit = _uuid(unit_id, "đơn vị")
        on = _day(on, "ngày tham gia")
        if on.year != year:
            raise ClusterInvalid(reason=f"ngày tham gia phải trong năm {year}")
        if any(m["unit_id"] == str(unit) for m in roster["members"]):
            raise MemberExists(unit=self.member_name(year, unit), cluster_name=self.name,
                               year=year)
        self._member_added(year=year, unit_id=unit, name=_name(name, "tên thành viên"), on=on,
                           actor=actor, reason=_optional_text(reason, "lý do"))

    @event(MemberAdded)
    def _member_added(self, year: int, unit_id: UUID, name: str, on: date, actor: str,
                      reason: str = "") -> None:
        self.years[str(year)]["members"].append(ClusterMember(
            unit_id=unit_id, name=name, joined_on=on).as_dict())

    def merge_member(self, year: int, from_unit_id: Any, into_unit_id: Any, on: date,
                     actor: str, into_name: str | None = None, reason: str = "") -> None:
        """``from_unit_id`` is merged into ``into_unit_id`` on ``on``: the first leaves the
        cluster that day (kept in the year's history), the second joins if it was not a member
        (``into_name`` then names it); a merged lead passes the lead to its successor."""
        year = _year(year)
        self._roster(year)
        source, target = _uuid(from_unit_id, "đơn vị"), _uuid(into_unit_id, "đơn vị")
        on = _day(on, "ngày hợp nhất")
        if on.year != year:
            raise MergeInvalid(reason=f"ngày hợp nhất phải trong năm {year}")
        if source == target:
            raise MergeInvalid(reason="một đơn vị không hợp nhất vào chính nó")
        members = {m.unit_id: m for m in self.members_in(year)}
        if source not in members:
            raise NotMember(unit=str(source), cluster_name=self.name, year=year)
        if not members[source].active_on(None):
            raise MergeInvalid(reason=f"«{members[source].name}» đã rời cụm ngày "
                                      f"{members[source].left_on:%d/%m/%Y}")
        if members[source].joined_on and members[source].joined_on > on:
            raise MergeInvalid(reason=f"«{members[source].name}» tham gia cụm sau ngày hợp nhất")
        name = ""
        if target in members:
            if not members[target].active_on(None):
                raise MergeInvalid(reason=f"«{members[target].name}» đã rời cụm")
        else:
            name = _name(into_name, "tên đơn vị sau hợp nhất", MergeInvalid)
        self._member_merged(year=year, from_unit_id=source, into_unit_id=target,
                            into_name=name, on=on, actor=actor,
                            reason=_optional_text(reason, "lý do"))

    @event(MemberMerged)
    def _member_merged(self, year: int, from_unit_id: UUID, into_unit_id: UUID, into_name: str,
                       on: date, actor: str, reason: str = "") -> None:
        roster = self.years[str(year)]
        for member in roster["members"]:
            if member["unit_id"] == str(from_unit_id):
                member["left_on"] = on.isoformat()
                member["merged_into"] = str(into_unit_id)
        if into_name:
            roster["members"].append(ClusterMember(unit_id=into_unit_id, name=into_name,
                                                   joined_on=on).as_dict())
        if roster["leads"][-1]["unit_id"] == str(from_unit_id):
            roster["leads"].append({"unit_id": str(into_unit_id), "from": on.isoformat()})

    def set_lead(self, year: int, unit_id: Any, actor: str, on: date | None = None,
                 reason: str = "") -> bool:
        """The lead from ``on`` (None: for the whole year, replacing earlier leads)."""
        year = _year(year)
        self._roster(year)
        unit = _uuid(unit_id, "cụm trưởng")
        if on is not None and (_day(on, "ngày").year != year):
            raise ClusterInvalid(reason=f"ngày phải trong năm {year}")
        if not self.is_member(year, unit, on):
            raise NotMember(unit=str(unit), cluster_name=self.name, year=year)
        if on is None and self.lead_history(year) == [{"unit_id": str(unit), "from": None}]:
            return False
        self._lead_set(year=year, unit_id=unit, on=on, actor=actor,
                       reason=_optional_text(reason, "lý do"))
        return True

    @event(LeadSet)
    def _lead_set(self, year: int, unit_id: UUID, on: date | None, actor: str,
                  reason: str = "") -> None:
        roster = self.years[str(year)]
        if on is None:
            roster["leads"] = [{"unit_id": str(unit_id), "from": None}]
        else:
            roster["leads"] = [lead for lead in roster["leads"]
                               if lead["from"] is None or lead["from"] < on.isoformat()]
            roster["leads"].append({"unit_id": str(unit_id), "from": on.isoformat()})


# -- the covenant -------------------------------------------------------------------------------

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
COVENANT_STATUS_LABELS = {DRAFT: "dự thảo", OPEN: "đang thực hiện", CLOSED: "đã kết thúc"}
SELF, CROSS, LEAD = "self", "cross", "lead"
ASSESSMENT_MODES = {
    SELF: "đơn vị tự chấm, cụm trưởng thống nhất điểm",
    CROSS: "các đơn vị chấm chéo, cụm trưởng thống nhất điểm",
    LEAD: "cụm trưởng chấm điểm",
}
# Who may score in each mode: members always self-assess; cross scores only in cross mode.
ALLOWED_BY = {SELF: (SELF, LEAD), CROSS: (SELF, CROSS, LEAD), LEAD: (SELF, LEAD)}
BY_LABELS = {SELF: "tự chấm", CROSS: "chấm chéo", LEAD: "cụm trưởng chấm"}


def covenant_id(cluster_id: UUID, year: int) -> UUID:
    return stable_id("emulation-covenant", str(cluster_id), str(year))


class Covenant(Aggregate):
    """The giao ước thi đua of a cluster for a year."""

    TOPIC = topic("emulation", "Covenant")

    class Created(Aggregate.Created):
        TOPIC = topic("emulation", "Covenant.Created")
        cluster_id: UUID
        year: int
        title: str
        actor: str

    class IndicatorsSet(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.IndicatorsSet")
        indicators: list[dict[str, Any]]
        actor: str

    class ScoringSet(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.ScoringSet")
        points: dict[str, Any]
        thresholds: list[dict[str, Any]]
        assessment_mode: str
        actor: str

    class ProposalRulesSet(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.ProposalRulesSet")
        rules: list[dict[str, Any]]
        cap: str | None
        actor: str

    class StatedTotalsSet(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.StatedTotalsSet")
        totals: list[dict[str, Any]]
        actor: str

    class Signed(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.Signed")
        unit_id: UUID
        on: date
        actor: str

    class Opened(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.Opened")
        on: date
        actor: str

    class ResultsStarted(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.ResultsStarted")
        indicator_code: str
        unit_id: UUID
        actor: str

    class ScoringStarted(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.ScoringStarted")
        item_code: str
        unit_id: UUID
        actor: str

    class Closed(Aggregate.Event):
        TOPIC = topic("emulation", "Covenant.Closed")
        on: date
        actor: str

    class Nominated(Aggregate.Event):
        """Nominations opened from the covenant's proposals: {unit_id, nomination_id,
        award_kind, rank} each."""

        TOPIC = topic("emulation", "Covenant.Nominated")
        nominations: list[dict[str, Any]]
        actor: str

    @event(Created)
    def __init__(self, cluster_id: UUID, year: int, title: str, actor: str) -> None:
        self.cluster_id = cluster_id
        self.year = year
        self.title = title
        self.status = DRAFT
        self.indicator_data: list[dict[str, Any]] = []
        self.points_data: dict[str, Any] = clean_points_data(None)
        self.threshold_data: list[dict[str, Any]] = []
        self.assessment_mode = CROSS
        self.proposal_data: list[dict[str, Any]] = []
        self.proposal_cap: str | None = None
        self.stated_data: list[dict[str, Any]] = []
        self.signatures: dict[str, dict[str, Any]] = {}  # unit id → {on, actor}
        self.opened_on: date | None = None
        self.closed_on: date | None = None
        self.results_started = False
        self.scoring_started = False
        self.nominated: dict[str, dict[str, Any]] = {}  # unit id → its nomination

    @classmethod
    def draft(cls, cluster: EmulationCluster, year: int, actor: str, *,
              title: str | None = None, indicators: Iterable[Any] = (),
              points: Mapping[str, Any] | None = None, thresholds: Iterable[Any] = (),
              assessment_mode: str = CROSS, proposal_rules: Iterable[Any] = (),
              proposal_cap: Any = None, stated_totals: Iterable[Any] = ()) -> Covenant:
        """A draft covenant of ``cluster`` for ``year`` (its roster must be set), configured."""
        year = _year(year)
        cluster.members_in(year)
        text = title if title is not None else (
            f"Giao ước thi đua năm {year} — {cluster.name}")
        covenant = cls._create(cls.Created, id=covenant_id(cluster.id, year),
                               cluster_id=cluster.id, year=year,
                               title=_name(text, "tên giao ước", CovenantInvalid), actor=actor)
        covenant.set_indicators(indicators, actor)
        covenant.set_scoring(points=points, thresholds=thresholds,
                             assessment_mode=assessment_mode, actor=actor)
        covenant.set_proposal_rules(proposal_rules, proposal_cap, actor)
        covenant.set_stated_totals(stated_totals, actor)
        return covenant

    # -- queries
    @property
    def status_label(self) -> str:
        return COVENANT_STATUS_LABELS[self.status]

    @property
    def where(self) -> str:
        return f"giao ước thi đua năm {self.year}"

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(Indicator(**data) for data in self.indicator_data)

    def indicator(self, code: Any) -> Indicator:
        return find_indicator(self.indicators, code, self.where)

    @property
    def points_table(self) -> PointsTable:
        return points_table(self.indicators, self.points_data)

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        return thresholds_from(self.threshold_data)

    @property
    def proposal_rules(self) -> tuple[ProposalRule, ...]:
        return tuple(ProposalRule(**rule) for rule in self.proposal_data)

    @property
    def proposal_share(self) -> Fraction | None:
        return share_from(self.proposal_cap)

    @property
    def stated_totals(self) -> tuple[StatedTotal, ...]:
        return tuple(StatedTotal(**data) for data in self.stated_data)

    def is_signed(self, unit_id: Any) -> bool:
        return str(unit_id) in self.signatures

    def require_open(self) -> None:
        if self.status != OPEN:
            raise CovenantNotOpen(year=self.year, status_label=self.status_label)

    def _require_not_closed(self, what: str) -> None:
        if self.status == CLOSED:
            raise CovenantNotDraft(year=self.year, status_label=self.status_label, what=what)

    # -- configuration
    def set_indicators(self, indicators: Iterable[Any], actor: str) -> bool:
        """The indicators (dicts or ``Indicator``s). Locked once a result is reported or a score
        given; changing them after members signed clears the signatures (they signed other
        indicators)."""
        self._require_not_closed("không sửa chỉ tiêu được nữa")
        if self.results_started:
            raise IndicatorsLocked(where=self.where)
        if self.scoring_started:
            raise ScoringLocked(year=self.year)
        items = indicators_from(indicators)
        points_table(items, self.points_data)  # the points table must still hold
        codes = {i.code for i in items}
        for stated in self.stated_data:
            if stated["indicator_code"] not in codes:
                raise CovenantInvalid(reason=f"số liệu chung «{stated['what']}» gắn với chỉ tiêu "
                                             f"{stated['indicator_code']} bị bỏ")
        data = [i.as_dict() for i in items]
        if data == self.indicator_data:
            return False
        self._indicators_set(indicators=data, actor=actor)
        return True

    @event(IndicatorsSet)
    def _indicators_set(self, indicators: list[dict[str, Any]], actor: str) -> None:
        self.indicator_data = [dict(i) for i in indicators]
        self.signatures = {}

    def set_scoring(self, *, points: Mapping[str, Any] | None, thresholds: Iterable[Any],
                    assessment_mode: str, actor: str) -> bool:
        """The covenant's own points items, deductions and total maximum; the thresholds; the
        assessment mode. The points table locks once a score is given."""
        self._require_not_closed("không sửa bảng điểm được nữa")
        clean = clean_points_data(points)
        table = points_table(self.indicators, clean)
        levels = thresholds_from(thresholds)
        if assessment_mode not in ASSESSMENT_MODES:
            raise CovenantInvalid(reason="cách chấm điểm phải là self (tự chấm), cross (chấm "
                                         "chéo) hoặc lead (cụm trưởng chấm)")
        if self.scoring_started and table != self.points_table:
            raise ScoringLocked(year=self.year)
        codes = {t.code for t in levels}
        for rule in self.proposal_rules:
            if rule.requires_class is not None and rule.requires_class not in codes:
                raise CovenantInvalid(reason=f"quy định đề nghị khen thưởng cần mức xếp loại "
                                             f"«{rule.requires_class}» bị bỏ")
        data = [t.as_dict() for t in levels]
        if (clean, data, assessment_mode) == (
                self.points_data, self.threshold_data, self.assessment_mode):
            return False
        self._scoring_set(points=clean, thresholds=data, assessment_mode=assessment_mode,
                          actor=actor)
        return True

    @event(ScoringSet)
    def _scoring_set(self, points: dict[str, Any], thresholds: list[dict[str, Any]],
                     assessment_mode: str, actor: str) -> None:
        self.points_data = dict(points)
        self.threshold_data = [dict(t) for t in thresholds]
        self.assessment_mode = assessment_mode

    def set_proposal_rules(self, rules: Iterable[Any], cap: Any, actor: str) -> bool:
        """Which ranks are proposed for which award, and the cap as a share of the members
        ("1/3"; None: no cap)."""
        self._require_not_closed("không sửa quy định đề nghị khen thưởng được nữa")
        clean = [r.as_dict() for r in proposal_rules_from(rules, self.thresholds)]
        share = share_from(cap)
        text = share_text(share) if share is not None else None
        if (clean, text) == (self.proposal_data, self.proposal_cap):
            return False
        self._proposal_rules_set(rules=clean, cap=text, actor=actor)
        return True

    @event(ProposalRulesSet)
    def _proposal_rules_set(self, rules: list[dict[str, Any]], cap: str | None,
                            actor: str) -> None:
        self.proposal_data = [dict(r) for r in rules]
        self.proposal_cap = cap

    def set_stated_totals(self, totals: Iterable[Any], actor: str) -> bool:
        """Figures stated for the whole cluster ({indicator_code, what, value, unit, source})."""
        self._require_not_closed("không sửa số liệu chung được nữa")
        clean = [s.as_dict() for s in stated_totals_from(totals, self.indicators,
                                                         CovenantInvalid, self.where)]
        if clean == self.stated_data:
            return False
        self._stated_totals_set(totals=clean, actor=actor)
        return True

    @event(StatedTotalsSet)
    def _stated_totals_set(self, totals: list[dict[str, Any]], actor: str) -> None:
        self.stated_data = [dict(s) for s in totals]

    def configure(self, actor: str, *, indicators: Iterable[Any],
                  points: Mapping[str, Any] | None = None, thresholds: Iterable[Any] = (),
                  assessment_mode: str = CROSS, proposal_rules: Iterable[Any] = (),
                  proposal_cap: Any = None, stated_totals: Iterable[Any] = ()) -> bool:
        """The whole configuration at once (a form, an API ``PUT``): checked together — the new
        points table against the new indicators, the rules against the new thresholds, the
        stated totals against the new indicators — then recorded as the events of what changed
        (``set_indicators`` alone would check the new indicators against the old points table).
        The locks hold as in the setters; False when nothing changed."""
        self._require_not_closed("không sửa giao ước được nữa")
        items = indicators_from(indicators)
        clean = clean_points_data(points)
        table = points_table(items, clean)
        levels = thresholds_from(thresholds)
        if assessment_mode not in ASSESSMENT_MODES:
            raise CovenantInvalid(reason="cách chấm điểm phải là self (tự chấm), cross (chấm "
                                         "chéo) hoặc lead (cụm trưởng chấm)")
        rules = [r.as_dict() for r in proposal_rules_from(proposal_rules, levels)]
        share = share_from(proposal_cap)
        cap = share_text(share) if share is not None else None
        stated = [s.as_dict() for s in stated_totals_from(stated_totals, items, CovenantInvalid,
                                                          self.where)]
        data = [i.as_dict() for i in items]
        if data != self.indicator_data:
            if self.results_started:
                raise IndicatorsLocked(where=self.where)
            if self.scoring_started:
                raise ScoringLocked(year=self.year)
        if self.scoring_started and table != self.points_table:
            raise ScoringLocked(year=self.year)
        changed = False
        if data != self.indicator_data:
            self._indicators_set(indicators=data, actor=actor)
            changed = True
        levels_data = [t.as_dict() for t in levels]
        if (clean, levels_data, assessment_mode) != (
                self.points_data, self.threshold_data, self.assessment_mode):
            self._scoring_set(points=clean, thresholds=levels_data,
                              assessment_mode=assessment_mode, actor=actor)
            changed = True
        if (rules, cap) != (self.proposal_data, self.proposal_cap):
            self._proposal_rules_set(rules=rules, cap=cap, actor=actor)
            changed = True
        if stated != self.stated_data:
            self._stated_totals_set(totals=stated, actor=actor)
            changed = True
        return changed

    # -- proposals turned into nominations
    def nomination_for(self, unit_id: Any) -> dict[str, Any] | None:
        """The nomination opened from this covenant's proposals for the member, if any."""
        return dict(self.nominated[str(unit_id)]) if str(unit_id) in self.nominated else None

    def record_nominations(self, items: Iterable[Mapping[str, Any]], actor: str) -> list[str]:
        """Link the nominations opened from the proposals ({unit_id, award_kind, rank,
        nomination_id}): once the covenant is closed (its results final), at most one per
        member. Members already linked are skipped (a second call records nothing); returns
        the unit ids newly linked."""
        if self.status != CLOSED:
            raise CovenantNotClosed(year=self.year, status_label=self.status_label)
        clean: list[dict[str, Any]] = []
        for item in items:
            try:
                unit = str(_uuid(item["unit_id"], "đơn vị"))
                nomination = str(_uuid(item["nomination_id"], "đề nghị"))
            except (KeyError, TypeError, ValidationFailed):
                raise NominationLinkInvalid(where=self.where,
                                            reason="cần mã đơn vị và mã đề nghị") from None
            if unit in self.nominated or any(c["unit_id"] == unit for c in clean):
                continue
            rank_ = item.get("rank")
            clean.append({"unit_id": unit, "nomination_id": nomination,
                          "award_kind": str(item.get("award_kind") or ""),
                          "rank": rank_ if isinstance(rank_, int) else None})
        if not clean:
            return []
        self._nominated(nominations=clean, actor=actor)
        return [c["unit_id"] for c in clean]

    @event(Nominated)
    def _nominated(self, nominations: list[dict[str, Any]], actor: str) -> None:
        for item in nominations:
            self.nominated[item["unit_id"]] = dict(item)

    # -- lifecycle
    def _check_cluster(self, cluster: EmulationCluster) -> None:
        if cluster.id != self.cluster_id:
            raise CovenantInvalid(reason="cụm thi đua không phải cụm của giao ước")

    def sign(self, cluster: EmulationCluster, unit_id: Any, on: date, actor: str) -> bool:
        """``unit_id`` signs (a member of the cluster that year); False when it already had."""
        self._check_cluster(cluster)
        self._require_not_closed("không ký được nữa")
        unit = _uuid(unit_id, "đơn vị")
        if not cluster.is_member(self.year, unit):
            raise NotMember(unit=str(unit), cluster_name=cluster.name, year=self.year)
        if self.is_signed(unit):
            return False
        self._signed(unit_id=unit, on=_covenant_day(on, self.year, "ngày ký"), actor=actor)
        return True

    @event(Signed)
    def _signed(self, unit_id: UUID, on: date, actor: str) -> None:
        self.signatures[str(unit_id)] = {"on": on.isoformat(), "actor": actor}

    def unsigned(self, cluster: EmulationCluster, on: date | None = None) -> list[ClusterMember]:
        """The members (on ``on``) that have not signed."""
        return [m for m in cluster.active_members(self.year, on) if not self.is_signed(m.unit_id)]

    def open(self, cluster: EmulationCluster, on: date, actor: str) -> None:
        """Open for reporting: every member on ``on`` has signed, and there are indicators."""
        self._check_cluster(cluster)
        if self.status != DRAFT:
            raise CovenantNotDraft(year=self.year, status_label=self.status_label,
                                   what="đã mở báo cáo")
        if not self.indicator_data:
            raise CovenantInvalid(reason="chưa có chỉ tiêu nào")
        on = _covenant_day(on, self.year, "ngày bắt đầu thực hiện")
        missing = self.unsigned(cluster, on)
        if missing:
            names = ", ".join(sorted((m.name for m in missing), key=vietnamese_sort_key))
            raise CovenantUnsigned(year=self.year, names=names)
        self._opened(on=on, actor=actor)

    @event(Opened)
    def _opened(self, on: date, actor: str) -> None:
        self.status = OPEN
        self.opened_on = on

    def close(self, on: date, actor: str) -> None:
        """Close (results and scores final) on ``on``: not before the day it opened."""
        self.require_open()
        on = _covenant_day(on, self.year, "ngày kết thúc")
        if self.opened_on is not None and on < self.opened_on:
            raise CovenantInvalid(reason=f"ngày kết thúc {on:%d/%m/%Y} trước ngày bắt đầu thực "
                                         f"hiện {self.opened_on:%d/%m/%Y}")
        self._closed(on=on, actor=actor)

    @event(Closed)
    def _closed(self, on: date, actor: str) -> None:
        self.status = CLOSED
        self.closed_on = on

    def _note_result(self, indicator_code: str, unit_id: UUID, actor: str) -> None:
        if not self.results_started:
            self._results_started(indicator_code=indicator_code, unit_id=unit_id, actor=actor)

    @event(ResultsStarted)
    def _results_started(self, indicator_code: str, unit_id: UUID, actor: str) -> None:
        self.results_started = True

    def _note_scoring(self, item_code: str, unit_id: UUID, actor: str) -> None:
        if not self.scoring_started:
            self._scoring_started(item_code=item_code, unit_id=unit_id, actor=actor)

    @event(ScoringStarted)
    def _scoring_started(self, item_code: str, unit_id: UUID, actor: str) -> None:
        self.scoring_started = True


# -- a member's report --------------------------------------------------------------------------


def report_id(covenant_id_: UUID, unit_id: UUID) -> UUID:
    return stable_id("emulation-member-report", str(covenant_id_), str(unit_id))


class MemberReport(ResultLog, Aggregate):
    """A member's results and scores under one covenant."""

    TOPIC = topic("emulation", "MemberReport")

    class Created(Aggregate.Created):
        TOPIC = topic("emulation", "MemberReport.Created")
        covenant_id: UUID
        cluster_id: UUID
        year: int
        unit_id: UUID
        actor: str

    class ResultReported(Aggregate.Event):
        TOPIC = topic("emulation", "MemberReport.ResultReported")
        indicator_code: str
        result: dict[str, Any]
        actor: str

    class ResultConfirmed(Aggregate.Event):
        TOPIC = topic("emulation", "MemberReport.ResultConfirmed")
        indicator_code: str
        actor: str

    class ResultCorrected(Aggregate.Event):
        TOPIC = topic("emulation", "MemberReport.ResultCorrected")
        indicator_code: str
        result: dict[str, Any]
        reason: str
        actor: str

    class Scored(Aggregate.Event):
        TOPIC = topic("emulation", "MemberReport.Scored")
        item_code: str
        points: str
        by: str
        assessor_unit_id: UUID
        note: str
        actor: str

    class Agreed(Aggregate.Event):
        TOPIC = topic("emulation", "MemberReport.Agreed")
        item_code: str
        points: str
        reason: str
        actor: str

    class Deducted(Aggregate.Event):
        TOPIC = topic("emulation", "MemberReport.Deducted")
        rule_code: str
        times: int
        reason: str
        actor: str

    @event(Created)
    def __init__(self, covenant_id: UUID, cluster_id: UUID, year: int, unit_id: UUID,
                 actor: str) -> None:
        self.covenant_id = covenant_id
        self.cluster_id = cluster_id
        self.year = year
        self.unit_id = unit_id
        self._init_results()
        self.scores: dict[str, list[dict[str, Any]]] = {}  # item → every score given
        self.agreements: dict[str, list[dict[str, Any]]] = {}  # item → every agreed score
        self.deductions: dict[str, dict[str, Any]] = {}  # rule → {times, reason, actor}
        self.deduction_history: list[dict[str, Any]] = []

    @classmethod
    def start(cls, covenant: Covenant, cluster: EmulationCluster, unit_id: Any,
              actor: str) -> MemberReport:
        """The report of a member that signed the (open) covenant."""
        covenant._check_cluster(cluster)
        covenant.require_open()
        unit = _uuid(unit_id, "đơn vị")
        if not cluster.is_member(covenant.year, unit):
            raise NotMember(unit=str(unit), cluster_name=cluster.name, year=covenant.year)
        if not covenant.is_signed(unit):
            raise NotSigned(unit=cluster.member_name(covenant.year, unit), year=covenant.year)
        return cls._create(cls.Created, id=report_id(covenant.id, unit), covenant_id=covenant.id,
                           cluster_id=cluster.id, year=covenant.year, unit_id=unit, actor=actor)

    def _check(self, covenant: Covenant) -> None:
        if covenant.id != self.covenant_id:
            raise CovenantInvalid(reason="báo cáo không thuộc giao ước này")
        covenant.require_open()

    # -- results
    def report(self, covenant: Covenant, indicator_code: str, *, actor: str, value: Any = None,
               cases_occurred: Any = None, outcome: Any = None, evidence: Any = "",
               attachments: Any = ()) -> bool:
        """The member reports (or re-reports, until confirmed) a result; False when unchanged."""
        self._check(covenant)
        indicator = covenant.indicator(indicator_code)
        result = self._check_report(indicator, value=value, cases_occurred=cases_occurred,
                                    outcome=outcome, evidence=evidence, attachments=attachments)
        if result is None:
            return False
        covenant._note_result(indicator.code, self.unit_id, actor)
        self._result_reported(indicator_code=indicator.code, result=result.as_dict(),
                              actor=actor)
        return True

    @event(ResultReported)
    def _result_reported(self, indicator_code: str, result: dict[str, Any], actor: str) -> None:
        self._apply_result(indicator_code, result, REPORTED, actor)

    def confirm(self, covenant: Covenant, indicator_code: str, actor: str) -> bool:
        """The lead confirms the result; False when already confirmed (or corrected)."""
        self._check(covenant)
        code = covenant.indicator(indicator_code).code
        if not self._check_confirm(code):
            return False
        self._result_confirmed(indicator_code=code, actor=actor)
        return True

    @event(ResultConfirmed)
    def _result_confirmed(self, indicator_code: str, actor: str) -> None:
        self._apply_confirm(indicator_code, actor)

    def correct(self, covenant: Covenant, indicator_code: str, *, reason: str, actor: str,
                value: Any = None, cases_occurred: Any = None, outcome: Any = None,
                evidence: Any = "", attachments: Any = ()) -> bool:
        """The lead corrects a reported result, with a reason; the earlier values stay."""
        self._check(covenant)
        indicator = covenant.indicator(indicator_code)
        checked = self._check_correct(indicator, reason, value=value,
                                      cases_occurred=cases_occurred, outcome=outcome,
                                      evidence=evidence, attachments=attachments)
        if checked is None:
            return False
        result, why = checked
        self._result_corrected(indicator_code=indicator.code, result=result.as_dict(),
                               reason=why, actor=actor)
        return True

    @event(ResultCorrected)
    def _result_corrected(self, indicator_code: str, result: dict[str, Any], reason: str,
                          actor: str) -> None:
        self._apply_result(indicator_code, result, CORRECTED, actor, reason)

    # -- scores
    def score(self, covenant: Covenant, item_code: str, points: Any, *, by: str,
              assessor_unit_id: Any, actor: str, note: str = "") -> None:
        """A score given by the member itself (``self``), another member (``cross``) or the lead
        (``lead``). Every score stays; the agreed one is ``agree``'s."""
        self._check(covenant)
        table = covenant.points_table
        item = table.item(item_code)
        value = parse_points(points, item.max_points, f"mục {item.code} (tối đa "
                                                      f"{points_text(item.max_points)} điểm)")
        if by not in ASSESSMENT_MODES:
            raise AssessorInvalid(reason="người chấm phải là self, cross hoặc lead")
        if by not in ALLOWED_BY[covenant.assessment_mode]:
            raise AssessmentNotAllowed(
                year=covenant.year, mode_label=ASSESSMENT_MODES[covenant.assessment_mode],
                reason=f"không nhận điểm {BY_LABELS[by]}")
        assessor = _uuid(assessor_unit_id, "đơn vị chấm")
        if by == SELF and assessor != self.unit_id:
            raise AssessorInvalid(reason="điểm tự chấm phải do chính đơn vị chấm")
        if by == CROSS and assessor == self.unit_id:
            raise AssessorInvalid(reason="đơn vị không chấm chéo cho chính mình")
        covenant._note_scoring(item.code, self.unit_id, actor)
        self._scored(item_code=item.code, points=dec_text(value), by=by,
                     assessor_unit_id=assessor, note=_optional_text(note, "ghi chú"),
                     actor=actor)

    @event(Scored)
    def _scored(self, item_code: str, points: str, by: str, assessor_unit_id: UUID, note: str,
                actor: str) -> None:
        self.scores.setdefault(item_code, []).append({
            "points": points, "by": by, "assessor_unit_id": str(assessor_unit_id),
            "note": note, "actor": actor})

    def agree(self, covenant: Covenant, item_code: str, points: Any, *, actor: str,
              reason: str = "") -> bool:
        """The agreed score of an item (thống nhất điểm). A reason is needed when it differs
        from the latest score given, or replaces an earlier agreed score."""
        self._check(covenant)
        item = covenant.points_table.item(item_code)
        value = parse_points(points, item.max_points, f"mục {item.code} (tối đa "
                                                      f"{points_text(item.max_points)} điểm)")
        current = self.agreed_points(item.code)
        if current is not None and current == value:
            return False
        given = self.scores.get(item.code) or []
        needs_reason = current is not None or (given and Decimal(given[-1]["points"]) != value)
        why = (reason_text(reason, f"thống nhất điểm mục {item.code}") if needs_reason
               else _optional_text(reason, "lý do"))
        covenant._note_scoring(item.code, self.unit_id, actor)
        self._agreed(item_code=item.code, points=dec_text(value), reason=why, actor=actor)
        return True

    @event(Agreed)
    def _agreed(self, item_code: str, points: str, reason: str, actor: str) -> None:
        self.agreements.setdefault(item_code, []).append(
            {"points": points, "reason": reason, "actor": actor})

    def deduct(self, covenant: Covenant, rule_code: str, times: int, *, reason: str,
               actor: str) -> bool:
        """How many times a deduction applies (0 lifts it); False when unchanged."""
        self._check(covenant)
        rule = covenant.points_table.deduction(rule_code)
        if isinstance(times, bool) or not isinstance(times, int) or not (
                0 <= times <= MAX_TIMES):
            raise ScoreInvalid(reason=f"số lần trừ điểm phải là số nguyên từ 0 đến {MAX_TIMES}")
        if rule.per == ONCE and times > 1:
            raise ScoreInvalid(reason=f"mục trừ điểm «{rule.text}» chỉ trừ một lần")
        if self.deductions.get(rule.code, {}).get("times", 0) == times:
            return False
        why = reason_text(reason, f"trừ điểm «{rule.text}»")
        self._deducted(rule_code=rule.code, times=times, reason=why, actor=actor)
        return True

    @event(Deducted)
    def _deducted(self, rule_code: str, times: int, reason: str, actor: str) -> None:
        entry = {"rule_code": rule_code, "times": times, "reason": reason, "actor": actor}
        self.deduction_history.append(entry)
        if times:
            self.deductions[rule_code] = entry
        else:
            self.deductions.pop(rule_code, None)

    # -- score queries
    def scores_for(self, item_code: str) -> list[dict[str, Any]]:
        """Every score given for the item, oldest first."""
        return [dict(s) for s in self.scores.get(item_code, [])]

    def agreed_history(self, item_code: str) -> list[dict[str, Any]]:
        return [dict(a) for a in self.agreements.get(item_code, [])]

    def agreed_points(self, item_code: str) -> Decimal | None:
        history = self.agreements.get(item_code)
        return Decimal(history[-1]["points"]) if history else None

    def agreed_scores(self) -> dict[str, Decimal]:
        return {code: Decimal(h[-1]["points"]) for code, h in self.agreements.items() if h}

    def deduction_times(self) -> dict[str, int]:
        return {code: entry["times"] for code, entry in self.deductions.items()}

    def total(self, covenant: Covenant) -> Total:
        return agreed_total(covenant.points_table, self.agreed_scores(), self.deduction_times())


# -- the board ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    indicator: Indicator
    result: Result | None
    status: str | None  # reported / confirmed / corrected (None: nothing reported)
    evaluation: str

    @property
    def label(self) -> str:
        return Evaluation.LABELS[self.evaluation]

    @property
    def text(self) -> str:
        return result_text(self.indicator, self.result)


@dataclass(frozen=True)
class StatedView:
    """A figure stated for the whole cluster beside what the members' results add up to."""

    stated: StatedTotal
    member_sum: Decimal | None  # None: the members' results do not give it
    member_sum_text: str
    difference: Decimal | None  # stated − member sum, when the sum is complete

    @property
    def text(self) -> str:
        return f"{self.stated.text} (số liệu chung của cụm; cộng từ các thành viên: " \
               f"{self.member_sum_text})"


@dataclass(frozen=True)
class Column:
    indicator: Indicator
    count: IndicatorCount
    stated: tuple[StatedView, ...]


@dataclass(frozen=True)
class Row:
    unit_id: UUID
    name: str
    cells: dict[str, Cell]
    total: Total | None
    rank: Rank | None
    classification: Threshold | None


@dataclass(frozen=True)
class Board:
    covenant_id: UUID
    year: int
    noun: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    ranking: tuple[Rank, ...]

    def column(self, indicator_code: str) -> Column:
        for column in self.columns:
            if column.indicator.code == indicator_code:
                return column
        raise KeyError(indicator_code)

    def row(self, unit_id: Any) -> Row:
        for row in self.rows:
            if str(row.unit_id) == str(unit_id):
                return row
        raise KeyError(unit_id)

    def cell(self, unit_id: Any, indicator_code: str) -> Cell:
        return self.row(unit_id).cells[indicator_code]

    def name(self, unit_id: Any) -> str:
        return self.row(unit_id).name


def _stated_view(stated: StatedTotal, indicator: Indicator, count: IndicatorCount,
                 noun: str) -> StatedView:
    if indicator.summable and stated.unit == indicator.unit:
        difference = (Decimal(stated.value) - count.sum
                      if count.sum is not None and not count.sum_missing else None)
        return StatedView(stated=stated, member_sum=count.sum,
                          member_sum_text=count.sum_text or "chưa có số liệu",
                          difference=difference)
    return StatedView(stated=stated, member_sum=None,
                      member_sum_text=f"chưa có số liệu của từng {noun}", difference=None)


def board(covenant: Covenant, members: Mapping[Any, str], reports: Iterable[MemberReport], *,
          noun: str = "đơn vị",
          tie_breakers: Iterable[Mapping[Any, Decimal]] | None = None) -> Board:
    """The cluster board of ``members`` (unit id → name, in display order; typically the
    cluster's active members of the year). A member without a report is unknown everywhere;
    reports of units not in ``members`` are left out."""
    units = {_uuid(unit, "đơn vị"): nfc(name) for unit, name in members.items()}
    by_unit = {r.unit_id: r for r in reports if r.covenant_id == covenant.id}
    indicators = covenant.indicators
    columns = []
    for indicator in indicators:
        results = {unit: by_unit[unit].result(indicator.code) if unit in by_unit else None
                   for unit in units}
        count = count_indicator(indicator, results, units, noun=noun)
        stated = tuple(_stated_view(s, indicator, count, noun) for s in covenant.stated_totals
                       if s.indicator_code == indicator.code)
        columns.append(Column(indicator=indicator, count=count, stated=stated))
    table = covenant.points_table
    totals: dict[UUID, Total] = {}
    if table.scored:
        for unit in units:
            report = by_unit.get(unit)
            # the table once for every member (``report.total`` would rebuild it each time)
            totals[unit] = (agreed_total(table, report.agreed_scores(), report.deduction_times())
                            if report is not None else agreed_total(table, {}))
    ranking = tuple(rank({u: t.points for u, t in totals.items()}, list(tie_breakers or ())))
    ranks = {r.member: r for r in ranking}
    thresholds = covenant.thresholds
    rows = []
    for unit, name in units.items():
        report = by_unit.get(unit)
        cells = {}
        for indicator in indicators:
            result = report.result(indicator.code) if report else None
            cells[indicator.code] = Cell(
                indicator=indicator, result=result,
                status=report.result_status(indicator.code) if report else None,
                evaluation=evaluate(indicator, result))
        total = totals.get(unit)
        rows.append(Row(unit_id=unit, name=name, cells=cells, total=total,
                        rank=ranks.get(unit),
                        classification=classify(total.points, thresholds)
                        if total is not None and thresholds else None))
    return Board(covenant_id=covenant.id, year=covenant.year, noun=noun,
                 columns=tuple(columns), rows=tuple(rows), ranking=ranking)


# -- proposals ----------------------------------------------------------------------------------

PROPOSED, TIED_AT_CAP, NOT_ELIGIBLE, HELD = "proposed", "tied_at_cap", "not_eligible", "held"
PROPOSAL_STATUS_LABELS = {
    PROPOSED: "đề nghị",
    TIED_AT_CAP: "đồng hạng ở ngưỡng giới hạn: cụm quyết định",
    NOT_ELIGIBLE: "chưa đạt mức xếp loại yêu cầu",
    HELD: "chưa đủ điểm thống nhất",
}


@dataclass(frozen=True)
class Proposal:
    unit_id: UUID
    name: str
    award_kind: str
    rank: int
    total: Decimal
    status: str
    reason: str

    @property
    def proposed(self) -> bool:
        return self.status == PROPOSED


def proposals(board_: Board, covenant: Covenant) -> list[Proposal]:
    """Who the covenant's rules propose, by rank, within the cap (⌊members × share⌋).

    ``proposed`` entries fit; members tied at the cut-off are all listed ``tied_at_cap`` (none is
    dropped or picked silently: the cluster decides); a rank with a rule but a class below the
    rule's requirement is ``not_eligible``; a member whose total is incomplete is ``held``.
    Members beyond the cap with no tie, or at ranks no rule covers, are not listed."""
    rules = covenant.proposal_rules
    if not rules or not board_.ranking:
        return []
    members = len(board_.rows)
    share = covenant.proposal_share
    cap = cap_for(share, members)
    rows = {row.unit_id: row for row in board_.rows}
    groups: dict[int, list[Rank]] = {}
    for entry in board_.ranking:
        groups.setdefault(entry.position, []).append(entry)
    out: list[Proposal] = []
    used = 0
    cap_text = (f"tối đa {cap}/{members} {board_.noun} được đề nghị ({share_text(share)} số "
                f"{board_.noun})" if share is not None else "")
    for position in sorted(groups):
        rule = next((r for r in rules if r.covers(position)), None)
        if rule is None:
            continue
        if cap is not None and used >= cap:
            break
        title = catalog().kind(rule.award_kind).title
        eligible: list[Rank] = []
        for entry in sorted(groups[position], key=lambda e: vietnamese_sort_key(
                rows[e.member].name)):
            row = rows[entry.member]
            base = dict(unit_id=row.unit_id, name=row.name, award_kind=rule.award_kind,
                        rank=position, total=entry.total)
            if row.total is not None and not row.total.complete:
                out.append(Proposal(**base, status=HELD, reason=(
                    f"Xếp thứ {position} tạm tính ({points_text(entry.total)} điểm) nhưng còn "
                    f"{len(row.total.missing)} mục chưa thống nhất điểm "
                    f"({', '.join(row.total.missing)}).")))
                continue
            if rule.requires_class is not None and not _reaches(
                    row.classification, rule.requires_class, covenant.thresholds):
                needed = next(t.label for t in covenant.thresholds
                              if t.code == rule.requires_class)
                got = row.classification.label if row.classification else "chưa xếp loại"
                out.append(Proposal(**base, status=NOT_ELIGIBLE, reason=(
                    f"Xếp thứ {position} ({points_text(entry.total)} điểm) nhưng xếp loại "
                    f"«{got}», chưa đạt «{needed}» mà giao ước yêu cầu cho «{title}».")))
                continue
            eligible.append(entry)
        if not eligible:
            continue
        names = [rows[e.member].name for e in eligible]
        if cap is not None and used + len(eligible) > cap:
            seats = cap - used
            for entry in eligible:
                row = rows[entry.member]
                others = ", ".join(n for n in names if n != row.name)
                out.append(Proposal(
                    unit_id=row.unit_id, name=row.name, award_kind=rule.award_kind,
                    rank=position, total=entry.total, status=TIED_AT_CAP, reason=(
                        f"Đồng hạng {position} ({points_text(entry.total)} điểm) với {others}: "
                        f"{len(eligible)} {board_.noun} cho {seats} suất còn lại, {cap_text}; "
                        f"cụm cần quyết định (bình xét, bỏ phiếu).")))
            break
        for entry in eligible:
            row = rows[entry.member]
            others = [n for n in names if n != row.name]
            klass = f", {row.classification.label}" if row.classification else ""
            span = (f"hạng {rule.rank_from}" if rule.rank_from == rule.rank_to
                    else f"hạng {rule.rank_from}–{rule.rank_to}")
            out.append(Proposal(
                unit_id=row.unit_id, name=row.name, award_kind=rule.award_kind, rank=position,
                total=entry.total, status=PROPOSED, reason=(
                    f"{'Đồng hạng' if others else 'Xếp thứ'} {position}/{members} "
                    f"({points_text(entry.total)} điểm{klass})"
                    + (f", cùng {', '.join(others)}" if others else "")
                    + f"; giao ước: {span} đề nghị «{title}»"
                    + (f"; {cap_text}" if cap_text else "") + ".")))
        used += len(eligible)
    return out


def _reaches(got: Threshold | None, needed: str, thresholds: tuple[Threshold, ...]) -> bool:
    if got is None:
        return False
    codes = [t.code for t in thresholds]
    return codes.index(got.code) <= codes.index(needed)

