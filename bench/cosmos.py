"""The hot-document scenario on Cosmos DB: many writers updating one document, on the bundled emulator.

The local host runs with STORAGE_BACKEND=cosmos against the emulator (local_host/cosmos_emulator.py),
which counts the requests it serves, so each run reports Cosmos DB requests per successful call beside
its p99.
A call is an error unless its envelope's code is 200, so a ConcurrentEditError (1133) counts as one.
There is no floor here: the emulator, not the stack, sets the pace.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Final

import httpx

from bench.load import measure
from bench.scenarios import Api, World, _update_hot_group
from bench.servers import SECRET_KEY, SIGNING_KEY, TITLE_ID
from local_host.cosmos_emulator import EMULATOR_KEY, running_emulator
from local_host.process import HostProcess, isolated_env, running_host

NAME: Final = "hot document on cosmos"
ENDPOINT: Final = "Server/UpdateSharedGroupData"
# Targets at 64 writers (the emulator on the same cores as everything else).
TARGET_REQUESTS_PER_CALL, TARGET_P99_MS = 3.0, 2000.0


def _served(emulator: str) -> int:
    counts = httpx.get(f"{emulator}_emulator/requests", verify=False, timeout=10).json()
    return sum(int(n) for n in counts.values())


def cosmos_env(emulator: str, database: str) -> dict[str, str]:
    """Settings that point the host at the emulator, whose certificate is self-signed."""
    return {
        "STORAGE_BACKEND": "cosmos",
        "COSMOS_ENDPOINT": emulator,
        "COSMOS_KEY": EMULATOR_KEY,
        "COSMOS_DATABASE": database,
        "COSMOS_VERIFY_TLS": "false",
    }


def run(levels: list[int], amount: int, seconds: float, warmup: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-cosmos-") as tmp:
        root = Path(tmp)
        with running_emulator(root / "emulator") as emulator:
            env = isolated_env(root / "host", TITLE_ID, SECRET_KEY, SIGNING_KEY, **cosmos_env(emulator, "bench"))
            with running_host(HostProcess, root / "host", env) as host:
                served_before = _served(emulator)
                load = _update_hot_group(World(Api(host.url, TITLE_ID, SECRET_KEY)))
                if _served(emulator) == served_before:  # another server took the port between pick and bind
                    raise RuntimeError(f"the server at {host.url} is not this run's Cosmos host; run again")
                if warmup:
                    measure(host.url, ENDPOINT, load, min(16, warmup), warmup, seconds)
                for c in levels:
                    before = _served(emulator)
                    result = measure(host.url, ENDPOINT, load, c, amount, seconds)
                    sent = _served(emulator) - before
                    ok = result["requests"] - result["errors"]
                    rows.append(
                        {
                            "name": NAME,
                            "endpoint": ENDPOINT,
                            "concurrency": c,
                            "requests": result["requests"],
                            "rps": round(result["rps"], 1),
                            "p50_ms": round(result["p50_ms"] or 0.0, 2),
                            "p99_ms": round(result["p99_ms"] or 0.0, 2),
                            "errors": result["errors"],
                            "cosmos_requests_per_call": round(sent / ok, 2) if ok else None,
                            **({"first_error": result["first_error"]} if result["first_error"] else {}),
                        }
                    )
    return rows


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    checks = []
    for row in rows:
        if row["concurrency"] != 64:
            continue
        per_call = row["cosmos_requests_per_call"]
        parts = (
            (row["errors"] == 0, f"{row['errors']} errors"),
            (per_call is not None and per_call <= TARGET_REQUESTS_PER_CALL, f"{per_call} Cosmos requests per call"),
            (row["p99_ms"] <= TARGET_P99_MS, f"p99 {row['p99_ms']:.0f} ms"),
        )
        checks.append(
            {
                "target": f"{NAME} @ 64: no errors, <= 3 Cosmos requests per call, p99 <= 2 s",
                "measured": ", ".join(f"{text} ({'met' if ok else 'missed'})" for ok, text in parts),
                "met": all(ok for ok, _ in parts),
            }
        )
    return checks


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Scenario | Endpoint | Conc. | Req/s | p50 ms | p99 ms | Errors | Cosmos requests/call |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['endpoint']} | {r['concurrency']} | {r['rps']:.0f} | {r['p50_ms']:.2f} "
            f"| {r['p99_ms']:.2f} | {r['errors']} | {r['cosmos_requests_per_call']} |"
        )
    return lines
