"""The local host as a child process on a free loopback port, for the tests and the benchmark to start and stop."""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class HostProcess:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


H = TypeVar("H", bound=HostProcess)


def isolated_env(data_dir: Path, title_id: str, secret_keys: str, signing_key: str, **overrides: str) -> dict[str, str]:
    """This environment without any store or title setting of its own, for a throwaway host in `data_dir`."""
    own = ("PLAYFAB_", "COSMOS_", "STORAGE_", "SQLITE_", "SMTP_", "MAIL_", "PUBLIC_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(
        {
            "LOCAL_SETTINGS_FILE": str(data_dir / "absent.local.settings.json"),
            "PLAYFAB_TITLE_ID": title_id,
            "PLAYFAB_SECRET_KEYS": secret_keys,
            "TOKEN_SIGNING_KEY": signing_key,
            "SQLITE_PATH": str(data_dir / "playfab.sqlite3"),
            "HOST": "127.0.0.1",
            # Suites and benchmarks write quickly as one player; the limits' own tests turn them on.
            "RATE_LIMITS": "off",
            # Recovery emails of a throwaway host stay in its folder.
            "MAIL_OUTBOX_DIR": str(data_dir / "outbox"),
        }
    )
    env.update(overrides)
    return env


@contextmanager
def running_host(
    kind: type[H],
    data_dir: Path,
    env: dict[str, str],
    tls: tuple[Path, Path] | None = None,
    preexec: Callable[[], None] | None = None,
) -> Iterator[H]:
    """`python -m local_host` with `env` on a free port, serving until the block ends. `preexec` runs in
    the child before it starts (e.g. to lower its open file limit)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**env, "PORT": str(port)}
    if tls:
        env["TLS_CERT_FILE"], env["TLS_KEY_FILE"] = str(tls[0]), str(tls[1])
    log_path = data_dir / f"host-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "local_host"], cwd=REPO, env=env, stdout=log, stderr=log, preexec_fn=preexec
        )
    scheme = "https" if tls else "http"
    host = kind(f"{scheme}://127.0.0.1:{port}", data_dir, env, proc, log_path)
    try:
        wait_until_serving(host)
        yield host
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _answers(url: str) -> bool:
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE  # a test certificate, on loopback
    try:
        with urllib.request.urlopen(urllib.request.Request(url, b"", method="POST"), timeout=1, context=unverified):
            return True
    except urllib.error.HTTPError:  # an error status is an answer too
        return True
    except (OSError, http.client.HTTPException):  # refused, reset, cut short or timed out: not yet
        return False


def wait_until_serving(host: HostProcess, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            raise RuntimeError(f"local host exited with {host.process.returncode}:\n{host.log()}")
        if _answers(host.url + "/"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"local host did not start in {timeout}s:\n{host.log()}")
