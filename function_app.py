"""The Azure Functions app (v2 programming model): one HTTP trigger per PlayFab endpoint, in blueprints.

Routes are PlayFab's exact paths (host.json sets routePrefix to ""). Functions-level auth is anonymous
because callers authenticate with PlayFab's own headers, checked by the core on every call. The triggers
come from the endpoint table (shared/endpoints.py); the password-reset page (functions/reset_page.py)
and the studio's console (functions/console_page.py) have their own; the catch-all for unknown paths
is registered last.
"""

import azure.functions as func

from functions import console_page, endpoints, fallback, reset_page

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in (endpoints.bp, reset_page.bp, console_page.bp, fallback.bp):
    app.register_functions(blueprint)
