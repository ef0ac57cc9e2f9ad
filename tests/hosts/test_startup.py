"""Start-up: settings come from local.settings.json and the environment; bad settings stop it with a clear message."""

from __future__ import annotations

import json
import socket

import pytest

from tests.support.cosmos import EMULATOR_KEY
from tests.support.server import base_env, running_server, start_until_exit


@pytest.mark.parametrize(
    ("overrides", "drop", "message"),
    [
        ({}, "PLAYFAB_TITLE_ID", "PLAYFAB_TITLE_ID is required"),
        ({}, "PLAYFAB_SECRET_KEYS", "PLAYFAB_SECRET_KEYS is required"),
        ({"PLAYFAB_SECRET_KEYS": "short"}, None, "at least 16 characters"),
        ({"STORAGE_BACKEND": "postgres"}, None, "STORAGE_BACKEND must be 'sqlite' or 'cosmos'"),
        ({"STORAGE_BACKEND": "cosmos"}, "TOKEN_SIGNING_KEY", "COSMOS_ENDPOINT is required"),
        ({"TOKEN_SIGNING_KEY": "too-short"}, None, "at least 32 characters"),
        ({"MAX_REQUEST_BYTES": "lots"}, None, "MAX_REQUEST_BYTES must be a whole number"),
        ({"PORT": "http"}, None, "PORT and WORKERS must be whole numbers"),
        ({"TLS_CERT_FILE": "cert.pem"}, None, "set both TLS_CERT_FILE and TLS_KEY_FILE"),
        ({"SQLITE_PATH": "/dev/null/playfab.sqlite3"}, None, "the store cannot be opened"),
        ({"HTTP_HEADER_TIMEOUT_SECONDS": "0"}, None, "HTTP_HEADER_TIMEOUT_SECONDS must be between 0.1 and 3600"),
        ({"HTTP_MAX_CONNECTIONS": "1.5"}, None, "HTTP_MAX_CONNECTIONS must be a whole number"),
        ({"HTTP_BODY_TIMEOUT_SECONDS": "nan"}, None, "HTTP_BODY_TIMEOUT_SECONDS must be a number"),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(tmp_path, overrides, drop, message):
    env = {**base_env(tmp_path, PORT="1"), **overrides}
    if drop:
        env.pop(drop)
    done = start_until_exit(env)
    assert done.returncode != 0
    assert "cannot start" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr


def test_local_settings_values_are_loaded_and_the_environment_wins(tmp_path):
    settings_file = tmp_path / "local.settings.json"
    values = {"PLAYFAB_TITLE_ID": "FROMFILE", "PLAYFAB_SECRET_KEYS": "from-the-file-secret-key"}
    settings_file.write_text(json.dumps({"Values": values}))
    env = base_env(tmp_path, LOCAL_SETTINGS_FILE=str(settings_file))
    del env["PLAYFAB_TITLE_ID"]  # taken from the file; PLAYFAB_SECRET_KEYS stays set, and the environment wins
    with running_server(tmp_path, env=env) as srv:
        ok = srv.post("/Client/LoginWithCustomID", {"TitleId": "FROMFILE", "CustomId": "a", "CreateAccount": True})
        assert ok.json()["code"] == 200
        key_from_env = env["PLAYFAB_SECRET_KEYS"].split(",")[0]
        assert srv.post("/Authentication/GetEntityToken", {}, {"X-SecretKey": key_from_env}).json()["code"] == 200
        refused = srv.post("/Authentication/GetEntityToken", {}, {"X-SecretKey": "from-the-file-secret-key"})
        assert refused.json()["error"] == "NotAuthorized"


def test_without_a_signing_key_a_local_run_generates_and_keeps_one(tmp_path):
    with running_server(tmp_path, TOKEN_SIGNING_KEY="") as srv:
        ticket = srv.post(
            "/Client/LoginWithCustomID", {"TitleId": "TESTTITLE", "CustomId": "keep", "CreateAccount": True}
        ).json()["data"]["SessionTicket"]
    key_file = tmp_path / "token-signing.key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    with running_server(tmp_path, TOKEN_SIGNING_KEY="") as srv:  # restarted: old tickets still verify
        resp = srv.post("/Authentication/GetEntityToken", {}, {"X-Authorization": ticket})
        assert resp.json()["code"] == 200


def test_an_unusable_cosmos_store_stops_start_up_naming_the_cause(tmp_path):
    """Before, the host logged "serving ... with the cosmos store" and every first call waited 12 s or more."""
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    cosmos = {
        "STORAGE_BACKEND": "cosmos",
        "COSMOS_ENDPOINT": f"https://127.0.0.1:{listener.getsockname()[1]}/",
        "COSMOS_KEY": EMULATOR_KEY,
        "COSMOS_VERIFY_TLS": "false",
        "TOKEN_SIGNING_KEY": "k" * 40,
    }
    try:
        silent = start_until_exit({**base_env(tmp_path, PORT="1"), **cosmos})
        bad_key = start_until_exit({**base_env(tmp_path, PORT="1"), **cosmos, "COSMOS_KEY": "not-base64!"})
    finally:
        listener.close()
    for done, cause in ((silent, "no answer from COSMOS_ENDPOINT"), (bad_key, "COSMOS_KEY is not valid base64")):
        assert done.returncode != 0
        assert "cannot start: the cosmos store" in done.stderr and cause in done.stderr
        assert "Traceback" not in done.stderr and "serving title" not in done.stderr
