"""The embedded store on a disk that fills up (SQLite's own SQLITE_FULL, made with PRAGMA max_page_count,
the same error SQLite raises when the file system has no space left), and with its file gone."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from shared.storage import StoreUnavailable
from shared.storage.sqlite import SQLiteStore

PAGES = 16  # 64 KB with 4 KB pages: room for small documents, not for a 200 KB one
BIG = {"blob": "x" * 200_000}


class SmallDiskStore(SQLiteStore):
    @staticmethod
    def connect(
        path: Path | str, busy_timeout_ms: int = 10_000, check_same_thread: bool = True, *, create: bool = True
    ) -> sqlite3.Connection:
        conn = SQLiteStore.connect(path, busy_timeout_ms, check_same_thread, create=create)
        conn.execute(f"PRAGMA max_page_count={PAGES}")
        return conn


def test_a_full_disk_is_unavailable_with_a_retry_time_and_writes_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = SmallDiskStore(tmp_path / "small.sqlite3")
        try:
            await store.create("players", "P1", "data", {"k": "v"})
            with pytest.raises(StoreUnavailable, match="is full") as refused:
                await store.update("players", "P1", "data", lambda body: {**(body or {}), **BIG})
            assert refused.value.retry_after_seconds == 30 and not refused.value.throttled
            with pytest.raises(StoreUnavailable, match="SQLITE_FULL"):
                await store.create("players", "P2", "data", BIG)
            doc = await store.read("players", "P1", "data")
            assert doc is not None and doc.body == {"k": "v"}
            assert await store.read("players", "P2", "data") is None
            # The connection is not left inside a failed transaction: small writes go on.
            assert await store.update("players", "P1", "data", lambda body: {"k": "w"}) is not None
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_deleted_file_is_unavailable_and_is_never_recreated(tmp_path: Path) -> None:
    path = tmp_path / "gone.sqlite3"

    async def scenario() -> None:
        store = SQLiteStore(path)
        try:
            await store.create("players", "P1", "data", {"k": "v"})
            path.unlink()
            with pytest.raises(StoreUnavailable, match="deleted or replaced"):
                await store.read("players", "P1", "data")
            with pytest.raises(StoreUnavailable, match="deleted or replaced"):
                await store.update("players", "P1", "data", lambda body: {"k": "w"})
        finally:
            await store.close()
        with pytest.raises(StoreUnavailable, match="is missing"):
            SQLiteStore(path)  # its marker is still there
        assert not path.exists()

    asyncio.run(scenario())
