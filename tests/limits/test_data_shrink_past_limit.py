"""After DATA_MAX_DOCUMENT_BYTES is lowered below what is stored, calls that do not grow the data still land.

Data is written under the default limit, then the host restarts on the same store with the limit at its
minimum: removing or shrinking keys must work on every API and on shared groups; growing stays refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playfab import PlayFabClientAPI, PlayFabServerAPI

from tests.conftest import BACKENDS
from tests.support import sdk
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.data_calls import assert_error, call, error_of, grant_character
from tests.support.players import Player, new_player
from tests.support.server import Server, running_server

LOW_LIMIT = "1024"  # the setting's minimum
VALUE = "x" * 600  # two of these are over the low limit


@dataclass
class Seeded:
    server: Server
    player: Player
    character: str
    group: str


def _seed(player: Player) -> tuple[str, str]:
    pid = player.playfab_id
    three = {"a": VALUE, "b": VALUE, "c": VALUE}
    player.use()
    call("Client/UpdateUserData", {"Data": three})
    call("Admin/UpdateUserReadOnlyData", {"PlayFabId": pid, "Data": three})
    call("Server/UpdateUserInternalData", {"PlayFabId": pid, "Data": three})
    character = grant_character(pid)
    call("Server/UpdateCharacterData", {"PlayFabId": pid, "CharacterId": character, "Data": three})
    group = sdk.call(PlayFabServerAPI.CreateSharedGroup, {})["SharedGroupId"]
    sdk.call(PlayFabServerAPI.AddSharedGroupMembers, {"SharedGroupId": group, "PlayFabIds": [pid]})
    sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group, "Data": three})
    return character, group


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    data_dir: Path = tmp_path_factory.mktemp(f"lowered-{request.param}")
    store_env: dict[str, str] = {}
    database, account = None, None
    if request.param == "cosmos":
        account = request.getfixturevalue("cosmos")
        database = new_database_name("lowered")
        store_env = account.env(database)
    try:
        with running_server(data_dir, **store_env) as first:
            sdk.point_at(first)
            player = new_player()
            character, group = _seed(player)
        with running_server(data_dir, DATA_MAX_DOCUMENT_BYTES=LOW_LIMIT, **store_env) as lowered:
            yield Seeded(lowered, player, character, group)
    finally:
        if isinstance(account, CosmosAccount) and database:
            asyncio.run(account.drop_database(database))


@pytest.fixture
def low(seeded: Seeded) -> Seeded:
    sdk.point_at(seeded.server)
    seeded.player.use()
    return seeded


def _values(result: dict) -> dict[str, str]:
    return {key: rec["Value"] for key, rec in result["Data"].items()}


def test_client_can_remove_a_key_from_data_over_the_limit(low):
    assert call("Client/UpdateUserData", {"KeysToRemove": ["a"]})
    assert set(_values(call("Client/GetUserData"))) == {"b", "c"}


def test_admin_can_remove_with_a_null_value_and_shrink_a_value(low):
    pid = low.player.playfab_id
    shorter = VALUE[:-1]  # still over the limit afterwards
    assert call("Admin/UpdateUserReadOnlyData", {"PlayFabId": pid, "Data": {"a": None, "b": shorter}})
    assert _values(call("Admin/GetUserReadOnlyData", {"PlayFabId": pid})) == {"b": shorter, "c": VALUE}


def test_a_same_size_rewrite_lands_and_growth_is_refused(low):
    base = {"PlayFabId": low.player.playfab_id, "CharacterId": low.character}
    assert call("Server/UpdateCharacterData", {**base, "Data": {"a": "y" * len(VALUE)}})
    before = call("Server/GetCharacterData", base)
    err = error_of("Server/UpdateCharacterData", {**base, "Data": {"d": "1"}})
    assert_error(err, 400, "TotalDataSizeExceeded", 1186)
    err = error_of("Server/UpdateCharacterData", {**base, "Data": {"a": "y" * (len(VALUE) + 1)}})
    assert_error(err, 400, "TotalDataSizeExceeded", 1186)
    assert call("Server/GetCharacterData", base) == before  # nothing written, no version counted


def test_a_call_that_removes_more_than_it_adds_lands(low):
    pid = low.player.playfab_id
    request = {"PlayFabId": pid, "Data": {"small": "1"}, "KeysToRemove": ["a"]}
    assert call("Server/UpdateUserInternalData", request)
    assert _values(call("Server/GetUserInternalData", {"PlayFabId": pid})) == {"b": VALUE, "c": VALUE, "small": "1"}


def test_shared_group_keys_can_be_removed_and_not_grown(low):
    group = low.group
    err_request = {"SharedGroupId": group, "Data": {"d": "1"}}
    with pytest.raises(sdk.PlayFabCallError) as exc:
        sdk.call(PlayFabClientAPI.UpdateSharedGroupData, err_request)
    assert exc.value.error["error"] == "TotalDataSizeExceeded" and exc.value.error["errorCode"] == 1186
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group, "KeysToRemove": ["a"]})
    sdk.call(PlayFabClientAPI.UpdateSharedGroupData, {"SharedGroupId": group, "Data": {"b": None}})
    data = sdk.call(PlayFabServerAPI.GetSharedGroupData, {"SharedGroupId": group})["Data"]
    assert set(data) == {"c"}
