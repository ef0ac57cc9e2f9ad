"""Interface, errors and the generic conditional-update loop shared by every adapter."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import random
from abc import ABC, abstractmethod
from collections.abc import Callable
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
