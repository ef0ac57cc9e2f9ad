"""The custom-data and character endpoints: exactly PlayFab's set, each trigger serving its own operation."""

from __future__ import annotations

import ast

import pytest

from shared.caller import Auth
from shared.data_api import OPERATIONS
from tests.server import REPO
from tests.test_function_app import ADMIN_TEMPLATE

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


@pytest.mark.parametrize("module", ["player_data.py", "characters.py"])
def test_each_trigger_serves_the_operation_of_its_own_route(module):
    tree = ast.parse((REPO / "functions" / module).read_text(encoding="utf-8"))
    triggers = [node for node in tree.body if isinstance(node, ast.AsyncFunctionDef)]
    assert triggers
    for node in triggers:
        (decorator,) = node.decorator_list
        assert isinstance(decorator, ast.Call)
        route = next(k.value for k in decorator.keywords if k.arg == "route")
        served = node.body[0].value.value.args[1]  # return await serve(req, ops["<route>"])
        assert isinstance(route, ast.Constant) and isinstance(served, ast.Subscript)
        path = route.value.replace(ADMIN_TEMPLATE, "Admin")
        assert isinstance(served.slice, ast.Constant) and served.slice.value == path, node.name


def test_every_operation_has_a_trigger():
    routes = set()
    for module in ("player_data.py", "characters.py"):
        text = (REPO / "functions" / module).read_text(encoding="utf-8")
        routes |= {
            line.split('"')[1].replace(ADMIN_TEMPLATE, "Admin")
            for line in text.splitlines()
            if line.startswith("@bp.route(")
        }
    assert routes == set(OPERATIONS)
