"""What handlers work with: settings, the store and the token signer, built once per process."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Final

from shared.settings import Settings, load_settings
from shared.storage import Store, StoreUnavailable
from shared.tokens import Signer

log = logging.getLogger("playfab.store")
# After the store fails to open, requests are answered 503 at once for this long instead of each
# waiting out its own attempt (an unanswering endpoint would hold every caller for the full timeout).
OPEN_RETRY_SECONDS: Final = 5.0


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
_failed: tuple[float, str, float] | None = None  # (monotonic time until which to refuse, why, retry hint)
monotonic = time.monotonic  # tests move it forward


async def get_services() -> Services:
    global _services, _failed
    if _services is None:
        async with _lock:
            if _services is None:
                if _failed is not None and monotonic() < _failed[0]:
                    wait = max(math.ceil(_failed[0] - monotonic()), _failed[2])  # keep a longer hint (403)
                    raise StoreUnavailable(f"the store failed to open: {_failed[1]}", retry_after_seconds=wait)
                settings = load_settings()
                try:
                    store = await open_store(settings)
                except StoreUnavailable as exc:
                    _failed = (monotonic() + OPEN_RETRY_SECONDS, str(exc), exc.retry_after_seconds or 0)
                    log.error(
                        "cannot open the %s store (next try in %g s): %s",
                        settings.storage_backend,
                        OPEN_RETRY_SECONDS,
                        exc,
                    )
                    raise
                _failed = None
                _services = Services(settings, store, Signer(settings.signing_keys))
    return _services


async def check_store(settings: Settings) -> None:
    """Open and close the store once, so start-up fails with the cause rather than the first request."""
    store = await open_store(settings)
    await store.close()


async def close_services() -> None:
    global _services
    if _services is not None:
        await _services.store.close()
        _services = None
