"""Serve function_app on uvicorn, without Azure Functions Core Tools.

    python -m local_host            # reads local.settings.json, then the environment
HOST, PORT, WORKERS, HTTP_STACK, TLS_CERT_FILE + TLS_KEY_FILE for HTTPS, LOCAL_SETTINGS_FILE and the HTTP_* limits
(local_host/http_limits.py): their defaults and meanings are rows of shared/config/settings_table.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import sys
from pathlib import Path

import uvicorn

from local_host.asgi import route_prefix
from local_host.http_guard import STACKS
from local_host.http_limits import HttpLimits, read_http_limits
from local_host.logs import configure_logging
from local_host.settings_file import load_local_settings
from shared.config.settings import Settings, SettingsError, load_settings
from shared.config.settings_table import default
from shared.services import open_title_store
from shared.storage import StoreError
from shared.storage.sqlite import prepare_store


async def _check_store(settings: Settings) -> None:
    """Refuse a store of another title before serving (and claim a new one), then let workers open it."""
    store = await open_title_store(settings)
    await store.close()


FILES_BESIDES_CONNECTIONS = 256  # store files, Cosmos DB connections, the listening socket, logs


def _room_for_connections(limits: HttpLimits) -> None:
    """Raise the open file limit towards the hard limit so the connection cap, not the descriptor limit,
    is what refuses clients; where it cannot go high enough, say so (accept errors are then logged once
    per interval, local_host/log_throttle.py)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limits.max_connections + FILES_BESIDES_CONNECTIONS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < wanted:
        logging.getLogger("playfab.host").warning(
            "the open file limit (%d) is below HTTP_MAX_CONNECTIONS + %d; clients may be refused before the cap",
            soft,
            FILES_BESIDES_CONNECTIONS,
        )


def _announce_mail(settings: Settings, own_url: str) -> None:
    """Password-reset links point at this host unless PUBLIC_URL says otherwise (its workers inherit it);
    without a mail server, say where the messages go."""
    prefix = route_prefix(Path(__file__).resolve().parent.parent / "host.json")
    if not settings.public_url:
        os.environ["PUBLIC_URL"] = own_url + (f"/{prefix}" if prefix else "")
    host_log = logging.getLogger("playfab.host")
    if settings.smtp_host:
        host_log.info("recovery emails go through %s:%d", settings.smtp_host, settings.smtp_port)
    else:
        host_log.info("no SMTP_HOST: recovery emails are written to %s", settings.mail_outbox_dir.resolve())


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
        if settings.storage_backend == "cosmos":  # a wrong key, a missing role or an unanswering endpoint
            sys.exit(f"cannot start: the cosmos store at {settings.cosmos_endpoint} is not usable: {exc}")
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
    limits, problems = read_http_limits(os.environ)
    stack = os.environ.get("HTTP_STACK", default("HTTP_STACK")).strip().lower()
    if stack not in STACKS:
        problems.append(f"HTTP_STACK must be one of {', '.join(STACKS)}, got {stack!r}")
    if problems:
        sys.exit("cannot start: " + "; ".join(problems))
    configure_logging()
    _room_for_connections(limits)
    scheme = "https" if cert else "http"
    _announce_mail(settings, f"{scheme}://{host}:{port}")
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
        # The guarded protocol (local_host/http_guard.py) adds the timeouts, cap and envelopes.
        http=STACKS[stack][0],
        loop=STACKS[stack][1],
        ws="none",  # no WebSocket endpoints: an upgrade request is served as plain HTTP
        timeout_keep_alive=limits.idle_timeout,  # type: ignore[arg-type]  # call_later takes a float
        h11_max_incomplete_event_size=limits.max_header_bytes,
        proxy_headers=False,  # the peer stays the TCP peer; the core decides about X-Forwarded-For
    )


if __name__ == "__main__":
    main()
