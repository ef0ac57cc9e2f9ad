"""Players for tests, logged in through the official SDK."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from playfab import PlayFabClientAPI

from tests.support import sdk


@dataclass(frozen=True)
class Player:
    playfab_id: str
    ticket: str
    entity_token: str
    entity_id: str
    login: dict[str, Any]

    def use(self) -> None:
        """Make this player the SDK's logged-in player."""
        sdk.session(self.ticket, self.entity_token)


def new_player(custom_id: str | None = None) -> Player:
    data = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": custom_id or f"test-{uuid.uuid4()}", "CreateAccount": True},
    )
    return Player(
        data["PlayFabId"],
        data["SessionTicket"],
        data["EntityToken"]["EntityToken"],
        data["EntityToken"]["Entity"]["Id"],
        data,
    )
