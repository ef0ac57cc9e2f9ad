"""Client and Admin UpdateUserTitleDisplayName: lengths, uniqueness per title, racing renames, duplicates allowed."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playfab import PlayFabAdminAPI, PlayFabClientAPI

from shared.auth import accounts, logins
from shared.auth.logins import LoginKind
from shared.config.settings import load_settings
from shared.features import display_names
from shared.wire.errors import PlayFabError
from tests.support import sdk
from tests.support.credentials import login
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import SECRET_KEY, Server, base_env, running_server

RACERS = 16


def _fresh_name() -> str:
    return f"dn{uuid.uuid4().hex[:18]}"


def _refused(api, request) -> dict:
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(api, request)
    return err.value.error


def _shown_name(playfab_id: str) -> str | None:
    info = sdk.call(PlayFabClientAPI.GetAccountInfo, {"PlayFabId": playfab_id})["AccountInfo"]
    return info["TitleInfo"].get("DisplayName")


def test_rename_answers_the_name_and_the_account_shows_it(pf):
    player = new_player()
    name = _fresh_name()
    assert sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name}) == {"DisplayName": name}
    assert _shown_name(player.playfab_id) == name
    # The same name again (another letter case is the same name) is the player's own: allowed.
    again = sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name.upper()})
    assert again == {"DisplayName": name.upper()}
    assert _shown_name(player.playfab_id) == name.upper()


def test_a_taken_name_is_name_not_available_until_its_holder_lets_it_go(pf):
    first = new_player()
    name = _fresh_name()
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    second = new_player()
    error = _refused(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name.upper()})
    assert error == {
        "code": 400,
        "status": "BadRequest",
        "error": "NameNotAvailable",
        "errorCode": 1058,
        "errorMessage": "Name not available",
        "errorDetails": {"DisplayName": [f"{name.upper()} is taken"]},
    }
    assert _shown_name(second.playfab_id) is None
    first.use()
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": _fresh_name()})
    second.use()
    assert sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name}) == {"DisplayName": name}
    assert _shown_name(second.playfab_id) == name
    assert _shown_name(first.playfab_id) != name


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("ab", "The field DisplayName must be a string with a minimum length of 3."),
        ("x" * 26, "The field DisplayName must be a string with a maximum length of 25."),
        ("ab\u200bc", "The field DisplayName may not contain control or format characters."),
        (" abc", "The field DisplayName may not begin or end with whitespace."),
        (12345, "The field DisplayName must be a string."),
        (None, "The DisplayName field is required."),
    ],
)
def test_bad_names_are_invalid_params_naming_display_name(pf, display_name, message):
    player = new_player()
    request = {} if display_name is None else {"DisplayName": display_name}
    error = _refused(PlayFabClientAPI.UpdateUserTitleDisplayName, request)
    assert (error["code"], error["error"], error["errorCode"]) == (400, "InvalidParams", 1000)
    assert error["errorDetails"] == {"DisplayName": [message]}
    assert _shown_name(player.playfab_id) is None


def test_names_of_three_and_of_twenty_five_characters_are_taken(pf):
    new_player()
    for name in (uuid.uuid4().hex[:3], uuid.uuid4().hex[:25]):
        assert sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name}) == {"DisplayName": name}


def test_admin_renames_a_player_and_is_held_to_uniqueness(pf):
    target, holder = new_player(), new_player()
    taken = _fresh_name()
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": taken})
    sdk.session(None)
    name = _fresh_name()
    answer = sdk.call(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"PlayFabId": target.playfab_id, "DisplayName": name})
    assert answer == {"DisplayName": name}
    error = _refused(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"PlayFabId": target.playfab_id, "DisplayName": taken})
    assert (error["error"], error["errorCode"]) == ("NameNotAvailable", 1058)
    error = _refused(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"PlayFabId": "0000000000000000", "DisplayName": name})
    assert (error["code"], error["error"], error["errorCode"]) == (400, "AccountNotFound", 1001)
    error = _refused(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    assert error["errorDetails"] == {"PlayFabId": ["The PlayFabId field is required."]}
    holder.use()
    assert _shown_name(target.playfab_id) == name


def test_racing_renames_to_one_name_leave_exactly_one_holder(server):
    players = [login(server) for _ in range(RACERS)]
    name = _fresh_name()
    barrier = threading.Barrier(RACERS, timeout=60)
    answers: list[dict | None] = [None] * RACERS

    def rename(i: int) -> None:
        with httpx.Client(timeout=60, verify=False) as client:  # one connection per racer
            client.post(server.url + "/Client/GetAccountInfo", json={}, headers={"X-Authorization": players[i].ticket})
            barrier.wait()
            answers[i] = client.post(
                server.url + "/Client/UpdateUserTitleDisplayName",
                json={"DisplayName": name},
                headers={"X-Authorization": players[i].ticket},
            ).json()

    threads = [threading.Thread(target=rename, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(a is not None for a in answers)
    winners = [i for i, a in enumerate(answers) if a and a["code"] == 200]
    assert len(winners) == 1, answers
    assert all(a["error"] == "NameNotAvailable" for i, a in enumerate(answers) if a and i not in winners), answers
    winner = players[winners[0]].playfab_id
    headers = {"X-SecretKey": SECRET_KEY}
    shown = [
        server.post("/Server/GetUserAccountInfo", {"PlayFabId": p.playfab_id}, headers).json()["data"]["UserInfo"]
        for p in players
    ]
    assert [info["PlayFabId"] for info in shown if info["TitleInfo"].get("DisplayName") == name] == [winner]
    found = server.post("/Admin/GetUserAccountInfo", {"TitleDisplayName": name}, headers).json()
    assert found["data"]["UserInfo"]["PlayFabId"] == winner
    # Every loser can still take a name of its own: nothing was left half-claimed.
    loser = next(p for i, p in enumerate(players) if i not in winners)
    renamed = server.post(
        "/Client/UpdateUserTitleDisplayName", {"DisplayName": _fresh_name()}, {"X-Authorization": loser.ticket}
    )
    assert renamed.json()["code"] == 200


@pytest.fixture(scope="module")
def duplicates_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("dupes"), ALLOW_DUPLICATE_DISPLAY_NAMES="true") as srv:
        yield srv


def test_with_duplicates_allowed_two_players_share_a_name_and_lookups_by_name_find_none(duplicates_server):
    sdk.point_at(duplicates_server)
    first, second = new_player(), new_player()
    name = _fresh_name()
    for player in (first, second):
        player.use()
        assert sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name}) == {"DisplayName": name}
    assert _shown_name(first.playfab_id) == name == _shown_name(second.playfab_id)
    error = _refused(PlayFabClientAPI.GetAccountInfo, {"TitleDisplayName": name})
    assert (error["error"], error["errorCode"]) == ("AccountNotFound", 1001)


def _in_process(tmp_path, body):
    """Run `body(services)` against the core on an embedded store of its own."""
    from shared.services import Services
    from shared.storage.sqlite import SQLiteStore

    settings = load_settings(base_env(tmp_path))

    async def run():
        store = SQLiteStore(tmp_path / "names.sqlite3")
        try:
            await body(Services(settings, store, None))  # type: ignore[arg-type]
        finally:
            await store.close()

    asyncio.run(run())


def test_a_claim_left_pending_by_a_crash_blocks_no_one_and_deletion_frees_the_name(tmp_path):
    async def body(services):
        first, _, _ = await accounts.login(services.store, LoginKind.CUSTOM_ID, "first", create=True)
        second, _, _ = await accounts.login(services.store, LoginKind.CUSTOM_ID, "second", create=True)
        # The first player's rename stopped after its claim (a crash): the lookup is still pending.
        await logins.claim(services.store, LoginKind.DISPLAY_NAME, "Wanted", first["PlayFabId"])
        assert await logins.holder(services.store, LoginKind.DISPLAY_NAME, "wanted") is None
        assert await display_names.set_display_name(services, second["PlayFabId"], "Wanted") == "Wanted"
        assert await logins.holder(services.store, LoginKind.DISPLAY_NAME, "WANTED") == second["PlayFabId"]
        with pytest.raises(PlayFabError) as err:
            await display_names.set_display_name(services, first["PlayFabId"], "wanted")
        assert err.value.name == "NameNotAvailable"
        # Deleting a player frees its name.
        account = await accounts.require_account(services.store, second["PlayFabId"])
        await display_names.release_display_name(services, account)
        assert await logins.holder(services.store, LoginKind.DISPLAY_NAME, "wanted") is None
        assert await display_names.set_display_name(services, first["PlayFabId"], "wanted") == "wanted"

    _in_process(tmp_path, body)
