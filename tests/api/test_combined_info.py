"""InfoRequestParameters on a login, and Client/Server GetPlayerCombinedInfo: PlayFab's InfoResultPayload."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from playfab import PlayFabClientAPI, PlayFabServerAPI

from tests.support import sdk
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import TITLE_ID

EVERY_PART = {
    "GetUserAccountInfo": True,
    "GetUserInventory": True,
    "GetUserVirtualCurrency": True,
    "GetUserData": True,
    "GetUserReadOnlyData": True,
    "GetCharacterInventories": True,
    "GetCharacterList": True,
    "GetTitleData": True,
    "GetPlayerStatistics": True,
    "GetPlayerProfile": True,
}


def _refused(api, request) -> dict:
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(api, request)
    return err.value.error


def test_a_login_brings_back_every_part_asked_for(pf):
    custom_id = f"ci-{uuid.uuid4()}"
    login = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": custom_id, "CreateAccount": True, "InfoRequestParameters": EVERY_PART},
    )
    payload = login["InfoResultPayload"]
    account = payload.pop("AccountInfo")
    assert account["PlayFabId"] == login["PlayFabId"]
    assert account["CustomIdInfo"] == {"CustomId": custom_id}
    assert account["TitleInfo"]["TitlePlayerAccount"] == login["EntityToken"]["Entity"]
    # Title data is the title's: whatever the suite's other tests have set (tests/api/test_title_data.py).
    assert payload.pop("TitleData") == sdk.call(PlayFabServerAPI.GetTitleData, {})["Data"]
    # Parts this backend keeps nothing for are answered as for a title that has none.
    assert payload == {
        "UserInventory": [],
        "UserVirtualCurrency": {},
        "UserVirtualCurrencyRechargeTimes": {},
        "UserData": {},
        "UserDataVersion": 0,
        "UserReadOnlyData": {},
        "UserReadOnlyDataVersion": 0,
        "CharacterList": [],
        "CharacterInventories": [],
        "PlayerStatistics": [],
        "PlayerProfile": {"PlayerId": login["PlayFabId"], "TitleId": TITLE_ID},
    }


def test_only_the_parts_asked_for_come_back(pf):
    login = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": f"ci-{uuid.uuid4()}", "CreateAccount": True, "InfoRequestParameters": {"GetCharacterList": True}},
    )
    assert login["InfoResultPayload"] == {"CharacterList": [], "UserDataVersion": 0, "UserReadOnlyDataVersion": 0}
    # A login without InfoRequestParameters carries no payload at all.
    plain = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": f"ci-{uuid.uuid4()}", "CreateAccount": True})
    assert "InfoResultPayload" not in plain


def _player_with_data():
    player = new_player()
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"open": "1", "other": "2"}, "Permission": "Public"})
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"secret": "3"}})
    ticket = player.ticket
    sdk.session(None)
    sdk.call(PlayFabServerAPI.UpdateUserReadOnlyData, {"PlayFabId": player.playfab_id, "Data": {"rank": "gold"}})
    grant = {"PlayFabId": player.playfab_id, "CharacterName": "Hero", "CharacterType": "Knight"}
    character = sdk.call(PlayFabServerAPI.GrantCharacterToUser, grant)["CharacterId"]
    sdk.session(ticket, player.entity_token)
    return player, character


def test_client_combined_info_reads_the_data_engine_and_the_character_list(pf):
    player, character = _player_with_data()
    asked = {
        "GetUserData": True,
        "UserDataKeys": ["open", "secret"],
        "GetUserReadOnlyData": True,
        "GetCharacterList": True,
    }
    answer = sdk.call(PlayFabClientAPI.GetPlayerCombinedInfo, {"InfoRequestParameters": asked})
    assert answer["PlayFabId"] == player.playfab_id
    payload = answer["InfoResultPayload"]
    assert set(payload["UserData"]) == {"open", "secret"}
    assert payload["UserData"]["open"]["Value"] == "1" and payload["UserData"]["open"]["Permission"] == "Public"
    assert payload["UserData"]["secret"]["Permission"] == "Private"
    assert payload["UserDataVersion"] == 2
    assert {k: v["Value"] for k, v in payload["UserReadOnlyData"].items()} == {"rank": "gold"}
    assert payload["UserReadOnlyDataVersion"] == 1
    assert payload["CharacterList"] == [{"CharacterId": character, "CharacterName": "Hero", "CharacterType": "Knight"}]


def test_another_players_combined_info_shows_public_keys_and_no_private_info(pf):
    target, _ = _player_with_data()
    new_player()
    asked = {"GetUserAccountInfo": True, "GetUserData": True}
    answer = sdk.call(
        PlayFabClientAPI.GetPlayerCombinedInfo, {"PlayFabId": target.playfab_id, "InfoRequestParameters": asked}
    )
    payload = answer["InfoResultPayload"]
    assert set(payload["UserData"]) == {"open", "other"}
    assert set(payload["AccountInfo"]) == {"PlayFabId", "Created", "TitleInfo"}


def test_server_combined_info_sees_everything(pf):
    target, _ = _player_with_data()
    sdk.session(None)
    asked = {"GetUserAccountInfo": True, "GetUserData": True, "GetPlayerProfile": True}
    answer = sdk.call(
        PlayFabServerAPI.GetPlayerCombinedInfo, {"PlayFabId": target.playfab_id, "InfoRequestParameters": asked}
    )
    payload = answer["InfoResultPayload"]
    assert answer["PlayFabId"] == target.playfab_id
    assert set(payload["UserData"]) == {"open", "other", "secret"}
    assert "CustomIdInfo" in payload["AccountInfo"]
    assert payload["PlayerProfile"] == {"PlayerId": target.playfab_id, "TitleId": TITLE_ID}


def test_combined_info_refusals(pf):
    new_player()
    error = _refused(PlayFabClientAPI.GetPlayerCombinedInfo, {})
    assert (error["error"], error["errorCode"]) == ("InvalidParams", 1000)
    assert error["errorDetails"] == {"InfoRequestParameters": ["The InfoRequestParameters field is required."]}
    error = _refused(
        PlayFabClientAPI.GetPlayerCombinedInfo,
        {"PlayFabId": "0000000000000000", "InfoRequestParameters": {"GetUserData": True}},
    )
    assert (error["code"], error["error"], error["errorCode"]) == (400, "AccountNotFound", 1001)
    error = _refused(
        PlayFabClientAPI.GetPlayerCombinedInfo,
        {"InfoRequestParameters": {"GetPlayerProfile": True, "ProfileConstraints": {"ShowCreated": True}}},
    )
    assert (error["error"], error["errorCode"]) == ("RequestViewConstraintParamsNotAllowed", 1303)
    sdk.session(None)
    error = _refused(
        PlayFabServerAPI.GetPlayerCombinedInfo, {"PlayFabId": "0000000000000000", "InfoRequestParameters": {}}
    )
    assert (error["error"], error["errorCode"]) == ("AccountNotFound", 1001)
    # The title may ask for any profile field.
    error = _refused(PlayFabServerAPI.GetPlayerCombinedInfo, {"InfoRequestParameters": {}})
    assert error["errorDetails"] == {"PlayFabId": ["The PlayFabId field is required."]}


def test_a_login_asking_for_a_profile_field_clients_may_not_see_creates_no_account(pf):
    custom_id = f"ci-{uuid.uuid4()}"
    asked = {"GetPlayerProfile": True, "ProfileConstraints": {"ShowLastLogin": True}}
    error = _refused(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": custom_id, "CreateAccount": True, "InfoRequestParameters": asked},
    )
    assert (error["code"], error["error"], error["errorCode"]) == (400, "RequestViewConstraintParamsNotAllowed", 1303)
    error = _refused(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id})
    assert error["error"] == "AccountNotFound"


def test_a_wrongly_typed_flag_is_invalid_params_naming_it(pf):
    error = _refused(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": f"ci-{uuid.uuid4()}", "CreateAccount": True, "InfoRequestParameters": {"GetUserData": "yes"}},
    )
    assert error["errorDetails"] == {"InfoRequestParameters.GetUserData": ["The field GetUserData must be a boolean."]}


def test_only_the_servers_login_may_ask_for_profile_fields_clients_may_not_see(tmp_path):
    """The check sits in the one login flow every login shares; the server custom id login is exempt."""
    from shared.auth.logins import LoginKind
    from shared.auth.tokens import Signer
    from shared.config.settings import load_settings
    from shared.features import identity
    from shared.services import Services
    from shared.storage.sqlite import SQLiteStore
    from shared.wire.errors import PlayFabError
    from shared.wire.validation import LoginRequest
    from tests.support.server import SIGNING_KEY, base_env

    asked = {"GetPlayerProfile": True, "ProfileConstraints": {"ShowCreated": True}}
    req = LoginRequest.model_validate({"TitleId": TITLE_ID, "CreateAccount": True, "InfoRequestParameters": asked})

    async def run() -> None:
        store = SQLiteStore(tmp_path / "logins.sqlite3")
        services = Services(load_settings(base_env(tmp_path)), store, Signer((SIGNING_KEY,), TITLE_ID))
        try:
            result = await identity.login(services, req, LoginKind.SERVER_CUSTOM_ID, "game-server-1")
            assert set(result["InfoResultPayload"]["PlayerProfile"]) == {"PlayerId", "TitleId", "Created"}
            with pytest.raises(PlayFabError) as err:
                await identity.login(services, req, LoginKind.CUSTOM_ID, "client-1")
            assert err.value.name == "RequestViewConstraintParamsNotAllowed"
        finally:
            await store.close()

    asyncio.run(run())


def test_a_returning_login_brings_back_the_display_name_in_its_profile(pf):
    custom_id, name = f"ci-{uuid.uuid4()}", f"ci{uuid.uuid4().hex[:18]}"
    sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id, "CreateAccount": True})
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    asked = {"GetPlayerProfile": True, "ProfileConstraints": {"ShowDisplayName": True}}
    login = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id, "InfoRequestParameters": asked})
    assert login["NewlyCreated"] is False
    assert login["InfoResultPayload"]["PlayerProfile"] == {
        "PlayerId": login["PlayFabId"],
        "TitleId": TITLE_ID,
        "DisplayName": name,
    }
