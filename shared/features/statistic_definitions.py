"""Statistic definitions, and the versions that follow from them and the clock.

The title's definitions live in one document (`layout.STATISTICS_DOC`): for each statistic its
AggregationMethod, a StatisticId, and its *segments*. A segment says "from Start, the version was
Version and it moved on at every Interval boundary". The current version is never stored as such: it is
the last segment's Version plus the boundaries passed since its Start, so a reset needs no timer and
cannot be missed. A manual increment starts a new segment at Version + 1 with the same interval (the next
scheduled reset stays where it was, boundaries being fixed in UTC); a new interval starts a segment
continuing the current version, effective at the new interval's next boundary.

Boundaries are PlayFab's: the hour, 00:00 UTC, Monday 00:00 UTC, the 1st of the month 00:00 UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from shared.config.clock import iso, now
from shared.storage import Store
from shared.storage.layout import LOOKUPS, META_PK, STATISTICS_DOC
from shared.wire.errors import PlayFabError

AGGREGATIONS: Final = ("Last", "Min", "Max", "Sum")
INTERVALS: Final = ("Never", "Hour", "Day", "Week", "Month")
DEFAULT_AGGREGATION: Final = "Last"
DEFAULT_INTERVAL: Final = "Never"
# Segments kept per statistic: each manual increment or interval change adds one.
MAX_SEGMENTS: Final = 20
# Versions GetPlayerStatisticVersions lists at most: the newest ones.
MAX_LISTED_VERSIONS: Final = 1000

_STEP: Final = {"Hour": 3600, "Day": 86400, "Week": 7 * 86400}
# 1970-01-01 was a Thursday: weeks start four days later, on Monday 1970-01-05.
_OFFSET: Final = {"Hour": 0, "Day": 0, "Week": 4 * 86400}


def _month_index(ts: float) -> int:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.year * 12 + moment.month - 1


def _month_start(index: int) -> float:
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC).timestamp()


def _index(interval: str, ts: float) -> int:
    """Which interval period `ts` falls in (boundaries belong to the period they open)."""
    if interval == "Month":
        return _month_index(ts)
    return math.floor((ts - _OFFSET[interval]) / _STEP[interval])


def _period_start(interval: str, index: int) -> float:
    if interval == "Month":
        return _month_start(index)
    return float(_OFFSET[interval] + index * _STEP[interval])


def boundaries_between(interval: str, start: float, end: float) -> int:
    """How many of the interval's boundaries fall in (start, end]."""
    if interval == "Never" or end <= start:
        return 0
    return _index(interval, end) - _index(interval, start)


def next_boundary(interval: str, ts: float) -> float | None:
    """The first boundary strictly after `ts`, or None for Never."""
    if interval == "Never":
        return None
    return _period_start(interval, _index(interval, ts) + 1)


def _nth_boundary(interval: str, start: float, n: int) -> float:
    """The n-th boundary after `start` (n >= 1)."""
    return _period_start(interval, _index(interval, start) + n)


@dataclass(frozen=True)
class Definition:
    name: str
    aggregation: str
    statistic_id: int
    segments: tuple[dict[str, Any], ...]  # {"Start": ts, "Version": v, "Interval": name, "Continues": bool}
    defined: bool  # False: a statistic no definition exists for (PlayFab's defaults, version 0)

    @property
    def interval(self) -> str:
        return str(self.segments[-1]["Interval"])

    def version_at(self, at: float) -> int:
        last = self.segments[-1]
        return int(last["Version"]) + boundaries_between(str(last["Interval"]), float(last["Start"]), at)

    def next_reset(self, at: float) -> float | None:
        return next_boundary(self.interval, at)

    def wire(self, at: float) -> dict[str, Any]:
        """PlayFab's PlayerStatisticDefinition."""
        return {
            "StatisticName": self.name,
            "CurrentVersion": self.version_at(at),
            "AggregationMethod": self.aggregation,
            "VersionChangeInterval": self.interval,
        }

    def versions(self, at: float, *, admin: bool) -> list[dict[str, Any]]:
        """PlayFab's PlayerStatisticVersion for every version the kept segments hold, oldest first."""
        records: dict[int, dict[str, Any]] = {}
        current = self.version_at(at)
        for i, seg in enumerate(self.segments):
            start, base, interval = float(seg["Start"]), int(seg["Version"]), str(seg["Interval"])
            end = float(self.segments[i + 1]["Start"]) if i + 1 < len(self.segments) else at
            passed = boundaries_between(interval, start, end)
            first = max(0, passed - MAX_LISTED_VERSIONS)
            for j in range(first, passed + 1):
                version = base + j
                if j == 0 and seg.get("Continues") and version in records:
                    record = records[version]
                else:
                    activated = start if j == 0 else _nth_boundary(interval, start, j)
                    record = {"StatisticName": self.name, "Version": version, "ActivationTime": iso(activated)}
                    if j > 0:
                        record["ScheduledActivationTime"] = iso(activated)
                    records[version] = record
                record.pop("ScheduledDeactivationTime", None)
                scheduled_end = next_boundary(interval, start if j == 0 else _nth_boundary(interval, start, j))
                if scheduled_end is not None:
                    record["ScheduledDeactivationTime"] = iso(scheduled_end)
                if j < passed:
                    record["DeactivationTime"] = iso(_nth_boundary(interval, start, j + 1))
                elif i + 1 < len(self.segments) and not self.segments[i + 1].get("Continues"):
                    record["DeactivationTime"] = iso(end)
        listed = [records[v] for v in sorted(records)][-MAX_LISTED_VERSIONS:]
        if admin:
            for record in listed:
                active = record["Version"] == current
                record["Status"] = "Active" if active else "Snapshot"
                record["ArchivalStatus"] = "NotScheduled"
        return listed


def _default(name: str) -> Definition:
    segment = {"Start": 0.0, "Version": 0, "Interval": DEFAULT_INTERVAL}
    return Definition(name, DEFAULT_AGGREGATION, 0, (segment,), defined=False)


def _from_body(name: str, entry: dict[str, Any]) -> Definition:
    return Definition(name, entry["AggregationMethod"], entry["StatisticId"], tuple(entry["Segments"]), True)


class Definitions:
    """The title's definitions as read once for a call."""

    def __init__(self, body: dict[str, Any] | None) -> None:
        self._entries: dict[str, Any] = (body or {}).get("Statistics", {})

    def get(self, name: str) -> Definition:
        entry = self._entries.get(name)
        return _from_body(name, entry) if entry is not None else _default(name)

    def known(self, name: str) -> bool:
        return name in self._entries

    def all(self) -> list[Definition]:
        return [_from_body(name, entry) for name, entry in self._entries.items()]


async def read(store: Store) -> Definitions:
    doc = await store.read(LOOKUPS, META_PK, STATISTICS_DOC)
    return Definitions(doc.body if doc else None)


def _new_entry(body: dict[str, Any], name: str, aggregation: str, interval: str, at: float) -> dict[str, Any]:
    body["LastId"] = int(body.get("LastId", 0)) + 1
    return {
        "AggregationMethod": aggregation,
        "StatisticId": body["LastId"],
        "Created": at,
        "Segments": [{"Start": at, "Version": 0, "Interval": interval}],
    }


def _count_limit(limit: int) -> PlayFabError:
    return PlayFabError(
        "StatisticCountLimitExceeded", f"The title already has the most statistics it may have ({limit})."
    )


async def ensure(store: Store, names: list[str], limit: int) -> Definitions:
    """The definitions, with PlayFab's defaults written for each of `names` not defined yet."""
    current = await read(store)
    if all(current.known(name) for name in names):
        return current
    at = now()

    def add(body: dict[str, Any] | None) -> dict[str, Any] | None:
        body = body or {"Statistics": {}}
        entries = body["Statistics"]
        missing = [name for name in dict.fromkeys(names) if name not in entries]
        if not missing:
            return None
        if len(entries) + len(missing) > limit:
            raise _count_limit(limit)
        for name in missing:
            entries[name] = _new_entry(body, name, DEFAULT_AGGREGATION, DEFAULT_INTERVAL, at)
        return body

    doc = await store.update(LOOKUPS, META_PK, STATISTICS_DOC, add)
    return Definitions(doc.body if doc else None)


def _not_found(name: str) -> PlayFabError:
    return PlayFabError("StatisticNotFound", f"Statistic {name} not found.", {"StatisticName": [name]})


async def create(store: Store, name: str, aggregation: str, interval: str, limit: int) -> Definition:
    at = now()

    def add(body: dict[str, Any] | None) -> dict[str, Any]:
        body = body or {"Statistics": {}}
        if name in body["Statistics"]:
            raise PlayFabError(
                "StatisticNameConflict", f"A statistic named {name} already exists.", {"StatisticName": [name]}
            )
        if len(body["Statistics"]) >= limit:
            raise _count_limit(limit)
        body["Statistics"][name] = _new_entry(body, name, aggregation, interval, at)
        return body

    doc = await store.update(LOOKUPS, META_PK, STATISTICS_DOC, add)
    assert doc is not None
    return Definitions(doc.body).get(name)


def _append(entry: dict[str, Any], segment: dict[str, Any]) -> None:
    entry["Segments"] = [*entry["Segments"], segment][-MAX_SEGMENTS:]


async def update_definition(store: Store, name: str, aggregation: str | None, interval: str | None) -> Definition:
    at = now()

    def change(body: dict[str, Any] | None) -> dict[str, Any] | None:
        entry = (body or {}).get("Statistics", {}).get(name)
        if body is None or entry is None:
            raise _not_found(name)
        definition = _from_body(name, entry)
        changed = False
        if aggregation is not None and aggregation != entry["AggregationMethod"]:
            entry["AggregationMethod"] = aggregation
            changed = True
        if interval is not None and interval != definition.interval:
            version = definition.version_at(at)
            _append(entry, {"Start": at, "Version": version, "Interval": interval, "Continues": True})
            changed = True
        return body if changed else None

    doc = await store.update(LOOKUPS, META_PK, STATISTICS_DOC, change)
    assert doc is not None
    return Definitions(doc.body).get(name)


async def increment_version(store: Store, name: str) -> Definition:
    at = now()

    def bump(body: dict[str, Any] | None) -> dict[str, Any]:
        entry = (body or {}).get("Statistics", {}).get(name)
        if body is None or entry is None:
            raise _not_found(name)
        definition = _from_body(name, entry)
        _append(entry, {"Start": at, "Version": definition.version_at(at) + 1, "Interval": definition.interval})
        return body

    doc = await store.update(LOOKUPS, META_PK, STATISTICS_DOC, bump)
    assert doc is not None
    return Definitions(doc.body).get(name)
