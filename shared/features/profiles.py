"""Profile/GetProfile and Profile/GetProfiles: an entity's profile, with its objects when the caller may read them."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE_PLAYER, Auth, Caller
from shared.auth.entities import Entity, find_profile, may_read_objects, named, no_profile
from shared.config.clock import iso
from shared.features.objects import render
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.validation import GetEntityProfileRequest, GetEntityProfilesRequest


def _lineage(services: Services, entity: Entity, profile: dict[str, Any]) -> dict[str, str]:
    lineage = {"TitleId": services.settings.title_id}
    if "PlayFabId" in profile:
        lineage["MasterPlayerAccountId"] = profile["PlayFabId"]
    if entity.type == ENTITY_TITLE_PLAYER:
        lineage["TitlePlayerAccountId"] = entity.id
    elif entity.type == ENTITY_CHARACTER:
        lineage["CharacterId"] = entity.id
    return lineage


def profile_body(
    services: Services, caller: Caller, entity: Entity, profile: dict[str, Any], as_object: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Entity": entity.key(),
        "Created": iso(profile["Created"]),
        "VersionNumber": int(profile.get("ProfileVersion", 0)),
        "Lineage": _lineage(services, entity, profile),
    }
    if may_read_objects(caller, entity, profile):
        body["Objects"] = render(profile.get("Objects", {}), as_object)
    return body


async def _get_profile(services: Services, caller: Caller, req: GetEntityProfileRequest) -> dict[str, Any]:
    entity = named(req.Entity, caller)
    profile = await find_profile(services.store, services.settings, entity)
    if profile is None:
        raise no_profile(entity)
    return {"Profile": profile_body(services, caller, entity, profile, bool(req.DataAsObject))}


async def _get_profiles(services: Services, caller: Caller, req: GetEntityProfilesRequest) -> dict[str, Any]:
    entities = [named(key, caller, f"Entities.{i}") for i, key in enumerate(req.Entities)]
    found = await asyncio.gather(*(find_profile(services.store, services.settings, e) for e in entities))
    # Entities without a profile are left out, as PlayFab leaves out what the caller cannot read.
    return {
        "Profiles": [
            profile_body(services, caller, entity, profile, bool(req.DataAsObject))
            for entity, profile in zip(entities, found, strict=True)
            if profile is not None
        ]
    }


get_profile = Operation(Auth.ENTITY, GetEntityProfileRequest, _get_profile)
get_profiles = Operation(Auth.ENTITY, GetEntityProfilesRequest, _get_profiles)
