"""A title with many ranked players, seeded straight into the host's SQLite store.

Logging in 100,000 players over HTTP would take minutes; the leaderboard does not care how its players
were made. So the seeding opens the host's store file from the benchmark's process (SQLite in WAL mode
takes several processes) and writes what the app itself would: each player through
`shared.auth.accounts.create_account` (the account and its title player entity, no login identity),
and the board in bulk through `Store.put_ranks`. Values are spread at random over 0..VALUE_RANGE, so
the callers the scenarios add sit all over the board.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Final

from shared.auth.accounts import create_account
from shared.config.clock import new_id
from shared.storage.layout import rank_board
from shared.storage.sqlite import SQLiteStore

STATISTIC: Final = "bench_score"
VALUE_RANGE: Final = 1_000_000
# Accounts written at once: the store's writer thread takes them one by one, the loop keeps it busy.
_BATCH: Final = 256


def board() -> str:
    """The board of the benchmark's statistic, which has no definition: version 0."""
    return rank_board("player", STATISTIC, 0)


def tiebreak(at: float) -> str:
    """The tiebreak a write at `at` gets: earlier sorts first."""
    return f"{at:020.6f}"


async def _seed(path: Path, players: int, rng: random.Random) -> None:
    store = SQLiteStore(path)
    try:
        at = time.time()
        entries: list[tuple[str, int, str, int]] = []
        for start in range(0, players, _BATCH):
            ids = [new_id() for _ in range(min(_BATCH, players - start))]
            await asyncio.gather(*(create_account(store, playfab_id, {}, at) for playfab_id in ids))
            entries += [(playfab_id, rng.randrange(VALUE_RANGE), tiebreak(at), 1) for playfab_id in ids]
        await store.put_ranks(board(), entries)
    finally:
        await store.close()


def seed(path: Path, players: int, seed_value: int = 14) -> float:
    """Write `players` ranked players into the store at `path`; the seconds it took."""
    started = time.monotonic()
    asyncio.run(_seed(path, players, random.Random(seed_value)))
    return time.monotonic() - started
