"""Embedded store: one SQLite file in WAL mode, safe for several worker processes.

Each process owns one connection, used from one dedicated thread, so the event loop never blocks on
SQLite. update() runs read, mutation and write inside one IMMEDIATE transaction: no lost updates
inside a process or across processes, and no retries needed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from shared.jsontext import loads
from shared.storage.base import (
    DELETE,
    BaseStore,
    Conflict,
    Document,
    Mutation,
    NotFound,
    PreconditionFailed,
    StoreBusy,
    encode,
)

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    container TEXT NOT NULL,
    pk TEXT NOT NULL,
    id TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (container, pk, id)
) WITHOUT ROWID
"""

_SELECT = "SELECT body, etag FROM documents WHERE container=? AND pk=? AND id=?"


def _etag() -> str:
    return f'"{uuid.uuid4()}"'


class SQLiteStore(BaseStore):
    def __init__(self, path: Path | str, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._conn: sqlite3.Connection | None = None
        self._executor.submit(self._open).result()
        # Reads skip the hop to the writer's thread: in WAL mode a reader never waits for a writer, and
        # on its own connection it sees only committed data. The lock covers callers on other threads.
        self._reader: sqlite3.Connection | None = self.connect(self.path, busy_timeout_ms, check_same_thread=False)
        self._local_lock = threading.Lock()
        # Updates run on the caller's thread too while the write lock is free (a lock that does not wait:
        # busy timeout 0), sparing the hand-offs of the GIL between threads that cost more than the
        # write. When another writer holds the lock, the update waits for it on the writer's thread.
        self._inline: sqlite3.Connection | None = self.connect(self.path, 0, check_same_thread=False)

    @staticmethod
    def connect(path: Path | str, busy_timeout_ms: int = 10_000, check_same_thread: bool = True) -> sqlite3.Connection:
        """A connection with the store's pragmas and schema (the benchmark's floor opens the same)."""
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=busy_timeout_ms / 1000, check_same_thread=check_same_thread
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only an OS crash can lose the last commits.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        conn.execute(_SCHEMA)
        return conn

    def _open(self) -> None:
        self._conn = self.connect(self.path, self._busy_timeout_ms)

    @staticmethod
    def _call(conn: sqlite3.Connection | None, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert conn is not None
        try:
            return fn(conn)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(str(exc)) from exc
            raise

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, lambda: self._call(self._conn, fn))

    @staticmethod
    def _select(conn: sqlite3.Connection, container: str, pk: str, id: str) -> Document | None:
        row = conn.execute(_SELECT, (container, pk, id)).fetchone()
        return Document(loads(row[0]), row[1]) if row else None

    async def read(self, container: str, pk: str, id: str) -> Document | None:
        with self._local_lock:
            return self._call(self._reader, lambda conn: self._select(conn, container, pk, id))

    async def create(self, container: str, pk: str, id: str, body: dict[str, Any]) -> Document:
        text, etag = encode(body), _etag()

        def op(conn: sqlite3.Connection) -> Document:
            try:
                conn.execute(
                    "INSERT INTO documents (container, pk, id, etag, body) VALUES (?, ?, ?, ?, ?)",
                    (container, pk, id, etag, text),
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"{container}/{pk}/{id} exists") from exc
            return Document(loads(text), etag)

        return await self._run(op)

    async def replace(self, container: str, pk: str, id: str, body: dict[str, Any], etag: str) -> Document:
        text, new_etag = encode(body), _etag()

        def op(conn: sqlite3.Connection) -> Document:
            cur = conn.execute(
                "UPDATE documents SET body=?, etag=? WHERE container=? AND pk=? AND id=? AND etag=?",
                (text, new_etag, container, pk, id, etag),
            )
            if cur.rowcount == 0:
                exists = self._select(conn, container, pk, id)
                raise (PreconditionFailed if exists else NotFound)(f"{container}/{pk}/{id}")
            return Document(loads(text), new_etag)

        return await self._run(op)

    async def delete(self, container: str, pk: str, id: str, etag: str | None = None) -> None:
        def op(conn: sqlite3.Connection) -> None:
            sql = "DELETE FROM documents WHERE container=? AND pk=? AND id=?"
            args: tuple[str, ...] = (container, pk, id)
            if etag is not None:
                sql, args = sql + " AND etag=?", (*args, etag)
            if conn.execute(sql, args).rowcount == 0:
                exists = self._select(conn, container, pk, id)
                raise (PreconditionFailed if exists else NotFound)(f"{container}/{pk}/{id}")

        await self._run(op)

    def _inline_transaction(self, body: Callable[[sqlite3.Connection], T]) -> tuple[bool, T | None]:
        """(True, result) if `body` ran in a transaction on the inline connection; (False, None) if
        another writer held the lock, so nothing ran."""
        with self._local_lock:
            conn = self._inline
            assert conn is not None
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return False, None
                raise
            return True, self._call(conn, lambda c: self._finish(c, body))

    @staticmethod
    def _finish(conn: sqlite3.Connection, body: Callable[[sqlite3.Connection], T]) -> T:
        try:
            result = body(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    async def update(self, container: str, pk: str, id: str, mutation: Mutation) -> Document | None:
        etag = _etag()  # made before the write lock is taken: os.urandom gives up the GIL

        def body(conn: sqlite3.Connection) -> Document | None:
            row = conn.execute(_SELECT, (container, pk, id)).fetchone()
            # A fresh parse is already a private copy: cheaper than deep-copying a parsed body.
            result = mutation(loads(row[0]) if row else None)
            outcome = Document(loads(row[0]), row[1]) if row and result is None else None
            if result is DELETE:
                conn.execute("DELETE FROM documents WHERE container=? AND pk=? AND id=?", (container, pk, id))
                outcome = None
            elif isinstance(result, dict):
                text = encode(result)
                if row:
                    # UPDATE rather than REPLACE: SQLite then rewrites only the pages whose bytes changed,
                    # which for a large document with a few keys changed is most of the cost.
                    conn.execute(
                        "UPDATE documents SET etag=?, body=? WHERE container=? AND pk=? AND id=?",
                        (etag, text, container, pk, id),
                    )
                else:
                    conn.execute(
                        "INSERT INTO documents (container, pk, id, etag, body) VALUES (?, ?, ?, ?, ?)",
                        (container, pk, id, etag, text),
                    )
                # The mutation built `result` from its private copy and gives it up, so the caller
                # may have it as it is, without parsing back the text just written.
                outcome = Document(result, etag)
            return outcome

        ran, outcome = self._inline_transaction(body)
        if ran:
            return outcome

        def op(conn: sqlite3.Connection) -> Document | None:
            conn.execute("BEGIN IMMEDIATE")
            return self._finish(conn, body)

        return await self._run(op)

    async def close(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.close()

        if self._conn is not None:
            await self._run(op)
            self._conn = None
        with self._local_lock:
            for conn in (self._reader, self._inline):
                if conn is not None:
                    conn.close()
            self._reader = self._inline = None
        self._executor.shutdown(wait=True)
