"""Player custom properties: a few named strings, numbers and booleans per player, with a PropertiesVersion.

One document per player (`CUSTOM_PROPERTIES_DOC` in the player's partition) holds
{"PropertiesVersion": n, "Properties": {name: value}}. An update or delete is one `store.update` of that
document, so the ExpectedPropertiesVersion check and the write are one atomic step: of callers expecting
the same version, one lands and the others get PlayerCustomPropertiesVersionMismatch with the version
they lost to. Every name and value is checked before the document is read, and the count per player
inside the same step, before anything is written. The version moves only when a call changes what is
stored, and the document stays (empty) when the last property goes, so a version is never reused.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.config.rate_windows import PLAYER_CUSTOM_PROPERTIES
from shared.config.settings import Settings
from shared.features import idempotency, key_history, playstream
from shared.features.custom_data import utf16_units
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Mutation
from shared.storage.layout import CUSTOM_PROPERTIES_DOC, HISTORY_PLAYER, PLAYERS, history_stream
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    ClientDeletePlayerCustomPropertiesRequest,
    ClientGetPlayerCustomPropertyRequest,
    ClientListPlayerCustomPropertiesRequest,
    ClientUpdatePlayerCustomPropertiesRequest,
    DeletePlayerCustomPropertiesRequest,
    GetPlayerCustomPropertyRequest,
    ListPlayerCustomPropertiesRequest,
    Request,
    UpdatePlayerCustomPropertiesRequest,
    UpdateProperty,
)

Value = str | int | float | bool
# Numbers are IEEE 754 doubles at PlayFab: whole ones a double holds exactly are written as integers.
_EXACT_INTEGER: Final = 2**53
# .NET's char.IsLetterOrDigit: the letter categories and decimal digits.
_NAME_CATEGORIES: Final = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


@dataclass(frozen=True)
class Limits:
    count: int  # properties one player may hold; also names one call may carry
    name_chars: int  # UTF-16 code units of a name
    value_chars: int  # UTF-16 code units of a string value


def limits(settings: Settings) -> Limits:
    return Limits(
        settings.player_custom_property_count,
        settings.player_custom_property_name_max_chars,
        settings.player_custom_property_value_max_chars,
    )


def _error(name: str, message: str, where: str, detail: str) -> PlayFabError:
    return PlayFabError(name, message, {where: [detail]})


def _too_many(count: int, limit: Limits, where: str) -> PlayFabError:
    return _error(
        "PlayerCustomPropertiesPropertyCountTooHigh",
        f"A player may hold at most {limit.count} custom properties.",
        where,
        f"{count} properties, at most {limit.count}",
    )


def check_name(raw: str, where: str, limit: Limits) -> str:
    """The name as it is kept (NFC), or PlayFab's error for a name too long or not letters and digits."""
    name = unicodedata.normalize("NFC", raw)
    length = utf16_units(name)
    if length > limit.name_chars:
        raise _error(
            "PlayerCustomPropertiesPropertyNameTooLong",
            f"Custom property names are limited to {limit.name_chars} characters.",
            where,
            f"a name of {length} characters",
        )
    if not name or any(unicodedata.category(ch) not in _NAME_CATEGORIES for ch in name):
        raise _error(
            "PlayerCustomPropertiesPropertyNameIsInvalid",
            "Custom property names are made of letters and digits only.",
            where,
            "not a name of letters and digits" if name else "an empty name",
        )
    return name


def check_value(raw: Any, where: str, limit: Limits) -> Value:
    """The value as it is kept, or PlayFab's error for a string too long or a value of another type."""
    invalid = _error(
        "PlayerCustomPropertiesValueIsInvalidType",
        "Custom property values are strings, numbers or booleans.",
        where,
        "not a string, finite number or boolean" if raw is not None else "null",
    )
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        length = utf16_units(raw)
        if length > limit.value_chars:
            raise _error(
                "PlayerCustomPropertiesStringPropertyValueTooLong",
                f"Custom property string values are limited to {limit.value_chars} characters.",
                where,
                f"a string of {length} characters",
            )
        return raw
    if isinstance(raw, int):
        try:
            return _as_double(raw)
        except OverflowError:
            raise invalid from None
    if isinstance(raw, float) and math.isfinite(raw):
        return _as_double(raw)
    raise invalid


def _as_double(value: Value) -> Value:
    """A number as the double PlayFab keeps: a whole one a double holds exactly as an integer (5.0 is 5),
    a larger integer as the nearest double. Stored values pass through here too, as a store may give a
    number back in the other form (the Cosmos DB emulator writes 5.0 as 5 and 2.0**60 as its digits)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -_EXACT_INTEGER <= value <= _EXACT_INTEGER:
        return float(value)
    if isinstance(value, float) and value.is_integer() and -_EXACT_INTEGER <= value <= _EXACT_INTEGER:
        return int(value)
    return value


def _kept(properties: dict[str, Value]) -> dict[str, Value]:
    return {name: _as_double(value) for name, value in properties.items()}


def _no_repeats(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise _error(
                "PlayerCustomPropertiesDuplicatePropertyName",
                f"The custom property {name} is named more than once.",
                f"{where}.{i}",
                f"{name} is named twice",
            )
        seen.add(name)


def plan_update(properties: list[UpdateProperty], limit: Limits) -> dict[str, Value]:
    """Check an update's every name and value before anything is read or written."""
    if len(properties) > limit.count:
        raise _too_many(len(properties), limit, "Properties")
    names = [check_name(p.Name, f"Properties.{i}.Name", limit) for i, p in enumerate(properties)]
    _no_repeats(names, "Properties")
    values = [check_value(p.Value, f"Properties.{i}.Value", limit) for i, p in enumerate(properties)]
    return dict(zip(names, values, strict=True))


def plan_delete(property_names: list[str], limit: Limits) -> list[str]:
    if len(property_names) > limit.count:
        raise PlayFabError(
            "InvalidParams",
            "Invalid input parameters",
            {"PropertyNames": [f"The field PropertyNames may name at most {limit.count} properties."]},
        )
    names = [check_name(raw, f"PropertyNames.{i}", limit) for i, raw in enumerate(property_names)]
    _no_repeats(names, "PropertyNames")
    return names


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _version_of(body: dict[str, Any] | None, expected: int | None) -> int:
    version = int(body["PropertiesVersion"]) if body else 0
    if expected is not None and expected != version:
        raise PlayFabError(
            "PlayerCustomPropertiesVersionMismatch",
            f"ExpectedPropertiesVersion is {expected} but the player's properties are at version {version}.",
            {"PropertiesVersion": [str(version)]},
        )
    return version


@dataclass
class _Outcome:
    version: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)  # PlayStream's ChangeDetails
    deleted: list[dict[str, Any]] = field(default_factory=list)  # DeletedProperties


def properties_target(playfab_id: str) -> key_history.Target:
    """A player's custom properties, as their key history names them."""
    stream = history_stream(HISTORY_PLAYER, playfab_id)
    return key_history.Target(
        name="CustomProperties",
        subject={"PlayFabId": playfab_id},
        container=PLAYERS,
        pk=playfab_id,
        doc_id=CUSTOM_PROPERTIES_DOC,
        stream=lambda _body: stream,
        values=key_history.plain("Properties"),
        version=lambda body: int(body["PropertiesVersion"]),
    )


async def _store(services: Services, caller: Caller | None, playfab_id: str, mutation: Mutation) -> None:
    """One update of the properties document, with its key history when the caller is known."""
    if caller is None:
        await services.store.update(PLAYERS, playfab_id, CUSTOM_PROPERTIES_DOC, mutation)
        return
    history = key_history.Recorder(services, caller, properties_target(playfab_id))
    await history.after(await services.store.update(PLAYERS, playfab_id, CUSTOM_PROPERTIES_DOC, history.wrap(mutation)))


async def update(
    services: Services,
    playfab_id: str,
    writes: dict[str, Value],
    expected: int | None,
    caller: Caller | None = None,
    attempt: idempotency.Attempt | None = None,
) -> int:
    """Apply a checked update atomically; the PropertiesVersion after it (the first one, for a retry)."""
    limit, out = limits(services.settings), _Outcome()

    def mutation(body: dict[str, Any] | None) -> dict[str, Any] | None:
        # Pure: the store may run it again on a fresher copy when another writer got there first.
        version = _version_of(body, expected)
        doc: dict[str, Any] = body if body is not None else {"PropertiesVersion": 0, "Properties": {}}
        stored = doc["Properties"] = _kept(doc["Properties"])
        held = len(stored)
        out.changes = []
        for name, value in writes.items():
            if name in stored and _same(stored[name], value):
                continue
            operation = "Updated" if name in stored else "Created"
            out.changes.append({"Name": name, "OperationType": operation, "Value": value})
            stored[name] = value
        if len(stored) > limit.count and len(stored) > held:
            raise _too_many(len(stored), limit, "Properties")
        out.version = version + 1 if out.changes else version
        if not out.changes:
            return None
        doc["PropertiesVersion"] = out.version
        return doc

    keyed = idempotency.wrap(attempt, mutation, lambda _: {"PropertiesVersion": out.version})
    await _store(services, caller, playfab_id, keyed)
    if attempt is not None and attempt.replayed:
        return int(idempotency.answer(attempt, dict)["PropertiesVersion"])
    await _record(services, playfab_id, out.changes)
    return out.version


async def delete(
    services: Services,
    playfab_id: str,
    names: list[str],
    expected: int | None,
    caller: Caller | None = None,
    attempt: idempotency.Attempt | None = None,
) -> _Outcome:
    out = _Outcome()

    def mutation(body: dict[str, Any] | None) -> dict[str, Any] | None:
        version = _version_of(body, expected)
        stored: dict[str, Value] = body["Properties"] if body else {}
        out.deleted = [{"Name": name, "WasDeleted": name in stored} for name in names]
        out.changes = [
            {"Name": name, "OperationType": "Deleted", "Value": stored.pop(name)} for name in names if name in stored
        ]
        out.version = version + 1 if out.changes else version
        if body is None or not out.changes:
            return None
        body["PropertiesVersion"] = out.version  # kept when empty: the next version follows this one
        return body

    def answer_of(_: dict[str, Any]) -> dict[str, Any]:
        return {"DeletedProperties": out.deleted, "PropertiesVersion": out.version}

    keyed = idempotency.wrap(attempt, mutation, answer_of)
    await _store(services, caller, playfab_id, keyed)
    if attempt is not None and attempt.replayed:
        first = idempotency.answer(attempt, dict)
        return _Outcome(int(first["PropertiesVersion"]), [], list(first["DeletedProperties"]))
    await _record(services, playfab_id, out.changes)
    return out


async def _record(services: Services, playfab_id: str, changes: list[dict[str, Any]]) -> None:
    if changes:
        await playstream.record(
            services,
            name="player_custom_properties_changed",
            entity_type="player",
            entity_id=playfab_id,
            body={"ChangeDetails": changes, "TitleId": services.settings.title_id},
        )


async def stored(services: Services, playfab_id: str) -> tuple[int, dict[str, Value]]:
    doc = await services.store.read(PLAYERS, playfab_id, CUSTOM_PROPERTIES_DOC)
    if doc is None:
        return 0, {}
    return int(doc.body["PropertiesVersion"]), _kept(doc.body["Properties"])


def _details(name: str, value: Value) -> dict[str, Any]:
    return {"Name": name, "Value": value}


# --- The operations: a Client call acts on the calling player, a Server or Admin call on PlayFabId ---


async def _owner(services: Services, caller: Caller, req: Any) -> str:
    if caller.is_title:
        await accounts.require_account(services.store, req.PlayFabId)
        return str(req.PlayFabId)
    assert caller.playfab_id
    return caller.playfab_id


def _api(caller: Caller) -> str:
    # Server and Admin share the title's secret key and its slot: both name the same write.
    return "Title" if caller.is_title else "Client"


def _answer(caller: Caller, playfab_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Only the Server and Admin results carry PlayFabId."""
    return {"PlayFabId": playfab_id, **data} if caller.is_title else data


async def _update(services: Services, caller: Caller, req: ClientUpdatePlayerCustomPropertiesRequest) -> dict[str, Any]:
    writes = plan_update(req.Properties, limits(services.settings))
    playfab_id = await _owner(services, caller, req)
    attempt = idempotency.begin(services, caller, f"{_api(caller)}/UpdatePlayerCustomProperties", req)
    version = await update(services, playfab_id, writes, req.ExpectedPropertiesVersion, caller, attempt)
    return _answer(caller, playfab_id, {"PropertiesVersion": version})


async def _delete(services: Services, caller: Caller, req: ClientDeletePlayerCustomPropertiesRequest) -> dict[str, Any]:
    names = plan_delete(req.PropertyNames, limits(services.settings))
    playfab_id = await _owner(services, caller, req)
    attempt = idempotency.begin(services, caller, f"{_api(caller)}/DeletePlayerCustomProperties", req)
    out = await delete(services, playfab_id, names, req.ExpectedPropertiesVersion, caller, attempt)
    return _answer(caller, playfab_id, {"DeletedProperties": out.deleted, "PropertiesVersion": out.version})


async def _get(services: Services, caller: Caller, req: ClientGetPlayerCustomPropertyRequest) -> dict[str, Any]:
    playfab_id = await _owner(services, caller, req)
    version, properties = await stored(services, playfab_id)
    name = unicodedata.normalize("NFC", req.PropertyName)
    if name not in properties:
        raise PlayFabError(
            "PlayerCustomPropertiesPropertyDoesNotExist",
            "The player has no custom property of that name.",
            {"PropertyName": ["no such property"]},
        )
    return _answer(caller, playfab_id, {"Property": _details(name, properties[name]), "PropertiesVersion": version})


async def _list(services: Services, caller: Caller, req: Request) -> dict[str, Any]:
    playfab_id = await _owner(services, caller, req)
    version, properties = await stored(services, playfab_id)
    listed = [_details(name, properties[name]) for name in sorted(properties)]
    return _answer(caller, playfab_id, {"Properties": listed, "PropertiesVersion": version})


_WRITES = PLAYER_CUSTOM_PROPERTIES
client_update = Operation(Auth.SESSION, ClientUpdatePlayerCustomPropertiesRequest, _update, rate_limit=_WRITES)
title_update = Operation(Auth.SECRET, UpdatePlayerCustomPropertiesRequest, _update, rate_limit=_WRITES)
client_delete = Operation(Auth.SESSION, ClientDeletePlayerCustomPropertiesRequest, _delete, rate_limit=_WRITES)
title_delete = Operation(Auth.SECRET, DeletePlayerCustomPropertiesRequest, _delete, rate_limit=_WRITES)
client_get = Operation(Auth.SESSION, ClientGetPlayerCustomPropertyRequest, _get)
title_get = Operation(Auth.SECRET, GetPlayerCustomPropertyRequest, _get)
client_list = Operation(Auth.SESSION, ClientListPlayerCustomPropertiesRequest, _list)
title_list = Operation(Auth.SECRET, ListPlayerCustomPropertiesRequest, _list)
