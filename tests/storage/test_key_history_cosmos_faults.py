"""Key history on Cosmos DB with answers lost on the wire (tests/support/cosmos_proxy.py): a data write
whose answer is lost leaves one entry, and a history move whose answer is lost is not shown twice.
The host moves entries after every write (KEY_HISTORY_OUTBOX_BYTES=0), so every write meets the proxy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cosmos import EMULATOR_KEY, new_database_name, running_emulator
from tests.support.cosmos_proxy import CosmosProxy, cosmos_proxy
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server

KEY = {"X-SecretKey": SECRET_KEY}


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosProxy]:
    with running_emulator(tmp_path_factory.mktemp("cosmos-history"), plain_http=True) as url, cosmos_proxy(url) as p:
        yield p


@pytest.fixture(scope="module")
def host(proxy: CosmosProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "STORAGE_BACKEND": "cosmos",
        "COSMOS_ENDPOINT": proxy.url,
        "COSMOS_KEY": EMULATOR_KEY,
        "COSMOS_DATABASE": new_database_name("history"),
        "COSMOS_VERIFY_TLS": "false",
        "KEY_HISTORY_OUTBOX_BYTES": "0",
    }
    with running_server(tmp_path_factory.mktemp("host-history"), **env) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_proxy(proxy: CosmosProxy) -> Iterator[None]:
    yield
    proxy.disarm()


def _ok(response: Any) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 200 and body["code"] == 200, body
    return dict(body["data"])


def _player(host: Server) -> dict[str, Any]:
    login = {"TitleId": TITLE_ID, "CustomId": f"history-{uuid.uuid4()}", "CreateAccount": True}
    return _ok(host.post("/Client/LoginWithCustomID", login))


def _write(host: Server, ticket: str, value: str) -> None:
    _ok(host.post("/Client/UpdateUserData", {"Data": {"k": value}}, {"X-Authorization": ticket}))


def _values(host: Server, playfab_id: str) -> list[str]:
    request = {"Target": "UserData", "PlayFabId": playfab_id, "Key": "k"}
    return [e["NewValue"]["Value"] for e in _ok(host.post("/Admin/ext-ReadKeyHistory", request, KEY))["Entries"]]


@pytest.mark.parametrize("lost", ["players", "events"])
def test_a_lost_answer_neither_loses_nor_doubles_an_entry(host: Server, proxy: CosmosProxy, lost: str) -> None:
    player = _player(host)
    ticket = player["SessionTicket"]
    _write(host, ticket, "1")
    before = len(proxy.dropped)
    proxy.drop_next_write(lost)  # the data write itself, or the move of its entry to the event log
    _write(host, ticket, "2")
    assert len(proxy.dropped) == before + 1, "the proxy never lost an answer: the test proved nothing"
    _write(host, ticket, "3")
    assert _values(host, player["PlayFabId"]) == ["3", "2", "1"]
