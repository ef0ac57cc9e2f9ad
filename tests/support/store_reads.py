"""Counting a host's real store reads: the SQLite read log of tests/support/sqlite_faults, and which worker
process served each request (the host's request log lines carry the worker's pid)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from tests.support.server import REPO, Server


def read_log_env(data_dir: Path) -> dict[str, str]:
    """Settings for a host whose every worker appends each store read to `data_dir/reads.log`."""
    paths = [str(REPO / "tests" / "support" / "sqlite_faults"), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p), "SQLITE_READ_LOG": str(data_dir / "reads.log")}


def reads_of(server: Server, doc_id: str) -> Counter[int]:
    """How many times each worker process read the document with this id (in any partition)."""
    log = Path(server.env["SQLITE_READ_LOG"])
    counts: Counter[int] = Counter()
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            pid, _container, _pk, read_id = line.split("\t")
            if read_id == doc_id:
                counts[int(pid)] += 1
    return counts


def clear_reads(server: Server) -> None:
    Path(server.env["SQLITE_READ_LOG"]).write_text("", encoding="utf-8")


def log_size(server: Server) -> int:
    return server.log_path.stat().st_size


def served_by(server: Server, path: str, since: int) -> Counter[int]:
    """Requests for `path` each worker process answered after the host's log was `since` bytes long."""
    with server.log_path.open("rb") as log:
        log.seek(since)
        tail = log.read().decode("utf-8", errors="replace")
    counts: Counter[int] = Counter()
    for line in tail.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("msg") == "request" and record.get("path") == path:
            counts[int(record["pid"])] += 1
    return counts
