"""Every endpoint x every wrong credential -> the right refusal, and the target player's records untouched.

TABLE has one row per endpoint the app serves; test_every_endpoint_has_a_row fails when an endpoint is
added without one (or changes the credential it takes). Each row gives the credential the endpoint
takes, a request aimed at one player's data that succeeds with that player's own credential, and what
another player (its ticket or entity token) gets when it sends the same request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared.caller import Auth
from shared.error_codes import ERROR_CODES
from shared.errors import STATUS_TEXT
from tests.routes import ENDPOINTS
from tests.server import SECRET_KEY, TITLE_ID, Server
from tests.world import (
    Target,
    expired_entity_token,
    expired_ticket,
    forged,
    fresh_custom_id,
    new_target,
    snapshot,
)


@dataclass(frozen=True)
class Outcome:
    error: str | None  # None: success
    http: int = 200


OK = Outcome(None)
NOT_AUTHENTICATED = Outcome("NotAuthenticated", 401)
TOKEN_MISSING = Outcome("EntityTokenMissing", 401)
BAD_TICKET = Outcome("InvalidSessionTicket", 401)
BAD_KEY = Outcome("NotAuthorized", 401)
BAD_TOKEN = Outcome("EntityTokenInvalid", 401)
EXPIRED_TICKET = Outcome("ExpiredAuthToken", 401)
EXPIRED_TOKEN = Outcome("EntityTokenExpired", 401)
FORBIDDEN = Outcome("NotAuthorized", 403)
NO_CHARACTER = Outcome("CharacterNotFound", 400)
ITEM_NOT_OWNED = Outcome("ItemNotOwned", 400)

Body = Callable[[Target], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    auth: Auth
    body: Body
    foreign: Outcome = OK  # another player's own credential, same request (OK: allowed, e.g. public keys)
    legit: Outcome = OK  # the target's own credential (or the title's)


def player(**extra: Any) -> Body:
    return lambda t: {"PlayFabId": t.playfab_id, **extra}


def character(**extra: Any) -> Body:
    return lambda t: {"PlayFabId": t.playfab_id, "CharacterId": t.character_id, **extra}


def entity(**extra: Any) -> Body:
    return lambda t: {"Entity": t.entity, **extra}


DATA = {"Data": {"k": "v"}}
S, T, E = Auth.SESSION, Auth.SECRET, Auth.ENTITY

TABLE: dict[str, Row] = {
    "/Client/LoginWithCustomID": Row(
        Auth.NONE, lambda t: {"TitleId": TITLE_ID, "CustomId": fresh_custom_id(), "CreateAccount": True}
    ),
    "/Authentication/GetEntityToken": Row(Auth.ANY, entity(), foreign=FORBIDDEN),
    # A Client read of another player returns its public keys; a Client write lands on the caller's own data.
    "/Client/GetUserData": Row(S, player()),
    "/Client/UpdateUserData": Row(S, player(**DATA)),
    "/Client/GetUserReadOnlyData": Row(S, player()),
    "/Client/GetUserPublisherData": Row(S, player()),
    "/Client/UpdateUserPublisherData": Row(S, player(**DATA)),
    "/Client/GetUserPublisherReadOnlyData": Row(S, player()),
    "/Server/GetUserData": Row(T, player()),
    "/Server/UpdateUserData": Row(T, player(**DATA)),
    "/Server/GetUserReadOnlyData": Row(T, player()),
    "/Server/UpdateUserReadOnlyData": Row(T, player(**DATA)),
    "/Server/GetUserInternalData": Row(T, player()),
    "/Server/UpdateUserInternalData": Row(T, player(**DATA)),
    "/Server/GetUserPublisherData": Row(T, player()),
    "/Server/UpdateUserPublisherData": Row(T, player(**DATA)),
    "/Server/GetUserPublisherReadOnlyData": Row(T, player()),
    "/Server/UpdateUserPublisherReadOnlyData": Row(T, player(**DATA)),
    "/Server/GetUserPublisherInternalData": Row(T, player()),
    "/Server/UpdateUserPublisherInternalData": Row(T, player(**DATA)),
    "/Admin/GetUserData": Row(T, player()),
    "/Admin/UpdateUserData": Row(T, player(**DATA)),
    "/Admin/GetUserReadOnlyData": Row(T, player()),
    "/Admin/UpdateUserReadOnlyData": Row(T, player(**DATA)),
    "/Admin/GetUserInternalData": Row(T, player()),
    "/Admin/UpdateUserInternalData": Row(T, player(**DATA)),
    "/Admin/GetUserPublisherData": Row(T, player()),
    "/Admin/UpdateUserPublisherData": Row(T, player(**DATA)),
    "/Admin/GetUserPublisherReadOnlyData": Row(T, player()),
    "/Admin/UpdateUserPublisherReadOnlyData": Row(T, player(**DATA)),
    "/Admin/GetUserPublisherInternalData": Row(T, player()),
    "/Admin/UpdateUserPublisherInternalData": Row(T, player(**DATA)),
    "/Client/GetCharacterData": Row(S, character()),
    # The character is looked up among the caller's own: another player's is not found.
    "/Client/UpdateCharacterData": Row(S, character(**DATA), foreign=NO_CHARACTER),
    "/Client/GetCharacterReadOnlyData": Row(S, character()),
    # Needs a catalog item this backend does not keep: refused for everyone, owner included.
    "/Client/GrantCharacterToUser": Row(
        S, lambda t: {"ItemId": "sword", "CharacterName": "Hero"}, foreign=ITEM_NOT_OWNED, legit=ITEM_NOT_OWNED
    ),
    "/Client/GetAllUsersCharacters": Row(S, player()),
    "/Server/GetCharacterData": Row(T, character()),
    "/Server/UpdateCharacterData": Row(T, character(**DATA)),
    "/Server/GetCharacterReadOnlyData": Row(T, character()),
    "/Server/UpdateCharacterReadOnlyData": Row(T, character(**DATA)),
    "/Server/GetCharacterInternalData": Row(T, character()),
    "/Server/UpdateCharacterInternalData": Row(T, character(**DATA)),
    "/Server/GrantCharacterToUser": Row(T, player(CharacterName="Second", CharacterType="Mage")),
    "/Server/DeleteCharacterFromUser": Row(T, character(SaveCharacterInventory=False)),
    "/Server/GetAllUsersCharacters": Row(T, player()),
    "/Object/SetObjects": Row(E, entity(Objects=[{"ObjectName": "o", "DataObject": 1}]), foreign=FORBIDDEN),
    "/Object/GetObjects": Row(E, entity(), foreign=FORBIDDEN),
    # Anyone may see a profile; its objects are left out for other callers.
    "/Profile/GetProfile": Row(E, entity()),
    "/Profile/GetProfiles": Row(E, lambda t: {"Entities": [t.entity]}),
}

NO_CREDENTIAL: dict[Auth, Outcome] = {
    Auth.SESSION: NOT_AUTHENTICATED,
    Auth.SECRET: NOT_AUTHENTICATED,
    Auth.ENTITY: TOKEN_MISSING,
    Auth.ANY: NOT_AUTHENTICATED,
}


def own_headers(auth: Auth, t: Target) -> dict[str, str]:
    if auth is Auth.SESSION:
        return {"X-Authorization": t.player.ticket}
    if auth is Auth.SECRET:
        return {"X-SecretKey": SECRET_KEY}
    if auth in (Auth.ENTITY, Auth.ANY):
        return {"X-EntityToken": t.player.entity_token}
    return {}


# Each scenario: (headers sent, expected outcome) for an endpoint, or None where it does not apply.
Scenario = Callable[[Row, Target, Target], tuple[dict[str, str], Outcome]]


def no_credential(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    return {}, NO_CREDENTIAL[row.auth]


def forged_credential(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    if row.auth is Auth.SESSION:
        return {"X-Authorization": forged(a.player.ticket)}, BAD_TICKET
    if row.auth is Auth.SECRET:
        return {"X-SecretKey": SECRET_KEY[::-1]}, BAD_KEY
    return {"X-EntityToken": forged(a.player.entity_token)}, BAD_TOKEN


def expired_credential(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    if row.auth is Auth.SESSION:
        return {"X-Authorization": expired_ticket(a.player)}, EXPIRED_TICKET
    return {"X-EntityToken": expired_entity_token(a.player)}, EXPIRED_TOKEN


def another_players_credential(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    return own_headers(row.auth, b), row.foreign


def client_ticket_on_title_path(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    return {"X-Authorization": a.player.ticket}, NOT_AUTHENTICATED


def secret_key_on_player_path(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    return {"X-SecretKey": SECRET_KEY}, NO_CREDENTIAL[row.auth]


def another_entitys_token(row: Row, a: Target, b: Target) -> tuple[dict[str, str], Outcome]:
    headers = {"X-EntityToken": b.player.entity_token}
    if row.auth in (Auth.ENTITY, Auth.ANY):
        return headers, row.foreign
    return headers, NO_CREDENTIAL[row.auth]  # an entity token is not a ticket or a key


SCENARIOS: dict[str, Scenario] = {
    "no credential": no_credential,
    "forged": forged_credential,
    "expired": expired_credential,
    "another player's": another_players_credential,
    "client ticket on a title path": client_ticket_on_title_path,
    "secret key on a player path": secret_key_on_player_path,
    "another entity's token": another_entitys_token,
}


ALL = frozenset(Auth)
# Where each scenario applies; login (Auth.NONE) is in every one, since it must ignore what is sent.
APPLIES: dict[str, frozenset[Auth]] = {
    "no credential": ALL,
    "forged": ALL,
    "expired": ALL - {Auth.SECRET},  # a secret key does not expire
    "another player's": ALL - {Auth.SECRET},  # the title's key belongs to no player
    "client ticket on a title path": frozenset({Auth.NONE, Auth.SECRET}),
    "secret key on a player path": frozenset({Auth.NONE, Auth.SESSION, Auth.ENTITY}),
    "another entity's token": ALL,
}
assert set(APPLIES) == set(SCENARIOS)


def _cases() -> list[tuple[str, str]]:
    return [(path, name) for path, row in TABLE.items() for name in SCENARIOS if row.auth in APPLIES[name]]


def assert_outcome(resp: Any, expected: Outcome) -> None:
    body = resp.json()
    assert resp.status_code == expected.http, body
    if expected.error is None:
        assert body["code"] == 200 and body["status"] == "OK" and isinstance(body["data"], dict), body
        return
    assert (body["code"], body["status"], body["error"], body["errorCode"]) == (
        expected.http,
        STATUS_TEXT[expected.http],
        expected.error,
        ERROR_CODES[expected.error],
    ), body
    assert body["errorMessage"]


@pytest.fixture(scope="module")
def owner(server: Server) -> Target:
    return new_target(server)


@pytest.fixture(scope="module")
def intruder(server: Server) -> Target:
    return new_target(server)


def test_every_endpoint_has_a_row():
    assert sorted(set(ENDPOINTS) - set(TABLE)) == [], "endpoints without a row in the authorization matrix"
    assert sorted(set(TABLE) - set(ENDPOINTS)) == [], "rows for endpoints the app does not serve"
    wrong = {
        path: (row.auth, ENDPOINTS[path].auth) for path, row in TABLE.items() if row.auth is not ENDPOINTS[path].auth
    }
    assert wrong == {}, "rows whose credential differs from the endpoint's"


@pytest.mark.parametrize("path", sorted(TABLE))
def test_the_legitimate_caller_gets_through(server: Server, path: str):
    """Each row's request works with the right credential, so the refusals below are about credentials."""
    row, target = TABLE[path], new_target(server)
    assert_outcome(server.post(path, row.body(target), own_headers(row.auth, target)), row.legit)


@pytest.mark.parametrize(("path", "scenario"), _cases())
def test_wrong_credentials_are_refused_and_write_nothing(
    server: Server, owner: Target, intruder: Target, path: str, scenario: str
):
    row = TABLE[path]
    if row.auth is Auth.NONE:  # login takes no credential: whatever a scenario sends is ignored
        headers, expected = SCENARIOS[scenario](TABLE["/Client/GetUserData"], owner, intruder)[0], OK
    else:
        headers, expected = SCENARIOS[scenario](row, owner, intruder)
    before = snapshot(server, owner.partitions())
    assert_outcome(server.post(path, row.body(owner), headers), expected)
    assert snapshot(server, owner.partitions()) == before, "the owner's records changed"
