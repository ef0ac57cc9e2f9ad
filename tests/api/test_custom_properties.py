"""Player custom properties on the Client, Server and Admin APIs, through the Python SDK, on both stores.

Field by field: every result shape, every value type, PropertiesVersion and ExpectedPropertiesVersion, and
each of PlayFab's codes 19000-19007 with nothing written when a call is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.wire.error_codes import ERROR_CODES
from tests.support import sdk
from tests.support.custom_property_calls import ADMIN, CLIENT, DELETE, GET, LIST, SERVER, UPDATE, call, for_player
from tests.support.custom_property_calls import refused as refused_call
from tests.support.players import Player, new_player

APIS = (CLIENT, SERVER, ADMIN)
UNKNOWN_PLAYER = "0000000000000000"


@pytest.fixture
def player(pf: Any) -> Player:
    p = new_player()
    p.use()
    return p


def _call(api: str, method: str, player: Player, request: dict[str, Any] | None = None) -> dict[str, Any]:
    return call(api, method, for_player(api, player.playfab_id, request))


def _refused(api: str, method: str, player: Player, request: dict[str, Any]) -> dict[str, Any]:
    return refused_call(api, method, for_player(api, player.playfab_id, request))


def _answer(api: str, player: Player, data: dict[str, Any]) -> dict[str, Any]:
    """What `api` answers: Server and Admin results name the player first."""
    return {"PlayFabId": player.playfab_id, **data} if api != CLIENT else data


def _update(api: str, player: Player, *pairs: tuple[str, Any], **extra: Any) -> dict[str, Any]:
    properties = [{"Name": name, "Value": value} for name, value in pairs]
    return _call(api, UPDATE, player, {"Properties": properties, **extra})


def _stored(player: Player) -> dict[str, Any]:
    """What the title sees of the player's properties, as ListPlayerCustomProperties answers."""
    return call(SERVER, LIST, {"PlayFabId": player.playfab_id})


def _envelope(error: dict[str, Any], name: str) -> None:
    assert (error["code"], error["status"], error["error"], error["errorCode"]) == (
        400,
        "BadRequest",
        name,
        ERROR_CODES[name],
    ), error
    assert error["errorMessage"]


# --- Successes, field by field ---


@pytest.mark.parametrize("api", APIS)
def test_update_get_and_list_answer_playfabs_shapes(player, api):
    assert _update(api, player, ("level", 5), ("created", False)) == _answer(api, player, {"PropertiesVersion": 1})
    assert _call(api, GET, player, {"PropertyName": "level"}) == _answer(
        api, player, {"Property": {"Name": "level", "Value": 5}, "PropertiesVersion": 1}
    )
    assert _call(api, LIST, player) == _answer(
        api,
        player,
        {
            "Properties": [{"Name": "created", "Value": False}, {"Name": "level", "Value": 5}],
            "PropertiesVersion": 1,
        },
    )


@pytest.mark.parametrize("api", APIS)
def test_a_player_without_properties_lists_none_at_version_zero(player, api):
    assert _call(api, LIST, player) == _answer(api, player, {"Properties": [], "PropertiesVersion": 0})


@pytest.mark.parametrize("api", APIS)
def test_delete_answers_for_every_name_asked(player, api):
    _update(api, player, ("level", 5), ("rank", "gold"))
    answer = _call(api, DELETE, player, {"PropertyNames": ["level", "class"], "ExpectedPropertiesVersion": 1})
    assert answer == _answer(
        api,
        player,
        {
            "DeletedProperties": [{"Name": "level", "WasDeleted": True}, {"Name": "class", "WasDeleted": False}],
            "PropertiesVersion": 2,
        },
    )
    assert _stored(player)["Properties"] == [{"Name": "rank", "Value": "gold"}]


VALUES: list[Any] = ["a string", "", 0, -17, 1.5, -2.5e-300, 1e300, 2**53, True, False, "5"]


def test_values_keep_their_type(player):
    for value in VALUES:
        _update(CLIENT, player, ("v", value))
        for got in (
            call(CLIENT, GET, {"PropertyName": "v"})["Property"]["Value"],
            _stored(player)["Properties"][0]["Value"],
        ):
            assert type(got) is type(value) and got == value, value
    assert _stored(player)["PropertiesVersion"] == len(VALUES)


def test_a_whole_number_is_written_as_an_integer(player):
    _update(CLIENT, player, ("whole", 5.0), ("negative", -3.0), ("zero", -0.0))
    listed = {p["Name"]: p["Value"] for p in call(CLIENT, LIST)["Properties"]}
    assert listed == {"whole": 5, "negative": -3, "zero": 0}
    assert all(type(value) is int for value in listed.values())


def test_an_integer_past_a_doubles_precision_becomes_the_nearest_double(player):
    _update(CLIENT, player, ("big", 2**60 + 1), ("negative", -(2**60) - 1))
    listed = {p["Name"]: p["Value"] for p in call(CLIENT, LIST)["Properties"]}
    assert listed == {"big": float(2**60), "negative": -float(2**60)}
    assert all(type(value) is float for value in listed.values())


def test_updates_are_additive_and_overwrite_what_they_name(player):
    assert _update(CLIENT, player, ("level", 1), ("rank", "bronze"))["PropertiesVersion"] == 1
    assert _update(CLIENT, player, ("level", 2), ("coins", 10))["PropertiesVersion"] == 2
    assert call(CLIENT, LIST) == {
        "Properties": [
            {"Name": "coins", "Value": 10},
            {"Name": "level", "Value": 2},
            {"Name": "rank", "Value": "bronze"},
        ],
        "PropertiesVersion": 2,
    }


def test_the_version_moves_only_when_something_changes(player):
    _update(CLIENT, player, ("level", 1), ("vip", True))
    assert _update(CLIENT, player, ("level", 1), ("vip", True))["PropertiesVersion"] == 1
    # Numbers are doubles, so 1.0 is 1; a number is not a boolean.
    assert _update(CLIENT, player, ("level", 1.0))["PropertiesVersion"] == 1
    assert _update(CLIENT, player, ("vip", 1), ("level", 1.5))["PropertiesVersion"] == 2
    assert _update(CLIENT, player, ("vip", True))["PropertiesVersion"] == 3
    assert call(CLIENT, DELETE, {"PropertyNames": ["nothing"]}) == {
        "DeletedProperties": [{"Name": "nothing", "WasDeleted": False}],
        "PropertiesVersion": 3,
    }


def test_deleting_the_last_property_keeps_the_version_going(player):
    _update(CLIENT, player, ("level", 1))
    assert call(CLIENT, DELETE, {"PropertyNames": ["level"]})["PropertiesVersion"] == 2
    assert call(CLIENT, LIST) == {"Properties": [], "PropertiesVersion": 2}
    assert _update(CLIENT, player, ("level", 1), ExpectedPropertiesVersion=2)["PropertiesVersion"] == 3


def test_a_fresh_player_is_at_version_zero_for_expected_versions(player):
    assert _update(CLIENT, player, ("level", 1), ExpectedPropertiesVersion=0)["PropertiesVersion"] == 1
    assert _update(CLIENT, player, ("level", 2), ExpectedPropertiesVersion=1)["PropertiesVersion"] == 2


def test_names_are_case_sensitive_and_any_script_s_letters_and_digits(player):
    names = ["prop", "PROP", "Niveau2", "уровень", "レベル", "等级", "x" * 36, "42"]
    _update(CLIENT, player, *[(name, i) for i, name in enumerate(names[:5])])
    with pytest.raises(sdk.PlayFabCallError):  # a sixth would pass the limit of five
        _update(CLIENT, player, *[(name, i) for i, name in enumerate(names[5:])])
    listed = {p["Name"]: p["Value"] for p in call(CLIENT, LIST)["Properties"]}
    assert listed == {name: i for i, name in enumerate(names[:5])}
    call(CLIENT, DELETE, {"PropertyNames": names[:5]})
    _update(CLIENT, player, *[(name, i) for i, name in enumerate(names[5:])])
    assert {p["Name"] for p in call(CLIENT, LIST)["Properties"]} == set(names[5:])


def test_a_name_is_one_name_however_its_accents_are_composed(player):
    _update(CLIENT, player, ("caf\u00e9", "composed"))
    _update(CLIENT, player, ("cafe\u0301", "decomposed"))
    assert call(CLIENT, LIST)["Properties"] == [{"Name": "caf\u00e9", "Value": "decomposed"}]
    assert call(CLIENT, GET, {"PropertyName": "cafe\u0301"})["Property"] == {"Name": "caf\u00e9", "Value": "decomposed"}


def test_the_apis_share_one_set_of_properties(player):
    _update(SERVER, player, ("level", 3))
    _update(CLIENT, player, ("rank", "silver"))
    _update(ADMIN, player, ("coins", 7))
    expected = [{"Name": "coins", "Value": 7}, {"Name": "level", "Value": 3}, {"Name": "rank", "Value": "silver"}]
    for api in APIS:
        assert _call(api, LIST, player) == _answer(api, player, {"Properties": expected, "PropertiesVersion": 3})
    assert call(ADMIN, DELETE, {"PlayFabId": player.playfab_id, "PropertyNames": ["level"]})["PropertiesVersion"] == 4
    assert call(CLIENT, LIST)["PropertiesVersion"] == 4


def test_a_client_reaches_only_its_own_properties(pf):
    owner, other = new_player(), new_player()
    owner.use()
    _update(CLIENT, owner, ("level", 9))
    other.use()
    # A PlayFabId in a Client request is not a field of it: the call acts on the caller.
    call(CLIENT, UPDATE, {"PlayFabId": owner.playfab_id, "Properties": [{"Name": "level", "Value": 1}]})
    call(CLIENT, DELETE, {"PlayFabId": owner.playfab_id, "PropertyNames": ["level"]})
    assert call(CLIENT, LIST, {"PlayFabId": owner.playfab_id}) == {"Properties": [], "PropertiesVersion": 2}
    assert _stored(owner)["Properties"] == [{"Name": "level", "Value": 9}]


# --- ExpectedPropertiesVersion ---


@pytest.mark.parametrize("api", APIS)
def test_a_stale_expected_version_is_refused_with_the_current_one(player, api):
    _update(api, player, ("level", 1))
    _update(api, player, ("level", 2))
    stale = {"Properties": [{"Name": "level", "Value": 99}], "ExpectedPropertiesVersion": 1}
    error = _refused(api, UPDATE, player, stale)
    _envelope(error, "PlayerCustomPropertiesVersionMismatch")
    assert error["errorCode"] == 19004
    assert error["errorDetails"] == {"PropertiesVersion": ["2"]}
    error = _refused(api, DELETE, player, {"PropertyNames": ["level"], "ExpectedPropertiesVersion": 3})
    _envelope(error, "PlayerCustomPropertiesVersionMismatch")
    assert error["errorDetails"] == {"PropertiesVersion": ["2"]}
    assert _stored(player) == _answer(
        SERVER, player, {"Properties": [{"Name": "level", "Value": 2}], "PropertiesVersion": 2}
    )


def test_an_expected_version_is_checked_even_when_nothing_would_change(player):
    _update(CLIENT, player, ("level", 1))
    error = refused_call(
        CLIENT, UPDATE, {"Properties": [{"Name": "level", "Value": 1}], "ExpectedPropertiesVersion": 0}
    )
    assert error["errorCode"] == 19004 and error["errorDetails"] == {"PropertiesVersion": ["1"]}
    error = refused_call(CLIENT, DELETE, {"PropertyNames": ["absent"], "ExpectedPropertiesVersion": 5})
    assert error["errorCode"] == 19004 and error["errorDetails"] == {"PropertiesVersion": ["1"]}


# --- Every refusal, with nothing written ---


def _refused_unchanged(player: Player, method: str, request: dict[str, Any], name: str) -> dict[str, Any]:
    before = _stored(player)
    error = refused_call(CLIENT, method, request)
    _envelope(error, name)
    assert _stored(player) == before
    return error


@pytest.fixture
def holding(player: Player) -> Player:
    """A player holding one property at version 1."""
    _update(CLIENT, player, ("level", 1))
    return player


def _props(*pairs: tuple[str, Any]) -> dict[str, Any]:
    return {"Properties": [{"Name": name, "Value": value} for name, value in pairs]}


def test_a_name_longer_than_36_characters(holding):
    error = _refused_unchanged(holding, UPDATE, _props(("x" * 37, 1)), "PlayerCustomPropertiesPropertyNameTooLong")
    assert error["errorCode"] == 19000
    assert error["errorDetails"] == {"Properties.0.Name": ["a name of 37 characters"]}
    # Counted as .NET counts: a letter outside the Basic Multilingual Plane is two.
    error = _refused_unchanged(
        holding, UPDATE, _props(("x" * 35 + "\U0001d400", 1)), "PlayerCustomPropertiesPropertyNameTooLong"
    )
    error = _refused_unchanged(
        holding, DELETE, {"PropertyNames": ["x" * 37]}, "PlayerCustomPropertiesPropertyNameTooLong"
    )
    assert error["errorDetails"] == {"PropertyNames.0": ["a name of 37 characters"]}


@pytest.mark.parametrize("name", ["", "two words", "dash-ed", "under_score", "dot.ted", "emoji😀", "tab\t", "a\u200bb"])
def test_a_name_not_made_of_letters_and_digits(holding, name):
    error = _refused_unchanged(
        holding, UPDATE, _props(("fine", 1), (name, 1)), "PlayerCustomPropertiesPropertyNameIsInvalid"
    )
    assert error["errorCode"] == 19001
    assert list(error["errorDetails"]) == ["Properties.1.Name"]
    _refused_unchanged(holding, DELETE, {"PropertyNames": [name]}, "PlayerCustomPropertiesPropertyNameIsInvalid")


def test_a_string_value_longer_than_36_characters(holding):
    _update(CLIENT, holding, ("longest", "v" * 36), ("wide", "\U0001d400" * 18))
    before = _stored(holding)
    for value in ("v" * 37, "\U0001d400" * 18 + "v"):
        error = refused_call(CLIENT, UPDATE, _props(("longest", value)))
        _envelope(error, "PlayerCustomPropertiesStringPropertyValueTooLong")
        assert error["errorCode"] == 19002
        assert error["errorDetails"] == {"Properties.0.Value": ["a string of 37 characters"]}
    assert _stored(holding) == before


@pytest.mark.parametrize("value", [None, {"a": 1}, [1, 2], [], {}])
def test_a_value_that_is_not_a_string_number_or_boolean(holding, value):
    error = _refused_unchanged(
        holding, UPDATE, _props(("ok", 1), ("bad", value)), "PlayerCustomPropertiesValueIsInvalidType"
    )
    assert error["errorCode"] == 19003
    assert list(error["errorDetails"]) == ["Properties.1.Value"]


def test_a_number_no_double_can_hold(pf, holding):
    raw = b'{"Properties": [{"Name": "huge", "Value": 1e400}]}'
    answer = pf.post(
        "/Client/UpdatePlayerCustomProperties", raw=raw, headers={"X-Authorization": holding.ticket}
    ).json()
    assert answer["errorCode"] == 19003  # JSON's text, but no finite double
    assert answer["errorDetails"] == {"Properties.0.Value": ["not a string, finite number or boolean"]}
    huge_integer = b'{"Properties": [{"Name": "huge", "Value": 1' + b"0" * 400 + b"}]}"
    answer = pf.post(
        "/Client/UpdatePlayerCustomProperties", raw=huge_integer, headers={"X-Authorization": holding.ticket}
    )
    assert answer.json()["errorCode"] == 19003
    assert _stored(holding)["Properties"] == [{"Name": "level", "Value": 1}]


def test_more_than_five_properties(holding):
    six = _props(*[(f"p{i}", i) for i in range(6)])
    error = _refused_unchanged(holding, UPDATE, six, "PlayerCustomPropertiesPropertyCountTooHigh")
    assert error["errorCode"] == 19005
    assert error["errorDetails"] == {"Properties": ["6 properties, at most 5"]}
    _update(CLIENT, holding, *[(f"p{i}", i) for i in range(4)])  # five held
    error = _refused_unchanged(
        holding, UPDATE, _props(("p0", 10), ("p9", 9)), "PlayerCustomPropertiesPropertyCountTooHigh"
    )
    assert error["errorDetails"] == {"Properties": ["6 properties, at most 5"]}
    # At the limit, what is held may still change, and a delete makes room.
    assert _update(CLIENT, holding, ("p0", 10), ("level", 2))["PropertiesVersion"] == 3
    call(CLIENT, DELETE, {"PropertyNames": ["p3"]})
    assert _update(CLIENT, holding, ("p9", 9))["PropertiesVersion"] == 5
    assert len(call(CLIENT, LIST)["Properties"]) == 5


def test_more_names_in_one_delete_than_a_player_can_hold(holding):
    error = refused_call(CLIENT, DELETE, {"PropertyNames": [f"p{i}" for i in range(6)]})
    _envelope(error, "InvalidParams")
    assert error["errorDetails"] == {"PropertyNames": ["The field PropertyNames may name at most 5 properties."]}


def test_a_name_given_twice(holding):
    error = _refused_unchanged(
        holding, UPDATE, _props(("a", 1), ("b", 2), ("a", 3)), "PlayerCustomPropertiesDuplicatePropertyName"
    )
    assert error["errorCode"] == 19006
    assert error["errorDetails"] == {"Properties.2": ["a is named twice"]}
    # Two spellings of one name are one name.
    _refused_unchanged(
        holding, UPDATE, _props(("caf\u00e9", 1), ("cafe\u0301", 2)), "PlayerCustomPropertiesDuplicatePropertyName"
    )
    error = _refused_unchanged(
        holding, DELETE, {"PropertyNames": ["level", "level"]}, "PlayerCustomPropertiesDuplicatePropertyName"
    )
    assert error["errorDetails"] == {"PropertyNames.1": ["level is named twice"]}


@pytest.mark.parametrize("api", APIS)
def test_getting_a_property_the_player_does_not_have(player, api):
    for _ in range(2):  # before the player has any properties, then after
        error = _refused(api, GET, player, {"PropertyName": "missing"})
        _envelope(error, "PlayerCustomPropertiesPropertyDoesNotExist")
        assert error["errorCode"] == 19007
        assert error["errorDetails"] == {"PropertyName": ["no such property"]}
        _update(api, player, ("level", 1))
    error = _refused(api, GET, player, {"PropertyName": "x" * 1000})
    assert error["errorCode"] == 19007 and "x" * 100 not in str(error)


def test_empty_lists_and_missing_fields_are_invalid_params(holding):
    for method, request, field in (
        (UPDATE, {"Properties": []}, "Properties"),
        (DELETE, {"PropertyNames": []}, "PropertyNames"),
        (UPDATE, {}, "Properties"),
        (DELETE, {}, "PropertyNames"),
        (GET, {}, "PropertyName"),
        (UPDATE, {"Properties": [{"Name": "level"}]}, "Properties.0.Value"),
        (UPDATE, {"Properties": [{"Value": 1}]}, "Properties.0.Name"),
    ):
        error = _refused_unchanged(holding, method, request, "InvalidParams")
        assert list(error["errorDetails"]) == [field], (method, request, error)
    error = refused_call(
        CLIENT, UPDATE, {"Properties": [{"Name": "level", "Value": 1}], "ExpectedPropertiesVersion": 2**31}
    )
    assert error["errorDetails"] == {
        "ExpectedPropertiesVersion": ["The field ExpectedPropertiesVersion must be less than or equal to 2147483647."]
    }


@pytest.mark.parametrize("api", (SERVER, ADMIN))
@pytest.mark.parametrize(
    ("method", "request_body"),
    [
        (UPDATE, {"Properties": [{"Name": "level", "Value": 1}]}),
        (GET, {"PropertyName": "level"}),
        (LIST, {}),
        (DELETE, {"PropertyNames": ["level"]}),
    ],
)
def test_the_title_naming_an_unknown_player(pf, api, method, request_body):
    error = refused_call(api, method, {"PlayFabId": UNKNOWN_PLAYER, **request_body})
    _envelope(error, "AccountNotFound")
    assert error["errorCode"] == 1001


@pytest.mark.parametrize("method", [UPDATE, GET, LIST, DELETE])
def test_the_title_must_name_a_player(pf, method):
    error = refused_call(
        SERVER, method, {"Properties": [{"Name": "a", "Value": 1}], "PropertyName": "a", "PropertyNames": ["a"]}
    )
    _envelope(error, "InvalidParams")
    assert error["errorDetails"] == {"PlayFabId": ["The PlayFabId field is required."]}
