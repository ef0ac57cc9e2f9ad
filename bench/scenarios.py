"""What the benchmark calls: each scenario is one endpoint and the varied requests sent to it.

Requests are shaped as the official Python SDK sends them: its headers, `?sdk=` on the URL and a body
from `json.dumps` with default separators. Setup goes through the same public API (no store access),
but for the ranked title's many players, which are seeded in the store (bench/ranked_title.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import ranked_title, server_functions
from shared.features.segments import ALL_PLAYERS_ID
from shared.wire.validation import MAX_SECONDS_TO_LIVE, MAX_SEGMENT_BATCH

SDK_VERSION = "PythonSdk-0.0.201014"
KB_TEXT = "x" * 960  # an object of about 1 KB, within the default 1000-byte cap on one object


@dataclass
class Variant:
    headers: dict[str, str]
    body: str  # "{seq}" and "{carry}" are filled in by the load generator
    initial: Any = None  # first value of "{carry}"


@dataclass(frozen=True)
class Load:
    variants: list[Variant]
    carry: str | None = None  # a response `data` field the next request of the same slot sends back
    refresh: Callable[[], list[Any]] | None = None  # the current `initial` of every variant


def sdk_request(body: dict[str, Any], auth: tuple[str, str] | None = None) -> Variant:
    headers = {"Content-Type": "application/json", "X-PlayFabSDK": SDK_VERSION, "X-ReportErrorAsSuccess": "true"}
    if auth:
        headers[auth[0]] = auth[1]
    # A quoted "{carry}" placeholder stands for a JSON value, so it loses its quotes here.
    return Variant(headers, json.dumps(body).replace('"{carry}"', "{carry}"))


def url_path(endpoint: str) -> str:
    return f"/{endpoint}?sdk={SDK_VERSION}"


@dataclass
class Player:
    custom_id: str
    playfab_id: str
    ticket: str
    entity_token: str
    entity: dict[str, str]
    character_id: str | None = None


class Api:
    """SDK-shaped calls for setup, over one keep-alive connection."""

    def __init__(self, url: str, title_id: str, secret_key: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        self.title_id = title_id
        self.secret = ("X-SecretKey", secret_key)

    def call(self, endpoint: str, body: dict[str, Any], auth: tuple[str, str] | None = None) -> dict[str, Any]:
        req = sdk_request(body, auth)
        resp = self.client.post(url_path(endpoint), content=req.body, headers=req.headers)
        envelope = resp.json()
        if envelope.get("code") != 200:
            raise RuntimeError(f"setup call {endpoint} failed: {envelope}")
        return dict(envelope["data"])

    def login(self, custom_id: str) -> Player:
        data = self.call(
            "Client/LoginWithCustomID", {"TitleId": self.title_id, "CustomId": custom_id, "CreateAccount": True}
        )
        token = data["EntityToken"]
        return Player(custom_id, data["PlayFabId"], data["SessionTicket"], token["EntityToken"], token["Entity"])


@dataclass
class World:
    """Players, characters, groups and entities made once and shared by the scenarios that need them."""

    api: Api
    players: list[Player] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    with_password: set[str] = field(default_factory=set)  # custom ids of players given a password
    store_path: Path | None = None  # the host's SQLite file, for seeding the ranked title
    ranked_players: int = 100_000  # players seeded on the ranked title's board
    ranked_callers: list[Player] = field(default_factory=list)
    seed_seconds: float | None = None  # how long seeding the ranked title took

    def ensure_players(self, count: int) -> list[Player]:
        while len(self.players) < count:
            self.players.append(self.api.login(f"bench-player-{len(self.players)}"))
        return self.players[:count]

    def ensure_characters(self, count: int) -> list[Player]:
        players = self.ensure_players(count)
        for p in players:
            if p.character_id is None:
                body = {"PlayFabId": p.playfab_id, "CharacterName": "hero", "CharacterType": "warrior"}
                p.character_id = self.api.call("Server/GrantCharacterToUser", body, self.api.secret)["CharacterId"]
        return players

    def ensure_groups(self, count: int) -> list[str]:
        while len(self.groups) < count:
            group = f"bench-group-{len(self.groups)}"
            self.api.call("Server/CreateSharedGroup", {"SharedGroupId": group}, self.api.secret)
            self.groups.append(group)
        return self.groups[:count]

    def fill_player(self, player: Player, keys: int) -> None:
        """Give a player `keys` read-only keys, ten per call (PlayFab's per-update limit)."""
        for start in range(0, keys, 10):
            data = {f"k{i:04d}": f"value-{i:04d}" for i in range(start, min(keys, start + 10))}
            self.api.call(
                "Admin/UpdateUserReadOnlyData", {"PlayFabId": player.playfab_id, "Data": data}, self.api.secret
            )

    def fill_entity(self, player: Player, objects: int) -> None:
        batch = [{"ObjectName": f"obj{i}", "DataObject": {"blob": KB_TEXT}} for i in range(objects)]
        self.api.call("Object/SetObjects", {"Entity": player.entity, "Objects": batch}, entity_auth(player))

    def ensure_ranked_title(self) -> list[Player]:
        """The ranked title, made once: `ranked_players` seeded players on the statistic's board, then
        RANKED_CALLERS logged-in players with a value each, spread evenly over the board, and 10 keys of
        user data each (for GetUserData in the same run)."""
        if self.ranked_callers:
            return self.ranked_callers
        assert self.store_path is not None, "the ranked title is seeded in the host's SQLite store"
        self.seed_seconds = ranked_title.seed(self.store_path, self.ranked_players)
        callers = [self.api.login(f"bench-ranked-{i}") for i in range(RANKED_CALLERS)]
        for i, p in enumerate(callers):
            value = (2 * i + 1) * ranked_title.VALUE_RANGE // (2 * RANKED_CALLERS)
            statistics = [{"StatisticName": ranked_title.STATISTIC, "Value": value}]
            self.api.call(STATISTICS_SET, {"PlayFabId": p.playfab_id, "Statistics": statistics}, self.api.secret)
            data = {f"k{k:04d}": f"value-{k:04d}" for k in range(10)}
            self.api.call(USER_DATA_SET, {"Data": data}, session_auth(p))
        self.ranked_callers = callers
        return callers

    def profile_version(self, player: Player) -> int:
        return int(self.api.call("Object/GetObjects", {"Entity": player.entity}, entity_auth(player))["ProfileVersion"])


def session_auth(p: Player) -> tuple[str, str]:
    return ("X-Authorization", p.ticket)


def entity_auth(p: Player) -> tuple[str, str]:
    return ("X-EntityToken", p.entity_token)


@dataclass(frozen=True)
class Scenario:
    name: str
    endpoint: str
    kind: str  # "update", "read" or "login"
    prepare: Callable[[World], Load]
    needs: tuple[str, ...] = ()  # other endpoints its setup calls
    growth: bool = False  # measured at concurrency 1 only, compared with its 10-key sibling
    # Scenarios of one set are compared with each other: at each concurrency their rounds interleave.
    together: str | None = None


WRITERS = 64  # distinct players, groups or entities a scenario spreads over (one per connection at most)


def _login(w: World) -> Load:
    ids = [p.custom_id for p in w.ensure_players(WRITERS)]
    return Load([sdk_request({"TitleId": w.api.title_id, "CustomId": c, "CreateAccount": True}) for c in ids])


def _device_login(w: World) -> Load:
    """Android devices, each logged in once in setup (which creates its account), so every timed login
    finds an existing device."""
    bodies = [
        {"TitleId": w.api.title_id, "AndroidDeviceId": f"bench-device-{i:02d}", "AndroidDevice": "Pixel 7", "OS": "14"}
        for i in range(WRITERS)
    ]
    for body in bodies:
        w.api.call(DEVICE_LOGIN, {**body, "CreateAccount": True})
    return Load([sdk_request({**b, "CreateAccount": True}) for b in bodies])


BENCH_PASSWORD = "bench-password-1"


def _password_login(w: World) -> Load:
    """Players with an email and a password, each login paying one argon2id check (shared/auth/passwords.py)."""
    emails = []
    for p in w.ensure_players(WRITERS):
        email = f"{p.playfab_id.lower()}@bench.example"
        if p.custom_id not in w.with_password:
            body = {"Username": f"b{p.playfab_id.lower()}", "Email": email, "Password": BENCH_PASSWORD}
            w.api.call("Client/AddUsernamePassword", body, session_auth(p))
            w.with_password.add(p.custom_id)
        emails.append(email)
    return Load([sdk_request({"TitleId": w.api.title_id, "Email": e, "Password": BENCH_PASSWORD}) for e in emails])


def _entity_token(w: World) -> Load:
    return Load([sdk_request({}, session_auth(p)) for p in w.ensure_players(WRITERS)])


def _update_user(w: World) -> Load:
    def body(p: Player) -> dict[str, Any]:
        return {"PlayFabId": p.playfab_id, "Data": {"level": "{seq}", "gold": "{seq}"}}

    return Load([sdk_request(body(p), w.api.secret) for p in w.ensure_players(WRITERS)])


def _read_user(w: World) -> Load:
    players = w.ensure_players(WRITERS)
    for p in players:
        w.fill_player(p, 10)
    return Load([sdk_request({"PlayFabId": p.playfab_id}, w.api.secret) for p in players])


TITLE_DATA_SET = "Admin/SetTitleData"
TITLE_DATA_KEYS = 5  # keys of about 100 characters each


def _read_title_data(w: World) -> Load:
    """Players reading the title's data, every other one naming two of its keys (`Keys`), the rest all."""
    for i in range(TITLE_DATA_KEYS):
        w.api.call(TITLE_DATA_SET, {"Key": f"setting{i}", "Value": f"value-{i}-" + "x" * 90}, w.api.secret)
    keyed = {"Keys": ["setting0", "setting3"]}
    return Load([sdk_request(keyed if i % 2 else {}, session_auth(p)) for i, p in enumerate(w.ensure_players(WRITERS))])


def _server_function(w: World) -> Load:
    """`Bench.ReadOwnData` (bench/server_functions.py) run for the caller's own entity: one in-process
    `Server/GetUserReadOnlyData` of the caller's 10 keys. A failed function still answers code 200 (with
    `Error` in its data), so setup runs it once per player and checks its result."""
    players = w.ensure_players(WRITERS)
    body = {"FunctionName": server_functions.READ_OWN_DATA, "FunctionParameter": {"from": "bench"}}
    for p in players:
        w.fill_player(p, 10)
        result = w.api.call(EXECUTE_FUNCTION, body, entity_auth(p))
        if "Error" in result or result.get("FunctionResult", {}).get("Keys") != 10:
            raise RuntimeError(f"{server_functions.READ_OWN_DATA} did not run: {result}")
    return Load([sdk_request(body, entity_auth(p)) for p in players])


def _update_character(w: World) -> Load:
    def body(p: Player) -> dict[str, Any]:
        return {"CharacterId": p.character_id, "Data": {"hp": "{seq}", "xp": "{seq}"}}

    return Load([sdk_request(body(p), session_auth(p)) for p in w.ensure_characters(WRITERS)])


def _read_character(w: World) -> Load:
    def body(p: Player) -> dict[str, Any]:
        return {"PlayFabId": p.playfab_id, "CharacterId": p.character_id}

    return Load([sdk_request(body(p), session_auth(p)) for p in w.ensure_characters(WRITERS)])


def _update_groups(w: World) -> Load:
    groups = w.ensure_groups(WRITERS)
    return Load([sdk_request({"SharedGroupId": g, "Data": {"turn": "{seq}"}}, w.api.secret) for g in groups])


def _update_hot_group(w: World) -> Load:
    hot = w.ensure_groups(1)[0]
    # One key per variant: concurrent writers change distinct keys of the same group.
    bodies = [{"SharedGroupId": hot, "Data": {f"slot{i:02d}": "{seq}"}} for i in range(WRITERS)]
    return Load([sdk_request(b, w.api.secret) for b in bodies])


def _read_groups(w: World) -> Load:
    return Load([sdk_request({"SharedGroupId": g}, w.api.secret) for g in w.ensure_groups(WRITERS)])


def _set_objects(w: World) -> Load:
    def body(p: Player) -> dict[str, Any]:
        return {"Entity": p.entity, "Objects": [{"ObjectName": "state", "DataObject": {"turn": "{seq}"}}]}

    return Load([sdk_request(body(p), entity_auth(p)) for p in w.ensure_players(WRITERS)])


def _set_objects_versioned(w: World) -> Load:
    def variant(p: Player) -> Variant:
        objects = [{"ObjectName": "state", "DataObject": {"turn": "{seq}"}}]
        body = {"Entity": p.entity, "Objects": objects, "ExpectedProfileVersion": "{carry}"}
        return sdk_request(body, entity_auth(p))

    players = w.ensure_players(WRITERS)
    return Load(
        [variant(p) for p in players],
        carry="ProfileVersion",
        refresh=lambda: [w.profile_version(p) for p in players],
    )


def _get_objects(w: World) -> Load:
    return Load([sdk_request({"Entity": p.entity}, entity_auth(p)) for p in w.ensure_players(WRITERS)])


def _player_with_keys(w: World, keys: int) -> Player:
    player = w.api.login(f"bench-growth-{keys}-keys")
    w.fill_player(player, keys)
    return player


def _update_keys(keys: int) -> Callable[[World], Load]:
    def prepare(w: World) -> Load:
        p = _player_with_keys(w, keys)
        return Load([sdk_request({"PlayFabId": p.playfab_id, "Data": {"k0000": "{seq}"}}, w.api.secret)])

    return prepare


def _read_keys(keys: int) -> Callable[[World], Load]:
    def prepare(w: World) -> Load:
        p = _player_with_keys(w, keys)
        return Load([sdk_request({"PlayFabId": p.playfab_id}, w.api.secret)])

    return prepare


def _entity_with_objects(w: World) -> Player:
    p = w.api.login("bench-growth-objects")
    w.fill_entity(p, 5)
    return p


def _update_object_1kb(w: World) -> Load:
    p = _entity_with_objects(w)
    objects = [{"ObjectName": "obj0", "DataObject": {"blob": KB_TEXT, "turn": "{seq}"}}]
    return Load([sdk_request({"Entity": p.entity, "Objects": objects}, entity_auth(p))])


def _read_objects_1kb(w: World) -> Load:
    p = _entity_with_objects(w)
    return Load([sdk_request({"Entity": p.entity}, entity_auth(p))])


RANKED_CALLERS = 64  # logged-in players on the ranked title who read its leaderboard
STATISTICS_SET = "Server/UpdatePlayerStatistics"
USER_DATA_SET = "Client/UpdateUserData"
RANKED_NEEDS = (STATISTICS_SET, USER_DATA_SET)
RANKED = "ranked title reads"  # the set whose p50s are compared (bench/report.py)


def _ranked_user_data(w: World) -> Load:
    return Load([sdk_request({}, session_auth(p)) for p in w.ensure_ranked_title()])


def _leaderboard_top(w: World) -> Load:
    body = {"StatisticName": ranked_title.STATISTIC, "StartPosition": 0, "MaxResultsCount": 100}
    return Load([sdk_request(body, session_auth(p)) for p in w.ensure_ranked_title()])


def _leaderboard_around(w: World) -> Load:
    body = {"StatisticName": ranked_title.STATISTIC, "MaxResultsCount": 10}
    return Load([sdk_request(body, session_auth(p)) for p in w.ensure_ranked_title()])


def _update_statistics(w: World) -> Load:
    """Writers on the ranked title: each update moves the writer's entry on a board of 100,000."""
    w.ensure_ranked_title()
    statistics = [{"StatisticName": ranked_title.STATISTIC, "Value": "{seq}"}]
    variants = [sdk_request({"Statistics": statistics}, session_auth(p)) for p in w.ensure_players(WRITERS)]
    for v in variants:
        v.body = v.body.replace('"{seq}"', "{seq}")  # a number, not a string
    return Load(variants)


SEGMENT_PLAYERS = "Admin/GetPlayersInSegment"
SEGMENT_PAGE = 100  # profiles per timed page of "All Players"


def _segment_pages(w: World) -> Load:
    """Pages of "All Players" on the ranked title, each from a different depth of its directory: the
    first page and pages continued from tokens taken about every tenth of the way through, so a deep
    page is timed beside a shallow one. Tokens live as long as PlayFab lets them (90 minutes)."""
    w.ensure_ranked_title()
    step = min(MAX_SEGMENT_BATCH, max(SEGMENT_PAGE, w.ranked_players // 10))
    page = {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": SEGMENT_PAGE, "SecondsToLive": MAX_SECONDS_TO_LIVE}
    variants = [sdk_request(page, w.api.secret)]
    walk: dict[str, Any] = {**page, "MaxBatchSize": step}
    while token := w.api.call(SEGMENT_PLAYERS, walk, w.api.secret).get("ContinuationToken"):
        variants.append(sdk_request({**page, "ContinuationToken": token}, w.api.secret))
        walk = {**walk, "ContinuationToken": token}
    return Load(variants)


USER_READ_ONLY = "Admin/UpdateUserReadOnlyData"
DEVICE_LOGIN = "Client/LoginWithAndroidDeviceID"
EXECUTE_FUNCTION = "CloudScript/ExecuteFunction"
CHARACTER_GRANT = ("Server/GrantCharacterToUser",)
GROUP_CREATE = ("Server/CreateSharedGroup",)
OBJECTS_READ = ("Object/GetObjects",)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("login", "Client/LoginWithCustomID", "login", _login),
    Scenario(
        "password login", "Client/LoginWithEmailAddress", "login", _password_login, ("Client/AddUsernamePassword",)
    ),
    Scenario("device login", DEVICE_LOGIN, "login", _device_login),
    Scenario("entity token", "Authentication/GetEntityToken", "read", _entity_token),
    Scenario("title data read", "Client/GetTitleData", "read", _read_title_data, (TITLE_DATA_SET,)),
    Scenario("server function", EXECUTE_FUNCTION, "read", _server_function, (USER_READ_ONLY,)),
    Scenario("user data update", USER_READ_ONLY, "update", _update_user),
    Scenario("user data read", "Admin/GetUserReadOnlyData", "read", _read_user, (USER_READ_ONLY,)),
    Scenario("character data update", "Client/UpdateCharacterData", "update", _update_character, CHARACTER_GRANT),
    Scenario("character data read", "Client/GetCharacterData", "read", _read_character, CHARACTER_GRANT),
    Scenario("shared groups update", "Server/UpdateSharedGroupData", "update", _update_groups, GROUP_CREATE),
    Scenario("hot shared group update", "Server/UpdateSharedGroupData", "update", _update_hot_group, GROUP_CREATE),
    Scenario("shared groups read", "Server/GetSharedGroupData", "read", _read_groups, GROUP_CREATE),
    Scenario("objects set", "Object/SetObjects", "update", _set_objects),
    Scenario("objects set, versioned", "Object/SetObjects", "update", _set_objects_versioned, OBJECTS_READ),
    Scenario("objects read", "Object/GetObjects", "read", _get_objects),
    *(Scenario(f"update, {n} keys", USER_READ_ONLY, "update", _update_keys(n), growth=True) for n in (10, 100, 1000)),
    *(
        Scenario(f"read, {n} keys", "Admin/GetUserReadOnlyData", "read", _read_keys(n), (USER_READ_ONLY,), growth=True)
        for n in (10, 100, 1000)
    ),
    # The ranked title (100,000 players on one board): GetUserData beside the leaderboard reads, in the
    # same run, is what their p50 is compared with.
    Scenario(
        "user data read, ranked title", "Client/GetUserData", "read", _ranked_user_data, RANKED_NEEDS, together=RANKED
    ),
    Scenario("leaderboard top 100", "Client/GetLeaderboard", "read", _leaderboard_top, RANKED_NEEDS, together=RANKED),
    Scenario(
        "leaderboard around player",
        "Client/GetLeaderboardAroundPlayer",
        "read",
        _leaderboard_around,
        RANKED_NEEDS,
        together=RANKED,
    ),
    Scenario("statistics update", "Client/UpdatePlayerStatistics", "update", _update_statistics, RANKED_NEEDS),
    Scenario("segment page of 100, ranked title", SEGMENT_PLAYERS, "read", _segment_pages, RANKED_NEEDS),
    Scenario("update, 5 objects of 1 KB", "Object/SetObjects", "update", _update_object_1kb, growth=True),
    Scenario(
        "read, 5 objects of 1 KB", "Object/GetObjects", "read", _read_objects_1kb, ("Object/SetObjects",), growth=True
    ),
)
