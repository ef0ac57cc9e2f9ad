"""The floor: what uvicorn, JSON and one SQLite write cost before any of this project's code runs.

Every POST parses its JSON body and writes it as one row (same table shape, WAL and pragmas as the
embedded store), then answers with a PlayFab-shaped success envelope. No auth, no validation.
    FLOOR_DB=/path/floor.sqlite3 uvicorn bench.floor:app
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from shared.storage.sqlite import SQLiteStore

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_REPLY = b'{"code":200,"status":"OK","data":{}}'
_conn: sqlite3.Connection | None = None


def _connection() -> sqlite3.Connection:
    global _conn
    if _conn is None:
        _conn = SQLiteStore.connect(os.environ["FLOOR_DB"])
    return _conn


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await receive()
        _connection()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    body = json.loads(raw or b"{}")
    # Spread writes over many rows, as calls for many players would be.
    row = (scope["path"], str(zlib.crc32(raw) % 1024))
    _connection().execute(
        "INSERT OR REPLACE INTO documents (container, pk, id, etag, body) VALUES ('floor', ?, ?, ?, ?)",
        (*row, str(uuid.uuid4()), json.dumps(body)),
    )
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(_REPLY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _REPLY})
