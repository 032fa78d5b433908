"""How long a cluster board takes when computed on read (issue 19): a covenant of 10 scored
indicators, 60 members each with 10 results reported and confirmed and 10 agreed scores.

    .venv/bin/python -m bench.emulation_board [--store sqlite|postgres] [--members 60]
                                              [--indicators 10] [--repeat 20]

PostgreSQL is found as the tests find it (``TEST_DATABASE_URL`` or 127.0.0.1:5432, user
postgres): a throwaway schema is made and dropped. Prints the median and the slowest of
``repeat`` reads, for the board alone (loading the cluster, the covenant and every report, and
computing), and for the board as the API answers it (``GET …/board``, JSON).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient

from domain.emulation.cluster import MemberReport
from services.api import create_app
from services.app import Runtime
from services.authz import SYSTEM
from services.config import POSTGRES, SQLITE, Settings, pg_env_from_url

PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def settings_for(store: str, folder: Path, schema: str) -> Settings:
    if store == SQLITE:
        return Settings(store=SQLITE, data_dir=folder)
    env = pg_env_from_url(PG_URL)
    return Settings(store=POSTGRES, data_dir=folder,
                    pg={**env, "POSTGRES_DBNAME": "postgres", "POSTGRES_SCHEMA": schema})


def build(rt: Runtime, members: int, indicators: int) -> tuple[str, dict[str, str]]:
    app = rt.app
    root = app.orgs.create_root(SYSTEM, name="Trung ương Hội", code="TW",
                                established_on=date(1930, 10, 20))
    units = [app.orgs.create_unit(SYSTEM, name=f"Hội LHPN tỉnh số {i + 1}", level="province",
                                  parent_id=root.id, established_on=date(1997, 1, 1)).id
             for i in range(members)]
    clusters = app.emulation.clusters
    cluster = clusters.create(SYSTEM, name="Cụm đo thời gian", kind="cum",
                              managing_unit_id=root.id).id
    clusters.set_year(SYSTEM, cluster, 2024, members=[{"unit_id": u} for u in units],
                      lead_unit_id=units[0])
    points = 1000 // indicators
    clusters.put_covenant(SYSTEM, cluster, 2024, {
        "indicators": [{"code": str(i + 1), "text": f"Chỉ tiêu {i + 1}", "target": "5",
                        "summable": True, "max_points": str(points)}
                       for i in range(indicators)],
        "thresholds": [{"code": "tot", "label": "Tốt", "minimum": "500"},
                       {"code": "dat", "label": "Đạt", "minimum": "0"}],
        "proposal_rules": [{"rank_from": 1, "rank_to": 3, "award_kind": "bang_khen_tw_hoi"}],
        "proposal_cap": "1/10"})
    for unit in units:
        clusters.sign(SYSTEM, cluster, 2024, unit_id=unit, on=date(2024, 1, 2))
    clusters.open(SYSTEM, cluster, 2024, date(2024, 1, 3))
    found = clusters.cluster(cluster)
    covenant = clusters.covenant(found, 2024)
    for n, unit in enumerate(units):  # one commit per member: all of its events
        report = MemberReport.start(covenant, found, unit, "bench")
        for i in range(indicators):
            code = str(i + 1)
            report.report(covenant, code, actor="bench", value=str((n + i) % 9),
                          evidence="Báo cáo tổng kết năm")
            report.confirm(covenant, code, "lead")
            report.agree(covenant, code, str((n * 7 + i) % (points + 1)), actor="lead",
                         reason="Thống nhất")
        app.commit(report, covenant)
    rt.runner.catch_up()
    app.users.create_user(SYSTEM, username="bench", full_name="bench", password="mat-khau-123",
                          grants=[{"role": "approver", "unit_id": root.id}])
    _, token = app.users.issue_token(SYSTEM, username="bench")
    return str(cluster), {"Authorization": f"Bearer {token}"}


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=(SQLITE, POSTGRES), default=SQLITE)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    if args.store == POSTGRES:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    try:
        with tempfile.TemporaryDirectory() as folder, \
                Runtime(settings_for(args.store, Path(folder), schema),
                        clock=lambda: date(2024, 12, 1)) as rt:
            cluster, headers = build(rt, args.members, args.indicators)
            clusters = rt.app.emulation.clusters
            board = timed(lambda: clusters.board(SYSTEM, uuid.UUID(cluster), 2024), args.repeat)
            with TestClient(create_app(rt)) as client:
                url = f"/api/emulation/clusters/{cluster}/covenants/2024/board"
                assert client.get(url, headers=headers).status_code == 200
                api = timed(lambda: client.get(url, headers=headers), args.repeat)
            print(f"{args.store}: {args.members} members × {args.indicators} indicators — "
                  f"board {board[0]:.1f} ms (median; slowest {board[1]:.1f} ms), "
                  f"GET …/board {api[0]:.1f} ms (median; slowest {api[1]:.1f} ms)")
    finally:
        if args.store == POSTGRES:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()
