"""The local host at the HTTP level, over raw sockets: slow and idle clients, the connection cap, oversized
and malformed requests, ambiguous framing and duplicated headers all end in a PlayFab envelope (or a
silent close where no request was started) within the configured limits, and the host keeps serving.

Every socket has a timeout, so a defect shows as a failure, never as a hung run.
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from local_host.__main__ import FILES_BESIDES_CONNECTIONS
from shared.wire.error_codes import ERROR_CODES
from tests.support.node_sdk import self_signed_cert
from tests.support.server import SECRET_KEY, TITLE_ID, Server, base_env, running_server

WAIT = 10.0  # the longest any socket waits: well above every limit the test hosts use
LIMITS = {
    "HTTP_HEADER_TIMEOUT_SECONDS": "1",
    "HTTP_BODY_TIMEOUT_SECONDS": "1",
    "HTTP_IDLE_TIMEOUT_SECONDS": "1",
    "HTTP_MAX_HEADER_BYTES": "8192",
}
TOKEN_PATH = "/Authentication/GetEntityToken"


# Every limit holds on both HTTP stacks the local host offers (local_host/http_guard.py's STACKS).
@pytest.fixture(scope="module", params=["fast", "h11"])
def edge(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("host-edge"), HTTP_STACK=request.param, **LIMITS) as srv:
        yield srv


def _connect(server: Server) -> socket.socket:
    url = urlsplit(server.url)
    sock = socket.create_connection((url.hostname, url.port), timeout=WAIT)
    sock.settimeout(WAIT)
    return sock


def _request(path: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers = [("Content-Type", "application/json"), *headers]
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _read_responses(sock: socket.socket, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """`count` responses in order (status, lower-case headers, body); fails on EOF or the socket's timeout."""
    data, responses = b"", []
    while len(responses) < count:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed before a response; got {data!r}"
            data += chunk
        head, _, data = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        length = int(headers["content-length"])
        while len(data) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed inside the response body"
            data += chunk
        responses.append((int(status_line.split()[1]), headers, data[:length]))
        data = data[length:]
    return responses


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    return _read_responses(sock, 1)[0]


def _closed(sock: socket.socket) -> bool:
    """True once the server closes (EOF or reset) within WAIT; anything it sends instead is a failure."""
    try:
        extra = sock.recv(65536)
    except ConnectionResetError:
        return True
    assert not extra, f"expected the connection to close, got {extra!r}"
    return True


def _envelope(status: int, headers: dict[str, str], body: bytes, name: str, http_status: int) -> dict[str, Any]:
    assert headers["content-type"].startswith("application/json"), (status, headers, body)
    payload = json.loads(body)
    assert (status, payload["code"], payload["error"], payload["errorCode"]) == (
        http_status,
        http_status,
        name,
        ERROR_CODES[name],
    ), payload
    assert isinstance(payload["status"], str) and isinstance(payload["errorMessage"], str)
    return payload


def _still_serving(server: Server) -> None:
    resp = httpx.post(server.url + TOKEN_PATH, json={}, headers={"X-SecretKey": SECRET_KEY}, timeout=WAIT)
    assert resp.status_code == 200, resp.text


# -- slow and idle clients ---------------------------------------------------------------------------


def test_a_connection_that_never_sends_is_closed_after_the_idle_timeout(edge: Server):
    with _connect(edge) as sock:
        assert _closed(sock)
    _still_serving(edge)


def test_a_kept_alive_connection_is_closed_after_the_idle_timeout(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", "0")]))
        assert _read_response(sock)[0] == 200
        assert _closed(sock)


def test_headers_that_never_finish_get_408_and_a_close(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(b"POST /Client/LoginWithCustomID HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        _envelope(*_read_response(sock), "InvalidRequest", 408)
        assert _closed(sock)
    _still_serving(edge)


def test_headers_dripped_a_byte_at_a_time_still_time_out(edge: Server):
    """Each byte would restart an idle timer; the header timeout counts from the first byte."""
    request = _request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("X-Padding", "p" * 200)])
    with _connect(edge) as sock:
        sock.settimeout(0.1)
        answer = b""
        for byte in request[:-4]:  # never the blank line that ends the headers
            try:
                sock.sendall(bytes([byte]))
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            break
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b'"errorCode":1071' in answer


def test_a_body_that_never_finishes_gets_408_and_a_close(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(
            _request(
                TOKEN_PATH,
                [("X-SecretKey", SECRET_KEY), ("Content-Length", "100")],
                b'{"a": "',
            )
        )
        _envelope(*_read_response(sock), "InvalidRequest", 408)
        assert _closed(sock)
    _still_serving(edge)


# -- sizes ---------------------------------------------------------------------------------------------


def test_a_huge_content_length_is_413_before_any_body_is_read(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", str(100 * 1024**3))]))
        _envelope(*_read_response(sock), "BodyTooLarge", 413)
        assert _closed(sock)  # the unread body is dropped for at most the body timeout, then the connection ends
    _still_serving(edge)


def test_a_chunked_body_past_the_limit_is_413(edge: Server):
    chunk = b"x" * 65536
    with _connect(edge) as sock:
        sock.sendall(
            _request(
                TOKEN_PATH,
                [("X-SecretKey", SECRET_KEY), ("Transfer-Encoding", "chunked")],
            )
        )
        for _ in range(70):  # 4.4 MB, past the 4 MB default
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sock.sendall(b"0\r\n\r\n")
        _envelope(*_read_response(sock), "BodyTooLarge", 413)
    _still_serving(edge)


def test_an_oversized_header_gets_a_playfab_envelope(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("X-Big", "b" * 200_000)]))
        _envelope(*_read_response(sock), "InvalidRequest", 431)
    _still_serving(edge)


# -- malformed and ambiguous requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"NOT AN HTTP REQUEST\r\n\r\n",
        b"POST /Client/LoginWithCustomID\r\nHost: x\r\n\r\n",
        b"POST /Client/LoginWithCustomID HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n",
        _request(TOKEN_PATH, [("Content-Length", "2"), ("Content-Length", "3")], b"{}"),
        _request(TOKEN_PATH, [("Content-Length", "2, 3")], b"{}"),
        _request(TOKEN_PATH, [("Content-Length", "-1")]),
        _request(TOKEN_PATH, [("Transfer-Encoding", "gzip")], b"{}"),
    ],
    ids=["request-line", "no-version", "header-name", "two-lengths", "length-list", "negative-length", "te-gzip"],
)
def test_malformed_http_gets_a_playfab_envelope(edge: Server, raw: bytes):
    with _connect(edge) as sock:
        sock.sendall(raw)
        status, headers, body = _read_response(sock)
        assert status in (400, 501)
        _envelope(status, headers, body, "InvalidRequest", status)
        assert _closed(sock)
    _still_serving(edge)


def test_chunked_together_with_content_length_is_refused(edge: Server):
    body = b"2\r\n{}\r\n0\r\n\r\n"
    headers = [
        ("X-SecretKey", SECRET_KEY),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", str(len(body))),
    ]
    with _connect(edge) as sock:
        sock.sendall(_request(TOKEN_PATH, headers, body))
        _envelope(*_read_response(sock), "InvalidRequest", 400)
        assert _closed(sock)


def test_the_same_content_length_twice_is_refused(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", "2")] * 2, b"{}"))
        _envelope(*_read_response(sock), "InvalidRequest", 400)


def _credentials(server: Server) -> dict[str, str]:
    login = httpx.post(
        server.url + "/Client/LoginWithCustomID",
        json={"TitleId": TITLE_ID, "CustomId": "edge-player", "CreateAccount": True},
        timeout=WAIT,
    ).json()["data"]
    return {
        "X-SecretKey": SECRET_KEY,
        "X-Authorization": login["SessionTicket"],
        "X-EntityToken": login["EntityToken"]["EntityToken"],
    }


@pytest.mark.parametrize("header", ["X-SecretKey", "X-Authorization", "X-EntityToken"])
@pytest.mark.parametrize("first", ["wrong", "right"])
def test_a_credential_header_sent_twice_is_refused(edge: Server, header: str, first: str):
    right = _credentials(edge)[header]
    assert httpx.post(edge.url + TOKEN_PATH, json={}, headers={header: right}, timeout=WAIT).status_code == 200
    values = [("not-" + right) if first == "wrong" else right, right]
    resp = httpx.post(edge.url + TOKEN_PATH, json={}, headers=[(header, v) for v in values], timeout=WAIT)
    _envelope(resp.status_code, dict(resp.headers), resp.content, "InvalidRequest", 400)


def test_content_type_sent_twice_is_refused(edge: Server):
    headers = [("X-SecretKey", SECRET_KEY), ("Content-Type", "text/plain"), ("Content-Type", "application/json")]
    resp = httpx.post(edge.url + TOKEN_PATH, content=b"{}", headers=headers, timeout=WAIT)
    _envelope(resp.status_code, dict(resp.headers), resp.content, "InvalidContentType", 400)


def test_requests_on_one_kept_alive_connection_still_work(edge: Server):
    with _connect(edge) as sock:
        for _ in range(3):
            sock.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", "2")], b"{}"))
            status, _, body = _read_response(sock)
            assert status == 200 and json.loads(body)["data"]["Entity"]["Type"] == "title"


def test_pipelined_requests_are_answered_in_order(edge: Server):
    one = _request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", "2")], b"{}")
    bad = _request(TOKEN_PATH, [("X-SecretKey", "wrong-key-0123456789"), ("Content-Length", "2")], b"{}")
    with _connect(edge) as sock:
        sock.sendall(one + bad + one)
        assert [status for status, _, _ in _read_responses(sock, 3)] == [200, 401, 200]


def test_the_second_request_on_a_connection_has_its_own_header_timeout(edge: Server):
    with _connect(edge) as sock:
        sock.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", "2")], b"{}"))
        assert _read_response(sock)[0] == 200
        sock.sendall(b"POST /Client/LoginWithCustomID HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        _envelope(*_read_response(sock), "InvalidRequest", 408)
        assert _closed(sock)


# -- connection cap and running out of descriptors -------------------------------------------------------


def test_connections_past_the_cap_get_503_until_one_closes(tmp_path: Path):
    cap = 4
    overrides = {**LIMITS, "HTTP_MAX_CONNECTIONS": str(cap), "HTTP_IDLE_TIMEOUT_SECONDS": "60"}
    overrides["HTTP_HEADER_TIMEOUT_SECONDS"] = "60"
    with running_server(tmp_path, **overrides) as srv, ExitStack() as held:
        for _ in range(cap):
            held.enter_context(_connect(srv))  # idle: each holds a slot
        with _connect(srv) as extra:
            extra.sendall(_request(TOKEN_PATH, [("X-SecretKey", SECRET_KEY), ("Content-Length", "2")], b"{}"))
            status, headers, body = _read_response(extra)
            _envelope(status, headers, body, "ServiceUnavailable", 503)
            assert headers["retry-after"] == "1"
        held.close()
        deadline = time.monotonic() + WAIT
        while True:  # the host sees the closes asynchronously; bounded in time
            resp = httpx.post(srv.url + TOKEN_PATH, json={}, headers={"X-SecretKey": SECRET_KEY}, timeout=WAIT)
            if resp.status_code == 200 or time.monotonic() > deadline:
                break
        assert resp.status_code == 200, resp.text


def _few_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


def _serving_again(srv: Server) -> None:
    deadline = time.monotonic() + WAIT
    while True:  # serving again once descriptors are free; bounded in time
        try:
            _still_serving(srv)
            return
        except (httpx.TransportError, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_running_out_of_descriptors_is_logged_once_per_interval(tmp_path: Path):
    """asyncio's loop (HTTP_STACK=h11) reports each failed accept(); the host says it once."""
    overrides = {**LIMITS, "HTTP_IDLE_TIMEOUT_SECONDS": "60", "HTTP_HEADER_TIMEOUT_SECONDS": "60", "HTTP_STACK": "h11"}
    with running_server(tmp_path, preexec=_few_descriptors, **overrides) as srv:
        with ExitStack() as held:
            for _ in range(120):
                held.enter_context(_connect(srv))
            deadline = time.monotonic() + WAIT
            while "accept" not in srv.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "accept" in srv.log(), "the host never ran out of descriptors"
            # asyncio retries the accept every second: give it three more tries while still out of them.
            time.sleep(3.5)
        _serving_again(srv)
    log = srv.log()  # the whole run, shutdown included
    accept_lines = [line for line in log.splitlines() if "accept" in line]
    assert len(accept_lines) == 1, accept_lines
    assert "Traceback" not in log and len(log) < 20_000, log[-2000:]


def test_out_of_descriptors_uvloop_closes_what_it_cannot_hold(tmp_path: Path):
    """uvloop (HTTP_STACK=fast) accepts and at once closes a connection it has no descriptor for, so such
    a client sees its connection end rather than wait; nothing is logged and the host serves on."""
    overrides = {**LIMITS, "HTTP_IDLE_TIMEOUT_SECONDS": "60", "HTTP_HEADER_TIMEOUT_SECONDS": "60", "HTTP_STACK": "fast"}
    with running_server(tmp_path, preexec=_few_descriptors, **overrides) as srv:
        with ExitStack() as held:
            socks = [held.enter_context(_connect(srv)) for _ in range(120)]
            ended = 0
            for sock in socks[64:]:  # past the 64 descriptors the process has in all
                sock.settimeout(WAIT)
                with suppress(ConnectionResetError):
                    ended += sock.recv(1) == b""
            assert ended == len(socks[64:])
        _serving_again(srv)
    log = srv.log()
    assert "Traceback" not in log and len(log) < 20_000, log[-2000:]


@pytest.mark.parametrize("value", [f"not-{SECRET_KEY}, {SECRET_KEY}", f"{SECRET_KEY}, {SECRET_KEY}"])
def test_the_functions_host_joined_copies_of_a_credential_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
):
    """Azure's Functions host hands the trigger a repeated header as one comma-joined value."""
    import azure.functions as func

    from shared.services import close_services
    from tests.support.routes import FUNCTIONS

    (get_entity_token,) = [
        fn.get_user_function() for fn in FUNCTIONS if fn.get_function_name() == "authentication_get_entity_token"
    ]

    for name, setting in base_env(tmp_path).items():
        monkeypatch.setenv(name, setting)
    req = func.HttpRequest(
        method="POST",
        url="http://localhost/Authentication/GetEntityToken",
        headers={"Content-Type": "application/json", "X-SecretKey": value},
        body=b"{}",
    )

    async def call() -> func.HttpResponse:
        try:
            return await get_entity_token(req)
        finally:
            await close_services()

    resp = asyncio.run(call())
    headers = {name.lower(): text for name, text in resp.headers.items()}
    _envelope(resp.status_code, headers, resp.get_body(), "InvalidRequest", 400)


def _tls_connect(server: Server, context: ssl.SSLContext) -> ssl.SSLSocket:
    sock = context.wrap_socket(_connect(server), server_hostname="127.0.0.1")
    sock.settimeout(WAIT)
    return sock


def test_over_tls_slow_headers_and_idle_connections_end_the_same_way(tmp_path: Path):
    cert, key = self_signed_cert(tmp_path)
    context = ssl.create_default_context(cafile=str(cert))
    with running_server(tmp_path / "data", tls=(cert, key), **LIMITS) as srv:
        with _tls_connect(srv, context) as sock:
            sock.sendall(b"POST /Client/LoginWithCustomID HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            _envelope(*_read_response(sock), "InvalidRequest", 408)
        with _tls_connect(srv, context) as sock, suppress(ConnectionResetError, ssl.SSLError):
            # An end without a TLS close_notify is an end all the same; a timeout is not.
            assert sock.recv(65536) == b""


def _low_soft_descriptor_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 4096))


def test_the_open_file_limit_is_raised_to_fit_the_connection_cap(tmp_path: Path):
    with running_server(tmp_path, preexec=_low_soft_descriptor_limit, HTTP_MAX_CONNECTIONS="2000") as srv:
        limits = Path(f"/proc/{srv.process.pid}/limits").read_text(encoding="utf-8")
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    assert (int(soft), int(hard)) == (2000 + FILES_BESIDES_CONNECTIONS, 4096), line
