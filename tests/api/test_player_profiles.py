"""Client, Server and Admin GetPlayerProfile with ProfileConstraints, and the title's client profile options."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabServerAPI

from shared.config.settings import SettingsError, load_settings
from tests.support import sdk
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import TITLE_ID, Server, base_env, running_server

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EVERYTHING = {
    name: True
    for name in (
        "ShowAvatarUrl",
        "ShowBannedUntil",
        "ShowCampaignAttributions",
        "ShowContactEmailAddresses",
        "ShowCreated",
        "ShowDisplayName",
        "ShowExperimentVariants",
        "ShowLastLogin",
        "ShowLinkedAccounts",
        "ShowLocations",
        "ShowMemberships",
        "ShowOrigination",
        "ShowPushNotificationRegistrations",
        "ShowStatistics",
        "ShowTags",
        "ShowTotalValueToDateInUsd",
        "ShowValuesToDate",
    )
}


def _refused(api, request) -> dict:
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(api, request)
    return err.value.error


def _named_player(custom_id: str | None = None):
    player = new_player(custom_id)
    name = f"pp{uuid.uuid4().hex[:18]}"
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    return player, name


def test_without_constraints_a_profile_shows_the_display_name(pf):
    player = new_player()
    bare = sdk.call(PlayFabClientAPI.GetPlayerProfile, {})
    assert bare == {"PlayerProfile": {"PlayerId": player.playfab_id, "TitleId": TITLE_ID}}
    name = f"pp{uuid.uuid4().hex[:18]}"
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    named = sdk.call(PlayFabClientAPI.GetPlayerProfile, {"PlayFabId": player.playfab_id})
    assert named == {"PlayerProfile": {"PlayerId": player.playfab_id, "TitleId": TITLE_ID, "DisplayName": name}}
    # Constraints given and all false: only the ids.
    empty = sdk.call(PlayFabClientAPI.GetPlayerProfile, {"ProfileConstraints": {}})
    assert empty == {"PlayerProfile": {"PlayerId": player.playfab_id, "TitleId": TITLE_ID}}


def test_another_players_display_name_is_visible_to_a_client(pf):
    target, name = _named_player()
    new_player()
    answer = sdk.call(
        PlayFabClientAPI.GetPlayerProfile,
        {"PlayFabId": target.playfab_id, "ProfileConstraints": {"ShowDisplayName": True}},
    )
    assert answer["PlayerProfile"] == {"PlayerId": target.playfab_id, "TitleId": TITLE_ID, "DisplayName": name}


@pytest.mark.parametrize("asked", ["ShowCreated", "ShowLinkedAccounts", "ShowLastLogin"])
def test_a_constraint_the_title_does_not_allow_clients_is_refused(pf, asked):
    new_player()
    error = _refused(PlayFabClientAPI.GetPlayerProfile, {"ProfileConstraints": {"ShowDisplayName": True, asked: True}})
    assert error == {
        "code": 400,
        "status": "BadRequest",
        "error": "RequestViewConstraintParamsNotAllowed",
        "errorCode": 1303,
        "errorMessage": f"Invalid view constraints: the title does not allow clients to request {asked}.",
        "errorDetails": {"ProfileConstraints": [f"{asked} is not allowed for clients"]},
    }


def test_server_and_admin_see_every_field_asked_for(pf):
    custom_id = f"pp-{uuid.uuid4()}"
    player, name = _named_player(custom_id)
    sdk.session(None)
    for api in (PlayFabServerAPI, PlayFabAdminAPI):
        profile = sdk.call(api.GetPlayerProfile, {"PlayFabId": player.playfab_id, "ProfileConstraints": EVERYTHING})[
            "PlayerProfile"
        ]
        assert ISO_UTC.match(profile.pop("Created")) and ISO_UTC.match(profile.pop("LastLogin"))
        assert profile == {
            "PlayerId": player.playfab_id,
            "TitleId": TITLE_ID,
            "DisplayName": name,
            "Origination": "Custom",
            "LinkedAccounts": [{"Platform": "Custom", "PlatformUserId": custom_id}],
            "TotalValueToDateInUSD": 0,
            "AdCampaignAttributions": [],
            "ContactEmailAddresses": [],
            "ExperimentVariants": [],
            "Locations": [],
            "Memberships": [],
            "PushNotificationRegistrations": [],
            "Statistics": [],
            "Tags": [],
            "ValuesToDate": [],
        }


def test_unknown_players_and_missing_ids_are_refused(pf):
    new_player()
    error = _refused(PlayFabClientAPI.GetPlayerProfile, {"PlayFabId": "0000000000000000"})
    assert error == {
        "code": 400,
        "status": "BadRequest",
        "error": "PlayerNotInGame",
        "errorCode": 1033,
        "errorMessage": "No player with PlayFabId 0000000000000000 is in this title.",
        "errorDetails": {"PlayFabId": ["0000000000000000"]},
    }
    sdk.session(None)
    for api in (PlayFabServerAPI, PlayFabAdminAPI):
        error = _refused(api.GetPlayerProfile, {"PlayFabId": "0000000000000000"})
        assert (error["error"], error["errorCode"]) == ("PlayerNotInGame", 1033)
        error = _refused(api.GetPlayerProfile, {})
        assert error["errorDetails"] == {"PlayFabId": ["The PlayFabId field is required."]}
        error = _refused(api.GetPlayerProfile, {"PlayFabId": "x", "ProfileConstraints": {"ShowCreated": "yes"}})
        assert error["errorDetails"] == {"ProfileConstraints.ShowCreated": ["The field ShowCreated must be a boolean."]}


@pytest.fixture(scope="module")
def open_profiles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    options = "ShowDisplayName,ShowCreated,ShowLinkedAccounts"
    with running_server(tmp_path_factory.mktemp("profiles"), CLIENT_PROFILE_OPTIONS=options) as srv:
        yield srv


def test_allowed_client_options_open_fields_but_not_another_players_login_ids(open_profiles):
    sdk.point_at(open_profiles)
    custom_id = f"pp-{uuid.uuid4()}"
    target = new_player(custom_id)
    asked = {"ShowCreated": True, "ShowLinkedAccounts": True}
    own = sdk.call(PlayFabClientAPI.GetPlayerProfile, {"ProfileConstraints": asked})["PlayerProfile"]
    assert ISO_UTC.match(own.pop("Created"))
    assert own == {
        "PlayerId": target.playfab_id,
        "TitleId": TITLE_ID,
        "LinkedAccounts": [{"Platform": "Custom", "PlatformUserId": custom_id}],
    }
    new_player()
    other = sdk.call(PlayFabClientAPI.GetPlayerProfile, {"PlayFabId": target.playfab_id, "ProfileConstraints": asked})
    profile = other["PlayerProfile"]
    assert profile["LinkedAccounts"] == [{"Platform": "Custom"}]
    error = _refused(PlayFabClientAPI.GetPlayerProfile, {"ProfileConstraints": {"ShowLastLogin": True}})
    assert error["error"] == "RequestViewConstraintParamsNotAllowed"


def test_client_profile_options_must_name_constraints(tmp_path):
    env = base_env(tmp_path, CLIENT_PROFILE_OPTIONS="ShowDisplayName,ShowShoeSize")
    with pytest.raises(SettingsError, match="CLIENT_PROFILE_OPTIONS names no ProfileConstraints field: ShowShoeSize"):
        load_settings(env)
