"""Movements (domain.emulation.movement): launched with indicators for participating units, which
register — with their own targets where allowed, never easier than the movement's — and report
results through the same result machinery as cluster members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from domain.base import stable_id
from domain.emulation.errors import (
    IndicatorsLocked,
    IndicatorUnknown,
    MovementClosed,
    MovementInvalid,
    NotParticipant,
    OwnTargetInvalid,
    OwnTargetsNotAllowed,
    ReportConfirmed,
    ResultInvalid,
)
from domain.emulation.indicators import (
    ACHIEVED,
    EXCEEDED,
    NOT_ACHIEVED,
    NOT_APPLICABLE,
    ResultLog,
)
from domain.emulation.movement import (
    Movement,
    MovementRegistration,
    movement_board,
    own_targets,
    registration_id,
)
from services.store import DateAsISO

PROVINCE = stable_id("test-unit", "hoi-lhpn-tinh-bac-giang")
COMMUNES = {name: stable_id("test-unit", name) for name in (
    "xã Tân Yên", "xã Lạng Giang", "phường Bắc Giang", "xã Yên Thế")}
INDICATORS = [
    {"code": "1", "text": "Hỗ trợ phụ nữ khởi nghiệp", "measure": "number", "target": "5",
     "unit": "mô hình", "summable": True},
    {"code": "2", "text": "Tỷ lệ hội viên sử dụng ứng dụng chuyển đổi số", "measure": "percent",
     "target": "60"},
    {"code": "3", "text": "Số vụ bạo lực gia đình chưa được can thiệp", "measure": "number",
     "target": "2", "direction": "at_most", "unit": "vụ"},
    {"code": "4", "text": "Hỗ trợ nạn nhân mua bán người trở về", "measure": "percent",
     "target": "80", "applies": "when_cases"},
    {"code": "5", "text": "Tổ chức ngày hội «Phụ nữ với chuyển đổi số»", "measure": "yes_no"},
]


def launch(own_targets_allowed: bool = True) -> Movement:
    return Movement.launch(
        unit_id=PROVINCE, title="Phong trào «Phụ nữ Bắc Giang chuyển đổi số» năm 2024",
        indicators=INDICATORS, participant_ids=list(COMMUNES.values())[:3], actor="tỉnh",
        own_targets_allowed=own_targets_allowed, year=2024)


def through_the_store(events, aggregate=None):
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper = Mapper(transcoder=transcoder)
    for stored in [mapper.to_stored_event(e) for e in events]:
        aggregate = mapper.to_domain_event(stored).mutate(aggregate)
    return aggregate


def test_a_movement_from_launch_to_registration_and_results():
    movement = launch()
    assert (movement.starts_on, movement.ends_on) == (date(2024, 1, 1), date(2024, 12, 31))
    assert movement.period_text == "năm 2024" and len(movement.indicators) == 5

    tan_yen = MovementRegistration.register(
        movement, COMMUNES["xã Tân Yên"], actor="Tân Yên", targets={"1": "8", "3": 0},
        pledge="Đăng ký hỗ trợ 08 mô hình khởi nghiệp")
    assert tan_yen.id == registration_id(movement.id, COMMUNES["xã Tân Yên"])
    assert tan_yen.targets == {"1": "8", "3": "0"}
    lang_giang = MovementRegistration.register(movement, COMMUNES["xã Lạng Giang"],
                                               actor="Lạng Giang")
    with pytest.raises(NotParticipant):
        MovementRegistration.register(movement, COMMUNES["xã Yên Thế"], actor="Yên Thế")
    movement.add_participants([COMMUNES["xã Yên Thế"]], actor="tỉnh")
    MovementRegistration.register(movement, COMMUNES["xã Yên Thế"], actor="Yên Thế")

    # results: 6 start-ups is "exceeded" against the movement's 5, "not achieved" against the 8
    # Tân Yên registered for
    tan_yen.report(movement, "1", actor="Tân Yên", value="6", evidence="Báo cáo quý IV")
    lang_giang.report(movement, "1", actor="Lạng Giang", value="6")
    assert tan_yen.evaluation(movement, "1") == NOT_ACHIEVED
    assert lang_giang.evaluation(movement, "1") == EXCEEDED
    tan_yen.report(movement, "3", actor="Tân Yên", value="0")
    assert tan_yen.evaluation(movement, "3") == ACHIEVED
    tan_yen.report(movement, "4", actor="Tân Yên", cases_occurred=False)
    assert tan_yen.evaluation(movement, "4") == NOT_APPLICABLE
    lang_giang.report(movement, "4", actor="Lạng Giang", cases_occurred=True, value="100")
    with pytest.raises(IndicatorsLocked):
        movement.set_indicators(INDICATORS[:2], actor="tỉnh")
    with pytest.raises(ResultInvalid):
        tan_yen.report(movement, "2", actor="Tân Yên", value="120")
    with pytest.raises(IndicatorUnknown):
        tan_yen.report(movement, "9", actor="Tân Yên", value="1")

    # the launching unit confirms, corrects with a reason; the history stays
    assert tan_yen.confirm(movement, "1", actor="tỉnh")
    with pytest.raises(ReportConfirmed):
        tan_yen.report(movement, "1", actor="Tân Yên", value="9")
    assert tan_yen.correct(movement, "1", value="9", reason="Bổ sung 3 mô hình tháng 12",
                           actor="tỉnh")
    assert tan_yen.evaluation(movement, "1") == EXCEEDED
    assert [v["result"]["value"] for v in tan_yen.result_history("1")] == ["6", "9"]
    with pytest.raises(OwnTargetInvalid):  # a target no longer changes once reported
        tan_yen.set_targets(movement, {"1": "10", "3": "0"}, actor="Tân Yên")

    names = {COMMUNES[n]: n for n in COMMUNES}
    registrations = [tan_yen, lang_giang]
    summary = movement_board(movement, names, registrations, noun="xã, phường")
    startups = summary.count("1")
    assert startups.text == "2/2 (2 chưa có số liệu)"
    assert startups.sum == 15 and startups.sum_text == "15 mô hình (2 chưa báo cáo)"
    assert startups.values_text == "xã Tân Yên 09; xã Lạng Giang 06"
    assert summary.count("4").applies_text == (
        "1/4 xã, phường có trường hợp xảy ra (2 chưa có số liệu)")
    assert set(summary.unregistered) == {"phường Bắc Giang", "xã Yên Thế"}

    movement.close(date(2024, 12, 31), actor="tỉnh")
    with pytest.raises(MovementClosed):
        lang_giang.report(movement, "2", actor="Lạng Giang", value="70")

    copy = through_the_store(movement.collect_events())
    assert copy.indicators == movement.indicators
    assert copy.participant_ids == movement.participant_ids
    copy = through_the_store(tan_yen.collect_events())
    assert copy.results == tan_yen.results and copy.targets == tan_yen.targets


def test_registrations_and_member_reports_share_one_result_machinery():
    from domain.emulation.cluster import MemberReport

    assert issubclass(MovementRegistration, ResultLog) and issubclass(MemberReport, ResultLog)
    for name in ("_check_report", "_check_correct", "_check_confirm", "result",
                 "result_history"):
        assert getattr(MovementRegistration, name) is getattr(MemberReport, name)


def test_own_targets_only_where_allowed():
    movement = launch(own_targets_allowed=False)
    with pytest.raises(OwnTargetsNotAllowed):
        MovementRegistration.register(movement, COMMUNES["xã Tân Yên"], actor="x",
                                      targets={"1": "8"})
    registration = MovementRegistration.register(movement, COMMUNES["xã Tân Yên"], actor="x")
    assert registration.targets == {}


@pytest.mark.parametrize("targets", [{"1": "4"}, {"3": "3"}, {"2": "59.5"}, {"5": "yes"},
                                     {"9": "1"}, {"1": 5.5}, {"2": "101"}])
def test_own_targets_are_never_easier(targets):
    with pytest.raises((OwnTargetInvalid, IndicatorUnknown)):
        own_targets(launch(), targets)


@given(own=st.decimals(min_value=0, max_value=20, places=1))
def test_an_own_target_is_accepted_exactly_when_not_easier(own):
    movement = launch()
    for code, base, harder in (("1", Decimal(5), own >= 5), ("3", Decimal(2), own <= 2)):
        if harder:
            assert Decimal(own_targets(movement, {code: own})[code]) == own
        else:
            with pytest.raises(OwnTargetInvalid):
                own_targets(movement, {code: own})
        assert base == movement.indicator(code).target_value


@pytest.mark.parametrize("kwargs", [
    {"title": " ", "year": 2024},
    {"title": "x", "year": 1999},
    {"title": "x", "year": 2024, "starts_on": date(2024, 1, 1)},
    {"title": "x", "starts_on": date(2024, 5, 1), "ends_on": date(2024, 4, 30)},
    {"title": "x"},
    {"title": "x", "year": 2024, "indicators": []},
])
def test_invalid_movements_are_refused(kwargs):
    data: dict = {"unit_id": PROVINCE, "indicators": INDICATORS, "participant_ids": [],
                  "actor": "tỉnh", **kwargs}
    with pytest.raises(MovementInvalid):
        Movement.launch(**data)


def test_a_movement_by_dates():
    movement = Movement.launch(
        unit_id=PROVINCE, title="Thi đua cao điểm chào mừng Đại hội", indicators=INDICATORS[:1],
        participant_ids=[str(u) for u in COMMUNES.values()], actor="tỉnh",
        starts_on=date(2025, 3, 1), ends_on=date(2025, 9, 30))
    assert movement.year is None and movement.period_text == "01/03/2025 – 30/09/2025"
    assert all(isinstance(u, UUID) for u in movement.participant_ids)
    assert movement.set_indicators(INDICATORS[:2], actor="tỉnh")
    assert not movement.set_indicators(INDICATORS[:2], actor="tỉnh")
