"""Client/LoginWithCustomID through the official Python SDK."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import playfab.PlayFabSettings as settings
import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _parse(ts: str) -> datetime:
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def test_login_creates_then_finds_the_same_account(pf):
    custom_id = f"player-{uuid.uuid4()}"
    first = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id, "CreateAccount": True})
    assert first["NewlyCreated"] is True
    assert re.fullmatch(r"[0-9A-F]{16}", first["PlayFabId"])
    assert first["SessionTicket"] and settings._internalSettings.ClientSessionTicket == first["SessionTicket"]
    token = first["EntityToken"]
    assert set(token) == {"EntityToken", "TokenExpiration", "Entity"}
    assert token["Entity"]["Type"] == "title_player_account"
    assert token["Entity"]["Id"] != first["PlayFabId"]
    assert ISO_UTC.match(token["TokenExpiration"])
    assert _parse(token["TokenExpiration"]) > datetime.now(UTC) + timedelta(hours=1)
    assert settings._internalSettings.EntityToken == token["EntityToken"]
    assert "SettingsForUser" not in first and "LastLoginTime" not in first

    again = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id, "CreateAccount": True})
    assert again["NewlyCreated"] is False
    assert again["PlayFabId"] == first["PlayFabId"]
    assert again["EntityToken"]["Entity"] == token["Entity"]
    assert again["SessionTicket"] != first["SessionTicket"]
    assert abs(_parse(again["LastLoginTime"]) - datetime.now(UTC)) < timedelta(minutes=1)

    without_create = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id})
    assert without_create["PlayFabId"] == first["PlayFabId"]


def test_distinct_custom_ids_are_distinct_players(pf):
    a, b = new_player(), new_player()
    assert a.playfab_id != b.playfab_id and a.entity_id != b.entity_id


def test_unknown_custom_id_without_create_account_is_account_not_found(pf):
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": f"nobody-{uuid.uuid4()}", "CreateAccount": False})
    assert err.value.error == {
        "code": 400,
        "status": "BadRequest",
        "error": "AccountNotFound",
        "errorCode": 1001,
        "errorMessage": "User not found.",
    }


def test_wrong_title_id_is_invalid_title_id(pf):
    settings.TitleId = "SOMEOTHERTITLE"
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": "x", "CreateAccount": True})
    assert err.value.error["code"] == 400
    assert err.value.error["status"] == "BadRequest"
    assert err.value.error["error"] == "InvalidTitleId"
    assert err.value.error["errorCode"] == 1004
    assert err.value.error["errorDetails"] == {"TitleId": ["unknown title"]}


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"CreateAccount": True}, "CustomId"),
        ({"CustomId": "", "CreateAccount": True}, "CustomId"),
        ({"CustomId": 12345, "CreateAccount": True}, "CustomId"),
        ({"CustomId": "x" * 101, "CreateAccount": True}, "CustomId"),
        ({"CustomId": "abc", "CreateAccount": "yes"}, "CreateAccount"),
    ],
)
def test_bad_login_parameters_are_invalid_params_naming_the_field(pf, request_body, field):
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(PlayFabClientAPI.LoginWithCustomID, request_body)
    assert err.value.error["error"] == "InvalidParams"
    assert err.value.error["errorCode"] == 1000
    assert err.value.error["code"] == 400
    assert list(err.value.error["errorDetails"]) == [field]
    assert all(isinstance(m, str) and m for m in err.value.error["errorDetails"][field])


def test_concurrent_first_logins_with_one_custom_id_make_one_account(server):
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.server import TITLE_ID

    custom_id = f"race-{uuid.uuid4()}"
    body = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: server.post("/Client/LoginWithCustomID", body).json(), range(8)))
    assert all(a["code"] == 200 for a in answers), answers
    assert len({a["data"]["PlayFabId"] for a in answers}) == 1
    assert sum(a["data"]["NewlyCreated"] for a in answers) == 1
