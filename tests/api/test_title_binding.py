"""A deployment serves one title: its tokens work nowhere else, its store belongs to it, and a token
for a player its store does not know acts for nobody.

Each test starts real hosts that share one TOKEN_SIGNING_KEY (as two deployments from one template
might), on SQLite files or Cosmos DB databases, and talks to them over HTTP.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.config.rate_windows import ENTITY_UPDATES, USER_DATA
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.data_calls import stored
from tests.support.server import REPO, SECRET_KEY, Server, base_env, free_port, running_server, stop

TITLE_A, TITLE_B = "TITLEA", "TITLEB"
BACKENDS = ("sqlite", "cosmos")


class Stores:
    """Named stores on one backend: SQLite files in the test's directory, or Cosmos DB databases."""

    def __init__(self, backend: str, tmp: Path, request: pytest.FixtureRequest) -> None:
        self.backend, self.tmp = backend, tmp
        self.account: CosmosAccount | None = request.getfixturevalue("cosmos") if backend == "cosmos" else None
        self.databases: dict[str, str] = {}

    def env(self, store: str, title: str, **overrides: str) -> dict[str, str]:
        data_dir = self.tmp / f"{store}-{title}-{uuid.uuid4().hex[:6]}"
        data_dir.mkdir(parents=True)
        env = base_env(data_dir, PLAYFAB_TITLE_ID=title, SQLITE_PATH=str(self.sqlite_path(store)), **overrides)
        if self.account is not None:
            env.update(self.account.env(self.databases.setdefault(store, new_database_name("title"))))
        return env

    def sqlite_path(self, store: str) -> Path:
        return self.tmp / f"{store}.sqlite3"

    def host(self, store: str, title: str, **overrides: str) -> AbstractContextManager[Server]:
        env = self.env(store, title, **overrides)
        return running_server(Path(env["SQLITE_PATH"]).parent / f"host-{uuid.uuid4().hex[:6]}", env=env)

    def drop(self) -> None:
        if self.account is not None:
            for database in self.databases.values():
                asyncio.run(self.account.drop_database(database))


@pytest.fixture(params=BACKENDS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    made = Stores(request.param, tmp_path, request)
    try:
        yield made
    finally:
        made.drop()


def _login(srv: Server, title: str, custom_id: str | None = None) -> dict[str, Any]:
    body = {"TitleId": title, "CustomId": custom_id or f"t-{uuid.uuid4()}", "CreateAccount": True}
    resp = srv.post("/Client/LoginWithCustomID", body)
    assert resp.json()["code"] == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def _title_token(srv: Server) -> str:
    resp = srv.post("/Authentication/GetEntityToken", {}, {"X-SecretKey": SECRET_KEY})
    assert resp.json()["code"] == 200, resp.text
    return str(resp.json()["data"]["EntityToken"])


def _refusal(resp: httpx.Response) -> tuple[int, str, int]:
    body = resp.json()
    return resp.status_code, body.get("error"), body.get("errorCode")


def test_a_title_entity_token_works_only_for_its_own_title(stores):
    with stores.host("a", TITLE_A) as a, stores.host("b", TITLE_B) as b:
        foreign = _title_token(a)
        title_b = {"Type": "title", "Id": TITLE_B}
        objects = [{"ObjectName": "stolen", "DataObject": {"by": TITLE_A}}]
        write = b.post("/Object/SetObjects", {"Entity": title_b, "Objects": objects}, {"X-EntityToken": foreign})
        read = b.post("/Object/GetObjects", {"Entity": title_b}, {"X-EntityToken": foreign})
        after = b.post("/Object/GetObjects", {"Entity": title_b}, {"X-EntityToken": _title_token(b)})
    assert _refusal(write) == (401, "EntityTokenInvalid", 1335)
    assert _refusal(read) == (401, "EntityTokenInvalid", 1335)
    assert after.json()["data"]["Objects"] == {}


def test_a_player_token_of_another_title_acts_for_nobody(stores):
    with stores.host("a", TITLE_A) as a, stores.host("b", TITLE_B) as b:
        player = _login(a, TITLE_A)
        ticket, token = player["SessionTicket"], player["EntityToken"]
        update = b.post("/Client/UpdateUserData", {"Data": {"k": "v"}}, {"X-Authorization": ticket})
        entity = {"Type": "title_player_account", "Id": token["Entity"]["Id"]}
        objects = b.post(
            "/Object/SetObjects",
            {"Entity": entity, "Objects": [{"ObjectName": "o", "DataObject": 1}]},
            {"X-EntityToken": token["EntityToken"]},
        )
        minted = b.post("/Authentication/GetEntityToken", {}, {"X-Authorization": ticket})
        stored = b.post("/Server/GetUserData", {"PlayFabId": player["PlayFabId"]}, {"X-SecretKey": SECRET_KEY})
    assert _refusal(update) == (401, "InvalidSessionTicket", 1100)
    assert _refusal(objects) == (401, "EntityTokenInvalid", 1335)
    assert _refusal(minted) == (401, "InvalidSessionTicket", 1100)
    assert _refusal(stored) == (400, "AccountNotFound", 1001)


def _rows_of(path: Path, partition: str) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        query = "SELECT container, pk, id FROM documents WHERE pk = ? OR pk LIKE ?"
        return list(conn.execute(query, (partition, f"%!{partition}")).fetchall())
    finally:
        conn.close()


def test_a_token_for_a_player_the_store_does_not_know_writes_nothing(stores):
    # Same title and signing key, two stores: the tokens verify on both, the player exists on one.
    # Rate limits are on, so a call that got as far as the limiter would write its counter.
    with stores.host("a", TITLE_A, RATE_LIMITS="client") as a, stores.host("b", TITLE_A, RATE_LIMITS="client") as b:
        player = _login(a, TITLE_A)
        ticket, token = player["SessionTicket"], player["EntityToken"]
        entity = {"Type": "title_player_account", "Id": token["Entity"]["Id"]}
        calls = {
            "update": b.post("/Client/UpdateUserData", {"Data": {"k": "v"}}, {"X-Authorization": ticket}),
            "publisher": b.post("/Client/UpdateUserPublisherData", {"Data": {"k": "v"}}, {"X-Authorization": ticket}),
            "group": b.post("/Client/CreateSharedGroup", {"SharedGroupId": "g-ghost"}, {"X-Authorization": ticket}),
            "read": b.post("/Client/GetUserData", {}, {"X-Authorization": ticket}),
            "mint": b.post("/Authentication/GetEntityToken", {}, {"X-Authorization": ticket}),
        }
        objects = b.post(
            "/Object/SetObjects",
            {"Entity": entity, "Objects": [{"ObjectName": "o", "DataObject": 1}]},
            {"X-EntityToken": token["EntityToken"]},
        )
        minted_from_token = b.post("/Authentication/GetEntityToken", {}, {"X-EntityToken": token["EntityToken"]})
        account = b.post("/Server/GetUserData", {"PlayFabId": player["PlayFabId"]}, {"X-SecretKey": SECRET_KEY})
        group = b.post("/Server/GetSharedGroupData", {"SharedGroupId": "g-ghost"}, {"X-SecretKey": SECRET_KEY})
        # The same tokens still work where the player lives.
        home = a.post("/Client/UpdateUserData", {"Data": {"k": "v"}}, {"X-Authorization": ticket})
    for name, resp in calls.items():
        assert _refusal(resp) == (401, "InvalidSessionTicket", 1100), name
    assert _refusal(objects) == (401, "EntityTokenRevoked", 1337)
    assert _refusal(minted_from_token) == (401, "EntityTokenRevoked", 1337)
    assert _refusal(account) == (400, "AccountNotFound", 1001)
    assert _refusal(group) == (400, "InvalidSharedGroupId", 1088)
    assert home.json()["code"] == 200
    # Nothing of the player's on the store it does not live on: no data, no rate-limit count, no profile.
    pid = player["PlayFabId"]
    for container, pk, doc_id in [
        ("players", pid, "data.user"),
        ("players", pid, "data.publisher"),
        ("players", pid, f"ratelimit.{USER_DATA}"),
        ("players", pid, f"ratelimit.{ENTITY_UPDATES}"),
        ("entities", f"title_player_account!{entity['Id']}", "profile"),
    ]:
        assert stored(b, container, pk, doc_id) is None, (container, doc_id)
    # ...where the player's own store has them (so the names checked are the ones written).
    assert stored(a, "players", pid, "data.user") is not None
    assert stored(a, "players", pid, f"ratelimit.{USER_DATA}") is not None
    assert stored(a, "entities", f"title_player_account!{entity['Id']}", "profile") is not None
    if stores.backend == "sqlite":
        assert _rows_of(stores.sqlite_path("b"), pid) == []
        assert _rows_of(stores.sqlite_path("b"), entity["Id"]) == []


def _start_refused(env: dict[str, str], timeout: float = 60) -> str:
    """Start a host that must refuse to start; return what it printed. One that serves fails the test."""
    env = {**env, "PORT": str(free_port())}
    proc = subprocess.Popen(
        [sys.executable, "-m", "local_host"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        pytest.fail("the host started on a store of another title")
    assert proc.returncode != 0
    return out.decode("utf-8", "replace")


def test_a_host_refuses_a_store_of_another_title(stores):
    with stores.host("shared", TITLE_A) as a:
        player = _login(a, TITLE_A, custom_id="same-person")
        output = _start_refused(stores.env("shared", TITLE_B))
        # The first title's host is untouched and its own restarts are welcome.
        assert _login(a, TITLE_A, custom_id="same-person")["PlayFabId"] == player["PlayFabId"]
    assert "cannot start" in output and TITLE_A in output and TITLE_B in output, output
    assert "Traceback" not in output, output
    with stores.host("shared", TITLE_A) as again:
        assert _login(again, TITLE_A, custom_id="same-person")["PlayFabId"] == player["PlayFabId"]
