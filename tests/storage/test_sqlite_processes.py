"""The embedded store under several OS processes, as with several uvicorn or Functions workers."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from pathlib import Path

from shared.storage import PreconditionFailed, sqlite_files
from shared.storage.sqlite import SQLiteStore
from tests.support.processes import run_together

WRITERS = 8


def _conditional_replace(path: str, etag: str, n: int, start: mp.synchronize.Event, out: mp.Queue) -> None:
    async def go() -> str:
        store = SQLiteStore(Path(path))
        start.wait()
        try:
            await store.replace("players", "P", "doc", {"writer": n}, etag)
            return "won"
        except PreconditionFailed:
            return "lost"
        finally:
            await store.close()

    out.put((n, asyncio.run(go())))


def _increment(path: str, times: int, start: mp.synchronize.Event) -> None:
    async def go() -> None:
        store = SQLiteStore(Path(path))
        start.wait()
        for _ in range(times):
            await store.update("players", "P", "counter", lambda b: {"n": (b or {"n": 0})["n"] + 1})
        await store.close()

    asyncio.run(go())


def test_of_n_processes_replacing_one_etag_exactly_one_wins(tmp_path):
    path = tmp_path / "multi.sqlite3"

    async def seed() -> str:
        store = SQLiteStore(path)
        doc = await store.create("players", "P", "doc", {"writer": None})
        await store.close()
        return doc.etag

    etag = asyncio.run(seed())
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_conditional_replace, args=(str(path), etag, n, start, out)) for n in range(WRITERS)]
    for p in procs:
        p.start()
    start.set()
    results = dict(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    winners = [n for n, outcome in results.items() if outcome == "won"]
    assert len(winners) == 1, results

    async def final() -> dict:
        store = SQLiteStore(path)
        doc = await store.read("players", "P", "doc")
        await store.close()
        return doc.body

    assert asyncio.run(final()) == {"writer": winners[0]}


def test_updates_from_several_processes_lose_no_increment(tmp_path):
    path = str(tmp_path / "counter.sqlite3")
    run_together(_increment, [(path, 50)] * 4)

    async def final() -> int:
        store = SQLiteStore(Path(path))
        doc = await store.read("players", "P", "counter")
        await store.close()
        return doc.body["n"]

    assert asyncio.run(final()) == 200


def _open_then_increment(path: str, start: mp.synchronize.Event) -> None:
    async def go() -> None:
        store = SQLiteStore(Path(path))  # every process finds no file: all race to create it
        try:
            await store.update("players", "P", "counter", lambda b: {"n": (b or {"n": 0})["n"] + 1})
        finally:
            await store.close()

    start.wait()
    asyncio.run(go())


def test_processes_opening_a_new_store_at_once_share_one_file(tmp_path: Path) -> None:
    """The first creates the file and its marker; the others, seeing the marker, open that same file."""
    for round_ in range(3):  # the window is short: this rarely loses the race; the test below forces it
        path = str(tmp_path / f"fresh-{round_}.sqlite3")
        run_together(_open_then_increment, [(path,)] * WRITERS)

        assert asyncio.run(_counter(path)) == WRITERS


async def _counter(path: str) -> int:
    store = SQLiteStore(Path(path))
    doc = await store.read("players", "P", "counter")
    await store.close()
    assert doc is not None
    return int(doc.body["n"])


def test_a_process_that_lost_the_race_to_create_opens_the_winners_file(tmp_path: Path) -> None:
    """The interleaving forced: this process found no file, another then created the file and marker."""
    path = tmp_path / "raced.sqlite3"
    asyncio.run(SQLiteStore(path).close())  # the winner
    sqlite_files.create_store_file(path, recreate_missing=False)  # the loser, past its own look
    assert path.exists()
