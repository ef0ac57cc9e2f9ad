"""Key hygiene on every store, through the official Python SDK: hidden characters, normalisation, length.

Keys that look alike must not be two keys: control and format characters are refused, NFC and NFD
spellings are one key, and length counts UTF-16 code units as PlayFab's .NET service does.
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any

import pytest
from playfab import PlayFabServerAPI

from shared.config.settings import load_settings
from shared.services import open_store
from tests.support import sdk
from tests.support.data_calls import assert_error, call, error_of
from tests.support.players import Player, new_player
from tests.support.server import Server

CAFE_NFC = unicodedata.normalize("NFC", "caf\u00e9")
CAFE_NFD = unicodedata.normalize("NFD", "caf\u00e9")
EMOJI = "\U0001f600"  # outside the BMP: two UTF-16 code units


@pytest.fixture
def player(pf) -> Player:
    p = new_player()
    p.use()
    return p


def _data(player: Player, **extra) -> dict:
    return call("Server/GetUserData", {"PlayFabId": player.playfab_id, **extra})


def _values(result: dict) -> dict[str, str]:
    return {key: rec["Value"] for key, rec in result["Data"].items()}


HIDDEN = {
    "zero-width-suffix": "k\u200b",
    "zero-width-only": "\u200b",
    "bom-only": "\ufeff",
    "zero-width-bang": "\u200b!bang",
    "inner-tab": "a\tb",
    "inner-newline": "a\nb",
    "rtl-override": "ab\u202ecd",
    "soft-hyphen": "co\u00adop",
    "nul": "a\x00b",
}


@pytest.mark.parametrize("key", HIDDEN.values(), ids=HIDDEN.keys())
def test_keys_with_control_or_format_characters_are_refused(player, key):
    call("Client/UpdateUserData", {"Data": {"k": "1"}})
    err = error_of("Client/UpdateUserData", {"Data": {key: "v", "fine": "v"}})
    assert_error(err, 400, "InvalidParams", 1000)
    assert list(err["errorDetails"]) == ["Data"]
    assert _values(_data(player)) == {"k": "1"} and _data(player)["DataVersion"] == 1


def test_values_keep_control_and_format_characters(player):
    value = "a\u200bb\ufeffc\td\ne\u202e"
    call("Client/UpdateUserData", {"Data": {"k": value}})
    assert _values(_data(player)) == {"k": value}


def test_a_removal_may_name_a_key_with_hidden_characters(player):
    """Removing writes nothing, so a key kept from before the rule can still be removed."""
    call("Client/UpdateUserData", {"Data": {"k": "1"}})
    assert call("Client/UpdateUserData", {"KeysToRemove": ["k\u200b"], "Data": {"x\ufeff": None}})
    assert _values(_data(player)) == {"k": "1"}


def test_nfc_and_nfd_spellings_are_one_key(player):
    call("Client/UpdateUserData", {"Data": {CAFE_NFD: "first"}})
    assert _values(_data(player)) == {CAFE_NFC: "first"}
    call("Client/UpdateUserData", {"Data": {CAFE_NFC: "second"}})
    assert _values(_data(player)) == {CAFE_NFC: "second"}
    assert _values(_data(player, Keys=[f" {CAFE_NFD} "])) == {CAFE_NFC: "second"}
    err = error_of("Client/UpdateUserData", {"Data": {CAFE_NFC: "1", CAFE_NFD: "2"}})
    assert_error(err, 400, "InvalidParams", 1000)
    call("Client/UpdateUserData", {"KeysToRemove": [CAFE_NFD]})
    assert _values(_data(player)) == {}


def test_key_length_counts_utf16_code_units(player):
    assert call("Client/UpdateUserData", {"Data": {EMOJI * 512: "v", "k" * 1024: "v"}})
    for key in (EMOJI * 513, "k" * 1023 + EMOJI):
        err = error_of("Client/UpdateUserData", {"Data": {key: "v"}})
        assert_error(err, 400, "KeyLengthExceeded", 1145)
    assert len(_data(player)["Data"]) == 2 and _data(player)["DataVersion"] == 1


def test_shared_groups_follow_the_same_key_rules(pf):
    new_player()
    group = sdk.call(PlayFabServerAPI.CreateSharedGroup, {})["SharedGroupId"]
    for key in ("\u200bplan", EMOJI * 513):
        with pytest.raises(sdk.PlayFabCallError) as exc:
            sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group, "Data": {key: "v"}})
        assert exc.value.code in (1000, 1145)
    sdk.call(PlayFabServerAPI.UpdateSharedGroupData, {"SharedGroupId": group, "Data": {CAFE_NFD: "v"}})
    data = sdk.call(PlayFabServerAPI.GetSharedGroupData, {"SharedGroupId": group, "Keys": [CAFE_NFC]})["Data"]
    assert list(data) == [CAFE_NFC]


def _store_as_before(server: Server, player: Player, keys: list[str]) -> None:
    """Keys as an earlier version stored them: trimmed but not normalised (written to the store directly)."""

    def add(body: dict[str, Any] | None) -> dict[str, Any]:
        body = body or {"DataVersion": 0, "Data": {}}
        for key in keys:
            body["Data"][key] = {"Value": "old", "Permission": "Private", "LastUpdated": "2026-01-01T00:00:00.000Z"}
        body["DataVersion"] += 1
        return body

    async def write() -> None:
        store = await open_store(load_settings(server.env))
        try:
            await store.update("players", player.playfab_id, "data.user", add)
        finally:
            await store.close()

    asyncio.run(write())


def test_keys_stored_unnormalised_stay_readable_replaceable_and_removable(pf, player):
    nfd_two = unicodedata.normalize("NFD", "na\u00efve")
    _store_as_before(pf, player, [CAFE_NFD, nfd_two])
    assert _values(_data(player, Keys=[CAFE_NFD])) == {CAFE_NFD: "old"}
    call("Client/UpdateUserData", {"Data": {CAFE_NFD: "new"}})  # replaces the old spelling
    assert _values(_data(player)) == {CAFE_NFC: "new", nfd_two: "old"}
    call("Client/UpdateUserData", {"KeysToRemove": [nfd_two]})
    assert _values(_data(player)) == {CAFE_NFC: "new"}
