"""Who is calling: resolved from PlayFab's auth headers before any handler runs."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import Enum
from typing import Any

from shared.auth.tokens import ENTITY_TOKEN, SESSION_TICKET, Signer, TokenExpired, TokenInvalid
from shared.config.settings import Settings
from shared.wire.errors import PlayFabError

ENTITY_TITLE_PLAYER = "title_player_account"
ENTITY_CHARACTER = "character"
ENTITY_TITLE = "title"


class Auth(Enum):
    NONE = "none"  # login calls
    SESSION = "session"  # X-Authorization: a player's session ticket
    SECRET = "secret"  # X-SecretKey: the title's secret key (Server and Admin APIs)
    ENTITY = "entity"  # X-EntityToken
    ANY = "any"  # GetEntityToken: any one of the three


@dataclass(frozen=True)
class Caller:
    is_title: bool = False  # secret key, or the title's entity token
    playfab_id: str | None = None  # the player behind a session ticket or a player/character entity token
    entity_type: str | None = None
    entity_id: str | None = None
    # SESSION_TICKET or ENTITY_TOKEN (shared.auth.tokens): the kind of token that named the caller
    token: str | None = None
    # Which secret key (the first 12 hex digits of its SHA-256, never the key) and which API ("Client",
    # "Server", "Admin"...: the path's first part, set by the pipeline): who a key's history names.
    key_id: str | None = None
    api: str | None = None


def _secret_matches(settings: Settings, presented: str) -> bool:
    # Compare against every configured key, so timing says nothing about which (if any) matched.
    matched = False
    for key in settings.secret_keys:
        matched |= hmac.compare_digest(key.encode("utf-8"), presented.encode("utf-8"))
    return matched


def from_secret(settings: Settings, header: str | None) -> Caller:
    if not header:
        raise PlayFabError("NotAuthenticated", "This API method requires the title secret key in X-SecretKey.")
    if not _secret_matches(settings, header):
        raise PlayFabError("NotAuthorized", "The secret key is not valid for this title.")
    return Caller(is_title=True, entity_type=ENTITY_TITLE, entity_id=settings.title_id, key_id=key_id(header))


def key_id(key: str) -> str:
    """A secret key's name in records: enough of its hash to tell keys apart, nothing to sign with."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


# (error name, message) when the token is missing, expired, or invalid.
_TokenErrors = tuple[tuple[str, str], tuple[str, str], tuple[str, str]]
_SESSION_ERRORS: _TokenErrors = (
    ("NotAuthenticated", "This API method does not allow anonymous callers."),
    ("ExpiredAuthToken", "The session ticket has expired; log in again."),
    ("InvalidSessionTicket", "The session ticket is not valid."),
)
_ENTITY_ERRORS: _TokenErrors = (
    ("EntityTokenMissing", "This API method requires an entity token in X-EntityToken."),
    ("EntityTokenExpired", "The entity token has expired."),
    ("EntityTokenInvalid", "The entity token is not valid."),
)


def _claims(signer: Signer, kind: str, header: str | None, errors: _TokenErrors) -> dict[str, Any]:
    missing, expired, invalid = errors
    if not header:
        raise PlayFabError(*missing)
    try:
        return signer.verify(kind, header)
    except TokenExpired:
        raise PlayFabError(*expired) from None
    except TokenInvalid:
        raise PlayFabError(*invalid) from None


def from_session(signer: Signer, header: str | None) -> Caller:
    claims = _claims(signer, SESSION_TICKET, header, _SESSION_ERRORS)
    return Caller(playfab_id=claims["p"], entity_type=ENTITY_TITLE_PLAYER, entity_id=claims["e"], token=SESSION_TICKET)


def from_entity_token(signer: Signer, header: str | None) -> Caller:
    claims = _claims(signer, ENTITY_TOKEN, header, _ENTITY_ERRORS)
    return Caller(
        is_title=claims["t"] == ENTITY_TITLE,
        playfab_id=claims.get("p"),
        entity_type=claims["t"],
        entity_id=claims["i"],
        token=ENTITY_TOKEN,
    )


def resolve(auth: Auth, settings: Settings, signer: Signer, headers: dict[str, str]) -> Caller:
    """`headers` has lower-case names."""
    if auth is Auth.NONE:
        return Caller()
    if auth is Auth.SESSION:
        return from_session(signer, headers.get("x-authorization"))
    if auth is Auth.SECRET:
        return from_secret(settings, headers.get("x-secretkey"))
    if auth is Auth.ENTITY:
        return from_entity_token(signer, headers.get("x-entitytoken"))
    # Auth.ANY, in the Python SDK's order of preference.
    if headers.get("x-entitytoken"):
        return from_entity_token(signer, headers["x-entitytoken"])
    if headers.get("x-authorization"):
        return from_session(signer, headers["x-authorization"])
    if headers.get("x-secretkey"):
        return from_secret(settings, headers["x-secretkey"])
    raise PlayFabError(
        "NotAuthenticated", "This API method needs one of X-EntityToken, X-Authorization or X-SecretKey."
    )
