"""Links, unlinks and display-name changes are rate limited per player, each kind on its own budget.

A refused call claims, releases and renames nothing; the title's calls count only with RATE_LIMITS=all.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from shared.config.rate_windows import DEFAULTS, DISPLAY_NAMES, LINKS
from tests.support.credentials import Player, login
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server

KEY = {"X-SecretKey": SECRET_KEY}


def _post(server: Server, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return httpx.post(server.url + path, json=body, headers=headers, timeout=30).json()


def _mine(player: Player) -> dict[str, str]:
    return {"X-Authorization": player.ticket}


def _throttled(answer: dict[str, Any]) -> bool:
    return (answer["code"], answer["error"], answer["errorCode"]) == (429, "APIClientRequestRateLimitExceeded", 1199)


def _logs_in(server: Server, field: str, path: str, value: str) -> str | None:
    """The PlayFabId a login with this identity finds, if any (CreateAccount false)."""
    answer = _post(server, path, {"TitleId": TITLE_ID, field: value, "CreateAccount": False}, {})
    return answer["data"]["PlayFabId"] if answer["code"] == 200 else None


def test_the_defaults_give_a_burst_then_a_few_an_hour():
    for limit in (LINKS, DISPLAY_NAMES):
        assert [(w.calls, w.seconds) for w in DEFAULTS[limit]] == [(5, 15), (30, 300), (60, 3600)]


def test_links_and_unlinks_share_one_budget_and_a_refused_link_claims_nothing(tmp_path: Path):
    with running_server(tmp_path, RATE_LIMITS="client", RATE_LIMIT_LINKS="4/3600") as server:
        player, other = login(server), login(server)
        android, ios, fresh = (f"device-{uuid.uuid4()}" for _ in range(3))
        assert _post(server, "/Client/LinkAndroidDeviceID", {"AndroidDeviceId": android}, _mine(player))["code"] == 200
        assert _post(server, "/Client/LinkIOSDeviceID", {"DeviceId": ios}, _mine(player))["code"] == 200
        assert (
            _post(server, "/Client/UnlinkAndroidDeviceID", {"AndroidDeviceId": android}, _mine(player))["code"] == 200
        )
        # A failing call counts too, once it is valid and authorised.
        unknown = {"DeviceId": f"ios-{uuid.uuid4()}"}
        assert _post(server, "/Client/UnlinkIOSDeviceID", unknown, _mine(player))["error"] == "AccountNotLinked"

        refused_link = _post(server, "/Client/LinkAndroidDeviceID", {"AndroidDeviceId": fresh}, _mine(player))
        assert _throttled(refused_link)
        assert _logs_in(server, "AndroidDeviceId", "/Client/LoginWithAndroidDeviceID", fresh) is None
        refused_unlink = _post(server, "/Client/UnlinkIOSDeviceID", {"DeviceId": ios}, _mine(player))
        assert _throttled(refused_unlink)
        assert _logs_in(server, "DeviceId", "/Client/LoginWithIOSDeviceID", ios) == player.playfab_id
        assert _throttled(_post(server, "/Client/LinkCustomID", {"CustomId": f"c-{uuid.uuid4()}"}, _mine(player)))

        # Another player has its own budget; renames have theirs; the title is not limited by default.
        assert _post(server, "/Client/LinkAndroidDeviceID", {"AndroidDeviceId": fresh}, _mine(other))["code"] == 200
        rename = {"DisplayName": f"n{uuid.uuid4().hex[:12]}"}
        assert _post(server, "/Client/UpdateUserTitleDisplayName", rename, _mine(player))["code"] == 200
        for n in range(3):
            body = {"PlayFabId": player.playfab_id, "ServerCustomId": f"server-{n}-{uuid.uuid4()}"}
            assert _post(server, "/Server/LinkServerCustomId", body, KEY)["code"] == 200
            assert _post(server, "/Server/UnlinkServerCustomId", body, KEY)["code"] == 200


def test_renames_are_limited_and_a_refused_one_keeps_the_name(tmp_path: Path):
    with running_server(tmp_path, RATE_LIMITS="client", RATE_LIMIT_DISPLAY_NAMES="2/3600") as server:
        player = login(server)
        names = [f"n{uuid.uuid4().hex[:12]}" for _ in range(3)]
        for name in names[:2]:
            assert (
                _post(server, "/Client/UpdateUserTitleDisplayName", {"DisplayName": name}, _mine(player))["code"] == 200
            )
        refused = _post(server, "/Client/UpdateUserTitleDisplayName", {"DisplayName": names[2]}, _mine(player))
        assert _throttled(refused)
        info = _post(server, "/Server/GetUserAccountInfo", {"PlayFabId": player.playfab_id}, KEY)
        assert info["data"]["UserInfo"]["TitleInfo"]["DisplayName"] == names[1]
        # The name it asked for was not claimed: another player takes it.
        other = login(server)
        assert (
            _post(server, "/Client/UpdateUserTitleDisplayName", {"DisplayName": names[2]}, _mine(other))["code"] == 200
        )
        # The title renames the player without limit under RATE_LIMITS=client.
        for n in range(3):
            body = {"PlayFabId": player.playfab_id, "DisplayName": f"t{n}{uuid.uuid4().hex[:10]}"}
            assert _post(server, "/Admin/UpdateUserTitleDisplayName", body, KEY)["code"] == 200


def test_with_all_the_titles_links_and_renames_draw_on_the_players_budgets(tmp_path: Path):
    limits = {"RATE_LIMITS": "all", "RATE_LIMIT_LINKS": "2/3600", "RATE_LIMIT_DISPLAY_NAMES": "1/3600"}
    with running_server(tmp_path, **limits) as server:
        player = login(server)
        server_id = f"server-{uuid.uuid4()}"
        link = {"PlayFabId": player.playfab_id, "ServerCustomId": server_id}
        assert _post(server, "/Server/LinkServerCustomId", link, KEY)["code"] == 200
        assert _post(server, "/Server/UnlinkServerCustomId", link, KEY)["code"] == 200
        assert _throttled(_post(server, "/Server/LinkServerCustomId", link, KEY))
        # The refused link claimed nothing: the id logs no one in.
        login_body = {"ServerCustomId": server_id, "CreateAccount": False}
        assert _post(server, "/Server/LoginWithServerCustomId", login_body, KEY)["code"] != 200
        # The player's own link draws on the same budget.
        assert _throttled(_post(server, "/Client/LinkCustomID", {"CustomId": f"c-{uuid.uuid4()}"}, _mine(player)))
        rename = {"PlayFabId": player.playfab_id, "DisplayName": f"n{uuid.uuid4().hex[:12]}"}
        assert _post(server, "/Admin/UpdateUserTitleDisplayName", rename, KEY)["code"] == 200
        assert _throttled(
            _post(server, "/Client/UpdateUserTitleDisplayName", {"DisplayName": "another"}, _mine(player))
        )
        # Each player has its own budgets.
        other = login(server)
        other_link = {"PlayFabId": other.playfab_id, "ServerCustomId": f"server-{uuid.uuid4()}"}
        assert _post(server, "/Server/LinkServerCustomId", other_link, KEY)["code"] == 200
