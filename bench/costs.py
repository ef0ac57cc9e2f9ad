"""What a call costs the store, per scenario: bytes of stored text read and written on the embedded
store (from the host's request log lines, shared/storage/metering.py), and on Cosmos DB, round trips
and an estimate of request units, from what the bundled emulator served (scripts/cosmos_emulator.js).

Request units are estimated from Cosmos DB's published figures, by kind of request and its average
size in KB (linear between the published points, never below the smallest):
  point read (GET): 1 RU at 1 KB, 10 RU at 100 KB;
  create or upsert (POST): 5 RU at 1 KB, 50 RU at 100 KB; delete: 5 RU;
  replace (PUT) and patch (PATCH): twice a create (10 RU at 1 KB, the capacity planner's replace);
  query: 2.5 RU, plus what reading the bytes it returns costs beyond a point read's first RU.
These are estimates for session consistency and this project's indexing policy; a real account reports
each request's charge in `x-ms-request-charge`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import httpx

from bench.cosmos import cosmos_env
from bench.load import measure, prime
from bench.scenarios import RANKED_NEEDS, Api, Load, Scenario, World
from bench.servers import SECRET_KEY, TITLE_ID, host_env
from local_host.cosmos_emulator import running_emulator
from local_host.process import HostProcess, running_host

CALLS: Final = 100  # metered calls per scenario, one connection
KB: Final = 1024


def _between(kb: float, at_1: float, at_100: float) -> float:
    return max(at_1, at_1 + (at_100 - at_1) * (kb - 1) / 99)


def _read_ru(kb: float) -> float:
    return _between(kb, 1.0, 10.0)


def _create_ru(kb: float) -> float:
    return _between(kb, 5.0, 50.0)


# Kind -> RU of one request from its average bytes (sent, received).
MODEL: Final[dict[str, Callable[[float, float], float]]] = {
    "GET": lambda sent, received: _read_ru(received / KB),
    "POST": lambda sent, received: _create_ru(sent / KB),
    "PUT": lambda sent, received: 2 * _create_ru(sent / KB),
    "PATCH": lambda sent, received: 2 * _create_ru(sent / KB),
    "DELETE": lambda sent, received: 5.0,
    "QUERY": lambda sent, received: 2.5 + _read_ru(received / KB) - 1.0,
}


def ru_estimate(traffic: dict[str, dict[str, int]]) -> float:
    total = 0.0
    for kind, seen in traffic.items():
        n = seen["requests"]
        if n:
            total += n * MODEL.get(kind, MODEL["GET"])(seen["sent"] / n, seen["received"] / n)
    return total


def _traffic(emulator: str) -> dict[str, dict[str, int]]:
    return dict(httpx.get(f"{emulator}_emulator/traffic", verify=False, timeout=10).json())


def _delta(after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    zero = {"requests": 0, "sent": 0, "received": 0}
    return {k: {f: v[f] - before.get(k, zero)[f] for f in zero} for k, v in after.items()}


def on_cosmos(scenarios: list[Scenario], warmup: int) -> dict[str, dict[str, Any]]:
    """Scenario name -> cosmos_round_trips and ru_estimate per call (and the traffic they came from).
    The ranked title is seeded in SQLite only, so its scenarios are not run here."""
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-costs-") as tmp:
        root = Path(tmp)
        with running_emulator(root / "emulator") as emulator:
            env = host_env(root / "host", 1, **cosmos_env(emulator, "costs"))
            with running_host(HostProcess, root / "host", env) as host:
                world = World(Api(host.url, TITLE_ID, SECRET_KEY))
                for s in scenarios:
                    if s.needs == RANKED_NEEDS or s.together:
                        continue
                    load = s.prepare(world)
                    prime(load)
                    measure(host.url, s.endpoint, load, 1, max(1, min(warmup, 50)), 30)
                    before = _traffic(emulator)
                    prime(load)
                    result = measure(host.url, s.endpoint, load, 1, CALLS, 60)
                    traffic = _delta(_traffic(emulator), before)
                    ok = result["requests"] - result["errors"]
                    if not ok:
                        continue
                    trips = sum(seen["requests"] for seen in traffic.values())
                    out[s.name] = {
                        "cosmos_round_trips": round(trips / ok, 2),
                        "ru_estimate": round(ru_estimate(traffic) / ok, 2),
                        "cosmos_traffic": traffic,
                    }
    return out


def metered(host: HostProcess, endpoint: str, load: Load) -> dict[str, float]:
    """Mean store_bytes_read / store_bytes_written of CALLS calls of `load`, from the host's log lines."""
    start = host.log_path.stat().st_size
    prime(load)
    measure(host.url, endpoint, load, 1, CALLS, 60)
    with host.log_path.open("rb") as log:
        log.seek(start)
        lines = [json.loads(line) for line in log if line.startswith(b"{")]
    path = "/" + endpoint
    calls = [line for line in lines if line.get("msg") == "request" and line.get("path") == path]
    if not calls:
        return {"store_bytes_read": 0.0, "store_bytes_written": 0.0}
    return {
        "store_bytes_read": round(sum(line.get("read_bytes", 0) for line in calls) / len(calls), 1),
        "store_bytes_written": round(sum(line.get("written_bytes", 0) for line in calls) / len(calls), 1),
    }
