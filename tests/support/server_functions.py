"""Server functions the tests run and the project does not ship: every test host loads them beside the
studio's `cloudscript` package (SERVER_FUNCTION_MODULES, tests/support/server.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from shared.features.server_functions import Context, PlayFabError, server_function

MISSING_PLAYER = "0000000000000000"


def _refusal(err: PlayFabError) -> dict[str, Any]:
    refusal: dict[str, Any] = {"error": err.name, "errorCode": err.error_code, "errorMessage": err.message}
    if err.details is not None:
        refusal["errorDetails"] = err.details
    return refusal


@server_function
async def Echo(ctx: Context) -> dict[str, Any]:
    """What the function was given: its argument and whom it runs for."""
    ctx.log.info("echo", {"argument": ctx.argument})
    ctx.log.debug("no data")
    ctx.log.error("an error line", [1, 2])
    return {"Argument": ctx.argument, "PlayFabId": ctx.playfab_id, "Entity": ctx.entity, "TitleId": ctx.title_id}


@server_function(name="Tests.WriteMissingPlayer")
async def write_missing_player(ctx: Context) -> dict[str, Any]:
    """Writes a player's data who does not exist: caught, or (argument "uncaught") left to fail the run."""
    request = {"PlayFabId": MISSING_PLAYER, "Data": {"k": "v"}}
    if ctx.argument == "uncaught":
        await ctx.server.call("Server/UpdateUserReadOnlyData", request)
    try:
        await ctx.server.call("Server/UpdateUserReadOnlyData", request)
    except PlayFabError as err:
        return _refusal(err)
    return {"error": None}


@server_function(name="Tests.Refusals")
async def refusals(ctx: Context) -> dict[str, Any]:
    """Calls the in-process client may not make, or that break the same rules as over HTTP."""
    settle: dict[str, Any] = {}
    attempts: dict[str, tuple[str, dict[str, Any]]] = {
        "OtherTitle": (
            "Object/SetObjects",
            {"Entity": {"Type": "title", "Id": "OTHERTITLE"}, "Objects": [{"ObjectName": "o", "DataObject": 1}]},
        ),
        "ClientApi": ("Client/UpdateUserData", {"Data": {"k": "v"}}),
        "Recursion": ("Server/ExecuteCloudScript", {"PlayFabId": ctx.playfab_id, "FunctionName": "Echo"}),
        "Unknown": ("Server/NoSuchCall", {}),
        "BadRequest": ("Server/UpdateUserData", {"PlayFabId": ctx.playfab_id, "Data": "not an object"}),
        "TooLong": ("Server/UpdateUserData", {"PlayFabId": ctx.playfab_id, "Data": {"k": "x" * ctx.argument}}),
        "NotJson": ("Server/UpdateUserData", {"PlayFabId": ctx.playfab_id, "Data": {"k": {1, 2}}}),
    }
    for label, (api, request) in attempts.items():
        try:
            await ctx.server.call(api, request)
            settle[label] = None
        except PlayFabError as err:
            settle[label] = _refusal(err)
    return settle


@server_function(name="Tests.TooManyCalls")
async def too_many_calls(ctx: Context) -> None:
    """Reads until the per-execution call limit refuses it, and lets that refusal end the run."""
    for _ in range(1000):
        await ctx.server.call("Server/GetUserData", {"PlayFabId": ctx.playfab_id})


@server_function(name="Tests.RunsOverTime")
async def runs_over_time(ctx: Context) -> None:
    """Writes once, then waits forever; if told to, ignores being stopped and tries to write again."""
    player = {"PlayFabId": ctx.playfab_id}
    await ctx.server.call("Server/UpdateUserInternalData", {**player, "Data": {"before": "written"}})
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        if ctx.argument != "ignore-cancel":
            raise
    await ctx.server.call("Server/UpdateUserInternalData", {**player, "Data": {"after": "written"}})


@server_function(name="Tests.BlocksTheLoop")
async def blocks_the_loop(ctx: Context) -> str:
    """Holds the event loop (no await) for the seconds it is given, then returns."""
    time.sleep(float(ctx.argument))
    return "returned"


@server_function(name="Tests.Result")
async def result_of_size(ctx: Context) -> Any:
    """Returns a string of the given length, or a value JSON cannot carry."""
    if ctx.argument == "not-json":
        return {"a set": {1, 2}}
    return "r" * int(ctx.argument)


@server_function(name="Tests.ManyLogs")
async def many_logs(ctx: Context) -> int:
    for n in range(int(ctx.argument)):
        ctx.log.info(f"line {n}", {"n": n})
    return len(ctx.log.entries)


@server_function(name="Tests.WriteValue")
async def write_value(ctx: Context) -> dict[str, Any] | None:
    """Writes a user data value of the given length for the caller; answers the refusal, if any."""
    try:
        await ctx.server.call("Server/UpdateUserData", {"PlayFabId": ctx.playfab_id, "Data": {"v": "x" * ctx.argument}})
    except PlayFabError as err:
        return _refusal(err)
    return None


@server_function(name="Tests.Exits")
async def exits(ctx: Context) -> None:
    """Asks the process to exit, which a function may not do."""
    if ctx.argument == "interrupt":
        raise KeyboardInterrupt
    sys.exit(3)


@server_function(name="Tests.AddOne")
async def add_one(ctx: Context) -> int:
    """Adds one to the caller's user data key "count" (read, then write): twice applied, it adds two."""
    data = await ctx.server.call("Server/GetUserData", {"PlayFabId": ctx.playfab_id, "Keys": ["count"]})
    count = int(data["Data"]["count"]["Value"]) + 1 if "count" in data["Data"] else 1
    await ctx.server.call("Server/UpdateUserData", {"PlayFabId": ctx.playfab_id, "Data": {"count": str(count)}})
    return count
