"""Statistics and leaderboards through the official Node SDK over HTTPS, on both stores."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.node_sdk import run_node_calls
from tests.support.server import Server


def _run(server: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(server.url, server.extra["ca"], plan)


def test_statistics_and_leaderboards(tls_server):
    custom_id, name = f"node-{uuid.uuid4()}", f"node-{uuid.uuid4().hex[:10]}"
    (logged_in,) = _run(
        tls_server, [("PlayFabClient", "LoginWithCustomID", {"CustomId": custom_id, "CreateAccount": True})]
    )
    assert logged_in["ok"], logged_in
    pid = logged_in["data"]["PlayFabId"]
    login = {"CustomId": custom_id}
    update = {"Statistics": [{"StatisticName": name, "Value": 12}]}
    results = _run(
        tls_server,
        [
            ("PlayFabAdmin", "CreatePlayerStatisticDefinition", {"StatisticName": name, "AggregationMethod": "Max"}),
            ("PlayFabServer", "UpdatePlayerStatistics", {"PlayFabId": pid, **update}),
            ("PlayFabClient", "LoginWithCustomID", login),
            ("PlayFabClient", "UpdatePlayerStatistics", update),
            ("PlayFabClient", "GetPlayerStatistics", {"StatisticNames": [name]}),
            ("PlayFabClient", "GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 5}),
            ("PlayFabClient", "GetLeaderboardAroundPlayer", {"StatisticName": name, "MaxResultsCount": 5}),
            (
                "PlayFabServer",
                "GetLeaderboardAroundUser",
                {"StatisticName": name, "PlayFabId": pid, "MaxResultsCount": 5},
            ),
            ("PlayFabClient", "GetPlayerStatisticVersions", {"StatisticName": name}),
            ("PlayFabAdmin", "GetPlayerStatisticDefinitions", {}),
        ],
    )
    created, server_update, relogged, refused, stats, top, around, around_user, versions, definitions = results
    assert created["ok"] and created["data"]["Statistic"]["AggregationMethod"] == "Max"
    assert server_update == {"ok": True, "data": {}}
    assert relogged["ok"]
    assert refused["ok"] is False
    assert (refused["error"]["error"], refused["error"]["errorCode"]) == ("APINotEnabledForGameClientAccess", 1082)
    assert stats == {"ok": True, "data": {"Statistics": [{"StatisticName": name, "Value": 12, "Version": 0}]}}
    entry = {"PlayFabId": pid, "StatValue": 12, "Position": 0}
    for answer in (top, around, around_user):
        assert answer["ok"], answer
        assert answer["data"]["Version"] == 0
        assert [{k: e[k] for k in entry} for e in answer["data"]["Leaderboard"]] == [entry]
    assert versions["ok"] and [v["Version"] for v in versions["data"]["StatisticVersions"]] == [0]
    assert definitions["ok"] and any(d["StatisticName"] == name for d in definitions["data"]["Statistics"])
