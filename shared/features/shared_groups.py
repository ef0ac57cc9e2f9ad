"""Shared groups: a membership list and last-write-wins group data, in one document per group.

Membership and data share the document `groups/<SharedGroupId>/group`, so every change is one atomic
store.update(): a data write can never resurrect a deleted group or be lost to a membership change,
and writers of different keys never overwrite each other (each mutation touches only its own keys).
Each data write advances the group's `DataVersion` (absent in a group never written: 0), which an
`ExpectedDataVersion` precondition is checked against in the same mutation (shared/features/write_options.py).
"""

from __future__ import annotations

from typing import Any

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.config.clock import iso, new_id, now
from shared.config.rate_windows import SHARED_GROUP_READS, SHARED_GROUP_WRITES
from shared.features import custom_data, group_memberships, idempotency, key_history, write_options
from shared.features.data_families import PUBLIC_ONLY
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import DELETE, Conflict, Mutation
from shared.storage.layout import GROUP_DOC, GROUPS, HISTORY_GROUP, history_stream
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    CreateSharedGroupRequest,
    DeleteSharedGroupRequest,
    GetPlayerSharedGroupsRequest,
    GetSharedGroupDataRequest,
    SharedGroupMembersRequest,
    UpdateSharedGroupDataRequest,
)


def _unknown(group_id: str) -> PlayFabError:
    return PlayFabError("InvalidSharedGroupId", f"No shared group {group_id!r}.", {"SharedGroupId": [group_id]})


def _not_member(group_id: str) -> PlayFabError:
    return PlayFabError("NotAuthorized", f"Only members of shared group {group_id!r} may do that.", http_status=403)


def _existing(body: dict[str, Any] | None, group_id: str, caller: Caller) -> dict[str, Any]:
    """The group, when it exists and the caller is the server or a member."""
    if body is None:
        raise _unknown(group_id)
    if not caller.is_title and caller.playfab_id not in body["Members"]:
        raise _not_member(group_id)
    return body


def limits(services: Services) -> custom_data.Limits:
    s = services.settings
    return custom_data.Limits(s.shared_group_max_keys, s.shared_group_max_value_bytes, s.data_max_document_bytes)


async def _take_places(services: Services, group_id: str, playfab_ids: list[str]) -> list[str]:
    """Count the group among each player's groups (OverLimit if one has too many); who was newly counted."""
    taken: list[str] = []
    try:
        for playfab_id in playfab_ids:
            quota = services.settings.shared_groups_per_player
            if await group_memberships.take_place(services.store, playfab_id, group_id, quota):
                taken.append(playfab_id)
    except BaseException:
        await _give_back(services, group_id, taken)
        raise
    return taken


async def _give_back(services: Services, group_id: str, playfab_ids: list[str]) -> None:
    for playfab_id in playfab_ids:
        await group_memberships.give_back(services.store, playfab_id, group_id)


async def _create(services: Services, caller: Caller, req: CreateSharedGroupRequest) -> dict[str, Any]:
    group_id = req.SharedGroupId or new_id()
    members = [] if caller.is_title else [caller.playfab_id]
    taken = await _take_places(services, group_id, [m for m in members if m])
    try:
        await group_memberships.list_group(services.store, group_id)  # before the group: every group is listed
        await services.store.create(GROUPS, group_id, GROUP_DOC, {"Members": members, "Data": {}, "Created": now()})
    except Conflict:
        await _give_back(services, group_id, taken)
        raise PlayFabError(
            "InvalidSharedGroupId", f"Shared group {group_id!r} already exists.", {"SharedGroupId": [group_id]}
        ) from None
    except BaseException:
        await _give_back(services, group_id, taken)
        raise
    await group_memberships.list_group(services.store, group_id)  # and after: see list_group
    return {"SharedGroupId": group_id}


async def _add_members(services: Services, caller: Caller, req: SharedGroupMembersRequest) -> dict[str, Any]:
    wanted = list(dict.fromkeys(req.PlayFabIds))
    for playfab_id in wanted:  # accounts are never deleted, so checking before the update is safe
        await accounts.require_account(services.store, playfab_id)
    cap = services.settings.shared_group_max_members

    def add(body: dict[str, Any] | None) -> dict[str, Any]:
        group = _existing(body, req.SharedGroupId, caller)
        already = [p for p in wanted if p in group["Members"]]
        if already:
            raise PlayFabError("UserAlreadyAdded", "Some players are members already.", {"PlayFabIds": already})
        if len(group["Members"]) + len(wanted) > cap:
            raise PlayFabError(
                "OverLimit",
                f"A shared group may have at most {cap} members.",
                {"PlayFabIds": [f"the group has {len(group['Members'])} members"]},
            )
        group["Members"].extend(wanted)
        return group

    taken = await _take_places(services, req.SharedGroupId, wanted)
    try:
        await services.store.update(GROUPS, req.SharedGroupId, GROUP_DOC, add)
    except BaseException:
        await _give_back(services, req.SharedGroupId, taken)
        raise
    return {}


async def _remove_members(services: Services, caller: Caller, req: SharedGroupMembersRequest) -> dict[str, Any]:
    leaving = set(req.PlayFabIds)

    def remove(body: dict[str, Any] | None) -> Any:
        group = _existing(body, req.SharedGroupId, caller)
        before = len(group["Members"])
        group["Members"] = [p for p in group["Members"] if p not in leaving]
        if len(group["Members"]) == before:
            return None  # nobody named was a member: nothing to change
        return group if group["Members"] else DELETE  # the last member out takes the group with it

    after = await services.store.update(GROUPS, req.SharedGroupId, GROUP_DOC, remove)
    if after is None:  # gone with its last member
        await group_memberships.unlist_group(services.store, req.SharedGroupId)
    still = set(after.body["Members"]) if after else set()
    await _give_back(services, req.SharedGroupId, [p for p in req.PlayFabIds if p not in still])
    return {}


def _record_view(caller: Caller, group: dict[str, Any], req: GetSharedGroupDataRequest) -> dict[str, Any]:
    member = caller.is_title or caller.playfab_id in group["Members"]
    return custom_data.select(group["Data"], req.Keys, None if member else PUBLIC_ONLY)


async def _get_data(services: Services, caller: Caller, req: GetSharedGroupDataRequest) -> dict[str, Any]:
    doc = await services.store.read(GROUPS, req.SharedGroupId, GROUP_DOC)
    if doc is None:
        raise _unknown(req.SharedGroupId)
    result: dict[str, Any] = {"Data": _record_view(caller, doc.body, req)}
    if req.GetMembers:
        result["Members"] = list(doc.body["Members"])
    if write_options.get_data_version(req):
        result["DataVersion"] = _data_version(doc.body)
    return result


def _data_version(group: dict[str, Any]) -> int:
    return int(group.get("DataVersion", 0))


def _write(
    changes: custom_data.Changes, caller: Caller, group_id: str, lim: custom_data.Limits, expected: int | None
) -> Mutation:
    stamp = iso(now())
    extra = {} if caller.is_title or caller.playfab_id is None else {"LastUpdatedBy": caller.playfab_id}

    def write(body: dict[str, Any] | None) -> dict[str, Any]:
        group = _existing(body, group_id, caller)
        write_options.require_data_version(_data_version(group), expected)
        group["DataVersion"] = _data_version(group) + 1
        custom_data.update_records(group, group["Data"], changes, lim, stamp, extra)
        return group

    return write


async def _update_data(services: Services, caller: Caller, req: UpdateSharedGroupDataRequest) -> dict[str, Any]:
    lim = limits(services)
    changes = custom_data.plan(req.Data, req.KeysToRemove, req.Permission, lim)
    expected = write_options.expected_data_version(req)
    attempt = idempotency.begin(services, caller, "SharedGroup/UpdateSharedGroupData", req)
    history = key_history.Recorder(services, caller, group_target(req.SharedGroupId))

    def answer_of(body: dict[str, Any]) -> dict[str, Any]:
        # PlayFab's answer is empty; a caller that set the precondition learns the version it produced.
        return {} if expected is None else {"DataVersion": _data_version(body)}

    tracked = history.wrap(_write(changes, caller, req.SharedGroupId, lim, expected), changes.touched)
    # Only the named keys' records are read and written, as for player data.
    doc = await services.store.update_part(
        GROUPS,
        req.SharedGroupId,
        GROUP_DOC,
        custom_data.RECORDS,
        changes.touched,
        idempotency.wrap(attempt, tracked, answer_of),
    )
    await history.after(doc)
    return idempotency.answer(attempt, lambda: {} if doc is None else answer_of(doc.body))


def group_target(group_id: str) -> key_history.Target:
    """A shared group's data, as its key history names it."""
    stream = history_stream(HISTORY_GROUP, group_id)
    return key_history.Target(
        name="SharedGroupData",
        subject={"SharedGroupId": group_id},
        container=GROUPS,
        pk=group_id,
        doc_id=GROUP_DOC,
        stream=lambda _body: stream,
        values=key_history.records(custom_data.RECORDS),
        keyed=custom_data.RECORDS,
    )


async def _delete(services: Services, caller: Caller, req: DeleteSharedGroupRequest) -> dict[str, Any]:
    members: list[str] = []

    def delete(body: dict[str, Any] | None) -> Any:
        members[:] = _existing(body, req.SharedGroupId, caller)["Members"]
        return DELETE

    await services.store.update(GROUPS, req.SharedGroupId, GROUP_DOC, delete)
    await services.store.delete_events(history_stream(HISTORY_GROUP, req.SharedGroupId))  # its history with it
    await group_memberships.unlist_group(services.store, req.SharedGroupId)
    await _give_back(services, req.SharedGroupId, members)
    return {}


async def _player_groups(services: Services, caller: Caller, req: GetPlayerSharedGroupsRequest) -> dict[str, Any]:
    await accounts.require_account(services.store, req.PlayFabId)
    return {"SharedGroupIds": await group_memberships.groups_of(services.store, req.PlayFabId)}


client_create = Operation(Auth.SESSION, CreateSharedGroupRequest, _create, SHARED_GROUP_WRITES)
server_create = Operation(Auth.SECRET, CreateSharedGroupRequest, _create)
client_add_members = Operation(Auth.SESSION, SharedGroupMembersRequest, _add_members, SHARED_GROUP_WRITES)
server_add_members = Operation(Auth.SECRET, SharedGroupMembersRequest, _add_members)
client_remove_members = Operation(Auth.SESSION, SharedGroupMembersRequest, _remove_members, SHARED_GROUP_WRITES)
server_remove_members = Operation(Auth.SECRET, SharedGroupMembersRequest, _remove_members)
client_get_data = Operation(Auth.SESSION, GetSharedGroupDataRequest, _get_data, SHARED_GROUP_READS)
server_get_data = Operation(Auth.SECRET, GetSharedGroupDataRequest, _get_data)
client_update_data = Operation(Auth.SESSION, UpdateSharedGroupDataRequest, _update_data, SHARED_GROUP_WRITES)
server_update_data = Operation(Auth.SECRET, UpdateSharedGroupDataRequest, _update_data)
delete_group = Operation(Auth.SECRET, DeleteSharedGroupRequest, _delete)
# Admin/ext-GetPlayerSharedGroups, an extension: PlayFab has no way to list a player's groups.
player_groups = Operation(Auth.SECRET, GetPlayerSharedGroupsRequest, _player_groups)
