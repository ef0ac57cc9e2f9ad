"""Parallel SetObjects calls over separate HTTP connections, against a host with two worker processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support import sdk
from tests.support.entity_calls import fields, get_objects, key, set_objects
from tests.support.players import Player, new_player
from tests.support.server import Server, running_server

WRITERS = 12


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("objects-race"), WORKERS="2") as srv:
        yield srv


@pytest.fixture
def player(two_workers: Server) -> Player:
    sdk.point_at(two_workers)
    p = new_player()
    p.use()
    return p


def _in_parallel(server: Server, bodies: list[dict[str, Any]], token: str) -> list[dict[str, Any]]:
    """POST every body to SetObjects at once, each from its own thread and connection."""
    start = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            client.post("/", content=b"")  # open the connection before the race starts
            start.wait()
            resp = client.post("/Object/SetObjects", json=body, headers={"X-EntityToken": token})
            envelope = resp.json()
            assert resp.status_code == envelope["code"]
            return envelope

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def names(i: int) -> str:
    """The object writer i writes: twelve writers over five objects."""
    return f"o{i % 5}"


def _body(player: Player, objects: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"Entity": key(player), "Objects": objects, **extra}


def test_of_writers_expecting_the_same_version_exactly_one_wins(two_workers, player):
    set_objects(key(player), [{"ObjectName": "race", "DataObject": "start"}])
    bodies = [
        _body(player, [{"ObjectName": "race", "DataObject": {"writer": i}}], ExpectedProfileVersion=1)
        for i in range(WRITERS)
    ]
    results = _in_parallel(two_workers, bodies, player.entity_token)

    winners = [i for i, r in enumerate(results) if r["code"] == 200]
    assert len(winners) == 1, results
    assert results[winners[0]]["data"] == {
        "ProfileVersion": 2,
        "SetResults": [{"ObjectName": "race", "SetResult": "Updated"}],
    }
    for i, r in enumerate(results):
        if i != winners[0]:
            assert fields(r) == (400, "BadRequest", "EntityProfileVersionMismatch", 1352)
            assert r["errorDetails"] == {"ProfileVersion": ["2"]}
    stored = get_objects(key(player))
    assert stored["ProfileVersion"] == 2
    assert stored["Objects"] == {"race": {"ObjectName": "race", "DataObject": {"writer": winners[0]}}}


def test_unversioned_writers_all_land_and_each_moves_the_version(two_workers, player):
    start = set_objects(key(player), [{"ObjectName": "o0", "DataObject": "start"}])["ProfileVersion"]
    bodies = [_body(player, [{"ObjectName": names(i), "DataObject": {"writer": i}}]) for i in range(WRITERS)]
    results = _in_parallel(two_workers, bodies, player.entity_token)

    assert all(r["code"] == 200 for r in results), results
    assert all(r["data"]["SetResults"][0]["SetResult"] in ("Created", "Updated") for r in results)
    # Every call saw its own version: the calls were applied one after another, none lost.
    assert sorted(r["data"]["ProfileVersion"] for r in results) == list(range(start + 1, start + 1 + WRITERS))
    stored = get_objects(key(player))
    assert stored["ProfileVersion"] == start + WRITERS
    assert sorted(stored["Objects"]) == sorted({names(i) for i in range(WRITERS)})
    for name, obj in stored["Objects"].items():
        assert names(obj["DataObject"]["writer"]) == name
        # The value left is the one written by the call that moved the version last for that object.
        last = max((r["data"]["ProfileVersion"], i) for i, r in enumerate(results) if names(i) == name)
        assert obj["DataObject"] == {"writer": last[1]}
