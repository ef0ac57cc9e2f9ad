"""Server function limits on both stores, with small settings: time, API calls, argument, result and logs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.limited_hosts import assert_error, call, host_on, login_body
from tests.support.server import SECRET_KEY, Server

BACKENDS = ("sqlite", "cosmos")
LIMIT_MS = 300
SMALL = 1024


@pytest.fixture(scope="module", params=BACKENDS)
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "SERVER_FUNCTION_TIMEOUT_MS": str(LIMIT_MS),
        "SERVER_FUNCTION_MAX_API_CALLS": "3",
        "SERVER_FUNCTION_MAX_ARGUMENT_BYTES": str(SMALL),
        "SERVER_FUNCTION_MAX_RESULT_BYTES": str(SMALL),
        "SERVER_FUNCTION_MAX_LOG_BYTES": str(SMALL),
        "MAX_REQUEST_BYTES": str(2 * SMALL),
    }
    with host_on(request.param, request, tmp_path_factory.mktemp(f"functions-{request.param}"), **env) as srv:
        yield srv


def _login(srv: Server) -> dict[str, Any]:
    data: dict[str, Any] = call(srv, "/Client/LoginWithCustomID", login_body(f"limits-{uuid.uuid4()}")).json()["data"]
    return data


def _legacy(srv: Server, login: dict[str, Any], name: str, argument: Any = None) -> dict[str, Any]:
    body = {"FunctionName": name, "FunctionParameter": argument}
    answer = call(srv, "/Client/ExecuteCloudScript", body, {"X-Authorization": login["SessionTicket"]})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def _function(srv: Server, login: dict[str, Any], name: str, argument: Any = None) -> dict[str, Any]:
    body = {"FunctionName": name, "FunctionParameter": argument}
    answer = call(srv, "/CloudScript/ExecuteFunction", body, {"X-EntityToken": login["EntityToken"]["EntityToken"]})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def _internal_data(srv: Server, playfab_id: str) -> dict[str, Any]:
    answer = call(srv, "/Server/GetUserInternalData", {"PlayFabId": playfab_id}, {"X-SecretKey": SECRET_KEY})
    return {key: record["Value"] for key, record in answer.json()["data"]["Data"].items()}


def test_a_function_over_time_is_stopped_and_what_it_started_is_whole(limited: Server):
    login = _login(limited)
    message = f"The function ran longer than {LIMIT_MS} ms."
    sdk.point_at(limited)  # through the official Python SDK, as a game would call it
    sdk.session(login["SessionTicket"], login["EntityToken"]["EntityToken"])
    legacy = sdk.call(PlayFabClientAPI.ExecuteCloudScript, {"FunctionName": "Tests.RunsOverTime"})
    assert legacy["Error"] == {"Error": "CloudScriptExecutionTimeLimitExceeded", "Message": message}
    assert legacy["ExecutionTimeSeconds"] >= LIMIT_MS / 1000 and legacy["APIRequestsIssued"] == 1
    assert "FunctionResult" not in legacy
    # One that swallows the cancellation gets no new call after its deadline: its second write never starts.
    function = _function(limited, login, "Tests.RunsOverTime", "ignore-cancel")
    assert function["Error"] == {"Error": "CloudScriptAzureFunctionsExecutionTimeLimitExceeded", "Message": message}
    assert function["ExecutionTimeMilliseconds"] >= LIMIT_MS
    assert _internal_data(limited, login["PlayFabId"]) == {"before": "written"}
    assert _legacy(limited, login, "Echo", 1)["FunctionResult"]["Argument"] == 1  # still serving


def test_a_function_that_blocks_the_loop_answers_the_time_limit_error(limited: Server):
    login = _login(limited)
    blocked = _legacy(limited, login, "Tests.BlocksTheLoop", 2 * LIMIT_MS / 1000)
    assert blocked["Error"]["Error"] == "CloudScriptExecutionTimeLimitExceeded"
    assert "FunctionResult" not in blocked  # its late result is dropped


def test_api_calls_per_execution_are_limited(limited: Server):
    login = _login(limited)
    data = _legacy(limited, login, "Tests.TooManyCalls")
    assert data["APIRequestsIssued"] == 3
    assert data["Error"]["Error"] == "CloudScriptAPIRequestCountExceeded"
    assert data["Error"]["Message"] == "A server function may make at most 3 API calls per execution."


def test_an_argument_over_the_limit_is_refused_before_the_function_runs(limited: Server):
    login = _login(limited)
    fits, over = "a" * (SMALL - 2), "a" * (SMALL - 1)  # with its quotes: SMALL and SMALL + 1 bytes
    ran = _legacy(limited, login, "Echo", fits)  # it runs; its answer, holding the argument, is too large
    assert "Error" not in ran and ran["FunctionResultTooLarge"] is True
    body = {"FunctionName": "Echo", "FunctionParameter": over}
    details = {"FunctionParameter": [f"{SMALL + 1} bytes"]}
    message = f"The function's argument is {SMALL + 1} bytes; the limit is {SMALL}."
    for path, header, name, code in (
        (
            "/Client/ExecuteCloudScript",
            {"X-Authorization": login["SessionTicket"]},
            "CloudScriptFunctionArgumentSizeExceeded",
            1208,
        ),
        (
            "/CloudScript/ExecuteFunction",
            {"X-EntityToken": login["EntityToken"]["EntityToken"]},
            "CloudScriptAzureFunctionsArgumentSizeExceeded",
            1471,
        ),
    ):
        refused = assert_error(call(limited, path, body, header), 400, name, code)
        assert (refused["errorMessage"], refused["errorDetails"]) == (message, details)


def test_a_result_over_the_limit_is_dropped_and_flagged(limited: Server):
    login = _login(limited)
    fits = _function(limited, login, "Tests.Result", SMALL - 2)
    assert fits["FunctionResultSize"] == SMALL and "Error" not in fits and "FunctionResultTooLarge" not in fits
    legacy = _legacy(limited, login, "Tests.Result", SMALL - 1)
    assert legacy["FunctionResultTooLarge"] is True and "FunctionResult" not in legacy and "Error" not in legacy
    function = _function(limited, login, "Tests.Result", SMALL - 1)
    assert "FunctionResult" not in function
    assert (function["FunctionResultTooLarge"], function["FunctionResultSize"]) == (True, SMALL + 1)
    assert function["Error"] == {
        "Error": "CloudScriptAzureFunctionsReturnSizeExceeded",
        "Message": f"The function's result is {SMALL + 1} bytes, over the limit.",
    }


def test_logs_past_the_limit_are_dropped_in_order(limited: Server):
    login = _login(limited)
    data = _legacy(limited, login, "Tests.ManyLogs", 100)
    kept = data["Logs"]
    assert data["LogsTooLarge"] is True and 0 < len(kept) < 100 and data["FunctionResult"] == len(kept)
    assert kept == [{"Level": "Info", "Message": f"line {n}", "Data": {"n": n}} for n in range(len(kept))]
    assert "LogsTooLarge" not in _legacy(limited, login, "Tests.ManyLogs", 2)


def test_the_in_process_client_has_the_request_size_limit_of_http(limited: Server):
    login = _login(limited)
    fits = _legacy(limited, login, "Tests.WriteValue", SMALL)  # a request of about 1 KB: written
    assert "FunctionResult" not in fits and "Error" not in fits
    body = {"PlayFabId": login["PlayFabId"], "Data": {"v": "x" * (2 * SMALL)}}
    over_http = assert_error(
        call(limited, "/Server/UpdateUserData", body, {"X-SecretKey": SECRET_KEY}), 413, "BodyTooLarge", 1068
    )
    refused = _legacy(limited, login, "Tests.WriteValue", 2 * SMALL)["FunctionResult"]
    assert refused == {"error": "BodyTooLarge", "errorCode": 1068, "errorMessage": over_http["errorMessage"]}
