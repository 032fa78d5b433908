"""The benchmark harness works (tiny sizes); the real runs are `python -m bench.run`."""

from __future__ import annotations

import pytest

from bench.run import main
from tests.conftest import require_postgres


@pytest.mark.slow
def test_benchmark_harness_runs_every_scenario_on_both_stores(capsys, pg_server, monkeypatch):
    require_postgres(pg_server)
    monkeypatch.setattr("bench.run.PG_SERVER", pg_server.admin_url)
    assert main(["--smoke"]) == 0
    out = capsys.readouterr().out
    for scenario in ("commands", "bulk", "catchup", "certificates", "http", "scale"):
        assert f"| {scenario} | sqlite |" in out and f"| {scenario} | postgres |" in out
    assert "stock ProjectionRunner" in out
