"""A player's title display name: 3 to 25 characters, unique per title unless a setting allows duplicates."""

from __future__ import annotations

from shared.services import Services


async def set_display_name(services: Services, playfab_id: str, display_name: str) -> str:
    """Give the player this display name (refused with NameNotAvailable when another holds it)."""
    raise NotImplementedError
