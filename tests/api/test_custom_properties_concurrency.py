"""Concurrent custom property writes from separate HTTP connections, released together by a barrier.

Each race runs on both stores (the `server` fixture) and on a host with two worker processes sharing
one SQLite file. Half the callers are the player (Client API), half the title (Server API).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support import sdk
from tests.support.custom_property_calls import LIST, SERVER, call
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY, Server, running_server

CALLERS = 16


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("properties-race"), WORKERS="2") as srv:
        yield srv


def _in_parallel(host: Server, player: Player, method: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST every body at once, each from its own thread and connection: even ones as the player, odd
    ones as the title naming the player."""
    start = threading.Barrier(len(bodies))

    def post(i: int) -> dict[str, Any]:
        if i % 2 == 0:
            path, headers, body = f"/Client/{method}", {"X-Authorization": player.ticket}, bodies[i]
        else:
            path, headers, body = (
                f"/Server/{method}",
                {"X-SecretKey": SECRET_KEY},
                {**bodies[i], "PlayFabId": player.playfab_id},
            )
        with httpx.Client(base_url=host.url, timeout=60) as client:
            client.post("/", content=b"")  # the connection is open before the race starts
            start.wait()
            resp = client.post(path, json=body, headers=headers)
            envelope: dict[str, Any] = resp.json()
            assert resp.status_code == envelope["code"]
            return envelope

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, range(len(bodies))))


def _stored(player: Player) -> dict[str, Any]:
    return call(SERVER, LIST, {"PlayFabId": player.playfab_id})


def _update(name: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"Properties": [{"Name": name, "Value": value}], **extra}


def of_updates_expecting_one_version_exactly_one_wins(host: Server, player: Player) -> None:
    first = _in_parallel(host, player, "UpdatePlayerCustomProperties", [_update("race", "start")])
    assert first[0]["data"] == {"PropertiesVersion": 1}
    bodies = [_update("race", f"writer {i}", ExpectedPropertiesVersion=1) for i in range(CALLERS)]
    results = _in_parallel(host, player, "UpdatePlayerCustomProperties", bodies)

    winners = [i for i, r in enumerate(results) if r["code"] == 200]
    assert len(winners) == 1, results
    (winner,) = winners
    expected = {"PropertiesVersion": 2} if winner % 2 == 0 else {"PlayFabId": player.playfab_id, "PropertiesVersion": 2}
    assert results[winner]["data"] == expected
    for i, r in enumerate(results):
        if i != winner:
            assert (r["code"], r["error"], r["errorCode"]) == (400, "PlayerCustomPropertiesVersionMismatch", 19004), r
            assert r["errorDetails"] == {"PropertiesVersion": ["2"]}
    assert _stored(player) == {
        "PlayFabId": player.playfab_id,
        "Properties": [{"Name": "race", "Value": f"writer {winner}"}],
        "PropertiesVersion": 2,
    }


def unversioned_updates_all_land_one_version_each(host: Server, player: Player) -> None:
    bodies = [_update(f"p{i % 5}", i) for i in range(CALLERS)]
    results = _in_parallel(host, player, "UpdatePlayerCustomProperties", bodies)

    assert all(r["code"] == 200 for r in results), results
    versions = [r["data"]["PropertiesVersion"] for r in results]
    assert sorted(versions) == list(range(1, CALLERS + 1))  # applied one after another, none lost
    stored = _stored(player)
    assert stored["PropertiesVersion"] == CALLERS
    for prop in stored["Properties"]:
        # Each property holds the value of the last call (highest version) that wrote it.
        writers = [i for i in range(CALLERS) if f"p{i % 5}" == prop["Name"]]
        assert prop["Value"] == max(writers, key=lambda i: versions[i])
    assert len(stored["Properties"]) == 5


def of_racing_deletes_of_one_property_exactly_one_deletes_it(host: Server, player: Player) -> None:
    _in_parallel(host, player, "UpdatePlayerCustomProperties", [_update("gone", 1)])
    results = _in_parallel(host, player, "DeletePlayerCustomProperties", [{"PropertyNames": ["gone"]}] * CALLERS)

    assert all(r["code"] == 200 for r in results), results
    deleted = [r["data"]["DeletedProperties"] for r in results]
    assert sorted(d[0]["WasDeleted"] for d in deleted) == [False] * (CALLERS - 1) + [True]
    assert {r["data"]["PropertiesVersion"] for r in results} == {2}
    assert _stored(player)["Properties"] == []


def the_count_limit_holds_under_racing_new_names(host: Server, player: Player) -> None:
    """Five properties at most: of sixteen callers each adding its own name, exactly five land."""
    results = _in_parallel(host, player, "UpdatePlayerCustomProperties", [_update(f"n{i}", i) for i in range(CALLERS)])

    landed = [i for i, r in enumerate(results) if r["code"] == 200]
    assert len(landed) == 5, results
    assert all(r["errorCode"] == 19005 for i, r in enumerate(results) if i not in landed)
    stored = _stored(player)
    assert sorted(p["Name"] for p in stored["Properties"]) == sorted(f"n{i}" for i in landed)
    assert stored["PropertiesVersion"] == 5


RACES = {
    race.__name__: race
    for race in (
        of_updates_expecting_one_version_exactly_one_wins,
        unversioned_updates_all_land_one_version_each,
        of_racing_deletes_of_one_property_exactly_one_deletes_it,
        the_count_limit_holds_under_racing_new_names,
    )
}


def _run(host: Server, race: str) -> None:
    sdk.point_at(host)
    RACES[race](host, new_player())


@pytest.mark.parametrize("race", RACES)
def test_on_each_store(server, race):
    _run(server, race)


@pytest.mark.parametrize("race", RACES)
def test_on_two_processes_sharing_one_sqlite_file(two_workers, race):
    _run(two_workers, race)
