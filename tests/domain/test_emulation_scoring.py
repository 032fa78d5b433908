"""Points, totals, ranking and classification (domain.emulation.scoring): totals are sums of
agreed scores minus deductions, within 0..max; competition ranking shares positions on ties,
skips the next ones and does not depend on the input's order."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.emulation.errors import (
    DeductionUnknown,
    PointsTableInvalid,
    ProposalRulesInvalid,
    ScoreInvalid,
    ScoreItemUnknown,
    ThresholdsInvalid,
)
from domain.emulation.indicators import Indicator, dec_text
from domain.emulation.scoring import (
    DEFAULT_THRESHOLDS,
    agreed_total,
    cap_for,
    classify,
    parse_points,
    points_table,
    proposal_rules_from,
    rank,
    share_from,
    thresholds_from,
)

INDICATORS = (
    Indicator(code="1", text="Sinh hoạt cơ sở Hội", measure="yes_no", max_points="300"),
    Indicator(code="2", text="Thành lập hợp tác xã", target="1", max_points="400"),
    Indicator(code="3", text="Chỉ tiêu không chấm điểm", target="1"),
)
OWN = {"items": [{"code": "cum", "text": "Tham gia hoạt động chung của cụm",
                  "max_points": "300"}],
       "deductions": [{"text": "Báo cáo chậm", "points": "10", "per": "each"},
                      {"code": "kl", "text": "Bị kỷ luật", "points": "50", "per": "once"}],
       "total_max": "1000"}
TABLE = points_table(INDICATORS, OWN)


def test_the_points_table_takes_scored_indicators_and_own_items():
    assert [(i.code, i.max_points, i.from_indicator) for i in TABLE.items] == [
        ("1", 300, True), ("2", 400, True), ("cum", 300, False)]
    assert TABLE.total_max == 1000
    assert [(d.code, d.per) for d in TABLE.deductions] == [("t1", "each"), ("kl", "once")]
    assert TABLE.deduction("t1").amount(3) == 30
    assert TABLE.deduction("kl").amount(3) == 50
    assert TABLE.deduction("kl").amount(0) == 0
    with pytest.raises(ScoreItemUnknown):
        TABLE.item("3")
    with pytest.raises(DeductionUnknown):
        TABLE.deduction("t9")


@pytest.mark.parametrize("data", [
    {**OWN, "total_max": "950"},
    {"items": [{"code": "1", "text": "trùng mã chỉ tiêu", "max_points": "10"}]},
    {"items": [{"code": "x", "text": "", "max_points": "10"}]},
    {"items": [{"code": "x", "text": "x", "max_points": "0"}]},
    {"items": [{"code": "x", "text": "x", "max_points": "10.25"}]},
    {"deductions": [{"text": "x", "points": "5", "per": "sometimes"}]},
    {"deductions": [{"text": "x", "points": "-5"}]},
    {"deductions": [{"code": "a", "text": "x", "points": "5"},
                    {"code": "a", "text": "y", "points": "5"}]},
    {"bonus": []},
])
def test_invalid_points_tables_are_refused(data):
    with pytest.raises(PointsTableInvalid):
        points_table(INDICATORS, data)


@pytest.mark.parametrize("value,ok", [("95.5", True), ("300", True), ("300.1", False),
                                      ("-1", False), ("10.25", False), (9.5, False),
                                      (0, True)])
def test_a_score_has_one_decimal_place_within_its_maximum(value, ok):
    if ok:
        assert parse_points(value, Decimal(300), "mục 1") == Decimal(str(value))
    else:
        with pytest.raises(ScoreInvalid):
            parse_points(value, Decimal(300), "mục 1")


scores = st.fixed_dictionaries({}, optional={
    "1": st.decimals(min_value=0, max_value=300, places=1),
    "2": st.decimals(min_value=0, max_value=400, places=1),
    "cum": st.decimals(min_value=0, max_value=300, places=1)})
deductions = st.fixed_dictionaries({}, optional={"t1": st.integers(0, 200),
                                                 "kl": st.integers(0, 1)})


@given(scores=scores, deducted=deductions)
def test_a_total_is_the_sum_of_agreed_scores_less_deductions_within_bounds(scores, deducted):
    total = agreed_total(TABLE, scores, deducted)
    assert total.scored == sum(scores.values(), Decimal(0))
    assert total.deducted == 10 * deducted.get("t1", 0) + 50 * deducted.get("kl", 0)
    assert total.points == max(Decimal(0), total.scored - total.deducted)
    assert 0 <= total.points <= TABLE.total_max == total.maximum
    assert set(total.missing) == {"1", "2", "cum"} - set(scores)
    assert total.complete == (len(scores) == 3)


def test_a_total_refuses_scores_out_of_the_table():
    with pytest.raises(ScoreInvalid):
        agreed_total(TABLE, {"1": Decimal("301")})
    with pytest.raises(ScoreItemUnknown):
        agreed_total(TABLE, {"3": Decimal(1)})
    total = agreed_total(TABLE, {"1": Decimal("295.5"), "2": Decimal(400), "cum": Decimal(290)},
                         {"t1": 2})
    assert total.points == Decimal("965.5") and total.text == "965,5/1.000"


# -- ranking --------------------------------------------------------------------------------------


def test_competition_ranking_shares_and_skips_positions():
    ranking = rank({"A": 950, "B": 900, "C": 900, "D": 880, "E": 900})
    assert [(r.member, r.position, r.tied_with) for r in ranking] == [
        ("A", 1, ()), ("B", 2, ("C", "E")), ("C", 2, ("B", "E")), ("E", 2, ("B", "C")),
        ("D", 5, ())]
    assert ranking[1].position_text == "đồng hạng 2"


def test_tie_breakers_separate_ties_in_turn():
    totals = {"A": 900, "B": 900, "C": 900}
    ranking = rank(totals, [{"A": 5, "B": 7, "C": 7}, {"B": 1}])
    assert [(r.member, r.position, r.tied_with) for r in ranking] == [
        ("B", 1, ()), ("C", 2, ()), ("A", 3, ())]
    still_tied = rank(totals, [{"A": 5, "B": 7, "C": 7}])
    assert [(r.member, r.position) for r in still_tied] == [("B", 1), ("C", 1), ("A", 3)]
    assert still_tied[0].tied_with == ("C",)


totals_st = st.dictionaries(st.text(alphabet="abcdefgh", min_size=1, max_size=3),
                            st.integers(0, 20).map(lambda n: Decimal(n * 50)), min_size=1,
                            max_size=12)


@given(totals=totals_st, seed=st.integers(0, 1000))
def test_ranking_is_competition_ranking_and_permutation_invariant(totals, seed):
    ranking = rank(totals)
    for entry in ranking:
        assert entry.position == 1 + sum(1 for t in totals.values() if t > entry.total)
        assert set(entry.tied_with) == {m for m, t in totals.items()
                                        if t == entry.total and m != entry.member}
    positions = [r.position for r in ranking]
    assert positions == sorted(positions)
    # the next position after a tie skips as many places as the tie holds
    for a, b in itertools.pairwise(ranking):
        if b.position != a.position:
            assert b.position == a.position + 1 + len(a.tied_with)
    items = list(totals.items())
    random.Random(seed).shuffle(items)
    assert rank(dict(items)) == ranking


# -- classification -------------------------------------------------------------------------------


@pytest.mark.parametrize("total,code", [(1000, "xuat_sac"), (950, "xuat_sac"),
                                        (Decimal("949.9"), "tot"), (850, "tot"),
                                        (700, "hoan_thanh"), (0, "khong_hoan_thanh")])
def test_classify_by_descending_thresholds(total, code):
    assert classify(total, DEFAULT_THRESHOLDS).code == code


def test_below_every_threshold_is_not_classified():
    assert classify(100, [("dat", "Đạt", 500)]) is None


@pytest.mark.parametrize("items", [
    [("a", "A", 700), ("b", "B", 800)],
    [("a", "A", 800), ("b", "B", 800)],
    [("a", "A", 800), ("a", "B", 700)],
    [("A", "A", 800)],
    [("a", "", 800)],
    [("a", "A", -1)],
    [("a", "A")],
    "xuat_sac",
])
def test_invalid_thresholds_are_refused(items):
    with pytest.raises(ThresholdsInvalid):
        thresholds_from(items)


def test_thresholds_as_dicts():
    levels = thresholds_from([{"code": "xuat_sac", "label": "Hoàn thành xuất sắc",
                               "minimum": "950"}])
    assert levels[0].as_dict() == {"code": "xuat_sac", "label": "Hoàn thành xuất sắc",
                                   "minimum": "950"}


# -- proposal rules -------------------------------------------------------------------------------


def test_proposal_rules_and_cap():
    rules = proposal_rules_from([
        {"rank_from": 2, "rank_to": 3, "award_kind": "bang_khen_tw_hoi"},
        {"rank_from": 1, "rank_to": 1, "award_kind": "co_thi_dua_hoi",
         "requires_class": "xuat_sac"}], thresholds_from(DEFAULT_THRESHOLDS))
    assert [r.award_kind for r in rules] == ["co_thi_dua_hoi", "bang_khen_tw_hoi"]
    assert share_from("1/3") == Fraction(1, 3)
    assert share_from({"numerator": 2, "denominator": 5}) == Fraction(2, 5)
    assert cap_for(Fraction(1, 3), 9) == 3 and cap_for(Fraction(1, 3), 8) == 2
    assert cap_for(None, 9) is None


@pytest.mark.parametrize("rules", [
    [{"rank_from": 1, "rank_to": 2, "award_kind": "co_thi_dua_hoi"},
     {"rank_from": 2, "rank_to": 3, "award_kind": "bang_khen_tw_hoi"}],
    [{"rank_from": 3, "rank_to": 1, "award_kind": "co_thi_dua_hoi"}],
    [{"rank_from": 0, "rank_to": 1, "award_kind": "co_thi_dua_hoi"}],
    [{"rank_from": 1, "rank_to": 1, "award_kind": "ky_niem_chuong_phu_nu"}],  # individuals only
    [{"rank_from": 1, "rank_to": 1, "award_kind": "co_thi_dua_hoi", "requires_class": "vip"}],
])
def test_invalid_proposal_rules_are_refused(rules):
    with pytest.raises(ProposalRulesInvalid):
        proposal_rules_from(rules, thresholds_from(DEFAULT_THRESHOLDS))


@pytest.mark.parametrize("share", ["0/3", "4/3", "1/0", "a third", 0.33, {"numerator": 1}])
def test_invalid_caps_are_refused(share):
    with pytest.raises(ProposalRulesInvalid):
        share_from(share)


def test_points_are_kept_as_text():
    assert dec_text(TABLE.total_max) == "1000"
    assert TABLE.as_dict()["items"][0] == {"code": "1", "text": "Sinh hoạt cơ sở Hội",
                                           "max_points": "300", "from_indicator": True}
