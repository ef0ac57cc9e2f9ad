"""ExpectedDataVersion, the write precondition on classic data: as a field and as a CustomTags entry,
for every Update*Data route and for shared groups, with racing callers released together by a barrier.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playfab import PlayFabClientAPI, PlayFabServerAPI

from shared.features.data_families import FAMILIES, Scope
from tests.support import sdk
from tests.support.data_calls import call, error_of, grant_character, target, writer_routes
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY, Server, running_server

CALLERS = 8
PRECONDITION = (400, "PreconditionFailed", 1610)


def _conflict(envelope: dict[str, Any], current: int) -> None:
    assert (envelope["code"], envelope["error"], envelope["errorCode"]) == PRECONDITION, envelope
    assert envelope["status"] == "BadRequest"
    assert envelope["errorDetails"] == {"DataVersion": [str(current)]}
    assert envelope["errorMessage"]


def _invalid(envelope: dict[str, Any]) -> None:
    assert (envelope["code"], envelope["error"], envelope["errorCode"]) == (400, "InvalidParams", 1000), envelope


def _expecting(version: int, how: str) -> dict[str, Any]:
    if how == "field":
        return {"ExpectedDataVersion": version}
    return {"CustomTags": {"ExpectedDataVersion": str(version)}}


def _race(server: Server, requests: list[tuple[str, dict[str, str], dict[str, Any]]]) -> list[dict[str, Any]]:
    """POST every request at once, each from its own thread and already open connection."""
    start = threading.Barrier(len(requests))

    def post(i: int) -> dict[str, Any]:
        path, headers, body = requests[i]
        with httpx.Client(base_url=server.url, timeout=60) as client:
            client.post("/", content=b"")
            start.wait()
            envelope: dict[str, Any] = client.post(path, json=body, headers=headers).json()
            return envelope

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(post, range(len(requests))))


def _one_wins(results: list[dict[str, Any]], winning_data: Callable[[int], dict[str, Any]], current: int) -> int:
    winners = [i for i, r in enumerate(results) if r["code"] == 200]
    assert len(winners) == 1, results
    (winner,) = winners
    assert results[winner]["data"] == winning_data(winner)
    for i, r in enumerate(results):
        if i != winner:
            _conflict(r, current)
    return winner


def _devices(custom_id: str, count: int) -> list[Player]:
    """One player signed in on several devices: a session ticket each."""
    return [new_player(custom_id) for _ in range(count)]


# --- races: exactly one of the callers that read the same version wins ---


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two host processes on one SQLite file: the racers meet across processes as well as within one."""
    with running_server(tmp_path_factory.mktemp("precondition-race"), WORKERS="2") as srv:
        yield srv


@pytest.mark.parametrize("how", ["field", "tag"])
def test_racing_players_devices_and_the_server_on_user_data(pf, how):
    _user_data_race(pf, how)


def test_racing_across_two_processes_sharing_one_sqlite_file(two_workers):
    sdk.point_at(two_workers)
    _user_data_race(two_workers, "tag")


def _user_data_race(server: Server, how: str) -> None:
    devices = _devices(f"race-{uuid.uuid4()}", CALLERS // 2)
    playfab_id = devices[0].playfab_id
    call("Server/UpdateUserData", {"PlayFabId": playfab_id, "Data": {"score": "start"}})
    requests = []
    for i in range(CALLERS):
        body = {"Data": {"score": f"writer {i}"}, **_expecting(1, how)}
        if i % 2 == 0:
            requests.append(("/Client/UpdateUserData", {"X-Authorization": devices[i // 2].ticket}, body))
        else:
            requests.append(("/Server/UpdateUserData", {"X-SecretKey": SECRET_KEY}, {**body, "PlayFabId": playfab_id}))

    winner = _one_wins(_race(server, requests), lambda _: {"DataVersion": 2}, current=2)
    stored = call("Server/GetUserData", {"PlayFabId": playfab_id})
    assert stored["DataVersion"] == 2
    assert stored["Data"]["score"]["Value"] == f"writer {winner}"


@pytest.mark.parametrize("how", ["field", "tag"])
def test_racing_writers_of_one_characters_data(pf, how):
    player = new_player()
    character_id = grant_character(player.playfab_id)
    requests = []
    for i in range(CALLERS):
        body = {"CharacterId": character_id, "Data": {"hp": str(i)}, **_expecting(0, how)}
        if i % 2 == 0:
            requests.append(("/Client/UpdateCharacterData", {"X-Authorization": player.ticket}, body))
        else:
            body["PlayFabId"] = player.playfab_id
            requests.append(("/Server/UpdateCharacterData", {"X-SecretKey": SECRET_KEY}, body))

    winner = _one_wins(_race(pf, requests), lambda _: {"DataVersion": 1}, current=1)
    stored = call("Server/GetCharacterData", {"PlayFabId": player.playfab_id, "CharacterId": character_id})
    assert stored["DataVersion"] == 1 and stored["Data"]["hp"]["Value"] == str(winner)


@pytest.mark.parametrize("how", ["field", "tag"])
def test_racing_members_of_one_shared_group(pf, how):
    members = [new_player() for _ in range(CALLERS // 2)]
    group_id = f"race-{uuid.uuid4()}"
    call("Server/CreateSharedGroup", {"SharedGroupId": group_id})
    call("Server/AddSharedGroupMembers", {"SharedGroupId": group_id, "PlayFabIds": [m.playfab_id for m in members]})
    call("Server/UpdateSharedGroupData", {"SharedGroupId": group_id, "Data": {"turn": "0"}})
    requests = []
    for i in range(CALLERS):
        body = {"SharedGroupId": group_id, "Data": {"turn": str(i)}, **_expecting(1, how)}
        headers = {"X-Authorization": members[i // 2].ticket} if i % 2 == 0 else {"X-SecretKey": SECRET_KEY}
        requests.append((f"/{'Client' if i % 2 == 0 else 'Server'}/UpdateSharedGroupData", headers, body))

    winner = _one_wins(_race(pf, requests), lambda _: {"DataVersion": 2}, current=2)
    stored = call("Server/GetSharedGroupData", {"SharedGroupId": group_id, "GetDataVersion": True})
    assert stored["DataVersion"] == 2 and stored["Data"]["turn"]["Value"] == str(winner)


def test_racing_python_sdk_calls_through_custom_tags(pf):
    """The official Python SDK's own methods, from parallel threads, with the tag typed SDKs would use."""
    player = new_player()
    player.use()
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"deck": "base"}})
    start = threading.Barrier(CALLERS)

    def update(i: int) -> dict[str, Any]:
        request = {"Data": {"deck": f"deck {i}"}, "CustomTags": {"ExpectedDataVersion": "1"}}
        api = PlayFabClientAPI.UpdateUserData
        if i % 2:
            api, request = PlayFabServerAPI.UpdateUserData, {**request, "PlayFabId": player.playfab_id}
        start.wait()
        try:
            return {"code": 200, "data": sdk.call(api, request)}
        except sdk.PlayFabCallError as err:
            return dict(err.error)

    with ThreadPoolExecutor(CALLERS) as pool:
        results = list(pool.map(update, range(CALLERS)))
    winner = _one_wins(results, lambda _: {"DataVersion": 2}, current=2)
    assert sdk.call(PlayFabClientAPI.GetUserData, {})["Data"]["deck"]["Value"] == f"deck {winner}"


# --- every Update*Data route, field and tag ---


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.api_name)
def test_every_update_route_checks_the_version_and_writes_nothing_when_it_moved(pf, fam):
    player = new_player()
    character_id = grant_character(player.playfab_id) if fam.scope is Scope.CHARACTER else None
    read_route = f"Server/Get{fam.api_name}Data"
    where = target(fam, "Server/", player.playfab_id, character_id)
    version = 0
    for route in writer_routes(fam):
        player.use()
        fields = target(fam, route, player.playfab_id, character_id)
        for how in ("field", "tag"):
            stale = error_of(route, {**fields, "Data": {"k": "stale"}, **_expecting(version + 7, how)})
            _conflict(stale, version)
            version += 1
            landed = call(route, {**fields, "Data": {"k": f"{route} {how}"}, **_expecting(version - 1, how)})
            assert landed == {"DataVersion": version}
    stored = call(read_route, where)
    assert stored["DataVersion"] == version
    assert stored["Data"]["k"]["Value"] == f"{writer_routes(fam)[-1]} tag"


def test_stale_current_and_future_versions(pf):
    player = new_player()
    player.use()
    for n in range(3):
        sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"n": str(n)}})
    for expected in (0, 2, 4, 100, 2**32 - 1):  # stale, stale, future, far future, the largest version
        _conflict(error_of("Client/UpdateUserData", {"Data": {"n": "x"}, "ExpectedDataVersion": expected}), 3)
    current = sdk.call(PlayFabClientAPI.GetUserData, {})
    assert current["DataVersion"] == 3 and current["Data"]["n"]["Value"] == "2"
    assert call("Client/UpdateUserData", {"Data": {"n": "3"}, "ExpectedDataVersion": 3}) == {"DataVersion": 4}
    # Expecting 0 is "only if never written": it lands on a data type nobody has written.
    assert call("Client/UpdateUserPublisherData", {"Data": {"p": "1"}, "ExpectedDataVersion": 0}) == {"DataVersion": 1}
    _conflict(error_of("Client/UpdateUserPublisherData", {"Data": {"p": "2"}, "ExpectedDataVersion": 0}), 1)


def test_the_check_covers_removals_and_keeps_each_data_type_apart(pf):
    player = new_player()
    player.use()
    call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2"}})
    call("Client/UpdateUserPublisherData", {"Data": {"a": "1"}})
    call("Client/UpdateUserPublisherData", {"Data": {"a": "2"}})
    _conflict(error_of("Client/UpdateUserData", {"KeysToRemove": ["a"], "ExpectedDataVersion": 2}), 1)
    assert set(call("Client/GetUserData")["Data"]) == {"a", "b"}
    assert call("Client/UpdateUserData", {"KeysToRemove": ["a"], "ExpectedDataVersion": 1}) == {"DataVersion": 2}
    assert set(call("Client/GetUserData")["Data"]) == {"b"}


@pytest.mark.parametrize(
    "extra",
    [
        {"ExpectedDataVersion": "1"},  # a string in the field
        {"ExpectedDataVersion": 1.0},
        {"ExpectedDataVersion": True},
        {"ExpectedDataVersion": -1},
        {"ExpectedDataVersion": 2**32},
        {"ExpectedDataVersion": [1]},
        {"CustomTags": {"ExpectedDataVersion": "one"}},
        {"CustomTags": {"ExpectedDataVersion": "-1"}},
        {"CustomTags": {"ExpectedDataVersion": "1.0"}},
        {"CustomTags": {"ExpectedDataVersion": " 1"}},
        {"CustomTags": {"ExpectedDataVersion": ""}},
        {"CustomTags": {"ExpectedDataVersion": "\u0661"}},  # ARABIC-INDIC DIGIT ONE
        {"CustomTags": {"ExpectedDataVersion": "4294967296"}},
        {"CustomTags": {"ExpectedDataVersion": 1}},  # tags are strings
        {"ExpectedDataVersion": 1, "CustomTags": {"ExpectedDataVersion": "2"}},  # both, and different
    ],
)
def test_bad_values_are_invalid_params_and_write_nothing(pf, extra):
    player = new_player()
    player.use()
    call("Client/UpdateUserData", {"Data": {"k": "v"}})
    for route in ("Client/UpdateUserData", "Client/UpdateSharedGroupData"):
        body = {"Data": {"k": "bad"}, **extra}
        if route.endswith("SharedGroupData"):
            group_id = call("Client/CreateSharedGroup")["SharedGroupId"]
            body["SharedGroupId"] = group_id
        _invalid(error_of(route, body))
    current = call("Client/GetUserData")
    assert current["DataVersion"] == 1 and current["Data"]["k"]["Value"] == "v"
    assert call("Server/GetSharedGroupData", {"SharedGroupId": group_id, "GetDataVersion": True}) == {
        "Data": {},
        "DataVersion": 0,
    }


def test_field_and_tag_that_agree_are_one_precondition(pf):
    player = new_player()
    player.use()
    both = {"ExpectedDataVersion": 0, "CustomTags": {"ExpectedDataVersion": "0", "Other": "kept out of it"}}
    assert call("Client/UpdateUserData", {"Data": {"k": "v"}, **both}) == {"DataVersion": 1}
    _conflict(error_of("Client/UpdateUserData", {"Data": {"k": "w"}, **both}), 1)


# --- shared groups: the version, how to read it, and PlayFab's answers when it is not asked for ---


def test_shared_group_versions(pf):
    owner, member = new_player(), new_player()
    owner.use()
    group_id = call("Client/CreateSharedGroup")["SharedGroupId"]
    call("Client/AddSharedGroupMembers", {"SharedGroupId": group_id, "PlayFabIds": [member.playfab_id]})
    read = {"SharedGroupId": group_id}
    assert call("Client/GetSharedGroupData", {**read, "GetDataVersion": True}) == {"Data": {}, "DataVersion": 0}

    # Without the option, PlayFab's answers: an empty update result, no DataVersion in a read.
    assert call("Client/UpdateSharedGroupData", {**read, "Data": {"a": "1"}}) == {}
    assert "DataVersion" not in call("Client/GetSharedGroupData", read)
    assert "DataVersion" not in call("Server/GetSharedGroupData", {**read, "GetDataVersion": False})
    tagged = call("Client/GetSharedGroupData", {**read, "CustomTags": {"GetDataVersion": "true"}})
    assert tagged["DataVersion"] == 1

    # Membership changes are not data changes; every data write moves the version, expected or not.
    call("Server/RemoveSharedGroupMembers", {**read, "PlayFabIds": [member.playfab_id]})
    assert call("Server/UpdateSharedGroupData", {**read, "KeysToRemove": ["a"], "ExpectedDataVersion": 1}) == {
        "DataVersion": 2
    }
    _conflict(error_of("Client/UpdateSharedGroupData", {**read, "Data": {"b": "1"}, "ExpectedDataVersion": 1}), 2)
    tagged_write = {**read, "Data": {"b": "1"}, "CustomTags": {"ExpectedDataVersion": "2"}}
    assert call("Client/UpdateSharedGroupData", tagged_write) == {"DataVersion": 3}
    got = call("Server/GetSharedGroupData", {**read, "GetDataVersion": True, "GetMembers": True})
    assert got["DataVersion"] == 3 and got["Members"] == [owner.playfab_id] and set(got["Data"]) == {"b"}
    _invalid(error_of("Client/GetSharedGroupData", {**read, "CustomTags": {"GetDataVersion": "yes"}}))
    _invalid(
        error_of(
            "Client/GetSharedGroupData", {**read, "GetDataVersion": False, "CustomTags": {"GetDataVersion": "true"}}
        )
    )


def test_a_precondition_on_a_missing_group_is_still_unknown_group(pf):
    new_player().use()
    missing = error_of(
        "Client/UpdateSharedGroupData", {"SharedGroupId": "none-such", "Data": {"a": "1"}, "ExpectedDataVersion": 0}
    )
    assert missing["error"] == "InvalidSharedGroupId"


def test_without_the_option_user_data_answers_are_playfabs(pf):
    player = new_player()
    player.use()
    assert call("Client/UpdateUserData", {"Data": {"a": "1"}}) == {"DataVersion": 1}
    assert call("Client/UpdateUserData", {"Data": {"a": "2"}, "CustomTags": {"Other": "x"}}) == {"DataVersion": 2}
    assert call("Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": {"a": "3"}}) == {"DataVersion": 3}
