"""Player custom properties through the official Node SDK's own methods, over HTTPS, on both stores."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.node_sdk import run_node_calls
from tests.support.server import Server


def _run(server: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(server.url, server.extra["ca"], plan)


def _login(server: Server) -> str:
    (logged_in,) = _run(
        server, [("PlayFabClient", "LoginWithCustomID", {"CustomId": f"node-{uuid.uuid4()}", "CreateAccount": True})]
    )
    assert logged_in["ok"], logged_in
    playfab_id: str = logged_in["data"]["PlayFabId"]
    return playfab_id


def _error(answer: dict[str, Any]) -> tuple[Any, ...]:
    assert answer["ok"] is False, answer
    error = answer["error"]
    return error["code"], error["error"], error["errorCode"], error.get("errorDetails")


def test_client_calls(tls_server):
    login = {"CustomId": f"node-{uuid.uuid4()}", "CreateAccount": True}
    properties = [{"Name": "level", "Value": 5}, {"Name": "created", "Value": False}, {"Name": "rank", "Value": "gold"}]
    answers = _run(
        tls_server,
        [
            ("PlayFabClient", "LoginWithCustomID", login),
            (
                "PlayFabClient",
                "UpdatePlayerCustomProperties",
                {"Properties": properties, "ExpectedPropertiesVersion": 0},
            ),
            ("PlayFabClient", "GetPlayerCustomProperty", {"PropertyName": "level"}),
            ("PlayFabClient", "ListPlayerCustomProperties", {}),
            (
                "PlayFabClient",
                "DeletePlayerCustomProperties",
                {"PropertyNames": ["level", "class"], "ExpectedPropertiesVersion": 1},
            ),
            (
                "PlayFabClient",
                "UpdatePlayerCustomProperties",
                {"Properties": properties, "ExpectedPropertiesVersion": 1},
            ),
            ("PlayFabClient", "GetPlayerCustomProperty", {"PropertyName": "level"}),
            ("PlayFabClient", "UpdatePlayerCustomProperties", {"Properties": [{"Name": "bad name", "Value": 1}]}),
        ],
    )
    logged_in, updated, got, listed, deleted, stale, missing, bad_name = answers
    assert logged_in["ok"], logged_in
    assert updated == {"ok": True, "data": {"PropertiesVersion": 1}}
    assert got == {"ok": True, "data": {"Property": {"Name": "level", "Value": 5}, "PropertiesVersion": 1}}
    assert listed == {
        "ok": True,
        "data": {
            "Properties": [
                {"Name": "created", "Value": False},
                {"Name": "level", "Value": 5},
                {"Name": "rank", "Value": "gold"},
            ],
            "PropertiesVersion": 1,
        },
    }
    assert deleted == {
        "ok": True,
        "data": {
            "DeletedProperties": [{"Name": "level", "WasDeleted": True}, {"Name": "class", "WasDeleted": False}],
            "PropertiesVersion": 2,
        },
    }
    assert _error(stale) == (400, "PlayerCustomPropertiesVersionMismatch", 19004, {"PropertiesVersion": ["2"]})
    assert _error(missing)[:3] == (400, "PlayerCustomPropertiesPropertyDoesNotExist", 19007)
    assert _error(bad_name)[:3] == (400, "PlayerCustomPropertiesPropertyNameIsInvalid", 19001)


def test_server_and_admin_calls(tls_server):
    pid = _login(tls_server)
    answers = _run(
        tls_server,
        [
            (
                "PlayFabServer",
                "UpdatePlayerCustomProperties",
                {"PlayFabId": pid, "Properties": [{"Name": "level", "Value": 2.5}]},
            ),
            (
                "PlayFabAdmin",
                "UpdatePlayerCustomProperties",
                {"PlayFabId": pid, "Properties": [{"Name": "vip", "Value": True}], "ExpectedPropertiesVersion": 1},
            ),
            ("PlayFabServer", "GetPlayerCustomProperty", {"PlayFabId": pid, "PropertyName": "vip"}),
            ("PlayFabAdmin", "GetPlayerCustomProperty", {"PlayFabId": pid, "PropertyName": "level"}),
            ("PlayFabServer", "ListPlayerCustomProperties", {"PlayFabId": pid}),
            ("PlayFabAdmin", "ListPlayerCustomProperties", {"PlayFabId": pid}),
            ("PlayFabAdmin", "DeletePlayerCustomProperties", {"PlayFabId": pid, "PropertyNames": ["vip"]}),
            (
                "PlayFabServer",
                "DeletePlayerCustomProperties",
                {"PlayFabId": pid, "PropertyNames": ["level"], "ExpectedPropertiesVersion": 2},
            ),
            ("PlayFabServer", "ListPlayerCustomProperties", {"PlayFabId": "0000000000000000"}),
            (
                "PlayFabAdmin",
                "UpdatePlayerCustomProperties",
                {"PlayFabId": pid, "Properties": [{"Name": f"p{i}", "Value": i} for i in range(6)]},
            ),
        ],
    )
    server_update, admin_update, server_get, admin_get, server_list, admin_list, admin_delete, stale, nobody, six = (
        answers
    )
    assert server_update == {"ok": True, "data": {"PlayFabId": pid, "PropertiesVersion": 1}}
    assert admin_update == {"ok": True, "data": {"PlayFabId": pid, "PropertiesVersion": 2}}
    assert server_get == {
        "ok": True,
        "data": {"PlayFabId": pid, "Property": {"Name": "vip", "Value": True}, "PropertiesVersion": 2},
    }
    assert admin_get == {
        "ok": True,
        "data": {"PlayFabId": pid, "Property": {"Name": "level", "Value": 2.5}, "PropertiesVersion": 2},
    }
    expected_list = {
        "PlayFabId": pid,
        "Properties": [{"Name": "level", "Value": 2.5}, {"Name": "vip", "Value": True}],
        "PropertiesVersion": 2,
    }
    assert server_list == admin_list == {"ok": True, "data": expected_list}
    assert admin_delete == {
        "ok": True,
        "data": {"PlayFabId": pid, "DeletedProperties": [{"Name": "vip", "WasDeleted": True}], "PropertiesVersion": 3},
    }
    assert _error(stale) == (400, "PlayerCustomPropertiesVersionMismatch", 19004, {"PropertiesVersion": ["3"]})
    assert _error(nobody)[:3] == (400, "AccountNotFound", 1001)
    assert _error(six) == (
        400,
        "PlayerCustomPropertiesPropertyCountTooHigh",
        19005,
        {"Properties": ["6 properties, at most 5"]},
    )
