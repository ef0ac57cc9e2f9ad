"""Logs: one structured line per request (path, outcome, status, ms), and never a secret key, ticket,
token or data value, whether the call succeeds, is refused, is malformed or blows up inside."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from local_host.logs import JsonLines
from shared import services as services_module
from shared.auth.caller import Auth
from shared.pipeline import HttpRequest, Operation, handle
from shared.wire.validation import Request
from tests.support.credentials import headers_for
from tests.support.endpoint_requests import TABLE
from tests.support.routes import ENDPOINTS
from tests.support.server import OTHER_SECRET_KEY, SECRET_KEY, SIGNING_KEY, base_env, running_server
from tests.support.world import expired_entity_token, expired_ticket, forged, new_target

MARK = "MARKd4t4v4lu3"  # a value no log line may ever contain


def _marked(body: Any) -> Any:
    """The body with a marked value in every string it carries, and in tags and data."""
    if isinstance(body, dict):
        marked = {k: _marked(v) for k, v in body.items()}
        if "Data" in marked:
            marked["Data"] = {"k": f"{MARK}-value", f"{MARK}-key": "v"}
        marked["CustomTags"] = {"tag": MARK}
        return marked
    if isinstance(body, list):
        return [_marked(v) for v in body]
    return body


def test_request_lines_carry_no_secret(tmp_path: Path):
    secrets: set[str] = {SECRET_KEY, OTHER_SECRET_KEY, SIGNING_KEY, MARK}
    sent = 0
    with running_server(tmp_path) as srv, httpx.Client(timeout=60) as client:

        def post(path: str, raw: bytes, headers: dict[str, str]) -> None:
            nonlocal sent
            sent += 1
            resp = client.post(srv.url + path, content=raw, headers={"Content-Type": "application/json", **headers})
            assert MARK not in resp.headers.get("Retry-After", "")
            data = resp.json().get("data") or {}
            for name in ("SessionTicket", "EntityToken"):  # every credential handed out is a secret too
                token = data.get(name)
                if isinstance(token, dict):
                    token = token["EntityToken"]
                if token:
                    secrets.add(token)

        target = new_target(srv)
        player = target.player
        already = srv.log().count('"msg": "request"')  # the start-up probe and the target's set-up
        secrets |= {player.ticket, player.entity_token, expired_ticket(player), expired_entity_token(player)}
        wrong = [
            {"X-Authorization": forged(player.ticket)},
            {"X-Authorization": expired_ticket(player)},
            {"X-EntityToken": forged(player.entity_token)},
            {"X-EntityToken": expired_entity_token(player)},
            {"X-SecretKey": f"{MARK}-not-the-key"},
        ]
        secrets |= {forged(player.ticket), forged(player.entity_token)}
        for path, row in TABLE.items():
            body = _marked(row.body(target))
            raw = json.dumps(body).encode()
            good = headers_for(ENDPOINTS[path].auth, player)
            post(path, raw, good)  # success (or the row's refusal)
            for headers in wrong:
                post(path, raw, headers)
            post(path, raw[: len(raw) // 2], good)  # truncated
            post(path, json.dumps({**body, "Padding": MARK * 400_000}).encode(), good)  # too large
            post(path, gzip.compress(raw)[:-6], {**good, "Content-Encoding": "gzip"})  # broken gzip
        post("/Client/NoSuchCall", raw, {"X-SecretKey": SECRET_KEY})
        lines = [json.loads(line) for line in srv.log().splitlines() if line.startswith("{")]

    requests = [line for line in lines if line.get("msg") == "request"]
    assert len(requests) == already + sent
    for line in requests:
        assert set(line) >= {"path", "outcome", "status", "ms", "pid"} and line["path"].startswith("/")
    text = "\n".join(json.dumps(line) for line in lines)
    leaked = [s for s in secrets if s in text]
    assert leaked == [], "secrets in the log"


async def _boom(services: Any, caller: Any, req: Request) -> dict[str, Any]:
    # A handler bug whose exception quotes what the caller sent.
    raise KeyError(f"{MARK}: {(req.CustomTags or {}).get('ticket')}")


def test_an_unexpected_exception_is_logged_without_its_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An unhandled exception cannot be caused through the real endpoints, so one handler raises it here."""
    for name, value in base_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(services_module, "_services", None)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("playfab.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        op = Operation(Auth.SECRET, Request, _boom)
        body = json.dumps({"CustomTags": {"ticket": f"{MARK}-ticket"}}).encode()
        headers = {"content-type": "application/json", "x-secretkey": SECRET_KEY}
        resp = asyncio.run(_handle_and_close(op, HttpRequest("POST", "/Server/Boom", headers, body)))
    finally:
        logger.removeHandler(handler)
    envelope = json.loads(resp.body)
    assert (resp.status, envelope["error"], envelope["errorCode"]) == (500, "InternalServerError", 1110)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["msg"] for line in lines] == ["unhandled KeyError on /Server/Boom", "request"]
    assert "_boom" in lines[0]["trace"]  # where it happened is kept
    assert lines[1]["outcome"] == "InternalServerError" and lines[1]["status"] == 500
    assert MARK not in stream.getvalue() and SECRET_KEY not in stream.getvalue()


async def _handle_and_close(op: Operation[Any], req: HttpRequest) -> Any:
    try:
        return await handle(op, req)
    finally:
        await services_module.close_services()
