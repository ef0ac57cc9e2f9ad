"""`python -m ops migrate` against a throttling source: a refused call is sent again after the
`retryAfterSeconds` the answer names (or a back-off without one), and the migration completes.

PlayFab throttles a title's calls with HTTP 429 `APIClientRequestRateLimitExceeded`; a local host of this
project does too, but not on demand for one call. A small proxy in front of the source refuses chosen
calls once each, and keeps the time every call arrived."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from ops import migrate
from ops.playfab_api import Counters, PlayFabApi
from tests.support.server import REPO, SECRET_KEY, TITLE_ID, Server, free_port, running_server

RETRY_AFTER = 1.2  # seconds the proxy's 429 asks for


@dataclass
class Proxy:
    """Forwards every call to `upstream`; the first call of each path in `refuse` gets `refuse[path]`."""

    upstream: str
    refuse: dict[str, tuple[int, dict[str, Any] | None]]
    arrivals: list[tuple[str, float]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.append((request.path, time.monotonic()))
        if request.path in self.refuse:
            status, body = self.refuse.pop(request.path)
            return web.json_response(body, status=status) if body is not None else web.Response(status=status)
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-") or k == "Content-Type"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.upstream + request.path, data=await request.read(), headers=headers) as answer,
        ):
            return web.Response(body=await answer.read(), status=answer.status, content_type="application/json")


@contextmanager
def serving(proxy: Proxy) -> Iterator[Proxy]:
    """The proxy on a free loopback port, in a thread of its own, until the block ends."""
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/{tail:.*}", proxy.handle)
    runner = web.AppRunner(app)
    port = free_port()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    proxy.url = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def _login(srv: Server, custom_id: str) -> str:
    body = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
    answer = srv.post("/Client/LoginWithCustomID", body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["PlayFabId"])


THROTTLED = {
    "code": 429,
    "status": "TooManyRequests",
    "error": "APIClientRequestRateLimitExceeded",
    "errorCode": 1199,
    "errorMessage": "The client has exceeded the maximum API request rate and is being throttled",
    "retryAfterSeconds": RETRY_AFTER,
}


def test_a_throttled_source_is_waited_for_as_it_asks_and_the_copy_completes(tmp_path):
    with (
        running_server(tmp_path / "source") as source,
        running_server(tmp_path / "target") as target,
    ):
        playfab_id = _login(source, "throttled-player")
        refuse: dict[str, tuple[int, dict[str, Any] | None]] = {
            "/Server/GetUserAccountInfo": (429, THROTTLED),
            "/Server/GetUserData": (503, None),  # no hint: a back-off of its own
        }
        with serving(Proxy(source.url, refuse)) as proxy:
            args = ["--from", proxy.url, "--from-title", TITLE_ID, "--from-secret", SECRET_KEY]
            done = subprocess.run(
                [sys.executable, "-m", "ops", "--settings", str(target.data_dir / "absent.json"), "migrate", *args],
                cwd=REPO,
                env=target.env,
                capture_output=True,
                text=True,
                timeout=60,
            )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "retried after throttling or failures: 2" in done.stdout
        times = [at for path, at in proxy.arrivals if path == "/Server/GetUserAccountInfo"]
        assert len(times) == 2 and times[1] - times[0] >= RETRY_AFTER
        assert len([path for path, _ in proxy.arrivals if path == "/Server/GetUserData"]) == 2
        copied = target.post("/Server/GetUserAccountInfo", {"PlayFabId": playfab_id}, {"X-SecretKey": SECRET_KEY})
        assert copied.status_code == 200, copied.text


async def _api_against(app: web.Application, run: Any) -> tuple[Any, list[float], Counters]:
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    try:
        async with aiohttp.ClientSession() as session:
            api = PlayFabApi(f"http://127.0.0.1:{port}", TITLE_ID, SECRET_KEY, session, sleep=sleep)
            try:
                result = await run(api)
            except Exception as exc:
                result = exc
            return result, waits, api.counters
    finally:
        await runner.cleanup()


def test_hints_are_honoured_capped_and_a_refusal_that_is_not_throttling_is_not_retried():
    answers = [
        (429, {**THROTTLED, "retryAfterSeconds": 3}),
        (429, {**THROTTLED, "retryAfterSeconds": 600}),  # longer than the longest wait honoured
        (503, None),
        (200, {"code": 200, "status": "OK", "data": {"Data": {"k": "v"}}}),
    ]

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.path == "/Server/GetUserData":
            body = {"code": 400, "status": "BadRequest", "error": "AccountNotFound", "errorCode": 1001}
            return web.json_response({**body, "errorMessage": "User not found"}, status=400)
        status, body = answers.pop(0)
        return web.json_response(body, status=status) if body is not None else web.Response(status=status)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)

    async def run(api: PlayFabApi) -> Any:
        data = await api.secret("/Admin/GetTitleData", {})
        try:
            await api.secret("/Server/GetUserData", {"PlayFabId": "0"})
        except Exception as exc:
            return data, exc
        return data, None

    (data, refused), waits, counters = asyncio.run(_api_against(app, run))
    assert data == {"Data": {"k": "v"}}
    assert waits[:2] == [3.0, 60.0] and 0.25 <= waits[2] <= 6.0
    assert (counters.calls, counters.retries) == (5, 3)
    assert refused is not None and refused.name == "AccountNotFound"


@pytest.mark.parametrize("hint", ["2", "2.5"])
def test_a_retry_after_header_counts_when_the_body_names_no_wait(hint):
    answers: list[web.StreamResponse] = [
        web.Response(status=503, headers={"Retry-After": hint}),
        web.json_response({"code": 200, "status": "OK", "data": {}}),
    ]

    async def handle(request: web.Request) -> web.StreamResponse:
        return answers.pop(0)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    _, waits, _ = asyncio.run(_api_against(app, lambda api: api.secret("/Admin/GetTitleData", {})))
    assert waits == [float(hint)]


@pytest.mark.parametrize(
    ("name", "code"), [("GetPlayersInSegmentRateLimitExceeded", 1491), ("DownstreamServiceUnavailable", 1127)]
)
def test_segment_throttling_and_a_downstream_service_down_are_retried(name, code):
    refused = {"code": 400, "status": "BadRequest", "error": name, "errorCode": code, "errorMessage": "later"}
    answers: list[web.StreamResponse] = [
        web.json_response(refused, status=400),
        web.json_response({"code": 200, "status": "OK", "data": {}}),
    ]

    async def handle(request: web.Request) -> web.StreamResponse:
        return answers.pop(0)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    result, waits, counters = asyncio.run(_api_against(app, lambda api: api.secret("/Admin/GetTitleData", {})))
    assert result == {} and len(waits) == 1 and (counters.calls, counters.retries) == (2, 1)


def test_every_segment_page_asks_for_the_token_to_live_an_hour():
    pages = [
        {"ProfilesInSegment": 3, "PlayerProfiles": [{"PlayerId": "A"}, {"PlayerId": "B"}], "ContinuationToken": "t1"},
        {"ProfilesInSegment": 3, "PlayerProfiles": [{"PlayerId": "B"}, {"PlayerId": "C"}], "ContinuationToken": "t2"},
        {"ProfilesInSegment": 3, "PlayerProfiles": []},
    ]
    requests: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        requests.append(await request.json())
        return web.json_response({"code": 200, "status": "OK", "data": pages.pop(0)})

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)

    async def run(api: PlayFabApi) -> list[list[str]]:
        return [page async for page in migrate.list_players(api, "seg", lambda total: None)]

    listed, _, _ = asyncio.run(_api_against(app, run))
    assert listed == [["A", "B"], ["C"]]
    assert [r.get("ContinuationToken") for r in requests] == [None, "t1", "t2"]
    assert all(r["SecondsToLive"] == 3600 and r["MaxBatchSize"] == 500 and r["SegmentId"] == "seg" for r in requests)
