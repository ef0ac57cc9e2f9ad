"""SetObjects races on every store adapter, including the etag retry loop Cosmos DB uses.

Each writer has its own store instance (its own connection) on one file; the calls go through the
SetObjects core, so the profile's first creation, the version check and the retries all race for real.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from shared.auth.caller import ENTITY_TITLE, Caller
from shared.auth.tokens import Signer
from shared.config.settings import load_settings
from shared.features.objects import get_objects, set_objects
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import GetObjectsRequest, SetObjectsRequest
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID
from tests.support.store_adapters import ADAPTERS

WRITERS = 12
TITLE_KEY = {"Id": TITLE_ID, "Type": ENTITY_TITLE}
CALLER = Caller(is_title=True, entity_type=ENTITY_TITLE, entity_id=TITLE_ID)


async def _open(stack: AsyncExitStack, tmp: Path, adapter: str, request: pytest.FixtureRequest) -> list[Any]:
    """One store per writer, as separate processes would have; Cosmos shares one client on one database."""
    opener = ADAPTERS[adapter]
    if adapter == "cosmos":
        return [await stack.enter_async_context(opener(tmp, request))] * WRITERS
    return [await stack.enter_async_context(opener(tmp, request)) for _ in range(WRITERS)]


async def _race(stores: list[Any], requests: list[dict[str, Any]]) -> tuple[list[Any], dict[str, Any]]:
    """Run each SetObjects request on its own store at once; return the outcomes and the objects after."""
    env = {"PLAYFAB_TITLE_ID": TITLE_ID, "PLAYFAB_SECRET_KEYS": SECRET_KEY, "TOKEN_SIGNING_KEY": SIGNING_KEY}
    settings, signer = load_settings(env), Signer((SIGNING_KEY,), TITLE_ID)
    services = [Services(settings, store, signer) for store in stores]
    calls = [
        set_objects.handler(s, CALLER, SetObjectsRequest.model_validate(r))
        for s, r in zip(services, requests, strict=True)
    ]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    after = await get_objects.handler(services[0], CALLER, GetObjectsRequest.model_validate({"Entity": TITLE_KEY}))
    return outcomes, after


def _request(objects: list[dict[str, Any]], expected: int | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"Entity": TITLE_KEY, "Objects": objects}
    if expected is not None:
        request["ExpectedProfileVersion"] = expected
    return request


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_first_writes_then_versioned_writers_one_wins(adapter, tmp_path, request):
    firsts = [_request([{"ObjectName": "first", "DataObject": i}]) for i in range(WRITERS)]
    versioned = [_request([{"ObjectName": "race", "DataObject": i}], expected=WRITERS) for i in range(WRITERS)]

    async def both() -> tuple[tuple[list[Any], dict[str, Any]], tuple[list[Any], dict[str, Any]]]:
        async with AsyncExitStack() as stack:
            stores = await _open(stack, tmp_path, adapter, request)
            return await _race(stores, firsts), await _race(stores, versioned)

    (outcomes, after), second = asyncio.run(both())
    # Twelve first writes to a profile that does not exist yet: every one lands, in some order.
    assert sorted(o["ProfileVersion"] for o in outcomes) == list(range(1, WRITERS + 1))
    assert after["ProfileVersion"] == WRITERS
    outcomes, after = second
    winners = [i for i, o in enumerate(outcomes) if isinstance(o, dict)]
    assert len(winners) == 1, outcomes
    losers = [o for o in outcomes if not isinstance(o, dict)]
    assert all(isinstance(o, PlayFabError) and o.name == "EntityProfileVersionMismatch" for o in losers), losers
    assert after["ProfileVersion"] == WRITERS + 1
    assert after["Objects"]["race"]["DataObject"] == winners[0]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_unversioned_writers_all_land(adapter, tmp_path, request):
    requests = [_request([{"ObjectName": f"o{i % 5}", "DataObject": i}]) for i in range(WRITERS)]

    async def race() -> tuple[list[Any], dict[str, Any]]:
        async with AsyncExitStack() as stack:
            return await _race(await _open(stack, tmp_path, adapter, request), requests)

    outcomes, after = asyncio.run(race())
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert sorted(o["ProfileVersion"] for o in outcomes) == list(range(1, WRITERS + 1))
    assert after["ProfileVersion"] == WRITERS
    for name, obj in after["Objects"].items():
        last = max((o["ProfileVersion"], i) for i, o in enumerate(outcomes) if f"o{i % 5}" == name)
        assert obj["DataObject"] == last[1]
