"""`python -m ops migrate`: copy a title out of PlayFab (or a host of this project) through its public API.

Everything is read with the title's secret key (Server and Admin calls) and the title's entity token
(`Profile/GetProfiles`, for the entities' objects), and turned into the records of the export format
(ops/records.py): the documents this project's core would have written for the same state. The
records go to the target store through `ops.importing.import_record`, which creates what is absent,
leaves what is equal alone and refuses what differs, so running the migration again changes nothing.

Read per player: `Server/GetUserAccountInfo` (the account and its login identities), `Server/GetUserBans`,
`Server/Get<family>Data` of every player data family, `Server/GetAllUsersCharacters` and each
character's data families and `Server/GetCharacterStatistics`, `Server/GetPlayerStatistics` of every
version of every statistic, `Server/ListPlayerCustomProperties`, and `Profile/GetProfiles` for the
title player entity and the characters. Per title: `Admin/GetTitleData`, `Admin/GetTitleInternalData`,
`Admin/GetPublisherData` (of the keys named: PlayFab lists none), `Admin/GetPlayerStatisticDefinitions`
and `Server/GetPlayerStatisticVersions` of each statistic, `Server/GetLeaderboard` and
`Server/GetCharacterLeaderboard` (the order of ties), `Profile/GetProfile` of the title entity, and
`Server/GetSharedGroupData` of the shared groups named (PlayFab lists none). Players are listed with
`Admin/GetPlayersInSegment` on the "All Players" segment (`Admin/GetAllSegments` names its id).

What PlayFab's API cannot give is not guessed at, except where a document needs a value: a statistic
value's `Reached` time, which only orders values that tie on a leaderboard, is taken from its position
on the source's board (`tie_orders`), and each statistic's change counter (`Seq`) starts at 1.

The parts: ops/migrate_convert.py (answers to documents), ops/migrate_title.py (title-wide reads),
ops/migrate_player.py (one player or group); this module lists the players and runs the copy.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from ops import importing, records
from ops.migrate_player import Player, read_group, read_player
from ops.migrate_title import all_players_segment, read_title, tie_orders
from ops.playfab_api import ApiError, PlayFabApi
from ops.progress import Progress
from shared.features.segments import ALL_PLAYERS_NAME

PLAYERS_AT_ONCE: Final = 8  # players being read at once, by default (each one's calls are made one by one)


SEGMENT_PAGE: Final = 500  # players per GetPlayersInSegment page


SEGMENT_SECONDS_TO_LIVE: Final = 3600  # how long a continuation token stays good


async def list_players(api: PlayFabApi, segment_id: str, on_total: Callable[[int], None]) -> AsyncIterator[list[str]]:
    """Pages of PlayFabIds of the segment, each player once."""
    request: dict[str, Any] = {
        "SegmentId": segment_id,
        "MaxBatchSize": SEGMENT_PAGE,
        "SecondsToLive": SEGMENT_SECONDS_TO_LIVE,
    }
    seen: set[str] = set()
    while True:
        answer = await api.secret("/Admin/GetPlayersInSegment", request)
        on_total(int(answer.get("ProfilesInSegment") or 0))
        page = [str(p["PlayerId"]) for p in answer.get("PlayerProfiles") or [] if str(p["PlayerId"]) not in seen]
        seen.update(page)
        if page:
            yield page
        token = answer.get("ContinuationToken")
        if not token:
            return
        request = {**request, "ContinuationToken": token}  # SecondsToLive too: each page renews the token


# Writes one record: awaits to importing.CREATED or UNCHANGED, or raises importing.ImportConflict.
ImportRecord = Callable[[dict[str, Any]], Awaitable[str]]


# The PlayFabId the target's display name lookup (its partition) names, or None when it has none.
NameHolder = Callable[[str], Awaitable[str | None]]


@dataclass
class Summary:
    players: int = 0
    groups: int = 0  # shared groups read (those the run was given)
    total: int = 0  # players the segment counts
    created: int = 0  # records that created at least one document
    unchanged: int = 0  # records found whole in the target already
    documents: int = 0  # documents in the records written
    conflicts: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    password_resets: list[dict[str, str]] = field(default_factory=list)  # PlayFabId, Username, Email
    unkept: Counter[str] = field(default_factory=Counter)  # linked identities not copied, by kind
    no_login: list[str] = field(default_factory=list)  # players copied with no login this project serves
    shared_names: list[str] = field(default_factory=list)  # display name another player is looked up by
    unlisted_profiles: list[str] = field(default_factory=list)  # "<type> <id>" of profiles made empty

    def count(self, outcome: str) -> None:
        if outcome == importing.CREATED:
            self.created += 1
        else:
            self.unchanged += 1


async def migrate(
    api: PlayFabApi,
    write: ImportRecord,
    target_title_id: str,
    display_name_lookups: bool,
    *,
    report: TextIO = sys.stderr,
    publisher_keys: Sequence[str] = (),
    players_at_once: int = PLAYERS_AT_ONCE,
    group_ids: Sequence[str] = (),
    name_holder: NameHolder | None = None,
) -> Summary:
    """Copy the title: the title record first, then every player, `players_at_once` at a time. A conflict
    or a failed read of one player is reported and counted, and the migration goes on. `name_holder`
    reads whom the target's display name lookups name (none when the records go to a file)."""
    summary = Summary()
    progress = Progress("players", None, report)
    title_record, title = await read_title(api, target_title_id, display_name_lookups, publisher_keys)
    await tie_orders(api, title, report)
    names: dict[str, str] = {}  # display name lookup -> the player it names (the target's, else the first listed)
    groups: list[dict[str, Any]] = []
    for group_id in dict.fromkeys(group_ids):
        try:
            group = await read_group(api, group_id)
        except (ApiError, KeyError, TypeError, ValueError) as exc:
            summary.failures.append(f"group {group_id}")
            print(f"failed: group {group_id}: {type(exc).__name__}: {exc}", file=report)
            continue
        groups.append(group)
        body = group["Documents"][0]["Body"]
        for member in body["Members"]:
            title.memberships.setdefault(member, {})[group_id] = body["Created"]

    async def put(record: dict[str, Any]) -> bool:
        try:
            outcome = await write(record)
        except importing.ImportConflict as exc:
            what = _what(record)
            summary.conflicts.append(what)
            print(f"conflict: {what.partition(' ')[0]} {exc}; left as it is", file=report)
            return False
        summary.count(outcome)
        summary.documents += len(record["Documents"])
        return True

    if title_record["Documents"]:
        await put(title_record)
    gate = asyncio.Semaphore(players_at_once)

    async def read(playfab_id: str) -> Player | None:
        async with gate:
            try:
                player = await read_player(api, title, playfab_id)
            except (ApiError, KeyError, TypeError, ValueError) as exc:  # refused, or not shaped as PlayFab's
                summary.failures.append(playfab_id)
                print(f"failed: player {playfab_id}: {type(exc).__name__}: {exc}", file=report)
                return None
            for entity in player.unlisted_profiles:
                print(
                    f"profile not returned: player {playfab_id}: {entity}: made empty here, its objects not copied",
                    file=report,
                )
            return player

    async def store(player: Player) -> None:
        async with gate:
            if await put(player.record):
                if player.needs_password:
                    summary.password_resets.append(player.needs_password)
                summary.unkept.update(player.unkept)
                if player.no_login:
                    summary.no_login.append(player.playfab_id)
                summary.unlisted_profiles += player.unlisted_profiles
            summary.players += 1
            progress.step()

    def on_total(total: int) -> None:
        summary.total = progress.total = total

    segment_id = await all_players_segment(api)
    async for page in list_players(api, segment_id, on_total):
        players = [player for player in await asyncio.gather(*map(read, page)) if player is not None]
        for player in players:
            if not await _claim_display_name(player, names, name_holder):
                summary.shared_names.append(player.playfab_id)
        await asyncio.gather(*map(store, players))
    for group in groups:  # after the players, as members exist before their groups
        await put(group)
        summary.groups += 1
    progress.finish()
    return summary


def _what(record: dict[str, Any]) -> str:
    if record.get("Record") == records.PLAYER:
        return f"player {record['PlayFabId']}"
    if record.get("Record") == records.GROUP:
        return f"group {record['SharedGroupId']}"
    return "title"


async def _claim_display_name(player: Player, names: dict[str, str], holder: NameHolder | None) -> bool:
    """Add the lookup of the player's display name (while names are unique), unless it names another
    player: in the target already (made by an earlier run), or given to a player listed before in this
    run. PlayFab may hold duplicates, and one lookup names one player. False then: the name is shared."""
    lookup = player.display_name_lookup
    if lookup is None:
        return True
    partition = str(lookup["Partition"])
    if partition not in names:
        held = await holder(partition) if holder is not None else None
        names[partition] = held or player.playfab_id
    if names[partition] != player.playfab_id:
        return False
    player.record["Documents"].append(lookup)
    return True


LISTED: Final = 20  # PlayFabIds a summary line names; stderr has every one


def _some(ids: list[str]) -> str:
    if not ids:
        return ""
    more = f", and {len(ids) - LISTED} more" if len(ids) > LISTED else ""
    return f" ({', '.join(ids[:LISTED])}{more})"


def summary_text(summary: Summary, api: PlayFabApi, written: str | None = None) -> str:
    """The summary a run prints; `written` says where the records went when not into a store."""
    counters = api.counters
    resets = len(summary.password_resets)
    lines = [
        f"players: {summary.players} read ({summary.total} in {ALL_PLAYERS_NAME}); shared groups: {summary.groups}",
        f"records: {summary.created} {written}, {summary.documents} documents"
        if written
        else f"records: {summary.created} created, {summary.unchanged} unchanged ({summary.documents} documents)",
        f"conflicts: {len(summary.conflicts)}{_some(summary.conflicts)}",
        f"failed reads: {len(summary.failures)}{_some(summary.failures)}",
        f"accounts needing a password reset: {resets}"
        + (" (username or email accounts: PlayFab does not export passwords)" if resets else ""),
        f"linked identities not copied (no such login here): {sum(summary.unkept.values())}"
        + (f" ({', '.join(f'{name} {n}' for name, n in sorted(summary.unkept.items()))})" if summary.unkept else ""),
        f"accounts left with no login this backend serves: {len(summary.no_login)}",
        f"display names shared with another player (kept, looked up as the other): {len(summary.shared_names)}",
        f"entity profiles the source did not return (made empty here, objects not copied): "
        f"{len(summary.unlisted_profiles)}{_some(summary.unlisted_profiles)}",
        f"API calls: {counters.calls}, retried after throttling or failures: {counters.retries}"
        f" ({counters.waited:.1f} s waited)",
    ]
    return "\n".join(lines)
