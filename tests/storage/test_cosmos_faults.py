"""Cosmos DB faults reach callers as PlayFab errors, through the real request pipeline, and leave
nothing half-written.

Faults are injected at the adapter's HTTP transport (below the SDK and its retry policies); the
store is otherwise the real one on the emulator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared import services
from shared.auth.tokens import Signer
from shared.features.data_api import OPERATIONS
from shared.features.identity import login_with_custom_id
from shared.pipeline import HttpRequest, handle
from shared.services import Services
from shared.storage import Document
from shared.storage import cosmos as cosmos_module
from shared.storage.cosmos import CosmosStore, open_cosmos_store
from shared.storage.cosmos_health import FORBIDDEN_RETRY_SECONDS
from tests.support.cosmos import CosmosAccount, delete_or_restore_container, new_database_name
from tests.support.cosmos_transport import Fault, InstrumentedTransport, connection_refused
from tests.support.server import TITLE_ID, base_env, free_port

THROTTLE_RETRIES = 2
SERVICE_UNAVAILABLE = {
    "code": 503,
    "status": "ServiceUnavailable",
    "error": "ServiceUnavailable",
    "errorCode": 1123,
    "retryAfterSeconds": 1,
}


@dataclass
class Backend:
    loop: asyncio.AbstractEventLoop
    transport: InstrumentedTransport
    store: CosmosStore

    def login(self, custom_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        return _login(self.loop, custom_id)

    def read(self, container: str, pk: str, id: str) -> Document | None:
        return self.loop.run_until_complete(self.store.read(container, pk, id))

    def writes(self) -> list[str]:
        return [f"{s.method} {s.container}" for s in self.transport.item_requests() if s.method != "GET"]


def _login(loop: asyncio.AbstractEventLoop, custom_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    body = json.dumps({"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}).encode()
    request = HttpRequest("POST", "/Client/LoginWithCustomID", {"content-type": "application/json"}, body)
    response = loop.run_until_complete(handle(login_with_custom_id, request))
    return response.status, json.loads(response.body), response.headers


@pytest.fixture
def backend(cosmos: CosmosAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    """This process's services, on a Cosmos store whose transport can inject faults."""
    database = new_database_name("faults")
    settings = cosmos.settings(tmp_path, database)
    loop = asyncio.new_event_loop()
    transport = InstrumentedTransport()
    store = loop.run_until_complete(
        open_cosmos_store(settings, transport=transport, retry_throttle_total=THROTTLE_RETRIES, retry_fixed_interval=1)
    )
    monkeypatch.setattr(
        services, "_services", Services(settings, store, Signer(settings.signing_keys, settings.title_id))
    )
    yield Backend(loop, transport, store)
    loop.run_until_complete(store.close())
    loop.run_until_complete(cosmos.drop_database(database))
    loop.close()


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["errorMessage"]
    return {k: v for k, v in body.items() if k != "errorMessage"}


def test_throttled_writes_are_database_throughput_exceeded_and_write_nothing(backend):
    custom_id = f"throttled-{uuid.uuid4()}"
    backend.transport.faults.append(Fault(method="POST", status=429, headers={"x-ms-retry-after-ms": "3000"}))
    backend.transport.sent.clear()

    status, body, headers = backend.login(custom_id)

    assert status == 429 and headers["Retry-After"] == "3"
    assert _error(body) == {
        "code": 429,
        "status": "TooManyRequests",
        "error": "DatabaseThroughputExceeded",
        "errorCode": 1113,
        "retryAfterSeconds": 3,
    }
    # The SDK retried the first write (the player's directory entry), then the request stopped:
    # nothing else was attempted.
    assert backend.writes() == ["POST ranks"] * (1 + THROTTLE_RETRIES)
    backend.transport.faults.clear()
    assert backend.read("lookups", f"custom:{custom_id}", "login") is None
    status, body, _ = backend.login(custom_id)
    assert status == 200 and body["data"]["NewlyCreated"] is True


def test_an_unavailable_store_is_service_unavailable_and_no_login_half_binds(backend):
    custom_id = f"unavailable-{uuid.uuid4()}"
    backend.transport.faults.append(Fault(method="POST", container="lookups", status=503))

    status, body, headers = backend.login(custom_id)

    assert status == 503 and headers["Retry-After"] == "1"
    assert _error(body) == SERVICE_UNAVAILABLE
    # The lookup is the commit point: without it the identity belongs to no one, and the next
    # login makes one whole player.
    backend.transport.faults.clear()
    assert backend.read("lookups", f"custom:{custom_id}", "login") is None
    _, first, _ = backend.login(custom_id)
    _, again, _ = backend.login(custom_id)
    assert first["data"]["NewlyCreated"] is True and again["data"]["NewlyCreated"] is False
    assert again["data"]["PlayFabId"] == first["data"]["PlayFabId"]
    lookup = backend.read("lookups", f"custom:{custom_id}", "login")
    assert lookup is not None and lookup.body["PlayFabId"] == first["data"]["PlayFabId"]


def test_a_412_storm_is_concurrent_edit_error_and_changes_nothing(backend):
    custom_id = f"contended-{uuid.uuid4()}"
    status, body, _ = backend.login(custom_id)
    assert status == 200
    playfab_id = body["data"]["PlayFabId"]
    before = backend.read("players", playfab_id, "account")
    backend.transport.faults.append(Fault(method="PUT", container="players", status=412))

    status, body, _ = backend.login(custom_id)

    assert status == 400
    assert _error(body) == {"code": 400, "status": "BadRequest", "error": "ConcurrentEditError", "errorCode": 1133}
    assert backend.read("players", playfab_id, "account") == before


def test_lost_connections_are_service_unavailable(backend):
    backend.transport.faults.append(Fault(error=connection_refused()))
    status, body, _ = backend.login(f"offline-{uuid.uuid4()}")
    assert status == 503 and _error(body) == SERVICE_UNAVAILABLE


def test_an_unreachable_account_at_start_up_is_service_unavailable(cosmos, tmp_path, monkeypatch):
    """Nothing listens on the endpoint: the store cannot open, and every request says so."""
    env = base_env(tmp_path, **cosmos.env(new_database_name("unreachable")))
    env["COSMOS_ENDPOINT"] = f"https://127.0.0.1:{free_port()}/"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(services, "_services", None)
    loop = asyncio.new_event_loop()
    try:
        status, body, _ = _login(loop, f"nobody-{uuid.uuid4()}")
    finally:
        loop.close()
    assert status == 503
    assert _error(body) == SERVICE_UNAVAILABLE
    assert services._services is None  # the next request tries to connect again


# The open's bound in the silent-endpoint tests (the store's own is 8 s).
OPEN_TIMEOUT_SECONDS = 1.5


@pytest.fixture
def silent_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cosmos: CosmosAccount) -> Iterator[None]:
    """This process's settings point at a loopback socket that accepts connections and never answers.

    The open gives up after OPEN_TIMEOUT_SECONDS here instead of the store's 8 s: these tests are about
    what happens around a failed open (tests/storage/test_cosmos_health.py holds the real bound)."""
    monkeypatch.setattr(cosmos_module, "OPEN_TIMEOUT_SECONDS", OPEN_TIMEOUT_SECONDS)
    listener = socket.create_server(("127.0.0.1", 0))
    env = base_env(tmp_path, **cosmos.env(new_database_name("silent")))
    env["COSMOS_ENDPOINT"] = f"https://127.0.0.1:{listener.getsockname()[1]}/"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(services, "_services", None)
    monkeypatch.setattr(services, "_failed", None, raising=False)
    monkeypatch.setattr(services, "_lock", asyncio.Lock())
    yield
    listener.close()


def test_concurrent_first_calls_against_a_silent_endpoint_all_fail_within_one_open(silent_endpoint, caplog):
    """Before, five first calls got 503 after 12, 24, 36, 48 and 60 s: each waited out its own open."""

    async def five() -> list[tuple[int, dict[str, Any], dict[str, str]]]:
        body = json.dumps({"TitleId": TITLE_ID, "CustomId": "silent", "CreateAccount": True}).encode()
        req = HttpRequest("POST", "/Client/LoginWithCustomID", {"content-type": "application/json"}, body)
        responses = await asyncio.gather(*(handle(login_with_custom_id, req) for _ in range(5)))
        return [(r.status, json.loads(r.body), r.headers) for r in responses]

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="playfab.store"):
        results = asyncio.run(asyncio.wait_for(five(), 4 * OPEN_TIMEOUT_SECONDS))
    elapsed = time.monotonic() - started
    assert [status for status, _, _ in results] == [503] * 5
    assert all(_error(body)["error"] == "ServiceUnavailable" for _, body, _ in results)
    assert elapsed < 2 * OPEN_TIMEOUT_SECONDS  # one open attempt for all of them, not one each
    [line] = [r.getMessage() for r in caplog.records if r.name == "playfab.store"]
    assert "no answer from COSMOS_ENDPOINT" in line


def test_a_failed_open_is_remembered_for_a_back_off_then_tried_again(silent_endpoint, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(services, "monotonic", lambda: clock[0], raising=False)
    loop = asyncio.new_event_loop()
    try:
        status, _, _ = _login(loop, "first")
        assert status == 503
        # Within the back-off the failure is answered at once, with the time left as the retry hint.
        clock[0] += 1
        started = time.monotonic()
        status, _body, headers = _login(loop, "second")
        assert status == 503 and headers["Retry-After"] == str(math.ceil(services.OPEN_BACKOFF_SECONDS - 1))
        assert time.monotonic() - started < OPEN_TIMEOUT_SECONDS  # did not wait out another open
        assert services._failed is not None
        failed_until = services._failed[0]
        clock[0] += services.OPEN_BACKOFF_SECONDS  # past the back-off: a new attempt, which fails again
        status, _, _ = _login(loop, "third")
        assert status == 503 and services._failed[0] > failed_until
    finally:
        loop.close()


def test_a_deleted_container_is_service_unavailable_not_a_new_player_and_recovers(backend, cosmos, caplog):
    custom_id = f"deleted-{uuid.uuid4()}"
    status, _first, _ = backend.login(custom_id)
    assert status == 200
    database = backend.store._containers["lookups"].database_link.split("/")[-1]
    backend.loop.run_until_complete(delete_or_restore_container(cosmos, database, "lookups", delete=True))

    with caplog.at_level(logging.WARNING, logger="playfab.requests"):
        status, body, _headers = backend.login(custom_id)
    assert status == 503 and _error(body)["error"] == "ServiceUnavailable"  # not AccountNotFound, not 500
    assert any("does not exist" in r.getMessage() for r in caplog.records)

    backend.loop.run_until_complete(delete_or_restore_container(cosmos, database, "lookups", delete=False))
    status, again, _ = backend.login(custom_id)  # the same process, no restart
    # The restored container is empty: the identity is unbound, so this login makes a new player.
    assert status == 200 and again["data"]["NewlyCreated"] is True


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_at_run_time_are_service_unavailable_with_a_hint(backend, caplog, status):
    backend.transport.faults.append(Fault(status=status))
    with caplog.at_level(logging.WARNING, logger="playfab.requests"):
        code, body, headers = backend.login(f"refused-{uuid.uuid4()}")
    assert code == 503 and headers["Retry-After"] == str(FORBIDDEN_RETRY_SECONDS)
    assert _error(body) == {**SERVICE_UNAVAILABLE, "retryAfterSeconds": FORBIDDEN_RETRY_SECONDS}
    assert any(f"answered {status}" in r.getMessage() for r in caplog.records)


def test_a_login_reads_the_account_once(backend):
    """Before: a new login made 6 requests and a returning one 4 (the account was read twice). Each login
    also writes its PlayStream events (player_created, player_logged_in) as one event-log item."""
    custom_id = f"trips-{uuid.uuid4()}"
    backend.transport.sent.clear()
    status, first, _ = backend.login(custom_id)
    new = [f"{s.method} {s.container}" for s in backend.transport.item_requests()]
    backend.transport.sent.clear()
    status_again, again, _ = backend.login(custom_id)
    returning = [f"{s.method} {s.container}" for s in backend.transport.item_requests()]
    assert (status, status_again) == (200, 200)
    assert first["data"]["NewlyCreated"] is True and "LastLoginTime" not in first["data"]
    assert again["data"]["NewlyCreated"] is False and "LastLoginTime" in again["data"]
    # A new player enters the directory (one blind create) before its account is written.
    assert new == ["GET lookups", "POST ranks", "POST players", "POST entities", "POST lookups", "POST events"]
    assert returning == ["GET lookups", "GET players", "PUT players", "POST events"]


def test_a_rate_limited_client_write_repeated_in_one_process_skips_both_reads(backend, monkeypatch):
    """Before: with RATE_LIMITS=client each client write cost 4 requests (counter and data, read and
    write each). A repeat from the process that wrote both last sends the two conditional writes."""
    limited = dataclasses.replace(services._services.settings, rate_limits="client")
    monkeypatch.setattr(services, "_services", dataclasses.replace(services._services, settings=limited))
    _, login, _ = backend.login(f"limited-{uuid.uuid4()}")
    ticket = login["data"]["SessionTicket"]

    def update(n: int) -> list[str]:
        backend.transport.sent.clear()
        body = json.dumps({"Data": {"level": str(n)}}).encode()
        headers = {"content-type": "application/json", "x-authorization": ticket}
        req = HttpRequest("POST", "/Client/UpdateUserData", headers, body)
        response = backend.loop.run_until_complete(handle(OPERATIONS["Client/UpdateUserData"], req))
        assert response.status == 200, response.body
        return [f"{s.method} {s.container}" for s in backend.transport.item_requests()]

    # The first call of a ticket in a process reads the account once (the player must exist here);
    # then the counter and the data are each created.
    assert update(1) == ["GET players", "GET players", "POST players", "GET players", "POST players"]
    assert update(2) == ["PUT players", "PUT players"]
    assert update(3) == ["PUT players", "PUT players"]
    data = backend.read("players", login["data"]["PlayFabId"], "data.user")
    assert data is not None and data.body["DataVersion"] == 3


def test_a_flood_of_one_players_writes_costs_about_one_request_per_refused_call(backend, monkeypatch):
    """Before: 128 concurrent calls of one player cost 1,887 Cosmos requests for 10 accepted calls."""
    limited = dataclasses.replace(services._services.settings, rate_limits="client")
    monkeypatch.setattr(services, "_services", dataclasses.replace(services._services, settings=limited))
    _, login, _ = backend.login(f"flood-{uuid.uuid4()}")
    headers = {"content-type": "application/json", "x-authorization": login["data"]["SessionTicket"]}
    requests = [
        HttpRequest("POST", "/Client/UpdateUserData", headers, json.dumps({"Data": {f"k{i}": "v"}}).encode())
        for i in range(128)
    ]
    backend.transport.sent.clear()

    async def flood() -> list[Any]:
        return await asyncio.gather(*(handle(OPERATIONS["Client/UpdateUserData"], r) for r in requests))

    responses = backend.loop.run_until_complete(flood())
    errors = [json.loads(r.body).get("error") for r in responses if r.status != 200]
    assert len(errors) == 128 - 10 and set(errors) == {"APIClientRequestRateLimitExceeded"}
    sent = len(backend.transport.item_requests())
    # Accepted: counter and data, a read and a write each at most; refused: one read of the counter; and
    # one read of the account, shared by the whole flood (the player must exist in this store).
    assert sent <= 1 + 10 * 4 + 118 * 1
    data = backend.read("players", login["data"]["PlayFabId"], "data.user")
    assert data is not None and data.body["DataVersion"] == 10


def test_a_role_not_yet_granted_at_first_open_is_503_with_a_hint_then_serves(cosmos, tmp_path, monkeypatch, caplog):
    """A first deploy: the data-plane role takes minutes to apply, so the first opens are refused (403).
    Callers get 503 with retryAfterSeconds and a log line why; once the role works, the next open serves."""
    database = new_database_name("rbac")
    env = base_env(tmp_path, **cosmos.env(database))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    transport = InstrumentedTransport()
    denied = Fault(status=403, headers={"x-ms-substatus": "5301"}, items_only=False)
    transport.faults.append(denied)
    monkeypatch.setattr(services, "open_store", lambda settings: open_cosmos_store(settings, transport=transport))
    monkeypatch.setattr(services, "_services", None)
    monkeypatch.setattr(services, "_failed", None)
    monkeypatch.setattr(services, "_lock", asyncio.Lock())
    clock = [1000.0]
    monkeypatch.setattr(services, "monotonic", lambda: clock[0])
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="playfab.store"):
            status, body, headers = _login(loop, "early")
            again = _login(loop, "early")  # within the back-off: no new attempt, same answer
        assert status == again[0] == 503 and headers["Retry-After"] == again[2]["Retry-After"] == "30"
        assert _error(body) == {**SERVICE_UNAVAILABLE, "retryAfterSeconds": FORBIDDEN_RETRY_SECONDS}
        [line] = [r.getMessage() for r in caplog.records if r.name == "playfab.store"]
        assert "answered 403/5301" in line and "role" in line
        transport.faults.clear()  # the assignment has reached the data plane
        clock[0] += services.OPEN_BACKOFF_SECONDS
        status, body, _ = _login(loop, "early")
        assert status == 200 and body["data"]["NewlyCreated"] is True
    finally:
        if services._services is not None:
            loop.run_until_complete(services._services.store.close())
        monkeypatch.setattr(services, "_services", None)
        loop.run_until_complete(cosmos.drop_database(database))
        loop.close()


def test_a_bulk_read_of_many_keys_never_waits_out_the_gate(cosmos: CosmosAccount, tmp_path: Path):
    """A page of profiles reads thousands of documents: read_many keeps them within half the gate, so
    even a gate that refuses at once when full (a queue wait of 0) answers every one."""
    database = new_database_name("bulk")
    settings = dataclasses.replace(cosmos.settings(tmp_path, database), cosmos_max_calls=4, cosmos_queue_wait_ms=0)

    async def scenario() -> list[Document | None]:
        store = await open_cosmos_store(settings)
        try:
            for i in range(0, 300, 2):
                await store.create("players", f"P{i:03d}", "account", {"n": i})
            return await store.read_many("players", [(f"P{i:03d}", "account") for i in range(300)])
        finally:
            await store.close()
            await cosmos.drop_database(database)

    found = asyncio.run(scenario())
    assert [doc.body["n"] if doc else None for doc in found] == [i if i % 2 == 0 else None for i in range(300)]
