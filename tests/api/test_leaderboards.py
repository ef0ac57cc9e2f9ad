"""Leaderboards through the official Python SDK on both stores: order and PlayFab's tie rule, pages and
StartPosition past the end, centring on a player, versions, display names and profiles, unknown
statistics, and a deleted player leaving every board."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from shared.config.settings import load_settings
from shared.services import open_store
from shared.storage.layout import rank_board
from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of
from tests.support.players import Player, new_player
from tests.support.server import TITLE_ID, Server
from tests.support.statistic_calls import (
    advance,
    board,
    define,
    fresh_name,
    server_update,
    statistics_host,
)

BACKENDS = ("sqlite", "cosmos")


@pytest.fixture(scope="module", params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with statistics_host(request.param, request, tmp_path_factory.mktemp(f"boards-{request.param}")) as srv:
        yield srv


@pytest.fixture
def on_host(host: Server) -> Server:
    sdk.point_at(host)
    return host


def _ranked(on_host: Server, name: str, values: list[int]) -> list[Player]:
    """Players given `values` in order, a second apart on the host's clock (who reached a value first)."""
    players = []
    for value in values:
        player = new_player()
        server_update(player.playfab_id, {name: value})
        advance(on_host, 1.0)
        players.append(player)
    return players


def test_order_ties_and_pages(on_host):
    name = fresh_name()
    a, b, c, d = _ranked(on_host, name, [10, 30, 10, 20])
    # Highest first; of equal values, the player who reached it first ranks higher. Positions from 0.
    expected = [(b.playfab_id, 30, 0), (d.playfab_id, 20, 1), (a.playfab_id, 10, 2), (c.playfab_id, 10, 3)]
    assert board(name) == expected
    assert board(name, start=1, count=2) == expected[1:3]
    assert board(name, start=4) == [] and board(name, start=1000) == []
    # Reaching the same value again later keeps the place; changing it re-stamps it.
    server_update(a.playfab_id, {name: 10})
    assert board(name) == expected
    server_update(a.playfab_id, {name: 11})
    server_update(a.playfab_id, {name: 10})
    assert board(name)[2:] == [(c.playfab_id, 10, 2), (a.playfab_id, 10, 3)]


def test_client_leaderboard_defaults_and_limits(on_host):
    name = fresh_name()
    players = _ranked(on_host, name, list(range(12)))
    players[0].use()
    data = call("Client/GetLeaderboard", {"StatisticName": name, "StartPosition": 0})
    assert len(data["Leaderboard"]) == 10  # PlayFab's default MaxResultsCount
    assert data["Version"] == 0 and "NextReset" not in data
    assert [e["StatValue"] for e in data["Leaderboard"]] == list(range(11, 1, -1))
    for bad in ({"MaxResultsCount": 101}, {"MaxResultsCount": -1}, {"StartPosition": -1}):
        request = {"StatisticName": name, "StartPosition": 0, **bad}
        err = error_of("Client/GetLeaderboard", request)
        assert_error(err, 400, "InvalidParams", 1000)
    err = error_of("Server/GetLeaderboard", {"StatisticName": name, "StartPosition": 0})
    assert_error(err, 400, "InvalidParams", 1000)  # the Server API requires MaxResultsCount
    assert "MaxResultsCount" in err["errorDetails"]


def test_unknown_statistic_is_an_empty_board(on_host):
    new_player().use()
    data = call("Client/GetLeaderboard", {"StatisticName": fresh_name(), "StartPosition": 0, "MaxResultsCount": 5})
    assert data == {"Leaderboard": [], "Version": 0}


def test_entries_carry_display_names_and_profiles(on_host):
    name = fresh_name()
    named, plain = _ranked(on_host, name, [5, 3])
    named.use()
    display = f"n{fresh_name()[-12:]}"
    call("Client/UpdateUserTitleDisplayName", {"DisplayName": display})
    data = call("Client/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10})
    first, second = data["Leaderboard"]
    assert first == {
        "PlayFabId": named.playfab_id,
        "DisplayName": display,
        "StatValue": 5,
        "Position": 0,
        "Profile": {"PlayerId": named.playfab_id, "TitleId": TITLE_ID, "DisplayName": display},
    }
    assert second == {
        "PlayFabId": plain.playfab_id,
        "StatValue": 3,
        "Position": 1,
        "Profile": {"PlayerId": plain.playfab_id, "TitleId": TITLE_ID},
    }
    # A client may ask only for the profile fields the title allows; the title for any.
    request = {"StatisticName": name, "StartPosition": 0, "ProfileConstraints": {"ShowCreated": True}}
    err = error_of("Client/GetLeaderboard", request)
    assert_error(err, 400, "RequestViewConstraintParamsNotAllowed", 1303)
    data = call("Server/GetLeaderboard", {**request, "MaxResultsCount": 1})
    assert set(data["Leaderboard"][0]["Profile"]) == {"PlayerId", "TitleId", "Created"}


def test_around_a_player(on_host):
    name = fresh_name()
    players = _ranked(on_host, name, [100 - i for i in range(9)])  # position i holds players[i]
    players[4].use()
    data = call("Client/GetLeaderboardAroundPlayer", {"StatisticName": name, "MaxResultsCount": 3})
    assert [e["Position"] for e in data["Leaderboard"]] == [3, 4, 5]
    assert data["Leaderboard"][1]["PlayFabId"] == players[4].playfab_id
    # Near either end the window stays full.
    near_top = call(
        "Client/GetLeaderboardAroundPlayer",
        {"StatisticName": name, "MaxResultsCount": 4, "PlayFabId": players[0].playfab_id},
    )
    assert [e["Position"] for e in near_top["Leaderboard"]] == [0, 1, 2, 3]
    server = call(
        "Server/GetLeaderboardAroundUser",
        {"StatisticName": name, "MaxResultsCount": 4, "PlayFabId": players[8].playfab_id},
    )
    assert [e["Position"] for e in server["Leaderboard"]] == [5, 6, 7, 8]
    # A player without a value comes alone, with 0, after every ranked player.
    unranked = new_player()
    data = call("Client/GetLeaderboardAroundPlayer", {"StatisticName": name, "MaxResultsCount": 3})
    assert [(e["PlayFabId"], e["StatValue"], e["Position"]) for e in data["Leaderboard"]] == [
        (unranked.playfab_id, 0, 9)
    ]
    err = error_of(
        "Server/GetLeaderboardAroundUser", {"StatisticName": name, "MaxResultsCount": 3, "PlayFabId": "0" * 16}
    )
    assert_error(err, 400, "AccountNotFound", 1001)


def test_old_versions_stay_readable(on_host):
    name = fresh_name()
    define(name, "Max")
    first, second = _ranked(on_host, name, [7, 9])
    call("Admin/IncrementPlayerStatisticVersion", {"StatisticName": name})
    server_update(first.playfab_id, {name: 1})
    assert board(name) == [(first.playfab_id, 1, 0)]
    old = call(
        "Server/GetLeaderboard",
        {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10, "Version": 0, "UseSpecificVersion": True},
    )
    assert old["Version"] == 0
    assert [(e["PlayFabId"], e["StatValue"]) for e in old["Leaderboard"]] == [
        (second.playfab_id, 9),
        (first.playfab_id, 7),
    ]
    # Version without UseSpecificVersion is the current one; a version yet to come is refused.
    assert (
        call("Server/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 1, "Version": 0})[
            "Version"
        ]
        == 1
    )
    first.use()
    around = call(
        "Client/GetLeaderboardAroundPlayer",
        {"StatisticName": name, "MaxResultsCount": 1, "Version": 0, "UseSpecificVersion": True},
    )
    assert [(e["StatValue"], e["Position"]) for e in around["Leaderboard"]] == [(7, 1)]
    err = error_of(
        "Client/GetLeaderboard", {"StatisticName": name, "StartPosition": 0, "Version": 5, "UseSpecificVersion": True}
    )
    assert_error(err, 400, "LeaderboardVersionNotAvailable", 1277)


def test_a_deleted_player_leaves_every_board(on_host):
    name, other = fresh_name(), fresh_name()
    define(other, "Last")
    leaving, staying = _ranked(on_host, name, [50, 40])
    server_update(leaving.playfab_id, {other: 3})
    call("Admin/IncrementPlayerStatisticVersion", {"StatisticName": other})
    server_update(leaving.playfab_id, {other: 4})
    call("Admin/DeletePlayer", {"PlayFabId": leaving.playfab_id})
    assert board(name) == [(staying.playfab_id, 40, 0)]
    assert board(other) == []
    assert board(other, Version=0, UseSpecificVersion=True) == []


def _drop_entry(server: Server, address: str, entity_id: str) -> None:
    """Remove one index entry behind the app's back, as a host stopping between the two writes leaves it."""

    async def drop() -> None:
        store = await open_store(load_settings(server.env))
        try:
            await store.delete_rank(address, entity_id)
        finally:
            await store.close()

    asyncio.run(drop())


def test_an_index_entry_lost_between_the_two_writes_is_restored_by_the_next_update(on_host):
    name, player = fresh_name(), new_player()
    server_update(player.playfab_id, {name: 5})
    _drop_entry(on_host, rank_board("player", name, 0), player.playfab_id)
    assert board(name) == []
    server_update(player.playfab_id, {name: 5})  # the value does not change; its entry is written again
    assert board(name) == [(player.playfab_id, 5, 0)]
