"""SQLiteStore.create_all, the bulk create the benchmark seeds a title with: all documents or none."""

from __future__ import annotations

import asyncio

import pytest

from shared.storage import Conflict
from shared.storage.sqlite import SQLiteStore


def test_create_all_writes_every_document_or_none(tmp_path):
    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "bulk.sqlite3")
        try:
            docs = [("players", f"P{i}", "account", {"i": i}) for i in range(50)]
            await store.create_all(docs)
            for container, pk, id, body in docs:
                assert (await store.read(container, pk, id)).body == body
            with pytest.raises(Conflict):
                await store.create_all([("players", "new", "account", {}), ("players", "P7", "account", {})])
            assert await store.read("players", "new", "account") is None  # nothing of a refused batch
            assert (await store.read("players", "P7", "account")).body == {"i": 7}
        finally:
            await store.close()

    asyncio.run(scenario())
