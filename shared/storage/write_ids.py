"""Write ids: how an adapter recognises its own write when the store's answer to it was lost.

A write that committed but whose answer never arrived looks to the SDK like a request never sent, so
it sends it again, and the second attempt meets the first: a create answers 409, an etag replace 412.
Each create and replace therefore stores a fresh random id beside the body, and keeps the ids of the
last few writes before it (a rival may write between our lost answer and our look); after a 409, a
412 or an unknown outcome, the adapter reads the document back and, if its id is among them, the
write did land: it answers with the stored document instead of a conflict.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Any, Final

# Item field holding the ids of the latest writes, newest last.
FIELD: Final = "w"
# Writes remembered per document: a rival would have to land this many writes between our commit and
# our re-read for us to miss our own.
KEPT: Final = 8
# Documents whose latest ids this process remembers, so a replace can carry the history forward.
REMEMBERED_DOCUMENTS: Final = 10_000


def new_write_id() -> str:
    return secrets.token_hex(8)


def landed(item: dict[str, Any] | None, write_id: str) -> bool:
    """Whether a stored item (as the store returned it) carries this write."""
    return item is not None and write_id in (item.get(FIELD) or ())


class WriteHistory:
    """The write ids of the documents this process read or wrote last, by document and etag.

    A replace is built on a read of the same process (BaseStore.update), so the previous ids are
    nearly always here; when they are not, the document just starts a new history.
    """

    def __init__(self, capacity: int = REMEMBERED_DOCUMENTS) -> None:
        self._capacity = capacity
        self._latest: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()

    def seen(self, where: str, etag: str, item: dict[str, Any]) -> None:
        self._remember(where, etag, tuple(item.get(FIELD) or ()))

    def ids_after(self, where: str, etag: str | None, write_id: str) -> list[str]:
        """The ids a write replacing the version `etag` stores: the last ones before it, then its own."""
        known = self._latest.get(where)
        before = known[1] if known is not None and etag is not None and known[0] == etag else ()
        return [*before, write_id][-KEPT:]

    def wrote(self, where: str, etag: str, ids: list[str]) -> None:
        self._remember(where, etag, tuple(ids))

    def _remember(self, where: str, etag: str, ids: tuple[str, ...]) -> None:
        self._latest[where] = (etag, ids)
        self._latest.move_to_end(where)
        while len(self._latest) > self._capacity:
            self._latest.popitem(last=False)
