"""The Azure Functions app (v2 programming model): one HTTP trigger per PlayFab endpoint, in blueprints.

Routes are PlayFab's exact paths (host.json sets routePrefix to ""). Functions-level auth is anonymous
because callers authenticate with PlayFab's own headers, checked by the core on every call. The triggers
come from the endpoint table (shared/endpoints.py); the catch-all for unknown paths is registered last.
"""

import azure.functions as func

from functions import endpoints, fallback

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in (endpoints.bp, fallback.bp):
    app.register_functions(blueprint)
