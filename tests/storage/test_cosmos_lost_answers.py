"""A Cosmos DB write that committed but whose answer was lost takes effect exactly once.

The local host (a real process) talks to a plain-HTTP emulator through tests/support/cosmos_proxy.py, which
forwards a write, reads the emulator's answer and drops the connection instead of passing it on. The
SDK takes that for a request never sent and sends it again, which then meets its own earlier write
(409 on a create, 412 on an etag replace). Every call must answer as if nothing was lost. The same
proxy also commits a write and then never answers (the SDK times out and does not resend), and
stalls the store outright, which must fail callers with a retryable 503 without piling them up.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.cosmos import EMULATOR_KEY, new_database_name, running_emulator
from tests.support.cosmos_proxy import CosmosProxy, cosmos_proxy
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server


@pytest.fixture(scope="module")
def emulator_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_emulator(tmp_path_factory.mktemp("cosmos-http"), plain_http=True) as url:
        yield url


@pytest.fixture(scope="module")
def proxy(emulator_http: str) -> Iterator[CosmosProxy]:
    with cosmos_proxy(emulator_http) as p:
        yield p


@pytest.fixture(scope="module")
def host(proxy: CosmosProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "STORAGE_BACKEND": "cosmos",
        "COSMOS_ENDPOINT": proxy.url,
        "COSMOS_KEY": EMULATOR_KEY,
        "COSMOS_DATABASE": new_database_name("lost"),
        "COSMOS_VERIFY_TLS": "false",
    }
    with running_server(tmp_path_factory.mktemp("host-lost"), **env) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_proxy(proxy: CosmosProxy) -> Iterator[None]:
    yield
    proxy.release()
    proxy.disarm()  # a drop a test armed but never used must not leak into the next test


def _ok(response: Any) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 200 and body["code"] == 200, body
    return dict(body["data"])


def _login(host: Server, custom_id: str) -> dict[str, Any]:
    return _ok(
        host.post("/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True})
    )


def _secret(host: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return _ok(host.post(path, body, {"X-SecretKey": SECRET_KEY}))


def _dropped_one(proxy: CosmosProxy, before: int) -> None:
    assert len(proxy.dropped) == before + 1, "the proxy never lost an answer: the test proved nothing"


@pytest.mark.parametrize("lost", ["lookups", "players", "entities"])
def test_a_new_login_whose_answer_is_lost_creates_one_player(host, proxy, lost):
    """Any of the three documents of a new player may lose its answer: account, profile, lookup."""
    custom_id = f"lost-login-{uuid.uuid4()}"
    before = len(proxy.dropped)
    proxy.drop_next_write(lost)

    first = _login(host, custom_id)

    _dropped_one(proxy, before)
    assert first["NewlyCreated"] is True
    again = _login(host, custom_id)
    assert again["NewlyCreated"] is False and again["PlayFabId"] == first["PlayFabId"]
    assert again["EntityToken"]["Entity"] == first["EntityToken"]["Entity"]
    data = _secret(host, "/Server/GetUserData", {"PlayFabId": first["PlayFabId"]})
    assert data["PlayFabId"] == first["PlayFabId"]


def test_a_returning_login_whose_answer_is_lost_records_the_login_once(host, proxy):
    custom_id = f"lost-return-{uuid.uuid4()}"
    first = _login(host, custom_id)
    before = len(proxy.dropped)
    proxy.drop_next_write("players")  # the LastLogin update

    again = _login(host, custom_id)

    _dropped_one(proxy, before)
    assert again["PlayFabId"] == first["PlayFabId"] and again["NewlyCreated"] is False
    # LastLoginTime is the login before this one: the update ran once, so it did not see its own
    # stamp. The next login reports this one's time, a later one (each login is a few store round
    # trips over HTTP, far longer than the millisecond the times are given in).
    third = _login(host, custom_id)
    assert again["LastLoginTime"] < third["LastLoginTime"]


def test_a_data_update_whose_answer_is_lost_moves_the_version_by_one(host, proxy):
    player = _login(host, f"lost-data-{uuid.uuid4()}")
    auth = {"X-Authorization": player["SessionTicket"]}
    _ok(host.post("/Client/UpdateUserData", {"Data": {"a": "1"}}, auth))
    version = _ok(host.post("/Client/GetUserData", {}, auth))["DataVersion"]
    before = len(proxy.dropped)
    proxy.drop_next_write("players")

    _ok(host.post("/Client/UpdateUserData", {"Data": {"b": "2"}}, auth))

    _dropped_one(proxy, before)
    data = _ok(host.post("/Client/GetUserData", {}, auth))
    assert data["DataVersion"] == version + 1
    assert {k: v["Value"] for k, v in data["Data"].items()} == {"a": "1", "b": "2"}


def test_create_shared_group_whose_answer_is_lost_answers_with_the_group(host, proxy):
    player = _login(host, f"lost-group-{uuid.uuid4()}")
    auth = {"X-Authorization": player["SessionTicket"]}
    group_id = f"group-{uuid.uuid4()}"
    before = len(proxy.dropped)
    proxy.drop_next_write("groups")

    created = _ok(host.post("/Client/CreateSharedGroup", {"SharedGroupId": group_id}, auth))

    _dropped_one(proxy, before)
    assert created == {"SharedGroupId": group_id}
    group = _ok(host.post("/Client/GetSharedGroupData", {"SharedGroupId": group_id, "GetMembers": True}, auth))
    assert group["Members"] == [player["PlayFabId"]]


@pytest.mark.parametrize("lost", ["entities", "players"])
def test_grant_character_whose_answer_is_lost_grants_one_character(host, proxy, lost):
    """Either write of a grant may lose its answer: the character's profile or the player's index."""
    player = _login(host, f"lost-character-{uuid.uuid4()}")
    before = len(proxy.dropped)
    proxy.drop_next_write(lost)

    granted = _secret(
        host,
        "/Server/GrantCharacterToUser",
        {"PlayFabId": player["PlayFabId"], "CharacterName": "Hero", "CharacterType": "Knight"},
    )

    _dropped_one(proxy, before)
    listed = _secret(host, "/Server/GetAllUsersCharacters", {"PlayFabId": player["PlayFabId"]})["Characters"]
    assert [c["CharacterId"] for c in listed] == [granted["CharacterId"]]
    token = _ok(
        host.post(
            "/Authentication/GetEntityToken",
            {"Entity": {"Type": "character", "Id": granted["CharacterId"]}},
            {"X-EntityToken": player["EntityToken"]["EntityToken"]},
        )
    )
    assert token["Entity"] == {"Type": "character", "Id": granted["CharacterId"]}


def test_set_objects_whose_answer_is_lost_lands_once(host, proxy):
    player = _login(host, f"lost-objects-{uuid.uuid4()}")
    auth = {"X-EntityToken": player["EntityToken"]["EntityToken"]}
    entity = player["EntityToken"]["Entity"]
    before = len(proxy.dropped)
    proxy.drop_next_write("entities")

    result = _ok(
        host.post(
            "/Object/SetObjects", {"Entity": entity, "Objects": [{"ObjectName": "save", "DataObject": {"hp": 3}}]}, auth
        )
    )

    _dropped_one(proxy, before)
    assert result["ProfileVersion"] == 1
    assert result["SetResults"] == [{"ObjectName": "save", "SetResult": "Created"}]
    stored = _ok(host.post("/Object/GetObjects", {"Entity": entity}, auth))
    assert stored["ProfileVersion"] == 1 and stored["Objects"]["save"]["DataObject"] == {"hp": 3}


def test_a_create_committed_but_never_answered_is_answered_as_done(host, proxy):
    """The store commits, then goes silent: the SDK times out and will not resend a write. The
    adapter reads back and finds its write id, so the caller hears success, not a 503 hiding a
    group that a retry would then find taken (1088)."""
    player = _login(host, f"silent-group-{uuid.uuid4()}")
    auth = {"X-Authorization": player["SessionTicket"]}
    group_id = f"group-{uuid.uuid4()}"
    before = len(proxy.dropped)
    proxy.hold_next_write("groups")

    created = _ok(host.post("/Client/CreateSharedGroup", {"SharedGroupId": group_id}, auth))

    _dropped_one(proxy, before)
    assert created == {"SharedGroupId": group_id}
    group = _ok(host.post("/Client/GetSharedGroupData", {"SharedGroupId": group_id, "GetMembers": True}, auth))
    assert group["Members"] == [player["PlayFabId"]]


@pytest.mark.parametrize("lost", ["RemoveSharedGroupMembers", "DeleteSharedGroup"])
def test_a_group_delete_whose_answer_is_lost_is_done(host, proxy, lost):
    """A delete sent again finds nothing (404): the group is gone as asked, not 'unknown' (1088)."""
    player = _login(host, f"lost-delete-{uuid.uuid4()}")
    group_id = f"group-{uuid.uuid4()}"
    _ok(
        host.post(
            "/Client/CreateSharedGroup", {"SharedGroupId": group_id}, {"X-Authorization": player["SessionTicket"]}
        )
    )
    before = len(proxy.dropped)
    proxy.drop_next_write("groups")

    if lost == "DeleteSharedGroup":
        _secret(host, "/Server/DeleteSharedGroup", {"SharedGroupId": group_id})
    else:
        _secret(
            host, "/Server/RemoveSharedGroupMembers", {"SharedGroupId": group_id, "PlayFabIds": [player["PlayFabId"]]}
        )

    _dropped_one(proxy, before)
    gone = host.post("/Server/GetSharedGroupData", {"SharedGroupId": group_id}, {"X-SecretKey": SECRET_KEY}).json()
    assert gone["errorCode"] == 1088


CALLERS = 10
MAX_CALLS = 3


@pytest.fixture(scope="module")
def small_host(proxy: CosmosProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A host that lets only MAX_CALLS store calls be in flight, each waiting briefly for a turn."""
    env = {
        "STORAGE_BACKEND": "cosmos",
        "COSMOS_ENDPOINT": proxy.url,
        "COSMOS_KEY": EMULATOR_KEY,
        "COSMOS_DATABASE": new_database_name("stall"),
        "COSMOS_MAX_CALLS": str(MAX_CALLS),
        "COSMOS_QUEUE_WAIT_MS": "200",
    }
    with running_server(tmp_path_factory.mktemp("host-stall"), **env) as srv:
        yield srv


def test_a_stalled_store_fails_callers_with_service_unavailable_and_holds_few(small_host, proxy):
    """Every caller hears a retryable 503 while the store is still stalled (it is released only after
    the last answer), and no more than MAX_CALLS requests ever wait on the store at once."""
    custom_id = f"stall-{uuid.uuid4()}"
    _login(small_host, custom_id)  # the store is open and the player exists before the stall
    proxy.stall()
    try:
        with ThreadPoolExecutor(CALLERS) as pool:
            answers = list(
                pool.map(
                    lambda _: small_host.post(
                        "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
                    ),
                    range(CALLERS),
                )
            )
        peak = proxy.peak_held
    finally:
        proxy.release()

    for answer in answers:
        body = answer.json()
        assert answer.status_code == 503, body
        assert (body["error"], body["errorCode"], body["retryAfterSeconds"]) == ("ServiceUnavailable", 1123, 1)
        assert answer.headers["Retry-After"] == "1"
    assert 1 <= peak <= MAX_CALLS
    assert _login(small_host, custom_id)["NewlyCreated"] is False  # serving again once the store is
