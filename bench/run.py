"""`make bench`: the local host and the floor side by side, every scenario at each concurrency, growth.

python -m bench [--only NAME ...] [--concurrency 1,16,64] [--requests N] [--seconds S] [--no-growth]
                [--workers N] [--out DIR] [--no-chart] [--profile NAME] [--no-cosmos] [--ranked-players N]
                [--no-startup]
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

from bench import cosmos, costs, report, startup
from bench.cpu import cpu_seconds
from bench.load import measure, merge, prime
from bench.profile import profiled
from bench.scenarios import SCENARIOS, Api, Load, Scenario, World
from bench.servers import SECRET_KEY, TITLE_ID, running_floor, running_local_host
from local_host.process import HostProcess
from shared.endpoints import BY_PATH

RESULTS = Path(__file__).resolve().parent / "results"
# What the stack comparison measures on each HTTP_STACK (a login, an update and a read).
STACK_SCENARIOS = ("login", "user data update", "user data read")
STACKS_NAME = "stacks"  # `--only stacks` runs the comparison alone
STARTUP_NAME = "startup"  # `--only startup`: import, cold start and 2 workers against 1 alone


def served(endpoints: set[str]) -> set[str]:
    """Those of `endpoints` ("Client/LoginWithCustomID") in the app's endpoint table."""
    return {e for e in endpoints if f"/{e}" in BY_PATH}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--only", action="append", help="run only scenarios with this name (repeatable)")
    ap.add_argument("--concurrency", default="1,16,64", help="connections per run, comma-separated")
    ap.add_argument("--requests", type=int, default=2000, help="at most this many requests per run")
    ap.add_argument("--seconds", type=float, default=1.5, help="at most this long per run")
    ap.add_argument("--growth-requests", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=2, help="interleaved floor/host rounds per measurement")
    ap.add_argument("--no-growth", action="store_true")
    ap.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each scenario")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--no-chart", action="store_true")
    ap.add_argument("--profile", metavar="NAME", help="profile NAME at concurrency 16 with py-spy instead")
    ap.add_argument("--stack", default="fast", choices=("fast", "h11"), help="HTTP_STACK of the host and the floor")
    ap.add_argument(
        "--compare-stacks",
        default="fast,h11",
        help=f"stacks to measure {', '.join(STACK_SCENARIOS)} on at 16 connections, side by side ('' skips)",
    )
    ap.add_argument("--no-cosmos", action="store_true", help=f"skip {cosmos.NAME!r} (needs the npm emulator)")
    ap.add_argument(
        "--ranked-players", type=int, default=100_000, help="players seeded on the ranked title's leaderboard"
    )
    ap.add_argument(
        "--no-startup", action="store_true", help="skip the import, cold start and 1-against-2-workers figures"
    )
    return ap.parse_args(argv)


@contextmanager
def servers(workers: int, stack: str) -> Iterator[tuple[HostProcess, HostProcess]]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        with (
            running_local_host(root / "host", workers, stack) as host,
            running_floor(root / "floor", workers, stack) as floor,
        ):
            yield host, floor


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# One measured run: (url, endpoint, load, connections, requests).
Run = tuple[str, str, Load, int, int]


class Bench:
    """Every host run is paired with a floor run of the same bodies and connections, and the pairs are
    interleaved in short rounds, so both sides see the same machine: on a shared or noisy host the
    ratio holds far better than either figure alone."""

    def __init__(self, args: argparse.Namespace, host: HostProcess, floor: HostProcess) -> None:
        self.args, self.host, self.floor = args, host, floor
        self.meters: dict[str, dict[str, float]] = {}  # scenario name -> store bytes per call
        self.world = World(
            Api(host.url, TITLE_ID, SECRET_KEY),
            store_path=Path(host.env["SQLITE_PATH"]),
            ranked_players=args.ranked_players,
        )

    def run(self, url: str, endpoint: str, load: Load, connections: int, amount: int) -> dict[str, Any]:
        return measure(url, endpoint, load, connections, amount, self.args.seconds)

    def warm(self, scenario: Scenario, load: Load) -> None:
        if self.args.warmup:
            prime(load)
            self.run(
                self.host.url, scenario.endpoint, load, min(16, len(load.variants), self.args.warmup), self.args.warmup
            )
        # Warm, then metered alone: the bytes one call of it moves in the store (bench/costs.py).
        self.meters[scenario.name] = costs.metered(self.host, scenario.endpoint, load)

    def rounds(self, runs: list[Run]) -> list[dict[str, Any]]:
        parts: list[list[dict[str, Any]]] = [[] for _ in runs]
        cpu = [0.0 for _ in runs]
        n = self.args.rounds
        for _ in range(n):
            for i, (url, endpoint, load, c, amount) in enumerate(runs):
                server = self.host if url == self.host.url else self.floor
                prime(load)
                before = cpu_seconds(server.process.pid)
                parts[i].append(measure(url, endpoint, load, c, max(c, amount // n), self.args.seconds / n))
                after = cpu_seconds(server.process.pid)
                cpu[i] += (after - before) if after is not None and before is not None else float("nan")
        merged = [merge(p) for p in parts]
        for result, seconds in zip(merged, cpu, strict=True):
            result["cpu_ms"] = 1000 * seconds / result["requests"] if result["requests"] else 0.0
        return merged

    def measured(self, pairs: list[tuple[Scenario, Load, int]], amount: int) -> list[dict[str, Any]]:
        runs: list[Run] = []
        for s, load, c in pairs:
            runs += [(self.floor.url, s.endpoint, load, c, amount), (self.host.url, s.endpoint, load, c, amount)]
        results = self.rounds(runs)
        rows = []
        for (s, _, c), floor, host in zip(pairs, results[::2], results[1::2], strict=True):
            rows.append({"name": s.name, "endpoint": s.endpoint, "kind": s.kind, "concurrency": c})
            rows[-1].update(host, floor_rps=floor["rps"], floor_p99_ms=floor["p99_ms"], **self.meters.get(s.name, {}))
            progress(
                f"  {s.name} @ {c}: {host['rps']:.0f}/s (floor {floor['rps']:.0f}/s, p99 {floor['p99_ms']:.1f} ms), "
                f"p50 {host['p50_ms']:.1f} ms, p99 {host['p99_ms']:.1f} ms, "
                f"{host['cpu_ms']:.2f} CPU ms, {host['errors']} errors"
            )
        return rows

    def scenario(self, scenario: Scenario, levels: list[int]) -> list[dict[str, Any]]:
        started = time.monotonic()
        load = scenario.prepare(self.world)
        self.warm(scenario, load)
        rows = [row for c in levels for row in self.measured([(scenario, load, c)], self.args.requests)]
        progress(f"{scenario.name}: {time.monotonic() - started:.1f} s")
        return rows

    def together(self, scenarios: list[Scenario], levels: list[int]) -> list[dict[str, Any]]:
        """Scenarios compared with each other: at each concurrency their rounds interleave, so a busy
        moment of the machine falls on all of them alike."""
        started = time.monotonic()
        loads = [(s, s.prepare(self.world)) for s in scenarios]
        for s, load in loads:
            self.warm(s, load)
        rows = [row for c in levels for row in self.measured([(s, load, c) for s, load in loads], self.args.requests)]
        progress(f"{', '.join(s.name for s in scenarios)}: {time.monotonic() - started:.1f} s")
        return rows

    def growth(self, scenarios: list[Scenario]) -> list[dict[str, Any]]:
        """Sizes are compared with each other, so their rounds interleave too (at concurrency 1)."""
        loads = [(s, s.prepare(self.world), 1) for s in scenarios]
        for s, load, _ in loads:
            self.warm(s, load)
        return self.measured(loads, self.args.growth_requests)


def select(args: argparse.Namespace) -> tuple[list[Scenario], list[str]]:
    served_here = served({e for s in SCENARIOS for e in (s.endpoint, *s.needs)})
    chosen = [s for s in SCENARIOS if (not args.only or s.name in args.only) and not (s.growth and args.no_growth)]
    if args.only and not chosen and not {cosmos.NAME, STACKS_NAME, STARTUP_NAME} & set(args.only):
        sys.exit(f"no scenario named {args.only}; known: {[s.name for s in SCENARIOS]}")
    runnable = [s for s in chosen if all(e in served_here for e in (s.endpoint, *s.needs))]
    skipped = [s.name for s in chosen if s not in runnable]
    return runnable, skipped


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load_average = report.load_now()  # before this run adds its own load
    levels = [int(c) for c in args.concurrency.split(",")]
    scenarios, skipped = select(args)
    figures = None
    if not args.no_startup and not args.profile and (not args.only or STARTUP_NAME in args.only):
        figures = startup.measure_startup(args.seconds, args.requests, args.rounds, args.warmup)
    rows: list[dict[str, Any]] = []
    ranked: dict[str, Any] | None = None
    if scenarios or args.profile:
        rows, ranked = sqlite_rows(args, levels, scenarios)
        if args.profile:
            return
    with_stacks = bool(args.compare_stacks) and not args.profile and (not args.only or STACKS_NAME in args.only)
    stack_rows = compare_stacks(args) if with_stacks else []
    with_cosmos = not args.no_cosmos and not args.profile and (not args.only or cosmos.NAME in args.only)
    cosmos_rows = cosmos.run(levels, args.requests, args.seconds, args.warmup) if with_cosmos else []
    # Round trips and request units of each scenario on the emulator, one connection (bench/costs.py).
    cosmos_costs = costs.on_cosmos(scenarios, args.warmup) if not args.no_cosmos and scenarios else {}
    for row in rows:
        row.update(cosmos_costs.get(row["name"], {}))
    for row in cosmos_rows:
        progress(
            f"  {row['name']} @ {row['concurrency']}: {row['rps']:.0f}/s, p99 {row['p99_ms']:.1f} ms, "
            f"{row['errors']} errors, {row['cosmos_requests_per_call']} Cosmos requests per call"
        )
    results = report.build(
        rows,
        args.workers,
        skipped,
        cosmos_rows,
        ranked,
        stack_rows=stack_rows,
        stack=args.stack,
        startup=figures,
        load_average=load_average,
    )
    report.write(results, args.out, chart=not args.no_chart and bool(rows))
    if args.out.resolve() == RESULTS:
        report.publish(results)  # bench/README.md shows what latest.json holds
    print(report.table(results))


def sqlite_rows(
    args: argparse.Namespace, levels: list[int], scenarios: list[Scenario]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows, and the ranked title's seeding (players, seconds) when a scenario made it."""
    with servers(args.workers, args.stack) as (host, floor):
        bench = Bench(args, host, floor)
        if args.profile:
            target = next((s for s in scenarios if s.name == args.profile), None)
            if target is None:
                sys.exit(f"cannot profile {args.profile!r}: unknown or not served")
            load = target.prepare(bench.world)
            bench.warm(target, load)
            prime(load)
            with profiled(host.process.pid, args.out / "profile.txt", args.seconds):
                result = bench.run(host.url, target.endpoint, load, 16, 10**9)
            print(f"{target.name} @ 16 under the profiler: {result['rps']:.0f}/s, p99 {result['p99_ms']:.1f} ms")
            return [], None
        # The floor answers any path; warm it once like the host.
        warm_load = scenarios[0].prepare(bench.world)
        bench.run(floor.url, scenarios[0].endpoint, warm_load, min(16, args.warmup or 1), args.warmup or 1)
        rows = [row for s in scenarios if not s.growth and not s.together for row in bench.scenario(s, levels)]
        for name in dict.fromkeys(s.together for s in scenarios if s.together):
            rows += bench.together([s for s in scenarios if s.together == name], levels)
        rows += bench.growth([s for s in scenarios if s.growth])
        world = bench.world
    if world.seed_seconds is None:
        return rows, None
    return rows, {"players": world.ranked_players, "seed_seconds": round(world.seed_seconds, 3)}


def compare_stacks(args: argparse.Namespace) -> list[dict[str, Any]]:
    """STACK_SCENARIOS at 16 connections on each of `--compare-stacks`: a host and a floor on that stack,
    one stack after the other, so each ratio compares a host with a floor on the same parser and loop."""
    rows: list[dict[str, Any]] = []
    named = [name for name in STACK_SCENARIOS if name in (args.only or ())]  # `--only` may narrow it
    chosen = [s for s in SCENARIOS if s.name in (named or STACK_SCENARIOS)]
    for stack in [name for name in args.compare_stacks.split(",") if name]:
        with servers(args.workers, stack) as (host, floor):
            bench = Bench(args, host, floor)
            warm_amount = max(16, args.warmup)
            bench.run(floor.url, chosen[0].endpoint, chosen[0].prepare(bench.world), 16, warm_amount)
            for scenario in chosen:
                rows += [{**row, "stack": stack} for row in bench.scenario(scenario, [16])]
    return rows
