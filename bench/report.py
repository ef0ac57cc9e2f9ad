"""Turn measurements into latest.json, a text table and a chart, and check them against the targets."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cosmos, prices

# Every scenario's figures in latest.json (a scenario the emulator did not run has None for the last two).
FIELDS = (
    "rps",
    "p50_ms",
    "p99_ms",
    "errors",
    "ratio_to_floor",
    "cpu_ms_per_call",
    "store_bytes_read",
    "store_bytes_written",
    "cosmos_round_trips",
    "ru_estimate",
)
# Updates and reads at 16 connections against the floor on the same stack, in the same run.
TARGET_RATIO, TARGET_P99_TIMES_FLOOR = 0.8, 1.25
# A 1,000-key update against a 10-key one (p50 and CPU per call); store bytes written per 10-key update
# must not grow with the keys it does not touch (this much slack for the record of the keys it writes).
TARGET_GROWTH, TARGET_WRITTEN_GROWTH = 1.3, 1.1
# Leaderboard reads on the ranked title against GetUserData on it, in the same run (p50).
TARGET_LEADERBOARD_P50 = 3.0
LEADERBOARD_BASE = "user data read, ranked title"
LEADERBOARD_READS = ("leaderboard top 100", "leaderboard around player")


def load_now() -> float | None:
    """The 1-minute load average, for a run to take before it loads the machine itself."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def build(
    rows: list[dict[str, Any]],
    workers: int,
    skipped: list[str],
    cosmos_rows: list[dict[str, Any]] | None = None,
    ranked: dict[str, Any] | None = None,
    stack_rows: list[dict[str, Any]] | None = None,
    stack: str = "fast",
    startup: dict[str, Any] | None = None,
    load_average: float | None = None,
) -> dict[str, Any]:
    scenarios = [_entry(row) for row in rows]
    cosmos_results: list[dict[str, Any]] = cosmos_rows or []
    results: dict[str, Any] = {
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cores": os.cpu_count(),
        "workers": workers,
        "python": platform.python_version(),
        # How busy the machine was when the run began (1-minute load average; None where the OS has none).
        "load_average": load_average,
        "stack": stack,  # HTTP_STACK of the host and the floor in `scenarios`
        # The floor is measured beside every run (see each scenario's floor_rps); this is its median.
        "floor_rps": _median_floor(scenarios),
        "scenarios": scenarios,
        "skipped": skipped,
        # The same few scenarios on each HTTP_STACK, each against a floor on that stack.
        "stacks": [{"stack": row["stack"], **_entry(row)} for row in stack_rows or []],
        # The hot-document scenario on the Cosmos DB emulator (bench/cosmos.py): no floor, requests per call.
        "cosmos": cosmos_results,
        # The ranked title's seeding (bench/ranked_title.py): players on its board, seconds it took.
        "ranked_title": ranked,
        # Import time and memory, cold start, 2 workers against 1 (bench/startup.py); None when skipped.
        "startup": startup,
    }
    # What a million of the most called scenarios would cost on Azure, from this run (bench/prices.py).
    results["cost_per_million"] = prices.costs(scenarios)
    results["targets"] = targets(results) + cosmos.targets(cosmos_results)
    return results


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    entry = {k: row[k] for k in ("name", "endpoint", "kind", "concurrency", "requests")}
    entry.update(
        rps=round(row["rps"], 1),
        p50_ms=round(row["p50_ms"], 2),
        p99_ms=round(row["p99_ms"], 2),
        errors=row["errors"],
        cpu_ms_per_call=round(row["cpu_ms"], 3),
        floor_rps=round(row["floor_rps"], 1),
        floor_p99_ms=round(row["floor_p99_ms"], 2),
        ratio_to_floor=round(row["rps"] / row["floor_rps"], 3) if row["floor_rps"] else 0.0,
        store_bytes_read=row.get("store_bytes_read"),
        store_bytes_written=row.get("store_bytes_written"),
        cosmos_round_trips=row.get("cosmos_round_trips"),
        ru_estimate=row.get("ru_estimate"),
    )
    if row.get("cosmos_traffic"):
        entry["cosmos_traffic"] = row["cosmos_traffic"]
    if row.get("first_error"):
        entry["first_error"] = row["first_error"]
    return entry


def _median_floor(scenarios: list[dict[str, Any]]) -> dict[str, float]:
    levels = sorted({s["concurrency"] for s in scenarios})
    return {str(c): statistics.median(s["floor_rps"] for s in scenarios if s["concurrency"] == c) for c in levels}


def _find(results: dict[str, Any], name: str, concurrency: int) -> dict[str, Any] | None:
    return next((s for s in results["scenarios"] if s["name"] == name and s["concurrency"] == concurrency), None)


def _mark(ok: bool) -> str:
    return "met" if ok else "missed"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for s in results["scenarios"]:
        if s["kind"] in ("update", "read") and s["concurrency"] == 16:
            p99_limit = TARGET_P99_TIMES_FLOOR * s["floor_p99_ms"]
            parts = (
                (s["ratio_to_floor"] >= TARGET_RATIO, f"{s['ratio_to_floor']:.2f}x floor"),
                (s["p99_ms"] <= p99_limit, f"p99 {s['p99_ms']:.1f} ms (floor's {s['floor_p99_ms']:.1f})"),
                (s["errors"] == 0, f"{s['errors']} errors"),
            )
            checks.append(
                {
                    "target": f"{s['name']} @ 16: >= 0.8x floor, p99 <= 1.25x the floor's, no errors",
                    "measured": ", ".join(f"{text} ({_mark(ok)})" for ok, text in parts),
                    "met": all(ok for ok, _ in parts),
                }
            )
    for s in results["scenarios"]:
        base = _find(results, LEADERBOARD_BASE, s["concurrency"])
        if s["name"] in LEADERBOARD_READS and base and base["p50_ms"]:
            times = s["p50_ms"] / base["p50_ms"]
            checks.append(
                {
                    "target": f"{s['name']} @ {s['concurrency']}: p50 <= 3x GetUserData's on the ranked title",
                    "measured": f"{times:.2f}x (p50 {s['p50_ms']:.2f} ms against {base['p50_ms']:.2f} ms)",
                    "met": times <= TARGET_LEADERBOARD_P50,
                }
            )
    small, large = _find(results, "update, 10 keys", 1), _find(results, "update, 1000 keys", 1)
    if small and large:
        growth = large["p50_ms"] / small["p50_ms"]
        cpu = large["cpu_ms_per_call"] / small["cpu_ms_per_call"] if small["cpu_ms_per_call"] else float("nan")
        checks.append(
            {
                "target": "update with 1000 keys <= 1.3x 10 keys (p50 and CPU per call)",
                "measured": f"p50 {growth:.2f}x, CPU per call {cpu:.2f}x",
                "met": growth <= TARGET_GROWTH and cpu <= TARGET_GROWTH,
            }
        )
        if small["store_bytes_written"] and large["store_bytes_written"] is not None:
            written = large["store_bytes_written"] / small["store_bytes_written"]
            checks.append(
                {
                    "target": "store bytes written by a 10-key update independent of the keys it does not touch",
                    "measured": f"{large['store_bytes_written']:.0f} beside 1000 keys against "
                    f"{small['store_bytes_written']:.0f} beside 10 ({written:.2f}x)",
                    "met": written <= TARGET_WRITTEN_GROWTH,
                }
            )
    return checks


def _figure(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(results: dict[str, Any]) -> str:
    floor = ", ".join(f"{rps:.0f}/s @ {c}" for c, rps in results["floor_rps"].items())
    lines = [
        f"{results['cores']} cores, {results['workers']} worker(s), HTTP_STACK={results.get('stack')}; "
        f"floor (median): {floor}",
        "",
        "| Scenario | Endpoint | Conc. | Req/s | p50 ms | p99 ms | Errors | CPU ms/call | Floor req/s | Floor p99 ms "
        "| vs floor | Store bytes read | Store bytes written | Cosmos trips | RU est. |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["scenarios"]:
        lines.append(
            f"| {s['name']} | {s['endpoint']} | {s['concurrency']} | {s['rps']:.0f} | {s['p50_ms']:.2f} "
            f"| {s['p99_ms']:.2f} | {s['errors']} | {s['cpu_ms_per_call']:.2f} | {s['floor_rps']:.0f} "
            f"| {s['floor_p99_ms']:.2f} | {s['ratio_to_floor']:.2f} | {_figure(s['store_bytes_read'])} "
            f"| {_figure(s['store_bytes_written'])} | {_figure(s['cosmos_round_trips'], 2)} "
            f"| {_figure(s['ru_estimate'], 1)} |"
        )
    if results.get("stacks"):
        lines += ["", "HTTP stacks (host and floor on the same one, 16 connections):", ""]
        head = "| Stack | Scenario | Req/s | p50 ms | p99 ms | CPU ms/call | Floor req/s | Floor p99 ms | vs floor |"
        lines += [head, "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [
            f"| {s['stack']} | {s['name']} | {s['rps']:.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} "
            f"| {s['cpu_ms_per_call']:.2f} | {s['floor_rps']:.0f} | {s['floor_p99_ms']:.2f} "
            f"| {s['ratio_to_floor']:.2f} |"
            for s in results["stacks"]
        ]
    if results.get("cost_per_million"):
        lines += ["", *prices.table(results["cost_per_million"])]
    if results.get("cosmos"):
        lines += ["", "On the Cosmos DB emulator:", "", *cosmos.table(results["cosmos"])]
    if results.get("ranked_title"):
        ranked = results["ranked_title"]
        lines += ["", f"Ranked title: {ranked['players']} players seeded in {ranked['seed_seconds']:.1f} s"]
    if results.get("startup"):
        lines += ["", *_startup_lines(results["startup"])]
    if results["skipped"]:
        lines += ["", "Not served, skipped: " + ", ".join(results["skipped"])]
    if results["targets"]:
        lines += ["", "Targets:"]
        lines += [f"- [{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['measured']}" for t in results["targets"]]
    return "\n".join(lines)


def _startup_lines(figures: dict[str, Any]) -> list[str]:
    imp, cold = figures["import"], figures["cold_start"]
    lines = [
        f"Import of function_app: {imp['seconds'] * 1000:.0f} ms (median of {imp['runs']}), RSS "
        f"{imp['rss_kib'] / 1024:.1f} MiB after it ({imp['rss_before_kib'] / 1024:.1f} MiB before), "
        f"peak {imp['hwm_kib'] / 1024:.1f} MiB",
        f"Cold start, spawn to first login: {cold['seconds'] * 1000:.0f} ms (median of {cold['runs']}); worker "
        f"RSS {cold['rss_kib_at_first_answer'] / 1024:.1f} MiB at it, {cold['rss_kib'] / 1024:.1f} MiB after "
        f"{cold['served']} more calls (peak {cold['hwm_kib'] / 1024:.1f} MiB)",
    ]
    for w in figures["workers"]:
        one, two = w["workers_1"], w["workers_2"]
        lines.append(
            f"2 workers against 1, {w['name']} @ {w['concurrency']}: {two['rps']:.0f}/s against {one['rps']:.0f}/s "
            f"({w['ratio']:.2f}x), p99 {two['p99_ms']:.1f} against {one['p99_ms']:.1f} ms, CPU ms/call "
            f"{two['cpu_ms']:.2f} against {one['cpu_ms']:.2f}, {two['errors'] + one['errors']} errors; "
            f"RSS {w['workers_2_rss_kib'] / 1024:.1f} MiB ("
            + " + ".join(f"{k / 1024:.1f}" for k in w["workers_2_rss_kib_each"])
            + f") against {w['workers_1_rss_kib'] / 1024:.1f} MiB"
        )
    return lines


def write(results: dict[str, Any], out: Path, chart: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if chart:
        from bench.chart import draw  # matplotlib is a benchmark-only dependency

        draw(results, out / "latest.png")


# bench/README.md's "Latest run" lies between these lines; a complete run rewrites what is between them.
README = Path(__file__).resolve().parent / "README.md"
BEGIN = "<!-- latest run: written by make bench (bench/report.py publish) -->"
END = "<!-- end of latest run -->"


def publish(results: dict[str, Any], readme: Path = README) -> None:
    """The run's figures, targets and chart into `readme` between BEGIN and END, so they cannot drift."""
    text = readme.read_text(encoding="utf-8")
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"{readme.name} lacks the lines {BEGIN!r} and {END!r}")
    load = results.get("load_average")
    when = f"Run of {results['generated'][:10]} (`make bench`), Python {results['python']}"
    when += f", load average {load:.2f} when it began" if load is not None else ""
    block = [when + ":", "", "![Throughput against the floor, and latency as data grows](results/latest.png)"]
    block += ["", table(results)]
    readme.write_text(head + begin + "\n\n" + "\n".join(block) + "\n\n" + end + tail, encoding="utf-8")


def rerender(path: Path) -> dict[str, Any]:
    """Targets, prices and the table again from a results file (after a change to them, no new run)."""
    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    results["cost_per_million"] = prices.costs(results["scenarios"])
    results["targets"] = targets(results) + cosmos.targets(results.get("cosmos") or [])
    return results


if __name__ == "__main__":
    import sys

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results" / "latest.json"
    again = rerender(source)
    write(again, source.parent, chart=False)
    if source.resolve().parent == README.parent / "results":
        publish(again)
    print(table(again))
