"""One HTTP trigger per row of the endpoint table (shared/endpoints.py), each its own function to the host."""

from collections.abc import Awaitable, Callable
from typing import Any

import azure.functions as func

from functions.serve import serve
from shared.endpoints import ENDPOINTS, Endpoint
from shared.pipeline import Operation

bp = func.Blueprint()

Trigger = Callable[[func.HttpRequest], Awaitable[func.HttpResponse]]


def _trigger(name: str, op: Operation[Any]) -> Trigger:
    async def trigger(req: func.HttpRequest) -> func.HttpResponse:
        return await serve(req, op)

    # The Functions host knows a function by its Python name (FunctionBuilder reads __name__).
    trigger.__name__ = trigger.__qualname__ = name
    # The local host finds the operation here and hands it the core's request itself (local_host/asgi.py),
    # skipping the Functions request and response objects that `serve` converts from and to.
    trigger.operation = op  # type: ignore[attr-defined]
    return trigger


def _register(endpoint: Endpoint) -> None:
    # PlayFab's APIs take POST only; any other method falls through to the catch-all's 404.
    bp.route(route=endpoint.route, methods=["POST"])(_trigger(endpoint.function_name, endpoint.operation))


for _endpoint in ENDPOINTS:
    _register(_endpoint)
