"""Player and character statistics: updates, reads, versions, and the Admin API's definitions.

The rules are in two modules below this one: `statistic_definitions` (aggregation, versions and resets
that follow from the clock) and `statistic_values` (one engine for players' and characters' values,
with a policy per owner). This module is who may call what.
"""

from __future__ import annotations

from typing import Any

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.config.clock import now
from shared.config.rate_windows import STATISTIC_READS, STATISTIC_UPDATES
from shared.features import characters, idempotency, statistic_definitions, statistic_values
from shared.features.statistic_definitions import DEFAULT_AGGREGATION, DEFAULT_INTERVAL
from shared.features.statistic_values import Change, Target
from shared.pipeline import Handler, Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    ClientGetCharacterStatisticsRequest,
    ClientGetPlayerStatisticsRequest,
    ClientUpdateCharacterStatisticsRequest,
    ClientUpdatePlayerStatisticsRequest,
    CreatePlayerStatisticDefinitionRequest,
    GetCharacterStatisticsRequest,
    GetPlayerStatisticDefinitionsRequest,
    GetPlayerStatisticsRequest,
    GetPlayerStatisticVersionsRequest,
    IncrementPlayerStatisticVersionRequest,
    UpdateCharacterStatisticsRequest,
    UpdatePlayerStatisticDefinitionRequest,
    UpdatePlayerStatisticsRequest,
)


def _client_may_write(services: Services) -> None:
    if not services.settings.allow_client_statistic_updates:
        raise PlayFabError(
            "APINotEnabledForGameClientAccess",
            "The API is not enabled for game client access: this title lets only the Server API post statistics.",
        )


def _changes(req: ClientUpdatePlayerStatisticsRequest) -> list[Change]:
    return [Change(s.StatisticName, s.Value, s.Version) for s in req.Statistics]


async def _client_update(
    services: Services, caller: Caller, req: ClientUpdatePlayerStatisticsRequest
) -> dict[str, Any]:
    _client_may_write(services)
    assert caller.playfab_id
    attempt = idempotency.begin(services, caller, "Client/UpdatePlayerStatistics", req)
    await statistic_values.write(services, statistic_values.player(caller.playfab_id), _changes(req), attempt=attempt)
    return {}


async def _server_update(services: Services, caller: Caller, req: UpdatePlayerStatisticsRequest) -> dict[str, Any]:
    await accounts.require_account(services.store, req.PlayFabId)
    target = statistic_values.player(req.PlayFabId)
    attempt = idempotency.begin(services, caller, "Server/UpdatePlayerStatistics", req)
    await statistic_values.write(services, target, _changes(req), force=bool(req.ForceUpdate), attempt=attempt)
    return {}


async def _statistics(
    services: Services, target: Target, req: ClientGetPlayerStatisticsRequest
) -> list[dict[str, Any]]:
    store = services.store
    definitions = await statistic_definitions.read(store)
    stats = await statistic_values.read(store, target)
    # Neither list (or only empty ones): every statistic the player has a current value of.
    if not req.StatisticNames and req.StatisticNameVersions:
        found = []
        for asked in req.StatisticNameVersions:
            value = statistic_values.value_at(stats, asked.StatisticName, asked.Version)
            if value is not None:
                found.append((asked.StatisticName, asked.Version, value))
    else:
        found = statistic_values.current(definitions, stats, req.StatisticNames or None, now())
    return [{"StatisticName": name, "Value": value, "Version": version} for name, version, value in found]


async def _client_get(services: Services, caller: Caller, req: ClientGetPlayerStatisticsRequest) -> dict[str, Any]:
    assert caller.playfab_id
    return {"Statistics": await _statistics(services, statistic_values.player(caller.playfab_id), req)}


async def _server_get(services: Services, caller: Caller, req: GetPlayerStatisticsRequest) -> dict[str, Any]:
    await accounts.require_account(services.store, req.PlayFabId)
    statistics = await _statistics(services, statistic_values.player(req.PlayFabId), req)
    return {"PlayFabId": req.PlayFabId, "Statistics": statistics}


def _versions_handler(*, admin: bool) -> Handler[GetPlayerStatisticVersionsRequest]:
    async def versions(services: Services, caller: Caller, req: GetPlayerStatisticVersionsRequest) -> dict[str, Any]:
        definitions = await statistic_definitions.read(services.store)
        if not definitions.known(req.StatisticName):
            return {"StatisticVersions": []}
        listed = definitions.get(req.StatisticName).versions(now(), admin=admin)
        return {"StatisticVersions": listed}

    return versions


# --- Admin: definitions ---


async def _create(services: Services, caller: Caller, req: CreatePlayerStatisticDefinitionRequest) -> dict[str, Any]:
    definition = await statistic_definitions.create(
        services.store,
        req.StatisticName,
        req.AggregationMethod or DEFAULT_AGGREGATION,
        req.VersionChangeInterval or DEFAULT_INTERVAL,
        services.settings.statistics_max_per_title,
    )
    return {"Statistic": definition.wire(now())}


async def _update_definition(
    services: Services, caller: Caller, req: UpdatePlayerStatisticDefinitionRequest
) -> dict[str, Any]:
    definition = await statistic_definitions.update_definition(
        services.store, req.StatisticName, req.AggregationMethod, req.VersionChangeInterval
    )
    return {"Statistic": definition.wire(now())}


async def _definitions(services: Services, caller: Caller, req: GetPlayerStatisticDefinitionsRequest) -> dict[str, Any]:
    at = now()
    definitions = await statistic_definitions.read(services.store)
    return {"Statistics": [definition.wire(at) for definition in definitions.all()]}


async def _increment(services: Services, caller: Caller, req: IncrementPlayerStatisticVersionRequest) -> dict[str, Any]:
    definition = await statistic_definitions.increment_version(services.store, req.StatisticName)
    return {"StatisticVersion": definition.versions(now(), admin=True)[-1]}


# --- Character statistics: the same engine, the character policy ---


def _character_changes(req: ClientUpdateCharacterStatisticsRequest) -> list[Change]:
    return [Change(name, value) for name, value in (req.CharacterStatistics or {}).items()]


async def _character_target(services: Services, playfab_id: str, character_id: str) -> Target:
    await characters.require(services.store, playfab_id, character_id)
    return statistic_values.character(playfab_id, character_id)


async def _client_update_character(
    services: Services, caller: Caller, req: ClientUpdateCharacterStatisticsRequest
) -> dict[str, Any]:
    _client_may_write(services)
    assert caller.playfab_id
    target = await _character_target(services, caller.playfab_id, req.CharacterId)
    attempt = idempotency.begin(services, caller, "Client/UpdateCharacterStatistics", req)
    await statistic_values.write(services, target, _character_changes(req), attempt=attempt)
    return {}


async def _server_update_character(
    services: Services, caller: Caller, req: UpdateCharacterStatisticsRequest
) -> dict[str, Any]:
    target = await _character_target(services, req.PlayFabId, req.CharacterId)
    attempt = idempotency.begin(services, caller, "Server/UpdateCharacterStatistics", req)
    await statistic_values.write(services, target, _character_changes(req), attempt=attempt)
    return {}


async def _character_statistics(services: Services, target: Target) -> dict[str, int]:
    values = await statistic_values.current_values(services.store, target)
    return {name: value for name, _version, value in values}


async def _client_get_character(
    services: Services, caller: Caller, req: ClientGetCharacterStatisticsRequest
) -> dict[str, Any]:
    assert caller.playfab_id
    target = await _character_target(services, caller.playfab_id, req.CharacterId)
    return {"CharacterStatistics": await _character_statistics(services, target)}


async def _server_get_character(
    services: Services, caller: Caller, req: GetCharacterStatisticsRequest
) -> dict[str, Any]:
    target = await _character_target(services, req.PlayFabId, req.CharacterId)
    return {
        "CharacterId": req.CharacterId,
        "PlayFabId": req.PlayFabId,
        "CharacterStatistics": await _character_statistics(services, target),
    }


client_update_player_statistics = Operation(
    Auth.SESSION, ClientUpdatePlayerStatisticsRequest, _client_update, rate_limit=STATISTIC_UPDATES
)
server_update_player_statistics = Operation(
    Auth.SECRET, UpdatePlayerStatisticsRequest, _server_update, rate_limit=STATISTIC_UPDATES
)
client_get_player_statistics = Operation(
    Auth.SESSION, ClientGetPlayerStatisticsRequest, _client_get, rate_limit=STATISTIC_READS
)
server_get_player_statistics = Operation(
    Auth.SECRET, GetPlayerStatisticsRequest, _server_get, rate_limit=STATISTIC_READS
)
client_get_player_statistic_versions = Operation(
    Auth.SESSION, GetPlayerStatisticVersionsRequest, _versions_handler(admin=False), rate_limit=STATISTIC_READS
)
title_get_player_statistic_versions = Operation(
    Auth.SECRET, GetPlayerStatisticVersionsRequest, _versions_handler(admin=False)
)
admin_get_player_statistic_versions = Operation(
    Auth.SECRET, GetPlayerStatisticVersionsRequest, _versions_handler(admin=True)
)
create_player_statistic_definition = Operation(Auth.SECRET, CreatePlayerStatisticDefinitionRequest, _create)
update_player_statistic_definition = Operation(Auth.SECRET, UpdatePlayerStatisticDefinitionRequest, _update_definition)
get_player_statistic_definitions = Operation(Auth.SECRET, GetPlayerStatisticDefinitionsRequest, _definitions)
increment_player_statistic_version = Operation(Auth.SECRET, IncrementPlayerStatisticVersionRequest, _increment)
client_update_character_statistics = Operation(
    Auth.SESSION, ClientUpdateCharacterStatisticsRequest, _client_update_character, rate_limit=STATISTIC_UPDATES
)
server_update_character_statistics = Operation(
    Auth.SECRET, UpdateCharacterStatisticsRequest, _server_update_character, rate_limit=STATISTIC_UPDATES
)
client_get_character_statistics = Operation(
    Auth.SESSION, ClientGetCharacterStatisticsRequest, _client_get_character, rate_limit=STATISTIC_READS
)
server_get_character_statistics = Operation(
    Auth.SECRET, GetCharacterStatisticsRequest, _server_get_character, rate_limit=STATISTIC_READS
)
