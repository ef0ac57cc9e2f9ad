"""A bound on the calls one process has waiting on the store.

When the store stalls, callers would otherwise pile up behind the SDK's connection pool, each held
until its own timeout. The gate lets `limit` calls be in flight; the next caller waits at most
`wait_seconds` for a turn, then gets StoreUnavailable (ServiceUnavailable, retry later).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from shared.storage.base import StoreUnavailable


class NoTurn(StoreUnavailable):
    """No slot came free in time: the call was never sent."""


class CallGate:
    def __init__(self, limit: int, wait_seconds: float) -> None:
        self.limit = limit
        self._wait = wait_seconds
        self._slots = asyncio.Semaphore(limit)

    @asynccontextmanager
    async def turn(self, where: str) -> AsyncIterator[None]:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: taken without yielding to the loop
        else:
            try:
                if self._wait <= 0:
                    raise TimeoutError
                await asyncio.wait_for(self._slots.acquire(), self._wait)
            except TimeoutError:
                raise NoTurn(f"{where}: {self.limit} store calls already in flight") from None
        try:
            yield
        finally:
            self._slots.release()
