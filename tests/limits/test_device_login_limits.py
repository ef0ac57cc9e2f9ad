"""New accounts from device logins count against the caller's address; the title's server logins do not."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.support.limited_hosts import assert_throttled, call
from tests.support.server import SECRET_KEY, TITLE_ID, running_server


def test_device_logins_spend_the_address_budget_and_server_logins_do_not(tmp_path: Path):
    with running_server(tmp_path, RATE_LIMITS="client", RATE_LIMIT_ACCOUNT_CREATION="2/3600") as srv:
        for _ in range(3):  # more than the budget, before any player creates an account
            body = {"ServerCustomId": f"s-{uuid.uuid4()}", "CreateAccount": True}
            resp = call(srv, "/Server/LoginWithServerCustomId", body, {"X-SecretKey": SECRET_KEY})
            assert resp.status_code == 200 and resp.json()["data"]["NewlyCreated"] is True, resp.text
        android = {"TitleId": TITLE_ID, "AndroidDeviceId": f"a-{uuid.uuid4()}", "CreateAccount": True}
        ios = {"TitleId": TITLE_ID, "DeviceId": f"i-{uuid.uuid4()}", "CreateAccount": True}
        assert call(srv, "/Client/LoginWithAndroidDeviceID", android).json()["data"]["NewlyCreated"] is True
        assert call(srv, "/Client/LoginWithIOSDeviceID", ios).json()["data"]["NewlyCreated"] is True
        another = {**android, "AndroidDeviceId": f"a-{uuid.uuid4()}"}
        assert_throttled(call(srv, "/Client/LoginWithAndroidDeviceID", another), 3600)
        # Returning players still log in.
        assert call(srv, "/Client/LoginWithAndroidDeviceID", android).json()["data"]["NewlyCreated"] is False
