"""python -m ops export | import | delete | reindex | migrate: see README "Operating the backend".

    python -m ops export [--player PLAYFABID] [--out FILE]   the title (or one player) as JSON Lines
    python -m ops import FILE                                 into the store the settings name
    python -m ops delete PLAYFABID [--yes]                    as Admin/DeletePlayer does
    python -m ops migrate --from-title TITLEID --from-secret KEY [--from URL]
                                                              a title copied from PlayFab's API into the store
    python -m ops reindex                                     list players and groups written before
                                                              their directories existed

The store and title come from local.settings.json (or --settings FILE) and the environment, as for
`make run`. Exit status: 0 done, 1 done with conflicts or nothing to do, 2 could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from ops import exporting, importing, migrate_cli, records
from ops.progress import Progress
from ops.reindex import reindex
from ops.store_access import settings_from, title_store
from shared.config.settings import Settings, SettingsError
from shared.config.settings_table import default
from shared.features.player_deletion import delete_player
from shared.storage import StoreError
from shared.wire.errors import PlayFabError

IMPORTS_IN_FLIGHT = 8


def _say(message: str) -> None:
    print(message, file=sys.stderr)


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    async with title_store(settings) as store:
        if args.player:
            record = await exporting.player_record(store, args.player)
            if record is None:
                _say(f"no player {args.player}")
                return 1
            with records.Writer(args.out, settings.title_id) as out:
                out.write(record)
            _say(f"exported player {args.player}")
            return 0
        with records.Writer(args.out, settings.title_id) as out:
            out.write(await exporting.title_record(store, settings.title_id))
            player_total, group_total = await exporting.counts(store)
            for label, total, listed in (
                ("players", player_total, exporting.players(store)),
                ("groups", group_total, exporting.groups(store)),
            ):
                progress = Progress(label, total)
                async for record in listed:
                    out.write(record)
                    progress.step()
                progress.finish()
                _say(f"exported {progress.done} {label}")
    return 0


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    # The whole file is read and checked first: a line that cannot be written, or a file cut short,
    # stops the import before anything of it is written.
    title_id = settings.title_id
    count = importing.check_file(Path(args.file), title_id)
    tally = {importing.CREATED: 0, importing.UNCHANGED: 0}
    conflicts: list[str] = []
    progress = Progress("records", count)
    async with title_store(settings) as store:

        async def one(number: int, record: dict[str, Any]) -> None:
            try:
                tally[await importing.import_record(store, record, title_id=title_id, number=number)] += 1
            except importing.ImportConflict as exc:
                conflicts.append(f"line {number}: {exc}")
                _say(f"conflict: line {number}: {exc}")
            progress.step()

        pending: set[asyncio.Task[None]] = set()
        try:
            for number, record in importing.file_records(Path(args.file)):
                if len(pending) >= IMPORTS_IN_FLIGHT:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        task.result()  # a store that fails stops the import here
                pending.add(asyncio.create_task(one(number, record)))
            await asyncio.gather(*pending)
        finally:  # the lines in flight end before the store closes (a re-run finishes any cut short)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    progress.finish()
    created, unchanged = tally[importing.CREATED], tally[importing.UNCHANGED]
    _say(
        f"imported {created + unchanged + len(conflicts)} records: {created} written, {unchanged} unchanged, "
        f"{len(conflicts)} refused as conflicts"
    )
    return 1 if conflicts else 0


async def _delete(settings: Settings, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            _say("delete needs --yes when it cannot ask")
            return 2
        typed = input(f"Deleting player {args.playfab_id} and everything of theirs. Type the PlayFabId to confirm: ")
        if typed.strip() != args.playfab_id:
            _say("not confirmed; nothing deleted")
            return 1
    async with title_store(settings) as store:
        try:
            await delete_player(store, args.playfab_id)
        except PlayFabError as exc:
            _say(f"{exc.name}: {exc.message}")
            return 1
    _say(f"deleted player {args.playfab_id}")
    return 0


async def _reindex(settings: Settings, args: argparse.Namespace) -> int:
    async with title_store(settings) as store:
        sizes = await reindex(store)
    for name, (before, after) in sizes.items():
        _say(f"{name}: {after} listed ({after - before} added)")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m ops", description="Operate a title: export, import, delete, reindex, migrate."
    )
    # As the local host: LOCAL_SETTINGS_FILE names the file (tests point it at one that is not there).
    settings_file = os.environ.get("LOCAL_SETTINGS_FILE", default("LOCAL_SETTINGS_FILE"))
    top.add_argument("--settings", default=settings_file, help="settings file (default: %(default)s)")
    commands = top.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the title, or one player, as JSON Lines")
    export.add_argument("--player", metavar="PLAYFABID", help="only this player")
    export.add_argument("--out", default="-", help="file to write (default: standard output)")
    export.set_defaults(run=_export)
    load = commands.add_parser("import", help="write an export into this title's store")
    load.add_argument("file", help="the export file")
    load.set_defaults(run=_import)
    delete = commands.add_parser("delete", help="delete a player, as Admin/DeletePlayer does")
    delete.add_argument("playfab_id", metavar="PLAYFABID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(run=_delete)
    migrate_cli.add_arguments(
        commands.add_parser("migrate", help="copy a title from PlayFab (or another host) through its public API")
    )
    again = commands.add_parser("reindex", help="list every player and group in the directories export reads")
    again.set_defaults(run=_reindex)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = settings_from(Path(args.settings))
        return int(asyncio.run(args.run(settings, args)))
    except SettingsError as exc:
        _say(f"cannot run: {exc}")
    except (StoreError, OSError) as exc:
        _say(f"cannot run: {type(exc).__name__}: {exc}")
    except records.BadRecord as exc:
        _say(f"{args.command}: {exc}")
    except KeyboardInterrupt:
        _say("interrupted")
    except Exception as exc:  # a fault nobody foresaw: one line, not a traceback, and "could not run"
        _say(f"{args.command}: failed: {type(exc).__name__}: {exc}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
