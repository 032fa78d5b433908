"""What the services added to the emulation domain: a covenant configured as a whole
(``Covenant.configure``), and the nominations opened from a closed covenant's proposals or a
closed title registration, linked back to them once (``record_nominations``)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.emulation.cluster import MemberReport
from domain.emulation.errors import (
    CovenantNotClosed,
    EntryUnknown,
    IndicatorsLocked,
    NominationLinkInvalid,
    PointsTableInvalid,
    ProposalRulesInvalid,
    RegistrationStillOpen,
)
from domain.emulation.registration import TitleRegistration
from tests.domain.test_emulation_cluster import (
    INDICATORS,
    NORTH,
    POINTS,
    RULES,
    THRESHOLDS,
    north_cluster,
    through_the_store,
    unit,
)


def test_a_whole_configuration_is_checked_together():
    _, covenant, _ = north_cluster()
    # new indicators with a points table that only holds with them: set_indicators alone
    # would check them against the old table (total 1000) and refuse
    fewer = [{**INDICATORS[0], "max_points": "500"}]
    points = {**POINTS, "total_max": "800"}
    with pytest.raises(PointsTableInvalid):
        covenant.set_indicators(fewer, actor="office")
    assert covenant.configure("office", indicators=fewer, points=points, thresholds=THRESHOLDS,
                              proposal_rules=RULES, proposal_cap="1/3")
    assert covenant.points_table.total_max == 800 and len(covenant.indicators) == 1
    # the same again: nothing recorded
    version = len(covenant.pending_events)
    assert not covenant.configure("office", indicators=fewer, points=points,
                                  thresholds=THRESHOLDS, proposal_rules=RULES,
                                  proposal_cap="1/3")
    assert len(covenant.pending_events) == version
    # rules needing a class the new thresholds drop are refused, nothing half-done
    with pytest.raises(ProposalRulesInvalid) as caught:
        covenant.configure("office", indicators=fewer, points=points, thresholds=[],
                           proposal_rules=RULES)
    assert caught.value.code == "emulation.proposal_rules_invalid"
    assert covenant.threshold_data and len(covenant.pending_events) == version
    copy = through_the_store(covenant.collect_events())
    assert copy.indicators == covenant.indicators and copy.proposal_cap == "1/3"


def test_configuration_keeps_the_locks():
    cluster, covenant, ids = north_cluster()
    for name in NORTH:
        covenant.sign(cluster, ids[name], date(2024, 1, 15), actor=name)
    covenant.open(cluster, date(2024, 2, 1), actor="office")
    report = MemberReport.start(covenant, cluster, ids["Bắc Kạn"], actor="x")
    report.report(covenant, "2", actor="x", value="3")
    with pytest.raises(IndicatorsLocked):
        covenant.configure("office", indicators=INDICATORS[:1], points=None)
    # the same indicators with other thresholds: allowed
    assert covenant.configure("office", indicators=INDICATORS, points=POINTS,
                              thresholds=THRESHOLDS[:2], proposal_rules=RULES[:1])


def test_nominations_are_linked_once_a_covenant_is_closed():
    cluster, covenant, ids = north_cluster()
    for name in NORTH:
        covenant.sign(cluster, ids[name], date(2024, 1, 15), actor=name)
    covenant.open(cluster, date(2024, 2, 1), actor="office")
    first, second = uuid4(), uuid4()
    link = {"unit_id": ids["Thái Nguyên"], "nomination_id": first, "award_kind":
            "co_thi_dua_hoi", "rank": 1}
    with pytest.raises(CovenantNotClosed):
        covenant.record_nominations([link], actor="office")
    covenant.close(date(2024, 11, 30), actor="office")
    with pytest.raises(NominationLinkInvalid):
        covenant.record_nominations([{"unit_id": "x"}], actor="office")
    assert covenant.record_nominations([link], actor="office") == [str(ids["Thái Nguyên"])]
    # once per member: a second call (or another nomination for it) records nothing
    assert covenant.record_nominations([{**link, "nomination_id": second}], "office") == []
    assert covenant.nomination_for(ids["Thái Nguyên"])["nomination_id"] == str(first)
    assert covenant.nomination_for(ids["Bắc Kạn"]) is None
    copy = through_the_store(covenant.collect_events())
    assert copy.nominated == covenant.nominated


def test_title_registration_entries_are_nominated_once_closed():
    registration = TitleRegistration.open(unit("xd"), 2025, actor="office")
    person = {"kind": "individual", "name": "Nguyễn Thị Lan", "birth_year": 1980,
              "unit_id": str(unit("xd"))}
    registration.add(person, "lao_dong_tien_tien", actor="office")
    registration.add({**person, "name": "Trần Thị Hoa"}, "lao_dong_tien_tien", actor="office")
    registration.withdraw(2, reason="Nghỉ hưu", actor="office")
    nomination = uuid4()
    with pytest.raises(RegistrationStillOpen):
        registration.record_nominations([{"entry_no": 1, "nomination_id": nomination}], "o")
    registration.close(date(2025, 12, 20), actor="office")
    with pytest.raises(EntryUnknown):  # withdrawn
        registration.record_nominations([{"entry_no": 2, "nomination_id": uuid4()}], "o")
    assert registration.record_nominations(
        [{"entry_no": 1, "nomination_id": nomination}], "o") == [1]
    assert registration.record_nominations(
        [{"entry_no": 1, "nomination_id": uuid4()}], "o") == []
    assert registration.entry(1)["nomination_id"] == str(nomination)
    copy = through_the_store(registration.collect_events())
    assert copy.entries == registration.entries
