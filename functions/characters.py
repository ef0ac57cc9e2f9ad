"""Characters and their custom data."""

import azure.functions as func

from functions.serve import serve
from shared.data_api import OPERATIONS as ops

bp = func.Blueprint()


@bp.route(route="Client/GetCharacterData", methods=["POST"])
async def client_get_character_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetCharacterData"])


@bp.route(route="Client/UpdateCharacterData", methods=["POST"])
async def client_update_character_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/UpdateCharacterData"])


@bp.route(route="Client/GetCharacterReadOnlyData", methods=["POST"])
async def client_get_character_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetCharacterReadOnlyData"])


@bp.route(route="Client/GrantCharacterToUser", methods=["POST"])
async def client_grant_character_to_user(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GrantCharacterToUser"])


@bp.route(route="Client/GetAllUsersCharacters", methods=["POST"])
async def client_get_all_users_characters(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetAllUsersCharacters"])


@bp.route(route="Server/GetCharacterData", methods=["POST"])
async def server_get_character_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetCharacterData"])


@bp.route(route="Server/UpdateCharacterData", methods=["POST"])
async def server_update_character_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateCharacterData"])


@bp.route(route="Server/GetCharacterReadOnlyData", methods=["POST"])
async def server_get_character_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetCharacterReadOnlyData"])


@bp.route(route="Server/UpdateCharacterReadOnlyData", methods=["POST"])
async def server_update_character_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateCharacterReadOnlyData"])


@bp.route(route="Server/GetCharacterInternalData", methods=["POST"])
async def server_get_character_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetCharacterInternalData"])


@bp.route(route="Server/UpdateCharacterInternalData", methods=["POST"])
async def server_update_character_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateCharacterInternalData"])


@bp.route(route="Server/GrantCharacterToUser", methods=["POST"])
async def server_grant_character_to_user(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GrantCharacterToUser"])


@bp.route(route="Server/DeleteCharacterFromUser", methods=["POST"])
async def server_delete_character_from_user(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/DeleteCharacterFromUser"])


@bp.route(route="Server/GetAllUsersCharacters", methods=["POST"])
async def server_get_all_users_characters(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetAllUsersCharacters"])
