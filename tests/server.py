"""Start the real local host (uvicorn, separate process) for tests, and talk to it over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
TITLE_ID = "TESTTITLE"
SECRET_KEY = "test-secret-key-0123456789"
OTHER_SECRET_KEY = "rotated-secret-key-9876543210"
SIGNING_KEY = "test-token-signing-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def post(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None, *, raw: bytes | None = None
    ) -> httpx.Response:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        content = raw if raw is not None else httpx.Request("POST", "http://x", json=body).content
        return httpx.post(self.url + path, content=content, headers=hdrs, timeout=30, verify=False)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def base_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAYFAB_", "COSMOS_", "STORAGE_", "SQLITE_"))}
    env.update(
        {
            "LOCAL_SETTINGS_FILE": str(data_dir / "absent.local.settings.json"),
            "PLAYFAB_TITLE_ID": TITLE_ID,
            "PLAYFAB_SECRET_KEYS": f"{SECRET_KEY},{OTHER_SECRET_KEY}",
            "TOKEN_SIGNING_KEY": SIGNING_KEY,
            "SQLITE_PATH": str(data_dir / "playfab.sqlite3"),
            "HOST": "127.0.0.1",
            # Suites write quickly as one player; the limits' own tests start servers with them on.
            "RATE_LIMITS": "off",
            # Refusals answer at once, so tests that go past a limit are not slowed down.
            "RATE_LIMIT_REFUSAL_DELAY_MS": "0",
        }
    )
    env.update(overrides)
    return env


@contextmanager
def running_server(
    data_dir: Path, *, tls: tuple[Path, Path] | None = None, env: dict[str, str] | None = None, **overrides: str
) -> Iterator[Server]:
    """A local host on a free port; `env` replaces the default environment, `overrides` amend it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**(env if env is not None else base_env(data_dir)), **overrides, "PORT": str(port)}
    if tls:
        env["TLS_CERT_FILE"], env["TLS_KEY_FILE"] = str(tls[0]), str(tls[1])
    log_path = data_dir / f"host-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "local_host"], cwd=REPO, env=env, stdout=log, stderr=log)
    scheme = "https" if tls else "http"
    server = Server(f"{scheme}://127.0.0.1:{port}", data_dir, env, proc, log_path)
    try:
        wait_until_serving(server)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until_serving(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"local host exited with {server.process.returncode}:\n{server.log()}")
        try:
            httpx.post(server.url + "/", timeout=1, verify=False)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"local host did not start in {timeout}s:\n{server.log()}")
