"""The embedded store's files on disk: which file is the store, whether one existed, who may read it.

SQLite follows a path only when it opens it. If the file is deleted or replaced afterwards, an open
connection keeps writing into the unlinked inode (lost at the next restart), and a process opening the
path later would create a new empty store. So the store is created only here, once, with owner-only
permissions; connections open it without create; and each operation compares the open file's
device and inode with the path's.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from shared.config.clock import iso, now
from shared.config.settings import SIGNING_KEY_FILE, generated_signing_key_files
from shared.storage.base import StoreUnavailable

log = logging.getLogger("playfab.storage")

# A full or read-only disk needs someone to free space or remount it: retrying within seconds only adds
# load, while a client told to wait half a minute still gets through soon after the fix.
RETRY_AFTER_SECONDS: Final = 30
MARKER_SUFFIX: Final = ".created"
RECREATE_SETTING: Final = "SQLITE_RECREATE_MISSING_STORE"
# Set by the local host once it has opened or created the store at start-up; its worker processes inherit
# it, so none of them ever creates the file, even when the whole directory has gone with the marker.
PREPARED_SETTING: Final = "SQLITE_STORE_PREPARED"
# Primary result codes (the low byte of SQLite's extended codes) that mean the disk, not the request.
_DISK_FAULTS: Final = {
    8: "read-only",  # SQLITE_READONLY (and its extended codes, e.g. the file moved)
    10: "failing I/O",  # SQLITE_IOERR
    13: "full",  # SQLITE_FULL
    14: "unable to open its files",  # SQLITE_CANTOPEN
}


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int


def identity_of(path: Path | str) -> FileIdentity | None:
    try:
        st = os.stat(path)
    except OSError:  # gone, or a directory on the way gone or unreadable: not the open file either way
        return None
    return FileIdentity(st.st_dev, st.st_ino)


def companions(path: Path) -> tuple[Path, ...]:
    """The files SQLite keeps beside the store in WAL mode."""
    return (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))


def marker_of(path: Path) -> Path:
    return path.with_name(path.name + MARKER_SUFFIX)


def disk_fault(exc: sqlite3.Error, path: Path) -> StoreUnavailable | None:
    """A StoreUnavailable for errors of the disk under the store (SQLite's message holds no data)."""
    code = getattr(exc, "sqlite_errorcode", None)
    kind = _DISK_FAULTS.get(code & 0xFF) if isinstance(code, int) else None
    if kind is None:
        return None
    # SQLite often says only that it cannot open or size the -wal or -shm file: name the cause if plain.
    mount = _mount_state(path)
    if mount is not None:
        kind = mount
    name = getattr(exc, "sqlite_errorname", "SQLITE_ERROR")
    return StoreUnavailable(
        f"the SQLite store {path} is {kind} ({name}: {exc})", retry_after_seconds=RETRY_AFTER_SECONDS
    )


def _mount_state(path: Path) -> str | None:
    try:
        fs = os.statvfs(path.parent)
    except (OSError, AttributeError):  # no statvfs (Windows) or no directory: nothing to add
        return None
    if fs.f_flag & os.ST_RDONLY:
        return "read-only (its file system is mounted read-only)"
    if fs.f_bavail == 0:
        return "full (its file system has no space left)"
    return None


def moved(path: Path) -> StoreUnavailable:
    return StoreUnavailable(
        f"the SQLite store {path} was deleted or replaced while open; nothing more is read or written "
        "until it is restored and the host restarted",
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )


def evidence_of_a_store(path: Path) -> Path | None:
    """A file showing a store lived at `path` before: its marker, or a signing key not made by this run."""
    marker = marker_of(path)
    if marker.exists():
        return marker
    key_file = path.parent / SIGNING_KEY_FILE
    if key_file.exists() and key_file.resolve() not in generated_signing_key_files():
        return key_file
    return None


def mark_prepared(path: Path) -> None:
    """Name the file the host prepared (device, inode, path) for the worker processes it starts."""
    identity = identity_of(path)
    assert identity is not None, "the store was just opened"
    os.environ[PREPARED_SETTING] = f"{identity.device}:{identity.inode}:{path.resolve()}"


def prepared_identity(path: Path) -> FileIdentity | None:
    """The file the host prepared at `path` before starting this worker, if it did."""
    device, _, rest = os.environ.get("SQLITE_STORE_PREPARED", "").partition(":")
    inode, _, prepared_path = rest.partition(":")
    if not prepared_path or prepared_path != str(path.resolve()):
        return None
    return FileIdentity(int(device), int(inode))


def create_store_file(path: Path, recreate_missing: bool) -> None:
    """Create the empty store file (owner-only) and its marker, unless files show one existed."""
    if prepared_identity(path) is not None:
        raise StoreUnavailable(
            f"the SQLite store {path} is missing; it was there when the host started, so no empty one is made",
            retry_after_seconds=RETRY_AFTER_SECONDS,
        )
    evidence = evidence_of_a_store(path)
    if evidence is not None and path.exists():
        return  # another process opening a new store created it (the file before the marker) meanwhile
    if evidence is not None and not recreate_missing:
        raise StoreUnavailable(
            f"the SQLite store {path} is missing but {evidence.name} shows one existed there; restore the "
            f"file, or set {RECREATE_SETTING}=true to start with an empty store",
            retry_after_seconds=RETRY_AFTER_SECONDS,
        )
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    # An empty file is a valid empty database; SQLite gives its -wal and -shm files the same mode.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: that one is the store
        return
    os.close(fd)
    marker = marker_of(path)
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            f"An embedded store was created beside this file on {iso(now())}. While this file exists the host "
            f"will not start without the store file: restore it, or set {RECREATE_SETTING}=true.\n"
        )
    if evidence is not None:
        log.warning("created a new empty SQLite store at %s (%s=true)", path, RECREATE_SETTING)


def tighten(path: Path) -> None:
    """Make the store's files owner-only: files made before this rule were created 0644."""
    for file in (path, *companions(path), marker_of(path), path.parent / SIGNING_KEY_FILE):
        try:
            mode = stat.S_IMODE(os.stat(file).st_mode)
            if mode & 0o077:
                os.chmod(file, mode & 0o700)
                log.warning("made %s readable by its owner only (was %s)", file, oct(mode))
        except FileNotFoundError:
            continue
        except OSError as exc:  # not ours to change (another owner): say so and go on
            log.warning("could not restrict %s to its owner: %s", file, exc.strerror)
