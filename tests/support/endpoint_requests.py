"""One legitimate request per endpoint the app serves, aimed at one player's data, and what it should get.

The authorization matrix and the hostile-input suite both start from these requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.auth.caller import Auth
from shared.features.segments import ALL_PLAYERS_ID
from tests.support.server import TITLE_ID
from tests.support.world import (
    TARGET_PASSWORD,
    Target,
    fresh_custom_id,
    fresh_group_id,
    target_email,
    target_username,
)


@dataclass(frozen=True)
class Outcome:
    error: str | None  # None: success
    http: int = 200


OK = Outcome(None)
NOT_AUTHENTICATED = Outcome("NotAuthenticated", 401)
TOKEN_MISSING = Outcome("EntityTokenMissing", 401)
BAD_TICKET = Outcome("InvalidSessionTicket", 401)
BAD_KEY = Outcome("NotAuthorized", 401)
BAD_TOKEN = Outcome("EntityTokenInvalid", 401)
EXPIRED_TICKET = Outcome("ExpiredAuthToken", 401)
EXPIRED_TOKEN = Outcome("EntityTokenExpired", 401)
FORBIDDEN = Outcome("NotAuthorized", 403)
NO_CHARACTER = Outcome("CharacterNotFound", 400)
ITEM_NOT_OWNED = Outcome("ItemNotOwned", 400)
ALREADY_LINKED = Outcome("AccountAlreadyLinked", 400)
NOT_LINKED = Outcome("AccountNotLinked", 400)
NO_PROPERTY = Outcome("PlayerCustomPropertiesPropertyDoesNotExist", 400)
CLIENT_WRITES_OFF = Outcome("APINotEnabledForGameClientAccess", 400)  # ALLOW_CLIENT_STATISTIC_UPDATES is off
NO_STATISTIC = Outcome("StatisticNotFound", 400)

Body = Callable[[Target], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    auth: Auth
    body: Body
    foreign: Outcome = OK  # another player's own credential, same request (OK: allowed, e.g. public keys)
    legit: Outcome = OK  # the target's own credential (or the title's)


def player(**extra: Any) -> Body:
    return lambda t: {"PlayFabId": t.playfab_id, **extra}


def character(**extra: Any) -> Body:
    return lambda t: {"PlayFabId": t.playfab_id, "CharacterId": t.character_id, **extra}


def group(**extra: Any) -> Body:
    return lambda t: {"SharedGroupId": t.group_id, **extra}


def entity(**extra: Any) -> Body:
    return lambda t: {"Entity": t.entity, **extra}


def unknown_ban_id(t: Target) -> str:
    """A BanId in the shape this backend issues, naming no ban of the target's."""
    return "0" * 16 + t.playfab_id


DATA = {"Data": {"k": "v"}}
COMBINED = {"GetUserAccountInfo": True, "GetUserData": True, "GetCharacterList": True, "GetPlayerProfile": True}


def fresh_statistic() -> str:
    return f"stat-{uuid.uuid4().hex[:12]}"


STAT = "matrix-score"
STATS = {"Statistics": [{"StatisticName": STAT, "Value": 5}]}
BOARD = {"StatisticName": STAT, "MaxResultsCount": 10}


def fresh_display_name() -> str:
    return f"n{uuid.uuid4().hex[:20]}"


S, T, E = Auth.SESSION, Auth.SECRET, Auth.ENTITY

TABLE: dict[str, Row] = {
    "/Client/LoginWithCustomID": Row(
        Auth.NONE, lambda t: {"TitleId": TITLE_ID, "CustomId": fresh_custom_id(), "CreateAccount": True}
    ),
    "/Authentication/GetEntityToken": Row(Auth.ANY, entity(), foreign=FORBIDDEN),
    # Device logins, links and unlinks, server custom ids, session ticket checks. Every target logged in
    # with a custom id, so a second one is refused, and an id nobody linked is not the caller's to unlink.
    "/Client/LoginWithAndroidDeviceID": Row(
        Auth.NONE, lambda t: {"TitleId": TITLE_ID, "AndroidDeviceId": fresh_custom_id(), "CreateAccount": True}
    ),
    "/Client/LoginWithIOSDeviceID": Row(
        Auth.NONE, lambda t: {"TitleId": TITLE_ID, "DeviceId": fresh_custom_id(), "CreateAccount": True}
    ),
    "/Client/LinkCustomID": Row(
        S, lambda t: {"CustomId": fresh_custom_id()}, foreign=ALREADY_LINKED, legit=ALREADY_LINKED
    ),
    "/Client/LinkAndroidDeviceID": Row(S, lambda t: {"AndroidDeviceId": fresh_custom_id(), "ForceLink": False}),
    "/Client/LinkIOSDeviceID": Row(S, lambda t: {"DeviceId": fresh_custom_id(), "ForceLink": False}),
    "/Client/UnlinkCustomID": Row(S, lambda t: {"CustomId": fresh_custom_id()}, foreign=NOT_LINKED, legit=NOT_LINKED),
    "/Client/UnlinkAndroidDeviceID": Row(
        S, lambda t: {"AndroidDeviceId": fresh_custom_id()}, foreign=NOT_LINKED, legit=NOT_LINKED
    ),
    "/Client/UnlinkIOSDeviceID": Row(
        S, lambda t: {"DeviceId": fresh_custom_id()}, foreign=NOT_LINKED, legit=NOT_LINKED
    ),
    "/Server/LoginWithServerCustomId": Row(T, lambda t: {"ServerCustomId": fresh_custom_id(), "CreateAccount": True}),
    "/Server/LinkServerCustomId": Row(
        T, lambda t: {"PlayFabId": t.playfab_id, "ServerCustomId": f"server-{t.playfab_id}"}
    ),
    "/Server/UnlinkServerCustomId": Row(
        T, lambda t: {"PlayFabId": t.playfab_id, "ServerCustomId": fresh_custom_id()}, legit=NOT_LINKED
    ),
    "/Server/GetServerCustomIDsFromPlayFabIDs": Row(T, lambda t: {"PlayFabIDs": [t.playfab_id]}),
    "/Server/AuthenticateSessionTicket": Row(T, lambda t: {"SessionTicket": t.player.ticket}),
    # Usernames, emails and passwords: a target's friend has them (tests/world.py).
    "/Client/RegisterPlayFabUser": Row(
        Auth.NONE,
        lambda t: {
            "TitleId": TITLE_ID,
            "Username": f"r{fresh_custom_id()[-12:]}",
            "Email": f"{fresh_custom_id()}@register.example",
            "Password": "register-password",
        },
    ),
    "/Client/LoginWithEmailAddress": Row(
        Auth.NONE, lambda t: {"TitleId": TITLE_ID, "Email": target_email(t), "Password": TARGET_PASSWORD}
    ),
    "/Client/LoginWithPlayFab": Row(
        Auth.NONE, lambda t: {"TitleId": TITLE_ID, "Username": target_username(t), "Password": TARGET_PASSWORD}
    ),
    "/Client/AddUsernamePassword": Row(
        S,
        lambda t: {
            "Username": f"a{fresh_custom_id()[-12:]}",
            "Email": f"{fresh_custom_id()}@add.example",
            "Password": "added-password",
        },
    ),
    # A Client read of another player returns its public keys; a Client write lands on the caller's own data.
    "/Client/GetUserData": Row(S, player()),
    "/Client/UpdateUserData": Row(S, player(**DATA)),
    "/Client/GetUserReadOnlyData": Row(S, player()),
    "/Client/GetUserPublisherData": Row(S, player()),
    "/Client/UpdateUserPublisherData": Row(S, player(**DATA)),
    "/Client/GetUserPublisherReadOnlyData": Row(S, player()),
    "/Server/GetUserData": Row(T, player()),
    "/Server/UpdateUserData": Row(T, player(**DATA)),
    "/Server/GetUserReadOnlyData": Row(T, player()),
    "/Server/UpdateUserReadOnlyData": Row(T, player(**DATA)),
    "/Server/GetUserInternalData": Row(T, player()),
    "/Server/UpdateUserInternalData": Row(T, player(**DATA)),
    "/Server/GetUserPublisherData": Row(T, player()),
    "/Server/UpdateUserPublisherData": Row(T, player(**DATA)),
    "/Server/GetUserPublisherReadOnlyData": Row(T, player()),
    "/Server/UpdateUserPublisherReadOnlyData": Row(T, player(**DATA)),
    "/Server/GetUserPublisherInternalData": Row(T, player()),
    "/Server/UpdateUserPublisherInternalData": Row(T, player(**DATA)),
    "/Admin/GetUserData": Row(T, player()),
    "/Admin/UpdateUserData": Row(T, player(**DATA)),
    "/Admin/GetUserReadOnlyData": Row(T, player()),
    "/Admin/UpdateUserReadOnlyData": Row(T, player(**DATA)),
    "/Admin/GetUserInternalData": Row(T, player()),
    "/Admin/UpdateUserInternalData": Row(T, player(**DATA)),
    "/Admin/GetUserPublisherData": Row(T, player()),
    "/Admin/UpdateUserPublisherData": Row(T, player(**DATA)),
    "/Admin/GetUserPublisherReadOnlyData": Row(T, player()),
    "/Admin/UpdateUserPublisherReadOnlyData": Row(T, player(**DATA)),
    "/Admin/GetUserPublisherInternalData": Row(T, player()),
    "/Admin/UpdateUserPublisherInternalData": Row(T, player(**DATA)),
    "/Client/GetCharacterData": Row(S, character()),
    # The character is looked up among the caller's own: another player's is not found.
    "/Client/UpdateCharacterData": Row(S, character(**DATA), foreign=NO_CHARACTER),
    "/Client/GetCharacterReadOnlyData": Row(S, character()),
    # Needs a catalog item this backend does not keep: refused for everyone, owner included.
    "/Client/GrantCharacterToUser": Row(
        S, lambda t: {"ItemId": "sword", "CharacterName": "Hero"}, foreign=ITEM_NOT_OWNED, legit=ITEM_NOT_OWNED
    ),
    "/Client/GetAllUsersCharacters": Row(S, player()),
    "/Server/GetCharacterData": Row(T, character()),
    "/Server/UpdateCharacterData": Row(T, character(**DATA)),
    "/Server/GetCharacterReadOnlyData": Row(T, character()),
    "/Server/UpdateCharacterReadOnlyData": Row(T, character(**DATA)),
    "/Server/GetCharacterInternalData": Row(T, character()),
    "/Server/UpdateCharacterInternalData": Row(T, character(**DATA)),
    "/Server/GrantCharacterToUser": Row(T, player(CharacterName="Second", CharacterType="Mage")),
    "/Server/DeleteCharacterFromUser": Row(T, character(SaveCharacterInventory=False)),
    "/Server/GetAllUsersCharacters": Row(T, player()),
    # A new group touches no one else's; a non-member may read a group's public keys but not change it.
    "/Client/CreateSharedGroup": Row(S, lambda t: {"SharedGroupId": fresh_group_id()}),
    "/Server/CreateSharedGroup": Row(T, lambda t: {"SharedGroupId": fresh_group_id()}),
    "/Client/AddSharedGroupMembers": Row(
        S, lambda t: {"SharedGroupId": t.group_id, "PlayFabIds": [t.friend_id]}, FORBIDDEN
    ),
    "/Server/AddSharedGroupMembers": Row(T, lambda t: {"SharedGroupId": t.group_id, "PlayFabIds": [t.friend_id]}),
    "/Client/RemoveSharedGroupMembers": Row(
        S, lambda t: {"SharedGroupId": t.group_id, "PlayFabIds": [t.playfab_id]}, FORBIDDEN
    ),
    "/Server/RemoveSharedGroupMembers": Row(T, lambda t: {"SharedGroupId": t.group_id, "PlayFabIds": [t.playfab_id]}),
    "/Client/GetSharedGroupData": Row(S, group(GetMembers=True)),
    "/Server/GetSharedGroupData": Row(T, group(GetMembers=True)),
    "/Client/UpdateSharedGroupData": Row(S, group(**DATA), foreign=FORBIDDEN),
    "/Server/UpdateSharedGroupData": Row(T, group(**DATA)),
    "/Server/DeleteSharedGroup": Row(T, group()),
    "/Object/SetObjects": Row(E, entity(Objects=[{"ObjectName": "o", "DataObject": 1}]), foreign=FORBIDDEN),
    "/Object/GetObjects": Row(E, entity(), foreign=FORBIDDEN),
    # Anyone may see a profile; its objects are left out for other callers.
    "/Profile/GetProfile": Row(E, entity()),
    "/Profile/GetProfiles": Row(E, lambda t: {"Entities": [t.entity]}),
    # Account info, player profiles, display names, combined info: another player's are readable
    # (without private info); a Client rename lands on the caller's own account.
    "/Client/GetAccountInfo": Row(S, player()),
    "/Server/GetUserAccountInfo": Row(T, player()),
    "/Admin/GetUserAccountInfo": Row(T, player()),
    "/Client/GetPlayerProfile": Row(S, player(ProfileConstraints={"ShowDisplayName": True})),
    "/Server/GetPlayerProfile": Row(T, player(ProfileConstraints={"ShowCreated": True})),
    "/Admin/GetPlayerProfile": Row(T, player(ProfileConstraints={"ShowLastLogin": True})),
    "/Admin/GetAllSegments": Row(T, lambda t: {}),
    "/Server/GetAllSegments": Row(T, lambda t: {}),
    "/Admin/GetPlayersInSegment": Row(T, lambda t: {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 1}),
    "/Server/GetPlayersInSegment": Row(T, lambda t: {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 1}),
    "/Client/UpdateUserTitleDisplayName": Row(S, lambda t: {"DisplayName": fresh_display_name()}),
    "/Admin/UpdateUserTitleDisplayName": Row(
        T, lambda t: {"PlayFabId": t.playfab_id, "DisplayName": fresh_display_name()}
    ),
    "/Client/GetPlayerCombinedInfo": Row(S, player(InfoRequestParameters=COMBINED)),
    "/Server/GetPlayerCombinedInfo": Row(T, player(InfoRequestParameters=COMBINED)),
    # Player custom properties: a Client call acts on the caller's own, so another player's credential
    # reaches only its own; the target holds no property, so a Get finds none.
    "/Client/UpdatePlayerCustomProperties": Row(S, lambda t: {"Properties": [{"Name": "level", "Value": 5}]}),
    "/Server/UpdatePlayerCustomProperties": Row(T, player(Properties=[{"Name": "level", "Value": 5}])),
    "/Admin/UpdatePlayerCustomProperties": Row(T, player(Properties=[{"Name": "rank", "Value": "gold"}])),
    "/Client/GetPlayerCustomProperty": Row(
        S, lambda t: {"PropertyName": "none"}, foreign=NO_PROPERTY, legit=NO_PROPERTY
    ),
    "/Server/GetPlayerCustomProperty": Row(T, player(PropertyName="none"), legit=NO_PROPERTY),
    "/Admin/GetPlayerCustomProperty": Row(T, player(PropertyName="none"), legit=NO_PROPERTY),
    "/Client/ListPlayerCustomProperties": Row(S, lambda t: {}),
    "/Server/ListPlayerCustomProperties": Row(T, player()),
    "/Admin/ListPlayerCustomProperties": Row(T, player()),
    "/Client/DeletePlayerCustomProperties": Row(S, lambda t: {"PropertyNames": ["level"]}),
    "/Server/DeletePlayerCustomProperties": Row(T, player(PropertyNames=["level"])),
    "/Admin/DeletePlayerCustomProperties": Row(T, player(PropertyNames=["rank"])),
    # Account recovery: the target player has no email, so the title's calls find no one to mail and no
    # token; the client's answer never tells whether an email is known.
    "/Client/SendAccountRecoveryEmail": Row(Auth.NONE, lambda t: {"TitleId": TITLE_ID, "Email": "nobody@example.com"}),
    "/Admin/SendAccountRecoveryEmail": Row(
        T, lambda t: {"Email": "nobody@example.com"}, legit=Outcome("NoContactEmailAddressFound", 400)
    ),
    "/Admin/ResetPassword": Row(
        T, lambda t: {"Token": "A" * 43, "Password": "a new password"}, legit=Outcome("AuthTokenDoesNotExist", 400)
    ),
    # Statistics: a Client write is refused while the title keeps them to the Server API; a Client read
    # names no other player, and a character is looked up among the caller's own.
    "/Client/UpdatePlayerStatistics": Row(S, lambda t: STATS, foreign=CLIENT_WRITES_OFF, legit=CLIENT_WRITES_OFF),
    "/Server/UpdatePlayerStatistics": Row(T, player(**STATS)),
    "/Client/GetPlayerStatistics": Row(S, lambda t: {"StatisticNames": [STAT]}),
    "/Server/GetPlayerStatistics": Row(T, player(StatisticNames=[STAT])),
    "/Client/GetPlayerStatisticVersions": Row(S, lambda t: {"StatisticName": STAT}),
    "/Server/GetPlayerStatisticVersions": Row(T, lambda t: {"StatisticName": STAT}),
    "/Admin/GetPlayerStatisticVersions": Row(T, lambda t: {"StatisticName": STAT}),
    "/Admin/CreatePlayerStatisticDefinition": Row(
        T, lambda t: {"StatisticName": fresh_statistic(), "AggregationMethod": "Max"}
    ),
    "/Admin/UpdatePlayerStatisticDefinition": Row(
        T, lambda t: {"StatisticName": fresh_statistic(), "AggregationMethod": "Sum"}, legit=NO_STATISTIC
    ),
    "/Admin/GetPlayerStatisticDefinitions": Row(T, lambda t: {}),
    "/Admin/IncrementPlayerStatisticVersion": Row(
        T, lambda t: {"StatisticName": fresh_statistic()}, legit=NO_STATISTIC
    ),
    "/Client/GetLeaderboard": Row(S, lambda t: {**BOARD, "StartPosition": 0}),
    "/Server/GetLeaderboard": Row(T, lambda t: {**BOARD, "StartPosition": 0}),
    "/Client/GetLeaderboardAroundPlayer": Row(S, player(**BOARD)),
    "/Server/GetLeaderboardAroundUser": Row(T, player(**BOARD)),
    "/Client/UpdateCharacterStatistics": Row(
        S,
        character(CharacterStatistics={STAT: 3}),
        foreign=CLIENT_WRITES_OFF,
        legit=CLIENT_WRITES_OFF,
    ),
    "/Server/UpdateCharacterStatistics": Row(T, character(CharacterStatistics={STAT: 3})),
    "/Client/GetCharacterStatistics": Row(S, character(), foreign=NO_CHARACTER),
    "/Server/GetCharacterStatistics": Row(T, character()),
    "/Client/GetCharacterLeaderboard": Row(S, lambda t: {**BOARD, "StartPosition": 0}),
    "/Server/GetCharacterLeaderboard": Row(T, lambda t: {**BOARD, "StartPosition": 0}),
    "/Client/GetLeaderboardAroundCharacter": Row(S, character(**BOARD), foreign=NO_CHARACTER),
    "/Server/GetLeaderboardAroundCharacter": Row(T, character(**BOARD)),
    "/Client/GetLeaderboardForUserCharacters": Row(S, lambda t: BOARD),
    "/Server/GetLeaderboardForUserCharacters": Row(T, player(**BOARD)),
    # Bans and deletion act on the target's friend, so a hostile request that gets through (a huge
    # CustomTags is accepted) leaves the target itself able to call; unknown BanIds are skipped.
    **{
        f"/{api}/{method}": Row(T, body)
        for api in ("Admin", "Server")
        for method, body in (
            ("BanUsers", lambda t: {"Bans": [{"PlayFabId": t.friend_id, "DurationInHours": 1, "Reason": "spam"}]}),
            ("GetUserBans", player()),
            ("UpdateBans", lambda t: {"Bans": [{"BanId": unknown_ban_id(t), "Reason": "cheating"}]}),
            ("RevokeBans", lambda t: {"BanIds": [unknown_ban_id(t)]}),
            ("RevokeAllBansForUser", player()),
            ("DeletePlayer", lambda t: {"PlayFabId": t.friend_id}),
        )
    },
    # Server functions: Echo (tests/support/server_functions.py) writes nothing. A player runs one for its own
    # entity only; the Client call runs for the caller, whoever sent it.
    "/CloudScript/ExecuteFunction": Row(E, entity(FunctionName="Echo", FunctionParameter={"n": 1}), foreign=FORBIDDEN),
    "/Client/ExecuteCloudScript": Row(S, lambda t: {"FunctionName": "Echo", "FunctionParameter": {"n": 1}}),
    "/Server/ExecuteCloudScript": Row(T, player(FunctionName="Echo", FunctionParameter={"n": 1})),
    # Title-wide data is the title's: players read title and publisher data, only the title writes.
    "/Client/GetTitleData": Row(S, lambda t: {"Keys": ["k"]}),
    "/Server/GetTitleData": Row(T, lambda t: {"Keys": ["k"]}),
    "/Admin/GetTitleData": Row(T, lambda t: {"Keys": ["k"], "OverrideLabel": "label"}),
    "/Server/SetTitleData": Row(T, lambda t: {"Key": "k", "Value": "v"}),
    "/Admin/SetTitleData": Row(T, lambda t: {"Key": "k", "Value": "v"}),
    "/Server/GetTitleInternalData": Row(T, lambda t: {}),
    "/Admin/GetTitleInternalData": Row(T, lambda t: {}),
    "/Server/SetTitleInternalData": Row(T, lambda t: {"Key": "k", "Value": "v"}),
    "/Admin/SetTitleInternalData": Row(T, lambda t: {"Key": "k", "Value": "v"}),
    "/Client/GetPublisherData": Row(S, lambda t: {"Keys": ["k"]}),
    "/Server/GetPublisherData": Row(T, lambda t: {"Keys": ["k"]}),
    "/Admin/GetPublisherData": Row(T, lambda t: {"Keys": ["k"]}),
    "/Server/SetPublisherData": Row(T, lambda t: {"Key": "k", "Value": "v"}),
    "/Admin/SetPublisherData": Row(T, lambda t: {"Key": "k", "Value": "v"}),
    "/Client/GetTime": Row(S, lambda t: {}),
    "/Server/GetTime": Row(T, lambda t: {}),
    # Events: a Client call writes the caller's own; a player's entity token may name only its own
    # entities, so another player's is refused.
    "/Client/WritePlayerEvent": Row(S, lambda t: {"EventName": "test_event", "Body": {"k": 1}}),
    "/Server/WritePlayerEvent": Row(T, player(EventName="test_event", Body={"k": 1})),
    "/Client/WriteCharacterEvent": Row(
        S, lambda t: {"CharacterId": t.character_id, "EventName": "test_event"}, foreign=NO_CHARACTER
    ),
    "/Server/WriteCharacterEvent": Row(T, character(EventName="test_event")),
    "/Client/WriteTitleEvent": Row(S, lambda t: {"EventName": "test_event"}),
    "/Server/WriteTitleEvent": Row(T, lambda t: {"EventName": "test_event"}),
    "/Event/WriteEvents": Row(
        E,
        lambda t: {"Events": [{"Entity": t.entity, "EventNamespace": "custom.test", "Name": "e", "Payload": {"k": 1}}]},
        foreign=Outcome("EventEntityNotAllowed", 400),
    ),
    "/Admin/ext-ReadEvents": Row(T, player(Count=10)),
    "/Admin/ext-GetPlayerSharedGroups": Row(T, player()),
    "/Admin/ext-ReadKeyHistory": Row(T, player(Target="UserData", Key="k", Count=10)),
    # No entry has this id: the title's own request is answered with VersionNotFound.
    "/Admin/ext-RestoreKeyHistory": Row(
        T, player(Target="UserData", Key="k", EntryId="0" * 32), legit=Outcome("VersionNotFound", 400)
    ),
}
