"""Username, email and password calls through the official Node SDK, over HTTPS."""

from __future__ import annotations

import uuid

from tests.support.node_sdk import run_node_calls

PASSWORD = "node-Password-1"


def _call(method: str, request: dict) -> dict:
    return {"api": "PlayFabClient", "method": method, "request": request}


def test_node_sdk_registers_adds_and_logs_in_with_passwords(tls_server):
    tag = uuid.uuid4().hex[:12]
    username, email = f"n_{tag}", f"Node-{tag}@Example.com"
    added_name, added_email = f"a_{tag}", f"add-{tag}@example.com"
    answers = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            _call("RegisterPlayFabUser", {"Username": "x", "Email": "x", "Password": "x"}),
            _call("RegisterPlayFabUser", {"Username": username, "Email": email, "Password": PASSWORD}),
            _call("RegisterPlayFabUser", {"Username": f"o_{tag}", "Email": email.lower(), "Password": PASSWORD}),
            _call("LoginWithEmailAddress", {"Email": email, "Password": "INVALID"}),
            _call("LoginWithEmailAddress", {"Email": email.upper(), "Password": PASSWORD}),
            _call("LoginWithPlayFab", {"Username": username, "Password": "INVALID"}),
            _call("LoginWithPlayFab", {"Username": username, "Password": PASSWORD}),
            _call("LoginWithPlayFab", {"Username": f"nobody_{tag}", "Password": PASSWORD}),
            _call("LoginWithCustomID", {"CustomId": f"node-{tag}", "CreateAccount": True}),
            _call("AddUsernamePassword", {"Username": added_name, "Email": added_email, "Password": PASSWORD}),
            _call(
                "AddUsernamePassword", {"Username": f"b_{tag}", "Email": f"b-{tag}@example.com", "Password": PASSWORD}
            ),
            _call("LoginWithEmailAddress", {"Email": added_email, "Password": PASSWORD}),
        ],
    )
    (
        invalid,
        registered,
        taken,
        wrong_email_pw,
        by_email,
        wrong_name_pw,
        by_name,
        nobody,
        custom,
        added,
        again,
        by_added,
    ) = answers

    assert invalid == {
        "ok": False,
        "error": {
            "code": 400,
            "status": "BadRequest",
            "error": "InvalidParams",
            "errorCode": 1000,
            "errorMessage": "Invalid input parameters",
            "errorDetails": {
                "Username": ["Username must be between 3 and 20 characters."],
                "Email": ["Email address is not valid."],
                "Password": ["Password must be between 6 and 100 characters."],
            },
        },
    }
    assert registered["ok"], registered
    data = registered["data"]
    assert set(data) == {"PlayFabId", "SessionTicket", "EntityToken", "Username"} and data["Username"] == username
    assert data["EntityToken"]["Entity"]["Type"] == "title_player_account"
    assert taken["ok"] is False and taken["error"]["error"] == "EmailAddressNotAvailable"
    assert (taken["error"]["errorCode"], taken["error"]["errorDetails"]) == (
        1006,
        {"Email": ["Email address not available."]},
    )
    assert wrong_email_pw["ok"] is False
    assert (wrong_email_pw["error"]["error"], wrong_email_pw["error"]["errorCode"]) == ("InvalidEmailOrPassword", 1142)
    assert "password" in wrong_email_pw["error"]["errorMessage"].lower()  # what PlayFab's own Node test checks
    assert by_email["ok"] and by_email["data"]["PlayFabId"] == data["PlayFabId"]
    assert by_email["data"]["NewlyCreated"] is False
    assert wrong_name_pw["ok"] is False
    assert (wrong_name_pw["error"]["error"], wrong_name_pw["error"]["errorCode"]) == ("InvalidUsernameOrPassword", 1003)
    assert by_name["ok"] and by_name["data"]["PlayFabId"] == data["PlayFabId"]
    assert nobody["ok"] is False and (nobody["error"]["error"], nobody["error"]["errorCode"]) == (
        "AccountNotFound",
        1001,
    )
    assert custom["ok"]
    assert added == {"ok": True, "data": {"Username": added_name}}
    assert again["ok"] is False
    assert (again["error"]["error"], again["error"]["errorCode"]) == ("AccountAlreadyLinked", 1011)
    assert by_added["ok"] and by_added["data"]["PlayFabId"] == custom["data"]["PlayFabId"]
