"""Shared groups through the official Python SDK: creation, membership, the non-member matrix, data rules."""

from __future__ import annotations

import re
import uuid

import pytest
from playfab import PlayFabClientAPI, PlayFabServerAPI

from tests.support import sdk
from tests.support.players import Player, new_player
from tests.support.sdk import PlayFabCallError


def _fails(api, request, status: int, name: str, code: int) -> dict:
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(api, request)
    error = exc.value.error
    assert (error["code"], error["error"], error["errorCode"]) == (status, name, code), error
    assert error["status"] and error["errorMessage"]
    return error


def _group_id() -> str:
    return f"group-{uuid.uuid4()}"


def _server_get(group_id: str, **extra) -> dict:
    return sdk.call(PlayFabServerAPI.GetSharedGroupData, {"SharedGroupId": group_id, "GetMembers": True, **extra})


def _client_group(owner: Player, *members: Player) -> str:
    owner.use()
    group_id = sdk.call(PlayFabClientAPI.CreateSharedGroup, {"SharedGroupId": _group_id()})["SharedGroupId"]
    if members:
        sdk.call(
            PlayFabClientAPI.AddSharedGroupMembers,
            {"SharedGroupId": group_id, "PlayFabIds": [m.playfab_id for m in members]},
        )
    return group_id


# --- creation ---


def test_client_create_makes_the_caller_the_only_member(pf):
    owner = new_player()
    group_id = _client_group(owner)
    assert _server_get(group_id) == {"Data": {}, "Members": [owner.playfab_id]}


def test_create_without_an_id_assigns_a_new_unique_one(pf):
    new_player()
    first = sdk.call(PlayFabClientAPI.CreateSharedGroup, {})["SharedGroupId"]
    second = sdk.call(PlayFabServerAPI.CreateSharedGroup, {})["SharedGroupId"]
    assert re.fullmatch(r"[0-9A-F]{16}", first) and re.fullmatch(r"[0-9A-F]{16}", second) and first != second


def test_server_create_has_no_members(pf):
    group_id = sdk.call(PlayFabServerAPI.CreateSharedGroup, {"SharedGroupId": _group_id()})["SharedGroupId"]
    assert _server_get(group_id) == {"Data": {}, "Members": []}


def test_a_used_id_is_refused(pf):
    new_player()
    group_id = _group_id()
    sdk.call(PlayFabServerAPI.CreateSharedGroup, {"SharedGroupId": group_id})
    _fails(PlayFabClientAPI.CreateSharedGroup, {"SharedGroupId": group_id}, 400, "InvalidSharedGroupId", 1088)
    _fails(PlayFabServerAPI.CreateSharedGroup, {"SharedGroupId": group_id}, 400, "InvalidSharedGroupId", 1088)


@pytest.mark.parametrize(
    ("api", "request_body"),
    [
        (PlayFabClientAPI.AddSharedGroupMembers, {"PlayFabIds": ["0000000000000000"]}),
        (PlayFabServerAPI.AddSharedGroupMembers, {"PlayFabIds": ["0000000000000000"]}),
        (PlayFabClientAPI.RemoveSharedGroupMembers, {"PlayFabIds": ["0000000000000000"]}),
        (PlayFabServerAPI.RemoveSharedGroupMembers, {"PlayFabIds": ["0000000000000000"]}),
        (PlayFabClientAPI.GetSharedGroupData, {}),
        (PlayFabServerAPI.GetSharedGroupData, {}),
        (PlayFabClientAPI.UpdateSharedGroupData, {"Data": {"k": "v"}}),
        (PlayFabServerAPI.UpdateSharedGroupData, {"Data": {"k": "v"}}),
        (PlayFabServerAPI.DeleteSharedGroup, {}),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_an_unknown_group_is_invalid_shared_group_id_on_every_call(pf, api, request_body):
    player = new_player()
    if "PlayFabIds" in request_body:
        request_body = {**request_body, "PlayFabIds": [player.playfab_id]}
    error = _fails(api, {**request_body, "SharedGroupId": "no-such-group"}, 400, "InvalidSharedGroupId", 1088)
    assert error["errorDetails"] == {"SharedGroupId": ["no-such-group"]}


# --- membership ---


def test_members_add_members_and_non_members_may_not(pf):
    owner, friend, stranger, late = new_player(), new_player(), new_player(), new_player()
    group_id = _client_group(owner, friend)
    friend.use()
    sdk.call(PlayFabClientAPI.AddSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [late.playfab_id]})
    stranger.use()
    request = {"SharedGroupId": group_id, "PlayFabIds": [stranger.playfab_id]}
    _fails(PlayFabClientAPI.AddSharedGroupMembers, request, 403, "NotAuthorized", 1089)
    assert _server_get(group_id)["Members"] == [owner.playfab_id, friend.playfab_id, late.playfab_id]


def test_the_server_adds_members_to_any_group(pf):
    player = new_player()
    group_id = sdk.call(PlayFabServerAPI.CreateSharedGroup, {"SharedGroupId": _group_id()})["SharedGroupId"]
    sdk.call(PlayFabServerAPI.AddSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [player.playfab_id]})
    assert _server_get(group_id)["Members"] == [player.playfab_id]


def test_adding_an_unknown_player_is_account_not_found_and_adds_nobody(pf):
    owner, friend = new_player(), new_player()
    group_id = _client_group(owner)
    request = {"SharedGroupId": group_id, "PlayFabIds": [friend.playfab_id, "FFFFFFFFFFFFFFFF"]}
    _fails(PlayFabClientAPI.AddSharedGroupMembers, request, 400, "AccountNotFound", 1001)
    _fails(PlayFabServerAPI.AddSharedGroupMembers, request, 400, "AccountNotFound", 1001)
    assert _server_get(group_id)["Members"] == [owner.playfab_id]


def test_adding_a_member_twice_is_user_already_added(pf):
    owner, friend = new_player(), new_player()
    group_id = _client_group(owner, friend)
    request = {"SharedGroupId": group_id, "PlayFabIds": [friend.playfab_id]}
    error = _fails(PlayFabServerAPI.AddSharedGroupMembers, request, 400, "UserAlreadyAdded", 1235)
    assert error["errorDetails"] == {"PlayFabIds": [friend.playfab_id]}


def test_only_members_remove_members(pf):
    owner, friend, stranger = new_player(), new_player(), new_player()
    group_id = _client_group(owner, friend)
    stranger.use()
    request = {"SharedGroupId": group_id, "PlayFabIds": [friend.playfab_id]}
    _fails(PlayFabClientAPI.RemoveSharedGroupMembers, request, 403, "NotAuthorized", 1089)
    friend.use()
    sdk.call(PlayFabClientAPI.RemoveSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [owner.playfab_id]})
    assert _server_get(group_id)["Members"] == [friend.playfab_id]


def test_removing_players_who_are_not_members_changes_nothing(pf):
    owner, stranger = new_player(), new_player()
    group_id = _client_group(owner)
    sdk.call(
        PlayFabClientAPI.RemoveSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [stranger.playfab_id]}
    )
    assert _server_get(group_id)["Members"] == [owner.playfab_id]


@pytest.mark.parametrize("group_id", ["", "x" * 257, 42])
def test_bad_group_ids_are_invalid_params(pf, group_id):
    error = _fails(PlayFabServerAPI.CreateSharedGroup, {"SharedGroupId": group_id}, 400, "InvalidParams", 1000)
    assert list(error["errorDetails"]) == ["SharedGroupId"]


def test_removing_the_last_member_deletes_the_group_and_its_data(pf):
    owner, friend = new_player(), new_player()
    group_id = _client_group(owner, friend)
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"k": "v"}})
    sdk.call(PlayFabServerAPI.RemoveSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [friend.playfab_id]})
    assert _server_get(group_id)["Members"] == [owner.playfab_id]
    sdk.call(PlayFabClientAPI.RemoveSharedGroupMembers, {"SharedGroupId": group_id, "PlayFabIds": [owner.playfab_id]})
    _fails(PlayFabServerAPI.GetSharedGroupData, {"SharedGroupId": group_id}, 400, "InvalidSharedGroupId", 1088)
    sdk.call(PlayFabServerAPI.CreateSharedGroup, {"SharedGroupId": group_id})  # the id is free again
    assert _server_get(group_id) == {"Data": {}, "Members": []}


def test_delete_shared_group_frees_the_id(pf):
    owner = new_player()
    group_id = _client_group(owner)
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"k": "v"}})
    assert sdk.call(PlayFabServerAPI.DeleteSharedGroup, {"SharedGroupId": group_id}) == {}
    _fails(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id}, 400, "InvalidSharedGroupId", 1088)
    sdk.call(PlayFabClientAPI.CreateSharedGroup, {"SharedGroupId": group_id})
    assert _server_get(group_id) == {"Data": {}, "Members": [owner.playfab_id]}


# --- reads: the member / non-member / server matrix ---


@pytest.fixture
def mixed_group(pf):
    owner, stranger = new_player(), new_player()
    group_id = _client_group(owner)
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"secret": "s", "plan": "p"}})
    sdk.call(
        PlayFabClientAPI.UpdateSharedGroupData,
        {"SharedGroupId": group_id, "Data": {"banner": "b"}, "Permission": "Public"},
    )
    return group_id, owner, stranger


def test_members_read_every_key_with_full_records(mixed_group):
    group_id, owner, _ = mixed_group
    owner.use()
    data = sdk.call(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id})
    assert set(data) == {"Data"}  # no Members unless asked
    assert set(data["Data"]) == {"secret", "plan", "banner"}
    record = data["Data"]["secret"]
    assert record["Value"] == "s" and record["Permission"] == "Private"
    assert record["LastUpdatedBy"] == owner.playfab_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["LastUpdated"])
    assert data["Data"]["banner"]["Permission"] == "Public"


def test_non_members_read_public_keys_and_the_membership_list_only(mixed_group):
    group_id, owner, stranger = mixed_group
    stranger.use()
    data = sdk.call(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id, "GetMembers": True})
    assert set(data["Data"]) == {"banner"}
    assert data["Members"] == [owner.playfab_id]
    asked = sdk.call(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id, "Keys": ["secret", "banner"]})
    assert set(asked["Data"]) == {"banner"}


def test_the_server_reads_everything(mixed_group):
    group_id, owner, _ = mixed_group
    data = _server_get(group_id)
    assert set(data["Data"]) == {"secret", "plan", "banner"} and data["Members"] == [owner.playfab_id]


def test_keys_filter_and_an_empty_keys_list(mixed_group):
    group_id, owner, _ = mixed_group
    owner.use()
    some = sdk.call(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id, "Keys": ["plan", "absent"]})
    assert set(some["Data"]) == {"plan"}
    none = sdk.call(PlayFabClientAPI.GetSharedGroupData, {"SharedGroupId": group_id, "Keys": []})
    assert none["Data"] == {}


# --- writes ---


def test_non_members_may_not_write_and_nothing_is_written(mixed_group):
    group_id, _, stranger = mixed_group
    stranger.use()
    request = {"SharedGroupId": group_id, "Data": {"banner": "defaced", "new": "x"}, "Permission": "Public"}
    _fails(PlayFabClientAPI.UpdateSharedGroupData, request, 403, "NotAuthorized", 1089)
    data = _server_get(group_id)["Data"]
    assert data["banner"]["Value"] == "b" and "new" not in data


def test_the_server_writes_without_being_a_member(mixed_group):
    group_id, _, _ = mixed_group
    sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"score": "10"}})
    record = _server_get(group_id)["Data"]["score"]
    assert record["Value"] == "10" and record["Permission"] == "Private" and "LastUpdatedBy" not in record


def test_updates_are_additive(mixed_group):
    group_id, owner, _ = mixed_group
    owner.use()
    sdk.call(
        PlayFabClientAPI.UpdateSharedGroupData,
        {"SharedGroupId": group_id, "Data": {"  plan  ": "p2", "secret": None}, "KeysToRemove": ["banner"]},
    )
    data = _server_get(group_id)["Data"]
    assert set(data) == {"plan"} and data["plan"]["Value"] == "p2"


@pytest.mark.parametrize("key", ["", "   ", "!bang"])
def test_refused_keys_write_nothing(mixed_group, key):
    group_id, owner, _ = mixed_group
    owner.use()
    request = {"SharedGroupId": group_id, "Data": {"fine": "1", key: "v"}}
    error = _fails(PlayFabClientAPI.UpdateSharedGroupData, request, 400, "InvalidParams", 1000)
    assert "Data" in error["errorDetails"]
    assert "fine" not in _server_get(group_id)["Data"]


def test_limits_write_nothing(mixed_group):
    group_id, owner, _ = mixed_group
    owner.use()
    too_many = {"SharedGroupId": group_id, "Data": {f"k{i}": "v" for i in range(11)}}
    _fails(PlayFabClientAPI.UpdateSharedGroupData, too_many, 400, "TooManyKeys", 1147)
    too_big = {"SharedGroupId": group_id, "Data": {"fine": "1", "big": "x" * 300_001}}
    _fails(PlayFabClientAPI.UpdateSharedGroupData, too_big, 400, "DataLengthExceeded", 1146)
    assert not {"k0", "fine", "big"} & set(_server_get(group_id)["Data"])
    ten = {"SharedGroupId": group_id, "Data": {f"k{i}": "v" for i in range(9)}, "KeysToRemove": ["plan"]}
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, ten)  # exactly the limit is fine
    data = _server_get(group_id)["Data"]
    assert {f"k{i}" for i in range(9)} <= set(data) and "plan" not in data


def test_limits_follow_the_settings(tmp_path):
    from tests.support.server import running_server

    env = {"SHARED_GROUP_DATA_MAX_KEYS_PER_UPDATE": "2", "SHARED_GROUP_DATA_MAX_VALUE_BYTES": "5"}
    with running_server(tmp_path, **env) as srv:
        sdk.point_at(srv)
        group_id = sdk.call(PlayFabServerAPI.CreateSharedGroup, {})["SharedGroupId"]
        request = {"SharedGroupId": group_id, "Data": {"a": "1", "b": "2", "c": "3"}}
        _fails(PlayFabServerAPI.UpdateSharedGroupData, request, 400, "TooManyKeys", 1147)
        request = {"SharedGroupId": group_id, "Data": {"a": "123456"}}
        _fails(PlayFabServerAPI.UpdateSharedGroupData, request, 400, "DataLengthExceeded", 1146)
        sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group_id, "Data": {"a": "12345", "b": ""}})
        assert set(_server_get(group_id)["Data"]) == {"a", "b"}


def test_values_may_not_be_objects(mixed_group):
    group_id, owner, _ = mixed_group
    owner.use()
    request = {"SharedGroupId": group_id, "Data": {"n": {"five": 5}}}
    error = _fails(PlayFabClientAPI.UpdateSharedGroupData, request, 400, "InvalidParams", 1000)
    assert any(field.startswith("Data") for field in error["errorDetails"])


# --- Admin/ext-GetPlayerSharedGroups (an extension: PlayFab cannot list a player's groups) ---


def _player_groups(pf, playfab_id: str) -> dict:
    from tests.support.server import SECRET_KEY

    answer = pf.post("/Admin/ext-GetPlayerSharedGroups", {"PlayFabId": playfab_id}, {"X-SecretKey": SECRET_KEY})
    return answer.json()


def test_the_title_lists_the_groups_a_player_is_in(pf):
    owner, member, loner = new_player(), new_player(), new_player()
    first, second = sorted([_client_group(owner, member), _client_group(owner, member)])
    assert _player_groups(pf, member.playfab_id)["data"] == {"SharedGroupIds": [first, second]}
    assert _player_groups(pf, loner.playfab_id)["data"] == {"SharedGroupIds": []}

    sdk.call(PlayFabServerAPI.RemoveSharedGroupMembers, {"SharedGroupId": first, "PlayFabIds": [member.playfab_id]})
    sdk.call(PlayFabServerAPI.DeleteSharedGroup, {"SharedGroupId": second})
    assert _player_groups(pf, member.playfab_id)["data"] == {"SharedGroupIds": []}
    assert _player_groups(pf, owner.playfab_id)["data"] == {"SharedGroupIds": [first]}


def test_listing_an_unknown_players_groups_is_account_not_found(pf):
    answer = _player_groups(pf, "0000000000000001")
    assert (answer["code"], answer["error"]) == (400, "AccountNotFound"), answer
