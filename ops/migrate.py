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
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from ops import importing, records
from ops.playfab_api import ApiError, PlayFabApi
from ops.progress import Progress
from shared.auth import accounts
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER
from shared.auth.logins import LoginKind, lookup_key
from shared.features import statistic_definitions, statistic_values, title_data
from shared.features.bans import MAX_BANS_PER_PLAYER
from shared.features.custom_data import DEFAULT_PERMISSION
from shared.features.data_families import CHARACTER_FAMILIES, FAMILIES, Family, Scope
from shared.features.segments import ALL_PLAYERS_NAME
from shared.features.statistic_values import VERSIONS_KEPT
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
    META_PK,
    PLAYER_STATISTICS_DOC,
    PLAYERS,
    PROFILE_DOC,
    STATISTICS_DOC,
    entity_pk,
    rank_board,
    title_data_doc,
)
from shared.wire.jsontext import dumps_bytes
from shared.wire.validation import MAX_STATISTICS_PER_READ

# The account field that says a username or email account has no password here yet.
PASSWORD_RESET_REQUIRED: Final = accounts.PASSWORD_RESET_REQUIRED

PLAYERS_AT_ONCE: Final = 8  # players being read at once, by default (each one's calls are made one by one)
SEGMENT_PAGE: Final = 500  # players per GetPlayersInSegment page
SEGMENT_SECONDS_TO_LIVE: Final = 3600  # how long a continuation token stays good
PROFILES_PER_CALL: Final = 25  # Profile/GetProfiles takes at most 25 entities
FIRST_SEQ: Final = 1  # the change counter of a migrated statistic (statistic_values.py `Seq`)

# Where UserAccountInfo shows each login identity this project keeps: (field, its inner field).
_LOGIN_FIELDS: Final = (
    (LoginKind.CUSTOM_ID, "CustomIdInfo", "CustomId"),
    (LoginKind.ANDROID_DEVICE_ID, "AndroidDeviceInfo", "AndroidDeviceId"),
    (LoginKind.IOS_DEVICE_ID, "IosDeviceInfo", "IosDeviceId"),
    (LoginKind.SERVER_CUSTOM_ID, "ServerCustomIdInfo", "CustomId"),
)
# UserAccountInfo's Origination, for putting the identity an account was made with first in "Logins"
# (shared/features/account_info.py reads the first listed as its origin).
_ORIGINS: Final = {
    "CustomId": (LoginKind.CUSTOM_ID,),
    "Android": (LoginKind.ANDROID_DEVICE_ID,),
    "IOS": (LoginKind.IOS_DEVICE_ID,),
    "ServerCustomId": (LoginKind.SERVER_CUSTOM_ID,),
    "Organic": (LoginKind.USERNAME, LoginKind.EMAIL),
}


def epoch(text: str) -> float:
    """A PlayFab DateTime ("2024-05-01T12:00:00.123Z", any number of fraction digits) as epoch seconds,
    to the millisecond: what the core keeps, so `iso` gives the same text back."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000) / 1000


def doc(container: str, partition: str, doc_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return records.Doc(container, partition, doc_id, body).to_json()


# --- The title ---


@dataclass(frozen=True)
class Statistic:
    name: str
    current: int  # the version in force
    versions: tuple[int, ...]  # every version the source lists, oldest first


@dataclass(frozen=True)
class Title:
    """What converting a player needs from the title."""

    statistics: dict[str, Statistic]
    display_name_lookups: bool  # the target keeps a lookup per display name (unique names)
    # Each board's entries in the source's order: board -> entity id -> position (ops.migrate.tie_orders).
    positions: dict[str, dict[str, int]] = field(default_factory=dict)
    # The shared groups named to the run each player is in: PlayFabId -> SharedGroupId -> when it joined.
    memberships: dict[str, dict[str, float]] = field(default_factory=dict)

    def reached(self, owner: str, name: str, version: int, entity_id: str, fallback: float) -> float:
        """The `Reached` time of a value: its position on the source's board, in milliseconds after the
        epoch, so values that tie keep the source's order among themselves (and rank above any the target
        reaches later); `fallback` for a value the board did not list."""
        position = self.positions.get(rank_board(owner, name, version), {}).get(entity_id)
        return position / 1000 if position is not None else fallback

    def version_pairs(self) -> list[dict[str, Any]]:
        """Every (statistic, version) a player may hold a value of, the newest VERSIONS_KEPT of each."""
        return [
            {"StatisticName": stat.name, "Version": version}
            for stat in self.statistics.values()
            for version in stat.versions[-VERSIONS_KEPT:]
        ]


def definitions_body(definitions: list[dict[str, Any]], versions: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The statistic definitions document (shared/features/statistic_definitions.py) for what PlayFab lists.

    A statistic's segments are its versions as activated (`_segments`), the newest MAX_SEGMENTS of them:
    so the current version, the next reset and the versions listed follow from them as they did at the
    source. Statistics keep the source's order (its listing order), and are numbered in it."""
    entries: dict[str, Any] = {}
    for number, definition in enumerate(definitions, start=1):
        name = str(definition["StatisticName"])
        interval = str(definition.get("VersionChangeInterval") or statistic_definitions.DEFAULT_INTERVAL)
        current = int(definition.get("CurrentVersion") or 0)
        listed = sorted(versions.get(name, []), key=lambda v: int(v["Version"]))
        activated = [(int(v["Version"]), epoch(str(v["ActivationTime"]))) for v in listed if v.get("ActivationTime")]
        activated = [(version, at) for version, at in activated if version <= current]
        if not activated or activated[-1][0] != current:
            activated.append((current, activated[-1][1] if activated else 0.0))
        segments = _segments(activated, interval)[-statistic_definitions.MAX_SEGMENTS :]
        entries[name] = {
            "AggregationMethod": str(definition.get("AggregationMethod") or statistic_definitions.DEFAULT_AGGREGATION),
            "StatisticId": number,
            "Created": activated[0][1],
            "Segments": segments,
        }
    return {"Statistics": entries, "LastId": len(entries)}


SCHEDULED_SLACK: Final = 60.0  # seconds after its boundary a version may start and still count as a reset


def _segments(activated: list[tuple[int, float]], interval: str) -> list[dict[str, Any]]:
    """Segments (statistic_definitions.py) for versions activated at these times, oldest first: a version
    that began at its interval's boundary after the one before it is that segment's reset; any other
    (a manual increment, or every version of a statistic that never resets) starts a segment of its own.
    The interval of every segment is the statistic's current one: PlayFab does not say what it was."""
    segments: list[dict[str, Any]] = []
    previous: tuple[int, float] | None = None  # the version before, and when its period began
    for version, at in activated:
        if previous is not None and version == previous[0] + 1:
            boundary = statistic_definitions.next_boundary(interval, previous[1])
            if boundary is not None and 0 <= at - boundary <= SCHEDULED_SLACK:
                previous = (version, boundary)
                continue
        segments.append({"Start": at, "Version": version, "Interval": interval})
        previous = (version, at)
    return segments


async def read_title(
    api: PlayFabApi, target_title_id: str, display_name_lookups: bool, publisher_keys: Sequence[str] = ()
) -> tuple[dict[str, Any], Title]:
    """The title record (title data kinds, statistic definitions, the title entity's objects) and what the
    players' conversion needs."""
    docs: list[dict[str, Any]] = []
    for kind in title_data.KINDS:
        if kind is title_data.PUBLISHER and not publisher_keys:
            continue  # GetPublisherData names the keys it reads: PlayFab has no call that lists them
        request = {"Keys": list(publisher_keys)} if kind is title_data.PUBLISHER else {}
        data = (await api.secret(f"/Admin/{kind.get}", request)).get("Data") or {}
        if data:
            docs.append(doc(LOOKUPS, META_PK, title_data_doc(kind.name), {"Data": dict(data)}))
    definitions = list((await api.secret("/Admin/GetPlayerStatisticDefinitions", {})).get("Statistics") or [])
    versions: dict[str, list[dict[str, Any]]] = {}
    for definition in definitions:
        name = str(definition["StatisticName"])
        answer = await api.secret("/Server/GetPlayerStatisticVersions", {"StatisticName": name})
        versions[name] = list(answer.get("StatisticVersions") or [])
    if definitions:
        docs.append(doc(LOOKUPS, META_PK, STATISTICS_DOC, definitions_body(definitions, versions)))
    title_entity = {"Id": api.title_id, "Type": ENTITY_TITLE}
    profile = (await api.entity("/Profile/GetProfile", {"Entity": title_entity, "DataAsObject": False}))["Profile"]
    body = _profile_body(profile, None)
    if "ProfileVersion" in body:  # the title entity's profile matters only once it holds objects
        docs.append(doc(ENTITIES, entity_pk(ENTITY_TITLE, target_title_id), PROFILE_DOC, body))
    statistics = {}
    for definition in definitions:
        name = str(definition["StatisticName"])
        listed = sorted({int(v["Version"]) for v in versions[name]} | {int(definition.get("CurrentVersion") or 0)})
        statistics[name] = Statistic(name, int(definition.get("CurrentVersion") or 0), tuple(listed))
    return {"Record": records.TITLE, "Documents": docs}, Title(statistics, display_name_lookups)


# --- One player ---


def account_body(info: dict[str, Any]) -> dict[str, Any]:
    """The account document (shared/auth/accounts.py) for PlayFab's UserAccountInfo."""
    title_info = info.get("TitleInfo") or {}
    logins: dict[LoginKind, str] = {}
    for kind, name, inner in _LOGIN_FIELDS:
        value = (info.get(name) or {}).get(inner)
        if value:
            logins[kind] = str(value)
    if info.get("Username"):
        logins[LoginKind.USERNAME] = str(info["Username"])
    email = (info.get("PrivateInfo") or {}).get("Email")
    if email:
        logins[LoginKind.EMAIL] = str(email)
    first = [kind for kind in _ORIGINS.get(str(title_info.get("Origination")), ()) if kind in logins]
    ordered = {kind: logins[kind] for kind in [*first, *logins]}
    created = title_info.get("Created") or info["Created"]
    account: dict[str, Any] = {
        "PlayFabId": str(info["PlayFabId"]),
        "TitlePlayerAccountId": str(title_info["TitlePlayerAccount"]["Id"]),
        "Created": epoch(str(created)),
        "Logins": {kind.value: value for kind, value in ordered.items()},
    }
    if title_info.get("LastLogin"):
        account["LastLogin"] = epoch(str(title_info["LastLogin"]))
    if title_info.get("DisplayName"):
        account["DisplayName"] = str(title_info["DisplayName"])
    if LoginKind.USERNAME in logins or LoginKind.EMAIL in logins:
        account[PASSWORD_RESET_REQUIRED] = True
    return account


def data_body(answer: dict[str, Any]) -> dict[str, Any] | None:
    """A data family's document (shared/features/custom_data.py), or None when the source has never
    written it (version 0, no keys)."""
    version = int(answer.get("DataVersion") or 0)
    records = answer.get("Data") or {}
    if version == 0 and not records:
        return None
    data = {
        str(key): {
            "Value": record.get("Value", ""),
            "Permission": record.get("Permission") or DEFAULT_PERMISSION,
            "LastUpdated": record["LastUpdated"],
        }
        for key, record in records.items()
    }
    return {"DataVersion": version, "Data": data}


def statistics_body(
    values: Sequence[tuple[str, int, int]], reached: Callable[[str, int], float]
) -> dict[str, Any] | None:
    """A player's or character's statistics document (shared/features/statistic_values.py) for the
    (name, version, value) it holds, each reached at `reached(name, version)`."""
    if not values:
        return None
    stats: dict[str, Any] = {}
    for name, version, value in values:
        entry = stats.setdefault(name, {"Seq": FIRST_SEQ, "Values": {}})
        entry["Values"][str(version)] = {"Value": value, "Reached": reached(name, version)}
    return {"Statistics": stats}


def properties_body(answer: dict[str, Any]) -> dict[str, Any] | None:
    version = int(answer.get("PropertiesVersion") or 0)
    if version == 0:
        return None
    properties = {str(p["Name"]): p["Value"] for p in answer.get("Properties") or []}
    return {"PropertiesVersion": version, "Properties": properties}


def _profile_body(profile: dict[str, Any], playfab_id: str | None) -> dict[str, Any]:
    """An entity profile document (shared/auth/entities.py, shared/features/objects.py) for PlayFab's
    EntityProfileBody read with DataAsObject false (objects as their JSON text)."""
    body: dict[str, Any] = {"Created": epoch(str(profile["Created"]))}
    if playfab_id is not None:
        body["PlayFabId"] = playfab_id
    version = int(profile.get("VersionNumber") or 0)
    objects = profile.get("Objects") or {}
    if version or objects:
        body["ProfileVersion"] = version
        body["Objects"] = {str(name): _object_text(obj) for name, obj in objects.items()}
    return body


def _object_text(obj: dict[str, Any]) -> str:
    if obj.get("EscapedDataObject") is not None:
        return str(obj["EscapedDataObject"])
    # A source that answered with the object itself, not its text.
    return dumps_bytes(obj.get("DataObject")).decode("utf-8")


# UserAccountInfo fields that are not linked identities.
_NOT_IDENTITIES: Final = frozenset({"TitleInfo", "PrivateInfo"})


def unkept_identities(info: dict[str, Any]) -> list[str]:
    """The linked identities UserAccountInfo shows that this project has no login for (SteamInfo,
    GoogleInfo, OpenIdInfo...): the account is copied, without them."""
    kept = {name for _, name, _ in _LOGIN_FIELDS} | _NOT_IDENTITIES
    return sorted(
        name
        for name, value in info.items()
        if name.endswith("Info") and name not in kept and value not in (None, {}, [])
    )


@dataclass
class Player:
    playfab_id: str
    record: dict[str, Any]
    needs_password: dict[str, str] | None  # the login names of an account that has no password here
    unkept: list[str]  # its linked identities this project has no login for
    no_login: bool  # left with no login this project serves
    display_name_lookup: dict[str, Any] | None  # its display name's lookup, while names are unique here
    unlisted_profiles: list[str] = field(default_factory=list)  # "<type> <id>" of entities GetProfiles left out


def _password_logins(account: dict[str, Any]) -> dict[str, str] | None:
    if PASSWORD_RESET_REQUIRED not in account:
        return None
    logins = account["Logins"]
    named = {"Username": logins.get(LoginKind.USERNAME.value), "Email": logins.get(LoginKind.EMAIL.value)}
    return {"PlayFabId": account["PlayFabId"], **{k: v for k, v in named.items() if v}}


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


def ban_body(playfab_id: str, info: dict[str, Any]) -> dict[str, Any]:
    """A ban as the account keeps it (shared/features/bans.py), for PlayFab's BanInfo. Its BanId is made
    this project's shape (16 hex digits, then the PlayFabId) from the source's, the same on every run,
    so UpdateBans and RevokeBans find it here."""
    digest = hashlib.sha256(str(info["BanId"]).encode("utf-8")).hexdigest()[:16].upper()
    ban: dict[str, Any] = {
        "BanId": digest + playfab_id,
        "Created": epoch(str(info["Created"])),
        "Expires": epoch(str(info["Expires"])) if info.get("Expires") else None,
        "Active": bool(info.get("Active")),
    }
    for name in ("IPAddress", "MACAddress", "Reason"):
        if info.get(name) is not None:
            ban[name] = info[name]
    return ban


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
        body = _profile_body(profile, playfab_id) if profile else {"Created": created, "PlayFabId": playfab_id}
        docs.append(doc(ENTITIES, entity_pk(entity["Type"], entity["Id"]), PROFILE_DOC, body))
    record = {"Record": records.PLAYER, "PlayFabId": playfab_id, "Documents": docs}
    return Player(
        playfab_id,
        record,
        _password_logins(account),
        unkept_identities(info),
        not account["Logins"],
        name_lookup,
        unlisted,
    )


def _current_version(title: Title, name: str) -> int:
    stat = title.statistics.get(name)
    return stat.current if stat is not None else 0


# --- Shared groups (only those named: PlayFab has no call that lists them) ---


def group_body(answer: dict[str, Any]) -> dict[str, Any]:
    """A shared group's document (shared/features/shared_groups.py) for GetSharedGroupData with its
    members. PlayFab does not say when a group was made: its oldest key's LastUpdated, else the epoch."""
    data = {
        str(key): {
            "Value": record.get("Value", ""),
            "Permission": record.get("Permission") or DEFAULT_PERMISSION,
            "LastUpdated": record["LastUpdated"],
            **({"LastUpdatedBy": record["LastUpdatedBy"]} if record.get("LastUpdatedBy") else {}),
        }
        for key, record in (answer.get("Data") or {}).items()
    }
    stamps = [epoch(str(record["LastUpdated"])) for record in data.values()]
    body: dict[str, Any] = {
        "Members": [str(member) for member in answer.get("Members") or []],
        "Data": data,
        "Created": min(stamps) if stamps else 0.0,
    }
    if int(answer.get("DataVersion") or 0):  # this project's answer carries it when asked; PlayFab's never
        body["DataVersion"] = int(answer["DataVersion"])
    return body


async def read_group(api: PlayFabApi, group_id: str) -> dict[str, Any]:
    request = {"SharedGroupId": group_id, "GetMembers": True, "CustomTags": {GET_DATA_VERSION: "true"}}
    body = group_body(await api.secret("/Server/GetSharedGroupData", request))
    return {"Record": records.GROUP, "SharedGroupId": group_id, "Documents": [doc(GROUPS, group_id, GROUP_DOC, body)]}


# --- Leaderboard order ---

LEADERBOARD_PAGE: Final = 100  # GetLeaderboard returns at most 100 entries


async def _board_order(api: PlayFabApi, path: str, request: dict[str, Any], id_field: str) -> dict[str, int]:
    order: dict[str, int] = {}
    start = 0
    while True:
        page = {**request, "StartPosition": start, "MaxResultsCount": LEADERBOARD_PAGE}
        entries = (await api.secret(path, page)).get("Leaderboard") or []
        for entry in entries:
            order.setdefault(str(entry[id_field]), start)
            start += 1
        if len(entries) < LEADERBOARD_PAGE:
            return order


async def tie_orders(api: PlayFabApi, title: Title, report: TextIO = sys.stderr) -> None:
    """Read every statistic's boards from the source (each kept version of the players' board, the
    current version of the characters'), so values that tie keep their order (Title.reached). PlayFab
    returns no time a value was reached; its order on the board is what that time decides. A board the
    source will not read is said so and left out: its ties then fall to the players' creation times."""
    boards: list[tuple[str, str, dict[str, Any], str]] = []
    for stat in title.statistics.values():
        for version in stat.versions[-VERSIONS_KEPT:]:
            request = {"StatisticName": stat.name, "Version": version, "UseSpecificVersion": True}
            board = rank_board(statistic_values.PLAYER.board, stat.name, version)
            boards.append((board, "/Server/GetLeaderboard", request, "PlayFabId"))
        board = rank_board(statistic_values.CHARACTER.board, stat.name, stat.current)
        boards.append((board, "/Server/GetCharacterLeaderboard", {"StatisticName": stat.name}, "CharacterId"))
    for board, path, request, id_field in boards:
        try:
            title.positions[board] = await _board_order(api, path, request, id_field)
        except ApiError as exc:
            print(f"tie order of {board} not read, ties ranked by creation time: {exc}", file=report)


# --- Listing and running ---


async def all_players_segment(api: PlayFabApi) -> str:
    segments = (await api.secret("/Admin/GetAllSegments", {})).get("Segments") or []
    for segment in segments:
        if segment.get("Name") == ALL_PLAYERS_NAME:
            return str(segment["Id"])
    raise ApiError("/Admin/GetAllSegments", "SegmentNotFound", f"the title has no {ALL_PLAYERS_NAME!r} segment", 200)


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
