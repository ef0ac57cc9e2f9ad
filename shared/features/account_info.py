"""PlayFab's UserAccountInfo of a player: what GetAccountInfo, GetUserAccountInfo and logins show."""

from __future__ import annotations

from typing import Any

from shared.config.clock import iso
from shared.services import Services


async def user_account_info(services: Services, account: dict[str, Any]) -> dict[str, Any]:
    """The account as PlayFab's UserAccountInfo shapes it."""
    return {
        "PlayFabId": account["PlayFabId"],
        "Created": iso(account["Created"]),
        "TitleInfo": {"Origination": "CustomId", "Created": iso(account["Created"]), "isBanned": False},
    }
