"""The custom-data and character endpoints: exactly PlayFab's set, each one an endpoint of the table."""

from __future__ import annotations

from shared.auth.caller import Auth
from shared.endpoints import BY_PATH
from shared.features.data_api import OPERATIONS

USER_DATA = ["User", "UserReadOnly", "UserInternal", "UserPublisher", "UserPublisherReadOnly", "UserPublisherInternal"]
CHARACTER_DATA = ["Character", "CharacterReadOnly", "CharacterInternal"]

# From PlayFab's API specs: which of these calls each API has.
EXPECTED = {
    "Client/GetUserData",
    "Client/UpdateUserData",
    "Client/GetUserReadOnlyData",
    "Client/GetUserPublisherData",
    "Client/UpdateUserPublisherData",
    "Client/GetUserPublisherReadOnlyData",
    "Client/GetCharacterData",
    "Client/UpdateCharacterData",
    "Client/GetCharacterReadOnlyData",
    "Client/GrantCharacterToUser",
    "Client/GetAllUsersCharacters",
    "Server/GrantCharacterToUser",
    "Server/GetAllUsersCharacters",
    "Server/DeleteCharacterFromUser",
    *(f"Server/{verb}{name}Data" for verb in ("Get", "Update") for name in USER_DATA + CHARACTER_DATA),
    *(f"Admin/{verb}{name}Data" for verb in ("Get", "Update") for name in USER_DATA),
}


def test_the_operations_are_exactly_playfabs_endpoints():
    assert len(EXPECTED) == 44
    assert set(OPERATIONS) == EXPECTED


def test_client_endpoints_take_a_session_ticket_and_the_others_the_secret_key():
    for route, op in OPERATIONS.items():
        assert op.auth is (Auth.SESSION if route.startswith("Client/") else Auth.SECRET), route


def test_every_operation_is_an_endpoint_of_the_table():
    """The triggers come from the endpoint table (tests/hosts/test_function_app.py holds them to it)."""
    assert {path: e.operation for path, e in BY_PATH.items() if path[1:] in OPERATIONS} == {
        f"/{route}": op for route, op in OPERATIONS.items()
    }
