"""Login identities: which player a custom id, device id, email, username or display name belongs to.

Each identity has one lookup document (`layout.login_pk`), written create-only or etag-conditionally,
so two racing claims of one identity end with one holder and no cross-document transaction is needed.

A lookup is *confirmed* (it counts) or *pending* (a claim in progress: "Pending": true). A claim that
must land together with other writes (a registration claiming a username and an email, a link) is
made pending, the account is written, and then the claim is confirmed with an etag-conditional
replace. Anyone may take over a pending lookup, so a crash between the steps leaves nothing that
blocks a later claim; and because confirming needs the etag the claimant wrote, a claim taken over
in the meantime fails to confirm instead of leaving two holders. Lookups written before pending
claims existed carry no flag and count as confirmed.

The account lists its identities under "Logins" ({kind: value as the player gave it}); accounts made
before that carry one "Identity" ("<kind>:<key>"), read by `linked`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.storage import Conflict, NotFound, PreconditionFailed, Store
from shared.storage.layout import LOGIN_DOC, LOOKUPS, login_pk


class LoginKind(StrEnum):
    CUSTOM_ID = "custom"
    ANDROID_DEVICE_ID = "android"
    IOS_DEVICE_ID = "ios"
    SERVER_CUSTOM_ID = "server"
    USERNAME = "username"
    EMAIL = "email"
    DISPLAY_NAME = "name"  # only while display names are unique per title


# Compared without regard to case: the lookup key is the lower-cased value (PlayFab matches emails
# case-insensitively; usernames and display names follow it).
_CASELESS = frozenset({LoginKind.EMAIL, LoginKind.USERNAME, LoginKind.DISPLAY_NAME})


def lookup_key(kind: LoginKind, value: str) -> str:
    """The partition key of an identity's lookup document."""
    return login_pk(kind.value, value.lower() if kind in _CASELESS else value)


def linked(account: dict[str, Any]) -> dict[LoginKind, str]:
    """The identities an account lists, as the player gave them."""
    logins = {LoginKind(kind): value for kind, value in account.get("Logins", {}).items()}
    legacy = account.get("Identity")
    if isinstance(legacy, str) and ":" in legacy:
        kind, _, value = legacy.partition(":")
        logins.setdefault(LoginKind(kind), value)
    return logins


async def holder(store: Store, kind: LoginKind, value: str) -> str | None:
    """The PlayFabId a confirmed lookup names, or None (no lookup, or a claim still pending)."""
    doc = await store.read(LOOKUPS, lookup_key(kind, value), LOGIN_DOC)
    if doc is None or doc.body.get("Pending"):
        return None
    playfab_id: str = doc.body["PlayFabId"]
    return playfab_id


@dataclass(frozen=True)
class Claim:
    kind: LoginKind
    value: str
    playfab_id: str
    etag: str  # of the lookup as this claim wrote it (pending), or "" when it was already confirmed
    taken_from: str | None = None  # with `force`: the player whose confirmed lookup this claim replaced


class Taken(Exception):
    """Another player holds the identity (a confirmed lookup)."""

    def __init__(self, playfab_id: str) -> None:
        super().__init__(playfab_id)
        self.playfab_id = playfab_id


class ClaimLost(Exception):
    """A pending claim was taken over before it was confirmed."""


async def claim(store: Store, kind: LoginKind, value: str, playfab_id: str, *, force: bool = False) -> Claim:
    """Write a pending lookup naming `playfab_id`; raise Taken when another player holds it.

    Already held by `playfab_id` itself: returns a claim with no etag, which `confirm` accepts as is.
    With `force`, a confirmed lookup of another player is taken over too (ForceLink); the caller then
    removes the identity from that player's account.
    """
    pk = lookup_key(kind, value)
    body = {"PlayFabId": playfab_id, "Pending": True}
    for _ in range(8):
        current = await store.read(LOOKUPS, pk, LOGIN_DOC)
        try:
            if current is None:
                written = await store.create(LOOKUPS, pk, LOGIN_DOC, body)
                return Claim(kind, value, playfab_id, written.etag)
            owner = current.body["PlayFabId"]
            confirmed = not current.body.get("Pending")
            if owner == playfab_id and confirmed:
                return Claim(kind, value, playfab_id, "")
            if confirmed and not force:
                raise Taken(owner)
            written = await store.replace(LOOKUPS, pk, LOGIN_DOC, body, current.etag)
            # The replace matched the etag read, so `owner` is exactly whom this claim took it from.
            return Claim(kind, value, playfab_id, written.etag, owner if confirmed else None)
        except (Conflict, NotFound, PreconditionFailed):
            continue  # another claim moved the lookup between our read and write: look again
    raise ClaimLost(f"{pk}: kept changing under concurrent claims")


async def confirm(store: Store, held: Claim) -> None:
    """Make a pending claim count; raise ClaimLost when someone took it over meanwhile."""
    if not held.etag:
        return
    try:
        await store.replace(
            LOOKUPS, lookup_key(held.kind, held.value), LOGIN_DOC, {"PlayFabId": held.playfab_id}, held.etag
        )
    except (NotFound, PreconditionFailed):
        raise ClaimLost(f"{held.kind}: claim taken over before it was confirmed") from None


async def release(store: Store, kind: LoginKind, value: str, playfab_id: str) -> None:
    """Delete the lookup if it names `playfab_id` (pending or confirmed); leave another player's alone."""
    pk = lookup_key(kind, value)
    current = await store.read(LOOKUPS, pk, LOGIN_DOC)
    if current is None or current.body.get("PlayFabId") != playfab_id:
        return
    with contextlib.suppress(NotFound, PreconditionFailed):
        await store.delete(LOOKUPS, pk, LOGIN_DOC, etag=current.etag)


async def abandon(store: Store, held: Claim) -> None:
    """Undo a pending claim that will not be confirmed (only the lookup as this claim wrote it)."""
    if not held.etag:
        return
    with contextlib.suppress(NotFound, PreconditionFailed):
        await store.delete(LOOKUPS, lookup_key(held.kind, held.value), LOGIN_DOC, etag=held.etag)
