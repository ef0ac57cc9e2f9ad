"""The bundled Cosmos DB emulator (scripts/cosmos_emulator.js) as a child process on a free loopback port,
for the tests and the benchmark to start and stop."""

from __future__ import annotations

import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_host.process import REPO, stop

EMULATOR_SCRIPT = REPO / "scripts" / "cosmos_emulator.js"
EMULATOR_PACKAGE = REPO / "node_modules" / "@vercel" / "cosmosdb-server"
# The emulator accepts any key; the SDK only needs one that is valid base64 to sign requests with.
EMULATOR_KEY = "bG9jYWwtY29zbW9zLWVtdWxhdG9yLWtleQ=="
READY = "Cosmos DB emulator ready at "


class EmulatorUnavailable(RuntimeError):
    """Node.js or the npm package is missing: the emulator cannot run on this machine at all."""


@contextmanager
def running_emulator(log_dir: Path, timeout: float = 30, *, plain_http: bool = False) -> Iterator[str]:
    """The emulator's URL, serving until the block ends."""
    node = shutil.which("node")
    if node is None:
        raise EmulatorUnavailable("Node.js is not installed")
    if not EMULATOR_PACKAGE.is_dir():
        raise EmulatorUnavailable("the npm packages are not installed (run `make node-deps`)")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / ("cosmos-emulator-http.log" if plain_http else "cosmos-emulator.log")
    flags = ["--http"] if plain_http else []  # plain HTTP, for a proxy in front of it
    with log_path.open("wb") as log:
        # Port 0: the emulator binds a free port itself and prints it, so no other process can take it.
        proc = subprocess.Popen(
            [str(node), str(EMULATOR_SCRIPT), "--host", "127.0.0.1", "--port", "0", *flags],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    try:
        yield _wait_for_ready_line(proc, log_path, timeout)
    finally:
        stop(proc)
        assert proc.stdout is not None
        proc.stdout.close()


def _wait_for_ready_line(proc: subprocess.Popen[bytes], log_path: Path, timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if sel.select(timeout=0.2):
                line = proc.stdout.readline().decode("utf-8", "replace").strip()
                if line.startswith(READY):
                    return line.removeprefix(READY)
            if proc.poll() is not None:
                break
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"the Cosmos DB emulator did not start (exit {proc.poll()}):\n{log}")
