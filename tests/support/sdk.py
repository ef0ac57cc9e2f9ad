"""The official Python SDK (`playfab` on PyPI), pointed at a test server, with its callbacks made synchronous."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import playfab.PlayFabSettings as settings

from tests.support.server import SECRET_KEY, TITLE_ID, Server


class PlayFabCallError(Exception):
    def __init__(self, error: Any) -> None:
        super().__init__(error)
        self.error = error

    @property
    def name(self) -> str | None:
        return self.error.get("error") if isinstance(self.error, dict) else None

    @property
    def code(self) -> int | None:
        return self.error.get("errorCode") if isinstance(self.error, dict) else None


def point_at(server: Server, secret_key: str | None = SECRET_KEY) -> None:
    settings.ProductionEnvironmentURL = server.url
    settings.TitleId = TITLE_ID
    settings.DeveloperSecretKey = secret_key
    settings._internalSettings.ClientSessionTicket = None
    settings._internalSettings.EntityToken = None


def call(api: Callable[..., None], request: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one SDK call; return its `data` or raise PlayFabCallError with the error envelope."""
    outcome: dict[str, Any] = {}

    def callback(result: Any, error: Any) -> None:
        outcome["result"], outcome["error"] = result, error

    api({} if request is None else request, callback)
    if "result" not in outcome:
        raise AssertionError("the SDK never called back")
    if outcome["error"] is not None:
        raise PlayFabCallError(outcome["error"])
    return outcome["result"]


def session(ticket: str | None, entity_token: str | None = None) -> None:
    """Switch the SDK to another player's credentials."""
    settings._internalSettings.ClientSessionTicket = ticket
    settings._internalSettings.EntityToken = entity_token


def refused(api: Callable[..., None], request: dict[str, Any]) -> dict[str, Any]:
    """The error envelope a call through the SDK fails with (the test fails if it succeeds)."""
    try:
        call(api, request)
    except PlayFabCallError as err:
        error: dict[str, Any] = err.error
        return error
    raise AssertionError(f"{request!r} was accepted")


def bad_request(name: str, code: int, message: str, details: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """PlayFab's 400 envelope for an error, with `errorDetails` when given."""
    envelope: dict[str, Any] = {"code": 400, "status": "BadRequest", "error": name, "errorCode": code}
    envelope["errorMessage"] = message
    if details is not None:
        envelope["errorDetails"] = details
    return envelope
