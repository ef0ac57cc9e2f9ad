"""Interface, errors and the generic conditional-update loop shared by every adapter."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import random
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from shared.config.clock import now
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


class InvalidContinuation(StoreError):
    """A continuation token that read_events did not hand out."""


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


@dataclass(frozen=True)
class RankKey:
    """An entry's full place in its board's order, without its position: a cursor for paging by key."""

    value: int
    tiebreak: str
    entity_id: str


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


class PartialMap(dict[str, Any]):
    """Part of a document's keyed map, as update_part and read_part show it: the named keys the document
    holds. It knows what the keys left out add to the document's stored text (`omitted_count` entries
    of `omitted_bytes` UTF-8 bytes, each `"key":value`, without the commas between them), so a size
    limit is checked on the whole document without reading the rest. Copies of it are plain dicts."""

    __slots__ = ("omitted_bytes", "omitted_count")

    def __init__(self, shown: Mapping[str, Any], omitted_count: int = 0, omitted_bytes: int = 0) -> None:
        super().__init__(shown)
        self.omitted_count = omitted_count
        self.omitted_bytes = omitted_bytes


def entry_bytes(key: str, value: Any) -> int:
    """What `"key":value` takes in a document's stored text."""
    return len(dumps_bytes({key: value})) - 2


def stored_size(body: dict[str, Any]) -> int:
    """The UTF-8 bytes of `body` as stored, counting the entries a partial map of it leaves out."""
    size = len(dumps_bytes(body))
    for value in body.values():
        if isinstance(value, PartialMap) and value.omitted_count:
            # Each entry left out comes with a comma, but one fewer when none is shown.
            size += value.omitted_bytes + value.omitted_count - (0 if value else 1)
    return size


def part_of(entries: dict[str, Any], keys: Collection[str] | None) -> PartialMap:
    """The PartialMap of `entries` showing `keys` (None: every key)."""
    if keys is None:
        return PartialMap(entries)
    shown = {key: entries[key] for key in keys if key in entries}
    omitted = len(entries) - len(shown)
    if not omitted:
        return PartialMap(shown)
    every = len(dumps_bytes(entries)) - 2 - (len(entries) - 1)  # the entries, without braces and commas
    return PartialMap(shown, omitted, every - sum(entry_bytes(key, value) for key, value in shown.items()))


def partial_view(body: dict[str, Any], field: str, keys: Collection[str] | None) -> dict[str, Any]:
    """`body` with its keyed map `field` cut down to `keys` (a shallow copy; `body` is unchanged)."""
    entries = body.get(field)
    if not isinstance(entries, dict):
        return dict(body)
    return {**body, field: part_of(entries, keys)}


def merge_part(entries: dict[str, Any], keys: Collection[str], written: Mapping[str, Any]) -> None:
    """Apply a partial map's new state to the whole map in place: each named key takes its written
    entry or, missing from it, is removed; a key kept keeps its place, a new one goes last."""
    stray = written.keys() - set(keys)
    if stray:
        raise ValueError(f"a partial update wrote keys it did not name: {sorted(stray)[:3]}")
    for key in keys:
        if key in written:
            entries[key] = written[key]
        else:
            entries.pop(key, None)


def whole_part_mutation(field: str, named: Collection[str], mutation: Mutation) -> Mutation:
    """An update_part mutation as a mutation of the whole document: it is shown `field` cut down to
    `named`, and what it writes there is merged into the whole map (merge_part)."""

    def whole(body: dict[str, Any] | None) -> dict[str, Any] | _Delete | None:
        entries = body.get(field) if body is not None else None
        if body is None or not isinstance(entries, dict):
            return mutation(body)
        body[field] = part_of(entries, named)
        result = mutation(body)
        if isinstance(result, dict):
            written = result.get(field)
            merge_part(entries, named, written if isinstance(written, dict) else {})
            result[field] = entries
        return result

    return whole


def encode(body: dict[str, Any]) -> str:
    raw = dumps_bytes(body)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"document over {MAX_DOCUMENT_BYTES} bytes")
    return raw.decode("utf-8")


# The event log (append_events, read_events). A batch is stored as one record per stream it touches,
# {"s": sequence, "e": [events, in the order given], "x": expiry (epoch seconds)}; records of one
# stream are read newest first by sequence.
EVENT_BATCHES_PER_READ: Final = 50
_CONTINUATION: Final = re.compile(r"^(\d{17}-[0-9a-f]{8}):(\d{1,6})$")
_sequence_lock = threading.Lock()
_last_microseconds = 0


def new_sequence() -> str:
    """A batch's place in its stream: microseconds since the epoch, never repeated or going back within
    a process (the clock may stall or step back), then random digits so two processes never collide.
    Two batches of one stream written by different processes within the same microsecond, or while
    their clocks disagree, are ordered by their clocks."""
    global _last_microseconds
    with _sequence_lock:
        at = max(int(now() * 1_000_000), _last_microseconds + 1)
        _last_microseconds = at
    return f"{at:017d}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class EventBatch:
    sequence: str
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class EventPage:
    events: list[dict[str, Any]]  # newest first
    continuation: str | None  # where the next page starts; None when there is no more


def _parse_continuation(token: str | None) -> tuple[str | None, int]:
    if token is None:
        return None, 0
    match = _CONTINUATION.match(token)
    if match is None:
        raise InvalidContinuation("not a continuation token of this store")
    return match.group(1), int(match.group(2))


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

    # The event log: append-only, per stream (shared/storage/layout.py, event_stream).

    @abstractmethod
    async def append_events(self, streams: Mapping[str, Sequence[dict[str, Any]]], expires_at: float) -> str:
        """Append one batch: each stream's events, in the order given, all of them or none (a failure
        leaves none of the batch readable). Returns the batch's sequence. Records past `expires_at`
        are no longer read, and the store removes them in time."""

    @abstractmethod
    async def _event_batches(
        self, stream: str, start: str | None, inclusive: bool, count: int, at: float
    ) -> list[EventBatch]:
        """Up to `count` unexpired batches of `stream`, newest first, from sequence `start` (None: the
        newest) down, `start` itself included or not."""

    @abstractmethod
    async def delete_events(self, stream: str) -> None:
        """Remove every record of `stream` (the player's deletion)."""

    async def read_events(self, stream: str, limit: int, continuation: str | None = None) -> EventPage:
        """Up to `limit` events of `stream`, newest first (the last event of a batch first), and where
        the next page starts. Raises InvalidContinuation for a token it did not hand out."""
        start, skip = _parse_continuation(continuation)
        found: list[dict[str, Any]] = []
        inclusive, at = True, now()
        while True:
            batches = await self._event_batches(stream, start, inclusive, EVENT_BATCHES_PER_READ, at)
            for index, batch in enumerate(batches):
                newest_first = batch.events[::-1]
                first = skip if batch.sequence == start and inclusive else 0
                taken = newest_first[first : first + limit - len(found)]
                found.extend(taken)
                if len(found) >= limit:
                    following = first + len(taken)
                    more = following < len(newest_first) or index + 1 < len(batches)
                    more = more or len(batches) == EVENT_BATCHES_PER_READ
                    return EventPage(found, f"{batch.sequence}:{following}" if more else None)
            if len(batches) < EVENT_BATCHES_PER_READ:
                return EventPage(found, None)
            start, inclusive = batches[-1].sequence, False

    @abstractmethod
    async def partitions_with(self, container: str, id: str) -> list[str]:
        """Every partition key of `container` that holds a document `id`, sorted. A scan of the whole
        container: for tools filling an index again (`python -m ops reindex`), never for a call."""

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

    async def insert_rank(self, board: str, entity_id: str, value: int, tiebreak: str) -> None:
        """Add entity_id's entry (seq 1) unless it has one already, which is kept as it is. An adapter
        may do it in one blind write (a player entering the directory on sign-up)."""
        await self.put_rank(board, entity_id, value, tiebreak, 1)

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

    @abstractmethod
    async def rank_after(self, board: str, after: RankKey | None, count: int) -> list[RankKey]:
        """The `count` entries that follow `after` in the board's order (from the top when None), read
        from the key: a page costs the entries it returns wherever it sits, however long the board."""

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

    async def update_part(
        self, container: str, pk: str, id: str, field: str, keys: Collection[str], mutation: Mutation
    ) -> Document | None:
        """update() of a document holding a keyed map `field` ({key: entry}), seeing only `keys` of it.

        The mutation gets the document with `field` a PartialMap of the named keys it holds, and what it
        returns in `field` is those keys' new state: a named key left out is removed, a key not named
        is refused (ValueError), the keys not named stay as they are. A document without the map is
        shown whole. The answer's body is partial the same way. An adapter may store the map a row per
        key, so that the cost of a call follows the keys it names, not the keys the document holds;
        here the whole document is read and written.
        """
        named = list(dict.fromkeys(keys))  # in the order named, as the embedded store shows and adds them
        doc = await self.update(container, pk, id, whole_part_mutation(field, named, mutation))
        return None if doc is None else Document(partial_view(doc.body, field, named), doc.etag)

    async def read_part(self, container: str, pk: str, id: str, field: str, keys: Collection[str]) -> Document | None:
        """read() showing only `keys` of the keyed map `field`, as update_part shows it."""
        doc = await self.read(container, pk, id)
        return None if doc is None else Document(partial_view(doc.body, field, keys), doc.etag)

    async def _delete_if_present(self, container: str, pk: str, id: str, etag: str) -> None:
        # Gone already: our own delete whose answer was lost and that was sent again, or a rival's;
        # either way the document is deleted, as asked.
        with contextlib.suppress(NotFound):
            await self.delete(container, pk, id, etag=etag)


# The one storage interface, under the name the services use.
Store: TypeAlias = BaseStore
