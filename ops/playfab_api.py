"""A client of PlayFab's public API, for reading a title out of it (ops/migrate.py).

Every call is a POST of JSON to `<url>/<Api>/<Method>`: Server and Admin calls carry the title's secret
key (`X-SecretKey`), Entity API calls the title's entity token (`X-EntityToken`, from
`Authentication/GetEntityToken` with the secret key, fetched again when it expires). The same client
reads a real PlayFab title (https://<TitleId>.playfabapi.com) and a host of this project.

PlayFab throttles a title's API calls: a call refused with HTTP 429 or one of RETRY_ERRORS (throttling,
a service briefly down), or answered 502/503/504, or not answered at all (a lost connection, no answer
within TIMEOUT), is sent again after the `retryAfterSeconds` the answer names, else after a growing,
jittered back-off, up to ATTEMPTS sends in all.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp

# Answers worth sending the same call again for: throttling and a service that is briefly down.
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
RETRY_ERRORS: Final = frozenset(
    {
        "APIClientRequestRateLimitExceeded",
        "APIConcurrentRequestLimitExceeded",
        "GetPlayersInSegmentRateLimitExceeded",  # 1491
        "ServiceUnavailable",
        "DownstreamServiceUnavailable",  # 1127
        "DatabaseThroughputExceeded",
        "ConcurrentEditError",
        "InternalServerError",
    }
)
# An entity token that stopped working: fetch a new one and send the call again, once.
TOKEN_ERRORS: Final = frozenset({"EntityTokenExpired", "EntityTokenInvalid", "EntityTokenRevoked"})
ATTEMPTS: Final = 8  # sends of one call before its failure is reported
FIRST_BACKOFF: Final = 0.5  # seconds; doubled at every retry without a hint, up to MAX_WAIT
MAX_WAIT: Final = 60.0  # the longest wait honoured, even when the answer asks for more
TIMEOUT: Final = 60.0  # seconds for one call


class ApiError(Exception):
    """A call PlayFab refused (after any retries): its error name, message and HTTP status."""

    def __init__(self, path: str, name: str, message: str, status: int) -> None:
        super().__init__(f"{path}: {name} ({status}): {message}")
        self.path = path
        self.name = name
        self.message = message
        self.status = status


@dataclass
class Counters:
    calls: int = 0
    retries: int = 0  # calls sent again after a throttled or failed answer
    waited: float = 0.0  # seconds spent waiting before those retries


@dataclass
class PlayFabApi:
    url: str
    title_id: str
    secret_key: str
    session: aiohttp.ClientSession
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    counters: Counters = field(default_factory=Counters)
    _entity_token: str | None = None

    async def secret(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A Server or Admin call, with the secret key."""
        return await self._call(path, body, {"X-SecretKey": self.secret_key})

    async def entity(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An Entity API call as the title entity."""
        for fresh in (False, True):
            token = await self._title_token(renew=fresh)
            try:
                return await self._call(path, body, {"X-EntityToken": token})
            except ApiError as exc:
                if exc.name not in TOKEN_ERRORS or fresh:
                    raise
        raise AssertionError("not reached")

    async def _title_token(self, *, renew: bool) -> str:
        if self._entity_token is None or renew:
            data = await self.secret("/Authentication/GetEntityToken", {})
            self._entity_token = str(data["EntityToken"])
        return self._entity_token

    async def _call(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        url = self.url.rstrip("/") + path
        wait = FIRST_BACKOFF
        for attempt in range(1, ATTEMPTS + 1):
            self.counters.calls += 1
            hint: float | None = None
            try:
                async with self.session.post(
                    url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
                ) as response:
                    status = response.status
                    try:
                        answer = await response.json(content_type=None)
                    except ValueError:
                        answer = None
                    header_hint = response.headers.get("Retry-After")
            except (TimeoutError, aiohttp.ClientError) as exc:
                failure = ApiError(path, type(exc).__name__, str(exc) or "no answer", 0)
            else:
                if isinstance(answer, dict) and status == 200 and isinstance(answer.get("data"), dict):
                    data: dict[str, Any] = answer["data"]
                    return data
                envelope = answer if isinstance(answer, dict) else {}
                name = str(envelope.get("error") or f"HTTP{status}")
                failure = ApiError(path, name, str(envelope.get("errorMessage") or ""), status)
                if status not in RETRY_STATUSES and name not in RETRY_ERRORS:
                    raise failure
                hint = _seconds(envelope.get("retryAfterSeconds"))
                if hint is None:
                    hint = _seconds(header_hint)
            if attempt == ATTEMPTS:
                raise failure
            delay = min(MAX_WAIT, hint if hint is not None else wait * (0.5 + random.random()))
            wait = min(MAX_WAIT, wait * 2)
            self.counters.retries += 1
            self.counters.waited += delay
            await self.sleep(delay)
        raise AssertionError("not reached")


def _seconds(value: Any) -> float | None:
    """A retry hint in seconds (a number, or a number in text), or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, seconds)
