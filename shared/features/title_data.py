"""Title-wide key/value data: title data, internal title data and publisher data, one engine with a policy
per kind, and GetTime.

Each kind is one document (shared/storage/layout.py `title_data_doc`), shaped {"Data": {key: value}}:
reading every key is one point read, and SetTitleData is one atomic update of that document. Reads
on the Client and Server APIs (and a login's InfoRequestParameters) come from the per-process read
cache (shared/features/read_cache.py) for TITLE_DATA_CACHE_SECONDS; Admin reads always read the store.
A write clears this process's entry at once; other processes see it within the lifetime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.auth.caller import Auth, Caller
from shared.config.clock import iso, now
from shared.features import custom_data
from shared.features.read_cache import ReadCache
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Mutation
from shared.storage.layout import LOOKUPS, META_PK, title_data_doc
from shared.wire.errors import PlayFabError
from shared.wire.jsontext import dumps_bytes
from shared.wire.validation import GetPublisherDataRequest, GetTimeRequest, GetTitleDataRequest, SetTitleDataRequest

CLIENT, SERVER, ADMIN = "Client", "Server", "Admin"


@dataclass(frozen=True)
class Kind:
    """One kind of title-wide data: its endpoints' names and who may read it."""

    name: str  # part of the document id
    get: str  # the read endpoint's method
    set: str  # the write endpoint's method
    client_reads: bool  # a player may read it with a session ticket
    get_model: type[GetTitleDataRequest] | type[GetPublisherDataRequest]


TITLE: Final = Kind("title", "GetTitleData", "SetTitleData", True, GetTitleDataRequest)
INTERNAL: Final = Kind("internal", "GetTitleInternalData", "SetTitleInternalData", False, GetTitleDataRequest)
# With one title per deployment, the publisher's data is this title's own third kind.
PUBLISHER: Final = Kind("publisher", "GetPublisherData", "SetPublisherData", True, GetPublisherDataRequest)
KINDS: Final = (TITLE, INTERNAL, PUBLISHER)

_cache: Final[ReadCache[Mapping[str, str]]] = ReadCache()


async def _load(services: Services, kind: Kind) -> Mapping[str, str]:
    doc = await services.store.read(LOOKUPS, META_PK, title_data_doc(kind.name))
    data: dict[str, str] = doc.body["Data"] if doc is not None else {}
    return data


async def stored(services: Services, kind: Kind, *, fresh: bool = False) -> Mapping[str, str]:
    """Every key of one kind: from this process's cache unless `fresh`. Callers must not change it."""
    if fresh:
        return await _load(services, kind)
    ttl = services.settings.title_data_cache_seconds
    return await _cache.get(services.store, kind.name, ttl, lambda: _load(services, kind))


async def title_data(services: Services, keys: list[str] | None) -> dict[str, str]:
    """The title data a player sees: GetTitleData, and TitleData in a login's InfoResultPayload."""
    return select(await stored(services, TITLE), keys)


def select(data: Mapping[str, str], keys: list[str] | None) -> dict[str, str]:
    """Only `keys` when given (normalised as on write, or as sent), every key when None."""
    if keys is None:
        return dict(data)
    wanted = {custom_data.normal_key(key) for key in keys} | {key.strip() for key in keys}
    return {key: value for key, value in data.items() if key in wanted}


@dataclass(frozen=True)
class _Change:
    """A checked SetTitleData call: the key, its value (None: remove it), and the key's spelling as sent."""

    key: str
    value: str | None
    as_sent: str  # trimmed, not normalised: a key stored so before keys were normalised is replaced with it


def plan(raw_key: str, value: str | None, max_value_bytes: int) -> _Change:
    """Check a write against the key rules and the value limit before anything is read or written."""
    key = custom_data.clean_key(raw_key, "Key", removing=value is None)
    if value is not None and (size := len(value.encode("utf-8"))) > max_value_bytes:
        raise PlayFabError(
            "DataLengthExceeded",
            f"The value of {key!r} is {size} bytes; the limit is {max_value_bytes}.",
            {"Value": [f"{size} bytes"]},
        )
    return _Change(key, value, raw_key.strip())


def _size(value: Any) -> int:
    return len(dumps_bytes(value))


def _apply(change: _Change, max_keys: int, max_bytes: int) -> Mutation:
    """The pure mutation of one SetTitleData call: the store may run it again on a fresher body."""

    def mutate(body: dict[str, Any] | None) -> dict[str, Any] | None:
        data: dict[str, str] = body["Data"] if body is not None else {}
        touched = {change.key, change.as_sent}
        if change.value is None and not touched & data.keys():
            return None  # removing a key that is not there: nothing to write
        before = _size({key: data[key] for key in touched if key in data})
        for key in touched:
            data.pop(key, None)
        if change.value is not None:
            if len(data) >= max_keys:
                raise PlayFabError("TooManyKeys", f"This data already holds {len(data)} keys; the limit is {max_keys}.")
            data[change.key] = change.value
        after = _size({key: data[key] for key in touched if key in data})
        new_body = {"Data": data}
        # A write that does not grow the data always lands, so data over a lowered limit can be cleaned up.
        if after > before and (size := _size(new_body)) > max_bytes:
            raise PlayFabError(
                "TotalDataSizeExceeded", f"This data would grow to {size} bytes; the limit is {max_bytes}."
            )
        return new_body

    return mutate


async def write(services: Services, kind: Kind, key: str, value: str | None) -> None:
    """SetTitleData for one kind: set or (value None) remove one key, atomically."""
    settings = services.settings
    change = plan(key, value, settings.title_data_max_value_bytes)
    mutation = _apply(change, settings.title_data_max_keys, settings.title_data_max_bytes)
    try:
        await services.store.update(LOOKUPS, META_PK, title_data_doc(kind.name), mutation)
    finally:
        # Also after a failure: a write whose outcome is unknown may have landed.
        _cache.invalidate(services.store, kind.name)


def _get_operation(kind: Kind, api: str) -> Operation[Any]:
    async def get(
        services: Services, caller: Caller, req: GetTitleDataRequest | GetPublisherDataRequest
    ) -> dict[str, Any]:
        # PlayFab's Admin reads promise no delay after a write: they skip the cache.
        return {"Data": select(await stored(services, kind, fresh=api == ADMIN), req.Keys)}

    return Operation(Auth.SESSION if api == CLIENT else Auth.SECRET, kind.get_model, get)


def _set_operation(kind: Kind) -> Operation[SetTitleDataRequest]:
    async def set_data(services: Services, caller: Caller, req: SetTitleDataRequest) -> dict[str, Any]:
        await write(services, kind, req.Key, req.Value)
        return {}

    return Operation(Auth.SECRET, SetTitleDataRequest, set_data)


async def _get_time(services: Services, caller: Caller, req: GetTimeRequest) -> dict[str, Any]:
    return {"Time": iso(now())}


def _operations() -> dict[str, Operation[Any]]:
    ops: dict[str, Operation[Any]] = {}
    for kind in KINDS:
        for api in (CLIENT, SERVER, ADMIN):
            if api != CLIENT or kind.client_reads:
                ops[f"{api}/{kind.get}"] = _get_operation(kind, api)
        for api in (SERVER, ADMIN):
            ops[f"{api}/{kind.set}"] = _set_operation(kind)
    ops["Client/GetTime"] = Operation(Auth.SESSION, GetTimeRequest, _get_time)
    ops["Server/GetTime"] = Operation(Auth.SECRET, GetTimeRequest, _get_time)
    return ops


# Route -> operation, merged into the endpoint table (shared/endpoints.py).
OPERATIONS: Final[dict[str, Operation[Any]]] = _operations()
