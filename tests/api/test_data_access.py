"""Who may read, write and see what: the cross-player permission matrix, read-only and internal boundaries, keys."""

from __future__ import annotations

import playfab.PlayFabSettings as settings
import pytest

from shared.features.data_families import FAMILIES, Family, Scope
from tests.support.data_calls import assert_error, call, error_of, grant_character, reader_routes, target
from tests.support.players import new_player
from tests.support.server import SECRET_KEY

READABLE_BY_CLIENTS = [f for f in FAMILIES if f.client_reads]
BOTH = {"pub", "priv"}


def _seed(fam: Family, playfab_id: str, character: str | None) -> None:
    """The title writes one Public and one Private key."""
    route = f"Server/Update{fam.api_name}Data"
    fields = target(fam, route, playfab_id, character)
    call(route, {**fields, "Data": {"pub": "1"}, "Permission": "Public"})
    call(route, {**fields, "Data": {"priv": "2"}, "Permission": "Private"})


@pytest.mark.parametrize("fam", READABLE_BY_CLIENTS, ids=lambda f: f.api_name)
def test_permission_matrix(pf, fam: Family):
    owner, stranger = new_player(), new_player()
    character = grant_character(owner.playfab_id) if fam.scope is Scope.CHARACTER else None
    _seed(fam, owner.playfab_id, character)
    client_route = f"Client/Get{fam.api_name}Data"
    extra = {"CharacterId": character} if character else {}

    owner.use()
    assert set(call(client_route, extra)["Data"]) == BOTH  # self, PlayFabId omitted
    assert set(call(client_route, {**extra, "PlayFabId": owner.playfab_id})["Data"]) == BOTH

    stranger.use()
    seen = call(client_route, {**extra, "PlayFabId": owner.playfab_id})
    assert set(seen["Data"]) == {"pub"} and seen["DataVersion"] == 2
    assert set(call(client_route, {**extra, "PlayFabId": owner.playfab_id, "Keys": ["priv"]})["Data"]) == set()

    for route in reader_routes(fam):
        if not route.startswith("Client/"):
            assert set(call(route, target(fam, route, owner.playfab_id, character))["Data"]) == BOTH, route


@pytest.mark.parametrize("fam", [f for f in FAMILIES if not f.client_reads], ids=lambda f: f.api_name)
def test_internal_data_is_only_for_the_title(pf, fam: Family):
    owner = new_player()
    character = grant_character(owner.playfab_id) if fam.scope is Scope.CHARACTER else None
    _seed(fam, owner.playfab_id, character)
    for route in reader_routes(fam):
        assert set(call(route, target(fam, route, owner.playfab_id, character))["Data"]) == BOTH
    owner.use()
    extra = {"CharacterId": character} if character else {}
    for sibling in READABLE_BY_CLIENTS:  # nothing internal leaks through any client read
        if sibling.scope is fam.scope:
            assert not {"pub", "priv"} & set(call(f"Client/Get{sibling.api_name}Data", extra)["Data"])


CLIENT_ROUTES_THAT_DO_NOT_EXIST = [
    "Client/UpdateUserReadOnlyData",
    "Client/UpdateUserInternalData",
    "Client/GetUserInternalData",
    "Client/UpdateUserPublisherReadOnlyData",
    "Client/UpdateUserPublisherInternalData",
    "Client/GetUserPublisherInternalData",
    "Client/UpdateCharacterReadOnlyData",
    "Client/UpdateCharacterInternalData",
    "Client/GetCharacterInternalData",
    "Admin/GetCharacterData",
    "Admin/UpdateCharacterData",
]


@pytest.mark.parametrize("route", CLIENT_ROUTES_THAT_DO_NOT_EXIST)
def test_clients_have_no_way_to_write_read_only_or_reach_internal_data(pf, route):
    player = new_player()
    resp = pf.post("/" + route, {"Data": {"k": "v"}}, {"X-Authorization": player.ticket})
    assert resp.status_code == 404
    assert_error(resp.json(), 404, "InvalidAPIEndpoint", 1131)


@pytest.mark.parametrize("route", ["Server/UpdateUserReadOnlyData", "Admin/GetUserInternalData"])
def test_a_session_ticket_does_not_open_title_apis(pf, route):
    player = new_player()
    resp = pf.post("/" + route, {"PlayFabId": player.playfab_id}, {"X-Authorization": player.ticket})
    assert_error(resp.json(), 401, "NotAuthenticated", 1074)
    assert resp.status_code == 401


def test_missing_secret_key_is_not_authenticated(pf):
    player = new_player()
    resp = pf.post("/Server/GetUserData", {"PlayFabId": player.playfab_id})
    assert resp.status_code == 401
    assert_error(resp.json(), 401, "NotAuthenticated", 1074)


def test_wrong_secret_key_is_not_authorized(pf):
    player = new_player()
    settings.DeveloperSecretKey = "not-the-title-secret-key"
    err = error_of("Server/UpdateUserData", {"PlayFabId": player.playfab_id, "Data": {"k": "v"}})
    assert_error(err, 401, "NotAuthorized", 1089)
    settings.DeveloperSecretKey = SECRET_KEY
    assert call("Server/GetUserData", {"PlayFabId": player.playfab_id})["DataVersion"] == 0


def test_client_calls_need_a_session_ticket(pf):
    resp = pf.post("/Client/GetUserData", {})
    assert_error(resp.json(), 401, "NotAuthenticated", 1074)
    resp = pf.post("/Client/UpdateUserData", {"Data": {"k": "v"}}, {"X-Authorization": "forged.ticket"})
    assert_error(resp.json(), 401, "InvalidSessionTicket", 1100)
