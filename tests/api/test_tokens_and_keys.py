"""Session tickets, entity tokens and secret keys, checked on every call."""

from __future__ import annotations

import time

import playfab.PlayFabSettings as settings
import pytest
from playfab import PlayFabAuthenticationAPI

from shared.auth.tokens import ENTITY_TOKEN, SESSION_TICKET, Signer, TokenInvalid
from tests.support import sdk
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import OTHER_SECRET_KEY, SIGNING_KEY, TITLE_ID

signer = Signer((SIGNING_KEY,), TITLE_ID)


def _error(exc: pytest.ExceptionInfo[PlayFabCallError]) -> tuple[int, str, int]:
    e = exc.value.error
    assert set(e) >= {"code", "status", "error", "errorCode", "errorMessage"}
    assert e["errorMessage"]
    return e["code"], e["error"], e["errorCode"]


def _tamper(token: str) -> str:
    payload, sig = token.split(".")
    return payload + "." + ("A" if sig[0] != "A" else "B") + sig[1:]


def test_get_entity_token_with_secret_key_is_the_title(pf):
    settings._internalSettings.EntityToken = None
    data = sdk.call(PlayFabAuthenticationAPI.GetEntityToken)
    assert data["Entity"] == {"Id": TITLE_ID, "Type": "title"}
    assert data["EntityToken"] and data["TokenExpiration"].endswith("Z")


def test_a_rotated_secret_key_works_too(pf):
    settings.DeveloperSecretKey = OTHER_SECRET_KEY
    assert sdk.call(PlayFabAuthenticationAPI.GetEntityToken)["Entity"]["Type"] == "title"


def test_get_entity_token_with_session_ticket_is_the_player(pf):
    player = new_player()
    sdk.session(player.ticket, None)
    settings.DeveloperSecretKey = None
    data = sdk.call(PlayFabAuthenticationAPI.GetEntityToken)
    assert data["Entity"] == {"Id": player.entity_id, "Type": "title_player_account"}
    assert data["EntityToken"] != player.entity_token


def test_get_entity_token_with_entity_token_refreshes_the_same_entity(pf):
    player = new_player()
    sdk.session(None, player.entity_token)
    data = sdk.call(
        PlayFabAuthenticationAPI.GetEntityToken, {"Entity": {"Id": player.entity_id, "Type": "title_player_account"}}
    )
    assert data["Entity"] == {"Id": player.entity_id, "Type": "title_player_account"}


def test_get_entity_token_for_someone_else_is_refused(pf):
    player, other = new_player(), new_player()
    sdk.session(player.ticket, None)
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(
            PlayFabAuthenticationAPI.GetEntityToken, {"Entity": {"Id": other.entity_id, "Type": "title_player_account"}}
        )
    assert _error(exc) == (403, "NotAuthorized", 1089)


def test_no_credential_at_all_is_not_authenticated(pf):
    resp = pf.post("/Authentication/GetEntityToken", {})
    assert resp.status_code == 401
    assert resp.json()["error"] == "NotAuthenticated" and resp.json()["errorCode"] == 1074
    assert resp.json()["status"] == "Unauthorized"


def test_wrong_secret_key_is_not_authorized(pf):
    settings.DeveloperSecretKey = "not-the-secret-key-at-all"
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabAuthenticationAPI.GetEntityToken)
    assert _error(exc) == (401, "NotAuthorized", 1089)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: _tamper(p.ticket), (401, "InvalidSessionTicket", 1100)),
        (lambda p: p.ticket.split(".")[0], (401, "InvalidSessionTicket", 1100)),
        (lambda p: "garbage", (401, "InvalidSessionTicket", 1100)),
        (lambda p: p.entity_token, (401, "InvalidSessionTicket", 1100)),  # an entity token is not a ticket
        (
            lambda p: signer.issue(SESSION_TICKET, {"p": p.playfab_id, "e": p.entity_id}, 60, now=time.time() - 120)[0],
            (401, "ExpiredAuthToken", 1153),
        ),
        (
            lambda p: Signer(("another-signing-key-0123456789abcdef",), TITLE_ID).issue(
                SESSION_TICKET, {"p": p.playfab_id, "e": p.entity_id}, 60
            )[0],
            (401, "InvalidSessionTicket", 1100),
        ),
        (
            lambda p: Signer((SIGNING_KEY,), "OTHERTITLE").issue(
                SESSION_TICKET, {"p": p.playfab_id, "e": p.entity_id}, 60
            )[0],
            (401, "InvalidSessionTicket", 1100),
        ),
        (lambda p: "0" * 16 + p.ticket[len(p.playfab_id) :], (401, "InvalidSessionTicket", 1100)),
    ],
    ids=[
        "tampered",
        "unsigned",
        "garbage",
        "entity-token-as-ticket",
        "expired",
        "foreign-key",
        "another-title",
        "another-player-prefix",
    ],
)
def test_bad_session_tickets(pf, make, expected):
    player = new_player()
    sdk.session(make(player), None)
    settings.DeveloperSecretKey = None
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabAuthenticationAPI.GetEntityToken)
    assert _error(exc) == expected


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: _tamper(p.entity_token), (401, "EntityTokenInvalid", 1335)),
        (lambda p: p.ticket, (401, "EntityTokenInvalid", 1335)),  # a ticket is not an entity token
        (
            lambda p: signer.issue(
                ENTITY_TOKEN,
                {"t": "title_player_account", "i": p.entity_id, "p": p.playfab_id},
                60,
                now=time.time() - 120,
            )[0],
            (401, "EntityTokenExpired", 1336),
        ),
        (
            lambda p: Signer((SIGNING_KEY,), "OTHERTITLE").issue(
                ENTITY_TOKEN, {"t": "title_player_account", "i": p.entity_id, "p": p.playfab_id}, 60
            )[0],
            (401, "EntityTokenInvalid", 1335),
        ),
        (
            lambda p: Signer((SIGNING_KEY,), "OTHERTITLE").issue(ENTITY_TOKEN, {"t": "title", "i": "OTHERTITLE"}, 60)[
                0
            ],
            (401, "EntityTokenInvalid", 1335),
        ),
    ],
    ids=["tampered", "ticket-as-entity-token", "expired", "another-title", "another-titles-title-entity"],
)
def test_bad_entity_tokens(pf, make, expected):
    player = new_player()
    sdk.session(None, make(player))
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabAuthenticationAPI.GetEntityToken)
    assert _error(exc) == expected


def test_a_session_ticket_starts_with_the_playfab_id_as_playfabs_do(pf):
    player = new_player()
    assert player.ticket.startswith(f"{player.playfab_id}-")
    assert signer.verify(SESSION_TICKET, player.ticket)["ti"] == TITLE_ID


def test_a_token_names_its_title_and_no_other_title_accepts_it():
    ticket, _ = signer.issue(SESSION_TICKET, {"p": "ABCDEF0123456789", "e": "E"}, 60)
    token, _ = signer.issue(ENTITY_TOKEN, {"t": "title", "i": TITLE_ID}, 60)
    other = Signer((SIGNING_KEY,), "OTHERTITLE")
    for kind, made in ((SESSION_TICKET, ticket), (ENTITY_TOKEN, token)):
        assert signer.verify(kind, made)["ti"] == TITLE_ID
        with pytest.raises(TokenInvalid):
            other.verify(kind, made)


def test_auth_errors_without_report_as_success_carry_http_401(pf):
    resp = pf.post("/Authentication/GetEntityToken", {}, {"X-Authorization": "garbage"})
    assert resp.status_code == 401
    assert resp.json() == {
        "code": 401,
        "status": "Unauthorized",
        "error": "InvalidSessionTicket",
        "errorCode": 1100,
        "errorMessage": "The session ticket is not valid.",
    }
