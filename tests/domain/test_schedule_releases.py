"""Releases of the legal money data reach an installation as events: one event per release,
only what the release changed, never an administrator's own correction undone."""

from __future__ import annotations

import copy
from datetime import date

from domain.calculator import quote
from domain.schedules import LegalSchedule, shipped_release, shipped_rules
from tests.helpers import load_previous_release


def previous_release_schedule() -> LegalSchedule:
    schedule = LegalSchedule.start(actor="system")
    load_previous_release(schedule, actor="system")
    schedule.collect_events()  # saved: what the installation holds before the upgrade
    return schedule


def bang_khen_tw_hoi(schedule: LegalSchedule, on: date, who: str = "individual") -> int | None:
    return quote(award_kind="bang_khen_tw_hoi", recipient_kind=who, issuer_body="union",
                 issuer_level="central", on=on, schedules=schedule.snapshot()).amount


def test_an_upgrade_is_one_event_after_which_the_schedule_is_the_releases():
    schedule = previous_release_schedule()
    assert bang_khen_tw_hoi(schedule, date(2026, 9, 15)) == 3_510_000  # the defect
    assert bang_khen_tw_hoi(schedule, date(2017, 9, 20)) == 1_300_000  # NĐ 91 "from 15/9"

    schedule.load_shipped(actor="system")
    [event] = schedule.collect_events()
    assert isinstance(event, LegalSchedule.ReleaseLoaded)
    assert event.release == shipped_release() == "2026-12"
    assert event.base_salaries["2026-07-01"]["amount"] == 2_530_000
    assert event.base_salaries["2017-07-01"]["verified"] is True
    assert event.periods["nd91_2017"]["effective_from"] == "2017-10-01"
    assert bang_khen_tw_hoi(schedule, date(2026, 9, 15)) == 3_800_000
    assert bang_khen_tw_hoi(schedule, date(2026, 6, 30)) == 3_510_000
    assert bang_khen_tw_hoi(schedule, date(2017, 9, 20)) is None
    assert bang_khen_tw_hoi(schedule, date(2026, 7, 1), "collective") == 7_590_000

    fresh = LegalSchedule.start(actor="system")
    fresh.load_shipped(actor="system")
    upgraded, new = schedule.snapshot(), fresh.snapshot()
    assert upgraded.base_salaries == new.base_salaries
    assert upgraded.periods == new.periods

    schedule.load_shipped(actor="system")  # the same release again: nothing
    assert schedule.collect_events() == []


def test_a_new_installation_records_the_release_as_one_event():
    schedule = LegalSchedule.start(actor="system")
    schedule.load_shipped(actor="system")
    assert [type(e).__name__ for e in schedule.collect_events()] == ["Created", "ReleaseLoaded"]
    assert schedule.snapshot().releases == ("2026-12",)


def test_a_later_release_changes_only_its_own_rows_and_keeps_the_admins_corrections():
    schedule = LegalSchedule.start(actor="system")
    schedule.load_shipped(actor="system")
    # the office corrects a note and withdraws a row it considers wrong
    schedule.set_base_salary(effective_from=date(2024, 7, 1), amount=2_340_000,
                             legal_basis="Nghị định 73/2024/NĐ-CP", verified=True,
                             note="Đã đối chiếu bản gốc", actor="admin")
    schedule.withdraw_base_salary(effective_from=date(2017, 7, 1), reason="thử", actor="admin")
    schedule.collect_events()
    schedule.load_shipped(actor="system")
    assert schedule.collect_events() == []  # the release is unchanged: the admin's word stands

    later = copy.deepcopy(shipped_rules())
    later["release"] = {"id": "2027-07", "title": "Lương cơ sở giả định"}
    later["base_salary"].append({"effective_from": date(2027, 7, 1), "amount": 2_800_000,
                                 "legal_basis": "Nghị định giả định", "verified": False})
    schedule.load_release(later, actor="system")
    [event] = schedule.collect_events()
    assert list(event.base_salaries) == ["2027-07-01"] and event.periods == {}
    bases = {b.effective_from: b for b in schedule.snapshot().base_salaries}
    assert bases[date(2024, 7, 1)].note == "Đã đối chiếu bản gốc"
    assert date(2017, 7, 1) not in bases
    assert bases[date(2027, 7, 1)].amount == 2_800_000
    assert schedule.snapshot().releases == ("2026-12", "2027-07")
