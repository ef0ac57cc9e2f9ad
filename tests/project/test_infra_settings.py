"""Every setting the app reads everywhere has its line in the Function App's settings
(infra/modules/app.bicep), and Azure sets nothing undeclared: the declarations in
shared/config/settings_table.py are the list, so a setting added later cannot be forgotten in the deployment."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from shared.config.settings import MIN_SIGNING_KEY_CHARS, load_settings
from shared.config.settings_table import DECLARED, EVERYWHERE, LOCAL, PLATFORM, SETTINGS, Where
from tests.support.infra_model import INFRA, app_settings, module, parse

# Enough to start the app with the values Azure would resolve at run time.
RESOLVED = {
    "PLAYFAB_TITLE_ID": "T1TLE",
    "PLAYFAB_SECRET_KEYS": "s" * 16,
    "TOKEN_SIGNING_KEY": "k" * MIN_SIGNING_KEY_CHARS,
    "COSMOS_ENDPOINT": "https://example.documents.azure.com:443/",
    "COSMOS_DATABASE": "playfab",
}


def _names(where: Where) -> set[str]:
    return {s.name for s in SETTINGS if s.where is where}


def test_the_declarations_know_the_settings_we_know_of():
    known = {"PLAYFAB_TITLE_ID", "PLAYFAB_SECRET_KEYS", "TOKEN_SIGNING_KEY", "STORAGE_BACKEND", "COSMOS_ENDPOINT"}
    assert known <= _names(EVERYWHERE)
    assert {"HOST", "PORT", "WORKERS", "SQLITE_PATH", "SQLITE_STORE_PREPARED"} <= _names(LOCAL)


def test_every_setting_the_app_reads_is_set_in_azure():
    missing = (_names(EVERYWHERE) | _names(PLATFORM)) - set(app_settings())
    assert not missing, f"add these to the app settings in infra/modules/app.bicep: {sorted(missing)}"


def test_local_only_settings_are_absent_in_azure_each_for_a_reason():
    assert not _names(LOCAL) & set(app_settings())
    assert all(s.reason for s in SETTINGS if s.where is not EVERYWHERE), "say why Azure leaves it out, or who reads it"


def test_azure_sets_nothing_undeclared():
    unknown = set(app_settings()) - _names(EVERYWHERE) - _names(PLATFORM)
    assert not unknown, f"misspelt, stale or undeclared app settings: {sorted(unknown)}"


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
    # Each has a default, or a meaning when unset (e.g. "per runtime") that the code applies.
    assert all(
        DECLARED[n].where is EVERYWHERE and (DECLARED[n].default is not None or DECLARED[n].unset != "required")
        for n in tunables
    )
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
