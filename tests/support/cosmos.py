"""A Cosmos DB account for tests: the bundled emulator on a free loopback port, or a real one.

With COSMOS_ENDPOINT (and COSMOS_KEY) in the environment, tests use that account or Microsoft's
emulator instead; each test creates its own throwaway databases there and deletes them.
Without Node.js or the npm packages, Cosmos tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import contextlib
import os
import shutil  # noqa: F401  tests hide Node.js by patching tests.support.cosmos.shutil.which, which the emulator reads
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from azure.cosmos import PartitionKey
from azure.cosmos.aio import CosmosClient
from azure.cosmos.exceptions import CosmosResourceNotFoundError

from local_host import cosmos_emulator as emulator
from local_host.cosmos_emulator import (
    EMULATOR_KEY,
    EMULATOR_PACKAGE,
    EMULATOR_SCRIPT,
    EmulatorUnavailable,
    _wait_for_ready_line,
)
from shared.config.settings import Settings, load_settings
from shared.storage.cosmos_health import INDEXING_POLICY
from tests.support.server import base_env

__all__ = [
    "EMULATOR_KEY",
    "EMULATOR_PACKAGE",
    "EMULATOR_SCRIPT",
    "CosmosAccount",
    "_wait_for_ready_line",
    "cosmos_account",
    "new_database_name",
    "running_emulator",
    "unavailable",
]


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
    """The bundled emulator; without Node.js or its npm package, `unavailable`."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(emulator.running_emulator(log_dir, timeout, plain_http=plain_http))
        except EmulatorUnavailable as missing:
            unavailable(str(missing))
        yield url


async def delete_or_restore_container(account: CosmosAccount, database: str, name: str, *, delete: bool) -> None:
    """Delete a container behind the store's back, or put it back empty, as an operator would."""
    async with CosmosClient(account.endpoint, credential=account.key, connection_verify=account.verify_tls) as client:
        db = client.get_database_client(database)
        if delete:
            await db.delete_container(name)
        else:
            await db.create_container(name, PartitionKey("/pk"), indexing_policy=INDEXING_POLICY)
