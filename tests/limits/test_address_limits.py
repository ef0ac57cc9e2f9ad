"""Limits per client address: anonymous calls (logins), counted in each process before the caller is
authenticated or the body parsed, and accounts created, counted in the store. X-Forwarded-For names
the client only where TRUST_X_FORWARDED_FOR says so."""

from __future__ import annotations

import gzip
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS
from tests.support.credentials import login
from tests.support.host_clock import HostClock
from tests.support.limited_hosts import assert_error, assert_throttled, call, host_on, login_body
from tests.support.server import Server, base_env, running_server, start_until_exit

LOGIN = "/Client/LoginWithCustomID"


def _login(server: Server, custom_id: str, create: bool = True, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return call(server, LOGIN, login_body(custom_id, create), headers)


def test_anonymous_calls_are_limited_per_address_and_windows_reopen(tmp_path: Path):
    clock = HostClock(tmp_path)
    env = {"RATE_LIMITS": "client", "RATE_LIMIT_ANONYMOUS_CALLS": "5/60", **clock.env()}
    with running_server(tmp_path, **env) as srv:
        known = f"known-{uuid.uuid4()}"
        assert _login(srv, known).status_code == 200
        player = login(srv)
        for _ in range(3):
            assert _login(srv, known).status_code == 200
        retry = assert_throttled(_login(srv, known), 60)
        # Spoofing X-Forwarded-For does not help: the local host believes its TCP peer by default.
        assert_throttled(_login(srv, known, forwarded="198.51.100.7"), 60)
        # Players already signed in are charged per player, not per address.
        get = call(srv, "/Client/GetUserData", {}, {"X-Authorization": player.ticket})
        assert get.status_code == 200
        clock.advance(retry + 0.01)
        assert _login(srv, known).status_code == 200


def test_an_over_limit_caller_is_refused_before_its_body_is_parsed(tmp_path: Path):
    with running_server(tmp_path, RATE_LIMITS="client", RATE_LIMIT_ANONYMOUS_CALLS="1/3600") as srv:
        assert _login(srv, f"first-{uuid.uuid4()}").status_code == 200
        # Malformed JSON would be InvalidContentType (1144) if it were parsed; 350k ignored keys would
        # cost seconds of CPU. Both get the cheap 429.
        bad = httpx.post(srv.url + LOGIN, content=b"{not json", headers={"Content-Type": "application/json"})
        assert_throttled(bad, 3600)
        keys = {f"k{n}": 0 for n in range(350_000)}
        big = json.dumps({**login_body("x"), **keys}, separators=(",", ":")).encode()
        assert len(big) < 4 * 1024 * 1024
        resp = httpx.post(srv.url + LOGIN, content=big, headers={"Content-Type": "application/json"}, timeout=60)
        assert_throttled(resp, 3600)


def test_x_forwarded_for_names_the_client_when_trusted(tmp_path: Path):
    env = {"RATE_LIMITS": "client", "RATE_LIMIT_ANONYMOUS_CALLS": "2/3600", "TRUST_X_FORWARDED_FOR": "true"}
    with running_server(tmp_path, **env) as srv:
        cid = f"p-{uuid.uuid4()}"
        first, second = "203.0.113.7:50001", "203.0.113.8:50002"
        assert [_login(srv, cid, forwarded=first).status_code for _ in range(2)] == [200, 200]
        assert_throttled(_login(srv, cid, forwarded=f"{first.split(':')[0]}:60000, 10.0.0.1"), 3600)
        assert _login(srv, cid, forwarded=second).status_code == 200  # another client, its own budget


@pytest.fixture(scope="module", params=BACKENDS)
def creation_limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"RATE_LIMITS": "client", "RATE_LIMIT_ACCOUNT_CREATION": "3/3600", "TRUST_X_FORWARDED_FOR": "true"}
    with host_on(request.param, request, tmp_path_factory.mktemp(f"creation-{request.param}"), **env) as srv:
        yield srv


def test_accounts_created_per_address_are_limited(creation_limited: Server):
    """Each new account no longer brings a fresh budget: after three, an address creates no more,
    while its existing players still log in and other addresses still create."""
    srv, address = creation_limited, f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    made = [f"made-{uuid.uuid4()}" for _ in range(3)]
    for cid in made:
        assert _login(srv, cid, forwarded=address).json()["data"]["NewlyCreated"] is True
    refused = f"refused-{uuid.uuid4()}"
    assert_throttled(_login(srv, refused, forwarded=address), 3600)
    assert_error(_login(srv, refused, create=False, forwarded=address), 400, "AccountNotFound", 1001)  # not made
    assert _login(srv, made[0], forwarded=address).json()["data"]["NewlyCreated"] is False
    assert _login(srv, refused, forwarded="2001:db8:1:2::5").status_code == 200


def test_the_creation_count_is_shared_by_two_hosts_on_one_store(tmp_path: Path):
    """Eight clients from one address race through two hosts on one store: exactly the budget is created."""
    budget, clients, calls = 5, 8, 3
    env = base_env(tmp_path, RATE_LIMITS="client", RATE_LIMIT_ACCOUNT_CREATION=f"{budget}/3600")
    statuses: list[int] = []
    lock = threading.Lock()
    with running_server(tmp_path, env=env) as first, running_server(tmp_path, env=env) as second:
        start = threading.Barrier(clients)

        def client(n: int) -> None:
            host = (first, second)[n % 2]
            start.wait(timeout=30)
            for _ in range(calls):
                status = _login(host, f"race-{uuid.uuid4()}").status_code
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert statuses.count(200) == budget
    assert statuses.count(429) == clients * calls - budget


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("TRUST_X_FORWARDED_FOR", "maybe", "TRUST_X_FORWARDED_FOR must be one of auto, true, false"),
        ("RATE_LIMIT_ANONYMOUS_CALLS", "lots", "RATE_LIMIT_ANONYMOUS_CALLS must be calls/seconds pairs"),
        ("SHARED_GROUPS_PER_PLAYER", "0", "SHARED_GROUPS_PER_PLAYER must be at least 1"),
    ],
)
def test_bad_settings_stop_start_up(tmp_path: Path, setting: str, value: str, message: str):
    done = start_until_exit({**base_env(tmp_path, PORT="1"), setting: value})
    assert done.returncode != 0 and message in done.stderr


def test_anonymous_bodies_are_capped_before_parsing(tmp_path: Path):
    """A login needs well under 1 KB; anonymous bodies over ANONYMOUS_MAX_REQUEST_BYTES are 413."""
    with running_server(tmp_path, ANONYMOUS_MAX_REQUEST_BYTES="2048") as srv:
        padded = {**login_body(f"pad-{uuid.uuid4()}"), **{f"k{n}": 0 for n in range(400)}}
        assert_error(call(srv, LOGIN, padded), 413, "BodyTooLarge", 1068)
        small = gzip.compress(json.dumps({**login_body("zip"), "pad": " " * 10_000}).encode())
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        assert len(small) < 2048
        assert_error(httpx.post(srv.url + LOGIN, content=small, headers=headers), 413, "BodyTooLarge", 1068)
        player = login(srv)  # a real login fits
        # Signed-in calls keep MAX_REQUEST_BYTES.
        update = {"Data": {"save": "x" * 100_000}}
        assert call(srv, "/Client/UpdateUserData", update, {"X-Authorization": player.ticket}).status_code == 200


def test_refusals_are_held_before_they_are_sent_on_the_local_host(tmp_path: Path):
    """By default the local host holds a 429 for a second, so one connection cannot hammer."""
    env = base_env(tmp_path, RATE_LIMITS="client", RATE_LIMIT_ANONYMOUS_CALLS="1/3600")
    del env["RATE_LIMIT_REFUSAL_DELAY_MS"]  # the test hosts set 0
    with running_server(tmp_path, env=env) as srv:
        assert _login(srv, f"one-{uuid.uuid4()}").status_code == 200
        started = time.monotonic()
        assert_throttled(_login(srv, f"two-{uuid.uuid4()}"), 3600)
        assert time.monotonic() - started >= 1.0  # a lower bound: the hold never ends early
