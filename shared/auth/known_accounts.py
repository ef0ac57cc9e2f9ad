"""What this process last read of each calling player's account: that it exists, under which title player
entity, and the bans it held. A caller's token costs one account read per player per
PLAYER_STATUS_CACHE_SECONDS rather than one per call.

A ban, an unban or a deletion made in this process calls forget(), so this process sees it on the next
call. Other processes see it once their entry is older than the lifetime: that is the window in which
an instance can still let a just-banned or just-deleted player's call through.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final
from weakref import WeakKeyDictionary

from shared.auth.accounts import being_deleted
from shared.auth.bans_in_force import holds
from shared.config.clock import now
from shared.storage import Store

MAX_REMEMBERED: Final = 65_536  # a few tens of MB at the most: ids and the odd ban


@dataclass(frozen=True)
class Status:
    entity_id: str  # the account's title player entity
    bans: tuple[dict[str, Any], ...]  # the bans that held when it was read
    read_at: float  # time.monotonic() of the read


_known: WeakKeyDictionary[Store, OrderedDict[str, Status]] = WeakKeyDictionary()
# Bumped by every forget(): a read that began before one is not remembered, since it may predate the
# ban or deletion that forget() announced.
_forgets: WeakKeyDictionary[Store, int] = WeakKeyDictionary()
# Reads in flight: concurrent calls of one player share one read (a flood costs one request), unless
# a forget() came after the read began.
_Shared = tuple[asyncio.Future[tuple[Status | None] | None], int]
_pending: WeakKeyDictionary[Store, dict[str, _Shared]] = WeakKeyDictionary()

Load = Callable[[], Awaitable[dict[str, Any] | None]]


def _status_of(account: dict[str, Any] | None) -> Status | None:
    # An account being deleted is gone already: its lookups are released first, then its records.
    if account is None or being_deleted(account):
        return None
    at = now()
    bans = tuple(ban for ban in account.get("Bans", ()) if holds(ban, at))
    return Status(account["TitlePlayerAccountId"], bans, time.monotonic())


async def status(store: Store, playfab_id: str, ttl: float, load: Load) -> Status | None:
    """The player's status, remembered if read less than `ttl` seconds ago, else `load`ed (the account,
    or None) once however many callers ask at the same time. None: no such player."""
    seen = _known.get(store)
    cached = seen.get(playfab_id) if seen is not None else None
    if cached is not None and time.monotonic() - cached.read_at < ttl:
        assert seen is not None
        seen.move_to_end(playfab_id)
        return cached
    pending = _pending.setdefault(store, {})
    generation = _forgets.get(store, 0)
    shared = pending.get(playfab_id)
    if shared is not None and shared[1] == generation:
        answer = await asyncio.shield(shared[0])
        if answer is not None:
            return answer[0]
        return _status_of(await load())  # the shared read failed: try on our own, and fail on our own
    future: asyncio.Future[tuple[Status | None] | None] = asyncio.get_running_loop().create_future()
    pending[playfab_id] = (future, generation)
    try:
        found = _status_of(await load())
    except BaseException:
        future.set_result(None)
        raise
    finally:
        if pending.get(playfab_id, (None, 0))[0] is future:
            del pending[playfab_id]
    if found is not None and _forgets.get(store, 0) == generation:
        remember(store, playfab_id, found)
    future.set_result((found,))
    return found


def remember(store: Store, playfab_id: str, found: Status) -> None:
    seen = _known.setdefault(store, OrderedDict())
    seen[playfab_id] = found
    seen.move_to_end(playfab_id)
    while len(seen) > MAX_REMEMBERED:
        seen.popitem(last=False)


def forget(store: Store, playfab_id: str) -> None:
    """Drop what this process remembers of a player: its next call reads the account again."""
    _forgets[store] = _forgets.get(store, 0) + 1
    seen = _known.get(store)
    if seen is not None:
        seen.pop(playfab_id, None)
