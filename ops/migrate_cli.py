"""The `migrate` command of `python -m ops`: its arguments, the target store, the run and its exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp

from local_host.settings_file import load_local_settings
from ops import migrate
from ops.importing import ImportConflict, import_record
from ops.playfab_api import ApiError, PlayFabApi
from shared.config.settings import Settings, SettingsError, load_settings
from shared.config.settings_table import default
from shared.services import open_title_store
from shared.storage import Store, StoreError

REPO = Path(__file__).resolve().parent.parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the source's API address (default: PlayFab's, https://<TITLEID>.playfabapi.com)",
    )
    parser.add_argument("--from-title", required=True, metavar="TITLEID", help="the source title's id")
    parser.add_argument(
        "--from-secret",
        metavar="KEY",
        help="a secret key of the source title (default: the PLAYFAB_SOURCE_SECRET_KEY environment variable)",
    )
    parser.add_argument(
        "--publisher-key",
        dest="publisher_keys",
        action="append",
        default=[],
        metavar="KEY",
        help="a key of the title's publisher data to copy (repeat it; PlayFab has no call that lists them)",
    )
    parser.add_argument(
        "--password-resets",
        type=Path,
        metavar="FILE",
        help="write the accounts that need a password (PlayFabId, Username, Email) to FILE, one JSON object a line",
    )
    parser.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="local settings file naming the target store (default: LOCAL_SETTINGS_FILE, else local.settings.json)",
    )


def _target_settings(settings_file: Path | None) -> Settings:
    """The settings of the target, read as the local host reads them: the environment, then the file."""
    path = settings_file or REPO / os.environ.get("LOCAL_SETTINGS_FILE", default("LOCAL_SETTINGS_FILE"))
    load_local_settings(path)
    return load_settings()


async def _run(args: argparse.Namespace, secret: str) -> int:
    settings = _target_settings(args.settings)
    url = args.source or f"https://{args.from_title}.playfabapi.com"
    store: Store = await open_title_store(settings)
    try:
        async with aiohttp.ClientSession() as session:
            api = PlayFabApi(url, args.from_title, secret, session)

            async def write(record: dict[str, Any]) -> str:
                return await import_record(store, record)

            try:
                summary = await migrate.migrate(
                    api,
                    write,
                    ImportConflict,
                    settings.title_id,
                    not settings.allow_duplicate_display_names,
                    publisher_keys=args.publisher_keys,
                )
            except ApiError as exc:
                print(f"migrate: the source refused a title-wide read: {exc}", file=sys.stderr)
                return 2
            print(migrate.summary_text(summary, api))
            if args.password_resets is not None:
                _write_resets(args.password_resets, summary.password_resets)
    finally:
        await store.close()
    return 1 if summary.conflicts or summary.failures else 0


def _write_resets(path: Path, accounts: list[dict[str, str]]) -> None:
    """The accounts to send a recovery email to; readable by its owner only (it lists email addresses)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        for account in accounts:
            out.write(json.dumps(account, sort_keys=True).encode("utf-8") + b"\n")
    print(f"accounts needing a password reset written to {path}")


def run(args: argparse.Namespace) -> int:
    secret = args.from_secret or os.environ.get("PLAYFAB_SOURCE_SECRET_KEY", "")
    if not secret:
        print(
            "migrate: give the source title's secret key (--from-secret or PLAYFAB_SOURCE_SECRET_KEY)", file=sys.stderr
        )
        return 2
    try:
        return asyncio.run(_run(args, secret))
    except SettingsError as exc:
        print(f"migrate: the target's settings cannot be used: {exc}", file=sys.stderr)
    except StoreError as exc:
        print(f"migrate: the target store cannot be used: {exc}", file=sys.stderr)
    return 2
