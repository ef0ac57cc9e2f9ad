"""The entity object limits come from settings: an operator can change every one of them."""

from __future__ import annotations

import pytest

from shared.config.settings import SettingsError, load_settings
from tests.support import sdk
from tests.support.entity_calls import envelope, get_objects, key, set_objects, use_title
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import SECRET_KEY, TITLE_ID, running_server

LIMITS = {
    "PLAYER_OBJECT_COUNT": "2",
    "PLAYER_OBJECT_BYTES": "10",
    "TITLE_OBJECT_COUNT": "1",
    "TITLE_OBJECT_BYTES": "20",
    "OBJECT_NAME_MAX_CHARS": "3",
}


def test_limits_follow_the_settings(tmp_path):
    with running_server(tmp_path, **LIMITS) as server:
        sdk.point_at(server)
        player = new_player()
        player.use()
        set_objects(
            key(player), [{"ObjectName": "abc", "DataObject": "12345678"}, {"ObjectName": "b", "DataObject": 1}]
        )
        for objects, error in (
            ([{"ObjectName": "c", "DataObject": 1}], "EntityProfileConstraintValidationFailed"),
            ([{"ObjectName": "b", "DataObject": "123456789"}], "EntityProfileConstraintValidationFailed"),
            ([{"ObjectName": "abcd", "DataObject": 1}], "InvalidParams"),
        ):
            with pytest.raises(PlayFabCallError) as exc:
                set_objects(key(player), objects)
            assert envelope(exc)[:3] == (400, "BadRequest", error)
        assert get_objects(key(player))["ProfileVersion"] == 1

        title = use_title()
        set_objects(title, [{"ObjectName": "t", "DataObject": "x" * 18}])
        with pytest.raises(PlayFabCallError) as exc:
            set_objects(title, [{"ObjectName": "u", "DataObject": 1}])
        assert envelope(exc) == (400, "BadRequest", "EntityProfileConstraintValidationFailed", 1398)


def test_bad_limit_settings_stop_start_up(tmp_path):
    env = {"PLAYFAB_TITLE_ID": TITLE_ID, "PLAYFAB_SECRET_KEYS": SECRET_KEY, "SQLITE_PATH": str(tmp_path / "s.db")}
    settings = load_settings(env)
    assert (settings.player_object_count, settings.player_object_bytes) == (5, 1_000)
    assert (settings.title_object_count, settings.title_object_bytes) == (10, 2_000)
    assert settings.object_name_max_chars == 64
    with pytest.raises(SettingsError) as exc:
        load_settings({**env, "PLAYER_OBJECT_COUNT": "many", "TITLE_OBJECT_BYTES": "0"})
    assert "PLAYER_OBJECT_COUNT" in str(exc.value) and "TITLE_OBJECT_BYTES" in str(exc.value)
