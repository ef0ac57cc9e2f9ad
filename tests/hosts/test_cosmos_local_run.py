"""`STORAGE_BACKEND=cosmos make run` against the emulator: the settings file `make run` writes holds
everything the Cosmos store needs, and the host it starts serves the official SDK."""

from __future__ import annotations

import asyncio
import uuid

import playfab.PlayFabSettings as pf_settings
from playfab import PlayFabAuthenticationAPI, PlayFabClientAPI

from scripts.init_local_settings import write_local_settings
from shared.config.settings import load_settings
from tests.support import sdk
from tests.support.cosmos import new_database_name
from tests.support.server import running_server


def test_make_run_settings_serve_the_sdk_from_cosmos(cosmos, tmp_path):
    settings_file = tmp_path / "local.settings.json"
    values = write_local_settings(settings_file)["Values"]
    assert load_settings({**values, "STORAGE_BACKEND": "cosmos"}).cosmos_endpoint == "https://127.0.0.1:8081/"

    # As `make run` would, with the emulator on this run's port instead of 8081.
    overrides = {"STORAGE_BACKEND": "cosmos", "COSMOS_ENDPOINT": cosmos.endpoint}
    if cosmos.key != values["COSMOS_KEY"]:  # a real account, not the bundled emulator
        overrides.update(cosmos.env(new_database_name("local-run")))
    database = overrides.get("COSMOS_DATABASE", values["COSMOS_DATABASE"])
    from_file = {name: values[name] for name in ("PLAYFAB_TITLE_ID", "PLAYFAB_SECRET_KEYS", "TOKEN_SIGNING_KEY")}
    custom_id = f"make-run-{uuid.uuid4()}"
    try:
        with running_server(tmp_path / "host", LOCAL_SETTINGS_FILE=str(settings_file), **from_file, **overrides) as srv:
            sdk.point_at(srv, secret_key=values["PLAYFAB_SECRET_KEYS"])
            pf_settings.TitleId = values["PLAYFAB_TITLE_ID"]
            login = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id, "CreateAccount": True})
            again = sdk.call(PlayFabClientAPI.LoginWithCustomID, {"CustomId": custom_id})
            entity = sdk.call(PlayFabAuthenticationAPI.GetEntityToken, {})
            assert "with the cosmos store" in srv.log()
    finally:
        asyncio.run(cosmos.drop_database(database))
    assert login["NewlyCreated"] is True
    assert again["PlayFabId"] == login["PlayFabId"] and again["NewlyCreated"] is False
    assert entity["Entity"] == login["EntityToken"]["Entity"]
