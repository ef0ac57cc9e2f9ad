"""Idempotent retries (an extension beyond PlayFab): a write sent again with the same IdempotencyKey
answers with its first answer instead of being applied twice.

A caller names the key in the request (`IdempotencyKey`) or in `CustomTags["IdempotencyKey"]`, which
typed SDKs can always send. The key is scoped by title, caller and endpoint: its slot is a hash of the
three and the key, so one caller's key never reaches another's answer. The write's document keeps a
bounded map, slot -> request hash, answer and expiry, under `RETRIES_FIELD`, and `wrap` adds the entry
in the very mutation that applies the write: the store commits both or neither, so a crash between
them cannot apply a write twice or lose its answer, and the etag retry of a concurrent second attempt
runs the mutation again on a body that already holds the first attempt's entry. Expired entries are
pruned in the same mutation; past `MAX_ENTRIES` the oldest go first.

A write without a key takes none of these paths: the map is never read, written or counted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from shared.auth.caller import Caller
from shared.config.clock import now
from shared.services import Services
from shared.storage import Mutation
from shared.storage.base import DELETE, private_copy
from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.jsontext import dumps_bytes
from shared.wire.validation import Request

FIELD: Final = "IdempotencyKey"
RETRIES_FIELD: Final = "IdempotentWrites"  # the map inside a written document; no read shows it
MAX_ENTRIES: Final = 64  # keys one document remembers at once
MAX_KEY_CHARS: Final = 128
_KEY_SHAPE: Final = re.compile(r"[A-Za-z0-9._:~-]+")
# A key sent again with another request: the request is refused, like PlayFab's refusals of a request
# that does not fit what the service holds.
MISMATCH_CODE: Final = "InvalidParams"

Answer = dict[str, Any]


@dataclass
class Attempt:
    """One keyed write: where its entry lives, what it sent, and the answer its committed run gave."""

    slot: str
    digest: str
    at: float
    expires: float
    answer: Answer | None = None
    replayed: bool = False


def key_of(req: Request) -> str | None:
    """The IdempotencyKey a request carries, from the field or the CustomTags entry (both: they must agree)."""
    field = getattr(req, FIELD, None)
    tag = (req.CustomTags or {}).get(FIELD)
    if field is not None and tag is not None and field != tag:
        raise invalid_params(FIELD, "IdempotencyKey and CustomTags.IdempotencyKey differ; send one, or the same.")
    key = field if field is not None else tag
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_CHARS or not _KEY_SHAPE.fullmatch(key):
        raise invalid_params(
            FIELD, f"An IdempotencyKey is 1 to {MAX_KEY_CHARS} characters: letters, digits and . _ : ~ -."
        )
    return key


def _caller_id(caller: Caller) -> str:
    if caller.playfab_id:
        return f"player:{caller.playfab_id}:{caller.entity_type or ''}:{caller.entity_id or ''}"
    return f"title:{caller.entity_type or ''}:{caller.entity_id or ''}"


def _digest(req: Request) -> str:
    body = req.model_dump(mode="json", exclude={FIELD})
    tags = body.get("CustomTags")
    if tags:
        tags.pop(FIELD, None)
    body["CustomTags"] = tags or None
    return hashlib.sha256(dumps_bytes(body)).hexdigest()


def begin(services: Services, caller: Caller, endpoint: str, req: Request) -> Attempt | None:
    """The attempt a keyed request makes at `endpoint`, or None when it carries no key."""
    key = key_of(req)
    if key is None:
        return None
    scope = "\n".join((services.settings.title_id, _caller_id(caller), endpoint, key))
    at = now()
    return Attempt(
        slot=hashlib.sha256(scope.encode("utf-8")).hexdigest()[:32],
        digest=_digest(req)[:32],
        at=at,
        expires=at + services.settings.idempotency_window_seconds,
    )


def _mismatch() -> PlayFabError:
    return PlayFabError(
        MISMATCH_CODE,
        "This IdempotencyKey was already used with a different request; use a new key for a new request.",
        {FIELD: ["already used with a different request"]},
    )


def _live(entries: Any, at: float) -> dict[str, Any]:
    if not isinstance(entries, dict):
        return {}
    return {slot: entry for slot, entry in entries.items() if float(entry.get("e", 0)) > at}


def wrap(attempt: Attempt | None, mutation: Mutation, answer_of: Callable[[dict[str, Any]], Answer]) -> Mutation:
    """`mutation`, made to replay a recorded answer or to record the answer it produces, in one write.

    `answer_of` computes the call's answer from the body the mutation produced (a new DataVersion, say).
    The map is taken out of the body while `mutation` runs, so size limits never count it.
    """
    if attempt is None:
        return _carry(mutation)

    def mutate(body: dict[str, Any] | None) -> Any:
        attempt.answer, attempt.replayed = None, False
        entries = _live(body.pop(RETRIES_FIELD, None), attempt.at) if body is not None else {}
        seen = entries.get(attempt.slot)
        if seen is not None:
            if seen["h"] != attempt.digest:
                raise _mismatch()
            attempt.answer, attempt.replayed = seen["a"], True
            return None  # already applied: write nothing
        untouched = private_copy(body) if body is not None else None
        result = mutation(body)
        if result is None:
            # A write that changes nothing still keeps its answer, so a retry after a later change
            # replays it rather than applying it then; with no document there is nowhere to keep it.
            if untouched is None:
                return None
            result = untouched
        if result is DELETE:
            return result  # the document is gone, and the entry with it
        assert isinstance(result, dict)
        attempt.answer = answer_of(result)
        entries[attempt.slot] = {"h": attempt.digest, "a": attempt.answer, "e": attempt.expires}
        result[RETRIES_FIELD] = _bounded(entries)
        return result

    return mutate


def _carry(mutation: Mutation) -> Mutation:
    """A write without a key: the map is kept out of `mutation`'s sight (and its size limits) and put back."""

    def mutate(body: dict[str, Any] | None) -> Any:
        entries = body.pop(RETRIES_FIELD, None) if body is not None else None
        result = mutation(body)
        if entries and isinstance(result, dict):
            result[RETRIES_FIELD] = entries
        return result

    return mutate


def answer(attempt: Attempt | None, fresh: Callable[[], Answer]) -> Answer:
    """The call's answer: the recorded (or just recorded) one for a keyed write, else `fresh()`."""
    if attempt is not None and attempt.answer is not None:
        return attempt.answer
    return fresh()


def _in_progress() -> PlayFabError:
    return PlayFabError(
        "ConcurrentEditError",
        "A request with this IdempotencyKey is still running; retry it once it has answered.",
        {FIELD: ["still running"]},
    )


async def run_once(
    services: Services,
    attempt: Attempt | None,
    where: tuple[str, str, str],
    lease_seconds: float,
    run: Callable[[], Awaitable[Answer]],
) -> Answer:
    """Run a call made of several writes (a server function) at most once per key while it holds its claim.

    No single mutation covers such a call, so its entry in the caller's document `where` (container,
    partition key, id) is claimed first, as pending for `lease_seconds`, and given the answer once
    `run` returns. A retry finds the answer, or the claim (refused as still running). A run cut short by
    a crash leaves a claim that lapses after its lease; a retry after that runs the call again.
    """
    if attempt is None:
        return await run()
    container, pk, doc_id = where
    lease = attempt.at + lease_seconds

    def claim(body: dict[str, Any] | None) -> Any:
        attempt.answer, attempt.replayed = None, False
        doc = body or {}
        entries = _live(doc.get(RETRIES_FIELD), attempt.at)
        seen = entries.get(attempt.slot)
        if seen is not None:
            if seen["h"] != attempt.digest:
                raise _mismatch()
            if "a" in seen:
                attempt.answer, attempt.replayed = seen["a"], True
                return None
            if float(seen.get("p", 0)) > attempt.at:
                raise _in_progress()
        entries[attempt.slot] = {"h": attempt.digest, "p": lease, "e": attempt.expires}
        doc[RETRIES_FIELD] = _bounded(entries)
        return doc

    await services.store.update(container, pk, doc_id, claim)
    if attempt.replayed and attempt.answer is not None:
        return attempt.answer
    try:
        answer = await run()
    except BaseException:
        await services.store.update(container, pk, doc_id, _release(attempt))
        raise

    def keep(body: dict[str, Any] | None) -> Any:
        doc = body or {}
        entries = _live(doc.get(RETRIES_FIELD), attempt.at)
        entries[attempt.slot] = {"h": attempt.digest, "a": answer, "e": attempt.expires}
        doc[RETRIES_FIELD] = _bounded(entries)
        return doc

    await services.store.update(container, pk, doc_id, keep)
    return answer


def _release(attempt: Attempt) -> Mutation:
    """A run that failed before answering (an error envelope): its claim is dropped, so a retry runs it."""

    def release(body: dict[str, Any] | None) -> Any:
        if body is None:
            return None
        entries = body.get(RETRIES_FIELD) or {}
        entry = entries.get(attempt.slot)
        if entry is None or "a" in entry:
            return None
        del entries[attempt.slot]
        return body

    return release


def _bounded(entries: dict[str, Any]) -> dict[str, Any]:
    if len(entries) <= MAX_ENTRIES:
        return entries
    return dict(sorted(entries.items(), key=lambda item: float(item[1]["e"]))[-MAX_ENTRIES:])
