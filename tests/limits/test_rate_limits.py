"""Rate limits: PlayFab's numbers by default for players, 429 APIClientRequestRateLimitExceeded with
Retry-After, configurable, and counted in the store so every worker process shares one count."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playfab import PlayFabDataAPI

from shared.auth.caller import Auth
from shared.config.rate_windows import DEFAULTS, ENTITY_UPDATES, SHARED_GROUP_WRITES
from tests.support import sdk
from tests.support.credentials import Player, headers_for, login
from tests.support.endpoint_requests import TABLE
from tests.support.host_clock import HostClock
from tests.support.routes import ENDPOINTS
from tests.support.server import SECRET_KEY, Server, base_env, running_server, start_until_exit
from tests.support.world import new_target

SET_OBJECTS = "/Object/SetObjects"
TITLE_PLAYER = "title_player_account"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A host with the default limits (the general suite's host has them off)."""
    # Many players log in from one address here; the per-address limits have their own tests.
    roomy = {"RATE_LIMIT_ACCOUNT_CREATION": "100000/60", "RATE_LIMIT_ANONYMOUS_CALLS": "100000/15"}
    with running_server(tmp_path_factory.mktemp("limited"), RATE_LIMITS="", **roomy) as srv:
        yield srv


def _set(server: Server, player: Player, value: Any, token: str | None = None, client: Any = httpx) -> Any:
    body = {
        "Entity": {"Id": player.entity_id, "Type": TITLE_PLAYER},
        "Objects": [{"ObjectName": "o", "DataObject": value}],
    }
    headers = {"Content-Type": "application/json", "X-EntityToken": token or player.entity_token}
    return client.post(server.url + SET_OBJECTS, content=json.dumps(body), headers=headers, timeout=30)


def _stored(server: Server, player: Player) -> Any:
    body = {"Entity": {"Id": player.entity_id, "Type": TITLE_PLAYER}}
    data = server.post("/Object/GetObjects", body, {"X-EntityToken": player.entity_token}).json()["data"]
    return data["Objects"]["o"]["DataObject"]


def _title_token(server: Server) -> str:
    return server.post("/Authentication/GetEntityToken", {}, {"X-SecretKey": SECRET_KEY}).json()["data"]["EntityToken"]


def _assert_throttled(resp: httpx.Response, longest: int) -> int:
    assert resp.status_code == 429
    body = resp.json()
    assert (body["code"], body["status"], body["error"], body["errorCode"]) == (
        429,
        "TooManyRequests",
        "APIClientRequestRateLimitExceeded",
        1199,
    )
    retry = body["retryAfterSeconds"]
    assert isinstance(retry, int) and 1 <= retry <= longest
    assert resp.headers["Retry-After"] == str(retry)
    return retry


def test_every_limited_operation_uses_a_known_limit():
    limited_ops = {path: op.rate_limit for path, op in ENDPOINTS.items() if op.rate_limit}
    assert SET_OBJECTS in limited_ops
    assert set(limited_ops.values()) <= set(DEFAULTS)


LIMITED = sorted(path for path, op in ENDPOINTS.items() if op.rate_limit)


@pytest.mark.parametrize("path", LIMITED)
def test_default_limits_on_every_limited_endpoint(limited: Server, path: str):
    """Players get PlayFab's first window (10 user data, 5 character data, 10 entity updates per 15 s);
    the title (Server and Admin calls) is not limited by default."""
    op, row, target = ENDPOINTS[path], TABLE[path], new_target(limited)
    first = DEFAULTS[op.rate_limit][0]
    used = 1 if op.rate_limit == SHARED_GROUP_WRITES else 0  # new_target created the player's group
    with httpx.Client() as client:
        send = lambda: client.post(  # noqa: E731
            limited.url + path, json=row.body(target), headers=headers_for(op.auth, target.player), timeout=30
        )
        expected = row.legit.http if row.legit.error else 200  # e.g. LinkCustomID: AccountAlreadyLinked
        for n in range(first.calls - used):
            # Repeated membership calls fail once done (UserAlreadyAdded, ...) but still count; so does a
            # call the title does not let clients make (a statistic write while they are off).
            code = send().json()["code"]
            assert code == expected or (code != 429 and n > 0)
        if op.auth is Auth.SECRET:
            assert send().json()["code"] != 429
        else:
            _assert_throttled(send(), first.seconds)


def test_defaults_refuse_the_eleventh_entity_update_in_15_seconds(limited: Server):
    player, other = login(limited), login(limited)
    first = DEFAULTS[ENTITY_UPDATES][0]
    assert (first.calls, first.seconds) == (10, 15)
    with httpx.Client() as client:
        # Counted in windows that start with the first call, so ten quick calls stay in one window.
        for n in range(first.calls):
            assert _set(limited, player, n, client=client).status_code == 200
        _assert_throttled(_set(limited, player, "refused", client=client), first.seconds)
    assert _stored(limited, player) == first.calls - 1  # the refused call wrote nothing
    assert _set(limited, other, "mine").status_code == 200  # each player has its own budget
    # Reads are not limited, and neither is the title (Server-side) by default.
    assert _stored(limited, player) == first.calls - 1
    assert _set(limited, player, "from the title", token=_title_token(limited)).status_code == 200


def test_the_python_sdk_sees_the_throttle_error(limited: Server):
    sdk.point_at(limited)
    player = login(limited)
    sdk.session(player.ticket, player.entity_token)
    request = {
        "Entity": {"Id": player.entity_id, "Type": TITLE_PLAYER},
        "Objects": [{"ObjectName": "o", "DataObject": 1}],
    }
    for _ in range(DEFAULTS[ENTITY_UPDATES][0].calls):
        sdk.call(PlayFabDataAPI.SetObjects, request)
    with pytest.raises(sdk.PlayFabCallError) as refused:
        sdk.call(PlayFabDataAPI.SetObjects, request)
    e = refused.value.error
    assert (e["code"], e["status"], e["error"], e["errorCode"]) == (
        429,
        "TooManyRequests",
        "APIClientRequestRateLimitExceeded",
        1199,
    )
    assert 1 <= e["retryAfterSeconds"] <= 15


def test_configured_windows_reopen_after_retry_after(tmp_path: Path):
    clock = HostClock(tmp_path)
    with running_server(
        tmp_path, RATE_LIMITS="client", RATE_LIMIT_ENTITY_UPDATES="2/20,100/3600", **clock.env()
    ) as srv:
        player = login(srv)
        assert [_set(srv, player, n).status_code for n in range(2)] == [200, 200]
        retry = _assert_throttled(_set(srv, player, "refused"), 20)
        clock.advance(retry - 5)  # still inside the window (unless the calls above took 5 s)
        _assert_throttled(_set(srv, player, "refused again"), 20)
        clock.advance(5.01)
        assert _set(srv, player, "after the wait").status_code == 200
        assert _stored(srv, player) == "after the wait"


def test_all_limits_the_title_too_and_off_limits_nobody(tmp_path: Path):
    with running_server(tmp_path / "all", RATE_LIMITS="all", RATE_LIMIT_ENTITY_UPDATES="1/3600") as srv:
        player, title = login(srv), _title_token(srv)
        assert _set(srv, player, 1, token=title).status_code == 200
        _assert_throttled(_set(srv, player, 2, token=title), 3600)
    with running_server(tmp_path / "off", RATE_LIMITS="off", RATE_LIMIT_ENTITY_UPDATES="1/3600") as srv:
        player = login(srv)
        assert {_set(srv, player, n).status_code for n in range(5)} == {200}


def _hammer(urls: list[str], player: Player, writers: int, calls: int) -> list[int]:
    """`writers` threads, each on its own connection to one of `urls` in turn; every status they got."""
    statuses: list[int] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        host = Server(urls[w % len(urls)], Path(), {}, None, Path())  # type: ignore[arg-type]
        with httpx.Client() as client:
            for n in range(calls):
                status = _set(host, player, w * 100 + n, client=client).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_the_count_is_shared_by_two_worker_processes(tmp_path: Path):
    """Eight writers on separate connections against a two-worker host: exactly the budget gets through."""
    budget, writers, calls = 25, 8, 10
    with running_server(tmp_path, WORKERS="2", RATE_LIMITS="client", RATE_LIMIT_ENTITY_UPDATES=f"{budget}/3600") as srv:
        statuses = _hammer([srv.url], login(srv), writers, calls)
    assert statuses.count(200) == budget
    assert statuses.count(429) == writers * calls - budget


def test_the_count_is_shared_by_two_hosts_on_one_store(tmp_path: Path):
    """Which worker takes a connection is the kernel's choice; two hosts on one store file make the
    split certain: half the writers on each, and still exactly the budget gets through."""
    budget, writers, calls = 25, 8, 10
    limits = {"RATE_LIMITS": "client", "RATE_LIMIT_ENTITY_UPDATES": f"{budget}/3600"}
    env = base_env(tmp_path, **limits)
    with running_server(tmp_path, env=env) as first, running_server(tmp_path, env=env) as second:
        statuses = _hammer([first.url, second.url], login(first), writers, calls)
        served = [json.loads(line) for host in (first, second) for line in host.log().splitlines() if '"path"' in line]
    assert statuses.count(200) == budget
    assert statuses.count(429) == writers * calls - budget
    assert len({line["pid"] for line in served if line["path"] == SET_OBJECTS}) == 2


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("RATE_LIMITS", "sometimes", "RATE_LIMITS must be one of client, all, off"),
        ("RATE_LIMIT_USER_DATA", "10 per 15", "RATE_LIMIT_USER_DATA must be calls/seconds pairs"),
        ("RATE_LIMIT_CHARACTER_DATA", "0/15", "RATE_LIMIT_CHARACTER_DATA must be calls/seconds pairs"),
    ],
)
def test_bad_limit_settings_stop_start_up(tmp_path: Path, setting: str, value: str, message: str):
    done = start_until_exit({**base_env(tmp_path, PORT="1"), setting: value})
    assert done.returncode != 0 and message in done.stderr
