"""Opening the title's store as a host does: local.settings.json (if present), then the environment."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from local_host.settings_file import load_local_settings
from shared.config.settings import Settings, load_settings
from shared.services import open_title_store
from shared.storage import Store
from shared.storage.sqlite import prepare_store


def settings_from(settings_file: Path) -> Settings:
    load_local_settings(settings_file)
    return load_settings(os.environ)


@asynccontextmanager
async def title_store(settings: Settings) -> AsyncIterator[Store]:
    """The store, checked to be this title's (claimed for it when new), after the start-up check a host
    makes of a SQLite store."""
    if settings.storage_backend == "sqlite":
        await asyncio.to_thread(prepare_store, settings.sqlite_path, settings.sqlite_recreate_missing_store)
    store = await open_title_store(settings)
    try:
        yield store
    finally:
        await store.close()
