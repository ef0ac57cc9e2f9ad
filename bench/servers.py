"""The two servers a benchmark run compares: the local host, and the floor on the same uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.server import REPO, Server, free_port, wait_until_serving


@contextmanager
def running_floor(data_dir: Path, workers: int) -> Iterator[Server]:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "FLOOR_DB": str(data_dir / "floor.sqlite3"), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    log_path = data_dir / "floor.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    server = Server(f"http://127.0.0.1:{port}", data_dir, env, proc, log_path)
    try:
        wait_until_serving(server)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
