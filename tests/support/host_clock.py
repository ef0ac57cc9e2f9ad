"""A test host's clock, moved forward by writing seconds to the file TEST_CLOCK_OFFSET_FILE names."""

from __future__ import annotations

from pathlib import Path


class HostClock:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "clock-offset"
        self.offset = 0.0
        self.path.write_text("0", encoding="utf-8")

    def env(self) -> dict[str, str]:
        return {"TEST_CLOCK_OFFSET_FILE": str(self.path)}

    def advance(self, seconds: float) -> None:
        self.offset += seconds
        self.path.write_text(repr(self.offset), encoding="utf-8")
