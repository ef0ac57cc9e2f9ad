"""Writing export records (ops.records) into a store: what is missing is created, what is there and equal
is left alone, what is there and different is a conflict and nothing of that record is written.

So an import can be run again (after a crash, or to be sure): the second run finds every document equal
and changes nothing. Within a record the documents are written in the order the core writes them: the
directory entry first, the account after the player's other documents, its login lookups after the
account (a lookup is what makes a login find the account), the leaderboard entries last.
"""

from __future__ import annotations

from typing import Any, Final

from ops.exporting import PLAYER_DOCS, character_docs
from ops.records import GROUP, PLAYER, TITLE, BadRecord, Doc, documents, portable
from shared.auth import directory
from shared.auth.accounts import PASSWORD_RESET_REQUIRED
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER
from shared.features import statistic_values, title_data
from shared.storage import Conflict, Store
from shared.storage.layout import (
    ACCOUNT_DOC,
    CHARACTERS_DOC,
    ENTITIES,
    GROUP_DOC,
    GROUPS,
    LOGIN_DOC,
    LOOKUPS,
    META_PK,
    PLAYER_STATISTICS_DOC,
    PLAYERS,
    PROFILE_DOC,
    STATISTICS_DOC,
    character_statistics_doc,
    entity_pk,
    title_data_doc,
)

CREATED: Final = "created"
UNCHANGED: Final = "unchanged"


class ImportConflict(Exception):
    """The target holds a different document where the record has one."""


def _title_places(title_id: str) -> set[tuple[str, str, str]]:
    places = {(LOOKUPS, META_PK, title_data_doc(kind.name)) for kind in title_data.KINDS}
    places.add((LOOKUPS, META_PK, STATISTICS_DOC))
    places.add((ENTITIES, entity_pk(ENTITY_TITLE, title_id), PROFILE_DOC))
    return places


def _player_place_ok(playfab_id: str, doc: Doc, character_ids: set[str]) -> bool:
    if doc.container == PLAYERS:
        if doc.partition != playfab_id:
            return False
        return doc.id in (ACCOUNT_DOC, *PLAYER_DOCS) or any(doc.id in character_docs(c) for c in character_ids)
    if doc.container == LOOKUPS:  # a login identity's lookup, naming this player
        return doc.id == LOGIN_DOC and ":" in doc.partition and doc.body.get("PlayFabId") == playfab_id
    if doc.container == ENTITIES:
        kind = doc.partition.partition("!")[0]
        return doc.id == PROFILE_DOC and kind in (ENTITY_TITLE_PLAYER, ENTITY_CHARACTER)
    return False


def _checked(record: dict[str, Any], title_id: str, number: int) -> tuple[str, str | None, list[Doc]]:
    """The record's kind, owner and documents, each document where a record of its kind may write."""
    docs = documents(record, number)
    kind = str(record["Record"])
    if kind == TITLE:
        allowed = _title_places(title_id)
        stray = [doc for doc in docs if (doc.container, doc.partition, doc.id) not in allowed]
        owner = None
    elif kind == PLAYER:
        owner = record.get("PlayFabId")
        if not isinstance(owner, str) or not owner:
            raise BadRecord(f"line {number}: a player record needs its PlayFabId")
        accounts = [doc for doc in docs if doc.container == PLAYERS and doc.id == ACCOUNT_DOC]
        if len(accounts) != 1:
            raise BadRecord(f"line {number}: player {owner} has no account document")
        characters = next((d.body for d in docs if d.container == PLAYERS and d.id == CHARACTERS_DOC), {})
        character_ids = {str(entry.get("CharacterId")) for entry in characters.get("Characters", [])}
        stray = [doc for doc in docs if not _player_place_ok(owner, doc, character_ids)]
    else:
        assert kind == GROUP
        owner = record.get("SharedGroupId")
        if not isinstance(owner, str) or not owner:
            raise BadRecord(f"line {number}: a group record needs its SharedGroupId")
        if len(docs) != 1:
            raise BadRecord(f"line {number}: a group record holds its group document, once")
        stray = [doc for doc in docs if (doc.container, doc.partition, doc.id) != (GROUPS, owner, GROUP_DOC)]
    if stray:
        where = ", ".join(f"{d.container}/{d.partition}/{d.id}" for d in stray[:3])
        raise BadRecord(f"line {number}: a {kind} record may not write {where}")
    return kind, owner, docs


def _write_order(doc: Doc) -> int:
    if doc.container == LOOKUPS and doc.id == LOGIN_DOC:
        return 2
    if doc.container == PLAYERS and doc.id == ACCOUNT_DOC:
        return 1
    return 0


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """What must be equal for a document to count as already imported. An export marks every account
    with a password login as needing a reset (the file has no hash); the store it came from, which still
    has the hash, has no mark, and a reset since has cleared it: neither is a conflict."""
    return {key: value for key, value in portable(body).items() if key != PASSWORD_RESET_REQUIRED}


def _describe(doc: Doc) -> str:
    return f"{doc.container}/{doc.partition}/{doc.id}"


async def _present(store: Store, docs: list[Doc]) -> list[dict[str, Any] | None]:
    found: dict[tuple[str, str, str], dict[str, Any] | None] = {}
    for container in {doc.container for doc in docs}:
        keys = [(doc.partition, doc.id) for doc in docs if doc.container == container]
        for (pk, doc_id), held in zip(keys, await store.read_many(container, keys), strict=True):
            found[(container, pk, doc_id)] = _comparable(held.body) if held is not None else None
    return [found[(doc.container, doc.partition, doc.id)] for doc in docs]


def _refuse(owner: str, doc: Doc) -> ImportConflict:
    return ImportConflict(f"{owner}: the target already holds a different {_describe(doc)}; nothing of it was written")


async def _reindex(store: Store, playfab_id: str, docs: list[Doc]) -> None:
    """The player's and its characters' leaderboard entries, from their statistics documents."""
    for doc in docs:
        if doc.container != PLAYERS or "Statistics" not in doc.body:
            continue
        if doc.id == PLAYER_STATISTICS_DOC:
            target = statistic_values.player(playfab_id)
        else:
            character_id = doc.id.removeprefix("character.").removesuffix(".statistics")
            if doc.id != character_statistics_doc(character_id):
                continue
            target = statistic_values.character(playfab_id, character_id)
        for board, value, tiebreak, seq in statistic_values.index_entries(target, doc.body["Statistics"]):
            await store.put_rank(board, target.entity_id, value, tiebreak, seq)


async def import_record(store: Store, record: dict[str, Any], *, title_id: str, number: int = 0) -> str:
    """Write one record into `store` (the title `title_id`'s); CREATED when anything was written."""
    kind, owner, docs = _checked(record, title_id, number)
    docs = [Doc(d.container, d.partition, d.id, portable(d.body)) for d in docs]
    name = owner or "title"
    present = await _present(store, docs)
    for doc, held in zip(docs, present, strict=True):
        if held is not None and held != _comparable(doc.body):
            raise _refuse(name, doc)
    if kind == PLAYER and owner is not None:
        await directory.PLAYERS.enter(store, owner)  # before the account, as a sign-up does
    if kind == GROUP and owner is not None:
        await directory.GROUPS.enter(store, owner)
    created = 0
    for doc, held in sorted(zip(docs, present, strict=True), key=lambda pair: _write_order(pair[0])):
        if held is not None:
            continue
        try:
            await store.create(doc.container, doc.partition, doc.id, doc.body)
            created += 1
        except Conflict:  # written meanwhile (or our own create's answer was lost): equal is fine
            again = await store.read(doc.container, doc.partition, doc.id)
            if again is None or _comparable(again.body) != _comparable(doc.body):
                raise _refuse(name, doc) from None
    if kind == PLAYER and owner is not None:
        await _reindex(store, owner, docs)
    return CREATED if created else UNCHANGED
