"""The embedded store under a write load, killed with SIGKILL mid-flight and restarted, twice over.

Every write the host acknowledged is there afterwards, the file passes PRAGMA integrity_check, and no
update is half-applied: each update writes a pair of keys and bumps DataVersion by one, so after the
crash every pair is whole and the number of pairs equals DataVersion.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.credentials import Player, login
from tests.support.server import TITLE_ID, Server, base_env, running_server

WRITERS = 4
CREATORS = 2
MIN_ACKS = 60  # acknowledged writes before the kill


@dataclass
class Progress:
    """What the host acknowledged to one writer."""

    player: Player
    next_update: int = 0
    acked: list[int] = field(default_factory=list)  # update numbers answered with 200
    last_version: int = 0


def _update(client: httpx.Client, server: Server, progress: Progress) -> None:
    n = progress.next_update
    progress.next_update += 1
    resp = client.post(
        server.url + "/Client/UpdateUserData",
        json={"Data": {f"a{n}": str(n), f"b{n}": str(n)}},
        headers={"X-Authorization": progress.player.ticket},
        timeout=30,
    )
    if resp.status_code == 200 and resp.json()["code"] == 200:
        progress.acked.append(n)
        progress.last_version = resp.json()["data"]["DataVersion"]


def _load_then_kill(server: Server, writers: list[Progress], created: list[str]) -> None:
    """Writers and account creators hammer the host until it is killed under them."""
    stop = threading.Event()
    lock = threading.Lock()

    def write(progress: Progress) -> None:
        with httpx.Client() as client:
            while not stop.is_set():
                try:
                    _update(client, server, progress)
                except httpx.HTTPError:
                    return  # the host is gone; this write was never acknowledged

    def create() -> None:
        with httpx.Client() as client:
            while not stop.is_set():
                custom_id = f"crash-{uuid.uuid4()}"
                body = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
                try:
                    resp = client.post(server.url + "/Client/LoginWithCustomID", json=body, timeout=30)
                except httpx.HTTPError:
                    return
                if resp.status_code == 200:
                    with lock:
                        created.append(custom_id)

    threads = [threading.Thread(target=write, args=(p,)) for p in writers]
    threads += [threading.Thread(target=create) for _ in range(CREATORS)]
    start = sum(len(p.acked) for p in writers)
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while sum(len(p.acked) for p in writers) < start + MIN_ACKS and time.monotonic() < deadline:
        time.sleep(0.02)
    server.process.kill()  # SIGKILL, with requests in flight
    server.process.wait()
    stop.set()
    for t in threads:
        t.join()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _check(server: Server, writers: list[Progress], created: list[str]) -> None:
    with httpx.Client() as client:
        for progress in writers:
            resp = client.post(
                server.url + "/Client/GetUserData", json={}, headers={"X-Authorization": progress.player.ticket}
            )
            data = resp.json()["data"]
            keys, version = data["Data"], data["DataVersion"]
            for n in progress.acked:  # every acknowledged update is there, whole
                assert keys[f"a{n}"]["Value"] == keys[f"b{n}"]["Value"] == str(n)
            pairs = {k[1:] for k in keys}
            assert all(f"a{n}" in keys and f"b{n}" in keys for n in pairs), "a half-applied update"
            assert len(keys) == 2 * version, "DataVersion and the applied updates disagree"
            assert version >= progress.last_version
        for custom_id in created:  # every acknowledged account can log in again, without creating one
            body = {"TitleId": TITLE_ID, "CustomId": custom_id}
            resp = client.post(server.url + "/Client/LoginWithCustomID", json=body)
            assert resp.status_code == 200 and resp.json()["data"]["NewlyCreated"] is False, resp.text


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(tmp_path: Path):
    env = base_env(tmp_path)
    store_file = tmp_path / "playfab.sqlite3"
    writers: list[Progress] = []
    created: list[str] = []
    for _ in range(2):  # load, kill, restart, check; then again on the recovered store
        with running_server(tmp_path, env=env) as srv:
            if not writers:
                writers = [Progress(login(srv)) for _ in range(WRITERS)]
            _load_then_kill(srv, writers, created)
        assert _integrity(store_file) == "ok"
        with running_server(tmp_path, env=env) as srv:
            _check(srv, writers, created)
    assert sum(len(p.acked) for p in writers) >= 2 * MIN_ACKS and created
