"""ops/migrate's reads of one player (its account, bans, data, statistics, custom properties,
characters and entity profiles) or one shared group, as the records of the export format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from ops import records
from ops.migrate_convert import (
    account_body,
    ban_body,
    data_body,
    doc,
    group_body,
    password_logins,
    profile_body,
    properties_body,
    statistics_body,
    unkept_identities,
)
from ops.migrate_title import Title
from ops.playfab_api import PlayFabApi
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE_PLAYER
from shared.auth.logins import LoginKind, lookup_key
from shared.features import statistic_values
from shared.features.bans import MAX_BANS_PER_PLAYER
from shared.features.data_families import CHARACTER_FAMILIES, FAMILIES, Family, Scope
from shared.features.write_options import GET_DATA_VERSION
from shared.storage.layout import (
    ACCOUNT_DOC,
    CHARACTERS_DOC,
    CUSTOM_PROPERTIES_DOC,
    ENTITIES,
    GROUP_DOC,
    GROUPS,
    LOGIN_DOC,
    LOOKUPS,
    MEMBERSHIPS_DOC,
    PLAYER_STATISTICS_DOC,
    PLAYERS,
    PROFILE_DOC,
    entity_pk,
)
from shared.wire.validation import MAX_STATISTICS_PER_READ

PROFILES_PER_CALL: Final = 25  # Profile/GetProfiles takes at most 25 entities


@dataclass
class Player:
    playfab_id: str
    record: dict[str, Any]
    needs_password: dict[str, str] | None  # the login names of an account that has no password here
    unkept: list[str]  # its linked identities this project has no login for
    no_login: bool  # left with no login this project serves
    display_name_lookup: dict[str, Any] | None  # its display name's lookup, while names are unique here
    unlisted_profiles: list[str] = field(default_factory=list)  # "<type> <id>" of entities GetProfiles left out


async def read_player(api: PlayFabApi, title: Title, playfab_id: str) -> Player:
    """Every document of one player, read through the API, as the player record of the export format."""
    info = (await api.secret("/Server/GetUserAccountInfo", {"PlayFabId": playfab_id}))["UserInfo"]
    account = account_body(info)
    bans = (await api.secret("/Server/GetUserBans", {"PlayFabId": playfab_id})).get("BanData") or []
    if bans:
        kept = sorted((ban_body(playfab_id, ban) for ban in bans), key=lambda ban: float(ban["Created"]))
        account["Bans"] = kept[-MAX_BANS_PER_PLAYER:]
    docs = [doc(PLAYERS, playfab_id, ACCOUNT_DOC, account)]
    for kind, value in account["Logins"].items():
        docs.append(doc(LOOKUPS, lookup_key(LoginKind(kind), value), LOGIN_DOC, {"PlayFabId": playfab_id}))
    name_lookup = None
    if title.display_name_lookups and account.get("DisplayName"):
        name_pk = lookup_key(LoginKind.DISPLAY_NAME, str(account["DisplayName"]))
        name_lookup = doc(LOOKUPS, name_pk, LOGIN_DOC, {"PlayFabId": playfab_id})
    for family in FAMILIES:
        if family.scope is Scope.PLAYER and (body := await _family(api, family, playfab_id)) is not None:
            docs.append(doc(PLAYERS, playfab_id, family.doc_id(), body))
    if playfab_id in title.memberships:
        docs.append(doc(PLAYERS, playfab_id, MEMBERSHIPS_DOC, {"Groups": dict(title.memberships[playfab_id])}))
    created = float(account["Created"])

    def player_reached(name: str, version: int) -> float:
        return title.reached(statistic_values.PLAYER.board, name, version, playfab_id, created)

    stats = statistics_body(await _player_statistics(api, title, playfab_id), player_reached)
    if stats is not None:
        docs.append(doc(PLAYERS, playfab_id, PLAYER_STATISTICS_DOC, stats))
    properties = properties_body(await api.secret("/Server/ListPlayerCustomProperties", {"PlayFabId": playfab_id}))
    if properties is not None:
        docs.append(doc(PLAYERS, playfab_id, CUSTOM_PROPERTIES_DOC, properties))
    listed = (await api.secret("/Server/GetAllUsersCharacters", {"PlayFabId": playfab_id})).get("Characters") or []
    characters = [
        {
            "CharacterId": str(c["CharacterId"]),
            "CharacterName": c.get("CharacterName"),
            "CharacterType": c.get("CharacterType"),
        }
        for c in listed
    ]
    if characters:
        docs.append(doc(PLAYERS, playfab_id, CHARACTERS_DOC, {"Characters": characters}))
    for character in characters:
        character_id = character["CharacterId"]
        for family in CHARACTER_FAMILIES:
            if (body := await _family(api, family, playfab_id, character_id)) is not None:
                docs.append(doc(PLAYERS, playfab_id, family.doc_id(character_id), body))
        request = {"PlayFabId": playfab_id, "CharacterId": character_id}
        values = (await api.secret("/Server/GetCharacterStatistics", request)).get("CharacterStatistics") or {}
        current = [(str(name), _current_version(title, str(name)), int(value)) for name, value in values.items()]
        target = statistic_values.character(playfab_id, character_id)

        def character_reached(name: str, version: int, entity_id: str = character_id) -> float:
            return title.reached(statistic_values.CHARACTER.board, name, version, entity_id, created)

        if (body := statistics_body(current, character_reached)) is not None:
            docs.append(doc(PLAYERS, playfab_id, target.doc_id, body))
    entities = [{"Id": account["TitlePlayerAccountId"], "Type": ENTITY_TITLE_PLAYER}]
    entities += [{"Id": c["CharacterId"], "Type": ENTITY_CHARACTER} for c in characters]
    profiles = await _profiles(api, entities)
    unlisted: list[str] = []
    for entity in entities:
        # Every player and character has a profile here (its entity token and objects hang on it): one the
        # source does not list (the caller may not read it) is made as the core makes it, created with the
        # account, and said: its objects, if it has any, are not copied.
        profile = profiles.get((entity["Type"], entity["Id"]))
        if not profile:
            unlisted.append(f"{entity['Type']} {entity['Id']}")
        body = profile_body(profile, playfab_id) if profile else {"Created": created, "PlayFabId": playfab_id}
        docs.append(doc(ENTITIES, entity_pk(entity["Type"], entity["Id"]), PROFILE_DOC, body))
    record = {"Record": records.PLAYER, "PlayFabId": playfab_id, "Documents": docs}
    return Player(
        playfab_id,
        record,
        password_logins(account),
        unkept_identities(info),
        not account["Logins"],
        name_lookup,
        unlisted,
    )


def _current_version(title: Title, name: str) -> int:
    stat = title.statistics.get(name)
    return stat.current if stat is not None else 0


async def _family(api: PlayFabApi, family: Family, playfab_id: str, character_id: str | None = None) -> Any:
    request: dict[str, Any] = {"PlayFabId": playfab_id}
    if character_id is not None:
        request["CharacterId"] = character_id
    return data_body(await api.secret(f"/Server/Get{family.api_name}Data", request))


async def _player_statistics(api: PlayFabApi, title: Title, playfab_id: str) -> list[tuple[str, int, int]]:
    pairs = title.version_pairs()
    found: dict[tuple[str, int], int] = {}
    for start in range(0, len(pairs), MAX_STATISTICS_PER_READ):
        chunk = pairs[start : start + MAX_STATISTICS_PER_READ]
        answer = await api.secret(
            "/Server/GetPlayerStatistics", {"PlayFabId": playfab_id, "StatisticNameVersions": chunk}
        )
        for item in answer.get("Statistics") or []:
            found[(str(item["StatisticName"]), int(item.get("Version") or 0))] = int(item["Value"])
    # Values of statistics with no definition (none at PlayFab: a first write defines one) are current ones.
    current = await api.secret("/Server/GetPlayerStatistics", {"PlayFabId": playfab_id})
    for item in current.get("Statistics") or []:
        found.setdefault((str(item["StatisticName"]), int(item.get("Version") or 0)), int(item["Value"]))
    # In the order the player's current values come (the order the player first held them), then the rest.
    names = list(dict.fromkeys([str(item["StatisticName"]) for item in current.get("Statistics") or []]))
    names += [name for name in dict.fromkeys(name for name, _ in found) if name not in names]
    keys = sorted(found, key=lambda key: (names.index(key[0]), key[1]))
    return [(name, version, found[(name, version)]) for name, version in keys]


async def _profiles(api: PlayFabApi, entities: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(entities), PROFILES_PER_CALL):
        chunk = entities[start : start + PROFILES_PER_CALL]
        answer = await api.entity("/Profile/GetProfiles", {"Entities": chunk, "DataAsObject": False})
        for profile in answer.get("Profiles") or []:
            key = profile.get("Entity") or {}
            out[(str(key.get("Type")), str(key.get("Id")))] = profile
    return out


async def read_group(api: PlayFabApi, group_id: str) -> dict[str, Any]:
    request = {"SharedGroupId": group_id, "GetMembers": True, "CustomTags": {GET_DATA_VERSION: "true"}}
    body = group_body(await api.secret("/Server/GetSharedGroupData", request))
    return {"Record": records.GROUP, "SharedGroupId": group_id, "Documents": [doc(GROUPS, group_id, GROUP_DOC, body)]}
