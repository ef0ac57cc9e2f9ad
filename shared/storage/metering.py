"""What one request read from and wrote to the store, in characters of stored JSON text (its bytes, for
ASCII text): set per request by the pipeline, counted by the embedded store, reported in the request's
log line and by `make bench`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Meter:
    read_bytes: int = 0
    written_bytes: int = 0


# None outside a request (tools, start-up): nothing is counted.
METER: ContextVar[Meter | None] = ContextVar("store_meter", default=None)


def current() -> Meter | None:
    """The running request's meter. A store method takes it before handing work to a thread, where the
    request's context is not set, and counts into it from there."""
    return METER.get()
