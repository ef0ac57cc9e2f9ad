from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support import sdk
from tests.support.cosmos import CosmosAccount, cosmos_account, new_database_name
from tests.support.node_sdk import self_signed_cert
from tests.support.server import Server, running_server

BACKENDS = ("sqlite", "cosmos")


@pytest.fixture(scope="session")
def cosmos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosAccount]:
    """One Cosmos DB account (the emulator, started once) for the whole run."""
    with cosmos_account(tmp_path_factory.mktemp("cosmos")) as account:
        yield account


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The local host on each storage backend: every test using it runs once per backend."""
    data_dir = tmp_path_factory.mktemp(f"host-{request.param}")
    if request.param == "sqlite":
        with running_server(data_dir) as srv:
            yield srv
        return
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("api")
    with running_server(data_dir, **account.env(database)) as srv:
        yield srv
    asyncio.run(account.drop_database(database))


@pytest.fixture(scope="session", params=BACKENDS)
def tls_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The local host over HTTPS on each store, for the official Node SDK (its CA in `extra["ca"]`)."""
    directory = tmp_path_factory.mktemp(f"tls-{request.param}")
    cert, key = self_signed_cert(directory)
    env: dict[str, str] = {}
    account: CosmosAccount | None = None
    if request.param == "cosmos":
        account = request.getfixturevalue("cosmos")
        database = new_database_name("node")
        env = account.env(database)
    with running_server(directory / "data", tls=(cert, key), **env) as srv:
        srv.extra["ca"] = cert
        yield srv
    if account is not None:
        asyncio.run(account.drop_database(database))


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One local host on the embedded store, for suites that read its file to prove what was written."""
    with running_server(tmp_path_factory.mktemp("host-sqlite-file")) as srv:
        yield srv


@pytest.fixture
def pf(server: Server) -> Server:
    """The server, with the official Python SDK pointed at it and no one logged in."""
    sdk.point_at(server)
    return server
