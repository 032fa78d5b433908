"""Soak test (issue 18; run by hand, not in CI): nominators and approvers on PostgreSQL against
``tdkt serve --workers 2`` with the projector in its own process, for a while, with client
retries, and ``kill -9`` of an API worker and of the projector mid-run.

    python -m bench.soak [--seconds 120] [--nominators 50] [--approvers 50]

Each nominator drafts nominations (``POST /api/nominations``), each approver issues one-line
decisions (``POST /api/decisions``, a number of its own each time), every request with an
``Idempotency-Key``; a request that fails (no answer, a 5xx, an "in progress" 409) is sent again
with the same key and body, up to 20 times. At a third of the run one API worker is killed with
-9 (uvicorn starts another), at a half the projector is (and started again a second later).

Afterwards the log is read directly: every record a client was told was created (2xx) must be in
it (``lost`` = 0), no record may be there twice (``duplicated`` = 0: each carries its client's
marker), and the projector's recovery is the time from its restart until its position passed
the log's head as it was at the restart. The answer is printed as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import httpx
import psycopg

from bench.run import ROOT, _server_env, free_port, store_settings, wait_healthy, world
from services.app import Runtime
from services.authz import SYSTEM
from services.config import POSTGRES

RETRIES = 20


def _api_workers(pid: int) -> list[int]:
    """uvicorn's worker processes under the server (not multiprocessing's resource tracker)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    workers = []
    for child in (int(p) for p in found.stdout.split()):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            workers.append(child)
    return sorted(workers, key=_cpu_ticks, reverse=True)  # the busiest first


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.requests = 0
        self.acknowledged: dict[str, set[str]] = {"nomination": set(), "decision": set()}
        self.gave_up = 0
        self.replayed = 0  # retries answered with the first answer (recorded before)


async def _send(client: httpx.AsyncClient, tally: Tally, kind: str, marker: str, path: str,
                body: dict[str, Any], token: str) -> None:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": marker}
    for _ in range(RETRIES):
        tally.requests += 1
        try:
            answer = await client.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            tally.statuses[type(error).__name__] += 1
            await asyncio.sleep(0.2)
            continue
        tally.statuses[str(answer.status_code)] += 1
        if 200 <= answer.status_code < 300:
            tally.acknowledged[kind].add(marker)
            if answer.headers.get("idempotent-replayed") == "true":
                tally.replayed += 1
            return
        if answer.status_code >= 500 or answer.status_code == 429 or (
                answer.status_code == 409 and "in_progress" in answer.text):
            await asyncio.sleep(0.2)
            continue
        return  # a refusal: the client would show it
    tally.gave_up += 1


async def _clients(base: str, seconds: float, nominators: list[tuple[str, str]],
                   approvers: list[tuple[str, str]], units: dict[str, Any],
                   tally: Tally) -> None:
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(nominators) + len(approvers))
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        def nomination(marker: str) -> dict[str, Any]:
            return {
                "proposing_unit_id": str(units["commune"]),
                "recipient": {"kind": "individual", "name": f"Nguyễn Thị Soak {marker}",
                              "birth_year": 1980, "unit_id": str(units["commune"])},
                "award_kind": "giay_khen_hoi", "period": "2023",
                "achievement": f"Hoàn thành xuất sắc nhiệm vụ ({marker})"}

        def decision(marker: str) -> dict[str, Any]:
            return {
                "number": f"{marker}/QĐ-SOAK", "decided_on": "2024-03-01",
                "issuer": {"unit_id": str(units["province"])},
                "signer": {"name": "Hà Thị Nga", "title": "Chủ tịch"},
                "award_kind": "giay_khen_hoi", "period": "2023",
                "lines": [{"recipient": {"kind": "individual", "name": f"Lê Thị Soak {marker}",
                                         "birth_year": 1980, "unit_id": str(units["commune"])},
                           "amount": 300_000}]}

        async def keep_sending(kind: str, path: str, body: Any, name: str, token: str) -> None:
            """One client: a new record after another until the time is up (its marker, e.g.
            ``n-n7-12``, names it in the log)."""
            i = 0
            while time.monotonic() < stop:
                i += 1
                marker = f"{kind[0]}-{name}-{i}"
                await _send(client, tally, kind, marker, path, body(marker), token)

        await asyncio.gather(
            *(keep_sending("nomination", "/api/nominations", nomination, n, t)
              for n, t in nominators),
            *(keep_sending("decision", "/api/decisions", decision, n, t) for n, t in approvers))


def _log_counts(settings: Any) -> tuple[Counter[str], int]:
    """Markers of every nomination and decision in the log, and the log's head."""
    found: Counter[str] = Counter()
    rt = Runtime(settings)
    try:
        app = rt.app
        head = app.recorder.max_notification_id() or 0
        start = 0
        while True:
            batch = app.recorder.select_notifications(start=start, limit=5000,
                                                      inclusive_of_start=False)
            for notification in batch:
                if notification.topic in ("tdkt.nomination:Nomination.Created",
                                          "tdkt.decision:AwardDecision.Created"):
                    text = bytes(notification.state).decode("utf-8", "replace")
                    for prefix in ("n-", "d-"):
                        at = text.find(f"Soak {prefix}")
                        if at >= 0:
                            marker = text[at + 5:].split('"')[0].split(")")[0].split("/")[0]
                            found[marker] += 1
                            break
            if len(batch) < 5000:
                break
            start = batch[-1].id
    finally:
        rt.close()
    return found, head


def _projection_position(settings: Any) -> int:
    with psycopg.connect(settings.pg_conninfo()) as conn:
        row = conn.execute("SELECT MIN(position) FROM projection_tracking").fetchone()
    return int(row[0] or 0)


def _head(settings: Any) -> int:
    rt = Runtime(settings)
    try:
        return rt.app.recorder.max_notification_id() or 0
    finally:
        rt.close()


def soak(seconds: float, nominators: int, approvers: int) -> dict[str, Any]:
    with store_settings(POSTGRES) as settings:
        rt = Runtime(settings)
        try:
            units = world(rt)
            users = rt.app.users
            people: dict[str, list[tuple[str, str]]] = {"n": [], "a": []}
            for prefix, count, role, unit in (("n", nominators, "nominator", "commune"),
                                              ("a", approvers, "approver", "root")):
                for k in range(count):
                    name = f"soak.{prefix}{k}"
                    users.create_user(SYSTEM, username=name, full_name=name, password=None,
                                      grants=[{"role": role, "unit_id": units[unit]}])
                    people[prefix].append((f"{prefix}{k}", users.issue_token(
                        SYSTEM, username=name)[1]))
            rt.runner.catch_up()
        finally:
            rt.close()
        env = {**_server_env(settings), "TDKT_PROJECTIONS": "worker"}
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--workers",
             "2", "--no-access-log"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        projector_cmd = [sys.executable, "-m", "services.cli", "project"]
        projector = subprocess.Popen(projector_cmd, env=env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        events: dict[str, Any] = {}
        try:
            wait_healthy(base, tries=300)

            async def chaos() -> None:
                nonlocal projector
                await asyncio.sleep(seconds / 3)
                workers = _api_workers(server.pid)
                if workers:
                    os.kill(workers[0], signal.SIGKILL)
                    events["api_worker_killed_at_s"] = round(seconds / 3, 1)
                    events["api_workers_before_kill"] = len(workers)
                await asyncio.sleep(seconds / 2 - seconds / 3)
                projector.kill()
                projector.wait()
                await asyncio.sleep(1)
                restart_head = await asyncio.to_thread(_head, settings)
                projector = subprocess.Popen(projector_cmd, env=env, cwd=ROOT,
                                             stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
                restarted = time.monotonic()
                while await asyncio.to_thread(_projection_position, settings) < restart_head:
                    await asyncio.sleep(0.1)
                events["projector_recovery_s"] = round(time.monotonic() - restarted, 2)

            async def run() -> None:
                await asyncio.gather(
                    _clients(base, seconds, people["n"], people["a"], units, tally), chaos())

            started = time.monotonic()
            asyncio.run(run())
            elapsed = time.monotonic() - started
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            projector.kill()
        found, head = _log_counts(settings)
    acknowledged = tally.acknowledged["nomination"] | tally.acknowledged["decision"]
    return {
        "seconds": round(elapsed, 1), "nominators": nominators, "approvers": approvers,
        "requests": tally.requests, "answers": dict(sorted(tally.statuses.items())),
        "acknowledged": {k: len(v) for k, v in tally.acknowledged.items()},
        "recorded": sum(1 for _ in found), "log_head": head,
        "lost": sorted(acknowledged - set(found))[:20],
        "lost_count": len(acknowledged - set(found)),
        "duplicated": sorted(m for m, n in found.items() if n > 1)[:20],
        "duplicated_count": sum(1 for n in found.values() if n > 1),
        "recorded_unacknowledged": len(set(found) - acknowledged),
        "gave_up": tally.gave_up, "retried": tally.requests - len(acknowledged) - tally.gave_up,
        "replayed": tally.replayed,
        **events,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--nominators", type=int, default=50)
    parser.add_argument("--approvers", type=int, default=50)
    args = parser.parse_args(argv)
    result = soak(args.seconds, args.nominators, args.approvers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if not result["lost_count"] and not result["duplicated_count"] else 1


if __name__ == "__main__":
    sys.exit(main())
