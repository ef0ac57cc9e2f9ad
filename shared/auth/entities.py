"""Entities with a profile (players, characters, the title): which one a request names, and who may touch it.

A profile lives at `entities/<Type>!<Id>/profile`. Players get theirs at login and characters when they
are granted; the title's is created on first use. The profile carries the owning PlayFabId (players and
characters), the entity objects and the ProfileVersion.

Policy: the title entity reads and writes every entity. A player reads and writes its own entity and its
characters; a character its own entity, and it reads its owner's and siblings' objects. Anyone else sees
a profile without its objects and may not read (GetObjects) or write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.auth import known_accounts
from shared.auth.accounts import find_account
from shared.auth.bans_in_force import banned_error, holds
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER, Caller
from shared.auth.tokens import ENTITY_TOKEN
from shared.config.clock import now
from shared.config.settings import Settings
from shared.storage import Conflict, Store
from shared.storage.layout import ENTITIES, PROFILE_DOC, entity_pk
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.validation import EntityKey

SUPPORTED_TYPES = (ENTITY_TITLE_PLAYER, ENTITY_CHARACTER, ENTITY_TITLE)


@dataclass(frozen=True)
class Entity:
    type: str
    id: str

    @property
    def pk(self) -> str:
        return entity_pk(self.type, self.id)

    def key(self) -> dict[str, str]:
        return {"Id": self.id, "Type": self.type}


def named(key: EntityKey | None, caller: Caller, field: str = "Entity") -> Entity:
    """The entity a request names; without one, the caller's own."""
    if key is None:
        assert caller.entity_type and caller.entity_id
        return Entity(caller.entity_type, caller.entity_id)
    type_name = key.type_name()
    if not type_name:
        raise invalid_params(f"{field}.Type", "the entity type is required")
    if type_name not in SUPPORTED_TYPES:
        raise PlayFabError(
            "InvalidEntityType",
            f"Entities of type {type_name!r} have no profile here.",
            {f"{field}.Type": [f"one of {', '.join(SUPPORTED_TYPES)}"]},
        )
    return Entity(type_name, key.Id)


def no_profile(entity: Entity) -> PlayFabError:
    return PlayFabError(
        "ProfileDoesNotExist",
        f"There is no {entity.type} entity with id {entity.id}.",
        {"Entity": [f"{entity.type} {entity.id} does not exist"]},
    )


def not_authorized(entity: Entity, what: str) -> PlayFabError:
    return PlayFabError(
        "NotAuthorized",
        f"The caller may not {what} the objects of {entity.type} {entity.id}.",
        {"Entity": [f"not the caller's to {what}"]},
        http_status=403,
    )


def _is_self(caller: Caller, entity: Entity) -> bool:
    return (caller.entity_type, caller.entity_id) == (entity.type, entity.id)


def may_try_write(caller: Caller, entity: Entity) -> bool:
    """Decided before the profile is read; a player's claim on a character is checked against it."""
    return (
        caller.is_title
        or _is_self(caller, entity)
        or (caller.entity_type == ENTITY_TITLE_PLAYER and entity.type == ENTITY_CHARACTER)
    )


def may_write(caller: Caller, entity: Entity, profile: dict[str, Any]) -> bool:
    if caller.is_title or _is_self(caller, entity):
        return True
    owner = profile.get("PlayFabId")
    return caller.entity_type == ENTITY_TITLE_PLAYER and entity.type == ENTITY_CHARACTER and owner == caller.playfab_id


def may_read_objects(caller: Caller, entity: Entity, profile: dict[str, Any]) -> bool:
    if caller.is_title or _is_self(caller, entity):
        return True
    return caller.playfab_id is not None and profile.get("PlayFabId") == caller.playfab_id


def new_title_profile(settings: Settings, entity: Entity, at: float) -> dict[str, Any]:
    if entity.type != ENTITY_TITLE or entity.id != settings.title_id:
        raise no_profile(entity)
    return {"Created": at}


async def find_profile(store: Store, settings: Settings, entity: Entity) -> dict[str, Any] | None:
    if entity.type == ENTITY_TITLE and entity.id != settings.title_id:
        return None
    doc = await store.read(ENTITIES, entity.pk, PROFILE_DOC)
    if doc is not None:
        return doc.body
    if entity.type != ENTITY_TITLE:
        return None
    try:
        return (await store.create(ENTITIES, entity.pk, PROFILE_DOC, new_title_profile(settings, entity, now()))).body
    except Conflict:  # created by a concurrent first call
        again = await store.read(ENTITIES, entity.pk, PROFILE_DOC)
        return again.body if again else None


async def require_profile(store: Store, settings: Settings, entity: Entity) -> dict[str, Any]:
    profile = await find_profile(store, settings, entity)
    if profile is None:
        raise no_profile(entity)
    return profile


async def ensure_caller_exists(store: Store, caller: Caller, status_ttl: float = 0.0) -> None:
    """A token acts only for a player (or character) this store knows and has not banned, before anything
    is written. A character's entity token dies with the character: deleting it removes the profile
    first (one read per call). A player's ticket or token for an account the store does not hold (another
    store's player, or a deleted one) is refused as a dead credential; a banned player's as AccountBanned,
    its character's too. The player's account is read at most once per `status_ttl` seconds per process
    (shared/auth/known_accounts.py)."""
    if caller.entity_type == ENTITY_CHARACTER and caller.entity_id is not None:
        doc = await store.read(ENTITIES, entity_pk(ENTITY_CHARACTER, caller.entity_id), PROFILE_DOC)
        if doc is None or doc.body.get("PlayFabId") != caller.playfab_id:
            raise PlayFabError("EntityTokenRevoked", "The character this entity token was issued for no longer exists.")
        if caller.playfab_id is not None:
            owner = await _status(store, caller.playfab_id, status_ttl)
            if owner is None:
                raise PlayFabError("EntityTokenRevoked", "The player owning this character no longer exists.")
            _refuse_banned(owner)
        return
    if caller.entity_type != ENTITY_TITLE_PLAYER or caller.playfab_id is None or caller.entity_id is None:
        return
    found = await _status(store, caller.playfab_id, status_ttl)
    if found is not None and found.entity_id == caller.entity_id:
        _refuse_banned(found)
        return
    if caller.token == ENTITY_TOKEN:
        raise PlayFabError("EntityTokenRevoked", "The player this entity token was issued for does not exist.")
    raise PlayFabError("InvalidSessionTicket", "The session ticket is not valid: its player does not exist.")


async def _status(store: Store, playfab_id: str, ttl: float) -> known_accounts.Status | None:
    return await known_accounts.status(store, playfab_id, ttl, lambda: find_account(store, playfab_id))


def _refuse_banned(found: known_accounts.Status) -> None:
    at = now()
    bans = [ban for ban in found.bans if holds(ban, at)]
    if bans:
        raise banned_error(bans)
