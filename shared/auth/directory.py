"""Directories: ordered indexes of every player (layout.PLAYER_DIRECTORY) and every shared group
(layout.GROUP_DIRECTORY), for listing them without a scan.

An entry is written before its document and removed after the document is deleted, so every player and
every group has an entry; an entry whose document is missing (a crash between the two, a creation in
flight) is skipped by readers, never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from shared.storage import RankKey, Store
from shared.storage.layout import GROUP_DIRECTORY, PLAYER_DIRECTORY

_VALUE: Final = 0  # one value for all: a directory orders its entries by id


@dataclass(frozen=True)
class Directory:
    board: str

    async def enter(self, store: Store, entry_id: str) -> None:
        await store.insert_rank(self.board, entry_id, _VALUE, "")

    async def leave(self, store: Store, entry_id: str) -> None:
        await store.delete_rank(self.board, entry_id)

    async def page(self, store: Store, after: str | None, count: int) -> Sequence[str]:
        """Up to `count` ids that follow `after` (from the first when None), in id order."""
        cursor = RankKey(_VALUE, "", after) if after is not None else None
        return [key.entity_id for key in await store.rank_after(self.board, cursor, count)]

    async def size(self, store: Store) -> int:
        """How many entries the directory holds (and any entry whose document a crash left unwritten)."""
        return await store.rank_count(self.board)


PLAYERS: Final = Directory(PLAYER_DIRECTORY)
GROUPS: Final = Directory(GROUP_DIRECTORY)
