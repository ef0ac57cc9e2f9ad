"""Idempotent retries (an extension): a write sent again with its IdempotencyKey is applied once and
answers with its first answer, on both stores, through raw HTTP and the official Python SDK."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.host_clock import HostClock
from tests.support.limited_hosts import host_on
from tests.support.players import new_player
from tests.support.server import SECRET_KEY, TITLE_ID, Server
from tests.support.statistic_calls import board, define, fresh_name, values_of

RETRIERS = 16


def _key() -> str:
    return f"k-{uuid.uuid4()}"


def _login_data(srv: Server) -> dict[str, Any]:
    body = {"TitleId": TITLE_ID, "CustomId": f"retry-{uuid.uuid4()}", "CreateAccount": True}
    data: dict[str, Any] = srv.post("/Client/LoginWithCustomID", body).json()["data"]
    return data


def _login(srv: Server) -> tuple[str, str]:
    data = _login_data(srv)
    return data["SessionTicket"], data["PlayFabId"]


def _update(srv: Server, ticket: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = srv.post("/Client/UpdateUserData", body, {"X-Authorization": ticket}).json()
    return answer


def _data(srv: Server, ticket: str) -> dict[str, Any]:
    answer = srv.post("/Client/GetUserData", {}, {"X-Authorization": ticket}).json()
    assert answer["code"] == 200, answer
    data: dict[str, Any] = answer["data"]
    return data


def _send_and_hang_up(srv: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    """Send one request and close the connection without reading its answer: the answer is lost."""
    url = urlsplit(srv.url)
    content = json.dumps(body).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: {url.hostname}", "Content-Type: application/json"]
    head += [f"Content-Length: {len(content)}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=30) as conn:
        conn.sendall("\r\n".join(head).encode() + content)
        conn.shutdown(socket.SHUT_WR)


def test_a_retry_after_a_lost_answer_is_applied_once_and_answers_the_first_answer(server: Server):
    ticket, _ = _login(server)
    key = _key()
    body = {"Data": {"gold": "10"}, "IdempotencyKey": key}
    _send_and_hang_up(server, "/Client/UpdateUserData", body, {"X-Authorization": ticket})
    for _ in range(200):  # bounded: the hung-up call is committed by the host on its own
        if "gold" in _data(server, ticket)["Data"]:
            break
        threading.Event().wait(0.05)
    first = _data(server, ticket)
    assert first["DataVersion"] == 1
    retried = _update(server, ticket, body)
    assert retried["code"] == 200, retried
    assert retried["data"] == {"DataVersion": 1}
    assert _data(server, ticket)["DataVersion"] == 1


def test_the_same_key_answers_the_first_answer_even_after_later_writes(server: Server):
    ticket, _ = _login(server)
    key = _key()
    first = _update(server, ticket, {"Data": {"a": "1"}, "IdempotencyKey": key})
    assert first["data"] == {"DataVersion": 1}
    assert _update(server, ticket, {"Data": {"b": "2"}})["data"] == {"DataVersion": 2}
    again = _update(server, ticket, {"Data": {"a": "1"}, "IdempotencyKey": key})
    assert again["data"] == {"DataVersion": 1}
    after = _data(server, ticket)
    assert after["DataVersion"] == 2
    assert sorted(after["Data"]) == ["a", "b"]
    assert "IdempotentWrites" not in json.dumps(after)


def _sent_at_once(server: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> list[Any]:
    """The answers to RETRIERS copies of one request, each on its own connection, released together."""
    start = threading.Barrier(RETRIERS)
    answers: list[Any] = []
    lock = threading.Lock()

    def retry() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            start.wait()
            resp = http.post(path, json=body, headers=headers).json()
            with lock:
                answers.append(resp)

    threads = [threading.Thread(target=retry) for _ in range(RETRIERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_sixteen_concurrent_retries_of_one_key_apply_once(server: Server):
    ticket, _ = _login(server)
    body = {"Data": {"n": "1"}, "IdempotencyKey": _key()}
    answers = _sent_at_once(server, "/Client/UpdateUserData", body, {"X-Authorization": ticket})
    assert [a.get("data") for a in answers] == [{"DataVersion": 1}] * RETRIERS, answers
    assert _data(server, ticket)["DataVersion"] == 1


def test_a_different_request_under_a_used_key_is_refused(server: Server):
    ticket, _ = _login(server)
    key = _key()
    assert _update(server, ticket, {"Data": {"a": "1"}, "IdempotencyKey": key})["code"] == 200
    refused = _update(server, ticket, {"Data": {"a": "2"}, "IdempotencyKey": key})
    assert (refused["code"], refused["error"], refused["errorCode"]) == (400, "InvalidParams", 1000)
    assert refused["errorDetails"] == {"IdempotencyKey": ["already used with a different request"]}
    assert _data(server, ticket)["Data"]["a"]["Value"] == "1"


def test_keys_are_scoped_by_caller_and_endpoint(server: Server):
    (ticket, playfab_id), (other, _) = _login(server), _login(server)
    key = _key()
    assert _update(server, ticket, {"Data": {"a": "1"}, "IdempotencyKey": key})["data"] == {"DataVersion": 1}
    # Another player's write under the same key is their own first write.
    assert _update(server, other, {"Data": {"a": "1"}, "IdempotencyKey": key})["data"] == {"DataVersion": 1}
    assert _update(server, other, {"Data": {"a": "1"}, "IdempotencyKey": key})["data"] == {"DataVersion": 1}
    assert _data(server, other)["DataVersion"] == 1
    # The same key at another endpoint (the title's Server API on the same document) is a new write.
    title = server.post(
        "/Server/UpdateUserData",
        {"PlayFabId": playfab_id, "Data": {"a": "1"}, "IdempotencyKey": key},
        {"X-SecretKey": SECRET_KEY},
    ).json()
    assert title["data"] == {"DataVersion": 2}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"IdempotencyKey": "a", "CustomTags": {"IdempotencyKey": "b"}}, "differ"),
        ({"IdempotencyKey": ""}, "1 to 128"),
        ({"IdempotencyKey": "x" * 129}, "1 to 128"),
        ({"CustomTags": {"IdempotencyKey": "has space"}}, "1 to 128"),
        ({"IdempotencyKey": 5}, ""),
    ],
)
def test_bad_keys_are_refused(server: Server, body: dict[str, Any], why: str):
    ticket, _ = _login(server)
    refused = _update(server, ticket, {"Data": {"a": "1"}, **body})
    assert (refused["code"], refused["error"]) == (400, "InvalidParams"), refused
    assert why in json.dumps(refused["errorDetails"]), refused
    assert _data(server, ticket)["DataVersion"] == 0


def test_the_python_sdk_retries_through_custom_tags(pf: Server):
    player = new_player()
    player.use()
    request = {"Data": {"coins": "5"}, "CustomTags": {"IdempotencyKey": _key()}}
    first = sdk.call(PlayFabClientAPI.UpdateUserData, request)
    again = sdk.call(PlayFabClientAPI.UpdateUserData, request)
    assert first["DataVersion"] == again["DataVersion"] == 1
    # The field and the tag name one key: the field form of the same request replays it too.
    as_field = {"Data": {"coins": "5"}, "IdempotencyKey": request["CustomTags"]["IdempotencyKey"]}
    assert sdk.call(PlayFabClientAPI.UpdateUserData, as_field)["DataVersion"] == 1
    assert sdk.call(PlayFabClientAPI.GetUserData, {})["DataVersion"] == 1


@pytest.mark.parametrize("backend", ["sqlite", "cosmos"])
def test_a_key_past_its_window_applies_again(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    clock = HostClock(tmp_path)
    env = {"IDEMPOTENCY_WINDOW_SECONDS": "600", "SESSION_TTL_SECONDS": "31536000", **clock.env()}
    with host_on(backend, request, tmp_path, **env) as srv:
        ticket, _ = _login(srv)
        body = {"Data": {"a": "1"}, "IdempotencyKey": _key()}
        assert _update(srv, ticket, body)["data"] == {"DataVersion": 1}
        clock.advance(590)
        assert _update(srv, ticket, body)["data"] == {"DataVersion": 1}
        clock.advance(20)  # the window has passed: the key is forgotten, the write is new
        assert _update(srv, ticket, body)["data"] == {"DataVersion": 2}
        assert _update(srv, ticket, body)["data"] == {"DataVersion": 2}


def _ok(resp: Any) -> dict[str, Any]:
    answer: dict[str, Any] = resp.json()
    assert answer["code"] == 200, answer
    data: dict[str, Any] = answer["data"]
    return data


def test_set_objects_retried_answers_its_first_results(server: Server):
    login = _login_data(server)
    token, entity = login["EntityToken"]["EntityToken"], login["EntityToken"]["Entity"]
    headers = {"X-EntityToken": token}
    body = {"Entity": entity, "Objects": [{"ObjectName": "o", "DataObject": {"n": 1}}], "IdempotencyKey": _key()}
    first = _ok(server.post("/Object/SetObjects", body, headers))
    assert first == {"ProfileVersion": 1, "SetResults": [{"ObjectName": "o", "SetResult": "Created"}]}
    assert _ok(server.post("/Object/SetObjects", body, headers)) == first
    other = {"Entity": entity, "Objects": [{"ObjectName": "o", "DataObject": {"n": 2}}]}
    assert _ok(server.post("/Object/SetObjects", other, headers))["ProfileVersion"] == 2
    assert _ok(server.post("/Object/SetObjects", body, headers)) == first  # replayed, not set back to 1
    read = _ok(server.post("/Object/GetObjects", {"Entity": entity}, headers))
    assert read["ProfileVersion"] == 2
    assert read["Objects"]["o"]["DataObject"] == {"n": 2}
    profile = _ok(server.post("/Profile/GetProfile", {"Entity": entity}, headers))
    assert "IdempotentWrites" not in json.dumps(profile)


def test_custom_property_writes_retried_apply_once(server: Server):
    ticket, _ = _login(server)
    headers = {"X-Authorization": ticket}
    update = {"Properties": [{"Name": "level", "Value": 3}], "IdempotencyKey": _key()}
    assert _ok(server.post("/Client/UpdatePlayerCustomProperties", update, headers)) == {"PropertiesVersion": 1}
    assert _ok(server.post("/Client/UpdatePlayerCustomProperties", update, headers)) == {"PropertiesVersion": 1}
    delete = {"PropertyNames": ["level"], "IdempotencyKey": _key()}
    first = _ok(server.post("/Client/DeletePlayerCustomProperties", delete, headers))
    assert first == {"DeletedProperties": [{"Name": "level", "WasDeleted": True}], "PropertiesVersion": 2}
    assert _ok(server.post("/Client/DeletePlayerCustomProperties", delete, headers)) == first
    listed = _ok(server.post("/Client/ListPlayerCustomProperties", {}, headers))
    assert listed["PropertiesVersion"] == 2
    assert listed["Properties"] == []


def test_shared_group_data_retried_applies_once(server: Server):
    ticket, _ = _login(server)
    headers = {"X-Authorization": ticket}
    group = f"g-{uuid.uuid4().hex[:12]}"
    _ok(server.post("/Client/CreateSharedGroup", {"SharedGroupId": group}, headers))
    body = {"SharedGroupId": group, "Data": {"turn": "1"}, "IdempotencyKey": _key()}
    assert _ok(server.post("/Client/UpdateSharedGroupData", body, headers)) == {}
    _ok(server.post("/Client/UpdateSharedGroupData", {"SharedGroupId": group, "Data": {"turn": "2"}}, headers))
    assert _ok(server.post("/Client/UpdateSharedGroupData", body, headers)) == {}
    read = _ok(server.post("/Client/GetSharedGroupData", {"SharedGroupId": group}, headers))
    assert read["Data"]["turn"]["Value"] == "2"  # the retry did not write "1" again
    changed = {**body, "Data": {"turn": "3"}}
    refused = server.post("/Client/UpdateSharedGroupData", changed, headers).json()
    assert refused["error"] == "InvalidParams"


def test_server_functions_retried_run_once(server: Server):
    login = _login_data(server)
    ticket, token = login["SessionTicket"], login["EntityToken"]["EntityToken"]
    run = {"FunctionName": "Tests.AddOne", "IdempotencyKey": _key()}
    first = _ok(server.post("/CloudScript/ExecuteFunction", run, {"X-EntityToken": token}))
    assert first["FunctionResult"] == 1
    assert _ok(server.post("/CloudScript/ExecuteFunction", run, {"X-EntityToken": token})) == first
    legacy = {"FunctionName": "Tests.AddOne", "CustomTags": {"IdempotencyKey": _key()}}
    once = _ok(server.post("/Client/ExecuteCloudScript", legacy, {"X-Authorization": ticket}))
    assert once["FunctionResult"] == 2
    assert _ok(server.post("/Client/ExecuteCloudScript", legacy, {"X-Authorization": ticket})) == once
    # Without a key, every call runs.
    assert (
        _ok(server.post("/Client/ExecuteCloudScript", {"FunctionName": "Tests.AddOne"}, {"X-Authorization": ticket}))[
            "FunctionResult"
        ]
        == 3
    )
    assert _data(server, ticket)["Data"]["count"]["Value"] == "3"


def test_sixteen_concurrent_retries_of_a_server_function_run_it_once(server: Server):
    login = _login_data(server)
    ticket, token = login["SessionTicket"], login["EntityToken"]["EntityToken"]
    run = {"FunctionName": "Tests.AddOne", "IdempotencyKey": _key()}
    answers = _sent_at_once(server, "/CloudScript/ExecuteFunction", run, {"X-EntityToken": token})
    ran = [a["data"] for a in answers if a["code"] == 200]
    busy = [a for a in answers if a["code"] != 200]
    assert ran and all(r["FunctionResult"] == 1 for r in ran), answers
    assert all((a["error"], a["errorCode"]) == ("ConcurrentEditError", 1133) for a in busy), busy
    # Once it has answered, every retry gets that answer, and the function ran once.
    assert _ok(server.post("/CloudScript/ExecuteFunction", run, {"X-EntityToken": token})) == ran[0]
    assert _data(server, ticket)["Data"]["count"]["Value"] == "1"


def test_a_sum_statistic_updated_through_retries_adds_up_exactly(pf: Server):
    player = new_player()
    name = fresh_name("retried")
    define(name, aggregation="Sum")
    headers = {"X-SecretKey": SECRET_KEY}
    sends = [
        {"PlayFabId": player.playfab_id, "Statistics": [{"StatisticName": name, "Value": n}], "IdempotencyKey": _key()}
        for n in range(1, 11)
    ]
    for n, body in enumerate(sends):
        if n % 2 == 0:  # every other first attempt loses its answer
            _send_and_hang_up(pf, "/Server/UpdatePlayerStatistics", body, headers)
        for _ in range(3):  # and every write is retried three times
            assert _ok(pf.post("/Server/UpdatePlayerStatistics", body, headers)) == {}
    # One more write, retried by 16 callers at once.
    last = {**sends[0], "Statistics": [{"StatisticName": name, "Value": 100}], "IdempotencyKey": _key()}
    start = threading.Barrier(RETRIERS)
    codes: list[int] = []

    def retry() -> None:
        with httpx.Client(base_url=pf.url, timeout=60) as http:
            start.wait()
            codes.append(http.post("/Server/UpdatePlayerStatistics", json=last, headers=headers).json()["code"])

    threads = [threading.Thread(target=retry) for _ in range(RETRIERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * RETRIERS
    assert values_of(player.playfab_id, [name]) == {name: (sum(range(1, 11)) + 100, 0)}
    assert board(name) == [(player.playfab_id, 155, 0)]
