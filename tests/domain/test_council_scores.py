"""Council scoring (domain.council): criteria are validated when set; a ballot's total is the sum
of its criteria, each within 0..its maximum; plain and no-score units; old votes still load."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.council import (
    DEFAULT,
    CouncilCriteria,
    CriteriaInvalid,
    ScoreInvalid,
    clean_criteria,
    criteria_id,
)
from domain.errors import ValidationFailed
from domain.nomination import Nomination

maxima = st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8)


def scheme(tops: list[int]):
    return clean_criteria("criteria", [{"name": f"Tiêu chí {i}", "max": m}
                                       for i, m in enumerate(tops, start=1)], None)


@given(data=st.data(), tops=maxima)
def test_total_is_the_sum_of_criteria_each_within_bounds(data, tops):
    scoring = scheme(tops)
    scores = {str(i): data.draw(st.integers(min_value=-5, max_value=top + 5), label=f"c{i}")
              for i, top in enumerate(tops, start=1)}
    within = all(0 <= scores[str(i)] <= top for i, top in enumerate(tops, start=1))
    if within:
        total, items = scoring.ballot("agree", None, scores)
        assert total == sum(scores.values())
        assert [item["score"] for item in items] == [scores[str(i)] for i in
                                                     range(1, len(tops) + 1)]
        assert 0 <= total <= scoring.maximum == sum(tops)
        # a total given must agree with the criteria
        assert scoring.ballot("agree", total, scores)[0] == total
        with pytest.raises(ScoreInvalid):
            scoring.ballot("agree", total + 1, scores)
    else:
        with pytest.raises(ScoreInvalid):
            scoring.ballot("agree", None, scores)


@given(tops=maxima, drop=st.integers(min_value=1, max_value=8))
def test_every_criterion_is_needed(tops, drop):
    scoring = scheme(tops)
    scores = {str(i): 0 for i in range(1, len(tops) + 1) if i != drop}
    if len(scores) == len(tops):
        assert scoring.ballot("disagree", None, scores)[0] == 0
    else:
        with pytest.raises(ScoreInvalid):
            scoring.ballot("disagree", None, scores)
    with pytest.raises(ScoreInvalid):
        scoring.ballot("agree", None, {**scores, "99": 1})
    assert scoring.ballot("abstain", None, None) == (None, None)


@pytest.mark.parametrize("mode,criteria,maximum", [
    ("score", [], None),
    ("criteria", [], None),
    ("criteria", [{"name": " ", "max": 5}], None),
    ("criteria", [{"name": "A", "max": 0}], None),
    ("criteria", [{"name": "A", "max": True}], None),
    ("criteria", [{"name": "A", "max": 5}, {"name": "a", "max": 5}], None),
    ("criteria", [{"name": "A", "max": 5}], 10),
    ("plain", [{"name": "A", "max": 5}], None),
    ("plain", [], 101),
    ("none", [], 10),
])
def test_criteria_are_validated(mode, criteria, maximum):
    with pytest.raises(CriteriaInvalid):
        clean_criteria(mode, criteria, maximum)


def test_plain_none_and_default():
    plain = clean_criteria("plain", [], 10)
    assert plain.ballot("agree", 10, None) == (10, None)
    for bad in (11, -1):
        with pytest.raises(ScoreInvalid):
            plain.ballot("agree", bad, None)
    with pytest.raises(ScoreInvalid):
        plain.ballot("agree", None, None)
    assert plain.ballot("abstain", None, None) == (None, None)
    none = clean_criteria("none", [], None)
    assert none.ballot("agree", None, None) == (None, None)
    with pytest.raises(ScoreInvalid):
        none.ballot("agree", 1, None)
    assert DEFAULT.ballot("agree", None, None) == (None, None)
    assert DEFAULT.ballot("agree", 100, None) == (100, None)


def test_the_aggregate_has_one_id_per_unit_and_kind_and_records_changes_only():
    unit = uuid4()
    record = CouncilCriteria.open(unit_id=unit, award_kind="giay_khen_hoi", actor="office")
    assert record.id == criteria_id(unit, "giay_khen_hoi")
    assert record.id != criteria_id(unit, "bang_khen_hoi_tinh")
    assert record.set(mode="criteria", criteria=[{"name": "A", "max": 40}], maximum=None,
                      actor="office")
    assert not record.set(mode="criteria", criteria=[{"name": "A", "max": 40}], maximum=None,
                          actor="office")
    assert record.scoring.maximum == 40 and record.version == 2


def nomination_under_review() -> Nomination:
    nomination = Nomination.draft(
        nomination_id=uuid4(), proposing_unit_id=uuid4(),
        data={"recipient": {"kind": "individual", "name": "Lê Thị Mai", "birth_year": 1980},
              "award_kind": "giay_khen_hoi", "achievement": "Hoàn thành xuất sắc",
              "period": "2023"}, actor="nom")
    nomination.submit(review_unit_id=uuid4(), actor="nom")
    return nomination


def test_the_nomination_keeps_each_criterion_and_the_total():
    nomination = nomination_under_review()
    scoring = scheme([40, 30])
    nomination.cast_vote(vote="agree", comment="", score=None, actor="m1", scoring=scoring,
                         scores={"1": 35, "2": 28})
    ballot = nomination.votes["m1"]
    assert ballot["score"] == 63 and [s["name"] for s in ballot["scores"]] == [
        "Tiêu chí 1", "Tiêu chí 2"]
    with pytest.raises(ScoreInvalid):
        nomination.cast_vote(vote="agree", comment="", score=None, actor="m2", scoring=scoring,
                             scores={"1": 35})
    # without a scheme the old rule holds: one optional score, 0..100
    with pytest.raises(ValidationFailed):
        nomination.cast_vote(vote="agree", comment="", score=101, actor="m2")


def test_a_vote_recorded_before_scores_existed_still_loads():
    """A VoteCast stored before issue 16 (class version 1, no ``scores``) reads back through the
    store's mapper, upcast, and the nomination replays."""
    from dataclasses import replace

    from services.store import Store

    mapper = Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    nomination = nomination_under_review()
    nomination.cast_vote(vote="agree", comment="Tốt", score=80, actor="m1")
    stored = [mapper.to_stored_event(e) for e in nomination.collect_events()]
    state = mapper.transcoder.decode(stored[-1].state)
    assert state.pop("class_version") == 2
    state.pop("scores")
    stored[-1] = replace(stored[-1], state=mapper.transcoder.encode(state))
    copy = None
    for record in stored:
        copy = mapper.to_domain_event(record).mutate(copy)
    assert copy.votes["m1"] == {"vote": "agree", "comment": "Tốt", "score": 80, "scores": None}
