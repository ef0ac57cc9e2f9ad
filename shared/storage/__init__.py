"""The storage interface: JSON documents addressed by (container, partition key, id), each with an etag.

Two adapters implement it (embedded SQLite, Cosmos DB); tests/storage runs one contract suite on both.
Containers and their partition keys:
  players  - pk = PlayFabId: account, per-type custom data, characters and their data, the shared groups it is in
  lookups  - pk = a login identity ("custom:<CustomId>"): which player it belongs to;
             pk = "meta", id "title": the title the store belongs to (shared/store_title.py);
             or a client address ("address!<address>"): its account-creation count
  groups   - pk = SharedGroupId: membership and group data
  entities - pk = "<EntityType>!<EntityId>": entity profile and objects
"""

from shared.storage.base import (
    DELETE,
    BaseStore,
    Conflict,
    Document,
    DocumentTooLarge,
    Mutation,
    NotFound,
    PreconditionFailed,
    Store,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)

CONTAINERS = ("players", "lookups", "groups", "entities")

__all__ = [
    "CONTAINERS",
    "DELETE",
    "BaseStore",
    "Conflict",
    "Document",
    "DocumentTooLarge",
    "Mutation",
    "NotFound",
    "PreconditionFailed",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
]
