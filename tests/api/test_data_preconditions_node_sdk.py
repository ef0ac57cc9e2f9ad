"""ExpectedDataVersion through the official Node SDK's own methods, as a CustomTags entry, on both stores."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.node_sdk import run_node_calls
from tests.support.server import Server

PROCESSES = 4


def _run(server: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(server.url, server.extra["ca"], plan)


def _tag(version: int) -> dict[str, Any]:
    return {"CustomTags": {"ExpectedDataVersion": str(version)}}


def _conflict(answer: dict[str, Any], current: int) -> None:
    assert answer["ok"] is False, answer
    error = answer["error"]
    assert (error["code"], error["error"], error["errorCode"]) == (400, "PreconditionFailed", 1610), error
    assert error["errorDetails"] == {"DataVersion": [str(current)]}


def test_user_and_shared_group_data_through_custom_tags(tls_server):
    login = {"CustomId": f"node-{uuid.uuid4()}", "CreateAccount": True}
    group_id = f"node-{uuid.uuid4()}"
    group = {"SharedGroupId": group_id}
    answers = _run(
        tls_server,
        [
            ("PlayFabClient", "LoginWithCustomID", login),
            ("PlayFabClient", "UpdateUserData", {"Data": {"save": "one"}, **_tag(0)}),
            ("PlayFabClient", "UpdateUserData", {"Data": {"save": "lost"}, **_tag(0)}),
            ("PlayFabClient", "GetUserData", {}),
            ("PlayFabClient", "UpdateUserData", {"Data": {"save": "two"}, **_tag(1)}),
            ("PlayFabClient", "CreateSharedGroup", group),
            ("PlayFabClient", "GetSharedGroupData", {**group, "CustomTags": {"GetDataVersion": "true"}}),
            ("PlayFabClient", "UpdateSharedGroupData", {**group, "Data": {"turn": "1"}, **_tag(0)}),
            ("PlayFabClient", "UpdateSharedGroupData", {**group, "Data": {"turn": "x"}, **_tag(0)}),
            ("PlayFabClient", "UpdateSharedGroupData", {**group, "Data": {"turn": "2"}}),
            ("PlayFabClient", "UpdateUserData", {"Data": {"save": "x"}, **_tag(-1)}),
        ],
    )
    logged_in, first, stale, read, second, _, group_read, group_first, group_stale, group_plain, bad = answers
    assert logged_in["ok"], logged_in
    assert first == {"ok": True, "data": {"DataVersion": 1}}
    _conflict(stale, 1)
    assert read["ok"] and read["data"]["DataVersion"] == 1 and read["data"]["Data"]["save"]["Value"] == "one"
    assert second == {"ok": True, "data": {"DataVersion": 2}}
    assert group_read == {"ok": True, "data": {"Data": {}, "DataVersion": 0}}
    assert group_first == {"ok": True, "data": {"DataVersion": 1}}
    _conflict(group_stale, 1)
    assert group_plain == {"ok": True, "data": {}}  # no option: PlayFab's empty answer
    assert bad["ok"] is False and (bad["error"]["error"], bad["error"]["errorCode"]) == ("InvalidParams", 1000)


def test_racing_node_processes_one_wins(tls_server):
    """One player on several devices, each its own Node process, all writing over the version they read."""
    custom_id = f"node-race-{uuid.uuid4()}"
    (created,) = _run(
        tls_server, [("PlayFabClient", "LoginWithCustomID", {"CustomId": custom_id, "CreateAccount": True})]
    )
    playfab_id = created["data"]["PlayFabId"]
    (prepared,) = _run(tls_server, [("PlayFabServer", "UpdateUserData", {"PlayFabId": playfab_id, "Data": {"k": "0"}})])
    assert prepared == {"ok": True, "data": {"DataVersion": 1}}
    start = threading.Barrier(PROCESSES)

    def device(i: int) -> Any:
        start.wait()
        login, update = _run(
            tls_server,
            [
                ("PlayFabClient", "LoginWithCustomID", {"CustomId": custom_id}),
                ("PlayFabClient", "UpdateUserData", {"Data": {"k": f"device {i}"}, **_tag(1)}),
            ],
        )
        assert login["ok"], login
        return update

    with ThreadPoolExecutor(PROCESSES) as pool:
        results = list(pool.map(device, range(PROCESSES)))
    winners = [i for i, r in enumerate(results) if r["ok"]]
    assert len(winners) == 1, results
    assert results[winners[0]]["data"] == {"DataVersion": 2}
    for i, r in enumerate(results):
        if i not in winners:
            _conflict(r, 2)
    (stored,) = _run(tls_server, [("PlayFabServer", "GetUserData", {"PlayFabId": playfab_id})])
    assert stored["data"]["Data"]["k"]["Value"] == f"device {winners[0]}"
