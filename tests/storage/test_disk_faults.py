"""A full or read-only disk under the embedded store: 503 ServiceUnavailable with a retry time, nothing
half-written, logins still served, and no start on a read-only store.

The host runs with tests/support/sqlite_faults on its PYTHONPATH, which injects the faults at the sqlite3 layer
in every process (see its docstring for what each fault really exercises). A full disk made by SQLite
itself (PRAGMA max_page_count) is in tests/storage/test_sqlite_disk_faults.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.server import REPO, TITLE_ID, Server, base_env, running_server
from tests.support.store_faults import assert_unavailable, player_with_data, read_data, start_expecting_failure

MARK = "diskfaultvalue"  # a data value no log line may carry


def _fault_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    paths = [str(REPO / "tests" / "support" / "sqlite_faults"), os.environ.get("PYTHONPATH", "")]
    return base_env(
        data_dir,
        PYTHONPATH=os.pathsep.join(p for p in paths if p),
        SQLITE_FAULT_FILE=str(data_dir / "fault"),
        **overrides,
    )


@contextmanager
def _faulty_server(data_dir: Path, **overrides: str) -> Iterator[Server]:
    with running_server(data_dir, env=_fault_env(data_dir, **overrides)) as srv:
        yield srv


def _set_fault(srv: Server, fault: str) -> None:
    (srv.data_dir / "fault").write_text(fault, encoding="utf-8")


@pytest.mark.parametrize(("fault", "says"), [("full", "is full (SQLITE_FULL"), ("readonly", "is read-only")])
def test_a_store_that_cannot_write_answers_503_and_still_lets_players_log_in(
    tmp_path: Path, fault: str, says: str
) -> None:
    with _faulty_server(tmp_path, WORKERS="2") as srv:
        player = player_with_data(srv, "returning")
        _set_fault(srv, fault)
        # Every login records LastLogin; a store that cannot take it must not lock the player out.
        for _ in range(6):  # both workers
            again = srv.post("/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": "returning"})
            assert again.status_code == 200 and again.json()["code"] == 200, again.text
            ticket = again.json()["data"]["SessionTicket"]
            assert srv.post("/Client/GetUserData", {}, {"X-Authorization": ticket}).json()["code"] == 200
        write = {"Data": {"level": MARK, "extra": MARK}}
        assert_unavailable(srv.post("/Client/UpdateUserData", write, {"X-Authorization": player.ticket}))
        newcomer = {"TitleId": TITLE_ID, "CustomId": "newcomer", "CreateAccount": True}
        assert_unavailable(srv.post("/Client/LoginWithCustomID", newcomer))
        _set_fault(srv, "")
        data = read_data(srv, player)["data"]
        assert {k: v["Value"] for k, v in data["Data"].items()} == {"level": "7"}
        assert data["DataVersion"] == 1  # the refused update left no trace
        log = srv.log()
    assert says in log and "LastLogin time recorded" in log
    assert MARK not in log and "InternalServerError" not in log


def test_the_host_does_not_start_on_a_read_only_store(tmp_path: Path) -> None:
    with running_server(tmp_path) as srv:  # a store with data in it, then the disk goes read-only
        player_with_data(srv)
    (tmp_path / "fault").write_text("readonly", encoding="utf-8")
    done = start_expecting_failure(_fault_env(tmp_path, PORT="1"))
    assert done.returncode != 0
    assert "cannot start" in done.stderr and "is read-only" in done.stderr and "Traceback" not in done.stderr
