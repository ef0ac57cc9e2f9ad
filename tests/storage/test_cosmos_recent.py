"""Updates of a small document this process wrote last skip the read, and stay exact when another
writer has changed it since: the replace is conditional on the remembered etag."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from shared.storage import Document
from shared.storage.cosmos_recent import RecentDocuments
from tests.storage.conftest import Runner
from tests.support.cosmos_transport import InstrumentedTransport
from tests.support.store_adapters import cosmos_store


@pytest.fixture
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Runner, Any, InstrumentedTransport]]:
    """One store under test and a second client on the same database (another process's writes)."""
    transport = InstrumentedTransport()
    runner = Runner(partial(cosmos_store, transport=transport), tmp_path, request)
    store = runner.store
    other = store._containers["players"]  # same account; writes through it bypass the store's memory
    yield runner, other, transport
    runner.close()


def _methods(transport: InstrumentedTransport) -> list[str]:
    methods = [sent.method for sent in transport.item_requests()]
    transport.sent.clear()
    return methods


def _count(limit: int) -> Any:
    def count(body: dict[str, Any] | None) -> dict[str, Any]:
        n = (body or {"n": 0})["n"]
        if n >= limit:
            raise RuntimeError("over the limit")
        return {"n": n + 1}

    return count


def test_the_second_update_of_a_small_document_is_one_write(two):
    run, _, transport = two
    store = run.store
    run(store.update("players", "P", "counter", _count(100)))
    transport.sent.clear()
    assert run(store.update("players", "P", "counter", _count(100))).body == {"n": 2}
    assert _methods(transport) == ["PUT"]
    assert run(store.read("players", "P", "counter")).body == {"n": 2}


def test_a_document_changed_elsewhere_is_read_again_and_nothing_is_lost(two):
    run, other, transport = two
    store = run.store
    run(store.update("players", "P", "counter", _count(100)))  # n = 1, remembered
    run(other.replace_item("counter", {"id": "counter", "pk": "P", "body": {"n": 40}}))  # another process
    transport.sent.clear()
    assert run(store.update("players", "P", "counter", _count(100))).body == {"n": 41}
    # The guess is refused (412); the write id is looked for in the document (a lost answer of our own
    # earlier attempt would also be a 412), then the usual loop reads and writes.
    assert _methods(transport) == ["PUT", "GET", "GET", "PUT"]


def test_a_refusal_on_a_stale_body_is_decided_again_on_the_stored_one(two):
    run, other, _transport = two
    store = run.store
    for _ in range(3):
        run(store.update("players", "P", "counter", _count(3)))  # n = 3: the remembered body is at the limit
    run(other.replace_item("counter", {"id": "counter", "pk": "P", "body": {"n": 0}}))  # reset elsewhere
    assert run(store.update("players", "P", "counter", _count(3))).body == {"n": 1}
    with pytest.raises(RuntimeError):  # a true refusal still refuses, and writes nothing
        run(store.update("players", "P", "counter", lambda b: _count(1)(b)))
    assert run(store.read("players", "P", "counter")).body == {"n": 1}


def test_large_documents_are_not_remembered(two):
    run, _, transport = two
    store = run.store
    big = "x" * 5000
    run(store.update("players", "P", "big", lambda b: {"blob": big, "n": 1}))
    transport.sent.clear()
    run(store.update("players", "P", "big", lambda b: {"blob": big, "n": b["n"] + 1}))
    assert _methods(transport) == ["GET", "PUT"]
    assert len(store._recent) == 0


def test_memory_is_bounded_and_hands_out_private_copies() -> None:
    recent = RecentDocuments(max_documents=2, max_chars=100)
    for name in ("a", "b", "c"):
        recent.remember(name, Document({"n": [1]}, f"etag-{name}"))
    assert len(recent) == 2 and recent.get("a") is None  # the least recently used went first
    copy = recent.get("b")
    assert copy is not None
    copy.body["n"].append(2)
    assert recent.get("b") == Document({"n": [1]}, "etag-b")
    recent.remember("b", Document({"blob": "x" * 200}, "etag-big"))  # too big: forgotten, not kept stale
    assert recent.get("b") is None
