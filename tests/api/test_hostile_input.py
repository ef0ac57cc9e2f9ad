"""Hostile input on every endpoint, with a valid credential: a PlayFab error, nothing written, still serving.

Each endpoint's legitimate request (tests/support/endpoint_requests.py) is broken in every way a client or an
attacker can break it: bad JSON, wrong types in every field, missing required fields, oversized values
and bodies, deep nesting, invalid UTF-8, lone surrogates, broken gzip and gzip bombs.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from shared.wire.error_codes import ERROR_CODES
from shared.wire.errors import STATUS_TEXT
from tests.support.credentials import headers_for
from tests.support.endpoint_requests import TABLE
from tests.support.routes import ENDPOINTS
from tests.support.server import SECRET_KEY, Server, running_server
from tests.support.world import HTTP, Target, all_records, new_target, stored_anywhere

PATHS = sorted(ENDPOINTS)
MAX_BODY = 4 * 1024 * 1024  # the default MAX_REQUEST_BYTES
WRONG_VALUES: tuple[Any, ...] = (12345, "text", True, [1], {"a": 1}, 1.5)
# The validation library's own wording must never reach a caller: PlayFab words its messages itself.
LIBRARY_WORDING = ("Input should", "Field required", "String should", "List should", "Dictionary should")


def assert_playfab_wording(details: dict[str, list[str]]) -> None:
    for messages in details.values():
        assert messages and all(m.startswith("The ") and m.endswith(".") for m in messages), details
        assert not any(p in m for m in messages for p in LIBRARY_WORDING), details


@pytest.fixture(scope="module")
def owner(sqlite_server: Server) -> Target:
    return new_target(sqlite_server)


def _send(sqlite_server: Server, path: str, owner: Target, raw: bytes, **headers: str) -> httpx.Response:
    sent = {"Content-Type": "application/json", **headers_for(ENDPOINTS[path].auth, owner.player), **headers}
    return HTTP.post(sqlite_server.url + path, content=raw, headers=sent)


def assert_refused(resp: httpx.Response, name: str, http: int = 400) -> dict[str, Any]:
    body = resp.json()
    assert resp.status_code == http, body
    assert (body["code"], body["status"], body["error"], body["errorCode"]) == (
        http,
        STATUS_TEXT[http],
        name,
        ERROR_CODES[name],
    ), body
    assert body["errorMessage"] and "Traceback" not in resp.text
    return body


def assert_still_serving(sqlite_server: Server) -> None:
    resp = HTTP.post(sqlite_server.url + "/Authentication/GetEntityToken", json={}, headers={"X-SecretKey": SECRET_KEY})
    assert resp.status_code == 200 and resp.json()["data"]["EntityToken"]


@pytest.fixture
def unchanged(sqlite_server: Server) -> Iterator[None]:
    """The store is exactly as it was (every record and etag) once the test's requests are refused."""
    before = all_records(sqlite_server)
    yield
    assert all_records(sqlite_server) == before, "a refused request wrote something"
    assert_still_serving(sqlite_server)


def _valid(path: str, owner: Target) -> dict[str, Any]:
    body = TABLE[path].body(owner)
    ENDPOINTS[path].model.model_validate(body)  # the starting point is a valid request
    return body


MALFORMED = [
    b'{"CustomTags": {"a": "b",}}',  # trailing comma
    b"{'CustomTags': 1}",  # single quotes
    b'{"CustomTags": NaN}',  # not JSON
    b'{"CustomTags": Infinity}',
    b"[1, 2, 3]",  # not an object
    b'"a string"',
    b"42",
    b"\x00\x01\x02",
    b'{"CustomTags": {"k": "\xff\xfe"}}',  # invalid UTF-8
    b'{"CustomTags": {"k": "\xed\xa0\x80"}}',  # a surrogate encoded as UTF-8
    b'{"CustomTags": {"k": "\\ud800"}}',  # a lone high surrogate
    b'{"CustomTags": {"k": "\\udc00x"}}',  # a lone low surrogate
    b'{"a":' + b"[" * 30_000 + b"]" * 30_000 + b"}",  # deeper than any parser's stack, under the login body cap
]


@pytest.mark.parametrize("path", PATHS)
def test_malformed_and_truncated_json(sqlite_server: Server, owner: Target, unchanged: None, path: str):
    valid = json.dumps(_valid(path, owner)).encode()
    for cut in (1, len(valid) // 2, len(valid) - 1):
        assert_refused(_send(sqlite_server, path, owner, valid[:cut]), "InvalidContentType")
    for raw in MALFORMED:
        assert_refused(_send(sqlite_server, path, owner, raw), "InvalidContentType")
    assert_refused(_send(sqlite_server, path, owner, valid, **{"Content-Type": "text/plain"}), "InvalidContentType")


def _leaves(body: Any, at: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every field path in a request body, containers included."""
    if at:
        yield at
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _leaves(value, (*at, key))
    elif isinstance(body, list):
        for i, value in enumerate(body):
            yield from _leaves(value, (*at, i))


def _replaced(body: Any, at: tuple[str | int, ...], value: Any) -> Any:
    if not at:
        return value
    copy = list(body) if isinstance(body, list) else dict(body)
    inner = body[at[0]] if len(at) > 1 else None  # the last step may add a field the body lacks
    copy[at[0]] = _replaced(inner, at[1:], value)  # type: ignore[index]
    return copy


def _wrong_value(path: str, body: dict[str, Any], at: tuple[str | int, ...]) -> tuple[Any, dict[str, Any]] | None:
    """A value of the wrong type for the field at `at` (the model refuses it there), or None if any will do."""
    for value in WRONG_VALUES:
        candidate = _replaced(body, at, value)
        try:
            ENDPOINTS[path].model.model_validate(candidate)
        except ValidationError as exc:
            if any(tuple(e["loc"][: len(at)]) == at for e in exc.errors()):
                return value, candidate
    return None


@pytest.mark.parametrize("path", PATHS)
def test_wrong_types_in_every_field(sqlite_server: Server, owner: Target, unchanged: None, path: str):
    body, tried = _valid(path, owner), 0
    for at in _leaves(body):
        wrong = _wrong_value(path, body, at)
        if wrong is None:  # e.g. a DataObject takes any JSON value
            continue
        tried += 1
        refused = assert_refused(_send(sqlite_server, path, owner, json.dumps(wrong[1]).encode()), "InvalidParams")
        field = ".".join(str(p) for p in at)
        assert any(name == field or name.startswith(field + ".") for name in refused["errorDetails"]), refused
        assert_playfab_wording(refused["errorDetails"])
    # Fields the legitimate request leaves out are typed too.
    for name in ENDPOINTS[path].model.model_fields:
        if name not in body and (wrong := _wrong_value(path, body, (name,))) is not None:
            tried += 1
            refused = assert_refused(_send(sqlite_server, path, owner, json.dumps(wrong[1]).encode()), "InvalidParams")
            assert any(detail.split(".")[0] == name for detail in refused["errorDetails"]), refused
    assert tried, "no field to try"


@pytest.mark.parametrize("path", PATHS)
def test_missing_required_fields(sqlite_server: Server, owner: Target, unchanged: None, path: str):
    body = _valid(path, owner)
    required = [name for name, field in ENDPOINTS[path].model.model_fields.items() if field.is_required()]
    for name in required:
        without = {k: v for k, v in body.items() if k != name}
        refused = assert_refused(_send(sqlite_server, path, owner, json.dumps(without).encode()), "InvalidParams")
        assert name in refused["errorDetails"], refused
        assert f"The {name} field is required." in refused["errorDetails"][name], refused


@pytest.mark.parametrize("path", PATHS)
def test_oversized_values_are_refused_or_harmless(sqlite_server: Server, owner: Target, path: str):
    """A 1 MB string in each string field: refused with nothing written, or accepted as any string is."""
    body = _valid(path, owner)
    huge = "x" * 1_000_000
    for at in [at for at in _leaves(body) if isinstance(_get(body, at), str)] + [("CustomTags",)]:
        value: Any = {"tag": huge} if at == ("CustomTags",) else huge
        before = all_records(sqlite_server)
        resp = _send(sqlite_server, path, owner, json.dumps(_replaced(body, at, value)).encode())
        envelope = resp.json()
        assert resp.status_code < 500 and "Traceback" not in resp.text, envelope
        if envelope["code"] != 200:
            assert envelope["error"] in ERROR_CODES and envelope["errorCode"] == ERROR_CODES[envelope["error"]]
            assert all_records(sqlite_server) == before, f"refused {at} but wrote something"
            details = envelope.get("errorDetails") or {}
            assert not any(p in m for ms in details.values() for m in ms for p in LIBRARY_WORDING), envelope
        else:  # accepted: nothing that big may have been stored
            assert not stored_anywhere(sqlite_server, huge[:100_000]), f"stored a huge value from {at}"
    assert_still_serving(sqlite_server)


def _get(body: Any, at: tuple[str | int, ...]) -> Any:
    for part in at:
        body = body[part]
    return body


@pytest.mark.parametrize("path", PATHS)
def test_oversized_bodies_and_broken_gzip(sqlite_server: Server, owner: Target, unchanged: None, path: str):
    valid = json.dumps(_valid(path, owner)).encode()
    padded = json.dumps({**_valid(path, owner), "Padding": "x" * MAX_BODY}).encode()
    assert_refused(_send(sqlite_server, path, owner, padded), "BodyTooLarge", 413)
    assert_refused(
        _send(sqlite_server, path, owner, gzip.compress(padded), **{"Content-Encoding": "gzip"}), "BodyTooLarge", 413
    )
    zipped = gzip.compress(valid)
    for broken in (b"not gzip at all", zipped[: len(zipped) // 2], zipped + b"trailing", zipped[:10]):
        assert_refused(_send(sqlite_server, path, owner, broken, **{"Content-Encoding": "gzip"}), "InvalidContentType")
    assert_refused(_send(sqlite_server, path, owner, valid, **{"Content-Encoding": "br"}), "InvalidContentType")


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip stream of zeros that inflates to `inflated_bytes`, built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = [packer.compress(chunk) for _ in range(inflated_bytes >> 20)]
    return b"".join(parts) + packer.flush()


def _peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def test_a_gzip_bomb_cannot_exhaust_memory(tmp_path: Path):
    """512 MB of zeros in half a megabyte of gzip, sent again and again: the host's peak memory barely moves."""
    if not Path("/proc/self/status").exists():
        message = "reading the host's peak memory needs /proc (Linux)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    bomb = gzip_bomb(512 << 20)
    assert len(bomb) < MAX_BODY // 4
    with running_server(tmp_path) as srv:
        target = new_target(srv)
        ok = _send(srv, "/Client/GetUserData", target, gzip.compress(b"{}"), **{"Content-Encoding": "gzip"})
        assert ok.status_code == 200  # a well-formed gzip body is served
        baseline = _peak_rss_bytes(srv.process.pid)
        for path in ("/Client/UpdateUserData", "/Object/SetObjects", "/Client/LoginWithCustomID"):
            for _ in range(3):
                assert_refused(_send(srv, path, target, bomb, **{"Content-Encoding": "gzip"}), "BodyTooLarge", 413)
        grown = _peak_rss_bytes(srv.process.pid) - baseline
        assert grown < 64 << 20, f"peak memory grew by {grown >> 20} MB"
        assert_still_serving(srv)


@pytest.mark.parametrize("path", PATHS)
def test_oversized_values_never_break_either_store(server: Server, path: str):
    """The same 1 MB strings against each storage backend: always an envelope, never a 5xx."""
    target = new_target(server)
    body = _valid(path, target)
    for at in [at for at in _leaves(body) if isinstance(_get(body, at), str)]:
        resp = _send(server, path, target, json.dumps(_replaced(body, at, "x" * 1_000_000)).encode())
        assert resp.status_code < 500 and "Traceback" not in resp.text, (at, resp.text[:300])
        assert resp.json()["code"] in (200, 400, 401, 403, 404, 413, 429), (at, resp.text[:300])
