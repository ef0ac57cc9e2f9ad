"""`python -m ops migrate` between two real local hosts: the source seeded through its API, the copy checked
through the target's API, read by read against the source; a second run changes nothing; players changed
on the target since are conflicts, reported and left alone.

Every test passes alone and in any order: the source is seeded once and never changed, and a test that
changes a target (signing players in, changing their data) does it on a target no other test reads."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import json
import re
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiohttp
import pytest

from ops import importing, migrate
from ops.playfab_api import PlayFabApi
from shared.auth.logins import LoginKind, lookup_key
from shared.storage.layout import ACCOUNT_DOC, MEMBERSHIPS_DOC, PLAYERS
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.data_calls import stored
from tests.support.server import REPO, SECRET_KEY, TITLE_ID, Server, base_env, running_server

SECRET = {"X-SecretKey": SECRET_KEY}
PLAYER_FAMILIES = (
    "User",
    "UserReadOnly",
    "UserInternal",
    "UserPublisher",
    "UserPublisherReadOnly",
    "UserPublisherInternal",
)
PASSWORD = "source-password-1"
SHARED_NAME = "Twin"
GROUP_ID = "migrated-group"
LATER_GROUP_ID = "named-later"


def call(srv: Server, path: str, body: dict[str, Any] | None = None, *, anonymous: bool = False) -> dict[str, Any]:
    """A call's data, with the title's secret key (a Client login or registration is `anonymous`)."""
    answer = srv.post(path, body or {}, None if anonymous else SECRET)
    assert answer.status_code == 200, (path, answer.text)
    data: dict[str, Any] = answer.json()["data"]
    return data


def title_token(srv: Server) -> str:
    return str(call(srv, "/Authentication/GetEntityToken")["EntityToken"])


def entity_call(srv: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = srv.post(path, body, {"X-EntityToken": title_token(srv)})
    assert answer.status_code == 200, (path, answer.text)
    data: dict[str, Any] = answer.json()["data"]
    return data


@dataclass
class Seeded:
    custom_ids: dict[str, str]  # PlayFabId -> custom id
    password_player: str
    email: str
    characters: dict[str, list[str]]  # PlayFabId -> CharacterIds
    entities: dict[str, str]  # PlayFabId -> title player account id


def _custom_player(srv: Server) -> tuple[str, str, str]:
    custom_id = f"migrate-{uuid.uuid4().hex[:12]}"
    request = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
    login = call(srv, "/Client/LoginWithCustomID", request, anonymous=True)
    return login["PlayFabId"], custom_id, login["EntityToken"]["Entity"]["Id"]


def seed(srv: Server) -> Seeded:
    call(srv, "/Admin/CreatePlayerStatisticDefinition", {"StatisticName": "score", "AggregationMethod": "Max"})
    call(srv, "/Admin/CreatePlayerStatisticDefinition", {"StatisticName": "daily", "VersionChangeInterval": "Day"})
    kinds = (
        ("/Admin/SetTitleData", "motd"),
        ("/Admin/SetTitleInternalData", "secret"),
        ("/Admin/SetPublisherData", "pub"),
    )
    for path, key in kinds:
        call(srv, path, {"Key": key, "Value": f"{key}-value"})
        call(srv, path, {"Key": f"{key}2", "Value": '{"json": [1, 2.50]}'})
    entity_call(
        srv,
        "/Object/SetObjects",
        {"Entity": {"Id": TITLE_ID, "Type": "title"}, "Objects": [{"ObjectName": "config", "DataObject": {"a": 1}}]},
    )

    custom_ids, characters, entities = {}, {}, {}
    for n in range(4):
        playfab_id, custom_id, entity_id = _custom_player(srv)
        custom_ids[playfab_id], entities[playfab_id] = custom_id, entity_id
        characters[playfab_id] = []
        if n == 3:
            continue  # a player with nothing but its login
        for family in PLAYER_FAMILIES:
            request: dict[str, Any] = {"PlayFabId": playfab_id, "Data": {"k1": f"{family}-1", "gone": "x"}}
            if "Internal" not in family:
                request["Permission"] = "Public"
            call(srv, f"/Server/Update{family}Data", request)
            call(
                srv,
                f"/Server/Update{family}Data",
                {"PlayFabId": playfab_id, "Data": {"k2": f"{n}"}, "KeysToRemove": ["gone"]},
            )
        call(
            srv,
            "/Server/UpdatePlayerStatistics",
            {
                "PlayFabId": playfab_id,
                "Statistics": [
                    {"StatisticName": "score", "Value": 100 - n * 10},
                    {"StatisticName": "level", "Value": n},
                    {"StatisticName": "daily", "Value": 7 + n},
                ],
            },
        )
        props = {
            "PlayFabId": playfab_id,
            "Properties": [{"Name": "tier", "Value": "gold"}, {"Name": "rank", "Value": 3.5}],
        }
        call(srv, "/Server/UpdatePlayerCustomProperties", props)
        call(
            srv,
            "/Server/UpdatePlayerCustomProperties",
            {"PlayFabId": playfab_id, "Properties": [{"Name": "flag", "Value": True}]},
        )
        entity = {"Id": entity_id, "Type": "title_player_account"}
        entity_call(
            srv,
            "/Object/SetObjects",
            {"Entity": entity, "Objects": [{"ObjectName": "save", "DataObject": {"x": n, "f": 1.50}}]},
        )
        entity_call(
            srv,
            "/Object/SetObjects",
            {"Entity": entity, "Objects": [{"ObjectName": "opts", "EscapedDataObject": '{"b":  [true]}'}]},
        )
        if n < 2:
            for name in ("Hero", "Mage"):
                character_id = call(
                    srv,
                    "/Server/GrantCharacterToUser",
                    {"PlayFabId": playfab_id, "CharacterName": name, "CharacterType": "Class"},
                )["CharacterId"]
                characters[playfab_id].append(character_id)
                target = {"PlayFabId": playfab_id, "CharacterId": character_id}
                for family in ("Character", "CharacterReadOnly", "CharacterInternal"):
                    call(srv, f"/Server/Update{family}Data", {**target, "Data": {"c": f"{family}-{name}"}})
                    call(srv, f"/Server/Update{family}Data", {**target, "Data": {"d": "2"}})
                call(
                    srv,
                    "/Server/UpdateCharacterStatistics",
                    {**target, "CharacterStatistics": {"kills": 5 + n, "score": 9}},
                )
                entity_call(
                    srv,
                    "/Object/SetObjects",
                    {
                        "Entity": {"Id": character_id, "Type": "character"},
                        "Objects": [{"ObjectName": "bag", "DataObject": [name]}],
                    },
                )
    # A shared group of two players, with data written by the title and by a member.
    members = list(custom_ids)[:2]
    call(srv, "/Server/CreateSharedGroup", {"SharedGroupId": GROUP_ID})
    call(srv, "/Server/AddSharedGroupMembers", {"SharedGroupId": GROUP_ID, "PlayFabIds": members})
    call(
        srv, "/Server/UpdateSharedGroupData", {"SharedGroupId": GROUP_ID, "Data": {"pot": "10"}, "Permission": "Public"}
    )
    call(srv, "/Server/UpdateSharedGroupData", {"SharedGroupId": GROUP_ID, "Data": {"turn": "1"}})
    # A group no run names but one: it has a member of the first group, and a player in no other.
    call(srv, "/Server/CreateSharedGroup", {"SharedGroupId": LATER_GROUP_ID})
    later = {"SharedGroupId": LATER_GROUP_ID, "PlayFabIds": [members[0], list(custom_ids)[3]]}
    call(srv, "/Server/AddSharedGroupMembers", later)
    # Two players with one display name, as a PlayFab title allowing duplicates may hold.
    for playfab_id in list(custom_ids)[:2]:
        call(srv, "/Admin/UpdateUserTitleDisplayName", {"PlayFabId": playfab_id, "DisplayName": SHARED_NAME})
    banned = list(custom_ids)[2]
    bans = [
        {"PlayFabId": banned, "Reason": "cheating", "DurationInHours": 48},
        {"PlayFabId": banned, "Reason": "forever"},
    ]
    call(srv, "/Admin/BanUsers", {"Bans": bans})
    # A second version of "score": the first players' old values stay readable by version.
    call(srv, "/Admin/IncrementPlayerStatisticVersion", {"StatisticName": "score"})
    first = next(iter(custom_ids))
    call(
        srv,
        "/Server/UpdatePlayerStatistics",
        {"PlayFabId": first, "Statistics": [{"StatisticName": "score", "Value": 30}]},
    )

    username = f"user{uuid.uuid4().hex[:10]}"
    email = f"{username}@example.com"
    registered = call(
        srv,
        "/Client/RegisterPlayFabUser",
        {
            "TitleId": TITLE_ID,
            "Username": username,
            "Email": email,
            "Password": PASSWORD,
            "DisplayName": f"D{username[:10]}",
        },
        anonymous=True,
    )
    password_player = registered["PlayFabId"]
    call(srv, "/Server/UpdateUserData", {"PlayFabId": password_player, "Data": {"hello": "world"}})
    entities[password_player] = registered["EntityToken"]["Entity"]["Id"]
    characters[password_player] = []
    return Seeded(custom_ids, password_player, email, characters, entities)


def snapshot(srv: Server, seeded: Seeded) -> dict[str, Any]:
    """Every read the copy must answer as the source does, by what was read."""
    out: dict[str, Any] = {}
    for path in (
        "/Admin/GetTitleData",
        "/Admin/GetTitleInternalData",
        "/Server/GetTitleData",
        "/Admin/GetPlayerStatisticDefinitions",
    ):
        out[path] = call(srv, path)
    out["publisher"] = call(srv, "/Admin/GetPublisherData", {"Keys": ["pub", "pub2"]})
    for name in ("score", "level", "daily"):
        out[f"versions {name}"] = call(srv, "/Admin/GetPlayerStatisticVersions", {"StatisticName": name})
    for name, version in (("score", 0), ("score", 1), ("level", 0), ("daily", None)):
        board = {"StatisticName": name, "StartPosition": 0, "MaxResultsCount": 100}
        if version is not None:
            board |= {"Version": version, "UseSpecificVersion": True}
        out[f"leaderboard {name} {version}"] = call(srv, "/Server/GetLeaderboard", board)
    out["character leaderboard"] = call(
        srv, "/Server/GetCharacterLeaderboard", {"StatisticName": "kills", "StartPosition": 0, "MaxResultsCount": 100}
    )
    group = {"SharedGroupId": GROUP_ID, "GetMembers": True, "CustomTags": {"GetDataVersion": "true"}}
    out["group"] = call(srv, "/Server/GetSharedGroupData", group)
    out["title objects"] = entity_call(
        srv, "/Object/GetObjects", {"Entity": {"Id": TITLE_ID, "Type": "title"}, "EscapeObject": True}
    )
    for playfab_id in [*seeded.custom_ids, seeded.password_player]:
        player = {"PlayFabId": playfab_id}
        reads = out[playfab_id] = {}
        reads["account"] = call(srv, "/Server/GetUserAccountInfo", player)
        reads["bans"] = [
            {k: v for k, v in ban.items() if k != "BanId"}
            for ban in call(srv, "/Server/GetUserBans", player)["BanData"]
        ]
        for family in PLAYER_FAMILIES:
            reads[family] = call(srv, f"/Server/Get{family}Data", player)
        reads["statistics"] = call(srv, "/Server/GetPlayerStatistics", player)
        reads["score v0"] = call(
            srv,
            "/Server/GetPlayerStatistics",
            {**player, "StatisticNameVersions": [{"StatisticName": "score", "Version": 0}]},
        )
        reads["properties"] = call(srv, "/Server/ListPlayerCustomProperties", player)
        reads["characters"] = call(srv, "/Server/GetAllUsersCharacters", player)
        entity = {"Id": seeded.entities[playfab_id], "Type": "title_player_account"}
        reads["objects"] = entity_call(srv, "/Object/GetObjects", {"Entity": entity, "EscapeObject": True})
        reads["profile"] = entity_call(srv, "/Profile/GetProfile", {"Entity": entity})
        for character_id in seeded.characters[playfab_id]:
            target = {**player, "CharacterId": character_id}
            for family in ("Character", "CharacterReadOnly", "CharacterInternal"):
                reads[f"{character_id} {family}"] = call(srv, f"/Server/Get{family}Data", target)
            reads[f"{character_id} statistics"] = call(srv, "/Server/GetCharacterStatistics", target)
            character = {"Id": character_id, "Type": "character"}
            reads[f"{character_id} objects"] = entity_call(
                srv, "/Object/GetObjects", {"Entity": character, "EscapeObject": True}
            )
            reads[f"{character_id} profile"] = entity_call(srv, "/Profile/GetProfile", {"Entity": character})
    return out


def run_migrate(source: Server, target: Server, *more: str) -> subprocess.CompletedProcess[str]:
    args = ["--from", source.url, "--from-title", TITLE_ID, "--from-secret", SECRET_KEY, *more]
    args += ["--publisher-key", "pub", "--publisher-key", "pub2", "--shared-group", GROUP_ID]
    return subprocess.run(
        [sys.executable, "-m", "ops", "--settings", str(target.data_dir / "absent.json"), "migrate", *args],
        cwd=REPO,
        env=target.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class Source:
    server: Server
    seeded: Seeded
    before: dict[str, Any]  # the source, read before any migration


@dataclass
class World:
    """A target the source was migrated into, with the source."""

    source: Server
    target: Server
    seeded: Seeded
    before: dict[str, Any]  # the source, read before the migration
    first: subprocess.CompletedProcess[str]  # the run that migrated it
    seconds: float


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """The seeded source (on SQLite), shared by every test: none of them changes it."""
    with running_server(tmp_path_factory.mktemp("migrate-source"), ALLOW_DUPLICATE_DISPLAY_NAMES="true") as srv:
        seeded = seed(srv)
        yield Source(srv, seeded, snapshot(srv, seeded))


@pytest.fixture(scope="module", params=["sqlite", "cosmos"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Each store the migration may write: every target is made on it."""
    return str(request.param)


@contextmanager
def migrated_target(
    request: pytest.FixtureRequest, factory: pytest.TempPathFactory, source: Source, kind: str, name: str
) -> Iterator[World]:
    """A new target on `kind`, the source migrated into it (with `--password-resets resets.jsonl`)."""
    target_env: dict[str, str] = {}
    database = None
    if kind == "cosmos":
        account: CosmosAccount = request.getfixturevalue("cosmos")
        database = new_database_name("migrate")
        target_env = account.env(database)
    try:
        with running_server(factory.mktemp(f"migrate-{name}-{kind}"), **target_env) as target:
            started = time.monotonic()
            first = run_migrate(source.server, target, "--password-resets", str(target.data_dir / "resets.jsonl"))
            seconds = time.monotonic() - started
            yield World(source.server, target, source.seeded, source.before, first, seconds)
    finally:
        if database is not None:
            asyncio.run(account.drop_database(database))


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, source: Source, store_kind: str
) -> Iterator[World]:
    """A migrated target nothing changes: the tests using it only read it, or run a migration that
    writes nothing."""
    with migrated_target(request, tmp_path_factory, source, store_kind, "target") as migrated:
        yield migrated


@pytest.fixture(scope="module")
def signed_in(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, source: Source
) -> Iterator[World]:
    """A migrated target players sign in on: each test using it touches players no other one does. On
    SQLite only, as `fresh`: what they check (logins, and the import's comparison) is the same on every
    store, and the other suites check it on each; a Cosmos DB target costs ten seconds more."""
    with migrated_target(request, tmp_path_factory, source, "sqlite", "signed-in") as migrated:
        yield migrated


@pytest.fixture
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, source: Source) -> Iterator[World]:
    """A migrated target of the test's own (SQLite)."""
    with migrated_target(request, tmp_path_factory, source, "sqlite", "fresh") as migrated:
        yield migrated


def test_every_player_answers_on_the_target_as_on_the_source(world: World):
    assert world.first.returncode == 0, world.first.stdout + world.first.stderr
    assert "players: 5 read (5 in All Players); shared groups: 1" in world.first.stdout
    assert "records: 7 created, 0 unchanged" in world.first.stdout
    assert "conflicts: 0" in world.first.stdout
    assert "display names shared with another player (kept, looked up as the other): 1" in world.first.stdout
    after = snapshot(world.target, world.seeded)
    for key, expected in world.before.items():
        assert after[key] == expected, key


def test_the_named_shared_group_comes_with_its_members_memberships(world: World):
    members = list(world.seeded.custom_ids)[:2]
    assert world.before["group"]["Members"] == members and world.before["group"]["DataVersion"] == 2
    for playfab_id in members:
        held = stored(world.target, PLAYERS, playfab_id, MEMBERSHIPS_DOC)
        assert held is not None and list(held["Groups"]) == [GROUP_ID]


def test_a_display_name_two_players_share_finds_the_first_listed_on_a_title_of_unique_names(world: World):
    twins = sorted(list(world.seeded.custom_ids)[:2])  # the target lists players in PlayFabId order
    found = call(world.target, "/Admin/GetUserAccountInfo", {"TitleDisplayName": SHARED_NAME})
    assert found["UserInfo"]["PlayFabId"] == twins[0]
    for playfab_id in twins:
        info = call(world.target, "/Server/GetUserAccountInfo", {"PlayFabId": playfab_id})
        assert info["UserInfo"]["TitleInfo"]["DisplayName"] == SHARED_NAME


def test_a_second_run_finds_everything_in_place_and_changes_nothing(world: World):
    assert world.first.returncode == 0
    again = run_migrate(world.source, world.target)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "records: 0 created, 7 unchanged" in again.stdout
    assert snapshot(world.target, world.seeded) == world.before


def test_the_records_written_to_a_file_instead_are_those_already_imported(world: World):
    """`--out` writes an export file of the same records: importing it into the migrated target finds
    every line in place."""
    path = world.target.data_dir / "migrated.jsonl"
    written = run_migrate(world.source, world.target, "--out", str(path))
    assert written.returncode == 0, written.stdout + written.stderr
    assert f"records: 7 written to {path}" in written.stdout
    header = json.loads(path.read_text().splitlines()[0])
    assert (header["Record"], header["TitleId"]) == ("header", TITLE_ID)
    imported = subprocess.run(
        [sys.executable, "-m", "ops", "--settings", str(world.target.data_dir / "absent.json"), "import", str(path)],
        cwd=REPO,
        env=world.target.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "imported 7 records: 0 written, 7 unchanged, 0 refused as conflicts" in imported.stderr


def test_the_password_player_is_marked_and_sets_a_password_by_recovery(signed_in: World):
    """Signs in only the password player."""
    target, seeded = signed_in.target, signed_in.seeded
    assert "accounts needing a password reset: 1" in signed_in.first.stdout
    resets = target.data_dir / "resets.jsonl"
    assert stat.S_IMODE(resets.stat().st_mode) == 0o600  # it names players, emails among them
    listed = [json.loads(line) for line in resets.read_text().splitlines()]
    username = seeded.email.split("@")[0]
    assert listed == [{"PlayFabId": seeded.password_player, "Username": username, "Email": seeded.email}]
    account = stored(target, PLAYERS, seeded.password_player, ACCOUNT_DOC)
    assert account is not None and account["PasswordResetRequired"] is True
    login = {"TitleId": TITLE_ID, "Email": seeded.email, "Password": PASSWORD}
    refused = target.post("/Client/LoginWithEmailAddress", login)
    assert refused.json()["error"] == "InvalidEmailOrPassword", refused.text
    username = {"TitleId": TITLE_ID, "Username": seeded.email.split("@")[0], "Password": PASSWORD}
    refused = target.post("/Client/LoginWithPlayFab", username)
    assert refused.json()["error"] == "InvalidUsernameOrPassword", refused.text
    call(target, "/Admin/SendAccountRecoveryEmail", {"Email": seeded.email})
    outbox = target.data_dir / "outbox"
    deadline = time.monotonic() + 20
    while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.05)
    (message,) = outbox.glob("*.eml")
    parsed = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(("plain",))
    assert text is not None
    found = re.search(r"token=([A-Za-z0-9_\-]+)", text.get_content())
    assert found
    call(target, "/Admin/ResetPassword", {"Token": found.group(1), "Password": "new-password-2"})
    logged_in = call(target, "/Client/LoginWithEmailAddress", {**login, "Password": "new-password-2"}, anonymous=True)
    assert logged_in["PlayFabId"] == seeded.password_player
    account = stored(target, PLAYERS, seeded.password_player, ACCOUNT_DOC)
    assert account is not None and "PasswordResetRequired" not in account
    by_username = {"TitleId": TITLE_ID, "Username": seeded.email.split("@")[0], "Password": "new-password-2"}
    assert call(target, "/Client/LoginWithPlayFab", by_username, anonymous=True)["PlayFabId"] == seeded.password_player


def test_custom_id_logins_on_the_target_find_the_same_players(signed_in: World):
    """Signs in only the custom id players (the banned one too: a refused login finds its player)."""
    banned = list(signed_in.seeded.custom_ids)[2]
    assert signed_in.before[banned]["account"]["UserInfo"]["TitleInfo"]["isBanned"] is True
    for playfab_id, custom_id in signed_in.seeded.custom_ids.items():
        login = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": False}
        if playfab_id == banned:
            refused = signed_in.target.post("/Client/LoginWithCustomID", login)
            assert refused.json()["error"] == "AccountBanned", refused.text
            continue
        answer = call(signed_in.target, "/Client/LoginWithCustomID", login, anonymous=True)
        assert (answer["PlayFabId"], answer["NewlyCreated"]) == (playfab_id, False)


def test_players_changed_on_the_target_are_conflicts_left_alone(fresh: World):
    """Two players sign in on the target (their LastLogin moves) and a third one's data is changed
    there: a run reports each of them and touches none, and writes the rest as before."""
    target, seeded = fresh.target, fresh.seeded
    assert fresh.first.returncode == 0, fresh.first.stdout + fresh.first.stderr
    players = list(seeded.custom_ids)
    for playfab_id in (players[0], players[3]):
        login = {"TitleId": TITLE_ID, "CustomId": seeded.custom_ids[playfab_id], "CreateAccount": False}
        call(target, "/Client/LoginWithCustomID", login, anonymous=True)
    changed = players[1]
    call(target, "/Server/UpdateUserData", {"PlayFabId": changed, "Data": {"k1": "target's own"}})
    held = call(target, "/Server/GetUserData", {"PlayFabId": changed})
    again = run_migrate(fresh.source, target)
    assert again.returncode == 1
    assert f"conflict: player {changed}: the target already holds a different players/{changed}/" in again.stderr
    assert call(target, "/Server/GetUserData", {"PlayFabId": changed}) == held
    for playfab_id in (players[0], players[3], changed):
        assert f"conflict: player {playfab_id}: " in again.stderr
    # The banned player, the password player, the title and the group are as the first run left them.
    assert "conflicts: 3" in again.stdout
    assert "records: 0 created, 4 unchanged" in again.stdout


def test_a_password_resets_file_that_cannot_be_made_stops_the_run_before_anything_is_read(source: Source, tmp_path):
    missing = tmp_path / "no-such-dir" / "resets.jsonl"
    args = ["--from", source.server.url, "--from-title", TITLE_ID, "--from-secret", SECRET_KEY]
    args += ["--password-resets", str(missing)]
    done = subprocess.run(
        [sys.executable, "-m", "ops", "--settings", str(tmp_path / "absent.json"), "migrate", *args],
        cwd=REPO,
        env=base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"migrate: --password-resets {missing}: No such file or directory" in done.stderr
    assert "players:" not in done.stdout and not missing.parent.exists()


def test_a_display_name_the_targets_lookup_gives_another_player_stays_with_it(source: Source):
    """Whoever is listed first, a name two players share stays looked up as the player the target's
    lookup names (made by an earlier run): the other's record comes without the lookup, no conflict."""
    twins = sorted(list(source.seeded.custom_ids)[:2])  # the source lists twins[0] first
    shared = lookup_key(LoginKind.DISPLAY_NAME, SHARED_NAME)
    written: dict[str, dict[str, Any]] = {}

    async def write(record: dict[str, Any]) -> str:
        if record["Record"] == "player":
            written[record["PlayFabId"]] = record
        return importing.CREATED

    async def holder(partition: str) -> str | None:
        return twins[1] if partition == shared else None

    async def run() -> migrate.Summary:
        async with aiohttp.ClientSession() as session:
            api = PlayFabApi(source.server.url, TITLE_ID, SECRET_KEY, session)
            return await migrate.migrate(api, write, TITLE_ID, True, report=io.StringIO(), name_holder=holder)

    summary = asyncio.run(run())
    assert (summary.conflicts, summary.failures, summary.shared_names) == ([], [], [twins[0]])

    def name_lookups(playfab_id: str) -> list[dict[str, Any]]:
        return [d for d in written[playfab_id]["Documents"] if (d["Container"], d["Partition"]) == ("lookups", shared)]

    assert name_lookups(twins[0]) == []
    assert [d["Body"] for d in name_lookups(twins[1])] == [{"PlayFabId": twins[1]}]


def test_a_run_naming_a_shared_group_more_makes_members_of_the_earlier_ones_conflicts(fresh: World):
    """Re-runs must name the same shared groups: a member's memberships document lists every group named,
    so one more changes it for players already in one (conflicts), and only the others get theirs."""
    players = list(fresh.seeded.custom_ids)
    again = run_migrate(fresh.source, fresh.target, "--shared-group", LATER_GROUP_ID)
    assert again.returncode == 1, again.stdout + again.stderr
    member = players[0]
    assert f"conflict: player {member}: the target already holds a different players/{member}/{MEMBERSHIPS_DOC}" in (
        again.stderr
    )
    assert "conflicts: 1" in again.stdout
    held = stored(fresh.target, PLAYERS, member, MEMBERSHIPS_DOC)
    assert held is not None and list(held["Groups"]) == [GROUP_ID]
    joined = stored(fresh.target, PLAYERS, players[3], MEMBERSHIPS_DOC)
    assert joined is not None and list(joined["Groups"]) == [LATER_GROUP_ID]
