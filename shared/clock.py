"""Time and identifiers in PlayFab's formats."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


def now() -> float:
    return time.time()


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds and a Z, as PlayFab's DateTime fields."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id() -> str:
    """A 16-hex-digit upper-case id, the shape of PlayFab's ids."""
    return secrets.token_hex(8).upper()
