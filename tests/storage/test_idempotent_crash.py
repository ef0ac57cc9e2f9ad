"""Writes with an IdempotencyKey under load, the host killed with SIGKILL mid-flight and restarted.

Every writer sends updates each under its own key and keeps sending until the host dies under it. After
the restart, every write it ever sent (answered, lost in flight, or never read) is sent again with its
key: each is applied exactly once — DataVersion equals the number of writes, every write's answer is a
version of its own — and a write answered before the kill answers the same again.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.credentials import Player, login
from tests.support.server import Server, base_env, running_server

WRITERS = 4
MIN_ACKS = 40  # answered writes before the kill
MAX_WRITES = 60  # per writer, within the keys one document remembers (idempotency.MAX_ENTRIES)


@dataclass
class Writer:
    player: Player
    sent: int = 0  # writes 0..sent-1 were sent (or were about to be)
    answers: dict[int, int] = field(default_factory=dict)  # write number -> DataVersion answered


def _send(client: httpx.Client, server: Server, writer: Writer, n: int) -> int | None:
    resp = client.post(
        server.url + "/Client/UpdateUserData",
        json={"Data": {f"w{n}": str(n)}, "CustomTags": {"IdempotencyKey": f"write-{n}"}},
        headers={"X-Authorization": writer.player.ticket},
        timeout=30,
    )
    if resp.status_code == 200 and resp.json()["code"] == 200:
        version: int = resp.json()["data"]["DataVersion"]
        return version
    return None


def _load_then_kill(server: Server, writers: list[Writer]) -> None:
    stop = threading.Event()

    def write(writer: Writer) -> None:
        with httpx.Client() as client:
            while not stop.is_set() and writer.sent < MAX_WRITES:
                n = writer.sent
                writer.sent += 1
                try:
                    version = _send(client, server, writer, n)
                except httpx.HTTPError:
                    return  # the host is gone; this write's answer is lost
                if version is not None:
                    writer.answers[n] = version

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while sum(len(w.answers) for w in writers) < MIN_ACKS and time.monotonic() < deadline:
        time.sleep(0.02)
    server.process.kill()  # SIGKILL, with keyed writes in flight
    server.process.wait()
    stop.set()
    for t in threads:
        t.join()


def _retry_all(server: Server, writers: list[Writer]) -> None:
    with httpx.Client() as client:
        for writer in writers:
            retried = {n: _send(client, server, writer, n) for n in range(writer.sent)}
            assert None not in retried.values(), retried
            for n, version in writer.answers.items():  # an answered write answers the same again
                assert retried[n] == version
            # Each write was applied once: its own version, and no version twice or missing.
            assert sorted(v for v in retried.values() if v is not None) == list(range(1, writer.sent + 1))
            resp = client.post(
                server.url + "/Client/GetUserData", json={}, headers={"X-Authorization": writer.player.ticket}
            )
            data = resp.json()["data"]
            assert data["DataVersion"] == writer.sent
            assert sorted(data["Data"]) == sorted(f"w{n}" for n in range(writer.sent))


@contextmanager
def _store_env(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """One store that outlives the host: the SQLite file in `tmp_path`, or a Cosmos DB database."""
    env = base_env(tmp_path)
    if backend == "sqlite":
        yield env
        return
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("crash")
    try:
        yield {**env, **account.env(database)}
    finally:
        asyncio.run(account.drop_database(database))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "cosmos"])
def test_keyed_writes_retried_after_sigkill_apply_once(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    with _store_env(backend, request, tmp_path) as env:
        with running_server(tmp_path, env=env) as srv:
            writers = [Writer(login(srv)) for _ in range(WRITERS)]
            _load_then_kill(srv, writers)
        with running_server(tmp_path, env=env) as srv:
            _retry_all(srv, writers)
    assert sum(len(w.answers) for w in writers) >= MIN_ACKS
