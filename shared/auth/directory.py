"""The player directory: an ordered index of every player (layout.PLAYER_DIRECTORY), for listing them.

A player enters it before its account is written and leaves it after its account is deleted, so every
account has an entry; an entry whose account is missing (a crash between the two, a creation in flight)
is skipped by readers, never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from shared.storage import RankKey, Store
from shared.storage.layout import PLAYER_DIRECTORY

_VALUE: Final = 0  # one value for all: the board orders its entries by PlayFabId


async def enter(store: Store, playfab_id: str) -> None:
    await store.insert_rank(PLAYER_DIRECTORY, playfab_id, _VALUE, "")


async def leave(store: Store, playfab_id: str) -> None:
    await store.delete_rank(PLAYER_DIRECTORY, playfab_id)


async def page(store: Store, after: str | None, count: int) -> Sequence[str]:
    """Up to `count` PlayFabIds that follow `after` (from the first when None), in PlayFabId order."""
    cursor = RankKey(_VALUE, "", after) if after is not None else None
    return [key.entity_id for key in await store.rank_after(PLAYER_DIRECTORY, cursor, count)]


async def size(store: Store) -> int:
    """How many entries the directory holds (players, and any entry whose account a crash left unwritten)."""
    return await store.rank_count(PLAYER_DIRECTORY)
