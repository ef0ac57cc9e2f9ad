"""64 writers on one player's data, through the real local host on Cosmos DB (two worker processes):
every call lands exactly once, no ConcurrentEditError (1133), versions step by one. No timing asserted."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server

WRITERS = 64
CALLS_EACH = 3


@pytest.fixture
def cosmos_host(tmp_path: Path, cosmos: CosmosAccount) -> Iterator[Server]:
    database = new_database_name("hot")
    with running_server(tmp_path, **cosmos.env(database), WORKERS="2") as srv:
        yield srv
    asyncio.run(cosmos.drop_database(database))


def _post(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = http.post(path, json=body, headers={"X-SecretKey": SECRET_KEY})
    envelope: dict[str, Any] = resp.json()
    return envelope


def test_64_writers_on_one_document_all_land_exactly_once(cosmos_host):
    with httpx.Client(base_url=cosmos_host.url, timeout=60) as http:
        login = http.post(
            "/Client/LoginWithCustomID", json={"TitleId": TITLE_ID, "CustomId": "hot", "CreateAccount": True}
        )
        playfab_id = login.json()["data"]["PlayFabId"]
    start = threading.Barrier(WRITERS, timeout=60)
    versions: list[int] = []
    failures: list[Any] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        with httpx.Client(base_url=cosmos_host.url, timeout=60) as http:
            start.wait()
            for n in range(CALLS_EACH):
                body = {"PlayFabId": playfab_id, "Data": {f"w{i}-{n}": "v"}}
                envelope = _post(http, "/Server/UpdateUserReadOnlyData", body)
                with lock:
                    if envelope.get("code") == 200:
                        versions.append(envelope["data"]["DataVersion"])
                    else:
                        failures.append(envelope)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert failures == []  # in particular no ConcurrentEditError (1133) and no 503
    total = WRITERS * CALLS_EACH
    assert sorted(versions) == list(range(1, total + 1))
    with httpx.Client(base_url=cosmos_host.url, timeout=60) as http:
        stored = _post(http, "/Server/GetUserReadOnlyData", {"PlayFabId": playfab_id})["data"]
    assert stored["DataVersion"] == total
    assert set(stored["Data"]) == {f"w{i}-{n}" for i in range(WRITERS) for n in range(CALLS_EACH)}
