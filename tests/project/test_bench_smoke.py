"""The benchmark harness runs end to end on tiny bounds: servers, setup, autocannon, floor, report.

No timing is asserted; only that every part works and the report says what it measured.
"""

import json
import subprocess
import sys

import pytest

from tests.support.server import REPO


def test_bench_runs_one_scenario_end_to_end(tmp_path):
    command = [sys.executable, "-m", "bench", "--only", "objects set, versioned", "--concurrency", "2"]
    command += ["--requests", "40", "--seconds", "5", "--warmup", "10", "--out", str(tmp_path), "--no-chart"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["cores"] >= 1 and results["workers"] == 1
    [row] = results["scenarios"]
    assert (row["name"], row["endpoint"], row["concurrency"]) == ("objects set, versioned", "Object/SetObjects", 2)
    assert row["requests"] == 40 and row["errors"] == 0, row  # versions carried from response to request
    assert row["rps"] > 0 and row["floor_rps"] > 0 and 0 < row["p50_ms"] <= row["p99_ms"]
    # The ratio comes from the unrounded rates; the file's rates are rounded to 0.1 call/s.
    assert row["ratio_to_floor"] == pytest.approx(row["rps"] / row["floor_rps"], abs=0.002)
    assert "| objects set, versioned | Object/SetObjects | 2 |" in done.stdout


def test_bench_runs_the_cosmos_hot_document_scenario(tmp_path, cosmos):
    """On the bundled emulator (the fixture fails in CI, skips locally, when it cannot run)."""
    command = [sys.executable, "-m", "bench", "--only", "hot document on cosmos", "--concurrency", "4"]
    command += ["--requests", "24", "--seconds", "10", "--warmup", "4", "--out", str(tmp_path), "--no-chart"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["scenarios"] == []
    [row] = results["cosmos"]
    assert (row["name"], row["concurrency"], row["requests"], row["errors"]) == ("hot document on cosmos", 4, 24, 0)
    assert row["cosmos_requests_per_call"] >= 1  # at least one write each
    assert "| hot document on cosmos | Server/UpdateSharedGroupData | 4 |" in done.stdout
