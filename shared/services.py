"""What handlers work with: settings, the store and the token signer, built once per process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from shared.settings import Settings, load_settings
from shared.storage import Store
from shared.tokens import Signer


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    signer: Signer


async def open_store(settings: Settings) -> Store:
    if settings.storage_backend == "cosmos":
        from shared.storage.cosmos import open_cosmos_store  # imported only when chosen

        return await open_cosmos_store(settings)
    from shared.storage.sqlite import SQLiteStore

    return SQLiteStore(settings.sqlite_path)


_services: Services | None = None
_lock = asyncio.Lock()


async def get_services() -> Services:
    global _services
    if _services is None:
        async with _lock:
            if _services is None:
                settings = load_settings()
                _services = Services(settings, await open_store(settings), Signer(settings.signing_keys))
    return _services


async def close_services() -> None:
    global _services
    if _services is not None:
        await _services.store.close()
        _services = None
