"""Events: the Write*Event calls, Event/WriteEvents, and reading events back (an Admin extension).

Every event lands in the store's event log (BaseStore.append_events) in its owner's stream
(shared/storage/layout.py, `event_stream`): a player's stream holds the events about the player, its
title_player_account entity and its characters; the title's stream the title's. Each call's events are
one batch, appended whole or not at all, after every event of it has passed every check.

Stored events carry PlayStream's envelope: EventId, EventName, EventNamespace, EntityType, EntityId,
TitleId, Timestamp, SourceType, and the custom fields under Body (Write*Event and the backend's own
events, shared/features/playstream.py) or Payload (WriteEvents), so they never collide with the envelope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.auth.accounts import require_account
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER, Auth, Caller
from shared.config import rate_windows
from shared.config.clock import iso, now
from shared.features import characters, playstream
from shared.features.objects import MAX_DEPTH
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.base import MAX_DOCUMENT_BYTES
from shared.storage.layout import (
    STREAM_PLAYER,
    STREAM_TITLE,
    event_stream,
)
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.jsontext import depth, dumps_bytes, reject_constant
from shared.wire.validation import (
    MAX_EVENTS_PER_READ,
    EventContents,
    ReadEventsRequest,
    WriteClientCharacterEventRequest,
    WriteClientPlayerEventRequest,
    WriteEventsRequest,
    WriteServerCharacterEventRequest,
    WriteServerPlayerEventRequest,
    WriteTitleEventRequest,
)

# An event name: letters, digits and underscores (PlayFab's subject_verb_object convention), up to 64.
EVENT_NAME: Final = re.compile(r"^[A-Za-z0-9_]{1,64}$")
# WriteEvents takes only the title's own namespaces: "custom" or "custom.<anything>" (PlayFab's rule).
CUSTOM_NAMESPACE: Final = "custom"
MAX_NAMESPACE_CHARS: Final = 128
DEFAULT_READ_COUNT: Final = 100
# A read with an entity filter looks at most this many pages of its stream before answering with what
# it found and a continuation, so one call's work is bounded however few of the events match.
# What a batch's record may hold, leaving room for the store's own fields.
MAX_BATCH_BYTES: Final = MAX_DOCUMENT_BYTES - 50_000


def _size(value: Any) -> int:
    return len(dumps_bytes(value))


# --- Write*Event: one classic event about the player, one of its characters, or the title ---


def _classic_checks(services: Services, req: WriteClientPlayerEventRequest) -> None:
    if not EVENT_NAME.match(req.EventName):
        raise PlayFabError(
            "InvalidEventField",
            "The event name must be 1 to 64 letters, digits or underscores.",
            {"EventName": ["must match ^[A-Za-z0-9_]{1,64}$"]},
        )
    limit = services.settings.event_max_body_bytes
    for field, value in (("Body", req.Body), ("CustomTags", req.CustomTags)):
        if value is not None and _size(value) > limit:
            raise PlayFabError(
                "InvalidEventField",
                f"The event's {field} is larger than {limit} bytes.",
                {field: [f"at most {limit} bytes as JSON"]},
            )
    if req.Body is not None and depth(req.Body) > MAX_DEPTH:
        raise PlayFabError(
            "InvalidEventField",
            f"The event's Body is nested deeper than {MAX_DEPTH} levels.",
            {"Body": [f"at most {MAX_DEPTH} levels deep"]},
        )


async def _write_classic(
    services: Services,
    caller: Caller,
    req: WriteClientPlayerEventRequest,
    *,
    stream: str,
    entity_type: str,
    entity_id: str,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    event = playstream.envelope(
        services,
        name=req.EventName,
        namespace="com.playfab.events.custom",
        entity_type=entity_type,
        entity_id=entity_id,
        caller=caller,
        at=req.Timestamp if req.Timestamp is not None else now(),
    )
    event.update(extra)
    event["Body"] = dict(req.Body or {})
    if req.CustomTags:
        event["CustomTags"] = dict(req.CustomTags)
    await playstream.append(services, {stream: [event]})
    return {"EventId": event["EventId"]}


async def _client_player_event(
    services: Services, caller: Caller, req: WriteClientPlayerEventRequest
) -> dict[str, Any]:
    _classic_checks(services, req)
    playfab_id = caller.playfab_id
    assert playfab_id
    return await _write_classic(
        services,
        caller,
        req,
        stream=event_stream(STREAM_PLAYER, playfab_id),
        entity_type=playstream.PLAYER,
        entity_id=playfab_id,
        extra={"PlayFabId": playfab_id},
    )


async def _server_player_event(
    services: Services, caller: Caller, req: WriteServerPlayerEventRequest
) -> dict[str, Any]:
    _classic_checks(services, req)
    await require_account(services.store, req.PlayFabId)
    return await _write_classic(
        services,
        caller,
        req,
        stream=event_stream(STREAM_PLAYER, req.PlayFabId),
        entity_type=playstream.PLAYER,
        entity_id=req.PlayFabId,
        extra={"PlayFabId": req.PlayFabId},
    )


async def _character_event(
    services: Services, caller: Caller, req: WriteClientCharacterEventRequest, playfab_id: str
) -> dict[str, Any]:
    _classic_checks(services, req)
    await characters.require(services.store, playfab_id, req.CharacterId)  # AccountNotFound, CharacterNotFound
    return await _write_classic(
        services,
        caller,
        req,
        stream=event_stream(STREAM_PLAYER, playfab_id),
        entity_type=playstream.CHARACTER,
        entity_id=req.CharacterId,
        extra={"PlayFabId": playfab_id, "CharacterId": req.CharacterId},
    )


async def _client_character_event(
    services: Services, caller: Caller, req: WriteClientCharacterEventRequest
) -> dict[str, Any]:
    assert caller.playfab_id
    return await _character_event(services, caller, req, caller.playfab_id)


async def _server_character_event(
    services: Services, caller: Caller, req: WriteServerCharacterEventRequest
) -> dict[str, Any]:
    return await _character_event(services, caller, req, req.PlayFabId)


async def _title_event(services: Services, caller: Caller, req: WriteTitleEventRequest) -> dict[str, Any]:
    _classic_checks(services, req)
    title_id = services.settings.title_id
    extra = {} if caller.is_title or caller.playfab_id is None else {"PlayFabId": caller.playfab_id}
    return await _write_classic(
        services,
        caller,
        req,
        stream=event_stream(STREAM_TITLE, title_id),
        entity_type=playstream.TITLE,
        entity_id=title_id,
        extra=extra,
    )


# --- Event/WriteEvents: a batch of entity events, whole or refused whole ---


def _contents_error(index: int, message: str) -> PlayFabError:
    return PlayFabError("InvalidEventContents", message, {f"Events[{index}]": [message]})


def _not_allowed(index: int, entity_type: str, entity_id: str) -> PlayFabError:
    return PlayFabError(
        "EventEntityNotAllowed",
        f"The caller may not write events about {entity_type} {entity_id}.",
        {f"Events[{index}].Entity": ["not the caller's entity"]},
    )


@dataclass(frozen=True)
class _Target:
    type: str
    id: str


async def _stream_for(services: Services, caller: Caller, index: int, target: _Target) -> str:
    """The stream an event about `target` goes to, if the caller may write it: a player its own entity and
    characters, a character itself, the title any entity of its own."""
    own = (caller.entity_type, caller.entity_id) == (target.type, target.id)
    if target.type not in (ENTITY_TITLE_PLAYER, ENTITY_CHARACTER, ENTITY_TITLE):
        raise _not_allowed(index, target.type, target.id)
    if own and caller.playfab_id is not None:
        return event_stream(STREAM_PLAYER, caller.playfab_id)
    may_try = caller.is_title or own or (caller.entity_type == ENTITY_TITLE_PLAYER and target.type == ENTITY_CHARACTER)
    if not may_try:
        raise _not_allowed(index, target.type, target.id)
    stream = await playstream.owner_stream(services, target.type, target.id)
    if stream is None or not (caller.is_title or stream == event_stream(STREAM_PLAYER, caller.playfab_id or "")):
        raise _not_allowed(index, target.type, target.id)
    return stream


def _payload(services: Services, index: int, contents: EventContents) -> Any:
    if contents.Payload is not None and contents.PayloadJSON is not None:
        raise _contents_error(index, "Only one of Payload or PayloadJSON is allowed.")
    limit = services.settings.event_max_body_bytes
    if contents.PayloadJSON is not None:
        if len(contents.PayloadJSON.encode("utf-8")) > limit:
            raise _contents_error(index, f"The payload is larger than {limit} bytes.")
        try:
            payload = json.loads(contents.PayloadJSON, parse_constant=reject_constant)
        except (ValueError, RecursionError):
            raise PlayFabError(
                "InvalidJSONContent",
                "PayloadJSON is not valid JSON.",
                {f"Events[{index}].PayloadJSON": ["not valid JSON"]},
            ) from None
    else:
        payload = contents.Payload
        if payload is not None and _size(payload) > limit:
            raise _contents_error(index, f"The payload is larger than {limit} bytes.")
    if depth(payload) > MAX_DEPTH:
        raise _contents_error(index, f"The payload is nested deeper than {MAX_DEPTH} levels.")
    return payload


def _check_names(index: int, contents: EventContents) -> None:
    namespace = contents.EventNamespace
    if not (namespace == CUSTOM_NAMESPACE or namespace.startswith(CUSTOM_NAMESPACE + ".")) or (
        len(namespace) > MAX_NAMESPACE_CHARS
    ):
        raise PlayFabError(
            "EventNamespaceNotAllowed",
            "The namespace of an event must be 'custom' or start with 'custom.'.",
            {f"Events[{index}].EventNamespace": [namespace[:MAX_NAMESPACE_CHARS]]},
        )
    if not EVENT_NAME.match(contents.Name):
        raise _contents_error(index, "An event name must be 1 to 64 letters, digits or underscores.")


async def _write_events(services: Services, caller: Caller, req: WriteEventsRequest) -> dict[str, Any]:
    most = services.settings.events_max_per_batch
    if len(req.Events) > most:
        raise invalid_params("Events", f"at most {most} events per request")
    at = now()
    streams: dict[str, list[dict[str, Any]]] = {}
    ids: list[str] = []
    size = 0
    known: dict[_Target, str] = {}
    for index, contents in enumerate(req.Events):
        _check_names(index, contents)
        payload = _payload(services, index, contents)
        if contents.Entity is None:
            assert caller.entity_type and caller.entity_id
            target = _Target(caller.entity_type, caller.entity_id)
        else:
            target = _Target(contents.Entity.type_name() or "", contents.Entity.Id)
        if target not in known:
            known[target] = await _stream_for(services, caller, index, target)
        event = playstream.envelope(
            services,
            name=contents.Name,
            namespace=contents.EventNamespace,
            entity_type=target.type,
            entity_id=target.id,
            caller=caller,
            at=at,
        )
        if caller.playfab_id is not None:
            event["PlayFabId"] = caller.playfab_id
        if contents.OriginalId is not None:
            event["OriginalId"] = contents.OriginalId
        if contents.OriginalTimestamp is not None:
            event["OriginalTimestamp"] = iso(contents.OriginalTimestamp)
        tags = {**(contents.CustomTags or {}), **(req.CustomTags or {})}  # the request's tags are not overridden
        if _size(tags) > services.settings.event_max_body_bytes:
            raise _contents_error(index, f"CustomTags are larger than {services.settings.event_max_body_bytes} bytes.")
        if tags:
            event["CustomTags"] = tags
        event["Payload"] = payload
        size += _size(event)
        if size > MAX_BATCH_BYTES:
            raise _contents_error(index, f"The events of one request may hold at most {MAX_BATCH_BYTES} bytes.")
        streams.setdefault(known[target], []).append(event)
        ids.append(event["EventId"])
    await playstream.append(services, streams)
    return {"AssignedEventIds": ids}


# --- Admin/ext-ReadEvents: this project's extension, reading a player's or an entity's events back ---


async def _read_events(services: Services, caller: Caller, req: ReadEventsRequest) -> dict[str, Any]:
    if (req.PlayFabId is None) == (req.Entity is None):
        raise invalid_params("PlayFabId", "name either PlayFabId or Entity")
    count = req.Count or DEFAULT_READ_COUNT
    match: tuple[str, str] | None = None
    if req.PlayFabId is not None:
        await require_account(services.store, req.PlayFabId)
        stream = event_stream(STREAM_PLAYER, req.PlayFabId)
    else:
        assert req.Entity is not None
        entity_type, entity_id = req.Entity.type_name() or "", req.Entity.Id
        owner = await playstream.owner_stream(services, entity_type, entity_id)
        if owner is None:
            raise PlayFabError(
                "ProfileDoesNotExist",
                f"There is no {entity_type} entity with id {entity_id}.",
                {"Entity": [f"{entity_type} {entity_id} does not exist"]},
            )
        stream = owner
        if entity_type != ENTITY_TITLE:
            match = (entity_type, entity_id)
    found, token = await playstream.read_matching(
        services,
        stream,
        count,
        req.ContinuationToken,
        lambda e: match is None or (e.get("EntityType"), e.get("EntityId")) == match,
    )
    result: dict[str, Any] = {"Events": found}
    if token is not None:
        result["ContinuationToken"] = token
    return result


assert DEFAULT_READ_COUNT <= MAX_EVENTS_PER_READ

client_write_player_event = Operation(
    Auth.SESSION, WriteClientPlayerEventRequest, _client_player_event, rate_limit=rate_windows.EVENTS
)
server_write_player_event = Operation(
    Auth.SECRET, WriteServerPlayerEventRequest, _server_player_event, rate_limit=rate_windows.EVENTS
)
client_write_character_event = Operation(
    Auth.SESSION, WriteClientCharacterEventRequest, _client_character_event, rate_limit=rate_windows.EVENTS
)
server_write_character_event = Operation(
    Auth.SECRET, WriteServerCharacterEventRequest, _server_character_event, rate_limit=rate_windows.EVENTS
)
client_write_title_event = Operation(Auth.SESSION, WriteTitleEventRequest, _title_event, rate_limit=rate_windows.EVENTS)
server_write_title_event = Operation(Auth.SECRET, WriteTitleEventRequest, _title_event, rate_limit=rate_windows.EVENTS)
write_events = Operation(Auth.ENTITY, WriteEventsRequest, _write_events, rate_limit=rate_windows.EVENTS)
read_events = Operation(Auth.SECRET, ReadEventsRequest, _read_events)
