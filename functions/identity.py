"""Login and entity tokens."""

import azure.functions as func

from functions.serve import serve
from shared import identity

bp = func.Blueprint()


@bp.route(route="Client/LoginWithCustomID", methods=["POST"])
async def client_login_with_custom_id(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, identity.login_with_custom_id)


@bp.route(route="Authentication/GetEntityToken", methods=["POST"])
async def authentication_get_entity_token(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, identity.get_entity_token)
