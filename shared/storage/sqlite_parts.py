"""The embedded store's keyed maps, a row per key: what keeps an update's cost to the keys it names.

A document written through update_part keeps its keyed map (the `Data` of custom data) out of its own
row: each entry is a row of `parts`, its text `"key":value` as the document's JSON would hold it. The
document's row carries a mark, MARK, naming the field and counting the entries and their bytes, so a
size limit is checked without reading them. Rows exist only while the mark does: every write of the
document (update_part, or a whole-document write) keeps them in the same transaction as the head.

`seq` keeps the map's order, and the rows are stored in it: a key keeps its place when rewritten, a new
one goes last, as in a dict.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

from shared.storage.base import MAX_DOCUMENT_BYTES, DocumentTooLarge
from shared.wire.jsontext import dumps_bytes, loads

# In a document's row only: no body the core writes has a top-level field of this name.
MARK: Final = "~parts"

SCHEMA: Final = (
    """
CREATE TABLE IF NOT EXISTS parts (
    container TEXT NOT NULL,
    pk TEXT NOT NULL,
    id TEXT NOT NULL,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (container, pk, id, seq)
) WITHOUT ROWID
""",
    # Stored in the map's order, so reading it whole is one range without a sort; found by key here.
    "CREATE UNIQUE INDEX IF NOT EXISTS parts_key ON parts (container, pk, id, key)",
)

# One statement, so one snapshot: the head and every entry. group_concat joins its rows in the order it
# gets them, which without the ORDER BY is the plan's: after ANALYZE (or PRAGMA optimize) SQLite reads
# them through parts_key, sorted by key. With it, the plan reads along the primary key, in seq order,
# without a sort of its own.
_ENTRIES: Final = "SELECT entry FROM parts WHERE container=?1 AND pk=?2 AND id=?3 ORDER BY seq"
SELECT_WHOLE: Final = (
    f"SELECT body, etag, (SELECT group_concat(entry, ',') FROM ({_ENTRIES})) "
    "FROM documents WHERE container=?1 AND pk=?2 AND id=?3"
)
_ALL: Final = f"SELECT group_concat(entry, ',') FROM ({_ENTRIES})"
_CLEAR: Final = "DELETE FROM parts WHERE container=? AND pk=? AND id=?"
_UPSERT: Final = (
    "INSERT INTO parts (container, pk, id, key, seq, entry, bytes) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (container, pk, id, key) DO UPDATE SET entry=excluded.entry, bytes=excluded.bytes"
)
_REMOVE: Final = "DELETE FROM parts WHERE container=? AND pk=? AND id=? AND key=?"
# Keys per query when reading named entries (SQLite's default limit is 32,766 parameters).
_KEYS_PER_QUERY: Final = 500

Where = tuple[str, str, str]


def entry_text(key: str, value: Any) -> str:
    raw = dumps_bytes({key: value})
    return raw[1:-1].decode("utf-8")


def utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def parse_entries(joined: str | None) -> dict[str, Any]:
    """The map from its entries' texts joined by commas (None: no entry)."""
    return {} if not joined else dict(loads("{" + joined + "}"))


def shown(named: Mapping[str, tuple[str, int]], keys: Iterable[str]) -> dict[str, Any]:
    """The entries read_named found, parsed, in the order of `keys` (as part_of shows them)."""
    return parse_entries(",".join(named[key][0] for key in keys if key in named))


def left_out(marked: Mapping[str, Any], named: Mapping[str, tuple[str, int]]) -> tuple[int, int]:
    """The count and bytes of the entries a document holds beyond those read_named found."""
    return marked["n"] - len(named), marked["b"] - sum(size for _, size in named.values())


def mark(field: str, count: int, size: int, next_seq: int) -> dict[str, Any]:
    return {"f": field, "n": count, "b": size, "s": next_seq}


def _stored_len(joined: str | None, entries: Mapping[str, Any]) -> int:
    """The stored text of entries read joined by commas: without the commas."""
    return len(joined) - (len(entries) - 1) if joined else 0


def assemble(body: dict[str, Any], joined: str | None) -> tuple[dict[str, Any], int]:
    """A head as read (mark taken out) made whole again with its entries; and their stored text's length."""
    marked = body.pop(MARK, None)
    if marked is None:
        return body, 0
    entries = body[marked["f"]] = parse_entries(joined)
    return body, _stored_len(joined, entries)


def read_all(conn: sqlite3.Connection, where: Where) -> tuple[dict[str, Any], int]:
    """Every entry of a marked document, in order, and the length of their stored text."""
    joined = conn.execute(_ALL, where).fetchone()[0]
    entries = parse_entries(joined)
    return entries, _stored_len(joined, entries)


def read_named(conn: sqlite3.Connection, where: Where, keys: Collection[str]) -> dict[str, tuple[str, int]]:
    """key -> (entry text, bytes) of the named keys the document holds."""
    found: dict[str, tuple[str, int]] = {}
    ordered = list(keys)
    for at in range(0, len(ordered), _KEYS_PER_QUERY):
        chunk = ordered[at : at + _KEYS_PER_QUERY]
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            f"SELECT key, entry, bytes FROM parts WHERE container=? AND pk=? AND id=? AND key IN ({marks})",
            (*where, *chunk),
        )
        found.update((str(key), (str(entry), int(size))) for key, entry, size in rows)
    return found


def clear(conn: sqlite3.Connection, where: Where) -> None:
    conn.execute(_CLEAR, where)


def write_all(
    conn: sqlite3.Connection, where: Where, field: str, entries: Mapping[str, Any]
) -> tuple[dict[str, Any], int]:
    """Store a whole map as rows (the document's rows must be gone); its mark and the characters of entry
    text written (as the meter counts them; the mark counts UTF-8 bytes)."""
    rows = []
    total = 0
    written = 0
    for seq, (key, value) in enumerate(entries.items()):
        text = entry_text(key, value)
        size = utf8_len(text)
        total += size
        written += len(text)
        rows.append((*where, key, seq, text, size))
    conn.executemany(_UPSERT, rows)
    return mark(field, len(rows), total, len(rows)), written


def write_named(
    conn: sqlite3.Connection,
    where: Where,
    marked: dict[str, Any],
    old: Mapping[str, tuple[str, int]],
    keys: Iterable[str],
    written: Mapping[str, Any],
) -> int:
    """Apply a partial map's new state to the rows of the named keys and to `marked`, in place; the
    bytes of entry text written. `old` holds the named keys' rows as they were."""
    total = 0
    upserts: list[tuple[Any, ...]] = []
    removals: list[tuple[str, ...]] = []
    for key in keys:
        before = old.get(key)
        if key in written:
            text = entry_text(key, written[key])
            if before is not None and before[0] == text:
                continue  # the same entry: nothing to rewrite
            size = utf8_len(text)
            seq = marked["s"]
            if before is None:
                marked["n"] += 1
                marked["s"] += 1
            else:
                marked["b"] -= before[1]
            marked["b"] += size
            total += len(text)
            upserts.append((*where, key, seq, text, size))
        elif before is not None:
            removals.append((*where, key))
            marked["n"] -= 1
            marked["b"] -= before[1]
    if upserts:
        conn.executemany(_UPSERT, upserts)
    if removals:
        conn.executemany(_REMOVE, removals)
    return total


def head_text(head: dict[str, Any], marked: dict[str, Any]) -> str:
    """The document row's text: the head with its mark; refused like encode() when the whole document,
    entries included, would be over MAX_DOCUMENT_BYTES."""
    raw = dumps_bytes({**head, MARK: marked})
    # The whole document's size exactly, as encode() counts it: the mark's entry out, the field's in
    # (`"field":{` and `}`, its entries and the commas between them). A bound with a margin would refuse
    # a document just under the cap that a whole write accepts, even a write that shrinks it.
    mark_entry = len(dumps_bytes({MARK: marked})) - 2
    field_entry = len(dumps_bytes({marked["f"]: {}})) - 2 + marked["b"] + max(marked["n"] - 1, 0)
    if len(raw) - mark_entry + field_entry > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"document over {MAX_DOCUMENT_BYTES} bytes")
    return raw.decode("utf-8")
