"""Time and identifiers in PlayFab's formats."""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

# Tests only: a file holding seconds to add to the clock, so a test can move a running host's time
# (window expiry) without sleeping. Read once here; unset, now() is time.time().
_OFFSET_FILE = os.environ.get("TEST_CLOCK_OFFSET_FILE", "").strip()


def _offset() -> float:
    try:
        return float(Path(_OFFSET_FILE).read_text(encoding="utf-8") or 0)
    except (OSError, ValueError):
        return 0.0


def now() -> float:
    if _OFFSET_FILE:
        return time.time() + _offset()
    return time.time()


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds and a Z, as PlayFab's DateTime fields."""
    # isoformat truncates to milliseconds as strftime's %f cut would, at about half its cost; "+00:00" -> "Z".
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def new_id() -> str:
    """A 16-hex-digit upper-case id, the shape of PlayFab's ids."""
    return secrets.token_hex(8).upper()
