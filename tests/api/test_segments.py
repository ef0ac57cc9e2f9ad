"""GetAllSegments and GetPlayersInSegment for "All Players", through the official Python SDK."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabServerAPI

from bench.ranked_title import seed_players
from shared.features.segments import ALL_PLAYERS_ID
from tests.support import custom_property_calls, sdk
from tests.support.host_clock import HostClock
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError
from tests.support.server import Server, running_server


def _refused(api, request) -> dict:
    with pytest.raises(PlayFabCallError) as err:
        sdk.call(api, request)
    return err.value.error


def _all_ids(api, batch: int, **extra) -> tuple[list[str], list[int]]:
    """Every PlayFabId the segment lists, page by page, and each page's size."""
    ids: list[str] = []
    sizes: list[int] = []
    request = {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": batch, **extra}
    while True:
        page = sdk.call(api, request)
        ids += [profile["PlayerId"] for profile in page["PlayerProfiles"]]
        sizes.append(len(page["PlayerProfiles"]))
        if not page.get("ContinuationToken"):
            return ids, sizes
        request = {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": batch, "ContinuationToken": page["ContinuationToken"]}


def test_the_title_has_one_segment_all_players(pf):
    for api in (PlayFabAdminAPI.GetAllSegments, PlayFabServerAPI.GetAllSegments):
        assert sdk.call(api, {}) == {"Segments": [{"Id": ALL_PLAYERS_ID, "Name": "All Players"}]}


def test_other_segments_are_refused(pf):
    error = _refused(PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": "0123456789ABCDEF"})
    assert (error["errorCode"], error["error"]) == (1220, "SegmentNotFound")
    assert "All Players" in error["errorMessage"]


def test_a_profile_shows_the_account_its_statistics_and_properties(pf):
    custom_id = f"seg-{uuid.uuid4()}"
    player = new_player(custom_id)
    name = f"sg{uuid.uuid4().hex[:18]}"
    sdk.call(PlayFabClientAPI.UpdateUserTitleDisplayName, {"DisplayName": name})
    sdk.call(
        PlayFabServerAPI.UpdatePlayerStatistics,
        {"PlayFabId": player.playfab_id, "Statistics": [{"StatisticName": "seg_score", "Value": 42}]},
    )
    custom_property_calls.call(
        custom_property_calls.SERVER,
        custom_property_calls.UPDATE,
        {"PlayFabId": player.playfab_id, "Properties": [{"Name": "tier", "Value": "gold"}]},
    )
    ids, _ = _all_ids(PlayFabServerAPI.GetPlayersInSegment, 1_000)
    assert ids.count(player.playfab_id) == 1
    page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": ALL_PLAYERS_ID})
    (profile,) = [p for p in page["PlayerProfiles"] if p["PlayerId"] == player.playfab_id]
    assert profile["DisplayName"] == name
    assert profile["LinkedAccounts"] == [{"Platform": "Custom", "PlatformUserId": custom_id}]
    assert profile["Origination"] == "Custom"
    assert profile["Statistics"] == {"seg_score": 42}
    assert profile["PlayerStatistics"] == [{"Name": "seg_score", "StatisticValue": 42, "StatisticVersion": 0}]
    assert profile["CustomProperties"] == {"tier": "gold"}
    assert profile["Created"].endswith("Z") and profile["LastLogin"].endswith("Z")
    assert page["ProfilesInSegment"] >= len(page["PlayerProfiles"])


def test_a_deleted_player_is_no_longer_listed_and_a_new_one_is(pf):
    gone, kept = new_player(), new_player()
    sdk.call(PlayFabAdminAPI.DeletePlayer, {"PlayFabId": gone.playfab_id})
    ids, _ = _all_ids(PlayFabAdminAPI.GetPlayersInSegment, 500)
    assert gone.playfab_id not in ids and kept.playfab_id in ids
    assert not [pid for pid, n in Counter(ids).items() if n > 1]


def test_players_created_and_deleted_while_paging_never_make_one_listed_twice(pf):
    before = [new_player().playfab_id for _ in range(30)]
    request = {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 7}
    seen: list[str] = []
    while True:
        page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, request)
        seen += [p["PlayerId"] for p in page["PlayerProfiles"]]
        new_player()  # a new player between pages: listed once if after the cursor, else not at all
        if seen:
            sdk.call(PlayFabAdminAPI.DeletePlayer, {"PlayFabId": new_player().playfab_id})
        if not page.get("ContinuationToken"):
            break
        request = {**request, "ContinuationToken": page["ContinuationToken"]}
    assert not [pid for pid, n in Counter(seen).items() if n > 1]
    assert set(before) <= set(seen)


def test_batch_size_zero_answers_only_the_count(pf):
    new_player()
    page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 0})
    assert page["PlayerProfiles"] == [] and page["ProfilesInSegment"] >= 1 and "ContinuationToken" not in page


@pytest.mark.parametrize(
    "request_body",
    [
        {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 10_001},
        {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": -1},
        {"SegmentId": ALL_PLAYERS_ID, "SecondsToLive": 5_401},
        {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": "ten"},
        {},
    ],
)
def test_out_of_bounds_requests_are_refused(pf, request_body):
    assert _refused(PlayFabAdminAPI.GetPlayersInSegment, request_body)["error"] == "InvalidParams"


def test_a_forged_or_altered_token_is_refused(pf):
    for _ in range(3):
        new_player()
    page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 1})
    token = page["ContinuationToken"]
    for bad in ("not-a-token", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token.replace(".", "x")):
        error = _refused(PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": ALL_PLAYERS_ID, "ContinuationToken": bad})
        assert (error["errorCode"], error["error"]) == (1240, "InvalidContinuationToken")
    # A session ticket is signed with the same keys, but is no continuation token.
    error = _refused(
        PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": ALL_PLAYERS_ID, "ContinuationToken": new_player().ticket}
    )
    assert error["error"] == "InvalidContinuationToken"


def test_a_session_ticket_cannot_list_players(pf):
    ticket = new_player().ticket
    for path in ("/Server/GetPlayersInSegment", "/Admin/GetPlayersInSegment"):
        answer = pf.post(path, {"SegmentId": ALL_PLAYERS_ID}, headers={"X-Authorization": ticket})
        assert answer.status_code == 401 and answer.json()["error"] == "NotAuthenticated"


# --- Ten thousand players on a title of their own (seeded into the host's store file) ---


@pytest.fixture(scope="module")
def big_title(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, list[str], HostClock]]:
    data_dir = tmp_path_factory.mktemp("segment-title")
    clock = HostClock(data_dir)
    with running_server(data_dir, **clock.env()) as srv:
        ids = seed_players(data_dir / "playfab.sqlite3", 10_000)
        yield srv, ids, clock


def test_ten_thousand_players_page_through_each_exactly_once(big_title):
    srv, seeded, _ = big_title
    sdk.point_at(srv)
    ids, sizes = _all_ids(PlayFabServerAPI.GetPlayersInSegment, 750)
    assert Counter(ids) == Counter(seeded)
    assert ids == sorted(ids)  # PlayFabId order
    assert sizes[:-1] == [750] * (len(sizes) - 1) and sizes[-1] == 10_000 % 750
    first = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 1})
    assert first["ProfilesInSegment"] == 10_000


def test_a_token_lives_for_its_seconds_to_live_and_each_use_renews_it(big_title):
    srv, _, clock = big_title
    sdk.point_at(srv)

    def more(token: str) -> dict:
        return {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 2, "ContinuationToken": token}

    first = {"SegmentId": ALL_PLAYERS_ID, "MaxBatchSize": 2, "SecondsToLive": 60}
    page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, first)
    clock.advance(50)
    page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, more(page["ContinuationToken"]))
    clock.advance(50)  # 100 s after the first page, 50 s after the renewed token was handed out: alive
    page = sdk.call(PlayFabAdminAPI.GetPlayersInSegment, more(page["ContinuationToken"]))
    clock.advance(61)
    error = _refused(PlayFabAdminAPI.GetPlayersInSegment, more(page["ContinuationToken"]))
    assert (error["errorCode"], error["error"]) == (1241, "ExpiredContinuationToken")
