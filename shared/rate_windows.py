"""Rate-limit windows and their defaults: plain data the settings parse and shared/rate_limits.py enforces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

USER_DATA: Final = "UserData"
CHARACTER_DATA: Final = "CharacterData"
ENTITY_UPDATES: Final = "EntityUpdates"

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
