"""Run one load measurement through the Node load generator (autocannon) in its own process."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.scenarios import Load, url_path

LOAD_JS = Path(__file__).resolve().parent / "load.js"


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
