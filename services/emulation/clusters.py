"""Emulation clusters (cụm, khối thi đua): members and lead by year, the yearly covenant, the
members' reports, the board, and the proposals turned into nominations.

Who may act (``services.emulation.common``; the office = approver or admin over a unit):

* the cluster (create, rename, a year's members and lead, joins and mergers): the office of its
  managing unit;
* the covenant (draft and change it, open it for reporting, close it): the office of the
  managing unit or of the year's lead;
* signing: the office of the member that signs;
* results: reported by the member's office; confirmed or corrected (with a reason, every earlier
  value kept) by the lead's office;
* scores: a member's own (``self``) by its office; ``cross`` by the office of another member
  (the assessor named in the request); ``lead`` by the lead's office; agreed scores and
  deductions by the lead's office;
* turning the proposals into draft nominations (``propose``): the managing unit's office or
  nominator — the nominations are proposed by the managing unit, each member as a collective;
* reading (the cluster, its covenants, reports, board and proposals): whoever's grants cover the
  managing unit or a member of the cluster in any year.

Every command saves all it changed in one commit (a first result also records
``Covenant.ResultsStarted``; ``propose`` saves the nominations with the covenant's links).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from domain.catalog import catalog
from domain.emulation.cluster import (
    CLOSED,
    CROSS,
    LEAD,
    PROPOSED,
    SELF,
    Board,
    Covenant,
    EmulationCluster,
    MemberReport,
    Proposal,
    board,
    covenant_id,
    proposals,
    report_id,
)
from domain.emulation.errors import (
    AssessorInvalid,
    ClusterInvalid,
    CovenantInvalid,
    CovenantNotClosed,
    CovenantUnknown,
    IndicatorUnknown,
    NotMember,
    ReportUnknown,
    ResultMissing,
)
from domain.emulation.errors import ClusterUnknown as UnknownCluster
from domain.emulation.indicators import Evaluation, ResultLog
from domain.emulation.scoring import points_text
from domain.errors import DomainError, ValidationFailed
from domain.nomination import Nomination
from services.authz import Actor, Authorizer
from services.emulation.common import KEEPERS, day, require, require_reader
from services.nominations import Nominations
from services.orgs import OrgTree
from services.store import Saved, Store

COVENANT_DEFAULTS: dict[str, Any] = {
    "indicators": [], "points": None, "thresholds": [], "assessment_mode": CROSS,
    "proposal_rules": [], "proposal_cap": None, "stated_totals": []}
# The members' noun on a board, from their level ("4/9 tỉnh có trường hợp xảy ra").
NOUNS = {"province": "tỉnh"}


class Clusters:
    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer,
                 nominations: Nominations) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        self.nominations = nominations
        self._levels: dict[UUID, str] = {}

    # -- loading ------------------------------------------------------------------------------

    def cluster(self, cluster_id: UUID) -> EmulationCluster:
        return self.store.load(EmulationCluster, cluster_id,
                               UnknownCluster(cluster_id=str(cluster_id)))

    def covenant(self, cluster: EmulationCluster, year: int) -> Covenant:
        return self.store.load(Covenant, covenant_id(cluster.id, year),
                               CovenantUnknown(cluster_name=cluster.name, year=year))

    def covenant_or_none(self, cluster: EmulationCluster, year: int) -> Covenant | None:
        return self.store.load_or_none(Covenant, covenant_id(cluster.id, year))

    def report_or_none(self, covenant: Covenant, unit_id: UUID) -> MemberReport | None:
        return self.store.load_or_none(MemberReport, report_id(covenant.id, unit_id))

    def reports(self, covenant: Covenant, unit_ids: Iterable[UUID]) -> list[MemberReport]:
        found = (self.report_or_none(covenant, unit) for unit in unit_ids)
        return [r for r in found if r is not None]

    # -- who ----------------------------------------------------------------------------------

    @staticmethod
    def every_member(cluster: EmulationCluster) -> list[UUID]:
        seen: list[UUID] = []
        for year in cluster.years_set:
            for member in cluster.members_in(year):
                if member.unit_id not in seen:
                    seen.append(member.unit_id)
        return seen

    def require_reader(self, actor: Actor, cluster: EmulationCluster) -> None:
        require_reader(self.authz, actor, [cluster.managing_unit_id, *self.every_member(cluster)])

    def readable(self, actor: Actor, cluster_id: UUID) -> EmulationCluster:
        cluster = self.cluster(cluster_id)
        self.require_reader(actor, cluster)
        return cluster

    def _managing(self, actor: Actor, cluster: EmulationCluster) -> None:
        require(self.authz, actor, [cluster.managing_unit_id])

    def _managing_or_lead(self, actor: Actor, cluster: EmulationCluster, year: int) -> None:
        lead = cluster.lead_in(year) if str(year) in cluster.years else None
        require(self.authz, actor, [cluster.managing_unit_id, lead])

    def _lead(self, actor: Actor, cluster: EmulationCluster, year: int) -> None:
        require(self.authz, actor, [cluster.lead_in(year)])

    def _member(self, cluster: EmulationCluster, year: int, unit_id: UUID) -> UUID:
        if not cluster.is_member(year, unit_id):
            raise NotMember(unit=self._name(unit_id, year), cluster_name=cluster.name, year=year)
        return unit_id

    def _name(self, unit_id: UUID, year: int) -> str:
        try:
            return self.tree.unit_state(unit_id, date(year, 12, 31)).name
        except DomainError:  # an unknown unit is named by its id
            return str(unit_id)

    def _in_subtree(self, unit_id: Any, managing_unit_id: UUID, what: str) -> tuple[UUID, str]:
        """A member named in a request: a unit of the managing unit's subtree; its id and its
        latest name."""
        unit = self.tree.referenced_unit(unit_id, what)
        if managing_unit_id not in self.tree.ancestors(unit.id):
            managing = self.tree.unit_state(managing_unit_id).name
            raise ClusterInvalid(reason=f"«{unit.latest_state().name}» không thuộc {managing}, "
                                        "đơn vị quản lý cụm")
        return unit.id, unit.latest_state().name

    def _member_name(self, unit_id: UUID, year: int, given: Any) -> str:
        if isinstance(given, str) and given.strip():
            return given
        return self.tree.org_unit(unit_id).name_on(date(year, 12, 31))

    # -- the cluster --------------------------------------------------------------------------

    def create(self, actor: Actor, *, name: str, kind: str, managing_unit_id: Any) -> Saved:
        unit = self.tree.referenced_unit(managing_unit_id, "đơn vị quản lý cụm")
        require(self.authz, actor, [unit.id])
        cluster = EmulationCluster.create(name=name, kind=kind, managing_unit_id=unit.id,
                                          actor=actor.username)
        return self.store.commit(cluster)

    def rename(self, actor: Actor, cluster_id: UUID, name: str,
               expected_version: int | None = None) -> Saved:
        cluster = self.cluster(cluster_id)
        self._managing(actor, cluster)
        self.store.check_version(cluster, expected_version)
        cluster.rename(name, actor.username)
        return self.store.commit(cluster)

    def set_year(self, actor: Actor, cluster_id: UUID, year: int, *,
                 members: list[Mapping[str, Any]], lead_unit_id: Any, reason: str = "") -> Saved:
        """The members ({unit_id, name?}: the name shown on the board, by default the unit's
        name at the end of the year) and the lead of ``year``."""
        cluster = self.cluster(cluster_id)
        self._managing(actor, cluster)
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            raise ClusterInvalid(reason="năm phải là số nguyên từ 2000 đến 2100")
        roster = []
        for item in members:
            unit, _ = self._in_subtree(item.get("unit_id"), cluster.managing_unit_id,
                                       "đơn vị thành viên")
            roster.append({"unit_id": unit,
                           "name": self._member_name(unit, year, item.get("name"))})
        lead = self.tree.referenced_unit(lead_unit_id, "cụm trưởng").id
        cluster.set_year(year, roster, lead, actor=actor.username, reason=reason)
        return self.store.commit(cluster)

    def add_member(self, actor: Actor, cluster_id: UUID, year: int, *, unit_id: Any,
                   name: str | None = None, on: date | None = None, reason: str = "") -> Saved:
        cluster = self.cluster(cluster_id)
        self._managing(actor, cluster)
        unit, _ = self._in_subtree(unit_id, cluster.managing_unit_id, "đơn vị thành viên")
        cluster.add_member(year, unit, self._member_name(unit, year, name),
                           day(on, self.store.today(), "ngày tham gia"), actor=actor.username,
                           reason=reason)
        return self.store.commit(cluster)

    def merge_member(self, actor: Actor, cluster_id: UUID, year: int, *, from_unit_id: Any,
                     into_unit_id: Any, on: date | None = None, into_name: str | None = None,
                     reason: str = "") -> Saved:
        cluster = self.cluster(cluster_id)
        self._managing(actor, cluster)
        source = self.tree.referenced_unit(from_unit_id, "đơn vị hợp nhất").id
        target, _ = self._in_subtree(into_unit_id, cluster.managing_unit_id,
                                     "đơn vị sau hợp nhất")
        name = None
        if str(year) in cluster.years and not cluster.is_member(year, target):
            name = self._member_name(target, year, into_name)
        cluster.merge_member(year, source, target, day(on, self.store.today(), "ngày hợp nhất"),
                             actor=actor.username, into_name=name, reason=reason)
        return self.store.commit(cluster)

    def set_lead(self, actor: Actor, cluster_id: UUID, year: int, *, unit_id: Any,
                 on: date | None = None, reason: str = "") -> Saved:
        cluster = self.cluster(cluster_id)
        self._managing(actor, cluster)
        unit = self.tree.referenced_unit(unit_id, "cụm trưởng").id
        cluster.set_lead(year, unit, actor=actor.username, on=on, reason=reason)
        return self.store.commit(cluster)

    # -- the covenant -------------------------------------------------------------------------

    def put_covenant(self, actor: Actor, cluster_id: UUID, year: int, config: Mapping[str, Any],
                     expected_version: int | None = None) -> Saved:
        """Draft the year's covenant, or replace its configuration (``Covenant.configure``):
        indicators, points table, thresholds, assessment mode, proposal rules and cap, figures
        stated for the whole cluster — what is not given takes its default (none; cross
        assessment). The title is given when the covenant is drafted. An indicator code a
        stated figure names that is not among the indicators is a 422
        (``emulation.covenant_invalid``), not a 404."""
        cluster = self.cluster(cluster_id)
        self._managing_or_lead(actor, cluster, year)
        cluster.members_in(year)  # 409 when the year's roster is not set
        settings = {key: config[key] if config.get(key) is not None else default
                    for key, default in COVENANT_DEFAULTS.items()}
        try:
            covenant = self.covenant_or_none(cluster, year)
            if covenant is None:
                if expected_version not in (None, 0):
                    self.store.check_version(_Absent(), expected_version)
                covenant = Covenant.draft(cluster, year, actor.username,
                                          title=config.get("title"), **settings)
            else:
                self.store.check_version(covenant, expected_version)
                covenant.configure(actor.username, **settings)
        except IndicatorUnknown as unknown:
            raise CovenantInvalid(reason=unknown.message.rstrip(".")) from None
        return self.store.commit(covenant)

    def _for_change(self, actor: Actor, cluster_id: UUID, year: int
                    ) -> tuple[EmulationCluster, Covenant]:
        cluster = self.cluster(cluster_id)
        self._managing_or_lead(actor, cluster, year)  # before the covenant's 404 names it
        return cluster, self.covenant(cluster, year)

    def sign(self, actor: Actor, cluster_id: UUID, year: int, *, unit_id: Any,
             on: date | None = None) -> Saved:
        cluster = self.cluster(cluster_id)
        self.require_reader(actor, cluster)  # an outsider learns nothing of the cluster
        unit = self.tree.referenced_unit(unit_id, "đơn vị ký").id
        require(self.authz, actor, [unit])
        covenant = self.covenant(cluster, year)
        covenant.sign(cluster, unit, day(on, self.store.today(), "ngày ký"), actor.username)
        return self.store.commit(covenant)

    def open(self, actor: Actor, cluster_id: UUID, year: int, on: date | None = None) -> Saved:
        cluster, covenant = self._for_change(actor, cluster_id, year)
        covenant.open(cluster, day(on, self.store.today()), actor.username)
        return self.store.commit(covenant)

    def close(self, actor: Actor, cluster_id: UUID, year: int, on: date | None = None) -> Saved:
        _, covenant = self._for_change(actor, cluster_id, year)
        covenant.close(day(on, self.store.today()), actor.username)
        return self.store.commit(covenant)

    # -- a member's report --------------------------------------------------------------------

    def _report(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID, who: str
                ) -> tuple[EmulationCluster, Covenant, MemberReport]:
        """The report to change (started for a signed member on its first result or score),
        once ``who`` (member, lead) may act."""
        cluster = self.cluster(cluster_id)
        self.require_reader(actor, cluster)  # an outsider learns nothing of the cluster
        if who == "member":
            require(self.authz, actor, [unit_id])
        else:
            cluster.members_in(year)  # 409 when the year is not set (before its lead is asked)
            self._lead(actor, cluster, year)
        covenant = self.covenant(cluster, year)
        self._member(cluster, year, unit_id)
        report = self.report_or_none(covenant, unit_id)
        if report is None:
            report = MemberReport.start(covenant, cluster, unit_id, actor.username)
        return cluster, covenant, report

    def report(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID, code: str,
               **result: Any) -> Saved:
        """The member reports (or re-reports, until confirmed) a result: value, cases_occurred,
        outcome, evidence, attachments (evidence files already checked and stored —
        ``services.emulation.evidence``; not given: the current result's files stay)."""
        _, covenant, report = self._report(actor, cluster_id, year, unit_id, "member")
        report.report(covenant, code, actor=actor.username, **files_kept(report, code, result))
        return self.store.commit(report, covenant)

    def confirm(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID,
                code: str) -> Saved:
        cluster = self.cluster(cluster_id)
        self.require_reader(actor, cluster)  # an outsider learns nothing of the cluster
        cluster.members_in(year)  # 409 when the year is not set (before its lead is asked)
        self._lead(actor, cluster, year)
        covenant = self.covenant(cluster, year)
        report = self.report_or_none(covenant, self._member(cluster, year, unit_id))
        if report is None:
            covenant.indicator(code)
            raise ResultMissing(indicator_code=str(code)[:16])
        report.confirm(covenant, code, actor.username)
        return self.store.commit(report)

    def correct(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID, code: str, *,
                reason: str, **result: Any) -> Saved:
        _, covenant, report = self._report(actor, cluster_id, year, unit_id, "lead")
        report.correct(covenant, code, reason=reason, actor=actor.username,
                       **files_kept(report, code, result))
        return self.store.commit(report, covenant)

    def score(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID, item: str, *,
              points: Any, by: str, assessor_unit_id: Any = None, note: str = "") -> Saved:
        cluster = self.cluster(cluster_id)
        self.require_reader(actor, cluster)  # an outsider learns nothing of the cluster
        covenant = self.covenant(cluster, year)
        self._member(cluster, year, unit_id)
        if by == SELF:
            assessor = unit_id
        elif by == LEAD:
            assessor = cluster.lead_in(year)
        elif by == CROSS:
            if assessor_unit_id is None:
                raise AssessorInvalid(reason="chấm chéo cần đơn vị chấm (assessor_unit_id)")
            assessor = self.tree.referenced_unit(assessor_unit_id, "đơn vị chấm").id
            if not cluster.is_member(year, assessor):
                raise AssessorInvalid(reason="đơn vị chấm chéo phải là thành viên của cụm")
        else:
            raise AssessorInvalid(reason="người chấm phải là self, cross hoặc lead")
        require(self.authz, actor, [assessor])
        report = self.report_or_none(covenant, unit_id) or MemberReport.start(
            covenant, cluster, unit_id, actor.username)
        report.score(covenant, item, points, by=by, assessor_unit_id=assessor,
                     actor=actor.username, note=note)
        return self.store.commit(report, covenant)

    def agree(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID, item: str, *,
              points: Any, reason: str = "") -> Saved:
        _, covenant, report = self._report(actor, cluster_id, year, unit_id, "lead")
        report.agree(covenant, item, points, actor=actor.username, reason=reason)
        return self.store.commit(report, covenant)

    def deduct(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID, rule: str, *,
               times: int, reason: str = "") -> Saved:
        _, covenant, report = self._report(actor, cluster_id, year, unit_id, "lead")
        report.deduct(covenant, rule, times, reason=reason, actor=actor.username)
        return self.store.commit(report, covenant)

    # -- reads --------------------------------------------------------------------------------

    def members_of(self, cluster: EmulationCluster, year: int) -> dict[UUID, str]:
        """The board's members: the year's members at its end, in the roster's order."""
        return {m.unit_id: m.name for m in cluster.active_members(year)}

    def noun(self, members: Iterable[UUID]) -> str:
        """"tỉnh" when every member is a province, else "đơn vị". A unit's level never changes:
        each is read once per process (a board of 60 members would otherwise load 60 units)."""
        levels = set()
        for unit in members:
            if unit not in self._levels:
                try:
                    self._levels[unit] = self.tree.org_unit(unit).latest_state().level
                except DomainError:  # a member that is no unit: the general noun
                    return "đơn vị"
            levels.add(self._levels[unit])
        return NOUNS.get(levels.pop(), "đơn vị") if len(levels) == 1 else "đơn vị"

    def board_of(self, cluster: EmulationCluster, covenant: Covenant) -> Board:
        members = self.members_of(cluster, covenant.year)
        return board(covenant, members, self.reports(covenant, members),
                     noun=self.noun(members))

    def board(self, actor: Actor, cluster_id: UUID, year: int
              ) -> tuple[EmulationCluster, Covenant, Board]:
        cluster = self.readable(actor, cluster_id)
        covenant = self.covenant(cluster, year)
        return cluster, covenant, self.board_of(cluster, covenant)

    def member_report(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID
                      ) -> tuple[EmulationCluster, Covenant, MemberReport | None]:
        cluster = self.readable(actor, cluster_id)
        covenant = self.covenant(cluster, year)
        if not cluster.is_member(year, unit_id):
            raise ReportUnknown(unit=str(unit_id), year=year)
        return cluster, covenant, self.report_or_none(covenant, unit_id)

    # -- from proposals to nominations --------------------------------------------------------

    def achievement(self, cluster: EmulationCluster, covenant: Covenant, grid: Board,
                    proposal: Proposal) -> str:
        """The nomination's achievement, from the board: rank, total, class, indicators."""
        row = grid.row(proposal.unit_id)
        achieved = [code for code, cell in row.cells.items()
                    if Evaluation.achieved(cell.evaluation)]
        applicable = [code for code, cell in row.cells.items()
                      if cell.evaluation != Evaluation.NOT_APPLICABLE]
        klass = f", xếp loại «{row.classification.label}»" if row.classification else ""
        lines = [
            f"{cluster.kind_label} «{cluster.name}», năm {covenant.year}: xếp thứ "
            f"{proposal.rank}/{len(grid.rows)} với {points_text(proposal.total)} điểm{klass}.",
            f"Đạt {len(achieved)}/{len(applicable)} chỉ tiêu giao ước"
            + (f" (chỉ tiêu {', '.join(achieved)})." if achieved else "."),
            f"Căn cứ: {proposal.reason}",
        ]
        return "\n".join(lines)

    def propose(self, actor: Actor, cluster_id: UUID, year: int) -> Saved:
        """Draft nominations for the proposals with status ``proposed`` — each member as a
        collective, proposed by the managing unit, for the year — linked on the covenant. Once
        per member: a second call creates nothing. The covenant must be closed."""
        cluster = self.cluster(cluster_id)
        covenant = self.covenant(cluster, year)
        require(self.authz, actor, [cluster.managing_unit_id], KEEPERS)
        if covenant.status != CLOSED:
            raise CovenantNotClosed(year=year, status_label=covenant.status_label)
        grid = self.board_of(cluster, covenant)
        drafted: list[Nomination] = []
        links: list[dict[str, Any]] = []
        for proposal in proposals(grid, covenant):
            if proposal.status != PROPOSED or covenant.nomination_for(proposal.unit_id):
                continue
            name = self.tree.org_unit(proposal.unit_id).name_on(date(year, 12, 31))
            try:
                nomination = self.nominations.build_draft(
                    proposing_unit_id=cluster.managing_unit_id, actor=actor.username, data={
                        "recipient": {"kind": "collective", "name": name,
                                      "org_unit_id": str(proposal.unit_id)},
                        "award_kind": proposal.award_kind, "award_type": "cong_trang",
                        "achievement": self.achievement(cluster, covenant, grid, proposal),
                        "period": str(year)})
            except ValidationFailed as error:
                raise ValidationFailed(reason=f"{proposal.name}: {error.details.get('reason')}"
                                       ) from None
            drafted.append(nomination)
            links.append({"unit_id": proposal.unit_id, "nomination_id": nomination.id,
                          "award_kind": proposal.award_kind, "rank": proposal.rank})
        covenant.record_nominations(links, actor.username)
        saved = self.store.commit(covenant, *drafted)
        return Saved(id=saved.id, version=saved.version, position=saved.position,
                     extra={"created": [{"unit_id": str(link["unit_id"]),
                                         "nomination_id": str(link["nomination_id"]),
                                         "award_kind": link["award_kind"],
                                         "award_title": catalog().kind(link["award_kind"]).title}
                                        for link in links]})


def files_kept(log: ResultLog, code: Any, result: dict[str, Any]) -> dict[str, Any]:
    """The result's arguments with its evidence files: those given, else (``attachments``
    missing or None) the current result's — a new value does not drop the files quietly."""
    if result.get("attachments") is not None:
        return result
    current = log.result(code) if isinstance(code, str) else None
    return {**result, "attachments": current.attachments if current else ()}


class _Absent:
    """A covenant not yet drafted is at version 0 (for ``expected_version``)."""

    version = 0
