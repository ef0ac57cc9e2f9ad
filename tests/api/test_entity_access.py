"""Who reads and writes whose objects, and Profile/GetProfile(s), through the official Python SDK."""

from __future__ import annotations

import json

import pytest
from playfab import PlayFabProfilesAPI

from tests.support import sdk
from tests.support.entity_calls import (
    check_object_limits,
    envelope,
    error_of,
    get_objects,
    get_profile,
    key,
    set_objects,
    use_title,
)
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import TITLE_ID


def _profiles(entities: list[dict[str, str]], **options: object) -> list[dict[str, object]]:
    return sdk.call(PlayFabProfilesAPI.GetProfiles, {"Entities": entities, **options})["Profiles"]


def test_get_profile_of_self_defaults_to_escaped_objects(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "Save", "DataObject": {"level": 3, "name": "Zoë"}}])
    profile = get_profile()
    assert profile["Entity"] == key(player)
    assert profile["VersionNumber"] == 1
    assert profile["Created"].endswith("Z")
    assert profile["Lineage"] == {
        "TitleId": TITLE_ID,
        "MasterPlayerAccountId": player.playfab_id,
        "TitlePlayerAccountId": player.entity_id,
    }
    assert profile["Objects"] == {"Save": {"ObjectName": "Save", "EscapedDataObject": '{"level":3,"name":"Zoë"}'}}
    as_object = get_profile(key(player), DataAsObject=True)
    assert as_object["Objects"] == {"Save": {"ObjectName": "Save", "DataObject": {"level": 3, "name": "Zoë"}}}
    assert json.loads(profile["Objects"]["Save"]["EscapedDataObject"]) == as_object["Objects"]["Save"]["DataObject"]


def test_a_player_never_writes_another_players_objects(pf):
    owner, other = new_player(), new_player()
    owner.use()
    set_objects(key(owner), [{"ObjectName": "mine", "DataObject": 1}])
    other.use()
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(key(owner), [{"ObjectName": "mine", "DataObject": 666}])
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(key(owner), [{"ObjectName": "mine", "DataObject": 666}], expected=1)
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    owner.use()
    assert get_objects(key(owner))["Objects"]["mine"]["DataObject"] == 1
    assert get_objects(key(owner))["ProfileVersion"] == 1


def test_other_players_objects_are_private_but_the_profile_is_visible(pf):
    owner, other = new_player(), new_player()
    owner.use()
    set_objects(key(owner), [{"ObjectName": "secret", "DataObject": "treasure map"}])
    other.use()
    with pytest.raises(PlayFabCallError) as exc:
        get_objects(key(owner))
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    profile = get_profile(key(owner), DataAsObject=True)
    assert profile["Entity"] == key(owner)
    assert profile["VersionNumber"] == 1
    assert "Objects" not in profile
    assert "treasure" not in json.dumps(profile)


def test_a_player_cannot_write_the_title_entity(pf):
    player = new_player()
    player.use()
    title = {"Id": TITLE_ID, "Type": "title"}
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(title, [{"ObjectName": "motd", "DataObject": "hacked"}])
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)
    with pytest.raises(PlayFabCallError) as exc:
        get_objects(title)
    assert envelope(exc) == (403, "Forbidden", "NotAuthorized", 1089)


def test_the_title_entity_reads_and_writes_any_players_objects(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "Save", "DataObject": {"gold": 10}}])
    use_title()
    assert get_objects(key(player))["Objects"]["Save"]["DataObject"] == {"gold": 10}
    data = set_objects(key(player), [{"ObjectName": "Save", "DataObject": {"gold": 500}}], expected=1)
    assert data == {"ProfileVersion": 2, "SetResults": [{"ObjectName": "Save", "SetResult": "Updated"}]}
    assert get_profile(key(player))["Objects"]["Save"]["EscapedDataObject"] == '{"gold":500}'
    player.use()
    assert get_objects(key(player))["Objects"]["Save"]["DataObject"] == {"gold": 500}


def test_the_title_entity_has_its_own_objects_with_the_title_limits(pf):
    title = use_title()
    assert title == {"Id": TITLE_ID, "Type": "title"}
    before = get_objects(title)
    set_objects(title, [{"ObjectName": n, "DeleteObject": True} for n in before["Objects"]])
    check_object_limits(title, 10, 2_000)
    profile = get_profile()
    assert profile["Entity"] == title
    assert profile["Lineage"] == {"TitleId": TITLE_ID}
    assert sorted(profile["Objects"]) == [f"o{i}" for i in range(10)]
    set_objects(title, [{"ObjectName": n, "DeleteObject": True} for n in profile["Objects"]])


def test_unknown_entities_and_types(pf):
    player = new_player()
    player.use()
    ghost = {"Id": "0123456789ABCDEF", "Type": "title_player_account"}
    use_title()
    for call in (lambda: get_objects(ghost), lambda: set_objects(ghost, [{"ObjectName": "a", "DataObject": 1}])):
        with pytest.raises(PlayFabCallError) as exc:
            call()
        assert envelope(exc) == (400, "BadRequest", "ProfileDoesNotExist", 1298)
    with pytest.raises(PlayFabCallError) as exc:
        get_profile({"Id": "OTHERTITLE", "Type": "title"})
    assert envelope(exc) == (400, "BadRequest", "ProfileDoesNotExist", 1298)
    with pytest.raises(PlayFabCallError) as exc:
        get_objects({"Id": player.playfab_id, "Type": "master_player_account"})
    assert envelope(exc) == (400, "BadRequest", "InvalidEntityType", 1373)
    assert "Entity.Type" in error_of(exc)["errorDetails"]


def test_get_profiles_leaves_out_missing_entities_and_hides_others_objects(pf):
    me, other = new_player(), new_player()
    other.use()
    set_objects(key(other), [{"ObjectName": "o", "DataObject": 2}])
    me.use()
    set_objects(key(me), [{"ObjectName": "m", "DataObject": 1}])
    ghost = {"Id": "0123456789ABCDEF", "Type": "title_player_account"}
    profiles = _profiles([key(me), ghost, key(other)], DataAsObject=True)
    assert [p["Entity"] for p in profiles] == [key(me), key(other)]
    assert profiles[0]["Objects"] == {"m": {"ObjectName": "m", "DataObject": 1}}
    assert "Objects" not in profiles[1] and profiles[1]["VersionNumber"] == 1
    use_title()
    profiles = _profiles([key(me), key(other)])
    assert [p["Objects"] for p in profiles] == [
        {"m": {"ObjectName": "m", "EscapedDataObject": "1"}},
        {"o": {"ObjectName": "o", "EscapedDataObject": "2"}},
    ]


def test_get_profiles_takes_one_to_twenty_five_entities(pf):
    player = new_player()
    player.use()
    for entities in ([], [key(player)] * 26):
        with pytest.raises(PlayFabCallError) as exc:
            _profiles(entities)
        assert envelope(exc) == (400, "BadRequest", "InvalidParams", 1000)
        assert "Entities" in error_of(exc)["errorDetails"]
    assert len(_profiles([key(player)] * 25)) == 25
