"""PlayStream events the backend records for its own writes (`specs/PlayStreamEventModels.json`).

Feature modules call `record` after a write has landed; the event store behind it keeps them for the
operations side (read back with Admin/ext-ReadEvents). Recording is best effort: an event that cannot
be stored never fails the write it describes; it is logged (`playfab.events`) and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from shared.config.clock import now
from shared.features import events
from shared.services import Services

log = logging.getLogger("playfab.events")


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
    try:
        stream = await events.owner_stream(services, entity_type, entity_id)
        if stream is None:
            log.warning("PlayStream event %s: no stream for a %s entity; not recorded", name, entity_type)
            return
        event = events.envelope(
            services,
            name=name,
            namespace=namespace,
            entity_type=entity_type,
            entity_id=entity_id,
            caller=None,
            at=now(),
        )
        if entity_type == events.PLAYER:
            event["PlayFabId"] = entity_id
        event["Body"] = {"TitleId": services.settings.title_id, **body}
        await events.append(services, {stream: [event]})
    except Exception as exc:  # best effort: the write this describes has landed and stays answered as done
        log.warning("PlayStream event %s not recorded: %s", name, type(exc).__name__)
