"""Two example server functions: a reward granted once into read-only data, and one that always fails."""

from __future__ import annotations

import json
import uuid
from typing import Any

from shared.features.server_functions import Context, server_function

REWARD_PREFIX = "Reward."  # read-only data: one key per reward, {"Amount": n, "By": the execution that wrote it}
MAX_AMOUNT = 1000


def _reward_request(argument: Any) -> tuple[str, int]:
    if not isinstance(argument, dict):
        raise ValueError("GrantReward takes {RewardId, Amount}")
    reward_id, amount = argument.get("RewardId"), argument.get("Amount")
    if not isinstance(reward_id, str) or not 1 <= len(reward_id) <= 64:
        raise ValueError("RewardId must be a string of 1 to 64 characters")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
        raise ValueError(f"Amount must be a whole number from 1 to {MAX_AMOUNT}")
    return reward_id, amount


def _coins(data: dict[str, Any]) -> int:
    return sum(json.loads(record["Value"])["Amount"] for key, record in data.items() if key.startswith(REWARD_PREFIX))


@server_function
async def GrantReward(ctx: Context) -> dict[str, Any]:
    """Grant `Amount` coins once per `RewardId` into the player's read-only data; answer the coins held.

    Each reward is its own key, so grants of different rewards never overwrite each other (an update
    touches only the keys it names). The optimistic check is on DataVersion: a write that moved it by
    exactly one met no other write since the read. When it moved further, the function reads the key
    again and reports whether its own write is the one that holds. Either way the key is written at most
    once per reward id that was unclaimed when read, so a reward is never granted twice over.
    """
    reward_id, amount = _reward_request(ctx.argument)
    if ctx.playfab_id is None:
        raise ValueError("GrantReward runs for a player")
    key, me = REWARD_PREFIX + reward_id, uuid.uuid4().hex
    player = {"PlayFabId": ctx.playfab_id}
    read = await ctx.server.call("Server/GetUserReadOnlyData", player)
    if key in read["Data"]:
        ctx.log.info("reward already claimed", {"RewardId": reward_id})
        return {"Granted": False, "Coins": _coins(read["Data"])}
    value = json.dumps({"Amount": amount, "By": me}, separators=(",", ":"))
    written = await ctx.server.call("Server/UpdateUserReadOnlyData", {**player, "Data": {key: value}})
    granted = True
    if written["DataVersion"] != read["DataVersion"] + 1:
        ctx.log.debug("the data changed while granting; checking which write holds")
        read = await ctx.server.call("Server/GetUserReadOnlyData", player)
        granted = json.loads(read["Data"][key]["Value"])["By"] == me
    else:
        read["Data"][key] = {"Value": value}
    ctx.log.info("reward granted" if granted else "reward claimed concurrently", {"RewardId": reward_id})
    return {"Granted": granted, "Coins": _coins(read["Data"])}


@server_function
async def AlwaysFails(ctx: Context) -> None:
    """Raises, to show what a caller gets from a failing function: PlayFab's `Error`, nothing else."""
    ctx.log.info("about to fail")
    raise ValueError(f"AlwaysFails was asked to fail ({ctx.argument!r})")
