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


async def _read_overtaken_by_forget(path: Path, second_during_read: bool) -> int:
    """How many loads: one read under way when forget() comes, then another call (during or after it)
    and a third once all is done."""
    store = CountingStore(path)
    try:
        gate, loads = asyncio.Event(), [0]

        async def load() -> dict[str, object] | None:
            loads[0] += 1
            await gate.wait()
            return {"TitlePlayerAccountId": "E1"}  # as read before the ban

        early = asyncio.create_task(known_accounts.status(store, "P2", 3600, load))
        await asyncio.sleep(0)  # the read is under way
        known_accounts.forget(store, "P2")  # a ban lands meanwhile
        if second_during_read:
            late = asyncio.create_task(known_accounts.status(store, "P2", 3600, load))
            await asyncio.sleep(0)
            gate.set()
            await asyncio.gather(early, late)
        else:
            gate.set()
            await early
            await known_accounts.status(store, "P2", 3600, load)
        await known_accounts.status(store, "P2", 3600, load)
        return loads[0]
    finally:
        await store.close()


@pytest.mark.parametrize("second_during_read", [True, False])
def test_a_read_begun_before_a_ban_is_neither_shared_after_it_nor_remembered(tmp_path: Path, second_during_read):
    # During: the second call reads for itself and is remembered. After: the first read was not
    # remembered, so the second reads again, and the third uses what the second read.
    assert asyncio.run(_read_overtaken_by_forget(tmp_path / "store.sqlite3", second_during_read)) == 2
