"""Disk faults and a read log for a local host under test, at the sqlite3 layer (no root, no mounts needed).

Python imports this module at start-up in every process whose PYTHONPATH holds this directory, uvicorn's
worker processes included. When SQLITE_FAULT_FILE names a control file, every connection reads it
before each statement:
  readonly - the connection runs with PRAGMA query_only=ON, so SQLite itself refuses every write with
             SQLITE_READONLY, as it does for a file on a read-only mount;
  full     - every INSERT, UPDATE or DELETE raises the error SQLite raises when the disk is full
             (SQLITE_FULL), even one that would rewrite pages in place, which a real full disk also
             refuses once the WAL cannot grow.
  events   - every write to the event log's table fails as `full` does, while documents are written as
             usual: a store whose event log refuses what the documents accept.
Anything else (or no file) leaves the connection alone.

When SQLITE_READ_LOG names a file, every document read (the store's point SELECT) appends one line to
it, `<pid> <container> <pk> <id>` separated by tabs, so a test can count the store reads each worker
process made, for real.
"""

from __future__ import annotations

import os
import re
import sqlite3
from typing import Any

_CONTROL = os.environ.get("SQLITE_FAULT_FILE")
_READ_LOG = os.environ.get("SQLITE_READ_LOG")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# A point read by id: the plain SELECT and the one that brings a document's parts with it (sqlite_parts).
_DOCUMENT_READ = "SELECT body, etag"
_EVENTS = re.compile(r"\b(INTO|FROM)\s+events\b", re.IGNORECASE)


def _mode() -> str:
    try:
        with open(str(_CONTROL), encoding="utf-8") as fh:
            return fh.read().strip()
    except FileNotFoundError:
        return ""


def _log_read(parameters: Any) -> None:
    line = "\t".join([str(os.getpid()), *map(str, parameters)]) + "\n"
    # One write of a short line to a file opened for appending: lines of several processes never mix.
    fd = os.open(str(_READ_LOG), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


class FaultyConnection(sqlite3.Connection):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if _READ_LOG and sql.startswith(_DOCUMENT_READ):
            _log_read(parameters)
        if not _CONTROL:
            return super().execute(sql, parameters)
        mode = _mode()
        _refuse(mode, sql)
        super().execute(f"PRAGMA query_only={int(mode == 'readonly')}")
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        if _CONTROL:
            _refuse(_mode(), sql)
        return super().executemany(sql, parameters)


def _refuse(mode: str, sql: str) -> None:
    writing = sql.lstrip().upper().startswith(_WRITES)
    if (mode == "full" and writing) or (mode == "events" and writing and _EVENTS.search(sql)):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
        exc.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        raise exc


if _CONTROL or _READ_LOG:
    _connect = sqlite3.connect

    def _faulty_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", FaultyConnection)
        return _connect(*args, **kwargs)

    sqlite3.connect = _faulty_connect
