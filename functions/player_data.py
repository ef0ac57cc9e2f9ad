"""Player custom data: user, read-only, internal and publisher data on the Client, Server and Admin APIs."""

import azure.functions as func

from functions.serve import serve
from shared.data_api import OPERATIONS as ops

bp = func.Blueprint()


@bp.route(route="Client/GetUserData", methods=["POST"])
async def client_get_user_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetUserData"])


@bp.route(route="Client/UpdateUserData", methods=["POST"])
async def client_update_user_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/UpdateUserData"])


@bp.route(route="Client/GetUserReadOnlyData", methods=["POST"])
async def client_get_user_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetUserReadOnlyData"])


@bp.route(route="Client/GetUserPublisherData", methods=["POST"])
async def client_get_user_publisher_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetUserPublisherData"])


@bp.route(route="Client/UpdateUserPublisherData", methods=["POST"])
async def client_update_user_publisher_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/UpdateUserPublisherData"])


@bp.route(route="Client/GetUserPublisherReadOnlyData", methods=["POST"])
async def client_get_user_publisher_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Client/GetUserPublisherReadOnlyData"])


@bp.route(route="Server/GetUserData", methods=["POST"])
async def server_get_user_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetUserData"])


@bp.route(route="Server/UpdateUserData", methods=["POST"])
async def server_update_user_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateUserData"])


@bp.route(route="Server/GetUserReadOnlyData", methods=["POST"])
async def server_get_user_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetUserReadOnlyData"])


@bp.route(route="Server/UpdateUserReadOnlyData", methods=["POST"])
async def server_update_user_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateUserReadOnlyData"])


@bp.route(route="Server/GetUserInternalData", methods=["POST"])
async def server_get_user_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetUserInternalData"])


@bp.route(route="Server/UpdateUserInternalData", methods=["POST"])
async def server_update_user_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateUserInternalData"])


@bp.route(route="Server/GetUserPublisherData", methods=["POST"])
async def server_get_user_publisher_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetUserPublisherData"])


@bp.route(route="Server/UpdateUserPublisherData", methods=["POST"])
async def server_update_user_publisher_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateUserPublisherData"])


@bp.route(route="Server/GetUserPublisherReadOnlyData", methods=["POST"])
async def server_get_user_publisher_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetUserPublisherReadOnlyData"])


@bp.route(route="Server/UpdateUserPublisherReadOnlyData", methods=["POST"])
async def server_update_user_publisher_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateUserPublisherReadOnlyData"])


@bp.route(route="Server/GetUserPublisherInternalData", methods=["POST"])
async def server_get_user_publisher_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/GetUserPublisherInternalData"])


@bp.route(route="Server/UpdateUserPublisherInternalData", methods=["POST"])
async def server_update_user_publisher_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Server/UpdateUserPublisherInternalData"])


@bp.route(route="{api:regex(^Admin$)}/GetUserData", methods=["POST"])
async def admin_get_user_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/GetUserData"])


@bp.route(route="{api:regex(^Admin$)}/UpdateUserData", methods=["POST"])
async def admin_update_user_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/UpdateUserData"])


@bp.route(route="{api:regex(^Admin$)}/GetUserReadOnlyData", methods=["POST"])
async def admin_get_user_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/GetUserReadOnlyData"])


@bp.route(route="{api:regex(^Admin$)}/UpdateUserReadOnlyData", methods=["POST"])
async def admin_update_user_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/UpdateUserReadOnlyData"])


@bp.route(route="{api:regex(^Admin$)}/GetUserInternalData", methods=["POST"])
async def admin_get_user_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/GetUserInternalData"])


@bp.route(route="{api:regex(^Admin$)}/UpdateUserInternalData", methods=["POST"])
async def admin_update_user_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/UpdateUserInternalData"])


@bp.route(route="{api:regex(^Admin$)}/GetUserPublisherData", methods=["POST"])
async def admin_get_user_publisher_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/GetUserPublisherData"])


@bp.route(route="{api:regex(^Admin$)}/UpdateUserPublisherData", methods=["POST"])
async def admin_update_user_publisher_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/UpdateUserPublisherData"])


@bp.route(route="{api:regex(^Admin$)}/GetUserPublisherReadOnlyData", methods=["POST"])
async def admin_get_user_publisher_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/GetUserPublisherReadOnlyData"])


@bp.route(route="{api:regex(^Admin$)}/UpdateUserPublisherReadOnlyData", methods=["POST"])
async def admin_update_user_publisher_read_only_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/UpdateUserPublisherReadOnlyData"])


@bp.route(route="{api:regex(^Admin$)}/GetUserPublisherInternalData", methods=["POST"])
async def admin_get_user_publisher_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/GetUserPublisherInternalData"])


@bp.route(route="{api:regex(^Admin$)}/UpdateUserPublisherInternalData", methods=["POST"])
async def admin_update_user_publisher_internal_data(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, ops["Admin/UpdateUserPublisherInternalData"])
