"""The projection worker survives ``kill -9``: killed in the middle of its work, restarted, it
produces the same registry as a fold over the log — no line twice, none missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from services.app import Runtime
from tests.conftest import make_settings
from tests.helpers import World, compare_registry, fold_award_lines


@pytest.fixture
def worker_rt(store, tmp_path, pg_server, pg_schema, clock):
    settings = make_settings(store, tmp_path, pg_server if store == "postgres" else None,
                             pg_schema, projections="worker")
    runtime = Runtime(settings, clock=clock)
    yield runtime
    runtime.close()


def worker_env(rt: Runtime, batch: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POSTGRES_", "TDKT_")) and k not in ("DATABASE_URL",
                                                                     "PERSISTENCE_MODULE")}
    env["TDKT_ARGON2_PROFILE"] = "test"
    env["TDKT_PROJECTION_BATCH"] = str(batch)
    s = rt.settings
    # the data directory holds the personal-data master key (personal.key) on both stores
    env["TDKT_DATA_DIR"] = str(s.data_dir)
    if s.store != "sqlite":
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
        for key in ("DBNAME", "HOST", "PORT", "USER", "PASSWORD"):
            env[f"POSTGRES_{key}"] = s.pg.get(f"POSTGRES_{key}", "")
        env["TDKT_PG_SCHEMA"] = s.pg["POSTGRES_SCHEMA"]
    return env


def decisions_position(rt: Runtime) -> int:
    return int(rt.runner.lag()["decisions"]["position"])


def test_worker_killed_mid_run_resumes_exactly_once(worker_rt, clock):
    rt = worker_rt
    clock.today = date(2025, 1, 1)
    world = World.build(rt)  # projects the world itself, in process
    actor = world.actor("btl.appr")
    for d in range(120):
        saved = rt.app.decisions.issue_decision(actor, {
            "number": f"{d + 1}/QĐ-HPN", "decided_on": date(2024, 1, 1 + d % 28),
            "issuer": {"unit_id": world.u("btl")}, "award_kind": "giay_khen_hoi",
            "period": "2023",
            "lines": [{"recipient": {"kind": "individual", "name": f"Hội viên {d}-{i}",
                                     "unit_id": world.u("xd" if i % 2 else "cn1")},
                       **({"amount": 300_000 + i} if i % 5 else {})} for i in range(25)],
        })
        if d % 17 == 3:
            rt.app.decisions.revoke_decision(actor, saved.id, line_no=2,
                                             revoked_on=date(2024, 6, 1), ground="a",
                                             reason="Sai thành tích")
    head = rt.app.max_position()
    start = decisions_position(rt)
    assert start < head

    command = [sys.executable, "-m", "services.cli", "project", "--interval", "0.01"]
    worker = subprocess.Popen(command, env=worker_env(rt, batch=20), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while decisions_position(rt) <= start and time.monotonic() < deadline:
            time.sleep(0.005)
        killed_at = decisions_position(rt)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL
    assert start < killed_at < head, (start, killed_at, head)

    restarted = subprocess.run([*command[:-2], "--once"], env=worker_env(rt, batch=20),
                               capture_output=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr.decode()
    assert decisions_position(rt) == head
    lines = fold_award_lines(rt)
    compare_registry(rt.registry, lines)
    compare_registry(rt.registry, lines, as_of=date(2024, 1, 15))
    with rt.db.read() as cur:
        stored = cur.scalar("SELECT COUNT(*) FROM award_lines")
        distinct = cur.scalar(
            "SELECT COUNT(*) FROM (SELECT DISTINCT decision_id, line_no FROM award_lines) AS d")
    assert int(stored) == int(distinct) == len(lines) == 120 * 25

