"""PlayFab's PlayerProfileModel, shown as ProfileConstraints ask: Client, Server and Admin GetPlayerProfile.

Without constraints a profile shows the player's display name only (with PlayerId and TitleId, which
every profile carries). A Client call may ask only for what the title allows clients to see
(CLIENT_PROFILE_OPTIONS, PlayFab's "Client Profile Options"); Server and Admin calls may ask for any.
"""

from __future__ import annotations

from typing import Any, Final

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.auth.logins import LoginKind, linked
from shared.config.clock import iso
from shared.features import statistic_values
from shared.features.account_info import ban_state
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import ClientGetPlayerProfileRequest, GetPlayerProfileRequest, PlayerProfileViewConstraints

DISPLAY_NAME_ONLY: Final = PlayerProfileViewConstraints(ShowDisplayName=True)

# PlayFab's LoginIdentityProvider for each login identity a profile lists under LinkedAccounts.
_PLATFORM: Final[dict[LoginKind, str]] = {
    LoginKind.CUSTOM_ID: "Custom",
    LoginKind.ANDROID_DEVICE_ID: "AndroidDevice",
    LoginKind.IOS_DEVICE_ID: "IOSDevice",
    LoginKind.SERVER_CUSTOM_ID: "CustomServer",
}

# PlayerProfileModel's parts this backend keeps none of yet: shown empty when asked for.
_EMPTY_LISTS: Final[dict[str, str]] = {
    "ShowCampaignAttributions": "AdCampaignAttributions",
    "ShowContactEmailAddresses": "ContactEmailAddresses",
    "ShowExperimentVariants": "ExperimentVariants",
    "ShowLocations": "Locations",
    "ShowMemberships": "Memberships",
    "ShowPushNotificationRegistrations": "PushNotificationRegistrations",
    "ShowTags": "Tags",
    "ShowValuesToDate": "ValuesToDate",
}


def _platform(kind: LoginKind) -> str | None:
    return "PlayFab" if kind in (LoginKind.USERNAME, LoginKind.EMAIL) else _PLATFORM.get(kind)


def origination(account: dict[str, Any]) -> str | None:
    """PlayerProfileModel names the first identity as a LoginIdentityProvider (UserAccountInfo has its own enum)."""
    for kind in linked(account):
        if (platform := _platform(kind)) is not None:
            return platform
    return None


def check_client_constraints(services: Services, constraints: PlayerProfileViewConstraints | None) -> None:
    """Refuse a Client call asking for a profile field the title does not let clients see."""
    if constraints is None:
        return
    allowed = set(services.settings.client_profile_options)
    asked = [name for name, value in constraints if value and name not in allowed]
    if asked:
        raise PlayFabError(
            "RequestViewConstraintParamsNotAllowed",
            "Invalid view constraints: the title does not allow clients to request " + ", ".join(asked) + ".",
            {"ProfileConstraints": [f"{name} is not allowed for clients" for name in asked]},
        )


def linked_accounts(account: dict[str, Any], private: bool) -> list[dict[str, Any]]:
    logins = linked(account)
    entries: list[dict[str, Any]] = []
    if LoginKind.USERNAME in logins or LoginKind.EMAIL in logins:
        entry: dict[str, Any] = {"Platform": "PlayFab", "PlatformUserId": account["PlayFabId"]}
        if LoginKind.USERNAME in logins:
            entry["Username"] = logins[LoginKind.USERNAME]
        if private and LoginKind.EMAIL in logins:
            entry["Email"] = logins[LoginKind.EMAIL]
        entries.append(entry)
    for kind, platform in _PLATFORM.items():
        if kind in logins:
            # Another player's custom or device id would log its holder in: only the platform is shown.
            entries.append(
                {"Platform": platform, "PlatformUserId": logins[kind]} if private else {"Platform": platform}
            )
    return entries


async def player_profile(
    services: Services,
    account: dict[str, Any],
    constraints: PlayerProfileViewConstraints | None,
    *,
    private: bool = True,
) -> dict[str, Any]:
    """The account as PlayerProfileModel, with the fields `constraints` ask for (None: display name)."""
    show = constraints or DISPLAY_NAME_ONLY
    profile: dict[str, Any] = {"PlayerId": account["PlayFabId"], "TitleId": services.settings.title_id}
    if show.ShowDisplayName and account.get("DisplayName"):
        profile["DisplayName"] = account["DisplayName"]
    if show.ShowCreated:
        profile["Created"] = iso(account["Created"])
    if show.ShowLastLogin and account.get("LastLogin") is not None:
        profile["LastLogin"] = iso(account["LastLogin"])
    if show.ShowOrigination and (origin := origination(account)) is not None:
        profile["Origination"] = origin
    if show.ShowBannedUntil:
        ban = await ban_state(services, account)
        if ban.banned and ban.until is not None:
            profile["BannedUntil"] = iso(ban.until)
    if show.ShowLinkedAccounts:
        profile["LinkedAccounts"] = linked_accounts(account, private)
    if show.ShowStatistics:
        values = await statistic_values.current_values(services.store, statistic_values.player(account["PlayFabId"]))
        profile["Statistics"] = [{"Name": name, "Value": value, "Version": version} for name, version, value in values]
    if show.ShowTotalValueToDateInUsd:
        profile["TotalValueToDateInUSD"] = 0
    for flag, name in _EMPTY_LISTS.items():
        if getattr(show, flag):
            profile[name] = []
    return profile


async def _profile_of(services: Services, playfab_id: str) -> dict[str, Any]:
    account = await accounts.find_account(services.store, playfab_id)
    if account is None:
        raise PlayFabError(
            "PlayerNotInGame", f"No player with PlayFabId {playfab_id} is in this title.", {"PlayFabId": [playfab_id]}
        )
    return account


async def _client_get(services: Services, caller: Caller, req: ClientGetPlayerProfileRequest) -> dict[str, Any]:
    check_client_constraints(services, req.ProfileConstraints)
    playfab_id = req.PlayFabId or caller.playfab_id
    assert playfab_id
    account = await _profile_of(services, playfab_id)
    own = playfab_id == caller.playfab_id
    return {"PlayerProfile": await player_profile(services, account, req.ProfileConstraints, private=own)}


async def _title_get(services: Services, caller: Caller, req: GetPlayerProfileRequest) -> dict[str, Any]:
    account = await _profile_of(services, req.PlayFabId)
    return {"PlayerProfile": await player_profile(services, account, req.ProfileConstraints)}


client_get_player_profile = Operation(Auth.SESSION, ClientGetPlayerProfileRequest, _client_get)
title_get_player_profile = Operation(Auth.SECRET, GetPlayerProfileRequest, _title_get)
