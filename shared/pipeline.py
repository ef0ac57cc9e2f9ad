"""One request, start to finish, with no web framework: decode, authenticate, validate, run, envelope.

Every failure leaves here as PlayFab's error envelope; nothing raises past handle().
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import time
import traceback
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from shared.auth import client_address
from shared.auth.caller import Auth, Caller
from shared.auth.caller import resolve as resolve_caller
from shared.auth.entities import ensure_caller_exists
from shared.config.settings import SettingsError
from shared.limits import address_limits, rate_limits
from shared.services import Services, current_settings, get_services
from shared.storage import DocumentTooLarge, StoreBusy, StoreUnavailable
from shared.storage.metering import METER, Meter
from shared.wire.envelope import error_body, success_body
from shared.wire.errors import PlayFabError
from shared.wire.jsontext import dumps_bytes, reject_constant
from shared.wire.validation import Request, parse

log = logging.getLogger("playfab.requests")

M = TypeVar("M", bound=Request)
Handler = Callable[[Services, Caller, M], Awaitable[dict[str, Any]]]

_JSON_TYPE = re.compile(r"^\s*application/json\s*(;.*)?$", re.IGNORECASE)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# Hosts hand a header sent twice over as one value joined with commas (the Functions host, and the
# local host likewise); no credential this backend issues or accepts contains one.
_CREDENTIAL_HEADERS = ("X-SecretKey", "X-Authorization", "X-EntityToken")


@dataclass(frozen=True)
class Operation(Generic[M]):
    """A PlayFab call: who may make it, what it takes, and the core function that does it."""

    auth: Auth
    model: type[M]
    handler: Handler[M]
    rate_limit: str | None = None  # the limit each call draws on (shared/config/rate_windows.py), if any


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    peer: str | None = None  # the TCP peer, when the host knows it (the local host does)
    query: str = ""  # the URL's query string; PlayFab's endpoints ignore it, the reset page reads it


@dataclass
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json; charset=utf-8"})


def _decode_body(req: HttpRequest, limit: int) -> dict[str, Any]:
    content_type = req.headers.get("content-type", "")
    if not _JSON_TYPE.match(content_type):
        raise PlayFabError("InvalidContentType", "Content-Type must be application/json.")
    raw = req.body
    if len(raw) > limit:
        raise PlayFabError("BodyTooLarge", f"The request body is larger than {limit} bytes.")
    encoding = req.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = _gunzip(raw, limit)
    elif encoding not in ("", "identity"):
        raise PlayFabError("InvalidContentType", f"Content-Encoding {encoding!r} is not supported; use gzip.")
    if not raw.strip():
        return {}
    try:
        # Decode as UTF-8 ourselves: json.loads(bytes) would also take UTF-16 and UTF-32.
        text = raw.decode("utf-8")
        payload = json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        raise PlayFabError("InvalidContentType", "The request body is not valid JSON.") from None
    if payload is None:  # the Python SDK sends `null` for a request passed as None
        return {}
    if not isinstance(payload, dict):
        raise PlayFabError("InvalidContentType", "The request body must be a JSON object.")
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise PlayFabError("InvalidContentType", "The request body has an unpaired UTF-16 surrogate.") from None
    return payload


def _gunzip(raw: bytes, limit: int) -> bytes:
    # Bounded inflate: a small bomb can never grow past the body limit in memory.
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise PlayFabError("InvalidContentType", "The gzip request body is corrupt.") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise PlayFabError("BodyTooLarge", f"The decompressed request body is larger than {limit} bytes.")
    if not inflater.eof or inflater.unused_data:
        raise PlayFabError("InvalidContentType", "The gzip request body is truncated or has trailing data.")
    return out


def _store_error(exc: Exception) -> PlayFabError:
    if isinstance(exc, StoreBusy):
        return PlayFabError("ConcurrentEditError", "Too many concurrent edits of the same data; retry.")
    if isinstance(exc, DocumentTooLarge):
        return PlayFabError("TotalDataSizeExceeded", "The data would exceed the size one record can hold.")
    assert isinstance(exc, StoreUnavailable)
    retry = max(1, round(exc.retry_after_seconds or 1))
    if exc.throttled:
        return PlayFabError(
            "DatabaseThroughputExceeded", "The store is throttling; retry later.", retry_after_seconds=retry
        )
    return PlayFabError("ServiceUnavailable", "The store is unavailable; retry later.", retry_after_seconds=retry)


# How long a caller should wait before retrying while the settings are unusable: fixing them restarts the
# app, which takes about this long.
UNCONFIGURED_RETRY_SECONDS = 60


def _unconfigured() -> PlayFabError:
    # Nothing about which setting or why: that is for the operator's log, not for callers.
    message = "The service is not configured; retry later."
    return PlayFabError("ServiceUnavailable", message, retry_after_seconds=UNCONFIGURED_RETRY_SECONDS)


def respond(err: PlayFabError, headers: Mapping[str, str]) -> HttpResponse:
    body = json.dumps(error_body(err), separators=(",", ":")).encode("utf-8")
    # The Python SDK drops any non-200 body, so it asks for errors as HTTP 200 (envelope keeps the code).
    as_success = headers.get("x-reporterrorassuccess", "").strip().lower() == "true"
    resp = HttpResponse(200 if as_success else err.http_status, body)
    if err.retry_after_seconds is not None:
        resp.headers["Retry-After"] = str(err.retry_after_seconds)
    return resp


def refuse_repeated_credentials(headers: Mapping[str, str]) -> None:
    """A credential header sent twice is refused, not resolved to one of its copies."""
    for name in _CREDENTIAL_HEADERS:
        if "," in headers.get(name.lower(), ""):
            raise PlayFabError("InvalidRequest", f"The {name} header must be sent once, with one value.")


def api_of(path: str) -> str | None:
    """The API a path calls ("/api/Admin/UpdateUserData" -> "Admin"): the part before the method."""
    parts = [part for part in path.split("/") if part]
    return parts[-2] if len(parts) >= 2 else None


async def run(op: Operation[M], req: HttpRequest, services: Services) -> dict[str, Any]:
    refuse_repeated_credentials(req.headers)
    settings = services.settings
    address = client_address.resolve(req.headers.get("x-forwarded-for"), req.peer, settings.trust_forwarded_for)
    client_address.CURRENT.set(address)
    if op.auth is Auth.NONE:  # no player to charge: count by address, before any parsing
        address_limits.charge_anonymous(settings, address)
    caller = resolve_caller(op.auth, services.settings, services.signer, dict(req.headers))
    caller = dataclasses.replace(caller, api=api_of(req.path))
    await _admit(op, caller, services)
    limit = settings.max_request_bytes
    if op.auth is Auth.NONE:  # anyone may send these: no more than a login needs
        limit = min(limit, settings.anonymous_max_request_bytes)
    payload = _decode_body(req, limit)
    return await _perform(op, caller, payload, services)


async def _admit(op: Operation[M], caller: Caller, services: Services) -> None:
    """What a caller must pass before its body is read: a known-full budget, a caller that is gone or banned."""
    settings = services.settings
    rate_limits.refuse_early(settings, op.rate_limit, caller)  # a known-full budget: no body parsing
    await ensure_caller_exists(services.store, caller, settings.player_status_cache_seconds)


async def _perform(op: Operation[M], caller: Caller, payload: dict[str, Any], services: Services) -> dict[str, Any]:
    request = parse(op.model, payload)
    await rate_limits.charge(services, op.rate_limit, caller, request)
    return await op.handler(services, caller, request)


async def run_in_process(op: Operation[M], caller: Caller, payload: Any, services: Services) -> dict[str, Any]:
    """One call made inside the app (a server function's API client) by an already resolved `caller`.

    The same steps as `run` after the headers: the same body limit on the request as JSON, the same
    request model, rate limit and handler, and store faults become the same PlayFab errors. A request
    that is not a JSON object, or holds values JSON cannot carry, is refused as a body would be.
    """
    try:
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        raise PlayFabError("InvalidContentType", "The request is not valid JSON.") from None
    limit = services.settings.max_request_bytes
    if len(raw) > limit:
        raise PlayFabError("BodyTooLarge", f"The request body is larger than {limit} bytes.")
    decoded = json.loads(raw)  # a copy: the handler never shares an object with the caller
    if not isinstance(decoded, dict):
        raise PlayFabError("InvalidContentType", "The request body must be a JSON object.")
    try:
        await _admit(op, caller, services)
        return await _perform(op, caller, decoded, services)
    except (StoreBusy, StoreUnavailable, DocumentTooLarge) as exc:
        log.warning("store fault in an in-process call: %s", exc)
        raise _store_error(exc) from None


async def handle(op: Operation[M], req: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    services: Services | None = None
    meter = Meter()
    METER.set(meter)  # each request runs in its own task, so in its own context
    try:
        services = await get_services()
        data = await run(op, req, services)
        resp = HttpResponse(200, dumps_bytes(success_body(data)))
        outcome = "OK"
    except PlayFabError as raised:
        resp, outcome = respond(raised, req.headers), raised.name
        hold = rate_limits.refusal_delay(services.settings, req.peer is not None, raised) if services else 0.0
        if hold > 0:
            await asyncio.sleep(hold)
    except (StoreBusy, StoreUnavailable, DocumentTooLarge) as exc:
        err = _store_error(exc)
        log.warning("store fault on %s: %s", req.path, exc)
        resp, outcome = respond(err, req.headers), err.name
    except SettingsError:  # logged once, by current_settings()
        err = _unconfigured()
        resp, outcome = respond(err, req.headers), err.name
    except Exception as exc:
        # An exception's text can quote request data (KeyError('<a key>')): log its type and where it
        # was raised, never its message.
        trace = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unhandled %s on %s", type(exc).__name__, req.path, extra={"trace": trace})
        err = PlayFabError("InternalServerError", "An unexpected error occurred.")
        resp, outcome = respond(err, req.headers), err.name
    log_request(req.path, outcome, resp.status, started, meter)
    return resp


def log_request(path: str, outcome: str, status: int, started: float, meter: Meter | None = None) -> None:
    """The one line every request leaves: where, how it ended, how long it took, and what it read from
    and wrote to the embedded store. Nothing from the body or the headers, so no key, ticket, token or
    data value can reach the logs."""
    extra: dict[str, Any] = {
        "path": path,
        "outcome": outcome,
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 2),
    }
    if meter is not None and (meter.read_bytes or meter.written_bytes):
        extra.update(read_bytes=meter.read_bytes, written_bytes=meter.written_bytes)
    log.info("request", extra=extra)


def not_found(req: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    err = PlayFabError("InvalidAPIEndpoint", f"No API endpoint {req.method} {req.path}; every call is a POST.")
    try:
        current_settings()
    except SettingsError:  # unusable settings answer every request alike, known path or not
        err = _unconfigured()
    resp = respond(err, req.headers)
    log_request(req.path, err.name, resp.status, started)
    return resp
