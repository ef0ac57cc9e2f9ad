"""Custom property limits come from settings, survive being lowered, and a player's writes are rate limited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.config.rate_windows import DEFAULTS, PLAYER_CUSTOM_PROPERTIES, USER_DATA
from shared.config.settings import SettingsError, load_settings
from tests.support import sdk
from tests.support.custom_property_calls import CLIENT, DELETE, GET, LIST, SERVER, UPDATE, call, refused
from tests.support.players import new_player
from tests.support.server import SECRET_KEY, TITLE_ID, Server, base_env, running_server

LOWERED = {
    "PLAYER_CUSTOM_PROPERTY_COUNT": "2",
    "PLAYER_CUSTOM_PROPERTY_NAME_MAX_CHARS": "4",
    "PLAYER_CUSTOM_PROPERTY_VALUE_MAX_CHARS": "3",
}


def _props(*pairs: tuple[str, Any]) -> dict[str, Any]:
    return {"Properties": [{"Name": name, "Value": value} for name, value in pairs]}


def test_the_defaults_are_playfabs(tmp_path: Path):
    env = {"PLAYFAB_TITLE_ID": TITLE_ID, "PLAYFAB_SECRET_KEYS": SECRET_KEY, "SQLITE_PATH": str(tmp_path / "s.db")}
    settings = load_settings(env)
    assert settings.player_custom_property_count == 5
    assert settings.player_custom_property_name_max_chars == 36
    assert settings.player_custom_property_value_max_chars == 36
    assert DEFAULTS[PLAYER_CUSTOM_PROPERTIES] == DEFAULTS[USER_DATA]
    with pytest.raises(SettingsError) as exc:
        load_settings({**env, "PLAYER_CUSTOM_PROPERTY_COUNT": "0", "PLAYER_CUSTOM_PROPERTY_VALUE_MAX_CHARS": "x"})
    assert "PLAYER_CUSTOM_PROPERTY_COUNT" in str(exc.value)
    assert "PLAYER_CUSTOM_PROPERTY_VALUE_MAX_CHARS" in str(exc.value)


def test_limits_follow_the_settings(tmp_path: Path):
    with running_server(tmp_path, **LOWERED) as server:
        sdk.point_at(server)
        new_player().use()
        assert call(CLIENT, UPDATE, _props(("abcd", "xyz"), ("b", 1)))["PropertiesVersion"] == 1
        for request, code in (
            (_props(("c", 1)), 19005),
            (_props(("abcde", 1)), 19000),
            (_props(("b", "wxyz")), 19002),
            ({"PropertyNames": ["a", "b", "c"]}, 1000),
        ):
            method = DELETE if "PropertyNames" in request else UPDATE
            assert refused(CLIENT, method, request)["errorCode"] == code, request
        assert call(CLIENT, LIST)["PropertiesVersion"] == 1


def test_properties_over_a_lowered_limit_can_still_be_changed_and_deleted(tmp_path: Path):
    env = base_env(tmp_path)
    with running_server(tmp_path, env=env) as server:
        sdk.point_at(server)
        player = new_player()
        player.use()
        call(CLIENT, UPDATE, _props(*[(f"p{i}", "value") for i in range(5)]))
    with running_server(tmp_path, env={**env, **LOWERED}) as server:
        sdk.point_at(server)
        player.use()
        # Held before the limits were lowered: still readable, changeable and deletable.
        assert call(CLIENT, GET, {"PropertyName": "p0"})["Property"] == {"Name": "p0", "Value": "value"}
        assert call(CLIENT, UPDATE, _props(("p0", 1), ("p1", 2)))["PropertiesVersion"] == 2
        assert refused(CLIENT, UPDATE, _props(("new", 1)))["errorCode"] == 19005
        deleted = call(CLIENT, DELETE, {"PropertyNames": ["p0", "p1"]})
        assert deleted["DeletedProperties"] == [{"Name": "p0", "WasDeleted": True}, {"Name": "p1", "WasDeleted": True}]
        call(CLIENT, DELETE, {"PropertyNames": ["p2", "p3"]})
        assert [p["Name"] for p in call(CLIENT, LIST)["Properties"]] == ["p4"]
        assert call(CLIENT, UPDATE, _props(("new", 1)))["PropertiesVersion"] == 5


def _post(client: httpx.Client, server: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(server.url + path, json=body, headers=headers, timeout=30).json()


def test_updates_and_deletes_share_a_players_budget_and_reads_are_free(tmp_path: Path):
    with running_server(tmp_path, RATE_LIMITS="client", RATE_LIMIT_PLAYER_CUSTOM_PROPERTIES="4/3600") as server:
        sdk.point_at(server)
        player, other = new_player(), new_player()
        mine = {"X-Authorization": player.ticket}
        with httpx.Client() as client:
            for n in range(2):
                assert _post(client, server, f"/Client/{UPDATE}", _props(("n", n)), mine)["code"] == 200
                assert _post(client, server, f"/Client/{DELETE}", {"PropertyNames": ["n"]}, mine)["code"] == 200
            throttled = _post(client, server, f"/Client/{UPDATE}", _props(("n", "refused")), mine)
            assert (throttled["code"], throttled["error"], throttled["errorCode"]) == (
                429,
                "APIClientRequestRateLimitExceeded",
                1199,
            )
            refused_delete = _post(client, server, f"/Client/{DELETE}", {"PropertyNames": ["n"]}, mine)
            assert refused_delete["errorCode"] == 1199
            for method, body in ((LIST, {}), (GET, {"PropertyName": "n"})):
                for _ in range(6):
                    assert _post(client, server, f"/Client/{method}", body, mine)["code"] in (200, 400)
            # Another player has its own budget, and the title is not limited by default.
            theirs = {"X-Authorization": other.ticket}
            assert _post(client, server, f"/Client/{UPDATE}", _props(("n", 1)), theirs)["code"] == 200
            title = {"X-SecretKey": SECRET_KEY}
            for n in range(6):
                body = {"PlayFabId": player.playfab_id, **_props(("n", n))}
                assert _post(client, server, f"/{SERVER}/{UPDATE}", body, title)["code"] == 200
        assert call(SERVER, LIST, {"PlayFabId": player.playfab_id})["Properties"] == [{"Name": "n", "Value": 5}]
