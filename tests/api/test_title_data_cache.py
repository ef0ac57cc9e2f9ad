"""The title data read cache: one store read per process per lifetime however many callers, a write seen at
once by the process that made it and by every other within TITLE_DATA_CACHE_SECONDS.

The multi-process tests run a host with two worker processes on the injected clock
(tests/support/host_clock.py), count its real store reads with the SQLite read log and tell its workers
apart by the pid in its request log lines.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.tokens import Signer
from shared.config.settings import load_settings
from shared.features import title_data
from shared.services import Services
from shared.storage import Document
from shared.storage.layout import LOGIN_DOC, LOOKUPS, title_data_doc
from shared.storage.sqlite import SQLiteStore
from tests.support.cosmos import EMULATOR_KEY, new_database_name, running_emulator
from tests.support.cosmos_proxy import CosmosProxy, cosmos_proxy
from tests.support.host_clock import HostClock
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID, Server, running_server
from tests.support.store_reads import clear_reads, log_size, read_log_env, reads_of, served_by

LIFETIME = 60
TITLE_DOC = title_data_doc("title")
KEY = "spawn-rate"
THREADS = 16


class CountingStore(SQLiteStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = 0
        self.gate: asyncio.Event | None = None  # when set, a read holds what it read until the gate opens

    async def read(self, container: str, pk: str, id: str) -> Document | None:
        self.reads += 1
        doc = await super().read(container, pk, id)
        if self.gate is not None:
            await self.gate.wait()
        return doc


def _services(store: SQLiteStore, **overrides: str) -> Services:
    env = {"PLAYFAB_TITLE_ID": TITLE_ID, "PLAYFAB_SECRET_KEYS": SECRET_KEY, "TOKEN_SIGNING_KEY": SIGNING_KEY}
    settings = load_settings({**env, **overrides})
    return Services(settings, store, Signer(settings.signing_keys, TITLE_ID))


async def _in_one_process(path: Path) -> dict[str, Any]:
    store = CountingStore(path)
    try:
        services = _services(store, TITLE_DATA_CACHE_SECONDS="3600")
        await title_data.write(services, title_data.TITLE, KEY, "1")
        store.reads = 0
        store.gate = asyncio.Event()
        burst = [asyncio.create_task(title_data.stored(services, title_data.TITLE)) for _ in range(100)]
        await asyncio.sleep(0)  # one turn of the loop: the first call is reading, the others wait on it
        store.gate.set()
        answers = await asyncio.gather(*burst)
        store.gate = None
        after_burst = store.reads
        again = await title_data.stored(services, title_data.TITLE)  # remembered
        remembered = store.reads - after_burst
        await title_data.write(services, title_data.TITLE, KEY, "2")  # forgets at once
        before = store.reads
        fresh = await title_data.stored(services, title_data.TITLE)
        no_cache = _services(store, TITLE_DATA_CACHE_SECONDS="0")
        for _ in range(3):
            await title_data.stored(no_cache, title_data.TITLE)
        return {
            "burst_reads": after_burst,
            "answers": {a[KEY] for a in answers},
            "again": again[KEY],
            "remembered_reads": remembered,
            "fresh": fresh[KEY],
            "reads_after_write": store.reads - before,
        }
    finally:
        await store.close()


def test_concurrent_misses_share_one_read_and_a_write_is_seen_at_once_here(tmp_path: Path):
    result = asyncio.run(_in_one_process(tmp_path / "store.sqlite3"))
    assert result == {
        "burst_reads": 1,
        "answers": {"1"},
        "again": "1",
        "remembered_reads": 0,
        "fresh": "2",
        "reads_after_write": 4,  # one after the write, then one per call with a lifetime of 0
    }


async def _read_overtaken_by_a_write(path: Path) -> tuple[str, str, int]:
    """A read under way when a write lands is answered but not remembered: the next call reads again."""
    store = CountingStore(path)
    try:
        services = _services(store, TITLE_DATA_CACHE_SECONDS="3600")
        await title_data.write(services, title_data.TITLE, KEY, "old")
        store.gate = asyncio.Event()
        early = asyncio.create_task(title_data.stored(services, title_data.TITLE))
        await asyncio.sleep(0)  # `early` has read "old" and holds it
        await title_data.write(services, title_data.TITLE, KEY, "new")  # lands meanwhile
        store.gate.set()
        first = (await early)[KEY]
        store.gate = None
        store.reads = 0
        later = (await title_data.stored(services, title_data.TITLE))[KEY]
        return first, later, store.reads
    finally:
        await store.close()


def test_a_read_begun_before_a_write_is_not_remembered(tmp_path: Path):
    # The old value answers the call that read it, and is then forgotten: the next call reads "new".
    assert asyncio.run(_read_overtaken_by_a_write(tmp_path / "store.sqlite3")) == ("old", "new", 1)


async def _a_failed_read_is_not_shared(path: Path) -> tuple[int, int]:
    store = CountingStore(path)
    try:
        services = _services(store, TITLE_DATA_CACHE_SECONDS="3600")
        await title_data.write(services, title_data.TITLE, KEY, "v")
        store.reads = 0
        calls = [0]
        gate = asyncio.Event()
        original = store.read

        async def flaky(container: str, pk: str, id: str) -> Document | None:
            calls[0] += 1
            if calls[0] == 1:
                await gate.wait()
                raise OSError("the store hiccupped")
            return await original(container, pk, id)

        store.read = flaky  # type: ignore[method-assign]
        burst = [asyncio.create_task(title_data.stored(services, title_data.TITLE)) for _ in range(5)]
        await asyncio.sleep(0)  # the first call is reading, the others wait on it
        gate.set()
        outcomes = await asyncio.gather(*burst, return_exceptions=True)
        failed = sum(isinstance(o, OSError) for o in outcomes)
        return failed, calls[0]
    finally:
        await store.close()


def test_a_failed_shared_read_fails_only_its_own_caller(tmp_path: Path):
    # The first caller's read fails and so does its call; the four who waited on it read for themselves.
    assert asyncio.run(_a_failed_read_is_not_shared(tmp_path / "store.sqlite3")) == (1, 5)


# --- Two worker processes, the injected clock, real store reads ---


@pytest.fixture
def clock(tmp_path: Path) -> HostClock:
    return HostClock(tmp_path)


@pytest.fixture
def workers(tmp_path: Path, clock: HostClock) -> Iterator[Server]:
    with running_server(
        tmp_path / "host",
        WORKERS="2",
        TITLE_DATA_CACHE_SECONDS=str(LIFETIME),
        **clock.env(),
        **read_log_env(tmp_path),
    ) as srv:
        yield srv


_connections = threading.local()
_opened: list[httpx.Client] = []  # every kept-alive connection, closed after each burst


def _post(
    srv: Server, path: str, body: dict[str, Any], headers: dict[str, str], *, keep_alive: bool = False
) -> dict[str, Any]:
    """One call, on a new connection (so either worker may take it) or on this thread's kept-alive one."""
    if keep_alive:
        if getattr(_connections, "client", None) is None:
            _connections.client = httpx.Client(timeout=30)
            _opened.append(_connections.client)
        response = _connections.client.post(srv.url + path, json=body, headers=headers)
    else:
        response = httpx.post(srv.url + path, json=body, headers=headers, timeout=30)
    envelope: dict[str, Any] = response.json()
    assert response.status_code == 200, envelope
    return dict(envelope["data"])


def _title(srv: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return _post(srv, path, body, {"X-SecretKey": SECRET_KEY})


def _burst(srv: Server, path: str, call: Callable[[int], str], calls: int) -> tuple[Counter[str], Counter[int]]:
    """`calls` calls at once on THREADS connections: the answers, and how many each worker served."""
    since = log_size(srv)
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            answers = Counter(pool.map(call, range(calls)))
    finally:
        while _opened:
            _opened.pop().close()
    return answers, served_by(srv, path, since)


def _until_both_workers(srv: Server, path: str, call: Callable[[int], str]) -> Counter[str]:
    """Bursts of calls until each of the two workers has answered some (a bounded number of tries)."""
    answers: Counter[str] = Counter()
    served: Counter[int] = Counter()
    for _ in range(20):
        got, by = _burst(srv, path, call, 32)
        answers += got
        served += by
        if len(served) == 2:
            return answers
    raise AssertionError(f"one worker answered every call: {served}")


def test_a_write_reaches_every_worker_within_the_lifetime(workers: Server, clock: HostClock):
    _title(workers, "/Server/SetTitleData", {"Key": KEY, "Value": "v1"})

    def server_read(_: int) -> str:
        return str(_title(workers, "/Server/GetTitleData", {"Keys": [KEY]})["Data"][KEY])

    def admin_read(_: int) -> str:
        return str(_title(workers, "/Admin/GetTitleData", {"Keys": [KEY]})["Data"][KEY])

    # Both workers read v1 and remember it for the lifetime.
    assert set(_until_both_workers(workers, "/Server/GetTitleData", server_read)) == {"v1"}
    _title(workers, "/Server/SetTitleData", {"Key": KEY, "Value": "v2"})
    # Within the lifetime: the worker that wrote serves v2 at once, the other still its v1. Admin reads
    # skip the cache, so they see v2 on either worker.
    assert set(_until_both_workers(workers, "/Server/GetTitleData", server_read)) == {"v1", "v2"}
    assert set(_until_both_workers(workers, "/Admin/GetTitleData", admin_read)) == {"v2"}
    clock.advance(LIFETIME)  # the lifetime is over for every entry
    assert set(_until_both_workers(workers, "/Server/GetTitleData", server_read)) == {"v2"}


def _login_bursts(srv: Server, clock: HostClock, check: Callable[[int, Counter[int]], None]) -> None:
    """1,000 then 200 logins asking for title data, each burst on expired entries; `check(calls, served)`
    counts the store reads of each burst."""
    _title(srv, "/Server/SetTitleData", {"Key": KEY, "Value": "1.5"})
    custom_ids = [f"burst-{uuid.uuid4()}" for _ in range(20)]
    for custom_id in custom_ids:  # the accounts exist before the count starts
        _post(srv, "/Client/LoginWithCustomID", _login(custom_id), {})

    def login(n: int) -> str:
        body = _login(custom_ids[n % len(custom_ids)])
        data = _post(srv, "/Client/LoginWithCustomID", body, {}, keep_alive=True)
        return str(data["InfoResultPayload"]["TitleData"][KEY])

    for calls in (1000, 200):
        clock.advance(LIFETIME)  # every worker's entry has expired: the burst starts on misses
        check(0, Counter())  # clears the count
        answers, served = _burst(srv, "/Client/LoginWithCustomID", login, calls)
        assert answers == Counter({"1.5": calls}) and sum(served.values()) == calls
        check(calls, served)


def test_a_thousand_logins_read_title_data_once_per_worker_per_lifetime(workers: Server, clock: HostClock):
    def check(calls: int, served: Counter[int]) -> None:
        if not calls:
            clear_reads(workers)
            return
        # Each worker that served logins read the title data once, however many of them missed at once.
        assert reads_of(workers, TITLE_DOC) == Counter({pid: 1 for pid in served}), served
        # Logins still read their players' accounts: the log counts real reads.
        assert sum(reads_of(workers, "account").values()) >= calls

    _login_bursts(workers, clock, check)


@pytest.fixture
def proxied_workers(tmp_path: Path, clock: HostClock) -> Iterator[tuple[Server, CosmosProxy]]:
    """Two workers on Cosmos DB, through the proxy that counts the requests they send."""
    with running_emulator(tmp_path / "emulator", plain_http=True) as url, cosmos_proxy(url) as proxy:
        env = {
            "STORAGE_BACKEND": "cosmos",
            "COSMOS_ENDPOINT": proxy.url,
            "COSMOS_KEY": EMULATOR_KEY,
            "COSMOS_DATABASE": new_database_name("titlecache"),
            "COSMOS_VERIFY_TLS": "false",
        }
        with running_server(
            tmp_path / "host", WORKERS="2", TITLE_DATA_CACHE_SECONDS=str(LIFETIME), **clock.env(), **env
        ) as srv:
            yield srv, proxy


def test_on_cosmos_a_thousand_logins_read_title_data_once_per_worker_per_lifetime(proxied_workers, clock):
    srv, proxy = proxied_workers
    doc_path = f"/colls/{LOOKUPS}/docs/{TITLE_DOC}"

    def check(calls: int, served: Counter[int]) -> None:
        if not calls:
            proxy.clear_counts()
            return
        # One point read per worker that served logins (the proxy cannot tell the workers apart).
        assert proxy.count("GET", doc_path) == len(served), served
        assert proxy.count("GET", f"/docs/{LOGIN_DOC}") == calls  # each login reads its lookup: real reads

    _login_bursts(srv, clock, check)


def _login(custom_id: str) -> dict[str, Any]:
    return {
        "TitleId": TITLE_ID,
        "CustomId": custom_id,
        "CreateAccount": True,
        "InfoRequestParameters": {"GetTitleData": True, "TitleDataKeys": [KEY]},
    }
