"""Rebuilding the read models from the log: every table of every view, beside the live views,
switched in one step; equal to the views built event by event; a failure changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.runner import Runner
from services.app import default_views
from tests.helpers import World, dump, tables_in

# tables beside the views in the read-model database, not read models: where each view stands,
# the log's tamper-evidence seals (never rebuilt), tokens' last-used times, the session key
BESIDE = {"projection_tracking", "event_seals", "tdkt_token_last_used", "tdkt_secret",
          "personal_keys"}
KINDS = [("bang_khen_tw_hoi", "root", "tw.appr"), ("giay_khen_hoi", "hanoi", "hn.appr")]


def decide(world: World, number: str, names: list[str], kind: int = 0,
           on: date = date(2024, 5, 1)) -> Any:
    code, unit, user = KINDS[kind]
    return world.rt.after(world.rt.app.decisions.issue_decision(world.actor(user), {
        "number": number, "decided_on": on, "issuer": {"unit_id": world.u(unit)},
        "signer": {"name": "Hà Thị Nga", "title": "Chủ tịch"}, "award_kind": code,
        "amount_mode": "not_stated",
        "lines": [{"recipient": {"kind": "individual", "name": name, "birth_year": 1980},
                   "period": "2023"} for name in names]}))


def test_every_table_in_the_view_database_belongs_to_a_view(rt, world):
    decision = decide(world, "1/QĐ-ĐCT", ["Nguyễn Thị Hoa"])
    rt.app.certificates.print_certificates(world.actor("tw.appr"), [decision.id])
    owned = {t for v in default_views() for t in v.table_names(rt.db.dialect)}
    assert "certificate_books" in owned
    assert tables_in(rt.db) - BESIDE == owned


def test_a_rebuild_after_printed_certificates_equals_the_live_views(rt, world):
    decision = decide(world, "1/QĐ-ĐCT", ["Nguyễn Thị Hoa", "Lê Thị Mai"])
    _, saved = rt.app.certificates.print_certificates(world.actor("tw.appr"), [decision.id])
    rt.after(saved)
    views = rt.runner.views
    before = dump(rt.db, views)
    assert before["certificate_books"] and before["certificates"]
    rt.runner.rebuild()
    assert dump(rt.db, views) == before
    head = rt.app.max_position()
    assert set(rt.runner.positions().values()) == {head}
    assert tables_in(rt.db) == {t for v in views for t in v.table_names(rt.db.dialect)} \
        | (tables_in(rt.db) & BESIDE)  # no staging table left behind


def test_a_failed_rebuild_leaves_the_live_views_serving(rt, world, monkeypatch):
    decide(world, "1/QĐ-ĐCT", ["Nguyễn Thị Hoa"])
    views = rt.runner.views
    before, positions = dump(rt.db, views), rt.runner.positions()
    lines = next(v for v in views if v.name == "decisions")

    def broken(cur, items):
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(lines, "apply_batch", broken)
    with pytest.raises(RuntimeError):
        rt.runner.rebuild()
    monkeypatch.undo()
    assert rt.runner.positions() == positions
    assert dump(rt.db, views) == before
    # and the service goes on: a new decision is projected as usual
    decide(world, "2/QĐ-ĐCT", ["Đỗ Thị Hạnh"])
    assert rt.queries.decisions()["total"] == 2


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("decide"), st.lists(st.sampled_from(
            ["Nguyễn Thị Hoa", "Lê Thị Mai", "Đỗ Thị Hạnh", "Phạm Thu", "Vũ Lan"]),
            min_size=1, max_size=3, unique=True), st.integers(0, 1)),
        st.tuples(st.just("revoke_line"), st.integers(0, 5), st.integers(1, 3)),
        st.tuples(st.just("print"), st.integers(0, 5)),
        st.tuples(st.just("ceremony"), st.integers(0, 5)),
        st.tuples(st.just("rename"), st.sampled_from(["xd", "cn1", "nt"])),
        st.tuples(st.just("nominate"), st.sampled_from(["Trần Thị Bích", "Hà Thu"])),
    ),
    min_size=1, max_size=6,
)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_a_rebuild_from_zero_equals_the_views_built_event_by_event(rt, world, operations):
    """The live views are fed one event per transaction; a rebuild replays the whole log in
    batches into fresh tables. For any history they hold the same rows, in every view."""
    rt.runner.batch_size = 1
    app = rt.app
    state: dict[str, Any] = world.__dict__.setdefault("history", {"decisions": [], "n": 0})
    for op in operations:
        state["n"] += 1
        n = state["n"]
        try:
            if op[0] == "decide":
                names = [f"{name} {n}" for name in op[1]]
                state["decisions"].append(decide(world, f"{n}/QĐ", names, op[2]).id)
            elif op[0] == "revoke_line" and state["decisions"]:
                did = state["decisions"][op[1] % len(state["decisions"])]
                decision = app.decisions.decision(did)
                user = "tw.appr" if decision.issuer.get("level") == "central" else "hn.appr"
                rt.after(app.decisions.revoke_decision(
                    world.actor(user), did, revoked_on=date(2024, 6, 1), ground="b",
                    reason="Hồ sơ sai", line_no=op[2]))
            elif op[0] == "print" and state["decisions"]:
                did = state["decisions"][op[1] % len(state["decisions"])]
                _, saved = app.certificates.print_certificates(world.actor("admin"), [did],
                                                  reprint_reason="In lại")
                if saved is not None:
                    rt.after(saved)
            elif op[0] == "ceremony" and state["decisions"]:
                did = state["decisions"][op[1] % len(state["decisions"])]
                rt.after(app.ceremonies.plan_ceremony(world.actor("tw.appr"), {
                    "title": f"Hội nghị {n}", "held_on": date(2024, 6, 2), "place": "Hà Nội",
                    "host_unit_id": world.units["root"], "decision_ids": [did]}))
            elif op[0] == "rename":
                rt.after(app.orgs.reorganise(world.actor("admin"), on=date(2024, 1, 1), operations=[
                    {"op": "rename", "unit_id": world.units[op[1]], "name": f"Hội LHPN {n}"}]))
            elif op[0] == "nominate":
                rt.after(app.nominations.draft_nomination(
                    world.actor("xd.nom"), proposing_unit_id=world.units["xd"],
                    data={"recipient": {"kind": "individual", "name": op[1], "birth_year": 1990},
                          "award_kind": "giay_khen_hoi", "period": str(2000 + n),
                          "achievement": "Vận động hội viên"}))
        except Exception as error:  # a refused command records nothing; that is a history too
            from domain.errors import DomainError

            if not isinstance(error, DomainError):
                raise
    live = dump(rt.db, rt.runner.views)
    fresh = Runner(app, rt.db, default_views(), batch_size=1000)
    fresh.rebuild()
    assert dump(rt.db, rt.runner.views) == live


def test_the_embedded_service_catches_up_before_serving(rt, world):
    from fastapi.testclient import TestClient

    from services.api import create_app

    # a decision recorded but not projected: the process died before the views were fed
    rt.app.decisions.issue_decision(world.actor("tw.appr"), {
        "number": "9/QĐ-ĐCT", "decided_on": date(2024, 5, 1),
        "issuer": {"unit_id": world.u("root")}, "signer": {"name": "Hà Thị Nga"},
        "award_kind": "bang_khen_tw_hoi", "amount_mode": "not_stated",
        "lines": [{"recipient": {"kind": "individual", "name": "Nguyễn Thị Hoa",
                                 "birth_year": 1980}, "period": "2023"}]})
    assert rt.runner.position() < rt.app.max_position()
    with TestClient(create_app(rt)) as client:  # the service starts again
        listed = client.get("/api/decisions", headers=world.h("admin")).json()
    assert listed["total"] == 1 and listed["fresh"] is True
    assert rt.runner.position() == rt.app.max_position()
