"""What the disk-fault suites share: a player with data, and a host start that must fail."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import httpx

from tests.support.credentials import Player, login
from tests.support.server import REPO, SECRET_KEY, Server

SERVER_KEY = {"X-SecretKey": SECRET_KEY}
RETRY_AFTER_SECONDS = 30  # what the README promises for a store that cannot take writes


def player_with_data(server: Server, custom_id: str | None = None) -> Player:
    player = login(server, custom_id or f"disk-{uuid.uuid4()}")
    resp = server.post("/Client/UpdateUserData", {"Data": {"level": "7"}}, {"X-Authorization": player.ticket})
    assert resp.json()["code"] == 200, resp.text
    return player


def read_data(server: Server, player: Player) -> dict[str, Any]:
    body: dict[str, Any] = server.post("/Server/GetUserData", {"PlayFabId": player.playfab_id}, SERVER_KEY).json()
    return body


def assert_unavailable(resp: httpx.Response) -> None:
    body = resp.json()
    assert resp.status_code == 503, resp.text
    assert (body["error"], body["errorCode"]) == ("ServiceUnavailable", 1123)
    assert body["retryAfterSeconds"] == RETRY_AFTER_SECONDS
    assert resp.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


def start_expecting_failure(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the local host where it must refuse to start; one that serves instead is killed at the timeout."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "local_host"], cwd=REPO, env=env, capture_output=True, text=True, timeout=45
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the host started and served instead of refusing:\n{exc.stderr!r}") from None
