"""The store's title record on every adapter: claimed once, checked after, and of two hosts racing on
an empty store exactly one title wins."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from shared import services, store_title
from shared.features.identity import login_with_custom_id
from shared.pipeline import HttpRequest, HttpResponse, handle
from shared.storage import Document, Store
from shared.storage.sqlite import SQLiteStore
from shared.store_title import TitleMismatch
from tests.support.server import base_env
from tests.support.store_adapters import ADAPTERS


class ReadsTogether:
    """A real store whose first read of the title record waits until every racer has made its own, so all
    of them find the store empty and go on to create the record at once."""

    def __init__(self, store: Store, barrier: asyncio.Barrier) -> None:
        self._store, self._barrier, self._waited = store, barrier, False

    async def read(self, container: str, pk: str, id: str) -> Document | None:
        doc = await self._store.read(container, pk, id)
        if not self._waited:
            self._waited = True
            await asyncio.wait_for(self._barrier.wait(), timeout=30)
        return doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def _stores(stack: AsyncExitStack, tmp: Path, adapter: str, request: pytest.FixtureRequest, n: int) -> list[Any]:
    """n stores on one SQLite file (separate connections, as separate hosts have); Cosmos: one database."""
    opener = ADAPTERS[adapter]
    if adapter == "cosmos":
        return [await stack.enter_async_context(opener(tmp, request))] * n
    return [await stack.enter_async_context(opener(tmp, request)) for _ in range(n)]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_racing_hosts_on_an_empty_store_one_title_wins(adapter, tmp_path, request):
    titles = ["TITLEA", "TITLEB", "TITLEC", "TITLED"]

    async def race() -> tuple[list[Any], str | None, list[Any]]:
        async with AsyncExitStack() as stack:
            stores = await _stores(stack, tmp_path, adapter, request, len(titles))
            barrier = asyncio.Barrier(len(titles))
            racers = [ReadsTogether(store, barrier) for store in stores]
            outcomes = await asyncio.gather(
                *(store_title.claim(r, t) for r, t in zip(racers, titles, strict=True)),  # type: ignore[arg-type]
                return_exceptions=True,
            )
            stored = await store_title.stored_title(stores[0])
            again = await asyncio.gather(*(store_title.claim(stores[0], t) for t in titles), return_exceptions=True)
            return outcomes, stored, again

    outcomes, stored, again = asyncio.run(asyncio.wait_for(race(), timeout=120))
    winners = [t for t, o in zip(titles, outcomes, strict=True) if o is None]
    assert winners == [stored], outcomes
    losers = [o for o in outcomes if o is not None]
    assert len(losers) == len(titles) - 1
    for loser in losers:
        assert isinstance(loser, TitleMismatch) and loser.stored == stored, loser
        assert stored in str(loser) and loser.configured in str(loser)
    # Later starts: the winner's title is accepted, every other refused.
    assert [o is None for o in again] == [t == stored for t in titles]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_an_existing_store_is_claimed_by_the_first_title_that_opens_it(adapter, tmp_path, request):
    async def claim() -> tuple[str | None, str | None]:
        async with AsyncExitStack() as stack:
            (store,) = await _stores(stack, tmp_path, adapter, request, 1)
            await store.create("players", "P1", "account", {"PlayFabId": "P1"})  # data from before the record
            before = await store_title.stored_title(store)
            await store_title.claim(store, "TITLEA")
            await store_title.claim(store, "TITLEA")  # a restart
            with pytest.raises(TitleMismatch):
                await store_title.claim(store, "TITLEB")
            return before, await store_title.stored_title(store)

    assert asyncio.run(asyncio.wait_for(claim(), timeout=120)) == (None, "TITLEA")


def test_under_the_functions_host_a_store_of_another_title_fails_every_call(tmp_path, monkeypatch, caplog):
    """No start-up hook there: the first call opens the store, finds the other title and fails, as does
    every call after, each with PlayFab's envelope and a log line naming both titles."""
    path = tmp_path / "claimed.sqlite3"

    async def claim_for_a() -> None:
        store = SQLiteStore(path)
        try:
            await store_title.claim(store, "TITLEA")
        finally:
            await store.close()

    asyncio.run(claim_for_a())
    env = base_env(tmp_path, PLAYFAB_TITLE_ID="TITLEB", SQLITE_PATH=str(path))
    for name in [k for k in os.environ if k.startswith(("PLAYFAB_", "COSMOS_", "STORAGE_", "SQLITE_"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(services, "_services", None)
    body = json.dumps({"TitleId": "TITLEB", "CustomId": "c", "CreateAccount": True}).encode()
    request = HttpRequest("POST", "/Client/LoginWithCustomID", {"content-type": "application/json"}, body)

    async def twice() -> list[HttpResponse]:
        return [await handle(login_with_custom_id, request) for _ in range(2)]

    with caplog.at_level(logging.ERROR, logger="playfab.store"):
        responses = asyncio.run(twice())
    for resp in responses:
        assert resp.status == 500
        assert json.loads(resp.body)["error"] == "InternalServerError"
    refusals = [r.getMessage() for r in caplog.records if r.name == "playfab.store"]
    assert len(refusals) == 2 and all("TITLEA" in m and "TITLEB" in m for m in refusals), refusals
    assert services._services is None

    async def untouched() -> tuple[str | None, Any]:
        store = SQLiteStore(path)
        try:
            return await store_title.stored_title(store), await store.read("lookups", "custom:c", "login")
        finally:
            await store.close()

    assert asyncio.run(untouched()) == ("TITLEA", None)
