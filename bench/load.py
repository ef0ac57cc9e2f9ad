"""Run one load measurement through the Node load generator (autocannon) in its own process."""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.scenarios import Load, url_path

LOAD_JS = Path(__file__).resolve().parent / "load.js"


def prime(load: Load) -> None:
    """Start carried values from what is stored: a run stopped by time may leave a write unacknowledged."""
    if load.refresh:
        for variant, value in zip(load.variants, load.refresh(), strict=True):
            variant.initial = value


def measure(url: str, endpoint: str, load: Load, connections: int, amount: int, seconds: float) -> dict[str, Any]:
    spec = {
        "url": url,
        "path": url_path(endpoint),
        "variants": [asdict(v) for v in load.variants],
        "carry": load.carry,
        "connections": connections,
        "amount": amount,
        "seconds": seconds,
    }
    done = subprocess.run(
        ["node", str(LOAD_JS)], input=json.dumps(spec), capture_output=True, text=True, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several rounds of the same run: all latencies together, requests over time spent."""
    times = sorted(t for part in parts for t in part["times_ms"])
    seconds = sum(part["seconds"] for part in parts)
    return {
        "requests": len(times),
        "seconds": round(seconds, 3),
        "rps": len(times) / seconds if seconds else 0.0,
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "errors": sum(part["errors"] for part in parts),
        "first_error": next((part["first_error"] for part in parts if part["first_error"]), None),
    }
