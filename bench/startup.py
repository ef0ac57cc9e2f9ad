"""Start-up and scale figures: what importing the app costs, how long a fresh local host takes to answer
its first call, its worker's memory once it has served a few hundred, and what a second worker buys.

- import: `import function_app` timed inside a fresh interpreter (median of IMPORT_RUNS), with that
  process's resident memory (VmRSS, VmHWM) before and after;
- cold start: from spawning `python -m local_host` (one worker, a fresh SQLite store each time) to its
  first answered `Client/LoginWithCustomID` (envelope code 200), polled every POLL_SECONDS (median of
  COLD_RUNS); then the worker's memory after it has served `warmup` requests (200 by default) of each
  of a login, an update and a read (besides their setup's calls: 64 logins, 640 writes);
- workers: WORKERS=2 against WORKERS=1, two hosts on one store (as two workers share one), at
  SCALE_CONNECTIONS connections, their rounds interleaved as host and floor's are. CPU time per call
  is the whole host's: the supervisor and its workers (bench/cpu.py counts a process's live children).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.cpu import children, cpu_seconds
from bench.load import measure, merge, prime
from bench.scenarios import SCENARIOS, Api, Load, Scenario, World, sdk_request, url_path
from bench.servers import SECRET_KEY, TITLE_ID, host_env, running_local_host
from local_host.process import REPO, free_port, stop

IMPORT_RUNS = 5
COLD_RUNS = 3
POLL_SECONDS = 0.01
COLD_TIMEOUT = 60.0
SERVED = ("login", "user data update", "user data read")  # what the worker serves before its memory is read
SCALE_SCENARIOS = ("user data read", "user data update")
SCALE_CONNECTIONS = 64

_IMPORT_PROBE = """
import json, time
def status():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
before, _ = status()
started = time.perf_counter()
import function_app
seconds = time.perf_counter() - started
rss, hwm = status()
print(json.dumps({"seconds": seconds, "rss_before_kib": before, "rss_kib": rss, "hwm_kib": hwm}))
"""


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def memory_kib(pid: int) -> tuple[int, int] | None:
    """VmRSS and VmHWM of a process, in KiB (Linux only; elsewhere None)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def import_figures() -> dict[str, Any]:
    runs = []
    for _ in range(IMPORT_RUNS):
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
        )
        runs.append(json.loads(done.stdout))
    return {
        "runs": IMPORT_RUNS,
        "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "all_seconds": [round(r["seconds"], 3) for r in runs],
        "rss_before_kib": statistics.median(r["rss_before_kib"] for r in runs),
        "rss_kib": statistics.median(r["rss_kib"] for r in runs),
        "hwm_kib": statistics.median(r["hwm_kib"] for r in runs),
    }


def _first_login(client: httpx.Client, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    req = sdk_request({"TitleId": TITLE_ID, "CustomId": "bench-cold-start", "CreateAccount": True})
    deadline = time.monotonic() + COLD_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"local host exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            resp = client.post(url_path("Client/LoginWithCustomID"), content=req.body, headers=req.headers)
        except httpx.TransportError:  # not listening yet
            time.sleep(POLL_SECONDS)
            continue
        envelope = resp.json()
        if envelope.get("code") != 200:
            raise RuntimeError(f"first login failed: {envelope}")
        return
    raise RuntimeError(f"local host did not answer in {COLD_TIMEOUT} s:\n{log_path.read_text(errors='replace')}")


def _serve(url: str, store_path: Path, amount: int, seconds: float) -> int:
    """A few hundred requests of each SERVED scenario; how many were answered."""
    world = World(Api(url, TITLE_ID, SECRET_KEY), store_path=store_path)
    served = 0
    for scenario in _scenarios(SERVED):
        load = scenario.prepare(world)
        prime(load)
        served += measure(url, scenario.endpoint, load, min(16, amount), amount, seconds)["requests"]
    return served


def cold_start(root: Path, served_each: int, seconds: float) -> dict[str, Any]:
    times: list[float] = []
    figures: dict[str, Any] = {}
    for i in range(COLD_RUNS):
        data_dir = root / f"cold-{i}"
        data_dir.mkdir(parents=True)
        port = free_port()
        env = {**host_env(data_dir, 1), "PORT": str(port)}
        log_path = data_dir / "host.log"
        url = f"http://127.0.0.1:{port}"
        with log_path.open("wb") as log, httpx.Client(base_url=url, timeout=5) as client:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "local_host"], cwd=REPO, env=env, stdout=log, stderr=log)
            try:
                _first_login(client, proc, log_path)
                times.append(time.perf_counter() - started)
                if i == COLD_RUNS - 1:  # the last one serves a few hundred, then its memory is read
                    figures["rss_kib_at_first_answer"] = (memory_kib(proc.pid) or (0, 0))[0]
                    figures["served"] = _serve(url, Path(env["SQLITE_PATH"]), served_each, seconds)
                    figures["rss_kib"], figures["hwm_kib"] = memory_kib(proc.pid) or (0, 0)
            finally:
                stop(proc)
    return {
        "runs": COLD_RUNS,
        "seconds": round(statistics.median(times), 3),
        "all_seconds": [round(t, 3) for t in times],
    } | figures


def _scenarios(names: tuple[str, ...]) -> list[Scenario]:
    return [next(s for s in SCENARIOS if s.name == name) for name in names]


def _run(pid: int, url: str, scenario: Scenario, load: Load, amount: int, seconds: float) -> dict[str, Any]:
    prime(load)
    before = cpu_seconds(pid)
    result = measure(url, scenario.endpoint, load, SCALE_CONNECTIONS, amount, seconds)
    after = cpu_seconds(pid)
    result["cpu_seconds"] = (after - before) if after is not None and before is not None else float("nan")
    return result


def _summary(parts: list[dict[str, Any]]) -> dict[str, Any]:
    merged = merge(parts)
    cpu = sum(p["cpu_seconds"] for p in parts)
    return {
        "requests": merged["requests"],
        "rps": round(merged["rps"], 1),
        "p50_ms": round(merged["p50_ms"], 2),
        "p99_ms": round(merged["p99_ms"], 2),
        "errors": merged["errors"],
        "cpu_ms": round(1000 * cpu / merged["requests"], 3) if merged["requests"] else 0.0,
    }


def _rss_each_kib(pid: int) -> list[int]:
    """VmRSS of a host's process, then of its children (shared pages count in each)."""
    return [(memory_kib(p) or (0, 0))[0] for p in (pid, *children(pid))]


def workers(root: Path, seconds: float, requests: int, rounds: int, warmup: int) -> list[dict[str, Any]]:
    store = root / "scale" / "playfab.sqlite3"
    rows: list[dict[str, Any]] = []
    # One after the other: the first has made the store by the time the second starts on it.
    with (
        running_local_host(root / "one", 1, SQLITE_PATH=str(store)) as one,
        running_local_host(root / "two", 2, SQLITE_PATH=str(store)) as two,
    ):
        world = World(Api(one.url, TITLE_ID, SECRET_KEY), store_path=store)
        hosts = [(one.process.pid, one.url), (two.process.pid, two.url)]
        for scenario in _scenarios(SCALE_SCENARIOS):
            load = scenario.prepare(world)
            for _, url in hosts:
                if warmup:
                    prime(load)
                    measure(url, scenario.endpoint, load, min(16, warmup), warmup, seconds)
            parts: list[list[dict[str, Any]]] = [[], []]
            for _ in range(rounds):
                for i, (pid, url) in enumerate(hosts):
                    parts[i].append(
                        _run(pid, url, scenario, load, max(SCALE_CONNECTIONS, requests // rounds), seconds / rounds)
                    )
            single, double = _summary(parts[0]), _summary(parts[1])
            ratio = round(double["rps"] / single["rps"], 2) if single["rps"] else 0.0
            rows.append(
                {
                    "name": scenario.name,
                    "endpoint": scenario.endpoint,
                    "concurrency": SCALE_CONNECTIONS,
                    "workers_1": single,
                    "workers_2": double,
                    "ratio": ratio,
                }
            )
            progress(
                f"  {scenario.name} @ {SCALE_CONNECTIONS}: 1 worker {single['rps']:.0f}/s "
                f"({single['cpu_ms']:.2f} CPU ms), 2 workers {double['rps']:.0f}/s ({double['cpu_ms']:.2f} CPU ms), "
                f"{ratio:.2f}x, {single['errors'] + double['errors']} errors"
            )
        # Memory of each whole host once it has served both scenarios.
        each = _rss_each_kib(two.process.pid)
        host = {
            "workers_1_rss_kib": sum(_rss_each_kib(one.process.pid)),
            "workers_2_rss_kib": sum(each),
            # The supervisor first, then its children (the workers, and multiprocessing's resource tracker).
            "workers_2_rss_kib_each": each,
        }
    return [row | host for row in rows]


def measure_startup(seconds: float, requests: int, rounds: int, warmup: int) -> dict[str, Any]:
    """Every start-up and scale figure, in a fresh temporary directory. The 1-against-2-workers runs take
    `requests` and `seconds` as the scenarios' do; `warmup` is both their warm-up and what the cold host
    serves of each of its scenarios before its memory is read."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        root = Path(tmp)
        figures: dict[str, Any] = {"import": import_figures()}
        imp = figures["import"]
        progress(f"  import of function_app: {imp['seconds'] * 1000:.0f} ms, RSS {imp['rss_kib']} KiB")
        figures["cold_start"] = cold = cold_start(root, max(16, warmup), seconds)
        progress(
            f"  cold start to the first login: {cold['seconds'] * 1000:.0f} ms, "
            f"RSS {cold['rss_kib']} KiB after {cold['served']} calls"
        )
        figures["workers"] = workers(root, seconds, requests, rounds, warmup)
    progress(f"start-up and workers: {time.monotonic() - started:.1f} s")
    return figures
