"""Linking and unlinking login identities: one engine, a policy per kind, and the Client operations.

A link claims the identity's lookup pending (shared/auth/logins.py; `force` for ForceLink), lists it
under the account's "Logins" (and, for ForceLink, takes it off the account it was taken from), then
confirms the claim. A claim taken over before it is confirmed undoes the account's change and fails.
An unlink releases the lookup first, so a login with the identity stops at once, then updates "Logins".

A player has at most one identity of each kind: linking a second, different one is refused
(`AccountAlreadyLinked`) rather than replacing the first and locking its device out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.auth import logins
from shared.auth.accounts import require_account
from shared.auth.caller import Auth, Caller
from shared.auth.logins import ClaimLost, LoginKind, Taken
from shared.config.rate_windows import LINKS
from shared.features import playstream
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Store
from shared.storage.layout import ACCOUNT_DOC, PLAYERS
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    LinkAndroidDeviceIDRequest,
    LinkCustomIDRequest,
    LinkIOSDeviceIDRequest,
    UnlinkAndroidDeviceIDRequest,
    UnlinkCustomIDRequest,
    UnlinkIOSDeviceIDRequest,
)


@dataclass(frozen=True)
class LinkPolicy:
    """What differs between the kinds: the identity, how PlayFab names it, and its errors."""

    kind: LoginKind
    field: str  # the request field that carries it: "CustomId"
    label: str  # in messages: "custom ID"
    claimed: str  # the error when another player holds it and ForceLink is not set


# The claimed errors are those PlayFab's API description lists for each call.
CUSTOM_ID = LinkPolicy(LoginKind.CUSTOM_ID, "CustomId", "custom ID", "LinkedIdentifierAlreadyClaimed")
ANDROID_DEVICE_ID = LinkPolicy(
    LoginKind.ANDROID_DEVICE_ID, "AndroidDeviceId", "Android device ID", "LinkedDeviceAlreadyClaimed"
)
IOS_DEVICE_ID = LinkPolicy(LoginKind.IOS_DEVICE_ID, "DeviceId", "iOS device ID", "LinkedDeviceAlreadyClaimed")
SERVER_CUSTOM_ID = LinkPolicy(
    LoginKind.SERVER_CUSTOM_ID, "ServerCustomId", "server custom ID", "LinkedIdentifierAlreadyClaimed"
)

_LEGACY = "Identity"  # accounts made before "Logins" name their one identity here ("<kind>:<value>")


def _lists(body: dict[str, Any], kind: LoginKind, value: str) -> bool:
    return logins.linked(body).get(kind) == value


def _without(body: dict[str, Any], kind: LoginKind, value: str) -> dict[str, Any]:
    """The account with `value` of `kind` taken off its "Logins" (and its legacy "Identity")."""
    listed = dict(body.get("Logins", {}))
    if listed.get(kind.value) == value:
        del listed[kind.value]
    body["Logins"] = listed
    if body.get(_LEGACY) == f"{kind.value}:{value}":
        del body[_LEGACY]
    return body


async def _take_off(store: Store, playfab_id: str, kind: LoginKind, value: str) -> None:
    def mutate(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None or not _lists(body, kind, value):
            return None  # nothing to change
        return _without(body, kind, value)

    await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, mutate)


async def _other_identity(store: Store, account: dict[str, Any], kind: LoginKind, value: str) -> str | None:
    """A different identity of `kind` the player really holds (its lookup names the player), if any.

    An entry whose lookup names someone else is left over from a link that never finished (or an
    identity taken by ForceLink whose clean-up was cut short): it does not count.
    """
    listed = logins.linked(account).get(kind)
    if listed is None or listed == value:
        return None
    return listed if await logins.holder(store, kind, listed) == account["PlayFabId"] else None


async def link(store: Store, policy: LinkPolicy, playfab_id: str, value: str, force: bool) -> bool:
    """Link `value` to the player; with `force`, take it from the player who holds it. False when it
    was linked already (nothing changed)."""
    kind = policy.kind
    account = await require_account(store, playfab_id)
    if _lists(account, kind, value) and await logins.holder(store, kind, value) == playfab_id:
        return False  # already linked: nothing to do
    if await _other_identity(store, account, kind, value) is not None:
        raise _already_linked(policy)
    stale = logins.linked(account).get(kind)  # None, `value`, or an entry the player no longer holds
    try:
        held = await logins.claim(store, kind, value, playfab_id, force=force)
    except Taken:
        raise PlayFabError(
            policy.claimed, f"This {policy.label} is already linked to another player.", {policy.field: [value]}
        ) from None
    except ClaimLost:
        raise _lost(policy, value) from None
    added = [False]

    def add(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            raise PlayFabError("AccountNotFound", f"No player with PlayFabId {playfab_id}.")
        listed = logins.linked(body).get(kind)
        if listed == value:
            return None
        if listed is not None and listed != stale:
            raise _already_linked(policy)  # another link of this kind landed since the check above
        if listed is not None:
            body = _without(body, kind, listed)
        added[0] = True
        body["Logins"] = {**body.get("Logins", {}), kind.value: value}
        return body

    try:
        await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, add)
        if held.taken_from is not None and held.taken_from != playfab_id:
            await _take_off(store, held.taken_from, kind, value)
        await logins.confirm(store, held)
    except ClaimLost:
        if added[0]:
            await _take_off(store, playfab_id, kind, value)
        raise _lost(policy, value) from None
    except BaseException:
        # Not confirmed: give the pending claim back and take the entry off again where it was added.
        await logins.abandon(store, held)
        if added[0]:
            await _take_off(store, playfab_id, kind, value)
        raise
    return True


def _already_linked(policy: LinkPolicy) -> PlayFabError:
    return PlayFabError(
        "AccountAlreadyLinked",
        f"This player already has a {policy.label} linked; unlink it first.",
        {policy.field: [f"the player already has another {policy.label}"]},
    )


def _lost(policy: LinkPolicy, value: str) -> PlayFabError:
    return PlayFabError(
        policy.claimed,
        f"This {policy.label} was linked to another player while this link was being made.",
        {policy.field: [value]},
    )


async def unlink(store: Store, policy: LinkPolicy, playfab_id: str, value: str | None) -> str:
    """Unlink `value` (omitted: the player's identity of this kind) from the player; the value unlinked."""
    kind = policy.kind
    account = await require_account(store, playfab_id)
    listed = logins.linked(account).get(kind)
    if listed is None or (value is not None and value != listed):
        # One error whether the player has none of this kind or another one: nothing to unlink either way.
        named = {policy.field: [value]} if value is not None else None
        raise PlayFabError("AccountNotLinked", f"This {policy.label} is not linked to this player.", named)
    # The lookup goes first: from here on a login with the identity finds no one.
    await logins.release(store, kind, listed, playfab_id)
    await _take_off(store, playfab_id, kind, listed)
    return listed


async def link_and_record(services: Services, policy: LinkPolicy, playfab_id: str, value: str, force: bool) -> None:
    """link(), then PlayStream's player_linked_account when it linked something."""
    if await link(services.store, policy, playfab_id, value, force):
        await playstream.linked_account(services, playfab_id, policy.kind, value)


async def unlink_and_record(services: Services, policy: LinkPolicy, playfab_id: str, value: str | None) -> None:
    """unlink(), then PlayStream's player_unlinked_account."""
    unlinked = await unlink(services.store, policy, playfab_id, value)
    await playstream.unlinked_account(services, playfab_id, policy.kind, unlinked)


# --- Client/Link* and Client/Unlink*: the caller's own account ---


def _caller_id(caller: Caller) -> str:
    assert caller.playfab_id
    return caller.playfab_id


async def _link_custom_id(services: Services, caller: Caller, req: LinkCustomIDRequest) -> dict[str, Any]:
    await link_and_record(services, CUSTOM_ID, _caller_id(caller), req.CustomId, bool(req.ForceLink))
    return {}


async def _link_android(services: Services, caller: Caller, req: LinkAndroidDeviceIDRequest) -> dict[str, Any]:
    await link_and_record(services, ANDROID_DEVICE_ID, _caller_id(caller), req.AndroidDeviceId, bool(req.ForceLink))
    return {}


async def _link_ios(services: Services, caller: Caller, req: LinkIOSDeviceIDRequest) -> dict[str, Any]:
    await link_and_record(services, IOS_DEVICE_ID, _caller_id(caller), req.DeviceId, bool(req.ForceLink))
    return {}


async def _unlink_custom_id(services: Services, caller: Caller, req: UnlinkCustomIDRequest) -> dict[str, Any]:
    await unlink_and_record(services, CUSTOM_ID, _caller_id(caller), req.CustomId)
    return {}


async def _unlink_android(services: Services, caller: Caller, req: UnlinkAndroidDeviceIDRequest) -> dict[str, Any]:
    await unlink_and_record(services, ANDROID_DEVICE_ID, _caller_id(caller), req.AndroidDeviceId)
    return {}


async def _unlink_ios(services: Services, caller: Caller, req: UnlinkIOSDeviceIDRequest) -> dict[str, Any]:
    await unlink_and_record(services, IOS_DEVICE_ID, _caller_id(caller), req.DeviceId)
    return {}


# Every link and unlink draws on the player's LINKS budget.
link_custom_id = Operation(Auth.SESSION, LinkCustomIDRequest, _link_custom_id, LINKS)
link_android_device_id = Operation(Auth.SESSION, LinkAndroidDeviceIDRequest, _link_android, LINKS)
link_ios_device_id = Operation(Auth.SESSION, LinkIOSDeviceIDRequest, _link_ios, LINKS)
unlink_custom_id = Operation(Auth.SESSION, UnlinkCustomIDRequest, _unlink_custom_id, LINKS)
unlink_android_device_id = Operation(Auth.SESSION, UnlinkAndroidDeviceIDRequest, _unlink_android, LINKS)
unlink_ios_device_id = Operation(Auth.SESSION, UnlinkIOSDeviceIDRequest, _unlink_ios, LINKS)
