"""The calculator against hand-computed legal cases, and its properties.

Each case cites its rule; amounts are worked out by hand here: coefficient × base salary in force
on the date, rounded up to the next 10.000 đ (NĐ 91/2017 Điều 68.2, NĐ 98/2023 Điều 53). A
collective gets twice the individual's amount, a household (NĐ 152/2025, from 2025-07-01) one and
a half times; by default the whole product is rounded (the worked example: 2 × 0,15 × 1.490.000
= 447.000 → 450.000), the other method behind the period's setting doubles the rounded amount.
Base salary: 1.300.000 đ from 2017-07-01, 1.390.000 from 2018-07-01, 1.490.000 from 2019-07-01,
1.800.000 from 2023-07-01, 2.340.000 from 2024-07-01, 2.530.000 from 2026-07-01 (NĐ 161/2026).
Periods: NĐ 91/2017 from 2017-10-01, NĐ 98/2023 from 2024-01-01, NĐ 152/2025 from 2025-07-01.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calculator import LEGAL, NONE, quote, round_up_10000
from domain.catalog import catalog
from domain.decision import DecisionLine
from domain.errors import (
    AmountMissing,
    AmountNeedsChoice,
    AmountNotExpected,
    NoMoneyRule,
    RecipientKindNotAllowed,
    ValidationFailed,
)
from domain.money import dong_in_words, format_dong
from domain.pricing import (
    COMPUTED,
    DECIDED,
    NOT_STATED,
    WARNING_ABOVE_CAP,
    WARNING_DIFFERS,
    apply_highest_title_policy,
    highest_title_groups,
    highest_title_only,
    price,
)
from domain.schedules import (
    MULTIPLY_ROUNDED_INDIVIDUAL,
    ROUND_PRODUCT,
    InternalRate,
    LegalSchedule,
    MoneySchedules,
    kind_rules,
)


def shipped() -> MoneySchedules:
    schedule = LegalSchedule.start(actor="test")
    schedule.load_shipped(actor="test")
    return schedule.snapshot()


def with_collective_rounding(method: str) -> MoneySchedules:
    """The shipped schedule with every period's collective rounding set to ``method``."""
    schedule = LegalSchedule.start(actor="test")
    schedule.load_shipped(actor="test")
    for period in schedule.snapshot().periods:
        schedule.set_period(code=period.code, title=period.title,
                            effective_from=period.effective_from, rounding=period.rounding,
                            rules=period.rules,
                            meta={**period.meta, "collective_rounding": method},
                            actor="test")
    return schedule.snapshot()


SCHEDULES = shipped()
DOUBLED = with_collective_rounding(MULTIPLY_ROUNDED_INDIVIDUAL)

# (award kind, recipient kind, issuer body, issuer level, date, expected amount, rule cited)
LEGAL_CASES = [
    # NĐ 91/2017 from 2017-10-01 (not 2017-09-15): Bằng khen TTg 3,5 × 1.300.000 = 4.550.000.
    ("bang_khen_thu_tuong", "individual", "government", "central", date(2017, 10, 1), 4_550_000,
     "91 Điều 73.1.a"),
    ("giay_khen_ubnd_xa", "individual", "government", "commune", date(2017, 10, 1), 200_000,
     "0,15 × 1.300.000 = 195.000 → 200.000"),
    ("lao_dong_tien_tien", "individual", "government", "commune", date(2018, 7, 1), 420_000,
     "0,3 × 1.390.000 = 417.000 → 420.000"),
    ("tap_the_lao_dong_tien_tien", "collective", "union", "province", date(2018, 7, 1),
     1_120_000, "0,8 × 1.390.000 = 1.112.000 → 1.120.000 (Ban TĐKT TW)"),
    ("thon_to_dan_pho_van_hoa", "collective", "government", "commune", date(2019, 7, 1),
     2_240_000, "91 Điều 69.2.c: 1,5 × 1.490.000 = 2.235.000 → 2.240.000"),
    ("huan_chuong_lao_dong_hang_ba", "individual", "government", "central", date(2020, 1, 1),
     6_710_000, "91 Điều 70: 4,5 × 1.490.000 = 6.705.000 → 6.710.000"),
    ("huan_chuong_lao_dong_hang_ba", "collective", "government", "central", date(2020, 1, 1),
     13_410_000, "2 × 4,5 × 1.490.000 = 13.410.000"),
    ("bang_khen_thu_tuong", "collective", "government", "central", date(2018, 7, 1), 9_730_000,
     "2 × 3,5 × 1.390.000 = 9.730.000"),
    ("bang_khen_thu_tuong", "collective", "government", "central", date(2019, 7, 1), 10_430_000,
     "2 × 3,5 × 1.490.000 = 10.430.000"),
    # The worked example: a collective's Giấy khen of a commune chairman, 2 × 0,15 × 1.490.000.
    ("giay_khen_ubnd_xa", "collective", "government", "commune", date(2019, 7, 1), 450_000,
     "447.000 → 450.000 (TVPL 5153D)"),
    # Bằng khen of a central mass organisation = Bằng khen cấp bộ/tỉnh: 1,0 (NĐ 91, NĐ 98) → 1,5
    # (NĐ 152/2025 Điều 54.1); collective twice.
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2023, 6, 30), 1_490_000, "91: 1,0"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2023, 7, 1), 1_800_000, "91: 1,0"),
    ("bang_khen_tw_hoi", "collective", "union", "central", date(2024, 6, 30), 3_600_000, "98: 2×"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2024, 7, 1), 2_340_000, "98: 1,0"),
    ("bang_khen_tw_hoi", "collective", "union", "central", date(2024, 7, 1), 4_680_000, "98: 2×"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2025, 6, 30), 2_340_000, "98"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2025, 7, 1), 3_510_000, "152: 1,5"),
    ("bang_khen_tw_hoi", "collective", "union", "central", date(2025, 7, 1), 7_020_000, "152: 2×"),
    ("bang_khen_ubnd_tinh", "individual", "government", "province", date(2020, 1, 1), 1_490_000,
     "91: 1,0"),
    # Giấy khen of the commune chairman: 0,15 (NĐ 91, NĐ 98) → 0,3 (NĐ 152/2025).
    ("giay_khen_ubnd_xa", "individual", "government", "commune", date(2024, 6, 30), 270_000,
     "0,15 × 1.800.000 = 270.000"),
    ("giay_khen_ubnd_xa", "individual", "government", "commune", date(2024, 7, 1), 360_000,
     "0,15 × 2.340.000 = 351.000 → 360.000"),
    ("giay_khen_ubnd_xa", "collective", "government", "commune", date(2024, 7, 1), 710_000,
     "2 × 0,15 × 2.340.000 = 702.000 → 710.000"),
    ("giay_khen_ubnd_xa", "individual", "government", "commune", date(2025, 7, 1), 710_000,
     "0,3 × 2.340.000 = 702.000 → 710.000"),
    # Giấy khen of a district body: 0,3.
    ("giay_khen_ubnd_huyen", "individual", "government", "district", date(2024, 1, 9), 540_000,
     "0,3 × 1.800.000"),
    ("giay_khen_ubnd_huyen", "collective", "government", "district", date(2024, 1, 9), 1_080_000,
     "2 × 0,3 × 1.800.000"),
    ("giay_khen_ubnd_huyen", "collective", "government", "district", date(2024, 7, 1), 1_410_000,
     "2 × 0,3 × 2.340.000 = 1.404.000 → 1.410.000 (DOMAIN)"),
    # Titles (NĐ 98/2023 Điều 54).
    ("lao_dong_tien_tien", "individual", "government", "commune", date(2023, 6, 30), 450_000,
     "0,3 × 1.490.000 = 447.000 → 450.000"),
    ("lao_dong_tien_tien", "individual", "union", "commune", date(2024, 7, 1), 710_000,
     "0,3 × 2.340.000 = 702.000 → 710.000"),
    ("chien_si_thi_dua_co_so", "individual", "union", "province", date(2024, 7, 1), 2_340_000,
     "1,0"),
    ("chien_si_thi_dua_bo_tinh", "individual", "union", "central", date(2024, 7, 1), 7_020_000,
     "3,0"),
    ("tap_the_lao_dong_xuat_sac", "collective", "union", "province", date(2024, 7, 1), 3_510_000,
     "1,5"),
    ("tap_the_lao_dong_tien_tien", "collective", "union", "province", date(2024, 6, 30),
     1_440_000, "0,8 × 1.800.000"),
    ("co_thi_dua_hoi", "collective", "union", "central", date(2024, 7, 1), 18_720_000, "8,0"),
    # Prime Minister's Bằng khen 3,5; Huân chương Lao động hạng Ba 4,5 (collective twice).
    ("bang_khen_thu_tuong", "individual", "government", "central", date(2024, 8, 1), 8_190_000,
     "3,5"),
    ("bang_khen_thu_tuong", "collective", "government", "central", date(2024, 8, 1), 16_380_000,
     "2 × 3,5 × 2.340.000"),
    ("huan_chuong_lao_dong_hang_ba", "collective", "government", "central", date(2024, 8, 1),
     21_060_000, "2 × 4,5 × 2.340.000"),
    # Base salary 2.530.000 đ from 2026-07-01 (NĐ 161/2026/NĐ-CP).
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2026, 6, 30), 3_510_000,
     "1,5 × 2.340.000"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2026, 7, 1), 3_800_000,
     "1,5 × 2.530.000 = 3.795.000 → 3.800.000"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2026, 9, 15), 3_800_000,
     "the issue's example"),
    ("giay_khen_ubnd_xa", "individual", "government", "commune", date(2026, 9, 15), 760_000,
     "0,3 × 2.530.000 = 759.000 → 760.000"),
    ("giay_khen_ubnd_xa", "individual", "government", "commune", date(2026, 6, 30), 710_000,
     "0,3 × 2.340.000"),
    ("lao_dong_tien_tien", "individual", "union", "commune", date(2026, 7, 1), 760_000,
     "0,3 × 2.530.000 = 759.000 → 760.000"),
    ("tap_the_lao_dong_tien_tien", "collective", "union", "province", date(2026, 7, 1),
     2_030_000, "0,8 × 2.530.000 = 2.024.000 → 2.030.000"),
    ("bang_khen_thu_tuong", "individual", "government", "central", date(2026, 7, 1), 8_860_000,
     "3,5 × 2.530.000 = 8.855.000 → 8.860.000"),
    ("bang_khen_thu_tuong", "collective", "government", "central", date(2026, 7, 1), 17_710_000,
     "2 × 3,5 × 2.530.000 = 17.710.000"),
    ("bang_khen_ubnd_tinh", "collective", "government", "province", date(2026, 6, 30), 7_020_000,
     "2 × 1,5 × 2.340.000"),
    ("bang_khen_ubnd_tinh", "collective", "government", "province", date(2026, 7, 1), 7_590_000,
     "2 × 1,5 × 2.530.000 = 7.590.000"),
    # Households (NĐ 152/2025, from 2025-07-01): 1,5 × the individual's amount, product rounded.
    ("giay_khen_ubnd_xa", "household", "government", "commune", date(2025, 7, 1), 1_060_000,
     "1,5 × 0,3 × 2.340.000 = 1.053.000 → 1.060.000"),
    ("giay_khen_ubnd_xa", "household", "government", "commune", date(2026, 7, 1), 1_140_000,
     "1,5 × 0,3 × 2.530.000 = 1.138.500 → 1.140.000"),
    ("bang_khen_tw_hoi", "household", "union", "central", date(2025, 7, 1), 5_270_000,
     "1,5 × 1,5 × 2.340.000 = 5.265.000 → 5.270.000"),
    ("bang_khen_tw_hoi", "household", "union", "central", date(2026, 7, 1), 5_700_000,
     "1,5 × 1,5 × 2.530.000 = 5.692.500 → 5.700.000"),
    ("bang_khen_thu_tuong", "household", "government", "central", date(2026, 7, 1), 13_290_000,
     "1,5 × 3,5 × 2.530.000 = 13.282.500 → 13.290.000"),
]

# The other rounding method, behind the period's setting: factor × the rounded individual amount.
DOUBLED_CASES = [
    ("giay_khen_ubnd_xa", "collective", "government", "commune", date(2019, 7, 1), 460_000,
     "2 × 230.000"),
    ("giay_khen_ubnd_huyen", "collective", "government", "district", date(2024, 7, 1), 1_420_000,
     "2 × 710.000"),
    ("bang_khen_ubnd_tinh", "collective", "government", "province", date(2026, 7, 1), 7_600_000,
     "2 × 3.800.000"),
    ("bang_khen_thu_tuong", "collective", "government", "central", date(2018, 7, 1), 9_740_000,
     "2 × 4.870.000"),
    ("giay_khen_ubnd_xa", "household", "government", "commune", date(2025, 7, 1), 1_070_000,
     "1,5 × 710.000 = 1.065.000 → 1.070.000"),
    ("bang_khen_tw_hoi", "household", "union", "central", date(2026, 7, 1), 5_700_000,
     "1,5 × 3.800.000"),
    ("bang_khen_tw_hoi", "individual", "union", "central", date(2026, 7, 1), 3_800_000,
     "an individual is not affected"),
]


@pytest.mark.parametrize(
    ("award_kind", "recipient_kind", "body", "level", "on", "expected", "rule"),
    DOUBLED_CASES,
    ids=[f"{c[0]}-{c[1]}-{c[4]}" for c in DOUBLED_CASES],
)
def test_legal_amounts_when_the_rounded_individual_amount_is_multiplied(
    award_kind, recipient_kind, body, level, on, expected, rule
):
    q = quote(award_kind=award_kind, recipient_kind=recipient_kind, issuer_body=body,
              issuer_level=level, on=on, schedules=DOUBLED)
    assert (q.source, q.amount) == (LEGAL, expected), (rule, q.explanation)
    if recipient_kind != "individual":
        assert "làm tròn mức của cá nhân rồi mới nhân" in q.explanation
        assert q.rule["collective_rounding"] == MULTIPLY_ROUNDED_INDIVIDUAL


@pytest.mark.parametrize(
    ("award_kind", "recipient_kind", "body", "level", "on", "expected", "rule"),
    LEGAL_CASES,
    ids=[f"{c[0]}-{c[1]}-{c[4]}" for c in LEGAL_CASES],
)
def test_legal_amounts(award_kind, recipient_kind, body, level, on, expected, rule):
    q = quote(award_kind=award_kind, recipient_kind=recipient_kind, issuer_body=body,
              issuer_level=level, on=on, schedules=SCHEDULES)
    assert q.source == LEGAL
    assert q.amount == expected, (rule, q.explanation)
    assert q.maximum is None
    assert format_dong(expected) in q.explanation
    if q.rule["factor"] != 1:  # a collective or household: the explanation names the method
        assert "nhân đủ các hệ số rồi mới làm tròn" in q.explanation
        assert q.rule["collective_rounding"] == ROUND_PRODUCT


def test_verified_only_where_a_source_quotes_every_part_of_the_figure():
    def q(kind, who, body, level, on, schedules=SCHEDULES):
        return quote(award_kind=kind, recipient_kind=who, issuer_body=body, issuer_level=level,
                     on=on, schedules=schedules)

    # NĐ 91 Điều 73, base NĐ 47/2017: all quoted, no rounding needed.
    assert q("bang_khen_thu_tuong", "collective", "government", "central", date(2017, 10, 1)
             ).verified
    # 2.530.000 đ (NĐ 161/2026) is verified; NĐ 152's rounding clause was not found.
    assert SCHEDULES.base_salary_on(date(2026, 7, 1)).verified
    rounded = q("bang_khen_tw_hoi", "individual", "union", "central", date(2026, 7, 1))
    assert not rounded.verified and "quy định làm tròn" in rounded.explanation
    exact = q("chien_si_thi_dua_co_so", "individual", "union", "province", date(2026, 7, 1))
    assert exact.verified and "chưa được xác minh" not in exact.explanation
    # Where the two ways of rounding a collective disagree, the (inferred) method is unverified;
    # where they agree it does not matter.
    differ = q("giay_khen_ubnd_xa", "collective", "government", "commune", date(2019, 7, 1))
    assert not differ.verified and "cách làm tròn tiền thưởng" in differ.explanation
    agree = q("huan_chuong_lao_dong_hang_ba", "collective", "government", "central",
              date(2024, 8, 1))
    assert agree.amount == 21_060_000 and agree.verified  # 2 × 4,5 × 2.340.000, exact
    # NĐ 98's Bằng khen coefficients were not quoted.
    assert not q("bang_khen_tw_hoi", "individual", "union", "central", date(2024, 7, 1)).verified


def test_the_shipped_sources_cite_their_articles():
    periods = {p.code: p for p in SCHEDULES.periods}
    assert periods["nd91_2017"].effective_from == date(2017, 10, 1)
    for period in periods.values():
        assert period.meta["rounding_source"]
        assert period.collective_rounding == ROUND_PRODUCT
        assert period.collective_rounding_verified is False
        for key, rule in period.rules.items():
            assert "Điều" in rule["source"], (period.code, key)
    nd91 = periods["nd91_2017"].rules
    assert nd91["thon_to_dan_pho_van_hoa"] == {
        "collective": "1.5", "cap": False, "verified": True,
        "source": "NĐ 91/2017 Điều 69 khoản 2 điểm c"}
    assert nd91["huan_chuong_sao_vang"]["individual"] == "46.0"
    assert all(nd91[k]["verified"] and nd91[k]["collective_verified"] for k in
               ("bang_khen_thu_tuong", "bang_khen_bo_tinh", "giay_khen", "giay_khen_xa"))
    assert "xa_phuong_tieu_bieu" not in nd91  # that title came with the 2022 law
    bases = {b.effective_from: b for b in SCHEDULES.base_salaries}
    assert all(b.verified for b in bases.values())
    assert (bases[date(2026, 7, 1)].amount, bases[date(2026, 7, 1)].legal_basis) == \
        (2_530_000, "Nghị định 161/2026/NĐ-CP")


def test_an_unknown_collective_rounding_method_is_refused():
    schedule = LegalSchedule.start(actor="test")
    schedule.load_shipped(actor="test")
    period = schedule.snapshot().periods[0]
    with pytest.raises(ValidationFailed):
        schedule.set_period(code=period.code, title=period.title,
                            effective_from=period.effective_from, rounding=period.rounding,
                            rules=period.rules, meta={"collective_rounding": "nearest"},
                            actor="test")


def test_the_explanation_reads_like_the_brief():
    q = quote(award_kind="bang_khen_tw_hoi", recipient_kind="collective", issuer_body="union",
              issuer_level="central", on=date(2024, 7, 1), schedules=SCHEDULES)
    assert "tập thể: 2 × 1,0 × 2.340.000 đ = 4.680.000 đ" in q.explanation
    assert "Nghị định 73/2024/NĐ-CP" in q.explanation  # the base salary's source
    assert q.rule["period"] == "nd98_2023" and q.rule["base_salary"] == 2_340_000


def test_rounding_is_said_when_it_happens():
    q = quote(award_kind="giay_khen_ubnd_xa", recipient_kind="individual",
              issuer_body="government", issuer_level="commune", on=date(2024, 7, 1),
              schedules=SCHEDULES)
    assert "351.000 đ, làm tròn lên 360.000 đ" in q.explanation


def test_up_to_coefficient_gives_a_maximum_not_an_amount():
    # Kỷ niệm chương: "không quá 0,6 lần" (NĐ 98/2023 Điều 58.1.d): 1.404.000 → 1.410.000.
    q = quote(award_kind="ky_niem_chuong_phu_nu", recipient_kind="individual",
              issuer_body="union", issuer_level="central", on=date(2024, 7, 1),
              schedules=SCHEDULES)
    assert (q.amount, q.maximum, q.is_cap) == (None, 1_410_000, True)
    assert "tối đa" in q.explanation


def test_before_any_decree_period_or_without_a_rule_there_is_no_amount():
    early = quote(award_kind="bang_khen_tw_hoi", recipient_kind="individual", issuer_body="union",
                  issuer_level="central", on=date(2016, 1, 1), schedules=SCHEDULES)
    assert (early.amount, early.source) == (None, NONE)
    before_nd91 = quote(award_kind="bang_khen_thu_tuong", recipient_kind="individual",
                        issuer_body="government", issuer_level="central", on=date(2017, 9, 30),
                        schedules=SCHEDULES)
    assert (before_nd91.amount, before_nd91.source) == (None, NONE)
    household = quote(award_kind="gia_dinh_van_hoa", recipient_kind="household",
                      issuer_body="government", issuer_level="commune", on=date(2024, 7, 1),
                      schedules=SCHEDULES)
    assert (household.amount, household.source) == (None, NONE)
    assert "quyết định cần ghi số tiền" in household.explanation


def test_internal_rates_apply_from_their_date():
    rates = (
        InternalRate("giay_khen_hoi", "collective", date(2023, 1, 1), 400_000),
        InternalRate("giay_khen_hoi", "collective", date(2024, 1, 1), 500_000, "NQ 5/2023"),
        InternalRate("giay_khen_hoi", "individual", date(2024, 1, 1), 300_000),
    )

    def at(on, who="collective"):
        return quote(award_kind="giay_khen_hoi", recipient_kind=who, issuer_body="union",
                     issuer_level="district", on=on, schedules=SCHEDULES, internal_rates=rates,
                     issuer_name="Hội LHPN quận Bắc Từ Liêm")

    assert at(date(2023, 12, 31)).amount == 400_000
    assert at(date(2024, 1, 9)).amount == 500_000
    assert "Hội LHPN quận Bắc Từ Liêm" in at(date(2024, 1, 9)).explanation
    assert at(date(2024, 1, 9), "individual").amount == 300_000
    assert at(date(2022, 12, 31)).source == NONE
    # 33 collectives and 61 individuals at those rates: the seed article's 34.800.000 đ.
    assert 33 * at(date(2024, 1, 9)).amount + 61 * at(date(2024, 1, 9), "individual").amount \
        == 34_800_000


def test_an_individual_only_kind_refuses_a_collective():
    with pytest.raises(RecipientKindNotAllowed):
        quote(award_kind="lao_dong_tien_tien", recipient_kind="collective", issuer_body="union",
              issuer_level="commune", on=date(2024, 7, 1), schedules=SCHEDULES)


# -- a line's money ---------------------------------------------------------------------------


def legal_quote(kind="bang_khen_tw_hoi", who="individual", on=date(2024, 7, 1)):
    return quote(award_kind=kind, recipient_kind=who, issuer_body="union",
                 issuer_level="central", on=on, schedules=SCHEDULES)


def test_computed_line_keeps_the_rule_amount_and_why():
    q = legal_quote()
    fields = price(line_no=1, mode=COMPUTED, amount=None, quote=q)
    assert fields["amount"] == 2_340_000 and fields["amount_source"] == LEGAL
    assert fields["explanation"] == q.explanation and fields["rule"]["period"] == "nd98_2023"


def test_decided_line_differing_from_the_rule_is_kept_with_a_warning():
    fields = price(line_no=1, mode=DECIDED, amount=2_000_000, quote=legal_quote())
    assert fields["amount"] == 2_000_000 and fields["amount_source"] == DECIDED
    assert [w["code"] for w in fields["warnings"]] == [WARNING_DIFFERS]
    same = price(line_no=1, mode=DECIDED, amount=2_340_000, quote=legal_quote())
    assert same["warnings"] == []


def test_decided_amount_above_a_cap_is_warned_and_computed_refuses_a_cap():
    cap = legal_quote(kind="ky_niem_chuong_phu_nu")
    above = price(line_no=3, mode=DECIDED, amount=1_500_000, quote=cap)
    assert [w["code"] for w in above["warnings"]] == [WARNING_ABOVE_CAP]
    with pytest.raises(AmountNeedsChoice) as refused:
        price(line_no=3, mode=COMPUTED, amount=None, quote=cap)
    assert refused.value.details["maximum"] == 1_410_000
    assert "1.410.000 đ" in refused.value.message


def test_not_stated_is_neither_zero_nor_computed():
    fields = price(line_no=1, mode=NOT_STATED, amount=None, quote=legal_quote())
    assert fields["amount"] is None and fields["amount_source"] == NOT_STATED
    assert fields["rule_amount"] == 2_340_000  # what the rule would have said, for reference
    with pytest.raises(AmountNotExpected):
        price(line_no=1, mode=NOT_STATED, amount=0, quote=legal_quote())


def test_mode_mistakes_are_refused():
    with pytest.raises(AmountMissing):
        price(line_no=2, mode=DECIDED, amount=None, quote=legal_quote())
    with pytest.raises(AmountNotExpected):
        price(line_no=2, mode=COMPUTED, amount=5, quote=legal_quote())
    with pytest.raises(NoMoneyRule):
        price(line_no=2, mode=COMPUTED, amount=None,
              quote=legal_quote(on=date(2016, 1, 1)))


def _line(no, kind, key="cccd:1", period="2024", issuer=("union", "province")):
    q = quote(award_kind=kind, recipient_kind="individual", issuer_body=issuer[0],
              issuer_level=issuer[1], on=date(2024, 12, 1), schedules=SCHEDULES)
    return DecisionLine.from_dict({
        "line_no": no, "award_kind": kind, "recipient_key": key, "period": period,
        "recipient": {"kind": "individual", "name": key}, "achievement": "",
        **price(line_no=no, mode=COMPUTED, amount=None, quote=q)})


def test_several_titles_for_one_achievement_pay_only_the_highest_and_a_form_is_paid_too():
    lines = [
        _line(1, "lao_dong_tien_tien"),  # 710.000
        _line(2, "chien_si_thi_dua_co_so"),  # 2.340.000: the highest title
        _line(3, "bang_khen_ubnd_tinh", issuer=("government", "province")),  # a form
        _line(4, "lao_dong_tien_tien", period="2023"),  # another achievement
        _line(5, "lao_dong_tien_tien", key="cccd:2"),  # another person
    ]
    assert highest_title_only(lines) == [1]
    assert highest_title_groups(lines) == {1: 2}
    lines = apply_highest_title_policy(lines)
    paid = {line.line_no: line.amount for line in lines}
    assert paid == {1: 0, 2: 2_340_000, 3: 2_340_000, 4: 710_000, 5: 710_000}
    assert "dòng 2" in lines[0].explanation
    assert [w["code"] for w in lines[0].warnings] == ["money.highest_title_only"]


def test_on_a_tie_of_titles_the_earlier_line_is_paid():
    lines = [_line(1, "lao_dong_tien_tien"), _line(2, "lao_dong_tien_tien")]
    lines = apply_highest_title_policy(lines)
    assert [line.amount for line in lines] == [710_000, 0]
    assert "dòng 1" in lines[1].explanation


# -- properties -------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2017, 10, 1), max_value=date(2030, 12, 31))
LEGAL_KINDS = sorted(
    (code, decider)
    for code in catalog().kinds
    for decider, rule in kind_rules(code).items()
    if rule != "internal"
)


def _issuer(decider):
    body, _, level = decider.partition(":")
    return ("union", "province") if body == "*" else (body, level)


@given(kind=st.sampled_from(LEGAL_KINDS), on=DAYS)
def test_a_collective_gets_twice_the_individual_rounded_as_the_period_says(kind, on):
    code, decider = kind
    body, level = _issuer(decider)
    if not {"individual", "collective"} <= set(catalog().kind(code).recipients):
        return
    table = SCHEDULES.period_on(on).rules.get(kind_rules(code)[decider])
    if not table or table.get("collective") is not None or table.get("collective_factor") != 2:
        return
    base = SCHEDULES.base_salary_on(on).amount

    def figure(who, schedules):
        q = quote(award_kind=code, recipient_kind=who, issuer_body=body, issuer_level=level,
                  on=on, schedules=schedules)
        return q.amount if q.amount is not None else q.maximum

    single, double = figure("individual", SCHEDULES), figure("collective", SCHEDULES)
    # round_product (default): the collective's own product is rounded once …
    assert double == round_up_10000(2 * Fraction(table["individual"]) * base)
    assert 2 * single - 10_000 <= double <= 2 * single
    # … multiply_rounded_individual: exactly twice the rounded individual amount.
    assert figure("collective", DOUBLED) == 2 * figure("individual", DOUBLED) == 2 * single


@given(kind=st.sampled_from(LEGAL_KINDS), on=DAYS)
def test_a_household_gets_one_and_a_half_times_where_the_period_says_so(kind, on):
    code, decider = kind
    body, level = _issuer(decider)
    if "household" not in catalog().kind(code).recipients:
        return
    q = quote(award_kind=code, recipient_kind="household", issuer_body=body, issuer_level=level,
              on=on, schedules=SCHEDULES)
    table = SCHEDULES.period_on(on).rules.get(kind_rules(code)[decider]) or {}
    if table.get("household_factor") is None:  # before NĐ 152/2025: the decision states it
        assert (q.amount, q.source) == (None, NONE)
        return
    assert on >= date(2025, 7, 1)
    base = SCHEDULES.base_salary_on(on).amount
    assert q.amount == round_up_10000(Fraction(3, 2) * Fraction(table["individual"]) * base)
    assert q.verified is False and "mức cho hộ gia đình" in q.explanation


@given(kind=st.sampled_from(LEGAL_KINDS), on=DAYS, who=st.sampled_from(["individual",
                                                                         "collective"]))
def test_amounts_are_whole_non_negative_multiples_of_ten_thousand(kind, on, who):
    code, decider = kind
    if who not in catalog().kind(code).recipients:
        return
    body, level = _issuer(decider)
    q = quote(award_kind=code, recipient_kind=who, issuer_body=body, issuer_level=level, on=on,
              schedules=SCHEDULES)
    figure = q.amount if q.amount is not None else q.maximum
    if q.source == NONE:  # a period whose table lacks the kind (Huân chương before 2024)
        assert figure is None and "quyết định cần ghi số tiền" in q.explanation
        return
    assert type(figure) is int
    assert figure >= 0 and figure % 10_000 == 0


@given(st.fractions(min_value=0, max_value=10**9))
def test_rounding_up_is_idempotent_and_never_rounds_down(value):
    once = round_up_10000(value)
    assert once == round_up_10000(once)
    assert once >= value and once - value < 10_000 and once % 10_000 == 0


@given(
    on=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    later=st.integers(min_value=1, max_value=2000),
    new_base=st.integers(min_value=1_000_000, max_value=5_000_000),
)
def test_a_later_schedule_never_changes_an_earlier_quote(on, later, new_base):
    schedule = LegalSchedule.start(actor="test")
    schedule.load_shipped(actor="test")
    before = quote(award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                   issuer_body="union", issuer_level="central", on=on,
                   schedules=schedule.snapshot())
    schedule.set_base_salary(effective_from=on + timedelta(days=later), amount=new_base,
                             legal_basis="Nghị định giả định", verified=False, note="",
                             actor="test")
    after = quote(award_kind="bang_khen_tw_hoi", recipient_kind="individual",
                  issuer_body="union", issuer_level="central", on=on,
                  schedules=schedule.snapshot())
    assert after.amount == before.amount


@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10**10)), max_size=50))
def test_totals_are_the_sum_of_stated_amounts_and_count_the_rest(amounts):
    from services.representations import decision_totals

    lines = [DecisionLine(line_no=no, recipient={"kind": "individual", "name": "A"},
                          recipient_key=f"k{no}", award_kind="giay_khen_hoi", period="2024",
                          achievement="", amount=a, amount_source="decided",
                          amount_mode="decided") for no, a in enumerate(amounts, start=1)]
    totals = decision_totals(lines)
    stated = [a for a in amounts if a is not None]
    assert totals["amount"] == (sum(stated) if stated else None)
    assert totals["lines_without_amount"] == amounts.count(None)


# -- amounts in words and figures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (1_001_000, "Một triệu không trăm linh một nghìn đồng"),
        (1_010_000, "Một triệu không trăm mười nghìn đồng"),
        (10_000_000, "Mười triệu đồng"),
        (34_800_000, "Ba mươi bốn triệu tám trăm nghìn đồng"),
        (73_640_000, "Bảy mươi ba triệu sáu trăm bốn mươi nghìn đồng"),
        (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
    ],
)
def test_amounts_in_words(amount, words):
    assert dong_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0 đ"), (105_000, "105.000 đ"), (73_640_000, "73.640.000 đ"), (None, "không ghi số tiền")],
)
def test_display_format(amount, text):
    assert format_dong(amount) == text


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_words_are_nfc_capitalised_and_end_in_dong(amount):
    import unicodedata

    words = dong_in_words(amount)
    assert unicodedata.normalize("NFC", words) == words
    assert words[0].isupper() and words.endswith(" đồng")
    assert "  " not in words


def test_exact_fractions_not_floats():
    # 0,15 × 2.340.000 is exactly 351.000; a float product would be 350999.99999999994.
    assert Fraction("0.15") * 2_340_000 == 351_000
    assert round_up_10000(Fraction("0.15") * 2_340_000) == 360_000
