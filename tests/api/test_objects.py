"""Object/SetObjects and Object/GetObjects through the official Python SDK."""

from __future__ import annotations

import json

import pytest
from playfab import PlayFabDataAPI

from shared.wire.error_codes import ERROR_CODES
from tests.support import sdk
from tests.support.entity_calls import envelope, error_of, fields, get_objects, get_profile, key, set_objects, use_title
from tests.support.players import new_player
from tests.support.sdk import PlayFabCallError

# The example request of PlayFab's SetObjects page, as published (only the entity is ours).
SEED_REQUEST = """{
  "ExpectedProfileVersion": 5,
  "Objects": [
    {
      "ObjectName": "SaveSate",
      "DataObject": {
        "PlayerDetails": {
          "LastMissionSuccess": "2017-06-15T11:05:19Z",
          "LastMissionFailure": "2017-06-12T11:05:19Z",
          "MapPosition": [
            22.0,
            37.78
          ],
          "IsPaidUpgrade": true
        },
        "GameSettings": {
          "Screen": "FriendsList",
          "Favorites": [
            "Place 1",
            "Place 2"
          ]
        }
      },
      "SimpleStatements": {
        "Read": [
          {
            "Friend": true
          }
        ],
        "Write": [
          "Self"
        ]
      }
    }
  ],
  "Entity": {
    "Id": "A8140AB9109712B",
    "Type": "title_player_account",
    "TypeString": "title_player_account"
  }
}"""


def _canonical(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def test_the_seed_example_round_trips(pf):
    player = new_player()
    player.use()
    for version in range(5):  # bring the profile to the example's ExpectedProfileVersion
        assert set_objects(key(player), [{"ObjectName": "Progress", "DataObject": version + 1}])["ProfileVersion"] == (
            version + 1
        )
    request = json.loads(SEED_REQUEST)
    request["Entity"] = {**request["Entity"], "Id": player.entity_id, "TypeString": "title_player_account"}
    data = sdk.call(PlayFabDataAPI.SetObjects, request)
    assert data == {"ProfileVersion": 6, "SetResults": [{"ObjectName": "SaveSate", "SetResult": "Created"}]}

    sent = json.loads(SEED_REQUEST)["Objects"][0]["DataObject"]
    got = get_objects(key(player))
    assert got["ProfileVersion"] == 6
    assert got["Entity"] == key(player)
    assert _canonical(got["Objects"]["SaveSate"]["DataObject"]) == _canonical(sent)  # same text: order, 22.0
    escaped = get_objects(key(player), EscapeObject=True)["Objects"]["SaveSate"]
    assert escaped == {"ObjectName": "SaveSate", "EscapedDataObject": _canonical(sent)}


def test_a_fresh_profile_is_at_version_zero_and_has_no_objects(pf):
    player = new_player()
    player.use()
    assert get_objects(key(player)) == {"Entity": key(player), "ProfileVersion": 0, "Objects": {}}
    assert get_profile()["VersionNumber"] == 0


def test_set_results_and_profile_version_follow_each_change(pf):
    player = new_player()
    player.use()
    me = key(player)

    def one(name: str, **fields: object) -> tuple[int, dict[str, str]]:
        data = set_objects(me, [{"ObjectName": name, **fields}])
        return data["ProfileVersion"], data["SetResults"][0]

    assert one("a", DataObject={"x": 1}) == (1, {"ObjectName": "a", "SetResult": "Created"})
    version, result = one("a", DataObject={"x": 1})
    assert (version, result["SetResult"]) == (1, "None") and result["OperationReason"]
    assert one("a", DataObject={"x": 2, "y": 0}) == (2, {"ObjectName": "a", "SetResult": "Updated"})
    # The same members in another order read back differently, so that is a change too.
    assert one("a", DataObject={"y": 0, "x": 2}) == (3, {"ObjectName": "a", "SetResult": "Updated"})
    assert one("a", DeleteObject=True) == (4, {"ObjectName": "a", "SetResult": "Deleted"})
    version, result = one("a", DeleteObject=True)
    assert (version, result["SetResult"]) == (4, "None") and result["OperationReason"]
    assert get_objects(me)["Objects"] == {}
    assert get_profile()["VersionNumber"] == 4


def test_one_call_moves_the_version_once_for_many_objects(pf):
    player = new_player()
    player.use()
    data = set_objects(key(player), [{"ObjectName": f"o{i}", "DataObject": i} for i in range(4)])
    assert data["ProfileVersion"] == 1
    assert [r["SetResult"] for r in data["SetResults"]] == ["Created"] * 4
    assert [r["ObjectName"] for r in data["SetResults"]] == ["o0", "o1", "o2", "o3"]


def test_null_data_object_removes_the_object(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "gone", "DataObject": 1}])
    data = set_objects(key(player), [{"ObjectName": "gone", "DataObject": None}])
    assert data["SetResults"][0]["SetResult"] == "Deleted"
    assert get_objects(key(player))["Objects"] == {}
    set_objects(key(player), [{"ObjectName": "gone", "DataObject": 1}])
    data = set_objects(key(player), [{"ObjectName": "gone", "EscapedDataObject": "null"}])
    assert data == {"ProfileVersion": 4, "SetResults": [{"ObjectName": "gone", "SetResult": "Deleted"}]}
    assert get_objects(key(player))["Objects"] == {}


def test_delete_with_an_empty_escaped_object_is_a_delete(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "gone", "DataObject": 1}])
    data = set_objects(key(player), [{"ObjectName": "gone", "EscapedDataObject": "", "DeleteObject": True}])
    assert data["SetResults"][0]["SetResult"] == "Deleted"


@pytest.mark.parametrize(
    "value",
    [
        7,
        -0.0,
        0.1,
        1e-300,
        12345678901234567890123,
        "text",
        True,
        [],
        {},
        [1, "two", None, {"three": [3.5]}],
        {"déjà vu": "日本語 🎮", "nested": {"deeper": {"deepest": [True, False, None]}}},
        {"z": 1, "a": 2, "m": 3},
    ],
)
def test_data_object_holds_any_json_value_exactly(pf, value):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "v", "DataObject": value}])
    got = get_objects(key(player))["Objects"]["v"]["DataObject"]
    assert _canonical(got) == _canonical(value)
    assert type(got) is type(value)


def test_escaped_data_object_in_and_out(pf):
    player = new_player()
    player.use()
    text = '{ "Property": { "ValueName": 5, "List": [1.50, "é"] } }'
    assert set_objects(key(player), [{"ObjectName": "gameState", "EscapedDataObject": text}])["SetResults"] == [
        {"ObjectName": "gameState", "SetResult": "Created"}
    ]
    value = {"Property": {"ValueName": 5, "List": [1.5, "é"]}}
    assert get_objects(key(player))["Objects"]["gameState"] == {"ObjectName": "gameState", "DataObject": value}
    escaped = get_objects(key(player), EscapeObject=True)["Objects"]["gameState"]["EscapedDataObject"]
    assert json.loads(escaped) == value
    # The same value sent the other way is no change.
    assert set_objects(key(player), [{"ObjectName": "gameState", "DataObject": value}])["SetResults"][0][
        "SetResult"
    ] == ("None")


def test_a_bare_number_reads_back_as_an_escaped_string(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "n", "DataObject": 42}])
    assert int(get_objects(key(player), EscapeObject=True)["Objects"]["n"]["EscapedDataObject"]) == 42


def test_expected_profile_version_must_match(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "a", "DataObject": 1}])
    set_objects(key(player), [{"ObjectName": "a", "DataObject": 2}])
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(key(player), [{"ObjectName": "a", "DataObject": 3}, {"ObjectName": "b", "DataObject": 3}], 1)
    assert envelope(exc) == (400, "BadRequest", "EntityProfileVersionMismatch", 1352)
    assert error_of(exc)["errorDetails"] == {"ProfileVersion": ["2"]}
    assert get_objects(key(player)) == {
        "Entity": key(player),
        "ProfileVersion": 2,
        "Objects": {"a": {"ObjectName": "a", "DataObject": 2}},
    }
    data = set_objects(key(player), [{"ObjectName": "a", "DataObject": 3}], 2)
    assert data == {"ProfileVersion": 3, "SetResults": [{"ObjectName": "a", "SetResult": "Updated"}]}


def test_a_version_ahead_of_the_profile_is_a_mismatch_too(pf):
    player = new_player()
    player.use()
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(key(player), [{"ObjectName": "a", "DataObject": 1}], 5)
    assert envelope(exc) == (400, "BadRequest", "EntityProfileVersionMismatch", 1352)
    assert error_of(exc)["errorDetails"] == {"ProfileVersion": ["0"]}
    assert get_objects(key(player))["Objects"] == {}


def _refused(player_key: dict[str, str], objects: list[dict[str, object]]) -> dict[str, object]:
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(player_key, objects)
    return error_of(exc)


def _nothing_written(player_key: dict[str, str], before: dict[str, object]) -> None:
    assert get_objects(player_key) == before


@pytest.mark.parametrize(
    ("bad", "error", "field"),
    [
        ({"ObjectName": "has space", "DataObject": 1}, "InvalidParams", "Objects.1.ObjectName"),
        ({"ObjectName": "ok", "DataObject": 1, "EscapedDataObject": "1"}, "InvalidParams", "Objects.1"),
        ({"ObjectName": "ok", "DataObject": 1, "DeleteObject": True}, "InvalidParams", "Objects.1"),
        ({"ObjectName": "ok", "EscapedDataObject": "{not json"}, "InvalidJSONContent", "Objects.1.EscapedDataObject"),
        ({"ObjectName": "ok", "EscapedDataObject": ""}, "InvalidJSONContent", "Objects.1.EscapedDataObject"),
        ({"ObjectName": "ok", "EscapedDataObject": "NaN"}, "InvalidJSONContent", "Objects.1.EscapedDataObject"),
        ({"ObjectName": "ok", "EscapedDataObject": "1e400"}, "InvalidJSONContent", "Objects.1.EscapedDataObject"),
        ({"ObjectName": "ok", "EscapedDataObject": '"\\ud800"'}, "InvalidJSONContent", "Objects.1.EscapedDataObject"),
        ({"ObjectName": "keep", "DataObject": 2}, "InvalidParams", "Objects.1.ObjectName"),  # named twice
        (
            {"ObjectName": "big", "DataObject": "x" * 999},
            "EntityProfileConstraintValidationFailed",
            "Objects.1.DataObject",
        ),
        ({"ObjectName": "ok", "DataObject": 1, "DeleteObject": "yes"}, "InvalidParams", "Objects.1.DeleteObject"),
        ({"DataObject": 1}, "InvalidParams", "Objects.1.ObjectName"),
    ],
)
def test_a_bad_entry_refuses_the_whole_call(pf, bad, error, field):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": "keep", "DataObject": 1}])
    before = get_objects(key(player))
    e = _refused(key(player), [{"ObjectName": "keep", "DataObject": 9}, bad])
    assert fields(e) == (400, "BadRequest", error, ERROR_CODES[error])
    assert field in e["errorDetails"], e["errorDetails"]
    _nothing_written(key(player), before)


def test_object_name_characters_and_length(pf):
    player = new_player()
    player.use()
    name = "aZ09()_-." + "n" * 55  # 64 characters, every allowed kind
    assert set_objects(key(player), [{"ObjectName": name, "DataObject": 1}])["SetResults"][0]["SetResult"] == "Created"
    for bad in (name + "n", "ä", "a/b", "a b", "a!"):
        e = _refused(key(player), [{"ObjectName": bad, "DataObject": 1}])
        assert fields(e) == (400, "BadRequest", "InvalidParams", 1000)
        assert "Objects.0.ObjectName" in e["errorDetails"]


def test_object_size_limit_counts_utf8_bytes_of_the_json(pf):
    player = new_player()
    player.use()
    fits = "é" * 499  # '"' + 998 bytes + '"' = 1,000 bytes
    assert set_objects(key(player), [{"ObjectName": "s", "DataObject": fits}])["ProfileVersion"] == 1
    e = _refused(key(player), [{"ObjectName": "s", "DataObject": fits + "x"}])
    assert fields(e) == (400, "BadRequest", "EntityProfileConstraintValidationFailed", 1398)
    assert get_objects(key(player))["Objects"]["s"]["DataObject"] == fits


def test_at_most_five_objects_and_a_breach_writes_nothing(pf):
    player = new_player()
    player.use()
    set_objects(key(player), [{"ObjectName": f"o{i}", "DataObject": i} for i in range(4)])
    before = get_objects(key(player))
    e = _refused(
        key(player), [{"ObjectName": "o0", "DataObject": 100}, *({"ObjectName": n, "DataObject": 1} for n in "xy")]
    )
    assert fields(e) == (400, "BadRequest", "EntityProfileConstraintValidationFailed", 1398)
    assert e["errorDetails"] == {"Objects": ["6 objects, at most 5"]}
    _nothing_written(key(player), before)
    # Deleting one in the same call makes room.
    data = set_objects(
        key(player),
        [
            {"ObjectName": "o0", "DeleteObject": True},
            {"ObjectName": "x", "DataObject": 1},
            {"ObjectName": "y", "DataObject": 1},
        ],
    )
    assert [r["SetResult"] for r in data["SetResults"]] == ["Deleted", "Created", "Created"]
    assert sorted(get_objects(key(player))["Objects"]) == ["o1", "o2", "o3", "x", "y"]


def test_an_empty_objects_list_changes_nothing(pf):
    player = new_player()
    player.use()
    assert set_objects(key(player), []) == {"ProfileVersion": 0, "SetResults": []}


def test_missing_fields_are_invalid_params(pf):
    player = new_player()
    player.use()
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabDataAPI.SetObjects, {"Entity": key(player)})
    assert envelope(exc) == (400, "BadRequest", "InvalidParams", 1000)
    assert "Objects" in error_of(exc)["errorDetails"]
    with pytest.raises(PlayFabCallError) as exc:
        sdk.call(PlayFabDataAPI.GetObjects, {})
    assert envelope(exc) == (400, "BadRequest", "InvalidParams", 1000)
    assert "Entity" in error_of(exc)["errorDetails"]
    with pytest.raises(PlayFabCallError) as exc:
        set_objects({"Id": player.entity_id}, [])
    assert "Entity.Type" in error_of(exc)["errorDetails"]
    with pytest.raises(PlayFabCallError) as exc:
        set_objects(key(player), [], 2**31)
    assert "ExpectedProfileVersion" in error_of(exc)["errorDetails"]


def test_a_data_object_that_is_not_finite_is_refused_over_raw_http(pf):
    player = new_player()
    entity = b'{"Id": "%s", "Type": "title_player_account"}' % player.entity_id.encode()
    body = b'{"Entity": %s, "Objects": [{"ObjectName": "n", "DataObject": 1e400}]}' % entity
    resp = pf.post("/Object/SetObjects", raw=body, headers={"X-EntityToken": player.entity_token})
    assert resp.status_code == 400
    e = resp.json()
    assert fields(e) == (400, "BadRequest", "InvalidJSONContent", 1200)
    player.use()
    assert get_objects(key(player))["Objects"] == {}


def test_object_calls_need_an_entity_token(pf):
    player = new_player()
    for path in ("/Object/SetObjects", "/Object/GetObjects", "/Profile/GetProfile", "/Profile/GetProfiles"):
        resp = pf.post(path, {"Entity": key(player), "Objects": []}, headers={"X-Authorization": player.ticket})
        e = resp.json()
        assert resp.status_code == 401
        assert fields(e) == (401, "Unauthorized", "EntityTokenMissing", 1334)


def test_objects_nested_deeper_than_64_levels_are_refused(pf):
    title = use_title()

    def nested(depth: int) -> object:
        value: object = 1
        for _ in range(depth - 1):
            value = [value]
        return value

    assert (
        set_objects(title, [{"ObjectName": "Deep", "DataObject": nested(64)}])["SetResults"][0]["SetResult"]
        == "Created"
    )
    for entry in ({"DataObject": nested(65)}, {"EscapedDataObject": "[" * 500 + "]" * 500}):
        with pytest.raises(PlayFabCallError) as exc:
            set_objects(title, [{"ObjectName": "Deeper", **entry}])
        assert envelope(exc) == (400, "BadRequest", "InvalidJSONContent", 1200)
    assert set(get_profile(title, DataAsObject=True)["Objects"]) == {"Deep"}
