"""An ASGI app that serves the Functions app's own HTTP triggers, found by asking the app.

There is no second route table: each trigger's route and methods come from `app.get_functions()`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import azure.functions as func

from local_host.http_limits import http_limits
from local_host.log_throttle import quiet_accept_errors
from local_host.logs import configure_logging
from shared.auth import client_address
from shared.config.settings import DEFAULT_MAX_REQUEST_BYTES, SettingsError
from shared.pipeline import HttpRequest, Operation, handle, log_request, not_found, respond
from shared.services import close_services, current_settings
from shared.wire.errors import PlayFabError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    literal_segments: int  # more literal segments win, as in the Functions host
    methods: frozenset[str]
    function: Callable[..., Any]
    operation: Operation[Any] | None  # a PlayFab endpoint's (functions/endpoints.py); None for the others


_REGEX_PARAM = re.compile(r"^\{(\w+):regex\(\^?(.*?)\$?\)\}$")
PREFIX_SETTING = "AzureFunctionsJobHost__extensions__http__routePrefix"


def route_prefix(host_json: Path) -> str:
    """host.json's extensions.http.routePrefix, overridden by its app setting as on Azure."""
    override = os.environ.get(PREFIX_SETTING)
    if override is not None:
        return override.strip("/")
    config = json.loads(host_json.read_text(encoding="utf-8"))
    return str(config.get("extensions", {}).get("http", {}).get("routePrefix", "api")).strip("/")


def _compile(template: str, prefix: str = "") -> tuple[re.Pattern[str], int]:
    """An ASP.NET-style route template as a regex: literals, {name}, {name:regex(...)} and {*rest}.

    A catch-all may match nothing, as in ASP.NET: `console/{*path}` answers `/console` too."""
    parts, literal, rest = [re.escape(p) for p in prefix.split("/") if p], 0, ""
    for segment in template.strip("/").split("/"):
        constrained = _REGEX_PARAM.match(segment)
        if constrained:
            parts.append(f"(?P<{constrained[1]}>{constrained[2]})")
            literal += 1  # as specific as a literal
        elif segment.startswith("{*") and segment.endswith("}"):
            rest = f"(?:/(?P<{segment[2:-1]}>.*))?"  # the last segment of a template
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{segment[1:-1].split(':')[0]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return re.compile("^" + "".join("/" + part for part in parts) + rest + "$", re.IGNORECASE), literal


def routes_of(functions: list[Any], prefix: str = "") -> list[Route]:
    """Routes for the app's HTTP triggers (`app.get_functions()` may be called only once per app)."""
    routes = []
    for fn in functions:
        trigger = fn.get_trigger().get_dict_repr()
        if trigger.get("type") != "httpTrigger":
            continue
        pattern, literal = _compile(trigger.get("route") or fn.get_function_name(), prefix)
        methods = frozenset(str(getattr(m, "value", m)).upper() for m in trigger.get("methods") or ["GET", "POST"])
        user_function = fn.get_user_function()
        routes.append(Route(pattern, literal, methods, user_function, getattr(user_function, "operation", None)))
    return sorted(routes, key=lambda r: -r.literal_segments)


def _match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        found = route.pattern.match(path)
        if found and method in route.methods:
            return route, found.groupdict()
    return None


class _Disconnected(Exception):
    """The client went away before its body ended: there is no one to answer and nothing to run."""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes `limit` (the rest is never held in memory)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _merged_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-case names to values; a header sent twice becomes one comma-joined value, as the Functions
    host delivers it, so the core refuses a repeated credential or Content-Type on either host."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _framing_error(raw: list[tuple[bytes, bytes]], limit: int) -> PlayFabError | None:
    """Refuse framing two parsers could read differently (request smuggling), and a declared body past the
    limit before reading any of it."""
    lengths = [value for name, value in raw if name.lower() == b"content-length"]
    chunked = any(name.lower() == b"transfer-encoding" for name, _ in raw)
    if len(lengths) > 1 or (lengths and chunked):
        return PlayFabError("InvalidRequest", "Send one Content-Length, or Transfer-Encoding without one.")
    if lengths and lengths[0].strip().isdigit() and int(lengths[0]) > limit:
        return PlayFabError("BodyTooLarge", f"The request body is larger than {limit} bytes.")
    return None


async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def create_app(function_app: func.FunctionApp | None = None) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    configure_logging()
    if function_app is None:
        from function_app import app

        function_app = app
    routes = routes_of(function_app.get_functions(), route_prefix(Path(__file__).resolve().parent.parent / "host.json"))
    # The body cap is enforced while reading, so an oversized upload is refused without buffering it.
    # The core checks it again; this only protects the local host's memory.
    try:
        limit = current_settings().max_request_bytes
    except SettingsError:  # served as on Azure: every request answers 503 (shared/pipeline.py)
        limit = DEFAULT_MAX_REQUEST_BYTES
    body_timeout = http_limits().body_timeout

    async def refuse(send: Send, err: PlayFabError, headers: dict[str, str], path: str, started: float) -> None:
        resp = respond(err, headers)
        if err.name != "BodyTooLarge":  # the body is unread or its framing unclear: this connection ends
            resp.headers["Connection"] = "close"
        await _send(send, resp.status, resp.body, resp.headers)
        log_request(path, err.name, resp.status, started)

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()  # startup
            quiet_accept_errors(asyncio.get_running_loop())
            await send({"type": "lifespan.startup.complete"})
            await receive()  # shutdown
            await close_services()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        headers = _merged_headers(scope["headers"])
        started = time.perf_counter()
        framing = _framing_error(scope["headers"], limit)
        if scope.get("http_version") not in ("1.0", "1.1"):  # httptools takes a request line with no version
            framing = PlayFabError("InvalidRequest", "The request is not valid HTTP/1.1.")
        if framing is not None:
            await refuse(send, framing, headers, scope["path"], started)
            return
        try:
            async with asyncio.timeout(body_timeout):
                body = await _read_body(receive, limit)
        except TimeoutError:
            slow = f"The request body took longer than {body_timeout:g} s."
            await refuse(send, PlayFabError("InvalidRequest", slow, http_status=408), headers, scope["path"], started)
            return
        except _Disconnected:
            return
        if body is None:
            err = PlayFabError("BodyTooLarge", f"The request body is larger than {limit} bytes.")
            await refuse(send, err, headers, scope["path"], started)
            return
        path, method = scope["path"], scope["method"].upper()
        matched = _match(routes, method, path)
        if matched is None:  # a method no trigger lists (TRACE, CONNECT): PlayFab's 404 all the same
            resp = not_found(HttpRequest(method, path, headers, b""))
            await _send(send, resp.status, resp.body, resp.headers)
            return
        route, params = matched
        client = scope.get("client")
        if route.operation is not None:
            # What functions/serve.py would build from the Functions request, built from the ASGI one.
            peer = client[0] if client else None
            core = await handle(route.operation, HttpRequest(method, path, headers, body, peer))
            await _send(send, core.status, core.body, core.headers)
            return
        scheme = scope.get("scheme", "http")
        host = headers.get("host", "localhost")
        query = scope.get("query_string", b"").decode("latin-1")
        req = func.HttpRequest(
            method=method,
            url=f"{scheme}://{host}{path}" + (f"?{query}" if query else ""),
            headers=headers,
            params=dict(parse_qsl(query)),
            route_params=params,
            body=body,
        )
        client_address.PEER.set(client[0] if client else None)  # the pipeline decides whom to believe
        if inspect.iscoroutinefunction(route.function):
            reply = await route.function(req)
        else:
            reply = await asyncio.to_thread(route.function, req)
        await _send(send, reply.status_code, reply.get_body(), dict(reply.headers))

    return asgi
