"""python -m ops export, import and delete, run as a studio runs them, against real stores.

The round trip goes SQLite -> Cosmos DB (the emulator) -> SQLite and compares the three exports.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.features.segments import ALL_PLAYERS_ID
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.ops_tool import export, ops
from tests.support.server import REPO, TITLE_ID, Server, base_env, running_server
from tests.support.title_seed import SCORE, Api, SeededTitle, seed_title


def records_of(lines: list[str], kind: str) -> list[dict[str, Any]]:
    return [r for r in map(json.loads, lines) if r["Record"] == kind]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, SeededTitle]]:
    with running_server(tmp_path_factory.mktemp("ops-source")) as srv:
        yield srv, seed_title(srv.url)


@pytest.fixture(scope="module")
def exported(source: tuple[Server, SeededTitle], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ops-files") / "title.jsonl"
    export(source[0].env, out)
    return out


def test_an_export_holds_every_player_group_and_the_title_without_secrets(source, exported: Path):
    _, seeded = source
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "Record": "header",
        "Format": "playfab-backend-export",
        "Version": 1,
        "TitleId": TITLE_ID,
    }
    assert {r["PlayFabId"] for r in records_of(lines, "player")} == set(seeded.custom_ids)
    assert sorted(r["SharedGroupId"] for r in records_of(lines, "group")) == sorted(seeded.groups)
    (title,) = records_of(lines, "title")
    assert {d["Id"] for d in title["Documents"]} == {"titledata.title", "titledata.internal", "statistics", "profile"}
    player = next(r for r in records_of(lines, "player") if r["PlayFabId"] == seeded.password_player)
    places = {(d["Container"], d["Id"]) for d in player["Documents"]}
    assert ("players", "account") in places and ("players", "password") not in places
    # No hash leaves with it, so the account says it needs a password; the others have no password login.
    marked = {
        r["PlayFabId"]
        for r in records_of(lines, "player")
        for d in r["Documents"]
        if d["Id"] == "account" and d["Body"].get("PasswordResetRequired") is True
    }
    assert marked == {seeded.password_player}
    lookups = [d["Partition"] for d in player["Documents"] if d["Container"] == "lookups"]
    assert sorted(p.split(":")[0] for p in lookups) == ["custom", "email", "username"]
    assert ("entities", "profile") in places and ("players", "statistics") in places
    text = exported.read_text(encoding="utf-8")
    assert "argon2" not in text and "a-long-password-1" not in text and "ratelimit" not in text
    assert stat.S_IMODE(os.stat(exported).st_mode) == 0o600  # player data: the owner's only


def test_round_trip_sqlite_cosmos_sqlite_gives_identical_exports(
    source, exported: Path, cosmos: CosmosAccount, tmp_path: Path
):
    database = new_database_name("ops")
    cosmos_env = base_env(tmp_path / "cosmos-side", **cosmos.env(database))
    try:
        loaded = ops(cosmos_env, "import", str(exported))
        assert loaded.returncode == 0, loaded.stderr
        via_cosmos = export(cosmos_env, tmp_path / "cosmos.jsonl")
        back_env = base_env(tmp_path / "sqlite-again")
        assert ops(back_env, "import", str(tmp_path / "cosmos.jsonl")).returncode == 0
        again = export(back_env, tmp_path / "again.jsonl")
        first = exported.read_text(encoding="utf-8").splitlines()
        assert sorted(via_cosmos) == sorted(first) and sorted(again) == sorted(first)
        # Run again: nothing is written the second time, on either store.
        for env in (cosmos_env, back_env):
            rerun = ops(env, "import", str(exported))
            assert rerun.returncode == 0 and f"0 written, {len(first) - 2} unchanged, 0 refused" in rerun.stderr
    finally:
        asyncio.run(cosmos.drop_database(database))


@pytest.fixture(scope="module")
def imported(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A fresh store filled from the export, served by a host of its own."""
    data_dir = tmp_path_factory.mktemp("ops-target")
    done = ops(base_env(data_dir), "import", str(exported))
    assert done.returncode == 0, done.stderr
    with running_server(data_dir) as srv:
        yield srv


def _view(api: Api, playfab_id: str, custom_id: str) -> dict[str, Any]:
    """What a game sees of a player, through the API."""
    login = api.login(custom_id)
    entity = login["EntityToken"]
    characters = api.call("Server/GetAllUsersCharacters", {"PlayFabId": playfab_id})["Characters"]
    character_id = characters[0]["CharacterId"]
    return {
        "PlayFabId": login["PlayFabId"],
        "UserData": api.call("Server/GetUserData", {"PlayFabId": playfab_id}),
        "Internal": api.call("Server/GetUserInternalData", {"PlayFabId": playfab_id}),
        "Characters": characters,
        "CharacterData": api.call("Server/GetCharacterData", {"PlayFabId": playfab_id, "CharacterId": character_id}),
        # An export writes each body's keys in sorted order, so lists built from a stored map come back
        # in that order; PlayFab promises none.
        "Statistics": sorted(
            api.call("Server/GetPlayerStatistics", {"PlayFabId": playfab_id})["Statistics"],
            key=lambda s: s["StatisticName"],
        ),
        "Around": api.call(
            "Server/GetLeaderboardAroundUser", {"PlayFabId": playfab_id, "StatisticName": SCORE, "MaxResultsCount": 1}
        ),
        "Properties": api.call("Server/ListPlayerCustomProperties", {"PlayFabId": playfab_id}),
        "Objects": api.call(
            "Object/GetObjects", {"Entity": entity["Entity"]}, **{"X-EntityToken": entity["EntityToken"]}
        ),
        "CharacterObjects": api.call(
            "Object/GetObjects",
            {"Entity": {"Id": character_id, "Type": "character"}},
            **{"X-EntityToken": entity["EntityToken"]},
        ),
    }


def test_the_imported_title_answers_as_the_original(source, imported: Server):
    original, seeded = source
    before, after = Api(original.url), Api(imported.url)
    for playfab_id, custom_id in seeded.custom_ids.items():
        seen = _view(after, playfab_id, custom_id)
        assert seen == _view(before, playfab_id, custom_id)
        assert seen["PlayFabId"] == playfab_id and seen["UserData"]["DataVersion"] == 2
    board = {"StatisticName": SCORE, "StartPosition": 0, "MaxResultsCount": 10}
    assert after.call("Server/GetLeaderboard", board) == before.call("Server/GetLeaderboard", board)
    listed = after.call("Admin/GetPlayersInSegment", {"SegmentId": ALL_PLAYERS_ID})
    assert {p["PlayerId"] for p in listed["PlayerProfiles"]} == set(seeded.custom_ids)
    group = {"SharedGroupId": seeded.groups[0], "GetMembers": True}
    assert after.call("Server/GetSharedGroupData", group) == before.call("Server/GetSharedGroupData", group)
    assert after.call("Server/GetTitleInternalData", {}) == {"Data": {"seed": "42"}}
    tokens = [api.call("Authentication/GetEntityToken", {}) for api in (before, after)]
    seen = [
        api.call("Object/GetObjects", {"Entity": token["Entity"]}, **{"X-EntityToken": token["EntityToken"]})
        for api, token in zip((before, after), tokens, strict=True)
    ]
    assert seen[0] == seen[1] and seen[1]["Objects"]["season"]["DataObject"] == {"n": 3}


def test_a_conflicting_record_is_refused_whole_and_the_rest_is_unchanged(source, exported: Path, tmp_path: Path):
    _, seeded = source
    playfab_id = next(iter(seeded.custom_ids))
    assert ops(base_env(tmp_path), "import", str(exported)).returncode == 0
    with running_server(tmp_path) as target:
        api = Api(target.url)
        api.call("Server/UpdateUserData", {"PlayFabId": playfab_id, "Data": {"k": "changed on the target"}})
        rerun = ops(target.env, "import", str(exported))
        assert rerun.returncode == 1
        assert f"{playfab_id}: the target already holds a different players/{playfab_id}/data.user" in rerun.stderr
        assert f"0 written, {len(seeded.custom_ids) + 2} unchanged, 1 refused as conflicts" in rerun.stderr
        kept = api.call("Server/GetUserData", {"PlayFabId": playfab_id, "Keys": ["k"]})
        assert kept["Data"]["k"]["Value"] == "changed on the target" and kept["DataVersion"] == 3


def test_one_player_export_and_delete(source, imported: Server, tmp_path: Path):
    _, seeded = source
    playfab_id = seeded.password_player
    lines = export(imported.env, tmp_path / "one.jsonl", "--player", playfab_id)
    assert [json.loads(line)["Record"] for line in lines] == ["header", "player", "end"]
    refused = ops(imported.env, "delete", playfab_id)  # not a terminal and no --yes: it does not guess
    assert refused.returncode == 2 and "--yes" in refused.stderr
    deleted = ops(imported.env, "delete", playfab_id, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    gone = (
        Api(imported.url)
        .http.post(
            f"{imported.url}/Admin/GetUserAccountInfo",
            json={"PlayFabId": playfab_id},
            headers={"X-SecretKey": imported.env["PLAYFAB_SECRET_KEYS"].split(",")[0]},
        )
        .json()
    )
    assert gone["error"] == "AccountNotFound"
    assert ops(imported.env, "delete", playfab_id, "--yes").returncode == 1  # nobody left to delete
    assert ops(imported.env, "export", "--player", playfab_id, "--out", str(tmp_path / "none.jsonl")).returncode == 1


def test_a_deleted_group_leaves_the_export(source, tmp_path: Path):
    original, _ = source
    api = Api(original.url)
    api.call("Server/CreateSharedGroup", {"SharedGroupId": "ops-short-lived"})
    assert "ops-short-lived" in {
        r["SharedGroupId"] for r in records_of(export(original.env, tmp_path / "a.jsonl"), "group")
    }
    api.call("Server/DeleteSharedGroup", {"SharedGroupId": "ops-short-lived"})
    assert "ops-short-lived" not in {
        r["SharedGroupId"] for r in records_of(export(original.env, tmp_path / "b.jsonl"), "group")
    }


def _player_line(exported: Path, playfab_id: str) -> dict[str, Any]:
    lines = exported.read_text(encoding="utf-8").splitlines()
    return next(r for r in map(json.loads, lines) if r.get("PlayFabId") == playfab_id)


def _doc(container: str, partition: str, doc_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"Container": container, "Partition": partition, "Id": doc_id, "Body": body}


def _spoiled(record: dict[str, Any], case: str) -> dict[str, Any]:
    owner, docs = record["PlayFabId"], list(record["Documents"])
    if case == "another player's partition":
        docs.append(_doc("players", "BBBB", "data.user", {}))
    elif case == "another entity's profile":
        docs.append(_doc("entities", "title_player_account!SOMEONE", "profile", {"PlayFabId": owner}))
    elif case == "a lookup its account does not list":
        docs.append(_doc("lookups", "custom:not-listed", "login", {"PlayFabId": owner}))
    elif case == "a statistics body of another shape":
        docs = [
            {**d, "Body": {"Statistics": {"s": {}}}} if d["Id"] == "statistics" and d["Container"] == "players" else d
            for d in docs
        ]
    return {**record, "Documents": docs}


HEADER = {"Record": "header", "Format": "playfab-backend-export", "Version": 1, "TitleId": TITLE_ID}
SPOILED = {
    "another player's partition": "may not write players/BBBB/data.user",
    "another entity's profile": "may not write entities/title_player_account!SOMEONE/profile",
    "a lookup its account does not list": "may not write lookups/custom:not-listed/login",
    "a statistics body of another shape": "not shaped as an export's (KeyError",
}


@pytest.mark.parametrize("case", SPOILED)
def test_a_line_that_writes_outside_its_own_places_stops_the_import_before_anything_is_written(
    source, exported: Path, tmp_path: Path, case: str
):
    env = base_env(tmp_path / "target")
    good = exported.read_text(encoding="utf-8").splitlines()
    # Early in the file, before lines that are sound: the whole file is checked before any is written.
    bad_line = json.dumps(_spoiled(_player_line(exported, next(iter(source[1].custom_ids))), case))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join([good[0], bad_line, *good[1:-1], json.dumps({"Record": "end", "Records": len(good) - 1})]) + "\n",
        encoding="utf-8",
    )
    done = ops(env, "import", str(bad))
    assert done.returncode == 2 and SPOILED[case] in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    after = export(env, tmp_path / "after.jsonl")
    assert [json.loads(line)["Record"] for line in after] == ["header", "title", "end"]  # nothing written
    assert json.loads(after[1])["Documents"] == []


def test_a_file_cut_short_or_of_another_title_is_refused_before_anything_is_written(exported: Path, tmp_path: Path):
    env = base_env(tmp_path / "target")
    good = exported.read_text(encoding="utf-8").splitlines()
    assert json.loads(good[-1]) == {"Record": "end", "Records": len(good) - 2}
    files = {
        "cut short": (good[:-3], "no end line: the file was cut short"),
        "a wrong count": (
            [*good[:-2], good[-1]],
            f"the end line counts {len(good) - 2} records, the file has {len(good) - 3}",
        ),
        "another title": ([json.dumps({**HEADER, "TitleId": "OTHER"}), *good[1:]], "not of TESTTITLE"),
        "not JSON": (["not json"], "line 1: not JSON"),
        "no header": (good[1:], "line 1: not an export of this backend"),
    }
    for name, (lines, message) in files.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = ops(env, "import", str(path))
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, (name, done.stderr)
    after = export(env, tmp_path / "after.jsonl")
    assert [json.loads(line)["Record"] for line in after] == ["header", "title", "end"]


def test_an_import_cut_short_is_finished_by_a_newer_file(source, exported: Path, tmp_path: Path):
    """A run that died before a player's account was written left some of its documents; the file given
    to the re-run is newer (the source moved on): what was left is replaced, not a conflict."""
    _, seeded = source
    playfab_id = next(iter(seeded.custom_ids))
    env = base_env(tmp_path / "target")
    record = _player_line(exported, playfab_id)
    older = {**record, "Documents": [d for d in record["Documents"] if d["Id"] != "account"]}
    older["Documents"] = [
        {**d, "Body": {**d["Body"], "DataVersion": 1}} if d["Id"] == "data.user" else d for d in older["Documents"]
    ]

    async def leave_behind() -> None:  # what the cut-short run wrote: the account and lookups never came
        from shared.config.settings import load_settings
        from shared.services import open_title_store

        store = await open_title_store(load_settings(env))
        try:
            for d in older["Documents"]:
                if d["Container"] != "lookups":
                    await store.create(d["Container"], d["Partition"], d["Id"], d["Body"])
        finally:
            await store.close()

    from shared.storage.sqlite import prepare_store

    prepare_store(Path(env["SQLITE_PATH"]))
    asyncio.run(leave_behind())
    done = ops(env, "import", str(exported))
    assert done.returncode == 0 and "0 refused" in done.stderr, done.stderr
    assert sorted(export(env, tmp_path / "after.jsonl")) == sorted(exported.read_text(encoding="utf-8").splitlines())


def test_an_export_to_standard_output_is_owner_only_when_it_is_a_file(source, tmp_path: Path):
    out = tmp_path / "piped.jsonl"
    out.write_text("")
    out.chmod(0o644)
    with out.open("wb") as sink:
        done = subprocess.run(
            [sys.executable, "-m", "ops", "export"],
            env=source[0].env,
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert done.returncode == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[-1])["Record"] == "end"
    assert not list(tmp_path.glob("*.partial"))
