"""Client/Link* and Client/Unlink* of custom ids and device ids, through the official Python SDK."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.sdk import PlayFabCallError, bad_request, refused
from tests.support.server import Server


@dataclass(frozen=True)
class Kind:
    login: Callable[..., None]
    link: Callable[..., None]
    unlink: Callable[..., None]
    field: str
    label: str
    claimed: tuple[str, int]  # PlayFab's error when another player holds the id
    login_path: str
    link_path: str


KINDS = {
    "custom": Kind(
        PlayFabClientAPI.LoginWithCustomID,
        PlayFabClientAPI.LinkCustomID,
        PlayFabClientAPI.UnlinkCustomID,
        "CustomId",
        "custom ID",
        ("LinkedIdentifierAlreadyClaimed", 1184),
        "/Client/LoginWithCustomID",
        "/Client/LinkCustomID",
    ),
    "android": Kind(
        PlayFabClientAPI.LoginWithAndroidDeviceID,
        PlayFabClientAPI.LinkAndroidDeviceID,
        PlayFabClientAPI.UnlinkAndroidDeviceID,
        "AndroidDeviceId",
        "Android device ID",
        ("LinkedDeviceAlreadyClaimed", 1118),
        "/Client/LoginWithAndroidDeviceID",
        "/Client/LinkAndroidDeviceID",
    ),
    "ios": Kind(
        PlayFabClientAPI.LoginWithIOSDeviceID,
        PlayFabClientAPI.LinkIOSDeviceID,
        PlayFabClientAPI.UnlinkIOSDeviceID,
        "DeviceId",
        "iOS device ID",
        ("LinkedDeviceAlreadyClaimed", 1118),
        "/Client/LoginWithIOSDeviceID",
        "/Client/LinkIOSDeviceID",
    ),
}
NAMES = sorted(KINDS)


def fresh(kind: str) -> str:
    return f"{kind}-{uuid.uuid4()}"


def player_without(kind: str) -> dict[str, Any]:
    """A new player holding no id of `kind` (an iOS device player for custom ids, a custom id player else)."""
    other = "ios" if kind == "custom" else "custom"
    return sdk.call(KINDS[other].login, {KINDS[other].field: fresh(other), "CreateAccount": True})


def holder_of(kind: str, value: str) -> dict[str, Any]:
    """A new player whose account was made by logging in with `value`."""
    return sdk.call(KINDS[kind].login, {KINDS[kind].field: value, "CreateAccount": True})


def as_player(player: dict[str, Any]) -> None:
    sdk.session(player["SessionTicket"], player["EntityToken"]["EntityToken"])


def login_answer(kind: str, value: str) -> dict[str, Any]:
    """Log in with `value`, without creating: the login data, or the error envelope."""
    try:
        return sdk.call(KINDS[kind].login, {KINDS[kind].field: value})
    except PlayFabCallError as err:
        error: dict[str, Any] = err.error
        return error


NOT_FOUND = bad_request("AccountNotFound", 1001, "User not found.")


@pytest.mark.parametrize("kind", NAMES)
def test_a_linked_id_logs_the_player_in(pf, kind):
    k, value = KINDS[kind], fresh(kind)
    player = player_without(kind)
    assert login_answer(kind, value) == NOT_FOUND
    as_player(player)
    assert sdk.call(k.link, {k.field: value}) == {}
    assert sdk.call(k.link, {k.field: value}) == {}  # linking it again changes nothing
    again = login_answer(kind, value)
    assert again["PlayFabId"] == player["PlayFabId"] and again["NewlyCreated"] is False
    assert again["EntityToken"]["Entity"] == player["EntityToken"]["Entity"]


@pytest.mark.parametrize("kind", NAMES)
def test_an_id_another_player_holds_is_refused_without_force_link(pf, kind):
    k, value = KINDS[kind], fresh(kind)
    owner = holder_of(kind, value)
    as_player(player_without(kind))
    for force in ({}, {"ForceLink": False}):
        assert refused(k.link, {k.field: value, **force}) == bad_request(
            *k.claimed, f"This {k.label} is already linked to another player.", {k.field: [value]}
        )
    assert login_answer(kind, value)["PlayFabId"] == owner["PlayFabId"]


@pytest.mark.parametrize("kind", NAMES)
def test_force_link_moves_the_id_from_its_holder(pf, kind):
    k, value = KINDS[kind], fresh(kind)
    previous = holder_of(kind, value)
    taker = player_without(kind)
    as_player(taker)
    assert sdk.call(k.link, {k.field: value, "ForceLink": True}) == {}
    assert login_answer(kind, value)["PlayFabId"] == taker["PlayFabId"]
    # The previous holder's account no longer lists it: nothing to unlink, and another id of the kind links.
    as_player(previous)
    assert refused(k.unlink, {}) == bad_request(
        "AccountNotLinked", 1014, f"This {k.label} is not linked to this player."
    )
    assert sdk.call(k.link, {k.field: fresh(kind)}) == {}
    # The taker's does: it unlinks, and then the id logs no one in.
    as_player(taker)
    assert sdk.call(k.unlink, {k.field: value}) == {}
    assert login_answer(kind, value) == NOT_FOUND


@pytest.mark.parametrize("kind", NAMES)
def test_a_second_id_of_a_kind_is_account_already_linked_and_claims_nothing(pf, kind):
    k, first, second = KINDS[kind], fresh(kind), fresh(kind)
    player = holder_of(kind, first)
    as_player(player)
    for force in ({}, {"ForceLink": True}):
        assert refused(k.link, {k.field: second, **force}) == bad_request(
            "AccountAlreadyLinked",
            1011,
            f"This player already has a {k.label} linked; unlink it first.",
            {k.field: [f"the player already has another {k.label}"]},
        )
    assert login_answer(kind, first)["PlayFabId"] == player["PlayFabId"]
    assert login_answer(kind, second) == NOT_FOUND
    as_player(player_without(kind))  # the refused link left nothing that blocks anyone else
    assert sdk.call(k.link, {k.field: second}) == {}


@pytest.mark.parametrize("kind", NAMES)
def test_unlink_stops_the_login_and_a_new_login_may_create_a_new_account(pf, kind):
    k, value = KINDS[kind], fresh(kind)
    player = holder_of(kind, value)
    as_player(player)
    other = fresh(kind)
    assert refused(k.unlink, {k.field: other}) == bad_request(
        "AccountNotLinked", 1014, f"This {k.label} is not linked to this player.", {k.field: [other]}
    )
    assert sdk.call(k.unlink, {}) == {}  # omitted: the one the player has
    assert refused(k.unlink, {}) == bad_request(
        "AccountNotLinked", 1014, f"This {k.label} is not linked to this player."
    )
    assert login_answer(kind, value) == NOT_FOUND
    created = sdk.call(k.login, {k.field: value, "CreateAccount": True})
    assert created["NewlyCreated"] is True and created["PlayFabId"] != player["PlayFabId"]


RACERS = 8
ROUNDS = 3


def race_force_links(server: Server, path: str, bodies_and_tickets: list[tuple[dict[str, Any], str]]) -> list[Any]:
    """Every request on its own connection, all released together by a barrier; their answers."""
    start = threading.Barrier(len(bodies_and_tickets), timeout=60)
    answers: list[Any] = [None] * len(bodies_and_tickets)

    def racer(i: int) -> None:
        body, ticket = bodies_and_tickets[i]
        with httpx.Client(base_url=server.url, timeout=60, verify=False) as http:
            http.post("/Authentication/GetEntityToken", json={})  # connected before the start
            start.wait()
            answers[i] = http.post(path, json=body, headers={"X-Authorization": ticket}).json()

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(len(bodies_and_tickets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


@pytest.mark.parametrize("kind", ["android", "custom"])
def test_racing_force_links_of_one_id_to_two_players_leave_one_holder(pf, server: Server, kind):
    """Two players ForceLink one id at once, four connections each: one ends holding it, listed on its account
    alone; the other (and the player it was taken from) does not list it."""
    k = KINDS[kind]
    for _ in range(ROUNDS):
        value = fresh(kind)
        first_holder = holder_of(kind, value)
        a, b = player_without(kind), player_without(kind)
        body = {k.field: value, "ForceLink": True}
        answers = race_force_links(
            server, k.link_path, [(body, (a if i % 2 == 0 else b)["SessionTicket"]) for i in range(RACERS)]
        )
        assert all(x is not None for x in answers)
        assert {x["code"] for x in answers} <= {200, 400}, answers
        assert all(x["error"] == k.claimed[0] for x in answers if x["code"] == 400), answers
        assert any(x["code"] == 200 for x in answers), answers

        holder = login_answer(kind, value)
        assert holder["PlayFabId"] in (a["PlayFabId"], b["PlayFabId"])
        winner, loser = (a, b) if holder["PlayFabId"] == a["PlayFabId"] else (b, a)
        for player in (loser, first_holder):
            as_player(player)
            assert refused(k.unlink, {}) == bad_request(
                "AccountNotLinked", 1014, f"This {k.label} is not linked to this player."
            )
        as_player(loser)
        assert refused(k.link, {k.field: value})["error"] == k.claimed[0]
        as_player(winner)
        assert sdk.call(k.link, {k.field: value}) == {}
        assert sdk.call(k.unlink, {k.field: value}) == {}
        assert login_answer(kind, value) == NOT_FOUND


def test_link_needs_a_session_ticket(server: Server):
    resp = server.post("/Client/LinkAndroidDeviceID", {"AndroidDeviceId": fresh("android")})
    assert resp.status_code == 401
    assert resp.json() == {
        "code": 401,
        "status": "Unauthorized",
        "error": "NotAuthenticated",
        "errorCode": 1074,
        "errorMessage": "This API method does not allow anonymous callers.",
    }


def test_a_link_request_without_its_id_is_invalid_params(pf):
    as_player(player_without("android"))
    assert refused(PlayFabClientAPI.LinkAndroidDeviceID, {"ForceLink": True}) == bad_request(
        "InvalidParams",
        1000,
        "Invalid input parameters",
        {"AndroidDeviceId": ["The AndroidDeviceId field is required."]},
    )
