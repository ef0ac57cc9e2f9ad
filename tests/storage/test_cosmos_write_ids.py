"""Write ids on the Cosmos adapter: a write whose answer never came is still recognised as its own
when a rival has written the same document in between (the ids of recent writes travel on)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.config.settings import load_settings
from shared.storage.cosmos import CosmosStore, open_cosmos_store
from tests.support.cosmos import EMULATOR_KEY, new_database_name, running_emulator
from tests.support.cosmos_proxy import CosmosProxy, cosmos_proxy
from tests.support.server import base_env

WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, CosmosProxy]]:
    with running_emulator(tmp_path_factory.mktemp("cosmos-http-ids"), plain_http=True) as url, cosmos_proxy(url) as p:
        yield url, p


async def _open(endpoint: str, database: str, tmp: Path) -> CosmosStore:
    env = {"STORAGE_BACKEND": "cosmos", "COSMOS_ENDPOINT": endpoint, "COSMOS_KEY": EMULATOR_KEY}
    return await open_cosmos_store(load_settings(base_env(tmp, COSMOS_DATABASE=database, **env)))


def _bump(name: str) -> Any:
    def mutation(body: dict[str, Any] | None) -> dict[str, Any]:
        body = body or {}
        body[name] = body.get(name, 0) + 1
        return body

    return mutation


async def _until(condition: Any) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the proxy never held the write"
        await asyncio.sleep(0.01)


def test_an_unanswered_update_is_its_own_even_after_a_rival_wrote(wire, tmp_path):
    emulator, proxy = wire
    database = new_database_name("ids")

    async def scenario() -> dict[str, Any]:
        ours = await _open(proxy.url, database, tmp_path)  # through the proxy
        rival = await _open(emulator, database, tmp_path)  # straight to the emulator
        try:
            await ours.update("players", "P", "doc", _bump("ours"))
            before = len(proxy.dropped)
            proxy.hold_next_write("players")
            pending = asyncio.ensure_future(ours.update("players", "P", "doc", _bump("ours")))
            await _until(lambda: len(proxy.dropped) > before)  # ours committed; its answer is held
            await rival.update("players", "P", "doc", _bump("rival"))
            done = await pending  # the adapter times out, reads back, and finds its id among the recent ones
            assert done is not None
            stored = await rival.read("players", "P", "doc")
            assert stored is not None
            return stored.body
        finally:
            proxy.disarm()
            await ours.close()
            await rival.close()

    assert asyncio.run(scenario()) == {"ours": 2, "rival": 1}
