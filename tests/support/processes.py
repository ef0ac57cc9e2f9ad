"""Several OS processes, as several uvicorn or Functions workers would be, released at the same moment."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any


def run_together(target: Callable[..., None], args: list[tuple[Any, ...]], timeout: float = 120) -> None:
    """Spawn one process per args tuple (each also gets a start Event last), start them all at once,
    and require every one to finish cleanly."""
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=target, args=(*a, start)) for a in args]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=timeout)
        assert p.exitcode == 0, f"a worker process exited with {p.exitcode}"
