"""Server custom ids and Server/AuthenticateSessionTicket through the official Python SDK, with the secret key."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playfab import PlayFabClientAPI, PlayFabServerAPI

from shared.auth.tokens import ENTITY_TOKEN, SESSION_TICKET, Signer
from tests.support import sdk
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError, bad_request, refused
from tests.support.server import SIGNING_KEY, TITLE_ID

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def fresh() -> str:
    return f"server-{uuid.uuid4()}"


NOT_FOUND = bad_request("AccountNotFound", 1001, "User not found.")


def server_login(value: str, create: bool = False) -> dict[str, Any]:
    try:
        return sdk.call(PlayFabServerAPI.LoginWithServerCustomId, {"ServerCustomId": value, "CreateAccount": create})
    except PlayFabCallError as err:
        error: dict[str, Any] = err.error
        return error


def test_login_with_server_custom_id_creates_then_finds_the_player(pf):
    value = fresh()
    assert server_login(value) == NOT_FOUND
    first = server_login(value, create=True)
    assert set(first) == {"PlayFabId", "SessionTicket", "NewlyCreated", "EntityToken"}
    assert first["NewlyCreated"] is True and first["SessionTicket"].startswith(first["PlayFabId"] + "-")
    assert first["EntityToken"]["Entity"]["Type"] == "title_player_account"
    again = server_login(value, create=True)
    assert again["NewlyCreated"] is False and again["PlayFabId"] == first["PlayFabId"]
    assert ISO_UTC.match(again["LastLoginTime"])
    # The ticket it hands out is a player's ticket like any other.
    sdk.session(first["SessionTicket"])
    assert sdk.call(PlayFabClientAPI.GetUserData, {})["DataVersion"] == 0


def test_server_custom_ids_and_client_custom_ids_are_separate(pf):
    value = fresh()
    client = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": value, "CreateAccount": True})
    assert server_login(value) == NOT_FOUND
    assert server_login(value, create=True)["PlayFabId"] != client["PlayFabId"]


def test_server_login_info_request_parameters_bring_a_payload(pf):
    data = sdk.call(
        PlayFabServerAPI.LoginWithServerCustomId,
        {"ServerCustomId": fresh(), "CreateAccount": True, "InfoRequestParameters": {"GetUserData": True}},
    )
    assert isinstance(data["InfoResultPayload"], dict)


def test_link_and_unlink_server_custom_id(pf):
    player, value = new_player(), fresh()
    link = {"PlayFabId": player.playfab_id, "ServerCustomId": value}
    assert sdk.call(PlayFabServerAPI.LinkServerCustomId, link) == {}
    assert sdk.call(PlayFabServerAPI.LinkServerCustomId, link) == {}  # again: nothing changes
    assert server_login(value)["PlayFabId"] == player.playfab_id
    listed = sdk.call(PlayFabServerAPI.GetServerCustomIDsFromPlayFabIDs, {"PlayFabIDs": [player.playfab_id]})
    assert listed == {"Data": [{"PlayFabId": player.playfab_id, "ServerCustomId": value}]}

    other = fresh()
    assert refused(PlayFabServerAPI.UnlinkServerCustomId, {**link, "ServerCustomId": other}) == bad_request(
        "AccountNotLinked", 1014, "This server custom ID is not linked to this player.", {"ServerCustomId": [other]}
    )
    assert sdk.call(PlayFabServerAPI.UnlinkServerCustomId, link) == {}
    assert server_login(value) == NOT_FOUND
    assert refused(PlayFabServerAPI.UnlinkServerCustomId, link) == bad_request(
        "AccountNotLinked", 1014, "This server custom ID is not linked to this player.", {"ServerCustomId": [value]}
    )
    listed = sdk.call(PlayFabServerAPI.GetServerCustomIDsFromPlayFabIDs, {"PlayFabIDs": [player.playfab_id]})
    assert listed == {"Data": [{"PlayFabId": player.playfab_id}]}


def test_link_server_custom_id_errors_and_force_link(pf):
    value = fresh()
    holder = server_login(value, create=True)
    player = new_player()
    link = {"PlayFabId": player.playfab_id, "ServerCustomId": value}
    assert refused(PlayFabServerAPI.LinkServerCustomId, link) == bad_request(
        "LinkedIdentifierAlreadyClaimed",
        1184,
        "This server custom ID is already linked to another player.",
        {"ServerCustomId": [value]},
    )
    unknown = "0123456789ABCDEF"
    assert refused(PlayFabServerAPI.LinkServerCustomId, {**link, "PlayFabId": unknown}) == bad_request(
        "AccountNotFound", 1001, f"No player with PlayFabId {unknown}."
    )
    assert sdk.call(PlayFabServerAPI.LinkServerCustomId, {**link, "ForceLink": True}) == {}
    assert server_login(value)["PlayFabId"] == player.playfab_id
    listed = sdk.call(
        PlayFabServerAPI.GetServerCustomIDsFromPlayFabIDs, {"PlayFabIDs": [holder["PlayFabId"], player.playfab_id]}
    )
    assert listed == {
        "Data": [{"PlayFabId": holder["PlayFabId"]}, {"PlayFabId": player.playfab_id, "ServerCustomId": value}]
    }
    second = {**link, "ServerCustomId": fresh()}
    assert refused(PlayFabServerAPI.LinkServerCustomId, second) == bad_request(
        "AccountAlreadyLinked",
        1011,
        "This player already has a server custom ID linked; unlink it first.",
        {"ServerCustomId": ["the player already has another server custom ID"]},
    )


def test_get_server_custom_ids_keeps_the_order_asked_and_is_bounded(pf):
    linked, plain = server_login(fresh(), create=True), new_player()
    unknown = "FEDCBA9876543210"
    asked = [plain.playfab_id, unknown, linked["PlayFabId"], plain.playfab_id]
    data = sdk.call(PlayFabServerAPI.GetServerCustomIDsFromPlayFabIDs, {"PlayFabIDs": asked})["Data"]
    assert [entry["PlayFabId"] for entry in data] == asked
    assert [set(entry) for entry in data] == [
        {"PlayFabId"},
        {"PlayFabId"},
        {"PlayFabId", "ServerCustomId"},
        {"PlayFabId"},
    ]
    assert sdk.call(PlayFabServerAPI.GetServerCustomIDsFromPlayFabIDs, {"PlayFabIDs": []}) == {"Data": []}
    assert refused(PlayFabServerAPI.GetServerCustomIDsFromPlayFabIDs, {"PlayFabIDs": [unknown] * 26}) == bad_request(
        "InvalidParams",
        1000,
        "Invalid input parameters",
        {"PlayFabIDs": ["The field PlayFabIDs must be a string or array type with a maximum length of '25'."]},
    )


def _ticket(playfab_id: str, entity_id: str, ttl: int, title: str = TITLE_ID, key: str = SIGNING_KEY) -> str:
    token, _ = Signer((key,), title).issue(SESSION_TICKET, {"p": playfab_id, "e": entity_id}, ttl)
    return token


def test_authenticate_session_ticket_answers_the_player(pf):
    player = new_player()
    data = sdk.call(PlayFabServerAPI.AuthenticateSessionTicket, {"SessionTicket": player.ticket})
    assert set(data) == {"IsSessionTicketExpired", "UserInfo"}
    assert data["IsSessionTicketExpired"] is False
    assert data["UserInfo"]["PlayFabId"] == player.playfab_id
    assert ISO_UTC.match(data["UserInfo"]["Created"])


def test_an_expired_ticket_is_reported_expired_with_its_player(pf):
    player = new_player()
    data = sdk.call(
        PlayFabServerAPI.AuthenticateSessionTicket, {"SessionTicket": _ticket(player.playfab_id, player.entity_id, -60)}
    )
    assert data["IsSessionTicketExpired"] is True
    assert data["UserInfo"]["PlayFabId"] == player.playfab_id


def _forgeries(player: Any) -> list[str]:
    signed, _, mac = player.ticket.partition(".")
    entity_token, _ = Signer((SIGNING_KEY,), TITLE_ID).issue(
        ENTITY_TOKEN, {"t": "title_player_account", "i": player.entity_id, "p": player.playfab_id}, 3600
    )
    return [
        f"{signed}.{mac[::-1]}",  # a changed signature
        player.ticket[:-2],  # cut short
        "not a ticket",
        _ticket(player.playfab_id, player.entity_id, 3600, key="another-signing-key-0123456789abcdef"),
        _ticket(player.playfab_id, player.entity_id, 3600, title="ANOTHERTITLE"),
        _ticket("0123456789ABCDEF", player.entity_id, 3600),  # a player this store does not hold
        _ticket(player.playfab_id, "0123456789ABCDEF", 3600),  # the player with someone else's entity
        entity_token,  # an entity token is not a session ticket
    ]


def test_a_forged_or_foreign_ticket_is_invalid_session_ticket(pf):
    player = new_player()
    for ticket in _forgeries(player):
        assert refused(PlayFabServerAPI.AuthenticateSessionTicket, {"SessionTicket": ticket}) == bad_request(
            "InvalidSessionTicket",
            1100,
            "The session ticket is not valid.",
            {"SessionTicket": ["not a session ticket of this title"]},
        ), ticket


def test_authenticate_session_ticket_needs_the_secret_key(server):
    player_ticket = _ticket("0123456789ABCDEF", "0123456789ABCDEF", 60)
    resp = server.post("/Server/AuthenticateSessionTicket", {"SessionTicket": player_ticket})
    assert resp.status_code == 401
    assert resp.json() == {
        "code": 401,
        "status": "Unauthorized",
        "error": "NotAuthenticated",
        "errorCode": 1074,
        "errorMessage": "This API method requires the title secret key in X-SecretKey.",
    }
