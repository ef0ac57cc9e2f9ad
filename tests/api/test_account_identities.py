"""Account info and profiles of a player with a username and an email, found by either, in any letter case.

Registration (which links them) is its own feature; here the identities are linked straight in the
embedded store the running server uses, as registration leaves them: a confirmed lookup each, and the
account listing them under "Logins".
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabServerAPI

from shared.auth import logins
from shared.auth.logins import LoginKind
from shared.storage.layout import ACCOUNT_DOC, PLAYERS
from shared.storage.sqlite import SQLiteStore
from tests.support import sdk
from tests.support.players import Player, new_player
from tests.support.server import Server, running_server


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("identities")) as srv:
        yield srv


def _link(server: Server, playfab_id: str, **identities: str) -> None:
    async def run() -> None:
        store = SQLiteStore(server.data_dir / "playfab.sqlite3")
        try:
            for kind, value in identities.items():
                held = await logins.claim(store, LoginKind(kind), value, playfab_id)

                def add(body, kind=kind, value=value):
                    body["Logins"][kind] = value
                    return body

                await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, add)
                await logins.confirm(store, held)
        finally:
            await store.close()

    asyncio.run(run())


@pytest.fixture
def registered(own_server: Server) -> tuple[Player, str, str]:
    sdk.point_at(own_server)
    player = new_player()
    username, email = f"u{uuid.uuid4().hex[:12]}", f"Mixed.{uuid.uuid4().hex[:8]}@Example.com"
    _link(own_server, player.playfab_id, username=username, email=email)
    return player, username, email


def test_own_account_shows_username_and_private_email(registered):
    _, username, email = registered
    info = sdk.call(PlayFabClientAPI.GetAccountInfo, {})["AccountInfo"]
    assert info["Username"] == username
    assert info["PrivateInfo"] == {"Email": email}
    assert info["TitleInfo"]["Origination"] == "CustomId"  # the identity the account was made with


def test_found_by_username_or_email_in_any_case_without_private_info_for_others(registered):
    player, username, email = registered
    new_player()
    for request in ({"Username": username.upper()}, {"Email": email.lower()}):
        info = sdk.call(PlayFabClientAPI.GetAccountInfo, request)["AccountInfo"]
        assert info["PlayFabId"] == player.playfab_id
        assert info["Username"] == username
        assert "PrivateInfo" not in info and "CustomIdInfo" not in info


def test_title_finds_by_email_and_sees_it(registered):
    player, username, email = registered
    sdk.session(None)
    by_email = sdk.call(PlayFabAdminAPI.GetUserAccountInfo, {"Email": email.upper()})["UserInfo"]
    by_name = sdk.call(PlayFabAdminAPI.GetUserAccountInfo, {"Username": username})["UserInfo"]
    assert by_email == by_name
    assert by_email["PlayFabId"] == player.playfab_id and by_email["PrivateInfo"] == {"Email": email}
    profile = sdk.call(
        PlayFabServerAPI.GetPlayerProfile,
        {"PlayFabId": player.playfab_id, "ProfileConstraints": {"ShowLinkedAccounts": True}},
    )["PlayerProfile"]
    playfab = {"Platform": "PlayFab", "PlatformUserId": player.playfab_id, "Username": username, "Email": email}
    assert profile["LinkedAccounts"][0] == playfab
    assert [entry["Platform"] for entry in profile["LinkedAccounts"]] == ["PlayFab", "Custom"]
