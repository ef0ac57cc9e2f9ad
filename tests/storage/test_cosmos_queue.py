"""The per-document update queue is bounded: a flood on one document is refused, never held in memory."""

from __future__ import annotations

import asyncio

import pytest

from shared.storage import StoreUnavailable
from shared.storage.cosmos_queue import DocumentQueue


async def _hold(queue: DocumentQueue, address: str, entered: asyncio.Event, leave: asyncio.Event) -> None:
    async with queue.turn(address):
        entered.set()
        await leave.wait()


def test_past_the_waiter_cap_a_caller_is_refused_and_the_others_still_run() -> None:
    async def go() -> None:
        queue = DocumentQueue(max_waiters=3, max_wait_seconds=30)
        entered, leave = asyncio.Event(), asyncio.Event()
        holder = asyncio.create_task(_hold(queue, "doc", entered, leave))
        await entered.wait()
        done: list[int] = []

        async def wait_turn(n: int) -> None:
            async with queue.turn("doc"):
                done.append(n)

        waiters = [asyncio.create_task(wait_turn(n)) for n in range(3)]
        for _ in range(10):  # let each waiter reach the lock (bounded, no timing)
            await asyncio.sleep(0)
        assert queue.waiting("doc") == 4
        with pytest.raises(StoreUnavailable, match="already waiting"):
            async with queue.turn("doc"):
                pass
        async with queue.turn("other"):  # other documents are not held up
            pass
        leave.set()
        await asyncio.wait_for(asyncio.gather(holder, *waiters), 10)
        assert done == [0, 1, 2]  # in arrival order
        assert len(queue) == 0

    asyncio.run(go())


def test_a_caller_that_waits_too_long_is_refused_and_leaves_the_line() -> None:
    async def go() -> None:
        queue = DocumentQueue(max_waiters=8, max_wait_seconds=0.05)
        entered, leave = asyncio.Event(), asyncio.Event()
        holder = asyncio.create_task(_hold(queue, "doc", entered, leave))
        await entered.wait()
        with pytest.raises(StoreUnavailable, match="in line"):
            async with queue.turn("doc"):
                pass
        assert queue.waiting("doc") == 1
        leave.set()
        await asyncio.wait_for(holder, 10)
        async with queue.turn("doc"):  # the lock was not leaked by the refused caller
            pass
        assert len(queue) == 0

    asyncio.run(go())
