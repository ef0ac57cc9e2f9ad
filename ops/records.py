"""The export file: JSON Lines, one record per line, every document as the store holds it.

    {"Record": "header", "Format": FORMAT, "Version": VERSION, "TitleId": ...}   first
    {"Record": "title", "Documents": [DOC, ...]}          title data kinds, statistic definitions, title objects
    {"Record": "player", "PlayFabId": ..., "Documents": [DOC, ...]}
    {"Record": "group", "SharedGroupId": ..., "Documents": [DOC]}
    {"Record": "end", "Records": n}                      last: n records between the header and it

A file without its end line was cut short (an export killed midway): import refuses it before writing.

DOC is {"Container", "Partition", "Id", "Body"}. A player's record holds its partition of `players`
(account, data families, characters and their data and statistics, custom properties, statistics, the
groups it is in), its login lookups and its entity profiles (objects, ProfileVersion). Leaderboard and
directory entries are not in the file: an import writes them again from the documents, as the core does.

Never in the file: password hashes, password-reset tokens, rate-limit counters, kept answers of retried
writes and server functions, key history not yet moved to the event log, and the event log itself.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Final

import orjson

from shared.features import idempotency
from shared.storage.layout import HISTORY_OUTBOX

FORMAT: Final = "playfab-backend-export"
VERSION: Final = 1
HEADER: Final = "header"
TITLE: Final = "title"
PLAYER: Final = "player"
GROUP: Final = "group"
END: Final = "end"
KINDS: Final = (TITLE, PLAYER, GROUP)

# Fields of a stored body that belong to the write in flight, not to the data: left out of the file and
# out of every comparison.
_TRANSIENT: Final = (HISTORY_OUTBOX, idempotency.RETRIES_FIELD)


class BadRecord(ValueError):
    """A line that is not a record of this format."""


@dataclass(frozen=True)
class Doc:
    container: str
    partition: str
    id: str
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"Container": self.container, "Partition": self.partition, "Id": self.id, "Body": self.body}


def portable(body: dict[str, Any]) -> dict[str, Any]:
    """The body without the fields of writes in flight."""
    return {key: value for key, value in body.items() if key not in _TRANSIENT}


def header(title_id: str) -> dict[str, Any]:
    """Which store a file came from is not in it: exports of equal titles are equal files."""
    return {"Record": HEADER, "Format": FORMAT, "Version": VERSION, "TitleId": title_id}


def dumps(record: dict[str, Any]) -> bytes:
    """One line, keys sorted, so equal records are equal bytes whichever store they came from."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS) + b"\n"


def loads(line: bytes, number: int) -> dict[str, Any]:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise BadRecord(f"line {number}: not JSON ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("Record"), str):
        raise BadRecord(f'line {number}: not a record (an object with a "Record" kind)')
    return record


def check_header(record: dict[str, Any]) -> str:
    """The file's TitleId, once the first line is known to be this format's header."""
    if record.get("Record") != HEADER or record.get("Format") != FORMAT:
        raise BadRecord(f"line 1: not an export of this backend (expected a {FORMAT!r} header)")
    if record.get("Version") != VERSION:
        raise BadRecord(f"line 1: format version {record.get('Version')!r}; this tool reads version {VERSION}")
    title_id = record.get("TitleId")
    if not isinstance(title_id, str) or not title_id:
        raise BadRecord("line 1: the header names no TitleId")
    return title_id


def documents(record: dict[str, Any], number: int) -> list[Doc]:
    """The record's documents, each checked for shape."""
    kind = record.get("Record")
    if kind not in KINDS:
        raise BadRecord(f"line {number}: unknown record kind {kind!r}")
    raw = record.get("Documents")
    if not isinstance(raw, list):
        raise BadRecord(f"line {number}: a {kind} record needs a Documents list")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRecord(f"line {number}: a document is an object")
        fields = (item.get("Container"), item.get("Partition"), item.get("Id"))
        body = item.get("Body")
        if not all(isinstance(field, str) and field for field in fields) or not isinstance(body, dict):
            raise BadRecord(f"line {number}: a document needs Container, Partition, Id and a Body object")
        out.append(Doc(str(fields[0]), str(fields[1]), str(fields[2]), body))
    return out


def end(count: int) -> dict[str, Any]:
    return {"Record": END, "Records": count}


def open_private(path: str | os.PathLike[str]) -> IO[bytes]:
    """A file for writing, readable by its owner only (one an earlier run left keeps its mode through
    O_CREAT, so it is set again)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


class Writer:
    """An export file, written whole or not at all: lines go to `<path>.partial` (readable by its owner
    only: custom and device ids are sign-in credentials), which becomes `path` once the end line is in.
    "-" writes to standard output, made owner-only when it is a file."""

    def __init__(self, path: str, title_id: str) -> None:
        self.path, self.count = path, 0
        if path == "-":
            self._partial = None
            self._out: IO[bytes] = sys.stdout.buffer
            if stat.S_ISREG(os.fstat(self._out.fileno()).st_mode):
                os.fchmod(self._out.fileno(), 0o600)
        else:
            self._partial = f"{path}.partial"
            self._out = open_private(self._partial)
        self._out.write(dumps(header(title_id)))

    def write(self, record: dict[str, Any]) -> None:
        self._out.write(dumps(record))
        self.count += 1

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self._out.write(dumps(end(self.count)))
        self._out.flush()
        if self._partial is None:
            return
        self._out.close()
        if kind is None:
            os.replace(self._partial, self.path)
        else:
            os.unlink(self._partial)  # nothing half-written is left to be taken for an export
