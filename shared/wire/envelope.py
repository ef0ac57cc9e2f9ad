"""PlayFab's response envelopes: one success shape, one error shape."""

from __future__ import annotations

from typing import Any

from shared.wire.errors import STATUS_TEXT, PlayFabError


def success_body(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": 200, "status": "OK", "data": data}


def error_body(err: PlayFabError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": err.http_status,
        "status": STATUS_TEXT.get(err.http_status, "BadRequest"),
        "error": err.name,
        "errorCode": err.error_code,
        "errorMessage": err.message,
    }
    if err.details:
        body["errorDetails"] = err.details
    if err.retry_after_seconds is not None:
        body["retryAfterSeconds"] = err.retry_after_seconds
    return body
