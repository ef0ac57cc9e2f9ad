"""The custom-data engine: additive updates, versions, limits and filtered reads of one key/value document.

Every family (user, read-only, internal, publisher, character data) keeps one document per owner and
data type in the `players` container, shaped {"DataVersion": n, "Data": {key: UserDataRecord}}. The
engine knows nothing about who is asking; shared/data_api.py decides that from the family's policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.clock import iso, now
from shared.errors import PlayFabError, invalid_params
from shared.jsontext import dumps_bytes
from shared.storage import Mutation, Store
from shared.validation import DataQuery

CONTAINER: Final = "players"
DEFAULT_PERMISSION: Final = "Private"
# PlayFab documented 1,024 characters per key (2015) and only "limited in size" since.
MAX_KEY_CHARS: Final = 1024


@dataclass(frozen=True)
class Limits:
    max_keys: int  # distinct keys one update call may touch (set or remove)
    max_value_bytes: int  # UTF-8 bytes of one value
    max_document_bytes: int  # the whole stored data type, all keys together


@dataclass(frozen=True)
class Changes:
    """A validated update: what to write, what to remove, and the permission for the written keys."""

    writes: Mapping[str, str]
    removals: frozenset[str]
    permission: str


def _clean_key(raw: str, field: str) -> str:
    key = raw.strip()
    if not key:
        raise invalid_params(field, "Keys may not be empty or only whitespace.")
    if key.startswith("!"):
        raise invalid_params(field, f"Key {key!r} may not begin with '!'.")
    if len(key) > MAX_KEY_CHARS:
        raise PlayFabError(
            "KeyLengthExceeded",
            f"Keys are limited to {MAX_KEY_CHARS} characters.",
            {field: [f"a key of {len(key)} characters"]},
        )
    return key


def plan(
    data: Mapping[str, str | None] | None,
    keys_to_remove: Iterable[str] | None,
    permission: str | None,
    limits: Limits,
) -> Changes:
    """Check an update against the key rules and limits before anything is read or written."""
    writes: dict[str, str] = {}
    removals: set[str] = set()
    for raw, value in (data or {}).items():
        key = _clean_key(raw, "Data")
        if key in writes or key in removals:
            raise invalid_params("Data", f"Key {key!r} appears more than once after trimming.")
        if value is None:
            removals.add(key)
            continue
        size = len(value.encode("utf-8"))
        if size > limits.max_value_bytes:
            raise PlayFabError(
                "DataLengthExceeded",
                f"The value of {key!r} is {size} bytes; the limit is {limits.max_value_bytes}.",
                {"Data": [f"{key}: {size} bytes"]},
            )
        writes[key] = value
    for raw in keys_to_remove or ():
        key = _clean_key(raw, "KeysToRemove")
        if key in writes:
            raise PlayFabError(
                "DeleteKeyConflict",
                f"Key {key!r} is both written and removed in the same call.",
                {"KeysToRemove": [key]},
            )
        removals.add(key)
    touched = len(writes) + len(removals)
    if touched > limits.max_keys:
        raise PlayFabError(
            "TooManyKeys",
            f"One update may change at most {limits.max_keys} keys; this one changes {touched}.",
            {"Data": [f"{touched} keys"]},
        )
    return Changes(writes, frozenset(removals), permission or DEFAULT_PERMISSION)


def _stored_bytes(body: dict[str, Any]) -> int:
    return len(dumps_bytes(body))


def apply_records(
    records: dict[str, Any], changes: Changes, stamp: str, extra: Mapping[str, str] | None = None
) -> None:
    """Apply an update to a key -> record map in place; `extra` adds fields to every written record."""
    for key in changes.removals:
        records.pop(key, None)
    for key, value in changes.writes.items():
        records[key] = {"Value": value, "Permission": changes.permission, "LastUpdated": stamp, **(extra or {})}


def check_size(body: dict[str, Any], limits: Limits) -> None:
    size = _stored_bytes(body)
    if size > limits.max_document_bytes:
        raise PlayFabError(
            "TotalDataSizeExceeded",
            f"This data would grow to {size} bytes; the limit is {limits.max_document_bytes}.",
        )


def apply(changes: Changes, limits: Limits, stamp: str) -> Mutation:
    """The pure mutation of one update: the store may run it again on a fresher body."""

    def mutate(body: dict[str, Any] | None) -> dict[str, Any]:
        body = body or {"DataVersion": 0, "Data": {}}
        apply_records(body["Data"], changes, stamp)
        body["DataVersion"] += 1
        check_size(body, limits)
        return body

    return mutate


async def write(store: Store, pk: str, doc_id: str, changes: Changes, limits: Limits) -> int:
    """Apply an update atomically; return the new DataVersion."""
    doc = await store.update(CONTAINER, pk, doc_id, apply(changes, limits, iso(now())))
    assert doc is not None  # the mutation always returns a body
    return int(doc.body["DataVersion"])


def view(body: dict[str, Any] | None, query: DataQuery, visible: frozenset[str] | None) -> dict[str, Any]:
    """The Data and DataVersion a reader gets; `visible` limits the permissions shown (None: all)."""
    version = int(body["DataVersion"]) if body else 0
    records: dict[str, Any] = body["Data"] if body else {}
    since = query.IfChangedFromDataVersion
    if since is not None and version <= since:
        return {"Data": {}, "DataVersion": version}
    return {"Data": select(records, query.Keys, visible), "DataVersion": version}


def select(records: dict[str, Any], keys: list[str] | None, visible: frozenset[str] | None) -> dict[str, Any]:
    """The records a reader gets: only `keys` when given (trimmed, as on write), only `visible` permissions."""
    if keys is not None:
        wanted = {key.strip() for key in keys}
        records = {key: rec for key, rec in records.items() if key in wanted}
    if visible is not None:
        records = {key: rec for key, rec in records.items() if rec["Permission"] in visible}
    return records


async def read(store: Store, pk: str, doc_id: str, query: DataQuery, visible: frozenset[str] | None) -> dict[str, Any]:
    doc = await store.read(CONTAINER, pk, doc_id)
    return view(doc.body if doc else None, query, visible)
