"""The store adapters the contract suite runs against. The Cosmos adapter joins this list."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from shared.storage import BaseStore
from shared.storage.sqlite import SQLiteStore


@asynccontextmanager
async def sqlite_store(tmp: Path) -> AsyncIterator[BaseStore]:
    store = SQLiteStore(tmp / "contract.sqlite3")
    try:
        yield store
    finally:
        await store.close()


class EtagLoopSQLiteStore(SQLiteStore):
    """SQLite primitives with the generic etag update loop (the one the Cosmos adapter uses)."""

    update = BaseStore.update


@asynccontextmanager
async def sqlite_etag_loop_store(tmp: Path) -> AsyncIterator[BaseStore]:
    store = EtagLoopSQLiteStore(tmp / "contract.sqlite3")
    try:
        yield store
    finally:
        await store.close()


ADAPTERS: dict[str, Callable[[Path], object]] = {"sqlite": sqlite_store, "sqlite-etag-loop": sqlite_etag_loop_store}
