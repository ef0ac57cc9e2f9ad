"""A player's title display name: 3 to 25 characters, unique per title unless a setting allows duplicates.

Uniqueness is a login identity (shared/auth/logins.py, LoginKind.DISPLAY_NAME), compared without regard
to case: the new name is claimed pending, the account is written, the claim is confirmed, and then the
old name is released. Of players racing for one name, one confirms; the others answer NameNotAvailable
and put their account back as it was.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.auth.logins import ClaimLost, LoginKind, Taken, abandon, claim, confirm, lookup_key, release
from shared.config.rate_windows import DISPLAY_NAMES
from shared.features import playstream
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.layout import ACCOUNT_DOC, PLAYERS
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.validation import AdminUpdateUserTitleDisplayNameRequest, UpdateUserTitleDisplayNameRequest

MIN_CHARS, MAX_CHARS = 3, 25
# Control and format characters (zero-width spaces, bidi marks) make names that look like another's.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})


def check(display_name: str) -> str:
    """The name as it will be kept (NFC), or InvalidParams naming DisplayName."""
    name = unicodedata.normalize("NFC", display_name)
    if any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in name):
        raise invalid_params("DisplayName", "The field DisplayName may not contain control or format characters.")
    if name != name.strip():
        raise invalid_params("DisplayName", "The field DisplayName may not begin or end with whitespace.")
    if not MIN_CHARS <= len(name) <= MAX_CHARS:
        raise invalid_params(
            "DisplayName",
            f"The field DisplayName must be a string with a minimum length of {MIN_CHARS} "
            f"and a maximum length of {MAX_CHARS}.",
        )
    return name


def _name_not_available(name: str) -> PlayFabError:
    return PlayFabError("NameNotAvailable", "Name not available", {"DisplayName": [f"{name} is taken"]})


async def _write_name(services: Services, playfab_id: str, name: str | None, unless: str | None = None) -> str | None:
    """Set the account's DisplayName (None removes it) and return the one it had.

    With `unless`, only while the account still shows that name (undoing our own write, not a later one).
    """
    before: list[str | None] = [None]

    def mutate(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            return None
        before[0] = body.get("DisplayName")
        if unless is not None and before[0] != unless:
            return None
        if name is None:
            body.pop("DisplayName", None)
        else:
            body["DisplayName"] = name
        return body

    doc = await services.store.update(PLAYERS, playfab_id, ACCOUNT_DOC, mutate)
    if doc is None and unless is None:
        raise PlayFabError("AccountNotFound", "User not found.")
    return before[0]


def _same_key(a: str | None, b: str | None) -> bool:
    return (
        a is not None
        and b is not None
        and lookup_key(LoginKind.DISPLAY_NAME, a) == lookup_key(LoginKind.DISPLAY_NAME, b)
    )


async def set_display_name(services: Services, playfab_id: str, display_name: str) -> str:
    """Give the player this display name (refused with NameNotAvailable when another holds it)."""
    name, _ = await _rename(services, playfab_id, display_name)
    return name


async def _rename(services: Services, playfab_id: str, display_name: str) -> tuple[str, str | None]:
    """set_display_name, also answering the name the player had before."""
    name = check(display_name)
    store = services.store
    if services.settings.allow_duplicate_display_names:
        old = await _write_name(services, playfab_id, name)
        if old is not None and not _same_key(old, name):
            await release(store, LoginKind.DISPLAY_NAME, old, playfab_id)  # left from when names were unique
        return name, old
    await accounts.require_account(store, playfab_id)
    try:
        held = await claim(store, LoginKind.DISPLAY_NAME, name, playfab_id)
    except (Taken, ClaimLost):
        raise _name_not_available(name) from None
    try:
        old = await _write_name(services, playfab_id, name)
    except BaseException:
        await abandon(store, held)
        raise
    try:
        await confirm(store, held)
    except ClaimLost:
        # Another player took the name over while it was pending: put the old one back, if still ours.
        await _write_name(services, playfab_id, old, unless=name)
        raise _name_not_available(name) from None
    account = await accounts.require_account(store, playfab_id)
    current = account.get("DisplayName")
    if not _same_key(current, name):
        # A rename of this same player landed after ours: its name stands, ours is let go.
        await release(store, LoginKind.DISPLAY_NAME, name, playfab_id)
    if old is not None and not _same_key(old, name) and not _same_key(old, current):
        await release(store, LoginKind.DISPLAY_NAME, old, playfab_id)
    return name, old


async def _renamed(services: Services, playfab_id: str, display_name: str) -> dict[str, Any]:
    """A rename through the API, and PlayStream's player_displayname_changed for it."""
    name, old = await _rename(services, playfab_id, display_name)
    if old != name:
        body = {"DisplayName": name, **({"PreviousDisplayName": old} if old is not None else {})}
        await playstream.record(
            services, name="player_displayname_changed", entity_type="player", entity_id=playfab_id, body=body
        )
    return {"DisplayName": name}


async def release_display_name(services: Services, account: dict[str, Any]) -> None:
    """Free the name a player holds (for deleting the player: the name is not among its "Logins")."""
    if account.get("DisplayName"):
        await release(services.store, LoginKind.DISPLAY_NAME, account["DisplayName"], account["PlayFabId"])


async def _client_update(services: Services, caller: Caller, req: UpdateUserTitleDisplayNameRequest) -> dict[str, Any]:
    assert caller.playfab_id
    return await _renamed(services, caller.playfab_id, req.DisplayName)


async def _admin_update(
    services: Services, caller: Caller, req: AdminUpdateUserTitleDisplayNameRequest
) -> dict[str, Any]:
    return await _renamed(services, req.PlayFabId, req.DisplayName)


client_update_display_name = Operation(Auth.SESSION, UpdateUserTitleDisplayNameRequest, _client_update, DISPLAY_NAMES)
admin_update_display_name = Operation(Auth.SECRET, AdminUpdateUserTitleDisplayNameRequest, _admin_update, DISPLAY_NAMES)
