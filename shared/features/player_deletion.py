"""Admin/DeletePlayer and Server/DeletePlayer: a player and everything of theirs, gone.

The order makes a crash at any point safe to finish by calling DeletePlayer again:
1. the account is marked as being deleted: from then on no login answers for it and no ticket or token of the
   player is honoured (shared/auth/known_accounts.py treats it as gone);
2. its login identity lookups are released, so no login finds the player and no lookup is left naming
   it (shared/auth/accounts.py gives back an account only to a lookup that still names it);
3. its characters with their data, statistics and leaderboard entries, entity profiles and counters; its
   statistics and leaderboard entries; its own data families; its title
   player entity with its objects and counters; its place in every shared group it is in (and what it
   last wrote there names it no more); its rate-limit counters; its password; its custom properties;
4. the account document last: while it exists, the player's documents can be found from it.
Each step deletes what it finds and takes a missing document as deleted already.
"""

from __future__ import annotations

import contextlib
from typing import Any

from shared.auth import directory, known_accounts, logins
from shared.auth.accounts import DELETING, being_deleted
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE_PLAYER, Auth, Caller
from shared.auth.logins import LoginKind
from shared.config.rate_windows import SETTING_OF
from shared.features import group_memberships, key_history, recovery, statistic_values
from shared.features.data_families import FAMILIES, Scope
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import DELETE, NotFound, Store
from shared.storage.layout import (
    ACCOUNT_DOC,
    CHARACTERS_DOC,
    CUSTOM_PROPERTIES_DOC,
    ENTITIES,
    FUNCTION_RUNS_DOC,
    GROUP_DOC,
    GROUPS,
    HISTORY_GROUP,
    HISTORY_PLAYER,
    MEMBERSHIPS_DOC,
    PASSWORD_DOC,
    PLAYERS,
    PROFILE_DOC,
    STREAM_PLAYER,
    entity_pk,
    event_stream,
    history_stream,
    rate_limit_doc,
)
from shared.wire.errors import PlayFabError
from shared.wire.validation import DeletePlayerRequest

# Every rate-limit counter a partition can hold: one per limit (shared/config/rate_windows.py).
_COUNTERS = tuple(rate_limit_doc(limit) for limit in SETTING_OF)
# The player's own documents in its partition, besides the account, the characters' and the groups'.
_PLAYER_DOCS = (
    *(family.doc_id() for family in FAMILIES if family.scope is Scope.PLAYER),
    *_COUNTERS,
    PASSWORD_DOC,
    CUSTOM_PROPERTIES_DOC,
)


async def _delete(store: Store, container: str, pk: str, doc_id: str) -> None:
    with contextlib.suppress(NotFound):
        await store.delete(container, pk, doc_id)


async def _delete_entity(store: Store, entity_type: str, entity_id: str) -> None:
    """An entity's profile (its objects with it), its server functions' kept answers and its counters."""
    pk = entity_pk(entity_type, entity_id)
    for doc_id in (PROFILE_DOC, FUNCTION_RUNS_DOC, *_COUNTERS):
        await _delete(store, ENTITIES, pk, doc_id)


async def _delete_characters(store: Store, playfab_id: str) -> None:
    doc = await store.read(PLAYERS, playfab_id, CHARACTERS_DOC)
    for entry in doc.body["Characters"] if doc else ():
        character_id = entry["CharacterId"]
        await _delete_entity(store, ENTITY_CHARACTER, character_id)  # first: its tokens hang on the profile
        await statistic_values.forget(store, statistic_values.character(playfab_id, character_id))
        for family in FAMILIES:
            if family.scope is Scope.CHARACTER:
                await _delete(store, PLAYERS, playfab_id, family.doc_id(character_id))
    await _delete(store, PLAYERS, playfab_id, CHARACTERS_DOC)


def _leaving(playfab_id: str) -> Any:
    def leave(body: dict[str, Any] | None) -> Any:
        if body is None:
            return None
        members = [member for member in body["Members"] if member != playfab_id]
        records = body.get("Data", {})
        named = [key for key, record in records.items() if record.get("LastUpdatedBy") == playfab_id]
        forgotten = key_history.forget_in_outbox(body, playfab_id)  # its waiting history entries too
        if len(members) == len(body["Members"]) and not named and not forgotten:
            return None
        if not members:
            return DELETE  # the last member out takes the group with it, as RemoveSharedGroupMembers does
        for key in named:
            del records[key]["LastUpdatedBy"]
        body["Members"] = members
        return body

    return leave


async def _leave_groups(store: Store, playfab_id: str) -> None:
    doc = await store.read(PLAYERS, playfab_id, MEMBERSHIPS_DOC)
    for group_id in doc.body["Groups"] if doc else {}:
        left = await store.update(GROUPS, group_id, GROUP_DOC, _leaving(playfab_id))
        history = history_stream(HISTORY_GROUP, group_id)
        if left is None:  # the group went with its last member, its history and directory entry with it
            await store.delete_events(history)
            await group_memberships.unlist_group(store, group_id)
        else:
            await key_history.forget_player(store, history, playfab_id)
    await _delete(store, PLAYERS, playfab_id, MEMBERSHIPS_DOC)


def _mark(body: dict[str, Any] | None) -> dict[str, Any] | None:
    if body is None or being_deleted(body):
        return None
    body[DELETING] = True
    return body


async def delete_player(store: Store, playfab_id: str) -> None:
    """Delete the player and everything of theirs, or finish a deletion a crash interrupted."""
    doc = await store.read(PLAYERS, playfab_id, ACCOUNT_DOC)  # one being deleted too: to finish it
    if doc is None:
        raise PlayFabError("AccountNotFound", "User not found.", {"PlayFabId": [f"no player {playfab_id}"]})
    marked = await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, _mark)
    known_accounts.forget(store, playfab_id)
    account = marked.body if marked is not None else doc.body
    for kind, value in logins.linked(account).items():
        await logins.release(store, kind, value, playfab_id)
    if account.get("DisplayName"):  # a unique display name is a lookup too, though not a login
        await logins.release(store, LoginKind.DISPLAY_NAME, account["DisplayName"], playfab_id)
    await recovery.forget(store, playfab_id)  # its reset token lives outside the player's partition
    await _delete_characters(store, playfab_id)
    await statistic_values.forget(store, statistic_values.player(playfab_id))  # leaderboard entries, then values
    for doc_id in _PLAYER_DOCS:
        await _delete(store, PLAYERS, playfab_id, doc_id)
    await _delete_entity(store, ENTITY_TITLE_PLAYER, account["TitlePlayerAccountId"])
    await _leave_groups(store, playfab_id)
    await store.delete_events(event_stream(STREAM_PLAYER, playfab_id))  # its event log too
    await store.delete_events(history_stream(HISTORY_PLAYER, playfab_id))  # and its keys' history
    await _delete(store, PLAYERS, playfab_id, ACCOUNT_DOC)
    await directory.PLAYERS.leave(store, playfab_id)  # after the account: a deletion cut short is still listed
    known_accounts.forget(store, playfab_id)


async def _delete_player(services: Services, caller: Caller, req: DeletePlayerRequest) -> dict[str, Any]:
    await delete_player(services.store, req.PlayFabId)
    return {}


delete_player_operation = Operation(Auth.SECRET, DeletePlayerRequest, _delete_player)
