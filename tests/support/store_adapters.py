"""The store adapters the contract suite runs against.

Each entry takes the test's temporary directory and its fixture request (for session resources such
as the Cosmos DB emulator) and yields an open store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from shared.storage import BaseStore
from shared.storage.cosmos import open_cosmos_store
from shared.storage.sqlite import SQLiteStore
from tests.support.cosmos import CosmosAccount, new_database_name


class EtagLoopSQLiteStore(SQLiteStore):
    """SQLite primitives with the generic etag update loop (the one the Cosmos adapter uses)."""

    update = BaseStore.update


Adapter = Callable[[Path, pytest.FixtureRequest], AbstractAsyncContextManager[BaseStore]]


def _sqlite(store_class: type[SQLiteStore]) -> Adapter:
    @asynccontextmanager
    async def open_store(tmp: Path, request: pytest.FixtureRequest) -> AsyncIterator[BaseStore]:
        store = store_class(tmp / "contract.sqlite3")
        try:
            yield store
        finally:
            await store.close()

    return open_store


@asynccontextmanager
async def cosmos_store(tmp: Path, request: pytest.FixtureRequest, **client_options: Any) -> AsyncIterator[BaseStore]:
    """A Cosmos store on a database of its own, deleted afterwards."""
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("store")
    store = await open_cosmos_store(account.settings(tmp, database), **client_options)
    try:
        yield store
    finally:
        await store.close()
        await account.drop_database(database)


ADAPTERS: dict[str, Adapter] = {
    "sqlite": _sqlite(SQLiteStore),
    "sqlite-etag-loop": _sqlite(EtagLoopSQLiteStore),
    "cosmos": cosmos_store,
}
