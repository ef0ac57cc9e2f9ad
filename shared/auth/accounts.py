"""Player accounts: creation behind a login identity, and lookups other services need."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from shared.auth import directory
from shared.auth.caller import ENTITY_TITLE_PLAYER
from shared.auth.logins import LoginKind, lookup_key
from shared.config.clock import new_id, now
from shared.storage import Conflict, Document, NotFound, PreconditionFailed, Store, StoreBusy, StoreUnavailable
from shared.storage.layout import ACCOUNT_DOC, ENTITIES, LOGIN_DOC, LOOKUPS, PLAYERS, PROFILE_DOC, entity_pk
from shared.wire.errors import PlayFabError

log = logging.getLogger("playfab.accounts")


# Set on an account DeletePlayer has begun to delete (shared/features/player_deletion.py): from then on
# the player is gone to every caller, though its documents are still being removed.
DELETING = "Deleting"


# Set on an account copied in without its password (ops migrate: PlayFab exports no password hashes): it
# has a username or email but no password here, so a password login fails as a wrong password does until
# a recovery sets one, which clears the mark (shared/features/recovery.py).
PASSWORD_RESET_REQUIRED = "PasswordResetRequired"


def being_deleted(account: dict[str, Any]) -> bool:
    return bool(account.get(DELETING))


async def find_account(store: Store, playfab_id: str) -> dict[str, Any] | None:
    """The player's account; None for no such player, or one being deleted."""
    doc = await store.read(PLAYERS, playfab_id, ACCOUNT_DOC)
    return doc.body if doc and not being_deleted(doc.body) else None


async def find_accounts(store: Store, playfab_ids: Sequence[str]) -> list[dict[str, Any] | None]:
    """find_account of each player, in order, in one store call (a leaderboard page's players)."""
    docs = await store.read_many(PLAYERS, [(playfab_id, ACCOUNT_DOC) for playfab_id in playfab_ids])
    return [doc.body if doc and not being_deleted(doc.body) else None for doc in docs]


async def require_account(store: Store, playfab_id: str) -> dict[str, Any]:
    account = await find_account(store, playfab_id)
    if account is None:
        raise PlayFabError("AccountNotFound", f"No player with PlayFabId {playfab_id}.")
    return account


async def _take_pending(store: Store, identity: str, lookup: Document, playfab_id: str) -> bool:
    """Take over a pending claim (shared/auth/logins.py) for a new account; False if it moved on."""
    try:
        await store.replace(LOOKUPS, identity, LOGIN_DOC, {"PlayFabId": playfab_id}, lookup.etag)
    except (NotFound, PreconditionFailed):
        return False
    return True


async def _create_account(
    store: Store, kind: LoginKind, value: str, identity: str, created: float
) -> tuple[dict[str, Any], bool]:
    """Create a player for a login identity; the lookup document is the commit point.

    A player document whose lookup was never written (crash, or a racing login won) is unreachable
    and harmless; the race loser removes its own, and only when the lookup names another player.
    """
    account = await create_account(store, new_id(), {kind: value}, created)
    for _ in range(8):
        try:
            await store.create(LOOKUPS, identity, LOGIN_DOC, {"PlayFabId": account["PlayFabId"]})
            return account, True
        except Conflict:
            lookup = await store.read(LOOKUPS, identity, LOGIN_DOC)
        if lookup is None:
            continue  # released (unlinked, player deleted) between our create and read: try again
        if lookup.body["PlayFabId"] == account["PlayFabId"]:
            return account, True  # our own lookup: an earlier attempt of this very write landed
        if not lookup.body.get("Pending"):
            break
        if await _take_pending(store, identity, lookup, account["PlayFabId"]):
            return account, True
    else:
        raise StoreBusy(f"lookup {identity!r} kept changing under concurrent logins")
    await discard_account(store, account)
    return await require_account(store, lookup.body["PlayFabId"]), False


async def _restore_account(store: Store, kind: LoginKind, value: str, playfab_id: str, at: float) -> dict[str, Any]:
    """Give back the account of a lookup that names a missing one.

    DeletePlayer releases a player's lookups before it deletes the account, but an earlier version's
    conflict clean-up did delete a new account whose own lookup it took for a rival's (its answer was
    lost), locking that login out. The lookup
    still holds the player's PlayFabId, so the account is made again under it, with a new title player
    entity; racing logins agree on one account (the update creates it only where none is).
    """
    # A lookup released since the caller read it (the player was deleted, or the identity unlinked)
    # must not bring the account back.
    current = await store.read(LOOKUPS, lookup_key(kind, value), LOGIN_DOC)
    if current is None or current.body.get("PlayFabId") != playfab_id:
        raise PlayFabError("AccountNotFound", "User not found.")
    title_player_id = new_id()
    await directory.PLAYERS.enter(store, playfab_id)
    await store.create(
        ENTITIES, entity_pk(ENTITY_TITLE_PLAYER, title_player_id), PROFILE_DOC, {"Created": at, "PlayFabId": playfab_id}
    )
    account = {
        "PlayFabId": playfab_id,
        "TitlePlayerAccountId": title_player_id,
        "Created": at,
        "Logins": {kind.value: value},
    }

    def restore(body: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if body is not None else dict(account)

    doc = await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, restore)
    if doc is None:  # not reachable: the mutation never deletes
        raise PlayFabError("AccountNotFound", "User not found.")
    return doc.body


async def login(
    store: Store,
    kind: LoginKind,
    value: str,
    create: bool,
    before_create: Callable[[], Awaitable[None]] | None = None,
) -> tuple[dict[str, Any], bool, float | None]:
    """Return (account, newly_created, previous login time) and record this login.

    `before_create` runs once before a new account is written, and may refuse it by raising.
    A pending claim of the identity (shared/auth/logins.py) does not count: it logs in no one.
    """
    identity = lookup_key(kind, value)
    lookup = await store.read(LOOKUPS, identity, LOGIN_DOC)
    if lookup is not None and lookup.body.get("Pending"):
        lookup = None
    if lookup is None and not create:
        raise PlayFabError("AccountNotFound", "User not found.")
    if lookup is None and before_create is not None:
        await before_create()
    at = now()
    if lookup is None:
        account, created = await _create_account(store, kind, value, identity, at)
        if created:
            return account, True, None
        playfab_id = account["PlayFabId"]  # a racing login created it first: stamp that one
    else:
        playfab_id = lookup.body["PlayFabId"]
    previous: list[float | None] = [None]

    def stamp(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            return None
        previous[0] = body.get("LastLogin")
        body["LastLogin"] = at
        return body

    # The stamp's read is the account read: a returning login costs the lookup, one read and one write.
    try:
        doc = await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, stamp)
    except StoreUnavailable as exc:
        # A store that cannot take writes now (disk full, read-only) must not lock players out; reads
        # may still work. Contention (StoreBusy) still fails the call, since a retry soon will land.
        log.warning("login without its LastLogin time recorded: %s", exc)
        unstamped = await find_account(store, playfab_id)
        if unstamped is None:
            raise PlayFabError("AccountNotFound", "User not found.") from None
        return unstamped, False, unstamped.get("LastLogin")
    if doc is None:  # the lookup names a missing account: give it back rather than lock the login out
        return await _restore_account(store, kind, value, playfab_id, at), False, None
    return doc.body, False, previous[0]


async def create_account(store: Store, playfab_id: str, logins: dict[LoginKind, str], at: float) -> dict[str, Any]:
    """Write a new player (account and title player entity) listing `logins`, logged in at `at` (so a
    first login needs no second write to stamp it).

    For identities claimed pending for `playfab_id` beforehand (shared/auth/logins.py): the caller
    confirms the claims after this, or undoes it with `discard_account`.
    """
    account: dict[str, Any] = {
        "PlayFabId": playfab_id,
        "TitlePlayerAccountId": new_id(),
        "Created": at,
        "Logins": {kind.value: value for kind, value in logins.items()},
        "LastLogin": at,
    }
    await directory.PLAYERS.enter(store, playfab_id)  # before the account: every account is listed
    await store.create(PLAYERS, account["PlayFabId"], ACCOUNT_DOC, account)
    await store.create(
        ENTITIES,
        entity_pk(ENTITY_TITLE_PLAYER, account["TitlePlayerAccountId"]),
        PROFILE_DOC,
        {"Created": at, "PlayFabId": account["PlayFabId"]},
    )
    return account


async def discard_account(store: Store, account: dict[str, Any], extra_docs: tuple[str, ...] = ()) -> None:
    """Delete a player `create_account` wrote whose claims did not all land (and `extra_docs` of its partition)."""
    for container, pk, doc_id in (
        *((PLAYERS, account["PlayFabId"], doc_id) for doc_id in extra_docs),
        (ENTITIES, entity_pk(ENTITY_TITLE_PLAYER, account["TitlePlayerAccountId"]), PROFILE_DOC),
        (PLAYERS, account["PlayFabId"], ACCOUNT_DOC),
    ):
        with contextlib.suppress(NotFound):
            await store.delete(container, pk, doc_id)
    await directory.PLAYERS.leave(store, account["PlayFabId"])
