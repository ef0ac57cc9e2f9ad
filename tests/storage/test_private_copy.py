"""The update loop's copy of a body shares nothing mutable with the original, whatever the body holds."""

from __future__ import annotations

import asyncio
import copy

from shared.storage.base import private_copy
from tests.support.store_adapters import EtagLoopSQLiteStore


def test_a_copy_is_equal_and_independent_at_every_level() -> None:
    original = {"Data": {"k": {"Value": "v", "n": 1, "f": 1.5, "b": True, "z": None}}, "List": [[1], {"a": [2]}]}
    odd = {"tuple": ([1],), "set": {1, 2}}
    snapshot = copy.deepcopy(original)
    copied = private_copy(original)
    assert copied == original
    copied["Data"]["k"]["Value"] = "changed"
    copied["List"][0].append(9)
    copied["List"][1]["a"].append(9)
    assert original == snapshot  # nothing reached the original
    odd_copy = private_copy(odd)
    odd_copy["tuple"][0].append(3)
    odd_copy["set"].add(3)
    assert odd == {"tuple": ([1],), "set": {1, 2}}  # non-JSON values are deep-copied


def test_a_mutation_that_changes_the_body_then_declines_leaves_the_stored_document(tmp_path) -> None:
    async def go() -> None:
        store = EtagLoopSQLiteStore(tmp_path / "copy.sqlite3")
        try:
            await store.create("players", "P", "doc", {"Data": {"k": {"Value": "v"}}})

            def meddle(body: dict | None) -> None:
                assert body is not None
                body["Data"]["k"]["Value"] = "meddled"
                return None

            returned = await store.update("players", "P", "doc", meddle)
            assert returned is not None and returned.body == {"Data": {"k": {"Value": "v"}}}
            stored = await store.read("players", "P", "doc")
            assert stored is not None and stored.body == {"Data": {"k": {"Value": "v"}}}
        finally:
            await store.close()

    asyncio.run(go())
