"""Leaderboards of player and character statistics, read from the store's rank index.

A leaderboard is one board of the index per owner kind, statistic and version
(`statistic_values.board`), kept in order by the store: value descending, then who reached the value
first, then the entity id. Positions count from 0. A page is `rank_range`, a player's place is
`rank_of`; nothing here reads players' statistics documents to rank them.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any, Final
from weakref import WeakKeyDictionary

from shared.auth import accounts
from shared.auth.caller import ENTITY_CHARACTER, Auth, Caller
from shared.config.clock import iso, now
from shared.config.rate_windows import LEADERBOARD_READS
from shared.features import characters, statistic_definitions
from shared.features.player_profiles import check_client_constraints, player_profile
from shared.features.statistic_values import CHARACTER, PLAYER, Owner, board
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Store
from shared.storage.layout import ENTITIES, PROFILE_DOC, entity_pk
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    DEFAULT_LEADERBOARD_RESULTS,
    ClientGetCharacterLeaderboardRequest,
    ClientGetLeaderboardAroundCharacterRequest,
    ClientGetLeaderboardAroundPlayerRequest,
    ClientGetLeaderboardForUsersCharactersRequest,
    ClientGetLeaderboardRequest,
    GetCharacterLeaderboardRequest,
    GetLeaderboardAroundCharacterRequest,
    GetLeaderboardAroundUserRequest,
    GetLeaderboardForUsersCharactersRequest,
    GetLeaderboardRequest,
    PlayerProfileViewConstraints,
)

Row = tuple[str, int, int]  # (entity id, value, position)

# Accounts this process last read for leaderboard entries (display names, profiles), each reused for
# PLAYER_STATUS_CACHE_SECONDS: a board is read far more often than its players change their names, and
# a page of 100 would otherwise read 100 accounts. Bounded; the oldest go first.
MAX_REMEMBERED_ACCOUNTS: Final = 10_000
_seen: WeakKeyDictionary[Store, OrderedDict[str, tuple[float, dict[str, Any] | None]]] = WeakKeyDictionary()


async def _accounts(services: Services, ids: list[str]) -> list[dict[str, Any] | None]:
    store, ttl = services.store, services.settings.player_status_cache_seconds
    seen = _seen.setdefault(store, OrderedDict())
    at = time.monotonic()
    stale = [i for i in dict.fromkeys(ids) if (hit := seen.get(i)) is None or at - hit[0] >= ttl]
    found = await accounts.find_accounts(store, stale)  # one store call for all of them
    answer = {i: hit[1] for i in ids if (hit := seen.get(i)) is not None}
    for playfab_id, account in zip(stale, found, strict=True):
        answer[playfab_id] = account
        if ttl > 0:
            seen[playfab_id] = (at, account)
            seen.move_to_end(playfab_id)
    while len(seen) > MAX_REMEMBERED_ACCOUNTS:
        seen.popitem(last=False)
    return [answer[i] for i in ids]


def _count(asked: int | None) -> int:
    return DEFAULT_LEADERBOARD_RESULTS if asked is None else asked


async def _page(store: Store, address: str, start: int, count: int) -> list[Row]:
    if count == 0:
        return []
    # A page past the end is answered from the count: a range read from a deep start costs every entry
    # above it on some stores.
    if start > 0 and start >= await store.rank_count(address):
        return []
    return [(r.entity_id, r.value, r.position) for r in await store.rank_range(address, start, count)]


async def _around(store: Store, address: str, entity_id: str, count: int) -> list[Row]:
    """`count` entries centred on the entity's (shifted to stay full near either end of the board). An
    entity without an entry has no place to centre on: it alone, with 0, after every ranked entry."""
    if count == 0:
        return []
    window = await store.rank_window(address, entity_id, count // 2, count)
    if not window:
        return [(entity_id, 0, await store.rank_count(address))]
    rows = [(r.entity_id, r.value, r.position) for r in window]
    top = rows[0][2]
    if len(rows) < count and top > 0:  # near the bottom: fill the window from above
        above = await _page(store, address, max(0, top - (count - len(rows))), min(top, count - len(rows)))
        rows = [*above, *rows]
    return rows


class _Board:
    """The version a read names, and what its answer says about it."""

    def __init__(self, store: Store, owner: Owner) -> None:
        self.store = store
        self.owner = owner

    async def resolve(self, name: str, version: int | None, specific: bool | None) -> tuple[str, dict[str, Any]]:
        at = now()
        definition = (await statistic_definitions.read(self.store)).get(name)
        current = definition.version_at(at)
        chosen = version if specific and version is not None else current
        if chosen > current:
            raise PlayFabError(
                "LeaderboardVersionNotAvailable",
                f"Statistic {name} has no version {chosen}; its current version is {current}.",
                {"Version": [f"current version is {current}"]},
            )
        meta: dict[str, Any] = {"Version": chosen}
        reset = definition.next_reset(at)
        if chosen == current and reset is not None:
            meta["NextReset"] = iso(reset)
        return board(self.owner, name, chosen), meta


async def _player_entries(
    services: Services, rows: list[Row], constraints: PlayerProfileViewConstraints | None, caller_id: str | None
) -> list[dict[str, Any]]:
    found = await _accounts(services, [playfab_id for playfab_id, _, _ in rows])
    entries = []
    for (playfab_id, value, position), account in zip(rows, found, strict=True):
        entry: dict[str, Any] = {"PlayFabId": playfab_id, "StatValue": value, "Position": position}
        if account is not None:
            if account.get("DisplayName"):
                entry["DisplayName"] = account["DisplayName"]
            private = playfab_id == caller_id
            entry["Profile"] = await player_profile(services, account, constraints, private=private)
        entries.append(entry)
    return entries


async def _get(services: Services, caller: Caller, req: ClientGetLeaderboardRequest) -> dict[str, Any]:
    if not caller.is_title:
        check_client_constraints(services, req.ProfileConstraints)
    address, meta = await _Board(services.store, PLAYER).resolve(req.StatisticName, req.Version, req.UseSpecificVersion)
    rows = await _page(services.store, address, req.StartPosition, _count(req.MaxResultsCount))
    entries = await _player_entries(services, rows, req.ProfileConstraints, caller.playfab_id)
    return {"Leaderboard": entries, **meta}


async def _around_player(
    services: Services, caller: Caller, req: ClientGetLeaderboardAroundPlayerRequest
) -> dict[str, Any]:
    if not caller.is_title:
        check_client_constraints(services, req.ProfileConstraints)
    playfab_id = req.PlayFabId or caller.playfab_id
    assert playfab_id
    if caller.is_title or playfab_id != caller.playfab_id:
        await accounts.require_account(services.store, playfab_id)
    address, meta = await _Board(services.store, PLAYER).resolve(req.StatisticName, req.Version, req.UseSpecificVersion)
    rows = await _around(services.store, address, playfab_id, _count(req.MaxResultsCount))
    entries = await _player_entries(services, rows, req.ProfileConstraints, caller.playfab_id)
    return {"Leaderboard": entries, **meta}


# --- Character leaderboards ---


async def _character_entries(services: Services, rows: list[Row], character_type: str | None) -> list[dict[str, Any]]:
    """Each entry with its character's owner, name and type, and the owner's display name."""
    store = services.store
    profiles = await asyncio.gather(
        *(store.read(ENTITIES, entity_pk(ENTITY_CHARACTER, character_id), PROFILE_DOC) for character_id, _, _ in rows)
    )
    owners = [profile.body["PlayFabId"] if profile is not None else None for profile in profiles]
    known = list(dict.fromkeys(owner for owner in owners if owner is not None))
    listed, found = await asyncio.gather(
        asyncio.gather(*(characters.list_characters(store, owner, check_account=False) for owner in known)),
        _accounts(services, known),
    )
    by_id = {c["CharacterId"]: c for entries in listed for c in entries}
    names = {owner: account.get("DisplayName") for owner, account in zip(known, found, strict=True) if account}
    entries = []
    for (character_id, value, position), owner in zip(rows, owners, strict=True):
        entry: dict[str, Any] = {"CharacterId": character_id, "StatValue": value, "Position": position}
        if owner is not None:
            entry["PlayFabId"] = owner
            if character_id in by_id:
                entry["CharacterName"] = by_id[character_id]["CharacterName"]
                entry["CharacterType"] = by_id[character_id]["CharacterType"]
            if names.get(owner):
                entry["DisplayName"] = names[owner]
        if character_type is None or entry.get("CharacterType") == character_type:
            entries.append(entry)
    return entries


async def _character_board(store: Store, name: str) -> str:
    address, _meta = await _Board(store, CHARACTER).resolve(name, None, None)
    return address


async def _character_leaderboard(
    services: Services, caller: Caller, req: ClientGetCharacterLeaderboardRequest
) -> dict[str, Any]:
    store = services.store
    address = await _character_board(store, req.StatisticName)
    rows = await _page(store, address, req.StartPosition, _count(req.MaxResultsCount))
    return {"Leaderboard": await _character_entries(services, rows, req.CharacterType)}


async def _around_character_of(
    services: Services, playfab_id: str, req: ClientGetLeaderboardAroundCharacterRequest
) -> dict[str, Any]:
    store = services.store
    await characters.require(store, playfab_id, req.CharacterId)
    address = await _character_board(store, req.StatisticName)
    rows = await _around(store, address, req.CharacterId, _count(req.MaxResultsCount))
    return {"Leaderboard": await _character_entries(services, rows, req.CharacterType)}


async def _client_around_character(
    services: Services, caller: Caller, req: ClientGetLeaderboardAroundCharacterRequest
) -> dict[str, Any]:
    assert caller.playfab_id
    return await _around_character_of(services, caller.playfab_id, req)


async def _server_around_character(
    services: Services, caller: Caller, req: GetLeaderboardAroundCharacterRequest
) -> dict[str, Any]:
    return await _around_character_of(services, req.PlayFabId, req)


async def _for_characters_of(
    services: Services, playfab_id: str, req: ClientGetLeaderboardForUsersCharactersRequest, *, check_account: bool
) -> dict[str, Any]:
    store = services.store
    listed = await characters.list_characters(store, playfab_id, check_account=check_account)
    address = await _character_board(store, req.StatisticName)
    ranked = await asyncio.gather(*(store.rank_of(address, c["CharacterId"]) for c in listed))
    rows = sorted(((r.entity_id, r.value, r.position) for r in ranked if r is not None), key=lambda row: row[2])[
        : req.MaxResultsCount if req.MaxResultsCount is not None else len(listed)
    ]
    return {"Leaderboard": await _character_entries(services, rows, None)}


async def _client_for_characters(
    services: Services, caller: Caller, req: ClientGetLeaderboardForUsersCharactersRequest
) -> dict[str, Any]:
    assert caller.playfab_id
    return await _for_characters_of(services, caller.playfab_id, req, check_account=False)


async def _server_for_characters(
    services: Services, caller: Caller, req: GetLeaderboardForUsersCharactersRequest
) -> dict[str, Any]:
    return await _for_characters_of(services, req.PlayFabId, req, check_account=True)


_LIMIT = LEADERBOARD_READS
client_get_leaderboard = Operation(Auth.SESSION, ClientGetLeaderboardRequest, _get, rate_limit=_LIMIT)
server_get_leaderboard = Operation(Auth.SECRET, GetLeaderboardRequest, _get, rate_limit=_LIMIT)
client_get_leaderboard_around_player = Operation(
    Auth.SESSION, ClientGetLeaderboardAroundPlayerRequest, _around_player, rate_limit=_LIMIT
)
server_get_leaderboard_around_user = Operation(
    Auth.SECRET, GetLeaderboardAroundUserRequest, _around_player, rate_limit=_LIMIT
)
client_get_character_leaderboard = Operation(
    Auth.SESSION, ClientGetCharacterLeaderboardRequest, _character_leaderboard, rate_limit=_LIMIT
)
server_get_character_leaderboard = Operation(
    Auth.SECRET, GetCharacterLeaderboardRequest, _character_leaderboard, rate_limit=_LIMIT
)
client_get_leaderboard_around_character = Operation(
    Auth.SESSION, ClientGetLeaderboardAroundCharacterRequest, _client_around_character, rate_limit=_LIMIT
)
server_get_leaderboard_around_character = Operation(
    Auth.SECRET, GetLeaderboardAroundCharacterRequest, _server_around_character, rate_limit=_LIMIT
)
client_get_leaderboard_for_user_characters = Operation(
    Auth.SESSION, ClientGetLeaderboardForUsersCharactersRequest, _client_for_characters, rate_limit=_LIMIT
)
server_get_leaderboard_for_user_characters = Operation(
    Auth.SECRET, GetLeaderboardForUsersCharactersRequest, _server_for_characters, rate_limit=_LIMIT
)
