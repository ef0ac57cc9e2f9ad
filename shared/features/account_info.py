"""PlayFab's UserAccountInfo of a player: what GetAccountInfo, GetUserAccountInfo and logins show.

Client/GetAccountInfo, Server/GetUserAccountInfo and Admin/GetUserAccountInfo live here too. A player
sees all of its own account; another player's shows no private info and no login ids: a custom id or
device id is what LoginWithCustomID and the device logins take, so showing it would hand out the account.
"""

from __future__ import annotations

from typing import Any, Final

from shared.auth import accounts, bans_in_force
from shared.auth.bans_in_force import BanState
from shared.auth.caller import ENTITY_TITLE_PLAYER, Auth, Caller
from shared.auth.logins import LoginKind, holder, linked
from shared.config.clock import iso, now
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import GetAccountInfoRequest, GetUserAccountInfoRequest, LookupUserAccountInfoRequest

# How PlayFab's UserOrigination names the identity an account was created with.
ORIGINATION: Final[dict[LoginKind, str]] = {
    LoginKind.CUSTOM_ID: "CustomId",
    LoginKind.ANDROID_DEVICE_ID: "Android",
    LoginKind.IOS_DEVICE_ID: "IOS",
    LoginKind.SERVER_CUSTOM_ID: "ServerCustomId",
    LoginKind.USERNAME: "Organic",
    LoginKind.EMAIL: "Organic",
}

# Login ids shown only to the player itself and to the title: each is a credential of its own.
_ID_INFO: Final[dict[LoginKind, tuple[str, str]]] = {
    LoginKind.CUSTOM_ID: ("CustomIdInfo", "CustomId"),
    LoginKind.ANDROID_DEVICE_ID: ("AndroidDeviceInfo", "AndroidDeviceId"),
    LoginKind.IOS_DEVICE_ID: ("IosDeviceInfo", "IosDeviceId"),
    LoginKind.SERVER_CUSTOM_ID: ("ServerCustomIdInfo", "CustomId"),
}


async def ban_state(services: Services, account: dict[str, Any]) -> BanState:
    """Whether the player is banned now: the one place account info and profiles ask."""
    return bans_in_force.state(account, now())


def origination(account: dict[str, Any]) -> str | None:
    """The identity the account was made with: the first it lists (accounts are created with one)."""
    for kind in linked(account):
        if kind in ORIGINATION:
            return ORIGINATION[kind]
    return None


async def user_account_info(services: Services, account: dict[str, Any], *, private: bool = True) -> dict[str, Any]:
    """The account as PlayFab's UserAccountInfo shapes it; `private=False` for another player's eyes."""
    logins = linked(account)
    created = iso(account["Created"])
    title_info: dict[str, Any] = {"Created": created, "FirstLogin": created}
    if account.get("DisplayName"):
        title_info["DisplayName"] = account["DisplayName"]
    if (origin := origination(account)) is not None:
        title_info["Origination"] = origin
    if account.get("LastLogin") is not None:
        title_info["LastLogin"] = iso(account["LastLogin"])
    title_info["isBanned"] = (await ban_state(services, account)).banned
    title_info["TitlePlayerAccount"] = {"Id": account["TitlePlayerAccountId"], "Type": ENTITY_TITLE_PLAYER}
    info: dict[str, Any] = {"PlayFabId": account["PlayFabId"], "Created": created}
    if LoginKind.USERNAME in logins:
        info["Username"] = logins[LoginKind.USERNAME]
    info["TitleInfo"] = title_info
    if private:
        info["PrivateInfo"] = {"Email": logins[LoginKind.EMAIL]} if LoginKind.EMAIL in logins else {}
        for kind, (name, field) in _ID_INFO.items():
            if kind in logins:
                info[name] = {field: logins[kind]}
    return info


def _not_found() -> PlayFabError:
    return PlayFabError("AccountNotFound", "User not found.")


async def _find(services: Services, req: GetAccountInfoRequest) -> str | None:
    """The PlayFabId the request names, in PlayFab's order: PlayFabId, Username, Email, TitleDisplayName."""
    if req.PlayFabId:
        return req.PlayFabId
    store = services.store
    if req.Username:
        return await holder(store, LoginKind.USERNAME, req.Username)
    if req.Email:
        return await holder(store, LoginKind.EMAIL, req.Email)
    if req.TitleDisplayName:
        # With duplicate names allowed there is no lookup to follow: PlayFab answers AccountNotFound.
        if services.settings.allow_duplicate_display_names:
            return None
        return await holder(store, LoginKind.DISPLAY_NAME, req.TitleDisplayName)
    return None


async def _account_of(services: Services, playfab_id: str | None) -> dict[str, Any]:
    account = await accounts.find_account(services.store, playfab_id) if playfab_id else None
    if account is None:
        raise _not_found()
    return account


async def _client_get(services: Services, caller: Caller, req: GetAccountInfoRequest) -> dict[str, Any]:
    named = req.PlayFabId or req.Username or req.Email or req.TitleDisplayName
    playfab_id = await _find(services, req) if named else caller.playfab_id
    account = await _account_of(services, playfab_id)
    own = account["PlayFabId"] == caller.playfab_id
    return {"AccountInfo": await user_account_info(services, account, private=own)}


async def _server_get(services: Services, caller: Caller, req: GetUserAccountInfoRequest) -> dict[str, Any]:
    account = await _account_of(services, req.PlayFabId)
    return {"UserInfo": await user_account_info(services, account)}


async def _admin_get(services: Services, caller: Caller, req: LookupUserAccountInfoRequest) -> dict[str, Any]:
    if not (req.PlayFabId or req.Username or req.Email or req.TitleDisplayName):
        raise PlayFabError(
            "InvalidParams",
            "Invalid input parameters",
            {"PlayFabId": ["The PlayFabId field is required when no Email, Username or TitleDisplayName is given."]},
        )
    account = await _account_of(services, await _find(services, req))
    return {"UserInfo": await user_account_info(services, account)}


client_get_account_info = Operation(Auth.SESSION, GetAccountInfoRequest, _client_get)
server_get_user_account_info = Operation(Auth.SECRET, GetUserAccountInfoRequest, _server_get)
admin_get_user_account_info = Operation(Auth.SECRET, LookupUserAccountInfoRequest, _admin_get)
