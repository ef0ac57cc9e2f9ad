"""Account info, profiles, display names and combined info through the official Node SDK over HTTPS."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.node_sdk import run_node_calls
from tests.support.server import TITLE_ID, Server

BACKENDS = ("sqlite", "cosmos")


def _run(server: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(server.url, server.extra["ca"], plan)


def test_client_account_calls(tls_server):
    custom_id, name = f"node-{uuid.uuid4()}", f"nd{uuid.uuid4().hex[:18]}"
    login = {"CustomId": custom_id, "CreateAccount": True, "InfoRequestParameters": {"GetUserAccountInfo": True}}
    logged_in, renamed, info, profile, combined, bad = _run(
        tls_server,
        [
            ("PlayFabClient", "LoginWithCustomID", login),
            ("PlayFabClient", "UpdateUserTitleDisplayName", {"DisplayName": name}),
            ("PlayFabClient", "GetAccountInfo", {}),
            ("PlayFabClient", "GetPlayerProfile", {"ProfileConstraints": {"ShowDisplayName": True}}),
            ("PlayFabClient", "GetPlayerCombinedInfo", {"InfoRequestParameters": {"GetPlayerProfile": True}}),
            ("PlayFabClient", "UpdateUserTitleDisplayName", {"DisplayName": "ab"}),
        ],
    )
    assert logged_in["ok"], logged_in
    pid = logged_in["data"]["PlayFabId"]
    assert logged_in["data"]["InfoResultPayload"]["AccountInfo"]["CustomIdInfo"] == {"CustomId": custom_id}
    assert renamed == {"ok": True, "data": {"DisplayName": name}}
    assert info["ok"] and info["data"]["AccountInfo"]["PlayFabId"] == pid
    assert info["data"]["AccountInfo"]["TitleInfo"]["DisplayName"] == name
    expected_profile = {"PlayerId": pid, "TitleId": TITLE_ID, "DisplayName": name}
    assert profile == {"ok": True, "data": {"PlayerProfile": expected_profile}}
    assert combined["ok"] and combined["data"]["PlayFabId"] == pid
    assert combined["data"]["InfoResultPayload"]["PlayerProfile"] == expected_profile
    assert bad["ok"] is False
    assert (bad["error"]["code"], bad["error"]["error"], bad["error"]["errorCode"]) == (400, "InvalidParams", 1000)
    assert bad["error"]["errorDetails"] == {
        "DisplayName": ["The field DisplayName must be a string with a minimum length of 3."]
    }


def test_server_and_admin_account_calls(tls_server):
    (logged_in,) = _run(
        tls_server,
        [("PlayFabClient", "LoginWithCustomID", {"CustomId": f"node-{uuid.uuid4()}", "CreateAccount": True})],
    )
    pid = logged_in["data"]["PlayFabId"]
    name = f"nd{uuid.uuid4().hex[:18]}"
    answers = _run(
        tls_server,
        [
            ("PlayFabAdmin", "UpdateUserTitleDisplayName", {"PlayFabId": pid, "DisplayName": name}),
            ("PlayFabServer", "GetUserAccountInfo", {"PlayFabId": pid}),
            ("PlayFabAdmin", "GetUserAccountInfo", {"TitleDisplayName": name}),
            ("PlayFabServer", "GetPlayerProfile", {"PlayFabId": pid, "ProfileConstraints": {"ShowOrigination": True}}),
            ("PlayFabAdmin", "GetPlayerProfile", {"PlayFabId": pid}),
            (
                "PlayFabServer",
                "GetPlayerCombinedInfo",
                {"PlayFabId": pid, "InfoRequestParameters": {"GetUserData": True}},
            ),
            ("PlayFabServer", "GetUserAccountInfo", {"PlayFabId": "0000000000000000"}),
        ],
    )
    renamed, server_info, admin_info, server_profile, admin_profile, combined, missing = answers
    assert renamed == {"ok": True, "data": {"DisplayName": name}}
    assert server_info["ok"] and server_info["data"]["UserInfo"]["TitleInfo"]["DisplayName"] == name
    assert admin_info == server_info
    assert server_profile == {
        "ok": True,
        "data": {"PlayerProfile": {"PlayerId": pid, "TitleId": TITLE_ID, "Origination": "Custom"}},
    }
    assert admin_profile == {
        "ok": True,
        "data": {"PlayerProfile": {"PlayerId": pid, "TitleId": TITLE_ID, "DisplayName": name}},
    }
    assert combined == {
        "ok": True,
        "data": {
            "PlayFabId": pid,
            "InfoResultPayload": {"UserData": {}, "UserDataVersion": 0, "UserReadOnlyDataVersion": 0},
        },
    }
    assert missing["ok"] is False
    assert (missing["error"]["code"], missing["error"]["error"], missing["error"]["errorCode"]) == (
        400,
        "AccountNotFound",
        1001,
    )
