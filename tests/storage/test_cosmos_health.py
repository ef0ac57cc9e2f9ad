"""Answers about the account rather than a document: an endpoint that never answers, a refused key, a
missing role, a deleted container. Each is StoreUnavailable naming the cause, at open and at run time,
and a container that comes back is used again without reopening the store."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.storage import StoreUnavailable
from shared.storage.cosmos import open_cosmos_store
from shared.storage.cosmos_health import (
    EVENTS_INDEXING_POLICY,
    FORBIDDEN_RETRY_SECONDS,
    INDEXING_POLICY,
    OPEN_TIMEOUT_SECONDS,
)
from shared.storage.cosmos_ranks import RANK_INDEXING_POLICY
from shared.storage.layout import CONTAINERS, EVENTS, RANKS
from tests.support.cosmos import CosmosAccount, delete_or_restore_container, new_database_name
from tests.support.cosmos_transport import Fault, InstrumentedTransport
from tests.support.infra_model import module, resources


@pytest.fixture
def silent_endpoint() -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback socket that accepts connections and never answers (a wrong port, a hung proxy)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    yield f"https://127.0.0.1:{listener.getsockname()[1]}/", accepted
    for conn in accepted:
        conn.close()
    listener.close()


def test_an_endpoint_that_never_answers_fails_the_open_within_its_bound(tmp_path, cosmos, silent_endpoint):
    url, _ = silent_endpoint
    settings = dataclasses.replace(cosmos.settings(tmp_path, new_database_name("silent")), cosmos_endpoint=url)

    async def go() -> None:
        # The test's own bound: twice the open timeout (before, one open took 12 s or more).
        await asyncio.wait_for(open_cosmos_store(settings), 2 * OPEN_TIMEOUT_SECONDS)

    with pytest.raises(StoreUnavailable, match=r"no answer from COSMOS_ENDPOINT"):
        asyncio.run(go())


def test_a_key_that_is_not_base64_is_named_before_any_request(tmp_path, cosmos):
    transport = InstrumentedTransport()
    settings = dataclasses.replace(cosmos.settings(tmp_path, new_database_name("badkey")), cosmos_key="not base64!")
    with pytest.raises(StoreUnavailable, match="COSMOS_KEY is not valid base64"):
        asyncio.run(open_cosmos_store(settings, transport=transport))
    assert transport.sent == []


@pytest.mark.parametrize(
    ("status", "cause"),
    [(401, r"answered 401: it refused the credential; check COSMOS_KEY"), (403, r"answered 403/0: .* role")],
    ids=["wrong-key", "missing-role"],
)
def test_a_refused_credential_at_open_names_the_status(tmp_path, cosmos, status, cause):
    transport = InstrumentedTransport()
    transport.faults.append(Fault(status=status, items_only=False))
    settings = cosmos.settings(tmp_path, new_database_name("refused"))
    with pytest.raises(StoreUnavailable, match=cause) as err:
        asyncio.run(open_cosmos_store(settings, transport=transport))
    assert err.value.retry_after_seconds == FORBIDDEN_RETRY_SECONDS


@pytest.fixture
def opened(tmp_path: Path, cosmos: CosmosAccount) -> Iterator[tuple[asyncio.AbstractEventLoop, object, str]]:
    database = new_database_name("health")
    loop = asyncio.new_event_loop()
    transport = InstrumentedTransport()
    store = loop.run_until_complete(open_cosmos_store(cosmos.settings(tmp_path, database), transport=transport))
    store.transport = transport  # type: ignore[attr-defined]
    yield loop, store, database
    loop.run_until_complete(store.close())
    loop.run_until_complete(cosmos.drop_database(database))
    loop.close()


def test_a_role_revoked_at_run_time_is_unavailable_with_a_retry_hint(opened):
    loop, store, _ = opened
    store.transport.faults.append(Fault(status=403))
    for call in (store.read("players", "P", "doc"), store.update("players", "P", "doc", lambda b: {"n": 1})):
        with pytest.raises(StoreUnavailable, match="answered 403") as err:
            loop.run_until_complete(call)
        assert err.value.retry_after_seconds == FORBIDDEN_RETRY_SECONDS and not err.value.throttled


def test_a_container_deleted_at_run_time_is_unavailable_not_missing_data_and_recovers(opened, cosmos):
    loop, store, database = opened
    run = loop.run_until_complete
    run(store.create("players", "P", "doc", {"n": 1}))
    run(delete_or_restore_container(cosmos, database, "players", delete=True))
    store.transport.sent.clear()

    for call in (
        store.read("players", "P", "doc"),
        store.update("players", "P", "doc", lambda b: {"n": (b or {"n": 0})["n"] + 1}),
        store.create("players", "P", "other", {}),
        store.delete("players", "P", "doc"),
    ):
        with pytest.raises(StoreUnavailable, match="container or its database does not exist"):
            run(call)
    assert len(store.transport.sent) == 4  # one request each: no retry loop against a missing container
    assert run(store.read("lookups", "L", "doc")) is None  # the other containers still serve

    run(
        delete_or_restore_container(cosmos, database, "players", delete=False)
    )  # restored (empty): served again, same store
    assert run(store.read("players", "P", "doc")) is None
    assert run(store.update("players", "P", "doc", lambda b: {"n": 1})).body == {"n": 1}


def test_containers_the_app_creates_index_as_the_bicep_does(opened):
    loop, store, _ = opened
    declared = resources(module("database"), "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
    bicep = {c["name"]: c["properties"]["resource"]["indexingPolicy"] for c in declared}
    # The document containers (one loop over containerNames) index nothing; the leaderboard container its
    # ordering paths with its composite indexes; the event log its query paths.
    assert bicep == {
        "containerName": INDEXING_POLICY,
        "rankContainerName": RANK_INDEXING_POLICY,
        EVENTS: EVENTS_INDEXING_POLICY,
    }
    assert set(store._containers) == {*CONTAINERS, RANKS, EVENTS}
    policies = {RANKS: RANK_INDEXING_POLICY, EVENTS: EVENTS_INDEXING_POLICY}
    for name, proxy in store._containers.items():
        expected = policies.get(name, INDEXING_POLICY)
        policy = loop.run_until_complete(proxy.read())["indexingPolicy"]
        assert {k: policy[k] for k in expected} == expected, name
