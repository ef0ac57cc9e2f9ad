"""The local host's HTTP limits: how long a client may take, how many may connect, how big headers get.

Local host only: in Azure the Functions host's own front end applies its limits.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from shared.config.settings_table import default


@dataclass(frozen=True)
class HttpLimits:
    header_timeout: float  # first byte of a request to the end of its headers
    body_timeout: float  # end of the headers to the end of the body
    idle_timeout: float  # a connection with no request under way (new, or kept alive)
    max_connections: int  # per worker process; more are answered 503 and closed
    max_header_bytes: int  # request line and headers together


def _number(
    env: Mapping[str, str],
    name: str,
    low: float,
    high: float,
    problems: list[str],
    *,
    whole: bool = False,
) -> float:
    """The setting's value within [low, high]; its default is its row's (shared/config/settings_table.py)."""
    fallback = float(default(name))
    raw = env.get(name, "").strip()
    if not raw:
        return fallback
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isnan(value) or (whole and not value.is_integer()):
        problems.append(f"{name} must be a {'whole ' if whole else ''}number, got {raw!r}")
        return fallback
    if not low <= value <= high:
        problems.append(f"{name} must be between {low:g} and {high:g}, got {raw}")
        return fallback
    return value


def read_http_limits(env: Mapping[str, str]) -> tuple[HttpLimits, list[str]]:
    problems: list[str] = []
    limits = HttpLimits(
        header_timeout=_number(env, "HTTP_HEADER_TIMEOUT_SECONDS", 0.1, 3600, problems),
        body_timeout=_number(env, "HTTP_BODY_TIMEOUT_SECONDS", 0.1, 3600, problems),
        idle_timeout=_number(env, "HTTP_IDLE_TIMEOUT_SECONDS", 0.1, 3600, problems),
        max_connections=int(_number(env, "HTTP_MAX_CONNECTIONS", 1, 1_000_000, problems, whole=True)),
        max_header_bytes=int(_number(env, "HTTP_MAX_HEADER_BYTES", 1024, 1_048_576, problems, whole=True)),
    )
    return limits, problems


@cache
def http_limits() -> HttpLimits:
    """The limits of this process; start-up has already refused invalid values (local_host/__main__.py)."""
    return read_http_limits(os.environ)[0]
