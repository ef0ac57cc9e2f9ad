"""Client/GetAccountInfo, Server/GetUserAccountInfo and Admin/GetUserAccountInfo through the official Python SDK."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabServerAPI

from shared.features.account_info import user_account_info
from tests.support import sdk
from tests.support.players import Player, new_player
from tests.support.sdk import PlayFabCallError

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NOT_FOUND = {"code": 400, "status": "BadRequest", "error": "AccountNotFound", "errorCode": 1001}


def _recent(ts: str) -> bool:
    at = datetime.strptime(ts.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return abs(at - datetime.now(UTC)) < timedelta(minutes=5)


def _fresh_name() -> str:
    return f"acct{uuid.uuid4().hex[:16]}"


def _player_with_custom_id() -> tuple[Player, str]:
    custom_id = f"acct-{uuid.uuid4()}"
    return new_player(custom_id), custom_id


def _refused(api, request) -> dict:
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(api, request)
    return err.value.error


def test_own_account_info_is_complete(pf):
    player, custom_id = _player_with_custom_id()
    info = sdk.call(PlayFabClientAPI.GetAccountInfo, {})["AccountInfo"]
    assert set(info) == {"PlayFabId", "Created", "TitleInfo", "PrivateInfo", "CustomIdInfo"}
    assert info["PlayFabId"] == player.playfab_id
    assert ISO_UTC.match(info["Created"]) and _recent(info["Created"])
    assert info["CustomIdInfo"] == {"CustomId": custom_id}
    assert info["PrivateInfo"] == {}  # no email linked
    title = info["TitleInfo"]
    assert set(title) == {"Created", "FirstLogin", "Origination", "LastLogin", "isBanned", "TitlePlayerAccount"}
    assert title["Created"] == info["Created"] == title["FirstLogin"]
    assert title["Origination"] == "CustomId"
    assert ISO_UTC.match(title["LastLogin"]) and _recent(title["LastLogin"])
    assert title["isBanned"] is False
    assert title["TitlePlayerAccount"] == {"Id": player.entity_id, "Type": "title_player_account"}


def test_display_name_shows_in_title_info_and_finds_the_account(pf):
    player = new_player()
    name = _fresh_name()
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    own = sdk.call(PlayFabClientAPI.GetAccountInfo, {})["AccountInfo"]
    assert own["TitleInfo"]["DisplayName"] == name
    new_player()  # another player looks the first one up by its name, in any letter case
    found = sdk.call(PlayFabClientAPI.GetAccountInfo, {"TitleDisplayName": name.upper()})["AccountInfo"]
    assert found["PlayFabId"] == player.playfab_id
    assert found["TitleInfo"]["DisplayName"] == name


def test_another_players_account_shows_no_private_info_or_login_ids(pf):
    target, _ = _player_with_custom_id()
    new_player()
    info = sdk.call(PlayFabClientAPI.GetAccountInfo, {"PlayFabId": target.playfab_id})["AccountInfo"]
    assert set(info) == {"PlayFabId", "Created", "TitleInfo"}
    assert info["PlayFabId"] == target.playfab_id
    assert info["TitleInfo"]["TitlePlayerAccount"]["Id"] == target.entity_id
    assert info["TitleInfo"]["Origination"] == "CustomId"


@pytest.mark.parametrize(
    "request_body",
    [
        {"PlayFabId": "0000000000000000"},
        {"Username": "nobody-here"},
        {"Email": "nobody@example.invalid"},
        {"TitleDisplayName": "no-such-name-x"},
    ],
)
def test_unknown_lookups_are_account_not_found(pf, request_body):
    new_player()
    error = _refused(PlayFabClientAPI.GetAccountInfo, request_body)
    assert {k: error[k] for k in NOT_FOUND} == NOT_FOUND
    assert error["errorMessage"] == "User not found."


def test_client_lookup_follows_playfab_order(pf):
    first, second = new_player(), new_player()
    name = _fresh_name()
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})  # second holds it
    # PlayFabId wins over TitleDisplayName.
    info = sdk.call(PlayFabClientAPI.GetAccountInfo, {"PlayFabId": first.playfab_id, "TitleDisplayName": name})
    assert info["AccountInfo"]["PlayFabId"] == first.playfab_id
    # Username comes before TitleDisplayName: an unknown one is not passed over.
    error = _refused(PlayFabClientAPI.GetAccountInfo, {"Username": "nobody-here", "TitleDisplayName": name})
    assert error["error"] == "AccountNotFound"
    assert sdk.call(PlayFabClientAPI.GetAccountInfo, {"TitleDisplayName": name})["AccountInfo"]["PlayFabId"] == (
        second.playfab_id
    )


def test_server_and_admin_see_the_whole_account(pf):
    player, custom_id = _player_with_custom_id()
    sdk.session(None)
    name = _fresh_name()
    sdk.call(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"PlayFabId": player.playfab_id, "DisplayName": name})
    server = sdk.call(PlayFabServerAPI.GetUserAccountInfo, {"PlayFabId": player.playfab_id})
    assert set(server) == {"UserInfo"}
    info = server["UserInfo"]
    assert info["PlayFabId"] == player.playfab_id
    assert info["CustomIdInfo"] == {"CustomId": custom_id}
    assert info["PrivateInfo"] == {}
    assert info["TitleInfo"]["DisplayName"] == name
    by_id = sdk.call(PlayFabAdminAPI.GetUserAccountInfo, {"PlayFabId": player.playfab_id})
    by_name = sdk.call(PlayFabAdminAPI.GetUserAccountInfo, {"TitleDisplayName": name})
    assert by_id == by_name == server


def test_server_and_admin_refusals(pf):
    error = _refused(PlayFabServerAPI.GetUserAccountInfo, {"PlayFabId": "0000000000000000"})
    assert {k: error[k] for k in NOT_FOUND} == NOT_FOUND
    error = _refused(PlayFabServerAPI.GetUserAccountInfo, {})
    assert (error["error"], error["errorCode"]) == ("InvalidParams", 1000)
    assert error["errorDetails"] == {"PlayFabId": ["The PlayFabId field is required."]}
    error = _refused(PlayFabAdminAPI.GetUserAccountInfo, {})
    assert (error["error"], error["errorCode"]) == ("InvalidParams", 1000)
    assert error["errorDetails"] == {
        "PlayFabId": ["The PlayFabId field is required when no Email, Username or TitleDisplayName is given."]
    }
    error = _refused(PlayFabAdminAPI.GetUserAccountInfo, {"Email": "nobody@example.invalid"})
    assert {k: error[k] for k in NOT_FOUND} == NOT_FOUND


def test_account_info_shapes_every_identity_it_keeps():
    """Identities other logins link (username, email, devices, server custom id), shaped by the one builder."""
    account = {
        "PlayFabId": "AAAA000000000001",
        "TitlePlayerAccountId": "BBBB000000000001",
        "Created": 1_700_000_000.0,
        "LastLogin": 1_700_000_100.0,
        "DisplayName": "Hero",
        "Logins": {
            "email": "Player@Example.com",
            "username": "player1",
            "android": "droid-1",
            "ios": "ios-1",
            "server": "srv-1",
        },
    }
    full = asyncio.run(user_account_info(None, account))  # type: ignore[arg-type]
    assert full == {
        "PlayFabId": "AAAA000000000001",
        "Created": "2023-11-14T22:13:20.000Z",
        "Username": "player1",
        "TitleInfo": {
            "Created": "2023-11-14T22:13:20.000Z",
            "FirstLogin": "2023-11-14T22:13:20.000Z",
            "DisplayName": "Hero",
            "Origination": "Organic",
            "LastLogin": "2023-11-14T22:15:00.000Z",
            "isBanned": False,
            "TitlePlayerAccount": {"Id": "BBBB000000000001", "Type": "title_player_account"},
        },
        "PrivateInfo": {"Email": "Player@Example.com"},
        "AndroidDeviceInfo": {"AndroidDeviceId": "droid-1"},
        "IosDeviceInfo": {"IosDeviceId": "ios-1"},
        "ServerCustomIdInfo": {"CustomId": "srv-1"},
    }
    public = asyncio.run(user_account_info(None, account, private=False))  # type: ignore[arg-type]
    assert set(public) == {"PlayFabId", "Created", "Username", "TitleInfo"}
