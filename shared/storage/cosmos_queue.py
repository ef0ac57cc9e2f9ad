"""One update at a time per document, within a process, in front of the etag loop.

Without it, N coroutines updating one hot document all read the same etag and N-1 of them lose the
conditional replace, re-read and try again: requests per update grow with N, and past the loop's
attempt budget callers get ConcurrentEditError. Queued, a process sends each update once (read,
replace) and only races other processes. The queue is bounded: past MAX_WAITERS waiting on one
document, or after MAX_WAIT_SECONDS in line, a caller gets StoreUnavailable (503, retry later)
instead of holding memory and a connection open without limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final

from shared.storage.base import StoreUnavailable

MAX_WAITERS: Final = 256
MAX_WAIT_SECONDS: Final = 5.0


@dataclass
class _Line:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # callers inside turn(): the one writing and those waiting


class DocumentQueue:
    def __init__(self, max_waiters: int = MAX_WAITERS, max_wait_seconds: float = MAX_WAIT_SECONDS) -> None:
        self._lines: dict[str, _Line] = {}
        self._max_waiters = max_waiters
        self._max_wait_seconds = max_wait_seconds

    def waiting(self, address: str) -> int:
        line = self._lines.get(address)
        return line.holders if line else 0

    def __len__(self) -> int:
        return len(self._lines)

    @asynccontextmanager
    async def turn(self, address: str) -> AsyncIterator[None]:
        line = self._lines.get(address)
        if line is None:
            line = self._lines[address] = _Line()
        elif line.holders > self._max_waiters:
            raise StoreUnavailable(f"{address}: {self._max_waiters} updates already waiting for this document")
        line.holders += 1
        try:
            try:
                await asyncio.wait_for(line.lock.acquire(), self._max_wait_seconds)
            except TimeoutError:
                raise StoreUnavailable(
                    f"{address}: waited {self._max_wait_seconds:g} s in line for this document"
                ) from None
            try:
                yield
            finally:
                line.lock.release()
        finally:
            line.holders -= 1
            if line.holders == 0:  # idle documents leave nothing behind
                del self._lines[address]
