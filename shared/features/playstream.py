"""PlayStream events the backend records for its own writes (`specs/PlayStreamEventModels.json`).

Feature modules call `record` after a write has landed; the event store behind it keeps them for the
operations side. Recording is best effort: an event that cannot be stored never fails the write it
describes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.services import Services


async def record(
    services: Services,
    *,
    name: str,
    entity_type: str,
    entity_id: str,
    body: Mapping[str, Any],
    namespace: str = "com.playfab",
) -> None:
    """Record PlayStream event `name` (e.g. "player_statistic_changed") about one entity.

    `entity_type` is PlayStream's ("player", "character", "title", "title_player_account"); `body` holds
    the event model's own fields, without the envelope (EventName, EventNamespace, EntityType, EntityId,
    Source, SourceType, TitleId, Timestamp, EventId), which `record` adds.
    """
    # The event store is not built yet: nothing is kept.
    del services, name, entity_type, entity_id, body, namespace
