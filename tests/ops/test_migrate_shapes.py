"""ops/migrate_convert's conversions, and one player's read, of answers shaped as real PlayFab gives them
(fields this project never sends)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import aiohttp

from ops import migrate, migrate_convert, migrate_player, migrate_title
from ops.playfab_api import PlayFabApi
from shared.config.clock import iso
from shared.features import statistic_definitions


def test_a_playfab_account_keeps_the_logins_this_backend_serves_and_names_the_rest():
    info = {
        "PlayFabId": "A1B2C3D4E5F60718",
        "Created": "2021-03-04T05:06:07.1234567Z",
        "Username": "hero",
        "PrivateInfo": {"Email": "Hero@Example.com"},
        "TitleInfo": {
            "Created": "2021-03-04T05:06:07.891Z",
            "LastLogin": "2024-01-02T03:04:05Z",
            "DisplayName": "Hero",
            "Origination": "Organic",
            "TitlePlayerAccount": {"Id": "0F1E2D3C4B5A6978", "Type": "title_player_account", "TypeString": "x"},
            "isBanned": False,
        },
        "CustomIdInfo": {"CustomId": "device-7"},
        "SteamInfo": {"SteamId": "7656"},
        "OpenIdInfo": [{"ConnectionId": "c", "Issuer": "i", "Subject": "s"}],
        "GoogleInfo": None,
    }
    account = migrate_convert.account_body(info)
    assert account == {
        "PlayFabId": "A1B2C3D4E5F60718",
        "TitlePlayerAccountId": "0F1E2D3C4B5A6978",
        "Created": 1614834367.891,
        "Logins": {"username": "hero", "email": "Hero@Example.com", "custom": "device-7"},
        "LastLogin": 1704164645.0,
        "DisplayName": "Hero",
        "PasswordResetRequired": True,
    }
    assert list(account["Logins"]) == ["username", "email", "custom"]  # the origin first
    assert iso(account["Created"]) == "2021-03-04T05:06:07.891Z"
    assert migrate_convert.unkept_identities(info) == ["OpenIdInfo", "SteamInfo"]


def test_times_keep_their_milliseconds_whatever_digits_they_come_with():
    for text, expected in (
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z"),
        ("2024-05-01T12:00:00.1Z", "2024-05-01T12:00:00.100Z"),
        ("2024-05-01T12:00:00.9999999Z", "2024-05-01T12:00:01.000Z"),
        ("2024-05-01T12:00:00.123", "2024-05-01T12:00:00.123Z"),
    ):
        assert iso(migrate_convert.epoch(text)) == expected, text


def test_statistic_definitions_follow_the_versions_the_source_lists():
    definitions = [
        {"StatisticName": "weekly", "CurrentVersion": 3, "AggregationMethod": "Sum", "VersionChangeInterval": "Week"},
        {"StatisticName": "plain", "CurrentVersion": 2},
    ]

    def listed(name: str, times: list[str]) -> list[dict[str, Any]]:
        return [{"StatisticName": name, "Version": v, "ActivationTime": at} for v, at in enumerate(times)]

    versions = {
        # Mondays 2024-01-01 and -08 (resets), then an increment on Wednesday the 10th, then Monday the 15th.
        "weekly": listed(
            "weekly", ["2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-10T12:00:00Z", "2024-01-15T00:00:00Z"]
        ),
        "plain": listed("plain", ["2023-12-31T10:00:00Z", "2024-01-02T10:00:00Z", "2024-01-03T10:00:00Z"]),
    }
    body = migrate_title.definitions_body(definitions, versions)
    assert list(body["Statistics"]) == ["weekly", "plain"] and body["LastId"] == 2
    weekly = body["Statistics"]["weekly"]
    assert weekly["AggregationMethod"] == "Sum" and weekly["StatisticId"] == 1
    assert [(s["Version"], s["Interval"]) for s in weekly["Segments"]] == [(0, "Week"), (2, "Week")]
    plain = body["Statistics"]["plain"]
    assert [(s["Version"], s["Interval"]) for s in plain["Segments"]] == [(0, "Never"), (1, "Never"), (2, "Never")]
    assert plain["Created"] == plain["Segments"][0]["Start"] == migrate_convert.epoch("2023-12-31T10:00:00Z")
    # What the definition answers here is what the source listed.
    weekly_now = statistic_definitions.Definitions(body).get("weekly")
    at = migrate_convert.epoch("2024-01-16T00:00:00Z")
    assert weekly_now.version_at(at) == 3
    assert [(v["Version"], v["ActivationTime"]) for v in weekly_now.versions(at, admin=True)] == [
        (v["Version"], iso(migrate_convert.epoch(v["ActivationTime"]))) for v in versions["weekly"]
    ]


def test_a_family_never_written_is_no_document_and_one_emptied_keeps_its_version():
    assert migrate_convert.data_body({"Data": {}, "DataVersion": 0}) is None
    assert migrate_convert.data_body({"Data": {}, "DataVersion": 4}) == {"DataVersion": 4, "Data": {}}
    internal = {"Data": {"k": {"Value": "v", "LastUpdated": "2024-01-01T00:00:00.000Z"}}, "DataVersion": 1}
    assert migrate_convert.data_body(internal) == {
        "DataVersion": 1,
        "Data": {"k": {"Value": "v", "Permission": "Private", "LastUpdated": "2024-01-01T00:00:00.000Z"}},
    }


class _Canned(PlayFabApi):
    """Answers every call from `answers` (by path; {} for the rest), as PlayFab shapes them."""

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        super().__init__("http://unused", "T1", "secret", cast(aiohttp.ClientSession, None))
        self.answers = answers

    async def secret(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.answers.get(path, {})

    async def entity(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.answers.get(path, {})


def test_a_profile_the_source_does_not_return_is_made_empty_and_said():
    player = {"Id": "0F1E2D3C4B5A6978", "Type": "title_player_account"}
    api = _Canned(
        {
            "/Server/GetUserAccountInfo": {
                "UserInfo": {
                    "PlayFabId": "A1B2C3D4E5F60718",
                    "Created": "2021-03-04T05:06:07Z",
                    "TitleInfo": {"TitlePlayerAccount": player},
                    "CustomIdInfo": {"CustomId": "c"},
                }
            },
            "/Server/GetAllUsersCharacters": {"Characters": [{"CharacterId": "C1"}]},
            # The caller may read the player's profile only: the character's is left out of the answer.
            "/Profile/GetProfiles": {
                "Profiles": [{"Entity": player, "Created": "2021-03-04T05:06:07Z", "VersionNumber": 2, "Objects": {}}]
            },
        }
    )
    title = migrate_title.Title(statistics={}, display_name_lookups=False)
    read = asyncio.run(migrate_player.read_player(api, title, "A1B2C3D4E5F60718"))
    assert read.unlisted_profiles == ["character C1"]
    profiles = {d["Partition"]: d["Body"] for d in read.record["Documents"] if d["Id"] == "profile"}
    created = migrate_convert.epoch("2021-03-04T05:06:07Z")
    assert profiles["character!C1"] == {"Created": created, "PlayFabId": read.playfab_id}
    summary = migrate.Summary(unlisted_profiles=read.unlisted_profiles)
    assert (
        "entity profiles the source did not return (made empty here, objects not copied): 1 (character C1)"
        in migrate.summary_text(summary, api)
    )
