"""Objects on character entities.

Characters are granted by Server/GrantCharacterToUser, which writes the character's entity profile
`{"Created", "PlayFabId"}`; these tests grant characters through that endpoint.
"""

from __future__ import annotations

import pytest
from playfab import PlayFabAuthenticationAPI

from tests.support import sdk
from tests.support.entity_calls import (
    add_character,
    check_object_limits,
    envelope,
    get_objects,
    get_profile,
    key,
    set_objects,
    use_title,
)
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import TITLE_ID


def test_a_player_reads_and_writes_its_characters_objects(pf):
    owner = new_player()
    hero = add_character(pf, owner)
    owner.use()
    data = set_objects(hero, [{"ObjectName": "Loadout", "DataObject": {"sword": 1}}])
    assert data == {"ProfileVersion": 1, "SetResults": [{"ObjectName": "Loadout", "SetResult": "Created"}]}
    assert get_objects(hero)["Objects"]["Loadout"]["DataObject"] == {"sword": 1}
    # The character has its own version and objects, apart from the player's.
    assert get_objects(key(owner)) == {"Entity": key(owner), "ProfileVersion": 0, "Objects": {}}
    profile = get_profile(hero)
    assert profile["Lineage"] == {
        "TitleId": TITLE_ID,
        "MasterPlayerAccountId": owner.playfab_id,
        "CharacterId": hero["Id"],
    }
    assert profile["Objects"]["Loadout"]["EscapedDataObject"] == '{"sword":1}'


def test_another_player_never_writes_or_reads_a_characters_objects(pf):
    owner, other = new_player(), new_player()
    hero = add_character(pf, owner)
    owner.use()
    set_objects(hero, [{"ObjectName": "Loadout", "DataObject": 1}])
    other.use()
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(hero, [{"ObjectName": "Loadout", "DataObject": 2}])
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    with pytest.raises(PlayFabCallError) as exc:
        get_objects(hero)
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    assert "Objects" not in get_profile(hero)
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {"Entity": hero})
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    owner.use()
    assert get_objects(hero)["Objects"]["Loadout"]["DataObject"] == 1


def test_a_character_token_writes_its_own_objects_only(pf):
    owner = new_player()
    hero, sidekick = add_character(pf, owner), add_character(pf, owner)
    owner.use()
    set_objects(sidekick, [{"ObjectName": "Pet", "DataObject": "cat"}])
    token = sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {"Entity": hero})
    assert token["Entity"] == hero  # the SDK now sends the character's token
    assert set_objects(hero, [{"ObjectName": "Hp", "DataObject": 30}])["ProfileVersion"] == 1
    assert get_profile()["Entity"] == hero
    # It reads its family's objects, but writes only its own.
    assert get_objects(sidekick)["Objects"]["Pet"]["DataObject"] == "cat"
    for target in (sidekick, key(owner)):
        with pytest.raises(PlayFabCallError) as exc:
            set_objects(target, [{"ObjectName": "Pet", "DataObject": "dog"}])
        assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)


def test_the_title_entity_writes_a_characters_objects(pf):
    owner = new_player()
    hero = add_character(pf, owner)
    use_title()
    assert set_objects(hero, [{"ObjectName": "Quest", "DataObject": [1, 2]}])["ProfileVersion"] == 1
    owner.use()
    assert get_objects(hero)["Objects"]["Quest"]["DataObject"] == [1, 2]


def test_a_character_without_a_profile_does_not_exist(pf):
    player = new_player()
    player.use()
    ghost = {"Id": "0123456789ABCDEF", "Type": "character"}
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(ghost, [{"ObjectName": "a", "DataObject": 1}])
    assert envelope(exc) == (400, "BadRequest", "ProfileDoesNotExist", 1298)
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {"Entity": ghost})
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)


def test_character_objects_have_the_player_limits(pf):
    owner = new_player()
    hero = add_character(pf, owner)
    owner.use()
    check_object_limits(hero, 5, 1_000)


def test_a_deleted_characters_token_stops_working(pf):
    from playfab import PlayFabServerAPI

    owner = new_player()
    hero = add_character(pf, owner)
    owner.use()
    set_objects(key(owner), [{"ObjectName": "Bank", "DataObject": 100}])
    token = sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {"Entity": hero})["EntityToken"]
    sdk.session(None, token)
    assert get_objects(key(owner))["Objects"]["Bank"]["DataObject"] == 100  # a character reads its owner's
    sdk.call(
        PlayFabServerAPI.DeleteCharacterFromUser,
        {"PlayFabId": owner.playfab_id, "CharacterId": hero["Id"], "SaveCharacterInventory": False},
    )
    sdk.session(None, token)
    for attempt in (lambda: get_objects(key(owner)), lambda: sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {})):
        with pytest.raises(PlayFabCallError) as exc:
            attempt()
        assert envelope(exc) == (401, "Unauthorized", "EntityTokenRevoked", 1337)
    owner.use()
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {"Entity": hero})
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
