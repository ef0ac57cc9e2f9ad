"""Player and character custom data through the official Python SDK: every endpoint and the update rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.features.data_families import FAMILIES, Family, Scope
from tests.support.data_calls import (
    assert_error,
    call,
    error_of,
    family,
    grant_character,
    reader_routes,
    target,
    writer_routes,
)
from tests.support.players import Player, new_player

USER = family("User")


@pytest.fixture
def player(pf) -> Player:
    p = new_player()
    p.use()
    return p


def _read(route: str, player: Player, **extra) -> dict:
    return call(route, {"PlayFabId": player.playfab_id, **extra} if not route.startswith("Client/") else extra)


def _data(player: Player, **extra) -> dict:
    """The player's own user data, read through the Server API (everything visible)."""
    return _read("Server/GetUserData", player, **extra)


def _values(result: dict) -> dict[str, str]:
    return {key: rec["Value"] for key, rec in result["Data"].items()}


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.api_name)
def test_every_endpoint_of_every_family_round_trips(player, fam: Family):
    character = grant_character(player.playfab_id) if fam.scope is Scope.CHARACTER else None
    for route in reader_routes(fam):
        fresh = call(route, target(fam, route, player.playfab_id, character))
        assert fresh["Data"] == {} and fresh["DataVersion"] == 0
    for version, route in enumerate(writer_routes(fam), start=1):
        request = {**target(fam, route, player.playfab_id, character), "Data": {route: "v"}}
        assert call(route, request) == {"DataVersion": version}
    written = {route: "v" for route in writer_routes(fam)}
    for route in reader_routes(fam):
        result = call(route, target(fam, route, player.playfab_id, character))
        assert _values(result) == written
        assert result["DataVersion"] == len(written)
        expected = {"Data", "DataVersion"}
        expected |= {"CharacterId"} if character else set()
        expected |= set() if route.startswith("Client/") else {"PlayFabId"}
        assert set(result) == expected, route
        assert result.get("CharacterId", character) == character
        assert result.get("PlayFabId", player.playfab_id) == player.playfab_id


def test_update_is_additive(player):
    call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2", "c": "3"}})
    call("Client/UpdateUserData", {"Data": {"b": "two", "d": "4"}})
    assert _values(_data(player)) == {"a": "1", "b": "two", "c": "3", "d": "4"}
    call("Client/UpdateUserData", {"Data": {"a": None, "e": "5"}})
    assert _values(_data(player)) == {"b": "two", "c": "3", "d": "4", "e": "5"}


def test_keys_to_remove_removes_and_ignores_missing_keys(player):
    call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2", "c": "3"}})
    result = call("Client/UpdateUserData", {"KeysToRemove": ["a", " b ", "never-there"], "Data": {"c": None}})
    assert result == {"DataVersion": 2}
    assert _data(player)["Data"] == {}


def test_keys_are_trimmed_on_write_and_read(player):
    call("Client/UpdateUserData", {"Data": {"  spaced\t": "x"}})
    assert _values(_data(player)) == {"spaced": "x"}
    assert _values(call("Client/GetUserData", {"Keys": [" spaced "]})) == {"spaced": "x"}


@pytest.mark.parametrize("key", ["", "   ", "!bang", "  !bang"], ids=["empty", "blank", "bang", "spaced-bang"])
@pytest.mark.parametrize("field", ["Data", "KeysToRemove"])
def test_refused_keys_write_nothing(player, key, field):
    call("Client/UpdateUserData", {"Data": {"keep": "1"}})
    request = {"Data": {key: "v", "ok": "v"}} if field == "Data" else {"Data": {"ok": "v"}, "KeysToRemove": [key]}
    err = error_of("Client/UpdateUserData", request)
    assert_error(err, 400, "InvalidParams", 1000)
    assert list(err["errorDetails"]) == [field]
    assert _values(_data(player)) == {"keep": "1"} and _data(player)["DataVersion"] == 1


# Numbers and booleans are stored as text (tests/api/test_data_values.py); containers are refused.
@pytest.mark.parametrize("value", [{"nested": "x"}, ["x"]], ids=["dict", "list"])
def test_values_may_not_be_objects_or_arrays(player, value):
    err = error_of("Client/UpdateUserData", {"Data": {"k": value}})
    assert_error(err, 400, "InvalidParams", 1000)
    assert "Data.k" in err["errorDetails"]
    assert _data(player)["DataVersion"] == 0


def test_keys_that_collide_after_trimming_are_refused(player):
    err = error_of("Client/UpdateUserData", {"Data": {"k": "1", " k": "2"}})
    assert_error(err, 400, "InvalidParams", 1000)
    assert _data(player)["DataVersion"] == 0


def test_writing_and_removing_one_key_in_one_call_is_a_conflict(player):
    err = error_of("Client/UpdateUserData", {"Data": {"k": "1"}, "KeysToRemove": ["k"]})
    assert_error(err, 400, "DeleteKeyConflict", 1187)
    assert err["errorDetails"] == {"KeysToRemove": ["k"]}
    assert _data(player)["DataVersion"] == 0
    # A null value and KeysToRemove both ask for removal: no conflict.
    assert call("Client/UpdateUserData", {"Data": {"k": None}, "KeysToRemove": ["k"]}) == {"DataVersion": 1}


def test_permission_defaults_to_private_and_applies_to_every_key_written(player):
    call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2"}, "Permission": "Public"})
    assert {k: r["Permission"] for k, r in _data(player)["Data"].items()} == {"a": "Public", "b": "Public"}
    call("Client/UpdateUserData", {"Data": {"a": "1"}})  # rewritten without Permission: Private again
    assert {k: r["Permission"] for k, r in _data(player)["Data"].items()} == {"a": "Private", "b": "Public"}
    call("Client/UpdateUserData", {"Data": {"b": "2"}, "Permission": "private"})  # PlayFab's docs spell it so
    assert _data(player)["Data"]["b"]["Permission"] == "Private"


def test_an_unknown_permission_is_invalid(player):
    err = error_of("Client/UpdateUserData", {"Data": {"a": "1"}, "Permission": "Friends"})
    assert_error(err, 400, "InvalidParams", 1000)
    assert "Permission" in err["errorDetails"]


def test_internal_data_ignores_permission(player):
    call("Server/UpdateUserInternalData", {"PlayFabId": player.playfab_id, "Data": {"a": "1"}, "Permission": "Public"})
    internal = call("Server/GetUserInternalData", {"PlayFabId": player.playfab_id})
    assert internal["Data"]["a"]["Permission"] == "Private"


def test_last_updated_is_utc_now_and_moves_only_with_its_key(player):
    call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2"}})
    first = _data(player)["Data"]
    stamp = datetime.strptime(first["a"]["LastUpdated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=1)
    call("Client/UpdateUserData", {"Data": {"a": "changed"}})
    second = _data(player)["Data"]
    assert second["b"] == first["b"]
    assert second["a"]["LastUpdated"] >= first["a"]["LastUpdated"]


def test_keys_filter(player):
    call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2", "c": "3"}})
    assert _values(call("Client/GetUserData", {"Keys": ["a", "c", "missing"]})) == {"a": "1", "c": "3"}
    assert _values(call("Client/GetUserData", {"Keys": None})) == {"a": "1", "b": "2", "c": "3"}
    empty = call("Client/GetUserData", {"Keys": []})
    assert empty == {"Data": {}, "DataVersion": 1}


def test_if_changed_from_data_version(player):
    for n in range(3):
        call("Client/UpdateUserData", {"Data": {f"k{n}": "v"}})
    assert len(call("Client/GetUserData", {"IfChangedFromDataVersion": 2})["Data"]) == 3
    assert call("Client/GetUserData", {"IfChangedFromDataVersion": 3}) == {"Data": {}, "DataVersion": 3}
    assert call("Client/GetUserData", {"IfChangedFromDataVersion": 99}) == {"Data": {}, "DataVersion": 3}
    assert len(call("Client/GetUserData", {"IfChangedFromDataVersion": 0})["Data"]) == 3
    err = error_of("Client/GetUserData", {"IfChangedFromDataVersion": -1})
    assert_error(err, 400, "InvalidParams", 1000)
    assert "IfChangedFromDataVersion" in err["errorDetails"]


def test_each_data_type_has_its_own_version_and_keys(player):
    pid = player.playfab_id
    call("Client/UpdateUserData", {"Data": {"k": "title"}})
    call("Client/UpdateUserData", {"Data": {"k": "title2"}})
    call("Client/UpdateUserPublisherData", {"Data": {"k": "publisher"}})
    call("Server/UpdateUserReadOnlyData", {"PlayFabId": pid, "Data": {"k": "readonly"}})
    expected = {"User": ("title2", 2), "UserPublisher": ("publisher", 1), "UserReadOnly": ("readonly", 1)}
    for name, (value, version) in expected.items():
        result = call(f"Server/Get{name}Data", {"PlayFabId": pid})
        assert (_values(result), result["DataVersion"]) == ({"k": value}, version), name
    for name in ("UserInternal", "UserPublisherInternal", "UserPublisherReadOnly"):
        assert call(f"Server/Get{name}Data", {"PlayFabId": pid}) == {"Data": {}, "DataVersion": 0, "PlayFabId": pid}


def test_an_empty_update_still_counts_as_a_version(player):
    assert call("Client/UpdateUserData", {}) == {"DataVersion": 1}
    assert call("Client/UpdateUserData", {"Data": {}, "KeysToRemove": []}) == {"DataVersion": 2}


@pytest.mark.parametrize(
    "route",
    ["Server/GetUserData", "Admin/UpdateUserReadOnlyData", "Server/UpdateUserPublisherInternalData"],
)
def test_unknown_player_is_account_not_found_for_the_title(pf, route):
    err = error_of(route, {"PlayFabId": "0000000000000000", "Data": {"a": "1"}})
    assert_error(err, 400, "AccountNotFound", 1001)


def test_unknown_player_is_account_not_found_for_a_client(player):
    err = error_of("Client/GetUserData", {"PlayFabId": "0000000000000000"})
    assert_error(err, 400, "AccountNotFound", 1001)


def test_title_calls_need_a_playfab_id(pf):
    err = error_of("Server/GetUserData", {})
    assert_error(err, 400, "InvalidParams", 1000)
    assert "PlayFabId" in err["errorDetails"]


def test_a_client_write_naming_another_player_still_writes_only_its_own_data(player):
    other = new_player()
    player.use()
    call("Client/UpdateUserData", {"PlayFabId": other.playfab_id, "Data": {"mine": "1"}})
    assert _values(_data(player)) == {"mine": "1"}
    assert _data(other)["Data"] == {} and _data(other)["DataVersion"] == 0
