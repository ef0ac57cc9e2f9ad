"""Serve function_app on uvicorn, without Azure Functions Core Tools.

    python -m local_host            # reads local.settings.json, then the environment
HOST, PORT, WORKERS, TLS_CERT_FILE + TLS_KEY_FILE for HTTPS, LOCAL_SETTINGS_FILE: their defaults and
meanings are rows of shared/settings_table.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import uvicorn

from local_host.logs import configure_logging
from local_host.settings_file import load_local_settings
from shared.services import open_title_store
from shared.settings import Settings, SettingsError, load_settings
from shared.settings_table import default
from shared.storage import StoreError
from shared.storage.sqlite import prepare_store


async def _check_store(settings: Settings) -> None:
    """Refuse a store of another title before serving (and claim a new one), then let workers open it."""
    store = await open_title_store(settings)
    await store.close()


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    os.chdir(root)
    sys.path.insert(0, str(root))
    load_local_settings(root / os.environ.get("LOCAL_SETTINGS_FILE", default("LOCAL_SETTINGS_FILE")))
    try:
        settings = load_settings()  # also creates the local signing key once, before workers start
    except SettingsError as exc:
        sys.exit(f"cannot start: {exc}")
    try:
        if settings.storage_backend == "sqlite":
            # Once, before any worker opens it: only here may a missing store be created.
            prepare_store(settings.sqlite_path, settings.sqlite_recreate_missing_store)
        asyncio.run(_check_store(settings))
    except StoreError as exc:
        sys.exit(f"cannot start: {exc}")
    except Exception as exc:  # an unreadable file or unreachable account: say so, without a traceback
        sys.exit(f"cannot start: the store cannot be opened: {type(exc).__name__}: {exc}")
    host = os.environ.get("HOST", default("HOST"))
    try:
        port = int(os.environ.get("PORT", default("PORT")))
        workers = int(os.environ.get("WORKERS", default("WORKERS")))
    except ValueError:
        sys.exit("cannot start: PORT and WORKERS must be whole numbers")
    cert, key = os.environ.get("TLS_CERT_FILE") or None, os.environ.get("TLS_KEY_FILE") or None
    if bool(cert) != bool(key):
        sys.exit("cannot start: set both TLS_CERT_FILE and TLS_KEY_FILE, or neither")
    configure_logging()
    scheme = "https" if cert else "http"
    logging.getLogger("playfab.host").info(
        "serving title %s on %s://%s:%d with the %s store",
        settings.title_id,
        scheme,
        host,
        port,
        settings.storage_backend,
    )
    uvicorn.run(
        "local_host.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=cert,
        ssl_keyfile=key,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
