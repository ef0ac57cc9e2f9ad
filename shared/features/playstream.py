"""The event log's writer: PlayStream's envelope, the stream each entity's events go to, and the events
the backend records for its own writes (`specs/PlayStreamEventModels.json`).

The event endpoints (shared/features/events.py) append through `append`; feature modules call `record`
after a write has landed. Reading back: Admin/ext-ReadEvents. Recording is best effort: an event that
cannot be stored never fails the write it describes; it is logged (`playfab.events`) and dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER, Caller
from shared.auth.logins import LoginKind
from shared.config.clock import iso, now
from shared.services import Services
from shared.storage import InvalidContinuation
from shared.storage.layout import ENTITIES, PROFILE_DOC, STREAM_PLAYER, STREAM_TITLE, entity_pk, event_stream
from shared.wire.errors import PlayFabError

# PlayStream's entity types for the classic events (PlayStreamEventModels.json groups them so).
PLAYER: Final = "player"
CHARACTER: Final = "character"
TITLE: Final = "title"
DAY_SECONDS: Final = 86_400
NAMESPACE: Final = "com.playfab"  # PlayStream's namespace for PlayFab's own events

log = logging.getLogger("playfab.events")


def new_event_id() -> str:
    return uuid.uuid4().hex


def source_type(caller: Caller | None) -> str:
    """PlayStream's SourceType: the caller's kind, or the backend itself."""
    if caller is None:
        return "BackEnd"
    return "GameServer" if caller.is_title else "GameClient"


def envelope(
    services: Services,
    *,
    name: str,
    namespace: str,
    entity_type: str,
    entity_id: str,
    caller: Caller | None,
    at: float,
) -> dict[str, Any]:
    return {
        "EventId": new_event_id(),
        "EventName": name,
        "EventNamespace": namespace,
        "EntityType": entity_type,
        "EntityId": entity_id,
        "TitleId": services.settings.title_id,
        "Timestamp": iso(at),
        "SourceType": source_type(caller),
        "Source": "PlayFab" if caller is None or caller.is_title else (caller.playfab_id or ""),
    }


async def append(services: Services, streams: Mapping[str, Sequence[dict[str, Any]]]) -> None:
    """One batch into the event log, kept for EVENTS_RETENTION_DAYS."""
    expires = now() + services.settings.events_retention_days * DAY_SECONDS
    await services.store.append_events(streams, expires)


async def owner_stream(services: Services, entity_type: str, entity_id: str) -> str | None:
    """The stream an entity's events go to; None for an entity this store does not hold."""
    if entity_type == PLAYER:
        return event_stream(STREAM_PLAYER, entity_id)
    if entity_type in (TITLE, ENTITY_TITLE):
        return event_stream(STREAM_TITLE, entity_id) if entity_id == services.settings.title_id else None
    if entity_type in (ENTITY_TITLE_PLAYER, ENTITY_CHARACTER):
        doc = await services.store.read(ENTITIES, entity_pk(entity_type, entity_id), PROFILE_DOC)
        owner = doc.body.get("PlayFabId") if doc else None
        return event_stream(STREAM_PLAYER, owner) if isinstance(owner, str) else None
    return None


async def record(
    services: Services,
    *,
    name: str,
    entity_type: str,
    entity_id: str,
    body: Mapping[str, Any],
    namespace: str = NAMESPACE,
) -> None:
    """Record PlayStream event `name` (e.g. "player_statistic_changed") about one entity.

    `entity_type` is PlayStream's ("player", "character", "title", "title_player_account"); `body` holds
    the event model's own fields, without the envelope (EventName, EventNamespace, EntityType, EntityId,
    Source, SourceType, TitleId, Timestamp, EventId), which `record` adds.
    """
    await _record_all(services, entity_type, entity_id, [(name, namespace, body)])


async def _record_all(
    services: Services, entity_type: str, entity_id: str, named: Sequence[tuple[str, str, Mapping[str, Any]]]
) -> None:
    """Events about one entity as one batch (one write), best effort."""
    try:
        stream = await owner_stream(services, entity_type, entity_id)
        if stream is None:
            log.warning("PlayStream event %s: no stream for a %s entity; not recorded", named[0][0], entity_type)
            return
        at, batch = now(), []
        for name, namespace, body in named:
            event = envelope(
                services,
                name=name,
                namespace=namespace,
                entity_type=entity_type,
                entity_id=entity_id,
                caller=None,
                at=at,
            )
            if entity_type == PLAYER:
                event["PlayFabId"] = entity_id
            event["Body"] = {"TitleId": services.settings.title_id, **body}
            batch.append(event)
        await append(services, {stream: batch})
    except Exception as exc:  # best effort: the write this describes has landed and stays answered as done
        log.warning("PlayStream event %s not recorded: %s", named[0][0], type(exc).__name__)


# PlayStream's LoginIdentityProvider for each kind of login identity.
PROVIDERS: Final[Mapping[LoginKind, str]] = {
    LoginKind.CUSTOM_ID: "Custom",
    LoginKind.ANDROID_DEVICE_ID: "AndroidDevice",
    LoginKind.IOS_DEVICE_ID: "IOSDevice",
    LoginKind.SERVER_CUSTOM_ID: "CustomServer",
    LoginKind.USERNAME: "PlayFab",
    LoginKind.EMAIL: "PlayFab",
}


async def logged_in(services: Services, account: Mapping[str, Any], created: bool, kind: LoginKind | None) -> None:
    """player_created (for a new player) and player_logged_in, after a login has succeeded."""
    named: list[tuple[str, str, Mapping[str, Any]]] = []
    if created:
        created_at = account.get("Created")
        named.append(
            ("player_created", NAMESPACE, {"Created": iso(created_at)} if isinstance(created_at, float) else {})
        )
    platform = {"Platform": PROVIDERS[kind]} if kind is not None and kind in PROVIDERS else {}
    named.append(("player_logged_in", NAMESPACE, platform))
    await _record_all(services, PLAYER, account["PlayFabId"], named)  # one write for both


async def linked_account(services: Services, playfab_id: str, kind: LoginKind, value: str) -> None:
    body = {"Origination": PROVIDERS[kind], "OriginationUserId": value}
    await record(services, name="player_linked_account", entity_type=PLAYER, entity_id=playfab_id, body=body)


async def unlinked_account(services: Services, playfab_id: str, kind: LoginKind, value: str) -> None:
    body = {"Origination": PROVIDERS[kind], "OriginationUserId": value}
    await record(services, name="player_unlinked_account", entity_type=PLAYER, entity_id=playfab_id, body=body)


# Pages of one stream a filtered read may take while skipping records it does not want, so a read for a
# rare entity or key is bounded; it then answers what it found and where to go on.
MAX_FILTERED_READS: Final = 20


async def read_matching(
    services: Services,
    stream: str,
    count: int,
    token: str | None,
    keep: Callable[[dict[str, Any]], bool],
    found: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `count` records of `stream` that `keep` accepts (after `found`), newest first, and the
    continuation where the next page starts (None at the end). A token this store did not hand out is
    PlayFab's InvalidContinuationToken."""
    found = list(found or [])
    try:
        for _ in range(MAX_FILTERED_READS):
            page = await services.store.read_events(stream, count - len(found), token)
            token = page.continuation
            found += [record for record in page.events if keep(record)]
            if len(found) >= count or token is None:
                break
    except InvalidContinuation:
        raise PlayFabError(
            "InvalidContinuationToken",
            "The continuation token is not one this call handed out.",
            {"ContinuationToken": ["not a token of this call"]},
        ) from None
    return found, token
