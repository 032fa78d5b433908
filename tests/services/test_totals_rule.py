"""One rule for totals of award lines (``domain.totals``), whether Python or SQL sums them.

Decisions and ceremonies sum their lines in Python (``domain.totals.totals_in_force``); the
registry, its running totals and the decision list sum them in SQL (``projections.sums``, built
from the same constants). Here one small history — every recipient kind, stated amounts (0 đ
among them), lines that state none, a revoked line and a revoked decision — is totalled every
way, on both stores, and every way gives the same answer — the distinct recipients of each kind
(``recipients``) as well as the lines (``tests/services/test_distinct_recipients.py`` holds them
apart where a recipient has several lines).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.totals import RECIPIENT_COUNT_KEYS, RECIPIENTS, in_force, totals_in_force
from projections import sums
from projections.registry import RegistryFilter

# what a total says, apart from its words
KEYS = ("lines", *RECIPIENT_COUNT_KEYS.values(), RECIPIENTS, "amount", "lines_without_amount")
NOBODY = {"individual": 0, "collective": 0, "household": 0}


def numbers(total: dict) -> dict:
    return {key: total[key] for key in KEYS}


def issue(world, user: str, issuer: dict, award_kind: str, lines: list[tuple[str, int | None]],
          number: str, **extra):
    app = world.rt.app
    body = {
        "number": number, "decided_on": date(2024, 1, 5), "issuer": issuer,
        "award_kind": award_kind, "period": "2023",
        "lines": [
            {"recipient": {"kind": kind, "name": f"{number} dòng {no}", "unit_id": world.u("xd")},
             **({"amount": amount} if amount is not None else {"amount_mode": "not_stated"})}
            for no, (kind, amount) in enumerate(lines, 1)
        ],
        **extra,
    }
    return app.decisions.issue_decision(world.actor(user), body).id


def test_every_total_of_lines_follows_the_one_rule(rt, world, clock):
    clock.today = date(2024, 6, 30)
    app = world.rt.app
    central = issue(world, "tw.appr", {"unit_id": world.u("root")}, "bang_khen_tw_hoi", [
        ("individual", 500_000), ("collective", None), ("household", 300_000),
        ("individual", 0),  # 0 đ is stated
    ], "1/QĐ-TW")
    district = issue(world, "btl.appr",
                     {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
                     "giay_khen_ubnd_huyen",
                     [("individual", 200_000), ("collective", 1_000_000), ("individual", None)],
                     "2/QĐ-UBND", recorded_by_unit_id=world.u("btl"))
    revoked = issue(world, "tw.appr", {"unit_id": world.u("root")}, "bang_khen_tw_hoi",
                    [("individual", None), ("collective", 700_000)], "3/QĐ-TW")
    app.decisions.revoke_decision(world.actor("btl.appr"), district, line_no=2,
                        revoked_on=date(2024, 3, 1), ground="a", reason="Kê khai sai")
    app.decisions.revoke_decision(world.actor("tw.appr"), revoked, revoked_on=date(2024, 3, 1),
                        ground="b", reason="Hồ sơ sai")
    ceremony = app.ceremonies.plan_ceremony(world.actor("tw.appr"), {
        "title": "Hội nghị tổng kết", "held_on": date(2024, 4, 1),
        "host_unit_id": world.u("root"), "decision_ids": [central, district, revoked],
        "announced_total": 2_000_000,
    }).id
    rt.runner.catch_up()
    decisions = {did: app.decisions.decision(did) for did in (central, district, revoked)}
    every_line = [line for d in decisions.values() for line in d.lines]
    assert len(in_force(every_line)) == 6

    # each decision: Python (as its answer gives it) and SQL over its lines
    listed = {row["decision_id"]: row for row in rt.queries.decisions()["items"]}
    for did, decision in decisions.items():
        want = numbers(totals_in_force(decision.lines))
        got = rt.registry.totals(RegistryFilter(decision_id=str(did)))["total"]
        assert numbers(got) == want, decision.number
        row = listed[str(did)]
        assert (row["total_amount"], row["not_stated_lines"]) == (
            want["amount"], want["lines_without_amount"]), decision.number
    assert numbers(totals_in_force(decisions[revoked].lines)) == {
        "lines": 0, "individuals": 0, "collectives": 0, "households": 0, RECIPIENTS: NOBODY,
        "amount": None, "lines_without_amount": 0}

    # the whole registry: the running totals, and the lines themselves (as of the head)
    want = numbers(totals_in_force(every_line))
    assert want == {"lines": 6, "individuals": 4, "collectives": 1, "households": 1,
                    RECIPIENTS: {"individual": 4, "collective": 1, "household": 1},
                    "amount": 1_000_000, "lines_without_amount": 2}
    whole = RegistryFilter()
    assert numbers(rt.registry.totals(whole)["total"]) == want
    summed = rt.registry.totals(replace(whole, as_of_position=app.max_position()))
    assert numbers(summed["total"]) == want
    by_kind = rt.registry.totals(whole, group_by="recipient_kind")["groups"]
    assert {g["key"]: g["lines"] for g in by_kind} == {"individual": 4, "collective": 1,
                                                       "household": 1}
    assert {g["key"]: g[RECIPIENTS][g["key"]] for g in by_kind} == {
        "individual": 4, "collective": 1, "household": 1}

    # a ceremony: its decisions' lines in Python, and the registry's sum for the ceremony
    planned = app.ceremonies.ceremony(ceremony)
    presented = totals_in_force(line for did in planned.decision_ids
                                for line in decisions[did].lines)
    by_ceremony = rt.registry.totals(RegistryFilter(ceremony_id=str(ceremony)))["total"]
    assert numbers(by_ceremony) == numbers(presented) == want


def test_the_sql_of_totals_counts_every_recipient_kind():
    for sql in (sums.over_lines("l"), sums.over_running_totals("t")):
        for kind, key in RECIPIENT_COUNT_KEYS.items():
            assert f"= '{kind}' THEN" in sql and f"AS {key}," in sql
        assert "AS stated" in sql
    # the distinct recipients of every kind, by identity key: over the lines only (they do not
    # add up over running totals)
    for kind, column in sums.RECIPIENT_COLUMNS.items():
        counted = (f"COUNT(DISTINCT CASE WHEN l.recipient_kind = '{kind}' THEN l.recipient_key"
                   f" END) AS {column}")
        assert counted in sums.over_lines("l") and counted in sums.distinct_recipients("l")
        assert "DISTINCT" not in sums.over_running_totals("t")
