"""Per-player request rate limits, counted in the store so every worker process shares one count.

An Operation names the limit it draws on (`Operation.rate_limit`); the pipeline charges one call to
it after the request is validated and before the handler runs. Each limit is a set of fixed windows
(e.g. 10 calls per 15 s, 150 per 5 min, 3,600 per hour); a call over any window is refused with
APIClientRequestRateLimitExceeded (1199, HTTP 429) and the seconds until that window reopens.
A refused call is not counted, and nothing else is written. Each process also remembers a budget it
has seen refuse until its full window reopens (shared/limits/full_windows.py), so further calls are refused
before the store is read or the body parsed. Limits counted per client address: shared/limits/address_limits.py.
"""

from __future__ import annotations

from typing import Any, Final

from shared.auth.caller import Caller
from shared.config.clock import now
from shared.config.rate_windows import DEFAULTS, Windows
from shared.config.settings import Settings
from shared.limits import full_windows
from shared.services import Services
from shared.storage.layout import ENTITIES, PLAYERS, entity_pk, rate_limit_doc
from shared.wire.errors import PlayFabError


def _subject(caller: Caller, req: Any) -> tuple[str, str] | None:
    """(container, partition key) of the budget a call spends.

    A player always spends its own (a character's token, its owner's), so no request can make the
    limiter write anywhere but the caller's own partition. The title, limited only with RATE_LIMITS=all,
    spends the budget of the entity or player it writes.
    """
    if not caller.is_title:
        return (PLAYERS, caller.playfab_id) if caller.playfab_id else None
    entity = getattr(req, "Entity", None)
    if entity is not None and entity.type_name():
        return ENTITIES, entity_pk(entity.type_name(), entity.Id)
    playfab_id = getattr(req, "PlayFabId", None)
    return (PLAYERS, playfab_id) if playfab_id else None


class WindowFull(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(f"window full for {wait:.3f} s")
        self.wait = wait


def spend(windows: Windows, body: dict[str, Any] | None, at: float) -> dict[str, Any]:
    """The counter `body` with one more call at `at`, or WindowFull with the seconds until every full
    window has reopened. Pure, so the store's counters and the per-process ones share it."""
    stored = (body or {}).get("Windows", {})
    updated: dict[str, list[float]] = {}
    waits = []
    for window in windows:
        name = f"{window.calls}/{window.seconds}"
        start, used = stored.get(name, (at, 0))
        # A call stamped before the window's start (it raced the one that opened it) belongs to it.
        if at >= start + window.seconds:
            start, used = at, 0
        if used >= window.calls:
            waits.append(min(window.seconds, start + window.seconds - at))
        updated[name] = [start, used + 1]
    if waits:  # raising aborts the update: a refused call is not counted
        raise WindowFull(max(waits))
    return {"Windows": updated}


def _counter(windows: Windows, at: float) -> Any:
    return lambda body: spend(windows, body, at)


def windows_of(settings: Settings, limit: str) -> Windows:
    return settings.rate_limit_windows.get(limit, DEFAULTS[limit])


async def charge_in_store(services: Services, limit: str, container: str, pk: str) -> None:
    """Count one call against `limit` in the counter document of partition `pk`, or refuse it (429)."""
    key = (container, pk, limit)
    full_windows.check(key)
    doc_id = rate_limit_doc(limit)
    at = now()
    try:
        await services.store.update(container, pk, doc_id, _counter(windows_of(services.settings, limit), at))
    except WindowFull as full:
        full_windows.remember(key, at + full.wait)
        raise full_windows.refused(full.wait) from None


# Held refusals on the local host: a client hammering past its limit gets one answer a second per
# connection instead of thousands, so its refused calls cannot crowd out other players' calls.
LOCAL_REFUSAL_DELAY_MS: Final = 1000


def refusal_delay(settings: Settings, peer_known: bool, err: PlayFabError) -> float:
    """Seconds to hold a 429 before sending it (never past its Retry-After).

    By default only where the host gives the TCP peer (the local host): under the Functions host a
    held invocation still bills and takes one of the instance's concurrent slots, so it answers at once.
    """
    if err.name != "APIClientRequestRateLimitExceeded":
        return 0.0
    delay_ms = settings.refusal_delay_ms
    if delay_ms is None:
        delay_ms = LOCAL_REFUSAL_DELAY_MS if peer_known else 0
    return min(delay_ms / 1000, float(err.retry_after_seconds or 0))


def _limited(settings: Settings, limit: str | None, caller: Caller) -> bool:
    if limit is None or settings.rate_limits == "off":
        return False
    return not caller.is_title or settings.rate_limits == "all"


def refuse_early(settings: Settings, limit: str | None, caller: Caller) -> None:
    """Before the body is read: refuse a player whose budget this process has already seen full."""
    if _limited(settings, limit, caller) and not caller.is_title and caller.playfab_id and limit:
        full_windows.check((PLAYERS, caller.playfab_id, limit))


async def charge(services: Services, limit: str | None, caller: Caller, req: Any) -> None:
    """Count one call against `limit` for the player or entity it writes, or refuse it (429)."""
    if not _limited(services.settings, limit, caller):
        return
    subject = _subject(caller, req)
    if subject is None or limit is None:
        return
    await charge_in_store(services, limit, *subject)
