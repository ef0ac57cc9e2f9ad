"""Limits on custom data: keys per call, value size, key length, total size; a breach writes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.config.settings import SettingsError, load_settings
from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of, grant_character
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID, Server, running_server

BIG = 300_000


def _state(player: Player) -> dict:
    return call("Server/GetUserData", {"PlayFabId": player.playfab_id})


@pytest.fixture
def player(pf) -> Player:
    p = new_player()
    call("Server/UpdateUserData", {"PlayFabId": p.playfab_id, "Data": {"before": "1"}})
    return p


def _assert_untouched(player: Player) -> None:
    state = _state(player)
    assert {k: r["Value"] for k, r in state["Data"].items()} == {"before": "1"}
    assert state["DataVersion"] == 1


def test_ten_keys_per_call_pass_and_eleven_write_nothing(player):
    ten = {f"k{i}": "v" for i in range(10)}
    assert call("Client/UpdateUserData", {"Data": ten})["DataVersion"] == 2
    eleven = {f"n{i}": "v" for i in range(11)}
    err = error_of("Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": eleven})
    assert_error(err, 400, "TooManyKeys", 1147)
    assert len(_state(player)["Data"]) == 11 and _state(player)["DataVersion"] == 2


def test_keys_to_remove_count_towards_the_limit(player):
    request = {"PlayFabId": player.playfab_id, "Data": {f"k{i}": "v" for i in range(6)}}
    request["KeysToRemove"] = [f"r{i}" for i in range(5)]
    assert_error(error_of("Server/UpdateUserData", request), 400, "TooManyKeys", 1147)
    _assert_untouched(player)


def test_a_value_of_the_limit_passes_and_one_byte_more_writes_nothing(player):
    pid = player.playfab_id
    assert call("Server/UpdateUserData", {"PlayFabId": pid, "Data": {"big": "x" * BIG}})["DataVersion"] == 2
    err = error_of("Server/UpdateUserData", {"PlayFabId": pid, "Data": {"small": "y", "bigger": "x" * (BIG + 1)}})
    assert_error(err, 400, "DataLengthExceeded", 1146)
    assert set(_state(player)["Data"]) == {"before", "big"}


def test_value_size_is_counted_in_utf8_bytes(player):
    euro = "\u20ac" * (BIG // 3 + 1)  # 3 bytes each: 300,003 bytes in 100,001 characters
    err = error_of("Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": {"euro": euro}})
    assert_error(err, 400, "DataLengthExceeded", 1146)
    _assert_untouched(player)


def test_key_length_is_limited(player):
    assert call("Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": {"k" * 1024: "v"}})
    err = error_of("Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": {"k" * 1025: "v"}})
    assert_error(err, 400, "KeyLengthExceeded", 1145)
    assert len(_state(player)["Data"]) == 2


def test_character_data_has_the_same_default_limits(pf):
    owner = new_player()
    character = grant_character(owner.playfab_id)
    base = {"PlayFabId": owner.playfab_id, "CharacterId": character}
    assert call("Server/UpdateCharacterData", {**base, "Data": {f"k{i}": "x" * BIG for i in range(3)}})
    assert_error(
        error_of("Server/UpdateCharacterData", {**base, "Data": {f"n{i}": "v" for i in range(11)}}),
        400,
        "TooManyKeys",
        1147,
    )
    assert_error(
        error_of("Server/UpdateCharacterData", {**base, "Data": {"n": "x" * (BIG + 1)}}),
        400,
        "DataLengthExceeded",
        1146,
    )
    assert call("Server/GetCharacterData", base)["DataVersion"] == 1


def test_total_size_per_data_type_is_guarded(player):
    pid = player.playfab_id
    call("Server/UpdateUserData", {"PlayFabId": pid, "Data": {f"a{i}": "x" * BIG for i in range(3)}})
    err = error_of("Server/UpdateUserData", {"PlayFabId": pid, "Data": {"one-more": "x" * BIG}})
    assert_error(err, 400, "TotalDataSizeExceeded", 1186)
    state = _state(player)
    assert set(state["Data"]) == {"before", "a0", "a1", "a2"} and state["DataVersion"] == 2
    # Making room works, and other data types have their own budget.
    assert call("Server/UpdateUserData", {"PlayFabId": pid, "Data": {"a0": None, "one-more": "x" * BIG}})
    assert call("Server/UpdateUserReadOnlyData", {"PlayFabId": pid, "Data": {f"b{i}": "x" * BIG for i in range(3)}})


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with its limits changed, the total-size guard above what one stored document may hold."""
    with running_server(
        tmp_path_factory.mktemp("tuned"),
        USER_DATA_MAX_KEYS_PER_UPDATE="3",
        CHARACTER_DATA_MAX_KEYS_PER_UPDATE="2",
        CHARACTER_DATA_MAX_VALUE_BYTES="50",
        DATA_MAX_DOCUMENT_BYTES="3000000",
    ) as srv:
        yield srv


def test_limits_are_configurable(tuned):
    sdk.point_at(tuned)
    owner = new_player()
    character = grant_character(owner.playfab_id)
    assert call("Client/UpdateUserData", {"Data": {"a": "1", "b": "2", "c": "3"}})
    assert_error(
        error_of("Client/UpdateUserData", {"Data": {f"k{i}": "v" for i in range(4)}}), 400, "TooManyKeys", 1147
    )
    assert call("Client/UpdateUserData", {"Data": {"long": "x" * 1000}})  # user values keep the default
    base = {"CharacterId": character}
    assert call("Client/UpdateCharacterData", {**base, "Data": {"a": "x" * 50, "b": "y"}})
    assert_error(
        error_of("Client/UpdateCharacterData", {**base, "Data": {"a": "1", "b": "2", "c": "3"}}),
        400,
        "TooManyKeys",
        1147,
    )
    assert_error(
        error_of("Client/UpdateCharacterData", {**base, "Data": {"a": "x" * 51}}), 400, "DataLengthExceeded", 1146
    )
    assert call("Client/GetCharacterData", base)["DataVersion"] == 1


def test_the_store_refuses_a_document_too_large_to_keep(tuned):
    """Past the configured guard, the store's own cap (Cosmos DB's 2 MB item size) still answers cleanly."""
    sdk.point_at(tuned)
    player = new_player()
    for n in range(2):
        call("Client/UpdateUserData", {"Data": {f"k{n}{i}": "x" * BIG for i in range(3)}})
    err = error_of("Client/UpdateUserData", {"Data": {f"k2{i}": "x" * BIG for i in range(3)}})
    assert_error(err, 400, "TotalDataSizeExceeded", 1186)
    assert "store fault" in tuned.log()  # the store's cap answered, not the configured guard
    state = call("Server/GetUserData", {"PlayFabId": player.playfab_id})
    assert len(state["Data"]) == 6 and state["DataVersion"] == 2


@pytest.mark.parametrize(
    "name",
    [
        "USER_DATA_MAX_KEYS_PER_UPDATE",
        "USER_DATA_MAX_VALUE_BYTES",
        "CHARACTER_DATA_MAX_KEYS_PER_UPDATE",
        "CHARACTER_DATA_MAX_VALUE_BYTES",
        "DATA_MAX_DOCUMENT_BYTES",
    ],
)
@pytest.mark.parametrize("value", ["0", "ten"])
def test_bad_limit_settings_stop_start_up(name, value):
    env = {
        "PLAYFAB_TITLE_ID": TITLE_ID,
        "PLAYFAB_SECRET_KEYS": SECRET_KEY,
        "TOKEN_SIGNING_KEY": SIGNING_KEY,
        name: value,
    }
    with pytest.raises(SettingsError, match=name):
        load_settings(env)
    assert getattr(load_settings({**env, name: "12345"}), _field(name)) == 12345


def _field(env_name: str) -> str:
    return {
        "USER_DATA_MAX_KEYS_PER_UPDATE": "user_data_max_keys",
        "USER_DATA_MAX_VALUE_BYTES": "user_data_max_value_bytes",
        "CHARACTER_DATA_MAX_KEYS_PER_UPDATE": "character_data_max_keys",
        "CHARACTER_DATA_MAX_VALUE_BYTES": "character_data_max_value_bytes",
        "DATA_MAX_DOCUMENT_BYTES": "data_max_document_bytes",
    }[env_name]
