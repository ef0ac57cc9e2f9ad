"""Last write wins per key, under load: 32 writers on separate connections, one group, nothing lost."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support import sdk
from tests.support.players import new_player
from tests.support.server import SECRET_KEY

WRITERS = 32
CALLS_PER_WRITER = 3


def _post(client: httpx.Client, path: str, body: dict, headers: dict) -> dict:
    resp = client.post(path, json=body, headers={"X-ReportErrorAsSuccess": "true", **headers})
    return resp.json()


def test_parallel_writers_to_one_group_lose_nothing(pf):
    members = [new_player() for _ in range(4)]
    latecomer = new_player()
    server_hdr = {"X-SecretKey": SECRET_KEY}
    group_id = f"storm-{uuid.uuid4()}"
    with httpx.Client(base_url=pf.url) as admin:
        assert _post(admin, "/Server/CreateSharedGroup", {"SharedGroupId": group_id}, server_hdr)["code"] == 200
        ids = [m.playfab_id for m in members]
        assert (
            _post(admin, "/Server/AddSharedGroupMembers", {"SharedGroupId": group_id, "PlayFabIds": ids}, server_hdr)[
                "code"
            ]
            == 200
        )

    start = threading.Barrier(WRITERS + 1)
    hot_values: set[str] = set()

    def writer(n: int) -> list[dict]:
        # Half the writers are member clients, half the game server; each has its own connection.
        headers = {"X-Authorization": members[n % 4].ticket} if n % 2 else server_hdr
        path = "/Client/UpdateSharedGroupData" if n % 2 else "/Server/UpdateSharedGroupData"
        answers = []
        with httpx.Client(base_url=pf.url, timeout=60) as client:
            start.wait()
            for c in range(CALLS_PER_WRITER):
                hot = f"writer{n}-call{c}"
                hot_values.add(hot)
                body = {"SharedGroupId": group_id, "Data": {f"w{n}-c{c}": f"v{n}.{c}", "hot": hot}}
                answers.append(_post(client, path, body, headers))
        return answers

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        futures = [pool.submit(writer, n) for n in range(WRITERS)]
        start.wait()
        # A membership change in the middle of the storm.
        with httpx.Client(base_url=pf.url) as admin:
            added = _post(
                admin,
                "/Server/AddSharedGroupMembers",
                {"SharedGroupId": group_id, "PlayFabIds": [latecomer.playfab_id]},
                server_hdr,
            )
        answers = [a for f in futures for a in f.result()]

    assert added["code"] == 200, added
    assert [a for a in answers if a["code"] != 200] == []
    with httpx.Client(base_url=pf.url) as reader:
        final = _post(reader, "/Server/GetSharedGroupData", {"SharedGroupId": group_id, "GetMembers": True}, server_hdr)
    data = final["data"]["Data"]
    expected = {f"w{n}-c{c}" for n in range(WRITERS) for c in range(CALLS_PER_WRITER)}
    assert expected <= set(data), sorted(expected - set(data))
    assert all(data[f"w{n}-c{c}"]["Value"] == f"v{n}.{c}" for n in range(WRITERS) for c in range(CALLS_PER_WRITER))
    assert data["hot"]["Value"] in hot_values
    assert latecomer.playfab_id in final["data"]["Members"]
    assert set(final["data"]["Members"]) == {m.playfab_id for m in members} | {latecomer.playfab_id}
    sdk.point_at(pf)
