"""WritePlayerEvent and Event/WriteEvents through the official Node SDK over HTTPS, on both stores."""

from __future__ import annotations

import ssl
import uuid
from typing import Any

import httpx

from tests.support.node_sdk import run_node_calls
from tests.support.server import SECRET_KEY, Server


def _read(srv: Server, playfab_id: str) -> list[dict[str, Any]]:
    answer = httpx.post(
        srv.url + "/Admin/ext-ReadEvents",
        json={"PlayFabId": playfab_id, "Count": 100},
        headers={"X-SecretKey": SECRET_KEY},
        verify=ssl.create_default_context(cafile=srv.extra["ca"]),
    ).json()
    assert answer["code"] == 200, answer
    return [e for e in answer["data"]["Events"] if e["EventNamespace"] != "com.playfab"]


def test_write_player_event_and_write_events_through_the_node_sdk(tls_server):
    custom_id = f"node-events-{uuid.uuid4()}"
    good = {
        "Events": [
            {"EventNamespace": "custom.node", "Name": "n1", "Payload": {"a": 1}},
            {"EventNamespace": "custom", "Name": "n2"},
        ]
    }
    bad = {"Events": [{"EventNamespace": "custom", "Name": "n3"}, {"EventNamespace": "other", "Name": "n4"}]}
    answers = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {
                "api": "PlayFabClient",
                "method": "LoginWithCustomID",
                "request": {"CustomId": custom_id, "CreateAccount": True},
            },
            {
                "api": "PlayFabClient",
                "method": "WritePlayerEvent",
                "request": {"EventName": "node_ev", "Body": {"x": "y"}},
            },
            {"api": "PlayFabEvents", "method": "WriteEvents", "request": good},
            {"api": "PlayFabEvents", "method": "WriteEvents", "request": bad},
            {"api": "PlayFabClient", "method": "WritePlayerEvent", "request": {"EventName": "bad name"}},
        ],
    )
    login, player_event, batch, refused, bad_name = answers
    assert login["ok"] and player_event["ok"] and batch["ok"], answers
    playfab_id = login["data"]["PlayFabId"]
    event_id = player_event["data"]["EventId"]
    ids = batch["data"]["AssignedEventIds"]
    assert len(ids) == 2
    assert refused["ok"] is False
    error = refused["error"]
    assert (error["code"], error["status"], error["error"], error["errorCode"]) == (
        400,
        "BadRequest",
        "EventNamespaceNotAllowed",
        1371,
    )
    assert error["errorDetails"] == {"Events[1].EventNamespace": ["other"]}
    assert bad_name["ok"] is False and (bad_name["error"]["error"], bad_name["error"]["errorCode"]) == (
        "InvalidEventField",
        1216,
    )
    stored = _read(tls_server, playfab_id)
    assert [e["EventId"] for e in stored] == [ids[1], ids[0], event_id]  # n3 of the refused batch is absent
    assert stored[2]["EventName"] == "node_ev" and stored[2]["Body"] == {"x": "y"}
    assert stored[1]["Payload"] == {"a": 1} and stored[1]["EntityId"] == login["data"]["EntityToken"]["Entity"]["Id"]


def test_every_classic_event_call_through_the_node_sdk(tls_server):
    custom_id = f"node-classic-{uuid.uuid4()}"
    first = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {
                "api": "PlayFabClient",
                "method": "LoginWithCustomID",
                "request": {"CustomId": custom_id, "CreateAccount": True},
            }
        ],
    )
    playfab_id = first[0]["data"]["PlayFabId"]
    grant = {"PlayFabId": playfab_id, "CharacterName": "Hero", "CharacterType": "mage"}
    answers = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {"api": "PlayFabServer", "method": "GrantCharacterToUser", "request": grant},
            {
                "api": "PlayFabServer",
                "method": "WritePlayerEvent",
                "request": {"PlayFabId": playfab_id, "EventName": "s_p"},
            },
            {"api": "PlayFabServer", "method": "WriteTitleEvent", "request": {"EventName": "s_t"}},
            {
                "api": "PlayFabServer",
                "method": "WriteCharacterEvent",
                "request": {"PlayFabId": playfab_id, "CharacterId": "0" * 16, "EventName": "x"},
            },
        ],
    )
    assert all(a["ok"] for a in answers[:3]), answers
    character_id = answers[0]["data"]["CharacterId"]
    assert answers[3]["ok"] is False and (answers[3]["error"]["error"], answers[3]["error"]["errorCode"]) == (
        "CharacterNotFound",
        1135,
    )
    client = run_node_calls(
        tls_server.url,
        tls_server.extra["ca"],
        [
            {"api": "PlayFabClient", "method": "LoginWithCustomID", "request": {"CustomId": custom_id}},
            {
                "api": "PlayFabClient",
                "method": "WriteCharacterEvent",
                "request": {"CharacterId": character_id, "EventName": "c_c"},
            },
            {"api": "PlayFabClient", "method": "WriteTitleEvent", "request": {"EventName": "c_t"}},
            {
                "api": "PlayFabServer",
                "method": "WriteCharacterEvent",
                "request": {"PlayFabId": playfab_id, "CharacterId": character_id, "EventName": "s_c"},
            },
        ],
    )
    assert all(a["ok"] and set(a["data"]) == {"EventId"} for a in client[1:]), client
    stored = _read(tls_server, playfab_id)
    assert [e["EventName"] for e in stored] == ["s_c", "c_c", "s_p"]  # title events go to the title's stream
    assert [e["EventId"] for e in stored[:2]] == [client[3]["data"]["EventId"], client[1]["data"]["EventId"]]
    assert {(e["EntityType"], e["EntityId"]) for e in stored[:2]} == {("character", character_id)}
