"""Serve function_app on uvicorn, without Azure Functions Core Tools.

    python -m local_host            # reads local.settings.json, then the environment
HOST (127.0.0.1), PORT (7071), TLS_CERT_FILE + TLS_KEY_FILE for HTTPS, WORKERS (1),
LOCAL_SETTINGS_FILE (local.settings.json).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import uvicorn

from local_host.logs import configure_logging
from local_host.settings_file import load_local_settings
from shared.settings import SettingsError, load_settings


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    os.chdir(root)
    sys.path.insert(0, str(root))
    load_local_settings(root / os.environ.get("LOCAL_SETTINGS_FILE", "local.settings.json"))
    try:
        settings = load_settings()  # also creates the local signing key once, before workers start
    except SettingsError as exc:
        sys.exit(f"cannot start: {exc}")
    host = os.environ.get("HOST", "127.0.0.1")
    try:
        port = int(os.environ.get("PORT", "7071"))
        workers = int(os.environ.get("WORKERS", "1"))
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
        proxy_headers=False,  # the peer stays the TCP peer; the core decides about X-Forwarded-For
    )


if __name__ == "__main__":
    main()
