"""Shared groups: membership and group data."""

import azure.functions as func

from functions.serve import serve
from shared import shared_groups as groups

bp = func.Blueprint()


@bp.route(route="Client/CreateSharedGroup", methods=["POST"])
async def client_create_shared_group(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.client_create)


@bp.route(route="Server/CreateSharedGroup", methods=["POST"])
async def server_create_shared_group(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.server_create)


@bp.route(route="Client/AddSharedGroupMembers", methods=["POST"])
async def client_add_shared_group_members(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.client_add_members)


@bp.route(route="Server/AddSharedGroupMembers", methods=["POST"])
async def server_add_shared_group_members(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.server_add_members)


@bp.route(route="Client/RemoveSharedGroupMembers", methods=["POST"])
async def client_remove_shared_group_members(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.client_remove_members)


@bp.route(route="Server/RemoveSharedGroupMembers", methods=["POST"])
async def server_remove_shared_group_members(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.server_remove_members)


@bp.route(route="Client/GetSharedGroupData", methods=["POST"])
async def client_get_shared_group_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.client_get_data)


@bp.route(route="Server/GetSharedGroupData", methods=["POST"])
async def server_get_shared_group_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.server_get_data)


@bp.route(route="Client/UpdateSharedGroupData", methods=["POST"])
async def client_update_shared_group_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.client_update_data)


@bp.route(route="Server/UpdateSharedGroupData", methods=["POST"])
async def server_update_shared_group_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.server_update_data)


@bp.route(route="Server/DeleteSharedGroup", methods=["POST"])
async def server_delete_shared_group(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, groups.delete_group)
