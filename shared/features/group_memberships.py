"""Which shared groups each player belongs to: the count SHARED_GROUPS_PER_PLAYER is held to.

One document per player (`players/<PlayFabId>/sharedgroups`) lists the player's groups. A place is
taken before the membership is written and given back after the membership is gone, so the list can
over-count but never under-count: a failure in between leaves a stale entry, and stale entries are
dropped the next time the player is at the quota (each listed group is read to check). An entry is
stale only once it is older than any membership write can take, so a place taken by a create or add
still in flight is never given away.
"""

from __future__ import annotations

from typing import Any, Final

from shared.auth import directory
from shared.config.clock import now
from shared.storage import Mutation, Store
from shared.storage.layout import GROUP_DOC, GROUPS, MEMBERSHIPS_DOC, PLAYERS
from shared.wire.errors import PlayFabError

# Longer than a membership write can take (the store gives up on a call well before this).
IN_FLIGHT_SECONDS: Final = 300


class _Full(Exception):
    pass


def _taking(group_id: str, quota: int, taken: list[bool]) -> Mutation:
    def take(body: dict[str, Any] | None) -> dict[str, Any] | None:
        listed: dict[str, float] = (body or {}).get("Groups", {})  # group id -> when the place was taken
        taken[0] = group_id not in listed
        if not taken[0]:
            return None  # already counted (a member already, or a stale entry about to be reused)
        if len(listed) >= quota:
            raise _Full
        return {"Groups": {**listed, group_id: now()}}

    return take


async def _prune(store: Store, playfab_id: str) -> None:
    """Drop the entries naming groups the player is no longer in."""
    doc = await store.read(PLAYERS, playfab_id, MEMBERSHIPS_DOC)
    stale = set()
    settled = now() - IN_FLIGHT_SECONDS
    for group_id, taken_at in (doc.body["Groups"] if doc else {}).items():
        if taken_at > settled:
            continue  # its membership may still be being written
        group = await store.read(GROUPS, group_id, GROUP_DOC)
        if group is None or playfab_id not in group.body["Members"]:
            stale.add(group_id)
    if stale:
        await store.update(PLAYERS, playfab_id, MEMBERSHIPS_DOC, lambda b: _without(b, stale))


def _without(body: dict[str, Any] | None, group_ids: set[str]) -> dict[str, Any] | None:
    if body is None or not group_ids & set(body["Groups"]):
        return None
    return {"Groups": {g: at for g, at in body["Groups"].items() if g not in group_ids}}


async def take_place(store: Store, playfab_id: str, group_id: str, quota: int) -> bool:
    """Count `group_id` among the player's groups, or OverLimit (1214) if the player has `quota` of them.

    Returns whether this call added the entry (so only then should a failed membership give it back).
    """
    taken = [False]
    try:
        await store.update(PLAYERS, playfab_id, MEMBERSHIPS_DOC, _taking(group_id, quota, taken))
    except _Full:
        await _prune(store, playfab_id)
        try:
            await store.update(PLAYERS, playfab_id, MEMBERSHIPS_DOC, _taking(group_id, quota, taken))
        except _Full:
            raise PlayFabError(
                "OverLimit",
                f"A player may belong to at most {quota} shared groups.",
                {"PlayFabId": [f"{playfab_id} belongs to {quota} shared groups"]},
            ) from None
    return taken[0]


async def groups_of(store: Store, playfab_id: str) -> list[str]:
    """The shared groups the player is a member of, sorted: the listed ones whose group names the player
    (a listed place can outlive its membership, or precede it while the membership is being written)."""
    doc = await store.read(PLAYERS, playfab_id, MEMBERSHIPS_DOC)
    listed = sorted(doc.body["Groups"]) if doc else []
    groups = await store.read_many(GROUPS, [(group_id, GROUP_DOC) for group_id in listed])
    return [
        group_id
        for group_id, group in zip(listed, groups, strict=True)
        if group is not None and playfab_id in group.body["Members"]
    ]


async def give_back(store: Store, playfab_id: str, group_id: str) -> None:
    await store.update(PLAYERS, playfab_id, MEMBERSHIPS_DOC, lambda b: _without(b, {group_id}))


async def list_group(store: Store, group_id: str) -> None:
    """A created group's directory entry. Entered before the group is written (a crash leaves it listed)
    and again after (a deletion of the same id racing the create may have removed the first)."""
    await directory.GROUPS.enter(store, group_id)


async def unlist_group(store: Store, group_id: str) -> None:
    """A deleted group's directory entry, removed after the group; entered again if a create of the same
    id landed meanwhile, so a group that exists is always listed."""
    await directory.GROUPS.leave(store, group_id)
    if await store.read(GROUPS, group_id, GROUP_DOC) is not None:
        await directory.GROUPS.enter(store, group_id)
