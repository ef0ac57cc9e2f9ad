"""The app's registered functions, read once per process, and the endpoint table as path -> Operation.

`app.get_functions()` may be called only once per app, so every test module takes it from here.
"""

from __future__ import annotations

from typing import Any

from function_app import app
from shared.endpoints import ENDPOINTS as TABLE
from shared.pipeline import Operation

FUNCTIONS = app.get_functions()
CATCH_ALL = "{*path}"

# "/Client/LoginWithCustomID" -> Operation, for every PlayFab endpoint the app serves.
ENDPOINTS: dict[str, Operation[Any]] = {endpoint.path: endpoint.operation for endpoint in TABLE}
# The same, without this project's own extensions (Admin/ext-...): the endpoints PlayFab documents.
PLAYFAB_ENDPOINTS: dict[str, Operation[Any]] = {e.path: e.operation for e in TABLE if not e.is_extension}
