"""Rate-limit windows and their defaults: plain data the settings parse and shared/limits/rate_limits.py enforces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from shared.config.settings_table import DECLARED, default

USER_DATA: Final = "UserData"
CHARACTER_DATA: Final = "CharacterData"
ENTITY_UPDATES: Final = "EntityUpdates"
PLAYER_CUSTOM_PROPERTIES: Final = "PlayerCustomProperties"  # updates and deletes
LINKS: Final = "Links"  # a player's link and unlink calls, its server custom id's too
DISPLAY_NAMES: Final = "DisplayNames"  # renames
SHARED_GROUP_WRITES: Final = "SharedGroupWrites"  # create, add or remove members, update data
SHARED_GROUP_READS: Final = "SharedGroupReads"
EVENTS: Final = "Events"  # every event-writing call of a player
STATISTIC_UPDATES: Final = "StatisticUpdates"
STATISTIC_READS: Final = "StatisticReads"
LEADERBOARD_READS: Final = "LeaderboardReads"
# Counted per client address rather than per player (shared/limits/address_limits.py).
ACCOUNT_CREATION: Final = "AccountCreation"
ANONYMOUS_CALLS: Final = "AnonymousCalls"
# Account recovery: per email address asked for (known or not) and per client address.
RECOVERY_EMAIL: Final = "RecoveryEmail"
RECOVERY_ADDRESS: Final = "RecoveryAddress"
# Wrong passwords, counted per account and per client address (shared/limits/password_attempts.py).
PASSWORD_FAILURES: Final = "PasswordFailures"
PASSWORD_FAILURES_PER_ADDRESS: Final = "PasswordFailuresPerAddress"

# Who is limited: "client" (players only, PlayFab's behaviour), "all" (the title's calls too), "off".
SCOPES: Final = DECLARED["RATE_LIMITS"].choices


@dataclass(frozen=True)
class Window:
    calls: int
    seconds: int


Windows = tuple[Window, ...]


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


# The setting that holds each limit's windows (shared/config/settings_table.py declares its default).
SETTING_OF: Final[Mapping[str, str]] = {
    USER_DATA: "RATE_LIMIT_USER_DATA",
    CHARACTER_DATA: "RATE_LIMIT_CHARACTER_DATA",
    ENTITY_UPDATES: "RATE_LIMIT_ENTITY_UPDATES",
    PLAYER_CUSTOM_PROPERTIES: "RATE_LIMIT_PLAYER_CUSTOM_PROPERTIES",
    LINKS: "RATE_LIMIT_LINKS",
    DISPLAY_NAMES: "RATE_LIMIT_DISPLAY_NAMES",
    SHARED_GROUP_WRITES: "RATE_LIMIT_SHARED_GROUP_WRITES",
    SHARED_GROUP_READS: "RATE_LIMIT_SHARED_GROUP_READS",
    EVENTS: "RATE_LIMIT_EVENTS",
    STATISTIC_UPDATES: "RATE_LIMIT_STATISTIC_UPDATES",
    STATISTIC_READS: "RATE_LIMIT_STATISTIC_READS",
    LEADERBOARD_READS: "RATE_LIMIT_LEADERBOARD_READS",
    ACCOUNT_CREATION: "RATE_LIMIT_ACCOUNT_CREATION",
    ANONYMOUS_CALLS: "RATE_LIMIT_ANONYMOUS_CALLS",
    RECOVERY_EMAIL: "RATE_LIMIT_RECOVERY_EMAIL",
    RECOVERY_ADDRESS: "RATE_LIMIT_RECOVERY_ADDRESS",
    PASSWORD_FAILURES: "RATE_LIMIT_PASSWORD_FAILURES",
    PASSWORD_FAILURES_PER_ADDRESS: "RATE_LIMIT_PASSWORD_FAILURES_PER_ADDRESS",
}
# PlayFab's tier table: UserDataValueUpdates, CharacterDataValueUpdates and EntityUpdates per 15 s / 5 min / 1 h.
DEFAULTS: Final[Mapping[str, Windows]] = {limit: parse_windows(default(name)) for limit, name in SETTING_OF.items()}
