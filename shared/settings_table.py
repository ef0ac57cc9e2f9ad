"""Every setting, declared once: one `Setting(...)` row in SETTINGS below.

A row reads `Setting(NAME, KIND, default, meaning, ...)`:

- NAME: the environment variable (local.settings.json `Values` land there too).
- KIND: how its text is read: WHOLE (a whole number, at least `minimum`, 1 unless given), FLAG
  (true/false, yes/no, 1/0), TEXT (trimmed), CHOICE (one of `choices`, any letter case), KEYS
  (comma-separated list), PATH, WINDOWS (rate-limit windows, `calls/seconds` pairs).
- default: the value as it would be written in the environment, or None when there is none (then
  `unset` says what that means, e.g. "required"). A blank value means the default.
- meaning: one line, shown in README's Configuration table.
- where: EVERYWHERE (the app reads it on Azure and locally, so infra/modules/app.bicep sets it),
  LOCAL (read by the code but never set in Azure; `reason` says why) or PLATFORM (read by the
  Functions host or the Azure SDKs, set in app.bicep, never parsed here).
- field: the `Settings` attribute that holds the parsed value (shared/settings.py), if any.

From these rows come the `Settings` values and their checks (shared/settings.py), the rate limits'
default windows (shared/rate_windows.py), README's Configuration table
(`python scripts/gen_settings_table.py`), and the deployment check (tests/test_infra_settings.py).
Rules that tie settings together (a key required with Cosmos, one timeout at least another) are
written once in `load_settings`, after the rows are read. This module imports nothing of the app, so
every other module may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final


class Kind(Enum):
    WHOLE = "whole number"
    FLAG = "true or false"
    TEXT = "text"
    CHOICE = "choice"
    KEYS = "comma-separated list"
    PATH = "file path"
    WINDOWS = "calls/seconds pairs"


class Where(Enum):
    EVERYWHERE = "everywhere"
    LOCAL = "local only"
    PLATFORM = "platform"


WHOLE, FLAG, TEXT, CHOICE, KEYS, PATH, WINDOWS = Kind
EVERYWHERE, LOCAL, PLATFORM = Where


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: str | None
    meaning: str
    where: Where = EVERYWHERE
    field: str | None = None
    minimum: int = 1  # WHOLE only
    choices: tuple[str, ...] = ()  # CHOICE only, lower case
    unset: str = "unset"  # what no value means, when there is no default
    reason: str = ""  # LOCAL and PLATFORM: why Azure leaves it out, or who reads it


_HOST = "the local host (uvicorn); in Azure the Functions host serves the app"
_EMBEDDED = "the embedded store; Azure runs STORAGE_BACKEND=cosmos"

SETTINGS: Final[tuple[Setting, ...]] = (
    # The title and its keys.
    Setting(
        "PLAYFAB_TITLE_ID", TEXT, None, "the title id callers send as `TitleId`", field="title_id", unset="required"
    ),
    Setting(
        "PLAYFAB_SECRET_KEYS",
        KEYS,
        None,
        "comma-separated title secret keys (several, for rotation), 16+ characters each",
        field="secret_keys",
        unset="required",
    ),
    Setting(
        "TOKEN_SIGNING_KEY",
        KEYS,
        None,
        "comma-separated HMAC keys for session tickets and entity tokens (first signs, all verify), 32+ "
        "characters; required with Cosmos",
        field="signing_keys",
        unset="generated beside the SQLite file",
    ),
    # Storage.
    Setting(
        "STORAGE_BACKEND",
        CHOICE,
        "sqlite",
        "`sqlite` or `cosmos`",
        field="storage_backend",
        choices=("sqlite", "cosmos"),
    ),
    Setting(
        "SQLITE_PATH",
        PATH,
        ".data/playfab.sqlite3",
        "the embedded store's file",
        LOCAL,
        "sqlite_path",
        reason=_EMBEDDED,
    ),
    Setting(
        "SQLITE_RECREATE_MISSING_STORE",
        FLAG,
        "false",
        "`true` lets the local host start a new empty store where the file is missing although its marker or "
        "generated signing key shows one existed (see [The embedded store's files](#the-embedded-stores-files))",
        LOCAL,
        "sqlite_recreate_missing_store",
        reason=_EMBEDDED,
    ),
    Setting(
        "SQLITE_STORE_PREPARED",
        TEXT,
        None,
        "set by the local host for its worker processes: the store file it opened (never set it yourself)",
        LOCAL,
        reason="set by the local host for its own worker processes, not by people",
    ),
    Setting(
        "COSMOS_ENDPOINT",
        TEXT,
        None,
        "the account's URL, e.g. `https://<account>.documents.azure.com:443/`",
        field="cosmos_endpoint",
        unset="required with `cosmos`",
    ),
    Setting(
        "COSMOS_KEY",
        TEXT,
        None,
        "account key; unset, `DefaultAzureCredential` (managed identity) is used",
        LOCAL,
        "cosmos_key",
        reason="account keys are disabled there; the app signs in with its identity",
    ),
    Setting("COSMOS_DATABASE", TEXT, "playfab", "database name", field="cosmos_database"),
    Setting(
        "COSMOS_VERIFY_TLS",
        FLAG,
        "true",
        "`false` only for a local emulator's self-signed certificate",
        LOCAL,
        "cosmos_verify_tls",
        reason="only for a local emulator's self-signed certificate",
    ),
    Setting(
        "COSMOS_REQUEST_TIMEOUT_SECONDS",
        WHOLE,
        "1",
        "one attempt of a Cosmos DB call: connecting, and waiting for the answer",
        field="cosmos_request_timeout_seconds",
    ),
    Setting(
        "COSMOS_OPERATION_TIMEOUT_SECONDS",
        WHOLE,
        "3",
        "one Cosmos DB call in all, the SDK's retries included; at least the request timeout",
        field="cosmos_operation_timeout_seconds",
    ),
    Setting(
        "COSMOS_MAX_CALLS",
        WHOLE,
        "100",
        "Cosmos DB calls one process has in flight (the SDK's connection pool holds 100)",
        field="cosmos_max_calls",
    ),
    Setting(
        "COSMOS_QUEUE_WAIT_MS",
        WHOLE,
        "500",
        "how long a call waits for a turn when `COSMOS_MAX_CALLS` are in flight, before `ServiceUnavailable`",
        field="cosmos_queue_wait_ms",
        minimum=0,
    ),
    # Requests and tokens.
    Setting(
        "MAX_REQUEST_BYTES",
        WHOLE,
        "4194304",
        "largest request body, before and after gzip",
        field="max_request_bytes",
        minimum=1024,
    ),
    Setting("SESSION_TTL_SECONDS", WHOLE, "86400", "lifetime of session tickets", field="session_ttl_seconds"),
    Setting("ENTITY_TOKEN_TTL_SECONDS", WHOLE, "86400", "lifetime of entity tokens", field="entity_token_ttl_seconds"),
    # Entity object limits (PlayFab's tier table): player and character entities, then the title entity.
    Setting(
        "PLAYER_OBJECT_COUNT", WHOLE, "5", "entity objects per player or character entity", field="player_object_count"
    ),
    Setting(
        "PLAYER_OBJECT_BYTES", WHOLE, "1000", "bytes per object of a player or character", field="player_object_bytes"
    ),
    Setting("TITLE_OBJECT_COUNT", WHOLE, "10", "entity objects of the title entity", field="title_object_count"),
    Setting("TITLE_OBJECT_BYTES", WHOLE, "2000", "bytes per object of the title entity", field="title_object_bytes"),
    Setting("OBJECT_NAME_MAX_CHARS", WHOLE, "64", "longest entity object name", field="object_name_max_chars"),
    # Custom data limits (PlayFab's tier table), per update call and per stored data type.
    Setting(
        "USER_DATA_MAX_KEYS_PER_UPDATE",
        WHOLE,
        "10",
        "keys one `Update*UserData` call may set or remove",
        field="user_data_max_keys",
    ),
    Setting(
        "USER_DATA_MAX_VALUE_BYTES",
        WHOLE,
        "300000",
        "UTF-8 bytes of one user data value",
        field="user_data_max_value_bytes",
    ),
    Setting(
        "CHARACTER_DATA_MAX_KEYS_PER_UPDATE",
        WHOLE,
        "10",
        "keys one `Update*CharacterData` call may set or remove",
        field="character_data_max_keys",
    ),
    Setting(
        "CHARACTER_DATA_MAX_VALUE_BYTES",
        WHOLE,
        "300000",
        "UTF-8 bytes of one character data value",
        field="character_data_max_value_bytes",
    ),
    Setting(
        "DATA_MAX_DOCUMENT_BYTES",
        WHOLE,
        "1000000",
        "stored size of one data type of one player or character (or one shared group), all keys together",
        field="data_max_document_bytes",
        minimum=1024,
    ),
    Setting(
        "SHARED_GROUP_DATA_MAX_KEYS_PER_UPDATE",
        WHOLE,
        "10",
        "keys one `UpdateSharedGroupData` call may set or remove",
        field="shared_group_max_keys",
    ),
    Setting(
        "SHARED_GROUP_DATA_MAX_VALUE_BYTES",
        WHOLE,
        "300000",
        "UTF-8 bytes of one shared group data value",
        field="shared_group_max_value_bytes",
    ),
    # Request rate limits (shared/rate_limits.py); each window list feeds shared/rate_windows.py's DEFAULTS.
    Setting(
        "RATE_LIMITS",
        CHOICE,
        "client",
        "who is rate limited: `client` (players), `all` (the title's calls too) or `off`",
        field="rate_limits",
        choices=("client", "all", "off"),
    ),
    Setting(
        "RATE_LIMIT_USER_DATA",
        WINDOWS,
        "10/15,150/300,3600/3600",
        "player data updates allowed per window, as calls/seconds pairs",
    ),
    Setting(
        "RATE_LIMIT_CHARACTER_DATA",
        WINDOWS,
        "5/15,30/300,60/3600",
        "the same for character data (all of a player's characters together)",
    ),
    Setting(
        "RATE_LIMIT_ENTITY_UPDATES",
        WINDOWS,
        "10/15,50/300,900/3600",
        "the same for entity updates (`SetObjects` on a player's entities)",
    ),
    # The local host (python -m local_host).
    Setting("HOST", TEXT, "127.0.0.1", "address the local host listens on", LOCAL, reason=_HOST),
    Setting("PORT", WHOLE, "7071", "port the local host listens on", LOCAL, reason=_HOST),
    Setting("WORKERS", WHOLE, "1", "worker processes of the local host", LOCAL, reason=_HOST),
    Setting(
        "TLS_CERT_FILE",
        PATH,
        None,
        "certificate file; with `TLS_KEY_FILE`, the local host serves HTTPS",
        LOCAL,
        reason=_HOST,
    ),
    Setting("TLS_KEY_FILE", PATH, None, "the certificate's private key file", LOCAL, reason=_HOST),
    Setting(
        "LOCAL_SETTINGS_FILE",
        PATH,
        "local.settings.json",
        "the file whose `Values` the local host loads (the environment wins)",
        LOCAL,
        reason=_HOST,
    ),
    # Read by the platform or the Azure SDKs; set by infra/modules/app.bicep.
    Setting(
        "AzureFunctionsJobHost__extensions__http__routePrefix",
        TEXT,
        None,
        "path prefix of every endpoint (host.json's, unless set); the local host honours it too",
        PLATFORM,
        reason="the Functions host",
    ),
    Setting(
        "AZURE_CLIENT_ID",
        TEXT,
        None,
        "the user-assigned identity",
        PLATFORM,
        reason="DefaultAzureCredential: which identity to use",
    ),
    Setting(
        "AzureWebJobsStorage__blobServiceUri",
        TEXT,
        None,
        "the host's blob storage",
        PLATFORM,
        reason="the Functions host",
    ),
    Setting(
        "AzureWebJobsStorage__credential", TEXT, None, "how the host signs in", PLATFORM, reason="the Functions host"
    ),
    Setting("AzureWebJobsStorage__clientId", TEXT, None, "the host's identity", PLATFORM, reason="the Functions host"),
    Setting(
        "APPLICATIONINSIGHTS_CONNECTION_STRING", TEXT, None, "where logs go", PLATFORM, reason="the Functions host"
    ),
    Setting(
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        TEXT,
        None,
        "how logs are sent (Entra ID)",
        PLATFORM,
        reason="the Functions host",
    ),
    Setting(
        "AzureWebJobsDisableHomepage",
        FLAG,
        "false",
        "the host's landing page at /",
        PLATFORM,
        reason="the Functions host",
    ),
)

DECLARED: Final[dict[str, Setting]] = {s.name: s for s in SETTINGS}


def default(name: str) -> str:
    """The declared default of a setting that has one (KeyError for an undeclared name)."""
    value = DECLARED[name].default
    if value is None:
        raise ValueError(f"{name} has no default")
    return value
