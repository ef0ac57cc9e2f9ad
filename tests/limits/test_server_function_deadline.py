"""The deadline of a server function, stepped through with events on a real SQLite store: a write the
function started when its time ran out completes before the answer, and no call starts afterwards."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from shared.auth.logins import LoginKind
from shared.auth.tokens import Signer
from shared.config.settings import load_settings
from shared.endpoints import BY_PATH
from shared.features import identity
from shared.features.server_functions import Context, ServerFunction, run_function
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.layout import PLAYERS, player_data_doc
from shared.storage.sqlite import SQLiteStore
from shared.wire.validation import LoginRequest
from tests.support.server import SIGNING_KEY, TITLE_ID, base_env

REAL = BY_PATH["/Server/UpdateUserInternalData"].operation


def test_a_write_in_flight_at_the_deadline_completes_and_nothing_starts_after(tmp_path: Path):
    entered, proceed, stopped = asyncio.Event(), asyncio.Event(), asyncio.Event()
    after: list[BaseException] = []

    async def held_update(services: Services, caller: Any, req: Any) -> dict[str, Any]:
        entered.set()
        await proceed.wait()  # the store write starts only once the function has been stopped
        return await REAL.handler(services, caller, req)

    operations = {"Server/HeldUpdate": Operation(REAL.auth, REAL.model, held_update)}

    async def function(ctx: Context) -> None:
        assert ctx.playfab_id
        try:
            await ctx.server.call("Server/HeldUpdate", {"PlayFabId": ctx.playfab_id, "Data": {"in_flight": "1"}})
        except asyncio.CancelledError:
            stopped.set()
            try:  # it swallows the cancellation and tries another write: refused before it starts
                await ctx.server.call("Server/HeldUpdate", {"PlayFabId": ctx.playfab_id, "Data": {"late": "1"}})
            except BaseException as exc:
                after.append(exc)

    async def run() -> None:
        settings = load_settings(base_env(tmp_path, SERVER_FUNCTION_TIMEOUT_MS="50"))
        store = SQLiteStore(tmp_path / "deadline.sqlite3")
        services = Services(settings, store, Signer((SIGNING_KEY,), TITLE_ID))
        try:
            login = LoginRequest.model_validate({"TitleId": TITLE_ID, "CreateAccount": True})
            player = await identity.login(services, login, LoginKind.CUSTOM_ID, f"deadline-{uuid.uuid4()}")
            execution = asyncio.ensure_future(
                run_function(
                    services, ServerFunction("Held", function), lambda: operations, None, player["PlayFabId"], None
                )
            )
            await entered.wait()
            await stopped.wait()  # the deadline passed and the function was cancelled mid-call
            assert not execution.done(), "the answer must wait for the write the function started"
            proceed.set()
            outcome = await execution
            assert outcome.failure is not None and outcome.failure.kind == "timeout"
            assert outcome.api_calls == 1
            assert len(after) == 1 and isinstance(after[0], asyncio.CancelledError)
            doc = await store.read(PLAYERS, player["PlayFabId"], player_data_doc("internal"))
            assert doc is not None and set(doc.body["Data"]) == {"in_flight"}
        finally:
            await store.close()

    asyncio.run(run())
