"""Real races on both stores: two writers, each with its own ``Runtime`` (own connections),
released together by a barrier. The deterministic-id claims and the aggregates' versions must
let exactly one of them win, every round, and the loser must get a precise 409-kind error."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainError
from services.app import Runtime
from services.authz import Actor
from tests.helpers import World, person

ROUNDS = 5
CONFLICT_KINDS = {"conflict"}


@pytest.fixture
def rt2(settings, clock) -> Iterator[Runtime]:
    """A second runtime on the same store: its own event-store and view connections."""
    runtime = Runtime(settings, clock=clock)
    yield runtime
    runtime.close()


def race(
    first: Callable[[], Any], second: Callable[[], Any], timeout: float = 60
) -> list[tuple[str, Any]]:
    """Run both callables in threads released at the same instant; return their outcomes."""
    barrier = threading.Barrier(2)
    outcomes: list[tuple[str, Any] | None] = [None, None]

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            outcomes[index] = ("ok", action())
        except BaseException as error:  # reported to the test below
            outcomes[index] = ("error", error)

    threads = [
        threading.Thread(target=run, args=(i, action), daemon=True)
        for i, action in enumerate((first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a racer hung"
    assert None not in outcomes
    return outcomes  # type: ignore[return-value]


def one_winner(outcomes: list[tuple[str, Any]], loser_codes: set[str]) -> tuple[int, Any]:
    """Exactly one success; the other a 409-kind domain error with one of ``loser_codes``."""
    wins = [i for i, (status, _) in enumerate(outcomes) if status == "ok"]
    errors = [value for status, value in outcomes if status == "error"]
    assert len(wins) == 1, outcomes
    assert len(errors) == 1, outcomes
    error = errors[0]
    assert isinstance(error, DomainError), repr(error)
    assert error.kind in CONFLICT_KINDS, (error.code, error.message)
    assert error.code in loser_codes, (error.code, error.message)
    assert error.message
    return wins[0], outcomes[wins[0]][1]


def recommended_nomination(world: World, name: str) -> UUID:
    """A Giấy khen nomination from Xuân Đỉnh, recommended by the district council."""
    app = world.rt.app
    data = {
        "recipient": person(name=name, unit_id=world.u("xd")),
        "award_kind": "giay_khen_hoi",
        "achievement": "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2023",
        "period": "2023",
    }
    nid = app.nominations.draft_nomination(
        world.actor("xd.nom"), proposing_unit_id=world.units["xd"], data=data
    ).id
    app.nominations.submit_nomination(world.actor("xd.nom"), nid)
    for chair in ("xd.chair", "btl.chair"):
        app.nominations.cast_vote(world.actor(chair), nid, vote="agree")
        app.nominations.close_review(world.actor(chair), nid, outcome="recommended")
    nomination = app.nominations.nomination(nid)
    assert nomination.status == "recommended"
    assert nomination.review_unit_id == world.units["btl"]
    return nid


def decided_events(rt: Runtime, aggregate_id: UUID) -> list[Any]:
    return [e for e in rt.app.history(aggregate_id) if type(e).__qualname__.endswith(".Decided")]


def listed_numbers(rt: Runtime) -> list[str]:
    rt.runner.catch_up()
    return [row["number"] for row in rt.queries.decisions()["items"]]


def knc_decision(world: World, number: str, recipient: dict, **extra: Any) -> dict:
    return {
        "number": number,
        "decided_on": date(2024, 3, 8),
        "issuer": {"unit_id": world.u("root")},
        "award_kind": "ky_niem_chuong_phu_nu",
        "period": "2024",
        "achievement": "Có nhiều đóng góp cho sự nghiệp phát triển của phụ nữ Việt Nam",
        "lines": [{"recipient": recipient}],
        **extra,
    }


# -- races -------------------------------------------------------------------------------------


def test_two_approvers_decide_the_same_nomination(rt, rt2, world):
    # btl.appr (the district office) and hn.appr (the city office, whose scope covers the
    # district) both issue a decision of the district from the same recommended nomination.
    actors: list[Actor] = [world.actor("btl.appr"), world.actor("hn.appr")]
    numbers: list[str] = []
    for round_no in range(ROUNDS):
        nid = recommended_nomination(world, f"Trần Thị Đua {round_no}")

        def decide(app, actor: Actor, number: str, nid: UUID = nid) -> Any:
            return app.decisions.issue_decision(
                actor,
                {
                    "number": number,
                    "decided_on": date(2024, 1, 5),
                    "issuer": {"unit_id": world.u("btl")},
                    "lines": [{"nomination_id": str(nid), "amount": 300_000}],
                },
            )

        pair = [f"{10 + 2 * round_no}/QĐ-HPN", f"{11 + 2 * round_no}/QĐ-HPN"]
        outcomes = race(
            lambda nid=nid, n=pair[0]: decide(rt.app, actors[0], n, nid),
            lambda nid=nid, n=pair[1]: decide(rt2.app, actors[1], n, nid),
        )
        winner, saved = one_winner(outcomes, {"nomination.already_decided", "concurrency.conflict"})
        numbers.append(pair[winner])

        # The log holds exactly one Decided event, naming the winning decision.
        decided = decided_events(rt, nid)
        assert len(decided) == 1
        assert decided[0].decision_id == saved.id
        nomination = rt.app.nominations.nomination(nid)
        assert nomination.status == "decided"
        assert nomination.decision["number"] == pair[winner]
        assert rt2.app.nominations.nomination(nid).version == nomination.version

        # The read model lists exactly one of the two decisions.
        listed = listed_numbers(rt)
        assert sorted(n for n in listed if n in pair) == [pair[winner]]

    assert sorted(listed_numbers(rt)) == sorted(numbers)


def test_two_decisions_give_the_same_kyniemchuong_at_once(rt, rt2, world):
    approver = world.actor("tw.appr")
    numbers: list[str] = []
    for round_no in range(ROUNDS):
        someone = person(name=f"Lê Thị Kỷ Niệm {round_no}", birth_year=1960 + round_no)
        pair = [f"{100 + 2 * round_no}/QĐ-ĐCT", f"{101 + 2 * round_no}/QĐ-ĐCT"]
        outcomes = race(
            lambda r=someone, n=pair[0]: rt.app.decisions.issue_decision(
                approver, knc_decision(world, n, r)
            ),
            lambda r=someone, n=pair[1]: rt2.app.decisions.issue_decision(
                approver, knc_decision(world, n, r)
            ),
        )
        winner, saved = one_winner(outcomes, {"award.already_received"})
        numbers.append(pair[winner])
        loser = next(value for status, value in outcomes if status == "error")
        assert loser.details["decision_number"] == pair[winner]
        assert someone["name"] in loser.message

        listed = listed_numbers(rt)
        assert sorted(n for n in listed if n in pair) == [pair[winner]]
        assert len(rt.app.history(saved.id)) == 1

    assert sorted(listed_numbers(rt)) == sorted(numbers)


def test_two_decisions_with_the_same_number_at_once(rt, rt2, world):
    approver = world.actor("tw.appr")
    for round_no in range(ROUNDS):
        number = f"{500 + round_no}/QĐ-ĐCT"
        first = person(name=f"Phạm Thị Một {round_no}")
        second = person(name=f"Vũ Thị Hai {round_no}")
        outcomes = race(
            lambda r=first, n=number: rt.app.decisions.issue_decision(
                approver, knc_decision(world, n, r)
            ),
            lambda r=second, n=number: rt2.app.decisions.issue_decision(
                approver, knc_decision(world, n, r)
            ),
        )
        winner, saved = one_winner(outcomes, {"decision.number_taken"})
        winning_name = (first, second)[winner]["name"]
        decision = rt.app.decisions.decision(saved.id)
        assert decision.number == number
        assert [line.recipient_name for line in decision.lines] == [winning_name]
        assert listed_numbers(rt).count(number) == 1

    assert len(listed_numbers(rt)) == ROUNDS


# -- claims after revocation -------------------------------------------------------------------


def test_revoking_a_knc_line_releases_the_person_but_never_the_number(rt, world):
    app = rt.app
    approver = world.actor("tw.appr")
    nhung = person(name="Nguyễn Thị Hồng Nhung", birth_year=1980)
    mai = person(name="Lê Thị Mai", birth_year=1975)
    first = app.decisions.issue_decision(
        approver,
        knc_decision(world, "1488/QĐ-ĐCT", nhung, lines=[{"recipient": nhung}, {"recipient": mai}]),
    )

    # While the award stands, the same person cannot get it again, even for another period.
    with pytest.raises(DomainError) as refused:
        app.decisions.issue_decision(
            approver, knc_decision(world, "1500/QĐ-ĐCT", nhung, period="2025")
        )
    assert refused.value.code == "award.already_received"
    # Names arriving without diacritics are the same person.
    with pytest.raises(DomainError) as refused:
        app.decisions.issue_decision(
            approver,
            knc_decision(world, "1500/QĐ-ĐCT", {**nhung, "name": "Nguyen Thi Hong Nhung"}),
        )
    assert refused.value.code == "award.already_received"

    # Line 1 revoked (false information): her claim is released, Mai's is not.
    app.decisions.revoke_decision(
        approver,
        first.id,
        revoked_on=date(2024, 5, 1),
        ground="b",
        reason="Khai không trung thực thành tích",
        line_no=1,
    )
    again = app.decisions.issue_decision(approver, knc_decision(world, "1500/QĐ-ĐCT", nhung))
    assert app.decisions.decision(again.id).lines[0].recipient_name == nhung["name"]
    with pytest.raises(DomainError) as refused:
        app.decisions.issue_decision(approver, knc_decision(world, "1501/QĐ-ĐCT", mai))
    assert refused.value.code == "award.already_received"
    # The re-issued award holds the claim again.
    with pytest.raises(DomainError) as refused:
        app.decisions.issue_decision(
            approver, knc_decision(world, "1502/QĐ-ĐCT", nhung, period="2026")
        )
    assert refused.value.code == "award.already_received"
    assert refused.value.details["decision_number"] == "1500/QĐ-ĐCT"

    # Revoking the whole first decision never frees its number (any spelling of it).
    app.decisions.revoke_decision(
        approver,
        first.id,
        revoked_on=date(2024, 5, 2),
        ground="b",
        reason="Hồ sơ không đúng quy định",
    )
    for spelling in ("1488/QĐ-ĐCT", "1488/qđ-đct"):
        with pytest.raises(DomainError) as refused:
            app.decisions.issue_decision(
                approver, knc_decision(world, spelling, person(name="Đỗ Thị Mới"))
            )
        assert refused.value.code == "decision.number_taken"
    # …but Mai, released with it, may receive the award under a new number.
    app.decisions.issue_decision(approver, knc_decision(world, "1503/QĐ-ĐCT", mai))
    rt.runner.catch_up()
    assert sorted(r["number"] for r in rt.queries.decisions()["items"]) == [
        "1488/QĐ-ĐCT",
        "1500/QĐ-ĐCT",
        "1503/QĐ-ĐCT",
    ]


def test_revoking_a_decided_nomination_keeps_its_number_taken(rt, world):
    """The same rules hold for a decision issued from a nomination."""
    app = rt.app
    nid = recommended_nomination(world, "Bùi Thị Thu")
    saved = app.decisions.issue_decision(
        world.actor("btl.appr"),
        {
            "number": "15/QĐ-HPN",
            "decided_on": date(2024, 1, 5),
            "issuer": {"unit_id": world.u("btl")},
            "lines": [{"nomination_id": str(nid), "amount": 300_000}],
        },
    )
    app.decisions.revoke_decision(
        world.actor("btl.appr"),
        saved.id,
        revoked_on=date(2024, 2, 1),
        ground="b",
        reason="Thành tích không đúng",
    )
    assert len(decided_events(rt, nid)) == 1
    assert app.nominations.nomination(nid).status == "revoked"
    with pytest.raises(DomainError) as refused:
        app.decisions.issue_decision(
            world.actor("btl.appr"),
            {
                "number": "15/QĐ-HPN",
                "decided_on": date(2024, 2, 2),
                "issuer": {"unit_id": world.u("btl")},
                "award_kind": "giay_khen_hoi",
                "period": "2023",
                "lines": [{"recipient": person(name="Bùi Thị Thu", unit_id=world.u("xd"))}],
            },
        )
    assert refused.value.code == "decision.number_taken"
