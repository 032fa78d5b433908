"""Tamper evidence (issue 18): every stored event is sealed with a SHA-256 chained to the seal
before it, as the projections catch up; ``Sealer.verify`` recomputes the chain from the stored
events and names the first position where the log and the seals part — a flipped byte in an
event, an event deleted, an event slipped in between sealed ones. Both stores; the raw tables
are changed with SQL, as someone with access to the database would."""

from __future__ import annotations

from datetime import date

from projections.runner import Runner
from projections.seal import GENESIS, Sealer
from services.app import default_views
from tests.helpers import World


def record(world: World, count: int) -> None:
    for n in range(count):
        world.rt.after(world.rt.app.decisions.issue_decision(world.actor("tw.appr"), {
            "number": f"{n + 1}/QĐ-NP", "decided_on": date(2024, 5, 1),
            "issuer": {"unit_id": world.u("root")},
            "signer": {"name": "Hà Thị Nga", "title": "Chủ tịch"},
            "award_kind": "bang_khen_tw_hoi", "amount_mode": "not_stated",
            "lines": [{"recipient": {"kind": "individual", "name": f"Nguyễn Thị Hoa {n}",
                                     "birth_year": 1980}, "period": "2023"}]}))


def raw(rt, sql: str, params: tuple = ()) -> list:
    """SQL on the event store itself (not the read models)."""
    recorder = rt.app.recorder
    table = recorder.events_table_name
    schema = getattr(recorder.datastore, "schema", None)
    if schema:  # PostgreSQL: the store's own schema
        table = f'"{schema}"."{table}"'
    with recorder.datastore.transaction(commit=True) as cur:
        cur.execute(sql.format(table=table), params)
        try:
            return list(cur.fetchall())
        except Exception:  # no rows to fetch (UPDATE, DELETE)
            return []


def positions(rt) -> list[int]:
    return [n.id for n in rt.app.recorder.select_notifications(start=0, limit=100_000)]


def test_every_event_is_sealed_and_the_chain_verifies(rt, world):
    record(world, 3)
    verdict = rt.runner.sealer.verify()
    assert verdict.intact, verdict.sentence()
    assert verdict.checked == len(positions(rt)) and verdict.unsealed_tail == 0
    assert verdict.head != GENESIS and verdict.head_position == positions(rt)[-1]
    assert "Nhật ký nguyên vẹn" in verdict.sentence() and verdict.head in verdict.sentence()
    # a rebuild of the read models leaves the seals alone (they are not a read model)
    Runner(rt.app, rt.db, default_views(), batch_size=5).rebuild()
    assert rt.runner.sealer.verify().head == verdict.head


def test_a_flipped_byte_is_found_at_its_position(rt, world):
    record(world, 3)
    target = positions(rt)[-2]
    id_column = "notification_id" if rt.db.dialect == "postgres" else "rowid"
    [row] = raw(rt, f"SELECT state FROM {{table}} WHERE {id_column} = {target}")
    state = row["state"] if isinstance(row, dict) else row[0]
    changed = bytearray(bytes(state))
    changed[len(changed) // 2] ^= 0x01
    marker = "%s" if rt.db.dialect == "postgres" else "?"
    raw(rt, f"UPDATE {{table}} SET state = {marker} WHERE {id_column} = {target}",
        (bytes(changed),))
    verdict = rt.runner.sealer.verify()
    assert not verdict.intact
    assert (verdict.break_position, verdict.break_kind) == (target, "altered")
    assert f"vị trí {target}" in verdict.sentence()


def test_a_deleted_event_is_found(rt, world):
    record(world, 3)
    target = positions(rt)[-3]
    id_column = "notification_id" if rt.db.dialect == "postgres" else "rowid"
    raw(rt, f"DELETE FROM {{table}} WHERE {id_column} = {target}")
    verdict = rt.runner.sealer.verify()
    assert (verdict.break_position, verdict.break_kind) == (target, "missing")


def test_new_events_are_not_sealed_yet_until_the_next_catch_up(rt, world):
    record(world, 1)
    sealer = Sealer(rt.app.recorder, rt.db)
    before = sealer.verify()
    rt.app.decisions.issue_decision(world.actor("tw.appr"), {
        "number": "9/QĐ-NP", "decided_on": date(2024, 5, 1),
        "issuer": {"unit_id": world.u("root")},
        "signer": {"name": "Hà Thị Nga", "title": "Chủ tịch"},
        "award_kind": "bang_khen_tw_hoi", "amount_mode": "not_stated",
        "lines": [{"recipient": {"kind": "individual", "name": "Lê Thị Mai",
                                 "birth_year": 1981}, "period": "2023"}]})
    pending = sealer.verify()
    assert pending.intact and pending.unsealed_tail > 0 and pending.head == before.head
    assert sealer.seal() == pending.unsealed_tail
    assert sealer.seal() == 0
    after = sealer.verify()
    assert after.intact and after.unsealed_tail == 0 and after.head != before.head


def test_tdkt_verify_reports_the_chain_and_its_first_break(rt, world, tdkt):
    record(world, 2)
    healthy = tdkt(rt.settings, "verify")
    head = rt.runner.sealer.verify().head
    assert "Nhật ký nguyên vẹn" in healthy.stdout and head in healthy.stdout
    target = positions(rt)[-1]
    id_column = "notification_id" if rt.db.dialect == "postgres" else "rowid"
    raw(rt, f"DELETE FROM {{table}} WHERE {id_column} = {target}")
    broken = tdkt(rt.settings, "verify", code=1)
    assert f"chỗ hỏng đầu tiên ở vị trí {target}" in broken.stdout
