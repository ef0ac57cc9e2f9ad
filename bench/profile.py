"""Sample the local host with py-spy while a load runs, and say where its time goes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def profiled(pid: int, out: Path, seconds: float) -> Iterator[None]:
    """Record `pid` for `seconds` (collapsed stacks in `out`), then print the hottest functions."""
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "250"]
    command += ["--format", "raw", "--output", str(out), "--nonblocking", "--threads"]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.wait(timeout=seconds + 30)
    print(summary(out))


def summary(collapsed: Path, top: int = 30) -> str:
    """Share of samples in which each function is on the stack (inclusive) and on top (self)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples; inclusive / self share of the hottest frames:"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:5.1f}% {100 * own[frame] / total:5.1f}%  {frame}")
    lines.append("hottest self time:")
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(15)]
    return "\n".join(lines)
