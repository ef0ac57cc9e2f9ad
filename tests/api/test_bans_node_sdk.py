"""Bans and DeletePlayer through the official Node SDK over HTTPS: every endpoint, Admin and Server."""

from __future__ import annotations

import ssl
import uuid
from typing import Any

import httpx

from tests.support.node_sdk import run_node_calls
from tests.support.server import TITLE_ID, Server


def _login(srv: Server, custom_id: str) -> dict[str, Any]:
    body = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
    data: dict[str, Any] = httpx.post(
        srv.url + "/Client/LoginWithCustomID", json=body, verify=ssl.create_default_context(cafile=srv.extra["ca"])
    ).json()
    return data["data"]


def _node(srv: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(srv.url, srv.extra["ca"], plan)


def test_every_ban_endpoint_and_delete_player_through_the_node_sdk(tls_server):
    custom_ids = [f"node-ban-{uuid.uuid4()}" for _ in range(2)]
    a, b = (_login(tls_server, custom_id)["PlayFabId"] for custom_id in custom_ids)
    first = _node(
        tls_server,
        [
            ("PlayFabAdmin", "BanUsers", {"Bans": [{"PlayFabId": a, "Reason": "spam", "DurationInHours": 3}]}),
            ("PlayFabServer", "BanUsers", {"Bans": [{"PlayFabId": b, "Reason": "cheat"}]}),
            ("PlayFabAdmin", "GetUserBans", {"PlayFabId": a}),
            ("PlayFabServer", "GetUserBans", {"PlayFabId": b}),
            ("PlayFabClient", "LoginWithCustomID", {"CustomId": custom_ids[1]}),
        ],
    )
    assert all(answer["ok"] for answer in first[:4]), first
    ban_a, ban_b = first[0]["data"]["BanData"][0], first[1]["data"]["BanData"][0]
    assert ban_a["PlayFabId"] == a and ban_a["Reason"] == "spam" and ban_a["Active"] is True and "Expires" in ban_a
    assert ban_b["PlayFabId"] == b and ban_b["Reason"] == "cheat" and "Expires" not in ban_b
    assert first[2]["data"] == {"BanData": [ban_a]} and first[3]["data"] == {"BanData": [ban_b]}
    refused = first[4]
    assert refused["ok"] is False
    assert {
        k: refused["error"][k] for k in ("code", "status", "error", "errorCode", "errorMessage", "errorDetails")
    } == {
        "code": 403,
        "status": "Forbidden",
        "error": "AccountBanned",
        "errorCode": 1002,
        "errorMessage": "The account making this request is currently banned",
        "errorDetails": {"cheat": ["Indefinite"]},
    }

    second = _node(
        tls_server,
        [
            ("PlayFabAdmin", "UpdateBans", {"Bans": [{"BanId": ban_a["BanId"], "Reason": "spam, twice"}]}),
            ("PlayFabServer", "UpdateBans", {"Bans": [{"BanId": ban_b["BanId"], "Permanent": False, "Active": True}]}),
            ("PlayFabAdmin", "RevokeBans", {"BanIds": [ban_a["BanId"]]}),
            ("PlayFabServer", "RevokeBans", {"BanIds": ["0" * 16 + b]}),
            ("PlayFabAdmin", "RevokeAllBansForUser", {"PlayFabId": a}),
            ("PlayFabServer", "RevokeAllBansForUser", {"PlayFabId": b}),
            ("PlayFabClient", "LoginWithCustomID", {"CustomId": custom_ids[1]}),
            ("PlayFabAdmin", "DeletePlayer", {"PlayFabId": a}),
            ("PlayFabServer", "DeletePlayer", {"PlayFabId": b}),
            ("PlayFabServer", "DeletePlayer", {"PlayFabId": b}),
        ],
    )
    assert all(answer["ok"] for answer in second[:9]), second
    assert second[0]["data"] == {"BanData": [{**ban_a, "Reason": "spam, twice"}]}
    assert second[1]["data"] == {"BanData": [ban_b]}
    assert second[2]["data"] == {"BanData": [{**ban_a, "Reason": "spam, twice", "Active": False}]}
    assert second[3]["data"] == {"BanData": []}
    assert second[4]["data"] == {"BanData": []}  # the one ban was revoked already
    assert second[5]["data"] == {"BanData": [{**ban_b, "Active": False}]}
    assert second[6]["data"]["PlayFabId"] == b
    assert second[7]["data"] == {} and second[8]["data"] == {}
    gone = second[9]
    assert gone["ok"] is False
    assert (gone["error"]["code"], gone["error"]["error"], gone["error"]["errorCode"]) == (400, "AccountNotFound", 1001)
