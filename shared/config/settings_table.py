"""Every setting, declared once, in one row: a field of `Settings` below, or a row of ELSEWHERE.

A row reads `name: type = setting(NAME, KIND, default, meaning, WHERE, ...)` for a value the app reads
as `settings.name`, or `Setting(NAME, KIND, default, meaning, WHERE, ...)` in ELSEWHERE for one only the
local host or the platform reads:

- NAME: the environment variable (local.settings.json `Values` land there too).
- KIND: how its text is read, and the field's type: WHOLE (int, at least `minimum`, 1 unless given),
  FLAG (bool: true/false, yes/no, 1/0), TEXT (str, trimmed; `str | None` when it may be unset), CHOICE
  (str, one of `choices`, any letter case), KEYS (tuple[str, ...], comma-separated), PATH (Path),
  WINDOWS (rate-limit windows, `calls/seconds` pairs).
- default: the value as written in the environment, or None when there is none (then `unset=` says
  what that means, e.g. "required"). A blank value means the default.
- meaning: one line, shown in README's Configuration table.
- WHERE: EVERYWHERE unless given (the app reads it on Azure and locally, so infra/modules/app.bicep
  sets it), LOCAL (never set in Azure; `reason=` says why) or PLATFORM (read by the Functions host or
  an Azure SDK, set in app.bicep, never parsed here; `reason=` says who reads it).

From the rows come the parsing, bounds and messages of `load_settings` (shared/config/settings.py), the rate
limits' default windows (shared/config/rate_windows.py), README's Configuration table
(`python scripts/gen_settings_table.py`) and the deployment check (tests/project/test_infra_settings.py).
Rules that tie settings together (a key required with Cosmos, one timeout at least another) are
written once in `load_settings`, after the rows are read. This module imports nothing of the app at
run time, so every other module may read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from shared.config.rate_windows import Windows


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
    field: str | None = None  # the Settings attribute, for a row of Settings
    minimum: int = 1  # WHOLE only
    choices: tuple[str, ...] = ()  # CHOICE only, lower case
    unset: str = "unset"  # what no value means, when there is no default
    reason: str = ""  # LOCAL and PLATFORM: why Azure leaves it out, or who reads it


_ROW = "setting"  # the metadata key of a Settings field's row


def setting(
    name: str,
    kind: Kind,
    default: str | None,
    meaning: str,
    where: Where = EVERYWHERE,
    *,
    minimum: int = 1,
    choices: tuple[str, ...] = (),
    unset: str = "unset",
    reason: str = "",
) -> Any:
    """A field of Settings, declared by its row; load_settings fills every field."""
    row = Setting(name, kind, default, meaning, where, minimum=minimum, choices=choices, unset=unset, reason=reason)
    return field(metadata={_ROW: row})


_HOST = "the local host (uvicorn); in Azure the Functions host serves the app"
_EMBEDDED = "the embedded store; Azure runs STORAGE_BACKEND=cosmos"


@dataclass(frozen=True)
class Settings:
    """The settings in force: one field per row, filled by load_settings (shared/config/settings.py)."""

    # The title and its keys.
    title_id: str = setting("PLAYFAB_TITLE_ID", TEXT, None, "the title id callers send as `TitleId`", unset="required")
    secret_keys: tuple[str, ...] = setting(
        "PLAYFAB_SECRET_KEYS",
        KEYS,
        None,
        "comma-separated title secret keys (several, for rotation), 16+ characters each",
        unset="required",
    )
    signing_keys: tuple[str, ...] = setting(
        "TOKEN_SIGNING_KEY",
        KEYS,
        None,
        "comma-separated HMAC keys for session tickets and entity tokens (first signs, all verify), 32+ "
        "characters; required with Cosmos",
        unset="generated beside the SQLite file",
    )
    # Storage.
    storage_backend: str = setting(
        "STORAGE_BACKEND", CHOICE, "sqlite", "`sqlite` or `cosmos`", choices=("sqlite", "cosmos")
    )
    sqlite_path: Path = setting(
        "SQLITE_PATH", PATH, ".data/playfab.sqlite3", "the embedded store's file", LOCAL, reason=_EMBEDDED
    )
    sqlite_recreate_missing_store: bool = setting(
        "SQLITE_RECREATE_MISSING_STORE",
        FLAG,
        "false",
        "`true` lets the local host start a new empty store where the file is missing although its marker or "
        "generated signing key shows one existed (see [The embedded store's files](#the-embedded-stores-files))",
        LOCAL,
        reason=_EMBEDDED,
    )
    cosmos_endpoint: str | None = setting(
        "COSMOS_ENDPOINT",
        TEXT,
        None,
        "the account's URL, e.g. `https://<account>.documents.azure.com:443/`",
        unset="required with `cosmos`",
    )
    cosmos_key: str | None = setting(
        "COSMOS_KEY",
        TEXT,
        None,
        "account key; unset, `DefaultAzureCredential` (managed identity) is used",
        LOCAL,
        reason="account keys are disabled there; the app signs in with its identity",
    )
    cosmos_database: str = setting("COSMOS_DATABASE", TEXT, "playfab", "database name")
    cosmos_verify_tls: bool = setting(
        "COSMOS_VERIFY_TLS",
        FLAG,
        "true",
        "`false` only for a local emulator's self-signed certificate",
        LOCAL,
        reason="only for a local emulator's self-signed certificate",
    )
    cosmos_request_timeout_seconds: int = setting(
        "COSMOS_REQUEST_TIMEOUT_SECONDS",
        WHOLE,
        "1",
        "one attempt of a Cosmos DB call: connecting, and waiting for the answer",
    )
    cosmos_operation_timeout_seconds: int = setting(
        "COSMOS_OPERATION_TIMEOUT_SECONDS",
        WHOLE,
        "3",
        "one Cosmos DB call in all, the SDK's retries included; at least the request timeout",
    )
    cosmos_max_calls: int = setting(
        "COSMOS_MAX_CALLS",
        WHOLE,
        "100",
        "Cosmos DB calls one process has in flight (the SDK's connection pool holds 100)",
    )
    cosmos_queue_wait_ms: int = setting(
        "COSMOS_QUEUE_WAIT_MS",
        WHOLE,
        "500",
        "how long a call waits for a turn when `COSMOS_MAX_CALLS` are in flight, before `ServiceUnavailable`",
        minimum=0,
    )
    # Requests and tokens.
    max_request_bytes: int = setting(
        "MAX_REQUEST_BYTES", WHOLE, "4194304", "largest request body, before and after gzip", minimum=1024
    )
    session_ttl_seconds: int = setting("SESSION_TTL_SECONDS", WHOLE, "86400", "lifetime of session tickets")
    entity_token_ttl_seconds: int = setting("ENTITY_TOKEN_TTL_SECONDS", WHOLE, "86400", "lifetime of entity tokens")
    # Idempotent retries (an extension): how long a write's IdempotencyKey replays its first answer.
    idempotency_window_seconds: int = setting(
        "IDEMPOTENCY_WINDOW_SECONDS",
        WHOLE,
        "86400",
        "how long a write sent with an IdempotencyKey answers a retry of the same key with its first answer "
        "instead of applying it again",
        minimum=1,
    )
    # Bans and deletions: how long a process trusts what it last read of a player's account.
    player_status_cache_seconds: int = setting(
        "PLAYER_STATUS_CACHE_SECONDS",
        WHOLE,
        "10",
        "how long a process reuses a player's last-read status (exists, banned) before reading it again; "
        "a ban or deletion made on another instance reaches this one within it (0: read on every call)",
        minimum=0,
    )
    # Entity object limits (PlayFab's tier table): player and character entities, then the title entity.
    player_object_count: int = setting(
        "PLAYER_OBJECT_COUNT", WHOLE, "5", "entity objects per player or character entity"
    )
    player_object_bytes: int = setting(
        "PLAYER_OBJECT_BYTES", WHOLE, "1000", "bytes per object of a player or character"
    )
    title_object_count: int = setting("TITLE_OBJECT_COUNT", WHOLE, "10", "entity objects of the title entity")
    title_object_bytes: int = setting("TITLE_OBJECT_BYTES", WHOLE, "2000", "bytes per object of the title entity")
    object_name_max_chars: int = setting("OBJECT_NAME_MAX_CHARS", WHOLE, "64", "longest entity object name")
    # Player custom properties (shared/features/custom_properties.py): PlayFab's documented limits.
    player_custom_property_count: int = setting(
        "PLAYER_CUSTOM_PROPERTY_COUNT", WHOLE, "5", "custom properties one player may hold"
    )
    player_custom_property_name_max_chars: int = setting(
        "PLAYER_CUSTOM_PROPERTY_NAME_MAX_CHARS",
        WHOLE,
        "36",
        "longest custom property name, in UTF-16 code units",
    )
    player_custom_property_value_max_chars: int = setting(
        "PLAYER_CUSTOM_PROPERTY_VALUE_MAX_CHARS",
        WHOLE,
        "36",
        "longest string value of a custom property, in UTF-16 code units",
    )
    # Events (shared/features/events.py): how long they are kept and how big they may be.
    events_retention_days: int = setting(
        "EVENTS_RETENTION_DAYS",
        WHOLE,
        "30",
        "days an event is kept; on Cosmos DB also the events container's default TTL (infra/), applied "
        "when the app creates the container",
    )
    event_max_body_bytes: int = setting(
        "EVENT_MAX_BODY_BYTES",
        WHOLE,
        "10240",
        "UTF-8 bytes of one event's `Body` or `Payload` (as JSON text)",
        minimum=64,
    )
    events_max_per_batch: int = setting(
        "EVENTS_MAX_PER_BATCH", WHOLE, "200", "events one `WriteEvents` call may carry (PlayFab's 200)"
    )
    # Key history (shared/features/key_history.py): how long entries are kept, and which values are hashed.
    key_history_retention_days: int = setting(
        "KEY_HISTORY_RETENTION_DAYS",
        WHOLE,
        "30",
        "days a key's history entry is kept (`Admin/ext-ReadKeyHistory`); at most EVENTS_RETENTION_DAYS, "
        "whose TTL also bounds the history on Cosmos DB",
    )
    key_history_max_value_bytes: int = setting(
        "KEY_HISTORY_MAX_VALUE_BYTES",
        WHOLE,
        "1024",
        "UTF-8 bytes of a value a history entry keeps; a longer value is kept as its SHA-256 hash and size",
        minimum=0,
    )
    key_history_outbox_bytes: int = setting(
        "KEY_HISTORY_OUTBOX_BYTES",
        WHOLE,
        "16384",
        "bytes of history entries a changed document holds before a write moves them to the event log "
        "(0: after every write; at most 131072); a history read moves them whatever their size",
        minimum=0,
    )
    # Custom data limits (PlayFab's tier table), per update call and per stored data type.
    user_data_max_keys: int = setting(
        "USER_DATA_MAX_KEYS_PER_UPDATE", WHOLE, "10", "keys one `Update*UserData` call may set or remove"
    )
    user_data_max_value_bytes: int = setting(
        "USER_DATA_MAX_VALUE_BYTES", WHOLE, "300000", "UTF-8 bytes of one user data value"
    )
    character_data_max_keys: int = setting(
        "CHARACTER_DATA_MAX_KEYS_PER_UPDATE", WHOLE, "10", "keys one `Update*CharacterData` call may set or remove"
    )
    character_data_max_value_bytes: int = setting(
        "CHARACTER_DATA_MAX_VALUE_BYTES", WHOLE, "300000", "UTF-8 bytes of one character data value"
    )
    data_max_document_bytes: int = setting(
        "DATA_MAX_DOCUMENT_BYTES",
        WHOLE,
        "1000000",
        "stored size of one data type of one player or character (or one shared group), all keys together",
        minimum=1024,
    )
    shared_group_max_keys: int = setting(
        "SHARED_GROUP_DATA_MAX_KEYS_PER_UPDATE", WHOLE, "10", "keys one `UpdateSharedGroupData` call may set or remove"
    )
    shared_group_max_value_bytes: int = setting(
        "SHARED_GROUP_DATA_MAX_VALUE_BYTES", WHOLE, "300000", "UTF-8 bytes of one shared group data value"
    )
    # Title-wide data (title data, internal title data, publisher data): the read cache and the limits.
    title_data_cache_seconds: int = setting(
        "TITLE_DATA_CACHE_SECONDS",
        WHOLE,
        "10",
        "how long a process serves title data, internal title data and publisher data from what it last read; "
        "a write on another instance reaches this one within it (0: read on every call)",
        minimum=0,
    )
    title_data_max_keys: int = setting(
        "TITLE_DATA_MAX_KEYS", WHOLE, "1000", "keys one kind of title-wide data may hold (title, internal, publisher)"
    )
    title_data_max_value_bytes: int = setting(
        "TITLE_DATA_MAX_VALUE_BYTES", WHOLE, "300000", "UTF-8 bytes of one title data, internal or publisher value"
    )
    title_data_max_bytes: int = setting(
        "TITLE_DATA_MAX_BYTES",
        WHOLE,
        "1000000",
        "stored size of one kind of title-wide data, all keys together",
        minimum=1024,
    )
    # Request rate limits (shared/limits/rate_limits.py); each window list is a limit's default
    # (shared/config/rate_windows.py).
    rate_limits: str = setting(
        "RATE_LIMITS",
        CHOICE,
        "client",
        "who is rate limited: `client` (players), `all` (the title's calls too) or `off`",
        choices=("client", "all", "off"),
    )
    rate_limit_user_data: Windows = setting(
        "RATE_LIMIT_USER_DATA",
        WINDOWS,
        "10/15,150/300,3600/3600",
        "player data updates allowed per window, as calls/seconds pairs",
    )
    rate_limit_character_data: Windows = setting(
        "RATE_LIMIT_CHARACTER_DATA",
        WINDOWS,
        "5/15,30/300,60/3600",
        "the same for character data (all of a player's characters together)",
    )
    rate_limit_entity_updates: Windows = setting(
        "RATE_LIMIT_ENTITY_UPDATES",
        WINDOWS,
        "10/15,50/300,900/3600",
        "the same for entity updates (`SetObjects` on a player's entities)",
    )
    # PlayFab publishes no figure for custom properties; they are player data values, so a player's
    # updates and deletes get the user-data budget. Reads are not limited, as GetUserData is not.
    rate_limit_player_custom_properties: Windows = setting(
        "RATE_LIMIT_PLAYER_CUSTOM_PROPERTIES",
        WINDOWS,
        "10/15,150/300,3600/3600",
        "a player's custom property updates and deletes per window",
    )
    # Links and renames (PlayFab publishes no figures): each claims or releases a lookup document that
    # outlives the call, and a player does either a few times in its life, so the budget is the
    # character-data one: a settings screen's burst, then a few an hour.
    rate_limit_links: Windows = setting(
        "RATE_LIMIT_LINKS",
        WINDOWS,
        "5/15,30/300,60/3600",
        "a player's link and unlink calls (custom id, device ids, server custom id) per window",
    )
    rate_limit_display_names: Windows = setting(
        "RATE_LIMIT_DISPLAY_NAMES",
        WINDOWS,
        "5/15,30/300,60/3600",
        "a player's display name changes (`UpdateUserTitleDisplayName`) per window",
    )
    rate_limit_events: Windows = setting(
        "RATE_LIMIT_EVENTS",
        WINDOWS,
        "30/15,300/300,3600/3600",
        "a player's event-writing calls (`Write*Event`, `WriteEvents`) per window, whatever the batch size",
    )
    # PlayFab publishes no figures for these; chosen to match a player's user-data budget (writes), a
    # turn-based game polling a few groups (reads), a household or cafe behind one address (accounts),
    # and many players behind one NAT logging in (anonymous calls).
    rate_limit_shared_group_writes: Windows = setting(
        "RATE_LIMIT_SHARED_GROUP_WRITES",
        WINDOWS,
        "10/15,150/300,3600/3600",
        "a player's shared-group writes (create, add or remove members, update data) per window",
    )
    rate_limit_shared_group_reads: Windows = setting(
        "RATE_LIMIT_SHARED_GROUP_READS",
        WINDOWS,
        "30/15,300/300,3600/3600",
        "a player's `GetSharedGroupData` calls per window, member or not",
    )
    rate_limit_account_creation: Windows = setting(
        "RATE_LIMIT_ACCOUNT_CREATION",
        WINDOWS,
        "20/60,200/3600",
        "new accounts per client address per window (counted in the store)",
    )
    rate_limit_anonymous_calls: Windows = setting(
        "RATE_LIMIT_ANONYMOUS_CALLS",
        WINDOWS,
        "60/15,600/300",
        "calls without credentials (logins) per client address per window, counted in each process",
    )
    # PlayFab's published per-player figures for its Statistics service: updates 30 and reads 30 per
    # 120 s; its other calls (leaderboards) 50 per 120 s.
    rate_limit_statistic_updates: Windows = setting(
        "RATE_LIMIT_STATISTIC_UPDATES",
        WINDOWS,
        "30/120",
        "a player's statistic updates (player and character) per window",
    )
    rate_limit_statistic_reads: Windows = setting(
        "RATE_LIMIT_STATISTIC_READS",
        WINDOWS,
        "30/120",
        "a player's statistic reads (`GetPlayerStatistics`, `GetCharacterStatistics`, versions) per window",
    )
    rate_limit_leaderboard_reads: Windows = setting(
        "RATE_LIMIT_LEADERBOARD_READS",
        WINDOWS,
        "50/120",
        "a player's leaderboard reads (every `Get…Leaderboard…` call) per window",
    )
    # Wrong passwords (shared/limits/password_attempts.py): PlayFab publishes no figures. Ten per account
    # per 15 minutes stops guessing at the server's speed and spares a player who mistypes; an address
    # may hold a household or a school.
    rate_limit_password_failures: Windows = setting(
        "RATE_LIMIT_PASSWORD_FAILURES",
        WINDOWS,
        "10/900,50/86400",
        "wrong passwords per account per window, then its password logins are refused until the window ends",
    )
    rate_limit_password_failures_per_address: Windows = setting(
        "RATE_LIMIT_PASSWORD_FAILURES_PER_ADDRESS",
        WINDOWS,
        "50/900,500/86400",
        "wrong passwords and unknown emails or usernames per client address per window (counted in the store)",
    )
    refusal_delay_ms: int | None = setting(
        "RATE_LIMIT_REFUSAL_DELAY_MS",
        WHOLE,
        None,
        "how long a rate-limited refusal is held before it is sent (never past its `Retry-After`)",
        minimum=0,
        unset="1000 on the local host, 0 under the Functions host",
    )
    trust_forwarded_for: str = setting(
        "TRUST_X_FORWARDED_FOR",
        CHOICE,
        "auto",
        "whether `X-Forwarded-For` names the client: `auto` (only where the host gives no peer address, as "
        "under the Functions host), `true` or `false`",
        choices=("auto", "true", "false"),
    )
    anonymous_max_request_bytes: int = setting(
        "ANONYMOUS_MAX_REQUEST_BYTES",
        WHOLE,
        "65536",
        "largest body of a call without credentials (a login), refused before it is parsed",
        minimum=1024,
    )
    # Shared-group quotas.
    shared_group_max_members: int = setting("SHARED_GROUP_MAX_MEMBERS", WHOLE, "100", "members of one shared group")
    shared_groups_per_player: int = setting(
        "SHARED_GROUPS_PER_PLAYER", WHOLE, "100", "shared groups one player may belong to, created or joined"
    )
    # Display names and player profiles (shared/features/display_names.py, player_profiles.py).
    allow_duplicate_display_names: bool = setting(
        "ALLOW_DUPLICATE_DISPLAY_NAMES",
        FLAG,
        "false",
        "players may take a display name another player has (PlayFab's AllowNonUniquePlayerDisplayNames)",
    )
    client_profile_options: tuple[str, ...] = setting(
        "CLIENT_PROFILE_OPTIONS",
        KEYS,
        "ShowDisplayName",
        "the ProfileConstraints a Client call may set (PlayFab's Client Profile Options), e.g. ShowCreated",
    )
    # Statistics and leaderboards (shared/features/statistics.py, leaderboards.py).
    allow_client_statistic_updates: bool = setting(
        "ALLOW_CLIENT_STATISTIC_UPDATES",
        FLAG,
        "false",
        "game clients may post player and character statistics (PlayFab's \"Allow client to post player "
        'statistics"); off, only the Server API writes them',
    )
    statistics_max_per_title: int = setting(
        "STATISTICS_MAX_PER_TITLE",
        WHOLE,
        "300",
        "statistics the title may define, created by an Admin call or by a first write of a new name",
        minimum=1,
    )
    # Account recovery (shared/features/recovery.py) and the mail it sends (shared/mail/).
    recovery_token_ttl_seconds: int = setting(
        "RECOVERY_TOKEN_TTL_SECONDS",
        WHOLE,
        "1800",
        "lifetime of a password-reset link (PlayFab's lasts 30 minutes)",
        minimum=60,
    )
    public_url: str | None = setting(
        "PUBLIC_URL",
        TEXT,
        None,
        "the app's public base URL, route prefix included (the SDKs' URL): password-reset links start with it",
        unset="the local host's own address",
    )
    rate_limit_recovery_email: Windows = setting(
        "RATE_LIMIT_RECOVERY_EMAIL",
        WINDOWS,
        "3/900,10/86400",
        "recovery emails asked for one email address per window, known or not (counted in the store)",
    )
    rate_limit_recovery_address: Windows = setting(
        "RATE_LIMIT_RECOVERY_ADDRESS",
        WINDOWS,
        "10/3600,50/86400",
        "recovery emails asked for from one client address per window (counted in the store)",
    )
    smtp_host: str | None = setting(
        "SMTP_HOST",
        TEXT,
        None,
        "the mail server recovery emails go through",
        unset="unset: written to `MAIL_OUTBOX_DIR` instead",
    )
    smtp_port: int = setting("SMTP_PORT", WHOLE, "587", "the mail server's port")
    smtp_tls: str = setting(
        "SMTP_TLS",
        CHOICE,
        "starttls",
        "`starttls` (upgrade a plain connection), `tls` (TLS from the start, port 465) or `none`",
        choices=("starttls", "tls", "none"),
    )
    smtp_sender: str | None = setting(
        "SMTP_SENDER",
        TEXT,
        None,
        "the From address of recovery emails, e.g. `My Game <noreply@example.com>`",
        unset="required with `SMTP_HOST`",
    )
    smtp_username: str | None = setting(
        "SMTP_USERNAME", TEXT, None, "the mail server's login, if it asks for one", unset="no login"
    )
    smtp_password: str | None = setting(
        "SMTP_PASSWORD", TEXT, None, "the mail server's password (a Key Vault secret on Azure)", unset="no login"
    )
    smtp_timeout_seconds: int = setting(
        "SMTP_TIMEOUT_SECONDS", WHOLE, "10", "connecting to the mail server and each of its answers"
    )
    mail_outbox_dir: Path = setting(
        "MAIL_OUTBOX_DIR",
        PATH,
        ".data/outbox",
        "folder where messages are written as `.eml` files (0600) while `SMTP_HOST` is unset",
        LOCAL,
        reason="Azure sends mail through `SMTP_HOST`",
    )
    # Server functions (shared/features/server_functions.py): where they are, and PlayFab's CloudScript limits.
    server_function_modules: tuple[str, ...] = setting(
        "SERVER_FUNCTION_MODULES",
        KEYS,
        "cloudscript",
        "the Python packages or modules whose server functions `ExecuteFunction` and `ExecuteCloudScript` run "
        "(a package brings every module in it)",
    )
    server_function_timeout_ms: int = setting(
        "SERVER_FUNCTION_TIMEOUT_MS", WHOLE, "10000", "longest one server function may run before it is stopped"
    )
    server_function_max_api_calls: int = setting(
        "SERVER_FUNCTION_MAX_API_CALLS", WHOLE, "25", "API calls one server function execution may make"
    )
    server_function_max_argument_bytes: int = setting(
        "SERVER_FUNCTION_MAX_ARGUMENT_BYTES",
        WHOLE,
        "358400",
        "largest `FunctionParameter`, as UTF-8 JSON",
    )
    server_function_max_result_bytes: int = setting(
        "SERVER_FUNCTION_MAX_RESULT_BYTES",
        WHOLE,
        "358400",
        "largest `FunctionResult`, as UTF-8 JSON; a larger one is dropped (`FunctionResultTooLarge`)",
    )
    server_function_max_log_bytes: int = setting(
        "SERVER_FUNCTION_MAX_LOG_BYTES",
        WHOLE,
        "358400",
        "most `Logs` one execution keeps, as UTF-8 JSON; later entries are dropped (`LogsTooLarge`)",
    )
    # Each limit's windows, from its WINDOWS row above (shared/config/rate_windows.py names them); not a setting.
    rate_limit_windows: Mapping[str, Windows] = field(default_factory=dict)


ELSEWHERE: Final[tuple[Setting, ...]] = (
    # The embedded store's, and the local host's own (python -m local_host).
    Setting(
        "SQLITE_STORE_PREPARED",
        TEXT,
        None,
        "set by the local host for its worker processes: the store file it opened (never set it yourself)",
        LOCAL,
        reason="set by the local host for its own worker processes, not by people",
    ),
    Setting("HOST", TEXT, "127.0.0.1", "address the local host listens on", LOCAL, reason=_HOST),
    Setting("PORT", WHOLE, "7071", "port the local host listens on", LOCAL, reason=_HOST),
    Setting("WORKERS", WHOLE, "1", "worker processes of the local host", LOCAL, reason=_HOST),
    Setting(
        "HTTP_STACK",
        CHOICE,
        "fast",
        "the local host's HTTP parser and event loop: `fast` (httptools and uvloop) or `h11` (pure Python)",
        LOCAL,
        choices=("fast", "h11"),
        reason=_HOST,
    ),
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
    # The local host's HTTP limits (local_host/http_limits.py checks their bounds).
    Setting(
        "HTTP_HEADER_TIMEOUT_SECONDS",
        TEXT,
        "10",
        "seconds from a request's first byte to the end of its headers, then 408 (0.1 to 3600)",
        LOCAL,
        reason=_HOST + ", whose front end has its own limits",
    ),
    Setting(
        "HTTP_BODY_TIMEOUT_SECONDS",
        TEXT,
        "60",
        "seconds from the end of the headers to the end of the body, then 408; also the most time spent "
        "dropping the rest of a body refused with 413 (0.1 to 3600)",
        LOCAL,
        reason=_HOST + ", whose front end has its own limits",
    ),
    Setting(
        "HTTP_IDLE_TIMEOUT_SECONDS",
        TEXT,
        "5",
        "seconds a connection may sit with no request under way, new or kept alive (0.1 to 3600)",
        LOCAL,
        reason=_HOST + ", whose front end has its own limits",
    ),
    Setting(
        "HTTP_MAX_CONNECTIONS",
        WHOLE,
        "1000",
        "open connections per worker process; more are answered 503 and closed (1 to 1000000); the open "
        "file limit is raised to fit where the hard limit allows",
        LOCAL,
        reason=_HOST + ", whose front end has its own limits",
    ),
    Setting(
        "HTTP_MAX_HEADER_BYTES",
        WHOLE,
        "16384",
        "request line and headers together, then 431 (1024 to 1048576)",
        LOCAL,
        reason=_HOST + ", whose front end has its own limits",
    ),
    Setting(
        "TEST_CLOCK_OFFSET_FILE",
        PATH,
        None,
        "tests only: a file whose seconds are added to the clock the rate limits use",
        LOCAL,
        reason="tests only: moves a test host's clock",
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

SETTINGS: Final[tuple[Setting, ...]] = (
    *(replace(f.metadata[_ROW], field=f.name) for f in fields(Settings) if _ROW in f.metadata),
    *ELSEWHERE,
)
DECLARED: Final[dict[str, Setting]] = {s.name: s for s in SETTINGS}


def default(name: str) -> str:
    """The declared default of a setting that has one (KeyError for an undeclared name)."""
    value = DECLARED[name].default
    if value is None:
        raise ValueError(f"{name} has no default")
    return value
