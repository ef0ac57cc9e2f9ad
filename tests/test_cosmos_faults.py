"""Cosmos DB faults reach callers as PlayFab errors, through the real request pipeline, and leave
nothing half-written.

Faults are injected at the adapter's HTTP transport (below the SDK and its retry policies); the
store is otherwise the real one on the emulator.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared import services
from shared.identity import login_with_custom_id
from shared.pipeline import HttpRequest, handle
from shared.services import Services
from shared.storage import Document
from shared.storage.cosmos import CosmosStore, open_cosmos_store
from shared.tokens import Signer
from tests.cosmos import CosmosAccount, new_database_name
from tests.cosmos_transport import Fault, InstrumentedTransport, connection_refused
from tests.server import TITLE_ID, base_env, free_port

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
    # The SDK retried the first write, then the request stopped: nothing else was attempted.
    assert backend.writes() == ["POST players"] * (1 + THROTTLE_RETRIES)
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
