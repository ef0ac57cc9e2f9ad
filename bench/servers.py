"""The two servers a benchmark run compares: the local host, and the floor on the same uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_host.process import REPO, HostProcess, free_port, isolated_env, running_host, wait_until_serving

# The benchmark's own throwaway title, in a fresh store each run.
TITLE_ID = "BENCH"
SECRET_KEY = "bench-secret-key-0123456789"
SIGNING_KEY = "bench-token-signing-key-0123456789abcdef"


def host_env(data_dir: Path, workers: int, stack: str = "fast", **overrides: str) -> dict[str, str]:
    """The bench host's environment. Game clients post statistics in most titles (the statistics update
    scenario is a client call); the bench's own server function (bench/server_functions.py) is loaded
    beside the studio's."""
    return isolated_env(
        data_dir,
        TITLE_ID,
        SECRET_KEY,
        SIGNING_KEY,
        WORKERS=str(workers),
        HTTP_STACK=stack,
        ALLOW_CLIENT_STATISTIC_UPDATES="true",
        SERVER_FUNCTION_MODULES="cloudscript,bench.server_functions",
        **overrides,
    )


@contextmanager
def running_local_host(data_dir: Path, workers: int, stack: str = "fast", **overrides: str) -> Iterator[HostProcess]:
    with running_host(HostProcess, data_dir, host_env(data_dir, workers, stack, **overrides)) as host:
        yield host


# HTTP_STACK -> the same parser and loop for the floor's plain uvicorn (local_host/http_guard.py's STACKS).
FLOOR_STACKS = {"fast": ["--http", "httptools", "--loop", "auto"], "h11": ["--http", "h11", "--loop", "asyncio"]}


@contextmanager
def running_floor(data_dir: Path, workers: int, stack: str = "fast") -> Iterator[HostProcess]:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "FLOOR_DB": str(data_dir / "floor.sqlite3"), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning", *FLOOR_STACKS[stack]]
    log_path = data_dir / "floor.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    server = HostProcess(f"http://127.0.0.1:{port}", data_dir, env, proc, log_path)
    try:
        wait_until_serving(server)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
