"""The event log's contract (BaseStore.append_events, read_events, delete_events), on every adapter."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator

import pytest

from shared.config.settings import load_settings
from shared.storage import DocumentTooLarge, InvalidContinuation
from shared.storage.base import EVENT_BATCHES_PER_READ
from shared.storage.cosmos import open_cosmos_store
from shared.storage.layout import EVENTS
from tests.support.cosmos import EMULATOR_KEY, new_database_name, running_emulator
from tests.support.cosmos_proxy import CosmosProxy, cosmos_proxy
from tests.support.server import base_env
from tests.support.store_adapters import cosmos_store

LATER = time.time() + 3600


def _events(prefix: str, count: int) -> list[dict[str, object]]:
    return [{"EventId": f"{prefix}{i}", "n": i} for i in range(count)]


def _ids(page) -> list[str]:
    return [event["EventId"] for event in page.events]


def _all(run, stream: str, limit: int) -> list[str]:
    found, token = [], None
    for _ in range(100):
        page = run(run.store.read_events(stream, limit, token))
        found += _ids(page)
        token = page.continuation
        if token is None:
            return found
    raise AssertionError("paging never ended")


def test_an_empty_stream_reads_nothing(run):
    page = run(run.store.read_events("player!NOBODY", 10))
    assert page.events == [] and page.continuation is None


def test_events_read_back_newest_first_across_batches(run):
    run(run.store.append_events({"player!P1": _events("a", 3)}, LATER))
    run(run.store.append_events({"player!P1": _events("b", 2)}, LATER))
    page = run(run.store.read_events("player!P1", 10))
    assert _ids(page) == ["b1", "b0", "a2", "a1", "a0"]
    assert page.continuation is None
    assert page.events[0] == {"EventId": "b1", "n": 1}


def test_streams_are_separate(run):
    run(run.store.append_events({"player!P1": _events("a", 1)}, LATER))
    run(run.store.append_events({"player!P2": _events("b", 1)}, LATER))
    assert _ids(run(run.store.read_events("player!P1", 10))) == ["a0"]
    assert _ids(run(run.store.read_events("player!P2", 10))) == ["b0"]


def test_pages_split_batches_and_resume_where_they_stopped(run):
    for prefix in "abc":
        run(run.store.append_events({"player!P1": _events(prefix, 3)}, LATER))
    expected = ["c2", "c1", "c0", "b2", "b1", "b0", "a2", "a1", "a0"]
    for limit in (1, 2, 4, 9):
        assert _all(run, "player!P1", limit) == expected
    first = run(run.store.read_events("player!P1", 9))
    assert first.continuation is None


def test_a_page_ends_with_a_continuation_only_when_more_may_follow(run):
    run(run.store.append_events({"player!P1": _events("a", 2)}, LATER))
    page = run(run.store.read_events("player!P1", 1))
    assert _ids(page) == ["a1"] and page.continuation
    rest = run(run.store.read_events("player!P1", 5, page.continuation))
    assert _ids(rest) == ["a0"] and rest.continuation is None


def test_more_batches_than_one_read_fetches(run):
    count = EVENT_BATCHES_PER_READ + 5
    for i in range(count):
        run(run.store.append_events({"player!P1": [{"EventId": f"e{i}"}]}, LATER))
    assert _all(run, "player!P1", 1000) == [f"e{i}" for i in reversed(range(count))]


def test_an_unknown_continuation_is_refused(run):
    for token in ("nonsense", "1:2", "00000000000000001-zzzzzzzz:0", ""):
        with pytest.raises(InvalidContinuation):
            run(run.store.read_events("player!P1", 10, token))


def test_a_batch_over_several_streams_lands_in_each(run):
    run(run.store.append_events({"player!P1": _events("a", 2), "player!P2": _events("b", 1)}, LATER))
    assert _ids(run(run.store.read_events("player!P1", 10))) == ["a1", "a0"]
    assert _ids(run(run.store.read_events("player!P2", 10))) == ["b0"]


def test_expired_batches_are_not_read(run):
    run(run.store.append_events({"player!P1": _events("old", 2)}, time.time() - 1))
    run(run.store.append_events({"player!P1": _events("new", 1)}, LATER))
    assert _all(run, "player!P1", 10) == ["new0"]


def test_a_batch_too_large_for_one_record_is_refused_whole(run):
    big = [{"EventId": str(i), "x": "y" * 100_000} for i in range(25)]
    with pytest.raises(DocumentTooLarge):
        run(run.store.append_events({"player!P1": big}, LATER))
    assert run(run.store.read_events("player!P1", 10)).events == []


def test_deleting_a_stream_removes_its_events_only(run):
    run(run.store.append_events({"player!P1": _events("a", 2)}, LATER))
    run(run.store.append_events({"player!P1": _events("b", 2), "player!P2": _events("c", 1)}, LATER))
    run(run.store.delete_events("player!P1"))
    assert run(run.store.read_events("player!P1", 10)).events == []
    assert _ids(run(run.store.read_events("player!P2", 10))) == ["c0"]
    run(run.store.delete_events("player!NOBODY"))  # nothing there: nothing to do


def test_sqlite_appends_prune_expired_records(tmp_path):
    from shared.storage.sqlite import PRUNE_PER_APPEND, SQLiteStore

    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "s.sqlite3")
        try:
            for i in range(3 * PRUNE_PER_APPEND):
                await store.append_events({f"player!P{i}": [{"EventId": str(i)}]}, time.time() - 1)
            for i in range(3):
                await store.append_events({"player!LIVE": [{"EventId": str(i)}]}, LATER)
        finally:
            await store.close()

    asyncio.run(scenario())
    conn = sqlite3.connect(tmp_path / "s.sqlite3")
    try:
        streams = [row[0] for row in conn.execute("SELECT stream FROM events")]
    finally:
        conn.close()
    # Each append removed up to PRUNE_PER_APPEND expired rows: the first 3 expired appends found fewer.
    assert streams.count("player!LIVE") == 3
    assert len(streams) < 3 * PRUNE_PER_APPEND, streams


def _on_cosmos(tmp_path, request, scenario) -> None:
    async def main() -> None:
        async with cosmos_store(tmp_path, request) as store:
            await scenario(store)

    asyncio.run(main())


def test_cosmos_half_written_batch_is_never_read(tmp_path, request):
    async def scenario(store) -> None:
        # An item of a batch over two streams whose commit item never landed (a crash between the writes).
        body = {"s": "00000000000000001-00000000", "e": [{"EventId": "ghost"}], "x": LATER}
        body["c"] = {"pk": "commit!00000000000000001-00000000", "id": "commit"}
        await store.create(EVENTS, "player!P1", body["s"], body)
        await store.append_events({"player!P1": _events("a", 1)}, LATER)
        assert _ids(await store.read_events("player!P1", 10)) == ["a0"]

    _on_cosmos(tmp_path, request, scenario)


def test_cosmos_events_container_has_the_retention_as_default_ttl(tmp_path, request):
    async def scenario(store) -> None:
        properties = await store._containers[EVENTS].read()
        assert properties["defaultTtl"] == 30 * 86_400
        paths = [entry["path"] for entry in properties["indexingPolicy"]["includedPaths"]]
        assert paths == ["/pk/?", "/body/s/?", "/body/x/?"]

    _on_cosmos(tmp_path, request, scenario)


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosProxy]:
    with (
        running_emulator(tmp_path_factory.mktemp("cosmos-http-events"), plain_http=True) as url,
        cosmos_proxy(url) as proxy,
    ):
        yield proxy


def test_cosmos_an_append_whose_answer_was_lost_lands_once(wire, tmp_path):
    """The connection drops after Cosmos DB stored the batch: the SDK sends it again, the adapter
    recognises its own item, and the batch is there once, in one stream and in each of several."""
    proxy = wire
    database = new_database_name("events")
    env = {"STORAGE_BACKEND": "cosmos", "COSMOS_ENDPOINT": proxy.url, "COSMOS_KEY": EMULATOR_KEY}

    async def scenario() -> None:
        store = await open_cosmos_store(load_settings(base_env(tmp_path, COSMOS_DATABASE=database, **env)))
        try:
            lost = len(proxy.dropped)
            proxy.drop_next_write(EVENTS)
            await store.append_events({"player!P1": _events("a", 2)}, LATER)
            proxy.drop_next_write(EVENTS)  # the first item of a batch over two streams
            await store.append_events({"player!P1": _events("b", 1), "player!P2": _events("c", 1)}, LATER)
            assert len(proxy.dropped) == lost + 2
            assert _ids(await store.read_events("player!P1", 10)) == ["b0", "a1", "a0"]
            assert _ids(await store.read_events("player!P2", 10)) == ["c0"]
        finally:
            await store.close()

    asyncio.run(scenario())  # the emulator keeps its databases in memory, gone when it stops
