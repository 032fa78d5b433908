"""Emulation indicators (domain.emulation.indicators): validation, exact numbers, evaluation and
the board column's counts. Unknown is never achieved and never zero; not applicable leaves the
denominator; a better value never evaluates worse."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.emulation.errors import IndicatorInvalid, ResultInvalid
from domain.emulation.indicators import (
    ACHIEVED,
    EXCEEDED,
    NOT_ACHIEVED,
    NOT_APPLICABLE,
    UNKNOWN,
    Evaluation,
    Indicator,
    Result,
    count_indicator,
    dec_text,
    evaluate,
    indicator_from_dict,
    indicators_from,
    parse_decimal,
    result_for,
    vi_number,
)
from tests.helpers import case

COOPERATIVES = Indicator(code="2", text="Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
                         unit="hợp tác xã", measure="number", target="1", summable=True)
VICTIMS = Indicator(code="3", text="Hỗ trợ nạn nhân bạo lực gia đình", measure="percent",
                    target="80", applies="when_cases")
LATE_REPORTS = Indicator(code="9", text="Số báo cáo nộp chậm", measure="number", target="2",
                         direction="at_most", unit="báo cáo")
YES_NO = Indicator(code="1", text="Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
                   measure="yes_no")
ORDER = {NOT_ACHIEVED: 0, ACHIEVED: 1, EXCEEDED: 2}


# -- exact numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("given_,text,shown", [
    ("957.5", "957.5", "957,5"),
    ("957,5", "957.5", "957,5"),
    (13747, "13747", "13.747"),
    ("1000.0", "1000", "1.000"),
    (Decimal("0.10"), "0.1", "0,1"),
    ("-0", "0", "0"),
    ("1234567.25", "1234567.25", "1.234.567,25"),
])
def test_exact_numbers_kept_as_text_and_shown_with_a_decimal_comma(given_, text, shown):
    number = parse_decimal(given_, places=4)
    assert dec_text(number) == text
    assert vi_number(number) == shown


@pytest.mark.parametrize("bad", [0.5, True, "1e3", "13.747.000", "", "abc", None, "1.23456"])
def test_inexact_or_malformed_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        parse_decimal(bad, places=4)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False,
                   allow_infinity=False))
def test_decimal_text_round_trips(number):
    assert Decimal(dec_text(number)) == number
    assert parse_decimal(dec_text(number), places=3) == number
    assert "E" not in dec_text(number)


# -- indicators -----------------------------------------------------------------------------------


def test_an_indicator_is_normalised():
    indicator = indicator_from_dict({"code": "2a", "text": "  Thành lập\u0020 HTX ",
                                     "measure": "number", "target": 5, "unit": "hợp tác xã",
                                     "summable": True, "max_points": "50.0"})
    assert indicator.text == "Thành lập HTX"
    assert indicator.target == "5" and indicator.max_points == "50"
    assert indicator.target_text == "≥ 5 hợp tác xã"
    assert indicator_from_dict(indicator.as_dict()) == indicator
    assert YES_NO.target == "yes" and YES_NO.target_text == "có"
    assert VICTIMS.unit == "%" and VICTIMS.target_text == "≥ 80%"
    nfd = Indicator(code="1", text="Nguye\u0302\u0303n", measure="yes_no")
    assert nfd.text == "Nguyễn"


@pytest.mark.parametrize("data", [
    {"code": "", "text": "x", "target": "1"},
    {"code": "1 2", "text": "x", "target": "1"},
    {"code": "1", "text": " ", "target": "1"},
    {"code": "1", "text": "x"},  # a number needs a target
    {"code": "1", "text": "x", "target": 0.5},
    {"code": "1", "text": "x", "measure": "percent", "target": "101"},
    {"code": "1", "text": "x", "measure": "percent", "target": "50", "summable": True},
    {"code": "1", "text": "x", "measure": "percent", "target": "50", "unit": "hộ"},
    {"code": "1", "text": "x", "measure": "yes_no", "summable": True},
    {"code": "1", "text": "x", "measure": "yes_no", "direction": "at_most"},
    {"code": "1", "text": "x", "measure": "yes_no", "target": "maybe"},
    {"code": "1", "text": "x", "measure": "score", "target": "1"},
    {"code": "1", "text": "x", "target": "1", "direction": "more"},
    {"code": "1", "text": "x", "target": "1", "applies": "sometimes"},
    {"code": "1", "text": "x", "target": "1", "max_points": "10.25"},
    {"code": "1", "text": "x", "target": "-1"},
    {"code": "1", "text": "x", "target": "1", "colour": "red"},
    {"code": "1", "text": "x" * 2001, "target": "1"},
])
def test_invalid_indicators_are_refused(data):
    with pytest.raises(IndicatorInvalid) as caught:
        indicator_from_dict(data)
    assert caught.value.code == "emulation.indicator_invalid"


def test_indicator_codes_are_unique():
    with pytest.raises(IndicatorInvalid):
        indicators_from([YES_NO.as_dict(), {**YES_NO.as_dict(), "text": "khác"}])


# -- results and evaluation -----------------------------------------------------------------------


@pytest.mark.parametrize("indicator,value,expected", [
    (COOPERATIVES, "0", NOT_ACHIEVED),
    (COOPERATIVES, "1", ACHIEVED),
    (COOPERATIVES, "4", EXCEEDED),
    (LATE_REPORTS, "3", NOT_ACHIEVED),
    (LATE_REPORTS, "2", ACHIEVED),
    (LATE_REPORTS, "0", EXCEEDED),
    (YES_NO, "yes", ACHIEVED),
    (YES_NO, "no", NOT_ACHIEVED),
    (YES_NO, True, ACHIEVED),
])
def test_evaluation_compares_exactly(indicator, value, expected):
    assert evaluate(indicator, result_for(indicator, value=value)) == expected


def test_no_result_is_unknown_and_no_case_is_not_applicable():
    assert evaluate(COOPERATIVES, None) == UNKNOWN
    assert evaluate(VICTIMS, result_for(VICTIMS, cases_occurred=False)) == NOT_APPLICABLE
    assert evaluate(VICTIMS, result_for(VICTIMS, cases_occurred=True)) == UNKNOWN
    assert evaluate(VICTIMS, result_for(VICTIMS, cases_occurred=True, value="100")) == EXCEEDED
    stated = result_for(COOPERATIVES, outcome="achieved", evidence="5/9 tỉnh đạt")
    assert evaluate(COOPERATIVES, stated) == ACHIEVED and stated.value is None
    assert Evaluation.LABELS[NOT_APPLICABLE] == "không áp dụng (không có trường hợp)"
    assert Evaluation.label(UNKNOWN) == "chưa có số liệu"


@pytest.mark.parametrize("indicator,given_", [
    (VICTIMS, {"value": "90"}),  # when_cases needs cases_occurred
    (VICTIMS, {"cases_occurred": False, "value": "90"}),
    (VICTIMS, {"cases_occurred": "yes"}),
    (COOPERATIVES, {"value": "1", "cases_occurred": True}),
    (COOPERATIVES, {"value": "1", "outcome": "achieved"}),
    (COOPERATIVES, {"value": 1.0}),
    (COOPERATIVES, {"value": "-1"}),
    (COOPERATIVES, {"outcome": "great"}),
    (YES_NO, {"value": "maybe"}),
    (YES_NO, {"outcome": "exceeded"}),
    (VICTIMS, {"cases_occurred": True, "value": "100.5"}),
    (COOPERATIVES, {"value": "1", "attachments": "not-a-list"}),
    (COOPERATIVES, {"value": "1", "attachments": ["../etc/passwd"]}),
    (COOPERATIVES, {"value": "1", "evidence": "x" * 4001}),
])
def test_invalid_results_are_refused(indicator, given_):
    with pytest.raises(ResultInvalid):
        result_for(indicator, **given_)


def test_yes_and_no_are_read_in_any_unicode_form():
    """"có"/"không" typed decomposed (NFD), or with spaces around, are yes and no."""
    for given_, kept in (("có", "yes"), ("không", "no"), (" yes ", "yes"), (True, "yes")):
        for form in ("NFC", "NFD"):
            typed = unicodedata.normalize(form, given_) if isinstance(given_, str) else given_
            with case((given_, form)):
                assert result_for(YES_NO, value=typed).value == kept
                assert Indicator(code="1", text="x", measure="yes_no", target=typed).target == kept
    with pytest.raises(ResultInvalid):
        result_for(YES_NO, value="có thể")


def test_results_are_normalised():
    result = result_for(COOPERATIVES, value="4.0", evidence="Quảng Ninh 04\r\n",
                        attachments=["a1", "a1", "b2"])
    assert result == Result(value="4", evidence="Quảng Ninh 04", attachments=("a1", "b2"))
    assert Result.from_dict(result.as_dict()) == result


values = st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False,
                     allow_infinity=False)


@given(target=values, a=values, b=values, direction=st.sampled_from(["at_least", "at_most"]))
def test_evaluation_is_monotonic_in_the_value(target, a, b, direction):
    indicator = Indicator(code="x", text="x", target=dec_text(target), direction=direction)
    low, high = sorted((a, b))
    worse, better = (low, high) if direction == "at_least" else (high, low)
    assert ORDER[evaluate(indicator, result_for(indicator, value=dec_text(worse)))] <= ORDER[
        evaluate(indicator, result_for(indicator, value=dec_text(better)))]


# -- a board column -------------------------------------------------------------------------------

members = st.lists(st.text(alphabet="abcdeđêôươ ", min_size=1, max_size=8).map(str.strip)
                   .filter(bool), min_size=1, max_size=12, unique=True)


@st.composite
def column(draw):
    indicator = draw(st.sampled_from([COOPERATIVES, VICTIMS, LATE_REPORTS, YES_NO]))
    names = draw(members)
    results = {}
    for name in names:
        choice = draw(st.sampled_from(["none", "value", "no_case", "outcome"]))
        if choice == "none":
            continue
        cases = True if indicator.applies == "when_cases" else None
        if choice == "no_case" and indicator.applies == "when_cases":
            results[name] = result_for(indicator, cases_occurred=False)
        elif choice == "outcome":
            results[name] = result_for(indicator, cases_occurred=cases,
                                       outcome=draw(st.sampled_from(["achieved",
                                                                     "not_achieved"])))
        elif indicator.measure == "yes_no":
            results[name] = result_for(indicator, value=draw(st.sampled_from(["yes", "no"])))
        else:
            results[name] = result_for(indicator, cases_occurred=cases,
                                       value=dec_text(draw(st.decimals(
                                           min_value=0, max_value=100, places=0))))
    return indicator, {n: n for n in names}, results


@given(column())
def test_unknown_is_never_counted_as_achieved_nor_as_zero(data):
    indicator, names, results = data
    count = count_indicator(indicator, results, names, noun="tỉnh")
    unknown = {n for n in names if evaluate(indicator, results.get(n)) == UNKNOWN}
    assert set(count.unknown_names) == unknown
    assert not unknown & set(count.achieved_names)
    assert not unknown & set(count.not_achieved_names)
    assert count.achieved + count.not_achieved + count.unknown + count.not_applicable == len(
        names)
    # not applicable and unknown leave the denominator; unknown is said apart
    assert count.known == len(names) - count.not_applicable - count.unknown
    assert count.text.startswith(f"{count.achieved}/{count.known}")
    assert ("chưa có số liệu" in count.text) == bool(count.unknown)
    if indicator.summable:
        known = [Decimal(r.value) for r in results.values() if r.value is not None]
        assert count.sum == (sum(known) if known else None)
        # a member with no figure either reported nothing or stated a verdict without one
        assert count.sum_missing + count.sum_unfigured == count.applicable - len(known)
        assert ("chưa báo cáo" in count.sum_text) == bool(count.sum_missing)
        assert ("không kèm số liệu" in count.sum_text) == bool(count.sum_unfigured)
    else:
        assert count.sum is None and count.sum_text is None


@given(column())
def test_the_values_in_words_are_ordered_by_value_then_name(data):
    indicator, names, results = data
    count = count_indicator(indicator, results, names)
    shown = [v for _, v in count.values]
    if indicator.measure != "yes_no":
        numbers = [Decimal(v.rstrip("%").replace(".", "").replace(",", ".")) for v in shown]
        assert numbers == sorted(numbers, reverse=True)


def test_a_column_with_unknown_and_not_applicable_members():
    names = {k: k for k in ("Bắc Ninh", "Hà Nam", "Hải Dương", "Nam Định", "Thái Bình")}
    results = {
        "Bắc Ninh": result_for(VICTIMS, cases_occurred=True, value="100"),
        "Hà Nam": result_for(VICTIMS, cases_occurred=False),
        "Hải Dương": result_for(VICTIMS, cases_occurred=True, value="50"),
        "Nam Định": result_for(VICTIMS, cases_occurred=True),
    }
    count = count_indicator(VICTIMS, results, names, noun="tỉnh")
    assert count.text == "1/2 (2 chưa có số liệu)"
    assert count.applies_text == "3/5 tỉnh có trường hợp xảy ra (1 chưa có số liệu)"
    assert count.values_text == "Bắc Ninh 100%; Hải Dương 50%"
    assert count.not_applicable_names == ("Hà Nam",)
    assert count.unknown_names == ("Nam Định", "Thái Bình")


def test_the_sum_says_who_gave_no_figure():
    names = {k: k for k in ("Quảng Ninh", "Ninh Bình", "Hưng Yên", "Hà Nam")}
    results = {"Quảng Ninh": result_for(COOPERATIVES, value="4"),
               "Ninh Bình": result_for(COOPERATIVES, value="3"),
               "Hưng Yên": result_for(COOPERATIVES, value="12"),
               "Hà Nam": result_for(COOPERATIVES, outcome="not_achieved")}
    count = count_indicator(COOPERATIVES, results, names, noun="tỉnh")
    assert count.sum == 19
    assert count.sum_text == "19 hợp tác xã (1 chỉ nêu kết quả, không kèm số liệu)"
    assert count.values_text == "Hưng Yên 12; Quảng Ninh 04; Ninh Bình 03"
    assert count.text == "3/4"
    assert count.as_dict()["sum"] == "19"
