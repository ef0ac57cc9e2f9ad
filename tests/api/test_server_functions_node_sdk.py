"""Server functions through the official Node SDK over HTTPS, on both stores: both shipped examples through
CloudScript/ExecuteFunction, Client/ExecuteCloudScript and Server/ExecuteCloudScript."""

from __future__ import annotations

import inspect
import ssl
import uuid
from typing import Any

import httpx

from cloudscript import examples
from tests.support.node_sdk import run_node_calls
from tests.support.server import TITLE_ID, Server


def _login(srv: Server, custom_id: str) -> str:
    body = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
    answer = httpx.post(
        srv.url + "/Client/LoginWithCustomID", json=body, verify=ssl.create_default_context(cafile=srv.extra["ca"])
    ).json()
    playfab_id: str = answer["data"]["PlayFabId"]
    return playfab_id


def _raised_at() -> int:
    lines, first = inspect.getsourcelines(examples.AlwaysFails)
    return first + next(i for i, line in enumerate(lines) if "raise ValueError" in line)


def test_both_examples_through_every_execute_call_of_the_node_sdk(tls_server: Server):
    custom_id = f"node-functions-{uuid.uuid4()}"
    playfab_id = _login(tls_server, custom_id)
    grant = "GrantReward"
    answers = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {"api": "PlayFabClient", "method": "LoginWithCustomID", "request": {"CustomId": custom_id}},
            *(
                {"api": api, "method": method, "request": {"FunctionName": grant, "FunctionParameter": argument}}
                for api, method, argument in (
                    ("PlayFabClient", "ExecuteCloudScript", {"RewardId": "a", "Amount": 2}),
                    ("PlayFabClient", "ExecuteCloudScript", {"RewardId": "a", "Amount": 2}),
                    ("PlayFabCloudScript", "ExecuteFunction", {"RewardId": "b", "Amount": 3}),
                )
            ),
            {
                "api": "PlayFabServer",
                "method": "ExecuteCloudScript",
                "request": {
                    "PlayFabId": playfab_id,
                    "FunctionName": grant,
                    "FunctionParameter": {"RewardId": "c", "Amount": 4},
                },
            },
            {
                "api": "PlayFabClient",
                "method": "ExecuteCloudScript",
                "request": {"FunctionName": "AlwaysFails", "FunctionParameter": "n"},
            },
            {
                "api": "PlayFabCloudScript",
                "method": "ExecuteFunction",
                "request": {"FunctionName": "AlwaysFails", "FunctionParameter": "n"},
            },
            {"api": "PlayFabCloudScript", "method": "ExecuteFunction", "request": {"FunctionName": "Missing"}},
            {"api": "PlayFabClient", "method": "GetUserReadOnlyData", "request": {}},
        ],
    )
    assert all(answer["ok"] for answer in answers[:7]), answers
    results = [answer["data"].get("FunctionResult") for answer in answers[1:5]]
    assert results == [
        {"Granted": True, "Coins": 2},
        {"Granted": False, "Coins": 2},
        {"Granted": True, "Coins": 5},
        {"Granted": True, "Coins": 9},
    ]
    legacy, function = answers[1]["data"], answers[3]["data"]
    assert legacy["FunctionName"] == grant and legacy["APIRequestsIssued"] == 2 and legacy["Revision"] == 1
    assert legacy["Logs"] == [{"Level": "Info", "Message": "reward granted", "Data": {"RewardId": "a"}}]
    assert set(function) == {"FunctionName", "FunctionResult", "FunctionResultSize", "ExecutionTimeMilliseconds"}

    message = "ValueError: AlwaysFails was asked to fail ('n')"
    trace = f"{message}\n    at AlwaysFails (cloudscript/examples.py:{_raised_at()})"
    assert answers[5]["data"]["Error"] == {"Error": "JavascriptException", "Message": message, "StackTrace": trace}
    assert answers[6]["data"]["Error"] == {
        "Error": "CloudScriptAzureFunctionsHTTPRequestError",
        "Message": message,
        "StackTrace": trace,
    }
    missing = answers[7]
    assert missing["ok"] is False
    error: dict[str, Any] = missing["error"]
    assert {k: error[k] for k in ("code", "status", "error", "errorCode", "errorMessage")} == {
        "code": 400,
        "status": "BadRequest",
        "error": "CloudScriptNotFound",
        "errorCode": 1136,
        "errorMessage": "No server function named 'Missing' was found to execute.",
    }
    assert answers[8]["ok"] and sorted(answers[8]["data"]["Data"]) == ["Reward.a", "Reward.b", "Reward.c"]
