"""The settings that bound Cosmos DB calls, and the gate that bounds calls in flight."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shared.config.settings import SettingsError, load_settings
from shared.storage import StoreUnavailable
from shared.storage.call_gate import CallGate
from tests.support.server import base_env

NAMES = ("COSMOS_REQUEST_TIMEOUT_SECONDS", "COSMOS_OPERATION_TIMEOUT_SECONDS", "COSMOS_MAX_CALLS")


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path))
    assert (
        settings.cosmos_request_timeout_seconds,
        settings.cosmos_operation_timeout_seconds,
        settings.cosmos_max_calls,
        settings.cosmos_queue_wait_ms,
    ) == (1, 3, 100, 500)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_bad_values_stop_start_up(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(base_env(tmp_path, **{name: value}))


def test_a_queue_wait_of_zero_is_allowed_and_negative_is_not(tmp_path: Path) -> None:
    assert load_settings(base_env(tmp_path, COSMOS_QUEUE_WAIT_MS="0")).cosmos_queue_wait_ms == 0
    with pytest.raises(SettingsError, match="COSMOS_QUEUE_WAIT_MS"):
        load_settings(base_env(tmp_path, COSMOS_QUEUE_WAIT_MS="-5"))


def test_the_operation_budget_must_hold_one_attempt(tmp_path: Path) -> None:
    env = base_env(tmp_path, COSMOS_REQUEST_TIMEOUT_SECONDS="6", COSMOS_OPERATION_TIMEOUT_SECONDS="5")
    with pytest.raises(SettingsError, match="COSMOS_OPERATION_TIMEOUT_SECONDS must be at least"):
        load_settings(env)


def test_the_gate_refuses_a_call_beyond_its_limit_when_no_turn_comes() -> None:
    async def scenario() -> None:
        gate = CallGate(1, 0)
        async with gate.turn("first"):
            with pytest.raises(StoreUnavailable, match="1 store calls already in flight"):
                async with gate.turn("second"):
                    pass
        async with gate.turn("third"):  # the slot is free again
            pass

    asyncio.run(asyncio.wait_for(scenario(), 10))


def test_a_waiting_call_gets_the_turn_a_finished_call_frees() -> None:
    async def scenario() -> list[str]:
        gate, order = CallGate(1, 30), []
        holding, release = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with gate.turn("first"):
                holding.set()
                await release.wait()
                order.append("first")

        async def second() -> None:
            await holding.wait()
            async with gate.turn("second"):
                order.append("second")

        tasks = [asyncio.ensure_future(first()), asyncio.ensure_future(second())]
        await holding.wait()
        await asyncio.sleep(0)  # let the second call queue on the gate
        release.set()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(asyncio.wait_for(scenario(), 10)) == ["first", "second"]
