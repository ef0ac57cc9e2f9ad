"""The backend's own PlayStream events (names and fields from PlayStreamEventModels.json), read back
through Admin/ext-ReadEvents, on both stores; and a failed event never fails the write it describes."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabDataAPI, PlayFabServerAPI

from shared.auth.tokens import Signer
from shared.config.settings import load_settings
from shared.features import playstream
from shared.services import Services
from shared.storage import StoreUnavailable
from shared.storage.sqlite import SQLiteStore
from tests.support import sdk
from tests.support.entity_calls import key, set_objects
from tests.support.players import new_player
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID, Server, base_env

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def backend_events(server: Server, **request: Any) -> list[dict[str, Any]]:
    answer = server.post("/Admin/ext-ReadEvents", {"Count": 1000, **request}, {"X-SecretKey": SECRET_KEY}).json()
    assert answer["code"] == 200, answer
    return [e for e in answer["data"]["Events"] if e["EventNamespace"] == "com.playfab"]


def names(server: Server, playfab_id: str) -> list[str]:
    return [e["EventName"] for e in backend_events(server, PlayFabId=playfab_id)]


def test_a_first_login_records_player_created_and_player_logged_in(pf):
    player = new_player()
    logged_in, created = backend_events(pf, PlayFabId=player.playfab_id)
    for event in (logged_in, created):
        assert (event["EntityType"], event["EntityId"], event["PlayFabId"]) == ("player",) + (player.playfab_id,) * 2
        assert (event["SourceType"], event["Source"], event["TitleId"]) == ("BackEnd", "PlayFab", TITLE_ID)
        assert ISO.match(event["Timestamp"])
    assert created["EventName"] == "player_created"
    assert set(created["Body"]) == {"TitleId", "Created"} and ISO.match(created["Body"]["Created"])
    assert logged_in["EventName"] == "player_logged_in"
    assert logged_in["Body"] == {"TitleId": TITLE_ID, "Platform": "Custom"}


def test_a_returning_login_records_only_player_logged_in(pf):
    custom_id = f"again-{uuid.uuid4()}"
    player = new_player(custom_id)
    new_player(custom_id)
    assert names(pf, player.playfab_id) == ["player_logged_in", "player_logged_in", "player_created"]


def test_a_server_login_names_its_platform(pf):
    data = sdk.call(
        PlayFabServerAPI.LoginWithServerCustomId, {"ServerCustomId": f"s-{uuid.uuid4()}", "CreateAccount": True}
    )
    logged_in = backend_events(pf, PlayFabId=data["PlayFabId"])[0]
    assert logged_in["Body"]["Platform"] == "CustomServer"


def test_links_and_unlinks(pf):
    player = new_player()
    player.use()
    device = f"dev-{uuid.uuid4()}"
    sdk.call(PlayFabClientAPI.LinkAndroidDeviceID, {"AndroidDeviceId": device})
    sdk.call(PlayFabClientAPI.LinkAndroidDeviceID, {"AndroidDeviceId": device})  # linked already: no event
    sdk.call(PlayFabClientAPI.UnlinkAndroidDeviceID, {})
    unlinked, linked = backend_events(pf, PlayFabId=player.playfab_id)[:2]
    assert linked["EventName"] == "player_linked_account"
    assert linked["Body"] == {"TitleId": TITLE_ID, "Origination": "AndroidDevice", "OriginationUserId": device}
    assert unlinked["EventName"] == "player_unlinked_account"
    assert unlinked["Body"] == {"TitleId": TITLE_ID, "Origination": "AndroidDevice", "OriginationUserId": device}
    assert names(pf, player.playfab_id).count("player_linked_account") == 1


def test_adding_a_username_and_password_is_a_linked_account(pf):
    player = new_player()
    player.use()
    username = f"u{uuid.uuid4().hex[:12]}"
    email = f"{username}@example.com"
    sdk.call(PlayFabClientAPI.AddUsernamePassword, {"Username": username, "Email": email, "Password": "a password!"})
    linked = backend_events(pf, PlayFabId=player.playfab_id)[0]
    assert linked["EventName"] == "player_linked_account"
    assert linked["Body"] == {"TitleId": TITLE_ID, "Origination": "PlayFab", "Username": username, "Email": email}


def test_display_name_changes(pf):
    player = new_player()
    player.use()
    first, second = f"n{uuid.uuid4().hex[:10]}", f"m{uuid.uuid4().hex[:10]}"
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": first})
    sdk.call(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"PlayFabId": player.playfab_id, "DisplayName": second})
    sdk.call(PlayFabAdminAPI.UpdateUserTitleDisplayName, {"PlayFabId": player.playfab_id, "DisplayName": second})
    changes = [
        e for e in backend_events(pf, PlayFabId=player.playfab_id) if e["EventName"] == "player_displayname_changed"
    ]
    assert [e["Body"] for e in changes] == [
        {"TitleId": TITLE_ID, "DisplayName": second, "PreviousDisplayName": first},
        {"TitleId": TITLE_ID, "DisplayName": first},
    ]


def test_bans(pf):
    player = new_player()
    data = sdk.call(
        PlayFabAdminAPI.BanUsers,
        {
            "Bans": [
                {"PlayFabId": player.playfab_id, "Reason": "spam", "DurationInHours": 2},
                {"PlayFabId": player.playfab_id},
            ]
        },
    )
    timed, permanent = data["BanData"]
    forever, for_two_hours = backend_events(pf, PlayFabId=player.playfab_id)[:2]
    assert for_two_hours["EventName"] == forever["EventName"] == "player_banned"
    assert for_two_hours["Body"] == {
        "TitleId": TITLE_ID,
        "BanId": timed["BanId"],
        "BanReason": "spam",
        "PermanentBan": False,
        "BanExpiration": for_two_hours["Body"]["BanExpiration"],
    }
    assert ISO.match(for_two_hours["Body"]["BanExpiration"])
    assert forever["Body"] == {"TitleId": TITLE_ID, "BanId": permanent["BanId"], "PermanentBan": True}


def test_a_granted_character_is_character_created(pf):
    player = new_player()
    data = sdk.call(
        PlayFabServerAPI.GrantCharacterToUser,
        {"PlayFabId": player.playfab_id, "CharacterName": "Hero", "CharacterType": "mage"},
    )
    [event] = backend_events(pf, Entity={"Type": "character", "Id": data["CharacterId"]})
    assert event["EventName"] == "character_created"
    assert (event["EntityType"], event["EntityId"]) == ("character", data["CharacterId"])
    assert set(event["Body"]) == {"TitleId", "CharacterName", "Created", "PlayerId"}
    assert (event["Body"]["CharacterName"], event["Body"]["PlayerId"]) == ("Hero", player.playfab_id)
    assert event in backend_events(pf, PlayFabId=player.playfab_id)  # in its owner's stream


def test_set_objects_is_entity_objects_set_when_something_changed(pf):
    player = new_player()
    player.use()
    me = key(player)
    set_objects(me, [{"ObjectName": "save", "DataObject": {"level": 2}}, {"ObjectName": "gone", "DeleteObject": True}])
    set_objects(me, [{"ObjectName": "save", "DataObject": {"level": 2}}])  # unchanged: no event
    sdk.call(PlayFabDataAPI.SetObjects, {"Entity": me, "Objects": [{"ObjectName": "save", "DeleteObject": True}]})
    deleted, created = backend_events(pf, Entity=me)
    assert (created["EventName"], created["EntityType"], created["EntityId"]) == (
        "entity_objects_set",
        "title_player_account",
        player.entity_id,
    )
    assert created["Body"] == {
        "TitleId": TITLE_ID,
        "Objects": [{"Name": "save", "Operation": "Created", "DataObject": {"level": 2}}],
    }
    assert deleted["Body"]["Objects"] == [{"Name": "save", "Operation": "Deleted"}]


def test_an_event_that_cannot_be_stored_never_fails_its_write(tmp_path: Path):
    class NoEventLog(SQLiteStore):
        async def append_events(self, streams: Any, expires_at: float) -> str:
            raise StoreUnavailable("the event log is down")

    async def scenario() -> None:
        store = NoEventLog(tmp_path / "s.sqlite3")
        try:
            services = Services(load_settings(base_env(tmp_path)), store, Signer((SIGNING_KEY,), TITLE_ID))
            await playstream.record(services, name="player_logged_in", entity_type="player", entity_id="P", body={})
            assert (await store.read_events("player!P", 10)).events == []
        finally:
            await store.close()

    asyncio.run(scenario())
