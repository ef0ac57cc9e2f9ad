"""A Cosmos DB account for tests: the bundled emulator on a free loopback port, or a real one.

With COSMOS_ENDPOINT (and COSMOS_KEY) in the environment, tests use that account or Microsoft's
emulator instead; each test creates its own throwaway databases there and deletes them.
Without Node.js or the npm packages, Cosmos tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from azure.cosmos.aio import CosmosClient
from azure.cosmos.exceptions import CosmosResourceNotFoundError

from shared.settings import Settings, load_settings
from tests.server import REPO, base_env, stop

EMULATOR_SCRIPT = REPO / "scripts" / "cosmos_emulator.js"
EMULATOR_PACKAGE = REPO / "node_modules" / "@vercel" / "cosmosdb-server"
# The emulator accepts any key; the SDK only needs one that is valid base64 to sign requests with.
EMULATOR_KEY = "bG9jYWwtY29zbW9zLWVtdWxhdG9yLWtleQ=="


def unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; in CI a missing dependency is a failure, never a skip."""
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"Cosmos DB tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"Cosmos DB tests skipped: {reason}")


@dataclass(frozen=True)
class CosmosAccount:
    endpoint: str
    key: str
    verify_tls: bool

    def env(self, database: str) -> dict[str, str]:
        """Settings that point the backend at this account."""
        return {
            "STORAGE_BACKEND": "cosmos",
            "COSMOS_ENDPOINT": self.endpoint,
            "COSMOS_KEY": self.key,
            "COSMOS_DATABASE": database,
            "COSMOS_VERIFY_TLS": "true" if self.verify_tls else "false",
        }

    def settings(self, data_dir: Path, database: str) -> Settings:
        return load_settings(base_env(data_dir, **self.env(database)))

    async def drop_database(self, database: str) -> None:
        async with CosmosClient(self.endpoint, credential=self.key, connection_verify=self.verify_tls) as client:
            with contextlib.suppress(CosmosResourceNotFoundError):  # never created: nothing to clean up
                await client.delete_database(database)


def new_database_name(purpose: str) -> str:
    return f"test-{purpose}-{uuid.uuid4().hex[:12]}"


@contextmanager
def cosmos_account(log_dir: Path) -> Iterator[CosmosAccount]:
    endpoint = os.environ.get("COSMOS_ENDPOINT", "").strip()
    if endpoint:
        key = os.environ.get("COSMOS_KEY", "").strip()
        if not key:
            pytest.fail(
                "COSMOS_ENDPOINT is set for the tests but COSMOS_KEY is not: the tests create and "
                "delete their own databases, which needs the account key",
                pytrace=False,
            )
        verify = os.environ.get("COSMOS_VERIFY_TLS", "true").strip().lower() not in ("0", "false", "no")
        yield CosmosAccount(endpoint, key, verify)
        return
    with running_emulator(log_dir) as url:
        yield CosmosAccount(url, EMULATOR_KEY, verify_tls=False)


@contextmanager
def running_emulator(log_dir: Path, timeout: float = 30, *, plain_http: bool = False) -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed")
    if not EMULATOR_PACKAGE.is_dir():
        unavailable("the npm packages are not installed (run `make node-deps`)")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / ("cosmos-emulator-http.log" if plain_http else "cosmos-emulator.log")
    flags = ["--http"] if plain_http else []  # plain HTTP, for tests/cosmos_proxy.py in front of it
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
                if line.startswith("Cosmos DB emulator ready at "):
                    return line.removeprefix("Cosmos DB emulator ready at ")
            if proc.poll() is not None:
                break
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"the Cosmos DB emulator did not start (exit {proc.poll()}):\n{log}")
