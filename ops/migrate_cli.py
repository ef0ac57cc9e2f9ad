"""The `migrate` command of `python -m ops`: its arguments, where the records go, and its exit status."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

import aiohttp

from ops import importing, migrate, records
from ops.playfab_api import ApiError, PlayFabApi
from ops.store_access import title_store
from shared.config.settings import Settings
from shared.storage.layout import LOGIN_DOC, LOOKUPS

SECRET_ENV = "PLAYFAB_SOURCE_SECRET_KEY"  # the source's secret key, when --from-secret is not given


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the source's API address (default: PlayFab's own, https://TITLEID.playfabapi.com)",
    )
    parser.add_argument("--from-title", required=True, metavar="TITLEID", help="the source title's id")
    parser.add_argument(
        "--from-secret",
        metavar="KEY",
        help=f"a secret key of the source title (default, and better: the {SECRET_ENV} environment variable;"
        " a key on the command line shows in ps and in the shell's history)",
    )
    parser.add_argument(
        "--publisher-key",
        dest="publisher_keys",
        action="append",
        default=[],
        metavar="KEY",
        help="a key of the publisher data to copy (repeat it: PlayFab has no call that lists them)",
    )
    parser.add_argument(
        "--shared-group",
        dest="shared_groups",
        action="append",
        default=[],
        metavar="ID",
        help="a shared group to copy, with its members' memberships (repeat it: PlayFab has no call that lists them)",
    )
    parser.add_argument(
        "--shared-groups-file",
        type=Path,
        metavar="FILE",
        help="shared groups to copy, one SharedGroupId a line",
    )
    parser.add_argument(
        "--password-resets",
        type=Path,
        metavar="FILE",
        help="write the accounts that need a password (PlayFabId, Username, Email) to FILE, a JSON object a line",
    )
    parser.add_argument(
        "--players-at-once",
        type=_positive,
        default=migrate.PLAYERS_AT_ONCE,
        metavar="N",
        help="players read at once, each with one call in flight (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="write the records to FILE as an export (for `python -m ops import`) instead of into the store",
    )
    parser.set_defaults(run=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def _write_resets(out: IO[bytes], path: Path, accounts: list[dict[str, str]]) -> None:
    for account in accounts:
        out.write(json.dumps(account, sort_keys=True).encode("utf-8") + b"\n")
    print(f"accounts needing a password reset written to {path}")


async def _copy(settings: Settings, args: argparse.Namespace, api: PlayFabApi) -> migrate.Summary:
    lookups = not settings.allow_duplicate_display_names
    group_ids = list(args.shared_groups)
    if args.shared_groups_file is not None:
        lines = args.shared_groups_file.read_text(encoding="utf-8").splitlines()
        group_ids += [line.strip() for line in lines if line.strip()]
    options: dict[str, Any] = {
        "publisher_keys": args.publisher_keys,
        "players_at_once": args.players_at_once,
        "group_ids": group_ids,
    }
    if args.out:
        with records.Writer(str(args.out), settings.title_id) as out:

            async def to_file(record: dict[str, Any]) -> str:
                out.write(record)
                return importing.CREATED

            return await migrate.migrate(api, to_file, settings.title_id, lookups, **options)
    async with title_store(settings) as store:

        async def to_store(record: dict[str, Any]) -> str:
            return await importing.import_record(store, record, title_id=settings.title_id)

        async def name_holder(partition: str) -> str | None:
            held = await store.read(LOOKUPS, partition, LOGIN_DOC)
            return str(held.body["PlayFabId"]) if held is not None and held.body.get("PlayFabId") else None

        return await migrate.migrate(api, to_store, settings.title_id, lookups, name_holder=name_holder, **options)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Exit status: 0 copied, 1 copied with conflicts or players that could not be read, 2 could not run."""
    secret = args.from_secret or os.environ.get(SECRET_ENV, "")
    if not secret:
        print(f"migrate: give the source title's secret key (--from-secret, or {SECRET_ENV})", file=sys.stderr)
        return 2
    resets: IO[bytes] | None = None
    if args.password_resets is not None:
        try:  # made now, so a path that cannot be written stops the run before anything is migrated
            resets = records.open_private(args.password_resets)
        except OSError as exc:
            print(f"migrate: --password-resets {args.password_resets}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    with resets if resets is not None else contextlib.nullcontext():
        url = args.source or f"https://{args.from_title}.playfabapi.com"
        async with aiohttp.ClientSession() as session:
            api = PlayFabApi(url, args.from_title, secret, session)
            try:
                summary = await _copy(settings, args, api)
            except ApiError as exc:
                print(f"migrate: the source refused a title-wide read: {exc}", file=sys.stderr)
                return 2
        print(migrate.summary_text(summary, api, f"written to {args.out}" if args.out else None))
        if resets is not None:
            _write_resets(resets, args.password_resets, summary.password_resets)
    return 1 if summary.conflicts or summary.failures else 0
