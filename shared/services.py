"""What handlers work with: settings, the store and the token signer, built once per process."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Final

from shared import store_title
from shared.auth.tokens import Signer
from shared.config.settings import Settings, SettingsError, load_settings
from shared.storage import Store, StoreError, StoreUnavailable

log = logging.getLogger("playfab.settings")
store_log = logging.getLogger("playfab.store")
# After the store fails to open, requests are answered 503 at once for this long instead of each
# waiting out its own attempt (an unanswering endpoint would hold every caller for the full timeout).
OPEN_BACKOFF_SECONDS: Final = 5.0
# Seconds a caller should wait while the store cannot be opened for a reason the adapter did not
# classify: right after a first deployment the identity's data role takes minutes to apply.
OPEN_RETRY_SECONDS: Final = 30


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


async def _open_store(settings: Settings) -> Store:
    """open_store, with any failure the adapter did not classify answered as unavailable (503, retry
    later) rather than as a bug (500): the store is opened again on a later request."""
    try:
        return await open_store(settings)
    except StoreError:
        raise
    except Exception as exc:
        status, kind = getattr(exc, "status_code", None), type(exc).__name__
        # The type and status say why (403: the role has not applied yet); the message is not logged.
        store_log.error("cannot open the %s store: %s (status %s)", settings.storage_backend, kind, status)
        raise StoreUnavailable(f"opening the store: {kind} {status}", retry_after_seconds=OPEN_RETRY_SECONDS) from exc


async def open_title_store(settings: Settings) -> Store:
    """The store, once it is known to be this title's (claimed for it if it was new)."""
    store = await _open_store(settings)
    try:
        await store_title.claim(store, settings.title_id)
    except BaseException:
        await store.close()
        raise
    return store


_services: Services | None = None
_lock = asyncio.Lock()
_reported: set[str] = set()
_failed: tuple[float, str, float] | None = None  # (monotonic time until which to refuse, why, retry hint)
monotonic = time.monotonic  # tests move it forward


def current_settings() -> Settings:
    """The settings in force: those of the open services, else read from the environment now.

    Unusable settings raise SettingsError, and each distinct set of problems is logged once per process
    (settings by name, never by value). The Functions host starts the app whatever its settings hold, so
    the app cannot refuse to start: it answers every request 503 until the settings are fixed (a settings
    change restarts it)."""
    if _services is not None:
        return _services.settings
    try:
        return load_settings()
    except SettingsError as exc:
        if str(exc) not in _reported:
            _reported.add(str(exc))
            log.error("unusable settings, every request answers 503 until they are fixed: %s", exc)
        raise


async def get_services() -> Services:
    global _services, _failed
    if _services is None:
        async with _lock:
            if _services is None:
                if _failed is not None and monotonic() < _failed[0]:
                    wait = max(math.ceil(_failed[0] - monotonic()), _failed[2])  # keep a longer hint (403)
                    raise StoreUnavailable(f"the store failed to open: {_failed[1]}", retry_after_seconds=wait)
                settings = current_settings()
                try:
                    store = await open_title_store(settings)
                except store_title.TitleMismatch as exc:
                    store_log.error("cannot serve: %s", exc)  # every request fails until the settings are fixed
                    raise
                except StoreUnavailable as exc:
                    _failed = (monotonic() + OPEN_BACKOFF_SECONDS, str(exc), exc.retry_after_seconds or 0)
                    store_log.error(
                        "cannot open the %s store (next try in %g s): %s",
                        settings.storage_backend,
                        OPEN_BACKOFF_SECONDS,
                        exc,
                    )
                    raise
                _failed = None
                _services = Services(settings, store, Signer(settings.signing_keys, settings.title_id))
    return _services


async def close_services() -> None:
    global _services
    if _services is not None:
        await _services.store.close()
        _services = None
