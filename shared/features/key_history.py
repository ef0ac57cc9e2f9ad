"""Each key's history: who changed a data key, object or custom property, when, from what to what.

A writer that tracks a document wraps its mutation with `Recorder.wrap`: the wrapped mutation compares
the keys before and after, and appends one entry per changed key to the document's outbox
(`layout.HISTORY_OUTBOX`) in the same `store.update`, so a change and its entries land together or not
at all. Once the outbox holds more than KEY_HISTORY_OUTBOX_BYTES, `Recorder.after` moves it to the
owner's history stream in the event log (`layout.history_stream`, kept for KEY_HISTORY_RETENTION_DAYS)
and trims what it moved; a history read moves it whatever its size, and shows what could not be moved.
A move cut short by a crash or a store fault leaves the entries in the outbox for the next one. Nothing
is lost; a move whose trim failed is moved again, and readers drop the repeat by its EntryId.

None of this is on PlayFab's wire: the outbox lives beside the fields the data API answers with.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.auth.caller import Caller
from shared.config.clock import iso, now
from shared.config.settings import MAX_HISTORY_OUTBOX_BYTES
from shared.services import Services
from shared.storage import Document, Mutation, Store, StoreUnavailable
from shared.storage.layout import HISTORY_OUTBOX
from shared.wire.jsontext import dumps_bytes

DAY_SECONDS: Final = 86_400
# An outbox that cannot be moved (the event log refusing writes) stops taking entries past this size:
# the write is refused as unavailable rather than recorded without its history or grown without bound.
OUTBOX_MAX_BYTES: Final = 2 * MAX_HISTORY_OUTBOX_BYTES
# A document without a version of its own (a shared group) counts its tracked changes here.
HISTORY_VERSION: Final = "HistoryVersion"

log = logging.getLogger("playfab.history")

# key -> (value, permission or None): what a tracked document holds, as the history compares it.
Values = Mapping[str, tuple[Any, str | None]]
# A tracked document's values: of every key, or of the keys named (None: every key).
ValuesOf = Callable[[dict[str, Any], Collection[str] | None], Values]


@dataclass(frozen=True)
class Target:
    """One tracked document: how to name it in entries, where it is, where its history goes."""

    name: str  # "UserData", "CharacterReadOnlyData", "SharedGroupData", "Objects", "CustomProperties"...
    subject: Mapping[str, Any]  # the fields naming its owner in an entry: PlayFabId, CharacterId, Entity...
    container: str
    pk: str
    doc_id: str
    stream: Callable[[dict[str, Any]], str]  # the owner's history stream, from the document's body
    values: ValuesOf
    version: Callable[[dict[str, Any]], int] | None = None  # None: the document's HistoryVersion
    # The document's keyed map, when its writes name their keys (Store.update_part): moving the outbox
    # then reads and writes the document without any of the map.
    keyed: str | None = None


def _entries(field: str, body: dict[str, Any], keys: Collection[str] | None) -> dict[str, Any]:
    found: dict[str, Any] = body.get(field) or {}
    return found if keys is None else {key: found[key] for key in keys if key in found}


def records(field: str) -> ValuesOf:
    """The values of a key -> UserDataRecord map (custom data, shared group data)."""
    return lambda body, keys: {k: (r.get("Value"), r.get("Permission")) for k, r in _entries(field, body, keys).items()}


def plain(field: str) -> ValuesOf:
    """The values of a key -> value map (objects, custom properties)."""
    return lambda body, keys: {k: (v, None) for k, v in _entries(field, body, keys).items()}


def who(caller: Caller) -> dict[str, Any]:
    """The caller as an entry names it: its API and which player or secret key; never a credential."""
    out: dict[str, Any] = {"Api": caller.api or ("Server" if caller.is_title else "Client")}
    if caller.key_id:
        out["SecretKeyId"] = caller.key_id
    if caller.playfab_id:
        out["PlayFabId"] = caller.playfab_id
    if caller.entity_type and caller.entity_id and not caller.key_id:
        out["Entity"] = {"Type": caller.entity_type, "Id": caller.entity_id}
    return out


def kept(value: Any, max_bytes: int) -> dict[str, Any] | None:
    """A value as an entry keeps it: itself, or past `max_bytes` its SHA-256 and size."""
    if value is None:
        return None
    raw = value.encode("utf-8") if isinstance(value, str) else dumps_bytes(value)
    if len(raw) > max_bytes:
        return {"Sha256": hashlib.sha256(raw).hexdigest(), "Bytes": len(raw)}
    return {"Value": value}


def _changes(before: Values, after: Values) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


@dataclass(frozen=True)
class Recorder:
    services: Services
    caller: Caller
    target: Target

    def wrap(self, mutation: Mutation, keys: Collection[str] | None = None) -> Mutation:
        """`mutation` with the entries of the keys it changes appended to the document's outbox.

        `keys`, when the writer knows them, are the only keys `mutation` can change: the others are not
        compared, so a write of ten keys costs the same beside ten keys or a thousand."""
        target, max_bytes = self.target, self.services.settings.key_history_max_value_bytes
        who_called, at = who(self.caller), iso(now())
        expires = now() + self.services.settings.key_history_retention_days * DAY_SECONDS

        def tracked(body: dict[str, Any] | None) -> Any:
            outbox = list(body.pop(HISTORY_OUTBOX, None) or []) if body is not None else []
            before = target.values(body, keys) if body is not None else {}
            # The writer's own rules (sizes among them) see the document without the outbox.
            result = mutation(body)
            if not isinstance(result, dict):  # unchanged (None) or deleted: nothing to record here
                return result
            after = target.values(result, keys)
            changed = _changes(before, after)
            if not changed:
                if outbox:
                    result[HISTORY_OUTBOX] = outbox
                return result
            if outbox and len(dumps_bytes(outbox)) > OUTBOX_MAX_BYTES:
                raise StoreUnavailable("key history: the outbox is full and the history store refuses it")
            if target.version is None:
                result[HISTORY_VERSION] = int(result.get(HISTORY_VERSION, 0)) + 1
                version = result[HISTORY_VERSION]
            else:
                version = target.version(result)
            for key in changed:
                old, new = before.get(key), after.get(key)
                entry: dict[str, Any] = {
                    "EntryId": os.urandom(16).hex(),  # the shape of uuid4().hex, without building a UUID
                    "Target": target.name,
                    **target.subject,
                    "Key": key,
                    "Version": version,
                    "Timestamp": at,
                    "Expires": expires,  # epoch seconds: when the history store lets it go
                    "Caller": who_called,
                    "OldValue": kept(old[0], max_bytes) if old else None,
                    "NewValue": kept(new[0], max_bytes) if new else None,
                }
                if new and new[1] is not None:
                    entry["Permission"] = new[1]
                outbox.append(entry)
            result[HISTORY_OUTBOX] = outbox
            return result

        return tracked

    async def after(self, doc: Document | None) -> None:
        """Move the outbox the write left once it holds more than KEY_HISTORY_OUTBOX_BYTES (best effort:
        what stays is moved by a later write or the next history read)."""
        outbox = doc.body.get(HISTORY_OUTBOX) if doc is not None else None
        if doc is None or not outbox or len(dumps_bytes(outbox)) <= self.services.settings.key_history_outbox_bytes:
            return
        t = self.target
        address = (id(self.services.store), t.container, t.pk, t.doc_id)
        if address in _moving:
            # This process is moving this document's outbox already: a second move would append the same
            # entries again (readers drop repeats, but each costs an append, a read and a write).
            return
        _moving.add(address)
        try:
            await move(self.services, t, doc.body)
        finally:
            _moving.discard(address)


# Documents whose outbox this process is moving now: (store, container, pk, id).
_moving: set[tuple[int, str, str, str]] = set()


async def move(services: Services, target: Target, body: dict[str, Any]) -> bool:
    """Append the outbox of `body` to the history stream, then trim what was appended from the document;
    False when the history store refused the entries (they stay in the outbox)."""
    pending = list(body.get(HISTORY_OUTBOX) or [])
    if not pending:
        return True
    try:
        # Retention runs from the change, not from the move: an entry moved late expires on time.
        expires = max(float(entry.get("Expires", now())) for entry in pending)
        await services.store.append_events({target.stream(body): pending}, expires)
    except Exception as exc:  # the change has landed; its entries wait in the outbox for the next move
        log.warning("key history of %s not moved yet: %s", target.name, type(exc).__name__)
        return False
    try:
        moved = {entry["EntryId"] for entry in pending}

        def trim(current: dict[str, Any] | None) -> dict[str, Any] | None:
            outbox = (current or {}).get(HISTORY_OUTBOX) or []
            left = [entry for entry in outbox if entry.get("EntryId") not in moved]
            if current is None or len(left) == len(outbox):
                return None
            if left:
                current[HISTORY_OUTBOX] = left
            else:
                del current[HISTORY_OUTBOX]
            return current

        if target.keyed is None:
            await services.store.update(target.container, target.pk, target.doc_id, trim)
        else:
            await services.store.update_part(target.container, target.pk, target.doc_id, target.keyed, (), trim)
    except Exception as exc:  # moved but not trimmed: the next move repeats them, readers drop the repeat
        log.warning("key history of %s moved but not trimmed: %s", target.name, type(exc).__name__)
    return True


async def settle(services: Services, target: Target) -> list[dict[str, Any]]:
    """Move whatever a write left in the document's outbox (before its history is read); return what
    could not be moved yet, oldest first, so a reader still sees every change."""
    if target.keyed is None:
        doc = await services.store.read(target.container, target.pk, target.doc_id)
    else:
        doc = await services.store.read_part(target.container, target.pk, target.doc_id, target.keyed, ())
    if doc is None or not doc.body.get(HISTORY_OUTBOX):
        return []
    if await move(services, target, doc.body):
        return []
    return list(doc.body[HISTORY_OUTBOX])


def _forgotten(caller: dict[str, Any]) -> dict[str, Any]:
    return {"Api": caller.get("Api"), "DeletedPlayer": True}  # nothing left naming them


def forget_in_outbox(body: dict[str, Any], playfab_id: str) -> bool:
    """Take a deleted player's id out of the entries waiting in a document it does not own; True if any."""
    named = [e for e in body.get(HISTORY_OUTBOX) or [] if e.get("Caller", {}).get("PlayFabId") == playfab_id]
    for entry in named:
        entry["Caller"] = _forgotten(entry["Caller"])
    return bool(named)


async def forget_player(store: Store, stream: str, playfab_id: str) -> None:
    """Take a deleted player's id out of a stream it does not own (a shared group's history).

    The event log is append-only, so the stream is read whole, deleted and written again without the id,
    batch by batch as it was kept (same order, same expiry). A deletion cut short between the delete and
    the rewrite loses that group's older entries; one that fails before the delete changes nothing and is
    finished by calling the deletion again.
    """
    entries: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await store.read_events(stream, 1000, token)
        entries.extend(page.events)
        token = page.continuation
        if token is None:
            break
    if not any(entry.get("Caller", {}).get("PlayFabId") == playfab_id for entry in entries):
        return
    runs: list[list[dict[str, Any]]] = []
    for entry in reversed(entries):  # oldest first
        if entry.get("Caller", {}).get("PlayFabId") == playfab_id:
            entry["Caller"] = _forgotten(entry["Caller"])
        if runs and runs[-1][0].get("Expires") == entry.get("Expires"):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    await store.delete_events(stream)
    for run in runs:
        await store.append_events({stream: run}, float(run[0].get("Expires", now())))
