"""An app setting still holding a Key Vault or App Configuration reference is never used as a value.

On Azure an unresolved reference stays in the environment as its own text, which names the vault and the
secret: anyone can compute it, and it is long enough to pass as a key. The loader refuses it; the local
host will not start; the Functions app (which cannot refuse to start) answers every request 503.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import azure.functions as func
import pytest

from shared import services
from shared.config.settings import SettingsError, load_settings
from shared.config.unresolved_references import reference_kind
from shared.features.console_files import CONSOLE_ROUTE
from shared.features.recovery import RESET_PAGE_ROUTE
from tests.support.routes import FUNCTIONS
from tests.support.server import REPO, SIGNING_KEY, Server, base_env, free_port, stop, wait_until_serving

KV_URI = "@Microsoft.KeyVault(SecretUri=https://kv-abc123.vault.azure.net/secrets/playfab-secret-keys/0123abcd)"
# Each form App Service resolves, and near misses of them: none may ever be taken as a value.
REFERENCES = {
    "secret-uri": KV_URI,
    "vault-and-name": "@Microsoft.KeyVault(VaultName=kv-abc123;SecretName=token-signing-key)",
    "lower-case": "@microsoft.keyvault(SecretUri=https://kv-abc123.vault.azure.net/secrets/s/)",
    "upper-case": "@MICROSOFT.KEYVAULT(SECRETURI=HTTPS://KV-ABC123.VAULT.AZURE.NET/SECRETS/S/)",
    "spaced": "@Microsoft.KeyVault (SecretUri=https://kv-abc123.vault.azure.net/secrets/s/)",
    "app-configuration": "@Microsoft.AppConfiguration(Endpoint=https://appcs.azconfig.io; Key=playfab-key)",
    "second-in-a-list": "a-real-looking-key-0123456789abcdef," + KV_URI,
}
PAGES = {RESET_PAGE_ROUTE}  # the app's own pages answer in HTML, not in PlayFab's envelope
# The console's files read no setting and no store: they are served as ever, and every API call the page
# then makes answers 503 like any other.
STATIC = {CONSOLE_ROUTE + "/{*path}"}
SECRETS = ("PLAYFAB_SECRET_KEYS", "TOKEN_SIGNING_KEY", "COSMOS_KEY")
GOOD = {
    "PLAYFAB_TITLE_ID": "T1TLE",
    "PLAYFAB_SECRET_KEYS": "s" * 16,
    "TOKEN_SIGNING_KEY": SIGNING_KEY,
    "STORAGE_BACKEND": "cosmos",
    "COSMOS_ENDPOINT": "https://example.documents.azure.com:443/",
}


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("form", REFERENCES, ids=str)
def test_the_loader_refuses_an_unresolved_reference_in_any_secret(secret, form):
    value = REFERENCES[form]
    with pytest.raises(SettingsError) as refused:
        load_settings({**GOOD, secret: value})
    message = str(refused.value)
    assert f"{secret} is an unresolved" in message
    assert "kv-abc123" not in message.lower() and "appcs" not in message, "the value is never repeated"


def test_every_setting_is_checked_not_only_the_secrets():
    with pytest.raises(SettingsError, match="PLAYFAB_TITLE_ID is an unresolved Key Vault reference"):
        load_settings({**GOOD, "PLAYFAB_TITLE_ID": KV_URI})
    with pytest.raises(SettingsError, match="SESSION_TTL_SECONDS is an unresolved App Configuration reference"):
        load_settings({**GOOD, "SESSION_TTL_SECONDS": REFERENCES["app-configuration"]})


def test_values_that_only_mention_the_words_are_accepted():
    settings = load_settings({**GOOD, "PLAYFAB_SECRET_KEYS": "Microsoft.KeyVault-is-a-fine-word,@keyvault(-0123456789"})
    assert settings.secret_keys == ("Microsoft.KeyVault-is-a-fine-word", "@keyvault(-0123456789")
    assert reference_kind("Microsoft.KeyVault(SecretUri=x)") is None  # no "@": App Service leaves it alone


def _sqlite_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        "PLAYFAB_TITLE_ID": "TESTTITLE",
        "PLAYFAB_SECRET_KEYS": "test-secret-key-0123456789",
        "TOKEN_SIGNING_KEY": SIGNING_KEY,
        "SQLITE_PATH": str(tmp_path / "playfab.sqlite3"),
        "RATE_LIMITS": "off",
        **overrides,
    }


@pytest.fixture
def fresh_services() -> Iterator[None]:
    """Start and end each test with no services open and no settings problem reported yet."""
    asyncio.run(services.close_services())
    services._reported.clear()
    yield
    asyncio.run(services.close_services())


def _request(path: str, headers: dict[str, str]) -> func.HttpRequest:
    body = b'{"TitleId": "TESTTITLE", "CustomId": "p1", "CreateAccount": true}'
    hdrs = {"Content-Type": "application/json", **headers}
    return func.HttpRequest("POST", f"https://func.example{path}", headers=hdrs, body=body)


async def _call_every_trigger(headers: dict[str, str]) -> dict[str, func.HttpResponse]:
    answers = {}
    for fn in FUNCTIONS:
        route = fn.get_trigger().get_dict_repr()["route"]
        path = "/" + route.replace("{api:regex(^Admin$)}", "Admin").replace("{*path}", "No/SuchEndpoint")
        user_function = fn.get_user_function()
        answer = user_function(_request(path, headers))
        answers[route] = await answer if asyncio.iscoroutine(answer) else answer
    return answers


@pytest.mark.parametrize("secret", ["PLAYFAB_SECRET_KEYS", "TOKEN_SIGNING_KEY"])
def test_every_functions_trigger_answers_503_while_a_secret_is_unresolved(
    tmp_path, monkeypatch, caplog, fresh_services, secret
):
    """The triggers called as the Functions host calls them, with the title secret set to the reference
    text itself: the caller who sends that text as its key must get 503, never a working API."""
    for name, value in _sqlite_env(tmp_path, **{secret: KV_URI}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COSMOS_ENDPOINT", raising=False)
    monkeypatch.delenv("STORAGE_BACKEND", raising=False)
    caplog.set_level(logging.INFO)
    answers = asyncio.run(_call_every_trigger({"X-SecretKey": KV_URI}))
    assert len(answers) == len(FUNCTIONS) >= 10
    for route, answer in answers.items():
        body = answer.get_body().decode()
        if route in STATIC:
            assert (
                answer.status_code in (200, 301, 404)
                and "default-src 'none'" in answer.headers["Content-Security-Policy"]
            )
            assert "kv-abc123" not in body and secret not in body
            continue
        assert answer.status_code == 503, f"{route} answered {answer.status_code}: {body}"
        if route in PAGES:  # a page people read: plain HTML, and the same advice to retry
            assert answer.headers["Retry-After"] == "60" and "kv-abc123" not in body and secret not in body
            continue
        assert '"errorCode":1123' in body and '"error":"ServiceUnavailable"' in body, route
        assert '"retryAfterSeconds":60' in body and answer.headers["Retry-After"] == "60", route
        assert "kv-abc123" not in body and secret not in body, "callers are not told which setting or why"
    why = [r for r in caplog.records if r.name == "playfab.settings"]
    assert len(why) == 1, "logged once per process, not once per request"
    assert f"{secret} is an unresolved Key Vault reference" in why[0].getMessage()
    assert "kv-abc123" not in caplog.text, "the reference text never reaches the logs"


def test_errors_reported_as_success_still_carry_503_and_no_data(tmp_path, monkeypatch, fresh_services):
    """The Python SDK asks for errors as HTTP 200 (X-ReportErrorAsSuccess); the envelope still says 503."""
    for name, value in _sqlite_env(tmp_path, PLAYFAB_SECRET_KEYS=KV_URI).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STORAGE_BACKEND", raising=False)
    answers = asyncio.run(_call_every_trigger({"X-SecretKey": KV_URI, "X-ReportErrorAsSuccess": "true"}))
    for route, answer in answers.items():
        body = answer.get_body().decode()
        if route in STATIC:
            continue
        if route in PAGES:
            assert answer.status_code == 503 and "<!DOCTYPE html>" in body, route
            continue
        assert '"code":503' in body and '"errorCode":1123' in body and '"data"' not in body, route


def test_the_local_host_will_not_start_with_an_unresolved_secret(tmp_path):
    env = {**base_env(tmp_path, PORT="1"), "PLAYFAB_SECRET_KEYS": KV_URI}
    done = subprocess.run(
        [sys.executable, "-m", "local_host"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "cannot start" in done.stderr
    assert "PLAYFAB_SECRET_KEYS is an unresolved Key Vault reference" in done.stderr
    assert "kv-abc123" not in done.stderr and "Traceback" not in done.stderr


def test_the_local_hosts_app_served_without_its_start_up_check_answers_503(tmp_path):
    """The local host's ASGI app run straight under uvicorn, as the Functions host runs the app: no
    start-up check stands in front of it, so each request must refuse on its own."""
    port = free_port()
    env = {**base_env(tmp_path), "PLAYFAB_SECRET_KEYS": KV_URI, "PORT": str(port)}
    log_path = tmp_path / "host.log"
    command = [sys.executable, "-m", "uvicorn", "local_host.asgi:create_app", "--factory"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=log
        )
    server = Server(f"http://127.0.0.1:{port}", tmp_path, env, proc, log_path)
    try:
        wait_until_serving(server)
        new_player = {"TitleId": "TESTTITLE", "CustomId": "p", "CreateAccount": True}
        login = server.post("/Client/LoginWithCustomID", new_player)
        token = server.post("/Authentication/GetEntityToken", {}, {"X-SecretKey": KV_URI})
        admin = server.post("/Admin/GetUserData", {"PlayFabId": "0"}, {"X-SecretKey": KV_URI})
        unknown = server.post("/No/SuchEndpoint", {})
        for answer in (login, token, admin, unknown):
            assert answer.status_code == 503, answer.text
            assert answer.json()["errorCode"] == 1123 and answer.json()["retryAfterSeconds"] == 60
    finally:
        stop(proc)
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    assert log_text.count("PLAYFAB_SECRET_KEYS is an unresolved Key Vault reference") == 1
    assert "kv-abc123" not in log_text
