"""The AwardDecision aggregate without a store: its lines, the rules that hold within one
decision, and revocation of a line or of the whole decision.

What holds *across* decisions (an achievement awarded once, a once-per-lifetime award received
once, a decision number unique per issuer and year) is kept by the service with claims; the keys
those claims are made from are built in ``domain.guards`` (``achievement_claim``,
``lifetime_claim``, ``decision_number_claim``) from ``Issuer.key`` and the lines built here, and
are checked at the end of this module.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.catalog import catalog
from domain.decision import (
    IN_FORCE,
    PARTLY_REVOKED,
    REVOCATION_GROUNDS,
    REVOKED,
    AwardDecision,
    Issuer,
    build_line,
    check_no_duplicates,
)
from domain.errors import (
    AboveAuthority,
    AlreadyRevoked,
    DuplicateLine,
    EmptyDecision,
    InvalidLevel,
    RecipientKindNotAllowed,
    RevocationDateInvalid,
    UnknownLine,
    ValidationFailed,
)
from domain.guards import (
    ACHIEVEMENT,
    LIFETIME,
    achievement_claim,
    decision_number_claim,
    lifetime_claim,
    line_claims,
    number_key,
)

NHUNG = "Nguyễn Thị Hồng Nhung"
DECIDED_ON = date(2024, 1, 5)
BTL = Issuer(body="union", level="district", name="Hội LHPN quận Bắc Từ Liêm", unit_id=uuid4())
CENTRAL = Issuer(body="union", level="central", name="Trung ương Hội LHPN Việt Nam",
                 unit_id=uuid4())
KNC = "ky_niem_chuong_phu_nu"  # Kỷ niệm chương Vì sự nghiệp phát triển của phụ nữ Việt Nam
LIFETIME_KINDS = sorted(code for code, kind in catalog().kinds.items() if kind.once_per_lifetime)


def person(name: str = NHUNG, birth_year: int | None = 1980, **extra: Any) -> dict[str, Any]:
    return {"kind": "individual", "name": name, "birth_year": birth_year, **extra}


def raw(recipient: dict | None = None, kind: str = "giay_khen_hoi", period: str = "2023",
        **extra: Any) -> dict[str, Any]:
    """One line as the service hands it to the domain."""
    return {"recipient": recipient or person(), "award_kind": kind, "period": period, **extra}


def lines(*raws: dict[str, Any], issuer: Issuer = BTL) -> list[dict[str, Any]]:
    return [
        build_line(line_no=no, raw=r, issuer=issuer, default_achievement="Hoàn thành xuất sắc")
        for no, r in enumerate(raws, start=1)
    ]


def issue(*raws: dict[str, Any], issuer: Issuer = BTL, number: str = "15/QĐ-HPN",
          decided_on: date = DECIDED_ON) -> AwardDecision:
    """A decision issued with ``raws`` (lines 1, 2, …), its ``Created`` event already taken."""
    decision = AwardDecision.issue(
        decision_id=uuid4(),
        number=number,
        decided_on=decided_on,
        issuer=issuer,
        recorded_by_unit_id=issuer.unit_id or BTL.unit_id,
        signer={"name": "Bùi Thị Trinh", "title": "TM. Ban Thường vụ – Chủ tịch"},
        subject="",
        legal_basis="",
        achievement="",
        lines=lines(*raws, issuer=issuer),
        actor="btl.appr",
    )
    assert [type(e).__name__ for e in decision.collect_events()] == ["Created"]
    return decision


def issuer_for(kind_code: str) -> Issuer:
    """Some issuer with the authority to decide ``kind_code``."""
    kind = catalog().kind(kind_code)
    body, levels = next(iter(kind.deciders.items()))
    if body == "union":
        return Issuer(body="union", level=levels[0], name=f"Hội LHPN cấp {levels[0]}",
                      unit_id=uuid4())
    return Issuer.external(body, levels[0], f"UBND cấp {levels[0]}")


def revoke_line(decision: AwardDecision, line_no: int, on: date = date(2024, 3, 1),
                ground: str = "b", reason: str = "Hồ sơ không trung thực") -> dict[str, Any]:
    return decision.revoke_line(line_no=line_no, on=on, ground=ground, reason=reason,
                                actor="btl.appr")


def revoke(decision: AwardDecision, on: date = date(2024, 4, 1), ground: str = "b",
           reason: str = "Hồ sơ không đúng quy định") -> list[dict[str, Any]]:
    return decision.revoke(on=on, ground=ground, reason=reason, actor="btl.appr")


def recorded(decision: AwardDecision) -> list[str]:
    """The events the last commands recorded (and that a save would store)."""
    return [type(e).__name__ for e in decision.collect_events()]


def replayed(events: list[Any]) -> AwardDecision:
    """The aggregate rebuilt from its events, as a repository would."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert aggregate is not None
    return aggregate


# -- issuing ---------------------------------------------------------------------------------------


def test_a_decision_is_issued_in_force_with_its_lines_in_order():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)), raw({"kind": "collective",
                                                                   "name": "Chi hội 5"}))
    assert decision.status == IN_FORCE
    assert [line.line_no for line in decision.lines] == [1, 2, 3]
    assert decision.line(2).recipient_name == "Lê Thị Mai"
    assert decision.external is False
    assert all(line.revoked_on is None for line in decision.lines)


def test_a_decision_needs_a_line():
    with pytest.raises(EmptyDecision):
        issue()


def test_a_decision_of_an_outside_body_is_external():
    ubnd = Issuer.external("government", "district", "UBND quận Bắc Từ Liêm")
    decision = issue(raw(kind="giay_khen_ubnd_huyen"), issuer=ubnd, number="35/QĐ-UBND")
    assert decision.external is True
    assert decision.issuer_obj == ubnd


@pytest.mark.parametrize("number", ["", "   ", "1" * 61])
def test_a_decision_needs_a_short_number(number):
    with pytest.raises(ValidationFailed):
        issue(raw(), number=number)


def test_a_line_above_the_issuers_authority_names_its_line():
    with pytest.raises(AboveAuthority) as refused:
        lines(raw(kind="chien_si_thi_dua_co_so"), raw(kind="bang_khen_tw_hoi"))
    assert refused.value.details["line_no"] == 2


# -- duplicates within one decision ------------------------------------------------------------


@pytest.mark.parametrize("name", [
    NHUNG,
    "Nguyen Thi Hong Nhung",
    "NGUYỄN THỊ HỒNG NHUNG",
    unicodedata.normalize("NFD", NHUNG),
    "  Nguyễn  Thị Hồng   Nhung ",
])
def test_the_same_achievement_twice_in_one_decision(name):
    """Same person (however her name is spelt), same kind, same period: one line too many."""
    with pytest.raises(DuplicateLine) as refused:
        issue(raw(), raw(person("Lê Thị Mai", 1975)), raw(person(name), amount=None))
    assert refused.value.details == {"line_no": 3, "other_line_no": 1}


def test_the_first_duplicate_is_reported():
    mai = person("Lê Thị Mai", 1975)
    with pytest.raises(DuplicateLine) as refused:
        check_no_duplicates(lines(raw(), raw(mai), raw(mai), raw()), "unit:x")
    assert refused.value.details == {"line_no": 3, "other_line_no": 2}


def test_the_period_is_compared_as_written_loosely():
    with pytest.raises(DuplicateLine):
        issue(raw(period="2021 – 2025"), raw(period="2021-2025"))


@pytest.mark.parametrize("other", [
    raw(period="2022"),                          # another period
    raw(person(NHUNG, 1981)),                    # a namesake born another year
    raw(kind="lao_dong_tien_tien"),              # another kind
    raw(person(NHUNG, None, unit_id=str(uuid4()))),  # no birth year: told apart by her unit
])
def test_another_achievement_is_not_a_duplicate(other):
    decision = issue(raw(), other)
    assert len(decision.lines) == 2


def test_a_citizen_id_tells_namesakes_apart_and_joins_spellings():
    first, second = "001180012345", "001180054321"
    # Two women of the same name and year, with their own CCCD: two achievements.
    issue(raw(person(citizen_id=first)), raw(person(citizen_id=second)))
    # One CCCD under two spellings: one woman, one achievement.
    with pytest.raises(DuplicateLine):
        issue(raw(person(citizen_id=first)),
              raw(person("Nguyen Thi H. Nhung", 1980, citizen_id="001.180.012.345")))


def test_a_collective_is_its_unit_whatever_it_is_called():
    unit = {"kind": "collective", "org_unit_id": str(uuid4())}
    with pytest.raises(DuplicateLine):
        issue(raw({**unit, "name": "Hội LHPN phường A"}),
              raw({**unit, "name": "Hội LHPN phường A (mới)"}))


# -- once-per-lifetime kinds -------------------------------------------------------------------


def test_the_catalog_has_lifetime_kinds_for_individuals_only():
    assert KNC in LIFETIME_KINDS
    for code in LIFETIME_KINDS:
        assert catalog().kind(code).recipients == ("individual",), code


@pytest.mark.parametrize("code", LIFETIME_KINDS)
def test_a_lifetime_kind_twice_for_one_person_in_one_decision(code):
    """Another period makes another achievement, but not a second lifetime award."""
    issuer = issuer_for(code)
    with pytest.raises(DuplicateLine) as refused:
        issue(raw(kind=code, period="2023"), raw(person("Nguyen Thi Hong Nhung"), kind=code,
                                                 period="2024"), issuer=issuer)
    assert refused.value.details == {"line_no": 2, "other_line_no": 1}


def test_an_ordinary_kind_may_be_given_again_for_another_period():
    decision = issue(raw(period="2023"), raw(period="2024"))
    assert decision.status == IN_FORCE


@pytest.mark.parametrize("code", LIFETIME_KINDS)
def test_a_lifetime_kind_for_two_people_or_two_lifetime_kinds_for_one(code):
    issuer = issuer_for(code)
    issue(raw(kind=code), raw(person("Lê Thị Mai", 1968), kind=code), issuer=issuer)
    others = [k for k in LIFETIME_KINDS
              if k != code and catalog().kind(k).decided_by(issuer.body, issuer.level)]
    for other in others:
        issue(raw(kind=code), raw(kind=other), issuer=issuer)


def test_a_lifetime_kind_is_for_an_individual():
    with pytest.raises(RecipientKindNotAllowed):
        lines(raw({"kind": "collective", "org_unit_id": str(uuid4())}, kind=KNC),
              issuer=CENTRAL)


@pytest.mark.parametrize("issuer", [BTL, Issuer(body="union", level="province",
                                                name="Hội LHPN TP Hà Nội", unit_id=uuid4())])
def test_the_union_kyniemchuong_is_decided_centrally(issuer):
    with pytest.raises(AboveAuthority) as refused:
        lines(raw(kind=KNC), issuer=issuer)
    assert refused.value.details["award_kind"] == KNC
    assert lines(raw(kind=KNC), issuer=CENTRAL)[0].award_kind == KNC


# -- revoking a line ---------------------------------------------------------------------------


def test_revoking_a_line_keeps_it_with_its_revocation():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)), raw(person("Trần Thị Lan", 1982)))
    returned = revoke_line(decision, 2, reason="  Hồ sơ không trung thực ")
    assert recorded(decision) == ["LineRevoked"]
    assert decision.status == PARTLY_REVOKED
    assert returned.line_no == 2
    assert decision.line(2).revoked_on == date(2024, 3, 1)
    assert decision.line(2).revocation_reason == "Hồ sơ không trung thực"
    assert [line.revoked_on for line in decision.lines] == [None, date(2024, 3, 1), None]
    assert decision.revoked_on is None  # the decision itself still stands


def test_a_line_is_revoked_once():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)))
    revoke_line(decision, 1)
    recorded(decision)
    with pytest.raises(AlreadyRevoked) as refused:
        revoke_line(decision, 1, on=date(2024, 3, 2))
    assert refused.value.details["revoked_on"] == "2024-03-01"
    assert recorded(decision) == []


@pytest.mark.parametrize("line_no", [0, -1, 3])
def test_revoking_a_line_the_decision_does_not_have(line_no):
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)))
    with pytest.raises(UnknownLine) as refused:
        revoke_line(decision, line_no)
    assert refused.value.details["line_no"] == line_no
    assert recorded(decision) == []


@pytest.mark.parametrize("whole", [False, True])
def test_revocation_is_dated_on_or_after_the_decision(whole):
    decision = issue(raw())
    command = (lambda on: revoke(decision, on=on)) if whole else (
        lambda on: revoke_line(decision, 1, on=on))
    with pytest.raises(RevocationDateInvalid) as refused:
        command(date(2024, 1, 4))
    assert refused.value.details == {"revoked_on": "2024-01-04", "decided_on": "2024-01-05"}
    assert recorded(decision) == []
    command(DECIDED_ON)  # the decision date itself is fine
    assert decision.status == REVOKED


@pytest.mark.parametrize("whole", [False, True])
@pytest.mark.parametrize(("ground", "reason"), [
    ("e", "Hồ sơ không trung thực"),
    ("", "Hồ sơ không trung thực"),
    ("b", ""),
    ("b", "   \n "),
])
def test_revocation_needs_a_ground_of_the_law_and_a_reason(whole, ground, reason):
    decision = issue(raw())
    with pytest.raises(ValidationFailed):
        if whole:
            revoke(decision, ground=ground, reason=reason)
        else:
            revoke_line(decision, 1, ground=ground, reason=reason)
    assert recorded(decision) == []
    assert decision.status == IN_FORCE


def test_every_ground_of_article_93_is_accepted():
    assert set(REVOCATION_GROUNDS) == {"a", "b", "c", "d", "other"}
    for ground in REVOCATION_GROUNDS:
        decision = issue(raw())
        revoke_line(decision, 1, ground=ground)
        assert decision.status == REVOKED


def test_revoking_every_line_revokes_the_decision():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)))
    revoke_line(decision, 2, on=date(2024, 3, 1))
    revoke_line(decision, 1, on=date(2024, 5, 1))
    assert decision.status == REVOKED
    # Nothing is left to revoke: the whole decision is refused, dated by its last line.
    recorded(decision)
    with pytest.raises(AlreadyRevoked) as refused:
        revoke(decision)
    assert refused.value.details["revoked_on"] == "2024-05-01"
    assert recorded(decision) == []


# -- revoking the whole decision ---------------------------------------------------------------


def test_revoking_the_decision_revokes_every_line():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)))
    cancelled = revoke(decision, on=date(2024, 4, 1), reason="Hồ sơ không đúng quy định")
    assert recorded(decision) == ["Revoked"]
    assert [line.line_no for line in cancelled] == [1, 2]
    assert decision.status == REVOKED
    assert decision.revoked_on == date(2024, 4, 1)
    assert {line.revoked_on for line in decision.lines} == {date(2024, 4, 1)}
    assert {line.revocation_reason for line in decision.lines} == {"Hồ sơ không đúng quy định"}


def test_revoking_the_decision_after_a_line_cancels_only_the_open_lines():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)), raw(person("Trần Thị Lan", 1982)))
    revoke_line(decision, 2, on=date(2024, 3, 1), reason="Khai sai thành tích")
    cancelled = revoke(decision, on=date(2024, 4, 1))
    assert [line.line_no for line in cancelled] == [1, 3]
    # The line revoked earlier keeps its own date and reason.
    assert decision.line(2).revoked_on == date(2024, 3, 1)
    assert decision.line(2).revocation_reason == "Khai sai thành tích"
    assert decision.line(3).revoked_on == date(2024, 4, 1)


def test_a_revoked_decision_is_revoked_once_and_its_lines_too():
    decision = issue(raw(), raw(person("Lê Thị Mai", 1975)))
    revoke(decision)
    recorded(decision)
    with pytest.raises(AlreadyRevoked):
        revoke(decision, on=date(2024, 5, 1))
    with pytest.raises(AlreadyRevoked):
        revoke_line(decision, 2)
    assert recorded(decision) == []


def test_the_events_replay_to_the_same_decision():
    decision = AwardDecision.issue(
        decision_id=uuid4(), number="15/QĐ-HPN", decided_on=DECIDED_ON, issuer=BTL,
        recorded_by_unit_id=BTL.unit_id, signer={}, subject="", legal_basis="", achievement="",
        lines=lines(raw(), raw(person("Lê Thị Mai", 1975)), raw(person("Trần Thị Lan", 1982))),
        actor="btl.appr",
    )
    revoke_line(decision, 2)
    revoke(decision)
    copy = replayed(decision.collect_events())
    assert copy.version == decision.version == 3
    assert copy.status == decision.status == REVOKED
    assert copy.lines == decision.lines
    assert (copy.revoked_on, copy.revocation_reason) == (decision.revoked_on,
                                                         decision.revocation_reason)


# -- the keys of the rules kept across decisions -----------------------------------------------


def test_the_achievement_key_ignores_spelling_and_amount():
    keys = {achievement_claim(line).id for line in lines(
        raw(), raw(person("Nguyen Thi Hong Nhung"), amount=300_000),
        raw(person(unicodedata.normalize("NFD", NHUNG).upper())),
    )}
    assert len(keys) == 1
    others = lines(raw(period="2022"), raw(kind="lao_dong_tien_tien"), raw(person(NHUNG, 1981)))
    assert len({achievement_claim(line).id for line in others} | keys) == 4


@pytest.mark.parametrize("number", ["15/QĐ-HPN", "15 / QĐ - HPN", "15/QD-HPN", "15/qđ-hpn"])
def test_the_number_key_ignores_spacing_case_and_diacritics(number):
    assert number_key(number) == number_key("15/QĐ-HPN")
    assert number_key(number) != number_key("16/QĐ-HPN")


def test_the_claim_keys_of_a_line_follow_its_kind():
    bang_khen, knc = lines(raw(kind="bang_khen_tw_hoi"), raw(kind=KNC), issuer=CENTRAL)
    assert [c.purpose for c in line_claims(bang_khen, CENTRAL.key)] == [ACHIEVEMENT]
    assert lifetime_claim(bang_khen) is None
    assert [c.purpose for c in line_claims(knc, CENTRAL.key)] == [ACHIEVEMENT, LIFETIME]
    # the issuer is no part of a catalogue kind's key (stored claims keep their ids)
    assert line_claims(bang_khen, CENTRAL.key)[0].id == achievement_claim(bang_khen).id
    # The lifetime key ignores the period: a second KNC for another year collides.
    later = lines(raw(kind=KNC, period="2030"), issuer=CENTRAL)[0]
    assert lifetime_claim(later).id == lifetime_claim(knc).id
    assert achievement_claim(later).id != achievement_claim(knc).id


def test_the_decision_number_claim_is_per_issuer_and_year():
    same = decision_number_claim(BTL.key, 2024, "15/QĐ-HPN")
    assert decision_number_claim(BTL.key, 2024, "15/qđ-hpn").id == same.id
    assert decision_number_claim(BTL.key, 2025, "15/QĐ-HPN").id != same.id
    other = Issuer.external("government", "district", "UBND quận Bắc Từ Liêm")
    assert decision_number_claim(other.key, 2024, "15/QĐ-HPN").id != same.id


def test_the_issuer_key_is_the_unit_or_the_folded_name_of_an_outside_body():
    assert BTL.key == f"unit:{BTL.unit_id}"
    ubnd = Issuer.external("government", "district", "UBND quận Bắc Từ Liêm")
    assert ubnd.key == Issuer.external("government", "district", "ubnd quan bac tu liem").key
    assert ubnd.key != Issuer.external("union", "district", "UBND quận Bắc Từ Liêm").key


@pytest.mark.parametrize(("body", "level", "name", "error"), [
    ("church", "district", "Giáo xứ", ValidationFailed),  # "party" is a body since issue 17
    ("government", "galaxy", "UBND", InvalidLevel),
    ("government", "district", "   ", ValidationFailed),
])
def test_an_outside_issuer_needs_a_known_body_level_and_a_name(body, level, name, error):
    with pytest.raises(error):
        Issuer.external(body, level, name)
