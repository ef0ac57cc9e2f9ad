"""Writing an export record into a store: a STAND-IN on the `migrate` branch for main's ops/importing.py.

Same signature as main's importer, so ops/migrate.py is written against it; main's file replaces this
one when main is merged. Every document of the record is compared first (nothing is written when one
differs), then the absent ones are created, then the player's directory entry and the leaderboard entries
its statistics documents imply are written, as the core writes them.
"""

from __future__ import annotations

from typing import Any, Final

from shared.auth import directory
from shared.features import idempotency, statistic_values
from shared.storage import Conflict, Store
from shared.storage.layout import HISTORY_OUTBOX, PLAYER_STATISTICS_DOC, PLAYERS

_TRANSIENT: Final = (HISTORY_OUTBOX, idempotency.RETRIES_FIELD)


class ImportConflict(Exception):
    """The target holds a different document at an address the record names."""


def _portable(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in _TRANSIENT}


def _where(item: dict[str, Any]) -> str:
    return f"{item['Container']}/{item['Partition']}/{item['Id']}"


async def import_record(store: Store, record: dict[str, Any]) -> str:
    """Create every absent document of the record: "created" if any was, "unchanged" if all were there."""
    docs = list(record.get("Documents") or [])
    absent = []
    for item in docs:
        found = await store.read(item["Container"], item["Partition"], item["Id"])
        if found is None:
            absent.append(item)
        elif _portable(found.body) != item["Body"]:
            raise ImportConflict(f"{_where(item)} holds a different document")
    playfab_id = record.get("PlayFabId")
    if record.get("Record") == "player" and isinstance(playfab_id, str):
        await directory.enter(store, playfab_id)
    for item in absent:
        try:
            await store.create(item["Container"], item["Partition"], item["Id"], item["Body"])
        except Conflict:
            found = await store.read(item["Container"], item["Partition"], item["Id"])
            if found is None or _portable(found.body) != item["Body"]:
                raise ImportConflict(f"{_where(item)} was written by someone else meanwhile") from None
    for item in docs:
        target = _statistics_target(item)
        if target is not None:
            stats = item["Body"]["Statistics"]
            for name, entry in stats.items():
                for version, held in entry["Values"].items():
                    board = statistic_values.board(target.owner, name, int(version))
                    reached = statistic_values.tiebreak(float(held["Reached"]))
                    await store.put_rank(board, target.entity_id, int(held["Value"]), reached, int(entry["Seq"]))
    return "created" if absent else "unchanged"


def _statistics_target(item: dict[str, Any]) -> statistic_values.Target | None:
    if item["Container"] != PLAYERS:
        return None
    if item["Id"] == PLAYER_STATISTICS_DOC:
        return statistic_values.player(item["Partition"])
    parts = str(item["Id"]).split(".")
    if len(parts) == 3 and parts[0] == "character" and parts[2] == "statistics":
        return statistic_values.character(item["Partition"], parts[1])
    return None
