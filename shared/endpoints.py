"""Every endpoint the app serves, in one table: its public path, its Functions route and name, its Operation.

functions/ registers one HTTP trigger per row; the tests, the conformance document and the benchmark read
the same rows. Adding an endpoint is adding its Operation here (data families add theirs in data_api).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from shared.features import (
    account_info,
    bans,
    combined_info,
    custom_properties,
    data_api,
    device_logins,
    display_names,
    events,
    identity,
    key_history_api,
    leaderboards,
    links,
    objects,
    password_logins,
    player_deletion,
    player_profiles,
    profiles,
    recovery,
    registration,
    segments,
    server_functions,
    server_logins,
    statistics,
    title_data,
)
from shared.features import shared_groups as groups
from shared.pipeline import Operation

# The Functions host keeps every path under /admin for its own API and refuses route templates starting
# with "admin", so an Admin route starts with a parameter that matches that one segment instead.
ADMIN_SEGMENT: Final = "{api:regex(^Admin$)}"
# This project's extensions (endpoints PlayFab does not have) are named "<Api>/ext-<Method>": PlayFab's
# method names are identifiers in every SDK language, so a name with a hyphen can never become one of
# theirs. Their function names carry a double underscore ("admin_ext__read_events"), which no PlayFab
# name produces either. The conformance document (PlayFab's schemas) leaves them out.
EXTENSION_PREFIX: Final = "ext-"
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class Endpoint:
    api: str  # "Client"
    method: str  # "LoginWithCustomID"
    operation: Operation[Any]

    @property
    def path(self) -> str:
        """What callers send: "/Client/LoginWithCustomID"."""
        return f"/{self.api}/{self.method}"

    @property
    def route(self) -> str:
        """The Functions route template (the route prefix comes on top): "Client/LoginWithCustomID"."""
        return f"{ADMIN_SEGMENT if self.api == 'Admin' else self.api}/{self.method}"

    @property
    def function_name(self) -> str:
        """The function's name to the Functions host, unique per endpoint: "client_login_with_custom_id"."""
        return _WORD_BREAK.sub("_", f"{self.api}_{self.method}").lower().replace("-", "__")

    @property
    def is_extension(self) -> bool:
        """One of this project's own endpoints, not PlayFab's (EXTENSION_PREFIX)."""
        return self.method.startswith(EXTENSION_PREFIX)


# Server functions call the other operations in process; the table is read when they run.
_FUNCTIONS: Final = server_functions.Engine(lambda: _OPERATIONS)

_OPERATIONS: Final[dict[str, Operation[Any]]] = {
    "Client/LoginWithCustomID": identity.login_with_custom_id,
    "Authentication/GetEntityToken": identity.get_entity_token,
    # Device logins, links and unlinks, server custom ids, session ticket checks.
    "Client/LoginWithAndroidDeviceID": device_logins.login_with_android_device_id,
    "Client/LoginWithIOSDeviceID": device_logins.login_with_ios_device_id,
    "Client/LinkCustomID": links.link_custom_id,
    "Client/LinkAndroidDeviceID": links.link_android_device_id,
    "Client/LinkIOSDeviceID": links.link_ios_device_id,
    "Client/UnlinkCustomID": links.unlink_custom_id,
    "Client/UnlinkAndroidDeviceID": links.unlink_android_device_id,
    "Client/UnlinkIOSDeviceID": links.unlink_ios_device_id,
    "Server/LoginWithServerCustomId": server_logins.login_with_server_custom_id,
    "Server/LinkServerCustomId": server_logins.link_server_custom_id,
    "Server/UnlinkServerCustomId": server_logins.unlink_server_custom_id,
    "Server/GetServerCustomIDsFromPlayFabIDs": server_logins.get_server_custom_ids_from_playfab_ids,
    "Server/AuthenticateSessionTicket": server_logins.authenticate_session_ticket,
    # Usernames, emails and passwords.
    "Client/RegisterPlayFabUser": registration.register_playfab_user,
    "Client/LoginWithEmailAddress": password_logins.login_with_email_address,
    "Client/LoginWithPlayFab": password_logins.login_with_playfab,
    "Client/AddUsernamePassword": registration.add_username_password,
    **data_api.OPERATIONS,
    "Client/CreateSharedGroup": groups.client_create,
    "Server/CreateSharedGroup": groups.server_create,
    "Client/AddSharedGroupMembers": groups.client_add_members,
    "Server/AddSharedGroupMembers": groups.server_add_members,
    "Client/RemoveSharedGroupMembers": groups.client_remove_members,
    "Server/RemoveSharedGroupMembers": groups.server_remove_members,
    "Client/GetSharedGroupData": groups.client_get_data,
    "Server/GetSharedGroupData": groups.server_get_data,
    "Client/UpdateSharedGroupData": groups.client_update_data,
    "Server/UpdateSharedGroupData": groups.server_update_data,
    "Server/DeleteSharedGroup": groups.delete_group,
    "Admin/ext-GetPlayerSharedGroups": groups.player_groups,
    "Object/SetObjects": objects.set_objects,
    "Object/GetObjects": objects.get_objects,
    "Profile/GetProfile": profiles.get_profile,
    "Profile/GetProfiles": profiles.get_profiles,
    # Account info, player profiles, display names, combined info.
    "Client/GetAccountInfo": account_info.client_get_account_info,
    "Server/GetUserAccountInfo": account_info.server_get_user_account_info,
    "Admin/GetUserAccountInfo": account_info.admin_get_user_account_info,
    "Client/GetPlayerProfile": player_profiles.client_get_player_profile,
    "Server/GetPlayerProfile": player_profiles.title_get_player_profile,
    "Admin/GetPlayerProfile": player_profiles.title_get_player_profile,
    # Segments: "All Players" only.
    "Admin/GetAllSegments": segments.get_all_segments,
    "Server/GetAllSegments": segments.get_all_segments,
    "Admin/GetPlayersInSegment": segments.get_players_in_segment,
    "Server/GetPlayersInSegment": segments.get_players_in_segment,
    "Client/UpdateUserTitleDisplayName": display_names.client_update_display_name,
    "Admin/UpdateUserTitleDisplayName": display_names.admin_update_display_name,
    "Client/GetPlayerCombinedInfo": combined_info.client_get_player_combined_info,
    "Server/GetPlayerCombinedInfo": combined_info.server_get_player_combined_info,
    # Player custom properties: the Client acts on the calling player, Server and Admin on PlayFabId.
    "Client/UpdatePlayerCustomProperties": custom_properties.client_update,
    "Server/UpdatePlayerCustomProperties": custom_properties.title_update,
    "Admin/UpdatePlayerCustomProperties": custom_properties.title_update,
    "Client/GetPlayerCustomProperty": custom_properties.client_get,
    "Server/GetPlayerCustomProperty": custom_properties.title_get,
    "Admin/GetPlayerCustomProperty": custom_properties.title_get,
    "Client/ListPlayerCustomProperties": custom_properties.client_list,
    "Server/ListPlayerCustomProperties": custom_properties.title_list,
    "Admin/ListPlayerCustomProperties": custom_properties.title_list,
    "Client/DeletePlayerCustomProperties": custom_properties.client_delete,
    "Server/DeletePlayerCustomProperties": custom_properties.title_delete,
    "Admin/DeletePlayerCustomProperties": custom_properties.title_delete,
    # Account recovery (the reset page the email links to: functions/reset_page.py).
    "Client/SendAccountRecoveryEmail": recovery.client_send_account_recovery_email,
    "Admin/SendAccountRecoveryEmail": recovery.admin_send_account_recovery_email,
    "Admin/ResetPassword": recovery.admin_reset_password,
    # Bans and player deletion: the Admin API and its Server twins take the same requests.
    "Admin/BanUsers": bans.ban_users,
    "Server/BanUsers": bans.ban_users,
    "Admin/GetUserBans": bans.get_user_bans,
    "Server/GetUserBans": bans.get_user_bans,
    "Admin/UpdateBans": bans.update_bans,
    "Server/UpdateBans": bans.update_bans,
    "Admin/RevokeBans": bans.revoke_bans,
    "Server/RevokeBans": bans.revoke_bans,
    "Admin/RevokeAllBansForUser": bans.revoke_all_bans_for_user,
    "Server/RevokeAllBansForUser": bans.revoke_all_bans_for_user,
    "Admin/DeletePlayer": player_deletion.delete_player_operation,
    "Server/DeletePlayer": player_deletion.delete_player_operation,
    # Server functions (the studio's, from SERVER_FUNCTION_MODULES).
    "CloudScript/ExecuteFunction": _FUNCTIONS.execute_function,
    "Client/ExecuteCloudScript": _FUNCTIONS.client_execute_cloud_script,
    "Server/ExecuteCloudScript": _FUNCTIONS.server_execute_cloud_script,
    # Title data, internal title data, publisher data (one engine, a policy per kind) and GetTime.
    **title_data.OPERATIONS,
    # Events: PlayStream's classic calls, the entity batch, and this project's way to read them back.
    "Client/WritePlayerEvent": events.client_write_player_event,
    "Server/WritePlayerEvent": events.server_write_player_event,
    "Client/WriteCharacterEvent": events.client_write_character_event,
    "Server/WriteCharacterEvent": events.server_write_character_event,
    "Client/WriteTitleEvent": events.client_write_title_event,
    "Server/WriteTitleEvent": events.server_write_title_event,
    "Event/WriteEvents": events.write_events,
    "Admin/ext-ReadEvents": events.read_events,
    # Statistics, their definitions and versions, and leaderboards.
    "Client/UpdatePlayerStatistics": statistics.client_update_player_statistics,
    "Server/UpdatePlayerStatistics": statistics.server_update_player_statistics,
    "Client/GetPlayerStatistics": statistics.client_get_player_statistics,
    "Server/GetPlayerStatistics": statistics.server_get_player_statistics,
    "Client/GetPlayerStatisticVersions": statistics.client_get_player_statistic_versions,
    "Server/GetPlayerStatisticVersions": statistics.title_get_player_statistic_versions,
    "Admin/GetPlayerStatisticVersions": statistics.admin_get_player_statistic_versions,
    "Admin/CreatePlayerStatisticDefinition": statistics.create_player_statistic_definition,
    "Admin/UpdatePlayerStatisticDefinition": statistics.update_player_statistic_definition,
    "Admin/GetPlayerStatisticDefinitions": statistics.get_player_statistic_definitions,
    "Admin/IncrementPlayerStatisticVersion": statistics.increment_player_statistic_version,
    "Client/GetLeaderboard": leaderboards.client_get_leaderboard,
    "Server/GetLeaderboard": leaderboards.server_get_leaderboard,
    "Client/GetLeaderboardAroundPlayer": leaderboards.client_get_leaderboard_around_player,
    "Server/GetLeaderboardAroundUser": leaderboards.server_get_leaderboard_around_user,
    "Client/UpdateCharacterStatistics": statistics.client_update_character_statistics,
    "Server/UpdateCharacterStatistics": statistics.server_update_character_statistics,
    "Client/GetCharacterStatistics": statistics.client_get_character_statistics,
    "Server/GetCharacterStatistics": statistics.server_get_character_statistics,
    "Client/GetCharacterLeaderboard": leaderboards.client_get_character_leaderboard,
    "Server/GetCharacterLeaderboard": leaderboards.server_get_character_leaderboard,
    "Client/GetLeaderboardAroundCharacter": leaderboards.client_get_leaderboard_around_character,
    "Server/GetLeaderboardAroundCharacter": leaderboards.server_get_leaderboard_around_character,
    "Client/GetLeaderboardForUserCharacters": leaderboards.client_get_leaderboard_for_user_characters,
    "Server/GetLeaderboardForUserCharacters": leaderboards.server_get_leaderboard_for_user_characters,
    "Admin/ext-ReadKeyHistory": key_history_api.read_key_history,
    "Admin/ext-RestoreKeyHistory": key_history_api.restore_key_history,
}


def _endpoint(name: str, operation: Operation[Any]) -> Endpoint:
    api, _, method = name.partition("/")
    return Endpoint(api, method, operation)


ENDPOINTS: Final[tuple[Endpoint, ...]] = tuple(_endpoint(name, op) for name, op in _OPERATIONS.items())
# "/Client/LoginWithCustomID" -> its endpoint.
BY_PATH: Final[dict[str, Endpoint]] = {endpoint.path: endpoint for endpoint in ENDPOINTS}
