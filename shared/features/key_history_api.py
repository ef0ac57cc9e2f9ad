"""Admin/ext-ReadKeyHistory and Admin/ext-RestoreKeyHistory: this project's extensions on each key's history.

A read moves what the document's outbox still holds (shared/features/key_history.py), then pages through
the owner's history stream newest first, keeping the one key's entries. A restore writes the value an
entry produced through the very operation the data API runs (`pipeline.run_in_process`), so it is a
normal write: the same rules and limits, a new version, and a new history entry naming the Admin caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from shared.auth.accounts import require_account
from shared.auth.caller import Auth, Caller
from shared.auth.entities import named, require_profile
from shared.config.clock import now
from shared.features import characters, custom_properties, data_api, objects, playstream, shared_groups
from shared.features.data_families import FAMILIES, Family, Scope
from shared.features.key_history import Target, settle
from shared.pipeline import Operation, run_in_process
from shared.services import Services
from shared.storage.layout import GROUP_DOC, GROUPS
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.validation import (
    MAX_HISTORY_PER_READ,
    KeyHistoryRequest,
    ReadKeyHistoryRequest,
    RestoreKeyHistoryRequest,
)

DEFAULT_READ_COUNT: Final = 100
_FAMILIES: Final = {f"{family.api_name}Data": family for family in FAMILIES}

# (operation, request) that writes `value` (None: removes the key) as the target's own API would.
Writer = Callable[[Any, str | None], tuple[Operation[Any], dict[str, Any]]]


@dataclass(frozen=True)
class Tracked:
    target: Target
    writer: Writer


def _required(value: str | None, field: str, target: str) -> str:
    if not value:
        raise invalid_params(field, f"{target} history names its owner by {field}.")
    return value


async def _family(services: Services, req: KeyHistoryRequest, family: Family) -> Tracked:
    playfab_id = _required(req.PlayFabId, "PlayFabId", req.Target)
    character_id: str | None = None
    if family.scope is Scope.CHARACTER:
        character_id = _required(req.CharacterId, "CharacterId", req.Target)
        await characters.require(services.store, playfab_id, character_id)
    else:
        await require_account(services.store, playfab_id)
    owner = {"PlayFabId": playfab_id, **({"CharacterId": character_id} if character_id else {})}
    operation = data_api.update_operation(family, "Admin" if family.on_admin else "Server")

    def writer(value: Any, permission: str | None) -> tuple[Operation[Any], dict[str, Any]]:
        change = {"Data": {req.Key: value}} if value is not None else {"KeysToRemove": [req.Key]}
        extra = {"Permission": permission} if permission and family.takes_permission else {}
        return operation, {**owner, **change, **extra}

    return Tracked(data_api.data_target(family, playfab_id, character_id), writer)


async def _group(services: Services, req: KeyHistoryRequest) -> Tracked:
    group_id = _required(req.SharedGroupId, "SharedGroupId", req.Target)
    if await services.store.read(GROUPS, group_id, GROUP_DOC) is None:
        raise PlayFabError("InvalidSharedGroupId", f"No shared group {group_id!r}.", {"SharedGroupId": [group_id]})

    def writer(value: Any, permission: str | None) -> tuple[Operation[Any], dict[str, Any]]:
        change = {"Data": {req.Key: value}} if value is not None else {"KeysToRemove": [req.Key]}
        extra = {"Permission": permission} if permission else {}
        return shared_groups.server_update_data, {"SharedGroupId": group_id, **change, **extra}

    return Tracked(shared_groups.group_target(group_id), writer)


async def _objects(services: Services, caller: Caller, req: KeyHistoryRequest) -> Tracked:
    if req.Entity is None:
        raise invalid_params("Entity", "Objects history names its owner by Entity.")
    entity = named(req.Entity, caller)
    await require_profile(services.store, services.settings, entity)

    def writer(value: Any, _permission: str | None) -> tuple[Operation[Any], dict[str, Any]]:
        change = {"EscapedDataObject": value} if value is not None else {"DeleteObject": True}
        request = {"Entity": {"Id": entity.id, "Type": entity.type}, "Objects": [{"ObjectName": req.Key, **change}]}
        return objects.set_objects, request

    return Tracked(objects.objects_target(entity.type, entity.id), writer)


async def _properties(services: Services, req: KeyHistoryRequest) -> Tracked:
    playfab_id = _required(req.PlayFabId, "PlayFabId", req.Target)
    await require_account(services.store, playfab_id)

    def writer(value: Any, _permission: str | None) -> tuple[Operation[Any], dict[str, Any]]:
        if value is None:
            return custom_properties.title_delete, {"PlayFabId": playfab_id, "PropertyNames": [req.Key]}
        return custom_properties.title_update, {
            "PlayFabId": playfab_id,
            "Properties": [{"Name": req.Key, "Value": value}],
        }

    return Tracked(custom_properties.properties_target(playfab_id), writer)


async def _tracked(services: Services, caller: Caller, req: KeyHistoryRequest) -> Tracked:
    if req.Target in _FAMILIES:
        return await _family(services, req, _FAMILIES[req.Target])
    if req.Target == "SharedGroupData":
        return await _group(services, req)
    if req.Target == "Objects":
        return await _objects(services, caller, req)
    return await _properties(services, req)


def _mine(target: Target, key: str) -> Callable[[dict[str, Any]], bool]:
    def matches(entry: dict[str, Any]) -> bool:
        if entry.get("Target") != target.name or entry.get("Key") != key:
            return False
        return all(entry.get(field) == value for field, value in target.subject.items())

    return matches


def _live(mine: Callable[[dict[str, Any]], bool], at: float) -> Callable[[dict[str, Any]], bool]:
    """Entries of the key that are still within their retention (one may have waited in an outbox)."""
    return lambda entry: mine(entry) and float(entry.get("Expires", at + 1)) > at


async def _entries(
    services: Services, target: Target, key: str, count: int, token: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `count` entries of one key, newest first, and where the next page starts."""
    waiting = await settle(services, target)
    mine, found, seen = _mine(target, key), list[dict[str, Any]](), set[str]()
    at = now()
    mine = _live(mine, at)
    if token is None:  # entries the history store has not taken yet are the newest: the first page has them
        for entry in reversed(waiting):
            if mine(entry) and len(found) < count:
                seen.add(entry["EntryId"])
                found.append(entry)

    def new(entry: dict[str, Any]) -> bool:
        if not mine(entry) or entry["EntryId"] in seen:  # a repeat of an entry moved twice
            return False
        seen.add(entry["EntryId"])
        return True

    found, token = await playstream.read_matching(services, target.stream({}), count, token, new, found)
    found.sort(key=lambda entry: -int(entry.get("Version", 0)))  # stable: a key's versions only grow
    return found, token


async def _stream_of(services: Services, tracked: Tracked) -> Target:
    """The target with its stream fixed from the stored document (objects: whose entity it is)."""
    target = tracked.target
    doc = await services.store.read(target.container, target.pk, target.doc_id)
    stream = target.stream(doc.body if doc else {})
    return dataclasses.replace(target, stream=lambda _body: stream)


async def _read(services: Services, caller: Caller, req: ReadKeyHistoryRequest) -> dict[str, Any]:
    target = await _stream_of(services, await _tracked(services, caller, req))
    found, token = await _entries(services, target, req.Key, req.Count or DEFAULT_READ_COUNT, req.ContinuationToken)
    result: dict[str, Any] = {"Entries": found}
    if token is not None:
        result["ContinuationToken"] = token
    return result


async def _restore(services: Services, caller: Caller, req: RestoreKeyHistoryRequest) -> dict[str, Any]:
    tracked = await _tracked(services, caller, req)
    target = await _stream_of(services, tracked)
    token: str | None = None
    entry: dict[str, Any] | None = None
    for _ in range(playstream.MAX_FILTERED_READS):
        found, token = await _entries(services, target, req.Key, MAX_HISTORY_PER_READ, token)
        entry = next((e for e in found if e["EntryId"] == req.EntryId), None)
        if entry is not None or token is None:
            break
    if entry is None:
        raise PlayFabError(
            "VersionNotFound",
            "This key's history has no entry with that EntryId (or it is past its retention).",
            {"EntryId": [req.EntryId]},
        )
    value = entry.get("NewValue")
    if value is not None and "Value" not in value:
        raise invalid_params("EntryId", "That entry kept only the hash of its value, which cannot be restored.")
    operation, request = tracked.writer(value["Value"] if value else None, entry.get("Permission"))
    answer = await run_in_process(operation, caller, request, services)
    answer.pop("PlayFabId", None)
    return {"Key": req.Key, "RestoredEntryId": req.EntryId, **answer}


read_key_history = Operation(Auth.SECRET, ReadKeyHistoryRequest, _read)
restore_key_history = Operation(Auth.SECRET, RestoreKeyHistoryRequest, _restore)
