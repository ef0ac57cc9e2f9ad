"""The store adapters the contract suite runs against.

Each entry takes the test's temporary directory and its fixture request (for session resources such
as the Cosmos DB emulator) and yields an open store.
"""

from __future__ import annotations

import weakref
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
    update_part = BaseStore.update_part
    read_part = BaseStore.read_part


Adapter = Callable[[Path, pytest.FixtureRequest], AbstractAsyncContextManager[BaseStore]]

# How to open another store on the same data as an open one (as another process would): by store.
_REOPEN: weakref.WeakKeyDictionary[BaseStore, Callable[[], AbstractAsyncContextManager[BaseStore]]] = (
    weakref.WeakKeyDictionary()
)


def same_data(store: BaseStore) -> AbstractAsyncContextManager[BaseStore]:
    """Another store instance, with its own connections, on the data of `store` (opened by an adapter here).
    Open and use it on its own event loop: each instance belongs to the loop it was opened on."""
    return _REOPEN[store]()


@asynccontextmanager
async def _closing(store: BaseStore) -> AsyncIterator[BaseStore]:
    try:
        yield store
    finally:
        await store.close()


def _sqlite(store_class: type[SQLiteStore]) -> Adapter:
    @asynccontextmanager
    async def open_store(tmp: Path, request: pytest.FixtureRequest) -> AsyncIterator[BaseStore]:
        path = tmp / "contract.sqlite3"
        store = store_class(path)
        _REOPEN[store] = lambda: _reopened_sqlite(store_class, path)
        try:
            yield store
        finally:
            await store.close()

    return open_store


@asynccontextmanager
async def _reopened_sqlite(store_class: type[SQLiteStore], path: Path) -> AsyncIterator[BaseStore]:
    async with _closing(store_class(path)) as store:
        yield store


@asynccontextmanager
async def _reopened_cosmos(settings: Any, client_options: dict[str, Any]) -> AsyncIterator[BaseStore]:
    async with _closing(await open_cosmos_store(settings, **client_options)) as store:
        yield store


@asynccontextmanager
async def cosmos_store(tmp: Path, request: pytest.FixtureRequest, **client_options: Any) -> AsyncIterator[BaseStore]:
    """A Cosmos store on a database of its own, deleted afterwards."""
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("store")
    settings = account.settings(tmp, database)
    store = await open_cosmos_store(settings, **client_options)
    _REOPEN[store] = lambda: _reopened_cosmos(settings, client_options)
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
