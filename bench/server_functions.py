"""The benchmark's own server function, loaded by the bench host beside the studio's `cloudscript`
(SERVER_FUNCTION_MODULES, bench/servers.py); the project does not ship it."""

from __future__ import annotations

from typing import Any

from shared.features.server_functions import Context, server_function

READ_OWN_DATA = "Bench.ReadOwnData"


@server_function(name=READ_OWN_DATA)
async def read_own_data(ctx: Context) -> dict[str, Any]:
    """One small thing: read the caller's read-only data through the in-process API, answer its key count
    and DataVersion."""
    data = await ctx.server.call("Server/GetUserReadOnlyData", {"PlayFabId": ctx.playfab_id})
    return {"Keys": len(data["Data"]), "DataVersion": data["DataVersion"]}
