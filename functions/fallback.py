"""Any path or method PlayFab does not have: a PlayFab-shaped error instead of the host's bare 404."""

import azure.functions as func

from functions.serve import serve_not_found

bp = func.Blueprint()

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@bp.route(route="{*path}", methods=ALL_METHODS)
def unknown_endpoint(req: func.HttpRequest) -> func.HttpResponse:
    return serve_not_found(req)
