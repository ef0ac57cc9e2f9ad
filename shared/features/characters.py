"""Characters: a per-player index of {CharacterId, CharacterName, CharacterType}, and their lifecycle.

The index document `players/<PlayFabId>/characters` is the source of truth for ownership: a
CharacterId means something only together with the PlayFabId whose index lists it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from shared.auth import accounts
from shared.auth.caller import ENTITY_CHARACTER, Auth, Caller
from shared.config.clock import iso, new_id, now
from shared.features import playstream, statistic_values
from shared.features.data_families import CHARACTER_FAMILIES
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import NotFound, Store, StoreError
from shared.storage.layout import CHARACTERS_DOC, ENTITIES, PLAYERS, PROFILE_DOC, entity_pk
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    ClientGrantCharacterToUserRequest,
    ClientListUsersCharactersRequest,
    DeleteCharacterFromUserRequest,
    GrantCharacterToUserRequest,
    ListUsersCharactersRequest,
)


def _not_found(character_id: str) -> PlayFabError:
    return PlayFabError(
        "CharacterNotFound", f"No character {character_id} belongs to this player.", {"CharacterId": [character_id]}
    )


async def _missing_character(store: Store, playfab_id: str, character_id: str) -> PlayFabError:
    # Only worth a second read when the answer is an error: an unknown player outranks an unknown character.
    await accounts.require_account(store, playfab_id)
    return _not_found(character_id)


async def list_characters(store: Store, playfab_id: str, *, check_account: bool) -> list[dict[str, Any]]:
    doc = await store.read(PLAYERS, playfab_id, CHARACTERS_DOC)
    if doc is None and check_account:
        await accounts.require_account(store, playfab_id)
    return list(doc.body["Characters"]) if doc else []


async def require(store: Store, playfab_id: str, character_id: str) -> dict[str, Any]:
    """The index entry of a character of this player, or AccountNotFound / CharacterNotFound."""
    doc = await store.read(PLAYERS, playfab_id, CHARACTERS_DOC)
    for entry in doc.body["Characters"] if doc else ():
        if entry["CharacterId"] == character_id:
            return dict(entry)
    raise await _missing_character(store, playfab_id, character_id)


async def _grant(services: Services, caller: Caller, req: GrantCharacterToUserRequest) -> dict[str, Any]:
    store, owner = services.store, req.PlayFabId
    await accounts.require_account(store, owner)
    character_id = new_id()
    entry = {"CharacterId": character_id, "CharacterName": req.CharacterName, "CharacterType": req.CharacterType}
    profile_pk = entity_pk(ENTITY_CHARACTER, character_id)
    # The entity profile first: the index entry is what makes the character exist.
    created = now()
    await store.create(ENTITIES, profile_pk, PROFILE_DOC, {"Created": created, "PlayFabId": owner})

    def add(body: dict[str, Any] | None) -> dict[str, Any] | None:
        body = body or {"Characters": []}
        if any(e["CharacterId"] == character_id for e in body["Characters"]):
            return None  # already listed: this grant landed before (its answer was lost)
        body["Characters"].append(entry)
        return body

    try:
        await store.update(PLAYERS, owner, CHARACTERS_DOC, add)
    except Exception:
        # A failure can come after the write landed (a timeout): undo only if the entry is surely absent.
        with contextlib.suppress(StoreError):
            listed = await list_characters(store, owner, check_account=False)
            if all(e["CharacterId"] != character_id for e in listed):
                await store.delete(ENTITIES, profile_pk, PROFILE_DOC)
        raise
    body = {"CharacterName": req.CharacterName, "Created": iso(created), "PlayerId": owner}
    await playstream.record(
        services, name="character_created", entity_type="character", entity_id=character_id, body=body
    )
    return {"CharacterId": character_id}


async def _delete(services: Services, caller: Caller, req: DeleteCharacterFromUserRequest) -> dict[str, Any]:
    store, owner, character_id = services.store, req.PlayFabId, req.CharacterId

    def remove(body: dict[str, Any] | None) -> dict[str, Any]:
        entries = body["Characters"] if body else []
        kept = [entry for entry in entries if entry["CharacterId"] != character_id]
        if body is None or len(kept) == len(entries):
            raise _not_found(character_id)
        body["Characters"] = kept
        return body

    try:
        await store.update(PLAYERS, owner, CHARACTERS_DOC, remove)
    except PlayFabError as err:
        if err.name == "CharacterNotFound":
            raise await _missing_character(store, owner, character_id) from None
        raise
    # The character is gone once the index forgets it; its documents are now unreachable, so remove them.
    # (A data write that passed its ownership check just before this can still land after it: that
    # document stays unreachable, since CharacterIds are random and never handed out again.)
    # The profile goes first: it is what the character's entity tokens and objects hang on.
    leftovers = [(ENTITIES, entity_pk(ENTITY_CHARACTER, character_id), PROFILE_DOC)]
    leftovers += [(PLAYERS, owner, family.doc_id(character_id)) for family in CHARACTER_FAMILIES]
    for container, pk, doc_id in leftovers:
        with contextlib.suppress(NotFound):
            await store.delete(container, pk, doc_id)
    await statistic_values.forget(store, statistic_values.character(owner, character_id))
    return {}


async def _list_for_title(services: Services, caller: Caller, req: ListUsersCharactersRequest) -> dict[str, Any]:
    return {"Characters": await list_characters(services.store, req.PlayFabId, check_account=True)}


async def _list_for_player(services: Services, caller: Caller, req: ClientListUsersCharactersRequest) -> dict[str, Any]:
    owner = req.PlayFabId or caller.playfab_id
    assert owner
    other = owner != caller.playfab_id
    return {"Characters": await list_characters(services.store, owner, check_account=other)}


async def _grant_from_item(
    services: Services, caller: Caller, req: ClientGrantCharacterToUserRequest
) -> dict[str, Any]:
    raise PlayFabError(
        "ItemNotOwned",
        f"Characters granted from catalog items need an inventory, which this server has not: the player does "
        f"not own {req.ItemId!r}. Grant characters with Server/GrantCharacterToUser.",
        {"ItemId": [req.ItemId]},
    )


grant = Operation(Auth.SECRET, GrantCharacterToUserRequest, _grant)
grant_from_item = Operation(Auth.SESSION, ClientGrantCharacterToUserRequest, _grant_from_item)
delete = Operation(Auth.SECRET, DeleteCharacterFromUserRequest, _delete)
list_for_title = Operation(Auth.SECRET, ListUsersCharactersRequest, _list_for_title)
list_for_player = Operation(Auth.SESSION, ClientListUsersCharactersRequest, _list_for_player)
