"""Title registrations (domain.emulation.registration): a unit registers people and collectives
for danh hiệu thi đua; the prerequisites on earlier titles come from research/law.md with their
source, refusing only where the rule is verified."""

from __future__ import annotations

from datetime import date

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
    EntryDuplicate,
    EntryUnknown,
    ReasonRequired,
    RegistrationClosed,
    TitleKindInvalid,
    TitlePrerequisite,
)
from domain.emulation.registration import (
    AWARD,
    PREREQUISITES,
    REFUSE,
    WARN,
    TitleRegistration,
    title_prerequisites,
    title_registration_id,
)
from domain.errors import RecipientKindNotAllowed, UnknownAwardKind
from services.store import DateAsISO

UNIT = stable_id("test-unit", "hoi-lhpn-tinh-bac-kan")
LDTT = "lao_dong_tien_tien"
CSTDCS = "chien_si_thi_dua_co_so"
CSTD_TINH = "chien_si_thi_dua_bo_tinh"
CSTD_TQ = "chien_si_thi_dua_toan_quoc"
LAN = {"kind": "individual", "name": "Nguyễn Thị Lan", "birth_year": 1980, "unit_id": str(UNIT),
       "gender": "female", "position": "Trưởng ban Tuyên giáo"}
HOA = {"kind": "individual", "name": "Trần Thị Hoa", "birth_year": 1985, "unit_id": str(UNIT)}
MAI = {"kind": "individual", "name": "Hoàng Thị Mai", "birth_year": 1975, "unit_id": str(UNIT)}
OFFICE = {"kind": "collective", "name": "Văn phòng Hội LHPN tỉnh Bắc Kạn",
          "unit_id": str(UNIT)}


def through_the_store(events, aggregate=None):
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper = Mapper(transcoder=transcoder)
    for stored in [mapper.to_stored_event(e) for e in events]:
        aggregate = mapper.to_domain_event(stored).mutate(aggregate)
    return aggregate


def test_a_title_registration_with_its_prerequisites():
    registration = TitleRegistration.open(UNIT, 2025, actor="office")
    assert registration.id == title_registration_id(UNIT, 2025)

    # Lan registers for LĐTT and CSTĐ cơ sở together: nothing to say
    assert registration.add(LAN, LDTT, actor="office", history=[]) == 1
    assert registration.add(LAN, CSTDCS, actor="office", history=[]) == 2
    assert registration.entry(2)["findings"] == []
    # …and, with two earlier CSTĐ cơ sở, for the province's CSTĐ (3 in a row with this year's)
    history_lan = [(2023, CSTDCS), (2024, CSTDCS), (2023, LDTT), (2024, LDTT)]
    assert registration.add(LAN, CSTD_TINH, actor="office", history=history_lan) == 3
    assert registration.entry(3)["findings"] == []

    # Hoa registers for CSTĐ cơ sở alone: a warning kept on the entry, not a refusal
    registration.add(HOA, CSTDCS, actor="office", history=[(2024, LDTT)])
    [finding] = registration.entry(4)["findings"]
    assert finding["severity"] == WARN and finding["missing_years"] == [2025]
    assert "Lao động tiên tiến" in finding["message"] and finding["verified"]

    # Mai has one CSTĐ of the province: CSTĐ toàn quốc is refused (a verified rule)…
    with pytest.raises(TitlePrerequisite) as caught:
        registration.add(MAI, CSTD_TQ, actor="office", history=[(2022, CSTD_TINH)])
    assert caught.value.code == "emulation.title_prerequisite"
    assert "Hoàng Thị Mai" in caught.value.message and "02 lần" in caught.value.message
    # …unless the office says why (a title earned before the system)
    entry_no = registration.add(MAI, CSTD_TQ, actor="office", history=[(2022, CSTD_TINH)],
                                override_reason="Đạt CSTĐ tỉnh năm 2019 (QĐ 12/QĐ-UBND), "
                                                "chưa nhập vào hệ thống")
    entry = registration.entry(entry_no)
    assert entry["override_reason"].startswith("Đạt CSTĐ tỉnh năm 2019")
    assert [f["severity"] for f in entry["findings"]] == [REFUSE]

    # without a history the entry is recorded unchecked
    registration.add(OFFICE, "tap_the_lao_dong_xuat_sac", actor="office")
    assert registration.entry(6)["checked"] is False

    # one title per person: the same person written without diacritics is the same person
    with pytest.raises(EntryDuplicate):
        registration.add({**LAN, "name": "Nguyen Thi Lan"}, LDTT, actor="office")
    with pytest.raises(TitleKindInvalid):
        registration.add(HOA, "bang_khen_tw_hoi", actor="office")
    with pytest.raises(UnknownAwardKind):
        registration.add(HOA, "danh_hieu_khong_co", actor="office")
    with pytest.raises(RecipientKindNotAllowed):
        registration.add(OFFICE, LDTT, actor="office")

    # withdrawing Lan's LĐTT leaves her CSTĐ cơ sở without it: a recheck says so
    with pytest.raises(ReasonRequired):
        registration.withdraw(1, reason="", actor="office")
    registration.withdraw(1, reason="Chuyển công tác tháng 3/2025", actor="office")
    with pytest.raises(EntryUnknown):
        registration.withdraw(1, reason="lần nữa", actor="office")
    assert [f.rule for f in registration.recheck(2, history_lan)] == [
        "cstd_co_so.lao_dong_tien_tien"]
    assert [f.severity for f in registration.recheck(2, history_lan, stage=AWARD)] == [REFUSE]
    assert [e["entry_no"] for e in registration.active_entries] == [2, 3, 4, 5, 6]

    registration.close(date(2025, 3, 31), actor="office")
    with pytest.raises(RegistrationClosed):
        registration.add(HOA, LDTT, actor="office")
    with pytest.raises(RegistrationClosed):
        registration.withdraw(2, reason="x", actor="office")

    copy = through_the_store(registration.collect_events())
    assert copy.entries == registration.entries and copy.status == "closed"


@pytest.mark.parametrize("kind,year,history,registered,expected", [
    (CSTDCS, 2025, [], [], [("cstd_co_so.lao_dong_tien_tien", WARN)]),
    (CSTDCS, 2025, [(2025, LDTT)], [], []),
    (CSTDCS, 2025, [], [LDTT], []),
    (CSTD_TINH, 2025, [(2024, CSTDCS)], [CSTDCS], [("cstd_bo_tinh.ba_lan_cstd_co_so", WARN)]),
    (CSTD_TINH, 2025, [(2023, CSTDCS), (2024, CSTDCS), (2025, CSTDCS)], [], []),
    (CSTD_TQ, 2025, [], [], [("cstd_toan_quoc.hai_lan_cstd_bo_tinh", REFUSE)]),
    (CSTD_TQ, 2025, [(2022, CSTD_TINH)], [CSTD_TINH],
     [("cstd_toan_quoc.hai_lan_cstd_bo_tinh", WARN)]),
    (CSTD_TQ, 2025, [(2019, CSTD_TINH), (2022, CSTD_TINH)], [], []),
    (CSTD_TQ, 2025, [(2016, CSTD_TINH), (2022, CSTD_TINH)], [],
     [("cstd_toan_quoc.lien_tuc", WARN)]),
    (LDTT, 2025, [], [], []),
    ("bang_khen_tw_hoi", 2025, [(2024, CSTDCS)], [],
     [("bang_khen_bo_tinh.hai_lan_cstd_co_so", WARN)]),
    ("bang_khen_thu_tuong", 2025, [(2020, "bang_khen_tw_hoi"), (2021, CSTDCS), (2023, CSTDCS),
                                   (2025, CSTDCS)], [], []),
    ("bang_khen_thu_tuong", 2025, [(2020, CSTDCS), (2023, CSTDCS), (2024, CSTDCS)], [],
     [("bang_khen_thu_tuong.bang_khen_bo_tinh", WARN),
      ("bang_khen_thu_tuong.ba_lan_cstd_co_so", WARN)]),
])
def test_title_prerequisites(kind, year, history, registered, expected):
    findings = title_prerequisites(kind, year, history, registered=registered)
    assert [(f.rule, f.severity) for f in findings] == expected
    for finding in findings:
        assert finding.source and finding.message


def test_every_rule_carries_its_source_and_unverified_ones_only_warn():
    for rule in PREREQUISITES:
        assert "law.md" in rule.source
        assert ("[U]" in rule.source) == (not rule.verified)
    assert {r.code for r in PREREQUISITES if not r.verified} == {
        "cstd_toan_quoc.lien_tuc", "cstd_bo_tinh.ba_lan_cstd_co_so"}


KINDS = [CSTD_TQ, CSTD_TINH, CSTDCS, LDTT, "bang_khen_tw_hoi", "bang_khen_thu_tuong"]
held = st.lists(st.tuples(st.integers(2015, 2025),
                          st.sampled_from([LDTT, CSTDCS, CSTD_TINH, "bang_khen_tw_hoi"])),
                max_size=12)


@given(kind=st.sampled_from(KINDS), history=held, more=held,
       stage=st.sampled_from(["registration", "award"]))
def test_a_fuller_history_never_adds_a_refusal(kind, history, more, stage):
    before = title_prerequisites(kind, 2025, history, stage=stage)
    after = title_prerequisites(kind, 2025, history + more, stage=stage)
    assert len([f for f in after if f.refuses]) <= len([f for f in before if f.refuses])
    unverified = {r.code for r in PREREQUISITES if not r.verified}
    assert not [f for f in after if f.refuses and f.rule in unverified]


@given(kind=st.sampled_from(KINDS), stage=st.sampled_from(["registration", "award"]))
def test_a_complete_history_is_never_refused(kind, stage):
    every = [(y, k) for y in range(2010, 2026)
             for k in (LDTT, CSTDCS, CSTD_TINH, "bang_khen_tw_hoi")]
    assert not [f for f in title_prerequisites(kind, 2025, every, stage=stage) if f.refuses]
