"""Right after a first deployment the identity's Cosmos DB data role can take minutes to apply, and until
then Cosmos DB answers 403. Requests meanwhile get 503 with a retry hint, never a 500, and the app opens
the store again on the next request: once the role applies it serves without a restart.

The emulator has no role-based access, so the 403 is injected at the adapter's HTTP transport, below
the SDK, on the very requests that open the store (the container check).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest

from shared import services
from shared.config.settings import Settings
from shared.features.identity import login_with_custom_id
from shared.pipeline import HttpRequest, handle
from shared.storage import Store
from shared.storage.cosmos import open_cosmos_store
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.cosmos_transport import Fault, InstrumentedTransport, Sent
from tests.support.server import TITLE_ID, base_env


class EveryRequest(Fault):
    """A fault on every request, not only item requests: opening the store reads no items."""

    def matches(self, sent: Sent) -> bool:
        return self.times is None or self.hits < self.times


def _login(loop: asyncio.AbstractEventLoop) -> tuple[int, dict[str, Any], dict[str, str]]:
    body = json.dumps({"TitleId": TITLE_ID, "CustomId": f"p-{uuid.uuid4()}", "CreateAccount": True}).encode()
    request = HttpRequest("POST", "/Client/LoginWithCustomID", {"content-type": "application/json"}, body)
    response = loop.run_until_complete(handle(login_with_custom_id, request))
    return response.status, json.loads(response.body), response.headers


def test_a_forbidden_store_at_start_up_is_503_until_the_role_applies(
    cosmos: CosmosAccount, tmp_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    database = new_database_name("rbac")
    for name, value in base_env(tmp_path, **cosmos.env(database)).items():
        monkeypatch.setenv(name, value)
    transport = InstrumentedTransport()
    transport.faults.append(EveryRequest(status=403))

    async def open_through_the_transport(settings: Settings) -> Store:
        return await open_cosmos_store(settings, transport=transport)

    monkeypatch.setattr(services, "open_store", open_through_the_transport)
    monkeypatch.setattr(services, "_services", None)
    monkeypatch.setattr(services, "_failed", None)
    clock = [1000.0]
    monkeypatch.setattr(services, "monotonic", lambda: clock[0])
    caplog.set_level(logging.INFO)
    loop = asyncio.new_event_loop()
    try:
        for _ in range(2):  # the role has not applied: each request after the back-off tries again, none crashes
            status, body, headers = _login(loop)
            assert status == 503, body
            assert body["error"] == "ServiceUnavailable" and body["errorCode"] == 1123
            assert body["retryAfterSeconds"] == services.OPEN_RETRY_SECONDS
            assert headers["Retry-After"] == str(services.OPEN_RETRY_SECONDS)
            assert services._services is None
            clock[0] += services.OPEN_BACKOFF_SECONDS  # past the back-off that spares the store a retry storm
        assert transport.faults[0].hits >= 2, "the store was opened again for the second request"
        assert "cannot open the cosmos store" in caplog.text and "403" in caplog.text
        transport.faults.clear()  # the role has applied
        status, body, _ = _login(loop)
        assert status == 200, body
        assert services._services is not None
    finally:
        loop.run_until_complete(services.close_services())
        loop.run_until_complete(cosmos.drop_database(database))
        loop.close()
