"""The embedded store's file deleted or replaced under a running host, and a restart without it.

A host that kept writing into a deleted file acknowledged writes the next start could not see; a worker
that opened the path afresh created a new empty store beside the other worker's. Now every call checks
that the path still names the open file and answers 503 otherwise, no worker ever creates the file, and
a start finding the store gone while its marker or signing key remains refuses to start.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.server import TITLE_ID, base_env, running_server
from tests.support.store_faults import (
    SERVER_KEY,
    assert_unavailable,
    player_with_data,
    read_data,
    start_expecting_failure,
)

READS = 40  # enough fresh connections that both workers serve some
Change = Callable[[Path], None]


def _delete(path: Path) -> None:
    path.unlink()


def _replace(path: Path) -> None:
    # A copy put in its place (a restore over a live store): same content, another file.
    copy = path.with_name("copy.sqlite3")
    shutil.copyfile(path, copy)
    os.replace(copy, path)


@pytest.mark.parametrize("change", [_delete, _replace], ids=["deleted", "replaced"])
def test_every_worker_answers_503_once_the_file_is_gone_or_replaced(tmp_path: Path, change: Change) -> None:
    store = tmp_path / "playfab.sqlite3"
    with running_server(tmp_path, WORKERS="2") as srv:
        player = player_with_data(srv)
        for _ in range(READS):  # let both workers open the store before it changes
            assert read_data(srv, player)["code"] == 200
        change(store)
        outcomes = [read_data(srv, player).get("error", "OK") for _ in range(READS)]
        assert outcomes == ["ServiceUnavailable"] * READS
        write = srv.post("/Client/UpdateUserData", {"Data": {"level": "8"}}, {"X-Authorization": player.ticket})
        assert_unavailable(write)
        login = {"TitleId": TITLE_ID, "CustomId": "newcomer", "CreateAccount": True}
        assert_unavailable(srv.post("/Client/LoginWithCustomID", login))
        assert "deleted or replaced while open" in srv.log()
    if change is _replace:
        return
    # No worker made a new file, and a restart refuses the missing store rather than serving an empty one.
    assert not store.exists()
    done = start_expecting_failure(base_env(tmp_path, PORT="1"))
    assert done.returncode != 0
    assert "cannot start" in done.stderr and "is missing" in done.stderr
    assert "SQLITE_RECREATE_MISSING_STORE" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("everything", [False, True], ids=["store file", "store file and marker"])
def test_a_worker_started_after_the_file_vanished_creates_no_store(tmp_path: Path, everything: bool) -> None:
    """The worker that has not opened the store yet is the one that used to create an empty one."""
    store = tmp_path / "playfab.sqlite3"
    with running_server(tmp_path, WORKERS="2") as srv:
        player = player_with_data(srv)  # at most a few calls: one worker may not have opened the store
        store.unlink()
        if everything:  # as `rm -rf` of the data directory would: nothing left to show a store existed
            for path in tmp_path.glob("playfab.sqlite3*"):
                path.unlink()
        for _ in range(READS):
            body = read_data(srv, player)
            assert body.get("error") == "ServiceUnavailable", body
        assert not store.exists()


def test_the_generated_signing_key_alone_shows_a_store_existed(tmp_path: Path) -> None:
    """A store made before the marker file existed is still protected by the key generated beside it."""
    store = tmp_path / "playfab.sqlite3"
    with running_server(tmp_path, TOKEN_SIGNING_KEY="") as srv:
        player_with_data(srv)
    for path in (store, store.with_name("playfab.sqlite3-wal"), store.with_name("playfab.sqlite3.created")):
        path.unlink(missing_ok=True)
    done = start_expecting_failure(base_env(tmp_path, PORT="1", TOKEN_SIGNING_KEY=""))
    assert done.returncode != 0 and "token-signing.key shows one existed" in done.stderr


def test_a_new_empty_store_only_when_asked(tmp_path: Path) -> None:
    store = tmp_path / "playfab.sqlite3"
    with running_server(tmp_path) as srv:
        player = player_with_data(srv)
    store.unlink()
    with running_server(tmp_path, SQLITE_RECREATE_MISSING_STORE="true") as srv:
        body = srv.post("/Server/GetUserData", {"PlayFabId": player.playfab_id}, SERVER_KEY).json()
        assert body["error"] == "AccountNotFound"
        assert "created a new empty SQLite store" in srv.log()
    assert store.exists()
    with running_server(tmp_path) as srv:  # the new store is the store now: no flag needed
        assert player_with_data(srv).playfab_id
