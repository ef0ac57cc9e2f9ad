"""Object/SetObjects and Object/GetObjects: small JSON objects on an entity's profile, with its ProfileVersion.

Objects are stored as compact JSON text, so what comes back is exactly what went in on every store
(numbers keep all their digits, keys their order). A SetObjects call is one conditional update of the
profile document: every object lands, or none does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from shared.auth.caller import ENTITY_TITLE, Auth, Caller
from shared.auth.entities import (
    Entity,
    may_read_objects,
    may_try_write,
    may_write,
    named,
    new_title_profile,
    not_authorized,
    require_profile,
)
from shared.config.clock import now
from shared.config.rate_windows import ENTITY_UPDATES
from shared.config.settings import Settings
from shared.features import idempotency, key_history, playstream
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.layout import ENTITIES, HISTORY_PLAYER, HISTORY_TITLE, PROFILE_DOC, entity_pk, history_stream
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.jsontext import depth, reject_constant
from shared.wire.validation import GetObjectsRequest, SetObject, SetObjectsRequest

_NAME = re.compile(r"[A-Za-z0-9()_.\-]+")


@dataclass(frozen=True)
class Change:
    name: str
    text: str | None  # compact JSON; None removes the object


def limits(settings: Settings, entity: Entity) -> tuple[int, int]:
    """(objects per entity, bytes per object)."""
    if entity.type == ENTITY_TITLE:
        return settings.title_object_count, settings.title_object_bytes
    return settings.player_object_count, settings.player_object_bytes


def _bad_json(field_name: str, why: str) -> PlayFabError:
    return PlayFabError("InvalidJSONContent", f"{field_name}: {why}", {field_name: [why]})


def _value(obj: SetObject, where: str) -> tuple[Any, str]:
    """The JSON value an entry asks to store (None: remove the object), and the field it came from."""
    escaped = obj.EscapedDataObject
    if obj.DeleteObject:
        if obj.DataObject is not None or escaped:
            raise invalid_params(where, "DeleteObject cannot be combined with DataObject or EscapedDataObject")
        return None, "DeleteObject"
    if obj.DataObject is not None and escaped is not None:
        raise invalid_params(where, "give only one of DataObject and EscapedDataObject")
    if escaped is None:
        return obj.DataObject, "DataObject"
    try:
        return json.loads(escaped, parse_constant=reject_constant), "EscapedDataObject"
    except (ValueError, RecursionError):
        raise _bad_json(f"{where}.EscapedDataObject", "not valid JSON") from None


# Deeper values are refused: every read parses and renders objects again, on whatever stack it has.
MAX_DEPTH = 64


def _text(value: Any, where: str, max_bytes: int) -> str:
    """Compact JSON text of a value, within the size and depth limits."""
    if depth(value) > MAX_DEPTH:
        raise _bad_json(where, f"nested deeper than {MAX_DEPTH} levels")
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        size = len(text.encode("utf-8"))
    except (ValueError, RecursionError, UnicodeEncodeError):
        raise _bad_json(where, "numbers must be finite and strings valid Unicode") from None
    if size > max_bytes:
        raise PlayFabError(
            "EntityProfileConstraintValidationFailed",
            f"{where} is {size} bytes of JSON; an object holds at most {max_bytes}.",
            {where: [f"{size} bytes, at most {max_bytes}"]},
        )
    return text


def plan(settings: Settings, entity: Entity, objects: list[SetObject]) -> list[Change]:
    """Check every entry before anything is read or written."""
    _, max_bytes = limits(settings, entity)
    changes: list[Change] = []
    seen: set[str] = set()
    for i, obj in enumerate(objects):
        where, name = f"Objects.{i}", obj.ObjectName
        if len(name) > settings.object_name_max_chars or not _NAME.fullmatch(name):
            raise invalid_params(
                f"{where}.ObjectName",
                f"1 to {settings.object_name_max_chars} of the characters A-Z a-z 0-9 ( ) _ - .",
            )
        if name in seen:
            raise invalid_params(f"{where}.ObjectName", f"{name} is named twice")
        seen.add(name)
        value, source = _value(obj, where)
        changes.append(Change(name, None if value is None else _text(value, f"{where}.{source}", max_bytes)))
    return changes


def _result(name: str, outcome: str, reason: str | None = None) -> dict[str, str]:
    result = {"ObjectName": name, "SetResult": outcome}
    if reason:
        result["OperationReason"] = reason
    return result


@dataclass
class _Outcome:
    results: list[dict[str, str]] = field(default_factory=list)
    version: int = 0


def _apply(
    body: dict[str, Any],
    changes: list[Change],
    max_count: int,
    out: _Outcome,
) -> bool:
    """Apply the changes to a profile body in place; True if anything changed."""
    objects: dict[str, str] = body.setdefault("Objects", {})
    count_before = len(objects)
    out.results = []
    for change in changes:
        current = objects.get(change.name)
        if change.text is None:
            if current is None:
                out.results.append(_result(change.name, "None", "No such object to delete"))
                continue
            del objects[change.name]
            out.results.append(_result(change.name, "Deleted"))
        elif current == change.text:
            out.results.append(_result(change.name, "None", "The stored value is the same"))
        else:
            objects[change.name] = change.text
            out.results.append(_result(change.name, "Created" if current is None else "Updated"))
    if len(objects) > max_count and len(objects) > count_before:
        raise PlayFabError(
            "EntityProfileConstraintValidationFailed",
            f"The entity would hold {len(objects)} objects; it may hold at most {max_count}.",
            {"Objects": [f"{len(objects)} objects, at most {max_count}"]},
        )
    return any(r["SetResult"] != "None" for r in out.results)


async def _set_objects(services: Services, caller: Caller, req: SetObjectsRequest) -> dict[str, Any]:
    entity = named(req.Entity, caller)
    if not may_try_write(caller, entity):
        raise not_authorized(entity, "write")
    changes = plan(services.settings, entity, req.Objects)
    max_count, _ = limits(services.settings, entity)
    at, out = now(), _Outcome()

    def mutation(body: dict[str, Any] | None) -> dict[str, Any] | None:
        # Pure: the store may run it again on a fresh copy if another writer got there first.
        # Only the title's profile is made here (new_title_profile refuses any other entity).
        profile = body if body is not None else new_title_profile(services.settings, entity, at)
        if not may_write(caller, entity, profile):
            raise not_authorized(entity, "write")
        version = int(profile.get("ProfileVersion", 0))
        if req.ExpectedProfileVersion is not None and req.ExpectedProfileVersion != version:
            raise PlayFabError(
                "EntityProfileVersionMismatch",
                f"ExpectedProfileVersion is {req.ExpectedProfileVersion} but the profile is at version {version}.",
                {"ProfileVersion": [str(version)]},
            )
        changed = _apply(profile, changes, max_count, out)
        out.version = version + 1 if changed else version
        if not changed:
            return None
        profile["ProfileVersion"] = out.version
        return profile

    attempt = idempotency.begin(services, caller, "Object/SetObjects", req)

    def answer_of(_: dict[str, Any]) -> dict[str, Any]:
        return {"ProfileVersion": out.version, "SetResults": list(out.results)}

    history = key_history.Recorder(services, caller, objects_target(entity.type, entity.id))
    keyed = idempotency.wrap(attempt, history.wrap(mutation), answer_of)
    await history.after(await services.store.update(ENTITIES, entity.pk, PROFILE_DOC, keyed))
    texts = {change.name: change.text for change in changes}
    done = [
        {"Name": r["ObjectName"], "Operation": r["SetResult"], **_data_object(texts.get(r["ObjectName"]))}
        for r in out.results
        if r["SetResult"] != "None"
    ]
    if done:
        await playstream.record(
            services, name="entity_objects_set", entity_type=entity.type, entity_id=entity.id, body={"Objects": done}
        )
    return idempotency.answer(attempt, lambda: answer_of({}))


def objects_target(entity_type: str, entity_id: str) -> key_history.Target:
    """An entity's objects, as their key history names them; a player's entities' go to the player's history."""

    def stream(body: dict[str, Any]) -> str:
        owner = body.get("PlayFabId")
        if isinstance(owner, str):
            return history_stream(HISTORY_PLAYER, owner)
        return history_stream(HISTORY_TITLE, entity_id)

    return key_history.Target(
        name="Objects",
        subject={"Entity": {"Type": entity_type, "Id": entity_id}},
        container=ENTITIES,
        pk=entity_pk(entity_type, entity_id),
        doc_id=PROFILE_DOC,
        stream=stream,
        values=key_history.plain("Objects"),
        version=lambda body: int(body.get("ProfileVersion", 0)),
    )


def _data_object(text: str | None) -> dict[str, Any]:
    return {} if text is None else {"DataObject": json.loads(text)}


def render(stored: dict[str, str], as_object: bool) -> dict[str, dict[str, Any]]:
    """Stored objects as ObjectResult / EntityDataObject: parsed, or as the escaped JSON string."""
    key = "DataObject" if as_object else "EscapedDataObject"
    return {name: {"ObjectName": name, key: json.loads(text) if as_object else text} for name, text in stored.items()}


async def _get_objects(services: Services, caller: Caller, req: GetObjectsRequest) -> dict[str, Any]:
    entity = named(req.Entity, caller)
    profile = await require_profile(services.store, services.settings, entity)
    if not may_read_objects(caller, entity, profile):
        raise not_authorized(entity, "read")
    return {
        "Entity": entity.key(),
        "ProfileVersion": int(profile.get("ProfileVersion", 0)),
        "Objects": render(profile.get("Objects", {}), as_object=not req.EscapeObject),
    }


set_objects = Operation(Auth.ENTITY, SetObjectsRequest, _set_objects, rate_limit=ENTITY_UPDATES)
get_objects = Operation(Auth.ENTITY, GetObjectsRequest, _get_objects)
