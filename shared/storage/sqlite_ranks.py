"""Leaderboard indexes in the SQLite store: the `ranks` table, and the block counts that give a rank
without counting every entry above it.

An entry's place in the board's order is the key (neg, tiebreak, entity_id) ascending, with neg =
-value: value descending, then tiebreak, then entity id, all in one index, and row-value comparisons
on that key are range scans of it. Counting the entries above one by walking the index costs about
70 ns an entry (7 ms for the last of 100,000), so the order is also cut into blocks: `rank_blocks`
holds each block's first key and how many entries it holds, kept in the same transaction as every
entry written. A rank is then the sizes of the blocks before the entry's own plus a count inside its
block; a range from position p starts in the block holding p. Blocks hold at most MAX_BLOCK entries (a
full one splits at its middle) and one that shrinks below MIN_BLOCK joins the block before it when
they fit together, so a board of n entries has about n / (MAX_BLOCK / 2) of them and no read walks more
than that many block rows plus one block's entries.

Every board's first block starts at FIRST_KEY, below any entry's key, so each entry has a block. A
bulk write (put_many) writes its rows at once and then cuts the board's blocks again in one pass.
Writes run in the store's IMMEDIATE transactions; reads in one read transaction, one snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final

from shared.storage.base import Ranking, RankKey

SCHEMA: Final = (
    """
CREATE TABLE IF NOT EXISTS ranks (
    board TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    neg INTEGER NOT NULL,
    tiebreak TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (board, entity_id)
) WITHOUT ROWID
""",
    "CREATE INDEX IF NOT EXISTS ranks_order ON ranks (board, neg, tiebreak, entity_id)",
    """
CREATE TABLE IF NOT EXISTS rank_blocks (
    board TEXT NOT NULL,
    neg INTEGER NOT NULL,
    tiebreak TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (board, neg, tiebreak, entity_id)
) WITHOUT ROWID
""",
)

MAX_BLOCK: Final = 512
MIN_BLOCK: Final = 64
Key = tuple[int, str, str]
# Below every entry's key: values are within +-(2**53 - 1), so neg is too.
FIRST_KEY: Final[Key] = (-(2**63), "", "")

_BLOCK_AT = (
    "SELECT neg, tiebreak, entity_id, size FROM rank_blocks WHERE board=? AND (neg, tiebreak, entity_id) <= (?, ?, ?) "
    "ORDER BY neg DESC, tiebreak DESC, entity_id DESC LIMIT 1"
)
_BLOCK_BEFORE = (
    "SELECT neg, tiebreak, entity_id, size FROM rank_blocks WHERE board=? AND (neg, tiebreak, entity_id) < (?, ?, ?) "
    "ORDER BY neg DESC, tiebreak DESC, entity_id DESC LIMIT 1"
)
_SET_SIZE = "UPDATE rank_blocks SET size=? WHERE board=? AND neg=? AND tiebreak=? AND entity_id=?"
_DROP_BLOCK = "DELETE FROM rank_blocks WHERE board=? AND neg=? AND tiebreak=? AND entity_id=?"
_ENTRY = "SELECT neg, tiebreak, seq FROM ranks WHERE board=? AND entity_id=?"


def _block_at(conn: sqlite3.Connection, board: str, key: Key) -> tuple[Key, int] | None:
    row = conn.execute(_BLOCK_AT, (board, *key)).fetchone()
    return ((row[0], row[1], row[2]), row[3]) if row else None


def _join(conn: sqlite3.Connection, board: str, key: Key) -> None:
    """Count a new entry (already in `ranks`) in its block, splitting the block when it is full."""
    found = _block_at(conn, board, key)
    if found is None:
        conn.execute("INSERT INTO rank_blocks VALUES (?, ?, ?, ?, 1)", (board, *FIRST_KEY))
        return
    start, size = found
    size += 1
    if size <= MAX_BLOCK:
        conn.execute(_SET_SIZE, (size, board, *start))
        return
    # The block's entries are the first `size` from its first key: the upper half becomes a block.
    half = size // 2
    middle = conn.execute(
        "SELECT neg, tiebreak, entity_id FROM ranks WHERE board=? AND (neg, tiebreak, entity_id) >= (?, ?, ?) "
        "ORDER BY neg, tiebreak, entity_id LIMIT 1 OFFSET ?",
        (board, *start, half),
    ).fetchone()
    conn.execute(_SET_SIZE, (half, board, *start))
    conn.execute("INSERT INTO rank_blocks VALUES (?, ?, ?, ?, ?)", (board, *middle, size - half))


def _leave(conn: sqlite3.Connection, board: str, key: Key) -> None:
    """Uncount an entry (already gone from `ranks`) from its block; a small block joins the one before."""
    found = _block_at(conn, board, key)
    assert found is not None, "every entry has a block"
    start, size = found
    size -= 1
    if start != FIRST_KEY:
        before = conn.execute(_BLOCK_BEFORE, (board, *start)).fetchone()
        if size == 0 or (size < MIN_BLOCK and before[3] + size <= MAX_BLOCK):
            conn.execute(_DROP_BLOCK, (board, *start))
            conn.execute(_SET_SIZE, (before[3] + size, board, before[0], before[1], before[2]))
            return
    conn.execute(_SET_SIZE, (size, board, *start))


def put(conn: sqlite3.Connection, board: str, entity_id: str, value: int, tiebreak: str, seq: int) -> None:
    """In the caller's write transaction."""
    row = conn.execute(_ENTRY, (board, entity_id)).fetchone()
    if row is not None and row[2] >= seq:
        return  # a newer write of this entity is in already
    key: Key = (-value, tiebreak, entity_id)
    if row is None:
        conn.execute("INSERT INTO ranks VALUES (?, ?, ?, ?, ?)", (board, entity_id, -value, tiebreak, seq))
        _join(conn, board, key)
        return
    conn.execute(
        "UPDATE ranks SET neg=?, tiebreak=?, seq=? WHERE board=? AND entity_id=?",
        (-value, tiebreak, seq, board, entity_id),
    )
    old: Key = (row[0], row[1], entity_id)
    if old != key:
        _leave(conn, board, old)
        _join(conn, board, key)


def put_many(conn: sqlite3.Connection, board: str, entries: Sequence[tuple[str, int, str, int]]) -> None:
    """put() of each entry, in order, in the caller's write transaction: the rows in one statement, then
    the board's blocks cut again from its order (one pass over the board), rather than each entry
    finding and growing its block."""
    conn.executemany(
        "INSERT INTO ranks VALUES (?, ?, ?, ?, ?) ON CONFLICT (board, entity_id) DO UPDATE SET "
        "neg=excluded.neg, tiebreak=excluded.tiebreak, seq=excluded.seq WHERE excluded.seq > ranks.seq",
        ((board, entity_id, -value, tiebreak, seq) for entity_id, value, tiebreak, seq in entries),
    )
    _cut_blocks(conn, board)


def _cut_blocks(conn: sqlite3.Connection, board: str) -> None:
    """The board's blocks anew: half full (room to grow before a split), the first at FIRST_KEY."""
    conn.execute("DELETE FROM rank_blocks WHERE board=?", (board,))
    size = MAX_BLOCK // 2
    starts: list[Key] = []
    total = 0
    for row in conn.execute(
        "SELECT neg, tiebreak, entity_id FROM ranks WHERE board=? ORDER BY neg, tiebreak, entity_id", (board,)
    ):
        if total % size == 0:
            starts.append(FIRST_KEY if total == 0 else (row[0], row[1], row[2]))
        total += 1
    conn.executemany(
        "INSERT INTO rank_blocks VALUES (?, ?, ?, ?, ?)",
        ((board, *start, min(size, total - i * size)) for i, start in enumerate(starts)),
    )


def delete(conn: sqlite3.Connection, board: str, entity_id: str) -> None:
    """In the caller's write transaction."""
    row = conn.execute(_ENTRY, (board, entity_id)).fetchone()
    if row is None:
        return
    conn.execute("DELETE FROM ranks WHERE board=? AND entity_id=?", (board, entity_id))
    _leave(conn, board, (row[0], row[1], entity_id))
    if conn.execute("SELECT 1 FROM ranks WHERE board=? LIMIT 1", (board,)).fetchone() is None:
        conn.execute("DELETE FROM rank_blocks WHERE board=?", (board,))  # an empty board leaves nothing


def range_of(conn: sqlite3.Connection, board: str, start: int, count: int) -> list[Ranking]:
    """In the caller's read transaction."""
    if count == 0:
        return []
    before = 0
    first: Key | None = None
    for neg, tiebreak, entity_id, size in conn.execute(
        "SELECT neg, tiebreak, entity_id, size FROM rank_blocks WHERE board=? ORDER BY neg, tiebreak, entity_id",
        (board,),
    ):
        if before + size > start:
            first = (neg, tiebreak, entity_id)
            break
        before += size
    if first is None:
        return []  # start is past the end
    rows = conn.execute(
        "SELECT entity_id, neg FROM ranks WHERE board=? AND (neg, tiebreak, entity_id) >= (?, ?, ?) "
        "ORDER BY neg, tiebreak, entity_id LIMIT ? OFFSET ?",
        (board, *first, count, start - before),
    ).fetchall()
    return [Ranking(entity_id, -neg, start + i) for i, (entity_id, neg) in enumerate(rows)]


def rank_of(conn: sqlite3.Connection, board: str, entity_id: str) -> Ranking | None:
    """In the caller's read transaction."""
    row = conn.execute(_ENTRY, (board, entity_id)).fetchone()
    if row is None:
        return None
    key: Key = (row[0], row[1], entity_id)
    found = _block_at(conn, board, key)
    assert found is not None, "every entry has a block"
    start = found[0]
    before = conn.execute(
        "SELECT COALESCE(SUM(size), 0) FROM rank_blocks WHERE board=? AND (neg, tiebreak, entity_id) < (?, ?, ?)",
        (board, *start),
    ).fetchone()[0]
    inside = conn.execute(
        "SELECT COUNT(*) FROM ranks WHERE board=? AND (neg, tiebreak, entity_id) >= (?, ?, ?) "
        "AND (neg, tiebreak, entity_id) < (?, ?, ?)",
        (board, *start, *key),
    ).fetchone()[0]
    return Ranking(entity_id, -row[0], int(before) + int(inside))


def window(conn: sqlite3.Connection, board: str, entity_id: str, before: int, count: int) -> list[Ranking]:
    """In the caller's read transaction: rank and range on one snapshot."""
    own = rank_of(conn, board, entity_id)
    if own is None:
        return []
    return range_of(conn, board, max(0, own.position - before), count)


def count(conn: sqlite3.Connection, board: str) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(size), 0) FROM rank_blocks WHERE board=?", (board,)).fetchone()[0])


def after(conn: sqlite3.Connection, board: str, key: RankKey | None, count: int) -> list[RankKey]:
    # One seek on ranks_order, then `count` rows: neg is the value negated, so ascending is best first.
    if key is None:
        rows = conn.execute(
            "SELECT neg, tiebreak, entity_id FROM ranks WHERE board=? ORDER BY neg, tiebreak, entity_id LIMIT ?",
            (board, count),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT neg, tiebreak, entity_id FROM ranks WHERE board=? AND (neg, tiebreak, entity_id) > (?, ?, ?) "
            "ORDER BY neg, tiebreak, entity_id LIMIT ?",
            (board, -key.value, key.tiebreak, key.entity_id, count),
        ).fetchall()
    return [RankKey(-neg, tiebreak, entity_id) for neg, tiebreak, entity_id in rows]
