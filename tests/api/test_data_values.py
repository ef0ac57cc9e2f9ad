"""JSON numbers and booleans as `Data` values, on every Update*Data call and both stores.

PlayFab's JavaScript SDK tests wrote `{"testCounter": 3}` and read a string back; game code in JavaScript
and Lua does the same. Scalars are stored as their text; objects and arrays are refused.
"""

from __future__ import annotations

import json
import math
import random
import struct
import subprocess
import uuid

import pytest
from playfab import PlayFabServerAPI

from shared.features.data_families import FAMILIES, Family, Scope
from shared.wire.data_values import data_text
from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of, grant_character, target, writer_routes
from tests.support.node_sdk import node_or_fail, run_node_calls
from tests.support.players import Player, new_player
from tests.support.server import Server


@pytest.fixture
def player(pf) -> Player:
    p = new_player()
    p.use()
    return p


def _values(result: dict) -> dict[str, str]:
    return {key: rec["Value"] for key, rec in result["Data"].items()}


def _user_values(player: Player) -> dict[str, str]:
    return _values(call("Server/GetUserData", {"PlayFabId": player.playfab_id}))


def test_numbers_and_booleans_are_stored_as_text(player):
    data = {"testCounter": 3, "half": 3.5, "yes": True, "no": False, "neg": -12, "tiny": 1e-7, "huge": 1e21}
    assert call("Client/UpdateUserData", {"Data": data})["DataVersion"] == 1
    assert _user_values(player) == {
        "testCounter": "3",
        "half": "3.5",
        "yes": "true",
        "no": "false",
        "neg": "-12",
        "tiny": "1e-7",
        "huge": "1e+21",
    }


@pytest.mark.parametrize(
    ("literal", "stored"),
    [
        ("3.50", "3.5"),
        ("1e3", "1000"),
        ("1E3", "1000"),
        ("-0.0", "0"),
        ("0.1", "0.1"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("1e-6", "0.000001"),
    ],
)
def test_number_text_as_sent_over_http(pf: Server, player, literal, stored):
    raw = b'{"Data": {"n": ' + literal.encode() + b"}}"
    headers = {"X-Authorization": player.ticket, "Content-Type": "application/json"}
    resp = pf.post("/Client/UpdateUserData", raw=raw, headers=headers)
    assert resp.status_code == 200, resp.text
    assert _user_values(player) == {"n": stored}


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.api_name)
def test_every_update_call_takes_a_number(player, fam: Family):
    character = grant_character(player.playfab_id) if fam.scope is Scope.CHARACTER else None
    for n, route in enumerate(writer_routes(fam)):
        call(route, {**target(fam, route, player.playfab_id, character), "Data": {"n": n, "b": True}})
        reader = route.replace("Client/", "Server/").replace("Admin/", "Server/").replace("/Update", "/Get")
        read = call(reader, {**target(fam, reader, player.playfab_id, character)})
        assert _values(read) == {"n": str(n), "b": "true"}, route


def test_shared_group_data_takes_a_number(player):
    group = sdk.call(PlayFabServerAPI.CreateSharedGroup, {})["SharedGroupId"]
    sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group, "Data": {"score": 42, "on": False}})
    data = sdk.call(PlayFabServerAPI.GetSharedGroupData, {"SharedGroupId": group})["Data"]
    assert {k: r["Value"] for k, r in data.items()} == {"score": "42", "on": "false"}


@pytest.mark.parametrize("value", [{"nested": "x"}, ["x"], []], ids=["object", "array", "empty-array"])
def test_objects_and_arrays_are_refused_and_write_nothing(player, value):
    call("Client/UpdateUserData", {"Data": {"keep": "1"}})
    err = error_of("Client/UpdateUserData", {"Data": {"k": value, "other": "2"}})
    assert_error(err, 400, "InvalidParams", 1000)
    assert err["errorDetails"] == {"Data.k": ["The field Data must be a string, a number, a boolean or null."]}
    assert _user_values(player) == {"keep": "1"}


def test_a_number_out_of_double_range_is_refused(pf: Server, player):
    headers = {"X-Authorization": player.ticket, "Content-Type": "application/json"}
    resp = pf.post("/Client/UpdateUserData", raw=b'{"Data": {"n": 1e400}}', headers=headers)
    body = resp.json()
    assert resp.status_code == 400 and body["error"] == "InvalidParams" and body["errorCode"] == 1000
    assert list(body["errorDetails"]) == ["Data.n"]
    assert _user_values(player) == {}


def test_null_still_removes(player):
    call("Client/UpdateUserData", {"Data": {"a": 1, "b": 2}})
    call("Client/UpdateUserData", {"Data": {"a": None}})
    assert _user_values(player) == {"b": "2"}


def test_node_sdk_sends_a_number_and_reads_back_text(tls_server):
    login = {"CustomId": f"node-values-{uuid.uuid4()}", "CreateAccount": True}
    answers = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {"api": "PlayFabClient", "method": "LoginWithCustomID", "request": login},
            {"api": "PlayFabClient", "method": "UpdateUserData", "request": {"Data": {"testCounter": 3, "on": True}}},
            {"api": "PlayFabClient", "method": "GetUserData", "request": {}},
        ],
    )
    assert [a["ok"] for a in answers] == [True, True, True], answers
    data = answers[2]["data"]["Data"]
    assert {k: r["Value"] for k, r in data.items()} == {"testCounter": "3", "on": "true"}
    assert int(data["testCounter"]["Value"]) == 3  # what the SDK's own test does with it


def _doubles(count: int) -> list[float]:
    """Edge cases, then doubles from random bit patterns and everyday decimals (seeded: the same every run)."""
    rng = random.Random(20261201)
    values = [0.1, 0.5, 1e21, 1e20, 1e-6, 1e-7, 5e-324, 1.7976931348623157e308, 2.0**53, 1.5e-10, -3.25, -0.0]
    while len(values) < count:
        bits = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        values += [bits] if math.isfinite(bits) else []
        values += [rng.uniform(-1e6, 1e6), round(rng.uniform(-1000, 1000), rng.randint(0, 6))]
    return values


def test_number_text_is_what_javascript_prints():
    """A JavaScript caller sends String(n)'s digits in JSON; it must read back the same text."""
    node = node_or_fail()
    values = _doubles(5000)
    script = (
        "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.stringify(JSON.parse(s).map(String))))"
    )
    done = subprocess.run([node, "-e", script], input=json.dumps(values), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert len(printed) == len(values)
    assert [(v, data_text(v)) for v, js in zip(values, printed, strict=True) if data_text(v) != js] == []
