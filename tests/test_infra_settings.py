"""Every setting the code reads has its line in the Function App's settings (infra/modules/app.bicep),
found by reading the code, so a setting added later cannot be forgotten in the deployment."""

from __future__ import annotations

import ast
import importlib.util
from types import ModuleType

from shared.settings import MIN_SIGNING_KEY_CHARS, load_settings
from tests.infra_model import INFRA, SETTING_NAME, app_settings, module, parse, settings_read_by_code, settings_read_in

# Read by the code but deliberately not set in Azure, each for a reason.
LOCAL_ONLY = {
    "SQLITE_PATH": "the embedded store; Azure runs STORAGE_BACKEND=cosmos",
    "SQLITE_RECREATE_MISSING_STORE": "the embedded store; Azure runs STORAGE_BACKEND=cosmos",
    "SQLITE_STORE_PREPARED": "set by the local host for its own worker processes, not by people",
    "COSMOS_KEY": "account keys are disabled there; the app signs in with its identity",
    "COSMOS_VERIFY_TLS": "only for a local emulator's self-signed certificate",
    # The local host (uvicorn); in Azure the Functions host serves the app.
    "HOST": "local host",
    "PORT": "local host",
    "WORKERS": "local host",
    "TLS_CERT_FILE": "local host",
    "TLS_KEY_FILE": "local host",
    "LOCAL_SETTINGS_FILE": "local host",
    # The local host's HTTP limits (local_host/http_limits.py); in Azure the platform's front end has its own.
    "HTTP_HEADER_TIMEOUT_SECONDS": "local host",
    "HTTP_BODY_TIMEOUT_SECONDS": "local host",
    "HTTP_IDLE_TIMEOUT_SECONDS": "local host",
    "HTTP_MAX_CONNECTIONS": "local host",
    "HTTP_MAX_HEADER_BYTES": "local host",
    "TEST_CLOCK_OFFSET_FILE": "tests only: moves a test host's clock",
}
# Read by the platform or the Azure SDKs rather than by this code.
PLATFORM = {
    "AZURE_CLIENT_ID",  # DefaultAzureCredential: which user-assigned identity to use
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "AzureFunctionsJobHost__extensions__http__routePrefix",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "AzureWebJobsDisableHomepage",
}
# Enough to start the app with the values Azure would resolve at run time.
RESOLVED = {
    "PLAYFAB_TITLE_ID": "T1TLE",
    "PLAYFAB_SECRET_KEYS": "s" * 16,
    "TOKEN_SIGNING_KEY": "k" * MIN_SIGNING_KEY_CHARS,
    "COSMOS_ENDPOINT": "https://example.documents.azure.com:443/",
    "COSMOS_DATABASE": "playfab",
}


def test_discovery_finds_each_way_the_code_reads_a_setting():
    sample = ast.parse(
        "import os\n"
        "a = env.get('ONE', '')\n"
        "b = os.environ.get('TWO')\n"
        "c = os.environ['THREE']\n"
        "d = os.getenv('FOUR')\n"
        "e = _int(env, 'FIVE', 3, problems)\n"
        "f = 'SIX' in os.environ\n"
        "g = self._env.get('SEVEN')\n"
        "h = other.get('NOT_A_SETTING')\n"
        "i = env.get('lowercase')\n"
        "j = pick(other, 'NOT_EITHER')\n"
    )
    assert settings_read_in(sample) == {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN"}


def test_discovery_sees_the_settings_we_know_of():
    known = {"PLAYFAB_TITLE_ID", "PLAYFAB_SECRET_KEYS", "TOKEN_SIGNING_KEY", "STORAGE_BACKEND", "COSMOS_ENDPOINT"}
    assert known <= settings_read_by_code()


def test_every_setting_the_code_reads_is_set_in_azure():
    missing = settings_read_by_code() - set(LOCAL_ONLY) - set(app_settings())
    assert not missing, f"add these to the app settings in infra/modules/app.bicep: {sorted(missing)}"


def test_local_only_settings_are_read_by_the_code_and_absent_in_azure():
    read = settings_read_by_code()
    assert set(LOCAL_ONLY) <= read, f"no longer read, drop from LOCAL_ONLY: {sorted(set(LOCAL_ONLY) - read)}"
    assert not set(LOCAL_ONLY) & set(app_settings())


def test_azure_sets_nothing_the_code_or_platform_does_not_read():
    unknown = {name for name in app_settings() if name not in PLATFORM} - settings_read_by_code()
    assert not unknown, f"misspelt or stale app settings: {sorted(unknown)}"
    assert all(SETTING_NAME.match(n) for n in set(app_settings()) - PLATFORM)


def test_the_deployment_runs_on_cosmos_with_the_code_default_database():
    settings = app_settings()
    assert settings["STORAGE_BACKEND"] == "cosmos"
    assert settings["COSMOS_ENDPOINT"] == "cosmosEndpoint"
    code_default = load_settings({**RESOLVED, "STORAGE_BACKEND": "cosmos", "COSMOS_DATABASE": ""}).cosmos_database
    assert parse(INFRA / "main.bicep")["parameters"]["cosmosDatabaseName"]["default"] == code_default


def test_tunable_settings_left_blank_mean_the_code_defaults():
    """Tunables are listed blank in Bicep so the defaults live in one place: the code."""
    tunables = module("app")["variables"]["tunableSettings"]["value"]
    assert tunables, "no tunable settings listed"
    assert set(tunables.values()) == {""}
    base = {**RESOLVED, "STORAGE_BACKEND": app_settings()["STORAGE_BACKEND"]}
    assert load_settings({**base, **tunables}) == load_settings(base)


def _ensure_secrets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ensure_secrets", INFRA / "scripts" / "ensure_secrets.py")
    assert spec and spec.loader
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def test_provision_hook_generates_only_missing_secrets_the_app_accepts():
    hook = _ensure_secrets()
    fresh = hook.missing_secrets({})
    assert set(fresh) == {"PLAYFAB_SECRET_KEYS", "TOKEN_SIGNING_KEY"}
    assert all("," not in v and not v.startswith("-") for v in fresh.values())
    assert fresh != hook.missing_secrets({}), "each environment gets its own keys"
    settings = load_settings({**RESOLVED, **fresh, "STORAGE_BACKEND": "cosmos"})
    assert settings.secret_keys == (fresh["PLAYFAB_SECRET_KEYS"],)
    assert settings.signing_keys == (fresh["TOKEN_SIGNING_KEY"],)
    assert hook.missing_secrets({"PLAYFAB_SECRET_KEYS": "mine-mine-mine-mine", "TOKEN_SIGNING_KEY": " "}).keys() == {
        "TOKEN_SIGNING_KEY"
    }
