"""The storage contract of update_part and read_part: a document's keyed map seen and written a few keys
at a time, with the same results on every adapter as whole-document writes would give."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from shared.storage import DELETE, DocumentTooLarge
from shared.storage.base import MAX_DOCUMENT_BYTES, PartialMap, stored_size
from shared.storage.metering import METER, Meter
from shared.storage.sqlite import SQLiteStore
from shared.wire.jsontext import dumps_bytes

C, PK, ID = "players", "P1", "data.user"


def _seed(run: Any, count: int, value: str = "v") -> dict[str, Any]:
    """A document of `count` keys written whole, then once through update_part (which may move its map)."""
    body = {"DataVersion": 1, "Data": {f"k{i}": {"Value": f"{value}{i}"} for i in range(count)}}
    run(run.store.create(C, PK, ID, body))
    return body


def _set(**writes: Any) -> Any:
    """A mutation that sets the given keys' entries and bumps DataVersion."""

    def mutate(body: dict[str, Any] | None) -> dict[str, Any]:
        body = body or {"DataVersion": 0, "Data": {}}
        body["DataVersion"] += 1
        for key, value in writes.items():
            if value is None:
                body["Data"].pop(key, None)
            else:
                body["Data"][key] = value
        return body

    return mutate


def test_a_partial_update_shows_only_the_named_keys_and_sizes_the_rest(run):
    whole = _seed(run, 50, "é✓")
    seen: list[dict[str, Any]] = []

    def look(body: dict[str, Any] | None) -> None:
        assert body is not None
        seen.append(body)
        return None

    run(run.store.update_part(C, PK, ID, "Data", ["k3", "k7", "absent"], look))
    (body,) = seen
    assert isinstance(body["Data"], PartialMap)
    assert dict(body["Data"]) == {"k3": whole["Data"]["k3"], "k7": whole["Data"]["k7"]}
    assert body["DataVersion"] == 1 and body["Data"].omitted_count == 48
    # The size of the whole document as stored, from the part shown.
    assert stored_size(body) == len(dumps_bytes(whole))


def test_the_size_of_a_view_that_shows_no_key_still_counts_every_entry(run):
    whole = _seed(run, 5)
    doc = run(run.store.read_part(C, PK, ID, "Data", ["nope"]))
    assert dict(doc.body["Data"]) == {} and doc.body["Data"].omitted_count == 5
    assert stored_size(doc.body) == len(dumps_bytes(whole))


def test_a_partial_update_writes_and_removes_named_keys_and_keeps_the_rest_in_order(run):
    whole = _seed(run, 20)
    done = run(
        run.store.update_part(
            C, PK, ID, "Data", ["k2", "k5", "new"], _set(k2={"Value": "x"}, k5=None, new={"Value": "n"})
        )
    )
    assert done.body["DataVersion"] == 2 and dict(done.body["Data"]) == {"k2": {"Value": "x"}, "new": {"Value": "n"}}
    expected = dict(whole["Data"])
    expected["k2"] = {"Value": "x"}
    del expected["k5"]
    expected["new"] = {"Value": "n"}
    read = run(run.store.read(C, PK, ID))
    assert read.body == {"DataVersion": 2, "Data": expected} and read.etag == done.etag
    assert list(read.body["Data"]) == list(expected)  # a key rewritten keeps its place, a new one is last


def test_a_partial_update_creates_a_missing_document(run):
    done = run(run.store.update_part(C, PK, ID, "Data", ["a"], _set(a={"Value": 1})))
    assert done.body == {"DataVersion": 1, "Data": {"a": {"Value": 1}}}
    assert run(run.store.read(C, PK, ID)).body == {"DataVersion": 1, "Data": {"a": {"Value": 1}}}
    run(run.store.update_part(C, PK, ID, "Data", ["b"], _set(b={"Value": 2})))
    assert run(run.store.read(C, PK, ID)).body == {"DataVersion": 2, "Data": {"a": {"Value": 1}, "b": {"Value": 2}}}


def test_a_partial_update_may_not_write_a_key_it_did_not_name(run):
    _seed(run, 3)
    before = run(run.store.read(C, PK, ID))
    with pytest.raises(ValueError):
        run(run.store.update_part(C, PK, ID, "Data", ["k0"], _set(k0={"Value": 0}, stray={"Value": 1})))
    assert run(run.store.read(C, PK, ID)) == before


def test_a_partial_update_that_raises_or_changes_nothing_writes_nothing(run):
    _seed(run, 3)
    run(run.store.update_part(C, PK, ID, "Data", ["k1"], _set(k1={"Value": "moved"})))
    before = run(run.store.read(C, PK, ID))

    def fail(body: dict[str, Any] | None) -> None:
        assert body is not None
        body["Data"]["k1"] = {"Value": "lost"}
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        run(run.store.update_part(C, PK, ID, "Data", ["k1"], fail))
    unchanged = run(run.store.update_part(C, PK, ID, "Data", ["k1"], lambda body: None))
    assert unchanged.etag == before.etag and dict(unchanged.body["Data"]) == {"k1": {"Value": "moved"}}
    assert run(run.store.read(C, PK, ID)) == before


def test_a_first_partial_update_that_changes_nothing_leaves_no_key_to_come_back(run):
    """A document written whole, looked at through update_part without a change, then rewritten whole
    without a key: the next partial write must not bring that key back."""
    _seed(run, 3)
    assert dict(run(run.store.update_part(C, PK, ID, "Data", ["k0"], lambda body: None)).body["Data"]) == {
        "k0": {"Value": "v0"}
    }

    def drop_k1(current: dict[str, Any] | None) -> dict[str, Any]:
        assert current is not None and set(current["Data"]) == {"k0", "k1", "k2"}
        del current["Data"]["k1"]
        return current

    run(run.store.update(C, PK, ID, drop_k1))
    run(run.store.update_part(C, PK, ID, "Data", ["k0"], _set(k0={"Value": "x"})))
    assert run(run.store.read(C, PK, ID)).body == {
        "DataVersion": 2,
        "Data": {"k0": {"Value": "x"}, "k2": {"Value": "v2"}},
    }
    assert dict(run(run.store.read_part(C, PK, ID, "Data", ["k1", "k2"])).body["Data"]) == {"k2": {"Value": "v2"}}


def test_a_partial_update_may_delete_the_document_and_nothing_of_it_comes_back(run):
    _seed(run, 10)
    run(run.store.update_part(C, PK, ID, "Data", ["k1"], _set(k1={"Value": "x"})))
    assert run(run.store.update_part(C, PK, ID, "Data", ["k1"], lambda body: DELETE)) is None
    assert run(run.store.read(C, PK, ID)) is None
    run(run.store.create(C, PK, ID, {"DataVersion": 1, "Data": {"only": {"Value": 1}}}))
    assert run(run.store.read(C, PK, ID)).body == {"DataVersion": 1, "Data": {"only": {"Value": 1}}}
    run(run.store.update_part(C, PK, ID, "Data", ["k2"], _set(k2={"Value": 2})))
    assert run(run.store.read(C, PK, ID)).body["Data"] == {"only": {"Value": 1}, "k2": {"Value": 2}}


def test_a_document_deleted_after_partial_writes_leaves_no_entry_behind(run):
    _seed(run, 10)
    run(run.store.update_part(C, PK, ID, "Data", ["k1"], _set(k1={"Value": "x"})))
    run(run.store.delete(C, PK, ID))
    run(run.store.create(C, PK, ID, {"DataVersion": 1, "Data": {}}))
    run(run.store.update_part(C, PK, ID, "Data", ["k3"], _set(k3={"Value": 3})))
    assert run(run.store.read(C, PK, ID)).body == {"DataVersion": 2, "Data": {"k3": {"Value": 3}}}


def test_whole_document_writes_after_partial_ones_replace_the_whole_map(run):
    _seed(run, 10)
    done = run(run.store.update_part(C, PK, ID, "Data", ["k1"], _set(k1={"Value": "x"})))
    body = {"DataVersion": 9, "Data": {"z": {"Value": "z"}, "k1": {"Value": "y"}}, "Other": [1]}
    replaced = run(run.store.replace(C, PK, ID, body, done.etag))
    assert replaced.body == body and run(run.store.read(C, PK, ID)).body == body

    def bump(current: dict[str, Any] | None) -> dict[str, Any]:
        assert current == body  # a whole-document update sees the whole map
        current["Data"]["w"] = {"Value": "w"}
        return current

    run(run.store.update(C, PK, ID, bump))
    after = run(run.store.update_part(C, PK, ID, "Data", ["z"], _set(z=None)))
    assert after.body["Other"] == [1]
    assert run(run.store.read(C, PK, ID)).body == {
        "DataVersion": 10,
        "Data": {"k1": {"Value": "y"}, "w": {"Value": "w"}},
        "Other": [1],
    }


def test_a_document_without_the_map_is_shown_whole(run):
    run(run.store.create(C, PK, ID, {"DataVersion": 3, "Elsewhere": {"a": 1}}))
    seen: list[Any] = []

    def look(body: dict[str, Any] | None) -> dict[str, Any]:
        assert body is not None
        seen.append(dict(body))
        body["DataVersion"] += 1
        return body

    run(run.store.update_part(C, PK, ID, "Data", ["a"], look))
    assert seen == [{"DataVersion": 3, "Elsewhere": {"a": 1}}]
    assert run(run.store.read(C, PK, ID)).body == {"DataVersion": 4, "Elsewhere": {"a": 1}}


def test_read_part_shows_the_named_keys_and_read_many_the_whole_map(run):
    whole = _seed(run, 30)
    run(run.store.update_part(C, PK, ID, "Data", ["k0"], _set(k0={"Value": "first"})))
    whole["Data"]["k0"] = {"Value": "first"}
    whole["DataVersion"] = 2
    part = run(run.store.read_part(C, PK, ID, "Data", ["k4", "k9", "missing"]))
    assert part.body["DataVersion"] == 2 and dict(part.body["Data"]) == {k: whole["Data"][k] for k in ("k4", "k9")}
    assert stored_size(part.body) == len(dumps_bytes(whole))
    assert run(run.store.read_part(C, PK, "absent", "Data", ["k4"])) is None
    (many, none) = run(run.store.read_many(C, [(PK, ID), (PK, "absent")]))
    assert many.body == whole and none is None


def test_partial_writers_of_different_keys_lose_nothing(run):
    _seed(run, 100)

    async def writers() -> None:
        await asyncio.gather(
            *(run.store.update_part(C, PK, ID, "Data", [f"w{i}"], _set(**{f"w{i}": {"Value": i}})) for i in range(24))
        )

    run(writers())
    body = run(run.store.read(C, PK, ID)).body
    assert body["DataVersion"] == 1 + 24
    assert {f"w{i}" for i in range(24)} <= body["Data"].keys() and len(body["Data"]) == 124


def test_a_partial_update_that_would_pass_the_size_cap_is_refused_whole(run):
    big = "x" * (MAX_DOCUMENT_BYTES // 4)
    run(run.store.update_part(C, PK, ID, "Data", ["a", "b", "c"], _set(a={"V": big}, b={"V": big}, c={"V": big})))
    before = run(run.store.read(C, PK, ID))
    with pytest.raises(DocumentTooLarge):
        run(run.store.update_part(C, PK, ID, "Data", ["d"], _set(d={"V": big})))
    assert run(run.store.read(C, PK, ID)) == before


async def _moved_by(store: SQLiteStore, keys: int) -> tuple[int, int]:
    """Bytes of stored text one 10-key partial update reads and writes beside `keys` other keys."""
    pk = f"P{keys}"
    await store.create(C, pk, ID, {"DataVersion": 1, "Data": {f"o{i}": {"Value": "v" * 100} for i in range(keys)}})
    await store.update_part(C, pk, ID, "Data", [], lambda body: body)  # the one-off move to rows
    meter = Meter()
    token = METER.set(meter)
    try:
        ten = {f"t{i}": {"Value": "w" * 100} for i in range(10)}
        await store.update_part(C, pk, ID, "Data", list(ten), _set(**ten))
    finally:
        METER.reset(token)
    return meter.read_bytes, meter.written_bytes


def test_the_embedded_store_reads_and_writes_only_the_named_keys(tmp_path: Path):
    async def measure() -> tuple[tuple[int, int], tuple[int, int]]:
        store = SQLiteStore(tmp_path / "parts.sqlite3")
        try:
            return await _moved_by(store, 10), await _moved_by(store, 1000)
        finally:
            await store.close()

    beside_ten, beside_thousand = asyncio.run(measure())
    # The same but for the digits of the head's counts (how many entries, how many bytes).
    for few, many in zip(beside_ten, beside_thousand, strict=True):
        assert 0 <= many - few <= 8
    assert 10 * 100 < beside_ten[1] < 2000  # the ten new entries and the head, not the others
