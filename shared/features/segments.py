"""Segments: PlayFab's built-in "All Players", listed from the player directory (auth/directory).

GetPlayersInSegment pages the directory by key: each page is one index read of MaxBatchSize entries
after the last PlayFabId the previous page returned, then batched point reads of those players'
accounts, statistics and custom properties. The continuation token carries that PlayFabId, the
segment, the player count of the first page and the token's lifetime, signed with the title's token
keys, so a client can neither forge nor stretch it; each use hands out a new one that lives as long.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from shared.auth import directory
from shared.auth.accounts import being_deleted
from shared.auth.caller import Auth, Caller
from shared.auth.tokens import SEGMENT_PAGE, TokenExpired, TokenInvalid
from shared.config.clock import iso, now
from shared.features import statistic_definitions, statistic_values
from shared.features.account_info import ban_state
from shared.features.player_profiles import linked_accounts, origination
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Store
from shared.storage.layout import ACCOUNT_DOC, CUSTOM_PROPERTIES_DOC, PLAYER_STATISTICS_DOC, PLAYERS
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    DEFAULT_SECONDS_TO_LIVE,
    MAX_SEGMENT_BATCH,
    GetAllSegmentsRequest,
    GetPlayersInSegmentRequest,
)

ALL_PLAYERS_ID: Final = "0000000000000001"
ALL_PLAYERS_NAME: Final = "All Players"


def _segment_not_found(segment_id: str) -> PlayFabError:
    return PlayFabError(
        "SegmentNotFound",
        f"Segment {segment_id} not found: this title has one segment, {ALL_PLAYERS_NAME} ({ALL_PLAYERS_ID}).",
        {"SegmentId": [segment_id]},
    )


async def _get_all_segments(services: Services, caller: Caller, req: GetAllSegmentsRequest) -> dict[str, Any]:
    return {"Segments": [{"Id": ALL_PLAYERS_ID, "Name": ALL_PLAYERS_NAME}]}


def _page_token(services: Services, after: str, total: int, seconds_to_live: int) -> str:
    claims = {"g": ALL_PLAYERS_ID, "a": after, "c": total, "l": seconds_to_live}
    token, _ = services.signer.issue(SEGMENT_PAGE, claims, seconds_to_live, now())
    return token


def _read_token(services: Services, token: str) -> tuple[str, int, int]:
    """(last PlayFabId listed, player count, seconds to live) from a token this title handed out."""
    try:
        claims = services.signer.verify(SEGMENT_PAGE, token, now())
    except TokenExpired:
        raise PlayFabError(
            "ExpiredContinuationToken",
            "The continuation token has expired; start again without one.",
            {"ContinuationToken": ["expired"]},
        ) from None
    except TokenInvalid:
        claims = None
    if (
        claims is None
        or claims.get("g") != ALL_PLAYERS_ID
        or not isinstance(claims.get("a"), str)
        or not isinstance(claims.get("c"), int)
        or not isinstance(claims.get("l"), int)
    ):
        raise PlayFabError(
            "InvalidContinuationToken",
            "The continuation token is not one this title handed out.",
            {"ContinuationToken": ["invalid"]},
        )
    return claims["a"], claims["c"], claims["l"]


def _statistics(definitions: statistic_definitions.Definitions, stats: dict[str, Any], at: float) -> dict[str, Any]:
    values = statistic_values.current(definitions, stats, None, at)
    return {
        "Statistics": {name: value for name, _, value in values},
        "PlayerStatistics": [
            {"Name": name, "StatisticValue": value, "StatisticVersion": version} for name, version, value in values
        ],
    }


async def _profiles(services: Services, playfab_ids: list[str]) -> list[dict[str, Any]]:
    """PlayerProfile of each listed player whose account exists, in the order given: three batched reads."""
    store: Store = services.store
    accounts, stats, properties = await asyncio.gather(
        store.read_many(PLAYERS, [(pid, ACCOUNT_DOC) for pid in playfab_ids]),
        store.read_many(PLAYERS, [(pid, PLAYER_STATISTICS_DOC) for pid in playfab_ids]),
        store.read_many(PLAYERS, [(pid, CUSTOM_PROPERTIES_DOC) for pid in playfab_ids]),
    )
    definitions = await statistic_definitions.read(store)
    at = now()
    profiles: list[dict[str, Any]] = []
    for account_doc, stats_doc, properties_doc in zip(accounts, stats, properties, strict=True):
        if account_doc is None or being_deleted(account_doc.body):
            continue  # an entry whose account is not written yet, or is being deleted
        account = account_doc.body
        profile: dict[str, Any] = {
            "PlayerId": account["PlayFabId"],
            "TitleId": services.settings.title_id,
            "Created": iso(account["Created"]),
            "LinkedAccounts": linked_accounts(account, private=True),
            **_statistics(definitions, stats_doc.body["Statistics"] if stats_doc else {}, at),
            "CustomProperties": dict(properties_doc.body["Properties"]) if properties_doc else {},
            "Tags": [],
            "PushNotificationRegistrations": [],
            "ContactEmailAddresses": [],
            "AdCampaignAttributions": [],
            "ValuesToDate": {},
            "VirtualCurrencyBalances": {},
            "Locations": {},
        }
        if account.get("DisplayName"):
            profile["DisplayName"] = account["DisplayName"]
        if account.get("LastLogin") is not None:
            profile["LastLogin"] = iso(account["LastLogin"])
        if (origin := origination(account)) is not None:
            profile["Origination"] = origin
        ban = await ban_state(services, account)
        if ban.banned and ban.until is not None:
            profile["BannedUntil"] = iso(ban.until)
        profiles.append(profile)
    return profiles


async def _get_players_in_segment(
    services: Services, caller: Caller, req: GetPlayersInSegmentRequest
) -> dict[str, Any]:
    if req.SegmentId != ALL_PLAYERS_ID:
        raise _segment_not_found(req.SegmentId)
    if req.ContinuationToken is not None:
        after, total, seconds_to_live = _read_token(services, req.ContinuationToken)
    else:
        after, total = None, await directory.PLAYERS.size(services.store)
        seconds_to_live = req.SecondsToLive or DEFAULT_SECONDS_TO_LIVE
    batch = MAX_SEGMENT_BATCH if req.MaxBatchSize is None else req.MaxBatchSize
    result: dict[str, Any] = {"ProfilesInSegment": total}
    if batch == 0:  # PlayFab: only the count
        result["PlayerProfiles"] = []
        return result
    listed = list(await directory.PLAYERS.page(services.store, after, batch))
    result["PlayerProfiles"] = await _profiles(services, listed)
    if len(listed) == batch:  # maybe more: a full page always hands out a token, the last one may be empty
        result["ContinuationToken"] = _page_token(services, listed[-1], total, seconds_to_live)
    return result


get_all_segments = Operation(Auth.SECRET, GetAllSegmentsRequest, _get_all_segments)
get_players_in_segment = Operation(Auth.SECRET, GetPlayersInSegmentRequest, _get_players_in_segment)
