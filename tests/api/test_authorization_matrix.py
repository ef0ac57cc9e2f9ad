"""Every endpoint x every wrong credential -> the right refusal, and the target player's records untouched.

tests/support/endpoint_requests.py has one row per endpoint the app serves; test_every_endpoint_has_a_row
fails when an endpoint is added without one (or changes the credential it takes). Each row gives the
credential the endpoint takes, a request aimed at one player's data that succeeds with that player's
own credential, and what another player (its ticket or entity token) gets when it sends the same request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shared.auth.caller import Auth
from shared.wire.error_codes import ERROR_CODES
from shared.wire.errors import STATUS_TEXT
from tests.support.credentials import headers_for
from tests.support.endpoint_requests import (
    BAD_KEY,
    BAD_TICKET,
    BAD_TOKEN,
    EXPIRED_TICKET,
    EXPIRED_TOKEN,
    NOT_AUTHENTICATED,
    OK,
    TABLE,
    TOKEN_MISSING,
    Outcome,
    Row,
)
from tests.support.routes import ENDPOINTS
from tests.support.server import SECRET_KEY, Server
from tests.support.world import Target, expired_entity_token, expired_ticket, forged, new_target, snapshot

NO_CREDENTIAL: dict[Auth, Outcome] = {
    Auth.SESSION: NOT_AUTHENTICATED,
    Auth.SECRET: NOT_AUTHENTICATED,
    Auth.ENTITY: TOKEN_MISSING,
    Auth.ANY: NOT_AUTHENTICATED,
}


# Each scenario: the headers sent to an endpoint and what they should get.
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
    return headers_for(row.auth, b.player), row.foreign


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
def owner(sqlite_server: Server) -> Target:
    return new_target(sqlite_server)


@pytest.fixture(scope="module")
def intruder(sqlite_server: Server) -> Target:
    return new_target(sqlite_server)


def test_every_endpoint_has_a_row():
    assert sorted(set(ENDPOINTS) - set(TABLE)) == [], "endpoints without a row in the authorization matrix"
    assert sorted(set(TABLE) - set(ENDPOINTS)) == [], "rows for endpoints the app does not serve"
    wrong = {
        path: (row.auth, ENDPOINTS[path].auth) for path, row in TABLE.items() if row.auth is not ENDPOINTS[path].auth
    }
    assert wrong == {}, "rows whose credential differs from the endpoint's"


@pytest.mark.parametrize("path", sorted(TABLE))
def test_the_legitimate_caller_gets_through(sqlite_server: Server, path: str):
    """Each row's request works with the right credential, so the refusals below are about credentials."""
    row, target = TABLE[path], new_target(sqlite_server)
    assert_outcome(sqlite_server.post(path, row.body(target), headers_for(row.auth, target.player)), row.legit)


@pytest.mark.parametrize(("path", "scenario"), _cases())
def test_wrong_credentials_are_refused_and_write_nothing(
    sqlite_server: Server, owner: Target, intruder: Target, path: str, scenario: str
):
    row = TABLE[path]
    if row.auth is Auth.NONE:  # login takes no credential: whatever a scenario sends is ignored
        headers, expected = SCENARIOS[scenario](TABLE["/Client/GetUserData"], owner, intruder)[0], OK
    else:
        headers, expected = SCENARIOS[scenario](row, owner, intruder)
    before = snapshot(sqlite_server, owner.partitions())
    assert_outcome(sqlite_server.post(path, row.body(owner), headers), expected)
    assert snapshot(sqlite_server, owner.partitions()) == before, "the owner's records changed"
