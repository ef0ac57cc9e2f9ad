"""The password-reset page recovery emails link to: GET (the form) and POST (the submit), under the route prefix.

Not a PlayFab endpoint, so not a row of the endpoint table; its rules are in shared/features/reset_page.py.
"""

import azure.functions as func

from functions.serve import serve_page
from shared.features.recovery import RESET_PAGE_ROUTE
from shared.features.reset_page import serve_reset_page

bp = func.Blueprint()


@bp.route(route=RESET_PAGE_ROUTE, methods=["GET", "POST"])
async def reset_password_page(req: func.HttpRequest) -> func.HttpResponse:
    return await serve_page(req, serve_reset_page)
