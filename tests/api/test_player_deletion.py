"""Admin/DeletePlayer and Server/DeletePlayer: nothing of the player left in the store, its credentials dead.

The store is scanned whole (SQLite: every row of the file; Cosmos DB: every item of every container)
for the player's PlayFabId, its entity ids, its characters' ids and its custom id.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.cosmos.aio import CosmosClient
from playfab import PlayFabAdminAPI, PlayFabServerAPI

from shared.features.player_deletion import delete_player
from shared.storage.layout import CONTAINERS, EVENTS
from shared.storage.sqlite import SQLiteStore
from tests.support import sdk
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.sdk import PlayFabCallError
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server
from tests.support.world import HTTP

BACKENDS = ("sqlite", "cosmos")
# Every call counted, the title's too, with budgets no test here reaches.
COUNTING = {
    "RATE_LIMITS": "all",
    **{
        f"RATE_LIMIT_{name}": "1000/15"
        for name in ("USER_DATA", "CHARACTER_DATA", "ENTITY_UPDATES", "SHARED_GROUP_WRITES", "SHARED_GROUP_READS")
    },
}
APIS = {"Admin": PlayFabAdminAPI, "Server": PlayFabServerAPI}
KEY = {"X-SecretKey": SECRET_KEY}
PLAYER_FAMILIES = (
    "UserData",
    "UserReadOnlyData",
    "UserInternalData",
    "UserPublisherData",
    "UserPublisherReadOnlyData",
    "UserPublisherInternalData",
)
CHARACTER_FAMILIES = ("CharacterData", "CharacterReadOnlyData", "CharacterInternalData")


def _ok(server: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    answer: dict[str, Any] = HTTP.post(server.url + path, json=body, headers=headers).json()
    assert answer["code"] == 200, (path, answer)
    data: dict[str, Any] = answer["data"]
    return data


def _login(server: Server, custom_id: str) -> dict[str, Any]:
    return _ok(
        server, "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}, {}
    )


@dataclass
class Victim:
    custom_id: str
    playfab_id: str
    entity_id: str
    ticket: str
    entity_token: str
    character_ids: list[str]
    character_tokens: list[str]
    shared_group: str  # a group a friend made, which stays
    own_group: str  # a group only the victim is in, which goes with it
    friend_ticket: str
    logins: list[str]  # the other login identities and the display name, as their lookups spell them

    def ids(self) -> list[str]:
        return [self.custom_id, self.playfab_id, self.entity_id, *self.character_ids, *self.logins]


def make_victim(server: Server) -> Victim:
    """A player with something in every place a player can have something."""
    custom_id = f"victim-{uuid.uuid4()}"
    login = _login(server, custom_id)
    pid, ticket = login["PlayFabId"], login["SessionTicket"]
    entity_id, entity_token = login["EntityToken"]["Entity"]["Id"], login["EntityToken"]["EntityToken"]
    player = {"X-Authorization": ticket}
    for family in PLAYER_FAMILIES:
        _ok(server, f"/Server/Update{family}", {"PlayFabId": pid, "Data": {"k": pid}}, KEY)
    _ok(server, "/Client/UpdateUserData", {"Data": {"mine": "1"}}, player)  # a rate-limit counter too
    _ok(server, "/Client/UpdatePlayerCustomProperties", {"Properties": [{"Name": "lvl", "Value": 1}]}, player)
    character_ids, character_tokens = [], []
    for name in ("Hero", "Mage"):
        grant = {"PlayFabId": pid, "CharacterName": name, "CharacterType": "Class"}
        cid = _ok(server, "/Server/GrantCharacterToUser", grant, KEY)["CharacterId"]
        for family in CHARACTER_FAMILIES:
            _ok(server, f"/Server/Update{family}", {"PlayFabId": pid, "CharacterId": cid, "Data": {"k": cid}}, KEY)
        _ok(server, "/Client/UpdateCharacterData", {"CharacterId": cid, "Data": {"mine": "1"}}, player)
        entity = {"Id": cid, "Type": "character"}
        token = _ok(server, "/Authentication/GetEntityToken", {"Entity": entity}, {"X-EntityToken": entity_token})
        objects = [{"ObjectName": "save", "DataObject": {"owner": pid}}]
        _ok(
            server,
            "/Object/SetObjects",
            {"Entity": entity, "Objects": objects},
            {"X-EntityToken": token["EntityToken"]},
        )
        character_ids.append(cid)
        character_tokens.append(token["EntityToken"])
    me = {"Id": entity_id, "Type": "title_player_account"}
    _ok(
        server,
        "/Object/SetObjects",
        {"Entity": me, "Objects": [{"ObjectName": "o", "DataObject": 1}]},
        {"X-EntityToken": entity_token},
    )
    title_token = {"X-EntityToken": _ok(server, "/Authentication/GetEntityToken", {}, KEY)["EntityToken"]}
    for entity in (me, *({"Id": cid, "Type": "character"} for cid in character_ids)):
        _ok(
            server,
            "/Object/SetObjects",
            {"Entity": entity, "Objects": [{"ObjectName": "t", "DataObject": 2}]},
            title_token,
        )
    friend = _login(server, f"friend-{uuid.uuid4()}")
    friend_ticket = {"X-Authorization": friend["SessionTicket"]}
    shared = _ok(server, "/Client/CreateSharedGroup", {}, friend_ticket)["SharedGroupId"]
    _ok(server, "/Server/AddSharedGroupMembers", {"SharedGroupId": shared, "PlayFabIds": [pid]}, KEY)
    _ok(server, "/Client/UpdateSharedGroupData", {"SharedGroupId": shared, "Data": {"by": "victim"}}, player)
    own = _ok(server, "/Client/CreateSharedGroup", {}, player)["SharedGroupId"]
    # Every other kind of identity, a password with a wrong guess counted, a display name, a reset token.
    tag = uuid.uuid4().hex[:12]
    username, email, device, name = f"v{tag}", f"v{tag}@example.com", f"device-{tag}", f"Victim {tag[:8]}"
    _ok(server, "/Client/LinkAndroidDeviceID", {"AndroidDeviceId": device}, player)
    _ok(server, "/Server/LinkServerCustomId", {"PlayFabId": pid, "ServerCustomId": f"server-{tag}"}, KEY)
    added = {"Username": username, "Email": email, "Password": "correct horse"}
    _ok(server, "/Client/AddUsernamePassword", added, player)
    wrong = {"TitleId": TITLE_ID, "Email": email, "Password": "wrong horse"}
    assert _error(server, "/Client/LoginWithEmailAddress", wrong, {})["error"] == "InvalidEmailOrPassword"
    _ok(server, "/Client/UpdateUserTitleDisplayName", {"DisplayName": name}, player)
    _ok(server, "/Admin/SendAccountRecoveryEmail", {"Email": email}, KEY)
    _ok(server, "/Admin/BanUsers", {"Bans": [{"PlayFabId": pid, "DurationInHours": 0, "Reason": "old"}]}, KEY)
    return Victim(
        custom_id,
        pid,
        entity_id,
        ticket,
        entity_token,
        character_ids,
        character_tokens,
        shared,
        own,
        friend["SessionTicket"],
        [username, email, device, f"server-{tag}", name.lower()],
    )


async def _cosmos_items(env: dict[str, str]) -> list[str]:
    verify = env.get("COSMOS_VERIFY_TLS", "true") != "false"
    async with CosmosClient(env["COSMOS_ENDPOINT"], credential=env["COSMOS_KEY"], connection_verify=verify) as client:
        database = client.get_database_client(env["COSMOS_DATABASE"])
        texts = []
        for name in (*CONTAINERS, EVENTS):  # the event log too
            async for item in database.get_container_client(name).read_all_items():
                texts.append(f"{name} {json.dumps(item)}")
        return texts


def every_record(server: Server) -> list[str]:
    """Every record in the server's store, each as one text (its address and its body)."""
    if server.env.get("STORAGE_BACKEND") == "cosmos":
        return asyncio.run(_cosmos_items(server.env))
    conn = sqlite3.connect(server.data_dir / "playfab.sqlite3", timeout=30)
    try:
        documents = conn.execute("SELECT container, pk, id, body FROM documents").fetchall()
        events = conn.execute("SELECT 'events', stream, seq, body FROM events").fetchall()
        parts = conn.execute("SELECT container, pk, id, entry FROM parts").fetchall()  # records kept a row per key
        return [" ".join(map(str, row)) for row in documents + events + parts]
    finally:
        conn.close()


def holding(server: Server, ids: list[str]) -> list[str]:
    return [record for record in every_record(server) if any(i in record for i in ids)]


def _error(server: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    answer: dict[str, Any] = HTTP.post(server.url + path, json=body, headers=headers).json()
    return answer


@pytest.fixture(scope="module", params=BACKENDS)
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A host on each store that keeps rate-limit counters, the title's calls' too (in the entity's partition)."""
    data_dir = tmp_path_factory.mktemp(f"deletion-{request.param}")
    if request.param == "sqlite":
        with running_server(data_dir, **COUNTING) as srv:
            yield srv
        return
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("deletion")
    with running_server(data_dir, **COUNTING, **account.env(database)) as srv:
        yield srv
    asyncio.run(account.drop_database(database))


@pytest.mark.parametrize("api", sorted(APIS))
def test_delete_player_leaves_nothing_of_theirs_and_kills_their_credentials(limited, api):
    pf = limited
    sdk.point_at(pf)
    victim = make_victim(pf)
    before = holding(pf, victim.ids())
    assert len(before) >= 20, before  # the scan sees the player's records (so it can see any left behind)
    for container in ("players", "entities"):
        assert any(r.startswith(container) and "ratelimit." in r for r in before), f"no counter in {container}"

    assert sdk.call(APIS[api].DeletePlayer, {"PlayFabId": victim.playfab_id}) == {}

    assert holding(pf, victim.ids()) == []
    ticket = _error(pf, "/Client/GetUserData", {}, {"X-Authorization": victim.ticket})
    assert (ticket["code"], ticket["error"], ticket["errorCode"]) == (401, "InvalidSessionTicket", 1100)
    for token in (victim.entity_token, *victim.character_tokens):
        refused = _error(pf, "/Authentication/GetEntityToken", {}, {"X-EntityToken": token})
        assert (refused["code"], refused["error"], refused["errorCode"]) == (401, "EntityTokenRevoked", 1337)
    login = _error(pf, "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": victim.custom_id}, {})
    assert (login["code"], login["error"], login["errorCode"]) == (400, "AccountNotFound", 1001)
    # The friend's group stays, with the friend alone in it and nothing naming the player; the player's own is gone.
    group = _ok(pf, "/Server/GetSharedGroupData", {"SharedGroupId": victim.shared_group, "GetMembers": True}, KEY)
    assert group["Members"] != [] and victim.playfab_id not in group["Members"]
    assert set(group["Data"]["by"]) == {"Value", "LastUpdated", "Permission"}
    gone = _error(pf, "/Server/GetSharedGroupData", {"SharedGroupId": victim.own_group}, KEY)
    assert gone["error"] == "InvalidSharedGroupId"
    assert "Data" in _ok(pf, "/Client/GetUserData", {}, {"X-Authorization": victim.friend_ticket})  # others unharmed

    with pytest.raises(PlayFabCallError) as again:
        sdk.call(APIS[api].DeletePlayer, {"PlayFabId": victim.playfab_id})
    assert again.value.error == {
        "code": 400,
        "status": "BadRequest",
        "error": "AccountNotFound",
        "errorCode": 1001,
        "errorMessage": "User not found.",
        "errorDetails": {"PlayFabId": [f"no player {victim.playfab_id}"]},
    }
    # The custom id is free again: a login with CreateAccount makes a new player.
    assert _login(pf, victim.custom_id)["PlayFabId"] != victim.playfab_id


def test_delete_player_refuses_bad_requests(pf):
    for api in APIS.values():
        with pytest.raises(PlayFabCallError) as err:
            sdk.call(api.DeletePlayer, {})
        assert err.value.error == {
            "code": 400,
            "status": "BadRequest",
            "error": "InvalidParams",
            "errorCode": 1000,
            "errorMessage": "Invalid input parameters",
            "errorDetails": {"PlayFabId": ["The PlayFabId field is required."]},
        }


class _Crash(Exception):
    pass


class CrashingStore(SQLiteStore):
    """The server's own file, with the process dying (an exception) at the n-th delete."""

    def __init__(self, path: Path, crash_at: int) -> None:
        super().__init__(path)
        self.deletes_left = crash_at

    async def delete(self, container: str, pk: str, id: str, etag: str | None = None) -> None:
        self.deletes_left -= 1
        if self.deletes_left < 0:
            raise _Crash
        await super().delete(container, pk, id, etag)


async def _crash_midway(path: Path, playfab_id: str, crash_at: int) -> None:
    store = CrashingStore(path, crash_at)
    try:
        with pytest.raises(_Crash):
            await delete_player(store, playfab_id)
    finally:
        await store.close()


@pytest.mark.parametrize("crash_at", [0, 1, 3, 8, 15, 25])
def test_a_deletion_cut_short_is_finished_by_calling_delete_player_again(tmp_path: Path, crash_at: int):
    with running_server(tmp_path, **COUNTING) as srv:
        victim = make_victim(srv)
        asyncio.run(_crash_midway(tmp_path / "playfab.sqlite3", victim.playfab_id, crash_at))
        # Cut short, the player is already unreachable: no login finds it.
        login = _error(srv, "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": victim.custom_id}, {})
        assert login["error"] == "AccountNotFound"
        assert holding(srv, victim.ids()) != []  # something is left to finish
        assert _ok(srv, "/Admin/DeletePlayer", {"PlayFabId": victim.playfab_id}, KEY) == {}
        assert holding(srv, victim.ids()) == []


def _race_logins_with_a_deletion(server: Server, custom_id: str, playfab_id: str) -> list[str]:
    """16 logins on their own connections and the deletion, released at once; how each ended."""
    barrier = threading.Barrier(17, timeout=60)
    outcomes: list[str] = []

    def log_in() -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            body = {"TitleId": TITLE_ID, "CustomId": custom_id}
            answer = client.post(server.url + "/Client/LoginWithCustomID", json=body).json()
            outcomes.append("OK" if answer["code"] == 200 else answer["error"])

    def delete() -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            answer = client.post(server.url + "/Admin/DeletePlayer", json={"PlayFabId": playfab_id}, headers=KEY)
            outcomes.append("deleted" if answer.json()["code"] == 200 else answer.json()["error"])

    threads = [threading.Thread(target=log_in) for _ in range(16)] + [threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_logins_racing_a_deletion_never_bring_the_player_back(server):
    """Each racing login is a login or AccountNotFound, and afterwards nothing of the player is left
    (no account rebuilt from a lookup the deletion released)."""
    for _ in range(3):
        custom_id = f"racer-{uuid.uuid4()}"
        login = _login(server, custom_id)
        ids = [custom_id, login["PlayFabId"], login["EntityToken"]["Entity"]["Id"]]
        outcomes = _race_logins_with_a_deletion(server, custom_id, login["PlayFabId"])
        assert len(outcomes) == 17 and outcomes.count("deleted") == 1, outcomes
        assert set(outcomes) <= {"OK", "AccountNotFound", "deleted"}, outcomes
        assert holding(server, ids) == []
        after = _error(server, "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id}, {})
        assert after["error"] == "AccountNotFound"
