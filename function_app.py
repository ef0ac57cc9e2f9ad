"""The Azure Functions app (v2 programming model): one HTTP trigger per PlayFab endpoint, in blueprints.

Routes are PlayFab's exact paths (host.json sets routePrefix to ""). Functions-level auth is anonymous
because callers authenticate with PlayFab's own headers, checked by the core on every call.
"""

import azure.functions as func

from functions import characters, fallback, identity, objects, player_data, shared_groups

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in (identity.bp, player_data.bp, characters.bp, objects.bp, shared_groups.bp, fallback.bp):
    app.register_functions(blueprint)
