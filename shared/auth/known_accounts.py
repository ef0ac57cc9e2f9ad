"""Accounts this process has already seen in its store, so a caller's token costs one account read per
process rather than one per call.

Only presence is remembered, and accounts are never deleted, so a remembered account cannot be stale.
An operation that deletes accounts must also call forget() (and revoke the player's tokens), since
other processes keep their own memory until they restart.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Final
from weakref import WeakKeyDictionary

from shared.storage import Store

MAX_REMEMBERED: Final = 65_536  # about 10 MB at the most: a PlayFabId and an entity id each

_known: WeakKeyDictionary[Store, OrderedDict[tuple[str, str], None]] = WeakKeyDictionary()
# Checks in flight: concurrent first calls of one player share one read (a flood costs one request).
_pending: WeakKeyDictionary[Store, dict[tuple[str, str], asyncio.Future[bool | None]]] = WeakKeyDictionary()


async def exists(store: Store, playfab_id: str, entity_id: str, load: Callable[[], Awaitable[bool]]) -> bool:
    """Whether the account exists: remembered, or `load`ed once however many callers ask at the same time."""
    if known(store, playfab_id, entity_id):
        return True
    key = (playfab_id, entity_id)
    pending = _pending.setdefault(store, {})
    shared = pending.get(key)
    if shared is not None:
        answer = await asyncio.shield(shared)
        if answer is not None:
            return answer
        return await load()  # the shared read failed: try on our own, and fail on our own
    future: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
    pending[key] = future
    try:
        found = await load()
    except BaseException:
        future.set_result(None)
        raise
    finally:
        pending.pop(key, None)
    if found:
        remember(store, playfab_id, entity_id)
    future.set_result(found)
    return found


def known(store: Store, playfab_id: str, entity_id: str) -> bool:
    seen = _known.get(store)
    if seen is None or (playfab_id, entity_id) not in seen:
        return False
    seen.move_to_end((playfab_id, entity_id))
    return True


def remember(store: Store, playfab_id: str, entity_id: str) -> None:
    seen = _known.setdefault(store, OrderedDict())
    seen[(playfab_id, entity_id)] = None
    seen.move_to_end((playfab_id, entity_id))
    while len(seen) > MAX_REMEMBERED:
        seen.popitem(last=False)


def forget(store: Store, playfab_id: str) -> None:
    seen = _known.get(store)
    if seen is not None:
        for key in [k for k in seen if k[0] == playfab_id]:
            del seen[key]
