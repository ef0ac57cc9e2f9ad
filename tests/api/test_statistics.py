"""Player statistics through the official Python SDK: updates and reads, aggregation, PlayFab's defaults,
definitions, versions and their resets on UTC boundaries (with the host's clock moved), client writes
behind their setting, and concurrent updates that add up exactly, on both stores."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of
from tests.support.players import new_player
from tests.support.server import SECRET_KEY, Server
from tests.support.statistic_calls import (
    advance,
    advance_to,
    define,
    fresh_name,
    host_now,
    iso_z,
    next_day,
    next_hour,
    next_monday,
    next_month,
    server_update,
    statistics_host,
    values_of,
)

BACKENDS = ("sqlite", "cosmos")


@pytest.fixture(scope="module", params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with statistics_host(request.param, request, tmp_path_factory.mktemp(f"stats-{request.param}")) as srv:
        yield srv


@pytest.fixture
def on_host(host: Server) -> Server:
    sdk.point_at(host)
    return host


def test_a_statistic_without_definition_gets_playfabs_defaults(on_host):
    player, name, other = new_player(), fresh_name(), fresh_name()
    assert server_update(player.playfab_id, {name: 10}) == {}
    server_update(player.playfab_id, {name: 4})  # Last: the latest value wins
    assert values_of(player.playfab_id) == {name: (4, 0)}
    player.use()
    assert call("Client/GetPlayerStatistics", {}) == {"Statistics": [{"StatisticName": name, "Value": 4, "Version": 0}]}
    # A name the player has no value for, or no one defined, is left out.
    assert call("Client/GetPlayerStatistics", {"StatisticNames": [name, other]})["Statistics"] == [
        {"StatisticName": name, "Value": 4, "Version": 0}
    ]
    definitions = call("Admin/GetPlayerStatisticDefinitions", {})["Statistics"]
    assert {
        "StatisticName": name,
        "CurrentVersion": 0,
        "AggregationMethod": "Last",
        "VersionChangeInterval": "Never",
    } in (definitions)
    assert all(d["StatisticName"] != other for d in definitions)
    server = call("Server/GetPlayerStatistics", {"PlayFabId": player.playfab_id, "StatisticNames": [name]})
    assert server == {"PlayFabId": player.playfab_id, "Statistics": [{"StatisticName": name, "Value": 4, "Version": 0}]}


@pytest.mark.parametrize(
    ("aggregation", "values", "expected"),
    [("Last", [5, 9, 2], 2), ("Min", [5, 9, 2, 7], 2), ("Max", [5, 9, 2], 9), ("Sum", [5, 9, -2], 12)],
)
def test_aggregation(on_host, aggregation, values, expected):
    player, name = new_player(), fresh_name()
    assert define(name, aggregation) == {
        "StatisticName": name,
        "CurrentVersion": 0,
        "AggregationMethod": aggregation,
        "VersionChangeInterval": "Never",
    }
    for value in values:
        server_update(player.playfab_id, {name: value})
    assert values_of(player.playfab_id) == {name: (expected, 0)}
    # ForceUpdate sets the value whatever the aggregation.
    server_update(player.playfab_id, {name: 1}, ForceUpdate=True)
    assert values_of(player.playfab_id) == {name: (1, 0)}


def test_sum_overflow_is_refused_and_changes_nothing(on_host):
    player, name, other = new_player(), fresh_name(), fresh_name()
    define(name, "Sum")
    server_update(player.playfab_id, {name: 2**31 - 10})
    updates = [{"StatisticName": other, "Value": 1}, {"StatisticName": name, "Value": 10}]
    err = error_of("Server/UpdatePlayerStatistics", {"PlayFabId": player.playfab_id, "Statistics": updates})
    assert_error(err, 400, "StatisticValueAggregationOverflow", 1308)
    assert values_of(player.playfab_id) == {name: (2**31 - 10, 0)}  # the whole update was refused
    server_update(player.playfab_id, {name: 9})
    assert values_of(player.playfab_id) == {name: (2**31 - 1, 0)}


def test_clients_post_statistics_when_the_title_allows(on_host):
    player, name = new_player(), fresh_name()
    player.use()
    assert call("Client/UpdatePlayerStatistics", {"Statistics": [{"StatisticName": name, "Value": 3}]}) == {}
    assert values_of(player.playfab_id) == {name: (3, 0)}


def test_clients_may_not_post_statistics_by_default(pf):
    player, name = new_player(), fresh_name()
    err = error_of("Client/UpdatePlayerStatistics", {"Statistics": [{"StatisticName": name, "Value": 3}]})
    assert_error(err, 400, "APINotEnabledForGameClientAccess", 1082)
    character = call(
        "Server/GrantCharacterToUser", {"PlayFabId": player.playfab_id, "CharacterName": "A", "CharacterType": "B"}
    )
    player.use()
    err = error_of(
        "Client/UpdateCharacterStatistics", {"CharacterId": character["CharacterId"], "CharacterStatistics": {name: 1}}
    )
    assert_error(err, 400, "APINotEnabledForGameClientAccess", 1082)
    assert values_of(player.playfab_id) == {}
    assert all(d["StatisticName"] != name for d in call("Admin/GetPlayerStatisticDefinitions", {})["Statistics"])
    # The Server API writes them.
    server_update(player.playfab_id, {name: 3})
    assert values_of(player.playfab_id) == {name: (3, 0)}


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"Statistics": [{"StatisticName": "", "Value": 1}]}, "Statistics.0.StatisticName"),
        ({"Statistics": [{"StatisticName": "a/b", "Value": 1}]}, "Statistics.0.StatisticName"),
        ({"Statistics": [{"StatisticName": "x" * 129, "Value": 1}]}, "Statistics.0.StatisticName"),
        ({"Statistics": [{"StatisticName": "s", "Value": 2**31}]}, "Statistics.0.Value"),
        ({"Statistics": [{"StatisticName": "s", "Value": "1"}]}, "Statistics.0.Value"),
        ({"Statistics": [{"StatisticName": "s", "Value": 1, "Version": -1}]}, "Statistics.0.Version"),
        ({"Statistics": [{"StatisticName": f"s{i}", "Value": 1} for i in range(26)]}, "Statistics"),
        ({}, "Statistics"),
    ],
    ids=["empty-name", "slash", "long-name", "int32", "string-value", "negative-version", "too-many", "missing"],
)
def test_updates_are_validated(on_host, request_body, field):
    player = new_player()
    err = error_of("Server/UpdatePlayerStatistics", {"PlayFabId": player.playfab_id, **request_body})
    assert_error(err, 400, "InvalidParams", 1000)
    assert field in err["errorDetails"]


def test_unknown_player_and_definition_errors(on_host):
    name = fresh_name()
    err = error_of("Server/UpdatePlayerStatistics", {"PlayFabId": "0000000000000001", "Statistics": []})
    assert_error(err, 400, "AccountNotFound", 1001)
    define(name)
    assert_error(
        error_of("Admin/CreatePlayerStatisticDefinition", {"StatisticName": name}), 400, "StatisticNameConflict", 1196
    )
    missing = fresh_name()
    for route in ("Admin/UpdatePlayerStatisticDefinition", "Admin/IncrementPlayerStatisticVersion"):
        assert_error(error_of(route, {"StatisticName": missing}), 400, "StatisticNotFound", 1195)
    assert call("Server/GetPlayerStatisticVersions", {"StatisticName": missing}) == {"StatisticVersions": []}


def test_hourly_reset_closes_the_old_version_and_keeps_it_readable(on_host):
    player, name = new_player(), fresh_name()
    created = define(name, "Max", "Hour")
    assert created["CurrentVersion"] == 0 and created["VersionChangeInterval"] == "Hour"
    server_update(player.playfab_id, {name: 50})
    boundary = next_hour(host_now(on_host))
    advance_to(on_host, boundary)
    # The new version has no values: the player's 50 belongs to version 0.
    assert values_of(player.playfab_id) == {}
    old = call(
        "Server/GetPlayerStatistics",
        {"PlayFabId": player.playfab_id, "StatisticNameVersions": [{"StatisticName": name, "Version": 0}]},
    )
    assert old["Statistics"] == [{"StatisticName": name, "Value": 50, "Version": 0}]
    # A write naming the closed version is refused; one naming a version to come is invalid.
    stale = [{"StatisticName": name, "Value": 60, "Version": 0}]
    err = error_of("Server/UpdatePlayerStatistics", {"PlayFabId": player.playfab_id, "Statistics": stale})
    assert_error(err, 400, "StatisticVersionClosedForWrites", 1197)
    future = [{"StatisticName": name, "Value": 60, "Version": 2}]
    err = error_of("Server/UpdatePlayerStatistics", {"PlayFabId": player.playfab_id, "Statistics": future})
    assert_error(err, 400, "StatisticVersionInvalid", 1198)
    current = [{"StatisticName": name, "Value": 7, "Version": 1}]
    call("Server/UpdatePlayerStatistics", {"PlayFabId": player.playfab_id, "Statistics": current})
    assert values_of(player.playfab_id) == {name: (7, 1)}  # Max starts afresh in the new version
    versions = call("Server/GetPlayerStatisticVersions", {"StatisticName": name})["StatisticVersions"]
    assert [v["Version"] for v in versions] == [0, 1]
    assert versions[0]["DeactivationTime"] == iso_z(boundary)
    assert versions[0]["ScheduledDeactivationTime"] == iso_z(boundary)
    assert versions[1]["ActivationTime"] == versions[1]["ScheduledActivationTime"] == iso_z(boundary)
    assert "DeactivationTime" not in versions[1]
    admin = call("Admin/GetPlayerStatisticVersions", {"StatisticName": name})["StatisticVersions"]
    assert [v["Status"] for v in admin] == ["Snapshot", "Active"]
    board = call("Server/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10})
    assert board["Version"] == 1
    assert board["NextReset"] == iso_z(next_hour(boundary.timestamp()))


@pytest.mark.parametrize(
    ("interval", "boundary_of"),
    [("Day", next_day), ("Week", next_monday), ("Month", next_month)],
)
def test_resets_on_utc_boundaries(on_host, interval, boundary_of):
    """Day at 00:00 UTC, Week on Monday 00:00 UTC, Month on the 1st 00:00 UTC; one second short of it, not yet."""
    player, name = new_player(), fresh_name()
    define(name, "Sum", interval)
    server_update(player.playfab_id, {name: 5})
    boundary = boundary_of(host_now(on_host))
    assert boundary.hour == 0 and boundary.minute == 0
    if interval == "Week":
        assert boundary.weekday() == 0
    if interval == "Month":
        assert boundary.day == 1
    board = call("Server/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 1})
    assert board["NextReset"] == iso_z(boundary)
    advance_to(on_host, boundary, past=-1.0)
    assert values_of(player.playfab_id, [name]) == {name: (5, 0)}
    advance(on_host, 2.0)
    assert values_of(player.playfab_id, [name]) == {}
    server_update(player.playfab_id, {name: 1})
    assert values_of(player.playfab_id, [name]) == {name: (1, 1)}


def test_a_manual_increment_does_not_move_the_scheduled_reset(on_host):
    player, name = new_player(), fresh_name()
    define(name, "Last", "Day")
    server_update(player.playfab_id, {name: 5})
    boundary = next_day(host_now(on_host))
    bumped = call("Admin/IncrementPlayerStatisticVersion", {"StatisticName": name})["StatisticVersion"]
    assert bumped["Version"] == 1 and bumped["Status"] == "Active"
    assert bumped["ScheduledDeactivationTime"] == iso_z(boundary)
    assert values_of(player.playfab_id) == {}
    board = call("Server/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 1})
    assert (board["Version"], board["NextReset"]) == (1, iso_z(boundary))
    advance_to(on_host, boundary)
    definitions = call("Admin/GetPlayerStatisticDefinitions", {})["Statistics"]
    assert next(d for d in definitions if d["StatisticName"] == name)["CurrentVersion"] == 2
    versions = call("Admin/GetPlayerStatisticVersions", {"StatisticName": name})["StatisticVersions"]
    assert [v["Version"] for v in versions] == [0, 1, 2]
    assert "ScheduledActivationTime" not in versions[1]  # activated by hand
    assert versions[2]["ScheduledActivationTime"] == iso_z(boundary)


def test_changing_the_interval_takes_effect_at_its_next_boundary(on_host):
    player, name = new_player(), fresh_name()
    define(name)
    server_update(player.playfab_id, {name: 5})
    changed = call("Admin/UpdatePlayerStatisticDefinition", {"StatisticName": name, "VersionChangeInterval": "Hour"})
    assert changed["Statistic"]["CurrentVersion"] == 0 and changed["Statistic"]["VersionChangeInterval"] == "Hour"
    assert values_of(player.playfab_id) == {name: (5, 0)}
    advance_to(on_host, next_hour(host_now(on_host)))
    assert values_of(player.playfab_id) == {}
    versions = call("Server/GetPlayerStatisticVersions", {"StatisticName": name})["StatisticVersions"]
    assert [v["Version"] for v in versions] == [0, 1]


def test_concurrent_sum_updates_from_separate_connections_add_up(on_host):
    player, name = new_player(), fresh_name()
    define(name, "Sum")
    writers = 32
    barrier = threading.Barrier(writers)
    codes: list[int] = []
    lock = threading.Lock()
    body = json.dumps({"PlayFabId": player.playfab_id, "Statistics": [{"StatisticName": name, "Value": 3}]})
    headers = {"Content-Type": "application/json", "X-SecretKey": SECRET_KEY}

    def write() -> None:
        with httpx.Client() as client:
            client.post(on_host.url + "/Admin/GetPlayerStatisticDefinitions", content="{}", headers=headers)
            barrier.wait(timeout=60)
            code = client.post(
                on_host.url + "/Server/UpdatePlayerStatistics", content=body, headers=headers, timeout=60
            ).json()["code"]
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert codes == [200] * writers
    assert values_of(player.playfab_id) == {name: (3 * writers, 0)}
    board = call("Server/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10})
    assert [(e["PlayFabId"], e["StatValue"]) for e in board["Leaderboard"]] == [(player.playfab_id, 3 * writers)]


def test_statistics_in_combined_info_and_profiles(on_host):
    custom_id, name, other = fresh_name("custom"), fresh_name(), fresh_name()
    player = new_player(custom_id)
    server_update(player.playfab_id, {name: 8, other: 2})
    info = call(
        "Server/GetPlayerCombinedInfo",
        {
            "PlayFabId": player.playfab_id,
            "InfoRequestParameters": {"GetPlayerStatistics": True, "PlayerStatisticNames": [name]},
        },
    )
    assert info["InfoResultPayload"]["PlayerStatistics"] == [{"StatisticName": name, "Value": 8, "Version": 0}]
    profile = call(
        "Server/GetPlayerProfile", {"PlayFabId": player.playfab_id, "ProfileConstraints": {"ShowStatistics": True}}
    )["PlayerProfile"]
    expected = [{"Name": name, "Value": 8, "Version": 0}, {"Name": other, "Value": 2, "Version": 0}]
    assert sorted(profile["Statistics"], key=lambda s: s["Name"]) == sorted(expected, key=lambda s: s["Name"])
    login = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": custom_id, "InfoRequestParameters": {"GetPlayerStatistics": True}},
    )
    listed = login["InfoResultPayload"]["PlayerStatistics"]
    assert sorted(s["StatisticName"] for s in listed) == sorted([name, other])
