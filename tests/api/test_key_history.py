"""Each key's history through Admin/ext-ReadKeyHistory and Admin/ext-RestoreKeyHistory, on both stores:
who changed what, in order, restores as new versions, and nothing of it on PlayFab's wire."""

from __future__ import annotations

import hashlib
import threading
import uuid
from typing import Any

import httpx
from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabDataAPI, PlayFabServerAPI

from tests.support import custom_property_calls as props
from tests.support import sdk
from tests.support.entity_calls import key, set_objects
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY, Server

KEY = {"X-SecretKey": SECRET_KEY}
KEY_ID = hashlib.sha256(SECRET_KEY.encode()).hexdigest()[:12]


def history(server: Server, **request: Any) -> dict[str, Any]:
    answer = server.post("/Admin/ext-ReadKeyHistory", request, KEY).json()
    assert answer["code"] == 200, answer
    data: dict[str, Any] = answer["data"]
    return data


def entries(server: Server, **request: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = history(server, Count=1000, **request)["Entries"]
    return found


def restore(server: Server, **request: Any) -> dict[str, Any]:
    answer = server.post("/Admin/ext-RestoreKeyHistory", request, KEY).json()
    assert answer["code"] == 200, answer
    data: dict[str, Any] = answer["data"]
    return data


def values(found: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    def plain(kept: dict[str, Any] | None) -> Any:
        return None if kept is None else kept["Value"]

    return [(plain(e["OldValue"]), plain(e["NewValue"])) for e in found]


def five_changes(player: Player) -> None:
    """Client, Server, Admin, Client, Server: one key, five values."""
    player.use()
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"level": "1"}})
    sdk.call(PlayFabServerAPI.UpdateUserData, {"PlayFabId": player.playfab_id, "Data": {"level": "2"}})
    sdk.call(PlayFabAdminAPI.UpdateUserData, {"PlayFabId": player.playfab_id, "Data": {"level": "3"}})
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"level": "4", "other": "x"}})
    sdk.call(PlayFabServerAPI.UpdateUserData, {"PlayFabId": player.playfab_id, "Data": {"level": "5"}})


def test_five_changes_show_five_entries_newest_first_with_their_callers(pf):
    player = new_player()
    five_changes(player)
    found = entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="level")
    assert [e["Version"] for e in found] == [5, 4, 3, 2, 1]
    assert values(found) == [("4", "5"), ("3", "4"), ("2", "3"), ("1", "2"), (None, "1")]
    client = {
        "Api": "Client",
        "PlayFabId": player.playfab_id,
        "Entity": {"Type": "title_player_account", "Id": player.entity_id},
    }
    server, admin = {"Api": "Server", "SecretKeyId": KEY_ID}, {"Api": "Admin", "SecretKeyId": KEY_ID}
    assert [e["Caller"] for e in found] == [server, client, admin, server, client]
    assert all(e["Target"] == "UserData" and e["PlayFabId"] == player.playfab_id for e in found)
    assert all(e["Permission"] == "Private" and e["Timestamp"].endswith("Z") for e in found)
    assert len({e["EntryId"] for e in found}) == 5
    other = entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="other")
    assert values(other) == [(None, "x")]


def test_pages_of_history_follow_each_other(pf):
    player = new_player()
    five_changes(player)
    first = history(pf, Target="UserData", PlayFabId=player.playfab_id, Key="level", Count=2)
    second = history(
        pf,
        Target="UserData",
        PlayFabId=player.playfab_id,
        Key="level",
        Count=2,
        ContinuationToken=first["ContinuationToken"],
    )
    rest = history(
        pf,
        Target="UserData",
        PlayFabId=player.playfab_id,
        Key="level",
        Count=5,
        ContinuationToken=second["ContinuationToken"],
    )
    assert [e["Version"] for e in first["Entries"] + second["Entries"] + rest["Entries"]] == [5, 4, 3, 2, 1]
    assert "ContinuationToken" not in rest


def test_restoring_an_earlier_value_is_a_new_version_and_a_new_entry(pf):
    player = new_player()
    five_changes(player)
    found = entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="level")
    second = found[3]
    answer = restore(pf, Target="UserData", PlayFabId=player.playfab_id, Key="level", EntryId=second["EntryId"])
    assert answer == {"Key": "level", "RestoredEntryId": second["EntryId"], "DataVersion": 6}
    data = sdk.call(PlayFabServerAPI.GetUserData, {"PlayFabId": player.playfab_id})
    assert data["Data"]["level"]["Value"] == "2" and data["DataVersion"] == 6
    newest = entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="level")[0]
    assert (newest["Version"], newest["Caller"]["Api"]) == (6, "Admin")
    assert values([newest]) == [("5", "2")]


def test_a_removal_is_recorded_and_restoring_it_removes_the_key(pf):
    player = new_player()
    player.use()
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"k": "a"}})
    sdk.call(PlayFabClientAPI.UpdateUserData, {"KeysToRemove": ["k"]})
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"k": "b"}})
    found = entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="k")
    assert values(found) == [(None, "b"), ("a", None), (None, "a")]
    restore(pf, Target="UserData", PlayFabId=player.playfab_id, Key="k", EntryId=found[1]["EntryId"])
    assert "k" not in sdk.call(PlayFabClientAPI.GetUserData, {})["Data"]
    assert values(entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="k"))[0] == ("b", None)


def test_the_wire_is_playfabs(pf):
    player = new_player()
    five_changes(player)
    player.use()
    data = sdk.call(PlayFabClientAPI.GetUserData, {})
    assert set(data) == {"Data", "DataVersion"}
    assert set(data["Data"]["level"]) == {"Value", "LastUpdated", "Permission"}


def test_character_data(pf):
    player = new_player()
    grant = {"PlayFabId": player.playfab_id, "CharacterName": "Hero", "CharacterType": "warrior"}
    character_id = sdk.call(PlayFabServerAPI.GrantCharacterToUser, grant)["CharacterId"]
    player.use()
    sdk.call(PlayFabClientAPI.UpdateCharacterData, {"CharacterId": character_id, "Data": {"hp": "10"}})
    owner = {"PlayFabId": player.playfab_id, "CharacterId": character_id}
    sdk.call(PlayFabServerAPI.UpdateCharacterReadOnlyData, {**owner, "Data": {"hp": "99"}})
    sdk.call(PlayFabServerAPI.UpdateCharacterData, {**owner, "Data": {"hp": "20"}})
    found = entries(pf, Target="CharacterData", Key="hp", **owner)
    assert values(found) == [("10", "20"), (None, "10")]
    assert [e["Caller"]["Api"] for e in found] == ["Server", "Client"]
    assert all(e["CharacterId"] == character_id for e in found)
    assert values(entries(pf, Target="CharacterReadOnlyData", Key="hp", **owner)) == [(None, "99")]
    restore(pf, Target="CharacterData", Key="hp", EntryId=found[1]["EntryId"], **owner)
    data = sdk.call(PlayFabServerAPI.GetCharacterData, owner)
    assert data["Data"]["hp"]["Value"] == "10"
    assert len(entries(pf, Target="CharacterData", Key="hp", **owner)) == 3


def test_shared_group_data(pf):
    player = new_player()
    player.use()
    group_id = sdk.call(PlayFabClientAPI.CreateSharedGroup, {})["SharedGroupId"]
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"flag": "red"}})
    sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"flag": "blue"}})
    found = entries(pf, Target="SharedGroupData", SharedGroupId=group_id, Key="flag")
    assert values(found) == [("red", "blue"), (None, "red")]
    assert [e["Version"] for e in found] == [2, 1]
    assert found[1]["Caller"]["PlayFabId"] == player.playfab_id
    assert restore(pf, Target="SharedGroupData", SharedGroupId=group_id, Key="flag", EntryId=found[1]["EntryId"]) == {
        "Key": "flag",
        "RestoredEntryId": found[1]["EntryId"],
    }
    data = sdk.call(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id})
    assert data["Data"]["flag"]["Value"] == "red"
    assert set(data) == {"Data"}
    assert values(entries(pf, Target="SharedGroupData", SharedGroupId=group_id, Key="flag"))[0] == ("blue", "red")


def test_objects(pf):
    player = new_player()
    player.use()
    entity = key(player)
    set_objects(entity, [{"ObjectName": "save", "DataObject": {"slot": 1}}])
    set_objects(entity, [{"ObjectName": "save", "DataObject": {"slot": 2}}])
    found = entries(pf, Target="Objects", Entity=entity, Key="save")
    assert values(found) == [('{"slot":1}', '{"slot":2}'), (None, '{"slot":1}')]
    assert [e["Version"] for e in found] == [2, 1]
    assert found[0]["Entity"] == {"Type": "title_player_account", "Id": player.entity_id}
    answer = restore(pf, Target="Objects", Entity=entity, Key="save", EntryId=found[1]["EntryId"])
    assert answer["ProfileVersion"] == 3
    player.use()
    stored = sdk.call(PlayFabDataAPI.GetObjects, {"Entity": entity})["Objects"]["save"]["DataObject"]
    assert stored == {"slot": 1}


def test_custom_properties(pf):
    player = new_player()
    player.use()
    props.call("Client", "UpdatePlayerCustomProperties", {"Properties": [{"Name": "rank", "Value": 1}]})
    props.call(
        "Server",
        "UpdatePlayerCustomProperties",
        {"PlayFabId": player.playfab_id, "Properties": [{"Name": "rank", "Value": "gold"}]},
    )
    props.call("Client", "DeletePlayerCustomProperties", {"PropertyNames": ["rank"]})
    found = entries(pf, Target="CustomProperties", PlayFabId=player.playfab_id, Key="rank")
    assert values(found) == [("gold", None), (1, "gold"), (None, 1)]
    assert [e["Version"] for e in found] == [3, 2, 1]
    answer = restore(
        pf, Target="CustomProperties", PlayFabId=player.playfab_id, Key="rank", EntryId=found[1]["EntryId"]
    )
    assert answer["PropertiesVersion"] == 4
    got = props.call("Client", "GetPlayerCustomProperty", {"PropertyName": "rank"})
    assert got["Property"]["Value"] == "gold"


def test_an_unknown_entry_or_a_missing_owner_is_refused(pf):
    player = new_player()
    five_changes(player)
    unknown = {"Target": "UserData", "PlayFabId": player.playfab_id, "Key": "level", "EntryId": uuid.uuid4().hex}
    answer = pf.post("/Admin/ext-RestoreKeyHistory", unknown, KEY).json()
    assert (answer["code"], answer["error"], answer["errorCode"]) == (400, "VersionNotFound", 1124)
    answer = pf.post(
        "/Admin/ext-ReadKeyHistory", {"Target": "CharacterData", "PlayFabId": player.playfab_id, "Key": "k"}, KEY
    ).json()
    assert (answer["code"], answer["error"]) == (400, "InvalidParams")
    answer = pf.post(
        "/Admin/ext-ReadKeyHistory", {"Target": "Nothing", "PlayFabId": player.playfab_id, "Key": "k"}, KEY
    ).json()
    assert (answer["code"], answer["error"]) == (400, "InvalidParams")


def test_a_deleted_players_history_goes_and_a_groups_history_forgets_them(pf):
    friend, player = new_player(), new_player()
    friend.use()
    group_id = sdk.call(PlayFabClientAPI.CreateSharedGroup, {})["SharedGroupId"]
    sdk.call(PlayFabServerAPI.AddSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [player.playfab_id]})
    player.use()
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"by": "player"}})
    sdk.call(PlayFabClientAPI.UpdateUserData, {"Data": {"k": "v"}})
    assert len(entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="k")) == 1
    sdk.call(PlayFabAdminAPI.DeletePlayer, {"PlayFabId": player.playfab_id})
    gone = pf.post("/Admin/ext-ReadKeyHistory", {"Target": "UserData", "PlayFabId": player.playfab_id, "Key": "k"}, KEY)
    assert gone.json()["error"] == "AccountNotFound"
    (entry,) = entries(pf, Target="SharedGroupData", SharedGroupId=group_id, Key="by")
    assert entry["Caller"] == {"Api": "Client", "DeletedPlayer": True}
    assert values([entry]) == [(None, "player")]


def test_racing_writers_of_one_key_each_leave_one_entry(pf):
    """16 writers on their own connections, started together: 16 entries, one per version, none lost or doubled."""
    player = new_player()
    writers = 16
    start = threading.Barrier(writers)
    answers: list[int] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        with httpx.Client(base_url=pf.url, timeout=60) as http:
            start.wait()
            body = {"PlayFabId": player.playfab_id, "Data": {"race": f"w{i}"}}
            answer = http.post("/Server/UpdateUserData", json=body, headers=KEY).json()
            with lock:
                answers.append(answer["data"]["DataVersion"])

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(1, writers + 1))
    found = entries(pf, Target="UserData", PlayFabId=player.playfab_id, Key="race")
    assert [e["Version"] for e in found] == list(range(writers, 0, -1))
    assert {e["NewValue"]["Value"] for e in found} == {f"w{i}" for i in range(writers)}
    # Each entry's old value is the value the one before it wrote: a chain with no gap.
    assert [e["OldValue"] for e in found[:-1]] == [e["NewValue"] for e in found[1:]]
