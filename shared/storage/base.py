"""Interface, errors and the generic conditional-update loop shared by every adapter."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from shared.wire.jsontext import dumps_bytes

# Cosmos DB caps an item at 2 MB; both adapters refuse bigger documents the same way.
MAX_DOCUMENT_BYTES: Final = 2_000_000


class StoreError(Exception):
    pass


class Conflict(StoreError):
    """create() found a document with that id already."""


class NotFound(StoreError):
    """replace() or delete() found no document."""


class PreconditionFailed(StoreError):
    """The etag given no longer matches the stored document."""


class DocumentTooLarge(StoreError):
    pass


class StoreBusy(StoreError):
    """Contention the store could not resolve in time (locks, retries exhausted)."""


class StoreUnavailable(StoreError):
    """The store is throttling, timing out or failing; the caller may retry later."""

    def __init__(self, message: str, *, throttled: bool = False, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.throttled = throttled
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Document:
    body: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class Ranking:
    """One entry of a leaderboard index, with its place on the board."""

    entity_id: str
    value: int
    position: int  # 0-based place on the board


# A rank value is a whole number Cosmos DB orders exactly: its numbers are doubles, exact to 2**53.
MAX_RANK_VALUE: Final = 2**53 - 1


def check_rank_value(value: int) -> None:
    if type(value) is not int or not -MAX_RANK_VALUE <= value <= MAX_RANK_VALUE:
        raise ValueError(f"rank value must be a whole number within +-{MAX_RANK_VALUE}: {value!r}")


def check_rank_window(start: int, count: int) -> None:
    if start < 0 or count < 0:
        raise ValueError(f"rank range needs start >= 0 and count >= 0: {start}, {count}")


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Final = _Delete()

# A mutation sees a private copy of the current body (None when absent) and returns the new body,
# DELETE to remove the document, or None to leave it as it is. It may raise to abort: nothing is written.
Mutation = Callable[[dict[str, Any] | None], "dict[str, Any] | _Delete | None"]


_IMMUTABLE: Final = frozenset({str, int, float, bool, type(None)})


def private_copy(value: Any) -> Any:
    """A copy of a JSON-shaped value that shares nothing mutable with it: dicts and lists are copied at
    every level (C-speed shallow copies), immutable scalars are shared, anything else is deep-copied.
    Several times cheaper than copy.deepcopy on a large document, which also tracks every object."""
    kind = type(value)
    if kind is dict:
        out = value.copy()
        for key, item in out.items():
            if type(item) not in _IMMUTABLE:
                out[key] = private_copy(item)
        return out
    if kind is list:
        return [item if type(item) in _IMMUTABLE else private_copy(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


def encode(body: dict[str, Any]) -> str:
    raw = dumps_bytes(body)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"document over {MAX_DOCUMENT_BYTES} bytes")
    return raw.decode("utf-8")


class BaseStore(ABC):
    """Adapters implement the four primitives; update() is built on them with etags.

    update() re-reads and re-applies the mutation when another writer got there first, so a
    mutation must be a pure function of the body it is given. Adapters with real transactions
    may override it.
    """

    update_attempts: int = 64

    @abstractmethod
    async def read(self, container: str, pk: str, id: str) -> Document | None: ...

    @abstractmethod
    async def create(self, container: str, pk: str, id: str, body: dict[str, Any]) -> Document: ...

    @abstractmethod
    async def replace(self, container: str, pk: str, id: str, body: dict[str, Any], etag: str) -> Document: ...

    @abstractmethod
    async def delete(self, container: str, pk: str, id: str, etag: str | None = None) -> None: ...

    async def close(self) -> None:
        return None

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[Document | None]:
        """read() of each (pk, id), answers in the same order. Concurrent point reads here (a network
        store answers them in parallel); an adapter whose reads never wait reads them in one go."""
        return list(await asyncio.gather(*(self.read(container, pk, id) for pk, id in keys)))

    # Leaderboard indexes. A board (named by layout.rank_board) orders its entries best first: value
    # descending, then tiebreak ascending, then entity id ascending. The store keeps the order, so a
    # range or a rank is read from the index, never by scanning players' documents.

    @abstractmethod
    async def put_rank(self, board: str, entity_id: str, value: int, tiebreak: str, seq: int) -> None:
        """Insert or replace entity_id's entry on `board`, but only if `seq` is greater than the stored
        entry's seq (index writes of one entity can arrive out of order; the newest statistic wins)."""

    async def put_ranks(self, board: str, entries: Sequence[tuple[str, int, str, int]]) -> None:
        """put_rank for each (entity_id, value, tiebreak, seq), in order; an adapter may write them in
        fewer, larger transactions (seeding a board in bulk). Not atomic as a whole."""
        for entity_id, value, tiebreak, seq in entries:
            await self.put_rank(board, entity_id, value, tiebreak, seq)

    @abstractmethod
    async def delete_rank(self, board: str, entity_id: str) -> None:
        """Remove entity_id's entry from `board`; absent is fine."""

    @abstractmethod
    async def rank_range(self, board: str, start: int, count: int) -> list[Ranking]:
        """Entries from 0-based `start`, best first: value DESC, then tiebreak ASC, then entity_id ASC."""

    @abstractmethod
    async def rank_of(self, board: str, entity_id: str) -> Ranking | None:
        """entity_id's entry with its position, or None when it has none on `board`."""

    @abstractmethod
    async def rank_count(self, board: str) -> int:
        """How many entries `board` holds."""

    async def rank_window(self, board: str, entity_id: str, before: int, count: int) -> list[Ranking]:
        """The `count` entries from `before` places ahead of entity_id's (from the top when it is nearer
        than that), best first; [] when entity_id has no entry. rank_of then rank_range, which an
        adapter may answer more cheaply from the entry's key than from its position."""
        check_rank_window(before, count)
        own = await self.rank_of(board, entity_id)
        if own is None:
            return []
        return await self.rank_range(board, max(0, own.position - before), count)

    async def update(self, container: str, pk: str, id: str, mutation: Mutation) -> Document | None:
        for attempt in range(self.update_attempts):
            current = await self.read(container, pk, id)
            result = mutation(private_copy(current.body) if current else None)
            try:
                if result is None:
                    return current
                if result is DELETE:
                    if current is not None:
                        await self._delete_if_present(container, pk, id, current.etag)
                    return None
                assert isinstance(result, dict)
                if current is None:
                    return await self.create(container, pk, id, result)
                return await self.replace(container, pk, id, result, current.etag)
            except (Conflict, NotFound, PreconditionFailed):
                # Someone else wrote first: back off with jitter so hot documents converge.
                await asyncio.sleep(random.uniform(0, min(0.1, 0.002 * 2**attempt)))
        raise StoreBusy(f"{container}/{pk}/{id}: gave up after {self.update_attempts} conflicting attempts")

    async def _delete_if_present(self, container: str, pk: str, id: str, etag: str) -> None:
        # Gone already: our own delete whose answer was lost and that was sent again, or a rival's;
        # either way the document is deleted, as asked.
        with contextlib.suppress(NotFound):
            await self.delete(container, pk, id, etag=etag)


# The one storage interface, under the name the services use.
Store: TypeAlias = BaseStore
