"""Statistic values of players and characters: one engine, with a policy per owner.

Each owner's values live in one document (the player's `statistics`, or a character's under its
player), keyed by statistic and version: `{"Statistics": {name: {"Seq": n, "Values": {"<version>":
{"Value": v, "Reached": t}}}}}`. An update is one `store.update` of that document, so concurrent
updates of one owner never lose each other (a `Sum` adds up exactly). `Reached` is when the value was
last changed: PlayFab's tie rule ranks the owner who reached a value first above the others.

The leaderboard index (the store's `put_rank`) is written after the document, with the statistic's
`Seq` as its sequence number, so a late index write never overwrites a newer one. A crash between
the two leaves the index one change behind the document, never ahead: every update re-puts the index
entry of each statistic it names, changed or not, so the owner's next update (or the client's retry of
the failed call) brings it level.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Final

from shared.config.clock import now
from shared.features import idempotency, playstream, statistic_definitions
from shared.features.statistic_definitions import Definitions
from shared.services import Services
from shared.storage import NotFound, Store
from shared.storage.layout import PLAYER_STATISTICS_DOC, PLAYERS, character_statistics_doc, rank_board
from shared.wire.errors import PlayFabError

INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
# Versions of one statistic an owner's document keeps; an older one leaves the document and its board.
VERSIONS_KEPT: Final = 100


@dataclass(frozen=True)
class Owner:
    """Whose statistics: what differs between a player's and a character's."""

    board: str  # the owner part of a leaderboard's address (layout.rank_board)
    entity_type: str  # PlayStream's entity type
    event: str  # the PlayStream event a change records
    characters: bool  # addressed by a CharacterId under its player


PLAYER: Final = Owner("player", "player", "player_statistic_changed", characters=False)
CHARACTER: Final = Owner("character", "character", "character_statistic_changed", characters=True)


@dataclass(frozen=True)
class Target:
    """One owner's statistics: a player's, or one character's of that player."""

    owner: Owner
    playfab_id: str
    character_id: str | None = None

    @property
    def entity_id(self) -> str:
        """The id its leaderboard entries carry."""
        return self.character_id if self.character_id is not None else self.playfab_id

    @property
    def doc_id(self) -> str:
        if self.character_id is not None:
            return character_statistics_doc(self.character_id)
        return PLAYER_STATISTICS_DOC


def player(playfab_id: str) -> Target:
    return Target(PLAYER, playfab_id)


def character(playfab_id: str, character_id: str) -> Target:
    return Target(CHARACTER, playfab_id, character_id)


def board(owner: Owner, name: str, version: int) -> str:
    return rank_board(owner.board, name, version)


def tiebreak(reached: float) -> str:
    """The index's tie-breaker, ascending: when the value was reached, in milliseconds, fixed width."""
    return f"{round(reached * 1000):016d}"


@dataclass(frozen=True)
class Change:
    name: str
    value: int
    version: int | None = None  # the version the caller loaded, if it says


@dataclass(frozen=True)
class Written:
    name: str
    version: int
    value: int
    previous: int | None
    reached: float
    seq: int
    changed: bool


def aggregate(method: str, old: int | None, new: int, *, force: bool = False) -> int:
    if old is None or force or method == "Last":
        return new
    if method == "Min":
        return min(old, new)
    if method == "Max":
        return max(old, new)
    total = old + new
    if not INT32_MIN <= total <= INT32_MAX:
        raise PlayFabError(
            "StatisticValueAggregationOverflow",
            f"Adding {new} to the statistic's value {old} overflows a 32-bit integer.",
        )
    return total


def _check_version(name: str, asked: int | None, current: int) -> None:
    if asked is None or asked == current:
        return
    if asked < current:
        raise PlayFabError(
            "StatisticVersionClosedForWrites",
            f"Version {asked} of statistic {name} is closed for writes; the current version is {current}.",
            {"Version": [f"{name}: current version is {current}"]},
        )
    raise PlayFabError(
        "StatisticVersionInvalid",
        f"Statistic {name} has no version {asked}; the current version is {current}.",
        {"Version": [f"{name}: current version is {current}"]},
    )


async def write(
    services: Services,
    target: Target,
    changes: list[Change],
    *,
    force: bool = False,
    attempt: idempotency.Attempt | None = None,
) -> list[Written]:
    """Apply `changes` to the target's current versions in one atomic update, then the index.

    A retry of a keyed write (`attempt`, shared/features/idempotency.py) applies nothing and records no
    event; it puts the values it finds on the index again, which the first call may not have reached.
    """
    store = services.store
    names = [change.name for change in changes]
    definitions = await statistic_definitions.ensure(store, names, services.settings.statistics_max_per_title)
    at = now()
    versions: dict[str, int] = {}
    for change in changes:
        versions[change.name] = definitions.get(change.name).version_at(at)
        _check_version(change.name, change.version, versions[change.name])
    results: dict[str, Written] = {}
    dropped: list[tuple[str, int]] = []

    def mutate(body: dict[str, Any] | None) -> dict[str, Any] | None:
        results.clear()
        dropped.clear()
        body = body or {"Statistics": {}}
        stats = body["Statistics"]
        dirty = False
        for change in changes:
            version = versions[change.name]
            entry = stats.setdefault(change.name, {"Seq": 0, "Values": {}})
            held = entry["Values"].get(str(version))
            old = held["Value"] if held else None
            new = aggregate(definitions.get(change.name).aggregation, old, change.value, force=force)
            changed = held is None or new != old
            if changed:
                entry["Seq"] += 1
                entry["Values"][str(version)] = {"Value": new, "Reached": at}
                dirty = True
                kept = sorted(entry["Values"], key=int)
                for stale in kept[:-VERSIONS_KEPT]:
                    del entry["Values"][stale]
                    dropped.append((change.name, int(stale)))
            now_held = entry["Values"][str(version)]
            first = results.get(change.name)
            results[change.name] = Written(
                change.name,
                version,
                new,
                first.previous if first else old,
                float(now_held["Reached"]),
                int(entry["Seq"]),
                changed or bool(first and first.changed),
            )
        return body if dirty else None

    doc = await store.update(PLAYERS, target.playfab_id, target.doc_id, idempotency.wrap(attempt, mutate, dict))
    if attempt is not None and attempt.replayed:
        await _index_again(services, target, versions, doc.body["Statistics"] if doc else {})
        return []
    written = list(results.values())
    for item in written:
        await store.put_rank(
            board(target.owner, item.name, item.version),
            target.entity_id,
            item.value,
            tiebreak(item.reached),
            item.seq,
        )
    for name, version in dropped:
        await store.delete_rank(board(target.owner, name, version), target.entity_id)
    for item in written:
        if item.changed:
            await _record(services, target, definitions, item)
    return written


def index_entries(
    target: Target, stats: dict[str, Any], versions: dict[str, int] | None = None
) -> list[tuple[str, int, str, int]]:
    """(board, value, tiebreak, seq) of the index entry each stored value has: of the named versions, or
    of every version the document keeps (a store filled again from its documents: ops import)."""
    wanted = versions.items() if versions is not None else ((n, int(v)) for n, e in stats.items() for v in e["Values"])
    out = []
    for name, version in wanted:
        entry = stats.get(name)
        held = entry["Values"].get(str(version)) if entry else None
        if entry and held:
            reached = tiebreak(float(held["Reached"]))
            out.append((board(target.owner, name, version), int(held["Value"]), reached, int(entry["Seq"])))
    return out


async def _index_again(services: Services, target: Target, versions: dict[str, int], stats: dict[str, Any]) -> None:
    for board_name, value, reached, seq in index_entries(target, stats, versions):
        await services.store.put_rank(board_name, target.entity_id, value, reached, seq)


async def _record(services: Services, target: Target, definitions: Definitions, item: Written) -> None:
    definition = definitions.get(item.name)
    body: dict[str, Any] = {
        "StatisticName": item.name,
        "StatisticValue": item.value,
        "StatisticPreviousValue": item.previous if item.previous is not None else 0,
        "Version": item.version,
        "TitleId": services.settings.title_id,
    }
    if target.owner is PLAYER:
        body["AggregationMethod"] = definition.aggregation
        body["StatisticId"] = definition.statistic_id
        entity_id = target.playfab_id
    else:
        body["PlayerId"] = target.playfab_id
        entity_id = target.entity_id
    await playstream.record(
        services, name=target.owner.event, entity_type=target.owner.entity_type, entity_id=entity_id, body=body
    )


async def read(store: Store, target: Target) -> dict[str, Any]:
    """The target's statistics as stored: {name: {"Seq", "Values": {"<version>": {"Value", "Reached"}}}}."""
    doc = await store.read(PLAYERS, target.playfab_id, target.doc_id)
    stats: dict[str, Any] = doc.body["Statistics"] if doc else {}
    return stats


def value_at(stats: dict[str, Any], name: str, version: int) -> int | None:
    held = stats.get(name, {}).get("Values", {}).get(str(version))
    return int(held["Value"]) if held else None


def current(
    definitions: Definitions, stats: dict[str, Any], names: list[str] | None, at: float
) -> list[tuple[str, int, int]]:
    """(name, version, value) of each statistic in `names` (None: all) that has a current-version value."""
    out: list[tuple[str, int, int]] = []
    for name in dict.fromkeys(names) if names is not None else stats:
        version = definitions.get(name).version_at(at)
        value = value_at(stats, name, version)
        if value is not None:
            out.append((name, version, value))
    return out


async def current_values(store: Store, target: Target, names: list[str] | None = None) -> list[tuple[str, int, int]]:
    definitions = await statistic_definitions.read(store)
    return current(definitions, await read(store, target), names, now())


async def forget(store: Store, target: Target) -> None:
    """Remove the target's leaderboard entries, then its statistics document (safe to run again)."""
    for name, entry in (await read(store, target)).items():
        for version in entry["Values"]:
            await store.delete_rank(board(target.owner, name, int(version)), target.entity_id)
    with contextlib.suppress(NotFound):
        await store.delete(PLAYERS, target.playfab_id, target.doc_id)
