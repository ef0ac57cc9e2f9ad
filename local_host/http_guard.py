"""uvicorn's HTTP protocol with the limits it lacks, and PlayFab envelopes for HTTP-level errors.

uvicorn arms its keep-alive timer only after a response and cancels it on any byte received, so a
client that connects and sends nothing, or drips its headers, holds a connection forever; it has no
connection cap of its own beyond `limit_concurrency`, which still accepts and parses the request; and
it answers malformed requests in plain text. `GuardedProtocol` adds, per connection:

- an idle timeout for a new connection (kept-alive ones use uvicorn's `timeout_keep_alive`),
- a header timeout from the first byte of a request to the end of its headers (408, then close),
- a header size cap counted here, so it holds for parsers without one (431, then close),
- a cap on open connections: past it, a 503 `ServiceUnavailable` envelope and a close,
- a bound on draining the rest of a body the app refused early (413), after which the connection closes,
- PlayFab envelopes instead of uvicorn's plain-text 400.

The body timeout lives in the ASGI app (local_host/asgi.py), the one place that waits for the body.
The mixin relies only on what uvicorn's h11 and httptools protocols both have (`connections`, `cycle`,
`send_400_response`, `on_response_complete`), so it serves either.
"""

from __future__ import annotations

import asyncio
import time
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from local_host.http_limits import HttpLimits, http_limits
from local_host.log_throttle import OncePerInterval
from shared.pipeline import log_request, respond
from shared.wire.errors import PlayFabError

LINGER_SECONDS = 1.0  # after an answer, read and drop what the client still sends, so it sees the answer
_over_cap = OncePerInterval("refusing connections past HTTP_MAX_CONNECTIONS")


def envelope_bytes(err: PlayFabError) -> bytes:
    """A whole HTTP/1.1 response carrying the error's envelope, ending the connection."""
    resp = respond(err, {})
    head = [f"HTTP/1.1 {resp.status} {HTTPStatus(resp.status).phrase}"]
    head += [f"{name}: {value}" for name, value in resp.headers.items()]
    head += [f"content-length: {len(resp.body)}", "connection: close"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + resp.body


class GuardedProtocol:
    """Mixed in before a uvicorn HTTP protocol class; see the module docstring."""

    # Provided by the uvicorn protocol it is mixed into.
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    connections: set[Any]
    cycle: Any

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._limits: HttpLimits = http_limits()
        self._timer: asyncio.TimerHandle | None = None
        self._pending = 0  # bytes of a request whose headers have not all arrived
        self._answered = False  # an answer went out here; the rest of the input is dropped
        self._awaiting_headers = False  # the header timer is the one armed
        if len(self.connections) > self._limits.max_connections:
            _over_cap.hit(f"{self._limits.max_connections} open")
            err = PlayFabError("ServiceUnavailable", "Too many connections; retry later.", retry_after_seconds=1)
            self._answer(err, log=False)
            return
        self._arm(self._limits.idle_timeout, self._close)

    def data_received(self, data: bytes) -> None:
        if self._answered:
            return
        before = self.cycle
        waiting = before is None or (before.response_complete and not before.more_body)
        if waiting:
            self._pending += len(data)
        super().data_received(data)  # type: ignore[misc]
        if self.cycle is not before:  # the headers are in: from here the app's body timeout applies
            self._disarm()
            self._pending = 0
        elif waiting and not self._answered:
            if self._pending > self._limits.max_header_bytes:
                self._answer(self._headers_too_large())
            elif not self._awaiting_headers:
                # Armed once, at the first chunk that leaves the headers unfinished; later bytes never
                # extend it. A request whose headers arrive whole costs no timer at all.
                self._arm(self._limits.header_timeout, self._headers_too_slow)
                self._awaiting_headers = True

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if self.cycle is not None and self.cycle.more_body and not self.transport.is_closing():
            # Answered before the body ended (413): uvicorn reads and drops the rest, for at most this long.
            self._arm(self._limits.body_timeout, self._close)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to input its parser rejects, as an envelope."""
        if self._pending > self._limits.max_header_bytes:
            self._answer(self._headers_too_large())
        else:
            self._answer(PlayFabError("InvalidRequest", "The request is not valid HTTP/1.1."))

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _headers_too_large(self) -> PlayFabError:
        limit = self._limits.max_header_bytes
        return PlayFabError("InvalidRequest", f"The request headers are larger than {limit} bytes.", http_status=431)

    def _headers_too_slow(self) -> None:
        timeout = self._limits.header_timeout
        self._answer(
            PlayFabError("InvalidRequest", f"The request headers took longer than {timeout:g} s.", http_status=408)
        )

    def _answer(self, err: PlayFabError, *, log: bool = True) -> None:
        """Send the envelope, stop reading requests, and close once the client has had time to read it
        (closing with its input unread would reset the connection and could destroy the answer)."""
        if self._answered or self.transport.is_closing():
            return
        self._answered = True
        if self.cycle is not None and not self.cycle.response_complete:
            # A request under way (a broken chunk mid-body): its app sees a disconnect and sends nothing.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.write(envelope_bytes(err))
        if log:
            log_request("", err.name, err.http_status, time.perf_counter())
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._arm(LINGER_SECONDS, self._close)

    def _arm(self, delay: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(delay, callback)

    def _disarm(self) -> None:
        self._awaiting_headers = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            self.transport.close()


class GuardedH11Protocol(GuardedProtocol, H11Protocol):
    """The h11 parser (pure Python, always installed) with the guard."""


class GuardedHttpToolsProtocol(GuardedProtocol, HttpToolsProtocol):
    """The httptools parser (C, llhttp) with the guard."""


# HTTP_STACK -> (uvicorn's protocol class, its event loop). "fast" takes uvloop where it is installed
# (uvicorn's "auto"); it has no Windows build, where asyncio's own loop serves.
STACKS = {
    "fast": ("local_host.http_guard:GuardedHttpToolsProtocol", "auto"),
    "h11": ("local_host.http_guard:GuardedH11Protocol", "asyncio"),
}
