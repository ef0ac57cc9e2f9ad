from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.store_adapters import ADAPTERS


class Runner:
    """Runs coroutines against one store on one event loop for the whole test."""

    def __init__(self, factory: Any, tmp: Path, request: pytest.FixtureRequest) -> None:
        self.loop = asyncio.new_event_loop()
        self._cm = factory(tmp, request)
        try:
            self.store = self.loop.run_until_complete(self._cm.__aenter__())
        except BaseException:  # including a skip when the Cosmos emulator cannot run here
            self.loop.close()
            raise

    def __call__(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.loop.run_until_complete(self._cm.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture(params=sorted(ADAPTERS))
def run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runner]:
    runner = Runner(ADAPTERS[request.param], tmp_path, request)
    runner.backend = request.param  # type: ignore[attr-defined]
    yield runner
    runner.close()
