"""ops/migrate's title-wide reads: title data, statistic definitions and versions, the title entity's
objects, the leaderboards' order of ties, and the "All Players" segment's id; `Title` is what converting
a player needs from them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from ops import records
from ops.migrate_convert import doc, epoch, profile_body
from ops.playfab_api import ApiError, PlayFabApi
from shared.auth.caller import ENTITY_TITLE
from shared.features import statistic_definitions, statistic_values, title_data
from shared.features.segments import ALL_PLAYERS_NAME
from shared.features.statistic_values import VERSIONS_KEPT
from shared.storage.layout import (
    ENTITIES,
    LOOKUPS,
    META_PK,
    PROFILE_DOC,
    STATISTICS_DOC,
    entity_pk,
    rank_board,
    title_data_doc,
)


@dataclass(frozen=True)
class Statistic:
    name: str
    current: int  # the version in force
    versions: tuple[int, ...]  # every version the source lists, oldest first


@dataclass(frozen=True)
class Title:
    """What converting a player needs from the title."""

    statistics: dict[str, Statistic]
    display_name_lookups: bool  # the target keeps a lookup per display name (unique names)
    # Each board's entries in the source's order: board -> entity id -> position (ops.migrate_title.tie_orders).
    positions: dict[str, dict[str, int]] = field(default_factory=dict)
    # The shared groups named to the run each player is in: PlayFabId -> SharedGroupId -> when it joined.
    memberships: dict[str, dict[str, float]] = field(default_factory=dict)

    def reached(self, owner: str, name: str, version: int, entity_id: str, fallback: float) -> float:
        """The `Reached` time of a value: its position on the source's board, in milliseconds after the
        epoch, so values that tie keep the source's order among themselves (and rank above any the target
        reaches later); `fallback` for a value the board did not list."""
        position = self.positions.get(rank_board(owner, name, version), {}).get(entity_id)
        return position / 1000 if position is not None else fallback

    def version_pairs(self) -> list[dict[str, Any]]:
        """Every (statistic, version) a player may hold a value of, the newest VERSIONS_KEPT of each."""
        return [
            {"StatisticName": stat.name, "Version": version}
            for stat in self.statistics.values()
            for version in stat.versions[-VERSIONS_KEPT:]
        ]


def definitions_body(definitions: list[dict[str, Any]], versions: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The statistic definitions document (shared/features/statistic_definitions.py) for what PlayFab lists.

    A statistic's segments are its versions as activated (`_segments`), the newest MAX_SEGMENTS of them:
    so the current version, the next reset and the versions listed follow from them as they did at the
    source. Statistics keep the source's order (its listing order), and are numbered in it."""
    entries: dict[str, Any] = {}
    for number, definition in enumerate(definitions, start=1):
        name = str(definition["StatisticName"])
        interval = str(definition.get("VersionChangeInterval") or statistic_definitions.DEFAULT_INTERVAL)
        current = int(definition.get("CurrentVersion") or 0)
        listed = sorted(versions.get(name, []), key=lambda v: int(v["Version"]))
        activated = [(int(v["Version"]), epoch(str(v["ActivationTime"]))) for v in listed if v.get("ActivationTime")]
        activated = [(version, at) for version, at in activated if version <= current]
        if not activated or activated[-1][0] != current:
            activated.append((current, activated[-1][1] if activated else 0.0))
        segments = _segments(activated, interval)[-statistic_definitions.MAX_SEGMENTS :]
        entries[name] = {
            "AggregationMethod": str(definition.get("AggregationMethod") or statistic_definitions.DEFAULT_AGGREGATION),
            "StatisticId": number,
            "Created": activated[0][1],
            "Segments": segments,
        }
    return {"Statistics": entries, "LastId": len(entries)}


SCHEDULED_SLACK: Final = 60.0  # seconds after its boundary a version may start and still count as a reset


def _segments(activated: list[tuple[int, float]], interval: str) -> list[dict[str, Any]]:
    """Segments (statistic_definitions.py) for versions activated at these times, oldest first: a version
    that began at its interval's boundary after the one before it is that segment's reset; any other
    (a manual increment, or every version of a statistic that never resets) starts a segment of its own.
    The interval of every segment is the statistic's current one: PlayFab does not say what it was."""
    segments: list[dict[str, Any]] = []
    previous: tuple[int, float] | None = None  # the version before, and when its period began
    for version, at in activated:
        if previous is not None and version == previous[0] + 1:
            boundary = statistic_definitions.next_boundary(interval, previous[1])
            if boundary is not None and 0 <= at - boundary <= SCHEDULED_SLACK:
                previous = (version, boundary)
                continue
        segments.append({"Start": at, "Version": version, "Interval": interval})
        previous = (version, at)
    return segments


async def read_title(
    api: PlayFabApi, target_title_id: str, display_name_lookups: bool, publisher_keys: Sequence[str] = ()
) -> tuple[dict[str, Any], Title]:
    """The title record (title data kinds, statistic definitions, the title entity's objects) and what the
    players' conversion needs."""
    docs: list[dict[str, Any]] = []
    for kind in title_data.KINDS:
        if kind is title_data.PUBLISHER and not publisher_keys:
            continue  # GetPublisherData names the keys it reads: PlayFab has no call that lists them
        request = {"Keys": list(publisher_keys)} if kind is title_data.PUBLISHER else {}
        data = (await api.secret(f"/Admin/{kind.get}", request)).get("Data") or {}
        if data:
            docs.append(doc(LOOKUPS, META_PK, title_data_doc(kind.name), {"Data": dict(data)}))
    definitions = list((await api.secret("/Admin/GetPlayerStatisticDefinitions", {})).get("Statistics") or [])
    versions: dict[str, list[dict[str, Any]]] = {}
    for definition in definitions:
        name = str(definition["StatisticName"])
        answer = await api.secret("/Server/GetPlayerStatisticVersions", {"StatisticName": name})
        versions[name] = list(answer.get("StatisticVersions") or [])
    if definitions:
        docs.append(doc(LOOKUPS, META_PK, STATISTICS_DOC, definitions_body(definitions, versions)))
    title_entity = {"Id": api.title_id, "Type": ENTITY_TITLE}
    profile = (await api.entity("/Profile/GetProfile", {"Entity": title_entity, "DataAsObject": False}))["Profile"]
    body = profile_body(profile, None)
    if "ProfileVersion" in body:  # the title entity's profile matters only once it holds objects
        docs.append(doc(ENTITIES, entity_pk(ENTITY_TITLE, target_title_id), PROFILE_DOC, body))
    statistics = {}
    for definition in definitions:
        name = str(definition["StatisticName"])
        listed = sorted({int(v["Version"]) for v in versions[name]} | {int(definition.get("CurrentVersion") or 0)})
        statistics[name] = Statistic(name, int(definition.get("CurrentVersion") or 0), tuple(listed))
    return {"Record": records.TITLE, "Documents": docs}, Title(statistics, display_name_lookups)


LEADERBOARD_PAGE: Final = 100  # GetLeaderboard returns at most 100 entries


async def _board_order(api: PlayFabApi, path: str, request: dict[str, Any], id_field: str) -> dict[str, int]:
    order: dict[str, int] = {}
    start = 0
    while True:
        page = {**request, "StartPosition": start, "MaxResultsCount": LEADERBOARD_PAGE}
        entries = (await api.secret(path, page)).get("Leaderboard") or []
        for entry in entries:
            order.setdefault(str(entry[id_field]), start)
            start += 1
        if len(entries) < LEADERBOARD_PAGE:
            return order


async def tie_orders(api: PlayFabApi, title: Title, report: TextIO = sys.stderr) -> None:
    """Read every statistic's boards from the source (each kept version of the players' board, the
    current version of the characters'), so values that tie keep their order (Title.reached). PlayFab
    returns no time a value was reached; its order on the board is what that time decides. A board the
    source will not read is said so and left out: its ties then fall to the players' creation times."""
    boards: list[tuple[str, str, dict[str, Any], str]] = []
    for stat in title.statistics.values():
        for version in stat.versions[-VERSIONS_KEPT:]:
            request = {"StatisticName": stat.name, "Version": version, "UseSpecificVersion": True}
            board = rank_board(statistic_values.PLAYER.board, stat.name, version)
            boards.append((board, "/Server/GetLeaderboard", request, "PlayFabId"))
        board = rank_board(statistic_values.CHARACTER.board, stat.name, stat.current)
        boards.append((board, "/Server/GetCharacterLeaderboard", {"StatisticName": stat.name}, "CharacterId"))
    for board, path, request, id_field in boards:
        try:
            title.positions[board] = await _board_order(api, path, request, id_field)
        except ApiError as exc:
            print(f"tie order of {board} not read, ties ranked by creation time: {exc}", file=report)


async def all_players_segment(api: PlayFabApi) -> str:
    segments = (await api.secret("/Admin/GetAllSegments", {})).get("Segments") or []
    for segment in segments:
        if segment.get("Name") == ALL_PLAYERS_NAME:
            return str(segment["Id"])
    raise ApiError("/Admin/GetAllSegments", "SegmentNotFound", f"the title has no {ALL_PLAYERS_NAME!r} segment", 200)
