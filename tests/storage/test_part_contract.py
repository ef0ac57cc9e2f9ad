"""The storage contract of update_part and read_part: a document's keyed map seen and written a few keys
at a time, with the same results on every adapter as whole-document writes would give."""

from __future__ import annotations

import asyncio
import sqlite3
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


def test_a_partial_update_of_another_map_of_the_document_leaves_the_first_map_whole(run):
    """A document whose `Data` went through update_part, then written through update_part on `Other`:
    each map keeps its own keys, and read_part of one shows the other whole."""
    run(run.store.create(C, PK, ID, {"DataVersion": 1, "Data": {"a": 1, "b": 2}, "Other": {"x": 1, "y": 2}}))
    run(run.store.update_part(C, PK, ID, "Data", ["a"], _set(a=10)))

    def set_x(body: dict[str, Any] | None) -> dict[str, Any]:
        assert body is not None and dict(body["Other"]) == {"x": 1} and body["Data"] == {"a": 10, "b": 2}
        body["Other"]["x"] = 5
        return body

    done = run(run.store.update_part(C, PK, ID, "Other", ["x"], set_x))
    assert dict(done.body["Other"]) == {"x": 5}
    whole = {"DataVersion": 2, "Data": {"a": 10, "b": 2}, "Other": {"x": 5, "y": 2}}
    assert run(run.store.read(C, PK, ID)).body == whole
    part = run(run.store.read_part(C, PK, ID, "Other", ["y"]))
    assert dict(part.body["Other"]) == {"y": 2} and part.body["Data"] == {"a": 10, "b": 2}
    assert stored_size(part.body) == len(dumps_bytes(whole))


def test_a_partial_update_that_creates_a_document_without_the_map_stores_it_as_written(run):
    run(run.store.update_part(C, PK, ID, "Data", ["a"], lambda body: {"DataVersion": 1}))
    assert run(run.store.read(C, PK, ID)).body == {"DataVersion": 1}
    run(run.store.update_part(C, PK, "listed", "Data", ["a"], lambda body: {"DataVersion": 1, "Data": ["a"]}))
    assert run(run.store.read(C, PK, "listed")).body == {"DataVersion": 1, "Data": ["a"]}


def test_the_answer_of_a_partial_update_that_replaces_the_map_it_was_shown_still_sizes_the_rest(run):
    _seed(run, 10)

    def fresh(body: dict[str, Any] | None) -> dict[str, Any]:
        assert body is not None
        body["Data"] = {"k1": {"Value": "new"}}  # a plain dict in place of the partial map shown
        return body

    done = run(run.store.update_part(C, PK, ID, "Data", ["k1"], fresh))
    assert dict(done.body["Data"]) == {"k1": {"Value": "new"}}
    assert stored_size(done.body) == len(dumps_bytes(run(run.store.read(C, PK, ID)).body))


def _near_the_cap(slack: int) -> dict[str, Any]:
    body: dict[str, Any] = {"DataVersion": 1, "Data": {"a": {"V": ""}, "b": {"V": "y"}}}
    body["Data"]["a"]["V"] = "x" * (MAX_DOCUMENT_BYTES - slack - len(dumps_bytes(body)))
    assert len(dumps_bytes(body)) == MAX_DOCUMENT_BYTES - slack
    return body


def test_a_document_just_under_the_size_cap_can_still_be_looked_at_and_shrunk_through_update_part(run):
    run(run.store.create(C, PK, ID, _near_the_cap(10)))
    assert run(run.store.update_part(C, PK, ID, "Data", ["b"], lambda body: None)) is not None
    run(run.store.update_part(C, PK, ID, "Data", ["b"], _set(b=None)))
    assert set(run(run.store.read(C, PK, ID)).body["Data"]) == {"a"}


def test_a_whole_write_just_under_the_size_cap_lands_on_a_document_written_through_update_part(run):
    run(run.store.create(C, PK, ID, {"DataVersion": 1, "Data": {"k": {"V": 1}}}))
    done = run(run.store.update_part(C, PK, ID, "Data", ["k"], _set(k={"V": 2})))
    body = _near_the_cap(10)
    run(run.store.replace(C, PK, ID, body, done.etag))
    assert run(run.store.read(C, PK, ID)).body == body
    over = _near_the_cap(-1)
    with pytest.raises(DocumentTooLarge):
        run(run.store.replace(C, PK, ID, over, run(run.store.read(C, PK, ID)).etag))


def test_the_map_keeps_its_order_whatever_plan_the_embedded_store_picks(tmp_path: Path):
    """After ANALYZE (or `PRAGMA optimize`) SQLite may read the rows through the key index: the map must
    still come back in its own order, not sorted by key."""
    keys = [f"k{(i * 7919) % 1000:04d}" for i in range(1000)]  # not in sorted order
    path = tmp_path / "order.sqlite3"

    async def seed() -> None:
        store = SQLiteStore(path)
        try:
            await store.create(C, PK, ID, {"DataVersion": 1, "Data": {key: i for i, key in enumerate(keys)}})
            await store.update_part(C, PK, ID, "Data", ["extra"], lambda body: body)  # the move to rows
        finally:
            await store.close()

    async def orders() -> list[list[str]]:
        store = SQLiteStore(path)
        seen: list[list[str]] = []

        def whole(body: dict[str, Any] | None) -> None:
            assert body is not None
            seen.append(list(body["Data"]))

        try:
            read = await store.read(C, PK, ID)
            (many,) = await store.read_many(C, [(PK, ID)])
            await store.update(C, PK, ID, whole)
            assert read is not None and many is not None
            return [list(read.body["Data"]), list(many.body["Data"]), *seen]
        finally:
            await store.close()

    asyncio.run(seed())
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
    assert asyncio.run(orders()) == [keys, keys, keys]


def test_a_partial_view_shows_the_named_keys_in_the_order_named(run):
    _seed(run, 20)
    run(run.store.update_part(C, PK, ID, "Data", ["k0"], _set(k0={"Value": "x"})))
    order = ["k9", "k13", "k2", "absent", "k10"]
    seen: list[list[str]] = []

    def look(body: dict[str, Any] | None) -> None:
        assert body is not None
        seen.append(list(body["Data"]))

    run(run.store.update_part(C, PK, ID, "Data", order, look))
    assert seen and all(keys == ["k9", "k13", "k2", "k10"] for keys in seen)  # a mutation may run again
    assert list(run(run.store.read_part(C, PK, ID, "Data", order)).body["Data"]) == ["k9", "k13", "k2", "k10"]
    # New keys go last in the order named.
    run(run.store.update_part(C, PK, ID, "Data", ["n3", "k5", "n1", "n2"], _set(n1=1, n2=2, n3=3, k5=None)))
    assert list(run(run.store.read(C, PK, ID)).body["Data"])[-4:] == ["k19", "n3", "n1", "n2"]


def _stored_chars(path: Path) -> int:
    """The characters of every document's stored text, with the entries kept a row per key."""
    with sqlite3.connect(path) as conn:
        documents = conn.execute("SELECT coalesce(sum(length(body)), 0) FROM documents").fetchone()[0]
        parts = conn.execute("SELECT coalesce(sum(length(entry)), 0) FROM parts").fetchone()[0]
    return int(documents) + int(parts)


def test_the_embedded_store_meters_what_a_move_to_rows_and_a_whole_rewrite_write(tmp_path: Path):
    """The meter counts characters of stored text (shared/storage/metering.py): the first update_part
    of a document writes its whole map as rows, and a whole write of a document kept so writes them again."""
    path = tmp_path / "meter.sqlite3"

    async def metered(call: Any) -> Meter:
        meter = Meter()
        token = METER.set(meter)
        try:
            await call
        finally:
            METER.reset(token)
        return meter

    async def scenario() -> tuple[int, int, int, int]:
        store = SQLiteStore(path)
        try:
            body = {"DataVersion": 1, "Data": {f"k{i}": {"Value": "é✓" * 20} for i in range(50)}}
            await store.create(C, PK, ID, body)
            moved = await metered(store.update_part(C, PK, ID, "Data", ["k1"], lambda body: None))
            after_move = _stored_chars(path)
            doc = await store.read(C, PK, ID)
            assert doc is not None
            rewritten = await metered(store.replace(C, PK, ID, doc.body, doc.etag))
            return moved.written_bytes, after_move, rewritten.written_bytes, _stored_chars(path)
        finally:
            await store.close()

    moved, after_move, rewritten, after_rewrite = asyncio.run(scenario())
    assert moved == after_move  # the head and every entry, all written by the move
    assert rewritten == after_rewrite


ODD_KEYS = ['a","b', "c:d", '"}', "{", "é", "\u2028", "😀", "", " ", "a\\b", "~parts", "k,1", "\x00"]


def test_keys_and_values_with_json_punctuation_round_trip_and_size_exactly(run):
    data = {key: {"Value": str(i) + '","x":"}"},{\\'} for i, key in enumerate(ODD_KEYS)}
    whole = {"DataVersion": 1, "Data": dict(data)}
    run(run.store.create(C, PK, ID, whole))
    run(run.store.update_part(C, PK, ID, "Data", ['a","b'], _set(**{'a","b': {"Value": '","'}})))
    whole["Data"]['a","b'] = {"Value": '","'}
    whole["DataVersion"] = 2
    run(run.store.update_part(C, PK, ID, "Data", ["c:d", 'new,key:"}'], _set(**{"c:d": None, 'new,key:"}': '"}'})))
    del whole["Data"]["c:d"]
    whole["Data"]['new,key:"}'] = '"}'
    whole["DataVersion"] = 3
    read = run(run.store.read(C, PK, ID)).body
    assert read == whole and list(read["Data"]) == list(whole["Data"])
    for keys in (["é", "😀", '"}', "missing"], ["", "\x00"], []):
        part = run(run.store.read_part(C, PK, ID, "Data", keys)).body
        assert dict(part["Data"]) == {key: whole["Data"][key] for key in keys if key in whole["Data"]}
        assert stored_size(part) == len(dumps_bytes(whole))


def test_a_view_of_more_keys_than_one_query_takes_finds_them_all_and_sizes_the_rest(run):
    whole = _seed(run, 1200)
    run(run.store.update_part(C, PK, ID, "Data", ["k0"], lambda body: body))
    wanted = [f"k{i}" for i in range(0, 1200, 2)] + [f"absent{i}" for i in range(400)]
    part = run(run.store.read_part(C, PK, ID, "Data", wanted)).body
    assert dict(part["Data"]) == {key: whole["Data"][key] for key in wanted if key in whole["Data"]}
    assert part["Data"].omitted_count == 600 and stored_size(part) == len(dumps_bytes(whole))
    changes = {f"k{i}": None for i in range(0, 1200, 3)} | {f"n{i}": i for i in range(700)}
    run(run.store.update_part(C, PK, ID, "Data", list(changes), _set(**changes)))
    expected = {key: value for key, value in whole["Data"].items() if changes.get(key, value) is not None}
    expected |= {f"n{i}": i for i in range(700)}
    read = run(run.store.read(C, PK, ID)).body
    assert read["Data"] == expected and list(read["Data"]) == list(expected)
    part = run(run.store.read_part(C, PK, ID, "Data", ["k1"])).body
    assert stored_size(part) == len(dumps_bytes(read))


def test_a_bulk_create_refuses_the_embedded_stores_own_field(tmp_path: Path):
    """Else the body would be read as a head whose map is kept in rows it does not have."""

    async def scenario() -> Any:
        store = SQLiteStore(tmp_path / "bulk.sqlite3")
        try:
            marked = {"Data": {}, "~parts": {"f": "Data", "n": 1, "b": 5, "s": 1}}
            with pytest.raises(ValueError):
                await store.create_all([(C, PK, ID, marked)])
            return await store.read(C, PK, ID)
        finally:
            await store.close()

    assert asyncio.run(scenario()) is None
