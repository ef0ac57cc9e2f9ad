"""PlayFab errors as exceptions, and the HTTP status each one travels with."""

from __future__ import annotations

from shared.wire.error_codes import ERROR_CODES

# PlayFab only documents 400 and 429; the rest follow HTTP meaning (README, Compatibility notes).
_HTTP_STATUS: dict[str, int] = {
    "NotAuthenticated": 401,
    "InvalidSessionTicket": 401,
    "ExpiredAuthToken": 401,
    "EntityTokenMissing": 401,
    "EntityTokenInvalid": 401,
    "EntityTokenExpired": 401,
    "EntityTokenRevoked": 401,
    "NotAuthorized": 401,
    "InvalidAPIEndpoint": 404,
    "BodyTooLarge": 413,
    "APIClientRequestRateLimitExceeded": 429,
    "DatabaseThroughputExceeded": 429,
    "InternalServerError": 500,
    "ServiceUnavailable": 503,
}

STATUS_TEXT: dict[int, str] = {
    200: "OK",
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    408: "RequestTimeout",
    413: "RequestEntityTooLarge",
    429: "TooManyRequests",
    431: "RequestHeaderFieldsTooLarge",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


class PlayFabError(Exception):
    """An error that goes to the caller in PlayFab's envelope.

    `name` must be one of PlayFab's error names; its number comes from the generated table.
    """

    def __init__(
        self,
        name: str,
        message: str,
        details: dict[str, list[str]] | None = None,
        *,
        http_status: int | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.error_code = ERROR_CODES[name]
        self.message = message
        self.details = details
        self.http_status = http_status or _HTTP_STATUS.get(name, 400)
        self.retry_after_seconds = retry_after_seconds


def invalid_params(field: str, message: str) -> PlayFabError:
    return PlayFabError("InvalidParams", "Invalid input parameters", {field: [message]})
