"""python -m ops reindex: players and groups missing from their directories are listed again."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from shared.auth import directory
from shared.storage.sqlite import SQLiteStore
from tests.support.ops_tool import export, ops
from tests.support.server import running_server
from tests.support.title_seed import Api, seed_title


def _unlist(path: Path, playfab_id: str, group_id: str) -> None:
    async def go() -> None:
        store = SQLiteStore(path)
        try:
            await directory.PLAYERS.leave(store, playfab_id)
            await directory.GROUPS.leave(store, group_id)
        finally:
            await store.close()

    asyncio.run(go())


def test_reindex_lists_accounts_and_groups_the_directories_miss(tmp_path: Path):
    with running_server(tmp_path / "host") as host:
        seeded = seed_title(host.url, players=2)
        playfab_id, group_id = next(iter(seeded.custom_ids)), seeded.groups[0]
        _unlist(Path(host.env["SQLITE_PATH"]), playfab_id, group_id)  # as a store from before the directories
        api = Api(host.url)
        api.call("Server/DeletePlayer", {"PlayFabId": seeded.password_player})  # deleted: stays out
        ids = {
            r["PlayFabId"] for r in map(json.loads, export(host.env, tmp_path / "before.jsonl")[1:]) if "PlayFabId" in r
        }
        assert playfab_id not in ids
        done = ops(host.env, "reindex")
        assert done.returncode == 0, done.stderr
        assert "players: 1 listed (1 added)" in done.stderr and "groups: 2 listed (1 added)" in done.stderr
        after = [json.loads(line) for line in export(host.env, tmp_path / "after.jsonl")[1:]]
        assert {r["PlayFabId"] for r in after if r["Record"] == "player"} == {playfab_id}
        assert group_id in {r["SharedGroupId"] for r in after if r["Record"] == "group"}
        again = ops(host.env, "reindex")
        assert "players: 1 listed (0 added)" in again.stderr and "groups: 2 listed (0 added)" in again.stderr
