"""RegisterPlayFabUser, LoginWithEmailAddress, LoginWithPlayFab and AddUsernamePassword through the official
Python SDK, on both stores: success and each error, field by field."""

from __future__ import annotations

import re
import uuid
from typing import Any

import playfab.PlayFabSettings as settings
import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.players import new_player
from tests.support.sdk import bad_request, refused

PASSWORD = "s3cret-Pass"


def fresh() -> tuple[str, str]:
    """A new username (20 characters at most) and email."""
    tag = uuid.uuid4().hex[:14]
    return f"u_{tag}", f"Player.{tag}@Example.com"


def register(**fields: Any) -> dict[str, Any]:
    username, email = fresh()
    body = {"Username": username, "Email": email, "Password": PASSWORD, **fields}
    return sdk.call(PlayFabClientAPI.RegisterPlayFabUser, {k: v for k, v in body.items() if v is not None})


def test_register_then_log_in_by_email_and_by_username(pf):
    username, email = fresh()
    reg = sdk.call(PlayFabClientAPI.RegisterPlayFabUser, {"Username": username, "Email": email, "Password": PASSWORD})
    assert set(reg) == {"PlayFabId", "SessionTicket", "EntityToken", "Username"}
    assert re.fullmatch(r"[0-9A-F]{16}", reg["PlayFabId"])
    assert reg["SessionTicket"].startswith(reg["PlayFabId"] + "-")
    assert reg["Username"] == username
    assert reg["EntityToken"]["Entity"]["Type"] == "title_player_account"
    assert settings._internalSettings.ClientSessionTicket == reg["SessionTicket"]
    # The ticket works: the new player reads its own (empty) data.
    assert sdk.call(PlayFabClientAPI.GetUserData, {})["Data"] == {}

    by_email = sdk.call(PlayFabClientAPI.LoginWithEmailAddress, {"Email": email.upper(), "Password": PASSWORD})
    assert by_email["PlayFabId"] == reg["PlayFabId"]
    assert by_email["NewlyCreated"] is False
    assert by_email["EntityToken"]["Entity"] == reg["EntityToken"]["Entity"]
    assert "LastLoginTime" in by_email
    by_name = sdk.call(PlayFabClientAPI.LoginWithPlayFab, {"Username": username.upper(), "Password": PASSWORD})
    assert by_name["PlayFabId"] == reg["PlayFabId"] and by_name["NewlyCreated"] is False


def test_register_with_only_an_email_when_both_are_not_required(pf):
    _, email = fresh()
    reg = sdk.call(
        PlayFabClientAPI.RegisterPlayFabUser,
        {"Email": email, "Password": PASSWORD, "RequireBothUsernameAndEmail": False},
    )
    assert set(reg) == {"PlayFabId", "SessionTicket", "EntityToken"}
    login = sdk.call(PlayFabClientAPI.LoginWithEmailAddress, {"Email": email, "Password": PASSWORD})
    assert login["PlayFabId"] == reg["PlayFabId"]


def test_playfabs_own_invalid_registration_names_each_field(pf):
    # PlayFab's SDK test suites send exactly this and look for these messages in errorDetails.
    error = refused(PlayFabClientAPI.RegisterPlayFabUser, {"Username": "x", "Email": "x", "Password": "x"})
    assert error == bad_request(
        "InvalidParams",
        1000,
        "Invalid input parameters",
        {
            "Username": ["Username must be between 3 and 20 characters."],
            "Email": ["Email address is not valid."],
            "Password": ["Password must be between 6 and 100 characters."],
        },
    )


@pytest.mark.parametrize(
    ("fields", "details"),
    [
        ({"Username": None}, {"Username": ["The Username field is required."]}),
        ({"Email": None}, {"Email": ["The Email field is required."]}),
        ({"Password": None}, {"Password": ["The Password field is required."]}),
        (
            {"Username": None, "Email": None, "RequireBothUsernameAndEmail": False},
            {"Username": ["A Username or an Email is required."], "Email": ["A Username or an Email is required."]},
        ),
        ({"Username": "u" * 21}, {"Username": ["Username must be between 3 and 20 characters."]}),
        (
            {"Username": "has space"},
            {"Username": ["Username may hold only letters A-Z and a-z, digits, '_', '-' and '.'."]},
        ),
        ({"Email": "a@b"}, {"Email": ["Email address is not valid."]}),
        ({"Email": "a b@example.com"}, {"Email": ["Email address is not valid."]}),
        ({"Email": "x" * 250 + "@e.com"}, {"Email": ["Email address is not valid."]}),
        ({"Password": "p" * 101}, {"Password": ["Password must be between 6 and 100 characters."]}),
        ({"Password": "12345"}, {"Password": ["Password must be between 6 and 100 characters."]}),
    ],
)
def test_each_bad_field_is_named(pf, fields, details):
    username, email = fresh()
    body = {"Username": username, "Email": email, "Password": PASSWORD, **fields}
    error = refused(PlayFabClientAPI.RegisterPlayFabUser, {k: v for k, v in body.items() if v is not None})
    assert error == bad_request("InvalidParams", 1000, "Invalid input parameters", details)


def test_boundary_lengths_are_accepted(pf):
    tag = uuid.uuid4().hex
    reg = register(Username=f"u{tag[:19]}", Password="p" * 100)
    assert reg["Username"] == f"u{tag[:19]}"
    assert register(Username=tag[:3], Password="p" * 6)["Username"] == tag[:3]


def test_a_taken_email_or_username_is_not_available_whatever_its_case(pf):
    username, email = fresh()
    first = register(Username=username, Email=email)
    other_name, other_email = fresh()
    error = refused(
        PlayFabClientAPI.RegisterPlayFabUser, {"Username": other_name, "Email": email.lower(), "Password": PASSWORD}
    )
    assert error == bad_request(
        "EmailAddressNotAvailable", 1006, "Email address not available.", {"Email": ["Email address not available."]}
    )
    error = refused(
        PlayFabClientAPI.RegisterPlayFabUser, {"Username": username.upper(), "Email": other_email, "Password": PASSWORD}
    )
    assert error == bad_request(
        "UsernameNotAvailable", 1009, "Username not available.", {"Username": ["Username not available."]}
    )
    # The refused registrations left nothing behind: their other identity is free.
    again = register(Username=other_name, Email=other_email)
    assert again["PlayFabId"] != first["PlayFabId"]


def test_a_wrong_password_says_so_and_unknown_accounts_are_not_found(pf):
    username, email = fresh()
    register(Username=username, Email=email)
    error = refused(PlayFabClientAPI.LoginWithEmailAddress, {"Email": email, "Password": "INVALID"})
    # PlayFab's SDK test suites check that the message is about the password.
    assert error == bad_request("InvalidEmailOrPassword", 1142, "Invalid email address or password.")
    error = refused(PlayFabClientAPI.LoginWithPlayFab, {"Username": username, "Password": "INVALID"})
    assert error == bad_request("InvalidUsernameOrPassword", 1003, "Invalid username or password.")
    nobody = f"nobody-{uuid.uuid4().hex[:8]}"
    error = refused(PlayFabClientAPI.LoginWithEmailAddress, {"Email": f"{nobody}@example.com", "Password": PASSWORD})
    assert error == bad_request("AccountNotFound", 1001, "User not found.")
    error = refused(PlayFabClientAPI.LoginWithPlayFab, {"Username": nobody, "Password": PASSWORD})
    assert error == bad_request("AccountNotFound", 1001, "User not found.")
    # Values no registration accepts (too long for any store's key, or malformed) name nobody either.
    for odd in ("e" * 30_000 + "@example.com", "not an email"):
        error = refused(PlayFabClientAPI.LoginWithEmailAddress, {"Email": odd, "Password": PASSWORD})
        assert error == bad_request("AccountNotFound", 1001, "User not found.")
    error = refused(PlayFabClientAPI.LoginWithPlayFab, {"Username": "u" * 30_000, "Password": PASSWORD})
    assert error == bad_request("AccountNotFound", 1001, "User not found.")


@pytest.mark.parametrize(
    ("api", "body", "field"),
    [
        (PlayFabClientAPI.LoginWithEmailAddress, {"Password": PASSWORD}, "Email"),
        (PlayFabClientAPI.LoginWithEmailAddress, {"Email": "a@example.com"}, "Password"),
        (PlayFabClientAPI.LoginWithEmailAddress, {"Email": "", "Password": PASSWORD}, "Email"),
        (PlayFabClientAPI.LoginWithPlayFab, {"Password": PASSWORD}, "Username"),
        (PlayFabClientAPI.LoginWithPlayFab, {"Username": "someone"}, "Password"),
    ],
)
def test_password_logins_require_their_fields(pf, api, body, field):
    error = refused(api, body)
    assert error == bad_request(
        "InvalidParams", 1000, "Invalid input parameters", {field: [f"The {field} field is required."]}
    )


def test_password_logins_check_the_title(pf):
    settings.TitleId = "SOMEOTHERTITLE"
    error = refused(PlayFabClientAPI.LoginWithEmailAddress, {"Email": "a@example.com", "Password": PASSWORD})
    assert (error["error"], error["errorCode"], error["errorDetails"]) == (
        "InvalidTitleId",
        1004,
        {"TitleId": ["unknown title"]},
    )
    error = refused(PlayFabClientAPI.RegisterPlayFabUser, {"Username": "abc", "Email": "a@e.com", "Password": PASSWORD})
    assert (error["error"], error["errorCode"]) == ("InvalidTitleId", 1004)


def test_a_custom_id_player_adds_a_username_and_password(pf):
    player = new_player()
    username, email = fresh()
    added = sdk.call(PlayFabClientAPI.AddUsernamePassword, {"Username": username, "Email": email, "Password": PASSWORD})
    assert added == {"Username": username}
    by_name = sdk.call(PlayFabClientAPI.LoginWithPlayFab, {"Username": username, "Password": PASSWORD})
    assert by_name["PlayFabId"] == player.playfab_id and by_name["NewlyCreated"] is False
    by_email = sdk.call(PlayFabClientAPI.LoginWithEmailAddress, {"Email": email, "Password": PASSWORD})
    assert by_email["PlayFabId"] == player.playfab_id
    # A second time is refused, and changes nothing.
    other_name, other_email = fresh()
    error = refused(
        PlayFabClientAPI.AddUsernamePassword, {"Username": other_name, "Email": other_email, "Password": "another-one"}
    )
    assert error == bad_request(
        "AccountAlreadyLinked", 1011, "This account already has a username, email and password."
    )
    assert sdk.call(PlayFabClientAPI.LoginWithPlayFab, {"Username": username, "Password": PASSWORD})
    assert (
        refused(PlayFabClientAPI.LoginWithPlayFab, {"Username": other_name, "Password": "another-one"})["error"]
        == "AccountNotFound"
    )


def test_add_username_password_refuses_taken_identities_and_bad_fields(pf):
    username, email = fresh()
    register(Username=username, Email=email)
    new_player()
    mine_name, mine_email = fresh()
    error = refused(PlayFabClientAPI.AddUsernamePassword, {"Username": mine_name, "Email": email, "Password": PASSWORD})
    assert error == bad_request(
        "EmailAddressNotAvailable", 1006, "Email address not available.", {"Email": ["Email address not available."]}
    )
    error = refused(
        PlayFabClientAPI.AddUsernamePassword, {"Username": username, "Email": mine_email, "Password": PASSWORD}
    )
    assert error == bad_request(
        "UsernameNotAvailable", 1009, "Username not available.", {"Username": ["Username not available."]}
    )
    error = refused(PlayFabClientAPI.AddUsernamePassword, {"Username": "x", "Email": "x", "Password": "x"})
    assert error["error"] == "InvalidParams" and set(error["errorDetails"]) == {"Username", "Email", "Password"}
    error = refused(PlayFabClientAPI.AddUsernamePassword, {"Username": mine_name, "Email": mine_email})
    assert error["errorDetails"] == {"Password": ["The Password field is required."]}
    # None of the refusals claimed anything: the player can still take its own.
    added = sdk.call(
        PlayFabClientAPI.AddUsernamePassword, {"Username": mine_name, "Email": mine_email, "Password": PASSWORD}
    )
    assert added == {"Username": mine_name}


def test_a_taken_display_name_refuses_the_registration_and_leaves_nothing(pf):
    name = f"Hero {uuid.uuid4().hex[:8]}"
    register(DisplayName=name)
    username, email = fresh()
    error = refused(
        PlayFabClientAPI.RegisterPlayFabUser,
        {"Username": username, "Email": email, "Password": PASSWORD, "DisplayName": name.upper()},
    )
    assert (error["error"], error["errorCode"]) == ("NameNotAvailable", 1058)
    # The refused registration's username and email are free again.
    assert register(Username=username, Email=email)["Username"] == username
