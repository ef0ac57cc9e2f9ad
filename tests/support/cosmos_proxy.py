"""A loopback HTTP proxy between the Cosmos adapter and a plain-HTTP emulator, for faults on the wire.

It forwards each request and its answer unchanged, except when told to:
  - drop_next_write(): forward the next item write, read the emulator's answer and, if the write was
    committed (2xx), close the client's connection without sending it; the client cannot tell a
    lost answer from a request that never arrived;
  - hold_next_write(): the same, but keep the connection open with no answer until the client gives
    up (its read timeout), as a store that committed and then stalled would;
  - stall(): hold every item request unanswered (and unsent) until release() or the client gives up.

It also counts every request it forwards, by method and path (`count`), so a test can tell how many
times a document was read.

It runs its own event loop in a daemon thread, so the adapter may live in a test's loop or in another
process. The emulator runs with --http (scripts/cosmos_emulator.js): the proxy must see HTTP message
boundaries, which TLS would hide.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_HEAD_BYTES = 64 * 1024
START_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Dropped:
    method: str
    path: str
    status: int


@dataclass
class _Message:
    head: bytes
    body: bytes
    first_line: str
    headers: dict[str, str] = field(default_factory=dict)


async def _read_message(reader: asyncio.StreamReader, *, response: bool) -> _Message | None:
    """One HTTP/1.1 message (request or response), raw, or None at a clean end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as err:
        if err.partial:
            raise ConnectionError("stream ended inside a message head") from None
        return None
    if len(head) > MAX_HEAD_BYTES:
        raise ConnectionError("message head too large")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                break
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif response and not lines[0].split(" ")[1].startswith(("1", "204", "304")):
        body = await reader.read()  # delimited by the end of the connection
    else:
        body = b""
    return _Message(head, body, lines[0], headers)


class CosmosProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        assert parts.scheme == "http" and parts.hostname and parts.port, upstream
        self._upstream = (parts.hostname, parts.port)
        self._lock = threading.Lock()
        self._drops_armed = 0
        self._drop_container: str | None = None
        self._hold_answer = False  # the armed drop keeps the connection open instead of closing it
        self.dropped: list[Dropped] = []
        self._forwarded: Counter[tuple[str, str]] = Counter()  # (method, path) of every request sent on
        self.held = 0  # requests currently held by a stall
        self.peak_held = 0  # the most held at once since the last stall()
        self._loop = asyncio.new_event_loop()
        self._stalled = asyncio.Event()
        self._released = asyncio.Event()
        self._stopping = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="cosmos-proxy", daemon=True)
        self.url = ""

    # Control, from any thread.

    def drop_next_write(self, container: str | None = None, *, hold: bool = False) -> None:
        """Lose the answer of the next committed item write (to `container`, if given)."""
        with self._lock:
            self._drops_armed += 1
            self._drop_container = container
            self._hold_answer = hold

    def hold_next_write(self, container: str | None = None) -> None:
        """Commit the next item write but never answer it: the client times out."""
        self.drop_next_write(container, hold=True)

    def count(self, method: str, path_end: str) -> int:
        """Requests forwarded with this method and a path ending so (the SDK's trailing slash aside), since
        the last clear_counts()."""
        with self._lock:
            forwarded = list(self._forwarded.items())
        return sum(n for (m, path), n in forwarded if m == method and path.rstrip("/").endswith(path_end))

    def clear_counts(self) -> None:
        with self._lock:
            self._forwarded.clear()

    def disarm(self) -> None:
        with self._lock:
            self._drops_armed = 0

    def stall(self) -> None:
        self._on_loop(self._set_stall, True)

    def release(self) -> None:
        self._on_loop(self._set_stall, False)

    def _on_loop(self, fn: Callable[[bool], None], arg: bool) -> None:
        """Run fn on the proxy's loop and wait, so the change is in force when this returns."""

        async def run() -> None:
            fn(arg)

        asyncio.run_coroutine_threadsafe(run(), self._loop).result(START_TIMEOUT_SECONDS)

    def _set_stall(self, on: bool) -> None:
        if on:
            self.peak_held = 0
            self._released.clear()
            self._stalled.set()
        else:
            self._stalled.clear()
            self._released.set()

    # Life cycle.

    def start(self) -> str:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.url = future.result(START_TIMEOUT_SECONDS)
        return self.url

    async def _listen(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/"

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                with contextlib.suppress(Exception):
                    self._server.close_clients()  # type: ignore[attr-defined]  # Python 3.13+
            self._released.set()
            self._stopping.set()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(START_TIMEOUT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT_SECONDS)
        if not self._thread.is_alive():
            self._loop.close()

    # One client connection, with its own upstream connection.

    def _take_drop(self, method: str, path: str) -> tuple[bool, bool]:
        """(drop this answer, hold the connection rather than close it)."""
        if method not in WRITE_METHODS or "/docs" not in path:
            return False, False
        with self._lock:
            if not self._drops_armed:
                return False, False
            if self._drop_container is not None and f"/colls/{self._drop_container}/" not in path + "/":
                return False, False
            self._drops_armed -= 1
            return True, self._hold_answer

    async def _until(self, event: asyncio.Event, client_r: asyncio.StreamReader) -> None:
        """Wait for the event or for the client to close its end, whichever comes first."""
        gone = asyncio.ensure_future(client_r.read(1))
        happened = asyncio.ensure_future(event.wait())
        try:
            await asyncio.wait({gone, happened}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (gone, happened):
                task.cancel()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream_w: asyncio.StreamWriter | None = None
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self._upstream)
            while True:
                request = await _read_message(client_r, response=False)
                if request is None:
                    return
                method, path = request.first_line.split(" ")[:2]
                if self._stalled.is_set() and "/docs" in path:
                    self.held += 1
                    self.peak_held = max(self.peak_held, self.held)
                    try:
                        await self._until(self._released, client_r)
                    finally:
                        self.held -= 1
                    return  # the held request is never sent; its connection just ends
                drop, hold = self._take_drop(method, path)
                with self._lock:
                    self._forwarded[(method, path)] += 1
                upstream_w.write(request.head + request.body)
                await upstream_w.drain()
                response = await _read_message(upstream_r, response=True)
                if response is None:
                    return
                status = int(response.first_line.split(" ")[1])
                if drop and status < 300:
                    self.dropped.append(Dropped(method, path, status))
                    if hold:  # committed, and no answer comes until the client stops waiting
                        await self._until(self._stopping, client_r)
                    client_w.transport.abort()  # committed, and the answer is lost
                    return
                if drop:  # not committed: nothing to lose; arm again for the next write
                    self.drop_next_write(self._drop_container, hold=hold)
                client_w.write(response.head + response.body)
                await client_w.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return
        finally:
            if upstream_w is not None:
                upstream_w.close()
            client_w.close()


@contextmanager
def cosmos_proxy(upstream: str) -> Iterator[CosmosProxy]:
    proxy = CosmosProxy(upstream)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
