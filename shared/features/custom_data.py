"""The custom-data engine: additive updates, versions, limits and filtered reads of one key/value document.

Every family (user, read-only, internal, publisher, character data) keeps one document per owner and
data type in the `players` container, shaped {"DataVersion": n, "Data": {key: UserDataRecord}}. An
update names its keys, so it is written with `Store.update_part`: it reads and writes only those keys'
records (the embedded store keeps them a row per key), and a read of named keys reads only those. The
engine knows nothing about who is asking; shared/features/data_api.py decides that from the family's policy.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.features import write_options
from shared.storage import Mutation, Store
from shared.storage.base import stored_size
from shared.storage.layout import PLAYERS
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.jsontext import dumps_bytes
from shared.wire.validation import DataQuery

DEFAULT_PERMISSION: Final = "Private"
# PlayFab documented 1,024 characters per key (2015) and only "limited in size" since. Its service is .NET,
# whose strings count UTF-16 code units: an emoji outside the BMP is two.
MAX_KEY_CHARS: Final = 1024
# The map of records in a data document: update_part and read_part name its keys.
RECORDS: Final = "Data"
# Control and format characters (tabs, zero-width spaces, the BOM, bidi marks) make keys that look alike.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf"})


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
    # Spellings of the named keys as sent (trimmed, not normalised): a key stored under one before keys
    # were normalised is replaced or removed with it, never left behind.
    old_spellings: frozenset[str] = frozenset()

    @property
    def touched(self) -> frozenset[str]:
        """Every key this update can change: the only ones its key history compares."""
        return frozenset(self.writes) | self.removals | self.old_spellings


def normal_key(raw: str) -> str:
    """The key a caller means: NFC first (so composed and decomposed spellings are one key), then trimmed."""
    return unicodedata.normalize("NFC", raw).strip()


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clean_key(raw: str, field: str, *, removing: bool = False) -> str:
    key = normal_key(raw)
    if not key:
        raise invalid_params(field, "Keys may not be empty or only whitespace.")
    # A removal writes nothing, so it may name a key stored before these characters were refused.
    plain = key.isascii() and key.isprintable()  # most keys: no hidden character, one UTF-16 unit each
    if not removing and not plain and any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in key):
        raise invalid_params(field, "Keys may not contain control or format characters (such as U+200B).")
    if key.startswith("!"):
        raise invalid_params(field, f"Key {key!r} may not begin with '!'.")
    length = len(key) if plain else utf16_units(key)
    if length > MAX_KEY_CHARS:
        raise PlayFabError(
            "KeyLengthExceeded",
            f"Keys are limited to {MAX_KEY_CHARS} characters (UTF-16 code units).",
            {field: [f"a key of {length} characters"]},
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
    to_remove = list(keys_to_remove or ())
    named = [*(data or {}), *to_remove]
    for raw, value in (data or {}).items():
        key = clean_key(raw, "Data", removing=value is None)
        if key in writes or key in removals:
            raise invalid_params("Data", f"Key {key!r} appears more than once after trimming and normalising.")
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
    for raw in to_remove:
        key = clean_key(raw, "KeysToRemove", removing=True)
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
    old_spellings = frozenset(raw.strip() for raw in named) - writes.keys() - removals
    return Changes(writes, frozenset(removals), permission or DEFAULT_PERMISSION, old_spellings)


def _stored_bytes(body: Any) -> int:
    return len(dumps_bytes(body))


def _entry_bytes(records: Mapping[str, Any], keys: Iterable[str]) -> int:
    """What these keys' records add to the stored text, separators included."""
    return sum(_stored_bytes({key: records[key]}) - 1 for key in keys if key in records)


def apply_records(records: dict[str, Any], changes: Changes, stamp: str, extra: Mapping[str, str] | None = None) -> int:
    """Apply an update to a key -> record map in place; `extra` adds fields to every written record.

    Returns how many bytes the touched keys' records grew by (negative when they shrank).
    """
    touched = changes.touched
    before = _entry_bytes(records, touched)
    for key in changes.removals | changes.old_spellings:
        records.pop(key, None)
    for key, value in changes.writes.items():
        records[key] = {"Value": value, "Permission": changes.permission, "LastUpdated": stamp, **(extra or {})}
    return _entry_bytes(records, touched) - before


def check_size(body: dict[str, Any], limits: Limits, growth: int) -> None:
    """Refuse an update that leaves the data over the limit, unless it did not grow it.

    A call that only removes keys, or shrinks them, always lands: after the limit is lowered, data over
    it can still be cleaned up.
    """
    if growth <= 0:
        return
    size = stored_size(body)  # the whole document's, when `body` shows part of its keys
    if size > limits.max_document_bytes:
        raise PlayFabError(
            "TotalDataSizeExceeded",
            f"This data would grow to {size} bytes; the limit is {limits.max_document_bytes}.",
        )


def update_records(
    body: dict[str, Any],
    records: dict[str, Any],
    changes: Changes,
    limits: Limits,
    stamp: str,
    extra: Mapping[str, str] | None = None,
) -> None:
    """Apply an update to `records`, which live in `body`, and hold the whole of `body` to the size limit."""
    check_size(body, limits, apply_records(records, changes, stamp, extra))


def apply(changes: Changes, limits: Limits, stamp: str, expected: int | None = None) -> Mutation:
    """The pure mutation of one update: the store may run it again on a fresher body.

    `expected` (ExpectedDataVersion) is checked here, on the body the write replaces.
    """

    def mutate(body: dict[str, Any] | None) -> dict[str, Any]:
        body = body or {"DataVersion": 0, "Data": {}}
        write_options.require_data_version(int(body["DataVersion"]), expected)
        body["DataVersion"] += 1
        update_records(body, body["Data"], changes, limits, stamp)
        return body

    return mutate


def version_answer(body: dict[str, Any]) -> dict[str, Any]:
    """An update's answer, from the body it wrote."""
    return {"DataVersion": int(body["DataVersion"])}


def view(body: dict[str, Any] | None, query: DataQuery, visible: frozenset[str] | None) -> dict[str, Any]:
    """The Data and DataVersion a reader gets; `visible` limits the permissions shown (None: all)."""
    version = int(body["DataVersion"]) if body else 0
    records: dict[str, Any] = body["Data"] if body else {}
    since = query.IfChangedFromDataVersion
    if since is not None and version <= since:
        return {"Data": {}, "DataVersion": version}
    return {"Data": select(records, query.Keys, visible), "DataVersion": version}


def select(records: dict[str, Any], keys: list[str] | None, visible: frozenset[str] | None) -> dict[str, Any]:
    """The records a reader gets: only `keys` when given (normalised as on write), only `visible` permissions."""
    if keys is not None:
        wanted = wanted_keys(keys)
        records = {key: rec for key, rec in records.items() if key in wanted}
    if visible is not None:
        records = {key: rec for key, rec in records.items() if rec["Permission"] in visible}
    return records


def wanted_keys(keys: list[str]) -> set[str]:
    """The stored keys a read of `keys` matches: each normalised as on write, and as sent, trimmed (keys
    stored before normalisation keep their spelling)."""
    return {normal_key(key) for key in keys} | {key.strip() for key in keys}


async def read(store: Store, pk: str, doc_id: str, query: DataQuery, visible: frozenset[str] | None) -> dict[str, Any]:
    if query.Keys is None:
        doc = await store.read(PLAYERS, pk, doc_id)
    else:  # only the named keys' records are read
        doc = await store.read_part(PLAYERS, pk, doc_id, RECORDS, wanted_keys(query.Keys))
    return view(doc.body if doc else None, query, visible)
