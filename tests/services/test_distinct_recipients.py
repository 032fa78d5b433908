"""Counts that do not pretend: award lines are not recipients (``domain.totals``).

A collective given a Bằng khen and a Cờ thi đua is one collective with two awards; a person
awarded in two decisions of one ceremony is one person. Totals count both — the lines of each
recipient kind and the distinct recipients of each kind, by identity key — whether Python sums
a decision's or a ceremony's lines (``totals_in_force``) or SQL sums the registry's
(``projections.sums``), from the running totals or from the lines, grouped any way, on both
stores. Revoked lines count in neither.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.catalog import RECIPIENT_KINDS
from domain.errors import DomainError
from domain.totals import RECIPIENT_COUNT_KEYS, RECIPIENTS, line_totals, totals_in_force
from projections.queries import Page
from projections.registry import RegistryFilter
from services.presentation.totals import counts_phrase, counts_text

KEYS = ("lines", *RECIPIENT_COUNT_KEYS.values(), RECIPIENTS, "amount", "lines_without_amount")
NUMBERS = itertools.count(1)

# a small pool, so that recipients come back: (kind, name, unit key)
POOL = [
    ("individual", "Nguyễn Thị Hồng Nhung", "xd"),
    ("individual", "Trần Thị Lan", "cn1"),
    ("individual", "Hoàng Thị Mai", "nt"),
    ("collective", "Chi hội phụ nữ tổ dân phố số 1", "xd"),
    ("collective", "Chi hội phụ nữ thôn Nà Làng", "nt"),
    ("household", "Gia đình bà Lê Thị Hoa", "cn1"),
]
# award kinds the central Union decides, and the recipient kinds each admits
KINDS = {"bang_khen_tw_hoi": RECIPIENT_KINDS, "co_thi_dua_hoi": ("collective",)}


def numbers(total: dict[str, Any]) -> dict[str, Any]:
    return {key: total[key] for key in KEYS}


def recipient(world, who: int) -> dict[str, Any]:
    kind, name, unit = POOL[who]
    out = {"kind": kind, "name": name, "unit_id": world.u(unit)}
    if kind == "individual":
        out["birth_year"] = 1970 + who
    return out


def issue(world, lines: list[dict[str, Any]], decided_on: date = date(2024, 1, 5),
          user: str = "tw.appr", issuer_unit: str = "root",
          award_kind: str = "bang_khen_tw_hoi") -> Any:
    body = {"number": f"{next(NUMBERS)}/QĐ-ĐCT", "decided_on": decided_on,
            "issuer": {"unit_id": world.u(issuer_unit)}, "period": str(decided_on.year - 1),
            "award_kind": award_kind, "lines": lines}
    return world.rt.app.decisions.issue_decision(world.actor(user), body).id


def test_line_totals_count_each_recipient_once_per_kind():
    total = line_totals([("collective", 2_000_000, "unit:a"), ("collective", 3_000_000, "unit:a"),
                         ("individual", None, "cccd:1"), ("individual", 500_000, "cccd:1"),
                         ("individual", 0, "cccd:2")])
    assert numbers(total) == {
        "lines": 5, "individuals": 3, "collectives": 2, "households": 0,
        RECIPIENTS: {"individual": 2, "collective": 1, "household": 0},
        "amount": 5_500_000, "lines_without_amount": 1}
    assert counts_text(total) == ("1 tập thể nhận 2 hình thức khen thưởng, 2 cá nhân nhận 3 "
                                  "hình thức khen thưởng")
    assert counts_phrase(total) == ("1 tập thể nhận 2 hình thức khen thưởng và 2 cá nhân nhận 3 "
                                    "hình thức khen thưởng")
    # as many recipients as lines: said as before
    assert counts_text(line_totals([("collective", 1, "unit:a"), ("collective", 1, "unit:b"),
                                    ("household", None, "household:x")])) == (
        "2 tập thể, 1 hộ gia đình")
    assert numbers(line_totals([]))[RECIPIENTS] == dict.fromkeys(RECIPIENT_KINDS, 0)


@given(st.lists(st.tuples(st.sampled_from(RECIPIENT_KINDS), st.integers(0, 4),
                          st.one_of(st.none(), st.integers(0, 10**9)))))
def test_distinct_recipients_never_exceed_lines(lines):
    total = line_totals((kind, amount, f"{kind}:{who}") for kind, who, amount in lines)
    for kind in RECIPIENT_KINDS:
        mine = [who for k, who, _ in lines if k == kind]
        assert total[RECIPIENTS][kind] == len(set(mine))
        assert total[RECIPIENTS][kind] <= total[RECIPIENT_COUNT_KEYS[kind]] == len(mine)
        assert (total[RECIPIENTS][kind] == 0) == (not mine)


def test_a_collective_with_two_forms_and_a_person_in_two_decisions(rt, world, clock):
    """The example of the issue, summed every way on both stores; then revoked line by line."""
    clock.today = date(2024, 6, 30)
    app = rt.app
    unit = recipient(world, 3)
    nhung = recipient(world, 0)
    central = issue(world, [
        {"recipient": unit, "award_kind": "bang_khen_tw_hoi", "amount": 2_000_000},
        {"recipient": unit, "award_kind": "co_thi_dua_hoi", "amount": 3_000_000},
        {"recipient": nhung, "amount": 1_000_000},
    ])
    district = issue(world, [
        {"recipient": nhung, "amount": 300_000},
        {"recipient": recipient(world, 1), "amount": 300_000},
    ], date(2024, 1, 8), "btl.appr", "btl", "giay_khen_hoi")
    ceremony = app.ceremonies.plan_ceremony(world.actor("tw.appr"), {
        "title": "Hội nghị tổng kết năm 2023", "held_on": date(2024, 1, 9),
        "host_unit_id": world.u("root"), "decision_ids": [central, district]}).id
    rt.runner.catch_up()

    def python(*ids) -> dict[str, Any]:
        return numbers(totals_in_force(line for did in ids
                                       for line in app.decisions.decision(did).lines))

    def sql(**filters) -> dict[str, Any]:
        return numbers(rt.registry.totals(RegistryFilter(**filters))["total"])

    one_decision = python(central)
    assert one_decision[RECIPIENTS] == {"individual": 1, "collective": 1, "household": 0}
    assert (one_decision["collectives"], one_decision["individuals"]) == (2, 1)
    assert sql(decision_id=str(central)) == one_decision
    both = python(central, district)
    assert both[RECIPIENTS] == {"individual": 2, "collective": 1, "household": 0}
    assert (both["lines"], both["individuals"]) == (5, 3)
    head = app.max_position()
    for filters in ({}, {"as_of_position": head}, {"ceremony_id": str(ceremony)},
                    {"year": 2024}, {"unit_id": world.u("btl")}):
        assert sql(**filters) == both, filters
    assert counts_text(both) == ("1 tập thể nhận 2 hình thức khen thưởng, 2 cá nhân nhận 3 "
                                 "hình thức khen thưởng")
    # a chart of lines and amounts may skip the count: then it says nobody was counted, and
    # its words never pass awards off as recipients
    fast = rt.registry.totals(RegistryFilter(), "year", recipients=False)
    assert fast["total"][RECIPIENTS] is None and fast["groups"][0][RECIPIENTS] is None
    assert {k: v for k, v in numbers(fast["total"]).items() if k != RECIPIENTS} == {
        k: v for k, v in both.items() if k != RECIPIENTS}
    assert fast["total"]["counts_text"] == "2 khen thưởng tập thể, 3 khen thưởng cá nhân"
    by_ceremony = rt.registry.totals(RegistryFilter(), "ceremony")["groups"]
    assert [numbers(g) for g in by_ceremony] == [both]
    assert by_ceremony[0]["summary"] == ("Hội nghị tổng kết năm 2023: 1 tập thể nhận 2 hình thức "
                                         "khen thưởng, 2 cá nhân nhận 3 hình thức khen thưởng, "
                                         "6.600.000 đ")
    reconciled = rt.registry.reconciliation(str(ceremony))["totals"]
    assert numbers(reconciled["total"]) == both
    assert {g["key"]: numbers(g) for g in reconciled["groups"]} == {
        str(central): one_decision, str(district): python(district)}

    # revoked lines count in neither lines nor recipients
    app.decisions.revoke_decision(world.actor("tw.appr"), central, line_no=2,
                                  revoked_on=date(2024, 3, 1), ground="a", reason="Kê khai sai")
    app.decisions.revoke_decision(world.actor("btl.appr"), district, line_no=1,
                                  revoked_on=date(2024, 3, 1), ground="a", reason="Kê khai sai")
    rt.runner.catch_up()
    after = python(central, district)
    assert after[RECIPIENTS] == {"individual": 2, "collective": 1, "household": 0}
    assert (after["lines"], after["collectives"], after["individuals"]) == (3, 1, 2)
    assert counts_text(after) == "1 tập thể, 2 cá nhân"
    for filters in ({}, {"as_of_position": app.max_position()}, {"ceremony_id": str(ceremony)}):
        assert sql(**filters) == after, filters
    assert sql(as_of=date(2024, 2, 29)) == both  # before the revocations
    app.decisions.revoke_decision(world.actor("btl.appr"), district, line_no=2,
                                  revoked_on=date(2024, 3, 2), ground="a", reason="Kê khai sai")
    rt.runner.catch_up()
    last = python(central, district)
    assert last[RECIPIENTS] == {"individual": 1, "collective": 1, "household": 0}
    assert sql(ceremony_id=str(ceremony)) == sql() == last


# -- a property: any history, every grouping, Python and SQL agree ------------------------------

line_st = st.tuples(st.integers(0, len(POOL) - 1), st.sampled_from(sorted(KINDS)),
                    st.one_of(st.none(), st.integers(0, 3_000_000)))
issue_st = st.tuples(st.just("issue"), st.integers(2023, 2025),
                     st.lists(line_st, min_size=1, max_size=5))
revoke_st = st.tuples(st.just("revoke"), st.integers(0, 20), st.integers(1, 5))
history_st = st.lists(st.one_of(issue_st, issue_st, revoke_st), min_size=1, max_size=6)


def run(world, ops) -> list[Any]:
    app = world.rt.app
    issued = []
    for op in ops:
        try:
            if op[0] == "issue":
                _, year, lines = op
                issued.append(issue(world, [
                    {"recipient": recipient(world, who), "award_kind": kind,
                     **({"amount": amount} if amount is not None else {})}
                    for who, kind, amount in lines
                    if POOL[who][0] in KINDS[kind]] or [
                    {"recipient": recipient(world, 0), "amount": 100_000}], date(year, 1, 5)))
            elif issued:
                _, index, line_no = op
                app.decisions.revoke_decision(world.actor("tw.appr"), issued[index % len(issued)],
                                              line_no=line_no, revoked_on=date(2025, 6, 1),
                                              ground="a", reason="Kiểm tra lại")
        except DomainError:
            pass  # refused (the same achievement twice, no such line…): nothing recorded
    return issued


GROUPINGS = {  # grouping → the key of a decision line in it (as the registry keys its groups)
    "decision": lambda d, line: str(d.id),
    "year": lambda d, line: str(d.decided_on.year),
    "award_kind": lambda d, line: line.award_kind,
    "recipient_kind": lambda d, line: line.recipient_kind,
    "amount_source": lambda d, line: line.amount_source,
    "funding": lambda d, line: d.issuer["body"],
}


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=history_st)
def test_every_grouping_counts_recipients_as_python_does(rt, world, clock, ops):
    clock.today = date(2026, 1, 1)
    issued = run(world, ops)
    rt.runner.catch_up()
    app = rt.app
    listed = rt.registry.lines(RegistryFilter(status="all"), Page.everything(10_000))["items"]
    decisions = [app.decisions.decision(UUID(did))
                 for did in {line["decision_id"] for line in listed}]
    every = [line for d in decisions for line in d.lines]
    want = numbers(totals_in_force(every))
    head = app.max_position()
    for f in (RegistryFilter(), RegistryFilter(as_of_position=head)):
        assert numbers(rt.registry.totals(f)["total"]) == want, f
        for grouping, key_of in GROUPINGS.items():
            groups: dict[str, list] = defaultdict(list)
            for d in decisions:
                for line in d.lines:
                    groups[key_of(d, line)].append(line)
            expected = {key: numbers(totals_in_force(lines)) for key, lines in groups.items()}
            expected = {key: total for key, total in expected.items() if total["lines"]}
            got = {g["key"]: numbers(g) for g in rt.registry.totals(f, grouping)["groups"]}
            assert got == expected, (grouping, f)
    # the units of a level: a line counts in each unit on its path
    by_unit: dict[str, list] = defaultdict(list)
    for line in every:
        for step in line.unit_path:
            if step["level"] == "commune":
                by_unit[step["id"]].append(line)
    expected = {key: numbers(totals_in_force(lines)) for key, lines in by_unit.items()}
    for f in (RegistryFilter(), RegistryFilter(as_of_position=head)):
        got = {g["key"]: numbers(g) for g in rt.registry.totals(f, "unit", "commune")["groups"]}
        assert got == {k: v for k, v in expected.items() if v["lines"]}, f
    for unit in ("hanoi", "btl", "backan"):
        mine = [line for line in every if any(s["id"] == world.u(unit) for s in line.unit_path)]
        f = RegistryFilter(unit_id=world.u(unit))
        assert numbers(rt.registry.totals(f)["total"]) == numbers(totals_in_force(mine)), unit
        assert (rt.registry.totals(f, "year")["groups"]
                == rt.registry.totals(replace(f, as_of_position=head), "year")["groups"]), unit
    # a ceremony of the decisions issued here: the ceremony's own totals are the registry's
    if issued:
        ceremony = app.ceremonies.plan_ceremony(world.actor("tw.appr"), {
            "title": f"Hội nghị {next(NUMBERS)}", "held_on": date(2026, 1, 1),
            "host_unit_id": world.u("root"), "decision_ids": issued[:3]}).id
        rt.runner.catch_up()
        presented = numbers(totals_in_force(
            line for did in issued[:3] for line in app.decisions.decision(did).lines))
        found = rt.registry.reconciliation(str(ceremony))["totals"]["total"]
        assert numbers(found) == presented
