"""Files holding secrets or player data are the owner's alone: created 0600 (directories 0700), and
tightened when an older version left them readable by others."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from scripts.init_local_settings import write_local_settings
from tests.support.server import base_env, running_server
from tests.support.store_faults import player_with_data


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _store_files(store: Path) -> list[Path]:
    """The store, its WAL files, its marker and the generated signing key, as far as they exist."""
    names = ("playfab.sqlite3", "playfab.sqlite3-wal", "playfab.sqlite3-shm", "playfab.sqlite3.created")
    found = [store.parent / name for name in (*names, "token-signing.key") if (store.parent / name).exists()]
    assert {store, store.parent / "token-signing.key"} <= set(found)
    return found


def test_a_fresh_local_run_creates_owner_only_files(tmp_path: Path) -> None:
    store = tmp_path / "new" / "playfab.sqlite3"
    with running_server(tmp_path, SQLITE_PATH=str(store), TOKEN_SIGNING_KEY="") as srv:
        player_with_data(srv)
        files = _store_files(store)
        modes = {path.name: oct(_mode(path)) for path in files}
    assert modes == {path.name: "0o600" for path in files}
    assert len(files) == 5  # the marker too
    assert oct(_mode(store.parent)) == "0o700"


def test_files_left_readable_by_others_are_tightened_at_start(tmp_path: Path) -> None:
    store = tmp_path / "playfab.sqlite3"
    settings_file = tmp_path / "local.settings.json"
    settings_file.write_text(json.dumps({"Values": {}}), encoding="utf-8")
    env = base_env(tmp_path, LOCAL_SETTINGS_FILE=str(settings_file), TOKEN_SIGNING_KEY="")
    with running_server(tmp_path, env=env) as srv:
        player_with_data(srv)
    loosened = [*_store_files(store), settings_file]
    for path in loosened:
        path.chmod(0o644)
    with running_server(tmp_path, env=env) as srv:
        player_with_data(srv)
        files = [*_store_files(store), settings_file]
        modes = {path.name: oct(_mode(path)) for path in files}
    assert modes == {path.name: "0o600" for path in files}


def test_the_local_settings_file_is_written_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "local.settings.json"
    assert write_local_settings(target) is not None
    assert oct(_mode(target)) == "0o600"
    assert json.loads(target.read_text(encoding="utf-8"))["Values"]["PLAYFAB_SECRET_KEYS"]
