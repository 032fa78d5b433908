"""Load generator for the HTTP benchmark: a separate process, N concurrent clients on loopback.

    python -m bench.http_client URL TOKEN --concurrency 32 --paths-file F --method POST

Each line of the paths file is one request; the answer (JSON on stdout) gives requests/s and
p50/p95/p99 latency in milliseconds, and how many answers were not 2xx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


async def run(base: str, token: str, paths: list[str], method: str, concurrency: int) -> dict:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=60) as client:

        async def worker() -> None:
            nonlocal failures
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                start = time.perf_counter()
                response = await client.request(method, path, json={} if method == "POST"
                                                else None)
                latencies.append(time.perf_counter() - start)
                if not 200 <= response.status_code < 300:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ms = [seconds * 1000 for seconds in latencies]
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "failures": failures}


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile (also used by ``bench.run``)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--paths-file", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with open(args.paths_file, encoding="utf-8") as handle:
        paths = [line.strip() for line in handle if line.strip()]
    print(json.dumps(asyncio.run(run(args.base, args.token, paths, args.method,
                                     args.concurrency))))


if __name__ == "__main__":
    main()
