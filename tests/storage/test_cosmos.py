"""What only the Cosmos DB adapter has: round trips, item layout, and faults from the service."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing as mp
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

import pytest
from azure.core.credentials import AccessToken
from azure.cosmos.aio import CosmosClient

from shared.storage import DELETE, DocumentTooLarge, StoreBusy, StoreUnavailable
from shared.storage.cosmos import open_cosmos_store
from tests.storage.conftest import Runner
from tests.support.cosmos import EMULATOR_KEY, CosmosAccount, new_database_name, running_emulator
from tests.support.cosmos_transport import Fault, InstrumentedTransport, connection_refused
from tests.support.processes import run_together
from tests.support.server import free_port
from tests.support.store_adapters import cosmos_store

# Small SDK retry budgets keep fault tests quick; the retry logic itself is the SDK's own.
THROTTLE_RETRIES = 2


@pytest.fixture
def cosmos_run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runner]:
    transport = InstrumentedTransport()
    factory = partial(cosmos_store, transport=transport, retry_throttle_total=THROTTLE_RETRIES, retry_fixed_interval=1)
    runner = Runner(factory, tmp_path, request)
    runner.transport = transport  # type: ignore[attr-defined]
    transport.sent.clear()  # opening created the database and containers
    yield runner
    runner.close()


def _methods(transport: InstrumentedTransport) -> list[str]:
    methods = [sent.method for sent in transport.sent]
    transport.sent.clear()
    return methods


def test_each_operation_costs_the_round_trips_it_must(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    run(store.create("players", "P", "doc", {"n": 0}))
    transport.sent.clear()

    run(store.read("players", "P", "doc"))
    assert _methods(transport) == ["GET"]
    run(store.read("players", "P", "missing"))
    assert _methods(transport) == ["GET"]
    run(store.update("players", "P", "doc", lambda b: {"n": b["n"] + 1}))
    assert _methods(transport) == ["GET", "PUT"]
    run(store.update("players", "P", "new", lambda b: {"n": 1}))
    assert _methods(transport) == ["GET", "POST"]
    run(store.update("players", "P", "doc", lambda b: None))
    assert _methods(transport) == ["GET"]
    run(store.update("players", "P", "doc", lambda b: DELETE))
    assert _methods(transport) == ["GET", "DELETE"]
    run(store.create("players", "P", "other", {}))
    assert _methods(transport) == ["POST"]


def test_items_keep_the_body_apart_from_system_fields(cosmos_run):
    run, store = cosmos_run, cosmos_run.store
    body = {"id": "mine", "pk": "mine", "_etag": "mine", "_ts": 1, "body": {"nested": True}}
    created = run(store.create("players", "P", "doc", body))
    assert run(store.read("players", "P", "doc")).body == body

    raw = run(store._containers["players"].read_item("doc", partition_key="P"))
    assert (raw["id"], raw["pk"], raw["body"], raw["_etag"]) == ("doc", "P", body, created.etag)


def test_writes_send_utf8_so_the_size_checked_is_the_size_sent(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    run(store.create("players", "P", "big", {"v": "é" * 995_000}))  # 1,990,008 bytes as UTF-8 JSON
    (sent,) = transport.sent
    assert 1_990_008 < sent.body_bytes < 1_990_008 + 100  # not 5,970,000 with \u00e9 escapes


def test_containers_are_partitioned_by_pk(cosmos_run):
    run, store = cosmos_run, cosmos_run.store
    for name, proxy in store._containers.items():
        properties = run(proxy.read())
        assert properties["partitionKey"]["paths"] == ["/pk"], name


def test_a_412_storm_ends_in_store_busy_with_nothing_written(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    run(store.create("players", "P", "doc", {"n": 1}))
    transport.faults.append(Fault(method="PUT", status=412))
    with pytest.raises(StoreBusy):
        run(store.update("players", "P", "doc", lambda b: {"n": b["n"] + 1}))
    assert _methods(transport).count("PUT") == store.update_attempts
    transport.faults.clear()
    assert run(store.read("players", "P", "doc")).body == {"n": 1}


def test_a_few_412s_are_absorbed_by_the_update_loop(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    run(store.create("players", "P", "doc", {"n": 1}))
    transport.faults.append(Fault(method="PUT", status=412, times=3))
    assert run(store.update("players", "P", "doc", lambda b: {"n": b["n"] + 1})).body == {"n": 2}
    assert run(store.read("players", "P", "doc")).body == {"n": 2}


def test_throttling_after_the_sdk_retries_is_unavailable_with_the_service_hint(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    transport.faults.append(Fault(status=429, headers={"x-ms-retry-after-ms": "2500"}))
    with pytest.raises(StoreUnavailable) as err:
        run(store.read("players", "P", "doc"))
    assert err.value.throttled is True and err.value.retry_after_seconds == 2.5
    assert _methods(transport) == ["GET"] * (1 + THROTTLE_RETRIES)


def test_a_passing_503_is_retried_by_the_sdk(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    run(store.create("players", "P", "doc", {"n": 1}))
    transport.faults.append(Fault(method="GET", status=503, times=1))
    assert run(store.read("players", "P", "doc")).body == {"n": 1}


@pytest.mark.parametrize(
    "fault",
    [
        Fault(method="POST", status=503),
        Fault(method="POST", status=500),
        Fault(method="POST", status=408),
        Fault(method="POST", error=connection_refused()),
    ],
    ids=["503", "500", "408", "connection-refused"],
)
def test_service_failures_are_unavailable_and_write_nothing(cosmos_run, fault):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    transport.faults.append(fault)
    with pytest.raises(StoreUnavailable) as err:
        run(store.create("players", "P", "doc", {"n": 1}))
    assert err.value.throttled is False
    transport.faults.clear()
    assert run(store.read("players", "P", "doc")) is None


def test_the_service_refusing_a_large_item_is_document_too_large(cosmos_run):
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    transport.faults.append(Fault(method="POST", status=413))
    with pytest.raises(DocumentTooLarge):
        run(store.create("players", "P", "doc", {"n": 1}))


def test_an_unreachable_account_is_unavailable_at_open(tmp_path, cosmos):
    settings = cosmos.settings(tmp_path, new_database_name("unreachable"))
    nobody_listens = dataclasses.replace(settings, cosmos_endpoint=f"https://127.0.0.1:{free_port()}/")
    with pytest.raises(StoreUnavailable):
        asyncio.run(open_cosmos_store(nobody_listens))


async def _open_and_close(account: CosmosAccount, tmp: Path, database: str) -> None:
    store = await open_cosmos_store(account.settings(tmp, database))  # creates the containers
    await store.close()


async def _read_counter(account: CosmosAccount, tmp: Path, database: str) -> int:
    store = await open_cosmos_store(account.settings(tmp, database))
    doc = await store.read("players", "P", "counter")
    await store.close()
    return doc.body["n"]


def _increment(account: CosmosAccount, tmp: Path, database: str, times: int, start: mp.synchronize.Event) -> None:
    async def go() -> None:
        store = await open_cosmos_store(account.settings(tmp, database))
        start.wait()
        for _ in range(times):
            await store.update("players", "P", "counter", lambda b: {"n": (b or {"n": 0})["n"] + 1})
        await store.close()

    asyncio.run(go())


def test_updates_from_several_processes_lose_no_increment(tmp_path, cosmos):
    """Worker processes, each with its own client, racing on one document: etags keep every increment."""
    database = new_database_name("processes")
    asyncio.run(_open_and_close(cosmos, tmp_path, database))
    try:
        run_together(_increment, [(cosmos, tmp_path, database, 20)] * 3)
        assert asyncio.run(_read_counter(cosmos, tmp_path, database)) == 60
    finally:
        asyncio.run(cosmos.drop_database(database))


def test_without_node_the_emulator_tests_skip_locally_and_fail_in_ci(monkeypatch, tmp_path):
    monkeypatch.setattr("tests.support.cosmos.shutil.which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"Node\.js is not installed"), running_emulator(tmp_path):
        pass
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=r"Node\.js is not installed"), running_emulator(tmp_path):
        pass


class StaticToken:
    """Stands in for DefaultAzureCredential, which has no identity to find here; the emulator
    accepts any token, so the key-less path runs against it unchanged."""

    scopes: ClassVar[list[str]] = []

    async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        StaticToken.scopes.extend(scopes)
        return AccessToken("token-for-the-emulator", int(time.time()) + 3600)

    async def close(self) -> None:
        return None


def test_without_a_key_containers_are_used_not_created(tmp_path, cosmos, monkeypatch):
    if cosmos.key != EMULATOR_KEY:
        pytest.skip("needs the bundled emulator, which accepts any token")
    monkeypatch.setattr("azure.identity.aio.DefaultAzureCredential", StaticToken)
    monkeypatch.setattr(StaticToken, "scopes", [])
    provisioned, absent = new_database_name("provisioned"), new_database_name("absent")
    asyncio.run(_open_and_close(cosmos, tmp_path, provisioned))  # infra's part, done with the key

    async def go() -> None:
        keyless = dataclasses.replace(cosmos.settings(tmp_path, provisioned), cosmos_key=None)
        store = await open_cosmos_store(keyless)
        await store.create("players", "P", "doc", {"n": 1})
        assert (await store.read("players", "P", "doc")).body == {"n": 1}
        await store.close()
        assert StaticToken.scopes  # requests were signed with the identity's token, not a key
        with pytest.raises(StoreUnavailable, match="missing from database"):
            await open_cosmos_store(dataclasses.replace(keyless, cosmos_database=absent))

    try:
        asyncio.run(go())
    finally:
        asyncio.run(cosmos.drop_database(provisioned))
    assert not asyncio.run(_database_exists(cosmos, absent))


async def _database_exists(account: CosmosAccount, database: str) -> bool:
    async with CosmosClient(account.endpoint, credential=account.key, connection_verify=account.verify_tls) as client:
        return database in [db["id"] async for db in client.list_databases()]


def test_64_writers_on_one_document_all_land_in_order_without_racing(cosmos_run):
    """One process's updates of a hot document take turns: no lost etag race, no StoreBusy, and
    every write lands exactly once (the version moves by one per update)."""
    run, store, transport = cosmos_run, cosmos_run.store, cosmos_run.transport
    run(store.create("players", "P", "hot", {"version": 0, "writers": []}))
    transport.sent.clear()

    def add(writer: int) -> Callable[[dict | None], dict]:
        return lambda b: {"version": b["version"] + 1, "writers": [*b["writers"], writer]}

    async def race() -> list[object]:
        return await asyncio.gather(*(store.update("players", "P", "hot", add(w)) for w in range(64)))

    results = run(race())
    assert sorted(doc.body["version"] for doc in results) == list(range(1, 65))
    final = run(store.read("players", "P", "hot")).body
    assert final["version"] == 64 and sorted(final["writers"]) == list(range(64))
    methods = _methods(transport)
    # Every write lands first time (no lost etag race); at most one read each (fewer: see test_cosmos_recent).
    assert methods.count("PUT") == 64 and len(methods) <= 2 * 64 + 1
    assert store._queue.waiting("players/P/hot") == 0 and len(store._queue) == 0  # nothing left behind
