"""The studio's web console: GET `console/` and its static files, under the route prefix.

Not a PlayFab endpoint, so not a row of the endpoint table; which files exist and the headers they
carry are in shared/features/console_files.py.
"""

import azure.functions as func

from functions.serve import serve_page
from shared.features.console_files import CONSOLE_ROUTE, serve_console

bp = func.Blueprint()


@bp.route(route=CONSOLE_ROUTE + "/{*path}", methods=["GET"])
async def console_page(req: func.HttpRequest) -> func.HttpResponse:
    return await serve_page(req, lambda core: serve_console(core, req.route_params.get("path")))
