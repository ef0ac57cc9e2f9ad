"""A title with many ranked players, seeded straight into the host's SQLite store.

Logging in 100,000 players over HTTP would take minutes; the leaderboard does not care how its players
were made. So the seeding opens the host's store file from the benchmark's process (SQLite in WAL mode
takes several processes) and writes what the app itself would: each player through
`shared.auth.accounts.create_account` (the account, its title player entity and its player directory
entry, no login identity),
its documents gathered and written ten thousand players to a transaction (`SQLiteStore.create_all`), and
the board in bulk through `Store.put_ranks`. Values are spread at random over 0..VALUE_RANGE, so
the callers the scenarios add sit all over the board.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any, Final

from shared.auth.accounts import create_account
from shared.config.clock import new_id
from shared.features import statistic_values
from shared.storage import Document
from shared.storage.sqlite import SQLiteStore

STATISTIC: Final = "bench_score"
VALUE_RANGE: Final = 1_000_000
# Players whose documents are written in one transaction.
_BATCH: Final = 10_000


def board() -> str:
    """The board of the benchmark's statistic, which has no definition: version 0."""
    return statistic_values.board(statistic_values.PLAYER, STATISTIC, 0)


class _BatchingStore(SQLiteStore):
    """The host's store, whose creates wait in a batch until flush() writes them in one transaction:
    create_account writes what it always writes, at a bulk load's pace."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.batch: list[tuple[str, str, str, dict[str, Any]]] = []
        self.ranks: dict[str, list[tuple[str, int, str, int]]] = {}  # the player directory's entries

    async def create(self, container: str, pk: str, id: str, body: dict[str, Any]) -> Document:
        self.batch.append((container, pk, id, body))
        return Document(body, "")  # create_account keeps nothing of the answer

    async def put_rank(self, board: str, entity_id: str, value: int, tiebreak: str, seq: int) -> None:
        self.ranks.setdefault(board, []).append((entity_id, value, tiebreak, seq))

    async def flush(self) -> None:
        batch, self.batch = self.batch, []
        ranks, self.ranks = self.ranks, {}
        for board_name, entries in ranks.items():  # the directory first, as create_account writes it
            await self.put_ranks(board_name, entries)
        await self.create_all(batch)


async def _write_players(store: _BatchingStore, players: int, at: float) -> list[str]:
    """create_account for `players` new players, written `_BATCH` to a transaction: their PlayFabIds."""
    made: list[str] = []
    for start in range(0, players, _BATCH):
        ids = [new_id() for _ in range(min(_BATCH, players - start))]
        for playfab_id in ids:
            await create_account(store, playfab_id, {}, at)
        await store.flush()
        made += ids
    return made


async def _seed_players(path: Path, players: int) -> list[str]:
    store = _BatchingStore(path)
    try:
        return await _write_players(store, players, time.time())
    finally:
        await store.close()


def seed_players(path: Path, players: int) -> list[str]:
    """Write `players` players without statistics into the store at `path`: their PlayFabIds."""
    return asyncio.run(_seed_players(path, players))


async def _seed(path: Path, players: int, rng: random.Random) -> None:
    store = _BatchingStore(path)
    try:
        at = time.time()
        ids = await _write_players(store, players, at)
        tiebreak = statistic_values.tiebreak(at)
        await store.put_ranks(board(), [(playfab_id, rng.randrange(VALUE_RANGE), tiebreak, 1) for playfab_id in ids])
    finally:
        await store.close()


def seed(path: Path, players: int, seed_value: int = 14) -> float:
    """Write `players` ranked players into the store at `path`; the seconds it took."""
    started = time.monotonic()
    asyncio.run(_seed(path, players, random.Random(seed_value)))
    return time.monotonic() - started
