"""A small title with something in every place an export reaches, written through a host's API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.features.data_families import FAMILIES, Scope
from tests.support.server import SECRET_KEY, TITLE_ID

SCORE = "ops_score"
LEVEL = "ops_level"


@dataclass
class SeededTitle:
    custom_ids: dict[str, str] = field(default_factory=dict)  # PlayFabId -> custom id
    characters: dict[str, str] = field(default_factory=dict)  # CharacterId -> owner's PlayFabId
    groups: list[str] = field(default_factory=list)
    password_player: str = ""


class Api:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=60, verify=False)

    def call(self, route: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
        sent = headers or {"X-SecretKey": SECRET_KEY}
        answer = self.http.post(f"{self.url}/{route}", json=body, headers=sent).json()
        assert answer["code"] == 200, (route, answer)
        data: dict[str, Any] = answer["data"]
        return data

    def login(self, custom_id: str) -> dict[str, Any]:
        return self.call(
            "Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
        )


def seed_title(url: str, players: int = 3) -> SeededTitle:
    api = Api(url)
    seeded = SeededTitle()
    api.call("Admin/CreatePlayerStatisticDefinition", {"StatisticName": SCORE, "AggregationMethod": "Max"})
    api.call("Admin/SetTitleData", {"Key": "motd", "Value": "hello"})
    api.call("Admin/SetTitleInternalData", {"Key": "seed", "Value": "42"})
    tag = uuid.uuid4().hex[:8]
    logins = []
    for number in range(players):
        custom_id = f"ops-{tag}-{number}"
        login = api.login(custom_id)
        logins.append(login)
        playfab_id = login["PlayFabId"]
        seeded.custom_ids[playfab_id] = custom_id
        for family in FAMILIES:
            if family.scope is Scope.PLAYER:
                for version in range(2):  # two writes: DataVersion 2
                    data = {"k": f"{family.kind}-{number}-{version}", "n": str(number)}
                    api.call(f"Server/Update{family.api_name}Data", {"PlayFabId": playfab_id, "Data": data})
        character = api.call(
            "Server/GrantCharacterToUser",
            {"PlayFabId": playfab_id, "CharacterName": f"Hero{number}", "CharacterType": "Knight"},
        )["CharacterId"]
        seeded.characters[character] = playfab_id
        for family in FAMILIES:
            if family.scope is Scope.CHARACTER:
                body = {"PlayFabId": playfab_id, "CharacterId": character, "Data": {"c": f"{family.kind}-{number}"}}
                api.call(f"Server/Update{family.api_name}Data", body)
        stats = [{"StatisticName": SCORE, "Value": 100 + number}, {"StatisticName": LEVEL, "Value": number}]
        api.call("Server/UpdatePlayerStatistics", {"PlayFabId": playfab_id, "Statistics": stats})
        api.call(
            "Server/UpdateCharacterStatistics",
            {"PlayFabId": playfab_id, "CharacterId": character, "CharacterStatistics": {"power": 10 * number}},
        )
        api.call(
            "Server/UpdatePlayerCustomProperties",
            {"PlayFabId": playfab_id, "Properties": [{"Name": "tier", "Value": number}]},
        )
        entity = login["EntityToken"]
        api.call(
            "Object/SetObjects",
            {"Entity": entity["Entity"], "Objects": [{"ObjectName": "save", "DataObject": {"slot": number}}]},
            **{"X-EntityToken": entity["EntityToken"]},
        )
    title = api.call("Authentication/GetEntityToken", {})  # the title's own token reaches every entity
    as_title = {"X-EntityToken": title["EntityToken"]}
    for character in seeded.characters:
        entity = {"Id": character, "Type": "character"}
        api.call(
            "Object/SetObjects",
            {"Entity": entity, "Objects": [{"ObjectName": "gear", "DataObject": {"sword": 1}}]},
            **as_title,
        )
    api.call(
        "Object/SetObjects",
        {"Entity": title["Entity"], "Objects": [{"ObjectName": "season", "DataObject": {"n": 3}}]},
        **as_title,
    )
    owner = logins[0]
    group = api.call("Client/CreateSharedGroup", {}, **{"X-Authorization": owner["SessionTicket"]})["SharedGroupId"]
    api.call("Server/AddSharedGroupMembers", {"SharedGroupId": group, "PlayFabIds": [logins[1]["PlayFabId"]]})
    api.call("Server/UpdateSharedGroupData", {"SharedGroupId": group, "Data": {"raid": "tuesday"}})
    empty = f"ops-group-{tag}"
    api.call("Server/CreateSharedGroup", {"SharedGroupId": empty})
    seeded.groups = [group, empty]
    password_player = logins[-1]
    api.call(
        "Client/AddUsernamePassword",
        {"Username": f"ops{tag}", "Email": f"ops{tag}@players.example", "Password": "a-long-password-1"},
        **{"X-Authorization": password_player["SessionTicket"]},
    )
    seeded.password_player = password_player["PlayFabId"]
    return seeded
