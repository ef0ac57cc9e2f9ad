"""The title's statistic count: Admin definitions and first writes of new names share it, on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of
from tests.support.limited_hosts import host_on
from tests.support.players import new_player
from tests.support.server import Server
from tests.support.statistic_calls import define, fresh_name, server_update, values_of

BACKENDS = ("sqlite", "cosmos")


@pytest.fixture(scope="module", params=BACKENDS)
def small_title(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with host_on(request.param, request, tmp_path_factory.mktemp("stat-limit"), STATISTICS_MAX_PER_TITLE="2") as srv:
        yield srv


def test_the_title_defines_at_most_its_limit_of_statistics(small_title):
    sdk.point_at(small_title)
    player, first, second, third = new_player(), fresh_name(), fresh_name(), fresh_name()
    define(first)
    server_update(player.playfab_id, {second: 1})  # a first write defines the name
    updates = [{"StatisticName": first, "Value": 5}, {"StatisticName": third, "Value": 1}]
    err = error_of("Server/UpdatePlayerStatistics", {"PlayFabId": player.playfab_id, "Statistics": updates})
    assert_error(err, 400, "StatisticCountLimitExceeded", 1203)
    assert values_of(player.playfab_id) == {second: (1, 0)}  # nothing of the refused update was written
    err = error_of("Admin/CreatePlayerStatisticDefinition", {"StatisticName": third})
    assert_error(err, 400, "StatisticCountLimitExceeded", 1203)
    names = sorted(d["StatisticName"] for d in call("Admin/GetPlayerStatisticDefinitions", {})["Statistics"])
    assert names == sorted([first, second])
    server_update(player.playfab_id, {first: 5, second: 2})  # the defined ones stay writable
    assert values_of(player.playfab_id) == {first: (5, 0), second: (2, 0)}
