"""A one-line progress count on stderr, only when stderr is a terminal (never in a pipe or a log)."""

from __future__ import annotations

import sys
import time
from typing import Final, TextIO

_EVERY: Final = 0.2  # seconds between redraws


class Progress:
    def __init__(self, label: str, total: int | None, stream: TextIO = sys.stderr) -> None:
        self.label, self.total, self.done = label, total, 0
        self._stream = stream
        self._shown = stream.isatty()
        self._last = 0.0

    def step(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self._shown and now - self._last >= _EVERY:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            self._stream.write(f"\r{self.label} [{bar:<30}] {self.done}/{self.total}")
        else:
            self._stream.write(f"\r{self.label} {self.done}")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()
