"""Client/LoginWithAndroidDeviceID and Client/LoginWithIOSDeviceID through the official Python SDK."""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

import httpx
import playfab.PlayFabSettings as settings
import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.sdk import PlayFabCallError
from tests.support.server import TITLE_ID, Server

# (SDK call, the field carrying the device id, the other device fields PlayFab's request takes)
KINDS = {
    "android": (PlayFabClientAPI.LoginWithAndroidDeviceID, "AndroidDeviceId", {"AndroidDevice": "Pixel 8", "OS": "14"}),
    "ios": (PlayFabClientAPI.LoginWithIOSDeviceID, "DeviceId", {"DeviceModel": "iPhone15,2", "OS": "17.1"}),
}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _device_id() -> str:
    return f"device-{uuid.uuid4()}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_device_login_creates_then_finds_the_same_account(pf, kind):
    login, field, extra = KINDS[kind]
    device = _device_id()
    first = sdk.call(login, {field: device, "CreateAccount": True, **extra})
    assert set(first) == {"PlayFabId", "SessionTicket", "NewlyCreated", "EntityToken"}
    assert first["NewlyCreated"] is True
    assert re.fullmatch(r"[0-9A-F]{16}", first["PlayFabId"])
    assert first["SessionTicket"].startswith(first["PlayFabId"] + "-")
    assert settings._internalSettings.ClientSessionTicket == first["SessionTicket"]
    assert first["EntityToken"]["Entity"]["Type"] == "title_player_account"
    assert ISO_UTC.match(first["EntityToken"]["TokenExpiration"])

    again = sdk.call(login, {field: device})
    assert again["NewlyCreated"] is False
    assert again["PlayFabId"] == first["PlayFabId"]
    assert again["EntityToken"]["Entity"] == first["EntityToken"]["Entity"]
    assert ISO_UTC.match(again["LastLoginTime"])


def test_android_and_ios_ids_and_custom_ids_are_separate_identities(pf):
    same = _device_id()
    android = sdk.call(PlayFabClientAPI.LoginWithAndroidDeviceID, {"AndroidDeviceId": same, "CreateAccount": True})
    ios = sdk.call(PlayFabClientAPI.LoginWithIOSDeviceID, {"DeviceId": same, "CreateAccount": True})
    custom = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": same, "CreateAccount": True})
    assert ios["NewlyCreated"] is True and custom["NewlyCreated"] is True
    assert len({android["PlayFabId"], ios["PlayFabId"], custom["PlayFabId"]}) == 3


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_unknown_device_without_create_account_is_account_not_found(pf, kind):
    login, field, _ = KINDS[kind]
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(login, {field: _device_id(), "CreateAccount": False})
    assert err.value.error == {
        "code": 400,
        "status": "BadRequest",
        "error": "AccountNotFound",
        "errorCode": 1001,
        "errorMessage": "User not found.",
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_device_login_asks_for_its_title(pf, kind):
    login, field, _ = KINDS[kind]
    settings.TitleId = "SOMEOTHERTITLE"
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(login, {field: _device_id(), "CreateAccount": True})
    assert err.value.error == {
        "code": 400,
        "status": "BadRequest",
        "error": "InvalidTitleId",
        "errorCode": 1004,
        "errorMessage": "Title SOMEOTHERTITLE is not served here.",
        "errorDetails": {"TitleId": ["unknown title"]},
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "The {field} field is required."),
        ("", "The {field} field is required."),
        ("x" * 101, "The field {field} must be a string with a maximum length of 100."),
        (12345, "The field {field} must be a string."),
    ],
)
def test_a_missing_or_bad_device_id_is_invalid_params_naming_it(pf, kind, value, message):
    login, field, _ = KINDS[kind]
    request: dict[str, Any] = {"CreateAccount": True}
    if value is not None:
        request[field] = value
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(login, request)
    assert err.value.error == {
        "code": 400,
        "status": "BadRequest",
        "error": "InvalidParams",
        "errorCode": 1000,
        "errorMessage": "Invalid input parameters",
        "errorDetails": {field: [message.format(field=field)]},
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_info_request_parameters_bring_an_info_result_payload(pf, kind):
    login, field, _ = KINDS[kind]
    data = sdk.call(login, {field: _device_id(), "CreateAccount": True, "InfoRequestParameters": {}})
    assert isinstance(data["InfoResultPayload"], dict)


LOGINS = 16


def test_racing_first_logins_of_one_android_device_create_one_account(server: Server):
    """16 clients on their own connections, released together, log in with one new device id."""
    body = {"TitleId": TITLE_ID, "AndroidDeviceId": _device_id(), "CreateAccount": True}
    start = threading.Barrier(LOGINS, timeout=60)
    answers: list[Any] = [None] * LOGINS

    def client(i: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60, verify=False) as http:
            http.post("/Authentication/GetEntityToken", json={})  # the connection is open before the start
            start.wait()
            answers[i] = http.post("/Client/LoginWithAndroidDeviceID", json=body).json()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(LOGINS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None and a["code"] == 200 for a in answers), answers
    assert len({a["data"]["PlayFabId"] for a in answers}) == 1
    assert sum(a["data"]["NewlyCreated"] for a in answers) == 1
    assert len({a["data"]["EntityToken"]["Entity"]["Id"] for a in answers}) == 1
