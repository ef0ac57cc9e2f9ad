"""Log a recurring condition once per interval, with a count, instead of once per occurrence.

Running out of file descriptors makes asyncio report every failed accept() (thousands a second, each
with a traceback); a flood of connections past the cap would do the same for each refusal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

INTERVAL_SECONDS = 60.0
_ACCEPT_FAILED = "socket.accept() out of system resource"

log = logging.getLogger("playfab.host")


class OncePerInterval:
    def __init__(
        self, message: str, interval: float = INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._message, self._interval, self._clock = message, interval, clock
        self._last: float | None = None
        self._suppressed = 0

    def hit(self, detail: str = "") -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._suppressed += 1
            return
        suffix = f" ({self._suppressed} more in the last {self._interval:g} s)" if self._suppressed else ""
        log.warning("%s%s%s", self._message, f": {detail}" if detail else "", suffix)
        self._last, self._suppressed = now, 0


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Report accept() failures (EMFILE, ENFILE, ENOBUFS, ENOMEM) once per interval, without a traceback;
    asyncio itself already pauses accepting and retries. Every other report goes to the default handler."""
    throttle = OncePerInterval("cannot accept connections; the process is out of file descriptors or memory")

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # asyncio 3.11 schedules a retry for each failed accept() of a burst; those still pending when the
        # socket closes at shutdown fail in turn. They are the same condition, reported once with it.
        message = str(context.get("message", ""))
        if message == _ACCEPT_FAILED or "BaseSelectorEventLoop._start_serving" in message:
            exc = context.get("exception")
            throttle.hit(f"{type(exc).__name__}: {exc}" if exc else "")
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
