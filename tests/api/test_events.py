"""Events through the official Python SDK, on both stores: Write*Event, Event/WriteEvents, and the Admin
extension Admin/ext-ReadEvents that reads them back (raw HTTP: no SDK has it)."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playfab import PlayFabClientAPI, PlayFabEventsAPI, PlayFabServerAPI

from tests.support import sdk
from tests.support.entity_calls import add_character, use_title
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY, TITLE_ID, Server

EVENT_ID = re.compile(r"^[0-9a-f]{32}$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def read_events(server: Server, **request: Any) -> dict[str, Any]:
    answer = server.post("/Admin/ext-ReadEvents", request, {"X-SecretKey": SECRET_KEY}).json()
    assert answer["code"] == 200, answer
    data: dict[str, Any] = answer["data"]
    return data


def read_error(server: Server, **request: Any) -> dict[str, Any]:
    answer: dict[str, Any] = server.post("/Admin/ext-ReadEvents", request, {"X-SecretKey": SECRET_KEY}).json()
    return answer


def events_of(server: Server, playfab_id: str) -> list[dict[str, Any]]:
    return read_events(server, PlayFabId=playfab_id, Count=1000)["Events"]


def custom(server: Server, playfab_id: str) -> list[dict[str, Any]]:
    """The player's events other than the backend's own (login, creation...)."""
    return [e for e in events_of(server, playfab_id) if e["EventNamespace"] != "com.playfab"]


def _me(pf: Server) -> Player:
    player = new_player()
    player.use()
    return player


def test_client_write_player_event_is_stored_with_playstreams_envelope(pf):
    player = _me(pf)
    data = sdk.call(PlayFabClientAPI.WritePlayerEvent, {"EventName": "level_completed", "Body": {"Level": 3}})
    assert set(data) == {"EventId"} and EVENT_ID.match(data["EventId"])
    [event] = custom(pf, player.playfab_id)
    assert set(event) == {
        "EventId",
        "EventName",
        "EventNamespace",
        "EntityType",
        "EntityId",
        "TitleId",
        "Timestamp",
        "SourceType",
        "Source",
        "PlayFabId",
        "Body",
    }
    assert event["EventId"] == data["EventId"]
    assert event["EventName"] == "level_completed"
    assert event["EventNamespace"] == "com.playfab.events.custom"
    assert (event["EntityType"], event["EntityId"], event["PlayFabId"]) == (
        "player",
        player.playfab_id,
        player.playfab_id,
    )
    assert event["TitleId"] == TITLE_ID
    assert ISO.match(event["Timestamp"])
    assert (event["SourceType"], event["Source"]) == ("GameClient", player.playfab_id)
    assert event["Body"] == {"Level": 3}


def test_a_given_timestamp_and_custom_tags_are_kept(pf):
    player = _me(pf)
    request = {"EventName": "e1", "Timestamp": "2026-01-02T03:04:05.678Z", "CustomTags": {"build": "42"}}
    sdk.call(PlayFabClientAPI.WritePlayerEvent, request)
    [event] = custom(pf, player.playfab_id)
    assert event["Timestamp"] == "2026-01-02T03:04:05.678Z"
    assert event["CustomTags"] == {"build": "42"}
    assert event["Body"] == {}


def test_server_write_player_event_for_a_player_and_for_nobody(pf):
    player = _me(pf)
    sdk.call(PlayFabServerAPI.WritePlayerEvent, {"PlayFabId": player.playfab_id, "EventName": "granted"})
    [event] = custom(pf, player.playfab_id)
    assert (event["SourceType"], event["Source"], event["EntityId"]) == ("GameServer", "PlayFab", player.playfab_id)
    error = sdk.refused(PlayFabServerAPI.WritePlayerEvent, {"PlayFabId": "0000000000000000", "EventName": "x"})
    assert (error["code"], error["error"], error["errorCode"]) == (400, "AccountNotFound", 1001)


def test_character_events_for_own_characters_only(pf):
    owner = _me(pf)
    character = add_character(pf, owner)
    data = sdk.call(PlayFabClientAPI.WriteCharacterEvent, {"CharacterId": character["Id"], "EventName": "c_ev"})
    [event] = custom(pf, owner.playfab_id)
    assert event["EventId"] == data["EventId"]
    assert (event["EntityType"], event["EntityId"]) == ("character", character["Id"])
    assert (event["PlayFabId"], event["CharacterId"]) == (owner.playfab_id, character["Id"])

    other = _me(pf)
    error = sdk.refused(PlayFabClientAPI.WriteCharacterEvent, {"CharacterId": character["Id"], "EventName": "c_ev"})
    assert error == sdk.bad_request(
        "CharacterNotFound",
        1135,
        f"No character {character['Id']} belongs to this player.",
        {"CharacterId": [character["Id"]]},
    )
    assert custom(pf, other.playfab_id) == [] and len(custom(pf, owner.playfab_id)) == 1

    sdk.call(
        PlayFabServerAPI.WriteCharacterEvent,
        {"PlayFabId": owner.playfab_id, "CharacterId": character["Id"], "EventName": "by_server"},
    )
    assert [e["EventName"] for e in custom(pf, owner.playfab_id)] == ["by_server", "c_ev"]
    error = sdk.refused(
        PlayFabServerAPI.WriteCharacterEvent,
        {"PlayFabId": owner.playfab_id, "CharacterId": "0000000000000000", "EventName": "x"},
    )
    assert (error["error"], error["errorCode"]) == ("CharacterNotFound", 1135)


def test_title_events_from_client_and_server(pf):
    player = _me(pf)
    first = sdk.call(PlayFabClientAPI.WriteTitleEvent, {"EventName": "t_client", "Body": {"a": 1}})
    second = sdk.call(PlayFabServerAPI.WriteTitleEvent, {"EventName": "t_server"})
    events = read_events(pf, Entity={"Type": "title", "Id": TITLE_ID}, Count=1000)["Events"]
    ids = [e["EventId"] for e in events]
    assert ids.index(second["EventId"]) < ids.index(first["EventId"])  # newest first
    by_id = {e["EventId"]: e for e in events}
    assert by_id[first["EventId"]]["EntityType"] == "title" and by_id[first["EventId"]]["EntityId"] == TITLE_ID
    assert by_id[first["EventId"]]["PlayFabId"] == player.playfab_id
    assert "PlayFabId" not in by_id[second["EventId"]]


@pytest.mark.parametrize(
    "request_body, field",
    [
        ({"EventName": "has space"}, "EventName"),
        ({"EventName": "x" * 65}, "EventName"),
        ({"EventName": "ok", "Body": {"big": "y" * 10_300}}, "Body"),
        ({"EventName": "ok", "CustomTags": {"big": "y" * 10_300}}, "CustomTags"),
        ({"EventName": "ok", "Body": {"deep": json.loads("[" * 80 + "]" * 80)}}, "Body"),
    ],
)
def test_bad_names_and_bodies_are_invalid_event_fields(pf, request_body, field):
    player = _me(pf)
    error = sdk.refused(PlayFabClientAPI.WritePlayerEvent, request_body)
    assert (error["code"], error["status"], error["error"], error["errorCode"]) == (
        400,
        "BadRequest",
        "InvalidEventField",
        1216,
    )
    assert list(error["errorDetails"]) == [field]
    assert custom(pf, player.playfab_id) == []


def test_a_missing_event_name_is_invalid_params(pf):
    _me(pf)
    error = sdk.refused(PlayFabClientAPI.WritePlayerEvent, {"Body": {}})
    assert (error["error"], error["errorCode"], list(error["errorDetails"])) == ("InvalidParams", 1000, ["EventName"])


def _contents(name: str, **extra: Any) -> dict[str, Any]:
    return {"EventNamespace": "custom.game", "Name": name, **extra}


def test_write_events_assigns_ids_in_order_and_reads_back_newest_first(pf):
    player = _me(pf)
    batch = [
        _contents("one", Payload={"n": 1}, CustomTags={"e": "1", "r": "event's"}),
        _contents("two", PayloadJSON=json.dumps({"n": 2}), OriginalId="orig-2"),
        _contents("three", OriginalTimestamp="2026-03-04T05:06:07Z"),
    ]
    data = sdk.call(PlayFabEventsAPI.WriteEvents, {"Events": batch, "CustomTags": {"r": "x"}})
    ids = data["AssignedEventIds"]
    assert len(ids) == 3 and len(set(ids)) == 3 and all(EVENT_ID.match(i) for i in ids)
    events = custom(pf, player.playfab_id)
    assert [e["EventId"] for e in events] == ids[::-1]
    three, two, one = events
    assert (one["EventName"], one["EventNamespace"]) == ("one", "custom.game")
    assert (one["EntityType"], one["EntityId"]) == ("title_player_account", player.entity_id)
    assert one["Payload"] == {"n": 1} and one["CustomTags"] == {"e": "1", "r": "x"}
    assert two["Payload"] == {"n": 2} and two["OriginalId"] == "orig-2"
    assert three["Payload"] is None and three["OriginalTimestamp"] == "2026-03-04T05:06:07.000Z"
    assert one["SourceType"] == "GameClient" and one["TitleId"] == TITLE_ID and ISO.match(one["Timestamp"])


@pytest.mark.parametrize(
    "bad, name, code",
    [
        (_contents("x", EventNamespace="com.playfab"), "EventNamespaceNotAllowed", 1371),
        (_contents("x", EventNamespace="customer"), "EventNamespaceNotAllowed", 1371),
        (_contents("bad name"), "InvalidEventContents", 1548),
        (_contents("x", Payload={"a": 1}, PayloadJSON="{}"), "InvalidEventContents", 1548),
        (_contents("x", Payload={"a": "b" * 10_300}), "InvalidEventContents", 1548),
        (_contents("x", PayloadJSON="{not json"), "InvalidJSONContent", 1200),
        (_contents("x", PayloadJSON='{"n": NaN}'), "InvalidJSONContent", 1200),
        (_contents("x", PayloadJSON="[" * 80 + "]" * 80), "InvalidEventContents", 1548),
        (_contents("x", Payload={"deep": json.loads("[" * 80 + "]" * 80)}), "InvalidEventContents", 1548),
        (_contents("x", CustomTags={"big": "y" * 10_300}), "InvalidEventContents", 1548),
        (
            _contents("x", Entity={"Type": "title_player_account", "Id": "0000000000000000"}),
            "EventEntityNotAllowed",
            1372,
        ),
        (
            _contents("x", Entity={"Type": "master_player_account", "Id": "0000000000000000"}),
            "EventEntityNotAllowed",
            1372,
        ),
    ],
)
def test_a_batch_with_one_bad_event_is_refused_whole(pf, bad, name, code):
    player = _me(pf)
    error = sdk.refused(PlayFabEventsAPI.WriteEvents, {"Events": [_contents("good"), bad, _contents("also_good")]})
    assert (error["code"], error["status"], error["error"], error["errorCode"]) == (400, "BadRequest", name, code)
    assert [key.startswith("Events[1]") for key in error["errorDetails"]] == [True]
    assert custom(pf, player.playfab_id) == []


def test_another_players_entity_is_not_allowed(pf):
    victim = _me(pf)
    _me(pf)
    entity = {"Type": "title_player_account", "Id": victim.entity_id}
    error = sdk.refused(PlayFabEventsAPI.WriteEvents, {"Events": [_contents("x", Entity=entity)]})
    assert (error["error"], error["errorCode"], error["errorDetails"]) == (
        "EventEntityNotAllowed",
        1372,
        {"Events[0].Entity": ["not the caller's entity"]},
    )
    assert custom(pf, victim.playfab_id) == []


def test_batch_size_limits(pf):
    player = _me(pf)
    error = sdk.refused(PlayFabEventsAPI.WriteEvents, {"Events": [_contents(f"e{i}") for i in range(201)]})
    assert (error["error"], error["errorCode"], error["errorDetails"]) == (
        "InvalidParams",
        1000,
        {"Events": ["at most 200 events per request"]},
    )
    error = sdk.refused(PlayFabEventsAPI.WriteEvents, {"Events": []})
    assert (error["error"], list(error["errorDetails"])) == ("InvalidParams", ["Events"])
    assert custom(pf, player.playfab_id) == []
    data = sdk.call(PlayFabEventsAPI.WriteEvents, {"Events": [_contents(f"e{i}") for i in range(200)]})
    assert len(data["AssignedEventIds"]) == 200
    assert [e["EventName"] for e in custom(pf, player.playfab_id)] == [f"e{i}" for i in reversed(range(200))]


def test_a_player_writes_its_characters_events_and_reads_filter_by_entity(pf):
    owner = _me(pf)
    character = add_character(pf, owner)
    batch = [_contents("mine"), _contents("its", Entity=character), _contents("mine_again")]
    sdk.call(PlayFabEventsAPI.WriteEvents, {"Events": batch})
    only = read_events(pf, Entity=character)["Events"]
    assert [(e["EventName"], e["EntityType"], e["EntityId"]) for e in only] == [
        ("its", "character", character["Id"]),
        ("character_created", "character", character["Id"]),  # the backend's own, when it was granted
    ]
    me = read_events(pf, Entity={"Type": "title_player_account", "Id": owner.entity_id})["Events"]
    assert [e["EventName"] for e in me if e["EventNamespace"] == "custom.game"] == ["mine_again", "mine"]


def test_the_title_entity_writes_events_about_several_players_in_one_batch(pf):
    first, second = _me(pf), _me(pf)
    use_title()
    batch = [
        _contents("a", Entity={"Type": "title_player_account", "Id": first.entity_id}),
        _contents("b", Entity={"Type": "title_player_account", "Id": second.entity_id}),
        _contents("t"),
    ]
    ids = sdk.call(PlayFabEventsAPI.WriteEvents, {"Events": batch})["AssignedEventIds"]
    assert [e["EventId"] for e in custom(pf, first.playfab_id)] == [ids[0]]
    assert [e["EventId"] for e in custom(pf, second.playfab_id)] == [ids[1]]
    title = read_events(pf, Entity={"Type": "title", "Id": TITLE_ID}, Count=1000)["Events"]
    assert ids[2] in [e["EventId"] for e in title]
    assert {e["SourceType"] for e in custom(pf, first.playfab_id)} == {"GameServer"}


def test_reading_pages_through_continuation_tokens(pf):
    player = _me(pf)
    for n in range(5):
        sdk.call(PlayFabClientAPI.WritePlayerEvent, {"EventName": f"p{n}"})
    names, token, pages = [], None, 0
    while True:
        request: dict[str, Any] = {"PlayFabId": player.playfab_id, "Count": 2}
        if token:
            request["ContinuationToken"] = token
        page = read_events(pf, **request)
        pages += 1
        names += [e["EventName"] for e in page["Events"] if e["EventNamespace"] != "com.playfab"]
        token = page.get("ContinuationToken")
        if token is None:
            break
        assert pages < 20
    assert names == [f"p{n}" for n in reversed(range(5))]


def test_read_events_errors(pf):
    player = _me(pf)
    error = read_error(pf, PlayFabId=player.playfab_id, ContinuationToken="made-up")
    assert (error["code"], error["error"], error["errorCode"]) == (400, "InvalidContinuationToken", 1240)
    error = read_error(pf, PlayFabId="0000000000000000")
    assert (error["error"], error["errorCode"]) == ("AccountNotFound", 1001)
    error = read_error(pf, Entity={"Type": "character", "Id": "0000000000000000"})
    assert (error["error"], error["errorCode"]) == ("ProfileDoesNotExist", 1298)
    error = read_error(pf)
    assert (error["error"], error["errorCode"]) == ("InvalidParams", 1000)
    error = read_error(pf, PlayFabId=player.playfab_id, Count=1001)
    assert (error["error"], list(error["errorDetails"])) == ("InvalidParams", ["Count"])
    ticket = pf.post("/Admin/ext-ReadEvents", {"PlayFabId": player.playfab_id}, {"X-Authorization": player.ticket})
    assert ticket.status_code == 401 and ticket.json()["error"] == "NotAuthenticated"


def test_timestamps_are_utc_milliseconds(pf):
    player = _me(pf)
    before = datetime.now(UTC).timestamp()
    sdk.call(PlayFabClientAPI.WritePlayerEvent, {"EventName": "now"})
    [event] = custom(pf, player.playfab_id)
    stamp = datetime.strptime(event["Timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
    assert before - 1 <= stamp <= datetime.now(UTC).timestamp() + 1


def test_racing_batches_of_one_player_all_land(pf):
    """16 WriteEvents calls of one player on 16 connections, released at once: every event is kept."""
    player = _me(pf)
    barrier = threading.Barrier(16)
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        body = {"Events": [_contents(f"w{n}_{i}") for i in range(5)]}
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            answer = client.post(
                pf.url + "/Event/WriteEvents", json=body, headers={"X-EntityToken": player.entity_token}
            ).json()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a["code"] for a in answers] == [200] * 16, answers
    assigned = {i for a in answers for i in a["data"]["AssignedEventIds"]}
    stored = custom(pf, player.playfab_id)
    assert {e["EventId"] for e in stored} == assigned and len(stored) == 80
    for n in range(16):  # each batch reads back in its own order, newest first
        mine = [e["EventName"] for e in stored if e["EventName"].startswith(f"w{n}_")]
        assert mine == [f"w{n}_{i}" for i in reversed(range(5))]
