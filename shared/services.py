"""What handlers work with: settings, the store and the token signer, built once per process."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from shared.settings import Settings, SettingsError, load_settings
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
_settings: Settings | SettingsError | None = None
log = logging.getLogger("playfab.settings")


def current_settings() -> Settings:
    """The process's settings, read once. Unusable settings raise SettingsError on every call and are
    logged once: the Functions host starts the app whatever its settings hold, so the app cannot refuse
    to start and instead answers every request 503 until the settings are fixed (which restarts it)."""
    global _settings
    if _settings is None:
        try:
            _settings = load_settings()
        except SettingsError as exc:
            _settings = exc
            log.error("unusable settings, every request answers 503 until they are fixed: %s", exc)
    if isinstance(_settings, SettingsError):
        raise SettingsError(str(_settings))  # a fresh exception: re-raising one would grow its traceback
    return _settings


async def get_services() -> Services:
    global _services
    if _services is None:
        async with _lock:
            if _services is None:
                settings = current_settings()
                _services = Services(settings, await open_store(settings), Signer(settings.signing_keys))
    return _services


async def close_services() -> None:
    global _services, _settings
    _settings = None
    if _services is not None:
        await _services.store.close()
        _services = None
