"""Player custom property calls through the official Python SDK's own transport.

The Python SDK's last release (`playfab` 0.0.201014) predates these calls, so it has no generated method
for them. Each method here is built the way the SDK builds every generated one: a check that the SDK
holds the credential, then `PlayFabHTTP.DoPost` with the SDK's session ticket (Client) or developer
secret key (Server, Admin), which adds the SDK's own headers and unwraps its envelope. The Node SDK has
the real methods (tests/api/test_custom_properties_node_sdk.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import playfab.PlayFabSettings as settings
from playfab import PlayFabErrors, PlayFabHTTP

from tests.support import sdk

CLIENT, SERVER, ADMIN = "Client", "Server", "Admin"
UPDATE, GET, LIST, DELETE = (
    "UpdatePlayerCustomProperties",
    "GetPlayerCustomProperty",
    "ListPlayerCustomProperties",
    "DeletePlayerCustomProperties",
)


def sdk_method(api: str, method: str) -> Callable[..., None]:
    """The SDK method `<api>.<method>` as the SDK's generator would write it."""

    def send(
        request: dict[str, Any],
        callback: Callable[[Any, Any], None],
        customData: Any = None,  # the SDK's own parameter names
        extraHeaders: dict[str, str] | None = None,
    ) -> None:
        if api == CLIENT:
            ticket = settings._internalSettings.ClientSessionTicket
            if not ticket:
                raise PlayFabErrors.PlayFabException("Must be logged in to call this method")
            auth_key, auth_value = "X-Authorization", ticket
        else:
            if not settings.DeveloperSecretKey:
                raise PlayFabErrors.PlayFabException("Must have DeveloperSecretKey set to call this method")
            auth_key, auth_value = "X-SecretKey", settings.DeveloperSecretKey
        PlayFabHTTP.DoPost(f"/{api}/{method}", request, auth_key, auth_value, callback, customData, extraHeaders)

    return send


def call(api: str, method: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    """The call's `data`, or sdk.PlayFabCallError with its error envelope."""
    return sdk.call(sdk_method(api, method), request)


def refused(api: str, method: str, request: dict[str, Any]) -> dict[str, Any]:
    """The error envelope the call fails with (the test fails if it succeeds)."""
    return sdk.refused(sdk_method(api, method), request)


def for_player(api: str, playfab_id: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    """A request as `api` takes it: the Client names no player, Server and Admin name `playfab_id`."""
    body = dict(request or {})
    if api != CLIENT:
        body["PlayFabId"] = playfab_id
    return body
