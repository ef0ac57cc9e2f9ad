"""Key history's limits on both stores: entries past KEY_HISTORY_RETENTION_DAYS are gone (injected clock),
and a value longer than KEY_HISTORY_MAX_VALUE_BYTES is kept as its SHA-256 and size."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from shared.config.settings import SettingsError, load_settings
from tests.support.credentials import login
from tests.support.host_clock import HostClock
from tests.support.limited_hosts import host_on
from tests.support.server import SECRET_KEY, Server, base_env

DAY = 86_400
KEY = {"X-SecretKey": SECRET_KEY}


def _write(srv: Server, ticket: str, value: str) -> None:
    answer = srv.post("/Client/UpdateUserData", {"Data": {"k": value}}, {"X-Authorization": ticket}).json()
    assert answer["code"] == 200, answer


def _entries(srv: Server, playfab_id: str) -> list[dict[str, Any]]:
    request = {"Target": "UserData", "PlayFabId": playfab_id, "Key": "k"}
    answer = srv.post("/Admin/ext-ReadKeyHistory", request, KEY).json()
    assert answer["code"] == 200, answer
    found: list[dict[str, Any]] = answer["data"]["Entries"]
    return found


@pytest.mark.parametrize("backend", ["sqlite", "cosmos"])
def test_entries_past_the_retention_are_gone(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    clock = HostClock(tmp_path)
    env = {"KEY_HISTORY_RETENTION_DAYS": "2", "SESSION_TTL_SECONDS": "31536000", **clock.env()}
    with host_on(backend, request, tmp_path, **env) as srv:
        player = login(srv)
        _write(srv, player.ticket, "day_0")
        clock.advance(DAY)
        _write(srv, player.ticket, "day_1")
        assert [e["NewValue"]["Value"] for e in _entries(srv, player.playfab_id)] == ["day_1", "day_0"]
        clock.advance(DAY + 60)
        assert [e["NewValue"]["Value"] for e in _entries(srv, player.playfab_id)] == ["day_1"]
        clock.advance(3 * DAY)
        assert _entries(srv, player.playfab_id) == []


@pytest.mark.parametrize("backend", ["sqlite", "cosmos"])
def test_large_values_are_kept_as_their_hash(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    with host_on(backend, request, tmp_path, KEY_HISTORY_MAX_VALUE_BYTES="16") as srv:
        player = login(srv)
        small, large = "x" * 16, "é" * 9  # 16 bytes, then 18 bytes of UTF-8
        _write(srv, player.ticket, small)
        _write(srv, player.ticket, large)
        newest, oldest = _entries(srv, player.playfab_id)
        digest = hashlib.sha256(large.encode("utf-8")).hexdigest()
        assert oldest["NewValue"] == {"Value": small}
        assert (newest["OldValue"], newest["NewValue"]) == ({"Value": small}, {"Sha256": digest, "Bytes": 18})
        refused = srv.post(
            "/Admin/ext-RestoreKeyHistory",
            {"Target": "UserData", "PlayFabId": player.playfab_id, "Key": "k", "EntryId": newest["EntryId"]},
            KEY,
        ).json()
        assert (refused["code"], refused["error"]) == (400, "InvalidParams")


def test_the_retention_may_not_outlast_the_event_log(tmp_path: Path):
    env = base_env(tmp_path, KEY_HISTORY_RETENTION_DAYS="31", EVENTS_RETENTION_DAYS="30")
    with pytest.raises(SettingsError, match="KEY_HISTORY_RETENTION_DAYS must be at most EVENTS_RETENTION_DAYS"):
        load_settings(env)
