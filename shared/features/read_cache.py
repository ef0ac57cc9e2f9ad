"""A per-process cache of documents read far more often than written (title-wide data), with a short lifetime.

Each entry is kept for `ttl` seconds from the moment its read began, on the app's clock
(shared/config/clock.py, which tests move forward). Concurrent misses of one entry share one store read
(single flight), so a burst of callers on a cold or expired entry costs one read. A write made in this
process calls invalidate(), so this process serves it on its next read; a read begun before the
write is neither shared after it nor remembered. Other processes hold what they read until their
entry is older than `ttl`: that is the window in which another instance can still serve the old value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from shared.config.clock import now
from shared.storage import Store

V = TypeVar("V")


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    read_at: float  # now() when the read that produced it began


# The shared read's answer: (value,), or None when it failed (each waiter then reads for itself).
_Shared = tuple["asyncio.Future[tuple[V] | None]", int]


class ReadCache(Generic[V]):
    """Values by name, per store (so a test's second store never sees the first one's entries).

    The names are a fixed, small set chosen by the code (never by a request), so the cache is bounded.
    """

    def __init__(self) -> None:
        self._entries: WeakKeyDictionary[Store, dict[str, _Entry[V]]] = WeakKeyDictionary()
        self._pending: WeakKeyDictionary[Store, dict[str, _Shared[V]]] = WeakKeyDictionary()
        # Bumped by invalidate(): a read begun before it may predate the write that announced it.
        self._generations: WeakKeyDictionary[Store, dict[str, int]] = WeakKeyDictionary()

    async def get(self, store: Store, name: str, ttl: float, load: Callable[[], Awaitable[V]]) -> V:
        """The value remembered if read less than `ttl` seconds ago, else `load`ed once however many callers
        ask at the same time. A `ttl` of 0 reads on every call."""
        if ttl <= 0:
            return await load()
        entries = self._entries.setdefault(store, {})
        entry = entries.get(name)
        # A clock set back (age below 0) counts as expired, so an entry can never outlive its lifetime.
        if entry is not None and 0 <= now() - entry.read_at < ttl:
            return entry.value
        generations = self._generations.setdefault(store, {})
        generation = generations.get(name, 0)
        pending = self._pending.setdefault(store, {})
        shared = pending.get(name)
        if shared is not None and shared[1] == generation:
            answer = await asyncio.shield(shared[0])
            if answer is not None:
                return answer[0]
            return await load()  # the shared read failed: try on our own, and fail on our own
        future: asyncio.Future[tuple[V] | None] = asyncio.get_running_loop().create_future()
        pending[name] = (future, generation)
        started = now()
        try:
            value = await load()
        except BaseException:
            future.set_result(None)
            raise
        finally:
            if name in pending and pending[name][0] is future:
                del pending[name]
        if generations.get(name, 0) == generation:
            entries[name] = _Entry(value, started)
        future.set_result((value,))
        return value

    def invalidate(self, store: Store, name: str) -> None:
        """Forget `name` in this process: its next read goes to the store."""
        generations = self._generations.setdefault(store, {})
        generations[name] = generations.get(name, 0) + 1
        entries = self._entries.get(store)
        if entries is not None:
            entries.pop(name, None)
