"""Leaderboard indexes on Cosmos DB: the `ranks` container, its indexing policy and its queries.

A board is one logical partition (pk = the board); an entry is an item whose id is the entity id and
whose body is {"v": value, "t": tiebreak, "e": entity id, "s": seq}. Only those three ordering paths
are indexed, with a composite index in the board's order and one in its exact reverse (the emulator
serves an ORDER BY only from a composite index declared in that direction). infra/modules/database.bicep
declares the same policy; the adapter creates it when it creates containers.

Query shapes, all within one partition and all within what the bundled emulator parses (it has TOP but
no OFFSET/LIMIT, and it wants the partition key in the query text):
  range   SELECT TOP @n VALUE [v, e] ... ORDER BY v DESC, t ASC, e ASC   (start + count entries read,
          the first `start` skipped here)
  rank    a point read of the entry, then SELECT VALUE COUNT(1) ... WHERE <key before the entry's>
  count   SELECT VALUE COUNT(1) ... WHERE c.pk = @board
  window  the rank, then SELECT TOP @before ... WHERE <key before the entry's> in reverse order, and
          SELECT TOP @rest ... WHERE <key from the entry's on> in order: entries read = the window's
A put is the store's etag read/replace (update()), refused when the stored seq is not older.
"""

from __future__ import annotations

from typing import Any, Final

_ORDER: Final = (("v", "descending"), ("t", "ascending"), ("e", "ascending"))
_REVERSE: Final = {"descending": "ascending", "ascending": "descending"}

RANK_INDEXING_POLICY: Final[dict[str, Any]] = {
    "indexingMode": "consistent",
    "automatic": True,
    "includedPaths": [{"path": f"/body/{field}/?"} for field, _ in _ORDER],
    "excludedPaths": [{"path": "/*"}],
    "compositeIndexes": [
        [{"path": f"/body/{field}", "order": order} for field, order in _ORDER],
        [{"path": f"/body/{field}", "order": _REVERSE[order]} for field, order in _ORDER],
    ],
}

ORDER_BY: Final = "ORDER BY c.body.v DESC, c.body.t ASC, c.body.e ASC"

RANGE_QUERY: Final = f"SELECT TOP @n VALUE [c.body.v, c.body.e] FROM c WHERE c.pk = @board {ORDER_BY}"
# Entries ahead of (@v, @t, @e) in the board's order, as a flat OR of ANDs: the emulator's parser takes
# seconds over the nested form (it backtracks at each parenthesis), and parses each text once.
AHEAD_QUERY: Final = (
    "SELECT VALUE COUNT(1) FROM c WHERE c.pk = @board AND (c.body.v > @v OR (c.body.v = @v AND c.body.t < @t) "
    "OR (c.body.v = @v AND c.body.t = @t AND c.body.e < @e))"
)
COUNT_QUERY: Final = "SELECT VALUE COUNT(1) FROM c WHERE c.pk = @board"
# A window around an entry, from its key rather than its position: the nearest @n entries ahead of it
# (nearest first, so in reverse order), and the @n from it on.
AHEAD_ROWS_QUERY: Final = (
    "SELECT TOP @n VALUE [c.body.v, c.body.e] FROM c WHERE c.pk = @board AND (c.body.v > @v OR (c.body.v = @v AND "
    "c.body.t < @t) OR (c.body.v = @v AND c.body.t = @t AND c.body.e < @e)) "
    "ORDER BY c.body.v ASC, c.body.t DESC, c.body.e DESC"
)
FROM_ROWS_QUERY: Final = (
    "SELECT TOP @n VALUE [c.body.v, c.body.e] FROM c WHERE c.pk = @board AND (c.body.v < @v OR (c.body.v = @v AND "
    f"c.body.t > @t) OR (c.body.v = @v AND c.body.t = @t AND c.body.e >= @e)) {ORDER_BY}"
)
# Paging a board by key: the first @n entries' keys, and the @n after (@v, @t, @e).
FIRST_KEYS_QUERY: Final = f"SELECT TOP @n VALUE [c.body.v, c.body.t, c.body.e] FROM c WHERE c.pk = @board {ORDER_BY}"
AFTER_KEYS_QUERY: Final = (
    "SELECT TOP @n VALUE [c.body.v, c.body.t, c.body.e] FROM c WHERE c.pk = @board AND (c.body.v < @v OR "
    f"(c.body.v = @v AND c.body.t > @t) OR (c.body.v = @v AND c.body.t = @t AND c.body.e > @e)) {ORDER_BY}"
)

# Entries a range query asks for per page.
PAGE_ITEMS: Final = 1000


def entry(entity_id: str, value: int, tiebreak: str, seq: int) -> dict[str, Any]:
    return {"v": value, "t": tiebreak, "e": entity_id, "s": seq}


def parameters(board: str, **values: Any) -> list[dict[str, Any]]:
    return [{"name": "@board", "value": board}, *({"name": f"@{k}", "value": v} for k, v in values.items())]
