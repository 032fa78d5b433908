"""Movements (phong trào thi đua): launched by a unit for a period, with indicators, for the
participating units, which register (đăng ký thi đua) — with targets of their own where the
movement allows — and report results.

* ``Movement``: the launching unit, title, period (start and end dates, or a year), the
  indicators (the same ``Indicator`` as covenants), the participating units and whether own
  targets are allowed. The indicators lock once a result is reported.
* ``MovementRegistration`` (id from movement + unit): the unit's own targets (never easier than
  the movement's: not lower for an at_least indicator, not higher for an at_most one) and its
  results, through the same ``ResultLog`` as a cluster member's report (reported, confirmed,
  corrected with a reason by the launching unit; every earlier value kept).
* ``movement_board``: each indicator's ``IndicatorCount`` over the participants, each evaluated
  against its own target where it set one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.emulation.errors import (
    IndicatorsLocked,
    MovementClosed,
    MovementInvalid,
    NotParticipant,
    OwnTargetInvalid,
    OwnTargetsNotAllowed,
)
from domain.emulation.indicators import (
    AT_LEAST,
    CORRECTED,
    REPORTED,
    YES_NO,
    Indicator,
    IndicatorCount,
    ResultLog,
    clean_target,
    count_indicator,
    evaluate,
    find_indicator,
    indicators_from,
)
from domain.errors import ValidationFailed
from domain.text import nfc, nfc_multiline

MAX_TITLE = 500
MAX_PLEDGE = 4_000
MAX_PARTICIPANTS = 5_000
ACTIVE, CLOSED = "active", "closed"
STATUS_LABELS = {ACTIVE: "đang triển khai", CLOSED: "đã kết thúc"}


def _uuid(value: Any, what: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise ValidationFailed(reason=f"mã {what} «{str(value)[:40]}» không hợp lệ") from None


def _units(values: Iterable[Any]) -> list[UUID]:
    if isinstance(values, (str, bytes, Mapping)):
        raise MovementInvalid(reason="đơn vị tham gia phải là một danh sách")
    out: list[UUID] = []
    for value in values:
        unit = _uuid(value, "đơn vị tham gia")
        if unit not in out:
            out.append(unit)
    if len(out) > MAX_PARTICIPANTS:
        raise MovementInvalid(reason=f"tối đa {MAX_PARTICIPANTS} đơn vị tham gia")
    return out


def period_of(year: Any = None, starts_on: Any = None, ends_on: Any = None
              ) -> tuple[date, date, int | None]:
    """(start, end, year): a year gives 1/1 – 31/12; otherwise both dates, end not before start."""
    if year is not None:
        if starts_on is not None or ends_on is not None:
            raise MovementInvalid(reason="ghi năm hoặc ngày bắt đầu, kết thúc, không ghi cả hai")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise MovementInvalid(reason="năm phải từ 2000 đến 2100")
        return date(year, 1, 1), date(year, 12, 31), year
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise MovementInvalid(reason="cần năm, hoặc ngày bắt đầu và ngày kết thúc")
    if ends_on < starts_on:
        raise MovementInvalid(reason="ngày kết thúc trước ngày bắt đầu")
    if not (starts_on.year >= 2000 and ends_on.year <= 2100):
        raise MovementInvalid(reason="thời gian phải trong các năm 2000 – 2100")
    return starts_on, ends_on, None


class Movement(Aggregate):
    """A phong trào thi đua."""

    TOPIC = topic("emulation", "Movement")

    class Created(Aggregate.Created):  # launched
        TOPIC = topic("emulation", "Movement.Created")
        unit_id: UUID
        title: str
        starts_on: date
        ends_on: date
        year: int | None
        indicators: list[dict[str, Any]]
        participant_ids: list[UUID]
        own_targets_allowed: bool
        actor: str

    class IndicatorsSet(Aggregate.Event):
        TOPIC = topic("emulation", "Movement.IndicatorsSet")
        indicators: list[dict[str, Any]]
        actor: str

    class ParticipantsAdded(Aggregate.Event):
        TOPIC = topic("emulation", "Movement.ParticipantsAdded")
        unit_ids: list[UUID]
        actor: str

    class ResultsStarted(Aggregate.Event):
        TOPIC = topic("emulation", "Movement.ResultsStarted")
        indicator_code: str
        unit_id: UUID
        actor: str

    class Closed(Aggregate.Event):
        TOPIC = topic("emulation", "Movement.Closed")
        on: date
        actor: str

    @event(Created)
    def __init__(self, unit_id: UUID, title: str, starts_on: date, ends_on: date,
                 year: int | None, indicators: list[dict[str, Any]],
                 participant_ids: list[UUID], own_targets_allowed: bool, actor: str) -> None:
        self.unit_id = unit_id
        self.title = title
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.year = year
        self.indicator_data = [dict(i) for i in indicators]
        self.participant_ids = list(participant_ids)
        self.own_targets_allowed = own_targets_allowed
        self.status = ACTIVE
        self.closed_on: date | None = None
        self.results_started = False

    @classmethod
    def launch(cls, *, unit_id: Any, title: str, indicators: Iterable[Any],
               participant_ids: Iterable[Any], actor: str, own_targets_allowed: bool = False,
               year: int | None = None, starts_on: date | None = None,
               ends_on: date | None = None, id: UUID | None = None) -> Movement:
        if not isinstance(title, str) or not nfc(title):
            raise MovementInvalid(reason="cần tên phong trào")
        name = nfc(title)
        if len(name) > MAX_TITLE:
            raise MovementInvalid(reason=f"tên phong trào quá dài (tối đa {MAX_TITLE} ký tự)")
        start, end, whole_year = period_of(year, starts_on, ends_on)
        items = indicators_from(indicators)
        if not items:
            raise MovementInvalid(reason="cần ít nhất một chỉ tiêu")
        if not isinstance(own_targets_allowed, bool):
            raise MovementInvalid(reason="own_targets_allowed phải là true/false")
        extra = {"id": id} if id is not None else {}
        return cls._create(cls.Created, unit_id=_uuid(unit_id, "đơn vị phát động"), title=name,
                           starts_on=start, ends_on=end, year=whole_year,
                           indicators=[i.as_dict() for i in items],
                           participant_ids=_units(participant_ids),
                           own_targets_allowed=own_targets_allowed, actor=actor, **extra)

    # -- queries
    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def period_text(self) -> str:
        if self.year is not None:
            return f"năm {self.year}"
        return f"{self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(Indicator(**data) for data in self.indicator_data)

    def indicator(self, code: Any) -> Indicator:
        return find_indicator(self.indicators, code, f"phong trào «{self.title}»")

    def is_participant(self, unit_id: Any) -> bool:
        return any(str(p) == str(unit_id) for p in self.participant_ids)

    def require_active(self) -> None:
        if self.status != ACTIVE:
            raise MovementClosed(title=self.title)

    # -- commands
    def set_indicators(self, indicators: Iterable[Any], actor: str) -> bool:
        self.require_active()
        if self.results_started:
            raise IndicatorsLocked(where=f"phong trào «{self.title}»")
        items = indicators_from(indicators)
        if not items:
            raise MovementInvalid(reason="cần ít nhất một chỉ tiêu")
        data = [i.as_dict() for i in items]
        if data == self.indicator_data:
            return False
        self._indicators_set(indicators=data, actor=actor)
        return True

    @event(IndicatorsSet)
    def _indicators_set(self, indicators: list[dict[str, Any]], actor: str) -> None:
        self.indicator_data = [dict(i) for i in indicators]

    def add_participants(self, unit_ids: Iterable[Any], actor: str) -> bool:
        self.require_active()
        new = [u for u in _units(unit_ids) if not self.is_participant(u)]
        if not new:
            return False
        if len(self.participant_ids) + len(new) > MAX_PARTICIPANTS:
            raise MovementInvalid(reason=f"tối đa {MAX_PARTICIPANTS} đơn vị tham gia")
        self._participants_added(unit_ids=new, actor=actor)
        return True

    @event(ParticipantsAdded)
    def _participants_added(self, unit_ids: list[UUID], actor: str) -> None:
        self.participant_ids.extend(unit_ids)

    def close(self, on: date, actor: str) -> None:
        self.require_active()
        if not isinstance(on, date):
            raise ValidationFailed(reason="ngày kết thúc phải là một ngày")
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


# -- a unit's registration ----------------------------------------------------------------------


def registration_id(movement_id: UUID, unit_id: UUID) -> UUID:
    return stable_id("emulation-movement-registration", str(movement_id), str(unit_id))


def own_targets(movement: Movement, targets: Mapping[str, Any] | None) -> dict[str, str]:
    """A unit's own targets (indicator code → target), checked against the movement: allowed at
    all, known indicators, not yes/no, never easier than the movement's."""
    if targets is None:
        return {}
    if not isinstance(targets, Mapping):
        raise OwnTargetInvalid(indicator_code="?", reason="chỉ tiêu riêng phải là một bảng "
                                                          "mã chỉ tiêu → mức")
    if targets and not movement.own_targets_allowed:
        raise OwnTargetsNotAllowed(title=movement.title)
    out: dict[str, str] = {}
    for code, value in targets.items():
        indicator = movement.indicator(code)
        if indicator.measure == YES_NO:
            raise OwnTargetInvalid(indicator_code=indicator.code,
                                   reason="chỉ tiêu có/không không có mức riêng")
        target = clean_target(indicator.measure, value, "mức", OwnTargetInvalid,
                              indicator_code=indicator.code)
        own, base = indicator.with_target(target).target_value, indicator.target_value
        assert own is not None and base is not None
        if indicator.direction == AT_LEAST and own < base:
            raise OwnTargetInvalid(indicator_code=indicator.code,
                                   reason=f"mức đăng ký thấp hơn mức của phong trào "
                                          f"({indicator.target_text})")
        if indicator.direction != AT_LEAST and own > base:
            raise OwnTargetInvalid(indicator_code=indicator.code,
                                   reason=f"mức đăng ký cao hơn mức tối đa của phong trào "
                                          f"({indicator.target_text})")
        out[indicator.code] = target
    return out


class MovementRegistration(ResultLog, Aggregate):
    """A participating unit's đăng ký thi đua in a movement, and its results."""

    TOPIC = topic("emulation", "MovementRegistration")

    class Created(Aggregate.Created):  # registered
        TOPIC = topic("emulation", "MovementRegistration.Created")
        movement_id: UUID
        unit_id: UUID
        targets: dict[str, str]
        pledge: str
        actor: str

    class TargetsSet(Aggregate.Event):
        TOPIC = topic("emulation", "MovementRegistration.TargetsSet")
        targets: dict[str, str]
        actor: str

    class ResultReported(Aggregate.Event):
        TOPIC = topic("emulation", "MovementRegistration.ResultReported")
        indicator_code: str
        result: dict[str, Any]
        actor: str

    class ResultConfirmed(Aggregate.Event):
        TOPIC = topic("emulation", "MovementRegistration.ResultConfirmed")
        indicator_code: str
        actor: str

    class ResultCorrected(Aggregate.Event):
        TOPIC = topic("emulation", "MovementRegistration.ResultCorrected")
        indicator_code: str
        result: dict[str, Any]
        reason: str
        actor: str

    @event(Created)
    def __init__(self, movement_id: UUID, unit_id: UUID, targets: dict[str, str], pledge: str,
                 actor: str) -> None:
        self.movement_id = movement_id
        self.unit_id = unit_id
        self.targets = dict(targets)
        self.pledge = pledge
        self._init_results()

    @classmethod
    def register(cls, movement: Movement, unit_id: Any, actor: str, *,
                 targets: Mapping[str, Any] | None = None, pledge: str = ""
                 ) -> MovementRegistration:
        movement.require_active()
        unit = _uuid(unit_id, "đơn vị")
        if not movement.is_participant(unit):
            raise NotParticipant(unit=str(unit), title=movement.title)
        if not isinstance(pledge, str):
            raise ValidationFailed(reason="nội dung đăng ký phải là văn bản")
        text = nfc_multiline(pledge)
        if len(text) > MAX_PLEDGE:
            raise ValidationFailed(reason=f"nội dung đăng ký quá dài (tối đa {MAX_PLEDGE} ký tự)")
        return cls._create(cls.Created, id=registration_id(movement.id, unit),
                           movement_id=movement.id, unit_id=unit,
                           targets=own_targets(movement, targets), pledge=text, actor=actor)

    def _check(self, movement: Movement) -> None:
        if movement.id != self.movement_id:
            raise MovementInvalid(reason="bản đăng ký không thuộc phong trào này")
        movement.require_active()

    def indicator_for(self, movement: Movement, code: Any) -> Indicator:
        """The movement's indicator with this unit's own target, if it set one."""
        indicator = movement.indicator(code)
        own = self.targets.get(indicator.code)
        return indicator.with_target(own) if own is not None else indicator

    def set_targets(self, movement: Movement, targets: Mapping[str, Any], actor: str) -> bool:
        """Replace the own targets; a target no longer changes once a result is reported."""
        self._check(movement)
        clean = own_targets(movement, targets)
        changed = {c for c in set(clean) | set(self.targets)
                   if clean.get(c) != self.targets.get(c)}
        for code in sorted(changed):
            if code in self.results:
                raise OwnTargetInvalid(indicator_code=code,
                                       reason="đã báo cáo kết quả theo mức đăng ký")
        if clean == self.targets:
            return False
        self._targets_set(targets=clean, actor=actor)
        return True

    @event(TargetsSet)
    def _targets_set(self, targets: dict[str, str], actor: str) -> None:
        self.targets = dict(targets)

    def report(self, movement: Movement, indicator_code: str, *, actor: str, value: Any = None,
               cases_occurred: Any = None, outcome: Any = None, evidence: Any = "",
               attachments: Any = ()) -> bool:
        self._check(movement)
        indicator = self.indicator_for(movement, indicator_code)
        result = self._check_report(indicator, value=value, cases_occurred=cases_occurred,
                                    outcome=outcome, evidence=evidence, attachments=attachments)
        if result is None:
            return False
        movement._note_result(indicator.code, self.unit_id, actor)
        self._result_reported(indicator_code=indicator.code, result=result.as_dict(),
                              actor=actor)
        return True

    @event(ResultReported)
    def _result_reported(self, indicator_code: str, result: dict[str, Any], actor: str) -> None:
        self._apply_result(indicator_code, result, REPORTED, actor)

    def confirm(self, movement: Movement, indicator_code: str, actor: str) -> bool:
        self._check(movement)
        code = movement.indicator(indicator_code).code
        if not self._check_confirm(code):
            return False
        self._result_confirmed(indicator_code=code, actor=actor)
        return True

    @event(ResultConfirmed)
    def _result_confirmed(self, indicator_code: str, actor: str) -> None:
        self._apply_confirm(indicator_code, actor)

    def correct(self, movement: Movement, indicator_code: str, *, reason: str, actor: str,
                value: Any = None, cases_occurred: Any = None, outcome: Any = None,
                evidence: Any = "", attachments: Any = ()) -> bool:
        self._check(movement)
        indicator = self.indicator_for(movement, indicator_code)
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

    def evaluation(self, movement: Movement, indicator_code: str) -> str:
        """The evaluation against this unit's own target (or the movement's)."""
        indicator = self.indicator_for(movement, indicator_code)
        return evaluate(indicator, self.result(indicator.code))


@dataclass(frozen=True)
class MovementBoard:
    movement_id: UUID
    counts: tuple[IndicatorCount, ...]
    unregistered: tuple[str, ...]  # participants' names without a registration

    def count(self, indicator_code: str) -> IndicatorCount:
        for count in self.counts:
            if count.indicator.code == indicator_code:
                return count
        raise KeyError(indicator_code)


def movement_board(movement: Movement, names: Mapping[Any, str],
                   registrations: Iterable[MovementRegistration], *,
                   noun: str = "đơn vị") -> MovementBoard:
    """Each indicator over the participants of ``names`` (unit id → name), each evaluated against
    its own target; a participant without a registration or a result is unknown."""
    units = {_uuid(unit, "đơn vị"): nfc(name) for unit, name in names.items()}
    by_unit = {r.unit_id: r for r in registrations if r.movement_id == movement.id}
    counts = []
    for indicator in movement.indicators:
        results = {u: by_unit[u].result(indicator.code) if u in by_unit else None for u in units}
        own = {u: by_unit[u].indicator_for(movement, indicator.code) for u in units
               if u in by_unit}
        counts.append(count_indicator(indicator, results, units, noun=noun, indicators=own))
    missing = tuple(name for unit, name in units.items() if unit not in by_unit)
    return MovementBoard(movement_id=movement.id, counts=tuple(counts), unregistered=missing)
