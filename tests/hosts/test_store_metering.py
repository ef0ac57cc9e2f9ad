"""Each request's log line says how many bytes of stored text it read and wrote (shared/storage/metering.py),
counted where the embedded store reads and writes them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server

UPDATE, READ = "/Admin/UpdateUserReadOnlyData", "/Admin/GetUserReadOnlyData"


def _lines(srv: Server, path: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in srv.log().splitlines() if line.startswith("{")]
    return [line for line in parsed if line.get("msg") == "request" and line.get("path") == path]


def _stored(srv: Server, pk: str) -> dict[str, int]:
    """Each stored document of a partition: its id and the length of its text, with the text of the
    records it keeps a row per key (shared/storage/sqlite_parts.py)."""
    with sqlite3.connect(srv.data_dir / "playfab.sqlite3") as conn:
        rows = conn.execute("SELECT id, length(CAST(body AS BLOB)) FROM documents WHERE pk = ?", (pk,)).fetchall()
        parts = conn.execute("SELECT id, sum(length(CAST(entry AS BLOB))) FROM parts WHERE pk = ? GROUP BY id", (pk,))
        kept_apart = {str(id): int(size) for id, size in parts.fetchall()}
    return {str(id): int(size) + kept_apart.get(str(id), 0) for id, size in rows}


def test_a_write_and_a_read_report_the_stored_bytes_they_moved(tmp_path: Path):
    with running_server(tmp_path) as srv:
        first = {"TitleId": TITLE_ID, "CustomId": "metered", "CreateAccount": True}
        player = srv.post("/Client/LoginWithCustomID", first).json()["data"]["PlayFabId"]
        secret = {"X-SecretKey": SECRET_KEY}
        before = _stored(srv, player)
        body = {"PlayFabId": player, "Data": {f"k{i}": "v" * 100 for i in range(10)}}
        assert srv.post(UPDATE, body, secret).json()["code"] == 200
        assert srv.post(READ, {"PlayFabId": player}, secret).json()["code"] == 200
        after = _stored(srv, player)
        (new_doc,) = after.keys() - before.keys()
        (update,) = _lines(srv, UPDATE)
        (read,) = _lines(srv, READ)
    account = before["account"]
    # The update read the account (does the player exist?) and wrote the new document, whole: its head
    # and the ten records.
    assert update["written_bytes"] == after[new_doc] > 1000
    assert update["read_bytes"] == account
    # The read read the account and the document, and wrote nothing.
    assert read["read_bytes"] == account + after[new_doc]
    assert "written_bytes" not in read or read["written_bytes"] == 0
