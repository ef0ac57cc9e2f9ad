"""The storage contract: every adapter must pass every test here, with the same results."""

from __future__ import annotations

import asyncio

import pytest

from shared.storage import DELETE, Conflict, DocumentTooLarge, NotFound, PreconditionFailed
from shared.wire.errors import PlayFabError


def test_read_of_a_missing_document_is_none(run):
    assert run(run.store.read("players", "P1", "nothing")) is None


def test_create_then_read_round_trips_any_json(run):
    body = {"s": "héllo ✓ \U0001f600", "n": 1.5, "i": 2**53, "b": True, "z": None, "l": [1, {"x": []}]}
    created = run(run.store.create("players", "P1", "doc", body))
    assert created.body == body and created.etag
    read = run(run.store.read("players", "P1", "doc"))
    assert read.body == body and read.etag == created.etag


def test_partition_keys_and_containers_separate_documents(run):
    run(run.store.create("players", "P1", "doc", {"v": 1}))
    run(run.store.create("players", "P2", "doc", {"v": 2}))
    run(run.store.create("groups", "P1", "doc", {"v": 3}))
    assert run(run.store.read("players", "P1", "doc")).body == {"v": 1}
    assert run(run.store.read("players", "P2", "doc")).body == {"v": 2}
    assert run(run.store.read("groups", "P1", "doc")).body == {"v": 3}


def test_create_over_an_existing_id_fails(run):
    run(run.store.create("players", "P1", "doc", {"v": 1}))
    with pytest.raises(Conflict):
        run(run.store.create("players", "P1", "doc", {"v": 2}))
    assert run(run.store.read("players", "P1", "doc")).body == {"v": 1}


def test_replace_with_the_current_etag_wins_and_changes_the_etag(run):
    first = run(run.store.create("players", "P1", "doc", {"v": 1}))
    second = run(run.store.replace("players", "P1", "doc", {"v": 2}, first.etag))
    assert second.etag != first.etag
    assert run(run.store.read("players", "P1", "doc")).body == {"v": 2}


def test_replace_with_a_stale_etag_fails_and_writes_nothing(run):
    first = run(run.store.create("players", "P1", "doc", {"v": 1}))
    run(run.store.replace("players", "P1", "doc", {"v": 2}, first.etag))
    with pytest.raises(PreconditionFailed):
        run(run.store.replace("players", "P1", "doc", {"v": 3}, first.etag))
    assert run(run.store.read("players", "P1", "doc")).body == {"v": 2}


def test_restoring_an_old_value_does_not_bring_back_its_etag(run):
    first = run(run.store.create("players", "P1", "doc", {"v": 1}))
    second = run(run.store.replace("players", "P1", "doc", {"v": 2}, first.etag))
    third = run(run.store.replace("players", "P1", "doc", {"v": 1}, second.etag))
    assert third.etag != first.etag
    with pytest.raises(PreconditionFailed):
        run(run.store.replace("players", "P1", "doc", {"v": 9}, first.etag))


def test_replace_of_a_missing_document_is_not_found(run):
    with pytest.raises(NotFound):
        run(run.store.replace("players", "P1", "ghost", {"v": 1}, '"whatever"'))


def test_delete(run):
    doc = run(run.store.create("players", "P1", "doc", {"v": 1}))
    with pytest.raises(PreconditionFailed):
        run(run.store.delete("players", "P1", "doc", etag='"stale"'))
    run(run.store.delete("players", "P1", "doc", etag=doc.etag))
    assert run(run.store.read("players", "P1", "doc")) is None
    with pytest.raises(NotFound):
        run(run.store.delete("players", "P1", "doc"))
    run(run.store.create("players", "P1", "doc", {"v": 2}))  # the id is free again


def test_documents_over_the_size_cap_are_refused_whole(run):
    with pytest.raises(DocumentTooLarge):
        run(run.store.create("players", "P1", "big", {"v": "x" * 2_100_000}))
    assert run(run.store.read("players", "P1", "big")) is None


def test_documents_just_under_the_size_cap_are_stored_whole(run):
    body = {"v": "é" * 995_000}  # two bytes each in UTF-8: 1,990,008 bytes of JSON
    run(run.store.create("players", "P1", "big", body))
    assert run(run.store.read("players", "P1", "big")).body == body


def test_update_creates_changes_leaves_and_deletes(run):
    assert run(run.store.update("players", "P1", "u", lambda b: {"n": 1} if b is None else None)).body == {"n": 1}
    assert run(run.store.update("players", "P1", "u", lambda b: {**b, "n": b["n"] + 1})).body == {"n": 2}
    unchanged = run(run.store.read("players", "P1", "u"))
    assert run(run.store.update("players", "P1", "u", lambda b: None)).etag == unchanged.etag
    assert run(run.store.update("players", "P1", "u", lambda b: DELETE)) is None
    assert run(run.store.read("players", "P1", "u")) is None


def test_update_that_raises_writes_nothing(run):
    run(run.store.create("players", "P1", "u", {"n": 1}))

    def refuse(body):
        body["n"] = 99  # changed the private copy, then changed its mind
        raise PlayFabError("InvalidParams", "no")

    with pytest.raises(PlayFabError):
        run(run.store.update("players", "P1", "u", refuse))
    assert run(run.store.read("players", "P1", "u")).body == {"n": 1}


def test_concurrent_updates_lose_nothing(run):
    def add(key: str):
        def mutation(body):
            body = body or {"keys": []}
            body["keys"].append(key)
            return body

        return mutation

    async def storm():
        await asyncio.gather(*(run.store.update("groups", "G", "data", add(f"k{i}")) for i in range(40)))

    run(storm())
    assert sorted(run(run.store.read("groups", "G", "data")).body["keys"]) == sorted(f"k{i}" for i in range(40))


def test_any_id_partition_key_and_body_keys_are_storable(run):
    # Ids and keys Cosmos DB treats specially, or that would collide once escaped naively.
    names = ["a/b", "a%2Fb", "q?x#y", "back\\slash", "100%", "ünï ✓", "custom:x y"]
    for i, name in enumerate(names):
        run(run.store.create("players", name, name, {"i": i, "id": "mine", "pk": "mine", "_etag": "mine"}))
    for i, name in enumerate(names):
        assert run(run.store.read("players", name, name)).body == {"i": i, "id": "mine", "pk": "mine", "_etag": "mine"}


def test_read_many_answers_each_in_order(run):
    run(run.store.create("players", "P1", "doc", {"v": 1}))
    run(run.store.create("players", "P2", "doc", {"v": 2}))
    run(run.store.create("groups", "P3", "doc", {"v": 3}))
    docs = run(run.store.read_many("players", [("P2", "doc"), ("P3", "doc"), ("P1", "doc"), ("P1", "other")]))
    assert [d.body if d else None for d in docs] == [{"v": 2}, None, {"v": 1}, None]
    assert docs[0].etag == run(run.store.read("players", "P2", "doc")).etag
    assert run(run.store.read_many("players", [])) == []


def test_partitions_with_lists_every_partition_holding_an_id_in_order(run):
    for pk in ("P3", "P1", "é-2", "P2"):
        run(run.store.create("players", pk, "account", {"pk": pk}))
    run(run.store.create("players", "P4", "other", {}))
    run(run.store.create("groups", "P5", "account", {}))  # another container
    run(run.store.create("players", "P6", "a/b?", {}))  # an id the Cosmos adapter escapes
    run(run.store.delete("players", "P2", "account"))
    assert run(run.store.partitions_with("players", "account")) == ["P1", "P3", "é-2"]
    assert run(run.store.partitions_with("players", "a/b?")) == ["P6"]
    assert run(run.store.partitions_with("lookups", "account")) == []
