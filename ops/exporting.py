"""Reading a title out of a store as export records (ops.records), one player or group at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

from ops.records import GROUP, PLAYER, TITLE, Doc, portable
from shared.auth import directory, logins
from shared.auth.accounts import PASSWORD_RESET_REQUIRED, being_deleted
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER
from shared.auth.logins import LoginKind
from shared.features import title_data
from shared.features.data_families import FAMILIES, Scope
from shared.storage import Store
from shared.storage.layout import (
    ACCOUNT_DOC,
    CHARACTERS_DOC,
    CUSTOM_PROPERTIES_DOC,
    ENTITIES,
    GROUP_DOC,
    GROUPS,
    LOGIN_DOC,
    LOOKUPS,
    MEMBERSHIPS_DOC,
    META_PK,
    PLAYER_STATISTICS_DOC,
    PLAYERS,
    PROFILE_DOC,
    STATISTICS_DOC,
    character_statistics_doc,
    entity_pk,
    title_data_doc,
)

PAGE: Final = 100  # directory entries read at once
IN_FLIGHT: Final = 8  # records being read at once; written out in directory order

# A player's own documents beside its account (the characters' are named by the characters document).
PLAYER_DOCS: Final = (
    CHARACTERS_DOC,
    MEMBERSHIPS_DOC,
    CUSTOM_PROPERTIES_DOC,
    PLAYER_STATISTICS_DOC,
    *(family.doc_id() for family in FAMILIES if family.scope is Scope.PLAYER),
)


def character_docs(character_id: str) -> tuple[str, ...]:
    return (
        *(family.doc_id(character_id) for family in FAMILIES if family.scope is Scope.CHARACTER),
        character_statistics_doc(character_id),
    )


def _found(container: str, keys: list[tuple[str, str]], bodies: list[Any]) -> list[Doc]:
    return [
        Doc(container, pk, doc_id, portable(doc.body))
        for (pk, doc_id), doc in zip(keys, bodies, strict=True)
        if doc is not None
    ]


def _in_order(docs: list[Doc]) -> list[dict[str, Any]]:
    """By address: a record's line is the same whichever store, and whatever order, it was read in."""
    return [doc.to_json() for doc in sorted(docs, key=lambda d: (d.container, d.partition, d.id))]


async def title_record(store: Store, title_id: str) -> dict[str, Any]:
    keys = [(META_PK, title_data_doc(kind.name)) for kind in title_data.KINDS] + [(META_PK, STATISTICS_DOC)]
    docs = _found(LOOKUPS, keys, await store.read_many(LOOKUPS, keys))
    title_entity = [(entity_pk(ENTITY_TITLE, title_id), PROFILE_DOC)]
    docs += _found(ENTITIES, title_entity, await store.read_many(ENTITIES, title_entity))
    return {"Record": TITLE, "Documents": _in_order(docs)}


def lookup_partitions(account: dict[str, Any]) -> list[str]:
    """The lookups an account may hold: its login identities, and its display name while names are unique."""
    identities = dict(logins.linked(account))
    if account.get("DisplayName"):
        identities[LoginKind.DISPLAY_NAME] = str(account["DisplayName"])
    return [logins.lookup_key(kind, value) for kind, value in identities.items()]


async def _lookups(store: Store, playfab_id: str, account: dict[str, Any]) -> list[Doc]:
    """The lookups that name the player, confirmed."""
    keys = [(pk, LOGIN_DOC) for pk in lookup_partitions(account)]
    found = await store.read_many(LOOKUPS, keys)
    return [
        doc
        for doc in _found(LOOKUPS, keys, found)
        if doc.body.get("PlayFabId") == playfab_id and not doc.body.get("Pending")
    ]


async def player_record(store: Store, playfab_id: str) -> dict[str, Any] | None:
    """Everything of one player, or None when it has no account (or is being deleted)."""
    account = await store.read(PLAYERS, playfab_id, ACCOUNT_DOC)
    if account is None or being_deleted(account.body):
        return None
    own = [(playfab_id, doc_id) for doc_id in PLAYER_DOCS]
    body = portable(account.body)
    if {LoginKind.USERNAME, LoginKind.EMAIL} & set(logins.linked(body)):
        body[PASSWORD_RESET_REQUIRED] = True  # its hash stays behind: wherever this lands, it needs one
    docs = [Doc(PLAYERS, playfab_id, ACCOUNT_DOC, body)]
    docs += _found(PLAYERS, own, await store.read_many(PLAYERS, own))
    characters: list[dict[str, Any]] = next((d.body["Characters"] for d in docs if d.id == CHARACTERS_DOC), [])
    character_ids = [str(entry["CharacterId"]) for entry in characters]
    theirs = [(playfab_id, doc_id) for character_id in character_ids for doc_id in character_docs(character_id)]
    docs += _found(PLAYERS, theirs, await store.read_many(PLAYERS, theirs))
    entities = [(entity_pk(ENTITY_TITLE_PLAYER, str(account.body["TitlePlayerAccountId"])), PROFILE_DOC)]
    entities += [(entity_pk(ENTITY_CHARACTER, character_id), PROFILE_DOC) for character_id in character_ids]
    docs += _found(ENTITIES, entities, await store.read_many(ENTITIES, entities))
    docs += await _lookups(store, playfab_id, account.body)
    return {"Record": PLAYER, "PlayFabId": playfab_id, "Documents": _in_order(docs)}


async def group_record(store: Store, group_id: str) -> dict[str, Any] | None:
    doc = await store.read(GROUPS, group_id, GROUP_DOC)
    if doc is None:
        return None
    body = Doc(GROUPS, group_id, GROUP_DOC, portable(doc.body)).to_json()
    return {"Record": GROUP, "SharedGroupId": group_id, "Documents": [body]}


async def _listed(
    store: Store,
    listing: directory.Directory,
    read: Callable[[Store, str], Any],
) -> AsyncIterator[dict[str, Any]]:
    """The record of every entry of a directory, read IN_FLIGHT at a time, yielded in directory order."""
    after: str | None = None
    while True:
        ids = list(await listing.page(store, after, PAGE))
        if not ids:
            return
        for start in range(0, len(ids), IN_FLIGHT):
            for record in await asyncio.gather(*(read(store, i) for i in ids[start : start + IN_FLIGHT])):
                if record is not None:  # an entry whose document a crash left unwritten
                    yield record
        after = ids[-1]


def players(store: Store) -> AsyncIterator[dict[str, Any]]:
    return _listed(store, directory.PLAYERS, player_record)


def groups(store: Store) -> AsyncIterator[dict[str, Any]]:
    return _listed(store, directory.GROUPS, group_record)


async def counts(store: Store) -> tuple[int, int]:
    """Directory sizes (players, groups): what a progress bar counts towards."""
    return await directory.PLAYERS.size(store), await directory.GROUPS.size(store)
