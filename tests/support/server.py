"""Start the real local host (uvicorn, separate process) for tests, and talk to it over HTTP."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from local_host.process import REPO, HostProcess, free_port, isolated_env, running_host, stop, wait_until_serving

__all__ = [
    "REPO",
    "Server",
    "base_env",
    "free_port",
    "running_server",
    "start_until_exit",
    "stop",
    "wait_until_serving",
]

TITLE_ID = "TESTTITLE"
SECRET_KEY = "test-secret-key-0123456789"
OTHER_SECRET_KEY = "rotated-secret-key-9876543210"
SIGNING_KEY = "test-token-signing-key-0123456789abcdef"
# The studio's functions and the tests' own (tests/support/server_functions.py).
SERVER_FUNCTION_MODULES = "cloudscript,tests.support.server_functions"


@dataclass
class Server(HostProcess):
    extra: dict[str, Any] = field(default_factory=dict)

    def post(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None, *, raw: bytes | None = None
    ) -> httpx.Response:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        content = raw if raw is not None else httpx.Request("POST", "http://x", json=body).content
        return httpx.post(self.url + path, content=content, headers=hdrs, timeout=30, verify=False)


def start_until_exit(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m local_host` with `env`, for settings that must stop it: its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "local_host"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def base_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    # Refusals answer at once, so tests that go past a limit are not slowed down.
    overrides = {"RATE_LIMIT_REFUSAL_DELAY_MS": "0", "SERVER_FUNCTION_MODULES": SERVER_FUNCTION_MODULES, **overrides}
    return isolated_env(data_dir, TITLE_ID, f"{SECRET_KEY},{OTHER_SECRET_KEY}", SIGNING_KEY, **overrides)


@contextmanager
def running_server(
    data_dir: Path,
    *,
    tls: tuple[Path, Path] | None = None,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    **overrides: str,
) -> Iterator[Server]:
    """A local host on a free port; `env` replaces the default environment, `overrides` amend it.
    `preexec` runs in the child before it starts (e.g. to lower its open file limit)."""
    full_env = {**(env if env is not None else base_env(data_dir)), **overrides}
    with running_host(Server, data_dir, full_env, tls, preexec) as srv:
        yield srv
