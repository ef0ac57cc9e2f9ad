from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

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


# One host per store for the whole run, kept alive side by side: `server` and `tls_server` only pick one
# per module. (A session fixture parametrized by store keeps one instance at a time, so a worker that
# runs file after file, each on both stores, would stop and start a host at every switch.)
@pytest.fixture(scope="session")
def api_host_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("host-sqlite")) as srv:
        yield srv


@pytest.fixture(scope="session")
def api_host_cosmos(tmp_path_factory: pytest.TempPathFactory, cosmos: CosmosAccount) -> Iterator[Server]:
    database = new_database_name("api")
    with running_server(tmp_path_factory.mktemp("host-cosmos"), **cosmos.env(database)) as srv:
        yield srv
    asyncio.run(cosmos.drop_database(database))


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Server:
    """The local host on each storage backend: every test using it runs once per backend."""
    host: Server = request.getfixturevalue(f"api_host_{request.param}")
    return host


def _tls_host(directory: Path, cosmos: CosmosAccount | None) -> Iterator[Server]:
    cert, key = self_signed_cert(directory)
    database = new_database_name("node")
    env = cosmos.env(database) if cosmos is not None else {}
    with running_server(directory / "data", tls=(cert, key), **env) as srv:
        srv.extra["ca"] = cert
        yield srv
    if cosmos is not None:
        asyncio.run(cosmos.drop_database(database))


@pytest.fixture(scope="session")
def tls_host_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _tls_host(tmp_path_factory.mktemp("tls-sqlite"), None)


@pytest.fixture(scope="session")
def tls_host_cosmos(tmp_path_factory: pytest.TempPathFactory, cosmos: CosmosAccount) -> Iterator[Server]:
    yield from _tls_host(tmp_path_factory.mktemp("tls-cosmos"), cosmos)


@pytest.fixture(scope="module", params=BACKENDS)
def tls_server(request: pytest.FixtureRequest) -> Server:
    """The local host over HTTPS on each store, for the official Node SDK (its CA in `extra["ca"]`)."""
    host: Server = request.getfixturevalue(f"tls_host_{request.param}")
    return host


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
