"""What handlers work with: settings, the store and the token signer, built once per process."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from shared import store_title
from shared.settings import Settings, load_settings
from shared.storage import Store
from shared.tokens import Signer

log = logging.getLogger("playfab.services")


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


async def open_title_store(settings: Settings) -> Store:
    """The store, once it is known to be this title's (claimed for it if it was new)."""
    store = await open_store(settings)
    try:
        await store_title.claim(store, settings.title_id)
    except BaseException:
        await store.close()
        raise
    return store


_services: Services | None = None
_lock = asyncio.Lock()


async def get_services() -> Services:
    global _services
    if _services is None:
        async with _lock:
            if _services is None:
                settings = load_settings()
                try:
                    store = await open_title_store(settings)
                except store_title.TitleMismatch as exc:
                    log.error("cannot serve: %s", exc)  # every request fails until the settings are fixed
                    raise
                _services = Services(settings, store, Signer(settings.signing_keys, settings.title_id))
    return _services


async def close_services() -> None:
    global _services
    if _services is not None:
        await _services.store.close()
        _services = None
