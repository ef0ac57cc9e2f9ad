"""Local hosts with limits and quotas of a test's choosing, on either store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.server import TITLE_ID, Server, running_server


@contextmanager
def host_on(backend: str, request: pytest.FixtureRequest, data_dir: Path, **overrides: str) -> Iterator[Server]:
    """A host on `backend` ("sqlite" or "cosmos", the test run's emulator) with `overrides` set."""
    if backend == "sqlite":
        with running_server(data_dir, **overrides) as srv:
            yield srv
        return
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("limits")
    try:
        with running_server(data_dir, **account.env(database), **overrides) as srv:
            yield srv
    finally:
        asyncio.run(account.drop_database(database))


def call(server: Server, path: str, body: Any, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return httpx.post(server.url + path, content=json.dumps(body), headers=hdrs, timeout=30, **kw)


def login_body(custom_id: str, create: bool = True) -> dict[str, Any]:
    return {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": create}


def assert_error(resp: httpx.Response, status: int, name: str, code: int) -> dict[str, Any]:
    body: dict[str, Any] = resp.json()
    assert (resp.status_code, body["code"], body["error"], body["errorCode"]) == (status, status, name, code), body
    return body


def assert_throttled(resp: httpx.Response, longest: int) -> int:
    body = assert_error(resp, 429, "APIClientRequestRateLimitExceeded", 1199)
    retry = body["retryAfterSeconds"]
    assert isinstance(retry, int) and 1 <= retry <= longest
    assert resp.headers["Retry-After"] == str(retry)
    return retry
