"""What a login's InfoRequestParameters and GetPlayerCombinedInfo bring back: PlayFab's InfoResultPayload."""

from __future__ import annotations

from typing import Any

from shared.services import Services
from shared.wire.validation import GetPlayerCombinedInfoRequestParams


async def payload(services: Services, playfab_id: str, params: GetPlayerCombinedInfoRequestParams) -> dict[str, Any]:
    """The parts `params` asks for, shaped as PlayFab's GetPlayerCombinedInfoResultPayload."""
    return {"UserDataVersion": 0, "UserReadOnlyDataVersion": 0}
