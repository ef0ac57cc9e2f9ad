"""Entity object and profile calls through the official SDK, for the tests of Object/* and Profile/*."""

from __future__ import annotations

from typing import Any

import playfab.PlayFabSettings as settings
import pytest
from playfab import PlayFabAuthenticationAPI, PlayFabDataAPI, PlayFabProfilesAPI

from tests.support import sdk
from tests.support.players import Player
from tests.support.sdk import PlayFabCallError
from tests.support.server import SECRET_KEY, Server

PLAYER = "title_player_account"


def key(player: Player) -> dict[str, str]:
    return {"Id": player.entity_id, "Type": PLAYER}


def set_objects(entity: dict[str, str], objects: list[dict[str, Any]], expected: int | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"Entity": entity, "Objects": objects}
    if expected is not None:
        request["ExpectedProfileVersion"] = expected
    return sdk.call(PlayFabDataAPI.SetObjects, request)


def get_objects(entity: dict[str, str], **options: Any) -> dict[str, Any]:
    return sdk.call(PlayFabDataAPI.GetObjects, {"Entity": entity, **options})


def get_profile(entity: dict[str, str] | None = None, **options: Any) -> dict[str, Any]:
    request = {"Entity": entity, **options} if entity else dict(options)
    return sdk.call(PlayFabProfilesAPI.GetProfile, request)["Profile"]


def error_of(exc: pytest.ExceptionInfo[PlayFabCallError]) -> dict[str, Any]:
    """The error envelope, checked for PlayFab's fields."""
    e = exc.value.error
    assert set(e) >= {"code", "status", "error", "errorCode", "errorMessage"}
    assert e["errorMessage"]
    return e


def fields(e: dict[str, Any]) -> tuple[int, str, str, int]:
    return e["code"], e["status"], e["error"], e["errorCode"]


def envelope(exc: pytest.ExceptionInfo[PlayFabCallError]) -> tuple[int, str, str, int]:
    return fields(error_of(exc))


def check_object_limits(entity: dict[str, str], count: int, max_bytes: int) -> None:
    """Fill the entity up to its limits, then check that one object more and one byte more are refused."""
    filler = "z" * (max_bytes - 2)  # with its quotes, exactly max_bytes of JSON
    set_objects(entity, [{"ObjectName": f"o{i}", "DataObject": filler} for i in range(count)])
    for objects in ([{"ObjectName": f"o{count}", "DataObject": 1}], [{"ObjectName": "o0", "DataObject": filler + "z"}]):
        with pytest.raises(PlayFabCallError) as exc:
            set_objects(entity, objects)
        assert envelope(exc) == (400, "BadRequest", "EntityProfileConstraintValidationFailed", 1398)


def use_title() -> dict[str, str]:
    """Switch the SDK to the title entity (GetEntityToken with the secret key); return its key."""
    sdk.session(None, None)
    data = sdk.call(PlayFabAuthenticationAPI.GetEntityToken)
    assert settings._internalSettings.EntityToken == data["EntityToken"]
    return data["Entity"]


def add_character(server: Server, owner: Player) -> dict[str, str]:
    """A character granted to `owner` through Server/GrantCharacterToUser; returns its entity key."""
    body = {"PlayFabId": owner.playfab_id, "CharacterName": "Hero", "CharacterType": "warrior"}
    answer = server.post("/Server/GrantCharacterToUser", body, {"X-SecretKey": SECRET_KEY}).json()
    assert answer["code"] == 200, answer
    return {"Id": answer["data"]["CharacterId"], "Type": "character"}
