"""Statistics and leaderboards for tests: a host that lets clients post statistics, with a clock to move,
and the calls the suites repeat."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import sdk
from tests.support.data_calls import call
from tests.support.host_clock import HostClock
from tests.support.limited_hosts import host_on
from tests.support.server import Server


def fresh_name(prefix: str = "stat") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@contextmanager
def statistics_host(backend: str, request: pytest.FixtureRequest, directory: Path) -> Iterator[Server]:
    """A host on `backend` where clients may post statistics, its clock in `server.extra["clock"]`."""
    clock = HostClock(directory)
    with host_on(backend, request, directory / "data", ALLOW_CLIENT_STATISTIC_UPDATES="true", **clock.env()) as srv:
        srv.extra["clock"] = clock
        sdk.point_at(srv)
        yield srv


def host_now(server: Server) -> float:
    clock: HostClock = server.extra["clock"]
    return time.time() + clock.offset


def advance_to(server: Server, moment: datetime, past: float = 1.0) -> None:
    """Move the host's clock to `past` seconds after `moment` (which must lie ahead)."""
    clock: HostClock = server.extra["clock"]
    delta = moment.timestamp() + past - host_now(server)
    assert delta > 0, "the host's clock only moves forward"
    clock.advance(delta)


def advance(server: Server, seconds: float) -> None:
    clock: HostClock = server.extra["clock"]
    clock.advance(seconds)


def next_hour(ts: float) -> datetime:
    return datetime.fromtimestamp(math.floor(ts / 3600) * 3600 + 3600, UTC)


def next_day(ts: float) -> datetime:
    return datetime.fromtimestamp(math.floor(ts / 86400) * 86400 + 86400, UTC)


def next_monday(ts: float) -> datetime:
    day = next_day(ts)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def next_month(ts: float) -> datetime:
    moment = datetime.fromtimestamp(ts, UTC)
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)


def iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def server_update(playfab_id: str, stats: dict[str, int], **extra: Any) -> dict[str, Any]:
    updates = [{"StatisticName": name, "Value": value} for name, value in stats.items()]
    return call("Server/UpdatePlayerStatistics", {"PlayFabId": playfab_id, "Statistics": updates, **extra})


def values_of(playfab_id: str, names: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """{name: (value, version)} of the player's current statistics, read by the Server API."""
    request: dict[str, Any] = {"PlayFabId": playfab_id}
    if names is not None:
        request["StatisticNames"] = names
    data = call("Server/GetPlayerStatistics", request)
    return {s["StatisticName"]: (s["Value"], s["Version"]) for s in data["Statistics"]}


def board(name: str, start: int = 0, count: int = 100, **extra: Any) -> list[tuple[str, int, int]]:
    """(PlayFabId, StatValue, Position) of a leaderboard page, read by the Server API."""
    data = call(
        "Server/GetLeaderboard", {"StatisticName": name, "StartPosition": start, "MaxResultsCount": count, **extra}
    )
    return [(e["PlayFabId"], e["StatValue"], e["Position"]) for e in data["Leaderboard"]]


def define(name: str, aggregation: str = "Last", interval: str = "Never") -> dict[str, Any]:
    request = {"StatisticName": name, "AggregationMethod": aggregation, "VersionChangeInterval": interval}
    return call("Admin/CreatePlayerStatisticDefinition", request)["Statistic"]
