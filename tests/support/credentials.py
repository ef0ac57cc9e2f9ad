"""Valid credentials for every kind of caller, and the headers each Operation's auth expects."""

from __future__ import annotations

import uuid

from shared.auth.caller import Auth
from tests.support.players import Player
from tests.support.server import SECRET_KEY, TITLE_ID, Server

__all__ = ["Player", "headers_for", "login"]


def login(server: Server, custom_id: str | None = None) -> Player:
    """A fresh player, logged in over raw HTTP (no SDK global state)."""
    body = {"TitleId": TITLE_ID, "CustomId": custom_id or f"t-{uuid.uuid4()}", "CreateAccount": True}
    data = server.post("/Client/LoginWithCustomID", body).json()["data"]
    token = data["EntityToken"]
    return Player(data["PlayFabId"], data["SessionTicket"], token["EntityToken"], token["Entity"]["Id"], data)


def headers_for(auth: Auth, player: Player) -> dict[str, str]:
    """The header a legitimate caller of an operation sends: the player's own, or the title's secret key."""
    if auth is Auth.SESSION:
        return {"X-Authorization": player.ticket}
    if auth is Auth.SECRET:
        return {"X-SecretKey": SECRET_KEY}
    if auth in (Auth.ENTITY, Auth.ANY):
        return {"X-EntityToken": player.entity_token}
    return {}
