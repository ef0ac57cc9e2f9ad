"""Title data, internal title data, publisher data and GetTime through the official Python SDK, on both stores.

The suite's hosts are shared, and title-wide data is the title's: every test writes keys of its own and
reads them back by name, so what other tests write never matters.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from playfab import PlayFabClientAPI

from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of
from tests.support.players import Player, new_player
from tests.support.server import SECRET_KEY

# Each kind: its write method, its read method, the APIs that read it.
KINDS = {
    "title": ("SetTitleData", "GetTitleData", ("Client", "Server", "Admin")),
    "internal": ("SetTitleInternalData", "GetTitleInternalData", ("Server", "Admin")),
    "publisher": ("SetPublisherData", "GetPublisherData", ("Client", "Server", "Admin")),
}
ISO_MS = "%Y-%m-%dT%H:%M:%S.%fZ"


@pytest.fixture
def player(pf) -> Player:
    p = new_player()
    p.use()
    return p


def _key(label: str = "k") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


def _get(route: str, keys: list[str] | None, **extra) -> dict:
    request = dict(extra)
    if keys is not None:
        request["Keys"] = keys
    return call(route, request)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_endpoint_of_every_kind_writes_and_reads(player, kind):
    setter, getter, readers = KINDS[kind]
    keys = {api: _key(api) for api in ("Server", "Admin")}
    for api, key in keys.items():
        assert call(f"{api}/{setter}", {"Key": key, "Value": f"from {api}"}) == {}
    expected = {key: f"from {api}" for api, key in keys.items()}
    for api in readers:
        result = _get(f"{api}/{getter}", [*keys.values(), "never-written"])
        assert result == {"Data": expected}, api


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_set_replaces_the_value_and_a_null_or_absent_value_deletes_the_key(player, kind):
    setter, getter, _ = KINDS[kind]
    a, b, c = _key("a"), _key("b"), _key("c")
    for key in (a, b, c):
        call(f"Server/{setter}", {"Key": key, "Value": "1"})
    call(f"Admin/{setter}", {"Key": a, "Value": "2"})
    assert _get(f"Server/{getter}", [a, b, c])["Data"] == {a: "2", b: "1", c: "1"}
    assert call(f"Server/{setter}", {"Key": b, "Value": None}) == {}
    assert call(f"Admin/{setter}", {"Key": c}) == {}
    assert _get(f"Server/{getter}", [a, b, c])["Data"] == {a: "2"}
    # Removing a key that is not there changes nothing and succeeds.
    assert call(f"Server/{setter}", {"Key": _key("never")}) == {}
    assert _get(f"Admin/{getter}", [a, b, c])["Data"] == {a: "2"}


def test_the_three_kinds_are_kept_apart(player):
    key = _key()
    call("Server/SetTitleInternalData", {"Key": key, "Value": "internal"})
    assert _get("Server/GetTitleData", [key]) == {"Data": {}}
    assert _get("Server/GetPublisherData", [key]) == {"Data": {}}
    call("Server/SetPublisherData", {"Key": key, "Value": "publisher"})
    call("Server/SetTitleData", {"Key": key, "Value": "title"})
    assert _get("Server/GetTitleInternalData", [key])["Data"] == {key: "internal"}
    assert _get("Client/GetPublisherData", [key])["Data"] == {key: "publisher"}
    assert _get("Client/GetTitleData", [key])["Data"] == {key: "title"}


def test_keys_select_omitted_returns_every_key_and_empty_returns_none(player):
    key = _key()
    call("Server/SetTitleData", {"Key": key, "Value": "v"})
    call("Server/SetTitleInternalData", {"Key": key, "Value": "v"})
    for route in ("Client/GetTitleData", "Server/GetTitleData", "Admin/GetTitleInternalData"):
        everything = _get(route, None)["Data"]
        assert everything[key] == "v", route
        assert _get(route, []) == {"Data": {}}, route
    assert _get("Client/GetPublisherData", []) == {"Data": {}}


def test_keys_are_trimmed_and_normalised_on_write_and_read(player):
    base = _key("caf")
    decomposed, composed = base + "e\u0301", base + "\u00e9"
    call("Server/SetTitleData", {"Key": f"  {decomposed} ", "Value": "1"})
    assert _get("Server/GetTitleData", [composed])["Data"] == {composed: "1"}
    assert _get("Client/GetTitleData", [f" {decomposed}"])["Data"] == {composed: "1"}
    call("Admin/SetTitleData", {"Key": composed, "Value": None})
    assert _get("Server/GetTitleData", [composed]) == {"Data": {}}


def test_values_are_kept_as_sent(player):
    key = _key()
    value = '{"spawn": [1, 2.50, "\u00e9"], "tab": "\t"}'
    call("Server/SetTitleData", {"Key": key, "Value": value})
    assert _get("Client/GetTitleData", [key])["Data"] == {key: value}
    call("Server/SetTitleData", {"Key": key, "Value": ""})  # an empty value is a value
    assert _get("Client/GetTitleData", [key])["Data"] == {key: ""}


def test_override_label_is_accepted_and_the_primary_title_data_answered(player):
    key = _key()
    call("Server/SetTitleData", {"Key": key, "Value": "primary"})
    for route in ("Client/GetTitleData", "Server/GetTitleData", "Admin/GetTitleData", "Server/GetTitleInternalData"):
        result = _get(route, [key], OverrideLabel="Holiday title data")
        assert result == {"Data": {key: "primary"} if "Internal" not in route else {}}, route


@pytest.mark.parametrize("setter", ["SetTitleData", "SetTitleInternalData", "SetPublisherData"])
@pytest.mark.parametrize(
    ("key", "details"),
    [
        ("", {"Key": ["The Key field is required."]}),
        ("   ", None),
        ("!bang", None),
        ("  !bang", None),
        ("a\u200bb", None),
    ],
    ids=["empty", "blank", "bang", "spaced-bang", "zero-width"],
)
def test_refused_keys_are_invalid_params_and_write_nothing(player, setter, key, details):
    err = error_of(f"Server/{setter}", {"Key": key, "Value": "v"})
    assert_error(err, 400, "InvalidParams", 1000)
    if details is not None:
        assert err["errorMessage"] == "Invalid input parameters"
        assert err["errorDetails"] == details
    else:
        assert list(err["errorDetails"]) == ["Key"]


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"Value": "v"}, "Key"),
        ({"Key": 3, "Value": "v"}, "Key"),
        ({"Key": "k", "Value": 3}, "Value"),
        ({"Key": "k", "Value": {"a": 1}}, "Value"),
    ],
    ids=["no-key", "number-key", "number-value", "object-value"],
)
def test_malformed_set_requests_are_invalid_params(player, request_body, field):
    for api in ("Server", "Admin"):
        err = error_of(f"{api}/SetTitleData", request_body)
        assert_error(err, 400, "InvalidParams", 1000)
        assert list(err["errorDetails"]) == [field]


def test_get_publisher_data_requires_keys(player):
    for api in ("Client", "Server", "Admin"):
        err = error_of(f"{api}/GetPublisherData", {})
        assert_error(err, 400, "InvalidParams", 1000)
        assert err["errorDetails"] == {"Keys": ["The Keys field is required."]}
    err = error_of("Server/GetTitleData", {"Keys": "k"})
    assert_error(err, 400, "InvalidParams", 1000)
    assert list(err["errorDetails"]) == ["Keys"]


def test_a_key_over_1024_characters_is_key_length_exceeded(player):
    longest = _key()[:16].ljust(1024, "k")
    call("Server/SetTitleData", {"Key": longest, "Value": "v"})  # 1,024 is allowed
    assert _get("Server/GetTitleData", [longest])["Data"] == {longest: "v"}
    call("Server/SetTitleData", {"Key": longest})
    err = error_of("Server/SetTitleData", {"Key": "k" * 1025, "Value": "v"})
    assert err == sdk.bad_request(
        "KeyLengthExceeded",
        1145,
        "Keys are limited to 1024 characters (UTF-16 code units).",
        {"Key": ["a key of 1025 characters"]},
    )
    assert _get("Server/GetTitleData", ["k" * 1025]) == {"Data": {}}


def test_a_value_over_the_limit_is_data_length_exceeded_and_writes_nothing(player):
    key = _key()
    call("Server/SetTitleData", {"Key": key, "Value": "before"})
    err = error_of("Admin/SetTitleData", {"Key": key, "Value": "x" * 300_001})
    assert err == sdk.bad_request(
        "DataLengthExceeded",
        1146,
        f"The value of {key!r} is 300001 bytes; the limit is 300000.",
        {"Value": ["300001 bytes"]},
    )
    assert _get("Server/GetTitleData", [key])["Data"] == {key: "before"}
    call("Server/SetTitleData", {"Key": key, "Value": "x" * 300_000})  # at the limit: kept
    assert len(_get("Server/GetTitleData", [key])["Data"][key]) == 300_000
    call("Server/SetTitleData", {"Key": key, "Value": None})


def test_players_cannot_reach_internal_data_or_write_at_all(pf, player):
    for path in (
        "/Client/GetTitleInternalData",
        "/Client/SetTitleData",
        "/Client/SetTitleInternalData",
        "/Client/SetPublisherData",
        "/Admin/GetTime",
    ):
        response = pf.post(path, {"Key": "k", "Value": "v"}, {"X-Authorization": player.ticket})
        assert response.status_code == 404, path
        assert response.json()["error"] == "InvalidAPIEndpoint"
    # The title's endpoints want the secret key: a session ticket is not one.
    response = pf.post("/Server/GetTitleData", {}, {"X-Authorization": player.ticket})
    assert response.status_code == 401 and response.json()["error"] == "NotAuthenticated"


def _parse(stamp: str) -> datetime:
    assert len(stamp) == len("2026-01-31T12:00:00.000Z"), stamp
    return datetime.strptime(stamp, ISO_MS).replace(tzinfo=UTC)


def test_get_time_answers_the_server_time_in_utc_with_milliseconds(player):
    for route in ("Client/GetTime", "Server/GetTime"):
        before = datetime.now(UTC) - timedelta(milliseconds=1)
        result = call(route, {})
        after = datetime.now(UTC)
        assert set(result) == {"Time"}
        assert before <= _parse(result["Time"]) <= after, route  # the same clock, read in between


def test_a_login_brings_title_data_back_with_info_request_parameters(pf):
    a, b, internal = _key("a"), _key("b"), _key("internal")
    call("Server/SetTitleData", {"Key": a, "Value": "1"})
    call("Server/SetTitleData", {"Key": b, "Value": "2"})
    call("Server/SetTitleInternalData", {"Key": internal, "Value": "secret"})
    login = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {
            "CustomId": f"td-{uuid.uuid4()}",
            "CreateAccount": True,
            "InfoRequestParameters": {"GetTitleData": True, "TitleDataKeys": [a, internal, "missing"]},
        },
    )
    assert login["InfoResultPayload"]["TitleData"] == {a: "1"}
    everything = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": f"td-{uuid.uuid4()}", "CreateAccount": True, "InfoRequestParameters": {"GetTitleData": True}},
    )["InfoResultPayload"]["TitleData"]
    assert everything[a] == "1" and everything[b] == "2" and internal not in everything
    without = sdk.call(
        PlayFabClientAPI.LoginWithCustomID,
        {"CustomId": f"td-{uuid.uuid4()}", "CreateAccount": True, "InfoRequestParameters": {"GetUserData": True}},
    )
    assert "TitleData" not in without["InfoResultPayload"]


def test_get_player_combined_info_brings_title_data_back(player):
    key = _key()
    call("Server/SetTitleData", {"Key": key, "Value": "combined"})
    params = {"GetTitleData": True, "TitleDataKeys": [key]}
    client = call("Client/GetPlayerCombinedInfo", {"InfoRequestParameters": params})
    server = call("Server/GetPlayerCombinedInfo", {"PlayFabId": player.playfab_id, "InfoRequestParameters": params})
    for result in (client, server):
        assert result["PlayFabId"] == player.playfab_id
        assert result["InfoResultPayload"]["TitleData"] == {key: "combined"}


def test_racing_sets_of_different_keys_all_land(pf):
    keys = [_key(f"race{n}") for n in range(32)]
    secret = {"X-SecretKey": SECRET_KEY}

    def set_key(key: str) -> int:
        return pf.post("/Server/SetTitleData", {"Key": key, "Value": key}, secret).status_code

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(set_key, keys)) == {200}
    assert call("Admin/GetTitleData", {"Keys": keys})["Data"] == {key: key for key in keys}
    assert call("Server/GetTitleData", {"Keys": keys})["Data"] == {key: key for key in keys}
    for key in keys:
        call("Server/SetTitleData", {"Key": key})
