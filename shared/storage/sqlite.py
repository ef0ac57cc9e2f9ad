"""Embedded store: one SQLite file in WAL mode, safe for several worker processes.

Each process holds three connections to the file, so the event loop never waits on another writer:
- the writer's, used only from one dedicated thread: create, replace, delete, and the updates that
  found the write lock taken, which wait for it there;
- the reader's, used on the caller's thread: in WAL mode a read never waits for a writer, and on its
  own connection it sees only committed data;
- the inline one, also on the caller's thread: an update runs there when the write lock is free at once
  (busy timeout 0), sparing the hand-offs between threads, which cost more than the write.
One lock lets one caller at a time use those two, whatever thread it calls from.

update() runs read, mutation and write inside one IMMEDIATE transaction, on either connection: no lost
updates inside a process or across processes, and no retries needed.

Only the constructor creates the file (sqlite_files.py); every connection opens it without create. The
constructor checks that the path names the same file before and after its connections open, and the
file the host prepared at start-up; each call then stats the path first. So a deleted or replaced
store answers StoreUnavailable rather than writing to a file nobody reads, and so do a full disk and a
read-only one.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from shared.config.clock import now
from shared.storage import sqlite_files, sqlite_parts, sqlite_ranks
from shared.storage.base import (
    DELETE,
    BaseStore,
    Conflict,
    Document,
    EventBatch,
    Mutation,
    NotFound,
    PartialMap,
    PreconditionFailed,
    Ranking,
    RankKey,
    StoreBusy,
    check_rank_value,
    check_rank_window,
    encode,
    new_sequence,
    part_of,
    partial_view,
    private_copy,
    whole_part_mutation,
)
from shared.storage.metering import Meter, current
from shared.wire.jsontext import loads

T = TypeVar("T")

# read_many asks for this many documents per query.
_READS_PER_QUERY = 500
# put_ranks writes this many entries per transaction (each also cuts the board's blocks again, one pass
# over the board): a board of 100,000 is ten transactions of well under a second each.
_RANKS_PER_TRANSACTION = 10_000

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS documents (
    container TEXT NOT NULL,
    pk TEXT NOT NULL,
    id TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (container, pk, id)
) WITHOUT ROWID
""",
    *sqlite_parts.SCHEMA,  # keyed maps stored a row per key (update_part)
    *sqlite_ranks.SCHEMA,  # the leaderboard indexes
)

# The event log (BaseStore.append_events): one row per batch and stream; expired rows are no longer read
# and each append removes a few of them (PRUNE_PER_APPEND), the oldest first, through the expiry index.
_EVENTS_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS events (
    stream TEXT NOT NULL,
    seq TEXT NOT NULL,
    expires REAL NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID
""",
    "CREATE INDEX IF NOT EXISTS events_expiry ON events (expires)",
)
# More than one append adds (a batch is one row per stream, nearly always one), so the expired rows
# never pile up while events are written, and an append never does more than this much cleaning.
PRUNE_PER_APPEND = 8

_SELECT = "SELECT body, etag FROM documents WHERE container=? AND pk=? AND id=?"
_MARKED = f'"{sqlite_parts.MARK}":'  # in the text of every marked head (and, rarely, of others)


def _etag() -> str:
    return f'"{uuid.uuid4()}"'


def _set_up_connection(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Set the pragmas and schema, waiting out locks that SQLite reports without calling its busy handler.

    A connection opened while another process ends its last connection (the WAL checkpoint and
    recovery take the file's exclusive lock) can see "database is locked" at once on these first
    statements; several workers starting together then failed to open the store.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; only an OS crash can lose the last commits.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            for statement in (*_SCHEMA, *_EVENTS_SCHEMA):
                conn.execute(statement)
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _wrote(size: int) -> None:
    meter = current()
    if meter is not None:
        meter.written_bytes += size


class SQLiteStore(BaseStore):
    def __init__(self, path: Path | str, busy_timeout_ms: int = 10_000, *, recreate_missing: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists():
            sqlite_files.create_store_file(self.path, recreate_missing)
        sqlite_files.tighten(self.path)
        self._path_text = str(self.path)  # os.stat takes a str without converting it each call
        self._identity = sqlite_files.identity_of(self._path_text)
        prepared = sqlite_files.prepared_identity(self.path)
        if prepared is not None and self._identity != prepared:
            # A worker opening late must not start on a file put in place after the host prepared its own.
            raise sqlite_files.moved(self.path)
        self._busy_timeout_ms = busy_timeout_ms
        self._local_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._conn: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._inline: sqlite3.Connection | None = None
        try:
            self._executor.submit(self._open).result()
            # Reads skip the hop to the writer's thread: in WAL mode a reader never waits for a writer, and
            # on its own connection it sees only committed data. The lock covers callers on other threads.
            self._reader = self._connect_existing(busy_timeout_ms)
            # Updates run on the caller's thread too while the write lock is free (a lock that does not
            # wait: busy timeout 0), sparing the hand-offs of the GIL between threads that cost more than
            # the write. When another writer holds the lock, the update waits for it on the writer's thread.
            self._inline = self._connect_existing(0)
            self._check_file()  # the path named the same file before and after the connections opened
        except BaseException:
            self._close_now()
            raise

    @staticmethod
    def connect(
        path: Path | str, busy_timeout_ms: int = 10_000, check_same_thread: bool = True, *, create: bool = True
    ) -> sqlite3.Connection:
        """A connection with the store's pragmas and schema (the benchmark's floor opens the same).
        Without `create`, a missing file is an error rather than a new empty database."""
        target, uri = (path, False) if create else (Path(path).absolute().as_uri() + "?mode=rw", True)
        conn = sqlite3.connect(
            target,
            isolation_level=None,
            timeout=busy_timeout_ms / 1000,
            check_same_thread=check_same_thread,
            uri=uri,
        )
        try:
            _set_up_connection(conn, busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_existing(self, busy_timeout_ms: int, check_same_thread: bool = False) -> sqlite3.Connection:
        try:
            return self.connect(self.path, busy_timeout_ms, check_same_thread, create=False)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc

    def _open(self) -> None:
        self._conn = self._connect_existing(self._busy_timeout_ms, check_same_thread=True)

    def _check_file(self) -> None:
        # One stat per call: the open file's inode stays allocated while held, so it cannot be reused.
        if sqlite_files.identity_of(self._path_text) != self._identity:
            raise sqlite_files.moved(self.path)

    def _translate(self, exc: sqlite3.Error) -> Exception:
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            return StoreBusy(str(exc))
        return sqlite_files.disk_fault(exc, self.path) or exc

    def _call(self, conn: sqlite3.Connection | None, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert conn is not None
        self._check_file()
        return self._guarded(conn, fn)

    def _guarded(self, conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return fn(conn)
        except sqlite3.Error as exc:
            translated = self._translate(exc)
            if translated is exc:
                raise
            raise translated from exc

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, lambda: self._call(self._conn, fn))

    def check_writable(self) -> None:
        """Raise StoreUnavailable if the store cannot take writes (read-only file, mount or directory).
        A write that changes nothing still needs a write transaction, which a read-only store refuses."""
        with self._local_lock:
            self._call(self._inline, lambda conn: conn.execute("DELETE FROM documents WHERE 0"))

    @staticmethod
    def _select(conn: sqlite3.Connection, container: str, pk: str, id: str) -> Document | None:
        # The head and its map's rows, if it keeps them apart, in one statement: one snapshot.
        row = conn.execute(sqlite_parts.SELECT_WHOLE, (container, pk, id)).fetchone()
        if row is None:
            return None
        body, kept_apart = sqlite_parts.assemble(loads(row[0]), row[2])
        meter = current()  # set on the loop's thread only: a check inside a thread's write is not counted
        if meter is not None:
            meter.read_bytes += len(row[0]) + kept_apart
        return Document(body, row[1])

    async def read(self, container: str, pk: str, id: str) -> Document | None:
        with self._local_lock:
            return self._call(self._reader, lambda conn: self._select(conn, container, pk, id))

    async def partitions_with(self, container: str, id: str) -> list[str]:
        def scan(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute("SELECT pk FROM documents WHERE container = ? AND id = ? ORDER BY pk", (container, id))
            return [str(row[0]) for row in rows]

        with self._local_lock:
            return self._call(self._reader, scan)

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[Document | None]:
        # A read never waits here, so all in one query on one snapshot: a task per read costs more than
        # the read (100 account reads as gathered tasks: about 6.5 ms; one after another 1.6 ms).
        def reads(conn: sqlite3.Connection) -> list[Document | None]:
            # Grouped by id (a page of players asks for the same document of each): a query per id and
            # up to _READS_PER_QUERY partitions, each a seek of the primary key.
            by_id: dict[str, list[str]] = {}
            for pk, id in keys:
                by_id.setdefault(id, []).append(pk)
            found: dict[tuple[str, str], tuple[str, str]] = {}
            for id, pks in by_id.items():
                for at in range(0, len(pks), _READS_PER_QUERY):
                    chunk = pks[at : at + _READS_PER_QUERY]
                    marks = ", ".join("?" for _ in chunk)
                    rows = conn.execute(
                        f"SELECT pk, body, etag FROM documents WHERE container=? AND pk IN ({marks}) AND id=?",
                        (container, *chunk, id),
                    )
                    found.update(((pk, id), (body, etag)) for pk, body, etag in rows)
            if meter is not None:
                meter.read_bytes += sum(len(found[key][0]) for key in keys if key in found)
            # A parse per answer: a key asked twice gets two private bodies, as two reads would.
            docs = [Document(loads(found[key][0]), found[key][1]) if key in found else None for key in keys]
            for (pk, id), doc in zip(keys, docs, strict=True):
                if doc is not None and sqlite_parts.MARK in doc.body:
                    entries, size = sqlite_parts.read_all(conn, (container, pk, id))
                    doc.body[doc.body.pop(sqlite_parts.MARK)["f"]] = entries
                    if meter is not None:
                        meter.read_bytes += size
            return docs

        meter = current()
        return self._snapshot(reads)

    async def create(self, container: str, pk: str, id: str, body: dict[str, Any]) -> Document:
        if sqlite_parts.MARK in body:
            raise ValueError(f"{sqlite_parts.MARK} is the store's own field")
        text, etag = encode(body), _etag()
        _wrote(len(text))

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
        new_etag = _etag()
        meter = current()

        def op(conn: sqlite3.Connection) -> Document:
            row = conn.execute(_SELECT, (container, pk, id)).fetchone()
            if row is None or row[1] != etag:
                raise (PreconditionFailed if row else NotFound)(f"{container}/{pk}/{id}")
            text = self._write_whole(conn, (container, pk, id), row[0], body, meter)
            conn.execute(
                "UPDATE documents SET body=?, etag=? WHERE container=? AND pk=? AND id=?",
                (text, new_etag, container, pk, id),
            )
            return Document(private_copy(body), new_etag)

        return await self._write(op)

    @staticmethod
    def _write_whole(
        conn: sqlite3.Connection,
        where: tuple[str, str, str],
        stored: str | None,
        body: dict[str, Any],
        meter: Meter | None,
    ) -> str:
        """The row text of a whole-document write over `stored` (None: no document). A document whose
        map is kept a row per key stays so: its rows are written again from `body`, in this transaction."""
        if sqlite_parts.MARK in body:
            raise ValueError(f"{sqlite_parts.MARK} is the store's own field")
        marked = loads(stored).get(sqlite_parts.MARK) if stored is not None and _MARKED in stored else None
        if marked is None:
            text = encode(body)
            written = len(text)
        else:
            sqlite_parts.clear(conn, where)
            field = marked["f"]
            entries = body.get(field)
            if isinstance(entries, dict):
                head = {key: value for key, value in body.items() if key != field}
                new_mark, written = sqlite_parts.write_all(conn, where, field, entries)
                text = sqlite_parts.head_text(head, new_mark)
                written += len(text)
            else:
                text = encode(body)
                written = len(text)
        if meter is not None:
            meter.written_bytes += written
        return text

    async def delete(self, container: str, pk: str, id: str, etag: str | None = None) -> None:
        def op(conn: sqlite3.Connection) -> None:
            sql = "DELETE FROM documents WHERE container=? AND pk=? AND id=?"
            args: tuple[str, ...] = (container, pk, id)
            if etag is not None:
                sql, args = sql + " AND etag=?", (*args, etag)
            if conn.execute(sql, args).rowcount == 0:
                exists = conn.execute(_SELECT, (container, pk, id)).fetchone()
                raise (PreconditionFailed if exists else NotFound)(f"{container}/{pk}/{id}")
            sqlite_parts.clear(conn, (container, pk, id))  # rows of its map, if kept apart

        await self._write(op)

    def _inline_transaction(self, body: Callable[[sqlite3.Connection], T]) -> tuple[bool, T | None]:
        """(True, result) if `body` ran in a transaction on the inline connection; (False, None) if
        another writer held the lock, so nothing ran."""
        with self._local_lock:
            conn = self._inline
            assert conn is not None
            self._check_file()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                translated = self._translate(exc)
                if isinstance(translated, StoreBusy):
                    return False, None
                if translated is exc:
                    raise
                raise translated from exc
            return True, self._guarded(conn, lambda c: self._finish(c, body))

    @staticmethod
    def _finish(conn: sqlite3.Connection, body: Callable[[sqlite3.Connection], T]) -> T:
        try:
            result = body(conn)
            conn.execute("COMMIT")
        except BaseException:
            # A full disk may have rolled back already, or refuse the rollback: the first error is the one
            # to report either way, and an unfinished transaction never commits.
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            raise
        return result

    async def update(self, container: str, pk: str, id: str, mutation: Mutation) -> Document | None:
        etag = _etag()  # made before the write lock is taken: os.urandom gives up the GIL
        meter = current()

        def body(conn: sqlite3.Connection) -> Document | None:
            where = (container, pk, id)
            row = conn.execute(_SELECT, where).fetchone()
            if row and meter is not None:
                meter.read_bytes += len(row[0])
            return self._update_in(conn, where, row, mutation, etag, meter)

        return await self._write(body)

    def _update_in(
        self,
        conn: sqlite3.Connection,
        where: tuple[str, str, str],
        row: tuple[str, str] | None,
        mutation: Mutation,
        etag: str,
        meter: Meter | None,
    ) -> Document | None:
        """update()'s read, mutation and write of the whole document, inside the caller's transaction;
        `row` is the document's (text, etag) as the transaction read it."""
        stored = row[0] if row else None
        # A fresh parse is already a private copy: cheaper than deep-copying a parsed body.
        result = mutation(self._whole(conn, where, stored, meter) if stored is not None else None)
        if result is None:
            return Document(self._whole(conn, where, stored, None), row[1]) if row and stored is not None else None
        if result is DELETE:
            conn.execute("DELETE FROM documents WHERE container=? AND pk=? AND id=?", where)
            if stored is not None and _MARKED in stored:
                sqlite_parts.clear(conn, where)
            return None
        assert isinstance(result, dict)
        self._put(conn, where, row is not None, etag, self._write_whole(conn, where, stored, result, meter))
        # The mutation built `result` from its private copy and gives it up, so the caller may have it
        # as it is, without parsing back the text just written.
        return Document(result, etag)

    @staticmethod
    def _put(conn: sqlite3.Connection, where: tuple[str, str, str], exists: bool, etag: str, text: str) -> None:
        """Write a document's row: an UPDATE of the one there (rather than REPLACE: SQLite then rewrites
        only the pages whose bytes changed, most of the cost for a large document), or an INSERT."""
        if exists:
            conn.execute(
                "UPDATE documents SET etag=?, body=? WHERE container=? AND pk=? AND id=?", (etag, text, *where)
            )
        else:
            conn.execute(
                "INSERT INTO documents (container, pk, id, etag, body) VALUES (?, ?, ?, ?, ?)", (*where, etag, text)
            )

    @staticmethod
    def _whole(conn: sqlite3.Connection, where: tuple[str, str, str], text: str, meter: Meter | None) -> dict[str, Any]:
        """A document's body from its row's text, with its map's rows when it keeps them apart."""
        body: dict[str, Any] = loads(text)
        marked = body.pop(sqlite_parts.MARK, None)
        if marked is not None:
            body[marked["f"]], size = sqlite_parts.read_all(conn, where)
            if meter is not None:
                meter.read_bytes += size
        return body

    async def update_part(
        self, container: str, pk: str, id: str, field: str, keys: Collection[str], mutation: Mutation
    ) -> Document | None:
        etag = _etag()
        meter = current()
        named = list(dict.fromkeys(keys))

        def whole_update(
            conn: sqlite3.Connection, where: tuple[str, str, str], row: tuple[str, str] | None
        ) -> Document | None:
            # The generic contract (BaseStore.update_part) over the whole document, in this transaction.
            wrapped = whole_part_mutation(field, named, mutation)
            doc = self._update_in(conn, where, row, wrapped, etag, meter)
            return None if doc is None else Document(partial_view(doc.body, field, named), doc.etag)

        def body(conn: sqlite3.Connection) -> Document | None:
            where = (container, pk, id)
            row = conn.execute(_SELECT, where).fetchone()
            if row and meter is not None:
                meter.read_bytes += len(row[0])
            head: dict[str, Any] | None = loads(row[0]) if row else None
            marked = head.pop(sqlite_parts.MARK, None) if head is not None else None
            if marked is not None and marked["f"] != field:
                # Its rows keep another of its maps: this one is in the head, read and written whole.
                return whole_update(conn, where, row)
            converted = False
            if head is not None and marked is None:
                entries = head.get(field)
                if not isinstance(entries, dict):
                    # No map to keep apart: an update of the whole document.
                    return whole_update(conn, where, row)
                # Its first partial write: the map moves to rows of its own, once (over no stray row).
                del head[field]
                sqlite_parts.clear(conn, where)
                marked, moved = sqlite_parts.write_all(conn, where, field, entries)
                if meter is not None:
                    meter.written_bytes += moved
                converted = True
            old = sqlite_parts.read_named(conn, where, named) if marked is not None else {}
            if meter is not None:
                meter.read_bytes += sum(len(text) for text, _ in old.values())
            # What the keys not named add to the document: the same before and after this write.
            omitted_count, omitted_bytes = sqlite_parts.left_out(marked, old) if marked is not None else (0, 0)
            if head is not None:
                head[field] = PartialMap(sqlite_parts.shown(old, named), omitted_count, omitted_bytes)
            result = mutation(head)
            if result is None:
                if row is None:
                    return None
                again = loads(row[0])
                again.pop(sqlite_parts.MARK, None)
                if converted and marked is not None:
                    # Nothing changed, but the map's rows are written: the head points at them now
                    # (same etag), or a later whole write would leave them behind.
                    kept = {key: value for key, value in again.items() if key != field}
                    text = sqlite_parts.head_text(kept, marked)
                    conn.execute("UPDATE documents SET body=? WHERE container=? AND pk=? AND id=?", (text, *where))
                    if meter is not None:
                        meter.written_bytes += len(text)
                again[field] = PartialMap(sqlite_parts.shown(old, named), omitted_count, omitted_bytes)
                return Document(again, row[1])
            if result is DELETE:
                conn.execute("DELETE FROM documents WHERE container=? AND pk=? AND id=?", where)
                sqlite_parts.clear(conn, where)
                return None
            assert isinstance(result, dict)
            if sqlite_parts.MARK in result:
                raise ValueError(f"{sqlite_parts.MARK} is the store's own field")
            written = result.get(field)
            if marked is None:  # a new document
                if not isinstance(written, dict):
                    # Without the map: stored as written, as update() would (no empty map appears).
                    text = encode(result)
                    if meter is not None:
                        meter.written_bytes += len(text)
                    self._put(conn, where, False, etag, text)
                    return Document(partial_view(result, field, named), etag)
                # Its whole map is new, and the answer shows the named keys of it, as update_part's does.
                marked = sqlite_parts.mark(field, 0, 0, 0)
                changed = sqlite_parts.write_named(conn, where, marked, {}, list(written), written)
                answer = part_of(written, named)
            else:
                written = written if isinstance(written, dict) else {}
                stray = written.keys() - set(named)
                if stray:
                    raise ValueError(f"a partial update wrote keys it did not name: {sorted(stray)[:3]}")
                changed = sqlite_parts.write_named(conn, where, marked, old, named, written)
                # Whatever the mutation put there (the map it was shown, or a dict of its own), the
                # answer sizes the keys it left out.
                answer = PartialMap(written, omitted_count, omitted_bytes)
            head_out = {key: value for key, value in result.items() if key != field}
            text = sqlite_parts.head_text(head_out, marked)
            if meter is not None:
                meter.written_bytes += changed + len(text)
            self._put(conn, where, row is not None, etag, text)
            out = dict(result)
            out[field] = answer
            return Document(out, etag)

        return await self._write(body)

    async def read_part(self, container: str, pk: str, id: str, field: str, keys: Collection[str]) -> Document | None:
        meter = current()

        def reads(conn: sqlite3.Connection) -> Document | None:
            where = (container, pk, id)
            row = conn.execute(_SELECT, where).fetchone()
            if row is None:
                return None
            body: dict[str, Any] = loads(row[0])
            marked = body.pop(sqlite_parts.MARK, None)
            read = len(row[0])
            if marked is None:
                whole = body.get(field)
                if isinstance(whole, dict):
                    body[field] = part_of(whole, keys)
            elif marked["f"] != field:
                # Its rows keep another of its maps, shown whole; this one is in the head.
                body[marked["f"]], size = sqlite_parts.read_all(conn, where)
                read += size
                body = partial_view(body, field, keys)
            else:
                named = list(dict.fromkeys(keys))
                old = sqlite_parts.read_named(conn, where, named)
                read += sum(len(text) for text, _ in old.values())
                body[field] = PartialMap(sqlite_parts.shown(old, named), *sqlite_parts.left_out(marked, old))
            if meter is not None:
                meter.read_bytes += read
            return Document(body, row[1])

        return self._snapshot(reads)

    async def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """`body` in one IMMEDIATE transaction: inline when the write lock is free, else on the writer's thread."""
        ran, outcome = self._inline_transaction(body)
        if ran:
            return outcome  # type: ignore[return-value]

        def op(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            return self._finish(conn, body)

        return await self._run(op)

    async def append_events(self, streams: Mapping[str, Sequence[dict[str, Any]]], expires_at: float) -> str:
        sequence = new_sequence()
        rows = [(stream, sequence, expires_at, encode({"e": list(events)})) for stream, events in streams.items()]
        _wrote(sum(len(row[3]) for row in rows))
        at = now()

        def body(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT INTO events (stream, seq, expires, body) VALUES (?, ?, ?, ?)", rows)
            conn.execute(
                "DELETE FROM events WHERE (stream, seq) IN "
                "(SELECT stream, seq FROM events WHERE expires <= ? ORDER BY expires LIMIT ?)",
                (at, PRUNE_PER_APPEND),
            )

        await self._write(body)
        return sequence

    async def _event_batches(
        self, stream: str, start: str | None, inclusive: bool, count: int, at: float
    ) -> list[EventBatch]:
        sql, args = "SELECT seq, body FROM events WHERE stream=? AND expires > ?", [stream, at]
        if start is not None:
            sql += " AND seq <= ?" if inclusive else " AND seq < ?"
            args.append(start)
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(count)

        def op(conn: sqlite3.Connection) -> list[EventBatch]:
            return [EventBatch(row[0], loads(row[1])["e"]) for row in conn.execute(sql, args)]

        with self._local_lock:
            return self._call(self._reader, op)

    async def delete_events(self, stream: str) -> None:
        def body(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM events WHERE stream=?", (stream,))

        await self._write(body)

    def _snapshot(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """`body`'s reads in one read transaction on the reader's connection: one consistent snapshot."""
        with self._local_lock:
            return self._call(self._reader, lambda conn: self._in_read_transaction(conn, body))

    @staticmethod
    def _in_read_transaction(conn: sqlite3.Connection, body: Callable[[sqlite3.Connection], T]) -> T:
        conn.execute("BEGIN")
        try:
            return body(conn)
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("COMMIT")

    async def put_rank(self, board: str, entity_id: str, value: int, tiebreak: str, seq: int) -> None:
        check_rank_value(value)
        await self._write(lambda conn: sqlite_ranks.put(conn, board, entity_id, value, tiebreak, seq))

    async def create_all(self, documents: Sequence[tuple[str, str, str, dict[str, Any]]]) -> None:
        """create() of each (container, pk, id, body) in one transaction: all land, or, when any id is
        taken (Conflict) or a body too large, none. For seeding a store in bulk; not part of Store."""
        if any(sqlite_parts.MARK in body for *_, body in documents):
            raise ValueError(f"{sqlite_parts.MARK} is the store's own field")
        # In key order: the inserts then fill the table's pages in turn rather than splitting them at random.
        rows = sorted((container, pk, id, _etag(), encode(body)) for container, pk, id, body in documents)

        def body(conn: sqlite3.Connection) -> None:
            try:
                conn.executemany("INSERT INTO documents (container, pk, id, etag, body) VALUES (?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError as exc:
                raise Conflict("a document of the batch exists") from exc

        await self._write(body)

    async def put_ranks(self, board: str, entries: Sequence[tuple[str, int, str, int]]) -> None:
        for entry in entries:
            check_rank_value(entry[1])
        for at in range(0, len(entries), _RANKS_PER_TRANSACTION):
            chunk = entries[at : at + _RANKS_PER_TRANSACTION]

            def body(conn: sqlite3.Connection, chunk: Sequence[tuple[str, int, str, int]] = chunk) -> None:
                sqlite_ranks.put_many(conn, board, chunk)

            await self._write(body)

    async def delete_rank(self, board: str, entity_id: str) -> None:
        await self._write(lambda conn: sqlite_ranks.delete(conn, board, entity_id))

    async def rank_range(self, board: str, start: int, count: int) -> list[Ranking]:
        check_rank_window(start, count)
        return self._snapshot(lambda conn: sqlite_ranks.range_of(conn, board, start, count))

    async def rank_of(self, board: str, entity_id: str) -> Ranking | None:
        return self._snapshot(lambda conn: sqlite_ranks.rank_of(conn, board, entity_id))

    async def rank_window(self, board: str, entity_id: str, before: int, count: int) -> list[Ranking]:
        check_rank_window(before, count)
        return self._snapshot(lambda conn: sqlite_ranks.window(conn, board, entity_id, before, count))

    async def rank_after(self, board: str, after: RankKey | None, count: int) -> list[RankKey]:
        check_rank_window(0, count)
        return self._snapshot(lambda conn: sqlite_ranks.after(conn, board, after, count))

    async def rank_count(self, board: str) -> int:
        return self._snapshot(lambda conn: sqlite_ranks.count(conn, board))

    async def close(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.close()

        if self._conn is not None:
            # Straight to the connection: closing needs no check that the file is still there.
            await asyncio.get_running_loop().run_in_executor(self._executor, op, self._conn)
            self._conn = None
        self._close_now()

    def _close_now(self) -> None:
        if self._conn is not None:
            self._executor.submit(self._conn.close).result()
            self._conn = None
        with self._local_lock:
            for conn in (self._reader, self._inline):
                if conn is not None:
                    conn.close()
            self._reader = self._inline = None
        self._executor.shutdown(wait=True)


async def _prepare(path: Path, recreate_missing: bool) -> None:
    store = SQLiteStore(path, recreate_missing=recreate_missing)
    try:
        store.check_writable()
    finally:
        await store.close()
    sqlite_files.mark_prepared(path)


def prepare_store(path: Path, recreate_missing: bool = False) -> None:
    """Start-up check, before any worker runs: the store exists or may be created, and takes writes.
    Raises StoreUnavailable naming the problem."""
    asyncio.run(_prepare(path, recreate_missing))
