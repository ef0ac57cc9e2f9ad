"""What a call costs in store reads to check that its player exists and is not banned."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shared.auth import known_accounts
from shared.auth.caller import ENTITY_TITLE_PLAYER, Caller
from shared.auth.entities import ensure_caller_exists
from shared.auth.tokens import SESSION_TICKET
from shared.storage import Document
from shared.storage.layout import ACCOUNT_DOC, PLAYERS
from shared.storage.sqlite import SQLiteStore
from shared.wire.errors import PlayFabError


class CountingStore(SQLiteStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = 0

    async def read(self, container: str, pk: str, id: str) -> Document | None:
        self.reads += 1
        return await super().read(container, pk, id)


async def _scenario(path: Path) -> list[int]:
    store = CountingStore(path)
    try:
        account = {"PlayFabId": "P1", "TitlePlayerAccountId": "E1", "Created": 0.0}
        await store.create(PLAYERS, "P1", ACCOUNT_DOC, account)
        caller = Caller(playfab_id="P1", entity_type=ENTITY_TITLE_PLAYER, entity_id="E1", token=SESSION_TICKET)
        counts = []

        async def calls(n: int, ttl: float) -> None:
            before = store.reads
            for _ in range(n):
                await ensure_caller_exists(store, caller, ttl)
            counts.append(store.reads - before)

        await calls(10, 3600)  # one read, then the remembered status
        await calls(10, 0)  # a lifetime of 0: one read per call
        await store.update(
            PLAYERS, "P1", ACCOUNT_DOC, lambda b: {**(b or {}), "Bans": [{"BanId": "B", "Active": True}]}
        )
        await calls(1, 3600)  # not forgotten: the ban is not seen yet (the window of another instance)
        known_accounts.forget(store, "P1")  # as a ban made in this process does
        with pytest.raises(PlayFabError) as banned:
            await ensure_caller_exists(store, caller, 3600)
        assert banned.value.name == "AccountBanned"
        before = store.reads
        with pytest.raises(PlayFabError):
            await ensure_caller_exists(store, caller, 0)  # a banned caller costs the same one read
        counts.append(store.reads - before)
        return counts
    finally:
        await store.close()


def test_a_call_reads_the_account_once_per_status_lifetime(tmp_path: Path):
    assert asyncio.run(_scenario(tmp_path / "store.sqlite3")) == [1, 10, 0, 1]
