"""Writers of one document racing past the outbox's threshold: one process moves its outbox once at a
time, and every change still reaches the history exactly once (in process, on a real SQLite store
whose history appends wait at a gate while the race runs)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from shared import services
from shared.auth.tokens import Signer
from shared.config.settings import load_settings
from shared.endpoints import BY_PATH
from shared.pipeline import HttpRequest, handle
from shared.services import Services
from shared.storage.sqlite import SQLiteStore
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID

WRITERS = 16


class GatedStore(SQLiteStore):
    """Counts history appends; while `gate` is set, an append waits for it to open."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.appends = 0
        self.gate: asyncio.Event | None = None

    async def append_events(self, streams: Mapping[str, Sequence[dict[str, Any]]], expires_at: float) -> str:
        self.appends += 1
        if self.gate is not None:
            await self.gate.wait()
        return await super().append_events(streams, expires_at)


async def _call(path: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"content-type": "application/json", "x-secretkey": SECRET_KEY}
    response = await handle(BY_PATH[path].operation, HttpRequest("POST", path, headers, json.dumps(body).encode()))
    answer: dict[str, Any] = json.loads(response.body)
    assert answer["code"] == 200, answer
    return answer


async def _race(store: GatedStore) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    login = await _call("/Server/LoginWithServerCustomId", {"ServerCustomId": "mover", "CreateAccount": True})
    player = login["data"]["PlayFabId"]
    store.appends, store.gate = 0, asyncio.Event()
    writes = [
        asyncio.create_task(_call("/Server/UpdateUserData", {"PlayFabId": player, "Data": {f"k{i}": f"v{i}"}}))
        for i in range(WRITERS)
    ]
    # Every write but the one whose move holds the gate ends without waiting for it (bounded wait).
    try:
        async with asyncio.timeout(30):
            while sum(task.done() for task in writes) < WRITERS - 1:
                await asyncio.sleep(0.001)
    except TimeoutError:
        store.gate.set()
        await asyncio.gather(*writes)
        pytest.fail(f"writers waited at the gate: {store.appends} moves of one outbox at once")
    appended_in_race = store.appends
    store.gate.set()
    await asyncio.gather(*writes)
    store.gate = None
    found = {}
    for i in range(WRITERS):
        request = {"Target": "UserData", "PlayFabId": player, "Key": f"k{i}"}
        found[f"k{i}"] = (await _call("/Admin/ext-ReadKeyHistory", request))["data"]["Entries"]
    return appended_in_race, found


def test_racing_writers_move_the_outbox_once_and_every_change_reaches_the_history_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    env = {"PLAYFAB_TITLE_ID": TITLE_ID, "PLAYFAB_SECRET_KEYS": SECRET_KEY, "TOKEN_SIGNING_KEY": SIGNING_KEY}
    settings = load_settings({**env, "KEY_HISTORY_OUTBOX_BYTES": "0"})  # every write moves what it left
    loop = asyncio.new_event_loop()
    store = GatedStore(tmp_path / "store.sqlite3")
    monkeypatch.setattr(services, "_services", Services(settings, store, Signer(settings.signing_keys, TITLE_ID)))
    try:
        appended_in_race, found = loop.run_until_complete(_race(store))
    finally:
        loop.run_until_complete(store.close())
        loop.close()
    assert appended_in_race == 1  # one move in flight; the other writers left their entries to a later one
    assert {key: [e["NewValue"]["Value"] for e in entries] for key, entries in found.items()} == {
        f"k{i}": [f"v{i}"] for i in range(WRITERS)
    }
