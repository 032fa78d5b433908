"""Announced figures (``domain.announcements``) and the Ceremony's record of them: the rules of
comparison as properties (exact, at least, about within 10 %), the counts read from totals before
and after distinct recipients are counted, the refusals, an old ``TotalAnnounced`` (class version
1) read as an exact total, and a ceremony hosted by an outside body."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.announcements import (
    ABOUT,
    AGREES,
    AMOUNT,
    AT_LEAST,
    COLLECTIVES,
    COUNTS,
    EXACT,
    FEWER,
    FIGURES,
    HOUSEHOLDS,
    INDIVIDUALS,
    LINES,
    MAX_AMOUNT,
    MAX_COUNT,
    MORE,
    QUALIFIERS,
    AnnouncedFigure,
    compare,
    compare_all,
    computed_figure,
    figures_by_what,
    within_about,
)
from domain.ceremony import Ceremony
from domain.errors import (
    AnnouncedFigureInvalid,
    AnnouncedFigureRepeated,
    DomainError,
    HostBodyInvalid,
    NegativeAmount,
)
from services.presentation.announcements import comparison, sentence

amounts = st.integers(min_value=0, max_value=MAX_AMOUNT)
counts = st.integers(min_value=0, max_value=MAX_COUNT)


def figure(what: str = AMOUNT, value: int = 0, qualifier: str = EXACT) -> AnnouncedFigure:
    return AnnouncedFigure(what=what, value=value, qualifier=qualifier)


# -- the rules of comparison, as properties ------------------------------------------------------


@given(announced=amounts, computed=amounts)
def test_an_exact_figure_agrees_only_when_equal(announced, computed):
    c = compare(figure(AMOUNT, announced), computed)
    assert c.difference == announced - computed
    assert c.agrees == (announced == computed)
    assert c.status == (AGREES if announced == computed else
                        FEWER if computed < announced else MORE)


@given(announced=counts, computed=counts)
def test_at_least_agrees_when_the_decisions_give_as_many_or_more(announced, computed):
    c = compare(figure(COLLECTIVES, announced, AT_LEAST), computed)
    assert c.agrees == (computed >= announced)
    assert c.status in ((AGREES,) if computed >= announced else (FEWER,))
    assert c.difference == announced - computed


@given(announced=amounts, computed=amounts)
@example(announced=100_000_000, computed=90_000_000)   # exactly 10 % below: agrees
@example(announced=100_000_000, computed=110_000_000)  # exactly 10 % above: agrees
@example(announced=100_000_000, computed=89_999_999)
@example(announced=0, computed=0)
@example(announced=0, computed=1)
def test_about_agrees_within_ten_percent_either_side(announced, computed):
    c = compare(figure(AMOUNT, announced, ABOUT), computed)
    assert c.agrees == (abs(computed - announced) * 10 <= announced)
    if not c.agrees:
        assert c.status == (FEWER if computed < announced else MORE)
    # the deviation shown is rounded up: agreeing never reads above 10 %, disagreeing never 10 %
    if announced:
        assert c.deviation_permille is not None
        assert (c.deviation_permille <= 100) == c.agrees
        assert c.deviation_permille * announced >= abs(computed - announced) * 1000
    else:
        assert c.deviation_permille is None


@given(announced=amounts, computed=amounts, factor=st.integers(min_value=1, max_value=1000))
def test_about_does_not_depend_on_the_unit(announced, computed, factor):
    """10 % of a total in đồng or in thousands of đồng: the same answer."""
    assert within_about(announced, computed) == within_about(announced * factor,
                                                             computed * factor)


@given(announced=counts, computed=counts)
def test_the_qualifiers_weaken_in_order(announced, computed):
    """What agrees exactly agrees with "at least" and with "about"."""
    by = {q: compare(figure(INDIVIDUALS, announced, q), computed).agrees for q in QUALIFIERS}
    if by[EXACT]:
        assert by[AT_LEAST] and by[ABOUT]


@given(announced=amounts, low=amounts, high=amounts)
def test_about_is_an_interval(announced, low, high):
    """Between two computed figures that agree with "khoảng", every figure agrees."""
    low, high = sorted((low, high))
    if within_about(announced, low) and within_about(announced, high):
        middle = (low + high) // 2
        assert within_about(announced, middle)


@given(what=st.sampled_from(FIGURES), value=st.integers(min_value=-(10**14), max_value=10**14),
       qualifier=st.sampled_from((*QUALIFIERS, "roughly", "")))
def test_a_figure_is_checked_when_made(what, value, qualifier):
    bound = MAX_AMOUNT if what == AMOUNT else MAX_COUNT
    valid = 0 <= value <= bound and qualifier in QUALIFIERS
    try:
        made = AnnouncedFigure.of(what, value, qualifier, "  Bài  viết  ")
    except AnnouncedFigureInvalid as refused:
        assert not valid and refused.message.startswith("Số liệu công bố")
    else:
        assert valid and made.source == "Bài viết"


@pytest.mark.parametrize("value", [True, 1.5, "40", None, [40]])
def test_a_figure_is_a_whole_number(value):
    with pytest.raises(AnnouncedFigureInvalid):
        AnnouncedFigure(what=COLLECTIVES, value=value)


@pytest.mark.parametrize("items", [
    [{"what": "votes", "value": 1}],
    [{"what": ["amount"], "value": 1}],
    [{"what": AMOUNT, "value": 1, "source": 5}],
])
def test_what_a_figure_counts_is_one_of_the_known(items):
    with pytest.raises(AnnouncedFigureInvalid):
        figures_by_what(items)


def test_the_same_figure_twice_is_refused_and_null_withdraws():
    with pytest.raises(AnnouncedFigureRepeated):
        figures_by_what([{"what": LINES, "value": 1}, {"what": LINES, "value": 2}])
    got = figures_by_what([{"what": LINES, "value": None},
                           {"what": AMOUNT, "value": 5, "qualifier": ABOUT}])
    assert got == {LINES: None, AMOUNT: AnnouncedFigure(AMOUNT, 5, ABOUT)}


# -- computed figures from totals, before and after distinct recipients ---------------------------


LINE_TOTALS = {"lines": 5, "individuals": 2, "collectives": 3, "households": 0,
               "amount": 1_500_000, "lines_without_amount": 0}


def test_computed_counts_read_lines_by_kind_when_recipients_are_not_counted():
    assert [computed_figure(LINE_TOTALS, w) for w in FIGURES] == [1_500_000, 3, 2, 0, 5]


def test_computed_counts_read_distinct_recipients_when_the_totals_have_them():
    """A collective given a Bằng khen and a Cờ thi đua is one tập thể (two lượt khen thưởng)."""
    totals = {**LINE_TOTALS, "recipients": {"individual": 2, "collective": 2, "household": 0}}
    assert computed_figure(totals, COLLECTIVES) == 2
    assert computed_figure(totals, LINES) == 5
    assert computed_figure({**LINE_TOTALS, "recipients": None}, COLLECTIVES) == 3


def test_no_stated_amount_is_not_zero_but_compares_as_zero():
    c = compare(figure(AMOUNT, 1_000), computed_figure({**LINE_TOTALS, "amount": None}, AMOUNT))
    assert c.computed is None and c.difference == 1_000 and c.status == FEWER
    assert sentence(c) == ("Công bố 1.000 đ; các quyết định cho không quyết định nào ghi số "
                           "tiền: ít hơn 1.000 đ.")


# -- the words (services.presentation.announcements) --------------------------------------------


@pytest.mark.parametrize(("announced", "computed", "said"), [
    (figure(COLLECTIVES, 40), 38, "Công bố 40 tập thể; các quyết định cho 38 tập thể: ít hơn 2."),
    (figure(COLLECTIVES, 40), 40, "Công bố 40 tập thể; các quyết định cho 40 tập thể: khớp."),
    (figure(AMOUNT, 73_640_000), 68_640_000,
     "Công bố 73.640.000 đ; các quyết định cho 68.640.000 đ: ít hơn 5.000.000 đ."),
    (figure(AMOUNT, 100_000_000, ABOUT), 96_500_000,
     "Công bố khoảng 100.000.000 đ; các quyết định cho 96.500.000 đ: phù hợp với «khoảng» "
     "(lệch 3,5%)."),
    (figure(AMOUNT, 100_000_000, ABOUT), 80_000_000,
     "Công bố khoảng 100.000.000 đ; các quyết định cho 80.000.000 đ: ít hơn 20.000.000 đ "
     "(lệch 20%), ngoài mức «khoảng» (±10%)."),
    (figure(INDIVIDUALS, 30, AT_LEAST), 38,
     "Công bố ít nhất 30 cá nhân; các quyết định cho 38 cá nhân: phù hợp với «ít nhất» "
     "(nhiều hơn 8)."),
    (figure(INDIVIDUALS, 30, AT_LEAST), 28,
     "Công bố ít nhất 30 cá nhân; các quyết định cho 28 cá nhân: ít hơn 2, không đạt mức "
     "«ít nhất»."),
    (figure(LINES, 1_200), 1_250, "Công bố 1.200 lượt khen thưởng; các quyết định cho 1.250 "
                                  "lượt khen thưởng: nhiều hơn 50."),
    (figure(HOUSEHOLDS, 0, ABOUT), 2, "Công bố khoảng 0 hộ gia đình; các quyết định cho 2 hộ gia "
                                      "đình: nhiều hơn 2, ngoài mức «khoảng» (±10%)."),
])
def test_each_comparison_is_said_in_words(announced, computed, said):
    assert sentence(compare(announced, computed)) == said


def test_a_comparison_as_the_answers_give_it():
    worded = comparison(compare(AnnouncedFigure(AMOUNT, 100_000_000, ABOUT, "Báo Phụ nữ"),
                                96_500_000))
    assert worded | {"sentence": ""} == {
        "what": AMOUNT, "label": "Tổng số tiền", "value": 100_000_000, "qualifier": ABOUT,
        "qualifier_label": "khoảng", "source": "Báo Phụ nữ",
        "announced_text": "khoảng 100.000.000 đ", "computed": 96_500_000,
        "computed_text": "96.500.000 đ", "difference": 3_500_000,
        "difference_text": "3.500.000 đ", "deviation_permille": 35, "deviation_text": "3,5%",
        "status": AGREES, "agrees": True, "sentence": ""}


def test_compare_all_keeps_the_order_of_figures():
    figures = [figure(LINES, 1), figure(AMOUNT, 1), figure(HOUSEHOLDS, 1)]
    assert [c.figure.what for c in compare_all(figures, LINE_TOTALS)] == [AMOUNT, HOUSEHOLDS,
                                                                           LINES]


# -- the ceremony records them -----------------------------------------------------------------

HELD_ON = date(2024, 1, 9)


def planned() -> Ceremony:
    return Ceremony.plan(ceremony_id=uuid4(), title="Hội nghị tổng kết năm 2023",
                         held_on=HELD_ON, place="", host_unit_id=uuid4(), actor="btl.appr")


def test_a_ceremony_records_its_figures_and_only_what_changes():
    cer = planned()
    announced = {AMOUNT: AnnouncedFigure.of(AMOUNT, 100_000_000, ABOUT, "Báo Phụ nữ"),
                 COLLECTIVES: AnnouncedFigure.of(COLLECTIVES, 40, EXACT, "Báo Phụ nữ")}
    assert cer.announce_figures(announced, "btl.appr") == 2
    assert cer.announce_figures(announced, "btl.appr") == 0  # as it stands: nothing recorded
    assert cer.announced_figures == [announced[AMOUNT], announced[COLLECTIVES]]
    assert (cer.announced_total, cer.announced_source) == (100_000_000, "Báo Phụ nữ")
    assert cer.announce_figures({COLLECTIVES: None, LINES: figure(LINES, 3)}, "btl.appr") == 2
    assert [f.what for f in cer.announced_figures] == [AMOUNT, LINES]
    names = [type(e).__name__ for e in cer.collect_events()]
    assert names == ["Created", "TotalAnnounced", "CountAnnounced", "CountAnnounced",
                     "CountAnnounced"]
    with pytest.raises(AnnouncedFigureInvalid):
        cer.announce_total(5, "", "btl.appr", qualifier="roughly")
    with pytest.raises(NegativeAmount):
        cer.announce_total(-5, "", "btl.appr")
    with pytest.raises(AnnouncedFigureInvalid):
        cer.announce_figures({COLLECTIVES: figure(LINES, 1)}, "btl.appr")


def test_a_ceremony_loaded_from_a_snapshot_taken_before_figures_existed():
    """An old snapshot has ``announced_total`` and ``announced_source`` only: the total reads as
    exact, there are no counts and no outside host."""
    cer = planned()
    cer.announce_total(73_640_000, "Bài viết", "btl.appr")
    for key in ("total_qualifier", "counts_announced", "outside_host"):
        cer.__dict__.pop(key, None)
    assert cer.announced_figures == [AnnouncedFigure(AMOUNT, 73_640_000, EXACT, "Bài viết")]
    assert cer.host_body is None


def test_a_total_announced_before_qualifiers_still_loads_as_exact():
    """A TotalAnnounced stored before issue 17 (class version 1, no ``qualifier``) reads back
    through the store's mapper, upcast, as an exact total; the ceremony replays."""
    from services.store import Store

    mapper = Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    cer = planned()
    cer.announce_total(73_640_000, "Bài viết trên trang Hội LHPN Hà Nội", "btl.appr")
    stored = [mapper.to_stored_event(e) for e in cer.collect_events()]
    state = mapper.transcoder.decode(stored[-1].state)
    assert state.pop("class_version") == 2
    state.pop("qualifier")
    stored[-1] = replace(stored[-1], state=mapper.transcoder.encode(state))
    copy = None
    for record in stored:
        event = mapper.to_domain_event(record)
        copy = event.mutate(copy)
    assert event.qualifier == EXACT
    assert copy.announced_figures == [AnnouncedFigure(
        AMOUNT, 73_640_000, EXACT, "Bài viết trên trang Hội LHPN Hà Nội")]
    c = compare(copy.announced_figures[0], 68_640_000)
    assert (c.difference, c.status) == (5_000_000, FEWER)


def test_a_ceremony_hosted_by_an_outside_body():
    cer = planned()
    host = {"body": "government", "level": "province", "name": "  UBND tỉnh  Thái Nguyên "}
    assert cer.name_host_body(host, "btl.appr")
    assert cer.host_body == {"body": "government", "level": "province",
                             "name": "UBND tỉnh Thái Nguyên"}
    assert not cer.name_host_body(dict(host), "btl.appr")  # as it stands
    assert cer.name_host_body(None, "btl.appr") and cer.host_body is None
    for bad in ({"body": "club", "level": "province", "name": "X"},
                {"body": "government", "level": "ward", "name": "X"},
                {"body": "government", "level": "province", "name": "   "},
                {"body": "government", "level": "province", "name": "x" * 301},
                "UBND tỉnh Thái Nguyên"):
        with pytest.raises(HostBodyInvalid):
            cer.name_host_body(bad, "btl.appr")


def test_a_district_body_hosts_nothing_after_the_district_level_ended():
    cer = Ceremony.plan(ceremony_id=uuid4(), title="Hội nghị", held_on=date(2025, 9, 1),
                        place="", host_unit_id=uuid4(), actor="a")
    with pytest.raises(HostBodyInvalid) as refused:
        cer.name_host_body({"body": "government", "level": "district", "name": "UBND quận"}, "a")
    assert "30/06/2025" in refused.value.message
    early = planned()
    early.name_host_body({"body": "government", "level": "district", "name": "UBND quận"}, "a")
    with pytest.raises(DomainError):  # moving the date past the level's end is refused too
        early.change_details({"held_on": date(2025, 9, 1)}, "a")


def test_counts_are_the_four_counts():
    assert set(COUNTS) == {COLLECTIVES, INDIVIDUALS, HOUSEHOLDS, LINES}
