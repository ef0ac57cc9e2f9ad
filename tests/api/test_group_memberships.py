"""The per-player list of shared groups, on the embedded store: stale entries never cost a place for good."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from shared.features import group_memberships
from shared.storage.layout import MEMBERSHIPS_DOC
from shared.storage.sqlite import SQLiteStore


def test_stale_entries_are_dropped_when_a_player_is_at_the_quota(tmp_path: Path):
    """A failure between taking a place and writing the group leaves a stale entry; at the quota the
    entries are checked against the groups, so a stale one never costs the player a place for good."""

    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "store.sqlite3")
        try:
            await store.create("groups", "real", "group", {"Members": ["P1"], "Data": {}, "Created": 0})
            old = time.time() - group_memberships.IN_FLIGHT_SECONDS - 1
            index = {"Groups": {"real": old, "ghost": old}}
            await store.create("players", "P1", MEMBERSHIPS_DOC, index)
            assert await group_memberships.take_place(store, "P1", "new", 2)
            doc = await store.read("players", "P1", MEMBERSHIPS_DOC)
            assert doc is not None and list(doc.body["Groups"]) == ["real", "new"]
            # "new" has no group yet, but it is recent: a create in flight keeps its place.
            with pytest.raises(Exception, match="OverLimit"):
                await group_memberships.take_place(store, "P1", "third", 2)
        finally:
            await store.close()

    asyncio.run(scenario())
