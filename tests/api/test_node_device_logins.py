"""Device logins, links and unlinks, server custom ids and AuthenticateSessionTicket through the official Node SDK,
over HTTPS."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.node_sdk import run_node_calls


def _calls(server: Any, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(server.url, server.extra["ca"], plan)


def _error(answer: Any) -> tuple[int, str, int]:
    assert answer["ok"] is False, answer
    return answer["error"]["code"], answer["error"]["error"], answer["error"]["errorCode"]


def test_node_sdk_device_logins_links_and_unlinks(tls_server):
    android, ios, custom = (f"node-{kind}-{uuid.uuid4()}" for kind in ("android", "ios", "custom"))
    answers = _calls(
        tls_server,
        [
            ("PlayFabClient", "LoginWithAndroidDeviceID", {"AndroidDeviceId": android, "CreateAccount": True}),
            ("PlayFabClient", "LinkCustomID", {"CustomId": custom}),
            ("PlayFabClient", "LinkIOSDeviceID", {"DeviceId": ios, "DeviceModel": "iPhone15,2", "OS": "17.1"}),
            ("PlayFabClient", "LoginWithIOSDeviceID", {"DeviceId": ios}),
            ("PlayFabClient", "UnlinkIOSDeviceID", {}),
            ("PlayFabClient", "UnlinkIOSDeviceID", {}),
            ("PlayFabClient", "UnlinkCustomID", {"CustomId": custom}),
            ("PlayFabClient", "LinkAndroidDeviceID", {"AndroidDeviceId": android}),
            ("PlayFabClient", "UnlinkAndroidDeviceID", {"AndroidDeviceId": android}),
            ("PlayFabClient", "LoginWithAndroidDeviceID", {"AndroidDeviceId": android}),
            ("PlayFabClient", "LoginWithCustomID", {"CustomId": custom}),
        ],
    )
    created, link_custom, link_ios, ios_login, unlink_ios, unlink_again, unlink_custom = answers[:7]
    link_android, unlink_android, android_gone, custom_gone = answers[7:]
    assert created["ok"] and created["data"]["NewlyCreated"] is True
    player = created["data"]["PlayFabId"]
    assert link_custom == {"ok": True, "data": {}}
    assert link_ios == {"ok": True, "data": {}}
    assert ios_login["ok"] and ios_login["data"]["PlayFabId"] == player
    assert ios_login["data"]["NewlyCreated"] is False
    assert unlink_ios == {"ok": True, "data": {}}
    assert _error(unlink_again) == (400, "AccountNotLinked", 1014)
    assert unlink_custom == {"ok": True, "data": {}}
    assert link_android == {"ok": True, "data": {}}
    assert unlink_android == {"ok": True, "data": {}}
    assert _error(android_gone) == (400, "AccountNotFound", 1001)
    assert _error(custom_gone) == (400, "AccountNotFound", 1001)


def test_node_sdk_server_custom_ids_and_session_tickets(tls_server):
    (login,) = _calls(
        tls_server,
        [
            (
                "PlayFabClient",
                "LoginWithAndroidDeviceID",
                {"AndroidDeviceId": f"node-{uuid.uuid4()}", "CreateAccount": True},
            )
        ],
    )
    player, ticket = login["data"]["PlayFabId"], login["data"]["SessionTicket"]
    server_id, linked_id = f"node-server-{uuid.uuid4()}", f"node-linked-{uuid.uuid4()}"
    answers = _calls(
        tls_server,
        [
            ("PlayFabServer", "LoginWithServerCustomId", {"ServerCustomId": server_id, "CreateAccount": True}),
            ("PlayFabServer", "LinkServerCustomId", {"PlayFabId": player, "ServerCustomId": linked_id}),
            ("PlayFabServer", "LinkServerCustomId", {"PlayFabId": player, "ServerCustomId": server_id}),
            ("PlayFabServer", "GetServerCustomIDsFromPlayFabIDs", {"PlayFabIDs": [player]}),
            ("PlayFabServer", "UnlinkServerCustomId", {"PlayFabId": player, "ServerCustomId": linked_id}),
            ("PlayFabServer", "AuthenticateSessionTicket", {"SessionTicket": ticket}),
            ("PlayFabServer", "AuthenticateSessionTicket", {"SessionTicket": ticket[:-3] + "xyz"}),
        ],
    )
    server_login, link, second, listed, unlink, checked, forged = answers
    assert server_login["ok"] and server_login["data"]["NewlyCreated"] is True
    assert server_login["data"]["PlayFabId"] != player
    assert link == {"ok": True, "data": {}}
    assert _error(second) == (400, "AccountAlreadyLinked", 1011)
    assert listed == {"ok": True, "data": {"Data": [{"PlayFabId": player, "ServerCustomId": linked_id}]}}
    assert unlink == {"ok": True, "data": {}}
    assert checked["ok"] and checked["data"]["IsSessionTicketExpired"] is False
    assert checked["data"]["UserInfo"]["PlayFabId"] == player
    assert _error(forged) == (400, "InvalidSessionTicket", 1100)
