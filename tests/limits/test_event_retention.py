"""Events older than EVENTS_RETENTION_DAYS are no longer read, on both stores (the host's clock moved)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.credentials import login
from tests.support.host_clock import HostClock
from tests.support.limited_hosts import host_on
from tests.support.server import SECRET_KEY, Server

DAY = 86_400


def _write(srv: Server, ticket: str, name: str) -> None:
    answer = srv.post("/Client/WritePlayerEvent", {"EventName": name}, {"X-Authorization": ticket}).json()
    assert answer["code"] == 200, answer


def _names(srv: Server, playfab_id: str) -> list[str]:
    answer = srv.post("/Admin/ext-ReadEvents", {"PlayFabId": playfab_id}, {"X-SecretKey": SECRET_KEY}).json()
    assert answer["code"] == 200, answer
    return [e["EventName"] for e in answer["data"]["Events"] if e["EventNamespace"] != "com.playfab"]


@pytest.mark.parametrize("backend", ["sqlite", "cosmos"])
def test_events_past_the_retention_are_gone(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    clock = HostClock(tmp_path)
    with host_on(
        backend,
        request,
        tmp_path,
        EVENTS_RETENTION_DAYS="2",
        KEY_HISTORY_RETENTION_DAYS="2",  # may not outlast the log it is kept in
        SESSION_TTL_SECONDS="31536000",
        **clock.env(),
    ) as srv:
        player = login(srv)
        _write(srv, player.ticket, "day_0")
        clock.advance(DAY)
        _write(srv, player.ticket, "day_1")
        assert _names(srv, player.playfab_id) == ["day_1", "day_0"]
        clock.advance(DAY + 60)  # day_0 is past two days now, day_1 is not
        assert _names(srv, player.playfab_id) == ["day_1"]
        _write(srv, player.ticket, "day_2")  # on SQLite this append also prunes day_0's record
        assert _names(srv, player.playfab_id) == ["day_2", "day_1"]
        clock.advance(3 * DAY)
        assert _names(srv, player.playfab_id) == []
