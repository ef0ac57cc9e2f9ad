"""Server functions through the official Python SDK on both stores: the shipped examples through
CloudScript/ExecuteFunction and Client/ and Server/ExecuteCloudScript, failures in PlayFab's `Error`
shape, and the in-process API client held to the same rules as HTTP."""

from __future__ import annotations

import inspect
import json
import threading
from pathlib import Path
from typing import Any

import httpx
from playfab import PlayFabClientAPI, PlayFabCloudScriptAPI, PlayFabServerAPI

from cloudscript import examples
from shared.config import settings_table
from tests.support import sdk
from tests.support import server_functions as test_functions
from tests.support.entity_calls import use_title
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server

LEGACY_FIELDS = {
    "FunctionName",
    "Revision",
    "Logs",
    "ExecutionTimeSeconds",
    "ProcessorTimeSeconds",
    "MemoryConsumedBytes",
    "APIRequestsIssued",
    "HttpRequestsIssued",
}


def client_execute(player: Player, name: str, argument: Any = None, **extra: Any) -> dict[str, Any]:
    player.use()
    return sdk.call(PlayFabClientAPI.ExecuteCloudScript, {"FunctionName": name, "FunctionParameter": argument, **extra})


def server_execute(playfab_id: str, name: str, argument: Any = None) -> dict[str, Any]:
    request = {"PlayFabId": playfab_id, "FunctionName": name, "FunctionParameter": argument}
    return sdk.call(PlayFabServerAPI.ExecuteCloudScript, request)


def execute_function(player: Player, name: str, argument: Any = None, **extra: Any) -> dict[str, Any]:
    player.use()
    return sdk.call(
        PlayFabCloudScriptAPI.ExecuteFunction, {"FunctionName": name, "FunctionParameter": argument, **extra}
    )


def line_of(function: Any, text: str) -> int:
    """The line of `function`'s source that holds `text`."""
    lines, first = inspect.getsourcelines(function)
    return first + next(i for i, line in enumerate(lines) if text in line)


def assert_legacy_shape(data: dict[str, Any], name: str, api_calls: int) -> None:
    assert set(data) >= LEGACY_FIELDS, data
    assert data["FunctionName"] == name and data["Revision"] == 1
    assert isinstance(data["ExecutionTimeSeconds"], float) and data["ExecutionTimeSeconds"] >= 0
    assert (data["ProcessorTimeSeconds"], data["MemoryConsumedBytes"], data["HttpRequestsIssued"]) == (0.0, 0, 0)
    assert data["APIRequestsIssued"] == api_calls


def test_grant_reward_through_every_execute_call(pf: Server):
    player = new_player()
    first = client_execute(player, "GrantReward", {"RewardId": "day-1", "Amount": 5})
    assert_legacy_shape(first, "GrantReward", api_calls=2)
    assert "Error" not in first
    assert first["FunctionResult"] == {"Granted": True, "Coins": 5}
    assert first["Logs"] == [{"Level": "Info", "Message": "reward granted", "Data": {"RewardId": "day-1"}}]

    again = client_execute(player, "GrantReward", {"RewardId": "day-1", "Amount": 5})
    assert again["FunctionResult"] == {"Granted": False, "Coins": 5} and again["APIRequestsIssued"] == 1
    assert again["Logs"] == [{"Level": "Info", "Message": "reward already claimed", "Data": {"RewardId": "day-1"}}]

    through_function = execute_function(player, "GrantReward", {"RewardId": "day-2", "Amount": 7})
    result = {"Granted": True, "Coins": 12}
    assert set(through_function) == {
        "FunctionName",
        "FunctionResult",
        "FunctionResultSize",
        "ExecutionTimeMilliseconds",
    }
    assert through_function["FunctionName"] == "GrantReward" and through_function["FunctionResult"] == result
    assert through_function["FunctionResultSize"] == len(json.dumps(result, separators=(",", ":")))
    assert isinstance(through_function["ExecutionTimeMilliseconds"], int)

    sdk.session(None)
    by_server = server_execute(player.playfab_id, "GrantReward", {"RewardId": "day-3", "Amount": 1})
    assert by_server["FunctionResult"] == {"Granted": True, "Coins": 13}

    player.use()
    data = sdk.call(PlayFabClientAPI.GetUserReadOnlyData, {})["Data"]
    assert {key: json.loads(record["Value"])["Amount"] for key, record in data.items()} == {
        "Reward.day-1": 5,
        "Reward.day-2": 7,
        "Reward.day-3": 1,
    }


def _claim_at_once(pf: Server, player: Player, rewards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One GrantReward execution per reward, each on its own connection, released together."""
    barrier = threading.Barrier(len(rewards))
    answers: list[dict[str, Any]] = []

    def claim(reward: dict[str, Any]) -> None:
        body = {"FunctionName": "GrantReward", "FunctionParameter": reward}
        with httpx.Client(base_url=pf.url, timeout=30) as client:
            barrier.wait(timeout=30)
            answer = client.post("/Client/ExecuteCloudScript", json=body, headers={"X-Authorization": player.ticket})
            answers.append(answer.json())

    threads = [threading.Thread(target=claim, args=(reward,)) for reward in rewards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == len(rewards) and all(a["code"] == 200 and "Error" not in a["data"] for a in answers)
    return answers


def _granted(player: Player) -> dict[str, int]:
    player.use()
    data = sdk.call(PlayFabClientAPI.GetUserReadOnlyData, {})["Data"]
    return {key: json.loads(record["Value"])["Amount"] for key, record in data.items()}


def test_one_reward_claimed_at_once_many_times_is_granted_once(pf: Server):
    player = new_player()
    answers = _claim_at_once(pf, player, [{"RewardId": "launch", "Amount": 50}] * 6)
    assert any(a["data"]["FunctionResult"]["Granted"] for a in answers)
    assert _granted(player) == {"Reward.launch": 50}


def test_different_rewards_claimed_at_once_are_all_granted(pf: Server):
    player = new_player()
    answers = _claim_at_once(pf, player, [{"RewardId": f"r{n}", "Amount": n} for n in range(1, 7)])
    assert all(a["data"]["FunctionResult"]["Granted"] for a in answers)
    assert _granted(player) == {f"Reward.r{n}": n for n in range(1, 7)}


def test_a_raising_function_answers_playfabs_error_and_the_server_keeps_serving(pf: Server):
    player = new_player()
    raised_at = line_of(examples.AlwaysFails, "raise ValueError")
    message = "ValueError: AlwaysFails was asked to fail ('boom')"
    trace = f"{message}\n    at AlwaysFails (cloudscript/examples.py:{raised_at})"

    legacy = client_execute(player, "AlwaysFails", "boom")
    assert_legacy_shape(legacy, "AlwaysFails", api_calls=0)
    assert "FunctionResult" not in legacy
    assert legacy["Logs"] == [{"Level": "Info", "Message": "about to fail"}]
    assert legacy["Error"] == {"Error": "JavascriptException", "Message": message, "StackTrace": trace}

    function = execute_function(player, "AlwaysFails", "boom")
    assert set(function) == {"FunctionName", "ExecutionTimeMilliseconds", "Error"}
    assert function["Error"] == {
        "Error": "CloudScriptAzureFunctionsHTTPRequestError",
        "Message": message,
        "StackTrace": trace,
    }

    sdk.session(None)
    assert server_execute(player.playfab_id, "AlwaysFails", "boom")["Error"]["Error"] == "JavascriptException"
    assert execute_function(player, "Echo", 1)["FunctionResult"]["Argument"] == 1  # still serving


def test_a_function_that_exits_or_interrupts_fails_alone(pf: Server):
    player = new_player()
    exited = client_execute(player, "Tests.Exits")["Error"]
    line = line_of(test_functions.exits, "sys.exit(3)")
    assert exited == {
        "Error": "JavascriptException",
        "Message": "SystemExit: 3",
        "StackTrace": f"SystemExit: 3\n    at exits (tests/support/server_functions.py:{line})",
    }
    interrupted = execute_function(player, "Tests.Exits", "interrupt")["Error"]
    assert (interrupted["Error"], interrupted["Message"]) == (
        "CloudScriptAzureFunctionsHTTPRequestError",
        "KeyboardInterrupt",
    )
    assert client_execute(player, "Echo", 2)["FunctionResult"]["Argument"] == 2  # the worker lives on


def test_an_unknown_function_is_cloudscript_not_found(pf: Server):
    player = new_player()
    legacy = client_execute(player, "NoSuchFunction")
    assert_legacy_shape(legacy, "NoSuchFunction", api_calls=0)
    assert legacy["Logs"] == [] and legacy["ExecutionTimeSeconds"] == 0.0
    assert legacy["Error"] == {
        "Error": "CloudScriptNotFound",
        "Message": "No server function named 'NoSuchFunction' was found to execute.",
    }
    player.use()
    refused = sdk.refused(PlayFabCloudScriptAPI.ExecuteFunction, {"FunctionName": "NoSuchFunction"})
    assert refused == sdk.bad_request(
        "CloudScriptNotFound", 1136, "No server function named 'NoSuchFunction' was found to execute."
    )


def test_the_context_names_the_caller_and_carries_the_argument_and_logs(pf: Server):
    player = new_player()
    argument = {"level": 3, "points": [400, 1.5], "name": "é"}
    me = {"Id": player.entity_id, "Type": "title_player_account"}
    expected = {"Argument": argument, "PlayFabId": player.playfab_id, "Entity": me, "TitleId": "TESTTITLE"}
    logs = [
        {"Level": "Info", "Message": "echo", "Data": {"argument": argument}},
        {"Level": "Debug", "Message": "no data"},
        {"Level": "Error", "Message": "an error line", "Data": [1, 2]},
    ]
    legacy = client_execute(
        player, "Echo", argument, RevisionSelection="Specific", SpecificRevision=7, GeneratePlayStreamEvent=True
    )
    assert legacy["FunctionResult"] == expected and legacy["Logs"] == logs and legacy["Revision"] == 1
    assert execute_function(player, "Echo", argument, GeneratePlayStreamEvent=True)["FunctionResult"] == expected
    sdk.session(None)
    assert server_execute(player.playfab_id, "Echo", argument)["FunctionResult"] == expected

    # The title's entity token may run a function for a player's entity; a player only for its own.
    use_title()
    as_title = sdk.call(PlayFabCloudScriptAPI.ExecuteFunction, {"FunctionName": "Echo", "Entity": me})
    assert as_title["FunctionResult"] == {**expected, "Argument": None}
    other = new_player()
    other.use()
    refused = sdk.refused(PlayFabCloudScriptAPI.ExecuteFunction, {"FunctionName": "Echo", "Entity": me})
    assert (refused["code"], refused["error"], refused["errorCode"]) == (403, "NotAuthorized", 1089)


def _http_error(pf: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    answer: dict[str, Any] = pf.post(path, body, headers).json()
    return {k: answer[k] for k in ("error", "errorCode", "errorMessage", "errorDetails") if k in answer}


def test_the_in_process_client_obeys_the_rules_of_http(pf: Server):
    player = new_player()
    secret = {"X-SecretKey": SECRET_KEY}
    missing = {"PlayFabId": test_functions.MISSING_PLAYER, "Data": {"k": "v"}}
    over_http = _http_error(pf, "/Server/UpdateUserReadOnlyData", missing, secret)
    assert over_http["error"] == "AccountNotFound"
    assert client_execute(player, "Tests.WriteMissingPlayer")["FunctionResult"] == over_http

    uncaught = client_execute(player, "Tests.WriteMissingPlayer", "uncaught")
    line = line_of(
        test_functions.write_missing_player, 'await ctx.server.call("Server/UpdateUserReadOnlyData", request)'
    )
    message = f"AccountNotFound: {over_http['errorMessage']}"
    where = "tests/support/server_functions.py"
    assert "FunctionResult" not in uncaught and uncaught["APIRequestsIssued"] == 1
    assert uncaught["Error"] == {
        "Error": "CloudScriptAPIRequestError",
        "Message": message,
        "StackTrace": f"PlayFabError: {message}\n    at write_missing_player ({where}:{line})",
    }

    too_long = 300_001  # USER_DATA_MAX_VALUE_BYTES is 300,000 by default
    refusals = client_execute(player, "Tests.Refusals", too_long)["FunctionResult"]
    use_title()
    other_title = {"Entity": {"Type": "title", "Id": "OTHERTITLE"}, "Objects": [{"ObjectName": "o", "DataObject": 1}]}
    token = {"X-EntityToken": sdk.settings._internalSettings.EntityToken or ""}
    assert refusals["OtherTitle"] == _http_error(pf, "/Object/SetObjects", other_title, token)
    assert refusals["OtherTitle"]["error"] == "ProfileDoesNotExist"
    long_value = {"PlayFabId": player.playfab_id, "Data": {"k": "x" * too_long}}
    assert refusals["TooLong"] == _http_error(pf, "/Server/UpdateUserData", long_value, secret)
    assert refusals["TooLong"]["error"] == "DataLengthExceeded"
    for label, api in (("ClientApi", "Client/UpdateUserData"), ("Recursion", "Server/ExecuteCloudScript")):
        assert refusals[label] == {
            "error": "InvalidAPIEndpoint",
            "errorCode": 1131,
            "errorMessage": f"{api} is not an API a server function may call (Server, Admin, Object and Profile).",
        }
    assert refusals["Unknown"]["error"] == "InvalidAPIEndpoint"
    assert refusals["BadRequest"] == _http_error(
        pf, "/Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": "not an object"}, secret
    )
    assert refusals["BadRequest"]["error"] == "InvalidParams"
    assert refusals["NotJson"] == {
        "error": "InvalidContentType",
        "errorCode": 1144,
        "errorMessage": "The request is not valid JSON.",
    }
    # The caller's own data holds none of the refused writes.
    sdk.session(None)
    assert sdk.call(PlayFabServerAPI.GetUserData, {"PlayFabId": player.playfab_id})["Data"] == {}


def test_a_function_may_make_25_api_calls(pf: Server):
    player = new_player()
    data = client_execute(player, "Tests.TooManyCalls")
    assert data["APIRequestsIssued"] == 25
    assert data["Error"]["Error"] == "CloudScriptAPIRequestCountExceeded"
    assert data["Error"]["Message"] == "A server function may make at most 25 API calls per execution."
    function = execute_function(player, "Tests.TooManyCalls")
    assert function["Error"]["Error"] == "CloudScriptAPIRequestCountExceeded"


def test_a_result_json_cannot_carry_is_an_error(pf: Server):
    player = new_player()
    data = client_execute(player, "Tests.Result", "not-json")
    assert "FunctionResult" not in data
    assert data["Error"] == {
        "Error": "JavascriptException",
        "Message": "The function's result is not JSON: TypeError: Object of type set is not JSON serializable",
    }


def test_bad_requests_are_refused_before_anything_runs(pf: Server):
    player = new_player()
    player.use()
    for request, field in (
        ({}, "FunctionName"),
        ({"FunctionName": ""}, "FunctionName"),
        ({"FunctionName": "Echo", "RevisionSelection": "Newest"}, "RevisionSelection"),
        ({"FunctionName": "Echo", "SpecificRevision": "7"}, "SpecificRevision"),
        ({"FunctionName": "Echo", "GeneratePlayStreamEvent": "yes"}, "GeneratePlayStreamEvent"),
    ):
        refused = sdk.refused(PlayFabClientAPI.ExecuteCloudScript, request)
        assert (refused["error"], refused["errorCode"]) == ("InvalidParams", 1000) and field in refused["errorDetails"]
    long_name = "f" * 129
    refused = sdk.refused(PlayFabCloudScriptAPI.ExecuteFunction, {"FunctionName": long_name})
    assert (refused["error"], refused["errorCode"]) == ("CloudScriptFunctionNameSizeExceeded", 1492)
    sdk.session(None)
    missing = {"PlayFabId": test_functions.MISSING_PLAYER, "FunctionName": "Echo"}
    refused = sdk.refused(PlayFabServerAPI.ExecuteCloudScript, missing)
    assert (refused["error"], refused["errorCode"]) == ("AccountNotFound", 1001)


def test_by_default_only_the_studios_package_is_loaded(tmp_path: Path):
    modules = settings_table.default("SERVER_FUNCTION_MODULES")
    assert modules == "cloudscript"
    with running_server(tmp_path, SERVER_FUNCTION_MODULES=modules) as srv:
        login = srv.post("/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": "d", "CreateAccount": True})
        ticket = {"X-Authorization": login.json()["data"]["SessionTicket"]}
        body = {"FunctionName": "GrantReward", "FunctionParameter": {"RewardId": "r", "Amount": 1}}
        granted = srv.post("/Client/ExecuteCloudScript", body, ticket).json()["data"]
        assert granted["FunctionResult"] == {"Granted": True, "Coins": 1}
        echo = srv.post("/Client/ExecuteCloudScript", {"FunctionName": "Echo"}, ticket).json()["data"]
        assert echo["Error"]["Error"] == "CloudScriptNotFound"  # the tests' functions are not the app's
