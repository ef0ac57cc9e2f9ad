"""The title a store belongs to: recorded by the first host that opens it, checked by every host after.

Two titles on one SQLite file or one Cosmos DB database would share accounts, so a store carries one
meta document naming its title. It lives in `lookups` under a partition key no login identity can have
(identities are "<kind>:<id>"), so it needs no container of its own. The record is written create-only:
of two hosts starting on an empty store at once, exactly one title wins and the other host stops.
"""

from __future__ import annotations

from shared.config.clock import now
from shared.storage import Conflict, Store, StoreError
from shared.storage.layout import LOOKUPS, META_PK, TITLE_DOC


class TitleMismatch(StoreError):
    """The store was claimed by another title."""

    def __init__(self, stored: str, configured: str) -> None:
        super().__init__(
            f"the store belongs to title {stored!r}, not to {configured!r} (PLAYFAB_TITLE_ID): "
            "each title needs its own SQLite file or Cosmos DB database"
        )
        self.stored = stored
        self.configured = configured


async def stored_title(store: Store) -> str | None:
    doc = await store.read(LOOKUPS, META_PK, TITLE_DOC)
    if doc is None:
        return None
    return str(doc.body.get("TitleId"))


async def claim(store: Store, title_id: str) -> None:
    """Record `title_id` as the store's title if it has none; raise TitleMismatch if it has another."""
    stored = await stored_title(store)
    if stored is None:
        try:
            await store.create(LOOKUPS, META_PK, TITLE_DOC, {"TitleId": title_id, "Created": now()})
            return
        except Conflict:  # another host claimed it first (or our own create's answer was lost)
            stored = await stored_title(store)
            if stored is None:  # created and deleted since: nobody deletes it, so this is no store we know
                raise StoreError("the store's title record vanished while it was being claimed") from None
    if stored != title_id:
        raise TitleMismatch(stored, title_id)
