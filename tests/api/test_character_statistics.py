"""Character statistics and character leaderboards through the official Python SDK on both stores: the
player engine's rules with the character rules of the data families (a player only its own characters,
CharacterNotFound), and a deleted character leaving its boards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of, grant_character
from tests.support.players import new_player
from tests.support.server import Server
from tests.support.statistic_calls import advance, define, fresh_name, statistics_host

BACKENDS = ("sqlite", "cosmos")


@pytest.fixture(scope="module", params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with statistics_host(request.param, request, tmp_path_factory.mktemp(f"chars-{request.param}")) as srv:
        yield srv


@pytest.fixture
def on_host(host: Server) -> Server:
    sdk.point_at(host)
    return host


def _set(playfab_id: str, character_id: str, stats: dict[str, int]) -> None:
    request = {"PlayFabId": playfab_id, "CharacterId": character_id, "CharacterStatistics": stats}
    assert call("Server/UpdateCharacterStatistics", request) == {}


def test_update_and_read_character_statistics(on_host):
    owner, name = new_player(), fresh_name()
    define(name, "Sum")
    hero = grant_character(owner.playfab_id, "Aria", "Mage")
    _set(owner.playfab_id, hero, {name: 4})
    owner.use()
    assert call("Client/UpdateCharacterStatistics", {"CharacterId": hero, "CharacterStatistics": {name: 3}}) == {}
    assert call("Client/GetCharacterStatistics", {"CharacterId": hero}) == {"CharacterStatistics": {name: 7}}
    assert call("Server/GetCharacterStatistics", {"PlayFabId": owner.playfab_id, "CharacterId": hero}) == {
        "CharacterId": hero,
        "PlayFabId": owner.playfab_id,
        "CharacterStatistics": {name: 7},
    }
    # The character's values are its own: the player's statistics do not list them.
    assert call("Server/GetPlayerStatistics", {"PlayFabId": owner.playfab_id})["Statistics"] == []


def test_a_player_touches_only_its_own_characters(on_host):
    owner, other, name = new_player(), new_player(), fresh_name()
    hero = grant_character(owner.playfab_id)
    other.use()
    for route, request in (
        ("Client/UpdateCharacterStatistics", {"CharacterId": hero, "CharacterStatistics": {name: 1}}),
        ("Client/GetCharacterStatistics", {"CharacterId": hero}),
        ("Client/GetLeaderboardAroundCharacter", {"CharacterId": hero, "StatisticName": name}),
    ):
        assert_error(error_of(route, request), 400, "CharacterNotFound", 1135)
    err = error_of(
        "Server/UpdateCharacterStatistics",
        {"PlayFabId": other.playfab_id, "CharacterId": hero, "CharacterStatistics": {name: 1}},
    )
    assert_error(err, 400, "CharacterNotFound", 1135)
    assert call("Server/GetCharacterStatistics", {"PlayFabId": owner.playfab_id, "CharacterId": hero}) == {
        "CharacterId": hero,
        "PlayFabId": owner.playfab_id,
        "CharacterStatistics": {},
    }


def test_character_leaderboards(on_host):
    name = fresh_name()
    first_owner, second_owner = new_player(), new_player()
    knight = grant_character(first_owner.playfab_id, "Sir", "Knight")
    mage = grant_character(first_owner.playfab_id, "Merlin", "Mage")
    rogue = grant_character(second_owner.playfab_id, "Shade", "Rogue")
    second_owner.use()
    call("Client/UpdateUserTitleDisplayName", {"DisplayName": "ShadeMaster"})
    for character, owner, value in ((knight, first_owner, 20), (mage, first_owner, 30), (rogue, second_owner, 20)):
        _set(owner.playfab_id, character, {name: value})
        advance(on_host, 1.0)
    page = call("Server/GetCharacterLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10})
    assert page["Leaderboard"] == [
        {
            "CharacterId": mage,
            "CharacterName": "Merlin",
            "CharacterType": "Mage",
            "PlayFabId": first_owner.playfab_id,
            "StatValue": 30,
            "Position": 0,
        },
        {
            "CharacterId": knight,
            "CharacterName": "Sir",
            "CharacterType": "Knight",
            "PlayFabId": first_owner.playfab_id,
            "StatValue": 20,
            "Position": 1,
        },
        {
            "CharacterId": rogue,
            "CharacterName": "Shade",
            "CharacterType": "Rogue",
            "PlayFabId": second_owner.playfab_id,
            "DisplayName": "ShadeMaster",
            "StatValue": 20,
            "Position": 2,
        },
    ]
    second_owner.use()
    around = call(
        "Client/GetLeaderboardAroundCharacter", {"CharacterId": rogue, "StatisticName": name, "MaxResultsCount": 1}
    )
    assert [(e["CharacterId"], e["Position"]) for e in around["Leaderboard"]] == [(rogue, 2)]
    mine = call("Client/GetLeaderboardForUserCharacters", {"StatisticName": name})
    assert [(e["CharacterId"], e["Position"]) for e in mine["Leaderboard"]] == [(rogue, 2)]
    theirs = call(
        "Server/GetLeaderboardForUserCharacters", {"PlayFabId": first_owner.playfab_id, "StatisticName": name}
    )
    assert [(e["CharacterId"], e["Position"]) for e in theirs["Leaderboard"]] == [(mage, 0), (knight, 1)]
    typed = call(
        "Client/GetCharacterLeaderboard",
        {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10, "CharacterType": "Knight"},
    )
    assert [e["CharacterId"] for e in typed["Leaderboard"]] == [knight]
    beyond = call("Client/GetCharacterLeaderboard", {"StatisticName": name, "StartPosition": 3})
    assert beyond == {"Leaderboard": []}


def test_deleting_a_character_or_its_player_removes_their_entries(on_host):
    name = fresh_name()
    owner, other = new_player(), new_player()
    kept, dropped = grant_character(owner.playfab_id), grant_character(owner.playfab_id)
    elsewhere = grant_character(other.playfab_id)
    for character, who in ((kept, owner), (dropped, owner), (elsewhere, other)):
        _set(who.playfab_id, character, {name: 5})
    call(
        "Server/DeleteCharacterFromUser",
        {"PlayFabId": owner.playfab_id, "CharacterId": dropped, "SaveCharacterInventory": False},
    )
    page = call("Server/GetCharacterLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10})
    assert sorted(e["CharacterId"] for e in page["Leaderboard"]) == sorted([kept, elsewhere])
    call("Admin/DeletePlayer", {"PlayFabId": owner.playfab_id})
    page = call("Server/GetCharacterLeaderboard", {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 10})
    assert [e["CharacterId"] for e in page["Leaderboard"]] == [elsewhere]
