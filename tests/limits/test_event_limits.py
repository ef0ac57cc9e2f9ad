"""A player's event-writing calls draw on RATE_LIMIT_EVENTS, whatever the call and the batch size."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.credentials import login
from tests.support.limited_hosts import assert_throttled, call, host_on


@pytest.mark.parametrize("backend", ["sqlite", "cosmos"])
def test_event_calls_share_one_budget(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    with host_on(backend, request, tmp_path, RATE_LIMITS="client", RATE_LIMIT_EVENTS="3/3600") as srv:
        player = login(srv)
        ticket, token = {"X-Authorization": player.ticket}, {"X-EntityToken": player.entity_token}
        batch = {"Events": [{"EventNamespace": "custom", "Name": f"e{i}"} for i in range(50)]}
        assert call(srv, "/Client/WritePlayerEvent", {"EventName": "a"}, ticket).status_code == 200
        assert call(srv, "/Event/WriteEvents", batch, token).status_code == 200
        assert call(srv, "/Client/WriteTitleEvent", {"EventName": "b"}, ticket).status_code == 200
        assert_throttled(call(srv, "/Client/WritePlayerEvent", {"EventName": "c"}, ticket), 3600)
        assert_throttled(call(srv, "/Event/WriteEvents", batch, token), 3600)
        other = login(srv)  # another player's budget is its own
        assert (
            call(srv, "/Client/WritePlayerEvent", {"EventName": "d"}, {"X-Authorization": other.ticket}).status_code
            == 200
        )
