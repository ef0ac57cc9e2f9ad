"""Shared groups have quotas and rate limits: groups per player, members per group, writes and reads
per player and window. Each refusal is PlayFab's error envelope and writes nothing."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from shared.config.rate_windows import DEFAULTS, SHARED_GROUP_READS, SHARED_GROUP_WRITES, Window
from tests.conftest import BACKENDS
from tests.support.credentials import Player, login
from tests.support.limited_hosts import assert_error, assert_throttled, call, host_on
from tests.support.server import SECRET_KEY, Server

GROUPS_PER_PLAYER, MEMBERS = 3, 3
SERVER = {"X-SecretKey": SECRET_KEY}


def _ticket(player: Player) -> dict[str, str]:
    return {"X-Authorization": player.ticket}


def _gid() -> str:
    return f"q-{uuid.uuid4()}"


@pytest.fixture(scope="module", params=BACKENDS)
def quotas(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Small quotas, rate limits off: what is refused here is the quota alone."""
    env = {"SHARED_GROUPS_PER_PLAYER": str(GROUPS_PER_PLAYER), "SHARED_GROUP_MAX_MEMBERS": str(MEMBERS)}
    with host_on(request.param, request, tmp_path_factory.mktemp(f"quotas-{request.param}"), **env) as srv:
        yield srv


@pytest.fixture(scope="module", params=BACKENDS)
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The default first windows' call counts, over an hour rather than 15 s so a slow machine cannot
    see a window reopen mid-test."""
    assert (DEFAULTS[SHARED_GROUP_WRITES][0], DEFAULTS[SHARED_GROUP_READS][0]) == (Window(10, 15), Window(30, 15))
    env = {"RATE_LIMITS": "", "RATE_LIMIT_SHARED_GROUP_WRITES": "10/3600", "RATE_LIMIT_SHARED_GROUP_READS": "30/3600"}
    with host_on(request.param, request, tmp_path_factory.mktemp(f"sg-limits-{request.param}"), **env) as srv:
        yield srv


def _members(server: Server, group_id: str) -> list[str] | None:
    resp = call(server, "/Server/GetSharedGroupData", {"SharedGroupId": group_id, "GetMembers": True}, SERVER)
    return resp.json()["data"]["Members"] if resp.status_code == 200 else None


def _create(server: Server, player: Player, group_id: str) -> httpx.Response:
    return call(server, "/Client/CreateSharedGroup", {"SharedGroupId": group_id}, _ticket(player))


def test_a_player_may_belong_to_a_bounded_number_of_groups(quotas: Server):
    player = login(quotas)
    groups = [_gid() for _ in range(GROUPS_PER_PLAYER)]
    for group_id in groups:
        assert _create(quotas, player, group_id).status_code == 200
    refused = _gid()
    body = assert_error(_create(quotas, player, refused), 400, "OverLimit", 1214)
    assert str(GROUPS_PER_PLAYER) in body["errorMessage"]
    assert _members(quotas, refused) is None  # nothing was created
    # The server cannot add the player to a further group either, and that group is left as it was.
    server_group = _gid()
    assert call(quotas, "/Server/CreateSharedGroup", {"SharedGroupId": server_group}, SERVER).status_code == 200
    add = {"SharedGroupId": server_group, "PlayFabIds": [player.playfab_id]}
    assert_error(call(quotas, "/Server/AddSharedGroupMembers", add, SERVER), 400, "OverLimit", 1214)
    assert _members(quotas, server_group) == []
    # Leaving a group (the last member out deletes it) and deleting one each give a place back.
    leave = {"SharedGroupId": groups[0], "PlayFabIds": [player.playfab_id]}
    assert call(quotas, "/Client/RemoveSharedGroupMembers", leave, _ticket(player)).status_code == 200
    assert _create(quotas, player, refused).status_code == 200
    assert call(quotas, "/Server/DeleteSharedGroup", {"SharedGroupId": groups[1]}, SERVER).status_code == 200
    assert call(quotas, "/Server/AddSharedGroupMembers", add, SERVER).status_code == 200
    assert _members(quotas, server_group) == [player.playfab_id]


def test_a_group_has_a_bounded_number_of_members(quotas: Server):
    owner, *others = (login(quotas) for _ in range(MEMBERS + 1))
    group_id = _gid()
    assert _create(quotas, owner, group_id).status_code == 200
    first = {"SharedGroupId": group_id, "PlayFabIds": [p.playfab_id for p in others[: MEMBERS - 1]]}
    assert call(quotas, "/Client/AddSharedGroupMembers", first, _ticket(owner)).status_code == 200
    late = others[MEMBERS - 1]
    one_more = {"SharedGroupId": group_id, "PlayFabIds": [late.playfab_id]}
    body = assert_error(call(quotas, "/Client/AddSharedGroupMembers", one_more, _ticket(owner)), 400, "OverLimit", 1214)
    assert str(MEMBERS) in body["errorMessage"]
    assert _members(quotas, group_id) == [owner.playfab_id, *first["PlayFabIds"]]
    # The refused player's places were given back: it can still join its full share of groups.
    for _ in range(GROUPS_PER_PLAYER):
        assert _create(quotas, late, _gid()).status_code == 200


def test_shared_group_writes_are_limited_per_player(limited: Server):
    """10 writes per window, whatever the write (create, members, data)."""
    player, other = login(limited), login(limited)
    group_id = _gid()
    assert _create(limited, player, group_id).status_code == 200
    update = {"SharedGroupId": group_id, "Data": {"k": "v"}}
    for n in range(9):
        update["Data"] = {"k": str(n)}
        assert call(limited, "/Client/UpdateSharedGroupData", update, _ticket(player)).status_code == 200
    update["Data"] = {"k": "refused"}
    assert_throttled(call(limited, "/Client/UpdateSharedGroupData", update, _ticket(player)), 3600)
    assert_throttled(_create(limited, player, _gid()), 3600)
    # Once refused, the player is refused before its body is read: a 1 MB body that is not even JSON
    # (InvalidContentType if it were parsed) gets the same cheap 429.
    junk = httpx.post(
        limited.url + "/Client/UpdateSharedGroupData",
        content=b"{" + b"x" * 1_000_000,
        headers={"Content-Type": "application/json", **_ticket(player)},
        timeout=30,
    )
    assert_throttled(junk, 3600)
    read = call(limited, "/Server/GetSharedGroupData", {"SharedGroupId": group_id}, SERVER).json()["data"]
    assert read["Data"]["k"]["Value"] == "8"  # the refused write wrote nothing
    assert _create(limited, other, _gid()).status_code == 200  # each player has its own budget
    update["Data"] = {"k": "from the server"}  # the title is not limited by default
    assert call(limited, "/Server/UpdateSharedGroupData", update, SERVER).status_code == 200


def test_shared_group_reads_are_limited_per_player(limited: Server):
    """A non-member reading a group's Public keys over and over is refused after 30 reads."""
    owner, reader = login(limited), login(limited)
    group_id = _gid()
    assert _create(limited, owner, group_id).status_code == 200
    public = {"SharedGroupId": group_id, "Data": {"board": "x" * 1000}, "Permission": "Public"}
    assert call(limited, "/Client/UpdateSharedGroupData", public, _ticket(owner)).status_code == 200
    get = {"SharedGroupId": group_id}
    for _ in range(30):
        assert call(limited, "/Client/GetSharedGroupData", get, _ticket(reader)).status_code == 200
    assert_throttled(call(limited, "/Client/GetSharedGroupData", get, _ticket(reader)), 3600)
    assert call(limited, "/Client/GetSharedGroupData", get, _ticket(owner)).status_code == 200


def test_racing_creates_cannot_pass_the_quota(quotas: Server):
    """Eight creates at once from one player, each on its own connection: exactly the quota lands,
    and every refused group was never created."""
    player = login(quotas)
    ids = [_gid() for _ in range(8)]
    start = threading.Barrier(len(ids))

    def create(group_id: str) -> int:
        with httpx.Client(timeout=60) as client:
            start.wait(timeout=30)
            body = json.dumps({"SharedGroupId": group_id})
            headers = {"Content-Type": "application/json", **_ticket(player)}
            resp = client.post(quotas.url + "/Client/CreateSharedGroup", content=body, headers=headers)
            return resp.status_code

    with ThreadPoolExecutor(len(ids)) as pool:
        statuses = list(pool.map(create, ids))
    assert statuses.count(200) == GROUPS_PER_PLAYER
    assert statuses.count(400) == len(ids) - GROUPS_PER_PLAYER  # OverLimit
    made = [gid for gid, status in zip(ids, statuses, strict=True) if status == 200]
    assert all(_members(quotas, gid) == [player.playfab_id] for gid in made)
    assert all(_members(quotas, gid) is None for gid in set(ids) - set(made))
