"""Idempotent retries through the official Node SDK: its typed requests carry the key in CustomTags."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.node_sdk import run_node_calls
from tests.support.server import Server


def _run(server: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(server.url, server.extra["ca"], plan)


def test_a_retried_update_through_custom_tags_applies_once(tls_server):
    login = {"CustomId": f"node-{uuid.uuid4()}", "CreateAccount": True}
    tags = {"IdempotencyKey": f"node-{uuid.uuid4()}"}
    update = {"Data": {"coins": "5"}, "CustomTags": tags}
    answers = _run(
        tls_server,
        [
            ("PlayFabClient", "LoginWithCustomID", login),
            ("PlayFabClient", "UpdateUserData", update),
            ("PlayFabClient", "UpdateUserData", update),
            ("PlayFabClient", "UpdateUserData", {"Data": {"coins": "6"}, "CustomTags": tags}),
            (
                "PlayFabClient",
                "UpdatePlayerCustomProperties",
                {"Properties": [{"Name": "p", "Value": 1}], "CustomTags": tags},
            ),
            (
                "PlayFabClient",
                "UpdatePlayerCustomProperties",
                {"Properties": [{"Name": "p", "Value": 1}], "CustomTags": tags},
            ),
            ("PlayFabClient", "GetUserData", {}),
        ],
    )
    assert all(a["ok"] for i, a in enumerate(answers) if i != 3), answers
    _, first, again, changed, props, props_again, read = answers
    assert first["data"]["DataVersion"] == again["data"]["DataVersion"] == 1
    assert changed["ok"] is False
    assert (changed["error"]["error"], changed["error"]["errorCode"]) == ("InvalidParams", 1000)
    # The same key at another endpoint is another write.
    assert props["data"]["PropertiesVersion"] == props_again["data"]["PropertiesVersion"] == 1
    assert read["data"]["DataVersion"] == 1
    assert read["data"]["Data"]["coins"]["Value"] == "5"
