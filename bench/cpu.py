"""CPU seconds a server process (and its worker processes) has used: a cost that a busy machine does not
inflate the way it inflates wall-clock latency. Linux only (/proc); elsewhere None."""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields after the command name


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (uvicorn's workers, when it runs more than one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float | None:
    """User + system time of `pid` and of its live children."""
    total = 0
    for each in (pid, *children(pid)):
        fields = _stat(each)
        if fields is None:
            if each == pid:
                return None
            continue  # a child that ended meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK
