"""ops/migrate's conversions of answers shaped as real PlayFab gives them (fields this project never sends)."""

from __future__ import annotations

from ops import migrate
from shared.config.clock import iso


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
    account = migrate.account_body(info)
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
    assert migrate.unkept_identities(info) == ["OpenIdInfo", "SteamInfo"]


def test_times_keep_their_milliseconds_whatever_digits_they_come_with():
    for text, expected in (
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z"),
        ("2024-05-01T12:00:00.1Z", "2024-05-01T12:00:00.100Z"),
        ("2024-05-01T12:00:00.9999999Z", "2024-05-01T12:00:01.000Z"),
        ("2024-05-01T12:00:00.123", "2024-05-01T12:00:00.123Z"),
    ):
        assert iso(migrate.epoch(text)) == expected, text


def test_statistic_definitions_follow_the_versions_the_source_lists():
    definitions = [
        {"StatisticName": "weekly", "CurrentVersion": 2, "AggregationMethod": "Sum", "VersionChangeInterval": "Week"},
        {"StatisticName": "plain", "CurrentVersion": 0},
    ]
    versions = {
        "weekly": [
            {"StatisticName": "weekly", "Version": v, "ActivationTime": f"2024-01-0{1 + 7 * v}T00:00:00Z"}
            if v == 0
            else {"StatisticName": "weekly", "Version": v, "ActivationTime": f"2024-01-{1 + 7 * v:02d}T00:00:00Z"}
            for v in range(3)
        ],
        "plain": [{"StatisticName": "plain", "Version": 0, "ActivationTime": "2023-12-31T10:00:00Z"}],
    }
    body = migrate.definitions_body(definitions, versions)
    assert list(body["Statistics"]) == ["weekly", "plain"]
    weekly = body["Statistics"]["weekly"]
    assert weekly["AggregationMethod"] == "Sum" and weekly["StatisticId"] == 1
    assert [(s["Version"], s["Interval"]) for s in weekly["Segments"]] == [(0, "Never"), (1, "Never"), (2, "Week")]
    assert body["Statistics"]["plain"]["Segments"] == [{"Start": 1704016800.0, "Version": 0, "Interval": "Never"}]
    assert body["LastId"] == 2


def test_a_family_never_written_is_no_document_and_one_emptied_keeps_its_version():
    assert migrate.data_body({"Data": {}, "DataVersion": 0}) is None
    assert migrate.data_body({"Data": {}, "DataVersion": 4}) == {"DataVersion": 4, "Data": {}}
    internal = {"Data": {"k": {"Value": "v", "LastUpdated": "2024-01-01T00:00:00.000Z"}}, "DataVersion": 1}
    assert migrate.data_body(internal) == {
        "DataVersion": 1,
        "Data": {"k": {"Value": "v", "Permission": "Private", "LastUpdated": "2024-01-01T00:00:00.000Z"}},
    }
