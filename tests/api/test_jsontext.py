"""The fast JSON helpers give exactly what the standard library gives, including where orjson cannot."""

import json

import pytest

from shared.wire import jsontext

VALUES = [
    {"DataVersion": 3, "Data": {"k": {"Value": 'a "quoted" \\ value\n\x01\x7f\u2028 é 😀', "Permission": "Public"}}},
    {"n": [1, -0.0, 1.5, 0.1, 1e16, True, False, None], "": {}},
    {"big": 2**64, "neg": -(2**63) - 1},  # past 64 bits: orjson refuses, the standard library writes
    {1: "non-text key"},
]


@pytest.mark.parametrize("value", VALUES)
def test_dumps_matches_the_standard_library(value):
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert jsontext.dumps_bytes(value) == expected.encode("utf-8")


def test_dumps_of_a_lone_surrogate_still_fails_as_before():
    with pytest.raises(UnicodeEncodeError):
        jsontext.dumps_bytes({"s": "\ud800"})


@pytest.mark.parametrize(
    "text",
    [
        '{"a":"x","a":"y"}',
        '{"n":123456789012345678901234567890}',  # orjson would return a float
        '{"n":-9223372036854775809,"m":18446744073709551615}',
        '"\\ud800"',  # lone surrogate: orjson refuses
        "[1e400, -0.0, 0.1]",  # out of range: orjson refuses
        '{"s":"a \\"b\\" \\u00e9 \\n"}',
    ],
)
def test_loads_matches_the_standard_library(text):
    got = jsontext.loads(text)
    assert got == json.loads(text)
    assert type(got) is type(json.loads(text))
    if isinstance(got, dict) and "n" in got:
        assert type(got["n"]) is int
