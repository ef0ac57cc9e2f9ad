"""A fault between a write and the history store loses no history entry (SQLite, with the event log's
table refusing writes while documents are written as usual: tests/support/sqlite_faults). The hosts
move entries after every write (KEY_HISTORY_OUTBOX_BYTES=0), so every write meets the fault."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from tests.support.credentials import login
from tests.support.server import REPO, SECRET_KEY, Server, base_env, running_server

KEY = {"X-SecretKey": SECRET_KEY}


def _write(srv: Server, ticket: str, value: str) -> None:
    answer = srv.post("/Client/UpdateUserData", {"Data": {"k": value}}, {"X-Authorization": ticket}).json()
    assert answer["code"] == 200, answer


def _values(srv: Server, playfab_id: str) -> list[str]:
    request = {"Target": "UserData", "PlayFabId": playfab_id, "Key": "k"}
    answer = srv.post("/Admin/ext-ReadKeyHistory", request, KEY).json()
    assert answer["code"] == 200, answer
    entries: list[dict[str, Any]] = answer["data"]["Entries"]
    return [e["NewValue"]["Value"] for e in entries]


def _outbox(srv: Server, playfab_id: str) -> list[Any]:
    conn = sqlite3.connect(srv.data_dir / "playfab.sqlite3", timeout=30)
    try:
        row = conn.execute(
            "SELECT body FROM documents WHERE container='players' AND pk=? AND id='data.user'", (playfab_id,)
        ).fetchone()
    finally:
        conn.close()
    outbox: list[Any] = json.loads(row[0]).get("HistoryOutbox", [])
    return outbox


def _history_rows(srv: Server, playfab_id: str) -> int:
    conn = sqlite3.connect(srv.data_dir / "playfab.sqlite3", timeout=30)
    try:
        (count,) = conn.execute(
            "SELECT count(*) FROM events WHERE stream=?", (f"history.player!{playfab_id}",)
        ).fetchone()
    finally:
        conn.close()
    return int(count)


def _env(data_dir: Path, outbox_bytes: str = "0") -> dict[str, str]:
    paths = [str(REPO / "tests" / "support" / "sqlite_faults"), os.environ.get("PYTHONPATH", "")]
    return base_env(
        data_dir,
        PYTHONPATH=os.pathsep.join(p for p in paths if p),
        SQLITE_FAULT_FILE=str(data_dir / "fault"),
        KEY_HISTORY_OUTBOX_BYTES=outbox_bytes,
    )


def test_entries_the_history_store_refused_wait_in_the_document_and_are_moved_later(tmp_path: Path) -> None:
    with running_server(tmp_path, env=_env(tmp_path)) as srv:
        player = login(srv)
        _write(srv, player.ticket, "1")
        (tmp_path / "fault").write_text("events", encoding="utf-8")
        _write(srv, player.ticket, "2")  # the change lands; its entry cannot be moved
        _write(srv, player.ticket, "3")
        assert len(_outbox(srv, player.playfab_id)) == 2
        assert _history_rows(srv, player.playfab_id) == 1
        # Read while the history store still refuses: the waiting entries are shown, newest first.
        assert _values(srv, player.playfab_id) == ["3", "2", "1"]
        data = srv.post("/Client/GetUserData", {}, {"X-Authorization": player.ticket}).json()["data"]
        assert (data["Data"]["k"]["Value"], data["DataVersion"], set(data)) == ("3", 3, {"Data", "DataVersion"})
        (tmp_path / "fault").write_text("", encoding="utf-8")
        _write(srv, player.ticket, "4")  # the next write moves what waited, with its own entry
        assert _outbox(srv, player.playfab_id) == []
        assert _values(srv, player.playfab_id) == ["4", "3", "2", "1"]


def test_a_history_read_moves_what_waited(tmp_path: Path) -> None:
    with running_server(tmp_path, env=_env(tmp_path)) as srv:
        player = login(srv)
        (tmp_path / "fault").write_text("events", encoding="utf-8")
        _write(srv, player.ticket, "1")
        _write(srv, player.ticket, "2")
        (tmp_path / "fault").write_text("", encoding="utf-8")
        assert _values(srv, player.playfab_id) == ["2", "1"]
        assert _outbox(srv, player.playfab_id) == []
        assert _history_rows(srv, player.playfab_id) == 1
        assert _values(srv, player.playfab_id) == ["2", "1"]


def test_entries_wait_in_the_document_until_they_pass_the_outbox_size(tmp_path: Path) -> None:
    with running_server(tmp_path, env=_env(tmp_path, outbox_bytes="1000")) as srv:
        player = login(srv)
        _write(srv, player.ticket, "1")
        _write(srv, player.ticket, "2")
        assert (len(_outbox(srv, player.playfab_id)), _history_rows(srv, player.playfab_id)) == (2, 0)
        for value in range(3, 10):
            _write(srv, player.ticket, str(value))
        assert len(_outbox(srv, player.playfab_id)) < 9 and _history_rows(srv, player.playfab_id) >= 1
        assert _values(srv, player.playfab_id) == [str(v) for v in range(9, 0, -1)]
        assert _outbox(srv, player.playfab_id) == []
