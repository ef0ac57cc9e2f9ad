"""`make bench`: the local host and the floor side by side, every scenario at each concurrency, growth.

python -m bench [--only NAME ...] [--concurrency 1,16,64] [--requests N] [--seconds S] [--no-growth]
                [--workers N] [--out DIR] [--no-chart] [--profile NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import report
from bench.load import measure
from bench.profile import profiled
from bench.scenarios import SCENARIOS, Api, Load, Scenario, World
from bench.servers import running_floor
from tests.server import SECRET_KEY, TITLE_ID, Server, base_env, running_server

RESULTS = Path(__file__).resolve().parent / "results"


def served_endpoints() -> set[str]:
    from function_app import app

    return {fn.get_trigger().get_dict_repr().get("route") for fn in app.get_functions()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--only", action="append", help="run only scenarios with this name (repeatable)")
    ap.add_argument("--concurrency", default="1,16,64", help="connections per run, comma-separated")
    ap.add_argument("--requests", type=int, default=2000, help="at most this many requests per run")
    ap.add_argument("--seconds", type=float, default=3.0, help="at most this long per run")
    ap.add_argument("--growth-requests", type=int, default=500)
    ap.add_argument("--no-growth", action="store_true")
    ap.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each scenario")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--no-chart", action="store_true")
    ap.add_argument("--profile", metavar="NAME", help="profile NAME at concurrency 16 with py-spy instead")
    return ap.parse_args(argv)


@contextmanager
def servers(workers: int) -> Iterator[tuple[Server, Server]]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        with (
            running_server(root / "host", env=base_env(root / "host"), WORKERS=str(workers)) as host,
            running_floor(root / "floor", workers) as floor,
        ):
            yield host, floor


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, host: Server, floor: Server) -> None:
        self.args, self.host, self.floor = args, host, floor
        self.world = World(Api(host.url, TITLE_ID, SECRET_KEY))

    def run(self, url: str, endpoint: str, load: Load, connections: int, amount: int) -> dict[str, Any]:
        return measure(url, endpoint, load, connections, amount, self.args.seconds)

    def warm(self, scenario: Scenario, load: Load) -> None:
        if self.args.warmup:
            self.run(self.host.url, scenario.endpoint, load, min(16, len(load.variants)), self.args.warmup)

    def floor_rps(self, load: Load, levels: list[int]) -> dict[int, float]:
        self.run(self.floor.url, "Floor", load, 16, self.args.warmup or 1)
        return {c: self.run(self.floor.url, "Floor", load, c, self.args.requests)["rps"] for c in levels}

    def scenario(self, scenario: Scenario, levels: list[int]) -> list[dict[str, Any]]:
        started = time.monotonic()
        load = scenario.prepare(self.world)
        self.warm(scenario, load)
        amount = self.args.growth_requests if scenario.growth else self.args.requests
        rows = []
        for c in [1] if scenario.growth else levels:
            result = self.run(self.host.url, scenario.endpoint, load, c, amount)
            rows.append({"name": scenario.name, "endpoint": scenario.endpoint, "kind": scenario.kind, "concurrency": c})
            rows[-1].update(result)
            progress(f"  {scenario.name} @ {c}: {result['rps']:.0f}/s p99 {result['p99_ms']:.1f} ms")
        progress(f"{scenario.name}: {time.monotonic() - started:.1f} s")
        return rows


def select(args: argparse.Namespace) -> tuple[list[Scenario], list[str]]:
    served = served_endpoints()
    chosen = [s for s in SCENARIOS if (not args.only or s.name in args.only) and not (s.growth and args.no_growth)]
    if args.only and not chosen:
        sys.exit(f"no scenario named {args.only}; known: {[s.name for s in SCENARIOS]}")
    runnable = [s for s in chosen if all(e in served for e in (s.endpoint, *s.needs))]
    skipped = [s.name for s in chosen if s not in runnable]
    return runnable, skipped


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]
    scenarios, skipped = select(args)
    with servers(args.workers) as (host, floor):
        bench = Bench(args, host, floor)
        if args.profile:
            target = next((s for s in scenarios if s.name == args.profile), None)
            if target is None:
                sys.exit(f"cannot profile {args.profile!r}: unknown or not served")
            load = target.prepare(bench.world)
            bench.warm(target, load)
            with profiled(host.process.pid, args.out / "profile.txt", args.seconds):
                result = bench.run(host.url, target.endpoint, load, 16, 10**9)
            print(f"{target.name} @ 16 under the profiler: {result['rps']:.0f}/s, p99 {result['p99_ms']:.1f} ms")
            return
        # The floor takes the first update scenario's bodies (or the first scenario's), before and after.
        reference = next((s for s in scenarios if s.kind == "update" and not s.growth), scenarios[0])
        reference_load = reference.prepare(bench.world)
        before = bench.floor_rps(reference_load, sorted({*levels, 1}))
        rows = [row for s in scenarios for row in bench.scenario(s, levels)]
        after = bench.floor_rps(reference_load, sorted({*levels, 1}))
    floor = {c: (before[c] + after[c]) / 2 for c in before}
    results = report.build(rows, floor, args.workers, skipped, reference.name)
    report.write(results, args.out, chart=not args.no_chart)
    print(report.table(results))
