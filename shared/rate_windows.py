"""Rate-limit windows and their defaults: plain data the settings parse and shared/rate_limits.py enforces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

USER_DATA: Final = "UserData"
CHARACTER_DATA: Final = "CharacterData"
ENTITY_UPDATES: Final = "EntityUpdates"
SHARED_GROUP_WRITES: Final = "SharedGroupWrites"  # create, add or remove members, update data
SHARED_GROUP_READS: Final = "SharedGroupReads"
# Counted per client address rather than per player (shared/address_limits.py).
ACCOUNT_CREATION: Final = "AccountCreation"
ANONYMOUS_CALLS: Final = "AnonymousCalls"

# Who is limited: "client" (players only, PlayFab's behaviour), "all" (the title's calls too), "off".
SCOPES: Final = ("client", "all", "off")


@dataclass(frozen=True)
class Window:
    calls: int
    seconds: int


Windows = tuple[Window, ...]

# PlayFab's tier table: UserDataValueUpdates, CharacterDataValueUpdates and EntityUpdates per 15 s / 5 min / 1 h.
DEFAULTS: Final[Mapping[str, Windows]] = {
    USER_DATA: (Window(10, 15), Window(150, 300), Window(3600, 3600)),
    CHARACTER_DATA: (Window(5, 15), Window(30, 300), Window(60, 3600)),
    ENTITY_UPDATES: (Window(10, 15), Window(50, 300), Window(900, 3600)),
    # PlayFab publishes no figures for these; chosen to match a player's user-data budget (writes), a
    # turn-based game polling a few groups (reads), a household or café behind one address (accounts),
    # and many players behind one NAT logging in (anonymous calls).
    SHARED_GROUP_WRITES: (Window(10, 15), Window(150, 300), Window(3600, 3600)),
    SHARED_GROUP_READS: (Window(30, 15), Window(300, 300), Window(3600, 3600)),
    ACCOUNT_CREATION: (Window(20, 60), Window(200, 3600)),
    ANONYMOUS_CALLS: (Window(60, 15), Window(600, 300)),
}


def parse_windows(raw: str) -> Windows:
    """'10/15,150/300' -> windows; raises ValueError on anything else."""
    windows = []
    for part in raw.split(","):
        calls, slash, seconds = part.strip().partition("/")
        if not slash:
            raise ValueError(f"{part.strip()!r} is not calls/seconds")
        window = Window(int(calls), int(seconds))
        if window.calls < 1 or window.seconds < 1:
            raise ValueError(f"{part.strip()!r} must be positive")
        windows.append(window)
    return tuple(windows)
