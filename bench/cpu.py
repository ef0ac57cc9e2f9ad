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


def cpu_seconds(pid: int) -> float | None:
    """User + system time of `pid` and of its live children."""
    own = _stat(pid)
    if own is None:
        return None
    total = int(own[11]) + int(own[12])  # utime, stime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / _TICK
