"""The official Node SDK, which speaks HTTPS only, against the local host serving a self-signed certificate."""

from __future__ import annotations

import uuid

from tests.support.node_sdk import run_node_calls


def test_node_sdk_logs_in_over_https(tls_server):
    assert tls_server.url.startswith("https://")
    custom_id = f"node-{uuid.uuid4()}"
    login = {"CustomId": custom_id, "CreateAccount": True}
    first, second, entity = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {"api": "PlayFabClient", "method": "LoginWithCustomID", "request": login},
            {"api": "PlayFabClient", "method": "LoginWithCustomID", "request": login},
            {"api": "PlayFabAuthentication", "method": "GetEntityToken", "request": {}},
        ],
    )
    assert first["ok"] and first["data"]["NewlyCreated"] is True
    assert second["ok"] and second["data"]["NewlyCreated"] is False
    assert second["data"]["PlayFabId"] == first["data"]["PlayFabId"]
    assert first["data"]["EntityToken"]["Entity"]["Type"] == "title_player_account"
    # The Node SDK prefers the session ticket it stored at login for GetEntityToken.
    assert entity["ok"] and entity["data"]["Entity"] == first["data"]["EntityToken"]["Entity"]


def test_node_sdk_receives_error_envelopes_intact(tls_server):
    (answer,) = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [{"api": "PlayFabClient", "method": "LoginWithCustomID", "request": {"CustomId": f"nobody-{uuid.uuid4()}"}}],
    )
    assert answer["ok"] is False
    error = answer["error"]
    assert error["code"] == 400 and error["error"] == "AccountNotFound" and error["errorCode"] == 1001


def test_plain_http_is_refused_by_the_node_sdk(tls_server):
    (answer,) = run_node_calls(
        tls_server.url.replace("https://", "http://"),
        tls_server.extra["ca"],
        [{"api": "PlayFabClient", "method": "LoginWithCustomID", "request": {"CustomId": "x"}}],
    )
    assert answer["ok"] is False and "Unsupported protocol" in answer["thrown"]
