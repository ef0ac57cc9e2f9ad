"""Which of a player's bans hold at a given time, and the AccountBanned answer they give.

A player's bans are kept in its account document ("Bans": a list, shared/features/bans.py writes it),
so the one read that tells whether a player exists also tells whether it is banned. A stored ban:
{"BanId", "Created": seconds, "Expires": seconds or None (permanent), "Active": bool,
"Reason"?, "IPAddress"?, "MACAddress"?}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from shared.config.clock import iso
from shared.wire.errors import PlayFabError

BANNED_MESSAGE: Final = "The account making this request is currently banned"
INDEFINITE: Final = "Indefinite"  # PlayFab's expiry text for a permanent ban
NO_REASON: Final = "No reason given"  # the errorDetails key of a ban stored without a reason


@dataclass(frozen=True)
class BanState:
    banned: bool
    until: float | None = None  # when the last ban in force ends; None while banned: permanently


NOT_BANNED: Final = BanState(False)


def holds(ban: dict[str, Any], at: float) -> bool:
    """An active ban holds until it expires; a permanent one never does."""
    expires = ban.get("Expires")
    return bool(ban.get("Active")) and (expires is None or expires > at)


def in_force(account: dict[str, Any], at: float) -> list[dict[str, Any]]:
    return [ban for ban in account.get("Bans", ()) if holds(ban, at)]


def state(account: dict[str, Any] | None, at: float) -> BanState:
    bans = in_force(account, at) if account else []
    if not bans:
        return NOT_BANNED
    if any(ban.get("Expires") is None for ban in bans):
        return BanState(True, None)
    return BanState(True, max(float(ban["Expires"]) for ban in bans))


def banned_error(bans: list[dict[str, Any]]) -> PlayFabError:
    """AccountBanned as PlayFab shapes it: errorDetails maps each ban's reason to its expiry (ISO time, or
    "Indefinite"); several bans with one reason give the one that ends last."""
    ends: dict[str, float | None] = {}
    for ban in bans:
        reason = ban.get("Reason") or NO_REASON
        expires = ban.get("Expires")
        if reason not in ends:
            ends[reason] = expires
        elif ends[reason] is not None:
            ends[reason] = None if expires is None else max(expires, ends[reason] or 0.0)
    details = {reason: [INDEFINITE if end is None else iso(end)] for reason, end in ends.items()}
    return PlayFabError("AccountBanned", BANNED_MESSAGE, details, http_status=403)


def refuse_if_banned(account: dict[str, Any], at: float) -> None:
    bans = in_force(account, at)
    if bans:
        raise banned_error(bans)
