"""The only place that knows both Azure Functions' request type and the core's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import azure.functions as func

from shared.auth import client_address
from shared.pipeline import HttpRequest, HttpResponse, Operation, handle, not_found


def _core_request(req: func.HttpRequest) -> HttpRequest:
    return HttpRequest(
        method=req.method.upper(),
        path=urlsplit(req.url).path,
        headers={name.lower(): value for name, value in req.headers.items()},
        body=req.get_body() or b"",
        peer=client_address.PEER.get(),
    )


def _functions_response(resp: HttpResponse) -> func.HttpResponse:
    return func.HttpResponse(resp.body, status_code=resp.status, headers=resp.headers)


async def serve(req: func.HttpRequest, op: Operation[Any]) -> func.HttpResponse:
    return _functions_response(await handle(op, _core_request(req)))


def serve_not_found(req: func.HttpRequest) -> func.HttpResponse:
    return _functions_response(not_found(_core_request(req)))


async def serve_page(
    req: func.HttpRequest, page: Callable[[HttpRequest], Awaitable[HttpResponse]]
) -> func.HttpResponse:
    """A page of the app's own (not a PlayFab endpoint), which also reads the URL's query string."""
    core = _core_request(req)
    core.query = urlsplit(req.url).query
    return _functions_response(await page(core))
