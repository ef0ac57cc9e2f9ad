"""Budgets this process has seen refuse a call, remembered until the full window reopens.

A fixed window that is full stays full until it ends, whichever process counted the calls, so a
refusal seen once can be repeated from memory, exactly, without reading the store or the body: a
caller hammering past its limit then costs a dictionary lookup per call.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Final

from shared.config.clock import now
from shared.wire.errors import PlayFabError

# Most budgets remembered at once (oldest forgotten first): forgetting one only costs a store read.
MAX_REMEMBERED: Final = 100_000

Key = tuple[str, str, str]  # (container, partition key, limit)
_reopens: OrderedDict[Key, float] = OrderedDict()


def refused(retry_seconds: float) -> PlayFabError:
    retry = max(1, math.ceil(retry_seconds))
    return PlayFabError(
        "APIClientRequestRateLimitExceeded",
        f"Too many calls of this kind; retry in {retry} seconds.",
        retry_after_seconds=retry,
    )


def remember(key: Key, reopens_at: float) -> None:
    _reopens[key] = reopens_at
    _reopens.move_to_end(key)
    if len(_reopens) > MAX_REMEMBERED:
        _reopens.popitem(last=False)


def check(key: Key) -> None:
    """Refuse at once (429) if this budget was seen full and its window has not reopened yet."""
    reopens_at = _reopens.get(key)
    if reopens_at is None:
        return
    wait = reopens_at - now()
    if wait > 0:
        raise refused(wait)
    del _reopens[key]
