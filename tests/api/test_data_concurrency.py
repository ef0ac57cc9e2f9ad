"""Concurrent writers to one player's and one character's data: nothing lost, one version step per call."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared import pipeline, services
from shared.auth.tokens import Signer
from shared.config.settings import load_settings
from shared.features.data_api import OPERATIONS
from shared.pipeline import HttpRequest
from shared.storage import Conflict, PreconditionFailed, Store
from shared.storage.sqlite import SQLiteStore
from tests.support import sdk
from tests.support.data_calls import call, grant_character
from tests.support.players import new_player
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID, Server, running_server
from tests.support.store_adapters import EtagLoopSQLiteStore

WRITERS = 16
CALLS_EACH = 5


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two server processes on one SQLite file: writers race across processes as well as within one."""
    with running_server(tmp_path_factory.mktemp("workers"), WORKERS="2") as srv:
        yield srv


def _storm(server: Server, requests_of: Any) -> list[int]:
    """WRITERS threads, each on its own HTTP connection, start together; returns every DataVersion answered."""
    start = threading.Barrier(WRITERS)
    versions: list[int] = []
    failures: list[Any] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            start.wait()
            for n in range(CALLS_EACH):
                path, headers, body = requests_of(i, n)
                resp = http.post(path, json=body, headers=headers)
                with lock:
                    if resp.status_code == 200 and resp.json()["code"] == 200:
                        versions.append(resp.json()["data"]["DataVersion"])
                    else:
                        failures.append(resp.text)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    return versions


def _both_apis(ticket: str, playfab_id: str, extra: dict[str, Any], kind: str) -> Any:
    """Even writers use the Client API with the player's ticket, odd ones the Server API with the secret key."""

    def requests_of(i: int, n: int) -> tuple[str, dict[str, str], dict[str, Any]]:
        body = {**extra, "Data": {f"w{i}-{n}-a": "a", f"w{i}-{n}-b": "b"}}
        if i % 2 == 0:
            return f"/Client/Update{kind}Data", {"X-Authorization": ticket}, body
        return f"/Server/Update{kind}Data", {"X-SecretKey": SECRET_KEY}, {**body, "PlayFabId": playfab_id}

    return requests_of


def _expected_keys() -> set[str]:
    return {f"w{i}-{n}-{s}" for i in range(WRITERS) for n in range(CALLS_EACH) for s in "ab"}


def test_parallel_writers_to_one_players_data_lose_nothing(two_workers):
    sdk.point_at(two_workers)
    player = new_player()
    versions = _storm(two_workers, _both_apis(player.ticket, player.playfab_id, {}, "User"))
    total = WRITERS * CALLS_EACH
    assert sorted(versions) == list(range(1, total + 1))  # each call moved the version by exactly one
    result = call("Server/GetUserData", {"PlayFabId": player.playfab_id})
    assert set(result["Data"]) == _expected_keys()
    assert result["DataVersion"] == total


def test_parallel_writers_to_one_characters_data_lose_nothing(two_workers):
    sdk.point_at(two_workers)
    player = new_player()
    character = grant_character(player.playfab_id)
    extra = {"CharacterId": character}
    versions = _storm(two_workers, _both_apis(player.ticket, player.playfab_id, extra, "Character"))
    total = WRITERS * CALLS_EACH
    assert sorted(versions) == list(range(1, total + 1))
    result = call("Server/GetCharacterData", {"PlayFabId": player.playfab_id, **extra})
    assert set(result["Data"]) == _expected_keys()
    assert result["DataVersion"] == total
    assert call("Server/GetUserData", {"PlayFabId": player.playfab_id})["DataVersion"] == 0


# The same guarantees on the generic etag-retry update loop, the one the Cosmos DB adapter uses.


def _settings(tmp: Path) -> Any:
    return load_settings(
        {
            "PLAYFAB_TITLE_ID": TITLE_ID,
            "PLAYFAB_SECRET_KEYS": SECRET_KEY,
            "TOKEN_SIGNING_KEY": SIGNING_KEY,
            "SQLITE_PATH": str(tmp / "loop.sqlite3"),
        }
    )


def _request(route: str, body: dict[str, Any]) -> HttpRequest:
    headers = {"content-type": "application/json", "x-secretkey": SECRET_KEY}
    return HttpRequest("POST", "/" + route, headers, json.dumps(body).encode())


def _handle_all(store: Store, tmp: Path, requests: list[HttpRequest]) -> list[dict[str, Any]]:
    """Run requests concurrently through the real pipeline on one event loop, with `store` as the store."""

    async def go() -> list[dict[str, Any]]:
        services._services = services.Services(_settings(tmp), store, Signer((SIGNING_KEY,), TITLE_ID))
        try:
            account = {"PlayFabId": "P1", "TitlePlayerAccountId": "E1", "Created": 0.0}
            with contextlib.suppress(Conflict):
                await store.create("players", "P1", "account", account)
            responses = await asyncio.gather(*(pipeline.handle(OPERATIONS[r.path[1:]], r) for r in requests))
            return [json.loads(resp.body) for resp in responses]
        finally:
            services._services = None
            await store.close()

    return asyncio.run(go())


class CountingConflicts(EtagLoopSQLiteStore):
    """Holds each writer's first read at a barrier until all writers have read, so every writer but
    one starts from the same etag: the race is forced, not hoped for."""

    conflicts = 0

    def __init__(self, path: Path, writers: int) -> None:
        super().__init__(path)
        self._barrier = asyncio.Barrier(writers)
        self._arrived: set[asyncio.Task[Any] | None] = set()

    async def read(self, container: str, pk: str, id: str) -> Any:
        doc = await super().read(container, pk, id)
        task = asyncio.current_task()
        if container == "players" and id.startswith("data.") and task not in self._arrived:
            self._arrived.add(task)
            await asyncio.wait_for(self._barrier.wait(), timeout=30)
        return doc

    async def create(self, container: str, pk: str, id: str, body: dict[str, Any]) -> Any:
        try:
            return await super().create(container, pk, id, body)
        except Conflict:
            self.conflicts += 1
            raise

    async def replace(self, container: str, pk: str, id: str, body: dict[str, Any], etag: str) -> Any:
        try:
            return await super().replace(container, pk, id, body, etag)
        except PreconditionFailed:
            self.conflicts += 1
            raise


def test_the_etag_retry_loop_loses_nothing_either(tmp_path):
    store = CountingConflicts(tmp_path / "loop.sqlite3", writers=WRITERS * 2)
    writes = [_request("Server/UpdateUserData", _write(f"k{i}")) for i in range(WRITERS * 2)]
    answers = _handle_all(store, tmp_path, writes)
    # All but one of the first attempts were overtaken, so at least that many retries happened.
    assert store.conflicts >= WRITERS * 2 - 1
    assert sorted(a["data"]["DataVersion"] for a in answers) == list(range(1, WRITERS * 2 + 1))
    read = _request("Server/GetUserData", {"PlayFabId": "P1"})
    (after,) = _handle_all(EtagLoopSQLiteStore(tmp_path / "loop.sqlite3"), tmp_path, [read])
    assert set(after["data"]["Data"]) == {f"k{i}" for i in range(WRITERS * 2)}


class AlwaysOvertaken(EtagLoopSQLiteStore):
    """Another writer really gets in between every read and write of the document (a hot key under attack)."""

    async def replace(self, container: str, pk: str, id: str, body: dict[str, Any], etag: str) -> Any:
        await SQLiteStore.update(self, container, pk, id, lambda b: {**(b or {}), "touched": True})
        return await super().replace(container, pk, id, body, etag)


def test_when_retries_run_out_the_answer_is_concurrent_edit_error(tmp_path):
    path = tmp_path / "loop.sqlite3"
    (first,) = _handle_all(EtagLoopSQLiteStore(path), tmp_path, [_request("Server/UpdateUserData", _write("first"))])
    assert first["data"]["DataVersion"] == 1
    hot = AlwaysOvertaken(path)
    hot.update_attempts = 5
    (answer,) = _handle_all(hot, tmp_path, [_request("Server/UpdateUserData", _write("second"))])
    assert {k: answer[k] for k in ("code", "status", "error", "errorCode")} == {
        "code": 400,
        "status": "BadRequest",
        "error": "ConcurrentEditError",
        "errorCode": 1133,
    }
    (after,) = _handle_all(EtagLoopSQLiteStore(path), tmp_path, [_request("Server/GetUserData", {"PlayFabId": "P1"})])
    assert set(after["data"]["Data"]) == {"first"} and after["data"]["DataVersion"] == 1


def _write(key: str) -> dict[str, Any]:
    return {"PlayFabId": "P1", "Data": {key: "v"}}
