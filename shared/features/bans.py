"""Bans (Admin and Server): BanUsers, GetUserBans, UpdateBans, RevokeBans, RevokeAllBansForUser.

A player's bans live in its account document (shared/auth/bans_in_force.py says which hold), so the
read that checks a caller exists checks its bans too, and a ban is written with the account's own
atomic update. A BanId carries the PlayFabId it belongs to after 16 random hex digits, so UpdateBans and
RevokeBans find a ban with one read and no index to keep in step. Every change is forgotten by this
process's status cache at once (shared/auth/known_accounts.py); other instances see it within
PLAYER_STATUS_CACHE_SECONDS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from shared.auth import known_accounts
from shared.auth.accounts import being_deleted, find_account
from shared.auth.bans_in_force import NOT_BANNED, BanState, holds, state
from shared.auth.caller import Auth, Caller
from shared.config.clock import iso, new_id, now
from shared.features import playstream
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.layout import ACCOUNT_DOC, PLAYERS
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    BanUsersRequest,
    GetUserBansRequest,
    RevokeAllBansForUserRequest,
    RevokeBansRequest,
    UpdateBanRequest,
    UpdateBansRequest,
)

# Bans one player keeps, history included; past it, the oldest that no longer hold make room.
MAX_BANS_PER_PLAYER: Final = 100
_RANDOM_PART: Final = 16  # hex digits before the PlayFabId in a BanId
# 9999-12-31T23:59:59Z, the last time PlayFab's DateTime can say: a longer ban ends then.
LAST_TIME: Final = 253_402_300_799.0
FIRST_TIME: Final = 0.0  # an end before 1970 has passed anyway: it is kept as 1970-01-01T00:00:00Z


def _not_found(playfab_id: str) -> PlayFabError:
    return PlayFabError("AccountNotFound", "User not found.", {"PlayFabId": [f"no player {playfab_id}"]})


def owner_of(ban_id: str) -> str | None:
    """The PlayFabId a BanId this backend issued belongs to; None for any other text."""
    head, rest = ban_id[:_RANDOM_PART], ban_id[_RANDOM_PART:]
    if len(head) != _RANDOM_PART or not rest or any(c not in "0123456789ABCDEF" for c in head):
        return None
    return rest


def ban_info(playfab_id: str, ban: dict[str, Any]) -> dict[str, Any]:
    """PlayFab's BanInfo; a permanent ban has no Expires, and fields never given are left out."""
    info: dict[str, Any] = {
        "Active": bool(ban["Active"]),
        "BanId": ban["BanId"],
        "Created": iso(ban["Created"]),
        "PlayFabId": playfab_id,
    }
    if ban.get("Expires") is not None:
        info["Expires"] = iso(ban["Expires"])
    for field in ("IPAddress", "MACAddress", "Reason"):
        if ban.get(field) is not None:
            info[field] = ban[field]
    return info


async def banned_until(services: Services, playfab_id: str) -> BanState:
    """Whether the player is banned now and until when (None while banned: permanently); an unknown
    player is not banned. For account info and profiles (isBanned, BannedUntil)."""
    return state_of(await find_account(services.store, playfab_id))


def state_of(account: dict[str, Any] | None) -> BanState:
    """The same, for a caller that has the account document already."""
    return state(account, now()) if account is not None else NOT_BANNED


def _live(body: dict[str, Any] | None, playfab_id: str) -> dict[str, Any]:
    if body is None or being_deleted(body):
        raise _not_found(playfab_id)
    return body


def _make_room(bans: list[dict[str, Any]], at: float) -> list[dict[str, Any]]:
    """Drop the oldest bans that no longer hold until the player keeps MAX_BANS_PER_PLAYER."""
    excess = len(bans) - MAX_BANS_PER_PLAYER
    if excess <= 0:
        return bans
    spent = sorted((ban for ban in bans if not holds(ban, at)), key=lambda ban: ban["Created"])[:excess]
    if len(spent) < excess:
        raise PlayFabError(
            "OverLimit",
            f"A player may hold at most {MAX_BANS_PER_PLAYER} bans in force.",
            {"Bans": [f"more than {MAX_BANS_PER_PLAYER} bans would hold"]},
        )
    dropped = {ban["BanId"] for ban in spent}
    return [ban for ban in bans if ban["BanId"] not in dropped]


async def _ban_users(services: Services, caller: Caller, req: BanUsersRequest) -> dict[str, Any]:
    store, at = services.store, now()
    new: list[tuple[str, dict[str, Any]]] = []
    for wanted in req.Bans:
        ban: dict[str, Any] = {
            "BanId": new_id() + wanted.PlayFabId,
            "Created": at,
            "Expires": None if wanted.DurationInHours is None else min(at + wanted.DurationInHours * 3600, LAST_TIME),
            "Active": True,
        }
        for field in ("IPAddress", "MACAddress", "Reason"):
            if getattr(wanted, field) is not None:
                ban[field] = getattr(wanted, field)
        new.append((wanted.PlayFabId, ban))
    players = list(dict.fromkeys(playfab_id for playfab_id, _ in new))
    for playfab_id in players:  # every player checked before any is banned: all or none, bar a deletion
        _live(await find_account(store, playfab_id), playfab_id)
    for playfab_id in players:
        await _add_bans(services, playfab_id, [ban for owner, ban in new if owner == playfab_id], at)
    for playfab_id, ban in new:
        body: dict[str, Any] = {"BanId": ban["BanId"], "PermanentBan": ban["Expires"] is None}
        if ban["Expires"] is not None:
            body["BanExpiration"] = iso(ban["Expires"])
        if "Reason" in ban:
            body["BanReason"] = ban["Reason"]
        await playstream.record(services, name="player_banned", entity_type="player", entity_id=playfab_id, body=body)
    return {"BanData": [ban_info(playfab_id, ban) for playfab_id, ban in new]}


async def _add_bans(services: Services, playfab_id: str, mine: list[dict[str, Any]], at: float) -> None:
    def add(body: dict[str, Any] | None) -> Any:
        account = _live(body, playfab_id)
        held = {ban["BanId"] for ban in account.get("Bans", ())}
        added = [dict(ban) for ban in mine if ban["BanId"] not in held]  # a retried write lands once
        if not added:
            return None
        account["Bans"] = _make_room([*account.get("Bans", ()), *added], at)
        return account

    await services.store.update(PLAYERS, playfab_id, ACCOUNT_DOC, add)
    known_accounts.forget(services.store, playfab_id)


async def _get_user_bans(services: Services, caller: Caller, req: GetUserBansRequest) -> dict[str, Any]:
    account = _live(await find_account(services.store, req.PlayFabId), req.PlayFabId)
    return {"BanData": [ban_info(req.PlayFabId, ban) for ban in account.get("Bans", ())]}


Change = Callable[[dict[str, Any], float], bool]  # applies itself to a ban; whether it changed anything


async def _change_bans(services: Services, changes: Iterable[tuple[str, Change]]) -> list[dict[str, Any]]:
    """Apply each change to the ban its BanId names, skipping BanIds that name no ban; BanInfo of each
    ban changed, in the order first named."""
    by_player: dict[str, list[tuple[str, Change]]] = {}
    for ban_id, change in changes:
        playfab_id = owner_of(ban_id)
        if playfab_id is not None:
            by_player.setdefault(playfab_id, []).append((ban_id, change))
    changed: dict[str, dict[str, Any]] = {}
    at = now()
    for playfab_id, mine in by_player.items():
        touched = await _change_player_bans(services, playfab_id, mine, at)
        changed.update({ban_id: ban_info(playfab_id, ban) for ban_id, ban in touched.items()})
    order = [ban_id for ban_id, _ in changes]
    return [changed[ban_id] for ban_id in dict.fromkeys(order) if ban_id in changed]


async def _change_player_bans(
    services: Services, playfab_id: str, mine: list[tuple[str, Change]], at: float
) -> dict[str, dict[str, Any]]:
    touched: dict[str, dict[str, Any]] = {}

    def apply(body: dict[str, Any] | None) -> Any:
        touched.clear()  # a retried mutation starts again from the body it is given
        if body is None or being_deleted(body):
            return None
        bans = {ban["BanId"]: ban for ban in body.get("Bans", ())}
        for ban_id, change in mine:
            if ban_id in bans and change(bans[ban_id], at):
                touched[ban_id] = bans[ban_id]
        return body if touched else None

    await services.store.update(PLAYERS, playfab_id, ACCOUNT_DOC, apply)
    if touched:
        known_accounts.forget(services.store, playfab_id)
    return touched


def _update(wanted: UpdateBanRequest) -> Change:
    def change(ban: dict[str, Any], at: float) -> bool:
        if wanted.Active is not None:
            ban["Active"] = wanted.Active
        if wanted.Permanent:
            ban["Expires"] = None
        elif wanted.Expires is not None:
            ban["Expires"] = min(max(wanted.Expires, FIRST_TIME), LAST_TIME)
        for field in ("IPAddress", "MACAddress", "Reason"):
            if getattr(wanted, field) is not None:
                ban[field] = getattr(wanted, field)
        return True  # a ban named is reported as updated, even when the request changed nothing in it

    return change


def _revoke(ban: dict[str, Any], at: float) -> bool:
    ban["Active"] = False
    return True


async def _update_bans(services: Services, caller: Caller, req: UpdateBansRequest) -> dict[str, Any]:
    changes = [(wanted.BanId, _update(wanted)) for wanted in req.Bans]
    return {"BanData": await _change_bans(services, changes)}


async def _revoke_bans(services: Services, caller: Caller, req: RevokeBansRequest) -> dict[str, Any]:
    return {"BanData": await _change_bans(services, [(ban_id, _revoke) for ban_id in req.BanIds])}


async def _revoke_all(services: Services, caller: Caller, req: RevokeAllBansForUserRequest) -> dict[str, Any]:
    at, revoked = now(), list[dict[str, Any]]()

    def revoke(body: dict[str, Any] | None) -> Any:
        account = _live(body, req.PlayFabId)
        revoked[:] = [ban for ban in account.get("Bans", ()) if holds(ban, at)]  # expired ones are left be
        for ban in revoked:
            ban["Active"] = False
        return account if revoked else None

    await services.store.update(PLAYERS, req.PlayFabId, ACCOUNT_DOC, revoke)
    known_accounts.forget(services.store, req.PlayFabId)
    return {"BanData": [ban_info(req.PlayFabId, ban) for ban in revoked]}


ban_users = Operation(Auth.SECRET, BanUsersRequest, _ban_users)
get_user_bans = Operation(Auth.SECRET, GetUserBansRequest, _get_user_bans)
update_bans = Operation(Auth.SECRET, UpdateBansRequest, _update_bans)
revoke_bans = Operation(Auth.SECRET, RevokeBansRequest, _revoke_bans)
revoke_all_bans_for_user = Operation(Auth.SECRET, RevokeAllBansForUserRequest, _revoke_all)
