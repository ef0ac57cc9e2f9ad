"""Writing export records (ops.records) into a store: what is missing is created, what is there and equal
is left alone, what is there and different is a conflict and nothing of that record is written.

So an import can be run again (after a crash, or to be sure): the second run finds every document equal
and changes nothing. Within a record the documents are written in the order the core writes them: the
directory entry first, the account after the player's other documents, its login lookups after the
account (a lookup is what makes a login find the account), the leaderboard entries last. A player whose
account is not in the target yet is an import cut short: what it left of the player's own documents is
replaced, so a re-run finishes it even when the file is newer than the run that was cut short.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ops.exporting import PLAYER_DOCS, character_docs, lookup_partitions
from ops.records import END, GROUP, HEADER, PLAYER, TITLE, BadRecord, Doc, check_header, documents, loads, portable
from shared.auth import directory
from shared.auth.accounts import PASSWORD_RESET_REQUIRED
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER
from shared.features import statistic_values, title_data
from shared.storage import Conflict, NotFound, PreconditionFailed, Store
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
# What a malformed body raises where the checks read it: a message, never a traceback.
_SHAPE_ERRORS: Final = (KeyError, TypeError, ValueError, AttributeError)


class ImportConflict(Exception):
    """The target holds a different document where the record has one."""


@dataclass(frozen=True)
class Checked:
    kind: str
    owner: str | None
    docs: list[Doc]
    ranks: list[tuple[str, str, int, str, int]]  # (board, entity id, value, tiebreak, seq)


def _title_places(title_id: str) -> set[tuple[str, str, str]]:
    places = {(LOOKUPS, META_PK, title_data_doc(kind.name)) for kind in title_data.KINDS}
    places.add((LOOKUPS, META_PK, STATISTICS_DOC))
    places.add((ENTITIES, entity_pk(ENTITY_TITLE, title_id), PROFILE_DOC))
    return places


def _player_places(owner: str, account: dict[str, Any], character_ids: list[str]) -> set[tuple[str, str, str]]:
    """Every place a player's record may write: its own partition, its own entities' profiles, and the
    lookups of the identities its account lists."""
    places = {(PLAYERS, owner, doc_id) for doc_id in (ACCOUNT_DOC, *PLAYER_DOCS)}
    places |= {(PLAYERS, owner, doc_id) for c in character_ids for doc_id in character_docs(c)}
    places.add((ENTITIES, entity_pk(ENTITY_TITLE_PLAYER, str(account["TitlePlayerAccountId"])), PROFILE_DOC))
    places |= {(ENTITIES, entity_pk(ENTITY_CHARACTER, c), PROFILE_DOC) for c in character_ids}
    places |= {(LOOKUPS, pk, LOGIN_DOC) for pk in lookup_partitions(account)}
    return places


def _ranks(owner: str, docs: list[Doc]) -> list[tuple[str, str, int, str, int]]:
    """The player's and its characters' leaderboard entries, from their statistics documents."""
    out = []
    for doc in docs:
        if doc.container != PLAYERS:
            continue
        if doc.id == PLAYER_STATISTICS_DOC:
            target = statistic_values.player(owner)
        else:
            character_id = doc.id.removeprefix("character.").removesuffix(".statistics")
            if doc.id != character_statistics_doc(character_id):
                continue
            target = statistic_values.character(owner, character_id)
        for board, value, tiebreak, seq in statistic_values.index_entries(target, doc.body["Statistics"]):
            out.append((board, target.entity_id, value, tiebreak, seq))
    return out


def _check_player(owner: str, docs: list[Doc], number: int) -> list[Doc]:
    """The documents of a player's record that lie outside its own places (none, when it is sound)."""
    accounts = [doc for doc in docs if (doc.container, doc.partition, doc.id) == (PLAYERS, owner, ACCOUNT_DOC)]
    if len(accounts) != 1 or accounts[0].body.get("PlayFabId") != owner:
        raise BadRecord(f"line {number}: player {owner} has no account document of its own")
    characters = next(
        (d.body for d in docs if (d.container, d.partition, d.id) == (PLAYERS, owner, CHARACTERS_DOC)), {}
    )
    character_ids = [str(entry["CharacterId"]) for entry in characters.get("Characters", [])]
    places = _player_places(owner, accounts[0].body, character_ids)
    return [
        doc
        for doc in docs
        if (doc.container, doc.partition, doc.id) not in places
        or (doc.container in (ENTITIES, LOOKUPS) and doc.body.get("PlayFabId") != owner)
    ]


def check(record: dict[str, Any], title_id: str, number: int) -> Checked:
    """The record's kind, owner, documents and leaderboard entries, each document where a record of its
    kind may write; BadRecord for anything else, before anything is written."""
    docs = [Doc(d.container, d.partition, d.id, portable(d.body)) for d in documents(record, number)]
    kind = str(record["Record"])
    owner: str | None = None
    ranks: list[tuple[str, str, int, str, int]] = []
    try:
        if kind == TITLE:
            allowed = _title_places(title_id)
            stray = [doc for doc in docs if (doc.container, doc.partition, doc.id) not in allowed]
        elif kind == PLAYER:
            owner = record.get("PlayFabId")
            if not isinstance(owner, str) or not owner:
                raise BadRecord(f"line {number}: a player record needs its PlayFabId")
            stray = _check_player(owner, docs, number)
            ranks = _ranks(owner, docs)
        else:
            assert kind == GROUP
            owner = record.get("SharedGroupId")
            if not isinstance(owner, str) or not owner:
                raise BadRecord(f"line {number}: a group record needs its SharedGroupId")
            if len(docs) != 1:
                raise BadRecord(f"line {number}: a group record holds its group document, once")
            stray = [doc for doc in docs if (doc.container, doc.partition, doc.id) != (GROUPS, owner, GROUP_DOC)]
    except _SHAPE_ERRORS as exc:
        raise BadRecord(
            f"line {number}: a {kind} record not shaped as an export's ({type(exc).__name__}: {exc})"
        ) from None
    if stray:
        where = ", ".join(f"{d.container}/{d.partition}/{d.id}" for d in stray[:3])
        raise BadRecord(f"line {number}: a {kind} record may not write {where}")
    return Checked(kind, owner, docs, ranks)


def file_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of every record between the header and the end line."""
    with path.open("rb") as source:
        for number, line in enumerate(source, start=1):
            if line.strip():
                record = loads(line, number)
                if record["Record"] not in (HEADER, END):
                    yield number, record


def check_file(path: Path, title: str) -> int:
    """The file's record count, once it is known to be an export of `title` whose every line is sound
    and whose end line is there; BadRecord otherwise. Nothing is written."""
    title_id: str | None = None
    count, ended = 0, False
    with path.open("rb") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            record = loads(line, number)
            if title_id is None:
                title_id = check_header(record)
                if title_id != title:
                    raise BadRecord(f"{path} is an export of title {title_id}, not of {title} (PLAYFAB_TITLE_ID)")
            elif ended:
                raise BadRecord(f"line {number}: a line after the end line")
            elif record["Record"] == END:
                if record.get("Records") != count:
                    raise BadRecord(
                        f"line {number}: the end line counts {record.get('Records')!r} records, the file has {count}"
                    )
                ended = True
            else:
                check(record, title_id, number)
                count += 1
    if title_id is None:
        raise BadRecord(f"{path}: empty")
    if not ended:
        raise BadRecord(f"{path}: no end line: the file was cut short (an export that did not finish)")
    return count


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """What must be equal for a document to count as already imported. An export marks every account
    with a password login as needing a reset (the file has no hash); the store it came from, which still
    has the hash, has no mark, and a reset since has cleared it: neither is a conflict."""
    return {key: value for key, value in portable(body).items() if key != PASSWORD_RESET_REQUIRED}


def _describe(doc: Doc) -> str:
    return f"{doc.container}/{doc.partition}/{doc.id}"


async def _present(store: Store, docs: list[Doc]) -> list[tuple[dict[str, Any], str] | None]:
    """What the target holds at each document's place: (comparable body, etag), or None."""
    found: dict[tuple[str, str, str], tuple[dict[str, Any], str] | None] = {}
    for container in {doc.container for doc in docs}:
        keys = [(doc.partition, doc.id) for doc in docs if doc.container == container]
        for (pk, doc_id), held in zip(keys, await store.read_many(container, keys), strict=True):
            found[(container, pk, doc_id)] = (_comparable(held.body), held.etag) if held is not None else None
    return [found[(doc.container, doc.partition, doc.id)] for doc in docs]


def _write_order(doc: Doc) -> int:
    if doc.container == LOOKUPS and doc.id == LOGIN_DOC:
        return 2
    if doc.container == PLAYERS and doc.id == ACCOUNT_DOC:
        return 1
    return 0


def _refuse(owner: str, doc: Doc, *, partly: bool = False) -> ImportConflict:
    said = "what came before it in the line was written" if partly else "nothing of it was written"
    return ImportConflict(f"{owner}: the target already holds a different {_describe(doc)}; {said}")


def _leftover(checked: Checked, doc: Doc, held: dict[str, Any]) -> bool:
    """A document an import cut short left of this player (its account is not in yet): replaced, not
    refused. A lookup is never one: it may name another player."""
    if checked.kind != PLAYER or doc.container == LOOKUPS:
        return False
    return doc.container == PLAYERS or held.get("PlayFabId") == checked.owner


async def import_record(store: Store, record: dict[str, Any], *, title_id: str, number: int = 0) -> str:
    """Write one record into `store` (the title `title_id`'s); CREATED when anything was written."""
    checked = check(record, title_id, number)
    docs, name = checked.docs, checked.owner or "title"
    present = await _present(store, docs)
    unfinished = checked.kind == PLAYER and all(
        held is None
        for doc, held in zip(docs, present, strict=True)
        if doc.container == PLAYERS and doc.id == ACCOUNT_DOC
    )
    replacing: set[int] = set()
    for index, (doc, held) in enumerate(zip(docs, present, strict=True)):
        if held is not None and held[0] != _comparable(doc.body):
            if not (unfinished and _leftover(checked, doc, held[0])):
                raise _refuse(name, doc)
            replacing.add(index)
    if checked.kind == PLAYER and checked.owner is not None:
        await directory.PLAYERS.enter(store, checked.owner)  # before the account, as a sign-up does
    if checked.kind == GROUP and checked.owner is not None:
        await directory.GROUPS.enter(store, checked.owner)
    written = 0
    order = sorted(range(len(docs)), key=lambda i: _write_order(docs[i]))
    for index in order:
        doc, held = docs[index], present[index]
        try:
            if index in replacing and held is not None:
                await store.replace(doc.container, doc.partition, doc.id, doc.body, held[1])
            elif held is None:
                await store.create(doc.container, doc.partition, doc.id, doc.body)
            else:
                continue
            written += 1
        except (Conflict, PreconditionFailed, NotFound):  # written meanwhile (or our answer was lost)
            again = await store.read(doc.container, doc.partition, doc.id)
            if again is None or _comparable(again.body) != _comparable(doc.body):
                raise _refuse(name, doc, partly=written > 0) from None
    for board, entity_id, value, tiebreak, seq in checked.ranks:
        await store.put_rank(board, entity_id, value, tiebreak, seq)
    return CREATED if written else UNCHANGED
