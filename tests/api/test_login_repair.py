"""A login whose lookup names a missing account (left behind by a conflict clean-up that deleted a
new account its own lookup still named) gets that account back instead of AccountNotFound forever."""

from __future__ import annotations

import asyncio
import uuid

from shared.config.clock import new_id
from shared.config.settings import load_settings
from shared.services import open_store
from tests.support.data_calls import stored
from tests.support.server import SECRET_KEY, TITLE_ID, Server


def _orphan_lookup(server: Server, custom_id: str) -> str:
    """Write, behind the server's back, a lookup naming a player whose account does not exist."""
    playfab_id = new_id()

    async def write() -> None:
        store = await open_store(load_settings(server.env))
        try:
            await store.create("lookups", f"custom:{custom_id}", "login", {"PlayFabId": playfab_id})
        finally:
            await store.close()

    asyncio.run(write())
    return playfab_id


def _login(server: Server, custom_id: str, create: bool) -> dict:
    response = server.post(
        "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": create}
    )
    body = response.json()
    assert response.status_code == 200, body
    return body["data"]


def test_a_lookup_naming_a_missing_account_logs_in_as_that_player(server):
    custom_id = f"orphaned-{uuid.uuid4()}"
    playfab_id = _orphan_lookup(server, custom_id)

    first = _login(server, custom_id, create=False)

    assert first["PlayFabId"] == playfab_id and first["NewlyCreated"] is False
    again = _login(server, custom_id, create=True)
    assert again["PlayFabId"] == playfab_id and again["NewlyCreated"] is False
    assert again["EntityToken"]["Entity"] == first["EntityToken"]["Entity"]
    account = stored(server, "players", playfab_id, "account")
    assert account is not None and account["TitlePlayerAccountId"] == first["EntityToken"]["Entity"]["Id"]
    profile = server.post("/Profile/GetProfile", {}, {"X-EntityToken": first["EntityToken"]["EntityToken"]}).json()
    assert profile["code"] == 200, profile
    data = server.post("/Server/GetUserData", {"PlayFabId": playfab_id}, {"X-SecretKey": SECRET_KEY}).json()
    assert data["code"] == 200 and data["data"]["PlayFabId"] == playfab_id
