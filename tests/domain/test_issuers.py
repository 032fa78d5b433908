"""Issuers of every kind (issue 17): state bodies, the Party, the Fatherland Front and the
other organisations, the army, the police, enterprises — each with its level and name; their
authority checked against the catalog by kind of body, level, date and, for the kinds that only
a named body decides, by name."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.calculator import NONE, quote
from domain.catalog import BODIES, BODY_EXAMPLES, BODY_LABELS, body_name_key, catalog
from domain.decision import AwardDecision, Issuer, build_line
from domain.errors import (
    AboveAuthority,
    IssuerLevelEnded,
    NotNamedDecider,
    OrgUnitNotActive,
    ValidationFailed,
)
from domain.schedules import LegalSchedule, kind_rules
from domain.text import nfc

LAST_DISTRICT_DAY = date(2025, 6, 30)
REFORM = date(2025, 7, 1)
GENERIC = ("bang_khen_co_quan_khac", "giay_khen_co_quan_khac", "ky_niem_chuong_co_quan_khac")
OTHER_BODIES = ("party", "front", "farmers", "youth", "veterans", "trade_union", "army",
                "police", "enterprise", "other")


def person(name: str = "Nguyễn Thị Hồng Nhung", birth_year: int = 1980) -> dict[str, Any]:
    return {"kind": "individual", "name": name, "birth_year": birth_year, "gender": "female"}


def line(issuer: Issuer, kind: str, recipient: dict[str, Any] | None = None, line_no: int = 1,
         **extra: Any):
    raw = {"recipient": recipient or person(), "award_kind": kind, "period": "2024", **extra}
    return build_line(line_no=line_no, raw=raw, issuer=issuer,
                      default_achievement="Có thành tích xuất sắc")


def issue(issuer: Issuer, kind: str, decided_on: date) -> AwardDecision:
    return AwardDecision.issue(
        decision_id=uuid4(), number="12/QĐ", decided_on=decided_on, issuer=issuer,
        recorded_by_unit_id=issuer.unit_id or uuid4(), signer={"name": "Lê Văn Hòa"},
        subject="", legal_basis="", achievement="", lines=[line(issuer, kind)], actor="test")


# -- the kinds of body ------------------------------------------------------------------------


def test_every_kind_of_body_has_a_vietnamese_label_and_the_first_two_are_kept():
    assert BODIES[:2] == ("union", "government")  # stored events carry these codes
    assert set(BODIES) == {"union", "government", *OTHER_BODIES}
    for body in BODIES:
        label = BODY_LABELS[body]
        assert label and label == nfc(label), body
        assert BODY_EXAMPLES[body], body
    assert BODY_LABELS["front"] == "Mặt trận Tổ quốc Việt Nam"
    assert BODY_LABELS["police"] == "Công an nhân dân"


@pytest.mark.parametrize("body", BODIES)
def test_an_outside_issuer_of_any_kind_keeps_its_level_and_name(body):
    issuer = Issuer.external(body, "province", "  Ủy ban  MTTQ Việt Nam tỉnh Bắc Ninh ")
    assert (issuer.body, issuer.level, issuer.name) == (
        body, "province", "Ủy ban MTTQ Việt Nam tỉnh Bắc Ninh")
    assert issuer.body_label == BODY_LABELS[body]
    assert Issuer.from_dict(issuer.as_dict()) == issuer


def test_an_unknown_kind_of_body_is_refused_naming_the_kinds():
    with pytest.raises(ValidationFailed) as refused:
        Issuer.external("church", "province", "Giáo hội")
    assert "front (Mặt trận Tổ quốc Việt Nam)" in refused.value.message


def test_a_stored_issuer_of_the_first_release_reads_as_before():
    old = {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm",
           "unit_id": None}
    issuer = Issuer.from_dict(old)
    assert issuer.as_dict() == old and issuer.body_label == "cơ quan nhà nước"


# -- the catalog's kinds for other bodies -------------------------------------------------------


@pytest.mark.parametrize("body", OTHER_BODIES)
def test_every_other_body_can_give_a_giay_khen_and_a_bang_khen(body):
    level = "central"
    issuer = Issuer.external(body, level, f"{BODY_LABELS[body]} Trung ương")
    assert line(issuer, "bang_khen_co_quan_khac").award_kind == "bang_khen_co_quan_khac"
    assert line(issuer, "giay_khen_co_quan_khac").award_kind == "giay_khen_co_quan_khac"
    commune = Issuer.external(body, "commune", f"{BODY_LABELS[body]} xã Đông Anh")
    assert line(commune, "giay_khen_co_quan_khac").amount_source == "not_stated"
    with pytest.raises(AboveAuthority):  # a Bằng khen is given from the province up
        line(commune, "bang_khen_co_quan_khac")


def test_the_generic_kinds_are_marked_unverified_and_carry_no_legal_amount():
    schedule = LegalSchedule.start(actor="test")
    schedule.load_shipped(actor="test")
    schedules = schedule.snapshot()
    for code in GENERIC:
        kind = catalog().kind(code)
        assert kind.verified is False and kind.source, code
        assert kind_rules(code) == {}, code  # the decision states the amount
        assert not kind.once_per_lifetime, code  # it stands for many different awards
        body, levels = next((b, ls) for b, ls in kind.deciders.items() if b != "government")
        found = quote(award_kind=code, recipient_kind="individual", issuer_body=body,
                      issuer_level=levels[0], on=date(2025, 8, 1), schedules=schedules)
        assert (found.amount, found.maximum, found.source) == (None, None, NONE)


def test_the_union_and_the_state_kinds_stay_theirs():
    front = Issuer.external("front", "province", "Ủy ban MTTQ Việt Nam tỉnh Bắc Ninh")
    for kind in ("bang_khen_ubnd_tinh", "bang_khen_hoi_tinh", "giay_khen_ubnd_xa"):
        with pytest.raises(AboveAuthority):
            line(front, kind)
    state = Issuer.external("government", "province", "UBND tỉnh Bắc Ninh")
    assert line(state, "bang_khen_ubnd_tinh").award_kind == "bang_khen_ubnd_tinh"


def test_an_amount_stated_by_another_body_is_kept_as_decided():
    police = Issuer.external("police", "province", "Công an tỉnh Thái Nguyên")
    found = line(police, "giay_khen_co_quan_khac", amount=500_000)
    assert (found.amount, found.amount_source, found.warnings) == (500_000, "decided", ())


# -- authority by date --------------------------------------------------------------------------


def test_a_district_body_decides_until_the_district_level_ended():
    ubnd = Issuer.external("government", "district", "UBND huyện Đông Anh")
    assert issue(ubnd, "giay_khen_ubnd_huyen", LAST_DISTRICT_DAY).issuer["level"] == "district"
    with pytest.raises(IssuerLevelEnded) as refused:
        issue(ubnd, "giay_khen_ubnd_huyen", REFORM)
    error = refused.value
    assert error.code == "issuer.level_ended" and error.kind == "invalid"
    assert error.details["valid_until"] == "2025-06-30"
    assert error.details["decided_on"] == "2025-07-01"
    assert "UBND huyện Đông Anh" in error.message and "01/07/2025" in error.message
    assert "30/06/2025" in error.message


def test_a_union_unit_of_the_district_level_is_held_to_the_same_date():
    btl = Issuer(body="union", level="district", name="Hội LHPN quận Bắc Từ Liêm",
                 unit_id=uuid4())
    issue(btl, "giay_khen_hoi", LAST_DISTRICT_DAY)
    with pytest.raises(IssuerLevelEnded):
        issue(btl, "giay_khen_hoi", date(2026, 1, 5))


@pytest.mark.parametrize("body", OTHER_BODIES)
def test_any_body_of_the_district_level_is_refused_after_the_reform(body):
    issuer = Issuer.external(body, "district", f"{BODY_LABELS[body]} huyện Sóc Sơn")
    issue(issuer, "giay_khen_co_quan_khac", date(2024, 12, 1))
    with pytest.raises(IssuerLevelEnded):
        issue(issuer, "giay_khen_co_quan_khac", REFORM)


def test_the_level_check_is_its_own_refusal_not_the_unit_one():
    assert not issubclass(IssuerLevelEnded, OrgUnitNotActive)


# -- named deciders -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "Thủ tướng Chính phủ", "Thủ tướng", "TTg", "thu tuong chinh phu", "THỦ TƯỚNG CHÍNH PHỦ",
    "KT. Thủ tướng Chính phủ", "Thủ tướng CP", "Thủ tướng Chính phủ nước CHXHCN Việt Nam",
    "Thủ tướng Chính phủ Phạm Minh Chính", unicodedata.normalize("NFD", "Thủ tướng"),
])
def test_the_prime_ministers_bang_khen_from_the_prime_minister(name):
    issuer = Issuer.external("government", "central", name)
    assert line(issuer, "bang_khen_thu_tuong").award_kind == "bang_khen_thu_tuong"


@pytest.mark.parametrize("name", ["Bộ Nội vụ", "UBND tỉnh Bắc Ninh", "Chính phủ",
                                  "Phó Thủ tướng Chính phủ", "Văn phòng Chính phủ",
                                  "Chủ tịch nước"])
def test_the_prime_ministers_bang_khen_from_another_central_body_is_refused(name):
    issuer = Issuer.external("government", "central", name)
    with pytest.raises(NotNamedDecider) as refused:
        line(issuer, "bang_khen_thu_tuong", line_no=3)
    error = refused.value
    assert error.code == "issuer.not_named_decider" and error.kind == "invalid"
    assert error.details["line_no"] == 3
    assert error.details["named_deciders"] == ["Thủ tướng Chính phủ"]
    assert "chỉ do Thủ tướng Chính phủ quyết định" in error.message and name in error.message


def test_the_body_and_level_check_comes_first():
    with pytest.raises(AboveAuthority):
        line(Issuer.external("government", "province", "UBND tỉnh Bắc Ninh"),
             "bang_khen_thu_tuong")


def test_orders_only_from_the_president_and_the_governments_flag_from_the_government():
    president = Issuer.external("government", "central", "Chủ tịch nước CHXHCN Việt Nam")
    prime_minister = Issuer.external("government", "central", "Thủ tướng Chính phủ")
    assert line(president, "huan_chuong_lao_dong_hang_ba").award_kind
    with pytest.raises(NotNamedDecider) as refused:
        line(prime_minister, "huan_chuong_lao_dong_hang_ba")
    assert "Chủ tịch nước" in refused.value.message
    collective = {"kind": "collective", "name": "Hội LHPN tỉnh Bắc Ninh"}
    for name in ("Chính phủ", "TM. Chính phủ", "Thủ tướng Chính phủ"):
        issuer = Issuer.external("government", "central", name)
        assert line(issuer, "co_thi_dua_chinh_phu", collective).award_kind
    with pytest.raises(NotNamedDecider):
        line(Issuer.external("government", "central", "Bộ Tài chính"), "co_thi_dua_chinh_phu",
             collective)


def test_named_deciders_are_read_from_the_catalog():
    kinds = catalog().kinds
    assert kinds["bang_khen_thu_tuong"].named_deciders == ("Thủ tướng Chính phủ",)
    assert kinds["chien_si_thi_dua_toan_quoc"].named_deciders == ("Thủ tướng Chính phủ",)
    assert all(kind.named_deciders == ("Chủ tịch nước",)
               for kind in kinds.values() if kind.group == "huan_chuong")
    assert kinds["bang_khen_ubnd_tinh"].named_deciders == ()
    assert kinds["bang_khen_thu_tuong"].as_dict()["named_deciders"] == ["Thủ tướng Chính phủ"]
    for kind in kinds.values():  # every kind that names its deciders is one the state decides
        if kind.named_deciders:
            assert set(kind.deciders) == {"government"}, kind.code


@pytest.mark.parametrize(("a", "b"), [
    ("Thủ tướng", "Thủ tướng Chính phủ"), ("TTg", "Thủ tướng Chính phủ"),
    ("CTN", "Chủ tịch nước"), ("Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam",
                               "Chủ tịch nước"),
])
def test_body_names_fold_to_one_key(a, b):
    assert body_name_key(a) == body_name_key(b)


def test_body_names_that_differ_stay_apart():
    assert body_name_key("Chủ tịch UBND tỉnh") != body_name_key("Chủ tịch nước")
    assert body_name_key("Phó Thủ tướng") != body_name_key("Thủ tướng")
