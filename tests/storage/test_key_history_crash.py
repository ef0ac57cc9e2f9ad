"""The host killed with SIGKILL while one key is being written: after a restart, every change that landed
has exactly one history entry, acknowledged or not (its entry was written in the same update)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.support.credentials import login
from tests.support.server import SECRET_KEY, running_server

KEY = {"X-SecretKey": SECRET_KEY}
MIN_ACKS = 20


def test_a_killed_host_loses_no_history_entry(tmp_path: Path) -> None:
    acked: list[int] = []
    with running_server(tmp_path, WORKERS="1") as server:
        player = login(server)
        stop = threading.Event()

        def write() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                n = 0
                while not stop.is_set():
                    n += 1
                    body = {"PlayFabId": player.playfab_id, "Data": {"k": str(n)}}
                    try:
                        answer = client.post("/Server/UpdateUserData", json=body, headers=KEY).json()
                    except httpx.HTTPError:
                        return  # the host is gone; this write was never acknowledged
                    acked.append(answer["data"]["DataVersion"])

        thread = threading.Thread(target=write)
        thread.start()
        deadline = time.monotonic() + 60
        while len(acked) < MIN_ACKS and time.monotonic() < deadline:
            time.sleep(0.02)
        server.process.kill()  # SIGKILL, with a write in flight
        server.process.wait()
        stop.set()
        thread.join()
    assert len(acked) >= MIN_ACKS
    with running_server(tmp_path, WORKERS="1") as server:
        data = server.post("/Server/GetUserData", {"PlayFabId": player.playfab_id}, KEY).json()["data"]
        version = data["DataVersion"]
        request = {"Target": "UserData", "PlayFabId": player.playfab_id, "Key": "k", "Count": 1000}
        entries = server.post("/Admin/ext-ReadKeyHistory", request, KEY).json()["data"]["Entries"]
    assert version >= acked[-1]
    assert [e["Version"] for e in entries] == list(range(version, 0, -1))
    assert entries[0]["NewValue"] == {"Value": data["Data"]["k"]["Value"]}
