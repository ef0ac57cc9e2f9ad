"""The Cosmos adapter's HTTP transport, instrumented: it counts every request sent to Cosmos DB and
answers chosen ones itself with a fault (429, 412, 503, a dropped connection) instead of sending them.

Faults are the one thing the emulator cannot be made to produce, so they are injected here, below the
SDK: its retry policies still see and handle them as they would a real account's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.transport import AioHttpTransport, AsyncHttpResponse, HttpRequest


@dataclass(frozen=True)
class Sent:
    method: str
    path: str  # e.g. /dbs/<db>/colls/players/docs/account/
    body_bytes: int = 0

    @property
    def container(self) -> str | None:
        parts = self.path.strip("/").split("/")
        return parts[3] if len(parts) > 3 and parts[2] == "colls" else None

    @property
    def is_item(self) -> bool:
        return "/docs" in self.path


@dataclass
class Fault:
    """Answer matching item requests with `status` (and headers), or raise `error`, `times` times."""

    method: str | None = None  # None: any method
    container: str | None = None  # None: any container
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    error: Exception | None = None
    times: int | None = None  # None: every matching request
    hits: int = 0
    items_only: bool = True  # False: database and container requests too (opening the store)

    def matches(self, sent: Sent) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return (
            (sent.is_item or not self.items_only)
            and self.method in (None, sent.method)
            and self.container in (None, sent.container)
        )


class _FaultResponse(AsyncHttpResponse):
    def __init__(self, request: HttpRequest, status: int, headers: dict[str, str]) -> None:
        super().__init__(request, None)
        self.status_code = status
        self.reason = "Injected fault"
        self.headers = {"content-type": "application/json", "x-ms-activity-id": "injected", **headers}
        self.content_type = "application/json"
        self._body = json.dumps({"code": str(status), "message": "Injected fault"}).encode()

    def body(self) -> bytes:
        return self._body


class InstrumentedTransport(AioHttpTransport):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sent: list[Sent] = []
        self.faults: list[Fault] = []

    def item_requests(self) -> list[Sent]:
        return [s for s in self.sent if s.is_item]

    async def send(self, request: HttpRequest, **kwargs: Any) -> AsyncHttpResponse:  # type: ignore[override]
        body = request.body or b""
        sent = Sent(request.method, urlsplit(request.url).path, len(body.encode() if isinstance(body, str) else body))
        self.sent.append(sent)
        for fault in self.faults:
            if fault.matches(sent):
                fault.hits += 1
                if fault.error is not None:
                    raise fault.error
                return _FaultResponse(request, fault.status, fault.headers)
        return await super().send(request, **kwargs)


def connection_refused() -> ServiceRequestError:
    return ServiceRequestError("injected: connection refused")
