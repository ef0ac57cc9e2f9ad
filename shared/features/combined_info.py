"""What a login's InfoRequestParameters and GetPlayerCombinedInfo bring back: PlayFab's InfoResultPayload.

Each part comes from the module that keeps it (account info, the custom-data engine, characters,
player profiles, title data, statistics). Parts this backend keeps nothing for (inventories, virtual
currency) are answered as PlayFab answers a title that has none: empty lists and maps.
"""

from __future__ import annotations

from typing import Any, Final

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.features import characters, custom_data, statistic_values, title_data
from shared.features.account_info import user_account_info
from shared.features.data_families import FAMILIES, PUBLIC_ONLY
from shared.features.player_profiles import check_client_constraints, player_profile
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    ClientGetPlayerCombinedInfoRequest,
    DataQuery,
    GetPlayerCombinedInfoRequest,
    GetPlayerCombinedInfoRequestParams,
)

_USER_DATA: Final = next(f for f in FAMILIES if f.api_name == "User")
_READ_ONLY_DATA: Final = next(f for f in FAMILIES if f.api_name == "UserReadOnly")


async def payload(
    services: Services,
    playfab_id: str,
    params: GetPlayerCombinedInfoRequestParams,
    *,
    own: bool = True,
    account: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The parts `params` asks for, shaped as PlayFab's GetPlayerCombinedInfoResultPayload.

    `own=False` when a player asks about another: no private account info, only Public data keys.
    """
    store = services.store
    if account is None and (params.GetUserAccountInfo or params.GetPlayerProfile):
        account = await accounts.require_account(store, playfab_id)
    visible = None if own else PUBLIC_ONLY
    result: dict[str, Any] = {}
    if params.GetUserAccountInfo:
        assert account is not None
        result["AccountInfo"] = await user_account_info(services, account, private=own)
    if params.GetUserInventory:
        result["UserInventory"] = []
    if params.GetUserVirtualCurrency:
        result["UserVirtualCurrency"] = {}
        result["UserVirtualCurrencyRechargeTimes"] = {}
    # The versions are always there (PlayFab's spec requires them), 0 when the data was not asked for.
    result["UserDataVersion"] = 0
    result["UserReadOnlyDataVersion"] = 0
    for wanted, family, keys, data_name, version_name in (
        (params.GetUserData, _USER_DATA, params.UserDataKeys, "UserData", "UserDataVersion"),
        (
            params.GetUserReadOnlyData,
            _READ_ONLY_DATA,
            params.UserReadOnlyDataKeys,
            "UserReadOnlyData",
            "UserReadOnlyDataVersion",
        ),
    ):
        if wanted:
            data = await custom_data.read(store, playfab_id, family.doc_id(), DataQuery(Keys=keys), visible)
            result[data_name] = data["Data"]
            result[version_name] = data["DataVersion"]
    if params.GetCharacterList:
        result["CharacterList"] = await characters.list_characters(store, playfab_id, check_account=False)
    if params.GetCharacterInventories:
        result["CharacterInventories"] = []
    if params.GetPlayerStatistics:
        values = await statistic_values.current_values(
            store, statistic_values.player(playfab_id), params.PlayerStatisticNames or None
        )
        result["PlayerStatistics"] = [
            {"StatisticName": name, "Value": value, "Version": version} for name, version, value in values
        ]
    if params.GetTitleData:  # the title data players see, from this process's read cache
        result["TitleData"] = await title_data.title_data(services, params.TitleDataKeys)
    if params.GetPlayerProfile:
        assert account is not None
        result["PlayerProfile"] = await player_profile(services, account, params.ProfileConstraints, private=own)
    return result


def check_client_params(services: Services, params: GetPlayerCombinedInfoRequestParams | None) -> None:
    """What a Client call (a login, Client/GetPlayerCombinedInfo) may ask of the profile."""
    if params is not None and params.GetPlayerProfile:
        check_client_constraints(services, params.ProfileConstraints)


async def _client_get(services: Services, caller: Caller, req: ClientGetPlayerCombinedInfoRequest) -> dict[str, Any]:
    check_client_params(services, req.InfoRequestParameters)
    playfab_id = req.PlayFabId or caller.playfab_id
    assert playfab_id
    own = playfab_id == caller.playfab_id
    account = await accounts.find_account(services.store, playfab_id)
    if account is None:
        raise PlayFabError("AccountNotFound", "User not found.")
    info = await payload(services, playfab_id, req.InfoRequestParameters, own=own, account=account)
    return {"PlayFabId": playfab_id, "InfoResultPayload": info}


async def _server_get(services: Services, caller: Caller, req: GetPlayerCombinedInfoRequest) -> dict[str, Any]:
    account = await accounts.require_account(services.store, req.PlayFabId)
    info = await payload(services, req.PlayFabId, req.InfoRequestParameters, account=account)
    return {"PlayFabId": req.PlayFabId, "InfoResultPayload": info}


client_get_player_combined_info = Operation(Auth.SESSION, ClientGetPlayerCombinedInfoRequest, _client_get)
server_get_player_combined_info = Operation(Auth.SECRET, GetPlayerCombinedInfoRequest, _server_get)
