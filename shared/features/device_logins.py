"""Client/LoginWithAndroidDeviceID and Client/LoginWithIOSDeviceID: anonymous logins by device id."""

from __future__ import annotations

from typing import Any

from shared.auth.caller import Auth, Caller
from shared.auth.logins import LoginKind
from shared.features import identity
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import LoginWithAndroidDeviceIDRequest, LoginWithIOSDeviceIDRequest


def _required(field: str, value: str | None) -> str:
    # Optional in PlayFab's request schema, yet a login without it names no one.
    if not value:
        raise PlayFabError("InvalidParams", "Invalid input parameters", {field: [f"The {field} field is required."]})
    return value


async def _login_with_android(
    services: Services, caller: Caller, req: LoginWithAndroidDeviceIDRequest
) -> dict[str, Any]:
    identity.check_title(services, req.TitleId)
    device_id = _required("AndroidDeviceId", req.AndroidDeviceId)
    return await identity.login(services, req, LoginKind.ANDROID_DEVICE_ID, device_id)


async def _login_with_ios(services: Services, caller: Caller, req: LoginWithIOSDeviceIDRequest) -> dict[str, Any]:
    identity.check_title(services, req.TitleId)
    device_id = _required("DeviceId", req.DeviceId)
    return await identity.login(services, req, LoginKind.IOS_DEVICE_ID, device_id)


login_with_android_device_id = Operation(Auth.NONE, LoginWithAndroidDeviceIDRequest, _login_with_android)
login_with_ios_device_id = Operation(Auth.NONE, LoginWithIOSDeviceIDRequest, _login_with_ios)
