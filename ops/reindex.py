"""Filling the directories again from the documents: for a store written before players or groups had
directories (or one restored from a backup taken between a document and its entry)."""

from __future__ import annotations

from typing import Final

from shared.auth import directory
from shared.auth.accounts import being_deleted
from shared.storage import Store
from shared.storage.layout import ACCOUNT_DOC, GROUP_DOC, GROUPS, PLAYERS

_BATCH: Final = 100


async def reindex(store: Store) -> dict[str, tuple[int, int]]:
    """Enter every account and every group in its directory; (entries before, after) per directory.
    An entry already there is kept as it is, so running it again changes nothing."""
    sizes = {}
    playfab_ids = await store.partitions_with(PLAYERS, ACCOUNT_DOC)
    before = await directory.PLAYERS.size(store)
    for start in range(0, len(playfab_ids), _BATCH):
        batch = playfab_ids[start : start + _BATCH]
        accounts = await store.read_many(PLAYERS, [(playfab_id, ACCOUNT_DOC) for playfab_id in batch])
        for playfab_id, account in zip(batch, accounts, strict=True):
            if account is not None and not being_deleted(account.body):  # a deletion in progress stays out
                await directory.PLAYERS.enter(store, playfab_id)
    sizes["players"] = (before, await directory.PLAYERS.size(store))
    before = await directory.GROUPS.size(store)
    for group_id in await store.partitions_with(GROUPS, GROUP_DOC):
        await directory.GROUPS.enter(store, group_id)
    sizes["groups"] = (before, await directory.GROUPS.size(store))
    return sizes
