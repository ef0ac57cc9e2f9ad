"""The storage interface: JSON documents addressed by (container, partition key, id), each with an etag.

Two adapters implement it (embedded SQLite, Cosmos DB); tests/storage runs one contract suite on both.
The containers, partition keys and document ids: shared/storage/layout.py.
"""

from shared.storage.base import (
    DELETE,
    BaseStore,
    Conflict,
    Document,
    DocumentTooLarge,
    EventPage,
    InvalidContinuation,
    Mutation,
    NotFound,
    PreconditionFailed,
    Ranking,
    RankKey,
    Store,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)

__all__ = [
    "DELETE",
    "BaseStore",
    "Conflict",
    "Document",
    "DocumentTooLarge",
    "EventPage",
    "InvalidContinuation",
    "Mutation",
    "NotFound",
    "PreconditionFailed",
    "RankKey",
    "Ranking",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
]
