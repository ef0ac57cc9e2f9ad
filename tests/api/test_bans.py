"""Bans through the official Python SDK (Admin and Server APIs), and what a banned player gets."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playfab import PlayFabAdminAPI, PlayFabAuthenticationAPI, PlayFabClientAPI, PlayFabServerAPI

from tests.support import sdk
from tests.support.host_clock import HostClock
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import SECRET_KEY, TITLE_ID, Server, base_env, running_server

APIS = {"Admin": PlayFabAdminAPI, "Server": PlayFabServerAPI}
BAN_ID = re.compile(r"^[0-9A-F]{16}[0-9A-F]{16}$")
BANNED = "The account making this request is currently banned"


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _near(text: str, expected: datetime) -> bool:
    return abs(_time(text) - expected) < timedelta(minutes=2)


def _refused(api: Any, request: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(api, request)
    error: dict[str, Any] = err.value.error
    return error


def _banned_envelope(details: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "code": 403,
        "status": "Forbidden",
        "error": "AccountBanned",
        "errorCode": 1002,
        "errorMessage": BANNED,
        "errorDetails": details,
    }


def _login(custom_id: str) -> dict[str, Any]:
    return sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id, "CreateAccount": True})


@pytest.mark.parametrize("api", sorted(APIS))
def test_ban_users_answers_ban_info_and_get_user_bans_lists_every_ban(pf, api):
    player = new_player()
    now = datetime.now(UTC)
    data = sdk.call(
        APIS[api].BanUsers,
        {
            "Bans": [
                {"PlayFabId": player.playfab_id, "DurationInHours": 5, "Reason": "spam", "IPAddress": "10.1.2.3"},
                {"PlayFabId": player.playfab_id, "Reason": "cheating", "MACAddress": "00:11:22:33:44:55"},
            ]
        },
    )
    timed, permanent = data["BanData"]
    assert set(timed) == {"Active", "BanId", "Created", "Expires", "IPAddress", "PlayFabId", "Reason"}
    assert timed["Active"] is True and BAN_ID.match(timed["BanId"])
    assert timed["PlayFabId"] == player.playfab_id and timed["Reason"] == "spam"
    assert timed["IPAddress"] == "10.1.2.3"
    assert _near(timed["Created"], now) and _time(timed["Expires"]) - _time(timed["Created"]) == timedelta(hours=5)
    # A permanent ban has no Expires at all.
    assert set(permanent) == {"Active", "BanId", "Created", "MACAddress", "PlayFabId", "Reason"}
    assert permanent["MACAddress"] == "00:11:22:33:44:55" and permanent["BanId"] != timed["BanId"]
    listed = sdk.call(APIS[api].GetUserBans, {"PlayFabId": player.playfab_id})
    assert listed == {"BanData": [timed, permanent]}


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_banned_player_cannot_log_in_and_its_earlier_credentials_are_refused(pf, api):
    custom_id = f"banned-{uuid.uuid4()}"
    player = _login(custom_id)
    ticket, token = player["SessionTicket"], player["EntityToken"]["EntityToken"]
    grant = {"PlayFabId": player["PlayFabId"], "CharacterName": "Hero", "CharacterType": "Knight"}
    character_id = sdk.call(PlayFabServerAPI.GrantCharacterToUser, grant)["CharacterId"]
    sdk.session(ticket, token)
    character = {"Entity": {"Id": character_id, "Type": "character"}}
    character_token = sdk.call(PlayFabAuthenticationAPI.GetEntityToken, character)["EntityToken"]
    assert sdk.call(PlayFabClientAPI.GetUserData, {})["Data"] == {}

    ban = sdk.call(
        APIS[api].BanUsers, {"Bans": [{"PlayFabId": player["PlayFabId"], "DurationInHours": 2, "Reason": "spam"}]}
    )
    expires = ban["BanData"][0]["Expires"]
    assert _refused(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id}) == _banned_envelope(
        {"spam": [expires]}
    )
    sdk.session(ticket, token)
    assert _refused(PlayFabClientAPI.GetUserData, {}) == _banned_envelope({"spam": [expires]})
    sdk.session(None, token)
    assert _refused(PlayFabAuthenticationAPI.GetEntityToken, {}) == _banned_envelope({"spam": [expires]})
    sdk.session(None, character_token)
    assert _refused(PlayFabAuthenticationAPI.GetEntityToken, {}) == _banned_envelope({"spam": [expires]})

    # A permanent ban on top: the same reason keeps the later end, "Indefinite".
    sdk.call(APIS[api].BanUsers, {"Bans": [{"PlayFabId": player["PlayFabId"], "Reason": "spam"}]})
    sdk.call(APIS[api].BanUsers, {"Bans": [{"PlayFabId": player["PlayFabId"]}]})
    refused = _refused(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id})
    assert refused == _banned_envelope({"spam": ["Indefinite"], "No reason given": ["Indefinite"]})

    # Revoked, the player is back: its old ticket too, and a login works.
    revoked = sdk.call(APIS[api].RevokeAllBansForUser, {"PlayFabId": player["PlayFabId"]})
    assert [b["Active"] for b in revoked["BanData"]] == [False, False, False]
    assert _login(custom_id)["PlayFabId"] == player["PlayFabId"]
    sdk.session(ticket, token)
    assert sdk.call(PlayFabClientAPI.GetUserData, {})["Data"] == {}


@pytest.mark.parametrize("api", sorted(APIS))
def test_update_bans_changes_only_what_is_set_and_skips_unknown_ids(pf, api):
    player = new_player()
    ban = sdk.call(
        APIS[api].BanUsers, {"Bans": [{"PlayFabId": player.playfab_id, "DurationInHours": 1, "Reason": "a"}]}
    )
    original = ban["BanData"][0]
    later = datetime.now(UTC) + timedelta(days=3)
    unknown = ["0" * 16 + player.playfab_id, "not-a-ban-id", "F" * 16 + "NOBODY"]
    changes = [
        {"BanId": original["BanId"], "Reason": "b", "Expires": later.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"},
        *({"BanId": ban_id, "Reason": "x"} for ban_id in unknown),
    ]
    updated = sdk.call(APIS[api].UpdateBans, {"Bans": changes})["BanData"]
    assert updated == [{**original, "Reason": "b", "Expires": later.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}]

    permanent = sdk.call(APIS[api].UpdateBans, {"Bans": [{"BanId": original["BanId"], "Permanent": True}]})["BanData"]
    assert permanent == [{k: v for k, v in updated[0].items() if k != "Expires"}]
    inactive = sdk.call(APIS[api].UpdateBans, {"Bans": [{"BanId": original["BanId"], "Active": False}]})["BanData"]
    assert inactive == [{**permanent[0], "Active": False}]
    assert sdk.call(APIS[api].GetUserBans, {"PlayFabId": player.playfab_id}) == {"BanData": inactive}


@pytest.mark.parametrize("api", sorted(APIS))
def test_revoke_bans_deactivates_the_named_bans_even_expired_and_skips_the_rest(pf, api):
    player = new_player()
    bans = sdk.call(
        APIS[api].BanUsers,
        {"Bans": [{"PlayFabId": player.playfab_id, "Reason": "a"}, {"PlayFabId": player.playfab_id, "Reason": "b"}]},
    )["BanData"]
    revoked = sdk.call(APIS[api].RevokeBans, {"BanIds": [bans[1]["BanId"], "0" * 16 + player.playfab_id]})
    assert revoked == {"BanData": [{**bans[1], "Active": False}]}
    listed = sdk.call(APIS[api].GetUserBans, {"PlayFabId": player.playfab_id})["BanData"]
    assert listed == [bans[0], {**bans[1], "Active": False}]
    # A ban that expired already is revoked too when named, but RevokeAllBansForUser leaves it be.
    expired = sdk.call(APIS[api].BanUsers, {"Bans": [{"PlayFabId": player.playfab_id, "DurationInHours": 0}]})
    assert sdk.call(APIS[api].RevokeAllBansForUser, {"PlayFabId": player.playfab_id}) == {
        "BanData": [{**bans[0], "Active": False}]
    }
    again = sdk.call(APIS[api].RevokeBans, {"BanIds": [expired["BanData"][0]["BanId"]]})
    assert again == {"BanData": [{**expired["BanData"][0], "Active": False}]}


@pytest.mark.parametrize("api", sorted(APIS))
def test_ban_calls_for_an_unknown_player_are_account_not_found(pf, api):
    nobody = "0123456789ABCDEF"
    expected = {
        "code": 400,
        "status": "BadRequest",
        "error": "AccountNotFound",
        "errorCode": 1001,
        "errorMessage": "User not found.",
        "errorDetails": {"PlayFabId": [f"no player {nobody}"]},
    }
    player = new_player()
    both = {"Bans": [{"PlayFabId": player.playfab_id}, {"PlayFabId": nobody}]}
    assert _refused(APIS[api].BanUsers, both) == expected
    assert sdk.call(APIS[api].GetUserBans, {"PlayFabId": player.playfab_id}) == {"BanData": []}  # all or none
    assert _refused(APIS[api].GetUserBans, {"PlayFabId": nobody}) == expected
    assert _refused(APIS[api].RevokeAllBansForUser, {"PlayFabId": nobody}) == expected


@pytest.mark.parametrize(
    ("method", "request_body", "details"),
    [
        ("BanUsers", {}, {"Bans": ["The Bans field is required."]}),
        ("BanUsers", {"Bans": []}, None),
        ("BanUsers", {"Bans": [{"PlayFabId": "A"}] * 101}, None),
        ("BanUsers", {"Bans": [{"PlayFabId": "A", "Reason": "r" * 141}]}, None),
        ("BanUsers", {"Bans": [{"PlayFabId": "A", "DurationInHours": -1}]}, None),
        ("BanUsers", {"Bans": [{"Reason": "r"}]}, {"Bans.0.PlayFabId": ["The PlayFabId field is required."]}),
        ("UpdateBans", {"Bans": [{"BanId": "x", "Expires": "next week"}]}, None),
        ("UpdateBans", {"Bans": [{"Reason": "r"}]}, {"Bans.0.BanId": ["The BanId field is required."]}),
        ("RevokeBans", {"BanIds": ["x"] * 101}, None),
        ("GetUserBans", {}, {"PlayFabId": ["The PlayFabId field is required."]}),
        ("RevokeAllBansForUser", {}, {"PlayFabId": ["The PlayFabId field is required."]}),
    ],
)
def test_bad_ban_requests_are_invalid_params(pf, method, request_body, details):
    for api in APIS.values():
        error = _refused(getattr(api, method), request_body)
        assert (error["code"], error["error"], error["errorCode"]) == (400, "InvalidParams", 1000), error
        assert error["errorMessage"] == "Invalid input parameters"
        if details is not None:
            assert error["errorDetails"] == details
        else:
            assert list(error["errorDetails"]) and all(
                m.startswith("The ") for ms in error["errorDetails"].values() for m in ms
            ), error


def test_a_player_keeps_a_bounded_number_of_bans(pf):
    player = new_player()
    spent = [{"PlayFabId": player.playfab_id, "DurationInHours": 0, "Reason": f"old {n}"} for n in range(100)]
    first = sdk.call(PlayFabAdminAPI.BanUsers, {"Bans": spent})["BanData"]
    held = [{"PlayFabId": player.playfab_id, "Reason": f"new {n}"} for n in range(100)]
    sdk.call(PlayFabAdminAPI.BanUsers, {"Bans": held})  # expired bans make room, oldest first
    listed = sdk.call(PlayFabAdminAPI.GetUserBans, {"PlayFabId": player.playfab_id})["BanData"]
    assert [b["Reason"] for b in listed] == [f"new {n}" for n in range(100)]
    assert not {b["BanId"] for b in first} & {b["BanId"] for b in listed}
    error = _refused(PlayFabAdminAPI.BanUsers, {"Bans": [{"PlayFabId": player.playfab_id}]})
    assert (error["code"], error["error"], error["errorCode"]) == (400, "OverLimit", 1214)
    assert error["errorDetails"] == {"Bans": ["more than 100 bans would hold"]}
    assert len(sdk.call(PlayFabAdminAPI.GetUserBans, {"PlayFabId": player.playfab_id})["BanData"]) == 100


def _post(srv: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = httpx.post(srv.url + path, json=body, headers=headers, timeout=30).json()
    return result


def _raw_login(srv: Server, custom_id: str) -> dict[str, Any]:
    return _post(
        srv, "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}, {}
    )


def test_an_expired_ban_no_longer_blocks(tmp_path: Path):
    clock = HostClock(tmp_path)
    with running_server(tmp_path / "data", **clock.env()) as srv:
        custom_id = f"timed-{uuid.uuid4()}"
        player = _raw_login(srv, custom_id)["data"]
        secret = {"X-SecretKey": SECRET_KEY}
        ban = {"Bans": [{"PlayFabId": player["PlayFabId"], "DurationInHours": 1, "Reason": "cooldown"}]}
        assert _post(srv, "/Admin/BanUsers", ban, secret)["code"] == 200
        ticket = {"X-Authorization": player["SessionTicket"]}
        assert _post(srv, "/Client/GetUserData", {}, ticket)["error"] == "AccountBanned"
        assert _raw_login(srv, custom_id)["error"] == "AccountBanned"
        clock.advance(3600 - 120)  # still within the hour (unless the calls above took two minutes)
        assert _post(srv, "/Client/GetUserData", {}, ticket)["error"] == "AccountBanned"
        clock.advance(121)
        assert _post(srv, "/Client/GetUserData", {}, ticket)["code"] == 200
        assert _raw_login(srv, custom_id)["data"]["PlayFabId"] == player["PlayFabId"]
        # Expired, it is still listed, still marked active, as PlayFab keeps it.
        listed = _post(srv, "/Admin/GetUserBans", {"PlayFabId": player["PlayFabId"]}, secret)["data"]["BanData"]
        assert [(b["Reason"], b["Active"]) for b in listed] == [("cooldown", True)]


def test_a_ban_made_on_another_instance_is_seen_within_the_status_lifetime(tmp_path: Path):
    """Three hosts on one store: one that rereads the player on every call refuses at once, one that
    keeps what it read for an hour still serves the banned player's ticket (the documented window),
    though not its login, which reads the account."""
    fresh = base_env(tmp_path, PLAYER_STATUS_CACHE_SECONDS="0")
    lasting = base_env(tmp_path, PLAYER_STATUS_CACHE_SECONDS="3600")
    with (
        running_server(tmp_path) as a,
        running_server(tmp_path, env=fresh) as b,
        running_server(tmp_path, env=lasting) as c,
    ):
        custom_id = f"shared-{uuid.uuid4()}"
        player = _raw_login(a, custom_id)["data"]
        ticket = {"X-Authorization": player["SessionTicket"]}
        for host in (b, c):
            assert _post(host, "/Client/GetUserData", {}, ticket)["code"] == 200
        ban = {"Bans": [{"PlayFabId": player["PlayFabId"], "Reason": "r"}]}
        assert _post(a, "/Admin/BanUsers", ban, {"X-SecretKey": SECRET_KEY})["code"] == 200
        assert _post(a, "/Client/GetUserData", {}, ticket)["error"] == "AccountBanned"
        assert _post(b, "/Client/GetUserData", {}, ticket)["error"] == "AccountBanned"
        assert _post(c, "/Client/GetUserData", {}, ticket)["code"] == 200
        assert _raw_login(c, custom_id)["error"] == "AccountBanned"


def test_ban_ends_past_what_a_date_can_say_are_kept_at_its_bounds(pf):
    player = new_player()
    longest = {"PlayFabId": player.playfab_id, "DurationInHours": 2**32 - 1}
    ban = sdk.call(PlayFabAdminAPI.BanUsers, {"Bans": [longest]})["BanData"][0]
    assert ban["Expires"] == "9999-12-31T23:59:59.000Z"
    for sent, kept in (
        ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59.000Z"),
        ("0001-01-01T00:00:00+05:00", "1970-01-01T00:00:00.000Z"),
        ("2030-06-01T12:00:00", "2030-06-01T12:00:00.000Z"),  # no offset: UTC
    ):
        update = {"Bans": [{"BanId": ban["BanId"], "Expires": sent}]}
        assert sdk.call(PlayFabAdminAPI.UpdateBans, update)["BanData"][0]["Expires"] == kept
