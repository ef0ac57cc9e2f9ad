"""Player accounts: creation behind a login identity, and lookups other services need."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from shared.caller import TITLE_PLAYER
from shared.clock import new_id, now
from shared.errors import PlayFabError
from shared.storage import Conflict, NotFound, Store

ACCOUNT = "account"
PROFILE = "profile"


def entity_pk(entity_type: str, entity_id: str) -> str:
    return f"{entity_type}!{entity_id}"


async def find_account(store: Store, playfab_id: str) -> dict[str, Any] | None:
    doc = await store.read("players", playfab_id, ACCOUNT)
    return doc.body if doc else None


async def require_account(store: Store, playfab_id: str) -> dict[str, Any]:
    account = await find_account(store, playfab_id)
    if account is None:
        raise PlayFabError("AccountNotFound", f"No player with PlayFabId {playfab_id}.")
    return account


async def _create_account(store: Store, identity: str, created: float) -> tuple[dict[str, Any], bool]:
    """Create a player for a login identity; the lookup document is the commit point.

    A player document whose lookup was never written (crash, or a racing login won) is unreachable
    and harmless; the race loser removes its own.
    """
    account = {"PlayFabId": new_id(), "TitlePlayerAccountId": new_id(), "Created": created, "Identity": identity}
    await store.create("players", account["PlayFabId"], ACCOUNT, account)
    await store.create(
        "entities",
        entity_pk(TITLE_PLAYER, account["TitlePlayerAccountId"]),
        PROFILE,
        {"Created": created, "PlayFabId": account["PlayFabId"]},
    )
    try:
        await store.create("lookups", identity, "login", {"PlayFabId": account["PlayFabId"]})
    except Conflict:
        for container, pk, doc_id in (
            ("entities", entity_pk(TITLE_PLAYER, account["TitlePlayerAccountId"]), PROFILE),
            ("players", account["PlayFabId"], ACCOUNT),
        ):
            with contextlib.suppress(NotFound):
                await store.delete(container, pk, doc_id)
        return await _existing(store, identity), False
    return account, True


async def _existing(store: Store, identity: str) -> dict[str, Any]:
    lookup = await store.read("lookups", identity, "login")
    if lookup is None:
        raise PlayFabError("AccountNotFound", "User not found.")
    return await require_account(store, lookup.body["PlayFabId"])


async def login(
    store: Store, identity: str, create: bool, before_create: Callable[[], Awaitable[None]] | None = None
) -> tuple[dict[str, Any], bool, float | None]:
    """Return (account, newly_created, previous login time) and record this login.

    `before_create` runs once before a new account is written, and may refuse it by raising.
    """
    lookup = await store.read("lookups", identity, "login")
    if lookup is None and not create:
        raise PlayFabError("AccountNotFound", "User not found.")
    if lookup is None and before_create is not None:
        await before_create()
    at = now()
    if lookup is None:
        account, created = await _create_account(store, identity, at)
    else:
        account, created = await require_account(store, lookup.body["PlayFabId"]), False
    previous: list[float | None] = [None]

    def stamp(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            return None
        previous[0] = body.get("LastLogin")
        body["LastLogin"] = at
        return body

    await store.update("players", account["PlayFabId"], ACCOUNT, stamp)
    return account, created, previous[0]
