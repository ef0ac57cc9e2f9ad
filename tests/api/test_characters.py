"""Characters: grant, list, ownership of their data, and delete (data and entity profile go too)."""

from __future__ import annotations

import re
import time

import pytest

from shared.storage.layout import entity_pk
from tests.support.data_calls import assert_error, call, error_of, grant_character, stored
from tests.support.players import new_player

CHARACTER_DATA = ("Character", "CharacterReadOnly", "CharacterInternal")


def test_grant_then_list_for_the_owner_others_and_the_title(pf):
    owner = new_player()
    first = grant_character(owner.playfab_id, "Aria", "Mage")
    second = grant_character(owner.playfab_id, "Aria", "Mage")  # names need not be unique
    assert re.fullmatch(r"[0-9A-F]{16}", first) and first != second
    expected = [
        {"CharacterId": first, "CharacterName": "Aria", "CharacterType": "Mage"},
        {"CharacterId": second, "CharacterName": "Aria", "CharacterType": "Mage"},
    ]
    assert call("Server/GetAllUsersCharacters", {"PlayFabId": owner.playfab_id}) == {"Characters": expected}
    owner.use()
    assert call("Client/GetAllUsersCharacters", {}) == {"Characters": expected}
    new_player().use()
    assert call("Client/GetAllUsersCharacters", {"PlayFabId": owner.playfab_id}) == {"Characters": expected}
    assert call("Client/GetAllUsersCharacters", {}) == {"Characters": []}


def test_grant_creates_the_character_entity_profile(pf):
    owner = new_player()
    before = time.time()
    character = grant_character(owner.playfab_id)
    profile = stored(pf, "entities", entity_pk("character", character), "profile")
    assert profile is not None and profile["PlayFabId"] == owner.playfab_id
    assert isinstance(profile["Created"], float) and before - 1 <= profile["Created"] <= time.time() + 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"CharacterName": ""}, "CharacterName"),
        ({"CharacterName": "x" * 41}, "CharacterName"),
        ({"CharacterName": None}, "CharacterName"),
        ({"CharacterType": None}, "CharacterType"),
        ({"CharacterType": ""}, "CharacterType"),
        ({"PlayFabId": None}, "PlayFabId"),
    ],
    ids=["empty-name", "long-name", "no-name", "no-type", "empty-type", "no-player"],
)
def test_grant_validates_its_request(pf, change, field):
    owner = new_player()
    request = {"PlayFabId": owner.playfab_id, "CharacterName": "Hero", "CharacterType": "Knight", **change}
    err = error_of("Server/GrantCharacterToUser", {k: v for k, v in request.items() if v is not None})
    assert_error(err, 400, "InvalidParams", 1000)
    assert field in err["errorDetails"]
    assert call("Server/GetAllUsersCharacters", {"PlayFabId": owner.playfab_id}) == {"Characters": []}


def test_a_forty_character_name_is_fine(pf):
    owner = new_player()
    grant_character(owner.playfab_id, "n" * 40)
    assert call("Server/GetAllUsersCharacters", {"PlayFabId": owner.playfab_id})["Characters"][0]["CharacterName"] == (
        "n" * 40
    )


@pytest.mark.parametrize(
    ("route", "request_"),
    [
        ("Server/GrantCharacterToUser", {"CharacterName": "Hero", "CharacterType": "Knight"}),
        ("Server/GetAllUsersCharacters", {}),
        ("Server/DeleteCharacterFromUser", {"CharacterId": "0000000000000001", "SaveCharacterInventory": False}),
        ("Server/GetCharacterData", {"CharacterId": "0000000000000001"}),
        ("Server/UpdateCharacterInternalData", {"CharacterId": "0000000000000001", "Data": {"k": "v"}}),
    ],
)
def test_an_unknown_player_is_account_not_found(pf, route, request_):
    err = error_of(route, {"PlayFabId": "0000000000000000", **request_})
    assert_error(err, 400, "AccountNotFound", 1001)


def test_a_client_listing_an_unknown_player_is_account_not_found(pf):
    new_player()
    assert_error(
        error_of("Client/GetAllUsersCharacters", {"PlayFabId": "0000000000000000"}), 400, "AccountNotFound", 1001
    )


def test_client_grant_needs_a_catalog_item_this_server_cannot_have(pf):
    player = new_player()
    err = error_of("Client/GrantCharacterToUser", {"ItemId": "hero_token", "CharacterName": "Hero"})
    assert_error(err, 400, "ItemNotOwned", 1048)
    assert err["errorDetails"] == {"ItemId": ["hero_token"]}
    assert call("Server/GetAllUsersCharacters", {"PlayFabId": player.playfab_id}) == {"Characters": []}
    assert_error(error_of("Client/GrantCharacterToUser", {"CharacterName": "Hero"}), 400, "InvalidParams", 1000)


@pytest.mark.parametrize("name", CHARACTER_DATA)
def test_a_foreign_or_unknown_character_is_not_found(pf, name):
    owner, other = new_player(), new_player()
    mine, theirs = grant_character(owner.playfab_id), grant_character(other.playfab_id)
    for character in (theirs, "0000000000000001"):
        for verb in ("Get", "Update"):
            route = f"Server/{verb}{name}Data"
            err = error_of(route, {"PlayFabId": owner.playfab_id, "CharacterId": character, "Data": {"k": "v"}})
            assert_error(err, 400, "CharacterNotFound", 1135)
            assert err["errorDetails"] == {"CharacterId": [character]}
    assert call(f"Server/Get{name}Data", {"PlayFabId": owner.playfab_id, "CharacterId": mine})["DataVersion"] == 0
    assert call(f"Server/Get{name}Data", {"PlayFabId": other.playfab_id, "CharacterId": theirs})["DataVersion"] == 0


def test_a_client_cannot_touch_another_players_character_as_its_own(pf):
    owner, thief = new_player(), new_player()
    character = grant_character(owner.playfab_id)
    thief.use()
    for route in ("Client/UpdateCharacterData", "Client/GetCharacterData", "Client/GetCharacterReadOnlyData"):
        err = error_of(route, {"CharacterId": character, "Data": {"k": "v"}})
        assert_error(err, 400, "CharacterNotFound", 1135)
    # Naming the owner only lets the thief read Public keys; the write path has no PlayFabId at all.
    err = error_of("Client/UpdateCharacterData", {"PlayFabId": owner.playfab_id, "CharacterId": character})
    assert_error(err, 400, "CharacterNotFound", 1135)
    assert (
        call("Server/GetCharacterData", {"PlayFabId": owner.playfab_id, "CharacterId": character})["DataVersion"] == 0
    )


def test_characters_have_their_own_data_apart_from_each_other_and_the_player(pf):
    owner = new_player()
    a, b = grant_character(owner.playfab_id), grant_character(owner.playfab_id)
    owner.use()
    call("Client/UpdateCharacterData", {"CharacterId": a, "Data": {"k": "a"}})
    call("Client/UpdateCharacterData", {"CharacterId": a, "Data": {"k": "a2"}})
    call("Client/UpdateCharacterData", {"CharacterId": b, "Data": {"k": "b"}})
    call("Client/UpdateUserData", {"Data": {"k": "player"}})
    read_a = call("Client/GetCharacterData", {"CharacterId": a})
    assert (read_a["Data"]["k"]["Value"], read_a["DataVersion"], read_a["CharacterId"]) == ("a2", 2, a)
    read_b = call("Client/GetCharacterData", {"CharacterId": b})
    assert (read_b["Data"]["k"]["Value"], read_b["DataVersion"]) == ("b", 1)
    assert call("Client/GetUserData", {})["Data"]["k"]["Value"] == "player"


def test_character_data_follows_the_same_update_rules(pf):
    owner = new_player()
    character = grant_character(owner.playfab_id)
    owner.use()
    call(
        "Client/UpdateCharacterData", {"CharacterId": character, "Data": {" a ": "1", "b": "2"}, "Permission": "Public"}
    )
    call("Client/UpdateCharacterData", {"CharacterId": character, "Data": {"b": None}, "KeysToRemove": ["zz"]})
    result = call("Client/GetCharacterData", {"CharacterId": character, "Keys": ["a", "b"]})
    assert {k: (r["Value"], r["Permission"]) for k, r in result["Data"].items()} == {"a": ("1", "Public")}
    assert call("Client/GetCharacterData", {"CharacterId": character, "IfChangedFromDataVersion": 2})["Data"] == {}
    err = error_of("Client/UpdateCharacterData", {"CharacterId": character, "Data": {"!x": "1"}})
    assert_error(err, 400, "InvalidParams", 1000)
    assert_error(error_of("Client/GetCharacterData", {}), 400, "InvalidParams", 1000)


def test_delete_removes_the_character_its_data_and_its_profile(pf):
    owner = new_player()
    doomed, kept = grant_character(owner.playfab_id, "Doomed"), grant_character(owner.playfab_id, "Kept")
    for name in CHARACTER_DATA:
        for character in (doomed, kept):
            call(
                f"Server/Update{name}Data",
                {"PlayFabId": owner.playfab_id, "CharacterId": character, "Data": {"k": "v"}},
            )
    call("Server/UpdateUserData", {"PlayFabId": owner.playfab_id, "Data": {"k": "player"}})

    request = {"PlayFabId": owner.playfab_id, "CharacterId": doomed, "SaveCharacterInventory": False}
    assert call("Server/DeleteCharacterFromUser", request) == {}

    listed = call("Server/GetAllUsersCharacters", {"PlayFabId": owner.playfab_id})["Characters"]
    assert [c["CharacterId"] for c in listed] == [kept]
    for kind in ("user", "readonly", "internal"):
        assert stored(pf, "players", owner.playfab_id, f"character.{doomed}.{kind}") is None
        assert stored(pf, "players", owner.playfab_id, f"character.{kept}.{kind}") is not None
    assert stored(pf, "entities", entity_pk("character", doomed), "profile") is None
    assert stored(pf, "entities", entity_pk("character", kept), "profile") is not None
    for name in CHARACTER_DATA:
        err = error_of(f"Server/Get{name}Data", {"PlayFabId": owner.playfab_id, "CharacterId": doomed})
        assert_error(err, 400, "CharacterNotFound", 1135)
    assert call("Server/GetUserData", {"PlayFabId": owner.playfab_id})["Data"]["k"]["Value"] == "player"
    assert_error(error_of("Server/DeleteCharacterFromUser", request), 400, "CharacterNotFound", 1135)


def test_delete_refuses_a_foreign_character_and_removes_nothing(pf):
    owner, other = new_player(), new_player()
    theirs = grant_character(other.playfab_id)
    request = {"PlayFabId": owner.playfab_id, "CharacterId": theirs, "SaveCharacterInventory": True}
    assert_error(error_of("Server/DeleteCharacterFromUser", request), 400, "CharacterNotFound", 1135)
    assert len(call("Server/GetAllUsersCharacters", {"PlayFabId": other.playfab_id})["Characters"]) == 1
    assert stored(pf, "entities", entity_pk("character", theirs), "profile") is not None


def test_delete_needs_save_character_inventory(pf):
    owner = new_player()
    character = grant_character(owner.playfab_id)
    err = error_of("Server/DeleteCharacterFromUser", {"PlayFabId": owner.playfab_id, "CharacterId": character})
    assert_error(err, 400, "InvalidParams", 1000)
    assert "SaveCharacterInventory" in err["errorDetails"]
    assert len(call("Server/GetAllUsersCharacters", {"PlayFabId": owner.playfab_id})["Characters"]) == 1
